/* analyze: an optional second opinion on a recorded session from an LLM.
 *
 * `agentsight analyze` turns a session from the store into a compact digest
 * (the prompts, replies and tool calls, the commands run, the files written,
 * the connections, the detectors' alerts, each with its event id) and asks a
 * model, through lib/llm, for a security and efficiency review with the ids
 * of its evidence. Everything else AgentSight does works without it; this
 * needs an API key (or a local OpenAI-compatible server) configured through
 * lib/llm's ISTHMUS_LLM_* variables or --llm KEY=VALUE flags.
 */
#ifndef AGENTSIGHT_ANALYZE_H
#define AGENTSIGHT_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "llm.h"
#include "store.h"

/* The digest is cut to this many bytes (oldest turns are kept whole first). */
#define AS_ANALYZE_MAX_DIGEST (48u * 1024u)

struct as_analyze_opts {
	int64_t session;  /* 0: the newest */
	bool json;	  /* one JSON object instead of text */
	bool digest_only; /* print the digest, ask nothing */
	const struct llm_config *llm;
};

/* Builds the digest of a session (caller frees). NULL with err on failure. */
char *as_analyze_digest(struct as_store *st, int64_t session, char *err, size_t errlen);

/* Runs the analysis and writes the review (and its token and cost
 * accounting) to out. Returns 0 or -1 with err. */
int as_analyze_run(struct as_store *st, const struct as_analyze_opts *opts, FILE *out, char *err,
		   size_t errlen);

#endif /* AGENTSIGHT_ANALYZE_H */
