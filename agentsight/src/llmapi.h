/* llmapi: turns the bodies of LLM API calls into the exchange model.
 *
 * AgentSight sees an agent's HTTPS traffic as HTTP messages; this module
 * recognises the three APIs agents use (OpenAI chat completions, OpenAI
 * responses, Anthropic messages), reads the request body (model, prompt,
 * tools) and the response body, whole or as server-sent events, into a
 * struct as_llm_exchange (exchange.h). It also writes an exchange as JSON for
 * the store and reads it back, estimates tokens when the API reported none,
 * and prices a call. Bodies come from outside: every field is checked for its
 * type, what does not fit is skipped and counted in ex->parse_problems, and
 * every string is bounded (limits below, cuts recorded in ex->capped). Every
 * string put in an exchange also passes through as_redact_text() (redact.h).
 *
 * Typical use, for one call:
 *
 *	struct as_llm_exchange ex = {0};
 *	enum as_llm_api api = as_llm_api_detect(method, target, host);
 *	as_llm_parse_request(&ex, api, req_body, req_len, err, sizeof(err));
 *	ex.http_status = status;
 *	if (ex.stream) {
 *		struct as_llm_stream *s = as_llm_stream_new(&ex);
 *		for each SSE event: as_llm_stream_event(s, name, data, len);
 *		as_llm_stream_finish(s, truncated);
 *		as_llm_stream_free(s);
 *	} else {
 *		as_llm_parse_response(&ex, status, resp_body, resp_len, err, sizeof(err));
 *	}
 *	json_t *j = as_llm_exchange_to_json(&ex);
 *	as_llm_exchange_clear(&ex);
 */
#ifndef AGENTSIGHT_LLMAPI_H
#define AGENTSIGHT_LLMAPI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exchange.h"

/* Limits on what one exchange holds; what goes past them is cut and
 * ex->capped set. Strings are cut on a UTF-8 character boundary. */
#define AS_LLM_MAX_FIELD_BYTES (1u << 20) /* one text, arguments or name string */
#define AS_LLM_MAX_REPLY_BYTES (4u << 20) /* a streamed reply: text and all arguments */
#define AS_LLM_MAX_MESSAGES    16384u	  /* messages in one request */
#define AS_LLM_MAX_TOOL_CALLS  256u	  /* tool calls in one message or reply */
#define AS_LLM_MAX_TOOLS       1024u	  /* tools offered in one request */
#define AS_LLM_MAX_BLOCKS      1024u	  /* content blocks/output items in one stream */

/* Which API a request is, from its method and target ("/v1/chat/completions",
 * with or without a query string, or an absolute URL). Only POST counts:
 *   .../chat/completions  AS_LLM_API_OPENAI_CHAT (OpenAI, Azure deployments,
 *                         and the many servers that copy the API)
 *   .../responses         AS_LLM_API_OPENAI_RESPONSES
 *   .../v1/messages       AS_LLM_API_ANTHROPIC_MESSAGES; also .../messages
 *                         when host (may be NULL) is an anthropic.com host.
 * Anything else is AS_LLM_API_UNKNOWN. */
enum as_llm_api as_llm_api_detect(const char *method, const char *target_path, const char *host);

/* "openai_chat", "openai_responses", "anthropic_messages" or "unknown". */
const char *as_llm_api_name(enum as_llm_api api);
/* The reverse; AS_LLM_API_UNKNOWN for any other string. */
enum as_llm_api as_llm_api_from_name(const char *name);

/* "system", "user", "assistant", "tool" or "other", and back. */
const char *as_llm_role_name(enum as_llm_role role);
enum as_llm_role as_llm_role_from_name(const char *name);

/* Reads a request body of the given API into ex: ex->api, model, stream,
 * messages (system instructions first) and tool names. Request fields already
 * in ex are freed first; response fields are left alone. Returns 0 when the
 * body was read (ex->parse_problems counts the parts skipped), -1 with a
 * message in err when it is not a JSON object, when its messages (or input)
 * have the wrong type, when api is unknown, or when memory ran out; ex then
 * holds what could be read and is still to be cleared by the caller. */
int as_llm_parse_request(struct as_llm_exchange *ex, enum as_llm_api api, const char *body,
			 size_t len, char *err, size_t errlen);

/* Reads a whole (not streamed) response body into ex: reply text and tool
 * calls, stop reason, response id, model (when the request named none), usage,
 * and the error message of error bodies. Uses ex->api, or guesses the API from
 * the body when ex->api is unknown. Response fields already in ex are freed
 * first; ex->http_status is set to http_status. Returns 0 when the body was
 * read, even when it is an API error (then ex->error is set); -1 with a
 * message in err when it is not JSON (ex->error is then "HTTP <status>" for a
 * status of 400 or more) or memory ran out. */
int as_llm_parse_response(struct as_llm_exchange *ex, int http_status, const char *body, size_t len,
			  char *err, size_t errlen);

/* A streamed (SSE) response being read into an exchange. */
struct as_llm_stream;

/* Starts reading a streamed response into ex (which must outlive the stream).
 * Response fields already in ex are freed. NULL when memory ran out. */
