/* as_llmapi_malformed: bodies and streams that are broken or hostile.
 *
 * Whatever arrives, the readers must return (an error or a partial result),
 * count what they skipped, keep every string within its limit and valid
 * UTF-8, and leak nothing (the sanitizer build checks that). Expected values
 * follow from the contract in llmapi.h: the body is not a JSON object or its
 * messages have the wrong type -> -1 with a message; a wrong type deeper
 * down -> skipped and counted in parse_problems.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static int req(struct as_llm_exchange *ex, enum as_llm_api api, const char *body, char *err,
	       size_t errlen)
{
	as_llm_exchange_clear(ex);
	err[0] = '\0';
	return as_llm_parse_request(ex, api, body, strlen(body), err, errlen);
}

static void bad_bodies(void)
{
	struct as_llm_exchange ex = {0};
	char err[256];

	TK_CHECK(req(&ex, AS_LLM_API_OPENAI_CHAT, "{\"model\": \"gpt-4o\",", err, sizeof(err)) ==
			 -1,
		 "truncated JSON");
	TK_CHECK(strstr(err, "request body") && strstr(err, "invalid JSON"), "err: %s", err);
	TK_CHECK(req(&ex, AS_LLM_API_OPENAI_CHAT, "[1, 2]", err, sizeof(err)) == -1, "an array");
	TK_CHECK(strstr(err, "not a JSON object") != NULL, "err: %s", err);
	TK_CHECK(req(&ex, AS_LLM_API_OPENAI_CHAT, "", err, sizeof(err)) == -1, "empty body");
	TK_CHECK(as_llm_parse_request(&ex, AS_LLM_API_OPENAI_CHAT, NULL, 0, err, sizeof(err)) == -1,
		 "NULL body");
	TK_CHECK(req(&ex, AS_LLM_API_UNKNOWN, "{\"messages\":[]}", err, sizeof(err)) == -1,
		 "unknown API");
	/* A NUL inside the body is not JSON. */
	TK_CHECK(as_llm_parse_request(&ex, AS_LLM_API_OPENAI_CHAT, "{\"a\":1}\0{}", 10, err,
				      sizeof(err)) == -1,
		 "bytes after the object");
	/* err may be NULL. */
	TK_CHECK(as_llm_parse_request(&ex, AS_LLM_API_OPENAI_CHAT, "x", 1, NULL, 0) == -1,
		 "no err buffer");
	as_llm_exchange_clear(&ex);
}

