/* as_llmapi_openai_chat: OpenAI chat completions, whole and streamed.
 *
 * The fixtures reproduce the examples of OpenAI's API reference ("Create chat
 * completion": default, image input, functions, streaming) and of its
 * function-calling and prompt-caching guides; expected values are read off
 * those examples, not off this code's output.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static void basic(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_OPENAI_CHAT, "openai_chat_request_basic.json") == 0,
		 "request");
	FX_INT(ex.api, AS_LLM_API_OPENAI_CHAT);
	FX_STR(ex.model, "gpt-4o");
	TK_CHECK(!ex.stream, "stream not asked for");
	FX_INT(ex.n_tools, 0);
	FX_INT(ex.n_messages, 2);
	if (ex.n_messages == 2) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_SYSTEM); /* "developer" */
		FX_STR(ex.messages[0].text, "You are a helpful assistant.");
		FX_INT(ex.messages[1].role, AS_LLM_ROLE_USER);
		FX_STR(ex.messages[1].text, "Hello!");
		FX_INT(ex.messages[1].n_tool_calls, 0);
		FX_STR(ex.messages[1].tool_call_id, NULL);
	}
	TK_CHECK(fx_response(&ex, 200, "openai_chat_response_basic.json") == 0, "response");
	FX_INT(ex.http_status, 200);
	FX_STR(ex.model, "gpt-4o"); /* the request's model stays */
	FX_INT(ex.reply.role, AS_LLM_ROLE_ASSISTANT);
	FX_STR(ex.reply.text, "\n\nHello there, how may I assist you today?");
	FX_INT(ex.reply.n_tool_calls, 0);
	FX_STR(ex.stop_reason, "stop");
	FX_STR(ex.response_id, "chatcmpl-123");
	TK_CHECK(ex.usage.reported, "usage reported");
	FX_INT(ex.usage.input_tokens, 9);
	FX_INT(ex.usage.output_tokens, 12);
	FX_INT(ex.usage.cache_read_tokens, 0);
	FX_INT(ex.usage.cache_write_tokens, 0);
	FX_INT(ex.usage.reasoning_tokens, 0);
	FX_STR(ex.error, NULL);
	TK_CHECK(ex.response_complete, "whole body seen");
	TK_CHECK(!ex.capped, "nothing cut");
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
	TK_CHECK(ex.messages == NULL && ex.model == NULL && ex.n_messages == 0, "cleared");
}

static void image(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_OPENAI_CHAT, "openai_chat_request_image.json") == 0,
		 "request");
	FX_INT(ex.n_messages, 1);
	if (ex.n_messages == 1) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_USER);
		FX_STR(ex.messages[0].text, "What's in this image?\n[image]");
	}
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

static void tools(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_OPENAI_CHAT, "openai_chat_request_tools.json") == 0,
		 "request");
	FX_STR(ex.model, "gpt-4o");
	FX_INT(ex.n_tools, 1);
	if (ex.n_tools == 1)
		FX_STR(ex.tool_names[0], "get_current_weather");
	FX_INT(ex.n_messages, 1);
	if (ex.n_messages == 1)
		FX_STR(ex.messages[0].text, "What's the weather like in Boston today?");

	TK_CHECK(fx_response(&ex, 200, "openai_chat_response_tools.json") == 0, "response");
	FX_STR(ex.reply.text, NULL); /* "content": null */
	FX_INT(ex.reply.n_tool_calls, 1);
	if (ex.reply.n_tool_calls == 1) {
		FX_STR(ex.reply.tool_calls[0].id, "call_abc123");
		FX_STR(ex.reply.tool_calls[0].name, "get_current_weather");
		FX_STR(ex.reply.tool_calls[0].arguments, "{\n\"location\": \"Boston, MA\"\n}");
	}
	FX_STR(ex.stop_reason, "tool_calls");
	FX_STR(ex.response_id, "chatcmpl-abc123");
	FX_INT(ex.usage.input_tokens, 82);
	FX_INT(ex.usage.output_tokens, 17);
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

static void cached(void)
{
	struct as_llm_exchange ex = {0};
	ex.api = AS_LLM_API_OPENAI_CHAT;
	TK_CHECK(fx_response(&ex, 200, "openai_chat_response_cached.json") == 0, "response");
	FX_STR(ex.model, "gpt-4o-2024-08-06"); /* no request: the response's model */
	FX_INT(ex.usage.input_tokens, 2006);
	FX_INT(ex.usage.cache_read_tokens, 1920);
	FX_INT(ex.usage.output_tokens, 300);
	FX_STR(ex.reply.text, "Done.");
	as_llm_exchange_clear(&ex);
}

/* n=2: the choice with index 0 is read, wherever it sits in the array. */
static void two_choices(void)
{
	static const char body[] =
		"{\"id\":\"chatcmpl-n2\",\"object\":\"chat.completion\",\"choices\":["
		"{\"index\":1,\"message\":{\"role\":\"assistant\",\"content\":\"second\"},"
		"\"finish_reason\":\"length\"},"
		"{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"first\"},"
		"\"finish_reason\":\"stop\"}]}";
	struct as_llm_exchange ex = {0};
	char err[128];
	ex.api = AS_LLM_API_OPENAI_CHAT;
	FX_INT(as_llm_parse_response(&ex, 200, body, sizeof(body) - 1, err, sizeof(err)), 0);
	FX_STR(ex.reply.text, "first");
	FX_STR(ex.stop_reason, "stop");
	as_llm_exchange_clear(&ex);
}

