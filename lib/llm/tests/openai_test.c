/* openai_test: the client against the mock OpenAI chat-completions endpoint.
 *
 * A plain reply, a reply streamed a few bytes at a time (so that chunk
 * boundaries fall inside "data:" lines), the same with CRLF line ends, tool
 * calls, a stream request answered with plain JSON, per-request overrides, a
 * rejected key, a delta callback that stops the call, and totals kept right
 * by eight threads sharing one client. The server's record of each request
 * is checked as well as the result; token counts and costs are those the
 * mock sends, 12 in and 34 out at $3/$15 per Mtok: 12*3e-6 + 34*15e-6 =
 * $0.000546.
 */
#include "test_common.h"

#define COST_12_34 0.000546

static const char reply_json[] =
	"{\"id\":\"chatcmpl-mock1\",\"object\":\"chat.completion\",\"created\":1700000000,"
	"\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
	"\"content\":\"The answer is 42.\"},\"finish_reason\":\"stop\"}],"
	"\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,\"total_tokens\":46}}";

/* Five non-empty content deltas, a comment line, the stop, then the usage. */
static const char reply_sse[] =
	"data: {\"id\":\"chatcmpl-mock2\",\"object\":\"chat.completion.chunk\",\"created\":1,"
	"\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
	"\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n"
	": keep-alive comment\n\n"
	"data: {\"id\":\"chatcmpl-mock2\",\"object\":\"chat.completion.chunk\",\"created\":1,"
	"\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"The\"},"
	"\"finish_reason\":null}],\"usage\":null}\n\n"
	"data: {\"id\":\"chatcmpl-mock2\",\"object\":\"chat.completion.chunk\",\"created\":1,"
	"\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" answer\"},"
	"\"finish_reason\":null}],\"usage\":null}\n\n"
	"data: {\"id\":\"chatcmpl-mock2\",\"object\":\"chat.completion.chunk\",\"created\":1,"
	"\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" is\"},"
	"\"finish_reason\":null}],\"usage\":null}\n\n"
	"data: {\"id\":\"chatcmpl-mock2\",\"object\":\"chat.completion.chunk\",\"created\":1,"
	"\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" 42\"},"
	"\"finish_reason\":null}],\"usage\":null}\n\n"
	"data: {\"id\":\"chatcmpl-mock2\",\"object\":\"chat.completion.chunk\",\"created\":1,"
	"\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\".\"},"
	"\"finish_reason\":null}],\"usage\":null}\n\n"
	"data: {\"id\":\"chatcmpl-mock2\",\"object\":\"chat.completion.chunk\",\"created\":1,"
	"\"model\":\"gpt-test-0613\",\"choices\":[{\"index\":0,\"delta\":{},"
	"\"finish_reason\":\"length\"}],\"usage\":null}\n\n"
	"data: {\"id\":\"chatcmpl-mock2\",\"object\":\"chat.completion.chunk\",\"created\":1,"
	"\"model\":\"gpt-test-0613\",\"choices\":[],"
	"\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,\"total_tokens\":46}}\n\n"
	"data: [DONE]\n\n";

static const char reply_tool[] =
	"{\"id\":\"chatcmpl-mock3\",\"object\":\"chat.completion\",\"model\":\"gpt-test\","
	"\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
	"\"tool_calls\":[{\"id\":\"call_A\",\"type\":\"function\",\"function\":{\"name\":"
	"\"lookup\",\"arguments\":\"{\\\"pid\\\":7}\"}},{\"id\":\"call_B\",\"type\":\"function\","
	"\"function\":{\"name\":\"kill\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}"
	"],"
	"\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}";

static const struct llm_message two[] = {
	{.role = LLM_ROLE_SYSTEM, .content = "You are terse."},
	{.role = LLM_ROLE_USER, .content = "What is six times seven?"},
};

/* Replaces every "\n" of text by "\r\n" (caller frees). */
static char *crlf(const char *text)
{
	size_t n = strlen(text);
	char *out = malloc(2 * n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\n')
			out[o++] = '\r';
		out[o++] = text[i];
	}
	out[o] = '\0';
	return out;
}

