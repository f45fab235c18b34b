/* llm_openai: the OpenAI chat-completions wire format.
 *
 * POST {base}/chat/completions with "Authorization: Bearer <key>". Messages
 * keep their roles; tool calls go out as "tools" of type "function" and come
 * back in message.tool_calls, their arguments a JSON string. Streams are SSE
 * "data:" lines holding chat.completion.chunk objects, ended by
 * "data: [DONE]"; we ask for stream_options.include_usage, so the last chunk
 * before [DONE] carries the token counts (with an empty choices array).
 * OpenAI-compatible servers (vLLM, llama.cpp, Ollama) speak the same format.
 */
#include <stdio.h>
#include <string.h>

#include "llm_internal.h"

static int openai_headers(const struct llm_config *cfg, struct llm_headers *h)
{
	snprintf(h->line[0], sizeof(h->line[0]), "Authorization: Bearer %s", cfg->api_key);
	h->n = 1;
	return LLM_OK;
}

static const char *role_name(enum llm_role role)
{
	switch (role) {
	case LLM_ROLE_SYSTEM:
		return "system";
	case LLM_ROLE_USER:
		return "user";
	case LLM_ROLE_ASSISTANT:
		return "assistant";
	case LLM_ROLE_TOOL:
		return "tool";
	default:
		return NULL;
	}
}

static int tool_calls_json(const struct llm_message *m, json_t **out)
{
	json_t *calls = json_array();
	if (!calls)
		return LLM_ERR_NOMEM;
	for (size_t i = 0; i < m->n_tool_calls; i++) {
		const struct llm_tool_call *c = &m->tool_calls[i];
		json_t *call =
			json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", c->id ? c->id : "", "type",
				  "function", "function", "name", c->name ? c->name : "",
				  "arguments", c->arguments_json ? c->arguments_json : "{}");
		if (json_array_append_new(calls, call) != 0) {
			json_decref(calls);
			return LLM_ERR_NOMEM;
		}
	}
	*out = calls;
	return LLM_OK;
}

static int message_json(const struct llm_message *m, size_t i, json_t **out, char *err,
			size_t errlen)
{
	const char *role = role_name(m->role);
	if (!role)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "message %zu has an unknown role %d",
				i, (int)m->role);
	bool calls = m->role == LLM_ROLE_ASSISTANT && m->n_tool_calls;
	if (!m->content && !calls)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "message %zu (%s) has no content", i,
				role);
	if (m->role == LLM_ROLE_TOOL && !m->tool_call_id)
		return llm_errf(err, errlen, LLM_ERR_INVALID,
				"message %zu (tool) has no tool_call_id", i);
	json_t *msg = json_pack("{s:s, s:o}", "role", role, "content",
				m->content ? json_string(m->content) : json_null());
	if (!msg)
		return llm_errf(err, errlen, LLM_ERR_INVALID,
				"message %zu: content is not valid UTF-8", i);
	int rc = LLM_OK;
	if (m->role == LLM_ROLE_TOOL &&
	    json_object_set_new(msg, "tool_call_id", json_string(m->tool_call_id)) != 0)
		rc = LLM_ERR_INVALID;
	if (rc == LLM_OK && calls) {
		json_t *arr = NULL;
		rc = tool_calls_json(m, &arr);
		if (rc == LLM_OK && json_object_set_new(msg, "tool_calls", arr) != 0)
			rc = LLM_ERR_NOMEM;
	}
	if (rc != LLM_OK) {
		json_decref(msg);
		return llm_errf(err, errlen, rc, "message %zu: cannot encode it", i);
	}
	*out = msg;
	return LLM_OK;
}

