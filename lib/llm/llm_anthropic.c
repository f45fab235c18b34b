/* llm_anthropic: the Anthropic messages wire format.
 *
 * POST {base}/v1/messages with "x-api-key" and "anthropic-version:
 * 2023-06-01"; max_tokens is required. System messages are not part of the
 * message list there: they are joined (blank line between) into the top-level
 * "system" string. A reply is a list of content blocks: "text" blocks are
 * joined into the reply text, "tool_use" blocks become tool calls (their
 * "input" object re-encoded as JSON text); tool results go back as
 * "tool_result" blocks of a user message. Streams are named SSE events:
 * message_start (id, model, input tokens), content_block_start/delta/stop,
 * message_delta (stop reason, output tokens so far), message_stop (the end),
 * ping, and error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm_internal.h"

static int anthropic_headers(const struct llm_config *cfg, struct llm_headers *h)
{
	snprintf(h->line[0], sizeof(h->line[0]), "x-api-key: %s", cfg->api_key);
	snprintf(h->line[1], sizeof(h->line[1]), "anthropic-version: 2023-06-01");
	h->n = 2;
	return LLM_OK;
}

/* The content of an assistant message that called tools: a text block when
 * there is text, then one tool_use block per call. */
static int assistant_blocks(const struct llm_message *m, size_t i, json_t **out, char *err,
			    size_t errlen)
{
	json_t *blocks = json_array();
	if (!blocks)
		return LLM_ERR_NOMEM;
	if (m->content && m->content[0])
		json_array_append_new(blocks,
				      json_pack("{s:s, s:s}", "type", "text", "text", m->content));
	for (size_t k = 0; k < m->n_tool_calls; k++) {
		const struct llm_tool_call *c = &m->tool_calls[k];
		json_t *input = json_loads(c->arguments_json ? c->arguments_json : "{}", 0, NULL);
		if (!json_is_object(input)) {
			json_decref(input);
			json_decref(blocks);
			return llm_errf(
				err, errlen, LLM_ERR_INVALID,
				"message %zu: tool call %zu arguments are not a JSON object", i, k);
		}
		if (json_array_append_new(blocks,
					  json_pack("{s:s, s:s, s:s, s:o}", "type", "tool_use",
						    "id", c->id ? c->id : "", "name",
						    c->name ? c->name : "", "input", input)) != 0) {
			json_decref(blocks);
			return llm_errf(err, errlen, LLM_ERR_INVALID,
					"message %zu: tool call %zu cannot be encoded", i, k);
		}
	}
	*out = blocks;
	return LLM_OK;
}

static int message_json(const struct llm_message *m, size_t i, json_t **out, char *err,
			size_t errlen)
{
	json_t *content = NULL;
	const char *role = "user";
	switch (m->role) {
	case LLM_ROLE_USER:
		if (!m->content)
			return llm_errf(err, errlen, LLM_ERR_INVALID,
					"message %zu (user) has no content", i);
		content = json_string(m->content);
		break;
	case LLM_ROLE_ASSISTANT:
		role = "assistant";
		if (m->n_tool_calls) {
			int rc = assistant_blocks(m, i, &content, err, errlen);
			if (rc != LLM_OK)
				return rc;
		} else if (m->content) {
			content = json_string(m->content);
		} else {
			return llm_errf(err, errlen, LLM_ERR_INVALID,
					"message %zu (assistant) has no content", i);
		}
		break;
	case LLM_ROLE_TOOL:
		if (!m->tool_call_id || !m->content)
			return llm_errf(err, errlen, LLM_ERR_INVALID,
					"message %zu (tool) needs tool_call_id and content", i);
		content = json_pack("[{s:s, s:s, s:s}]", "type", "tool_result", "tool_use_id",
				    m->tool_call_id, "content", m->content);
		break;
	default:
		return llm_errf(err, errlen, LLM_ERR_INVALID, "message %zu has an unknown role %d",
				i, (int)m->role);
	}
	json_t *msg = json_pack("{s:s, s:o}", "role", role, "content", content);
	if (!msg)
		return llm_errf(err, errlen, LLM_ERR_INVALID,
				"message %zu: content is not valid UTF-8", i);
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
		json_t *tool = json_pack("{s:s, s:o}", "name", t->name, "input_schema", schema);
		if (tool && t->description)
			json_object_set_new(tool, "description", json_string(t->description));
		if (json_array_append_new(tools, tool) != 0) {
			json_decref(tools);
			return llm_errf(err, errlen, LLM_ERR_INVALID, "tool %s: cannot encode it",
					t->name);
		}
	}
	*out = tools;
	return LLM_OK;
}

