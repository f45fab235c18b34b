/* llmapi: entry points of the LLM API readers and the helpers they share.
 *
 * Detection of the API from the request line, the request and whole-response
 * readers (which parse the JSON and hand it to the per-API files), clearing
 * and redacting an exchange, and the small bounded-string, array and JSON
 * helpers of llmapi_internal.h.
 */
#include "llmapi_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "redact.h"

void as_llmi_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- detection and names ---- */

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static bool host_is_anthropic(const char *host)
{
	if (!host)
		return false;
	size_t n = strcspn(host, ":");
	static const char domain[] = "anthropic.com";
	size_t k = sizeof(domain) - 1;
	if (n < k || strncasecmp(host + n - k, domain, k) != 0)
		return false;
	return n == k || host[n - k - 1] == '.';
}

enum as_llm_api as_llm_api_detect(const char *method, const char *target_path, const char *host)
{
	if (!method || !target_path || strcmp(method, "POST") != 0)
		return AS_LLM_API_UNKNOWN;
	size_t n = strcspn(target_path, "?#");
	while (n > 1 && target_path[n - 1] == '/')
		n--;
	if (ends_with(target_path, n, "/chat/completions"))
		return AS_LLM_API_OPENAI_CHAT;
	if (ends_with(target_path, n, "/responses"))
		return AS_LLM_API_OPENAI_RESPONSES;
	if (ends_with(target_path, n, "/v1/messages"))
		return AS_LLM_API_ANTHROPIC_MESSAGES;
	if (ends_with(target_path, n, "/messages") && host_is_anthropic(host))
		return AS_LLM_API_ANTHROPIC_MESSAGES;
	return AS_LLM_API_UNKNOWN;
}

static const char *const api_names[] = {
	[AS_LLM_API_UNKNOWN] = "unknown",
	[AS_LLM_API_OPENAI_CHAT] = "openai_chat",
	[AS_LLM_API_OPENAI_RESPONSES] = "openai_responses",
	[AS_LLM_API_ANTHROPIC_MESSAGES] = "anthropic_messages",
};

static const char *const role_names[] = {
	[AS_LLM_ROLE_OTHER] = "other", [AS_LLM_ROLE_SYSTEM] = "system",
	[AS_LLM_ROLE_USER] = "user",   [AS_LLM_ROLE_ASSISTANT] = "assistant",
	[AS_LLM_ROLE_TOOL] = "tool",
};

const char *as_llm_api_name(enum as_llm_api api)
{
	if ((unsigned)api < sizeof(api_names) / sizeof(api_names[0]))
		return api_names[api];
	return "unknown";
}

enum as_llm_api as_llm_api_from_name(const char *name)
{
	for (unsigned i = 0; name && i < sizeof(api_names) / sizeof(api_names[0]); i++) {
		if (strcmp(name, api_names[i]) == 0)
			return (enum as_llm_api)i;
	}
	return AS_LLM_API_UNKNOWN;
}

const char *as_llm_role_name(enum as_llm_role role)
{
	if ((unsigned)role < sizeof(role_names) / sizeof(role_names[0]))
		return role_names[role];
	return "other";
}

enum as_llm_role as_llm_role_from_name(const char *name)
{
	for (unsigned i = 0; name && i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (strcmp(name, role_names[i]) == 0)
			return (enum as_llm_role)i;
	}
	return AS_LLM_ROLE_OTHER;
}

enum as_llm_role as_llmi_role(const char *name)
{
	if (!name)
		return AS_LLM_ROLE_OTHER;
	if (strcmp(name, "system") == 0 || strcmp(name, "developer") == 0)
		return AS_LLM_ROLE_SYSTEM;
	if (strcmp(name, "user") == 0)
		return AS_LLM_ROLE_USER;
	if (strcmp(name, "assistant") == 0)
		return AS_LLM_ROLE_ASSISTANT;
	if (strcmp(name, "tool") == 0 || strcmp(name, "function") == 0)
		return AS_LLM_ROLE_TOOL;
	return AS_LLM_ROLE_OTHER;
}

/* ---- bounded strings ---- */

/* The largest k <= n that does not cut a UTF-8 sequence of s. */
static size_t utf8_cut(const char *s, size_t n, size_t k)
{
	if (k >= n)
		return n;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return k;
}

