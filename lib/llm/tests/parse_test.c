/* parse_test: the two wire formats without any network.
 *
 * Responses and streams are the examples of the OpenAI API reference (chat
 * completion object, chunk object, function calling) and the Anthropic API
 * documentation (messages, streaming messages, tool use), so the expected
 * text, token counts and stop reasons come from those pages, not from this
 * code. Also: request bodies as each API documents them (system hoisting,
 * tool definitions and results), error bodies, malformed inputs, and the
 * redaction of keys from messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm_internal.h"
#include "testkit.h"

/* TK_REQUIRE for functions that return nothing. */
#define REQUIRE_VOID(cond, ...)                                                  \
	do {                                                                     \
		if (!(cond)) {                                                   \
			tk_check_failed(__FILE__, __LINE__, #cond, __VA_ARGS__); \
			return;                                                  \
		}                                                                \
	} while (0)

/* OpenAI API reference, "The chat completion object" (trailing comma fixed). */
static const char openai_completion[] =
	"{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion\",\"created\":1677652288,"
	"\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\","
	"\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
	"\"\\n\\nHello there, how may I assist you today?\"},\"logprobs\":null,"
	"\"finish_reason\":\"stop\"}],"
	"\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,\"total_tokens\":21}}";

/* OpenAI function calling guide: a reply that calls a tool. */
static const char openai_tool_call[] =
	"{\"id\":\"chatcmpl-abc123\",\"object\":\"chat.completion\",\"created\":1699896916,"
	"\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
	"\"content\":null,\"tool_calls\":[{\"id\":\"call_abc123\",\"type\":\"function\","
	"\"function\":{\"name\":\"get_current_weather\",\"arguments\":"
	"\"{\\n\\\"location\\\": \\\"Boston, MA\\\"\\n}\"}}]},\"logprobs\":null,"
	"\"finish_reason\":\"tool_calls\"}],"
	"\"usage\":{\"prompt_tokens\":82,\"completion_tokens\":17,\"total_tokens\":99}}";

/* OpenAI API reference, "The chat completion chunk object", streamed with
 * include_usage: the last chunk has empty choices and the usage. */
static const char openai_stream[] =
	"data: "
	"{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
	"\"model\":\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{"
	"\"index\":0,"
	"\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":"
	"null}],"
	"\"usage\":null}\n\n"
	"data: "
	"{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
	"\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},"
	"\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
	"data: "
	"{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
	"\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},"
	"\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
	"data: "
	"{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
	"\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
	"\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
	"data: "
	"{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,"
	"\"model\":\"gpt-4o-mini\",\"choices\":[],"
	"\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n"
	"data: [DONE]\n\n";

/* OpenAI streamed tool call: the arguments arrive in pieces under one index. */
static const char openai_stream_tool[] =
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,"
	"\"tool_calls\":[{\"index\":0,\"id\":\"call_DdmO9pD3xa9XTPNJ32zg2hcA\",\"type\":"
	"\"function\","
	"\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}"
	"\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
	"\"function\":{\"arguments\":\"{\\\"\"}}]},\"finish_reason\":null}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
	"\"function\":{\"arguments\":\"location\"}}]},\"finish_reason\":null}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
	"\"function\":{\"arguments\":\"\\\":\\\"Paris, "
	"France\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
	"data: [DONE]\n\n";

/* Anthropic Messages API reference, the example response. */
static const char anthropic_message[] =
	"{\"content\":[{\"text\":\"Hi! My name is Claude.\",\"type\":\"text\"}],"
	"\"id\":\"msg_013Zva2CMHLNnXjNJJKqJ2EF\",\"model\":\"claude-3-5-sonnet-20241022\","
	"\"role\":\"assistant\",\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
	"\"type\":\"message\",\"usage\":{\"input_tokens\":2095,\"output_tokens\":503}}";

/* Anthropic tool use guide: text, then a tool_use block. */
static const char anthropic_tool_use[] =
	"{\"id\":\"msg_01Aq9w938a90dw8q\",\"type\":\"message\",\"model\":\"claude-3-5-sonnet-"
	"20241022\","
	"\"stop_reason\":\"tool_use\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
	"\"text\":\"I need to use get_weather.\"},{\"type\":\"tool_use\","
	"\"id\":\"toolu_01A09q90qw90lq917835lq9\",\"name\":\"get_weather\","
	"\"input\":{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}}],"
	"\"usage\":{\"input_tokens\":384,\"output_tokens\":79}}";

/* Anthropic streaming documentation, "Basic streaming request". */
static const char anthropic_stream[] =
	"event: message_start\n"
	"data: {\"type\": \"message_start\", \"message\": {\"id\": "
	"\"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\", \"type\": \"message\", \"role\": "
	"\"assistant\", \"content\": [], \"model\": \"claude-3-5-sonnet-20241022\", "
	"\"stop_reason\": null, \"stop_sequence\": null, \"usage\": {\"input_tokens\": 25, "
	"\"output_tokens\": 1}}}\n\n"
	"event: content_block_start\n"
	"data: {\"type\": \"content_block_start\", \"index\": 0, \"content_block\": {\"type\": "
	"\"text\", \"text\": \"\"}}\n\n"
	"event: ping\n"
	"data: {\"type\": \"ping\"}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": "
	"\"text_delta\", \"text\": \"Hello\"}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": "
	"\"text_delta\", \"text\": \"!\"}}\n\n"
	"event: content_block_stop\n"
	"data: {\"type\": \"content_block_stop\", \"index\": 0}\n\n"
	"event: message_delta\n"
	"data: {\"type\": \"message_delta\", \"delta\": {\"stop_reason\": \"end_turn\", "
	"\"stop_sequence\":null}, \"usage\": {\"output_tokens\": 15}}\n\n"
	"event: message_stop\n"
	"data: {\"type\": \"message_stop\"}\n\n";

/* Anthropic streaming documentation, tool use: input_json_delta pieces. */
static const char anthropic_stream_tool[] =
	"event: message_start\n"
	"data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_014p7gG3wDgGV9EUtLvnow3U\","
	"\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-haiku-20240307\","
	"\"stop_sequence\":null,\"usage\":{\"input_tokens\":472,\"output_tokens\":2},"
	"\"content\":[],\"stop_reason\":null}}\n\n"
	"event: content_block_start\n"
	"data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
	"\"text\":\"\"}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
	"\"text\":\"Okay\"}}\n\n"
	"event: content_block_stop\n"
	"data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	"event: content_block_start\n"
	"data: "
	"{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
	"\"id\":\"toolu_01T1x1fJ34qAmk2tNTrN7Up6\",\"name\":\"get_weather\",\"input\":{}}}\n\n"
	"event: content_block_delta\n"
	"data: "
	"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
	"\"partial_json\":\"\"}}\n\n"
	"event: content_block_delta\n"
	"data: "
	"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
	"\"partial_json\":\"{\\\"location\\\":\"}}\n\n"
	"event: content_block_delta\n"
	"data: "
	"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
	"\"partial_json\":\" \\\"San Francisco, CA\\\"}\"}}\n\n"
	"event: content_block_stop\n"
	"data: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
	"event: message_delta\n"
	"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
	"\"stop_sequence\":null},\"usage\":{\"output_tokens\":89}}\n\n"
	"event: message_stop\n"
	"data: {\"type\":\"message_stop\"}\n\n";

struct deltas {
	char text[256];
	size_t n;
};

static int collect(const char *text, size_t len, void *ctx)
{
	struct deltas *d = ctx;
	size_t have = strlen(d->text);
	snprintf(d->text + have, sizeof(d->text) - have, "%.*s", (int)len, text);
	d->n++;
	return 0;
}

/* Streams text through llm_stream in pieces of `piece` bytes. */
static int stream_parse(enum llm_provider p, const char *text, size_t piece, struct llm_result *res,
			struct deltas *d, char *err, size_t errlen)
{
	struct llm_stream s;
	memset(res, 0, sizeof(*res));
	memset(d, 0, sizeof(*d));
	llm_stream_init(&s, p, res, 1 << 20, collect, d);
	size_t len = strlen(text);
	int rc = LLM_OK;
	for (size_t at = 0; at < len && rc == LLM_OK; at += piece)
		rc = llm_stream_feed(&s, text + at, len - at < piece ? len - at : piece, err,
				     errlen);
	int frc = llm_stream_finish(&s, err, errlen);
	llm_stream_free(&s);
	return rc != LLM_OK ? rc : frc;
}

static void test_documented_responses(void)
{
	struct llm_result r = {0};
	char err[256];
	int rc = llm_parse_response(LLM_PROVIDER_OPENAI, openai_completion,
				    strlen(openai_completion), &r, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "openai completion: %s", err);
	TK_CHECK(strcmp(r.text, "\n\nHello there, how may I assist you today?") == 0, "text %s",
		 r.text);
	TK_CHECK(r.text_len == strlen(r.text), "text_len");
	TK_CHECK(r.input_tokens == 9 && r.output_tokens == 12 && r.usage_reported,
		 "usage %llu %llu", (unsigned long long)r.input_tokens,
		 (unsigned long long)r.output_tokens);
	TK_CHECK(r.stop == LLM_STOP_END && strcmp(r.stop_reason, "stop") == 0, "stop %s",
		 r.stop_reason);
	TK_CHECK(strcmp(r.model, "gpt-4o-mini") == 0 && strcmp(r.id, "chatcmpl-123") == 0,
		 "model %s id %s", r.model, r.id);
	llm_result_free(&r);

	rc = llm_parse_response(LLM_PROVIDER_OPENAI, openai_tool_call, strlen(openai_tool_call), &r,
				err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "openai tool call: %s", err);
	TK_CHECK(r.text_len == 0 && r.text && r.text[0] == '\0', "null content gives \"\"");
	REQUIRE_VOID(r.n_tool_calls == 1, "tool calls %zu", r.n_tool_calls);
	TK_CHECK(strcmp(r.tool_calls[0].id, "call_abc123") == 0, "id %s", r.tool_calls[0].id);
	TK_CHECK(strcmp(r.tool_calls[0].name, "get_current_weather") == 0, "name");
	TK_CHECK(strcmp(r.tool_calls[0].arguments_json, "{\n\"location\": \"Boston, MA\"\n}") == 0,
		 "arguments %s", r.tool_calls[0].arguments_json);
	TK_CHECK(r.stop == LLM_STOP_TOOL_USE, "stop %s", r.stop_reason);
	llm_result_free(&r);

	rc = llm_parse_response(LLM_PROVIDER_ANTHROPIC, anthropic_message,
				strlen(anthropic_message), &r, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "anthropic message: %s", err);
	TK_CHECK(strcmp(r.text, "Hi! My name is Claude.") == 0, "text %s", r.text);
	TK_CHECK(r.input_tokens == 2095 && r.output_tokens == 503, "usage");
	TK_CHECK(r.stop == LLM_STOP_END && strcmp(r.stop_reason, "end_turn") == 0, "stop");
	TK_CHECK(strcmp(r.id, "msg_013Zva2CMHLNnXjNJJKqJ2EF") == 0, "id %s", r.id);
	llm_result_free(&r);

	rc = llm_parse_response(LLM_PROVIDER_ANTHROPIC, anthropic_tool_use,
				strlen(anthropic_tool_use), &r, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "anthropic tool use: %s", err);
	TK_CHECK(strcmp(r.text, "I need to use get_weather.") == 0, "text %s", r.text);
	REQUIRE_VOID(r.n_tool_calls == 1, "tool calls %zu", r.n_tool_calls);
	TK_CHECK(strcmp(r.tool_calls[0].id, "toolu_01A09q90qw90lq917835lq9") == 0, "id");
	/* The input object comes back as JSON text; compare as JSON. */
	json_t *args = json_loads(r.tool_calls[0].arguments_json, 0, NULL);
	json_t *want = json_pack("{s:s, s:s}", "location", "San Francisco, CA", "unit", "celsius");
	TK_CHECK(json_equal(args, want), "arguments %s", r.tool_calls[0].arguments_json);
	json_decref(args);
	json_decref(want);
	TK_CHECK(r.stop == LLM_STOP_TOOL_USE, "stop %s", r.stop_reason);
	llm_result_free(&r);
}

static void test_documented_streams(void)
{
	struct llm_result r;
	struct deltas d;
	char err[256];
	static const size_t pieces[] = {1, 3, 7, 64, 100000};
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		size_t piece = pieces[i];
		int rc = stream_parse(LLM_PROVIDER_OPENAI, openai_stream, piece, &r, &d, err,
				      sizeof(err));
		TK_CHECK(rc == LLM_OK, "openai stream /%zu: %s", piece, err);
		TK_CHECK(strcmp(r.text, "Hello!") == 0 && strcmp(d.text, "Hello!") == 0,
			 "openai stream /%zu: text %s deltas %s", piece, r.text, d.text);
		TK_CHECK(d.n == 2, "openai stream: %zu deltas (empty content is none)", d.n);
		TK_CHECK(r.input_tokens == 9 && r.output_tokens == 2, "openai stream usage");
		TK_CHECK(r.stop == LLM_STOP_END, "openai stream stop %s", r.stop_reason);
		llm_result_free(&r);

		rc = stream_parse(LLM_PROVIDER_ANTHROPIC, anthropic_stream, piece, &r, &d, err,
				  sizeof(err));
		TK_CHECK(rc == LLM_OK, "anthropic stream /%zu: %s", piece, err);
		TK_CHECK(strcmp(r.text, "Hello!") == 0 && d.n == 2, "anthropic text %s (%zu)",
			 r.text, d.n);
		TK_CHECK(r.input_tokens == 25 && r.output_tokens == 15, "anthropic usage %llu %llu",
			 (unsigned long long)r.input_tokens, (unsigned long long)r.output_tokens);
		TK_CHECK(r.stop == LLM_STOP_END, "anthropic stop %s", r.stop_reason);
		TK_CHECK(strcmp(r.model, "claude-3-5-sonnet-20241022") == 0, "model %s", r.model);
		llm_result_free(&r);
	}

	int rc = stream_parse(LLM_PROVIDER_OPENAI, openai_stream_tool, 5, &r, &d, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "openai tool stream: %s", err);
	TK_CHECK(r.n_tool_calls == 1 && r.stop == LLM_STOP_TOOL_USE, "openai tool stream calls");
	if (r.n_tool_calls == 1) {
		TK_CHECK(strcmp(r.tool_calls[0].id, "call_DdmO9pD3xa9XTPNJ32zg2hcA") == 0, "id");
		TK_CHECK(strcmp(r.tool_calls[0].name, "get_weather") == 0, "name");
		TK_CHECK(strcmp(r.tool_calls[0].arguments_json,
				"{\"location\":\"Paris, France\"}") == 0,
			 "arguments %s", r.tool_calls[0].arguments_json);
	}
	llm_result_free(&r);

	rc = stream_parse(LLM_PROVIDER_ANTHROPIC, anthropic_stream_tool, 4, &r, &d, err,
			  sizeof(err));
	TK_CHECK(rc == LLM_OK, "anthropic tool stream: %s", err);
	TK_CHECK(strcmp(r.text, "Okay") == 0, "text %s", r.text);
	TK_CHECK(r.n_tool_calls == 1 && r.stop == LLM_STOP_TOOL_USE, "anthropic tool calls %zu",
		 r.n_tool_calls);
	if (r.n_tool_calls == 1) {
		TK_CHECK(strcmp(r.tool_calls[0].name, "get_weather") == 0, "name");
		TK_CHECK(strcmp(r.tool_calls[0].arguments_json,
				"{\"location\": \"San Francisco, CA\"}") == 0,
			 "arguments %s", r.tool_calls[0].arguments_json);
	}
	TK_CHECK(r.input_tokens == 472 && r.output_tokens == 89, "usage");
	llm_result_free(&r);
}