/* All system messages, joined by blank lines; NULL when there are none. */
static int system_text(const struct llm_request *req, char **out)
{
	struct llm_buf b = {.max = (size_t)-1 / 2};
	*out = NULL;
	for (size_t i = 0; i < req->n_messages; i++) {
		const struct llm_message *m = &req->messages[i];
		if (m->role != LLM_ROLE_SYSTEM || !m->content)
			continue;
		int rc = LLM_OK;
		if (b.len)
			rc = llm_buf_append(&b, "\n\n", 2);
		if (rc == LLM_OK)
			rc = llm_buf_append(&b, m->content, strlen(m->content));
		if (rc != LLM_OK) {
			llm_buf_free(&b);
			return rc;
		}
	}
	*out = b.p;
	return LLM_OK;
}

static int anthropic_build_body(const struct llm_config *cfg, const struct llm_request *req,
				json_t **out, char *err, size_t errlen)
{
	if (cfg->max_output_tokens == 0)
		return llm_errf(err, errlen, LLM_ERR_INVALID,
				"Anthropic requires max_tokens > 0 (set max_tokens)");
	json_t *messages = json_array();
	json_t *body = json_pack("{s:s, s:I, s:o}", "model", cfg->model, "max_tokens",
				 (json_int_t)cfg->max_output_tokens, "messages", messages);
	if (!body)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "the model name cannot be encoded");
	char *system = NULL;
	int rc = system_text(req, &system);
	if (rc == LLM_OK && system && json_object_set_new(body, "system", json_string(system)) != 0)
		rc = llm_errf(err, errlen, LLM_ERR_INVALID, "the system text is not valid UTF-8");
	free(system);
	for (size_t i = 0; rc == LLM_OK && i < req->n_messages; i++) {
		if (req->messages[i].role == LLM_ROLE_SYSTEM)
			continue;
		json_t *m = NULL;
		rc = message_json(&req->messages[i], i, &m, err, errlen);
		if (rc == LLM_OK && json_array_append_new(messages, m) != 0)
			rc = llm_errf(err, errlen, LLM_ERR_NOMEM, "out of memory");
	}
	if (rc == LLM_OK && json_array_size(messages) == 0)
		rc = llm_errf(err, errlen, LLM_ERR_INVALID,
			      "Anthropic needs at least one user message besides system text");
	if (rc == LLM_OK && cfg->temperature >= 0)
		json_object_set_new(body, "temperature", json_real(cfg->temperature));
	if (rc == LLM_OK && req->n_tools) {
		json_t *tools = NULL;
		rc = tools_json(req, &tools, err, errlen);
		if (rc == LLM_OK)
			json_object_set_new(body, "tools", tools);
	}
	if (rc == LLM_OK && req->stream)
		json_object_set_new(body, "stream", json_true());
	if (rc != LLM_OK) {
		json_decref(body);
		return rc;
	}
	*out = body;
	return LLM_OK;
}

