/* mock_test: the scripted model (mock.c) on a scenario written here.
 *
 * Checks scenario validation (each broken scenario refused with a message
 * naming the problem), turn matching (by turn number and range, by text sent
 * since the last reply, with ${after} captured), and the reply shapes the
 * APIs document: OpenAI's chat.completion and chat.completion.chunk stream
 * (usage null on every chunk but a last one with empty choices when
 * stream_options.include_usage is set, then "data: [DONE]"), Anthropic's
 * message and its event sequence (message_start ... message_stop), and
 * error bodies in each API's shape. Streamed pieces are parsed back with
 * jansson, so a piece cut inside a UTF-8 sequence would fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"
#include "testkit.h"

#define REQUIRE_V(cond, ...)                                                     \
	do {                                                                     \
		if (!(cond)) {                                                   \
			tk_check_failed(__FILE__, __LINE__, #cond, __VA_ARGS__); \
			return;                                                  \
		}                                                                \
	} while (0)

static const char scenario[] =
	"{\"usage\":{\"input_tokens\":1000,\"output_tokens\":2000},\"chunk_delay_ms\":0,"
	"\"turns\":["
	"{\"match\":{\"turn\":0},\"text\":\"Gr\\u00fc\\u00dfe, \\u65e5\\u672c\\u8a9e text "
	"long enough to be cut in pieces\",\"tool_calls\":["
	"{\"name\":\"run_command\",\"arguments\":{\"command\":\"echo \\u00e9\\u00e9\\u00e9"
	"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}},"
	"{\"name\":\"write_file\",\"id\":\"fixed-id\",\"arguments\":{\"path\":\"p\","
	"\"content\":\"c\"}}],"
	"\"usage\":{\"input_tokens\":7,\"output_tokens\":3}},"
	"{\"match\":{\"turn\":1,\"last_message_contains\":\"RUN: \"},"
	"\"tool_calls\":[{\"name\":\"run_command\",\"arguments\":{\"command\":\"${after}\"}}]},"
	"{\"match\":{\"turn\":[1,3]},\"text\":\"later\"}]}";

static struct as_env_mock *mock;

static json_t *piece_json(const char *piece, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(piece, prefix, n) != 0)
		return NULL;
	size_t len = strlen(piece);
	if (len < n + 2 || strcmp(piece + len - 2, "\n\n") != 0)
		return NULL;
	return json_loadb(piece + n, len - n - 2, 0, NULL);
}

static void test_load_errors(void)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"{\"turns\":", "not JSON"},
		{"[]", "top level"},
		{"{\"turns\":[]}", "\"turns\""},
		{"{\"turns\":[{\"text\":\"a\"}],\"colour\":1}", "unknown key \"colour\""},
		{"{\"turns\":[{\"match\":{\"turn\":-1},\"text\":\"a\"}]}", "match.turn"},
		{"{\"turns\":[{\"match\":{\"turn\":[3,1]},\"text\":\"a\"}]}", "match.turn"},
		{"{\"turns\":[{\"match\":{\"when\":1},\"text\":\"a\"}]}", "unknown key \"when\""},
		{"{\"turns\":[{\"match\":{}}]}", "needs text or tool_calls"},
		{"{\"turns\":[{\"tool_calls\":[{\"name\":\"x\"}]}]}", "needs name and arguments"},
		{"{\"turns\":[{\"tool_calls\":[{\"name\":\"x\",\"arguments\":[]}]}]}",
		 "arguments must be an object"},
		{"{\"turns\":[{\"text\":\"a\",\"usage\":{\"input_tokens\":-1}}]}", "usage"},
		{"{\"turns\":[{\"text\":\"a\"},{\"text\":\"b\"}],\"turns\":[]}", "not JSON"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct as_env_mock *m = NULL;
		char err[256] = "";
		int rc = as_env_mock_load(bad[i].text, strlen(bad[i].text), "s.json", &m, err,
					  sizeof(err));
		TK_CHECK(rc == -1 && !m && strstr(err, bad[i].want) && !strncmp(err, "s.json", 6),
			 "%s: rc %d, message \"%s\" lacks \"%s\"", bad[i].text, rc, err,
			 bad[i].want);
		as_env_mock_free(m);
	}
}

static void respond(enum as_env_api api, const char *body, struct as_env_mock_reply *r)
{
	TK_CHECK(as_env_mock_respond(mock, api, body, strlen(body), 42, r) == 0, "respond");
}

static void test_openai_whole(void)
{
	struct as_env_mock_reply r;
	respond(AS_ENV_API_OPENAI,
		"{\"model\":\"gpt-x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", &r);
	REQUIRE_V(r.status == 200 && r.n_pieces == 1 && !r.stream, "status %d pieces %zu", r.status,
		  r.n_pieces);
	TK_CHECK(!strcmp(r.content_type, "application/json") && r.conv_turn == 0 && r.matched == 0,
		 "content type or match");
	json_t *b = json_loads(r.pieces[0], 0, NULL);
	json_t *msg = json_object_get(json_array_get(json_object_get(b, "choices"), 0), "message");
	json_t *calls = json_object_get(msg, "tool_calls");
	json_t *fn0 = json_object_get(json_array_get(calls, 0), "function");
	json_t *args = json_loads(json_string_value(json_object_get(fn0, "arguments")), 0, NULL);
	TK_CHECK(!strcmp(json_string_value(json_object_get(b, "object")), "chat.completion") &&
			 !strcmp(json_string_value(json_object_get(b, "id")), "chatcmpl-mock-42") &&
			 !strcmp(json_string_value(json_object_get(b, "model")), "gpt-x"),
		 "object, id or model");
	TK_CHECK(
		json_array_size(calls) == 2 &&
			!strcmp(json_string_value(json_object_get(json_array_get(calls, 0), "id")),
				"call_mock_0_0") &&
			!strcmp(json_string_value(json_object_get(json_array_get(calls, 1), "id")),
				"fixed-id") &&
			!strcmp(json_string_value(json_object_get(args, "command")),
				"echo "
				"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
		"tool calls");
	TK_CHECK(
		!strcmp(json_string_value(json_object_get(
				json_array_get(json_object_get(b, "choices"), 0), "finish_reason")),
			"tool_calls"),
		"finish_reason");
	json_t *u = json_object_get(b, "usage");
	TK_CHECK(json_integer_value(json_object_get(u, "prompt_tokens")) == 7 &&
			 json_integer_value(json_object_get(u, "completion_tokens")) == 3 &&
			 json_integer_value(json_object_get(u, "total_tokens")) == 10,
		 "usage");
	json_decref(args);
	json_decref(b);
	as_env_mock_reply_free(&r);
}

static void test_openai_stream(void)
{
	struct as_env_mock_reply r;
	respond(AS_ENV_API_OPENAI,
		"{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
		"\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
		&r);
	REQUIRE_V(r.status == 200 && r.stream && r.include_usage && r.n_pieces > 10,
		  "status %d pieces %zu", r.status, r.n_pieces);
	TK_CHECK(!strcmp(r.pieces[r.n_pieces - 1], "data: [DONE]\n\n"), "last piece %s",
		 r.pieces[r.n_pieces - 1]);
	char text[512] = "", args0[512] = "";
	for (size_t i = 0; i + 1 < r.n_pieces; i++) {
		json_t *c = piece_json(r.pieces[i], "data: ");
		TK_CHECK(c != NULL, "piece %zu is not one SSE data event of JSON: %s", i,
			 r.pieces[i]);
		if (!c)
			continue;
		TK_CHECK(!strcmp(json_string_value(json_object_get(c, "object")),
				 "chat.completion.chunk"),
			 "piece %zu object", i);
		json_t *u = json_object_get(c, "usage");
		json_t *choices = json_object_get(c, "choices");
		if (i + 2 == r.n_pieces) {
			TK_CHECK(json_array_size(choices) == 0 &&
					 json_integer_value(json_object_get(u, "prompt_tokens")) ==
						 7 &&
					 json_integer_value(
						 json_object_get(u, "completion_tokens")) == 3,
				 "the usage chunk is not last with empty choices");
		} else {
			TK_CHECK(json_is_null(u) && json_array_size(choices) == 1,
				 "chunk %zu: usage not null", i);
			json_t *d = json_object_get(json_array_get(choices, 0), "delta");
			const char *t = json_string_value(json_object_get(d, "content"));
			if (t)
				strncat(text, t, sizeof(text) - strlen(text) - 1);
			json_t *tc = json_array_get(json_object_get(d, "tool_calls"), 0);
			const char *a = json_string_value(
				json_object_get(json_object_get(tc, "function"), "arguments"));
			if (a && json_integer_value(json_object_get(tc, "index")) == 0)
				strncat(args0, a, sizeof(args0) - strlen(args0) - 1);
		}
		json_decref(c);
	}
	TK_CHECK(!strcmp(text, "Gr\xc3\xbc\xc3\x9f"
			       "e, \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e text "
			       "long enough to be cut in pieces"),
		 "text deltas add up to \"%s\"", text);
	TK_CHECK(!strcmp(args0,
			 "{\"command\":\"echo \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			 "\xc3\xa9\xc3\xa9\"}"),
		 "argument deltas add up to %s", args0);
	as_env_mock_reply_free(&r);

	/* Without include_usage: no usage member at all, no usage chunk. */
	respond(AS_ENV_API_OPENAI, "{\"stream\":true,\"messages\":[]}", &r);
	REQUIRE_V(r.n_pieces > 2, "pieces %zu", r.n_pieces);
	json_t *c = piece_json(r.pieces[r.n_pieces - 2], "data: ");
	TK_CHECK(c && !json_object_get(c, "usage") &&
			 json_array_size(json_object_get(c, "choices")) == 1,
		 "a usage chunk without include_usage");
	json_decref(c);
	as_env_mock_reply_free(&r);
}