static void wrong_types(void)
{
	struct as_llm_exchange ex = {0};
	char err[256];

	/* messages is a string: an error, but the model is kept. */
	TK_CHECK(req(&ex, AS_LLM_API_OPENAI_CHAT, "{\"model\":\"m\",\"messages\":\"hello\"}", err,
		     sizeof(err)) == -1,
		 "messages a string");
	TK_CHECK(strstr(err, "messages") != NULL, "err names messages: %s", err);
	FX_STR(ex.model, "m");
	TK_CHECK(req(&ex, AS_LLM_API_ANTHROPIC_MESSAGES, "{\"model\":\"m\"}", err, sizeof(err)) ==
			 -1,
		 "messages missing");
	TK_CHECK(req(&ex, AS_LLM_API_OPENAI_RESPONSES, "{\"input\":42}", err, sizeof(err)) == -1,
		 "input a number");

	/* content is a number: the message is kept without text. */
	TK_CHECK(req(&ex, AS_LLM_API_OPENAI_CHAT,
		     "{\"model\":7,\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":"
		     "42}]}",
		     err, sizeof(err)) == 0,
		 "content a number");
	FX_INT(ex.n_messages, 1);
	if (ex.n_messages == 1) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_USER);
		FX_STR(ex.messages[0].text, NULL);
	}
	FX_STR(ex.model, NULL);
	TK_CHECK(!ex.stream, "stream \"yes\" is not true");
	FX_INT(ex.parse_problems, 3); /* model, stream, content */

	/* tool_calls not an array, a call not an object, function a string. */
	TK_CHECK(req(&ex, AS_LLM_API_OPENAI_CHAT,
		     "{\"messages\":[{\"role\":\"assistant\",\"content\":\"a\",\"tool_calls\":"
		     "{\"id\":\"x\"}},{\"role\":\"assistant\",\"tool_calls\":[3,{\"id\":\"c\","
		     "\"function\":\"f\"}]}]}",
		     err, sizeof(err)) == 0,
		 "tool_calls wrong");
	FX_INT(ex.n_messages, 2);
	if (ex.n_messages == 2) {
		FX_INT(ex.messages[0].n_tool_calls, 0);
		FX_STR(ex.messages[0].text, "a");
		FX_INT(ex.messages[1].n_tool_calls, 0);
	}
	FX_INT(ex.parse_problems, 4); /* tool_calls, 3, "function", no function */

	/* messages that are not objects, roles that are not strings. */
	TK_CHECK(req(&ex, AS_LLM_API_OPENAI_CHAT,
		     "{\"messages\":[1,\"x\",null,[],{\"role\":5,\"content\":\"hi\"}],\"tools\":"
		     "\"all\"}",
		     err, sizeof(err)) == 0,
		 "odd messages");
	FX_INT(ex.n_messages, 1);
	if (ex.n_messages == 1) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_OTHER);
		FX_STR(ex.messages[0].text, "hi");
	}
	FX_INT(ex.n_tools, 0);
	FX_INT(ex.parse_problems, 7); /* 4 messages, role type, no role, tools */

	/* Content parts of the wrong shapes. */
	TK_CHECK(req(&ex, AS_LLM_API_ANTHROPIC_MESSAGES,
		     "{\"system\":17,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
		     "\"text\",\"text\":5},{\"type\":\"text\",\"text\":\"ok\"},7,{\"type\":"
		     "\"weird kind!\"},{\"type\":\"tool_use\",\"id\":1,\"name\":[]}]}]}",
		     err, sizeof(err)) == 0,
		 "bad blocks");
	FX_INT(ex.n_messages, 2);
	if (ex.n_messages == 2) {
		FX_INT(ex.messages[0].role, AS_LLM_ROLE_SYSTEM);
		FX_STR(ex.messages[0].text, NULL);
		FX_STR(ex.messages[1].text, "ok\n[part]");
		FX_INT(ex.messages[1].n_tool_calls, 1);
		if (ex.messages[1].n_tool_calls == 1) {
			FX_STR(ex.messages[1].tool_calls[0].id, NULL);
			FX_STR(ex.messages[1].tool_calls[0].name, NULL);
		}
	}
	TK_CHECK(ex.parse_problems >= 5, "problems counted: %u", ex.parse_problems);

	/* Responses API input items of the wrong shapes. */
	TK_CHECK(req(&ex, AS_LLM_API_OPENAI_RESPONSES,
		     "{\"instructions\":[],\"input\":[5,{\"type\":\"function_call\",\"name\":3},"
		     "{\"type\":\"function_call_output\",\"output\":{\"a\":1}},{\"type\":"
		     "\"reasoning\"}]}",
		     err, sizeof(err)) == 0,
		 "bad items");
	FX_INT(ex.n_messages, 3); /* system (empty), assistant with a call, tool */
	TK_CHECK(ex.parse_problems >= 2, "problems counted: %u", ex.parse_problems);
	as_llm_exchange_clear(&ex);
}

static bool valid_utf8(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;
	bool ok = j != NULL;
	json_decref(j);
	return ok;
}

static void huge_strings(void)
{
	/* 3 MiB of "é" (2 bytes each) behind one byte of "x", so that the
	 * field limit falls inside a character. */
	size_t n = 3u << 20;
	size_t cap = n + 256;
	char *body = malloc(cap);
	size_t k = (size_t)snprintf(body, cap, "{\"messages\":[{\"role\":\"user\",\"content\":\"x");
	while (k + 2 < n)
		k += (size_t)snprintf(body + k, cap - k, "\xc3\xa9");
	k += (size_t)snprintf(body + k, cap - k, "\"}]}");
	struct as_llm_exchange ex = {0};
	char err[256];
	FX_INT(as_llm_parse_request(&ex, AS_LLM_API_OPENAI_CHAT, body, k, err, sizeof(err)), 0);
	TK_CHECK(ex.capped, "capped");
	FX_INT(ex.n_messages, 1);
	if (ex.n_messages == 1 && ex.messages[0].text) {
		size_t len = strlen(ex.messages[0].text);
		TK_CHECK(len <= AS_LLM_MAX_FIELD_BYTES && len >= AS_LLM_MAX_FIELD_BYTES - 1,
			 "cut at the limit: %zu", len);
		TK_CHECK(valid_utf8(ex.messages[0].text), "cut on a character boundary");
	}
	json_t *j = as_llm_exchange_to_json(&ex);
	TK_CHECK(j != NULL, "a capped exchange still serialises");
	if (j)
		TK_CHECK(json_is_true(json_object_get(j, "capped")), "capped in JSON");
	json_decref(j);
	as_llm_exchange_clear(&ex);
	free(body);
}