static int anthropic_parse_response(const json_t *root, struct llm_result *res, char *err,
				    size_t errlen)
{
	const char *type = json_string_value(json_object_get(root, "type"));
	if (!type || strcmp(type, "message") != 0)
		return llm_errf(err, errlen, LLM_ERR_PARSE,
				"the response is not of type \"message\"");
	const json_t *content = json_object_get(root, "content");
	if (!json_is_array(content))
		return llm_errf(err, errlen, LLM_ERR_PARSE, "the response has no \"content\" list");
	struct llm_buf text = {.max = (size_t)-1 / 2};
	size_t i;
	const json_t *block;
	int rc = LLM_OK;
	json_array_foreach(content, i, block)
	{
		const char *btype = json_string_value(json_object_get(block, "type"));
		if (!btype) {
			rc = llm_errf(err, errlen, LLM_ERR_PARSE, "content[%zu] has no type", i);
			break;
		}
		if (strcmp(btype, "text") == 0) {
			const json_t *t = json_object_get(block, "text");
			if (!json_is_string(t)) {
				rc = llm_errf(err, errlen, LLM_ERR_PARSE,
					      "content[%zu] (text) has no text string", i);
				break;
			}
			rc = llm_buf_append(&text, json_string_value(t), json_string_length(t));
		} else if (strcmp(btype, "tool_use") == 0) {
			const char *name = json_string_value(json_object_get(block, "name"));
			const json_t *input = json_object_get(block, "input");
			if (!name || !json_is_object(input)) {
				rc = llm_errf(err, errlen, LLM_ERR_PARSE,
					      "content[%zu] (tool_use) lacks name or input", i);
				break;
			}
			if (res->n_tool_calls >= LLM_STREAM_MAX_TOOLS) {
				rc = llm_errf(err, errlen, LLM_ERR_TOO_LARGE,
					      "more than %d tool calls in one reply",
					      LLM_STREAM_MAX_TOOLS);
				break;
			}
			char *args = json_dumps(input, JSON_COMPACT);
			rc = args ? llm_result_add_tool_call(
					    res, json_string_value(json_object_get(block, "id")),
					    name, args, strlen(args))
				  : LLM_ERR_NOMEM;
			free(args);
		}
		/* Other blocks (thinking, ...) carry no reply text. */
		if (rc != LLM_OK)
			break;
	}
	if (rc == LLM_OK) {
		res->text = llm_buf_take(&text, &res->text_len);
		if (!res->text)
			rc = LLM_ERR_NOMEM;
	}
	llm_buf_free(&text);
	if (rc != LLM_OK)
		return rc;
	const char *stop = json_string_value(json_object_get(root, "stop_reason"));
	if (stop)
		llm_result_set_stop(res, stop);
	llm_read_ids(root, res);
	llm_read_usage(json_object_get(root, "usage"), "input_tokens", "output_tokens", res);
	return LLM_OK;
}

static void stream_block_start(struct llm_stream *s, const json_t *root)
{
	const json_t *block = json_object_get(root, "content_block");
	const char *type = json_string_value(json_object_get(block, "type"));
	const json_t *index = json_object_get(root, "index");
	if (!type || !json_is_integer(index)) {
		llm_stream_fail(s, LLM_ERR_PARSE, "content_block_start lacks index or type");
		return;
	}
	if (strcmp(type, "text") == 0) {
		const json_t *t = json_object_get(block, "text");
		if (json_is_string(t))
			llm_stream_text(s, json_string_value(t), json_string_length(t));
	} else if (strcmp(type, "tool_use") == 0) {
		struct llm_stream_tool *t =
			llm_stream_tool(s, (long)json_integer_value(index), true);
		if (!t)
			return;
		const char *id = json_string_value(json_object_get(block, "id"));
		const char *name = json_string_value(json_object_get(block, "name"));
		free(t->id);
		free(t->name);
		t->id = strdup(id ? id : "");
		t->name = strdup(name ? name : "");
		if (!t->id || !t->name)
			llm_stream_fail(s, LLM_ERR_NOMEM, "out of memory");
	}
}

