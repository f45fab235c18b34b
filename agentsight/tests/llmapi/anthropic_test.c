/* as_llmapi_anthropic: the Anthropic Messages API, whole and streamed.
 *
 * The fixtures reproduce the examples of Anthropic's documentation: the
 * Messages API reference, the tool-use guide (the get_weather exchange and
 * its tool_result follow-up), the prompt-caching guide (system blocks with
 * cache_control, usage with cache_creation_input_tokens), the vision guide
 * and the streaming guide (the basic event flow and the tool-use stream with
 * input_json_delta). Expected values are read off those examples.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static void basic(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_ANTHROPIC_MESSAGES, "anthropic_request_basic.json") ==
			 0,
		 "request");
	FX_INT(ex.api, AS_LLM_API_ANTHROPIC_MESSAGES);
	FX_STR(ex.model, "claude-sonnet-4-20250514");
	TK_CHECK(!ex.stream, "not streamed");
	FX_INT(ex.n_messages, 1);
	if (ex.n_messages == 1) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_USER);
		FX_STR(ex.messages[0].text, "Hello, world");
	}
	TK_CHECK(fx_response(&ex, 200, "anthropic_response_basic.json") == 0, "response");
	FX_STR(ex.reply.text, "Hi! My name is Claude.");
	FX_INT(ex.reply.n_tool_calls, 0);
	FX_STR(ex.stop_reason, "end_turn");
	FX_STR(ex.response_id, "msg_013Zva2CMHLNnXjNJJKqJ2EF");
	TK_CHECK(ex.usage.reported, "usage");
	FX_INT(ex.usage.input_tokens, 2095);
	FX_INT(ex.usage.output_tokens, 503);
	FX_INT(ex.usage.cache_read_tokens, 0);
	FX_INT(ex.usage.cache_write_tokens, 0);
	TK_CHECK(ex.response_complete, "complete");
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

static void tools(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_ANTHROPIC_MESSAGES, "anthropic_request_tools.json") ==
			 0,
		 "request");
	FX_STR(ex.model, "claude-opus-4-1-20250805");
	FX_INT(ex.n_tools, 1);
	if (ex.n_tools == 1)
		FX_STR(ex.tool_names[0], "get_weather");
	FX_INT(ex.n_messages, 1);
	TK_CHECK(fx_response(&ex, 200, "anthropic_response_tools.json") == 0, "response");
	FX_STR(ex.reply.text, "I'll check the current weather in San Francisco for you.");
	FX_INT(ex.reply.n_tool_calls, 1);
	if (ex.reply.n_tool_calls == 1) {
		FX_STR(ex.reply.tool_calls[0].id, "toolu_01A09q90qw90lq917835lq9");
		FX_STR(ex.reply.tool_calls[0].name, "get_weather");
		/* The input object as compact JSON, keys in the order sent. */
		FX_STR(ex.reply.tool_calls[0].arguments,
		       "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}");
	}
	FX_STR(ex.stop_reason, "tool_use");
	FX_STR(ex.response_id, "msg_01Aq9w938a90dw8q");
	TK_CHECK(!ex.usage.reported, "this example has no usage");
	FX_INT(ex.usage.input_tokens, 0);
	as_llm_exchange_clear(&ex);
}

static void system_cache(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_ANTHROPIC_MESSAGES,
			    "anthropic_request_system_cache.json") == 0,
		 "request");
	FX_INT(ex.n_messages, 2);
	if (ex.n_messages == 2) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_SYSTEM);
		FX_STR(ex.messages[0].text,
		       "You are an AI assistant tasked with analyzing literary works. Your goal is "
		       "to "
		       "provide insightful commentary on themes, characters, and writing style.\n\n"
		       "<the entire contents of 'Pride and Prejudice'>");
		FX_INT(ex.messages[1].role, AS_LLM_ROLE_USER);
		FX_STR(ex.messages[1].text, "Analyze the major themes in 'Pride and Prejudice'.");
	}
	TK_CHECK(fx_response(&ex, 200, "anthropic_response_cache.json") == 0, "response");
	/* exchange.h: input counts cached tokens too, 21 + 188086 + 0. */
	FX_INT(ex.usage.input_tokens, 188107);
	FX_INT(ex.usage.cache_write_tokens, 188086);
	FX_INT(ex.usage.cache_read_tokens, 0);
	FX_INT(ex.usage.output_tokens, 393);
	as_llm_exchange_clear(&ex);
}

static void image(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_ANTHROPIC_MESSAGES, "anthropic_request_image.json") ==
			 0,
		 "request");
	TK_CHECK(ex.stream, "stream: true");
	FX_INT(ex.n_messages, 1);
	if (ex.n_messages == 1)
		FX_STR(ex.messages[0].text, "[image]\nDescribe this image.");
	as_llm_exchange_clear(&ex);
}

