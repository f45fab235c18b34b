/* as_correlate_match: reading commands the way a POSIX shell would (the
 * expected words follow the shell's quoting rules, POSIX XCU 2.2-2.7), the
 * argv and path scores of correlate.h's documented scale, and what is
 * extracted from replies.
 */
#include "harness.h"
#include "testkit.h"

#include <string.h>

static double cmd(const char *command, const char *const *argv)
{
	size_t n = 0;
	while (argv[n])
		n++;
	return as_corr_match_command(command, argv, n, NULL, 0);
}

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_commands(void)
{
	struct {
		const char *command;
		const char *const *argv;
		double lo, hi;
	} c[] = {
		/* sh -c runs exactly the command, however it is spelled. */
		{"echo hi > f", ARGV("sh", "-c", "echo hi > f"), 1.0, 1.0},
		{"echo hi > f", ARGV("/bin/sh", "-c", "echo   hi   >f"), 1.0, 1.0},
		{"echo 'hi there' > f", ARGV("bash", "-c", "echo \"hi there\" > f"), 1.0, 1.0},
		{"echo hi\\ there", ARGV("bash", "-c", "echo 'hi there'"), 1.0, 1.0},
		{"FOO=1 make", ARGV("sh", "-c", "make"), 1.0, 1.0},
		/* The shell's child, one simple command of it. */
		{"echo hi > f", ARGV("echo", "hi"), 0.9, 0.9},
		{"cd /repo && make test", ARGV("make", "test"), 0.9, 0.9},
		{"ls /tmp | wc -l", ARGV("/usr/bin/wc", "-l"), 0.9, 0.9},
		{"timeout 5 pytest -q", ARGV("pytest", "-q"), 0.9, 0.9},
		{"sudo -u app env X=1 node s.js", ARGV("node", "s.js"), 0.9, 0.9},
		{"echo $(whoami)", ARGV("whoami"), 0.9, 0.9},
		{"echo `date +%s`", ARGV("date", "+%s"), 0.9, 0.9},
		{"bash -lc 'npm ci && npm test'", ARGV("npm", "test"), 0.9, 0.9},
		{"cat <<'EOF' > /tmp/a\nhello $x\nEOF\nwc -l /tmp/a", ARGV("wc", "-l", "/tmp/a"),
		 0.9, 0.9},
		/* A shell running a script that contains the command. */
		{"make test", ARGV("bash", "-lc", "cd /repo && make test"), 0.9, 0.9},
		/* argv is the command. */
		{"ls -la /tmp", ARGV("/bin/ls", "-la", "/tmp"), 1.0, 1.0},
		{"python3 -c 'print(1)'", ARGV("python3", "-c", "print(1)"), 1.0, 1.0},
		/* The same program, some arguments in common. */
		{"ls -la /tmp", ARGV("ls", "/tmp"), 0.6, 0.8},
		{"git commit -m 'x'", ARGV("git", "status"), 0.5, 0.5},
		/* Nothing in common. */
		{"git status", ARGV("ls"), 0, 0},
		{"echo hi", ARGV("sh", "-c", "echo bye"), 0, 0},
		{"# just a comment", ARGV("sh", "-c", "# just a comment"), 0, 0},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		double s = cmd(c[i].command, c[i].argv);
		TK_CHECK(s >= c[i].lo - 1e-9 && s <= c[i].hi + 1e-9,
			 "case %zu: '%s' vs argv[0] '%s': %.3f not in [%.2f, %.2f]", i,
			 c[i].command, c[i].argv[0], s, c[i].lo, c[i].hi);
	}
	/* Interpreter code (a "code" argument) run with -c. */
	char why[64];
	const char *py[] = {"python3", "-c", "import os\nprint(os.getcwd())", NULL};
	TK_CHECK(as_corr_match_command("import os\n  print(os.getcwd())", py, 3, why,
				       sizeof(why)) == 1.0 &&
			 strstr(why, "interpreter"),
		 "python -c code: %s", why);
	TK_CHECK(as_corr_match_command(NULL, py, 3, why, sizeof(why)) == 0, "NULL command");
	/* Hostile input does not break the reader. */
	const char *junk[] = {"'unterminated",
			      "\"also",
			      "$(((",
			      "a <<",
			      "`",
			      "\\",
			      "x >&",
			      ";;;|||&&",
			      "$'\\",
			      "<(",
			      "echo $(echo $(echo $(echo $(echo deep))))"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		const char *argv[] = {"sh", "-c", junk[i], NULL};
		double s = cmd(junk[i], argv);
		TK_CHECK(s >= 0 && s <= 1, "junk %zu scored %f", i, s);
	}
}

