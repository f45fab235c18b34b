/* report: `agentsight report`, a recording told for people or for machines.
 *
 * For each session of a store: the command, host, start, duration, processes
 * and event counts; every LLM call (model, tokens in and out, estimated cost,
 * the last user message of its request, its reply text and tool calls);
 * the alerts with their evidence; and the causal timeline: each LLM call
 * followed, indented, by the events linked to it, then the events no call is
 * linked to. Times are UTC and every list has a fixed order (time, then id),
 * so the same store always gives the same text. With json set, the same
 * content is one JSON object instead.
 */
#ifndef AGENTSIGHT_REPORT_H
#define AGENTSIGHT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "llmapi.h"
#include "store.h"

struct as_report_opts {
	int64_t session; /* 0: every session */
	bool json;	 /* one JSON object instead of text */
	size_t max_text; /* text: prompts and replies are cut to this many bytes; 0: 100 */
	/* Prices that take precedence over llmapi's table (may be NULL). */
	const struct as_llm_price *prices;
	size_t n_prices;
};

/* Writes the report of st to out. Returns 0, -ENOENT when the session asked
 * for does not exist, or -1 with err (a store that cannot be read, a write
 * error on out). */
int as_report_write(struct as_store *st, const struct as_report_opts *opts, FILE *out, char *err,
		    size_t errlen);

#endif /* AGENTSIGHT_REPORT_H */
