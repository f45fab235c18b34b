/* llm_util: small helpers every file of lib/llm uses.
 *
 * A byte buffer with a hard size limit (so hostile responses cannot grow
 * memory without bound), error-message formatting and redaction of the API
 * key, JSON member readers, the mapping of the two APIs' stop words onto
 * enum llm_stop, and the reading of error bodies, whose shape both APIs share:
 * {"error": {"type": ..., "message": ...}}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm_internal.h"

int llm_buf_append(struct llm_buf *b, const void *data, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return LLM_ERR_TOO_LARGE;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return LLM_ERR_NOMEM;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return LLM_OK;
}

char *llm_buf_take(struct llm_buf *b, size_t *len)
{
	char *p = b->p;
	size_t n = b->len;
	if (!p) {
		p = calloc(1, 1);
		n = 0;
	}
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	if (len)
		*len = p ? n : 0;
	return p;
}

void llm_buf_free(struct llm_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

int llm_errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

void llm_strlcpy(char *dst, const char *src, size_t n)
{
	if (!n)
		return;
	size_t len = src ? strnlen(src, n - 1) : 0;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

void llm_redact(char *s, size_t n, const char *secret)
{
	static const char mark[] = "[redacted]";
	const size_t mlen = sizeof(mark) - 1;
	if (!s || !n || !secret)
		return;
	size_t slen = strlen(secret);
	if (slen < 4)
		return;
	/* Truncation may have cut the secret anywhere, so a run of its first
	 * 8 characters (all of a shorter secret) counts as a hit. */
	size_t least = slen < 8 ? slen : 8;
	size_t len = strnlen(s, n - 1);
	s[len] = '\0';
	for (size_t i = 0; i < len;) {
		size_t m = 0;
		while (i + m < len && m < slen && s[i + m] == secret[m])
			m++;
		if (m < least) {
			i++;
			continue;
		}
		/* s[i, i + m) becomes the mark; keep what fits of the tail. */
		size_t tail = len - (i + m);
		size_t room = n - 1 - i;
		size_t mk = mlen < room ? mlen : room;
		size_t keep = tail < room - mk ? tail : room - mk;
		memmove(s + i + mk, s + i + m, keep);
		memcpy(s + i, mark, mk);
		len = i + mk + keep;
		s[len] = '\0';
		i += mk;
	}
}

