/* as_llmapi_openai_responses: the OpenAI responses API, whole and streamed.
 *
 * The fixtures reproduce the examples of OpenAI's API reference ("Create a
 * model response", the streaming events page) and of its function-calling
 * and reasoning guides; expected values are read off those examples.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static const char story[] =
	"In a peaceful grove beneath a silver moon, a unicorn named Lumina discovered a hidden "
	"pool that reflected the stars. As she dipped her horn into the water, the pool began to "
	"shimmer, revealing a path to a magical realm of endless night skies. Filled with wonder, "
	"Lumina whispered a wish for all who dream to find their own hidden magic, and as she "
	"glanced back, her hoofprints sparkled like stardust.";

static void text(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_OPENAI_RESPONSES, "responses_request_text.json") == 0,
		 "request");
	FX_INT(ex.api, AS_LLM_API_OPENAI_RESPONSES);
	FX_STR(ex.model, "gpt-4.1");
	TK_CHECK(!ex.stream, "not streamed");
	FX_INT(ex.n_messages, 1);
	if (ex.n_messages == 1) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_USER);
		FX_STR(ex.messages[0].text,
		       "Tell me a three sentence bedtime story about a unicorn.");
	}
	TK_CHECK(fx_response(&ex, 200, "responses_response_text.json") == 0, "response");
	FX_STR(ex.reply.text, story);
	FX_INT(ex.reply.n_tool_calls, 0);
	FX_STR(ex.stop_reason, "completed");
	FX_STR(ex.response_id, "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b");
	FX_STR(ex.model, "gpt-4.1");
	TK_CHECK(ex.usage.reported, "usage");
	FX_INT(ex.usage.input_tokens, 36);
	FX_INT(ex.usage.output_tokens, 87);
	FX_INT(ex.usage.cache_read_tokens, 0);
	FX_INT(ex.usage.reasoning_tokens, 0);
	FX_STR(ex.error, NULL); /* "error": null is no error */
	TK_CHECK(ex.response_complete, "complete");
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

static void tools(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_OPENAI_RESPONSES, "responses_request_tools.json") == 0,
		 "request");
	TK_CHECK(ex.stream, "stream: true");
	FX_INT(ex.n_tools, 2);
	if (ex.n_tools == 2) {
		FX_STR(ex.tool_names[0], "get_weather");
		FX_STR(ex.tool_names[1], "web_search_preview"); /* built-in: its type */
	}
	FX_INT(ex.n_messages, 2);
	if (ex.n_messages == 2) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_SYSTEM);
		FX_STR(ex.messages[0].text, "You are a weather assistant.");
		FX_INT(ex.messages[1].role, AS_LLM_ROLE_USER);
		FX_STR(ex.messages[1].text, "What is the weather like in Paris today?");
	}
	TK_CHECK(fx_response(&ex, 200, "responses_response_tools.json") == 0, "response");
	FX_STR(ex.reply.text, NULL);
	FX_INT(ex.reply.n_tool_calls, 1);
	if (ex.reply.n_tool_calls == 1) {
		FX_STR(ex.reply.tool_calls[0].id, "call_12345xyz");
		FX_STR(ex.reply.tool_calls[0].name, "get_weather");
		FX_STR(ex.reply.tool_calls[0].arguments, "{\"location\":\"Paris, France\"}");
	}
	FX_INT(ex.usage.input_tokens, 291);
	FX_INT(ex.usage.output_tokens, 23);
	as_llm_exchange_clear(&ex);
}

static void reasoning(void)
{
	struct as_llm_exchange ex = {0};
	ex.api = AS_LLM_API_OPENAI_RESPONSES;
	TK_CHECK(fx_response(&ex, 200, "responses_response_reasoning.json") == 0, "response");
	FX_STR(ex.stop_reason, "incomplete");
	FX_STR(ex.reply.text, NULL); /* only a reasoning item */
	FX_INT(ex.usage.input_tokens, 75);
	FX_INT(ex.usage.output_tokens, 300);
	FX_INT(ex.usage.reasoning_tokens, 300);
	FX_STR(ex.model, "o4-mini-2025-04-16");
	as_llm_exchange_clear(&ex);
}

