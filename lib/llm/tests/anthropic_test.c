/* anthropic_test: the client against the mock Anthropic messages endpoint.
 *
 * A plain reply (the server checks x-api-key, anthropic-version, max_tokens
 * and that system text travels as the top-level "system" field), a reply
 * streamed a few bytes at a time with named events, pings and usage split
 * between message_start (12 input tokens) and message_delta (34 output
 * tokens), a streamed tool call, and an error event in the middle of a
 * stream, which is not retried. Cost: 12*3e-6 + 34*15e-6 = $0.000546.
 */
#include "test_common.h"

#define COST_12_34 0.000546

static const char reply_json[] =
	"{\"id\":\"msg_mock1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
	"\"claude-test-20250101\",\"content\":[{\"type\":\"text\",\"text\":\"Forty\"},"
	"{\"type\":\"text\",\"text\":\"-two.\"}],\"stop_reason\":\"end_turn\","
	"\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":34}}";

/* Named events with usage split: 12 input tokens in message_start, 34 output
 * tokens (a running total) in message_delta. */
static const char reply_sse[] =
	"event: message_start\n"
	"data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_mock2\",\"type\":\"message\","
	"\"role\":\"assistant\",\"content\":[],\"model\":\"claude-test-20250101\","
	"\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,"
	"\"output_tokens\":1}}}\n\n"
	"event: content_block_start\n"
	"data: {\"type\":\"content_block_start\",\"index\":0,"
	"\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
	"event: ping\n"
	"data: {\"type\": \"ping\"}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,"
	"\"delta\":{\"type\":\"text_delta\",\"text\":\"Forty\"}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,"
	"\"delta\":{\"type\":\"text_delta\",\"text\":\"-\"}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,"
	"\"delta\":{\"type\":\"text_delta\",\"text\":\"two\"}}\n\n"
	"event: ping\n"
	"data: {\"type\": \"ping\"}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,"
	"\"delta\":{\"type\":\"text_delta\",\"text\":\".\"}}\n\n"
	"event: content_block_stop\n"
	"data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	"event: message_delta\n"
	"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
	"\"stop_sequence\":null},\"usage\":{\"output_tokens\":34}}\n\n"
	"event: message_stop\n"
	"data: {\"type\":\"message_stop\"}\n\n";

static const char reply_sse_tool[] =
	"event: message_start\n"
	"data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_mock3\",\"type\":\"message\","
	"\"role\":\"assistant\",\"content\":[],\"model\":\"claude-test\",\"usage\":"
	"{\"input_tokens\":20,\"output_tokens\":1}}}\n\n"
	"event: content_block_start\n"
	"data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
	"{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"trace\",\"input\":{}}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
	"{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"pi\"}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
	"{\"type\":\"input_json_delta\",\"partial_json\":\"d\\\": 9}\"}}\n\n"
	"event: content_block_stop\n"
	"data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	"event: message_delta\n"
	"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
	"\"usage\":{\"output_tokens\":30}}\n\n"
	"event: message_stop\n"
	"data: {\"type\":\"message_stop\"}\n\n";

static const char reply_sse_error[] =
	"event: message_start\n"
	"data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_mock4\",\"type\":\"message\","
	"\"role\":\"assistant\",\"content\":[],\"model\":\"claude-test\",\"usage\":"
	"{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,"
	"\"delta\":{\"type\":\"text_delta\",\"text\":\"Par\"}}\n\n"
	"event: error\n"
	"data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
	"\"message\":\"Overloaded\"}}\n\n";

static const struct llm_message conv[] = {
	{.role = LLM_ROLE_SYSTEM, .content = "You are terse."},
	{.role = LLM_ROLE_USER, .content = "What is six times seven?"},
	{.role = LLM_ROLE_SYSTEM, .content = "Spell numbers out."},
};

static void check_request_seen(struct mock_server *m, bool stream, const char *label)
{
	REQUIRE_VOID(mock_count(m) == 1, "%s: server saw %zu requests", label, mock_count(m));
	const struct mock_request *q = mock_request(m, 0);
	TK_CHECK(q->problem[0] == '\0', "%s: server found a problem: %s", label, q->problem);
	TK_CHECK(strcmp(q->path, "/v1/messages") == 0, "%s: path %s", label, q->path);
	TK_CHECK(strcmp(q->x_api_key, TEST_KEY) == 0, "%s: x-api-key %s", label, q->x_api_key);
	TK_CHECK(q->authorization[0] == '\0', "%s: Authorization sent to Anthropic", label);
	TK_CHECK(strcmp(q->anthropic_version, "2023-06-01") == 0, "%s: version", label);
	TK_CHECK(json_integer_value(json_object_get(q->json, "max_tokens")) == 256,
		 "%s: max_tokens: %s", label, q->body);
	TK_CHECK(strcmp(json_string_value(json_object_get(q->json, "model")), "claude-test") == 0,
		 "%s: model", label);
	const char *sys = json_string_value(json_object_get(q->json, "system"));
	TK_CHECK(sys && strcmp(sys, "You are terse.\n\nSpell numbers out.") == 0, "%s: system %s",
		 label, sys ? sys : "(none)");
	const json_t *msgs = json_object_get(q->json, "messages");
	TK_CHECK(json_array_size(msgs) == 1, "%s: %zu messages (system must not be one)", label,
		 json_array_size(msgs));
	TK_CHECK(json_is_true(json_object_get(q->json, "stream")) == stream, "%s: stream", label);
	TK_CHECK(!json_object_get(q->json, "stream_options"), "%s: OpenAI-only field", label);
}

