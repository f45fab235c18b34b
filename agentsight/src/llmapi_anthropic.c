/* llmapi_anthropic: the Anthropic Messages API (POST /v1/messages).
 *
 * The request has a top-level "system" (a string or text blocks) and
 * "messages" whose content is a string or a list of blocks: text, image,
 * document, "tool_use" (the assistant's calls, with "input" as a JSON object)
 * and "tool_result" (inside user messages, answering a tool_use_id). Each
 * tool_result becomes a TOOL message of its own, in order, and the rest of the
 * user message follows it as a USER message, so that the exchange reads as
 * the OpenAI APIs do. Calls' inputs are kept as compact JSON text. The
 * response is a "message" with content blocks; streamed, it comes as
 * message_start, content_block_start/delta/stop (text_delta, input_json_delta
 * whose partial_json pieces are concatenated), message_delta and
 * message_stop events. Usage is normalised as exchange.h describes.
 */
#include "llmapi_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_tool_use(const char *type)
{
	return type && (strcmp(type, "tool_use") == 0 || strcmp(type, "server_tool_use") == 0);
}

static bool is_thinking(const char *type)
{
	return type && (strcmp(type, "thinking") == 0 || strcmp(type, "redacted_thinking") == 0);
}

/* A tool_use block as a call of m. */
static void tool_use(struct as_llmi_ctx *c, struct as_llm_message *m, const json_t *block)
{
	const json_t *input = json_object_get(block, "input");
	char *args = input && !json_is_null(input) ? as_llmi_dump(c, input) : NULL;
	as_llmi_push_call(c, m, as_llmi_jcstr(c, block, "id"), as_llmi_jcstr(c, block, "name"),
			  args);
	free(args);
}

static void tool_result(struct as_llmi_ctx *c, const json_t *block)
{
	struct as_llmi_buf b = {0};
	as_llmi_content_text(c, json_object_get(block, "content"), &b);
	struct as_llm_message *m = as_llmi_push_message(c, AS_LLM_ROLE_TOOL);
	if (!m) {
		as_llmi_buf_free(&b);
		return;
	}
	m->text = as_llmi_buf_take(&b);
	as_llmi_set_jstr(c, &m->tool_call_id, as_llmi_jstr(c, block, "tool_use_id"));
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
	const json_t *content = json_object_get(jm, "content");
	struct as_llmi_buf b = {0};
	struct as_llm_message calls = {0}; /* collects tool_use blocks */
	size_t results = 0;

	if (json_is_array(content)) {
		size_t i;
		const json_t *block;
		json_array_foreach(content, i, block)
		{
			const char *type = json_string_value(json_object_get(block, "type"));
			if (is_tool_use(type)) {
				tool_use(c, &calls, block);
			} else if (type && strcmp(type, "tool_result") == 0) {
				tool_result(c, block);
				results++;
			} else if (!is_thinking(type)) {
				as_llmi_content_text(c, block, &b);
			}
		}
	} else {
		as_llmi_content_text(c, content, &b);
	}
	if (b.len == 0 && calls.n_tool_calls == 0 && results > 0)
		return; /* only tool results: they are the messages */
	struct as_llm_message *m = as_llmi_push_message(c, as_llmi_role(role_name));
	if (!m) {
		as_llmi_buf_free(&b);
		as_llmi_message_free(&calls);
		return;
	}
	m->text = as_llmi_buf_take(&b);
	m->tool_calls = calls.tool_calls;
	m->n_tool_calls = calls.n_tool_calls;
}