static void test_plain(struct mock_server *m, struct llm_client *c)
{
	struct mock_reply script[] = {{.kind = MOCK_JSON, .body = reply_json}};
	mock_reset(m);
	mock_script(m, script, 1);
	struct llm_request req = {.messages = two, .n_messages = 2};
	struct llm_result r;
	char err[512];
	int rc = llm_chat(c, &req, &r, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "plain: %d %s", rc, err);
	TK_CHECK(strcmp(r.text, "The answer is 42.") == 0, "plain text \"%s\"", r.text);
	TK_CHECK(r.input_tokens == 12 && r.output_tokens == 34, "plain usage");
	TK_CHECK(same_cost(r.cost_usd, COST_12_34), "plain cost %.12f", r.cost_usd);
	TK_CHECK(r.attempts == 1 && r.http_status == 200, "attempts %u status %d", r.attempts,
		 r.http_status);
	TK_CHECK(strcmp(r.model, "gpt-test-0613") == 0 && strcmp(r.id, "chatcmpl-mock1") == 0,
		 "model %s id %s", r.model, r.id);
	TK_CHECK(r.stop == LLM_STOP_END, "stop %s", r.stop_reason);
	TK_CHECK(r.latency_ms > 0, "latency not measured");
	llm_result_free(&r);

	REQUIRE_VOID(mock_count(m) == 1, "server saw %zu requests", mock_count(m));
	const struct mock_request *q = mock_request(m, 0);
	TK_CHECK(q->problem[0] == '\0', "server found a problem: %s", q->problem);
	TK_CHECK(strcmp(q->path, "/v1/chat/completions") == 0, "path %s", q->path);
	TK_CHECK(strcmp(q->authorization, "Bearer " TEST_KEY) == 0, "auth %s", q->authorization);
	TK_CHECK(q->x_api_key[0] == '\0', "x-api-key sent to OpenAI");
	TK_CHECK(strcmp(q->accept, "application/json") == 0, "accept %s", q->accept);
	TK_CHECK(strcmp(json_string_value(json_object_get(q->json, "model")), "gpt-test") == 0,
		 "model sent");
	const json_t *msgs = json_object_get(q->json, "messages");
	TK_CHECK(json_array_size(msgs) == 2, "messages sent: %zu", json_array_size(msgs));
	TK_CHECK(strcmp(json_string_value(json_object_get(json_array_get(msgs, 0), "role")),
			"system") == 0,
		 "first role");
	TK_CHECK(strcmp(json_string_value(json_object_get(json_array_get(msgs, 1), "content")),
			"What is six times seven?") == 0,
		 "user content");
	TK_CHECK(!json_object_get(q->json, "stream") && !json_object_get(q->json, "max_tokens") &&
			 !json_object_get(q->json, "temperature"),
		 "optional fields sent: %s", q->body);
}

static void test_stream(struct mock_server *m, struct llm_client *c, const char *sse, size_t chunk,
			const char *label)
{
	struct mock_reply script[] = {{.kind = MOCK_SSE, .body = sse, .chunk_size = chunk}};
	mock_reset(m);
	mock_script(m, script, 1);
	struct deltas d = {0};
	struct llm_request req = {.messages = two,
				  .n_messages = 2,
				  .stream = true,
				  .on_delta = collect_delta,
				  .delta_ctx = &d};
	struct llm_result r;
	char err[512];
	int rc = llm_chat(c, &req, &r, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "%s: %d %s", label, rc, err);
	TK_CHECK(strcmp(d.text, "The answer is 42.") == 0, "%s: deltas \"%s\"", label, d.text);
	TK_CHECK(d.n == 5, "%s: %zu delta calls, the stream has 5 non-empty ones", label, d.n);
	TK_CHECK(strcmp(r.text, d.text) == 0, "%s: text \"%s\"", label, r.text);
	TK_CHECK(r.input_tokens == 12 && r.output_tokens == 34, "%s: usage %llu/%llu", label,
		 (unsigned long long)r.input_tokens, (unsigned long long)r.output_tokens);
	TK_CHECK(same_cost(r.cost_usd, COST_12_34), "%s: cost %.12f", label, r.cost_usd);
	TK_CHECK(r.stop == LLM_STOP_MAX_TOKENS && strcmp(r.stop_reason, "length") == 0,
		 "%s: stop %s", label, r.stop_reason);
	TK_CHECK(r.first_delta_ms > 0 && r.first_delta_ms <= r.latency_ms,
		 "%s: first delta %.3f latency %.3f", label, r.first_delta_ms, r.latency_ms);
	TK_CHECK(r.attempts == 1, "%s: attempts %u", label, r.attempts);
	llm_result_free(&r);
	REQUIRE_VOID(mock_count(m) == 1, "%s: server saw %zu", label, mock_count(m));
	const struct mock_request *q = mock_request(m, 0);
	TK_CHECK(q->problem[0] == '\0', "%s: server found: %s", label, q->problem);
	TK_CHECK(json_is_true(json_object_get(q->json, "stream")), "%s: stream not true", label);
	TK_CHECK(json_is_true(json_object_get(json_object_get(q->json, "stream_options"),
					      "include_usage")),
		 "%s: include_usage", label);
	TK_CHECK(strcmp(q->accept, "text/event-stream") == 0, "%s: accept %s", label, q->accept);
}