static int tools_json(const struct llm_request *req, json_t **out, char *err, size_t errlen)
{
	json_t *tools = json_array();
	if (!tools)
		return LLM_ERR_NOMEM;
	for (size_t i = 0; i < req->n_tools; i++) {
		const struct llm_tool *t = &req->tools[i];
		json_t *schema = NULL;
		int rc = llm_tool_schema(t, &schema, err, errlen);
		if (rc != LLM_OK) {
			json_decref(tools);
			return rc;
		}
		json_t *fn = json_pack("{s:s, s:o}", "name", t->name, "parameters", schema);
		if (fn && t->description)
			json_object_set_new(fn, "description", json_string(t->description));
		if (json_array_append_new(tools, json_pack("{s:s, s:o}", "type", "function",
							   "function", fn)) != 0) {
			json_decref(tools);
			return llm_errf(err, errlen, LLM_ERR_INVALID, "tool %s: cannot encode it",
					t->name);
		}
	}
	*out = tools;
	return LLM_OK;
}

static int openai_build_body(const struct llm_config *cfg, const struct llm_request *req,
			     json_t **out, char *err, size_t errlen)
{
	json_t *messages = json_array();
	json_t *body = json_pack("{s:s, s:o}", "model", cfg->model, "messages", messages);
	if (!body)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "the model name cannot be encoded");
	int rc = LLM_OK;
	for (size_t i = 0; rc == LLM_OK && i < req->n_messages; i++) {
		json_t *m = NULL;
		rc = message_json(&req->messages[i], i, &m, err, errlen);
		if (rc == LLM_OK && json_array_append_new(messages, m) != 0)
			rc = llm_errf(err, errlen, LLM_ERR_NOMEM, "out of memory");
	}
	if (rc == LLM_OK && cfg->max_output_tokens)
		json_object_set_new(body, "max_tokens", json_integer(cfg->max_output_tokens));
	if (rc == LLM_OK && cfg->temperature >= 0)
		json_object_set_new(body, "temperature", json_real(cfg->temperature));
	if (rc == LLM_OK && req->n_tools) {
		json_t *tools = NULL;
		rc = tools_json(req, &tools, err, errlen);
		if (rc == LLM_OK)
			json_object_set_new(body, "tools", tools);
	}
	if (rc == LLM_OK && req->stream) {
		json_object_set_new(body, "stream", json_true());
		json_object_set_new(body, "stream_options", json_pack("{s:b}", "include_usage", 1));
	}
	if (rc != LLM_OK) {
		json_decref(body);
		return rc;
	}
	*out = body;
	return LLM_OK;
}

static int openai_parse_response(const json_t *root, struct llm_result *res, char *err,
				 size_t errlen)
{
	const json_t *choices = json_object_get(root, "choices");
	if (!json_is_array(choices) || json_array_size(choices) == 0)
		return llm_errf(err, errlen, LLM_ERR_PARSE, "the response has no \"choices\"");
	const json_t *choice = json_array_get(choices, 0);
	const json_t *msg = json_object_get(choice, "message");
	if (!json_is_object(msg))
		return llm_errf(err, errlen, LLM_ERR_PARSE, "choices[0] has no \"message\" object");
	const json_t *content = json_object_get(msg, "content");
	if (content && !json_is_string(content) && !json_is_null(content))
		return llm_errf(err, errlen, LLM_ERR_PARSE,
				"choices[0].message.content is not a string");
	const char *text = json_is_string(content) ? json_string_value(content) : "";
	size_t len = json_is_string(content) ? json_string_length(content) : 0;
	res->text = strndup(text, len);
	if (!res->text)
		return LLM_ERR_NOMEM;
	res->text_len = len;

	const json_t *calls = json_object_get(msg, "tool_calls");
	size_t i;
	const json_t *call;
	json_array_foreach(calls, i, call)
	{
		const json_t *fn = json_object_get(call, "function");
		const char *name = json_string_value(json_object_get(fn, "name"));
		const json_t *args = json_object_get(fn, "arguments");
		if (!name || !json_is_string(args))
			return llm_errf(err, errlen, LLM_ERR_PARSE,
					"tool_calls[%zu] lacks function.name or .arguments", i);
		if (i >= LLM_STREAM_MAX_TOOLS)
			return llm_errf(err, errlen, LLM_ERR_TOO_LARGE,
					"more than %d tool calls in one reply",
					LLM_STREAM_MAX_TOOLS);
		int rc = llm_result_add_tool_call(
			res, json_string_value(json_object_get(call, "id")), name,
			json_string_value(args), json_string_length(args));
		if (rc != LLM_OK)
			return rc;
	}
	const char *finish = json_string_value(json_object_get(choice, "finish_reason"));
	if (finish)
		llm_result_set_stop(res, finish);
	llm_read_ids(root, res);
	llm_read_usage(json_object_get(root, "usage"), "prompt_tokens", "completion_tokens", res);
	return LLM_OK;
}

