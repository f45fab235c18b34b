/* as_llmapi_agent: an agent's multi-turn conversation in each API.
 *
 * An agent asks, the model calls a tool, the agent runs it and sends the
 * result back with the whole history, and the model answers in text. The
 * second request must read as: [system], user, assistant with the tool call,
 * tool result naming that call; the final reply is text. The exchanges follow
 * the function-calling guides of OpenAI (chat and responses) and the tool-use
 * guide of Anthropic.
 */
#include "fixture.h"

static const char paris[] = "The current temperature in Paris is 14\xc2\xb0"
			    "C (57.2\xc2\xb0"
			    "F).";

/* The history of the second request, from its first user message on. */
static void check_history(const struct as_llm_exchange *ex, size_t first, const char *user,
			  const char *call_id, const char *tool, const char *args,
			  const char *result)
{
	FX_INT(ex->n_messages, first + 3);
	if (ex->n_messages != first + 3)
		return;
	const struct as_llm_message *m = &ex->messages[first];
	FX_INT(m[0].role, AS_LLM_ROLE_USER);
	FX_STR(m[0].text, user);
	FX_INT(m[1].role, AS_LLM_ROLE_ASSISTANT);
	FX_INT(m[1].n_tool_calls, 1);
	if (m[1].n_tool_calls == 1) {
		FX_STR(m[1].tool_calls[0].id, call_id);
		FX_STR(m[1].tool_calls[0].name, tool);
		FX_STR(m[1].tool_calls[0].arguments, args);
	}
	FX_INT(m[2].role, AS_LLM_ROLE_TOOL);
	FX_STR(m[2].tool_call_id, call_id);
	FX_STR(m[2].text, result);
	FX_INT(m[2].n_tool_calls, 0);
}

static void openai_chat(void)
{
	struct as_llm_exchange ex = {0};
	/* Turn 1: the model calls get_weather (streamed). */
	TK_CHECK(fx_request(&ex, AS_LLM_API_OPENAI_CHAT, "openai_chat_request_tools.json") == 0,
		 "turn 1 request");
	fx_stream(&ex, "openai_chat_stream_tools.sse", false, NULL);
	FX_INT(ex.reply.n_tool_calls, 1);
	as_llm_exchange_clear(&ex);

	/* Turn 2: history with the call and its result; the model answers. */
	TK_CHECK(fx_request(&ex, AS_LLM_API_OPENAI_CHAT, "openai_chat_agent_request.json") == 0,
		 "turn 2 request");
	FX_STR(ex.model, "gpt-4.1");
	TK_CHECK(!ex.stream, "stream: false");
	FX_INT(ex.n_tools, 2);
	if (ex.n_tools == 2) {
		FX_STR(ex.tool_names[0], "get_weather");
		FX_STR(ex.tool_names[1], "run_shell");
	}
	if (ex.n_messages > 0) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_SYSTEM);
		FX_STR(ex.messages[0].text, "You are a coding agent. Use the tools.");
	}
	check_history(&ex, 1, "What's the weather like in Paris today?", "call_12345xyz",
		      "get_weather", "{\"latitude\":48.8566,\"longitude\":2.3522}", "14");
	if (ex.n_messages == 4)
		FX_STR(ex.messages[2].text, NULL); /* "content": null */
	TK_CHECK(fx_response(&ex, 200, "openai_chat_agent_response.json") == 0, "turn 2 response");
	FX_STR(ex.reply.text, paris);
	FX_INT(ex.reply.n_tool_calls, 0);
	FX_STR(ex.stop_reason, "stop");
	FX_INT(ex.usage.input_tokens, 110);
	FX_INT(ex.usage.output_tokens, 16);
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

static void openai_responses(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_OPENAI_RESPONSES, "responses_agent_request.json") == 0,
		 "turn 2 request");
	if (ex.n_messages > 0) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_SYSTEM);
		FX_STR(ex.messages[0].text, "You are a weather assistant.");
	}
	/* The function_call item becomes an assistant message with the call,
	 * its id being the call_id that function_call_output names. */
	check_history(&ex, 1, "What is the weather like in Paris today?", "call_12345xyz",
		      "get_weather", "{\"latitude\":48.8566,\"longitude\":2.3522}", "14");
	FX_INT(ex.n_tools, 1);
	TK_CHECK(fx_response(&ex, 200, "responses_agent_response.json") == 0, "turn 2 response");
	FX_STR(ex.reply.text, paris);
	FX_STR(ex.stop_reason, "completed");
	FX_INT(ex.usage.input_tokens, 120);
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

