/* mcp_protocol_test: SchedCP's MCP server driven through the protocol, over
 * stdio and over streamable HTTP, by the client sched-agent uses.
 *
 * Expected values come from the MCP specification (revision 2025-06-18) and
 * JSON-RPC 2.0: the negotiated protocolVersion, the error codes (-32700 parse
 * error, -32600 invalid request, -32601 method not found, -32602 invalid
 * params, -32002 resource not found), a notification getting no response,
 * HTTP 401/400/404/405/403/413/202 for the transport's rules. The workload
 * parts (a profile with progress notifications, stored, compared, read back
 * as a resource) run as root; a client that disconnects mid-call must leave
 * the server alive (HTTP) or let it exit cleanly (stdio).
 *
 * usage: mcp_protocol_test SCHEDCP_MCP WAE_WORKLOAD TMPDIR
 */
#include "agent_mcp.h"
#include "mcp_schema.h"
#include "testkit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *server_bin, *workload_bin, *tmpdir;
static bool is_root;

static const char *const expected_tools[] = {"workload_profile", "workload_compare",
					     "workload_list"};
static const char *const policy_tools[] = {"policy_search",    "policy_get",	"policy_create",
					   "policy_verify",    "policy_deploy", "policy_rollback",
					   "scheduler_status", "history_read",	"history_record"};

static int progress_seen;

static void on_notify(void *ctx, const json_t *m)
{
	(void)ctx;
	const char *meth = json_string_value(json_object_get(m, "method"));
	if (meth && !strcmp(meth, "notifications/progress"))
		progress_seen++;
}

static int rpc_code_of(const json_t *reply)
{
	return (int)json_integer_value(json_object_get(json_object_get(reply, "error"), "code"));
}

static const char *rpc_msg_of(const json_t *reply)
{
	const char *m =
		json_string_value(json_object_get(json_object_get(reply, "error"), "message"));
	return m ? m : "";
}

/* Sends text and checks the error code (and optionally a word in the
 * message, and that the id is null). */
static void expect_error(struct scx_agent_mcp *c, const char *what, const char *text, int code,
			 const char *word, bool null_id)
{
	json_t *reply = NULL;
	char err[512];
	long status = 0;
	int rc = scx_agent_mcp_raw(c, text, strlen(text), true, &reply, &status, err, sizeof(err));
	TK_CHECK(rc == 0 && reply, "%s: no reply (%s)", what, err);
	if (!reply)
		return;
	TK_CHECK(rpc_code_of(reply) == code, "%s: code %d, want %d (%s)", what, rpc_code_of(reply),
		 code, rpc_msg_of(reply));
	if (word)
		TK_CHECK(strstr(rpc_msg_of(reply), word) != NULL, "%s: message '%s' lacks '%s'",
			 what, rpc_msg_of(reply), word);
	if (null_id)
		TK_CHECK(json_is_null(json_object_get(reply, "id")), "%s: id should be null", what);
	json_decref(reply);
}

static bool has_tool(const json_t *tools, const char *name)
{
	size_t i;
	const json_t *t;
	json_array_foreach(tools, i, t)
	{
		if (!strcmp(json_string_value(json_object_get(t, "name")), name))
			return true;
	}
	return false;
}

