/* llmapi_json: an exchange as JSON and back (the shape is in llmapi.h).
 *
 * The store keeps exchanges in this form and the web UI reads it, so it is
 * stable: every key is always written, absent strings are null, arrays are
 * arrays even when empty. Reading back is strict about types (a stored
 * exchange of the wrong shape is an error, not a guess) and lenient about
 * missing keys, which take their zero value.
 */
#include "llmapi_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string of s; bytes that are not UTF-8 become '?' (the parsers only
 * keep valid UTF-8, but an exchange may come from elsewhere). */
static json_t *str_or_null(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++) {
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	}
	j = json_string(copy);
	free(copy);
	return j;
}

/* Sets o[key] = v; false when v is NULL or memory ran out. */
static bool put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

static bool append(json_t *a, json_t *v)
{
	return v && json_array_append_new(a, v) == 0;
}

static json_t *message_json(const struct as_llm_message *m)
{
	json_t *o = json_object();
	json_t *calls = json_array();
	bool ok = o && calls;
	for (size_t i = 0; ok && i < m->n_tool_calls; i++) {
		const struct as_llm_tool_call *tc = &m->tool_calls[i];
		json_t *c = json_object();
		ok = c && put(c, "id", str_or_null(tc->id)) &&
		     put(c, "name", str_or_null(tc->name)) &&
		     put(c, "arguments", str_or_null(tc->arguments));
		ok = ok ? append(calls, c) : (json_decref(c), false);
	}
	if (!ok) {
		json_decref(o);
		json_decref(calls);
		return NULL;
	}
	ok = put(o, "role", json_string(as_llm_role_name(m->role))) &&
	     put(o, "text", str_or_null(m->text)) && put(o, "tool_calls", calls) &&
	     put(o, "tool_call_id", str_or_null(m->tool_call_id));
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *as_llm_exchange_to_json(const struct as_llm_exchange *ex)
{
	if (!ex)
		return NULL;
	json_t *o = json_object();
	json_t *a;
	if (!o)
		return NULL;
	if (!put(o, "api", json_string(as_llm_api_name(ex->api))) ||
	    !put(o, "model", str_or_null(ex->model)) || !put(o, "stream", json_boolean(ex->stream)))
		goto fail;

	/* put() takes its value even when it fails, so each array is filled
	 * first and handed over whole. */
	a = json_array();
	for (size_t i = 0; a && i < ex->n_messages; i++) {
		if (!append(a, message_json(&ex->messages[i]))) {
			json_decref(a);
			a = NULL;
		}
	}
	if (!put(o, "messages", a))
		goto fail;
	a = json_array();
	for (size_t i = 0; a && i < ex->n_tools; i++) {
		if (!append(a, str_or_null(ex->tool_names[i]))) {
			json_decref(a);
			a = NULL;
		}
	}
	if (!put(o, "tools", a))
		goto fail;

	if (!put(o, "status", json_integer(ex->http_status)) ||
	    !put(o, "reply", message_json(&ex->reply)) ||
	    !put(o, "stop_reason", str_or_null(ex->stop_reason)) ||
	    !put(o, "response_id", str_or_null(ex->response_id)))
		goto fail;

	const struct as_llm_usage *u = &ex->usage;
	a = json_object();
	if (!a || !put(o, "usage", a))
		goto fail;
	if (!put(a, "input", json_integer(u->input_tokens)) ||
	    !put(a, "output", json_integer(u->output_tokens)) ||
	    !put(a, "cache_read", json_integer(u->cache_read_tokens)) ||
	    !put(a, "cache_write", json_integer(u->cache_write_tokens)) ||
	    !put(a, "reasoning", json_integer(u->reasoning_tokens)) ||
	    !put(a, "reported", json_boolean(u->reported)))
		goto fail;

	if (!put(o, "error", str_or_null(ex->error)) ||
	    !put(o, "complete", json_boolean(ex->response_complete)) ||
	    !put(o, "capped", json_boolean(ex->capped)) ||
	    !put(o, "parse_problems", json_integer(ex->parse_problems)))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* ---- reading back ---- */

struct reader {
	struct as_llmi_ctx c;
	char *err;
	size_t errlen;
	bool failed;
};

static void wrong(struct reader *r, const char *where, const char *key, const char *what)
{
	if (!r->failed)
		as_llmi_set_err(r->err, r->errlen, "exchange JSON: %s\"%s\" is not %s", where, key,
				what);
	r->failed = true;
}

static const json_t *field(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_null(v) ? NULL : v;
}

static void get_str(struct reader *r, const json_t *o, const char *where, const char *key,
		    char **dst)
{
	const json_t *v = field(o, key);
	if (!v)
		return;
	if (!json_is_string(v)) {
		wrong(r, where, key, "a string");
		return;
	}
	as_llmi_set_jstr(&r->c, dst, v);
}

static void get_bool(struct reader *r, const json_t *o, const char *where, const char *key,
		     bool *dst)
{
	const json_t *v = field(o, key);
	if (!v)
		return;
	if (!json_is_boolean(v))
		wrong(r, where, key, "true or false");
	else
		*dst = json_is_true(v);
}

static void get_int(struct reader *r, const json_t *o, const char *where, const char *key,
		    int64_t min, int64_t max, int64_t *dst)
{
	const json_t *v = field(o, key);
	if (!v)
		return;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		wrong(r, where, key, "an integer in range");
	else
		*dst = (int64_t)json_integer_value(v);
}

static void message_from(struct reader *r, const json_t *o, const char *where,
			 struct as_llm_message *m)
{
	if (!json_is_object(o)) {
		if (!r->failed)
			as_llmi_set_err(r->err, r->errlen,
					"exchange JSON: %smessage is not an object", where);
		r->failed = true;
		return;
	}
	const json_t *role = field(o, "role");
	if (role && !json_is_string(role))
		wrong(r, where, "role", "a string");
	m->role = as_llm_role_from_name(json_string_value(role));
	get_str(r, o, where, "text", &m->text);
	get_str(r, o, where, "tool_call_id", &m->tool_call_id);
	const json_t *calls = field(o, "tool_calls");
	if (calls && !json_is_array(calls)) {
		wrong(r, where, "tool_calls", "an array");
		return;
	}
	size_t i;
	const json_t *c;
	json_array_foreach(calls, i, c)
	{
		if (r->failed)
			return;
		if (!json_is_object(c)) {
			wrong(r, where, "tool_calls", "an array of objects");
			return;
		}
		struct as_llm_tool_call *tc = as_llmi_push_call(&r->c, m, NULL, NULL, NULL);
		if (!tc)
			return;
		get_str(r, c, where, "id", &tc->id);
		get_str(r, c, where, "name", &tc->name);
		get_str(r, c, where, "arguments", &tc->arguments);
	}
}

int as_llm_exchange_from_json(struct as_llm_exchange *ex, const json_t *j, char *err, size_t errlen)
{
	struct reader r = {.c = {.ex = ex}, .err = err, .errlen = errlen};
	int64_t v;
	size_t i;
	const json_t *e;

	if (!ex || !json_is_object(j)) {
		as_llmi_set_err(err, errlen, "exchange JSON: not an object");
		return -1;
	}
	const json_t *api = field(j, "api");
	if (api && !json_is_string(api))
		wrong(&r, "", "api", "a string");
	ex->api = as_llm_api_from_name(json_string_value(api));
	get_str(&r, j, "", "model", &ex->model);
	get_bool(&r, j, "", "stream", &ex->stream);

	const json_t *msgs = field(j, "messages");
	if (msgs && !json_is_array(msgs))
		wrong(&r, "", "messages", "an array");
	json_array_foreach(msgs, i, e)
	{
		if (r.failed || r.c.oom)
			break;
		struct as_llm_message *m = as_llmi_push_message(&r.c, AS_LLM_ROLE_OTHER);
		if (!m)
			break;
		message_from(&r, e, "messages: ", m);
	}
	const json_t *tools = field(j, "tools");
	if (tools && !json_is_array(tools))
		wrong(&r, "", "tools", "an array");
	json_array_foreach(tools, i, e)
	{
		if (!json_is_string(e)) {
			wrong(&r, "", "tools", "an array of strings");
			break;
		}
		as_llmi_push_tool(&r.c, json_string_value(e));
	}

	v = 0;
	get_int(&r, j, "", "status", 0, INT_MAX, &v);
	ex->http_status = (int)v;
	const json_t *reply = field(j, "reply");
	if (reply)
		message_from(&r, reply, "reply: ", &ex->reply);
	else
		ex->reply.role = AS_LLM_ROLE_ASSISTANT;
	get_str(&r, j, "", "stop_reason", &ex->stop_reason);
	get_str(&r, j, "", "response_id", &ex->response_id);
	const json_t *usage = field(j, "usage");
	if (usage && !json_is_object(usage)) {
		wrong(&r, "", "usage", "an object");
	} else if (usage) {
		struct as_llm_usage *u = &ex->usage;
		get_int(&r, usage, "usage: ", "input", 0, INT64_MAX, &u->input_tokens);
		get_int(&r, usage, "usage: ", "output", 0, INT64_MAX, &u->output_tokens);
		get_int(&r, usage, "usage: ", "cache_read", 0, INT64_MAX, &u->cache_read_tokens);
		get_int(&r, usage, "usage: ", "cache_write", 0, INT64_MAX, &u->cache_write_tokens);
		get_int(&r, usage, "usage: ", "reasoning", 0, INT64_MAX, &u->reasoning_tokens);
		get_bool(&r, usage, "usage: ", "reported", &u->reported);
	}
	get_str(&r, j, "", "error", &ex->error);
	get_bool(&r, j, "", "complete", &ex->response_complete);
	get_bool(&r, j, "", "capped", &ex->capped);
	v = 0;
	get_int(&r, j, "", "parse_problems", 0, UINT32_MAX, &v);
	ex->parse_problems = (uint32_t)v;

	if (r.c.oom && !r.failed) {
		as_llmi_set_err(err, errlen, "exchange JSON: out of memory");
		r.failed = true;
	}
	if (r.failed) {
		as_llm_exchange_clear(ex);
		return -1;
	}
	return 0;
}