static void test_anthropic(void)
{
	struct as_env_mock_reply r;
	respond(AS_ENV_API_ANTHROPIC,
		"{\"model\":\"claude-x\",\"stream\":true,\"messages\":[{\"role\":\"user\","
		"\"content\":\"hi\"}]}",
		&r);
	REQUIRE_V(r.status == 200 && r.stream && r.n_pieces > 8, "status %d", r.status);
	static const char *const order[] = {"message_start", "content_block_start", "ping"};
	char json_args[512] = "";
	for (size_t i = 0; i < r.n_pieces; i++) {
		const char *p = r.pieces[i];
		TK_CHECK(!strncmp(p, "event: ", 7) && strchr(p, '\n'), "piece %zu: %s", i, p);
		const char *nl = strchr(p, '\n');
		if (!nl)
			continue;
		char ev[64];
		snprintf(ev, sizeof(ev), "%.*s", (int)(nl - p - 7), p + 7);
		json_t *d = piece_json(nl + 1, "data: ");
		TK_CHECK(d && !strcmp(json_string_value(json_object_get(d, "type")), ev),
			 "piece %zu: data type is not the event name %s", i, ev);
		if (i < 3)
			TK_CHECK(!strcmp(ev, order[i]), "event %zu is %s, not %s", i, ev, order[i]);
		if (i == 0)
			TK_CHECK(json_integer_value(json_object_get(
					 json_object_get(json_object_get(d, "message"), "usage"),
					 "input_tokens")) == 7,
				 "message_start usage");
		if (i + 2 == r.n_pieces) {
			TK_CHECK(!strcmp(ev, "message_delta") &&
					 json_integer_value(json_object_get(
						 json_object_get(d, "usage"), "output_tokens")) ==
						 3 &&
					 !strcmp(json_string_value(json_object_get(
							 json_object_get(d, "delta"),
							 "stop_reason")),
						 "tool_use"),
				 "message_delta");
		}
		if (i + 1 == r.n_pieces)
			TK_CHECK(!strcmp(ev, "message_stop"), "last event %s", ev);
		json_t *delta = json_object_get(d, "delta");
		if (json_integer_value(json_object_get(d, "index")) == 1 &&
		    json_string_value(json_object_get(delta, "partial_json")))
			strncat(json_args,
				json_string_value(json_object_get(delta, "partial_json")),
				sizeof(json_args) - strlen(json_args) - 1);
		json_decref(d);
	}
	TK_CHECK(!strcmp(json_args, "{\"command\":\"echo \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
				    "\xc3\xa9\xc3\xa9\xc3\xa9\"}"),
		 "input_json_delta adds up to %s", json_args);
	as_env_mock_reply_free(&r);

	respond(AS_ENV_API_ANTHROPIC, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
		&r);
	json_t *b = r.n_pieces ? json_loads(r.pieces[0], 0, NULL) : NULL;
	json_t *content = json_object_get(b, "content");
	TK_CHECK(
		!strcmp(json_string_value(json_object_get(b, "type")), "message") &&
			!strcmp(json_string_value(json_object_get(b, "id")), "msg_mock_42") &&
			json_array_size(content) == 3 &&
			!strcmp(json_string_value(
					json_object_get(json_array_get(content, 1), "id")),
				"toolu_mock_0_0") &&
			!strcmp(json_string_value(json_object_get(b, "stop_reason")), "tool_use") &&
			json_integer_value(
				json_object_get(json_object_get(b, "usage"), "output_tokens")) == 3,
		"Anthropic message: %s", r.n_pieces ? r.pieces[0] : "");
	json_decref(b);
	as_env_mock_reply_free(&r);
}