static void check_tools(struct scx_agent_mcp *c, const char *tr)
{
	json_t *res = NULL;
	char err[512];
	TK_REQUIRE(scx_agent_mcp_request(c, "tools/list", NULL, &res, NULL, err, sizeof(err)) == 0,
		   "%s tools/list: %s", tr, err);
	const json_t *tools = json_object_get(res, "tools");
	TK_CHECK(json_array_size(tools) >= 3, "%s: %zu tools", tr, json_array_size(tools));
	for (size_t i = 0; i < sizeof(expected_tools) / sizeof(expected_tools[0]); i++)
		TK_CHECK(has_tool(tools, expected_tools[i]), "%s: tool %s missing", tr,
			 expected_tools[i]);
	size_t npol = 0;
	for (size_t i = 0; i < sizeof(policy_tools) / sizeof(policy_tools[0]); i++)
		npol += has_tool(tools, policy_tools[i]);
	TK_CHECK(npol == 0 || npol == sizeof(policy_tools) / sizeof(policy_tools[0]),
		 "%s: only %zu of the policy tools", tr, npol);
	printf("%s: %zu tools (%s policy tools)\n", tr, json_array_size(tools),
	       npol ? "with" : "without");
	size_t i;
	const json_t *t;
	json_array_foreach(tools, i, t)
	{
		const char *name = json_string_value(json_object_get(t, "name"));
		TK_CHECK(name && strlen(name) > 0 && strlen(name) <= 128,
			 "%s: a tool without a name", tr);
		TK_CHECK(json_is_string(json_object_get(t, "description")),
			 "%s: %s: no description", tr, name);
		static const char *const which[] = {"inputSchema", "outputSchema"};
		for (int k = 0; k < 2; k++) {
			const json_t *s = json_object_get(t, which[k]);
			/* MCP 2025-06-18: both are JSON Schema objects of type object. */
			TK_CHECK(json_is_object(s), "%s: %s: no %s", tr, name, which[k]);
			const json_t *ty = json_object_get(s, "type");
			TK_CHECK(json_is_string(ty) && !strcmp(json_string_value(ty), "object"),
				 "%s: %s: %s type is not object", tr, name, which[k]);
			const json_t *props = json_object_get(s, "properties");
			TK_CHECK(!props || json_is_object(props), "%s: %s: %s properties", tr, name,
				 which[k]);
			char e[256];
			TK_CHECK(scx_mcp_schema_check(s, e, sizeof(e)) == 0, "%s: %s: %s: %s", tr,
				 name, which[k], e);
		}
	}
	json_decref(res);
}

/* The bad-input cases every transport must answer alike. */
static void bad_input(struct scx_agent_mcp *c, const char *tr)
{
	char what[128];
#define CASE(w) (snprintf(what, sizeof(what), "%s: %s", tr, w), what)
	expect_error(c, CASE("malformed JSON"), "{\"jsonrpc\":\"2.0\",\"id\":1,", -32700, "Parse",
		     true);
	expect_error(c, CASE("not an object"), "42", -32600, NULL, true);
	expect_error(c, CASE("a batch"), "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
		     -32600, NULL, true);
	expect_error(c, CASE("wrong jsonrpc"), "{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"ping\"}",
		     -32600, NULL, false);
	expect_error(c, CASE("null id"), "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
		     -32600, NULL, true);
	expect_error(c, CASE("method not a string"), "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":5}",
		     -32600, NULL, false);
	expect_error(c, CASE("unknown method"),
		     "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/frobnicate\"}", -32601,
		     "tools/frobnicate", false);
	expect_error(c, CASE("params not an object"),
		     "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/list\",\"params\":[1]}",
		     -32602, NULL, false);
	expect_error(
		c, CASE("unknown tool"),
		"{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":"
		"\"no_such_tool\",\"arguments\":{}}}",
		-32602, "no_such_tool", false);
	expect_error(
		c, CASE("above maximum"),
		"{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"tools/call\",\"params\":{\"name\":"
		"\"workload_profile\",\"arguments\":{\"pid\":1,\"duration_s\":700}}}",
		-32602, "duration_s", false);
	expect_error(
		c, CASE("wrong type"),
		"{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"tools/call\",\"params\":{\"name\":"
		"\"workload_profile\",\"arguments\":{\"command\":\"ls\"}}}",
		-32602, "command", false);
	expect_error(
		c, CASE("missing required"),
		"{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"tools/call\",\"params\":{\"name\":"
		"\"workload_compare\",\"arguments\":{\"a\":\"wp-1\"}}}",
		-32602, "arguments.b", false);
	expect_error(
		c, CASE("unknown property"),
		"{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"tools/call\",\"params\":{\"name\":"
		"\"workload_list\",\"arguments\":{\"bogus\":1}}}",
		-32602, "bogus", false);
	expect_error(
		c, CASE("item type"),
		"{\"jsonrpc\":\"2.0\",\"id\":16,\"method\":\"tools/call\",\"params\":{\"name\":"
		"\"workload_profile\",\"arguments\":{\"command\":[\"ls\",3]}}}",
		-32602, "command[1]", false);
	expect_error(c, CASE("unknown resource"),
		     "{\"jsonrpc\":\"2.0\",\"id\":17,\"method\":\"resources/read\",\"params\":{"
		     "\"uri\":\"schedcp://profiles/wp-999999\"}}",
		     -32002, NULL, false);
	expect_error(c, CASE("tools/list cursor"),
		     "{\"jsonrpc\":\"2.0\",\"id\":18,\"method\":\"tools/list\",\"params\":{"
		     "\"cursor\":\"zzz\"}}",
		     -32602, NULL, false);
	expect_error(c, CASE("NUL inside a string"),
		     "{\"jsonrpc\":\"2.0\",\"id\":19,\"method\":\"pi\\u0000ng\"}", -32700, NULL,
		     true);

	/* A semantic error the schema cannot express is a tool error (isError),
	 * not a protocol error: both command and pid. */
	json_t *sc = NULL;
	bool is_err = false;
	char text[512], err[512];
	int rc = scx_agent_mcp_call_tool(c, "workload_profile",
					 json_pack("{s:[s], s:i}", "command", "true", "pid", 1),
					 false, &sc, &is_err, text, sizeof(text), err, sizeof(err));
	TK_CHECK(rc == 0 && is_err && strstr(text, "exactly one"),
		 "%s: command+pid: rc %d isError %d '%s'", tr, rc, is_err, text);
	json_decref(sc);

	/* ping still answers after all that. */
	json_t *res = NULL;
	TK_CHECK(scx_agent_mcp_request(c, "ping", NULL, &res, NULL, err, sizeof(err)) == 0 &&
			 json_is_object(res) && json_object_size(res) == 0,
		 "%s: ping after bad input: %s", tr, err);
	json_decref(res);