int main(void)
{
	struct mock_server *m = test_mock();
	struct llm_config cfg;
	test_config(&cfg, LLM_PROVIDER_ANTHROPIC, m);
	struct llm_client *c = NULL;
	char err[512];
	TK_REQUIRE(llm_client_new(&cfg, &c, err, sizeof(err)) == LLM_OK, "client: %s", err);
	struct llm_result r;
	int rc;

	/* Plain. */
	struct mock_reply plain[] = {{.kind = MOCK_JSON, .body = reply_json}};
	mock_script(m, plain, 1);
	struct llm_request req = {.messages = conv, .n_messages = 3};
	rc = llm_chat(c, &req, &r, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "plain: %d %s", rc, err);
	TK_CHECK(strcmp(r.text, "Forty-two.") == 0, "plain text %s", r.text);
	TK_CHECK(r.input_tokens == 12 && r.output_tokens == 34, "plain usage");
	TK_CHECK(same_cost(r.cost_usd, COST_12_34), "plain cost %.12f", r.cost_usd);
	TK_CHECK(r.stop == LLM_STOP_END && strcmp(r.stop_reason, "end_turn") == 0, "stop");
	TK_CHECK(strcmp(r.model, "claude-test-20250101") == 0, "model %s", r.model);
	llm_result_free(&r);
	check_request_seen(m, false, "plain");

	/* Streamed in 4-byte chunks, and byte by byte. */
	static const size_t chunks[] = {4, 1};
	for (size_t i = 0; i < 2; i++) {
		struct mock_reply s[] = {
			{.kind = MOCK_SSE, .body = reply_sse, .chunk_size = chunks[i]}};
		mock_reset(m);
		mock_script(m, s, 1);
		struct deltas d = {0};
		struct llm_request sreq = {.messages = conv,
					   .n_messages = 3,
					   .stream = true,
					   .on_delta = collect_delta,
					   .delta_ctx = &d};
		rc = llm_chat(c, &sreq, &r, err, sizeof(err));
		TK_CHECK(rc == LLM_OK, "stream/%zu: %d %s", chunks[i], rc, err);
		TK_CHECK(strcmp(d.text, "Forty-two.") == 0 && d.n == 4, "stream deltas %zu \"%s\"",
			 d.n, d.text);
		TK_CHECK(strcmp(r.text, "Forty-two.") == 0, "stream text %s", r.text);
		TK_CHECK(r.input_tokens == 12 && r.output_tokens == 34, "stream usage %llu %llu",
			 (unsigned long long)r.input_tokens, (unsigned long long)r.output_tokens);
		TK_CHECK(same_cost(r.cost_usd, COST_12_34), "stream cost %.12f", r.cost_usd);
		TK_CHECK(r.stop == LLM_STOP_END && strcmp(r.id, "msg_mock2") == 0,
			 "stream stop/id");
		llm_result_free(&r);
		check_request_seen(m, true, "stream");
	}

	/* A streamed tool call. */
	const struct llm_tool tool = {.name = "trace", .parameters_json = "{\"type\":\"object\"}"};
	struct mock_reply st[] = {{.kind = MOCK_SSE, .body = reply_sse_tool, .chunk_size = 6}};
	mock_reset(m);
	mock_script(m, st, 1);
	struct llm_request treq = {
		.messages = conv, .n_messages = 3, .stream = true, .tools = &tool, .n_tools = 1};
	rc = llm_chat(c, &treq, &r, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "tool stream: %s", err);
	TK_CHECK(r.n_tool_calls == 1 && r.stop == LLM_STOP_TOOL_USE, "tool calls %zu",
		 r.n_tool_calls);
	if (r.n_tool_calls == 1)
		TK_CHECK(strcmp(r.tool_calls[0].id, "toolu_1") == 0 &&
				 strcmp(r.tool_calls[0].arguments_json, "{\"pid\": 9}") == 0,
			 "tool call %s %s", r.tool_calls[0].id, r.tool_calls[0].arguments_json);
	TK_CHECK(r.input_tokens == 20 && r.output_tokens == 30, "tool usage");
	const struct mock_request *q = mock_request(m, 0);
	TK_CHECK(
		q && json_is_object(json_object_get(
			     json_array_get(json_object_get(q->json, "tools"), 0), "input_schema")),
		"input_schema not sent");
	llm_result_free(&r);

	/* An error event mid-stream: the message surfaces, no retry. */
	struct mock_reply se[] = {{.kind = MOCK_SSE, .body = reply_sse_error, .chunk_size = 16},
				  {.kind = MOCK_JSON, .body = reply_json}};
	mock_reset(m);
	mock_script(m, se, 2);
	struct deltas d = {0};
	struct llm_request ereq = {.messages = conv,
				   .n_messages = 3,
				   .stream = true,
				   .on_delta = collect_delta,
				   .delta_ctx = &d};
	rc = llm_chat(c, &ereq, &r, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_API, "stream error: %d %s", rc, err);
	TK_CHECK(strstr(err, "overloaded_error: Overloaded") != NULL, "message: %s", err);
	TK_CHECK(strcmp(r.text, "Par") == 0 && r.input_tokens == 12, "partial %s", r.text);
	TK_CHECK(r.attempts == 1 && mock_pending(m) == 1, "retried after delivering text");
	llm_result_free(&r);

	llm_client_free(c);
	mock_stop(m);
	return tk_finish();
}