static void error_body(void)
{
	struct as_llm_exchange ex = {0};
	ex.api = AS_LLM_API_OPENAI_CHAT;
	TK_CHECK(fx_response(&ex, 401, "openai_error_401.json") == 0, "an API error is read");
	FX_INT(ex.http_status, 401);
	FX_STR(ex.error, "Incorrect API key provided: sk-abc123. You can find your API key at "
			 "https://platform.openai.com/account/api-keys.");
	FX_STR(ex.reply.text, NULL);
	TK_CHECK(!ex.usage.reported, "no usage in an error");
	as_llm_exchange_clear(&ex);
}

static void stream_text(void)
{
	struct as_llm_exchange ex = {0};
	int bad = -1;
	TK_CHECK(fx_request(&ex, AS_LLM_API_OPENAI_CHAT, "openai_chat_request_basic.json") == 0,
		 "request");
	ex.stream = true;
	int events = fx_stream(&ex, "openai_chat_stream.sse", false, &bad);
	FX_INT(events, 13);
	FX_INT(bad, 0);
	FX_STR(ex.reply.text, "Hello! How can I assist you today?");
	FX_INT(ex.reply.n_tool_calls, 0);
	FX_STR(ex.stop_reason, "stop");
	FX_STR(ex.response_id, "chatcmpl-123");
	FX_STR(ex.model, "gpt-4o");
	TK_CHECK(ex.usage.reported, "final usage chunk");
	FX_INT(ex.usage.input_tokens, 9);
	FX_INT(ex.usage.output_tokens, 9);
	TK_CHECK(ex.response_complete, "[DONE] seen");
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

static void stream_tools(void)
{
	struct as_llm_exchange ex = {0};
	int bad = -1;
	ex.api = AS_LLM_API_OPENAI_CHAT;
	fx_stream(&ex, "openai_chat_stream_tools.sse", false, &bad);
	FX_INT(bad, 0);
	FX_STR(ex.model, "gpt-4.1-2025-04-14");
	FX_STR(ex.reply.text, NULL);
	FX_INT(ex.reply.n_tool_calls, 1);
	if (ex.reply.n_tool_calls == 1) {
		FX_STR(ex.reply.tool_calls[0].id, "call_DdmO9pD3xa9XTPNJ32zg2hcA");
		FX_STR(ex.reply.tool_calls[0].name, "get_weather");
		FX_STR(ex.reply.tool_calls[0].arguments, "{\"location\":\"Paris, France\"}");
	}
	FX_STR(ex.stop_reason, "tool_calls");
	TK_CHECK(!ex.usage.reported, "no usage chunk in this stream");
	TK_CHECK(ex.response_complete, "[DONE] seen");
	as_llm_exchange_clear(&ex);
}

/* Two calls in parallel, fragments interleaved by index (the form OpenAI
 * documents for parallel function calling). */
static void stream_parallel(void)
{
	static const char *const events[] = {
		"{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
		"\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"read_file\","
		"\"arguments\":\"\"}}]}}]}",
		"{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
		"\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"list_dir\","
		"\"arguments\":\"{\\\"pa\"}}]}}]}",
		"{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
		"\"function\":{\"arguments\":\"{\\\"path\\\":\\\"a.c\\\"}\"}}]}}]}",
		"{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,"
		"\"function\":{\"arguments\":\"th\\\":\\\"src\\\"}\"}}]}}]}",
		"{\"id\":\"c1\",\"choices\":[{\"index\":1,\"delta\":{\"content\":\"other "
		"choice\"}}]}",
		"{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_"
		"calls\"}]}",
	};
	struct as_llm_exchange ex = {0};
	ex.api = AS_LLM_API_OPENAI_CHAT;
	struct as_llm_stream *s = as_llm_stream_new(&ex);
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		FX_INT(as_llm_stream_event(s, NULL, events[i], strlen(events[i])), 0);
	as_llm_stream_finish(s, false);
	as_llm_stream_free(s);
	FX_STR(ex.reply.text, NULL); /* choice 1 is not read */
	FX_INT(ex.reply.n_tool_calls, 2);
	if (ex.reply.n_tool_calls == 2) {
		FX_STR(ex.reply.tool_calls[0].id, "call_a");
		FX_STR(ex.reply.tool_calls[0].name, "read_file");
		FX_STR(ex.reply.tool_calls[0].arguments, "{\"path\":\"a.c\"}");
		FX_STR(ex.reply.tool_calls[1].id, "call_b");
		FX_STR(ex.reply.tool_calls[1].name, "list_dir");
		FX_STR(ex.reply.tool_calls[1].arguments, "{\"path\":\"src\"}");
	}
	/* No [DONE], but the stream closed cleanly after a finish_reason. */
	TK_CHECK(ex.response_complete, "complete by finish_reason and a clean end");
	as_llm_exchange_clear(&ex);
}

int main(int argc, char **argv)
{
	fx_init(argc, argv);
	basic();
	image();
	tools();
	cached();
	two_choices();
	error_body();
	stream_text();
	stream_tools();
	stream_parallel();
	return tk_finish();
}