#undef CASE
}

static const char *pstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* Profiles two workloads, compares them, reads one back as a resource. */
static void workload_flow(struct scx_agent_mcp *c, const char *tr)
{
	char err[512], text[4096];
	json_t *a = NULL, *b = NULL;
	bool is_err = false;
	progress_seen = 0;
	int rc = scx_agent_mcp_call_tool(c, "workload_profile",
					 json_pack("{s:[s,s,s], s:s}", "command", workload_bin,
						   "pingpong", "20000", "label", "pingpong"),
					 true, &a, &is_err, text, sizeof(text), err, sizeof(err));
	TK_REQUIRE(rc == 0, "%s: workload_profile: %s", tr, err);
	if (!is_root) {
		TK_CHECK(is_err, "%s: profiling without root should be a tool error", tr);
		printf("%s: profile parts SKIPPED (not root): %s\n", tr, text);
		json_decref(a);
		return;
	}
	TK_REQUIRE(!is_err && a, "%s: workload_profile failed: %s", tr, text);
	TK_CHECK(!strcmp(pstr(a, "class"), "latency_sensitive"), "%s: pingpong classed %s", tr,
		 pstr(a, "class"));
	TK_CHECK(!strncmp(pstr(a, "id"), "wp-", 3), "%s: profile not stored (id '%s')", tr,
		 pstr(a, "id"));
	TK_CHECK(strstr(text, pstr(a, "class")) != NULL, "%s: text content lacks the class", tr);

	rc = scx_agent_mcp_call_tool(c, "workload_profile",
				     json_pack("{s:[s,s,s,s], s:s}", "command", workload_bin, "cpu",
					       "2", "1.2", "label", "cpu"),
				     true, &b, &is_err, text, sizeof(text), err, sizeof(err));
	TK_REQUIRE(rc == 0 && !is_err && b, "%s: cpu profile: %s %s", tr, err, text);
	TK_CHECK(!strcmp(pstr(b, "class"), "cpu_bound"), "%s: cpu job classed %s", tr,
		 pstr(b, "class"));
	/* The cpu job runs 1.2 s; progress goes out every 250 ms of it. */
	TK_CHECK(progress_seen >= 1, "%s: %d progress notifications", tr, progress_seen);

	json_t *cmp = NULL;
	rc = scx_agent_mcp_call_tool(
		c, "workload_compare",
		json_pack("{s:s, s:s}", "a", pstr(a, "id"), "b", pstr(b, "id")), false, &cmp,
		&is_err, text, sizeof(text), err, sizeof(err));
	TK_CHECK(rc == 0 && !is_err && cmp, "%s: compare: %s %s", tr, err, text);
	if (cmp) {
		TK_CHECK(!strcmp(pstr(cmp, "class_a"), "latency_sensitive") &&
				 !strcmp(pstr(cmp, "class_b"), "cpu_bound"),
			 "%s: compare classes %s/%s", tr, pstr(cmp, "class_a"),
			 pstr(cmp, "class_b"));
		TK_CHECK(json_array_size(json_object_get(cmp, "differences")) > 0,
			 "%s: no differences between pingpong and cpu", tr);
	}
	json_decref(cmp);

	/* The stored profile as a resource. */
	char uri[128];
	snprintf(uri, sizeof(uri), "schedcp://profiles/%s", pstr(a, "id"));
	json_t *res = NULL;
	rc = scx_agent_mcp_request(c, "resources/list", NULL, &res, NULL, err, sizeof(err));
	bool listed = false;
	size_t i;
	const json_t *r;
	json_array_foreach(json_object_get(res, "resources"), i, r)
	{
		if (!strcmp(pstr(r, "uri"), uri))
			listed = true;
	}
	TK_CHECK(rc == 0 && listed, "%s: %s not in resources/list", tr, uri);
	json_decref(res);
	rc = scx_agent_mcp_request(c, "resources/read", json_pack("{s:s}", "uri", uri), &res, NULL,
				   err, sizeof(err));
	const json_t *c0 = json_array_get(json_object_get(res, "contents"), 0);
	json_t *back = json_loads(pstr(c0, "text"), 0, NULL);
	TK_CHECK(rc == 0 && back && !strcmp(pstr(back, "class"), "latency_sensitive") &&
			 !strcmp(pstr(c0, "mimeType"), "application/json"),
		 "%s: resources/read %s: %s", tr, uri, err);
	json_decref(back);
	json_decref(res);
	json_decref(a);
	json_decref(b);
}

