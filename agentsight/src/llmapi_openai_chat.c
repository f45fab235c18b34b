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
static char *call_arguments(struct llm_ctx *c, const json_t *v)
{
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return llm_strndup(c, json_string_value(v), json_string_length(v));
	return llm_dump(c, v);
}

static void add_call(struct llm_ctx *c, struct as_llm_message *m, const char *id, const json_t *fn,
		     const char *args_key)
{
	const char *name = llm_jcstr(c, fn, "name");
	char *args = call_arguments(c, json_object_get(fn, args_key));
	llm_push_call(c, m, id, name, args);
	free(args);
}

/* tool_calls (and the legacy function_call) of a message into m. */
static void tool_calls(struct llm_ctx *c, struct as_llm_message *m, const json_t *msg)
{
	size_t i;
	const json_t *tc;
	json_array_foreach(llm_jarr(c, msg, "tool_calls"), i, tc)
	{
		if (!json_is_object(tc)) {
			llm_problem(c);
			continue;
		}
		const char *id = llm_jcstr(c, tc, "id");
		const json_t *fn = llm_jobj(c, tc, "function");
		if (fn) {
			add_call(c, m, id, fn, "arguments");
			continue;
		}
		fn = llm_jobj(c, tc, "custom"); /* custom tools: free-form input */
		if (fn)
			add_call(c, m, id, fn, "input");
		else
			llm_problem(c);
	}
	const json_t *fc = llm_jobj(c, msg, "function_call");
	if (fc)
		add_call(c, m, NULL, fc, "arguments");
}

/* Text of a message: its content, or its refusal when it has no content. */
static void message_text(struct llm_ctx *c, const json_t *msg, struct llm_buf *b)
{
	llm_content_text(c, json_object_get(msg, "content"), b);
	const json_t *refusal = llm_jstr(c, msg, "refusal");
	if (b->len == 0 && refusal)
		llm_buf_add(c, b, json_string_value(refusal), json_string_length(refusal),
			    AS_LLM_MAX_FIELD_BYTES);
}

static void request_message(struct llm_ctx *c, const json_t *jm)
{
	if (!json_is_object(jm)) {
		llm_problem(c);
		return;
	}
	const char *role_name = llm_jcstr(c, jm, "role");
	if (!role_name)
		llm_problem(c);
	struct llm_buf b = {0};
	message_text(c, jm, &b);
	struct as_llm_message *m = llm_push_message(c, llm_role(role_name));
	if (!m) {
		llm_buf_free(&b);
		return;
	}
	m->text = llm_buf_take(&b);
	if (m->role == AS_LLM_ROLE_TOOL)
		llm_set_jstr(c, &m->tool_call_id, llm_jstr(c, jm, "tool_call_id"));
	tool_calls(c, m, jm);
}

int llm_chat_request(struct llm_ctx *c, const json_t *root, char *err, size_t errlen)
{
	struct as_llm_exchange *ex = c->ex;
	size_t i;
	const json_t *v;

	llm_set_jstr(c, &ex->model, llm_jstr(c, root, "model"));
	v = json_object_get(root, "stream");
	if (json_is_boolean(v))
		ex->stream = json_is_true(v);
	else if (v && !json_is_null(v))
		llm_problem(c);
	json_array_foreach(llm_jarr(c, root, "tools"), i, v)
	{
		llm_offered_tool(c, v);
	}
	json_array_foreach(llm_jarr(c, root, "functions"), i, v)
	{
		llm_offered_tool(c, v);
	}
	const json_t *msgs = json_object_get(root, "messages");
	if (!json_is_array(msgs)) {
		llm_set_err(err, errlen, "request body: \"messages\" is %s, not an array",
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
static bool first_choice(struct llm_ctx *c, const json_t *ch)
{
	int64_t idx = 0;
	if (!json_is_object(ch)) {
		llm_problem(c);
		return false;
	}
	if (json_object_get(ch, "index") && !json_is_null(json_object_get(ch, "index")) &&
	    !llm_jint(c, ch, "index", &idx))
		return false;
	return idx == 0;
}

void llm_chat_response(struct llm_ctx *c, const json_t *root)
{
	struct as_llm_exchange *ex = c->ex;
	size_t i;
	const json_t *ch;

	llm_set_jstr(c, &ex->response_id, llm_jstr(c, root, "id"));
	llm_set_once(c, &ex->model, llm_jstr(c, root, "model"));
	json_array_foreach(llm_jarr(c, root, "choices"), i, ch)
	{
		if (!first_choice(c, ch))
			continue;
		const json_t *msg = llm_jobj(c, ch, "message");
		if (msg) {
			struct llm_buf b = {0};
			message_text(c, msg, &b);
			free(ex->reply.text);
			ex->reply.text = llm_buf_take(&b);
			tool_calls(c, &ex->reply, msg);
		}
		llm_set_jstr(c, &ex->stop_reason, llm_jstr(c, ch, "finish_reason"));
		break;
	}
	llm_openai_usage(c, llm_jobj(c, root, "usage"));
}

/* One tool-call fragment of a delta. */
static void delta_call(struct as_llm_stream *s, const json_t *tc, int64_t index,
		       const char *args_key)
{
	struct llm_ctx *c = &s->c;
	struct llm_slot *slot = llm_stream_slot(s, index, NULL, true);
	if (!slot)
		return;
	llm_set_once(c, &slot->id, llm_jstr(c, tc, "id"));
	const json_t *fn = llm_jobj(c, tc, "function");
	if (!fn)
		fn = tc; /* the legacy function_call is the function itself */
	llm_set_once(c, &slot->name, llm_jstr(c, fn, "name"));
	const json_t *a = llm_jstr(c, fn, args_key);
	if (a)
		llm_stream_args(s, slot, json_string_value(a), json_string_length(a), false);
}

int llm_chat_event(struct as_llm_stream *s, const json_t *root)
{
	struct llm_ctx *c = &s->c;
	struct as_llm_exchange *ex = c->ex;
	uint32_t problems = ex->parse_problems;
	size_t i, k;
	const json_t *ch, *tc;

	if (llm_take_error(c, root))
		s->end_seen = true;
	llm_set_once(c, &ex->response_id, llm_jstr(c, root, "id"));
	llm_set_once(c, &ex->model, llm_jstr(c, root, "model"));
	json_array_foreach(llm_jarr(c, root, "choices"), i, ch)
	{
		if (!first_choice(c, ch))
			continue;
		const json_t *delta = llm_jobj(c, ch, "delta");
		const json_t *t = llm_jstr(c, delta, "content");
		if (t)
			llm_stream_text(s, 0, json_string_value(t), json_string_length(t));
		t = llm_jstr(c, delta, "refusal");
		if (t)
			llm_stream_text(s, 0, json_string_value(t), json_string_length(t));
		json_array_foreach(llm_jarr(c, delta, "tool_calls"), k, tc)
		{
			int64_t index = (int64_t)k;
			if (!json_is_object(tc)) {
				llm_problem(c);
				continue;
			}
			llm_jint(c, tc, "index", &index);
			delta_call(s, tc, index, "arguments");
		}
		const json_t *fc = llm_jobj(c, delta, "function_call");
		if (fc)
			delta_call(s, fc, 0, "arguments");
		llm_set_jstr(c, &ex->stop_reason, llm_jstr(c, ch, "finish_reason"));
	}
	const json_t *usage = llm_jobj(c, root, "usage");
	if (usage)
		llm_openai_usage(c, usage);
	return ex->parse_problems != problems ? -EINVAL : 0;
}