static void stream_text(void)
{
	struct as_llm_exchange ex = {0};
	int bad = -1;
	ex.api = AS_LLM_API_OPENAI_RESPONSES;
	FX_INT(fx_stream(&ex, "responses_stream_text.sse", false, &bad), 18);
	FX_INT(bad, 0);
	FX_STR(ex.reply.text, "Hi there! How can I assist you today?");
	FX_INT(ex.reply.n_tool_calls, 0);
	FX_STR(ex.response_id, "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654");
	FX_STR(ex.model, "gpt-4o-2024-08-06");
	FX_STR(ex.stop_reason, "completed");
	TK_CHECK(ex.usage.reported, "usage from response.completed");
	FX_INT(ex.usage.input_tokens, 37);
	FX_INT(ex.usage.output_tokens, 11);
	TK_CHECK(ex.response_complete, "response.completed seen");
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

static void stream_tools(void)
{
	struct as_llm_exchange ex = {0};
	int bad = -1;
	/* No request seen: the API is recognised from the events. */
	fx_stream(&ex, "responses_stream_tools.sse", false, &bad);
	FX_INT(bad, 0);
	FX_INT(ex.api, AS_LLM_API_OPENAI_RESPONSES);
	FX_STR(ex.reply.text, NULL);
	FX_INT(ex.reply.n_tool_calls, 1);
	if (ex.reply.n_tool_calls == 1) {
		FX_STR(ex.reply.tool_calls[0].id, "call_1234xyz");
		FX_STR(ex.reply.tool_calls[0].name, "get_weather");
		FX_STR(ex.reply.tool_calls[0].arguments, "{\"location\":\"Paris, France\"}");
	}
	FX_STR(ex.response_id, "resp_1234xyz");
	FX_INT(ex.usage.input_tokens, 291);
	FX_INT(ex.usage.cache_read_tokens, 256);
	FX_INT(ex.usage.output_tokens, 23);
	TK_CHECK(ex.response_complete, "complete");
	as_llm_exchange_clear(&ex);
}

/* Only the argument deltas, cut before .done: the concatenation is kept. */
static void stream_deltas_only(void)
{
	size_t len;
	char *text = fx_read("responses_stream_tools.sse", &len);
	if (!text)
		return;
	char *cut = strstr(text, "event: response.function_call_arguments.done");
	if (!cut) {
		TK_CHECK(cut != NULL, "fixture has a .done event");
		free(text);
		return;
	}
	struct as_llm_exchange ex = {0};
	ex.api = AS_LLM_API_OPENAI_RESPONSES;
	struct as_llm_stream *s = as_llm_stream_new(&ex);
	fx_feed_sse(s, text, (size_t)(cut - text), NULL);
	as_llm_stream_finish(s, true);
	as_llm_stream_free(s);
	FX_INT(ex.reply.n_tool_calls, 1);
	if (ex.reply.n_tool_calls == 1)
		FX_STR(ex.reply.tool_calls[0].arguments, "{\"location\":\"Paris, France\"}");
	TK_CHECK(!ex.response_complete, "truncated before response.completed");
	FX_STR(ex.stop_reason, NULL);
	as_llm_exchange_clear(&ex);
	free(text);
}

static void stream_failed(void)
{
	struct as_llm_exchange ex = {0};
	ex.api = AS_LLM_API_OPENAI_RESPONSES;
	fx_stream(&ex, "responses_stream_failed.sse", false, NULL);
	FX_STR(ex.error, "The model failed to generate a response.");
	FX_STR(ex.stop_reason, "failed");
	FX_STR(ex.response_id, "resp_123");
	FX_STR(ex.reply.text, NULL);
	TK_CHECK(ex.response_complete, "response.failed ends the stream");
	as_llm_exchange_clear(&ex);

	ex.api = AS_LLM_API_OPENAI_RESPONSES;
	fx_stream(&ex, "responses_stream_error.sse", false, NULL);
	FX_STR(ex.error, "Something went wrong");
	TK_CHECK(ex.response_complete, "an error event ends the stream");
	as_llm_exchange_clear(&ex);
}

int main(int argc, char **argv)
{
	fx_init(argc, argv);
	text();
	tools();
	reasoning();
	stream_text();
	stream_tools();
	stream_deltas_only();
	stream_failed();
	return tk_finish();
}