static void initialize(struct scx_agent_mcp *c, const char *tr)
{
	json_t *init = NULL;
	char err[512];
	TK_REQUIRE(scx_agent_mcp_initialize(c, &init, err, sizeof(err)) == 0, "%s initialize: %s",
		   tr, err);
	TK_CHECK(!strcmp(pstr(init, "protocolVersion"), "2025-06-18"), "%s: protocolVersion %s", tr,
		 pstr(init, "protocolVersion"));
	const json_t *caps = json_object_get(init, "capabilities");
	TK_CHECK(json_is_object(json_object_get(caps, "tools")) &&
			 json_is_object(json_object_get(caps, "resources")),
		 "%s: capabilities lack tools or resources", tr);
	TK_CHECK(!strcmp(pstr(json_object_get(init, "serverInfo"), "name"), "schedcp"),
		 "%s: serverInfo.name", tr);
	json_decref(init);
}

static void run_stdio(void)
{
	char repo[512], prof[512], maxm[] = "65536";
	snprintf(repo, sizeof(repo), "%s/stdio-repo.db", tmpdir);
	snprintf(prof, sizeof(prof), "%s/stdio-profiles.db", tmpdir);
	char *argv[] = {(char *)server_bin, "--repo",	     repo, "--profiles", prof,
			"--no-fetch",	    "--max-message", maxm, NULL};
	struct scx_agent_mcp *c = NULL;
	char err[512];
	TK_REQUIRE(scx_agent_mcp_spawn(argv, &c, err, sizeof(err)) == 0, "spawn: %s", err);
	scx_agent_mcp_set_notify(c, on_notify, NULL);

	/* Before initialize, only ping is served. */
	expect_error(c, "stdio: tools/list before initialize",
		     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", -32600,
		     "initialize", false);
	initialize(c, "stdio");
	check_tools(c, "stdio");
	bad_input(c, "stdio");

	/* A notification gets no response: the next line answers the ping. */
	json_t *reply = NULL;
	const char *note = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
			   "\"params\":{\"requestId\":99}}";
	scx_agent_mcp_raw(c, note, strlen(note), false, &reply, NULL, err, sizeof(err));
	const char *ping = "{\"jsonrpc\":\"2.0\",\"id\":\"after-note\",\"method\":\"ping\"}";
	TK_CHECK(scx_agent_mcp_raw(c, ping, strlen(ping), true, &reply, NULL, err, sizeof(err)) ==
				 0 &&
			 !strcmp(pstr(reply, "id"), "after-note"),
		 "stdio: a notification was answered");
	json_decref(reply);

	/* Oversized: a 100 KiB line against a 64 KiB limit, then ping works. */
	size_t big = (size_t)100 * 1024;
	char *huge = malloc(big + 1);
	TK_REQUIRE(huge, "malloc");
	memset(huge, 'a', big);
	memcpy(huge, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"", 34);
	huge[big] = '\0';
	expect_error(c, "stdio: oversized", huge, -32600, "exceeds", true);
	free(huge);
	TK_CHECK(scx_agent_mcp_raw(c, ping, strlen(ping), true, &reply, NULL, err, sizeof(err)) ==
				 0 &&
			 !strcmp(pstr(reply, "id"), "after-note"),
		 "stdio: no ping after an oversized line");
	json_decref(reply);

	/* Version negotiation: an unknown revision gets ours. */
	json_t *res = NULL;
	TK_CHECK(scx_agent_mcp_request(c, "initialize",
				       json_pack("{s:s, s:{}, s:{s:s, s:s}}", "protocolVersion",
						 "1999-01-01", "capabilities", "clientInfo", "name",
						 "old", "version", "0"),
				       &res, NULL, err, sizeof(err)) == 0 &&
			 !strcmp(pstr(res, "protocolVersion"), "2025-06-18"),
		 "stdio: negotiation of an unknown revision");
	json_decref(res);
	res = NULL;
	TK_CHECK(scx_agent_mcp_request(c, "initialize",
				       json_pack("{s:s, s:{}, s:{s:s, s:s}}", "protocolVersion",
						 "2025-03-26", "capabilities", "clientInfo", "name",
						 "older", "version", "0"),
				       &res, NULL, err, sizeof(err)) == 0 &&
			 !strcmp(pstr(res, "protocolVersion"), "2025-03-26"),
		 "stdio: a supported older revision is not echoed");
	json_decref(res);

	workload_flow(c, "stdio");

	/* notifications/cancelled for the request in progress: the profile of
	 * a 20 s sleep stops, no response is sent for it, and the next request
	 * is answered next (a missed cancel would answer id 77 first, 20 s
	 * later). */
	if (is_root) {
		const char *call = "{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"tools/call\","
				   "\"params\":{\"name\":\"workload_profile\",\"arguments\":{"
				   "\"command\":[\"sleep\",\"20\"]},\"_meta\":{\"progressToken\":"
				   "\"c\"}}}";
		scx_agent_mcp_raw(c, call, strlen(call), false, &reply, NULL, err, sizeof(err));
		json_t *first = NULL;
		TK_CHECK(scx_agent_mcp_read_one(c, &first, err, sizeof(err)) == 0 &&
				 !strcmp(pstr(first, "method"), "notifications/progress"),
			 "stdio: no progress before the cancel");
		json_decref(first);
		const char *cancel = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
				     "\"params\":{\"requestId\":77,\"reason\":\"test\"}}";
		scx_agent_mcp_raw(c, cancel, strlen(cancel), false, &reply, NULL, err, sizeof(err));
		const char *p2 =
			"{\"jsonrpc\":\"2.0\",\"id\":\"after-cancel\",\"method\":\"ping\"}";
		reply = NULL;
		TK_CHECK(scx_agent_mcp_raw(c, p2, strlen(p2), true, &reply, NULL, err,
					   sizeof(err)) == 0 &&
				 !strcmp(pstr(reply, "id"), "after-cancel"),
			 "stdio: after a cancel the next response is not the ping's (id %lld?)",
			 (long long)json_integer_value(json_object_get(reply, "id")));
		json_decref(reply);
	}

	int st = -1;
	scx_agent_mcp_close(c, &st);
	TK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "stdio: server exit status %d", st);

	/* Disconnect mid-call: the server must end cleanly, not crash. */
	if (is_root) {
		TK_REQUIRE(scx_agent_mcp_spawn(argv, &c, err, sizeof(err)) == 0, "spawn: %s", err);
		initialize(c, "stdio-disconnect");
		const char *call =
			"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
			"\"params\":{\"name\":\"workload_profile\",\"arguments\":{"
			"\"command\":[\"sleep\",\"30\"]},\"_meta\":{\"progressToken\":1}}}";
		scx_agent_mcp_raw(c, call, strlen(call), false, &reply, NULL, err, sizeof(err));
		struct timespec ts = {0, 600 * 1000000L};
		nanosleep(&ts, NULL);
		scx_agent_mcp_close(c, &st);
		TK_CHECK(WIFEXITED(st), "stdio: server killed by signal %d after a disconnect",
			 WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	}
}