static void deep_nesting(void)
{
	struct as_llm_exchange ex = {0};
	char err[256];
	/* Deeper than jansson's parser allows (JSON_PARSER_MAX_DEPTH, 2048). */
	size_t depth = 5000;
	char *body = malloc(2 * depth + 64);
	size_t k = (size_t)sprintf(body, "{\"messages\":");
	memset(body + k, '[', depth);
	k += depth;
	memset(body + k, ']', depth);
	k += depth;
	body[k++] = '}';
	TK_CHECK(as_llm_parse_request(&ex, AS_LLM_API_OPENAI_CHAT, body, k, err, sizeof(err)) == -1,
		 "too deep");
	TK_CHECK(strstr(err, "invalid JSON") != NULL, "err: %s", err);
	free(body);

	/* Deep but allowed, inside a tool input that is dumped back to text. */
	depth = 1500;
	body = malloc(2 * depth + 256);
	k = (size_t)sprintf(body, "{\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":"
				  "\"n\",\"input\":{\"a\":");
	memset(body + k, '[', depth);
	k += depth;
	memset(body + k, ']', depth);
	k += depth;
	k += (size_t)sprintf(body + k, "}}]}");
	ex.api = AS_LLM_API_ANTHROPIC_MESSAGES;
	FX_INT(as_llm_parse_response(&ex, 200, body, k, err, sizeof(err)), 0);
	FX_INT(ex.reply.n_tool_calls, 1);
	if (ex.reply.n_tool_calls == 1 && ex.reply.tool_calls[0].arguments)
		FX_INT(strlen(ex.reply.tool_calls[0].arguments), 2 * depth + 6);
	free(body);
	as_llm_exchange_clear(&ex);
}

static void bad_responses(void)
{
	struct as_llm_exchange ex = {0};
	char err[256];
	const char *html = "<html><body>502 Bad Gateway</body></html>";
	ex.api = AS_LLM_API_OPENAI_CHAT;
	FX_INT(as_llm_parse_response(&ex, 502, html, strlen(html), err, sizeof(err)), -1);
	FX_STR(ex.error, "HTTP 502");
	FX_INT(ex.http_status, 502);
	TK_CHECK(strstr(err, "response body") != NULL, "err: %s", err);

	const char *odd = "{\"id\":5,\"choices\":{\"index\":0},\"usage\":{\"prompt_tokens\":\"9\","
			  "\"completion_tokens\":-3}}";
	FX_INT(as_llm_parse_response(&ex, 200, odd, strlen(odd), err, sizeof(err)), 0);
	FX_STR(ex.response_id, NULL);
	FX_STR(ex.reply.text, NULL);
	TK_CHECK(!ex.usage.reported, "no usable count");
	FX_INT(ex.parse_problems, 4); /* id, choices, prompt_tokens, completion_tokens */

	/* A status of 500 with a JSON body but no error object. */
	FX_INT(as_llm_parse_response(&ex, 500, "{}", 2, err, sizeof(err)), 0);
	FX_STR(ex.error, "HTTP 500");
	/* No API known and none guessable: read, nothing taken. */
	as_llm_exchange_clear(&ex);
	FX_INT(as_llm_parse_response(&ex, 200, "{\"x\":1}", 7, err, sizeof(err)), 0);
	FX_INT(ex.api, AS_LLM_API_UNKNOWN);
	FX_STR(ex.reply.text, NULL);
	as_llm_exchange_clear(&ex);
}

static int event(struct as_llm_stream *s, const char *name, const char *data)
{
	return as_llm_stream_event(s, name, data, strlen(data));
}