static void stream_block_delta(struct llm_stream *s, const json_t *root)
{
	const json_t *delta = json_object_get(root, "delta");
	const char *type = json_string_value(json_object_get(delta, "type"));
	if (!type) {
		llm_stream_fail(s, LLM_ERR_PARSE, "content_block_delta has no delta type");
		return;
	}
	if (strcmp(type, "text_delta") == 0) {
		const json_t *t = json_object_get(delta, "text");
		if (!json_is_string(t)) {
			llm_stream_fail(s, LLM_ERR_PARSE, "text_delta has no text string");
			return;
		}
		llm_stream_text(s, json_string_value(t), json_string_length(t));
	} else if (strcmp(type, "input_json_delta") == 0) {
		const json_t *index = json_object_get(root, "index");
		const json_t *part = json_object_get(delta, "partial_json");
		struct llm_stream_tool *t =
			json_is_integer(index)
				? llm_stream_tool(s, (long)json_integer_value(index), false)
				: NULL;
		if (!t || !json_is_string(part)) {
			llm_stream_fail(s, LLM_ERR_PARSE,
					"input_json_delta for a block that is not a tool_use");
			return;
		}
		if (llm_buf_append(&t->args, json_string_value(part), json_string_length(part)))
			llm_stream_fail(s, LLM_ERR_TOO_LARGE, "tool call input exceeds %zu bytes",
					s->max_bytes);
	}
	/* thinking_delta, signature_delta and later kinds carry no reply text. */
}

static int anthropic_stream_event(struct llm_stream *s, const char *event, const char *data,
				  size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(data, len, 0, &jerr);
	if (!json_is_object(root)) {
		char ex[96];
		llm_excerpt(data, len, 60, ex, sizeof(ex));
		json_decref(root);
		return llm_stream_fail(s, LLM_ERR_PARSE,
				       "stream event \"%s\" is not a JSON object: %s", event, ex);
	}
	/* The data's "type" is authoritative; the event name is the same word. */
	const char *type = json_string_value(json_object_get(root, "type"));
	if (!type)
		type = event;
	char msg[200];
	if (strcmp(type, "message_start") == 0) {
		const json_t *m = json_object_get(root, "message");
		llm_read_ids(m, s->res);
		llm_read_usage(json_object_get(m, "usage"), "input_tokens", "output_tokens",
			       s->res);
	} else if (strcmp(type, "content_block_start") == 0) {
		stream_block_start(s, root);
	} else if (strcmp(type, "content_block_delta") == 0) {
		stream_block_delta(s, root);
	} else if (strcmp(type, "message_delta") == 0) {
		const char *stop = json_string_value(
			json_object_get(json_object_get(root, "delta"), "stop_reason"));
		if (stop)
			llm_result_set_stop(s->res, stop);
		llm_read_usage(json_object_get(root, "usage"), "input_tokens", "output_tokens",
			       s->res);
	} else if (strcmp(type, "message_stop") == 0) {
		s->done = true;
	} else if (strcmp(type, "error") == 0) {
		if (!llm_describe_error_json(root, msg, sizeof(msg)))
			snprintf(msg, sizeof(msg), "an error event without details");
		llm_stream_fail(s, LLM_ERR_API, "error in the stream: %s", msg);
	}
	/* ping, content_block_stop and event kinds added later need nothing. */
	json_decref(root);
	return s->err;
}

const struct llm_provider_ops llm_anthropic_ops = {
	.id = LLM_PROVIDER_ANTHROPIC,
	.name = "anthropic",
	.default_base_url = "https://api.anthropic.com",
	.default_model = "claude-3-5-haiku-latest",
	.key_env = "ANTHROPIC_API_KEY",
	.default_max_tokens = 1024,
	.path = "/v1/messages",
	.headers = anthropic_headers,
	.build_body = anthropic_build_body,
	.parse_response = anthropic_parse_response,
	.stream_event = anthropic_stream_event,
};