static void test_matching(void)
{
	struct as_env_mock_reply r;
	/* Turn 1 with the marker: the rest of its line is captured, spaces trimmed. */
	respond(AS_ENV_API_OPENAI,
		"{\"messages\":[{\"role\":\"user\",\"content\":\"x RUN: not this one\"},"
		"{\"role\":\"assistant\",\"content\":null},"
		"{\"role\":\"tool\",\"tool_call_id\":\"a\",\"content\":\"notes\\nRUN: touch /tmp/x "
		" "
		"\\nmore\"}]}",
		&r);
	json_t *b = r.n_pieces ? json_loads(r.pieces[0], 0, NULL) : NULL;
	json_t *fn = json_object_get(
		json_array_get(
			json_object_get(
				json_object_get(json_array_get(json_object_get(b, "choices"), 0),
						"message"),
				"tool_calls"),
			0),
		"function");
	TK_CHECK(r.matched == 1 && r.conv_turn == 1 &&
			 !strcmp(json_string_value(json_object_get(fn, "arguments"))
					 ? json_string_value(json_object_get(fn, "arguments"))
					 : "",
				 "{\"command\":\"touch /tmp/x\"}"),
		 "capture: matched %d, %s", r.matched, r.n_pieces ? r.pieces[0] : "");
	json_decref(b);
	as_env_mock_reply_free(&r);

	/* Anthropic tool_result blocks count as text sent since the reply. */
	respond(AS_ENV_API_ANTHROPIC,
		"{\"messages\":[{\"role\":\"user\",\"content\":\"go\"},{\"role\":\"assistant\","
		"\"content\":[]},{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
		"\"tool_use_id\":\"a\",\"content\":[{\"type\":\"text\",\"text\":\"RUN: ls\"}]}]}]}",
		&r);
	TK_CHECK(r.matched == 1 && strstr(r.pieces[0], "\"command\":\"ls\""), "Anthropic capture");
	as_env_mock_reply_free(&r);

	/* Turn 1 without the marker falls to the range [1,3]; turn 4 to nothing. */
	respond(AS_ENV_API_OPENAI,
		"{\"messages\":[{\"role\":\"assistant\"},{\"role\":\"user\",\"content\":\"no\"}]}",
		&r);
	TK_CHECK(r.matched == 2 && strstr(r.pieces[0], "\"content\":\"later\"") &&
			 strstr(r.pieces[0], "\"prompt_tokens\":1000"),
		 "range and default usage: %s", r.pieces[0]);
	as_env_mock_reply_free(&r);
	respond(AS_ENV_API_OPENAI,
		"{\"messages\":[{\"role\":\"assistant\"},{\"role\":\"assistant\"},{\"role\":"
		"\"assistant\"},{\"role\":\"assistant\"}]}",
		&r);
	json_t *e = json_loads(r.pieces[0], 0, NULL);
	TK_CHECK(r.status == 500 && r.conv_turn == 4 &&
			 strstr(json_string_value(
					json_object_get(json_object_get(e, "error"), "message")),
				"turn 4"),
		 "no match: %d %s", r.status, r.pieces[0]);
	json_decref(e);
	as_env_mock_reply_free(&r);
}