static void test_tools(struct mock_server *m, struct llm_client *c)
{
	struct mock_reply script[] = {{.kind = MOCK_JSON, .body = reply_tool}};
	mock_reset(m);
	mock_script(m, script, 1);
	const struct llm_tool tools[] = {
		{.name = "lookup",
		 .description = "Find a process",
		 .parameters_json =
			 "{\"type\":\"object\",\"properties\":{\"pid\":{\"type\":\"integer\"}}}"},
		{.name = "kill"},
	};
	struct llm_request req = {.messages = two, .n_messages = 2, .tools = tools, .n_tools = 2};
	struct llm_result r;
	char err[512];
	int rc = llm_chat(c, &req, &r, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "tools: %s", err);
	TK_CHECK(r.n_tool_calls == 2 && r.stop == LLM_STOP_TOOL_USE, "tool calls %zu",
		 r.n_tool_calls);
	if (r.n_tool_calls == 2) {
		TK_CHECK(strcmp(r.tool_calls[0].id, "call_A") == 0 &&
				 strcmp(r.tool_calls[0].name, "lookup") == 0 &&
				 strcmp(r.tool_calls[0].arguments_json, "{\"pid\":7}") == 0,
			 "first call %s %s", r.tool_calls[0].name, r.tool_calls[0].arguments_json);
		TK_CHECK(strcmp(r.tool_calls[1].name, "kill") == 0, "second call");
	}
	TK_CHECK(same_cost(r.cost_usd, 5 * 3e-6 + 6 * 15e-6), "cost %.12f", r.cost_usd);
	const struct mock_request *q = mock_request(m, 0);
	REQUIRE_VOID(q != NULL, "no request seen");
	const json_t *t = json_array_get(json_object_get(q->json, "tools"), 1);
	TK_CHECK(strcmp(json_string_value(json_object_get(t, "type")), "function") == 0 &&
			 strcmp(json_string_value(
					json_object_get(json_object_get(t, "function"), "name")),
				"kill") == 0,
		 "tools sent: %s", q->body);

	/* Send the conversation back with the tool result. */
	struct llm_message conv[] = {
		two[0],
		two[1],
		{.role = LLM_ROLE_ASSISTANT, .tool_calls = r.tool_calls, .n_tool_calls = 1},
		{.role = LLM_ROLE_TOOL, .tool_call_id = "call_A", .content = "{\"name\":\"bash\"}"},
	};
	struct mock_reply again[] = {{.kind = MOCK_JSON, .body = reply_json}};
	mock_reset(m);
	mock_script(m, again, 1);
	struct llm_request req2 = {.messages = conv, .n_messages = 4};
	struct llm_result r2;
	rc = llm_chat(c, &req2, &r2, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "tool result round: %s", err);
	q = mock_request(m, 0);
	REQUIRE_VOID(q != NULL, "no request seen");
	TK_CHECK(q->problem[0] == '\0', "server found: %s", q->problem);
	const json_t *tm = json_array_get(json_object_get(q->json, "messages"), 3);
	TK_CHECK(strcmp(json_string_value(json_object_get(tm, "tool_call_id")), "call_A") == 0,
		 "tool_call_id sent: %s", q->body);
	llm_result_free(&r2);
	llm_result_free(&r);
}

static void test_overrides_and_fallback(struct mock_server *m, struct llm_client *c)
{
	/* A stream request answered with one JSON body still gives one delta. */
	struct mock_reply script[] = {{.kind = MOCK_JSON, .body = reply_json}};
	mock_reset(m);
	mock_script(m, script, 1);
	struct deltas d = {0};
	struct llm_request req = {.messages = two,
				  .n_messages = 2,
				  .stream = true,
				  .on_delta = collect_delta,
				  .delta_ctx = &d,
				  .model = "gpt-other",
				  .max_output_tokens = 7};
	struct llm_result r;
	char err[512];
	int rc = llm_chat(c, &req, &r, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "fallback: %s", err);
	TK_CHECK(d.n == 1 && strcmp(d.text, "The answer is 42.") == 0, "fallback delta %zu %s", d.n,
		 d.text);
	llm_result_free(&r);
	const struct mock_request *q = mock_request(m, 0);
	REQUIRE_VOID(q != NULL, "no request seen");
	TK_CHECK(strcmp(json_string_value(json_object_get(q->json, "model")), "gpt-other") == 0,
		 "model override: %s", q->body);
	TK_CHECK(json_integer_value(json_object_get(q->json, "max_tokens")) == 7,
		 "max_tokens override: %s", q->body);
}

