/* llmapi_openai_responses: the OpenAI responses API (POST .../responses).
 *
 * The request holds "instructions" (the system prompt) and "input": a string
 * (one user message) or a list of items: messages (role, content as a string
 * or parts such as input_text and input_image), "function_call" items the
 * model made earlier and "function_call_output" items answering them. Calls
 * that follow an assistant message (or each other) join that message, so
 * that one assistant turn is one message as in the other APIs; a call's id is
 * its "call_id", which the output items name. The response is a "response"
 * object whose "output" holds message and function_call items; streamed, it
 * comes as typed events (response.created, response.output_text.delta,
 * response.function_call_arguments.delta, response.completed, ...).
 */
#include "llmapi_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Copies a call's arguments (or a custom tool's input) as text. */
static char *item_arguments(struct as_llmi_ctx *c, const json_t *item)
{
	const json_t *a = as_llmi_jstr(c, item, "arguments");
	if (!a)
		a = as_llmi_jstr(c, item, "input");
	return a ? as_llmi_strndup(c, json_string_value(a), json_string_length(a)) : NULL;
}

static bool is_call(const char *type)
{
	return type &&
	       (strcmp(type, "function_call") == 0 || strcmp(type, "custom_tool_call") == 0);
}

static bool is_call_output(const char *type)
{
	return type && (strcmp(type, "function_call_output") == 0 ||
			strcmp(type, "custom_tool_call_output") == 0);
}

/* The message a call joins: the last one when it is the assistant's. */
static struct as_llm_message *assistant_for_call(struct as_llmi_ctx *c, size_t first)
{
	struct as_llm_exchange *ex = c->ex;
	if (ex->n_messages > first &&
	    ex->messages[ex->n_messages - 1].role == AS_LLM_ROLE_ASSISTANT)
		return &ex->messages[ex->n_messages - 1];
	return as_llmi_push_message(c, AS_LLM_ROLE_ASSISTANT);
}

/* One input item; first is the index of the first message from input. */
static void input_item(struct as_llmi_ctx *c, const json_t *item, size_t first)
{
	if (!json_is_object(item)) {
		as_llmi_problem(c);
		return;
	}
	const char *type = as_llmi_jcstr(c, item, "type");
	if (!type || strcmp(type, "message") == 0) {
		const char *role = as_llmi_jcstr(c, item, "role");
		if (!role)
			as_llmi_problem(c);
		struct as_llmi_buf b = {0};
		as_llmi_content_text(c, json_object_get(item, "content"), &b);
		struct as_llm_message *m = as_llmi_push_message(c, as_llmi_role(role));
		if (m)
			m->text = as_llmi_buf_take(&b);
		else
			as_llmi_buf_free(&b);
		return;
	}
	if (is_call(type)) {
		const char *id = as_llmi_jcstr(c, item, "call_id");
		if (!id)
			id = as_llmi_jcstr(c, item, "id");
		char *args = item_arguments(c, item);
		struct as_llm_message *m = assistant_for_call(c, first);
		if (m)
			as_llmi_push_call(c, m, id, as_llmi_jcstr(c, item, "name"), args);
		free(args);
		return;
	}
	if (is_call_output(type)) {
		struct as_llmi_buf b = {0};
		as_llmi_content_text(c, json_object_get(item, "output"), &b);
		struct as_llm_message *m = as_llmi_push_message(c, AS_LLM_ROLE_TOOL);
		if (!m) {
			as_llmi_buf_free(&b);
			return;
		}
		m->text = as_llmi_buf_take(&b);
		as_llmi_set_jstr(c, &m->tool_call_id, as_llmi_jstr(c, item, "call_id"));
		return;
	}
	/* reasoning, item_reference, built-in tool calls: not part of the prompt text */
}

