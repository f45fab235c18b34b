/* llmapi_internal: what the llmapi files share and nothing outside uses.
 *
 * llmapi.c holds the entry points and the helpers below; each API has a file
 * (llmapi_openai_chat.c, llmapi_openai_responses.c, llmapi_anthropic.c) with
 * its request, response and stream-event readers; llmapi_stream.c assembles
 * streamed replies; llmapi_json.c and llmapi_cost.c hold the JSON form and the
 * estimates and prices. Readers record problems in the exchange and go on;
 * running out of memory is recorded in the context and reported at the end.
 */
#ifndef AGENTSIGHT_LLMAPI_INTERNAL_H
#define AGENTSIGHT_LLMAPI_INTERNAL_H

#include "llmapi.h"

/* State of one reading: the exchange and whether memory ran out. */
struct as_llmi_ctx {
	struct as_llm_exchange *ex;
	bool oom;
};

/* A growing string, bounded by `limit` bytes (cut on a UTF-8 boundary). */
struct as_llmi_buf {
	char *p;
	size_t len, cap;
};

/* Appends s[0..n), cut so that the buffer stays within limit bytes (the cut
 * sets ex->capped). False only when memory ran out (ctx->oom is set). */
bool as_llmi_buf_add(struct as_llmi_ctx *c, struct as_llmi_buf *b, const char *s, size_t n,
		     size_t limit);
/* Appends a part: a "\n" first when the buffer already holds text. */
bool as_llmi_buf_add_part(struct as_llmi_ctx *c, struct as_llmi_buf *b, const char *s, size_t n,
			  size_t limit);
/* Hands the string over (NULL when empty) and empties the buffer. */
char *as_llmi_buf_take(struct as_llmi_buf *b);
void as_llmi_buf_free(struct as_llmi_buf *b);

/* A copy of s[0..n) cut at AS_LLM_MAX_FIELD_BYTES; NULL (and ctx->oom) when
 * memory ran out. */
char *as_llmi_strndup(struct as_llmi_ctx *c, const char *s, size_t n);
/* Replaces *dst with a copy of a JSON string value (json_string_length bytes). */
void as_llmi_set_jstr(struct as_llmi_ctx *c, char **dst, const json_t *str);
/* Sets *dst to a copy of s when *dst is NULL. */
void as_llmi_set_once(struct as_llmi_ctx *c, char **dst, const json_t *str);

/* Grows an array that holds n elements so that it can hold n + 1: capacity
 * is 4, then the next power of two. False (and ctx->oom) when memory ran out. */
bool as_llmi_grow(struct as_llmi_ctx *c, void **arr, size_t n, size_t elem);

/* Appends a message (zeroed, with role); NULL when the cap is reached
 * (ex->capped) or memory ran out. */
struct as_llm_message *as_llmi_push_message(struct as_llmi_ctx *c, enum as_llm_role role);
/* Appends a tool call to m with copies of the strings (each may be NULL). */
struct as_llm_tool_call *as_llmi_push_call(struct as_llmi_ctx *c, struct as_llm_message *m,
					   const char *id, const char *name, const char *args);
/* Appends a tool name to ex->tool_names. */
void as_llmi_push_tool(struct as_llmi_ctx *c, const char *name);

void as_llmi_message_free(struct as_llm_message *m);

/* JSON field access: the value of key when it has the type asked for, else
 * NULL; a key present with another type (null aside) counts a problem. */
const json_t *as_llmi_jstr(struct as_llmi_ctx *c, const json_t *obj, const char *key);
const json_t *as_llmi_jobj(struct as_llmi_ctx *c, const json_t *obj, const char *key);
const json_t *as_llmi_jarr(struct as_llmi_ctx *c, const json_t *obj, const char *key);
/* Integer value of key into *out; false (and *out untouched) when absent. */
bool as_llmi_jint(struct as_llmi_ctx *c, const json_t *obj, const char *key, int64_t *out);
/* The same for a key that must be there: absent counts a problem too. */
bool as_llmi_jint_req(struct as_llmi_ctx *c, const json_t *obj, const char *key, int64_t *out);
/* String value of key as a C string, or NULL. */
const char *as_llmi_jcstr(struct as_llmi_ctx *c, const json_t *obj, const char *key);
void as_llmi_problem(struct as_llmi_ctx *c);

/* The role of a message from the role names the APIs use: system and
 * developer are SYSTEM, tool and function are TOOL. */
enum as_llm_role as_llmi_role(const char *name);

/* Writes a message into err (when err is not NULL). */
void as_llmi_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Redacts the reply and error of ex; returns the count masked. */
size_t as_llmi_redact_response(struct as_llm_exchange *ex);

/* Frees the response fields of ex (reply, stop reason, id, usage, error). */
void as_llmi_clear_response(struct as_llm_exchange *ex);

/* Text of a content value: a string, or an array of parts (text parts
 * joined with "\n", other parts as placeholders like "[image]", thinking
 * parts left out), appended to b. */
