/* agent_core_test: the scripted agents' shared logic on known inputs.
 *
 *   agent_core_test CORPUS_DIR
 *
 * Replies: the examples of OpenAI's chat completions reference and
 * function-calling guide and of Anthropic's messages and streaming pages
 * (kept in corpus/reply with a leading mode byte, also the fuzzer's seeds),
 * whose text, tool calls and usage are read off the documentation; broken
 * bodies must fail with a message. Conversation: the shapes both APIs
 * document for assistant tool calls and tool results. Tools: real commands
 * and files in a temporary folder. Command line: URLs and options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_core.h"
#include "testkit.h"

static const char *corpus;

/* TK_REQUIRE for functions without a result: report and leave the function. */
#define REQUIRE_V(cond, ...)                                                     \
	do {                                                                     \
		if (!(cond)) {                                                   \
			tk_check_failed(__FILE__, __LINE__, #cond, __VA_ARGS__); \
			return;                                                  \
		}                                                                \
	} while (0)

static char *slurp(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", corpus, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	*len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[*len] = '\0';
	return buf;
}

/* Parses corpus file `name` (mode byte first). Returns the parser's rc. */
static int parse(const char *name, struct as_env_reply *r, char *err, size_t errlen)
{
	size_t len;
	char *buf = slurp(name, &len);
	if (!buf || !len) {
		free(buf);
		tk_check_failed(__FILE__, __LINE__, "slurp", "cannot read corpus file %s", name);
		memset(r, 0, sizeof(*r));
		return -2;
	}
	enum as_env_api api = (buf[0] & 1) ? AS_ENV_API_ANTHROPIC : AS_ENV_API_OPENAI;
	int rc = as_env_reply_parse(api, buf[0] & 2, buf + 1, len - 1, r, err, errlen);
	free(buf);
	return rc;
}

static const char *arg(const struct as_env_reply *r, size_t i, const char *key)
{
	const char *s = json_string_value(json_object_get(r->calls[i].args, key));
	return s ? s : "(none)";
}

static void test_doc_replies(void)
{
	struct as_env_reply r;
	char err[256];

	TK_REQUIRE(parse("openai-doc-text", &r, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(r.text, "\n\nHello there, how may I assist you today?"), "text %s",
		 r.text);
	TK_CHECK(r.n_calls == 0 && r.input_tokens == 9 && r.output_tokens == 12 &&
			 !strcmp(r.stop_reason, "stop"),
		 "calls %zu usage %lld/%lld stop %s", r.n_calls, r.input_tokens, r.output_tokens,
		 r.stop_reason);
	as_env_reply_free(&r);

	TK_REQUIRE(parse("openai-doc-tools", &r, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(r.n_calls == 1 && !strcmp(r.calls[0].id, "call_abc123") &&
			 !strcmp(r.calls[0].name, "get_current_weather") &&
			 !strcmp(arg(&r, 0, "location"), "Boston, MA"),
		 "tool call not read");
	TK_CHECK(!strcmp(r.text, "") && r.input_tokens == 82 && r.output_tokens == 17 &&
			 !strcmp(r.stop_reason, "tool_calls"),
		 "text/usage/stop wrong");
	as_env_reply_free(&r);

	TK_REQUIRE(parse("openai-doc-stream", &r, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(r.text, "Hello") && !strcmp(r.stop_reason, "stop") && r.events == 4 &&
			 !r.has_usage,
		 "text %s stop %s events %lu", r.text, r.stop_reason, r.events);
	as_env_reply_free(&r);

	TK_REQUIRE(parse("openai-doc-stream-tools", &r, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(r.n_calls == 1 && !strcmp(r.calls[0].id, "call_DdmO9pD3xa9XTPNJ32zg2hcA") &&
			 !strcmp(r.calls[0].name, "get_weather") &&
			 !strcmp(arg(&r, 0, "location"), "Paris, France"),
		 "streamed tool call not assembled (args %s)", r.calls[0].args_text);
	TK_CHECK(r.input_tokens == 57 && r.output_tokens == 17, "usage %lld/%lld", r.input_tokens,
		 r.output_tokens);
	as_env_reply_free(&r);

	TK_REQUIRE(parse("anthropic-doc-text", &r, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(r.text, "Hi! My name is Claude.") && r.input_tokens == 2095 &&
			 r.output_tokens == 503 && !strcmp(r.stop_reason, "end_turn"),
		 "text %s usage %lld/%lld", r.text, r.input_tokens, r.output_tokens);
	as_env_reply_free(&r);

	TK_REQUIRE(parse("anthropic-doc-tools", &r, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(r.n_calls == 1 && !strcmp(r.calls[0].id, "toolu_01A09q90qw90lq917835lq9") &&
			 !strcmp(arg(&r, 0, "location"), "San Francisco, CA") &&
			 !strcmp(arg(&r, 0, "unit"), "celsius") &&
			 !strncmp(r.text, "<thinking>", 10),
		 "tool_use block not read");
	as_env_reply_free(&r);

	TK_REQUIRE(parse("anthropic-doc-stream", &r, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(r.text, "Hello!") && r.input_tokens == 25 && r.output_tokens == 15 &&
			 !strcmp(r.stop_reason, "end_turn") && r.events == 8,
		 "text %s usage %lld/%lld events %lu", r.text, r.input_tokens, r.output_tokens,
		 r.events);
	as_env_reply_free(&r);

	TK_REQUIRE(parse("anthropic-doc-stream-tools", &r, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(r.text, "Okay, let's check the weather.") && r.n_calls == 1 &&
			 !strcmp(r.calls[0].id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6") &&
			 !strcmp(arg(&r, 0, "location"), "San Francisco, CA") &&
			 !strcmp(arg(&r, 0, "unit"), "fahrenheit"),
		 "streamed tool_use not assembled (args %s)", r.calls[0].args_text);
	TK_CHECK(r.input_tokens == 472 && r.output_tokens == 89 &&
			 !strcmp(r.stop_reason, "tool_use"),
		 "usage %lld/%lld", r.input_tokens, r.output_tokens);
	as_env_reply_free(&r);
}

static void test_broken_replies(void)
{
	static const char *const broken[] = {
		"broken-openai-no-done",	 "broken-openai-index",
		"broken-openai-error",		 "broken-anthropic-error",
		"broken-anthropic-stream-error", "broken-openai-args",
		"broken-anthropic-orphan-delta", "broken-sse-json",
	};
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct as_env_reply r;
		char err[256] = "";
		int rc = parse(broken[i], &r, err, sizeof(err));
		TK_CHECK(rc == -1 && err[0], "%s: parsed (rc %d) or no message", broken[i], rc);
		as_env_reply_free(&r);
	}
	struct as_env_reply r;
	char err[256];
	TK_CHECK(as_env_reply_parse(AS_ENV_API_OPENAI, false, "", 0, &r, err, sizeof(err)) == -1,
		 "an empty body parsed");
	as_env_reply_free(&r);
	TK_CHECK(strstr(err, "not a JSON object") != NULL, "message: %s", err);
}

static void test_conversation(void)
{
	struct as_env_conv c;
	struct as_env_reply r;
	char err[256];

	/* OpenAI: the request, an assistant message with tool_calls whose
	 * arguments are a JSON string, then one "tool" message per result. */
	REQUIRE_V(as_env_conv_init(&c, AS_ENV_API_OPENAI, true, "m1", "do it") == 0, "init");
	TK_CHECK(json_is_true(json_object_get(json_object_get(c.body, "stream_options"),
					      "include_usage")),
		 "stream without include_usage");
	json_t *tools = json_object_get(c.body, "tools");
	TK_CHECK(json_array_size(tools) == 3 &&
			 !strcmp(json_string_value(json_object_get(
					 json_object_get(json_array_get(tools, 1), "function"),
					 "name")),
				 "write_file"),
		 "tools not declared");
	TK_REQUIRE(parse("openai-doc-tools", &r, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(as_env_conv_add_reply(&c, &r) == 0, "add_reply");
	TK_CHECK(as_env_conv_add_result(&c, "call_abc123", "sunny \xff", false) == 0, "result");
	json_t *msgs = json_object_get(c.body, "messages");
	json_t *asst = json_array_get(msgs, 2), *tool = json_array_get(msgs, 3);
	TK_CHECK(json_is_null(json_object_get(asst, "content")), "empty text not null");
	TK_CHECK(!strcmp(json_string_value(json_object_get(
				 json_object_get(
					 json_array_get(json_object_get(asst, "tool_calls"), 0),
					 "function"),
				 "arguments")),
			 "{\n\"location\": \"Boston, MA\"\n}"),
		 "arguments not sent back as received");
	TK_CHECK(!strcmp(json_string_value(json_object_get(tool, "role")), "tool") &&
			 !strcmp(json_string_value(json_object_get(tool, "tool_call_id")),
				 "call_abc123") &&
			 !strcmp(json_string_value(json_object_get(tool, "content")), "sunny ?"),
		 "tool message wrong (invalid UTF-8 must become ?)");
	as_env_reply_free(&r);
	char *dump = as_env_conv_dump(&c);
	TK_REQUIRE(dump && strstr(dump, "\"model\":\"m1\""), "dump");
	as_env_conv_free(&c);

	/* The dump loads back. */
	TK_CHECK(as_env_conv_load(&c, AS_ENV_API_OPENAI, dump, strlen(dump), err, sizeof(err)) == 0,
		 "%s", err);
	TK_CHECK(json_array_size(json_object_get(c.body, "messages")) == 4, "reloaded");
	as_env_conv_free(&c);
	free(dump);
	TK_CHECK(as_env_conv_load(&c, AS_ENV_API_OPENAI, "[]", 2, err, sizeof(err)) == -1 && err[0],
		 "a body without messages loaded");

	/* Anthropic: tool_use blocks; results of one reply in one user message. */
	REQUIRE_V(as_env_conv_init(&c, AS_ENV_API_ANTHROPIC, false, NULL, NULL) == 0, "init");
	TK_CHECK(json_integer_value(json_object_get(c.body, "max_tokens")) > 0 &&
			 json_is_string(json_object_get(c.body, "system")) &&
			 !json_object_get(c.body, "stream_options"),
		 "Anthropic request shape");
	TK_REQUIRE(parse("anthropic-doc-tools", &r, err, sizeof(err)) == 0, "%s", err);
	as_env_conv_add_reply(&c, &r);
	as_env_conv_add_result(&c, "toolu_01A09q90qw90lq917835lq9", "15 degrees", false);
	as_env_conv_add_result(&c, "other", "failed", true);
	msgs = json_object_get(c.body, "messages");
	TK_CHECK(json_array_size(msgs) == 3, "%zu messages, not 3", json_array_size(msgs));
	json_t *content = json_object_get(json_array_get(msgs, 2), "content");
	TK_CHECK(json_array_size(content) == 2 &&
			 json_is_true(json_object_get(json_array_get(content, 1), "is_error")) &&
			 !json_object_get(json_array_get(content, 0), "is_error"),
		 "results not grouped or is_error wrong");
	json_t *use = json_array_get(json_object_get(json_array_get(msgs, 1), "content"), 1);
	TK_CHECK(!strcmp(json_string_value(json_object_get(use, "type")), "tool_use") &&
			 !strcmp(json_string_value(
					 json_object_get(json_object_get(use, "input"), "unit")),
				 "celsius"),
		 "tool_use not sent back");
	as_env_reply_free(&r);
	as_env_conv_free(&c);
}

static void run(const char *name, const char *args, char **out, bool *is_error)
{
	struct as_env_tool_call c = {.id = "id", .name = (char *)name};
	c.args = json_loads(args, JSON_ALLOW_NUL, NULL);
	*out = NULL;
	TK_CHECK(c.args && as_env_tool_run(&c, out, is_error) == 0, "%s %s did not run", name,
		 args);
	json_decref(c.args);
	if (!*out)
		*out = strdup("");
}

static void test_tools(void)
{
	char dir[] = "/tmp/as_env_tools.XXXXXX", cwd[4096], *out;
	bool e;
	REQUIRE_V(mkdtemp(dir) && getcwd(cwd, sizeof(cwd)) && chdir(dir) == 0, "temp dir");

	run("run_command", "{\"command\":\"echo out; echo err >&2; exit 3\"}", &out, &e);
	TK_CHECK(e && !strcmp(out, "out\nerr\n[exit status 3]"), "run_command: %s", out);
	free(out);
	run("run_command", "{\"command\":\"printf done > made\"}", &out, &e);
	TK_CHECK(!e && !strcmp(out, "") && access("made", F_OK) == 0, "the command did not run");
	free(out);
	run("write_file", "{\"path\":\"f.txt\",\"content\":\"a\\u0000b\\u00e9\\n\"}", &out, &e);
	TK_CHECK(!e && !strcmp(out, "wrote 6 bytes to f.txt"), "write_file: %s", out);
	free(out);
	FILE *f = fopen("f.txt", "rb");
	char buf[16] = {0};
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	if (f)
		fclose(f);
	TK_CHECK(n == 6 && !memcmp(buf, "a\0b\xc3\xa9\n", 6), "file holds %zu other bytes", n);
	run("read_file", "{\"path\":\"made\"}", &out, &e);
	TK_CHECK(!e && !strcmp(out, "done"), "read_file: %s", out);
	free(out);
	run("read_file", "{\"path\":\"missing\"}", &out, &e);
	TK_CHECK(e && strstr(out, "missing") && strstr(out, "No such file"), "read_file: %s", out);
	free(out);
	run("write_file", "{\"path\":\"x\"}", &out, &e);
	TK_CHECK(e && strstr(out, "needs"), "write_file without content: %s", out);
	free(out);
	run("format_disk", "{}", &out, &e);
	TK_CHECK(e && !strcmp(out, "unknown tool format_disk"), "unknown tool: %s", out);
	free(out);

	TK_CHECK(chdir(cwd) == 0, "chdir back");
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	TK_CHECK(system(cmd) == 0, "cannot remove %s", dir);
}

static void test_args(void)
{
	struct as_env_agent_opts o;
	char err[256];
	char *ok[] = {"a",	   "--url",	  "https://127.0.0.1:8443/v1/",
		      "--workdir", "/w",	  "--api",
		      "anthropic", "--no-stream", "--max-turns",
		      "7",	   NULL};
	memset(&o, 0, sizeof(o));
	TK_CHECK(as_env_agent_args(10, ok, &o, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(!strcmp(o.host, "127.0.0.1") && !strcmp(o.port, "8443") && !strcmp(o.prefix, "") &&
			 o.api == AS_ENV_API_ANTHROPIC && !o.stream && o.max_turns == 7,
		 "parsed %s %s '%s'", o.host, o.port, o.prefix);
	static const char *const bad_urls[] = {"http://127.0.0.1:1", "https://:1",
					       "https://h:99999", "https://h:1x"};
	for (size_t i = 0; i < 4; i++) {
		char *v[] = {"a", "--url", (char *)bad_urls[i], "--workdir", "/w", NULL};
		memset(&o, 0, sizeof(o));
		TK_CHECK(as_env_agent_args(5, v, &o, err, sizeof(err)) == -1 &&
				 strstr(err, "--url"),
			 "%s accepted", bad_urls[i]);
	}
	char *missing[] = {"a", "--url", "https://h", NULL};
	memset(&o, 0, sizeof(o));
	TK_CHECK(as_env_agent_args(3, missing, &o, err, sizeof(err)) == -1,
		 "no --workdir accepted");
	char *help[] = {"a", "--help", NULL};
	TK_CHECK(as_env_agent_args(2, help, &o, err, sizeof(err)) == 1, "--help");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: agent_core_test CORPUS_DIR\n");
		return 2;
	}
	corpus = argv[1];
	test_doc_replies();
	test_broken_replies();
	test_conversation();
	test_tools();
	test_args();
	return tk_finish();
}