/* ---- HTTP ---------------------------------------------------------------------- */

static pid_t http_pid = -1;

static int start_http(char *url, size_t urllen, const char *token)
{
	char tokfile[512], portfile[512], repo[512], prof[512];
	snprintf(tokfile, sizeof(tokfile), "%s/token", tmpdir);
	snprintf(portfile, sizeof(portfile), "%s/port", tmpdir);
	snprintf(repo, sizeof(repo), "%s/http-repo.db", tmpdir);
	snprintf(prof, sizeof(prof), "%s/http-profiles.db", tmpdir);
	unlink(portfile);
	FILE *f = fopen(tokfile, "w");
	TK_REQUIRE(f, "token file");
	fprintf(f, "%s\n", token);
	fclose(f);
	chmod(tokfile, 0644);
	/* A token others can read is refused. */
	char *bad[] = {(char *)server_bin, "--http", "0",	   "--token-file", tokfile,
		       "--repo",	   repo,     "--profiles", prof,	   NULL};
	pid_t p = fork();
	if (!p) {
		execv(server_bin, bad);
		_exit(127);
	}
	int st;
	waitpid(p, &st, 0);
	TK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "a 0644 token file was accepted");
	chmod(tokfile, 0600);
	char *argv[] = {(char *)server_bin,
			"--http",
			"0",
			"--token-file",
			tokfile,
			"--port-file",
			portfile,
			"--repo",
			repo,
			"--profiles",
			prof,
			"--max-message",
			"65536",
			"--no-fetch",
			NULL};
	http_pid = fork();
	if (!http_pid) {
		execv(server_bin, argv);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) { /* readiness, up to 30 s */
		f = fopen(portfile, "r");
		unsigned port = 0;
		if (f) {
			if (fscanf(f, "%u", &port) != 1)
				port = 0;
			fclose(f);
		}
		if (port) {
			snprintf(url, urllen, "http://127.0.0.1:%u/mcp", port);
			return (int)port;
		}
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Raw HTTP for the transport's own rules (curl in a subprocess would hide
 * nothing, but a socket is simplest). Returns the status code. */