static void test_errors(void)
{
	struct as_env_mock_reply r;
	respond(AS_ENV_API_OPENAI, "{\"messages\":", &r);
	json_t *e = json_loads(r.pieces[0], 0, NULL);
	TK_CHECK(r.status == 400 && !r.request &&
			 json_is_string(json_object_get(json_object_get(e, "error"), "message")) &&
			 strstr(r.problem, "not JSON"),
		 "bad JSON: %d %s", r.status, r.problem);
	json_decref(e);
	as_env_mock_reply_free(&r);

	respond(AS_ENV_API_ANTHROPIC, "{\"model\":\"m\"}", &r);
	e = json_loads(r.pieces[0], 0, NULL);
	TK_CHECK(r.status == 400 && r.request &&
			 !strcmp(json_string_value(json_object_get(e, "type")), "error") &&
			 !strcmp(json_string_value(
					 json_object_get(json_object_get(e, "error"), "type")),
				 "invalid_request_error"),
		 "no messages: %d %s", r.status, r.pieces[0]);
	json_decref(e);
	as_env_mock_reply_free(&r);
}

int main(void)
{
	char err[256];
	test_load_errors();
	TK_REQUIRE(as_env_mock_load(scenario, strlen(scenario), "test", &mock, err, sizeof(err)) ==
			   0,
		   "%s", err);
	TK_CHECK(as_env_mock_delay_ms(mock) == 0, "chunk_delay_ms");
	test_openai_whole();
	test_openai_stream();
	test_anthropic();
	test_matching();
	test_errors();
	as_env_mock_free(mock);
	return tk_finish();
}