bool as_llmi_buf_add(struct as_llmi_ctx *c, struct as_llmi_buf *b, const char *s, size_t n,
		     size_t limit)
{
	if (n == 0)
		return true;
	if (b->len >= limit || n > limit - b->len) {
		c->ex->capped = true;
		n = b->len >= limit ? 0 : utf8_cut(s, n, limit - b->len);
		if (n == 0)
			return true;
	}
	if (!b->p || b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			c->oom = true;
			return false;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

bool as_llmi_buf_add_part(struct as_llmi_ctx *c, struct as_llmi_buf *b, const char *s, size_t n,
			  size_t limit)
{
	if (n == 0)
		return true;
	if (b->len > 0 && !as_llmi_buf_add(c, b, "\n", 1, limit))
		return false;
	return as_llmi_buf_add(c, b, s, n, limit);
}

char *as_llmi_buf_take(struct as_llmi_buf *b)
{
	char *p = b->len ? b->p : NULL;
	if (!p)
		free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void as_llmi_buf_free(struct as_llmi_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

char *as_llmi_strndup(struct as_llmi_ctx *c, const char *s, size_t n)
{
	if (n > AS_LLM_MAX_FIELD_BYTES) {
		n = utf8_cut(s, n, AS_LLM_MAX_FIELD_BYTES);
		c->ex->capped = true;
	}
	char *p = malloc(n + 1);
	if (!p) {
		c->oom = true;
		return NULL;
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void as_llmi_set_jstr(struct as_llmi_ctx *c, char **dst, const json_t *str)
{
	if (!json_is_string(str))
		return;
	free(*dst);
	*dst = as_llmi_strndup(c, json_string_value(str), json_string_length(str));
}

void as_llmi_set_once(struct as_llmi_ctx *c, char **dst, const json_t *str)
{
	if (!*dst)
		as_llmi_set_jstr(c, dst, str);
}

/* ---- arrays ---- */

bool as_llmi_grow(struct as_llmi_ctx *c, void **arr, size_t n, size_t elem)
{
	size_t cap;
	if (n == 0)
		cap = 4;
	else if (n >= 4 && (n & (n - 1)) == 0)
		cap = 2 * n;
	else
		return true;
	void *p = realloc(*arr, cap * elem);
	if (!p) {
		c->oom = true;
		return false;
	}
	*arr = p;
	return true;
}

struct as_llm_message *as_llmi_push_message(struct as_llmi_ctx *c, enum as_llm_role role)
{
	struct as_llm_exchange *ex = c->ex;
	if (ex->n_messages >= AS_LLM_MAX_MESSAGES) {
		ex->capped = true;
		return NULL;
	}
	if (!as_llmi_grow(c, (void **)&ex->messages, ex->n_messages, sizeof(*ex->messages)))
		return NULL;
	struct as_llm_message *m = &ex->messages[ex->n_messages++];
	memset(m, 0, sizeof(*m));
	m->role = role;
	return m;
}

static char *dup_opt(struct as_llmi_ctx *c, const char *s)
{
	return s ? as_llmi_strndup(c, s, strlen(s)) : NULL;
}

struct as_llm_tool_call *as_llmi_push_call(struct as_llmi_ctx *c, struct as_llm_message *m,
					   const char *id, const char *name, const char *args)
{
	if (m->n_tool_calls >= AS_LLM_MAX_TOOL_CALLS) {
		c->ex->capped = true;
		return NULL;
	}
	if (!as_llmi_grow(c, (void **)&m->tool_calls, m->n_tool_calls, sizeof(*m->tool_calls)))
		return NULL;
	struct as_llm_tool_call *tc = &m->tool_calls[m->n_tool_calls++];
	tc->id = dup_opt(c, id);
	tc->name = dup_opt(c, name);
	tc->arguments = dup_opt(c, args);
	return tc;
}

void as_llmi_push_tool(struct as_llmi_ctx *c, const char *name)
{
	struct as_llm_exchange *ex = c->ex;
	if (ex->n_tools >= AS_LLM_MAX_TOOLS) {
		ex->capped = true;
		return;
	}
	if (!as_llmi_grow(c, (void **)&ex->tool_names, ex->n_tools, sizeof(*ex->tool_names)))
		return;
	char *p = dup_opt(c, name);
	if (p)
		ex->tool_names[ex->n_tools++] = p;
}

void as_llmi_message_free(struct as_llm_message *m)
{
	for (size_t i = 0; i < m->n_tool_calls; i++) {
		free(m->tool_calls[i].id);
		free(m->tool_calls[i].name);
		free(m->tool_calls[i].arguments);
	}
	free(m->tool_calls);
	free(m->text);
	free(m->tool_call_id);
	memset(m, 0, sizeof(*m));
}

/* ---- JSON access ---- */

void as_llmi_problem(struct as_llmi_ctx *c)
{
	if (c->ex->parse_problems < UINT32_MAX)
		c->ex->parse_problems++;
}

static const json_t *typed(struct as_llmi_ctx *c, const json_t *obj, const char *key,
			   json_type type)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return NULL;
	if (json_typeof(v) != type) {
		as_llmi_problem(c);
		return NULL;
	}
	return v;
}

const json_t *as_llmi_jstr(struct as_llmi_ctx *c, const json_t *obj, const char *key)
{
	return typed(c, obj, key, JSON_STRING);
}

const json_t *as_llmi_jobj(struct as_llmi_ctx *c, const json_t *obj, const char *key)
{
	return typed(c, obj, key, JSON_OBJECT);
}

const json_t *as_llmi_jarr(struct as_llmi_ctx *c, const json_t *obj, const char *key)
{
	return typed(c, obj, key, JSON_ARRAY);
}

const char *as_llmi_jcstr(struct as_llmi_ctx *c, const json_t *obj, const char *key)
{
	return json_string_value(as_llmi_jstr(c, obj, key));
}

bool as_llmi_jint(struct as_llmi_ctx *c, const json_t *obj, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return false;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (int64_t)json_integer_value(v);
		return true;
	}
	if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 9.0e18) {
		*out = (int64_t)json_real_value(v);
		return true;
	}
	as_llmi_problem(c);
	return false;
}

bool as_llmi_jint_req(struct as_llmi_ctx *c, const json_t *obj, const char *key, int64_t *out)
{
	uint32_t before = c->ex->parse_problems;
	if (as_llmi_jint(c, obj, key, out))
		return true;
	if (c->ex->parse_problems == before)
		as_llmi_problem(c);
	return false;
}

/* ---- content ---- */

void as_llmi_placeholder(struct as_llmi_ctx *c, struct as_llmi_buf *b, const char *type)
{
	char ph[40] = "[";
	size_t k = 1;
	for (const char *p = type; p && *p && k < 33; p++) {
		char ch = *p;
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')
			ph[k++] = ch;
		else
			break;
	}
	if (k == 1 || (type && type[k - 1] != '\0')) {
		strcpy(ph, "[part");
		k = 5;
	}
	ph[k++] = ']';
	ph[k] = '\0';
	as_llmi_buf_add_part(c, b, ph, k, AS_LLM_MAX_FIELD_BYTES);
}

static const struct {
	const char *type;
	const char *placeholder;
} placeholders[] = {
	{"image_url", "image"},	  {"image", "image"},	    {"input_image", "image"},
	{"input_audio", "audio"}, {"audio", "audio"},	    {"file", "file"},
	{"input_file", "file"},	  {"document", "document"},
};

static void content_part(struct as_llmi_ctx *c, const json_t *part, struct as_llmi_buf *b)
{
	if (json_is_string(part)) {
		as_llmi_buf_add_part(c, b, json_string_value(part), json_string_length(part),
				     AS_LLM_MAX_FIELD_BYTES);
		return;
	}
	if (!json_is_object(part)) {
		as_llmi_problem(c);
		return;
	}
	const char *type = as_llmi_jcstr(c, part, "type");
	if (!type || strcmp(type, "text") == 0 || strcmp(type, "input_text") == 0 ||
	    strcmp(type, "output_text") == 0) {
		const json_t *t = as_llmi_jstr(c, part, "text");
		if (t)
			as_llmi_buf_add_part(c, b, json_string_value(t), json_string_length(t),
					     AS_LLM_MAX_FIELD_BYTES);
		else if (!type)
			as_llmi_problem(c);
		return;
	}
	if (strcmp(type, "refusal") == 0) {
		const json_t *t = as_llmi_jstr(c, part, "refusal");
		if (t)
			as_llmi_buf_add_part(c, b, json_string_value(t), json_string_length(t),
					     AS_LLM_MAX_FIELD_BYTES);
		return;
	}
	if (strcmp(type, "thinking") == 0 || strcmp(type, "redacted_thinking") == 0 ||
	    strcmp(type, "reasoning") == 0)
		return;
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++) {
		if (strcmp(type, placeholders[i].type) == 0) {
			as_llmi_placeholder(c, b, placeholders[i].placeholder);
			return;
		}
	}
	as_llmi_placeholder(c, b, type);
}

void as_llmi_content_text(struct as_llmi_ctx *c, const json_t *content, struct as_llmi_buf *b)
{
	if (!content || json_is_null(content))
		return;
	if (json_is_string(content) || json_is_object(content)) {
		content_part(c, content, b);
		return;
	}
	if (!json_is_array(content)) {
		as_llmi_problem(c);
		return;
	}
	size_t i;
	const json_t *part;
	json_array_foreach(content, i, part)
	{
		content_part(c, part, b);
	}
}

char *as_llmi_dump(struct as_llmi_ctx *c, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s) {
		c->oom = true;
		return NULL;
	}
	size_t n = strlen(s);
	if (n > AS_LLM_MAX_FIELD_BYTES) {
		s[utf8_cut(s, n, AS_LLM_MAX_FIELD_BYTES)] = '\0';
		c->ex->capped = true;
	}
	return s;
}

/* The name of an offered tool: {"type":"function","function":{"name":...}},
 * {"type":"custom","custom":{"name":...}}, or a name or type at the top. */
void as_llmi_offered_tool(struct as_llmi_ctx *c, const json_t *t)
{
	if (!json_is_object(t)) {
		as_llmi_problem(c);
		return;
	}
	const char *name = NULL;
	const json_t *inner = as_llmi_jobj(c, t, "function");
	if (!inner)
		inner = as_llmi_jobj(c, t, "custom");
	if (inner)
		name = as_llmi_jcstr(c, inner, "name");
	if (!name)
		name = as_llmi_jcstr(c, t, "name");
	if (!name)
		name = as_llmi_jcstr(c, t, "type");
	if (name)
		as_llmi_push_tool(c, name);
	else
		as_llmi_problem(c);
}

/* ---- shared response parts ---- */

bool as_llmi_take_error(struct as_llmi_ctx *c, const json_t *root)
{
	const json_t *e = json_object_get(root, "error");
	const json_t *msg = NULL;
	if (json_is_string(e)) {
		msg = e;
	} else if (json_is_object(e)) {
		msg = as_llmi_jstr(c, e, "message");
		if (!msg || json_string_length(msg) == 0)
			msg = as_llmi_jstr(c, e, "type");
		if (!msg)
			msg = as_llmi_jstr(c, e, "code");
		if (!msg) {
			free(c->ex->error);
			c->ex->error = as_llmi_strndup(c, "unknown error", 13);
			return true;
		}
	} else {
		const char *type = json_string_value(json_object_get(root, "type"));
		if (!type || strcmp(type, "error") != 0)
			return false;
		msg = as_llmi_jstr(c, root, "message");
		if (!msg)
			msg = as_llmi_jstr(c, root, "code");
		if (!msg) {
			free(c->ex->error);
			c->ex->error = as_llmi_strndup(c, "unknown error", 13);
			return true;
		}
	}
	as_llmi_set_jstr(c, &c->ex->error, msg);
	return true;
}

void as_llmi_openai_usage(struct as_llmi_ctx *c, const json_t *usage)
{
	struct as_llm_usage *u = &c->ex->usage;
	int64_t v;
	bool any = false;
	if (!json_is_object(usage))
		return;
	if (as_llmi_jint(c, usage, "prompt_tokens", &v) ||
	    as_llmi_jint(c, usage, "input_tokens", &v)) {
		u->input_tokens = v;
		any = true;
	}
	if (as_llmi_jint(c, usage, "completion_tokens", &v) ||
	    as_llmi_jint(c, usage, "output_tokens", &v)) {
		u->output_tokens = v;
		any = true;
	}
	const json_t *in = as_llmi_jobj(c, usage, "prompt_tokens_details");
	if (!in)
		in = as_llmi_jobj(c, usage, "input_tokens_details");
	if (in && as_llmi_jint(c, in, "cached_tokens", &v))
		u->cache_read_tokens = v;
	const json_t *out = as_llmi_jobj(c, usage, "completion_tokens_details");
	if (!out)
		out = as_llmi_jobj(c, usage, "output_tokens_details");
	if (out && as_llmi_jint(c, out, "reasoning_tokens", &v))
		u->reasoning_tokens = v;
	if (any)
		u->reported = true;
}

enum as_llm_api as_llmi_guess_api(const json_t *root, const char *event_name)
{
	const char *object = json_string_value(json_object_get(root, "object"));
	const char *type = json_string_value(json_object_get(root, "type"));
	if (!type)
		type = event_name;
	if ((object && strncmp(object, "chat.completion", 15) == 0) ||
	    json_is_array(json_object_get(root, "choices")))
		return AS_LLM_API_OPENAI_CHAT;
	if ((object && strcmp(object, "response") == 0) ||
	    (type && strncmp(type, "response.", 9) == 0))
		return AS_LLM_API_OPENAI_RESPONSES;
	static const char *const anthropic_types[] = {
		"message",
		"message_start",
		"message_delta",
		"message_stop",
		"content_block_start",
		"content_block_delta",
		"content_block_stop",
		"ping",
	};
	for (size_t i = 0; type && i < sizeof(anthropic_types) / sizeof(anthropic_types[0]); i++) {
		if (strcmp(type, anthropic_types[i]) == 0)
			return AS_LLM_API_ANTHROPIC_MESSAGES;
	}
	return AS_LLM_API_UNKNOWN;
}

/* ---- clearing and redaction ---- */

static void clear_request(struct as_llm_exchange *ex)
{
	free(ex->model);
	ex->model = NULL;
	for (size_t i = 0; i < ex->n_messages; i++)
		as_llmi_message_free(&ex->messages[i]);
	free(ex->messages);
	ex->messages = NULL;
	ex->n_messages = 0;
	for (size_t i = 0; i < ex->n_tools; i++)
		free(ex->tool_names[i]);
	free(ex->tool_names);
	ex->tool_names = NULL;
	ex->n_tools = 0;
	ex->stream = false;
	ex->api = AS_LLM_API_UNKNOWN;
	ex->capped = false;
	ex->parse_problems = 0;
}

void as_llmi_clear_response(struct as_llm_exchange *ex)
{
	as_llmi_message_free(&ex->reply);
	ex->reply.role = AS_LLM_ROLE_ASSISTANT;
	free(ex->stop_reason);
	free(ex->response_id);
	free(ex->error);
	ex->stop_reason = ex->response_id = ex->error = NULL;
	memset(&ex->usage, 0, sizeof(ex->usage));
	ex->response_complete = false;
}

void as_llm_exchange_clear(struct as_llm_exchange *ex)
{
	if (!ex)
		return;
	clear_request(ex);
	as_llmi_clear_response(ex);
	memset(ex, 0, sizeof(*ex));
}

static size_t redact_str(char *s)
{
	return s ? as_redact_text(s, strlen(s)) : 0;
}

static size_t redact_message(struct as_llm_message *m)
{
	size_t n = redact_str(m->text);
	for (size_t i = 0; i < m->n_tool_calls; i++)
		n += redact_str(m->tool_calls[i].arguments);
	return n;
}

size_t as_llmi_redact_response(struct as_llm_exchange *ex)
{
	return redact_message(&ex->reply) + redact_str(ex->error);
}

size_t as_llm_exchange_redact(struct as_llm_exchange *ex)
{
	size_t n = 0;
	if (!ex)
		return 0;
	for (size_t i = 0; i < ex->n_messages; i++)
		n += redact_message(&ex->messages[i]);
	return n + as_llmi_redact_response(ex);
}

/* ---- request and whole response ---- */

static json_t *load_object(const char *what, const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	if (!body) {
		as_llmi_set_err(err, errlen, "%s: no body", what);
		return NULL;
	}
	json_t *root = json_loadb(body, len, 0, &je);
	if (!root) {
		as_llmi_set_err(err, errlen, "%s: invalid JSON at line %d column %d: %s", what,
				je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		as_llmi_set_err(err, errlen, "%s: not a JSON object", what);
		json_decref(root);
		return NULL;
	}
	return root;
}

int as_llm_parse_request(struct as_llm_exchange *ex, enum as_llm_api api, const char *body,
			 size_t len, char *err, size_t errlen)
{
	struct as_llmi_ctx c = {.ex = ex};
	int rc;
	if (!ex) {
		as_llmi_set_err(err, errlen, "request body: no exchange");
		return -1;
	}
	clear_request(ex);
	ex->api = api;
	ex->reply.role = AS_LLM_ROLE_ASSISTANT; /* the reply is the model's, whenever it comes */
	json_t *root = load_object("request body", body, len, err, errlen);
	if (!root)
		return -1;
	switch (api) {
	case AS_LLM_API_OPENAI_CHAT:
		rc = as_llmi_chat_request(&c, root, err, errlen);
		break;
	case AS_LLM_API_OPENAI_RESPONSES:
		rc = as_llmi_responses_request(&c, root, err, errlen);
		break;
	case AS_LLM_API_ANTHROPIC_MESSAGES:
		rc = as_llmi_anthropic_request(&c, root, err, errlen);
		break;
	case AS_LLM_API_UNKNOWN:
	default:
		as_llmi_set_err(err, errlen, "request body: unknown API %d", (int)api);
		rc = -1;
		break;
	}
	json_decref(root);
	for (size_t i = 0; i < ex->n_messages; i++)
		redact_message(&ex->messages[i]);
	if (c.oom) {
		as_llmi_set_err(err, errlen, "request body: out of memory");
		return -1;
	}
	return rc;
}

int as_llm_parse_response(struct as_llm_exchange *ex, int http_status, const char *body, size_t len,
			  char *err, size_t errlen)
{
	struct as_llmi_ctx c = {.ex = ex};
	char status_msg[32];
	if (!ex) {
		as_llmi_set_err(err, errlen, "response body: no exchange");
		return -1;
	}
	as_llmi_clear_response(ex);
	ex->http_status = http_status;
	snprintf(status_msg, sizeof(status_msg), "HTTP %d", http_status);
	json_t *root = load_object("response body", body, len, err, errlen);
	if (!root) {
		if (http_status >= 400)
			ex->error = as_llmi_strndup(&c, status_msg, strlen(status_msg));
		return -1;
	}
	if (ex->api == AS_LLM_API_UNKNOWN)
		ex->api = as_llmi_guess_api(root, NULL);
	as_llmi_take_error(&c, root);
	switch (ex->api) {
	case AS_LLM_API_OPENAI_CHAT:
		as_llmi_chat_response(&c, root);
		break;
	case AS_LLM_API_OPENAI_RESPONSES:
		as_llmi_responses_response(&c, root);
		break;
	case AS_LLM_API_ANTHROPIC_MESSAGES:
		as_llmi_anthropic_response(&c, root);
		break;
	case AS_LLM_API_UNKNOWN:
	default:
		break;
	}
	json_decref(root);
	if (!ex->error && http_status >= 400)
		ex->error = as_llmi_strndup(&c, status_msg, strlen(status_msg));
	ex->response_complete = true;
	as_llmi_redact_response(ex);
	if (c.oom) {
		as_llmi_set_err(err, errlen, "response body: out of memory");
		return -1;
	}
	return 0;
}

void as_llmi_request_head(struct as_llmi_ctx *c, const json_t *root, const char *const *tool_keys,
			  size_t n_tool_keys)
{
	struct as_llm_exchange *ex = c->ex;
	as_llmi_set_jstr(c, &ex->model, as_llmi_jstr(c, root, "model"));
	const json_t *v = json_object_get(root, "stream");
	if (json_is_boolean(v))
		ex->stream = json_is_true(v);
	else if (v && !json_is_null(v))
		as_llmi_problem(c);
	for (size_t k = 0; k < n_tool_keys; k++) {
		size_t i;
		json_array_foreach(as_llmi_jarr(c, root, tool_keys[k]), i, v)
		{
			as_llmi_offered_tool(c, v);
		}
	}
}

void as_llmi_push_system(struct as_llmi_ctx *c, const json_t *content)
{
	if (!content || json_is_null(content))
		return;
	struct as_llmi_buf b = {0};
	as_llmi_content_text(c, content, &b);
	struct as_llm_message *m = as_llmi_push_message(c, AS_LLM_ROLE_SYSTEM);
	if (m)
		m->text = as_llmi_buf_take(&b);
	else
		as_llmi_buf_free(&b);
}