void as_llmi_content_text(struct as_llmi_ctx *c, const json_t *content, struct as_llmi_buf *b);
/* Appends the placeholder "[type]" for a part of that type. */
void as_llmi_placeholder(struct as_llmi_ctx *c, struct as_llmi_buf *b, const char *type);

/* The name of an offered tool: function.name, custom.name, name, or else
 * its type (built-in tools such as "web_search_preview"), into ex. */
void as_llmi_offered_tool(struct as_llmi_ctx *c, const json_t *t);
/* What every request body starts with: "model", "stream", and the tools
 * offered under each of tool_keys ("tools", "functions"). */
void as_llmi_request_head(struct as_llmi_ctx *c, const json_t *root, const char *const *tool_keys,
			  size_t n_tool_keys);
/* System instructions (a string or content parts; NULL/null: none) as the
 * next message. */
void as_llmi_push_system(struct as_llmi_ctx *c, const json_t *content);

/* Compact JSON text of a value (tool input objects); NULL on failure. */
char *as_llmi_dump(struct as_llmi_ctx *c, const json_t *v);

/* The error of an error body, if any: {"error": {"message": ...}},
 * {"error": "..."}, {"type": "error", "error": {...}}, {"type": "error",
 * "message": ...}. Sets ex->error and returns true when found. */
bool as_llmi_take_error(struct as_llmi_ctx *c, const json_t *root);

/* OpenAI usage objects (chat and responses spellings both understood). */
void as_llmi_openai_usage(struct as_llmi_ctx *c, const json_t *usage);

/* Per-API readers. root is the parsed body (a JSON object). */
int as_llmi_chat_request(struct as_llmi_ctx *c, const json_t *root, char *err, size_t errlen);
void as_llmi_chat_response(struct as_llmi_ctx *c, const json_t *root);
int as_llmi_responses_request(struct as_llmi_ctx *c, const json_t *root, char *err, size_t errlen);
void as_llmi_responses_response(struct as_llmi_ctx *c, const json_t *root);
int as_llmi_anthropic_request(struct as_llmi_ctx *c, const json_t *root, char *err, size_t errlen);
void as_llmi_anthropic_response(struct as_llmi_ctx *c, const json_t *root);

/* Which API a response body looks like, when the request was not seen. */
enum as_llm_api as_llmi_guess_api(const json_t *root, const char *event_name);

/* Stream assembly (llmapi_stream.c), used by the per-API event readers. */
struct as_llmi_slot {
	int64_t index;	   /* tool_calls[].index, content block index or output_index */
	char *item_id;	   /* responses: the output item id ("fc_...") */
	char *id;	   /* call id */
	char *name;	   /* tool name */
	char *start_input; /* anthropic: the input given at block start */
	struct as_llmi_buf args;
};

enum as_llmi_block_kind {
	LLM_BLOCK_TEXT,
	LLM_BLOCK_TOOL,
	LLM_BLOCK_OTHER
};

struct as_llmi_block {
	int64_t index;
	enum as_llmi_block_kind kind;
};

struct as_llm_stream {
	struct as_llmi_ctx c;
	struct as_llmi_buf text;
	int64_t text_key; /* where the last text came from; a new source starts a part */
	bool have_text_key;
	size_t reply_bytes; /* text and arguments held, against AS_LLM_MAX_REPLY_BYTES */
	struct as_llmi_slot *slots;
	size_t n_slots;
	struct as_llmi_block *blocks;
	size_t n_blocks;
	int64_t anth_input, anth_cache_read, anth_cache_write; /* Anthropic usage as sent */
	bool end_seen;
	bool finished;
};

/* Appends reply text from source `key` (a new key starts a "\n" part). */
void as_llmi_stream_text(struct as_llm_stream *s, int64_t key, const char *t, size_t n);
/* The tool-call slot with this index (or item id when not NULL); created when
 * create is set and it does not exist. NULL when absent or over the cap. */
struct as_llmi_slot *as_llmi_stream_slot(struct as_llm_stream *s, int64_t index,
					 const char *item_id, bool create);
/* Appends to, or (replace) replaces, a slot's arguments. */
void as_llmi_stream_args(struct as_llm_stream *s, struct as_llmi_slot *slot, const char *t,
			 size_t n, bool replace);
/* The content block with this index, created with kind when create is set. */
struct as_llmi_block *as_llmi_stream_block(struct as_llm_stream *s, int64_t index,
					   enum as_llmi_block_kind kind, bool create);

/* Per-API event readers: 0 used or ignored, -EINVAL malformed. */
int as_llmi_chat_event(struct as_llm_stream *s, const json_t *root);
int as_llmi_responses_event(struct as_llm_stream *s, const char *type, const json_t *root);
int as_llmi_anthropic_event(struct as_llm_stream *s, const char *type, const json_t *root);
/* Anthropic usage into ex->usage from the stream's raw counts. */
void as_llmi_anthropic_usage(struct as_llmi_ctx *c, const json_t *usage, int64_t *in, int64_t *cr,
			     int64_t *cw);

#endif /* AGENTSIGHT_LLMAPI_INTERNAL_H */
