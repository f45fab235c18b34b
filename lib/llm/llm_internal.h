/* llm_internal: what the files of lib/llm share and the tests and fuzz target
 * reach into; not part of the public API.
 *
 * The client (llm.c) speaks HTTP and knows nothing of either wire format.
 * Each provider (llm_openai.c, llm_anthropic.c) fills one struct
 * llm_provider_ops: its headers, its request body, and how to read a whole
 * response or one server-sent event. llm_sse.c splits a byte stream into
 * events; llm_stream.c glues the two together and gathers the reply, and
 * llm_util.c holds the bounded buffer, error formatting and parsing helpers.
 */
#ifndef ISTHMUS_LLM_INTERNAL_H
#define ISTHMUS_LLM_INTERNAL_H

#include <jansson.h>
#include <stdarg.h>

#include "llm.h"

/* ---- llm_util.c ---- */

/* A growable byte buffer that refuses to grow past max. p is always
 * NUL-terminated once anything was appended. */
struct llm_buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
};

/* LLM_OK, LLM_ERR_NOMEM, or LLM_ERR_TOO_LARGE when len + n would exceed max. */
int llm_buf_append(struct llm_buf *b, const void *data, size_t n);
/* Hands over the contents (an empty string when nothing was appended; NULL
 * only when out of memory) and empties the buffer. */
char *llm_buf_take(struct llm_buf *b, size_t *len);
void llm_buf_free(struct llm_buf *b);

