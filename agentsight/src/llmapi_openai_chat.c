/* llmapi_openai_chat: OpenAI chat completions (POST .../chat/completions).
 *
 * The request holds "messages" (role, content as a string or an array of
 * parts, assistant "tool_calls", tool results as role "tool" with
 * "tool_call_id"), "tools" and "stream". The response holds "choices", of
 * which the first (index 0) is read: its "message" whole, or its "delta"s in a
 * stream of "chat.completion.chunk" objects ending with "[DONE]". The legacy
 * "functions"/"function_call" fields are read too, since servers that copy
 * the API still send them. Many servers (vLLM, llama.cpp, Ollama, Azure) speak
 * this API, so nothing here depends on fields only OpenAI sends.
 */
#include "llmapi_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The arguments of a call as text: the string as sent, or other JSON dumped. */
static char *call_arguments(struct as_llmi_ctx *c, const json_t *v)
{
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return as_llmi_strndup(c, json_string_value(v), json_string_length(v));
	return as_llmi_dump(c, v);
}

static void add_call(struct as_llmi_ctx *c, struct as_llm_message *m, const char *id,
		     const json_t *fn, const char *args_key)
{
	const char *name = as_llmi_jcstr(c, fn, "name");
	char *args = call_arguments(c, json_object_get(fn, args_key));
	as_llmi_push_call(c, m, id, name, args);
	free(args);
}

/* tool_calls (and the legacy function_call) of a message into m. */
static void tool_calls(struct as_llmi_ctx *c, struct as_llm_message *m, const json_t *msg)
{
	size_t i;
	const json_t *tc;
	json_array_foreach(as_llmi_jarr(c, msg, "tool_calls"), i, tc)
	{
		if (!json_is_object(tc)) {
			as_llmi_problem(c);
			continue;
		}
		const char *id = as_llmi_jcstr(c, tc, "id");
		const json_t *fn = as_llmi_jobj(c, tc, "function");
		if (fn) {
			add_call(c, m, id, fn, "arguments");
			continue;
		}
		fn = as_llmi_jobj(c, tc, "custom"); /* custom tools: free-form input */
		if (fn)
			add_call(c, m, id, fn, "input");
		else
			as_llmi_problem(c);
	}
	const json_t *fc = as_llmi_jobj(c, msg, "function_call");
	if (fc)
		add_call(c, m, NULL, fc, "arguments");
}

/* Text of a message: its content, or its refusal when it has no content. */
static void message_text(struct as_llmi_ctx *c, const json_t *msg, struct as_llmi_buf *b)
{
	as_llmi_content_text(c, json_object_get(msg, "content"), b);
	const json_t *refusal = as_llmi_jstr(c, msg, "refusal");
	if (b->len == 0 && refusal)
		as_llmi_buf_add(c, b, json_string_value(refusal), json_string_length(refusal),
				AS_LLM_MAX_FIELD_BYTES);
}

static void request_message(struct as_llmi_ctx *c, const json_t *jm)
{
	if (!json_is_object(jm)) {
		as_llmi_problem(c);
		return;
	}
	const char *role_name = as_llmi_jcstr(c, jm, "role");
	if (!role_name)
		as_llmi_problem(c);
	struct as_llmi_buf b = {0};
	message_text(c, jm, &b);
	struct as_llm_message *m = as_llmi_push_message(c, as_llmi_role(role_name));
	if (!m) {
		as_llmi_buf_free(&b);
		return;
	}
	m->text = as_llmi_buf_take(&b);
	if (m->role == AS_LLM_ROLE_TOOL)
		as_llmi_set_jstr(c, &m->tool_call_id, as_llmi_jstr(c, jm, "tool_call_id"));
	tool_calls(c, m, jm);
}

int as_llmi_chat_request(struct as_llmi_ctx *c, const json_t *root, char *err, size_t errlen)
{
	size_t i;
	const json_t *v;

	static const char *const tool_keys[] = {"tools", "functions"};
	as_llmi_request_head(c, root, tool_keys, 2);
	const json_t *msgs = json_object_get(root, "messages");
	if (!json_is_array(msgs)) {
		as_llmi_set_err(err, errlen, "request body: \"messages\" is %s, not an array",
				msgs ? "of another type" : "missing");
		return -1;
	}
	json_array_foreach(msgs, i, v)
	{
		request_message(c, v);
	}
	return 0;
}