struct as_llm_stream *as_llm_stream_new(struct as_llm_exchange *ex);

/* One server-sent event: its event name (NULL if the event had no "event:"
 * line) and its data (the data lines joined with "\n"). Ids, model, usage,
 * stop reason and errors reach ex as they arrive; the reply text and tool
 * calls are assembled in the stream and written to ex->reply by
 * as_llm_stream_finish(). Unknown events are ignored. Returns 0 when the
 * event was used or ignored, -EINVAL when it was malformed (not JSON, wrong
 * types, a delta for a block never started: counted in ex->parse_problems,
 * the stream goes on), -ENOMEM when memory ran out (the stream goes on with
 * what it has). */
int as_llm_stream_event(struct as_llm_stream *s, const char *event_name, const char *data,
			size_t len);

/* The stream ended: truncated when it stopped before its end (connection
 * closed, process gone). Writes the reply into ex. ex->response_complete is
 * set when the end marker was seen ([DONE], message_stop, response.completed,
 * an error event), or when the stream was not truncated and a stop reason
 * was seen. Calling it twice does nothing the second time. */
void as_llm_stream_finish(struct as_llm_stream *s, bool truncated);

/* Frees s (NULL is fine); finishes it first, as truncated, if it was not. */
void as_llm_stream_free(struct as_llm_stream *s);

/* Frees every string and array in ex and zeroes it. */
void as_llm_exchange_clear(struct as_llm_exchange *ex);

/* Runs as_redact_text() over every text, argument and error string in ex;
 * returns the number of secrets masked. The parsers call it themselves. */
size_t as_llm_exchange_redact(struct as_llm_exchange *ex);

/* The exchange as JSON, for the store and the web UI. The shape is stable:
 * every key is always present, absent strings are null.
 *
 *   {"api": "openai_chat" | "openai_responses" | "anthropic_messages" | "unknown",
 *    "model": str|null, "stream": bool,
 *    "messages": [MESSAGE...], "tools": [str...],
 *    "status": int (HTTP status, 0 if unseen),
 *    "reply": MESSAGE (role "assistant"),
 *    "stop_reason": str|null, "response_id": str|null,
 *    "usage": {"input": int, "output": int, "cache_read": int,
 *              "cache_write": int, "reasoning": int, "reported": bool},
 *    "error": str|null, "complete": bool,
 *    "capped": bool, "parse_problems": int}
 *   MESSAGE = {"role": "system" | "user" | "assistant" | "tool" | "other",
 *              "text": str|null,
 *              "tool_calls": [{"id": str|null, "name": str|null, "arguments": str|null}...],
 *              "tool_call_id": str|null}
 *
 * NULL when memory ran out. The caller owns the result (json_decref). */
json_t *as_llm_exchange_to_json(const struct as_llm_exchange *ex);

/* Reads that shape back into ex (which must be empty: zeroed or cleared).
 * Missing keys take their zero value; a key of the wrong type is an error.
 * Returns 0, or -1 with a message in err (ex is then cleared). */
int as_llm_exchange_from_json(struct as_llm_exchange *ex, const json_t *j, char *err,
			      size_t errlen);

/* An estimate, not a count: about one token per four bytes of text, the rule
 * of thumb OpenAI and Anthropic give for English. For when usage is absent. */
int64_t as_llm_estimate_tokens(const char *text);

/* Estimated usage of ex from its texts: input from every message (text, tool
 * call names and arguments), output from the reply. out->reported is false. */
void as_llm_estimate_usage(const struct as_llm_exchange *ex, struct as_llm_usage *out);

/* Prices, in US dollars per million tokens, for models whose name starts
 * with model_prefix. cache_read and cache_write are the prices of cached
 * input tokens read and written (0 when the provider has none: cached
 * tokens then cost the input price). */
struct as_llm_price {
	char model_prefix[64];
	double input_usd_per_mtok;
	double output_usd_per_mtok;
	double cache_read_usd_per_mtok;
	double cache_write_usd_per_mtok;
};

/* The price of model: the longest matching prefix in override (n_override
 * entries, may be NULL), else the longest in the built-in table. A model
 * named "provider/name" (as routers name them) is also tried as "name".
 * NULL when no entry matches. */
const struct as_llm_price *as_llm_price_find(const char *model, const struct as_llm_price *override,
					     size_t n_override);

/* The cost of ex in US dollars, into *usd. Returns 0 when priced from the
 * reported usage, 1 when priced from as_llm_estimate_usage() (the API
 * reported none), -1 when the model has no price (*usd is then 0). */
int as_llm_cost_usd(const struct as_llm_exchange *ex, const struct as_llm_price *override,
		    size_t n_override, double *usd);

/* Reads a price table from text, one entry a line:
 *   <model-prefix> <input> <output> [<cache-read> [<cache-write>]]
 * prices in USD per million tokens; blank lines and "#" comments are skipped.
 * On success *out (free() it) holds *n_out entries. Returns 0, or -1 with the
 * line and the problem in err. */
int as_llm_prices_parse(const char *text, struct as_llm_price **out, size_t *n_out, char *err,
			size_t errlen);

#endif /* AGENTSIGHT_LLMAPI_H */