static void test_broken_streams(void)
{
	struct llm_result r;
	struct deltas d;
	char err[256];
	/* Cut before [DONE]: the text so far is kept and the error says what is missing. */
	const char *done = strstr(openai_stream, "data: [DONE]");
	char *cut = strndup(openai_stream, (size_t)(done - openai_stream));
	int rc = stream_parse(LLM_PROVIDER_OPENAI, cut, 9, &r, &d, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_TRUNCATED && strstr(err, "[DONE]"), "no [DONE]: %d %s", rc, err);
	TK_CHECK(strcmp(r.text, "Hello!") == 0, "partial text %s", r.text);
	llm_result_free(&r);
	free(cut);

	const char *stop = strstr(anthropic_stream, "event: message_stop");
	cut = strndup(anthropic_stream, (size_t)(stop - anthropic_stream));
	rc = stream_parse(LLM_PROVIDER_ANTHROPIC, cut, 9, &r, &d, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_TRUNCATED && strstr(err, "message_stop"), "no stop: %d %s", rc, err);
	TK_CHECK(r.output_tokens == 15, "usage before the cut is kept");
	llm_result_free(&r);
	free(cut);

	/* A data line that is not JSON. */
	rc = stream_parse(LLM_PROVIDER_OPENAI, "data: {\"choices\":[\n\ndata: [DONE]\n\n", 4, &r,
			  &d, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_PARSE && strstr(err, "not a JSON object"), "bad JSON: %d %s", rc,
		 err);
	llm_result_free(&r);

	/* Errors inside a stream, in each API's documented shape. */
	rc = stream_parse(LLM_PROVIDER_ANTHROPIC,
			  "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": "
			  "\"overloaded_error\", \"message\": \"Overloaded\"}}\n\n",
			  6, &r, &d, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_API && strstr(err, "overloaded_error: Overloaded"), "%d %s", rc,
		 err);
	llm_result_free(&r);
	rc = stream_parse(LLM_PROVIDER_OPENAI,
			  "data: {\"error\":{\"message\":\"The server had an error\",\"type\":"
			  "\"server_error\"}}\n\n",
			  6, &r, &d, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_API && strstr(err, "The server had an error"), "%d %s", rc, err);
	llm_result_free(&r);

	/* Data after the end marker is ignored. */
	rc = stream_parse(LLM_PROVIDER_OPENAI, "data: [DONE]\n\ndata: garbage\n\n", 3, &r, &d, err,
			  sizeof(err));
	TK_CHECK(rc == LLM_OK, "after [DONE]: %d %s", rc, err);
	llm_result_free(&r);

	/* An input_json_delta for a block never started. */
	rc = stream_parse(LLM_PROVIDER_ANTHROPIC,
			  "data: {\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":"
			  "\"input_json_delta\",\"partial_json\":\"{\"}}\n\n",
			  100, &r, &d, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_PARSE, "orphan input_json_delta: %d %s", rc, err);
	llm_result_free(&r);
}