/* Whether a choice is the first one (index 0, or no index at all). */
static bool first_choice(struct as_llmi_ctx *c, const json_t *ch)
{
	int64_t idx = 0;
	if (!json_is_object(ch)) {
		as_llmi_problem(c);
		return false;
	}
	if (json_object_get(ch, "index") && !json_is_null(json_object_get(ch, "index")) &&
	    !as_llmi_jint(c, ch, "index", &idx))
		return false;
	return idx == 0;
}

void as_llmi_chat_response(struct as_llmi_ctx *c, const json_t *root)
{
	struct as_llm_exchange *ex = c->ex;
	size_t i;
	const json_t *ch;

	as_llmi_set_jstr(c, &ex->response_id, as_llmi_jstr(c, root, "id"));
	as_llmi_set_once(c, &ex->model, as_llmi_jstr(c, root, "model"));
	json_array_foreach(as_llmi_jarr(c, root, "choices"), i, ch)
	{
		if (!first_choice(c, ch))
			continue;
		const json_t *msg = as_llmi_jobj(c, ch, "message");
		if (msg) {
			struct as_llmi_buf b = {0};
			message_text(c, msg, &b);
			free(ex->reply.text);
			ex->reply.text = as_llmi_buf_take(&b);
			tool_calls(c, &ex->reply, msg);
		}
		as_llmi_set_jstr(c, &ex->stop_reason, as_llmi_jstr(c, ch, "finish_reason"));
		break;
	}
	as_llmi_openai_usage(c, as_llmi_jobj(c, root, "usage"));
}

/* One tool-call fragment of a delta. */
static void delta_call(struct as_llm_stream *s, const json_t *tc, int64_t index,
		       const char *args_key)
{
	struct as_llmi_ctx *c = &s->c;
	struct as_llmi_slot *slot = as_llmi_stream_slot(s, index, NULL, true);
	if (!slot)
		return;
	as_llmi_set_once(c, &slot->id, as_llmi_jstr(c, tc, "id"));
	const json_t *fn = as_llmi_jobj(c, tc, "function");
	if (!fn)
		fn = tc; /* the legacy function_call is the function itself */
	as_llmi_set_once(c, &slot->name, as_llmi_jstr(c, fn, "name"));
	const json_t *a = as_llmi_jstr(c, fn, args_key);
	if (a)
		as_llmi_stream_args(s, slot, json_string_value(a), json_string_length(a), false);
}

int as_llmi_chat_event(struct as_llm_stream *s, const json_t *root)
{
	struct as_llmi_ctx *c = &s->c;
	struct as_llm_exchange *ex = c->ex;
	uint32_t problems = ex->parse_problems;
	size_t i, k;
	const json_t *ch, *tc;

	if (as_llmi_take_error(c, root))
		s->end_seen = true;
	as_llmi_set_once(c, &ex->response_id, as_llmi_jstr(c, root, "id"));
	as_llmi_set_once(c, &ex->model, as_llmi_jstr(c, root, "model"));
	json_array_foreach(as_llmi_jarr(c, root, "choices"), i, ch)
	{
		if (!first_choice(c, ch))
			continue;
		const json_t *delta = as_llmi_jobj(c, ch, "delta");
		const json_t *t = as_llmi_jstr(c, delta, "content");
		if (t)
			as_llmi_stream_text(s, 0, json_string_value(t), json_string_length(t));
		t = as_llmi_jstr(c, delta, "refusal");
		if (t)
			as_llmi_stream_text(s, 0, json_string_value(t), json_string_length(t));
		json_array_foreach(as_llmi_jarr(c, delta, "tool_calls"), k, tc)
		{
			int64_t index = (int64_t)k;
			if (!json_is_object(tc)) {
				as_llmi_problem(c);
				continue;
			}
			as_llmi_jint(c, tc, "index", &index);
			delta_call(s, tc, index, "arguments");
		}
		const json_t *fc = as_llmi_jobj(c, delta, "function_call");
		if (fc)
			delta_call(s, fc, 0, "arguments");
		as_llmi_set_jstr(c, &ex->stop_reason, as_llmi_jstr(c, ch, "finish_reason"));
	}
	const json_t *usage = as_llmi_jobj(c, root, "usage");
	if (usage)
		as_llmi_openai_usage(c, usage);
	return ex->parse_problems != problems ? -EINVAL : 0;
}