static void anthropic(void)
{
	struct as_llm_exchange ex = {0};
	TK_CHECK(fx_request(&ex, AS_LLM_API_ANTHROPIC_MESSAGES,
			    "anthropic_request_tool_result.json") == 0,
		 "turn 2 request");
	/* The assistant turn keeps its text and its call; the tool_result block
	 * becomes a TOOL message of its own. */
	check_history(&ex, 0, "What's the weather like in San Francisco?",
		      "toolu_01A09q90qw90lq917835lq9", "get_weather",
		      "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}", "15 degrees");
	if (ex.n_messages == 3)
		FX_STR(ex.messages[1].text,
		       "I'll check the current weather in San Francisco for you.");
	TK_CHECK(fx_response(&ex, 200, "anthropic_response_final.json") == 0, "turn 2 response");
	FX_STR(ex.reply.text, "The current weather in San Francisco is 15 degrees Celsius (59 "
			      "degrees Fahrenheit). It's a cool day in the city by the bay!");
	FX_STR(ex.stop_reason, "end_turn");
	FX_INT(ex.usage.input_tokens, 530);
	FX_INT(ex.usage.output_tokens, 36);
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

/* A user turn holding results and more text: results first, then the text. */
static void anthropic_mixed_turn(void)
{
	static const char body[] =
		"{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":["
		"{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":[{\"type\":"
		"\"text\",\"text\":\"file a\"},{\"type\":\"text\",\"text\":\"file b\"}]},"
		"{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_2\",\"is_error\":true,"
		"\"content\":\"permission denied\"},"
		"{\"type\":\"text\",\"text\":\"Now fix the bug.\"}]}]}";
	struct as_llm_exchange ex = {0};
	char err[128];
	FX_INT(as_llm_parse_request(&ex, AS_LLM_API_ANTHROPIC_MESSAGES, body, sizeof(body) - 1, err,
				    sizeof(err)),
	       0);
	FX_INT(ex.n_messages, 3);
	if (ex.n_messages == 3) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_TOOL);
		FX_STR(ex.messages[0].tool_call_id, "toolu_1");
		FX_STR(ex.messages[0].text, "file a\nfile b");
		FX_INT(ex.messages[1].role, AS_LLM_ROLE_TOOL);
		FX_STR(ex.messages[1].tool_call_id, "toolu_2");
		FX_STR(ex.messages[1].text, "permission denied");
		FX_INT(ex.messages[2].role, AS_LLM_ROLE_USER);
		FX_STR(ex.messages[2].text, "Now fix the bug.");
	}
	as_llm_exchange_clear(&ex);
}

/* Responses API history where the model wrote text and made two calls in
 * one turn: the text and both calls are one assistant message, each output
 * a TOOL message. */
static void responses_parallel_turn(void)
{
	static const char body[] =
		"{\"model\":\"gpt-5\",\"input\":["
		"{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":"
		"\"input_text\",\"text\":\"List both folders.\"}]},"
		"{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},"
		"{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":"
		"\"output_text\",\"text\":\"Listing them.\"}]},"
		"{\"type\":\"function_call\",\"call_id\":\"call_a\",\"name\":\"ls\","
		"\"arguments\":\"{\\\"dir\\\":\\\"src\\\"}\"},"
		"{\"type\":\"function_call\",\"call_id\":\"call_b\",\"name\":\"ls\","
		"\"arguments\":\"{\\\"dir\\\":\\\"docs\\\"}\"},"
		"{\"type\":\"function_call_output\",\"call_id\":\"call_a\",\"output\":"
		"\"main.c\"},"
		"{\"type\":\"function_call_output\",\"call_id\":\"call_b\",\"output\":"
		"[{\"type\":\"input_text\",\"text\":\"index.md\"}]}]}";
	struct as_llm_exchange ex = {0};
	char err[128];
	FX_INT(as_llm_parse_request(&ex, AS_LLM_API_OPENAI_RESPONSES, body, sizeof(body) - 1, err,
				    sizeof(err)),
	       0);
	FX_INT(ex.n_messages, 4);
	if (ex.n_messages == 4) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_USER);
		FX_STR(ex.messages[0].text, "List both folders.");
		FX_INT(ex.messages[1].role, AS_LLM_ROLE_ASSISTANT);
		FX_STR(ex.messages[1].text, "Listing them.");
		FX_INT(ex.messages[1].n_tool_calls, 2);
		if (ex.messages[1].n_tool_calls == 2) {
			FX_STR(ex.messages[1].tool_calls[0].id, "call_a");
			FX_STR(ex.messages[1].tool_calls[0].arguments, "{\"dir\":\"src\"}");
			FX_STR(ex.messages[1].tool_calls[1].id, "call_b");
			FX_STR(ex.messages[1].tool_calls[1].arguments, "{\"dir\":\"docs\"}");
		}
		FX_INT(ex.messages[2].role, AS_LLM_ROLE_TOOL);
		FX_STR(ex.messages[2].tool_call_id, "call_a");
		FX_STR(ex.messages[2].text, "main.c");
		FX_STR(ex.messages[3].tool_call_id, "call_b");
		FX_STR(ex.messages[3].text, "index.md");
	}
	FX_INT(ex.parse_problems, 0);
	as_llm_exchange_clear(&ex);
}

int main(int argc, char **argv)
{
	fx_init(argc, argv);
	openai_chat();
	openai_responses();
	anthropic();
	anthropic_mixed_turn();
	responses_parallel_turn();
	return tk_finish();
}