static void error_body(void)
{
	struct as_llm_exchange ex = {0};
	ex.api = AS_LLM_API_ANTHROPIC_MESSAGES;
	TK_CHECK(fx_response(&ex, 404, "anthropic_error_404.json") == 0, "error body read");
	FX_STR(ex.error, "The requested resource could not be found.");
	FX_STR(ex.reply.text, NULL);
	FX_INT(ex.http_status, 404);
	as_llm_exchange_clear(&ex);
}

static void stream_basic(void)
{
	struct as_llm_exchange ex = {0};
	int bad = -1;
	ex.api = AS_LLM_API_ANTHROPIC_MESSAGES;
	FX_INT(fx_stream(&ex, "anthropic_stream_basic.sse", false, &bad), 8);
	FX_INT(bad, 0);
	FX_STR(ex.reply.text, "Hello!");
	FX_STR(ex.response_id, "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY");
	FX_STR(ex.model, "claude-opus-4-1-20250805");
	FX_STR(ex.stop_reason, "end_turn");
	TK_CHECK(ex.usage.reported, "usage");
	FX_INT(ex.usage.input_tokens, 25);
	FX_INT(ex.usage.output_tokens, 15); /* message_delta's count is cumulative */
	TK_CHECK(ex.response_complete, "message_stop seen");
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

static void stream_tools(void)
{
	struct as_llm_exchange ex = {0};
	int bad = -1;
	ex.api = AS_LLM_API_ANTHROPIC_MESSAGES;
	fx_stream(&ex, "anthropic_stream_tools.sse", false, &bad);
	FX_INT(bad, 0);
	FX_STR(ex.reply.text, "Okay, let's check the weather for San Francisco, CA:");
	FX_INT(ex.reply.n_tool_calls, 1);
	if (ex.reply.n_tool_calls == 1) {
		FX_STR(ex.reply.tool_calls[0].id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
		FX_STR(ex.reply.tool_calls[0].name, "get_weather");
		/* partial_json pieces concatenated as sent */
		FX_STR(ex.reply.tool_calls[0].arguments,
		       "{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}");
	}
	FX_STR(ex.stop_reason, "tool_use");
	FX_STR(ex.response_id, "msg_014p7gG3wDgGV9EUtLvnow3U");
	FX_INT(ex.usage.input_tokens, 472);
	FX_INT(ex.usage.output_tokens, 89);
	TK_CHECK(ex.response_complete, "complete");
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

static void stream_error(void)
{
	struct as_llm_exchange ex = {0};
	fx_stream(&ex, "anthropic_stream_error.sse", false, NULL);
	FX_INT(ex.api, AS_LLM_API_ANTHROPIC_MESSAGES); /* from message_start */
	FX_STR(ex.error, "Overloaded");
	FX_STR(ex.reply.text, NULL);
	FX_INT(ex.usage.input_tokens, 12);
	TK_CHECK(ex.response_complete, "an error event ends the stream");
	as_llm_exchange_clear(&ex);
}

/* A stream cut after the first partial_json pieces: what came is kept and
 * the response is not complete. */
static void stream_truncated(void)
{
	size_t len;
	char *text = fx_read("anthropic_stream_tools.sse", &len);
	if (!text)
		return;
	const char *cut = strstr(text, "partial_json\":\" \\\"San\"");
	TK_CHECK(cut != NULL, "fixture has the \" \\\"San\" piece");
	if (cut) {
		cut = strstr(cut, "\n\n");
		struct as_llm_exchange ex = {0};
		ex.api = AS_LLM_API_ANTHROPIC_MESSAGES;
		struct as_llm_stream *s = as_llm_stream_new(&ex);
		fx_feed_sse(s, text, (size_t)(cut - text), NULL);
		as_llm_stream_finish(s, true);
		as_llm_stream_free(s);
		FX_STR(ex.reply.text, "Okay, let's check the weather for San Francisco, CA:");
		FX_INT(ex.reply.n_tool_calls, 1);
		if (ex.reply.n_tool_calls == 1)
			FX_STR(ex.reply.tool_calls[0].arguments, "{\"location\": \"San");
		FX_STR(ex.stop_reason, NULL);
		TK_CHECK(!ex.response_complete, "truncated");
		FX_INT(ex.usage.output_tokens, 2); /* message_start's count only */
		as_llm_exchange_clear(&ex);
	}
	free(text);
}

int main(int argc, char **argv)
{
	fx_init(argc, argv);
	basic();
	tools();
	system_cache();
	image();
	error_body();
	stream_basic();
	stream_tools();
	stream_error();
	stream_truncated();
	return tk_finish();
}