static void test_paths(void)
{
	struct {
		const char *event, *want;
		double score;
	} p[] = {
		{"/tmp/x/notes.txt", "/tmp/x/notes.txt", 1.0},
		{"/tmp/x/notes.txt", "notes.txt", 0.9},
		{"/tmp/x/notes.txt", "./x/notes.txt", 0.9},
		{"/tmp/x//a/./b.txt", "/tmp/x/a/b.txt", 1.0},
		{"notes.txt", "/tmp/x/notes.txt", 0.8},
		{"/srv/proj/src/a.c", "/srv/proj", 0.5},
		{"/srv/proj/src/a.c", "proj", 0.5},
		{"/tmp/y/notes.txt", "/tmp/x/notes.txt", 0.4},
		{"/tmp/x/anotes.txt", "notes.txt", 0},
		{"/etc/passwd", "/", 0},
		{"/etc/passwd", "/etc", 0},
		{"", "a.txt", 0},
	};
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		double s = as_corr_match_path(p[i].event, p[i].want);
		TK_CHECK(s > p[i].score - 1e-9 && s < p[i].score + 1e-9,
			 "%s vs %s: %.2f, want %.2f", p[i].event, p[i].want, s, p[i].score);
	}
}

static bool has(const struct as_corr_artifacts *a, enum as_corr_art_kind kind, const char *text,
		int tool, bool from_text)
{
	for (size_t i = 0; i < as_corr_artifacts_count(a); i++) {
		const struct as_corr_artifact *x = as_corr_artifacts_get(a, i);
		if (x->kind == kind && strcmp(x->text, text) == 0 && x->tool_index == tool &&
		    x->from_text == from_text)
			return true;
	}
	return false;
}