void llm_excerpt(const char *data, size_t len, size_t max, char *out, size_t outlen)
{
	size_t o = 0;
	if (!outlen)
		return;
	if (o + 1 < outlen)
		out[o++] = '"';
	for (size_t i = 0; i < len && i < max && o + 1 < outlen; i++) {
		char c = data[i];
		if (c < 0x20 || c > 0x7e)
			c = '.';
		out[o++] = c;
	}
	if (o + 1 < outlen)
		out[o++] = '"';
	if (len > max && o + 3 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

bool llm_json_u64(const json_t *obj, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

void llm_result_set_stop(struct llm_result *res, const char *reason)
{
	static const struct {
		const char *word;
		enum llm_stop stop;
	} words[] = {
		{"stop", LLM_STOP_END},
		{"end_turn", LLM_STOP_END},
		{"length", LLM_STOP_MAX_TOKENS},
		{"max_tokens", LLM_STOP_MAX_TOKENS},
		{"tool_calls", LLM_STOP_TOOL_USE},
		{"function_call", LLM_STOP_TOOL_USE},
		{"tool_use", LLM_STOP_TOOL_USE},
		{"stop_sequence", LLM_STOP_STOP_SEQUENCE},
		{"content_filter", LLM_STOP_FILTERED},
		{"refusal", LLM_STOP_FILTERED},
	};
	llm_strlcpy(res->stop_reason, reason, sizeof(res->stop_reason));
	res->stop = LLM_STOP_UNKNOWN;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(reason, words[i].word) == 0) {
			res->stop = words[i].stop;
			break;
		}
	}
}

bool llm_describe_error_json(const json_t *root, char *out, size_t outlen)
{
	const json_t *e = json_object_get(root, "error");
	if (json_is_string(e)) {
		snprintf(out, outlen, "%s", json_string_value(e));
		return true;
	}
	if (json_is_object(e)) {
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		if (type && msg)
			snprintf(out, outlen, "%s: %s", type, msg);
		else if (msg)
			snprintf(out, outlen, "%s", msg);
		else if (type)
			snprintf(out, outlen, "%s", type);
		else
			snprintf(out, outlen, "an error object without a message");
		return true;
	}
	const char *msg = json_string_value(json_object_get(root, "message"));
	if (msg) {
		snprintf(out, outlen, "%s", msg);
		return true;
	}
	return false;
}

void llm_describe_error_body(const char *body, size_t len, char *out, size_t outlen)
{
	if (!outlen)
		return;
	out[0] = '\0';
	if (!body || !len) {
		snprintf(out, outlen, "(empty body)");
		return;
	}
	json_t *root = json_loadb(body, len, 0, NULL);
	bool done = json_is_object(root) && llm_describe_error_json(root, out, outlen);
	json_decref(root);
	if (done)
		return;
	char ex[160];
	llm_excerpt(body, len, 120, ex, sizeof(ex));
	snprintf(out, outlen, "body %s", ex);
}

int llm_result_add_tool_call(struct llm_result *res, const char *id, const char *name,
			     const char *args, size_t args_len)
{
	struct llm_tool_call *calls =
		realloc(res->tool_calls, (res->n_tool_calls + 1) * sizeof(*calls));
	if (!calls)
		return LLM_ERR_NOMEM;
	res->tool_calls = calls;
	struct llm_tool_call *c = &calls[res->n_tool_calls];
	c->id = strdup(id ? id : "");
	c->name = strdup(name ? name : "");
	c->arguments_json = args_len ? strndup(args, args_len) : strdup("{}");
	if (!c->id || !c->name || !c->arguments_json) {
		free(c->id);
		free(c->name);
		free(c->arguments_json);
		return LLM_ERR_NOMEM;
	}
	res->n_tool_calls++;
	return LLM_OK;
}

int llm_tool_schema(const struct llm_tool *tool, json_t **out, char *err, size_t errlen)
{
	if (!tool->name || !tool->name[0])
		return llm_errf(err, errlen, LLM_ERR_INVALID, "a tool has no name");
	if (!tool->parameters_json) {
		*out = json_pack("{s:s}", "type", "object");
		return *out ? LLM_OK : LLM_ERR_NOMEM;
	}
	json_error_t jerr;
	json_t *schema = json_loads(tool->parameters_json, 0, &jerr);
	if (!json_is_object(schema)) {
		json_decref(schema);
		return llm_errf(err, errlen, LLM_ERR_INVALID,
				"tool %s: parameters_json is not a JSON object (%s)", tool->name,
				schema ? "another JSON value" : jerr.text);
	}
	*out = schema;
	return LLM_OK;
}

void llm_result_free(struct llm_result *res)
{
	if (!res)
		return;
	free(res->text);
	for (size_t i = 0; i < res->n_tool_calls; i++) {
		free(res->tool_calls[i].id);
		free(res->tool_calls[i].name);
		free(res->tool_calls[i].arguments_json);
	}
	free(res->tool_calls);
	memset(res, 0, sizeof(*res));
}

const char *llm_strerror(int err)
{
	switch (err) {
	case LLM_OK:
		return "success";
	case LLM_ERR_INVALID:
		return "invalid argument";
	case LLM_ERR_NOMEM:
		return "out of memory";
	case LLM_ERR_CONFIG:
		return "incomplete configuration";
	case LLM_ERR_HTTP:
		return "HTTP error status";
	case LLM_ERR_TIMEOUT:
		return "timed out";
	case LLM_ERR_CONNECT:
		return "connection failed";
	case LLM_ERR_PARSE:
		return "malformed response";
	case LLM_ERR_TRUNCATED:
		return "truncated stream";
	case LLM_ERR_API:
		return "API error";
	case LLM_ERR_TOO_LARGE:
		return "response too large";
	case LLM_ERR_CANCELLED:
		return "cancelled";
	case LLM_ERR_TRANSPORT:
		return "transport error";
	case LLM_ERR_UNSUPPORTED:
		return "unsupported request";
	default:
		return "unknown error";
	}
}

void llm_read_usage(const json_t *usage, const char *input_key, const char *output_key,
		    struct llm_result *res)
{
	uint64_t v;
	if (!json_is_object(usage))
		return;
	if (llm_json_u64(usage, input_key, &v)) {
		res->input_tokens = v;
		res->usage_reported = true;
	}
	if (llm_json_u64(usage, output_key, &v)) {
		res->output_tokens = v;
		res->usage_reported = true;
	}
}

void llm_read_ids(const json_t *obj, struct llm_result *res)
{
	const char *s = json_string_value(json_object_get(obj, "model"));
	if (s)
		llm_strlcpy(res->model, s, sizeof(res->model));
	s = json_string_value(json_object_get(obj, "id"));
	if (s)
		llm_strlcpy(res->id, s, sizeof(res->id));
}