static void test_malformed_responses(void)
{
	static const struct {
		enum llm_provider p;
		int rc;
		const char *body;
		const char *says;
	} cases[] = {
		{LLM_PROVIDER_OPENAI, LLM_ERR_PARSE, "", "not JSON"},
		{LLM_PROVIDER_OPENAI, LLM_ERR_PARSE, "<html>502 Bad Gateway</html>", "not JSON"},
		{LLM_PROVIDER_OPENAI, LLM_ERR_PARSE,
		 "{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"hi\"", "not JSON"},
		{LLM_PROVIDER_OPENAI, LLM_ERR_PARSE, "[1,2]", "not a JSON object"},
		{LLM_PROVIDER_OPENAI, LLM_ERR_PARSE, "{\"choices\":[]}", "choices"},
		{LLM_PROVIDER_OPENAI, LLM_ERR_PARSE,
		 "{\"choices\":[{\"message\":{\"content\":5}}]}", "content"},
		{LLM_PROVIDER_OPENAI, LLM_ERR_PARSE,
		 "{\"choices\":[{\"message\":{\"tool_calls\":[{}]}}]}", "tool_calls[0]"},
		{LLM_PROVIDER_ANTHROPIC, LLM_ERR_PARSE, "{\"type\":\"message\"}", "content"},
		{LLM_PROVIDER_ANTHROPIC, LLM_ERR_PARSE, "{\"type\":\"completion\",\"content\":[]}",
		 "message"},
		{LLM_PROVIDER_ANTHROPIC, LLM_ERR_PARSE,
		 "{\"type\":\"message\",\"content\":[{\"type\":\"text\"}]}", "content[0]"},
		{LLM_PROVIDER_ANTHROPIC, LLM_ERR_API,
		 "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
		 "\"Overloaded\"}}",
		 "overloaded_error: Overloaded"},
		{LLM_PROVIDER_OPENAI, LLM_ERR_PARSE,
		 "{\"choices\":[{\"message\":{\"content\":\"a\\u0000b\"}}]}", "not JSON"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct llm_result r = {0};
		char err[256] = "";
		int rc = llm_parse_response(cases[i].p, cases[i].body, strlen(cases[i].body), &r,
					    err, sizeof(err));
		TK_CHECK(rc == cases[i].rc, "case %zu: rc %d, expected %d (%s)", i, rc, cases[i].rc,
			 err);
		TK_CHECK(strstr(err, cases[i].says) != NULL, "case %zu: \"%s\" lacks \"%s\"", i,
			 err, cases[i].says);
		llm_result_free(&r);
	}
	/* A body of NUL bytes is bad JSON too, not a crash. */
	struct llm_result r = {0};
	char err[128];
	char zeros[8] = {0};
	TK_CHECK(llm_parse_response(LLM_PROVIDER_ANTHROPIC, zeros, sizeof(zeros), &r, err,
				    sizeof(err)) == LLM_ERR_PARSE,
		 "NUL bytes");
	llm_result_free(&r);
}

static void test_error_bodies(void)
{
	char out[256];
	/* Anthropic errors documentation. */
	const char *a = "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":"
			"\"The requested resource could not be found.\"}}";
	llm_describe_error_body(a, strlen(a), out, sizeof(out));
	TK_CHECK(strcmp(out, "not_found_error: The requested resource could not be found.") == 0,
		 "anthropic error: %s", out);
	/* OpenAI error codes guide. */
	const char *o = "{\"error\":{\"message\":\"You exceeded your current quota, please check "
			"your plan and billing details.\",\"type\":\"insufficient_quota\","
			"\"param\":null,\"code\":\"insufficient_quota\"}}";
	llm_describe_error_body(o, strlen(o), out, sizeof(out));
	TK_CHECK(strncmp(out, "insufficient_quota: You exceeded your current quota", 51) == 0,
		 "openai error: %s", out);
	const char *s = "{\"error\":\"model not loaded\"}";
	llm_describe_error_body(s, strlen(s), out, sizeof(out));
	TK_CHECK(strcmp(out, "model not loaded") == 0, "string error: %s", out);
	const char *html = "<html>\r\n<b>502</b></html>";
	llm_describe_error_body(html, strlen(html), out, sizeof(out));
	TK_CHECK(strcmp(out, "body \"<html>..<b>502</b></html>\"") == 0, "html: %s", out);
	llm_describe_error_body(NULL, 0, out, sizeof(out));
	TK_CHECK(strcmp(out, "(empty body)") == 0, "empty: %s", out);
}

/* Returns the parsed request body for cfg and req, or NULL (err says why). */
static json_t *request_json(const struct llm_config *cfg, const struct llm_request *req, int *rc,
			    char *err, size_t errlen)
{
	char *text = NULL;
	*rc = llm_build_request(cfg, req, &text, err, errlen);
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return j;
}

static void test_requests(void)
{
	struct llm_config cfg;
	char err[256];
	int rc;
	const struct llm_tool_call earlier = {
		.id = "call_1", .name = "get_weather", .arguments_json = "{\"city\":\"Oslo\"}"};
	const struct llm_message msgs[] = {
		{.role = LLM_ROLE_SYSTEM, .content = "Be brief."},
		{.role = LLM_ROLE_USER, .content = "Weather in Oslo?"},
		{.role = LLM_ROLE_ASSISTANT, .tool_calls = &earlier, .n_tool_calls = 1},
		{.role = LLM_ROLE_TOOL, .tool_call_id = "call_1", .content = "4 C, rain"},
		{.role = LLM_ROLE_SYSTEM, .content = "Answer in English."},
	};
	const struct llm_tool tool = {
		.name = "get_weather",
		.description = "Current weather",
		.parameters_json =
			"{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"};
	struct llm_request req = {.messages = msgs, .n_messages = 5, .tools = &tool, .n_tools = 1};

	/* OpenAI: roles kept in order, tools as functions, nothing optional sent. */
	llm_config_defaults(&cfg, LLM_PROVIDER_OPENAI);
	json_t *j = request_json(&cfg, &req, &rc, err, sizeof(err));
	REQUIRE_VOID(rc == LLM_OK && j, "openai request: %s", err);
	json_t *want = json_loads(
		"{\"model\":\"gpt-4o-mini\",\"messages\":["
		"{\"role\":\"system\",\"content\":\"Be brief.\"},"
		"{\"role\":\"user\",\"content\":\"Weather in Oslo?\"},"
		"{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
		"\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
		"\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},"
		"{\"role\":\"tool\",\"content\":\"4 C, rain\",\"tool_call_id\":\"call_1\"},"
		"{\"role\":\"system\",\"content\":\"Answer in English.\"}],"
		"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
		"\"description\":\"Current weather\",\"parameters\":{\"type\":\"object\","
		"\"properties\":{\"city\":{\"type\":\"string\"}}}}}]}",
		0, NULL);
	TK_CHECK(json_equal(j, want), "openai body differs from the documented shape");
	json_decref(j);
	json_decref(want);

	/* OpenAI streaming with options. */
	cfg.max_output_tokens = 50;
	cfg.temperature = 0.5;
	req.stream = true;
	req.n_tools = 0;
	j = request_json(&cfg, &req, &rc, err, sizeof(err));
	TK_CHECK(json_integer_value(json_object_get(j, "max_tokens")) == 50, "max_tokens");
	TK_CHECK(json_real_value(json_object_get(j, "temperature")) == 0.5, "temperature");
	TK_CHECK(json_is_true(json_object_get(j, "stream")), "stream");
	TK_CHECK(json_is_true(
			 json_object_get(json_object_get(j, "stream_options"), "include_usage")),
		 "include_usage");
	TK_CHECK(!json_object_get(j, "tools"), "tools sent without any");
	json_decref(j);

	/* Anthropic: system hoisted and joined, tool_use and tool_result blocks. */
	llm_config_defaults(&cfg, LLM_PROVIDER_ANTHROPIC);
	req.stream = false;
	req.n_tools = 1;
	j = request_json(&cfg, &req, &rc, err, sizeof(err));
	REQUIRE_VOID(rc == LLM_OK && j, "anthropic request: %s", err);
	want = json_loads(
		"{\"model\":\"claude-3-5-haiku-latest\",\"max_tokens\":1024,"
		"\"system\":\"Be brief.\\n\\nAnswer in English.\",\"messages\":["
		"{\"role\":\"user\",\"content\":\"Weather in Oslo?\"},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"call_1\","
		"\"name\":\"get_weather\",\"input\":{\"city\":\"Oslo\"}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"call_"
		"1\","
		"\"content\":\"4 C, rain\"}]}],"
		"\"tools\":[{\"name\":\"get_weather\",\"description\":\"Current weather\","
		"\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":"
		"\"string\"}}}}]}",
		0, NULL);
	TK_CHECK(json_equal(j, want), "anthropic body differs from the documented shape");
	json_decref(j);
	json_decref(want);

	/* Refusals, each naming the problem. */
	struct llm_message one = {.role = LLM_ROLE_USER, .content = "hi"};
	struct llm_request bad = {.messages = &one, .n_messages = 0};
	json_decref(request_json(&cfg, &bad, &rc, err, sizeof(err)));
	TK_CHECK(rc == LLM_ERR_INVALID && strstr(err, "no messages"), "no messages: %s", err);
	struct llm_message tool_no_id = {.role = LLM_ROLE_TOOL, .content = "x"};
	bad = (struct llm_request){.messages = &tool_no_id, .n_messages = 1};
	json_decref(request_json(&cfg, &bad, &rc, err, sizeof(err)));
	TK_CHECK(rc == LLM_ERR_INVALID && strstr(err, "tool_call_id"), "tool no id: %s", err);
	struct llm_message bad_utf8 = {.role = LLM_ROLE_USER, .content = "\xff\xfe"};
	bad = (struct llm_request){.messages = &bad_utf8, .n_messages = 1};
	json_decref(request_json(&cfg, &bad, &rc, err, sizeof(err)));
	TK_CHECK(rc == LLM_ERR_INVALID && strstr(err, "UTF-8"), "bad UTF-8: %s", err);
	const struct llm_tool bad_tool = {.name = "t", .parameters_json = "{not json"};
	bad = (struct llm_request){
		.messages = &one, .n_messages = 1, .tools = &bad_tool, .n_tools = 1};
	json_decref(request_json(&cfg, &bad, &rc, err, sizeof(err)));
	TK_CHECK(rc == LLM_ERR_INVALID && strstr(err, "tool t"), "bad schema: %s", err);
	struct llm_message only_system = {.role = LLM_ROLE_SYSTEM, .content = "x"};
	bad = (struct llm_request){.messages = &only_system, .n_messages = 1};
	json_decref(request_json(&cfg, &bad, &rc, err, sizeof(err)));
	TK_CHECK(rc == LLM_ERR_INVALID, "anthropic with only system text: %d", rc);
}

static void test_redact(void)
{
	const char *key = "sk-proj-ABCDEFGHIJKLMNOP";
	char s[128];
	snprintf(s, sizeof(s), "Incorrect API key provided: %s. Check it.", key);
	llm_redact(s, sizeof(s), key);
	TK_CHECK(strcmp(s, "Incorrect API key provided: [redacted]. Check it.") == 0, "%s", s);
	/* Cut by truncation: the first part alone is hidden too. */
	snprintf(s, sizeof(s), "key sk-proj-ABCDEF");
	llm_redact(s, sizeof(s), key);
	TK_CHECK(strcmp(s, "key [redacted]") == 0, "tail: %s", s);
	snprintf(s, sizeof(s), "\"sk-proj-ABCDEFG\"... and %s%s", key, key);
	llm_redact(s, sizeof(s), key);
	TK_CHECK(strcmp(s, "\"[redacted]\"... and [redacted][redacted]") == 0, "many: %s", s);
	/* A small buffer: the mark itself may be cut, the key never survives. */
	char small[16] = "k=";
	memcpy(small + 2, key, sizeof(small) - 3); /* what snprintf would keep */
	small[sizeof(small) - 1] = '\0';
	llm_redact(small, sizeof(small), key);
	TK_CHECK(strstr(small, "ABCD") == NULL && strncmp(small, "k=[redacted]", 12) == 0,
		 "small: %s", small);
	/* Too short a secret to redact safely. */
	snprintf(s, sizeof(s), "abc abc");
	llm_redact(s, sizeof(s), "abc");
	TK_CHECK(strcmp(s, "abc abc") == 0, "short secret: %s", s);
}

int main(void)
{
	test_documented_responses();
	test_documented_streams();
	test_broken_streams();
	test_malformed_responses();
	test_error_bodies();
	test_requests();
	test_redact();
	return tk_finish();
}
