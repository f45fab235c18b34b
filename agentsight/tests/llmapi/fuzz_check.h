/* fuzz_check: invariants the llmapi fuzz targets check after each input.
 *
 * Whatever the input, an exchange must hold only valid UTF-8 strings within
 * their limits, have nothing left to redact, and survive the trip to JSON
 * and back unchanged. A broken invariant aborts, which libFuzzer reports.
 */
#ifndef AS_LLMAPI_FUZZ_CHECK_H
#define AS_LLMAPI_FUZZ_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "llmapi.h"

static inline void fz_str(const char *s)
{
	if (!s)
		return;
	if (strlen(s) > AS_LLM_MAX_FIELD_BYTES)
		abort();
	json_t *j = json_string(s);
	if (!j)
		abort(); /* not UTF-8 */
	json_decref(j);
}

static inline void fz_message(const struct as_llm_message *m)
{
	fz_str(m->text);
	fz_str(m->tool_call_id);
	if (m->n_tool_calls > AS_LLM_MAX_TOOL_CALLS)
		abort();
	for (size_t i = 0; i < m->n_tool_calls; i++) {
		fz_str(m->tool_calls[i].id);
		fz_str(m->tool_calls[i].name);
		fz_str(m->tool_calls[i].arguments);
	}
}

static inline void fz_exchange(struct as_llm_exchange *ex)
{
	if (ex->n_messages > AS_LLM_MAX_MESSAGES || ex->n_tools > AS_LLM_MAX_TOOLS)
		abort();
	fz_str(ex->model);
	for (size_t i = 0; i < ex->n_messages; i++)
		fz_message(&ex->messages[i]);
	for (size_t i = 0; i < ex->n_tools; i++)
		fz_str(ex->tool_names[i]);
	fz_message(&ex->reply);
	fz_str(ex->stop_reason);
	fz_str(ex->response_id);
	fz_str(ex->error);
	if (as_llm_exchange_redact(ex) != 0)
		abort(); /* the parsers redact what they keep */

	json_t *j = as_llm_exchange_to_json(ex);
	if (!j)
		abort();
	struct as_llm_exchange back = {0};
	char err[256];
	if (as_llm_exchange_from_json(&back, j, err, sizeof(err)) != 0)
		abort();
	json_t *j2 = as_llm_exchange_to_json(&back);
	if (!j2 || !json_equal(j, j2))
		abort();
	json_decref(j);
	json_decref(j2);
	as_llm_exchange_clear(&back);

	struct as_llm_usage u;
	double usd;
	as_llm_estimate_usage(ex, &u);
	if (u.input_tokens < 0 || u.output_tokens < 0)
		abort();
	as_llm_cost_usd(ex, NULL, 0, &usd);
	if (usd < 0)
		abort();
}

#endif /* AS_LLMAPI_FUZZ_CHECK_H */