int as_llmi_anthropic_request(struct as_llmi_ctx *c, const json_t *root, char *err, size_t errlen)
{
	size_t i;
	const json_t *v;

	static const char *const tool_keys[] = {"tools"};
	as_llmi_request_head(c, root, tool_keys, 1);
	as_llmi_push_system(c, json_object_get(root, "system"));
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

static int64_t sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

void as_llmi_anthropic_usage(struct as_llmi_ctx *c, const json_t *usage, int64_t *in, int64_t *cr,
			     int64_t *cw)
{
	struct as_llm_usage *u = &c->ex->usage;
	bool any = false;
	int64_t v;
	if (!json_is_object(usage))
		return;
	if (as_llmi_jint(c, usage, "input_tokens", in))
		any = true;
	as_llmi_jint(c, usage, "cache_read_input_tokens", cr);
	as_llmi_jint(c, usage, "cache_creation_input_tokens", cw);
	if (as_llmi_jint(c, usage, "output_tokens", &v)) {
		u->output_tokens = v;
		any = true;
	}
	u->input_tokens = sat_add(sat_add(*in, *cr), *cw);
	u->cache_read_tokens = *cr;
	u->cache_write_tokens = *cw;
	if (any)
		u->reported = true;
}

void as_llmi_anthropic_response(struct as_llmi_ctx *c, const json_t *root)
{
	struct as_llm_exchange *ex = c->ex;
	struct as_llmi_buf b = {0};
	int64_t in = 0, cr = 0, cw = 0;
	size_t i;
	const json_t *block;

	as_llmi_set_jstr(c, &ex->response_id, as_llmi_jstr(c, root, "id"));
	as_llmi_set_once(c, &ex->model, as_llmi_jstr(c, root, "model"));
	as_llmi_set_jstr(c, &ex->stop_reason, as_llmi_jstr(c, root, "stop_reason"));
	json_array_foreach(as_llmi_jarr(c, root, "content"), i, block)
	{
		if (!json_is_object(block)) {
			as_llmi_problem(c);
			continue;
		}
		const char *type = as_llmi_jcstr(c, block, "type");
		if (type && strcmp(type, "text") == 0) {
			const json_t *t = as_llmi_jstr(c, block, "text");
			if (t)
				as_llmi_buf_add_part(c, &b, json_string_value(t),
						     json_string_length(t), AS_LLM_MAX_FIELD_BYTES);
		} else if (is_tool_use(type)) {
			tool_use(c, &ex->reply, block);
		}
	}
	free(ex->reply.text);
	ex->reply.text = as_llmi_buf_take(&b);
	as_llmi_anthropic_usage(c, as_llmi_jobj(c, root, "usage"), &in, &cr, &cw);
}

static bool is(const char *type, const char *name)
{
	return strcmp(type, name) == 0;
}

static void block_start(struct as_llm_stream *s, const json_t *root)
{
	struct as_llmi_ctx *c = &s->c;
	int64_t idx;
	if (!as_llmi_jint_req(c, root, "index", &idx))
		return;
	const json_t *cb = as_llmi_jobj(c, root, "content_block");
	const char *type = as_llmi_jcstr(c, cb, "type");
	enum as_llmi_block_kind kind = LLM_BLOCK_OTHER;
	if (type && strcmp(type, "text") == 0)
		kind = LLM_BLOCK_TEXT;
	else if (is_tool_use(type))
		kind = LLM_BLOCK_TOOL;
	if (as_llmi_stream_block(s, idx, kind, false)) {
		as_llmi_problem(c); /* started twice */
		return;
	}
	if (!as_llmi_stream_block(s, idx, kind, true))
		return;
	if (kind == LLM_BLOCK_TEXT) {
		const json_t *t = as_llmi_jstr(c, cb, "text");
		if (t)
			as_llmi_stream_text(s, idx, json_string_value(t), json_string_length(t));
	} else if (kind == LLM_BLOCK_TOOL) {
		struct as_llmi_slot *slot = as_llmi_stream_slot(s, idx, NULL, true);
		if (!slot)
			return;
		as_llmi_set_once(c, &slot->id, as_llmi_jstr(c, cb, "id"));
		as_llmi_set_once(c, &slot->name, as_llmi_jstr(c, cb, "name"));
		const json_t *input = json_object_get(cb, "input");
		if (input && !json_is_null(input) && !slot->start_input)
			slot->start_input = as_llmi_dump(c, input);
	}
}

static void block_delta(struct as_llm_stream *s, const json_t *root)
{
	struct as_llmi_ctx *c = &s->c;
	int64_t idx;
	if (!as_llmi_jint_req(c, root, "index", &idx))
		return;
	const json_t *delta = as_llmi_jobj(c, root, "delta");
	const char *type = as_llmi_jcstr(c, delta, "type");
	enum as_llmi_block_kind kind;
	const json_t *t;
	if (!type) {
		as_llmi_problem(c);
		return;
	}
	if (strcmp(type, "text_delta") == 0) {
		kind = LLM_BLOCK_TEXT;
		t = as_llmi_jstr(c, delta, "text");
	} else if (strcmp(type, "input_json_delta") == 0) {
		kind = LLM_BLOCK_TOOL;
		t = as_llmi_jstr(c, delta, "partial_json");
	} else {
		return; /* thinking_delta, signature_delta, citations_delta */
	}
	struct as_llmi_block *block = as_llmi_stream_block(s, idx, kind, false);
	if (!block) {
		/* A delta before its block started: keep what it brings. */
		as_llmi_problem(c);
		block = as_llmi_stream_block(s, idx, kind, true);
		if (!block)
			return;
	}
	if (block->kind != kind || !t) {
		as_llmi_problem(c);
		return;
	}
	if (kind == LLM_BLOCK_TEXT) {
		as_llmi_stream_text(s, idx, json_string_value(t), json_string_length(t));
	} else {
		struct as_llmi_slot *slot = as_llmi_stream_slot(s, idx, NULL, true);
		if (slot)
			as_llmi_stream_args(s, slot, json_string_value(t), json_string_length(t),
					    false);
	}
}

int as_llmi_anthropic_event(struct as_llm_stream *s, const char *type, const json_t *root)
{
	struct as_llmi_ctx *c = &s->c;
	struct as_llm_exchange *ex = c->ex;
	uint32_t problems = ex->parse_problems;

	if (!type) {
		as_llmi_problem(c);
		return -EINVAL;
	}
	if (is(type, "message_start")) {
		const json_t *msg = as_llmi_jobj(c, root, "message");
		as_llmi_set_once(c, &ex->response_id, as_llmi_jstr(c, msg, "id"));
		as_llmi_set_once(c, &ex->model, as_llmi_jstr(c, msg, "model"));
		as_llmi_anthropic_usage(c, as_llmi_jobj(c, msg, "usage"), &s->anth_input,
					&s->anth_cache_read, &s->anth_cache_write);
	} else if (is(type, "content_block_start")) {
		block_start(s, root);
	} else if (is(type, "content_block_delta")) {
		block_delta(s, root);
	} else if (is(type, "content_block_stop")) {
		int64_t idx;
		if (as_llmi_jint_req(c, root, "index", &idx) &&
		    !as_llmi_stream_block(s, idx, LLM_BLOCK_OTHER, false))
			as_llmi_problem(c); /* a block never started */
	} else if (is(type, "message_delta")) {
		const json_t *delta = as_llmi_jobj(c, root, "delta");
		as_llmi_set_jstr(c, &ex->stop_reason, as_llmi_jstr(c, delta, "stop_reason"));
		as_llmi_anthropic_usage(c, as_llmi_jobj(c, root, "usage"), &s->anth_input,
					&s->anth_cache_read, &s->anth_cache_write);
	} else if (is(type, "message_stop")) {
		s->end_seen = true;
	} else if (is(type, "error")) {
		if (!as_llmi_take_error(c, root) && !ex->error)
			ex->error = as_llmi_strndup(c, "error event", 11);
		s->end_seen = true;
	}
	return ex->parse_problems != problems ? -EINVAL : 0;
}