/* snprintf into err when err is non-NULL; returns code, for "return llm_errf(...)". */
int llm_errf(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Copies src into dst (size n), truncating, always NUL-terminating. */
void llm_strlcpy(char *dst, const char *src, size_t n);

/* Replaces by "[redacted]" each run in s (NUL-terminated, size n) that
 * starts like secret and matches at least its first 8 characters (all of a
 * shorter one): the whole secret, or what truncation left of it. Secrets
 * shorter than 4 characters are left alone. */
void llm_redact(char *s, size_t n, const char *secret);

/* Writes a printable, quoted excerpt of at most max bytes of data to out. */
void llm_excerpt(const char *data, size_t len, size_t max, char *out, size_t outlen);

/* Reads a non-negative JSON integer member; false when absent or not one. */
bool llm_json_u64(const json_t *obj, const char *key, uint64_t *out);
/* Token counts from a usage object whose keys the provider names. */
void llm_read_usage(const json_t *usage, const char *input_key, const char *output_key,
		    struct llm_result *res);
/* "model" and "id" of a response object, where present. */
void llm_read_ids(const json_t *obj, struct llm_result *res);

/* Sets res->stop_reason and res->stop from an API's stop word. */
void llm_result_set_stop(struct llm_result *res, const char *reason);

/* The API's error message from an error body: "type: message" from
 * {"error":{"type":..,"message":..}} (both APIs), the string of
 * {"error":"..."} or {"message":"..."}, else a quoted excerpt of the body. */
void llm_describe_error_body(const char *body, size_t len, char *out, size_t outlen);

/* Same for an already parsed JSON error object; false when root holds none. */
bool llm_describe_error_json(const json_t *root, char *out, size_t outlen);

/* ---- llm_sse.c: server-sent events (WHATWG HTML, "event stream" parsing) ---- */

/* Receives one event: its type ("message" unless an event: field named
 * one) and its data, the data: lines joined by "\n", NUL-terminated. A
 * non-zero return stops parsing and is returned by llm_sse_feed. */
typedef int (*llm_sse_event_fn)(void *ctx, const char *event, const char *data, size_t len);

struct llm_sse {
	struct llm_buf line; /* the line being read */
	struct llm_buf data; /* data of the event being read */
	char event[64];
	bool pending_cr; /* the last byte was CR: a following LF belongs to it */
	bool started;	 /* the first line (which may carry a BOM) was read */
	llm_sse_event_fn on_event;
	void *ctx;
};

/* max_bytes bounds one line and one event's data. */
void llm_sse_init(struct llm_sse *p, size_t max_bytes, llm_sse_event_fn fn, void *ctx);
/* Feeds bytes in any split; LLM_OK, LLM_ERR_TOO_LARGE, LLM_ERR_NOMEM, or the
 * callback's non-zero return. */
int llm_sse_feed(struct llm_sse *p, const char *buf, size_t n);
/* End of input: as the standard says, an event not closed by a blank line
 * is dropped. Always LLM_OK; the parser can be fed again after. */
int llm_sse_finish(struct llm_sse *p);
void llm_sse_free(struct llm_sse *p);

/* ---- llm_stream.c: a streamed reply being gathered ---- */

struct llm_stream_tool {
	long index; /* the provider's index for this call or content block */
	char *id;
	char *name;
	struct llm_buf args;
};

/* At most this many tool calls in one reply. */
#define LLM_STREAM_MAX_TOOLS 64

struct llm_stream {
	const struct llm_provider_ops *ops;
	struct llm_sse sse;
	struct llm_result *res; /* metadata (model, id, usage, stop) lands here */
	struct llm_buf text;
	struct llm_stream_tool *tools;
	size_t n_tools;
	size_t max_bytes;
	bool done;	/* the end marker was seen ([DONE], message_stop) */
	bool delivered; /* some text went to on_delta */
	llm_delta_fn on_delta;
	void *delta_ctx;
	int err;	  /* the first error, or LLM_OK */
	char errmsg[256]; /* its message */
};

void llm_stream_init(struct llm_stream *s, enum llm_provider provider, struct llm_result *res,
		     size_t max_bytes, llm_delta_fn on_delta, void *delta_ctx);
/* Feeds raw response bytes. Returns LLM_OK or the first error (kept). */
int llm_stream_feed(struct llm_stream *s, const char *buf, size_t n, char *err, size_t errlen);
/* End of input: moves the text and tool calls gathered so far into res (also
 * after an error) and returns LLM_OK, the first error, or LLM_ERR_TRUNCATED
 * when the end marker never came. */
int llm_stream_finish(struct llm_stream *s, char *err, size_t errlen);
void llm_stream_free(struct llm_stream *s);

/* For providers: append reply text and pass it to on_delta. */
int llm_stream_text(struct llm_stream *s, const char *text, size_t len);
/* For providers: the tool call with this index, created when create is set;
 * NULL past LLM_STREAM_MAX_TOOLS (s->err set) or when absent. */
struct llm_stream_tool *llm_stream_tool(struct llm_stream *s, long index, bool create);
/* For providers: records the first error of the stream and returns code. */
int llm_stream_fail(struct llm_stream *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- providers ---- */

#define LLM_MAX_HEADERS 4
struct llm_headers {
	char line[LLM_MAX_HEADERS][LLM_KEY_MAX + 64];
	size_t n;
};

struct llm_provider_ops {
	enum llm_provider id;
	const char *name;
	const char *default_base_url;
	const char *default_model;
	const char *key_env; /* the provider's own key variable */
	uint32_t default_max_tokens;
	const char *path; /* appended to base_url */
	/* The provider's headers (authentication, version). */
	int (*headers)(const struct llm_config *cfg, struct llm_headers *h);
	/* The request body for req, model and max tokens already resolved in cfg. */
	int (*build_body)(const struct llm_config *cfg, const struct llm_request *req, json_t **out,
			  char *err, size_t errlen);
	/* Fills res from a whole (non-streamed) response. */
	int (*parse_response)(const json_t *root, struct llm_result *res, char *err, size_t errlen);
	/* Handles one server-sent event; errors go through llm_stream_fail. */
	int (*stream_event)(struct llm_stream *s, const char *event, const char *data, size_t len);
};

extern const struct llm_provider_ops llm_openai_ops;
extern const struct llm_provider_ops llm_anthropic_ops;

const struct llm_provider_ops *llm_provider_ops(enum llm_provider provider);

/* Parses a whole response body into res: LLM_OK, LLM_ERR_PARSE (naming what
 * is wrong), LLM_ERR_API when the body is an error object. Exposed for the
 * fuzz target and tests. */
int llm_parse_response(enum llm_provider provider, const char *body, size_t len,
		       struct llm_result *res, char *err, size_t errlen);

/* Builds the JSON text of a request body (for tests). Caller frees. */
int llm_build_request(const struct llm_config *cfg, const struct llm_request *req, char **out,
		      char *err, size_t errlen);

/* Tool-call helpers shared by both providers: parse a JSON Schema text, and
 * copy tool calls into a result. */
int llm_tool_schema(const struct llm_tool *tool, json_t **out, char *err, size_t errlen);
int llm_result_add_tool_call(struct llm_result *res, const char *id, const char *name,
			     const char *args, size_t args_len);

#endif /* ISTHMUS_LLM_INTERNAL_H */