static void stream_tool_delta(struct llm_stream *s, const json_t *calls)
{
	size_t i;
	const json_t *call;
	json_array_foreach(calls, i, call)
	{
		const json_t *index = json_object_get(call, "index");
		long idx = json_is_integer(index) ? (long)json_integer_value(index) : (long)i;
		struct llm_stream_tool *t = llm_stream_tool(s, idx, true);
		if (!t)
			return;
		const char *id = json_string_value(json_object_get(call, "id"));
		const json_t *fn = json_object_get(call, "function");
		const char *name = json_string_value(json_object_get(fn, "name"));
		const json_t *args = json_object_get(fn, "arguments");
		if (id && !t->id && !(t->id = strdup(id)))
			llm_stream_fail(s, LLM_ERR_NOMEM, "out of memory");
		if (name && !t->name && !(t->name = strdup(name)))
			llm_stream_fail(s, LLM_ERR_NOMEM, "out of memory");
		if (json_is_string(args) &&
		    llm_buf_append(&t->args, json_string_value(args), json_string_length(args)))
			llm_stream_fail(s, LLM_ERR_TOO_LARGE,
					"tool call arguments exceed %zu bytes", s->max_bytes);
	}
}

static int openai_stream_event(struct llm_stream *s, const char *event, const char *data,
			       size_t len)
{
	(void)event; /* OpenAI sends unnamed events only */
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		s->done = true;
		return LLM_OK;
	}
	json_error_t jerr;
	json_t *root = json_loadb(data, len, 0, &jerr);
	if (!json_is_object(root)) {
		char ex[96];
		llm_excerpt(data, len, 60, ex, sizeof(ex));
		json_decref(root);
		return llm_stream_fail(s, LLM_ERR_PARSE, "a stream event is not a JSON object: %s",
				       ex);
	}
	char msg[200];
	if (json_object_get(root, "error") && llm_describe_error_json(root, msg, sizeof(msg))) {
		json_decref(root);
		return llm_stream_fail(s, LLM_ERR_API, "error in the stream: %s", msg);
	}
	llm_read_ids(root, s->res);
	const json_t *choice = json_array_get(json_object_get(root, "choices"), 0);
	const json_t *delta = json_object_get(choice, "delta");
	const json_t *content = json_object_get(delta, "content");
	if (json_is_string(content))
		llm_stream_text(s, json_string_value(content), json_string_length(content));
	stream_tool_delta(s, json_object_get(delta, "tool_calls"));
	const char *finish = json_string_value(json_object_get(choice, "finish_reason"));
	if (finish)
		llm_result_set_stop(s->res, finish);
	llm_read_usage(json_object_get(root, "usage"), "prompt_tokens", "completion_tokens",
		       s->res);
	json_decref(root);
	return s->err;
}

const struct llm_provider_ops llm_openai_ops = {
	.id = LLM_PROVIDER_OPENAI,
	.name = "openai",
	.default_base_url = "https://api.openai.com/v1",
	.default_model = "gpt-4o-mini",
	.key_env = "OPENAI_API_KEY",
	.default_max_tokens = 0,
	.path = "/chat/completions",
	.headers = openai_headers,
	.build_body = openai_build_body,
	.parse_response = openai_parse_response,
	.stream_event = openai_stream_event,
};