static void test_extract(void)
{
	struct as_llm_message m = {.role = AS_LLM_ROLE_ASSISTANT};
	m.text = "I'll build it:\n"
		 "```bash\n"
		 "$ make -j4\n"
		 "npm test \\\n"
		 "  --silent\n"
		 "# a comment\n"
		 "```\n"
		 "```console\n"
		 "$ uname -a\n"
		 "Linux box 6.1\n"
		 "```\n"
		 "Then open `src/main.c`, run `go vet ./...` and read https://example.com/docs.\n"
		 "$ git diff --stat\n"
		 "The config lives in /etc/app/app.conf; see localhost:8080 too.\n";
	struct as_llm_tool_call calls[] = {
		{.id = "c0",
		 .name = "shell",
		 .arguments = "{\"cmd\":[\"bash\",\"-lc\",\"pytest -q\"]}"},
		{.id = "c1",
		 .name = "write_file",
		 .arguments = "{\"file_path\":\"out/report.md\",\"content\":\"see /etc/hosts and "
			      "https://x.test/a\"}"},
		{.id = "c2",
		 .name = "Bash",
		 .arguments = "{\"command\":\"curl -s http://10.0.0.5:9000/x > /tmp/y.json\","
			      "\"description\":\"fetch the thing\"}"},
		{.id = "c3", .name = "apply", .arguments = "not json at all: /tmp/z.txt"},
	};
	m.tool_calls = calls;
	m.n_tool_calls = 4;
	struct as_corr_artifacts *a = as_corr_extract(&m);
	TK_REQUIRE(a != NULL, "no artifacts");
	TK_CHECK(has(a, AS_CORR_ART_COMMAND, "make -j4", -1, true), "fenced $ line");
	TK_CHECK(has(a, AS_CORR_ART_COMMAND, "npm test --silent", -1, true), "continued line");
	TK_CHECK(has(a, AS_CORR_ART_COMMAND, "uname -a", -1, true), "console $ line");
	TK_CHECK(!has(a, AS_CORR_ART_COMMAND, "Linux box 6.1", -1, true), "console output taken");
	TK_CHECK(!has(a, AS_CORR_ART_COMMAND, "# a comment", -1, true), "comment taken");
	TK_CHECK(has(a, AS_CORR_ART_PATH, "src/main.c", -1, true), "backticked path");
	TK_CHECK(has(a, AS_CORR_ART_COMMAND, "go vet ./...", -1, true), "backticked command");
	TK_CHECK(has(a, AS_CORR_ART_URL, "https://example.com/docs", -1, true), "URL in text");
	TK_CHECK(has(a, AS_CORR_ART_COMMAND, "git diff --stat", -1, true), "$ line in text");
	TK_CHECK(has(a, AS_CORR_ART_PATH, "/etc/app/app.conf", -1, true), "path in prose");
	TK_CHECK(has(a, AS_CORR_ART_URL, "localhost:8080", -1, true), "host:port in prose");
	TK_CHECK(has(a, AS_CORR_ART_COMMAND, "bash -lc 'pytest -q'", 0, false), "argv array");
	TK_CHECK(has(a, AS_CORR_ART_PATH, "out/report.md", 1, false), "file_path argument");
	TK_CHECK(!has(a, AS_CORR_ART_PATH, "/etc/hosts", 1, false), "a path in file content");
	TK_CHECK(has(a, AS_CORR_ART_URL, "https://x.test/a", 1, true), "URL in file content");
	TK_CHECK(has(a, AS_CORR_ART_COMMAND, "curl -s http://10.0.0.5:9000/x > /tmp/y.json", 2,
		     false),
		 "command argument");
	TK_CHECK(has(a, AS_CORR_ART_URL, "http://10.0.0.5:9000/x", 2, false), "URL in a command");
	TK_CHECK(has(a, AS_CORR_ART_PATH, "/tmp/y.json", 2, false), "redirection target");
	TK_CHECK(!has(a, AS_CORR_ART_COMMAND, "fetch the thing", 2, false), "description taken");
	TK_CHECK(has(a, AS_CORR_ART_PATH, "/tmp/z.txt", 3, true), "path in non-JSON arguments");
	as_corr_artifacts_free(a);

	/* Bounded: a reply with thousands of commands keeps 64. */
	char *big = malloc(200000);
	TK_REQUIRE(big != NULL, "malloc");
	size_t o = 0;
	for (int i = 0; i < 5000 && o < 190000; i++)
		o += (size_t)snprintf(big + o, 200000 - o, "$ echo %d\nthen /tmp/f%d.txt\n", i, i);
	a = as_corr_extract_text(big);
	size_t n_cmd = 0, n_path = 0;
	for (size_t i = 0; i < as_corr_artifacts_count(a); i++) {
		n_cmd += as_corr_artifacts_get(a, i)->kind == AS_CORR_ART_COMMAND;
		n_path += as_corr_artifacts_get(a, i)->kind == AS_CORR_ART_PATH;
	}
	TK_CHECK(n_cmd == 64 && n_path == 128, "kept %zu commands, %zu paths", n_cmd, n_path);
	as_corr_artifacts_free(a);
	free(big);
}

int main(void)
{
	test_commands();
	test_paths();
	test_extract();
	return tk_finish();
}