int as_llmi_responses_request(struct as_llmi_ctx *c, const json_t *root, char *err, size_t errlen)
{
	struct as_llm_exchange *ex = c->ex;
	size_t i;
	const json_t *v;

	static const char *const tool_keys[] = {"tools"};
	as_llmi_request_head(c, root, tool_keys, 1);

	as_llmi_push_system(c, json_object_get(root, "instructions"));

	const json_t *input = json_object_get(root, "input");
	if (!input || json_is_null(input))
		return 0;
	if (json_is_string(input)) {
		struct as_llm_message *m = as_llmi_push_message(c, AS_LLM_ROLE_USER);
		if (m && json_string_length(input) > 0)
			m->text = as_llmi_strndup(c, json_string_value(input),
						  json_string_length(input));
		return 0;
	}
	if (!json_is_array(input)) {
		as_llmi_set_err(err, errlen,
				"request body: \"input\" is neither a string nor an array");
		return -1;
	}
	size_t first = ex->n_messages;
	json_array_foreach(input, i, v)
	{
		input_item(c, v, first);
	}
	return 0;
}

/* The output items of a response into the reply. */
static void output_items(struct as_llmi_ctx *c, const json_t *output)
{
	struct as_llm_exchange *ex = c->ex;
	struct as_llmi_buf b = {0};
	size_t i;
	const json_t *item;

	json_array_foreach(output, i, item)
	{
		if (!json_is_object(item)) {
			as_llmi_problem(c);
			continue;
		}
		const char *type = as_llmi_jcstr(c, item, "type");
		if (type && strcmp(type, "message") == 0) {
			as_llmi_content_text(c, json_object_get(item, "content"), &b);
		} else if (is_call(type)) {
			char *args = item_arguments(c, item);
			as_llmi_push_call(c, &ex->reply, as_llmi_jcstr(c, item, "call_id"),
					  as_llmi_jcstr(c, item, "name"), args);
			free(args);
		}
	}
	free(ex->reply.text);
	ex->reply.text = as_llmi_buf_take(&b);
}

/* Id, model, status, error and usage of a response object. */
static void response_object(struct as_llmi_ctx *c, const json_t *resp)
{
	struct as_llm_exchange *ex = c->ex;
	as_llmi_set_jstr(c, &ex->response_id, as_llmi_jstr(c, resp, "id"));
	as_llmi_set_once(c, &ex->model, as_llmi_jstr(c, resp, "model"));
	as_llmi_set_jstr(c, &ex->stop_reason, as_llmi_jstr(c, resp, "status"));
	if (json_is_object(json_object_get(resp, "error")))
		as_llmi_take_error(c, resp);
	as_llmi_openai_usage(c, as_llmi_jobj(c, resp, "usage"));
}

void as_llmi_responses_response(struct as_llmi_ctx *c, const json_t *root)
{
	response_object(c, root);
	output_items(c, as_llmi_jarr(c, root, "output"));
}

/* Where a piece of text comes from: output item and content part. */
static int64_t text_key(struct as_llmi_ctx *c, const json_t *ev)
{
	int64_t oi = 0, ci = 0;
	as_llmi_jint(c, ev, "output_index", &oi);
	as_llmi_jint(c, ev, "content_index", &ci);
	return (int64_t)((uint64_t)(oi & 0xffffffff) << 16 ^ (uint64_t)(ci & 0xffff));
}

/* A call item (added or done): its slot, with id, name and arguments. */
static void call_item(struct as_llm_stream *s, const json_t *item, int64_t oi, bool done)
{
	struct as_llmi_ctx *c = &s->c;
	struct as_llmi_slot *slot = as_llmi_stream_slot(s, oi, as_llmi_jcstr(c, item, "id"), true);
	if (!slot)
		return;
	as_llmi_set_once(c, &slot->id, as_llmi_jstr(c, item, "call_id"));
	as_llmi_set_once(c, &slot->name, as_llmi_jstr(c, item, "name"));
	const json_t *a = as_llmi_jstr(c, item, "arguments");
	if (!a)
		a = as_llmi_jstr(c, item, "input");
	if (a && (done || json_string_length(a) > 0))
		as_llmi_stream_args(s, slot, json_string_value(a), json_string_length(a), true);
}