static void test_stop_from_callback(struct mock_server *m, struct llm_client *c)
{
	struct mock_reply script[] = {{.kind = MOCK_SSE, .body = reply_sse, .chunk_size = 40},
				      {.kind = MOCK_JSON, .body = reply_json}};
	mock_reset(m);
	mock_script(m, script, 2);
	struct deltas d = {.stop_after = 2};
	struct llm_request req = {.messages = two,
				  .n_messages = 2,
				  .stream = true,
				  .on_delta = collect_delta,
				  .delta_ctx = &d};
	struct llm_result r;
	char err[512];
	int rc = llm_chat(c, &req, &r, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_CANCELLED, "callback stop: %d %s", rc, err);
	TK_CHECK(d.n == 2 && strcmp(r.text, "The answer") == 0, "after stop: %zu \"%s\"", d.n,
		 r.text);
	TK_CHECK(r.attempts == 1 && mock_pending(m) == 1, "a stopped call was retried");
	llm_result_free(&r);
}

static void test_wrong_key(struct mock_server *m)
{
	struct llm_config cfg;
	test_config(&cfg, LLM_PROVIDER_OPENAI, m);
	snprintf(cfg.api_key, sizeof(cfg.api_key), "sk-wrong-key-000000");
	struct llm_client *c = NULL;
	char err[512];
	REQUIRE_VOID(llm_client_new(&cfg, &c, err, sizeof(err)) == LLM_OK, "%s", err);
	struct mock_reply script[] = {{.kind = MOCK_JSON, .body = reply_json}};
	mock_reset(m);
	mock_script(m, script, 1);
	struct llm_request req = {.messages = two, .n_messages = 2};
	struct llm_result r;
	int rc = llm_chat(c, &req, &r, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_HTTP && r.http_status == 400, "wrong key: %d %d", rc, r.http_status);
	TK_CHECK(strstr(err, "HTTP 400") && strstr(err, "bad Authorization header"),
		 "wrong key message: %s", err);
	TK_CHECK(!strstr(err, "sk-wrong-key-000000"), "key in message: %s", err);
	llm_result_free(&r);
	llm_client_free(c);
}

struct worker {
	struct llm_client *c;
	int failures;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 5; i++) {
		struct llm_request req = {.messages = two, .n_messages = 2};
		struct llm_result r;
		char err[256];
		if (llm_chat(w->c, &req, &r, err, sizeof(err)) != LLM_OK ||
		    strcmp(r.text, "The answer is 42.") != 0)
			w->failures++;
		llm_result_free(&r);
	}
	return NULL;
}

static void test_threads(struct mock_server *m, const struct llm_config *cfg)
{
	struct llm_client *c = NULL;
	char err[256];
	REQUIRE_VOID(llm_client_new(cfg, &c, err, sizeof(err)) == LLM_OK, "%s", err);
	struct mock_reply script[40];
	for (int i = 0; i < 40; i++)
		script[i] = (struct mock_reply){.kind = MOCK_JSON, .body = reply_json};
	mock_reset(m);
	mock_script(m, script, 40);
	pthread_t th[8];
	struct worker w[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){.c = c};
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	int failures = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		failures += w[i].failures;
	}
	TK_CHECK(failures == 0, "%d calls failed", failures);
	struct llm_totals t;
	llm_client_totals(c, &t);
	TK_CHECK(t.calls == 40 && t.failed_calls == 0 && t.attempts == 40, "calls %llu",
		 (unsigned long long)t.calls);
	TK_CHECK(t.input_tokens == 480 && t.output_tokens == 1360, "tokens %llu %llu",
		 (unsigned long long)t.input_tokens, (unsigned long long)t.output_tokens);
	TK_CHECK(fabs(t.cost_usd - 40 * COST_12_34) < 1e-10, "cost %.12f", t.cost_usd);
	TK_CHECK(mock_count(m) == 40 && mock_pending(m) == 0, "server saw %zu", mock_count(m));
	llm_client_free(c);
}

int main(void)
{
	struct mock_server *m = test_mock();
	struct llm_config cfg;
	test_config(&cfg, LLM_PROVIDER_OPENAI, m);
	struct llm_client *c = NULL;
	char err[256];
	TK_REQUIRE(llm_client_new(&cfg, &c, err, sizeof(err)) == LLM_OK, "client: %s", err);

	test_plain(m, c);
	test_stream(m, c, reply_sse, 3, "stream/3");
	test_stream(m, c, reply_sse, 1, "stream/1");
	char *sse_crlf = crlf(reply_sse);
	test_stream(m, c, sse_crlf, 7, "stream crlf/7");
	free(sse_crlf);
	test_tools(m, c);
	test_overrides_and_fallback(m, c);
	test_stop_from_callback(m, c);

	struct llm_totals t;
	llm_client_totals(c, &t);
	TK_CHECK(t.calls == 8 && t.failed_calls == 1, "totals: %llu calls, %llu failed",
		 (unsigned long long)t.calls, (unsigned long long)t.failed_calls);
	llm_client_free(c);

	test_wrong_key(m);
	test_threads(m, &cfg);
	mock_stop(m);
	return tk_finish();
}