static int raw_connect(int port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a))) {
		close(s);
		s = -1;
	}
	return s;
}

static int raw_http(int port, const char *request, char *resp, size_t resplen)
{
	int s = raw_connect(port);
	if (s < 0)
		return -1;
	size_t len = strlen(request);
	if (write(s, request, len) != (ssize_t)len) {
		close(s);
		return -1;
	}
	size_t n = 0;
	ssize_t r;
	while (n + 1 < resplen && (r = read(s, resp + n, resplen - 1 - n)) > 0)
		n += (size_t)r;
	resp[n] = '\0';
	close(s);
	int code = -1;
	if (sscanf(resp, "HTTP/1.%*d %d", &code) != 1)
		return -1;
	return code;
}

/* A new session by a raw initialize: its Mcp-Session-Id into sid ("" when
 * missing); returns the status code. */
static int raw_initialize(int port, const char *token, char *sid, size_t sidlen, char *resp,
			  size_t resplen)
{
	const char *ib = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
			 "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
			 "\"clientInfo\":{\"name\":\"raw\",\"version\":\"0\"}}}";
	char req[1024];
	snprintf(req, sizeof(req),
		 "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 token, strlen(ib), ib);
	int code = raw_http(port, req, resp, resplen);
	const char *h = strcasestr(resp, "Mcp-Session-Id: ");
	char fmt[32];
	snprintf(fmt, sizeof(fmt), "%%%zu[0-9a-f]", sidlen - 1);
	sid[0] = '\0';
	if (h)
		sscanf(h + 16, fmt, sid);
	return code;
}

static void run_http(void)
{
	const char *token = "test-token-0123456789abcdef";
	char url[128];
	int port = start_http(url, sizeof(url), token);
	TK_REQUIRE(port > 0, "the HTTP server did not start");
	char req[2048], resp[8192];
	const char *body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";

	snprintf(req, sizeof(req),
		 "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 strlen(body), body);
	TK_CHECK(raw_http(port, req, resp, sizeof(resp)) == 401, "no token: %.40s", resp);
	TK_CHECK(strstr(resp, "WWW-Authenticate: Bearer") != NULL, "401 without WWW-Authenticate");
	snprintf(req, sizeof(req),
		 "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong-token-"
		 "0123456789abc\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 strlen(body), body);
	TK_CHECK(raw_http(port, req, resp, sizeof(resp)) == 401, "wrong token: %.40s", resp);
	snprintf(req, sizeof(req),
		 "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 token, strlen(body), body);
	TK_CHECK(raw_http(port, req, resp, sizeof(resp)) == 400, "no session id: %.40s", resp);
	snprintf(req, sizeof(req),
		 "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
		 "Mcp-Session-Id: 0000\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 token, strlen(body), body);
	TK_CHECK(raw_http(port, req, resp, sizeof(resp)) == 404, "unknown session: %.40s", resp);
	snprintf(req, sizeof(req),
		 "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
		 "Connection: close\r\n\r\n",
		 token);
	TK_CHECK(raw_http(port, req, resp, sizeof(resp)) == 405, "GET: %.40s", resp);
	snprintf(
		req, sizeof(req),
		"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
		"Origin: http://evil.example\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
		token, strlen(body), body);
	TK_CHECK(raw_http(port, req, resp, sizeof(resp)) == 403, "foreign origin: %.40s", resp);
	snprintf(req, sizeof(req),
		 "POST /other HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		 token, strlen(body), body);
	TK_CHECK(raw_http(port, req, resp, sizeof(resp)) == 404, "other path: %.40s", resp);
	snprintf(req, sizeof(req),
		 "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
		 "Content-Length: 10000000\r\nConnection: close\r\n\r\n{",
		 token);
	TK_CHECK(raw_http(port, req, resp, sizeof(resp)) == 413, "oversized: %.40s", resp);

	struct scx_agent_mcp *c = NULL;
	char err[512];
	TK_REQUIRE(scx_agent_mcp_http(url, token, &c, err, sizeof(err)) == 0, "%s", err);
	scx_agent_mcp_set_notify(c, on_notify, NULL);
	initialize(c, "http");
	check_tools(c, "http");
	bad_input(c, "http");

	/* A notification is accepted with 202 and no body. */
	json_t *reply = NULL;
	long status = 0;
	const char *note = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
	TK_CHECK(scx_agent_mcp_raw(c, note, strlen(note), false, &reply, &status, err,
				   sizeof(err)) == 0 &&
			 status == 202 && !reply,
		 "http: notification got %ld", status);
	json_decref(reply);
	/* A body over the limit, sent in full (chunks arrive past the limit). */
	size_t big = (size_t)100 * 1024;
	char *huge = malloc(big + 1);
	TK_REQUIRE(huge, "malloc");
	memset(huge, ' ', big);
	huge[big] = '\0';
	reply = NULL;
	TK_CHECK(scx_agent_mcp_raw(c, huge, big, true, &reply, &status, err, sizeof(err)) == 0 &&
			 status == 413,
		 "http: oversized body got %ld", status);
	json_decref(reply);
	free(huge);

	workload_flow(c, "http");

	/* Disconnect mid-call over SSE: the server must keep serving. */
	if (is_root) {
		char sid[128];
		/* A fresh session to stream on. */
		TK_CHECK(raw_initialize(port, token, sid, sizeof(sid), resp, sizeof(resp)) == 200,
			 "raw initialize");
		TK_CHECK(sid[0], "no Mcp-Session-Id in %.200s", resp);
		const char *cb =
			"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
			"{\"name\":\"workload_profile\",\"arguments\":{\"command\":[\"sleep\","
			"\"30\"]},\"_meta\":{\"progressToken\":\"x\"}}}";
		snprintf(req, sizeof(req),
			 "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
			 "Mcp-Session-Id: %s\r\nAccept: application/json, text/event-stream\r\n"
			 "Content-Length: %zu\r\n\r\n%s",
			 token, sid, strlen(cb), cb);
		int s = raw_connect(port);
		TK_REQUIRE(s >= 0, "connect");
		TK_CHECK(write(s, req, strlen(req)) == (ssize_t)strlen(req), "write");
		/* Read until the first progress event, then hang up. */
		size_t n = 0;
		ssize_t r;
		while (n + 1 < sizeof(resp) && (r = read(s, resp + n, sizeof(resp) - 1 - n)) > 0) {
			n += (size_t)r;
			resp[n] = '\0';
			if (strstr(resp, "notifications/progress"))
				break;
		}
		TK_CHECK(strstr(resp, "text/event-stream") &&
				 strstr(resp, "notifications/progress"),
			 "http: no SSE progress: %.300s", resp);
		close(s);
		/* The server still answers (the call ends when it next writes). */
		json_t *res = NULL;
		TK_CHECK(scx_agent_mcp_request(c, "ping", NULL, &res, NULL, err, sizeof(err)) == 0,
			 "http: ping after a disconnect: %s", err);
		json_decref(res);
	}

	/* DELETE ends a session: its id is then unknown (404). */
	{
		char sid[128];
		TK_CHECK(raw_initialize(port, token, sid, sizeof(sid), resp, sizeof(resp)) == 200,
			 "raw initialize");
		TK_CHECK(strlen(sid) == 32, "session id '%s' is not 128 bits of hex", sid);
		snprintf(req, sizeof(req),
			 "DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
			 "Mcp-Session-Id: %s\r\nConnection: close\r\n\r\n",
			 token, sid);
		TK_CHECK(raw_http(port, req, resp, sizeof(resp)) == 200, "DELETE: %.40s", resp);
		snprintf(req, sizeof(req),
			 "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
			 "Mcp-Session-Id: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
			 token, sid, strlen(body), body);
		TK_CHECK(raw_http(port, req, resp, sizeof(resp)) == 404,
			 "a deleted session still served: %.40s", resp);
	}
	scx_agent_mcp_close(c, NULL);
	kill(http_pid, SIGTERM);
	int st;
	waitpid(http_pid, &st, 0);
	TK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "http server exit status %d", st);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s SCHEDCP_MCP WAE_WORKLOAD TMPDIR\n", argv[0]);
		return 2;
	}
	server_bin = argv[1];
	workload_bin = argv[2];
	tmpdir = argv[3];
	mkdir(tmpdir, 0700);
	is_root = geteuid() == 0;
	signal(SIGPIPE, SIG_IGN);
	run_stdio();
	run_http();
	return tk_finish();
}