static void bad_streams(void)
{
	struct as_llm_exchange ex = {0};
	ex.api = AS_LLM_API_ANTHROPIC_MESSAGES;
	struct as_llm_stream *s = as_llm_stream_new(&ex);
	/* Delta before its block started: kept, counted. */
	FX_INT(event(s, "content_block_delta",
		     "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
		     "\"text_delta\",\"text\":\"early\"}}"),
	       -EINVAL);
	/* Not JSON: counted, the stream goes on. */
	FX_INT(event(s, "content_block_delta", "{\"type\":\"content_bl"), -EINVAL);
	FX_INT(event(s, NULL, "[1,2]"), -EINVAL);
	/* input_json_delta into a text block: counted, dropped. */
	FX_INT(event(s, NULL,
		     "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
		     "\"input_json_delta\",\"partial_json\":\"{\"}}"),
	       -EINVAL);
	/* Wrong types. */
	FX_INT(event(s, NULL, "{\"type\":\"content_block_delta\",\"index\":\"0\"}"), -EINVAL);
	FX_INT(event(s, NULL, "{\"type\":\"message_delta\",\"delta\":[]}"), -EINVAL);
	/* A start for an index already used: counted. */
	FX_INT(event(s, NULL,
		     "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
		     "\"text\",\"text\":\"\"}}"),
	       -EINVAL);
	FX_INT(event(s, NULL,
		     "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
		     "\"text_delta\",\"text\":\" then more\"}}"),
	       0);
	FX_INT(event(s, "ping", "{\"type\":\"ping\"}"), 0);
	FX_INT(event(s, "future_event", "{\"type\":\"future_event\",\"x\":1}"), 0);
	FX_INT(event(s, NULL, "   "), 0); /* keep-alive */
	as_llm_stream_finish(s, true);
	FX_INT(event(s, NULL, "{\"type\":\"message_stop\"}"), -EINVAL); /* after finish */
	as_llm_stream_free(s);
	FX_STR(ex.reply.text, "early then more");
	FX_INT(ex.parse_problems, 7);
	TK_CHECK(!ex.response_complete, "truncated, no stop");
	as_llm_exchange_clear(&ex);

	/* Responses: arguments for an item never announced. */
	ex.api = AS_LLM_API_OPENAI_RESPONSES;
	s = as_llm_stream_new(&ex);
	FX_INT(event(s, NULL,
		     "{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_9\","
		     "\"output_index\":3,\"delta\":\"{}\"}"),
	       -EINVAL);
	FX_INT(event(s, NULL, "{\"no_type\":true}"), -EINVAL);
	as_llm_stream_free(s); /* frees without an explicit finish */
	FX_INT(ex.reply.n_tool_calls, 1);
	if (ex.reply.n_tool_calls == 1)
		FX_STR(ex.reply.tool_calls[0].arguments, "{}");
	as_llm_exchange_clear(&ex);
}

static void stream_limits(void)
{
	struct as_llm_exchange ex = {0};
	ex.api = AS_LLM_API_OPENAI_CHAT;
	struct as_llm_stream *s = as_llm_stream_new(&ex);
	/* 1000 distinct tool-call indexes, some huge: at most the cap. */
	char ev[256];
	for (int i = 0; i < 1000; i++) {
		long long index = i % 2 ? (long long)i : 1000000000000LL + i;
		snprintf(ev, sizeof(ev),
			 "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":%lld,"
			 "\"id\":\"c%d\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}",
			 index, i);
		as_llm_stream_event(s, NULL, ev, strlen(ev));
	}
	/* 6 MiB of text in 64 KiB deltas: cut at the field limit. */
	size_t chunk = 64u << 10;
	char *big = malloc(chunk + 128);
	size_t k = (size_t)sprintf(big, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"");
	memset(big + k, 'a', chunk);
	k += chunk;
	k += (size_t)sprintf(big + k, "\"}}]}");
	for (int i = 0; i < 96; i++)
		FX_INT(as_llm_stream_event(s, NULL, big, k), 0);
	free(big);
	as_llm_stream_finish(s, false);
	as_llm_stream_free(s);
	FX_INT(ex.reply.n_tool_calls, AS_LLM_MAX_TOOL_CALLS);
	TK_CHECK(ex.capped, "capped");
	TK_CHECK(ex.reply.text && strlen(ex.reply.text) == AS_LLM_MAX_FIELD_BYTES,
		 "text cut at the field limit");
	TK_CHECK(!ex.response_complete, "no end seen, no stop reason");
	as_llm_exchange_clear(&ex);
}

int main(int argc, char **argv)
{
	fx_init(argc, argv);
	bad_bodies();
	wrong_types();
	huge_strings();
	deep_nesting();
	bad_responses();
	bad_streams();
	stream_limits();
	return tk_finish();
}