/* The output of a final response, when the deltas brought nothing. */
static void stream_output(struct as_llm_stream *s, const json_t *output)
{
	struct as_llmi_ctx *c = &s->c;
	size_t i;
	const json_t *item;
	json_array_foreach(output, i, item)
	{
		const char *type = json_string_value(json_object_get(item, "type"));
		if (type && strcmp(type, "message") == 0) {
			struct as_llmi_buf b = {0};
			as_llmi_content_text(c, json_object_get(item, "content"), &b);
			if (b.len)
				as_llmi_stream_text(s, (int64_t)i << 16, b.p, b.len);
			as_llmi_buf_free(&b);
		} else if (is_call(type)) {
			call_item(s, item, (int64_t)i, true);
		}
	}
}

static bool is(const char *type, const char *name)
{
	return strcmp(type, name) == 0;
}

int as_llmi_responses_event(struct as_llm_stream *s, const char *type, const json_t *root)
{
	struct as_llmi_ctx *c = &s->c;
	struct as_llm_exchange *ex = c->ex;
	uint32_t problems = ex->parse_problems;
	int64_t oi = -1;

	if (!type) {
		as_llmi_problem(c);
		return -EINVAL;
	}
	if (is(type, "response.created") || is(type, "response.in_progress") ||
	    is(type, "response.queued")) {
		const json_t *resp = as_llmi_jobj(c, root, "response");
		as_llmi_set_once(c, &ex->response_id, as_llmi_jstr(c, resp, "id"));
		as_llmi_set_once(c, &ex->model, as_llmi_jstr(c, resp, "model"));
	} else if (is(type, "response.output_item.added") ||
		   is(type, "response.output_item.done")) {
		const json_t *item = as_llmi_jobj(c, root, "item");
		as_llmi_jint(c, root, "output_index", &oi);
		if (is_call(as_llmi_jcstr(c, item, "type")))
			call_item(s, item, oi, is(type, "response.output_item.done"));
	} else if (is(type, "response.output_text.delta") || is(type, "response.refusal.delta")) {
		const json_t *d = as_llmi_jstr(c, root, "delta");
		if (d)
			as_llmi_stream_text(s, text_key(c, root), json_string_value(d),
					    json_string_length(d));
		else
			as_llmi_problem(c);
	} else if (is(type, "response.function_call_arguments.delta") ||
		   is(type, "response.custom_tool_call_input.delta") ||
		   is(type, "response.function_call_arguments.done") ||
		   is(type, "response.custom_tool_call_input.done")) {
		bool done = strstr(type, ".done") != NULL;
		const char *item_id = as_llmi_jcstr(c, root, "item_id");
		as_llmi_jint(c, root, "output_index", &oi);
		struct as_llmi_slot *slot = as_llmi_stream_slot(s, oi, item_id, false);
		if (!slot) {
			as_llmi_problem(c); /* arguments of a call never announced */
			slot = as_llmi_stream_slot(s, oi, item_id, true);
		}
		const json_t *d = as_llmi_jstr(c, root, done ? "arguments" : "delta");
		if (!d && done)
			d = as_llmi_jstr(c, root, "input");
		if (slot && d)
			as_llmi_stream_args(s, slot, json_string_value(d), json_string_length(d),
					    done);
	} else if (is(type, "response.completed") || is(type, "response.incomplete") ||
		   is(type, "response.failed")) {
		const json_t *resp = as_llmi_jobj(c, root, "response");
		if (resp) {
			response_object(c, resp);
			if (s->text.len == 0 && s->n_slots == 0)
				stream_output(s, as_llmi_jarr(c, resp, "output"));
		}
		if (is(type, "response.failed") && !ex->error)
			ex->error = as_llmi_strndup(c, "response failed", 15);
		s->end_seen = true;
	} else if (is(type, "error")) {
		if (!as_llmi_take_error(c, root) && !ex->error)
			ex->error = as_llmi_strndup(c, "error event", 11);
		s->end_seen = true;
	}
	return ex->parse_problems != problems ? -EINVAL : 0;
}
