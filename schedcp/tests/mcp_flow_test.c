/* mcp_flow_test: the whole SchedCP flow through the MCP server, over stdio
 * and over streamable HTTP, as an agent would drive it: initialize, list the
 * tools (every schema checked), profile a workload, create and verify a
 * policy from source, deploy it in the sched_ext VM (the guest's own
 * /sys/kernel/sched_ext/state must read "enabled" under the canary), read
 * the history, record a metric, roll back (the default scheduler is back:
 * state "disabled" after the detach), read the policy as a resource.
 *
 * The policy is the repository's global FIFO source under a new name. The
 * VM parts need qemu and the sched_ext kernel (fetched into the build's
 * cache); without them the test prints SKIPPED and exits 77. The protocol
 * parts are covered without a VM by mcp_protocol_test.
 *
 * usage: mcp_flow_test SCHEDCP_MCP WAE_WORKLOAD POLICY_SOURCE TMPDIR
 */
#include "agent_mcp.h"
#include "mcp_schema.h"
#include "testkit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *server_bin, *workload_bin, *policy_path, *tmpdir;
static char *policy_src;

static const char *pstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static json_t *call(struct scx_agent_mcp *c, const char *tool, json_t *args, char *text,
		    size_t textlen, bool *is_err)
{
	json_t *sc = NULL;
	char err[512];
	int rc = scx_agent_mcp_call_tool(c, tool, args, true, &sc, is_err, text, textlen, err,
					 sizeof(err));
	TK_REQUIRE(rc == 0, "%s: %s", tool, err);
	return sc;
}

static bool vm_unavailable(const char *text)
{
	static const char *const why[] = {"no sched_ext kernel", "fetching the sched_ext kernel",
					  "did not boot",	 "qemu",
					  "has no sched_ext",	 "building scx_guest"};
	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strstr(text, why[i]))
			return true;
	return false;
}

static void flow(struct scx_agent_mcp *c, const char *tr)
{
	char err[512], text[8192];
	bool is_err = false;
	json_t *init = NULL;
	TK_REQUIRE(scx_agent_mcp_initialize(c, &init, err, sizeof(err)) == 0, "%s: %s", tr, err);
	TK_CHECK(!strcmp(pstr(init, "protocolVersion"), "2025-06-18"), "%s: protocolVersion", tr);
	json_decref(init);

	json_t *res = NULL;
	TK_REQUIRE(scx_agent_mcp_request(c, "tools/list", NULL, &res, NULL, err, sizeof(err)) == 0,
		   "%s: %s", tr, err);
	size_t i;
	const json_t *t;
	bool have_create = false;
	json_array_foreach(json_object_get(res, "tools"), i, t)
	{
		char e[256];
		TK_CHECK(!scx_mcp_schema_check(json_object_get(t, "inputSchema"), e, sizeof(e)) &&
				 !scx_mcp_schema_check(json_object_get(t, "outputSchema"), e,
						       sizeof(e)),
			 "%s: %s: %s", tr, pstr(t, "name"), e);
		if (!strcmp(pstr(t, "name"), "policy_create"))
			have_create = true;
	}
	json_decref(res);
	if (!have_create)
		tk_skip("schedcp-mcp was built without scx_core's policy tools");

	/* Profile a workload (root: eBPF). */
	if (geteuid() == 0) {
		json_t *p = call(c, "workload_profile",
				 json_pack("{s:[s,s,s], s:s}", "command", workload_bin, "pingpong",
					   "5000", "label", "flow"),
				 text, sizeof(text), &is_err);
		TK_CHECK(!is_err && !strcmp(pstr(p, "class"), "latency_sensitive"),
			 "%s: profile: %s", tr, text);
		json_decref(p);
	}

	/* Create and verify. */
	char name[64];
	snprintf(name, sizeof(name), "flow_fifo_%s", tr);
	json_t *v = call(c, "policy_create",
			 json_pack("{s:s, s:s, s:s, s:s, s:[s], s:[{s:s, s:s, s:i, s:i, s:i}]}",
				   "name", name, "source", policy_src, "description",
				   "global FIFO, created through MCP", "algorithm", "fifo",
				   "workloads", "batch", "tunables", "name", "slice_ns", "type",
				   "u64", "min", 100000, "max", 100000000, "default", 5000000),
			 text, sizeof(text), &is_err);
	if (is_err && vm_unavailable(text))
		tk_skip("%s", text);
	TK_REQUIRE(!is_err && v, "%s: policy_create: %s", tr, text);
	TK_CHECK(json_is_true(json_object_get(v, "passed")), "%s: FIFO not verified: %s", tr,
		 pstr(v, "reason"));
	TK_CHECK(json_integer_value(json_object_get(v, "version")) == 1, "%s: version %lld", tr,
		 (long long)json_integer_value(json_object_get(v, "version")));
	TK_CHECK(strlen(pstr(v, "object_sha256")) == 64, "%s: no object hash", tr);
	json_decref(v);

	/* Deploy in the VM. */
	json_t *d = call(c, "policy_deploy", json_pack("{s:s}", "name", name), text, sizeof(text),
			 &is_err);
	TK_REQUIRE(!is_err && d, "%s: policy_deploy: %s", tr, text);
	TK_CHECK(!strcmp(pstr(d, "outcome"), "deployed"), "%s: outcome %s (%s)", tr,
		 pstr(d, "outcome"), pstr(d, "reason"));
	TK_CHECK(!strcmp(pstr(d, "state"), "enabled"), "%s: sched_ext state '%s' under the canary",
		 tr, pstr(d, "state"));
	TK_CHECK(strstr(pstr(d, "ops"), "fifo") != NULL, "%s: root/ops '%s'", tr, pstr(d, "ops"));
	json_decref(d);

	json_t *st = call(c, "scheduler_status", json_object(), text, sizeof(text), &is_err);
	TK_CHECK(!is_err && !strcmp(pstr(json_object_get(st, "current"), "policy"), name),
		 "%s: status after deploy: %s", tr, text);
	json_decref(st);

	/* History: the deployment, and the canary's makespan in the perf table. */
	json_t *h = call(c, "history_read", json_pack("{s:i, s:s}", "limit", 5, "policy", name),
			 text, sizeof(text), &is_err);
	const json_t *h0 = json_array_get(json_object_get(h, "deployments"), 0);
	TK_CHECK(!is_err && !strcmp(pstr(h0, "action"), "deploy") &&
			 !strcmp(pstr(h0, "policy"), name) &&
			 !strcmp(pstr(h0, "outcome"), "deployed"),
		 "%s: history: %s", tr, text);
	TK_CHECK(json_object_get(json_object_get(h, "performance"), "canary-build") != NULL,
		 "%s: no canary-build performance recorded", tr);
	json_decref(h);

	json_t *r = call(c, "history_record",
			 json_pack("{s:s, s:s, s:{s:f}}", "policy", name, "workload", "flow",
				   "metrics", "makespan_ms", 812.5),
			 text, sizeof(text), &is_err);
	TK_CHECK(!is_err && json_is_true(json_object_get(r, "recorded")), "%s: record: %s", tr,
		 text);
	json_decref(r);
	json_t *g = call(c, "policy_get", json_pack("{s:s}", "name", name), text, sizeof(text),
			 &is_err);
	const json_t *fl =
		json_array_get(json_object_get(json_object_get(g, "performance"), "flow"), 0);
	TK_CHECK(!is_err && json_number_value(json_object_get(fl, "value")) == 812.5,
		 "%s: recorded metric not read back", tr);
	json_decref(g);

	/* Roll back: the default scheduler again. */
	json_t *rb = call(c, "policy_rollback", json_object(), text, sizeof(text), &is_err);
	TK_CHECK(!is_err && !strcmp(pstr(rb, "outcome"), "rolled_back") &&
			 !strcmp(pstr(rb, "state_after_detach"), "disabled"),
		 "%s: rollback: %s", tr, text);
	json_decref(rb);
	st = call(c, "scheduler_status", json_object(), text, sizeof(text), &is_err);
	TK_CHECK(!is_err && strcmp(pstr(json_object_get(st, "current"), "policy"), name) != 0,
		 "%s: still current after rollback: %s", tr, text);
	json_decref(st);
	h = call(c, "history_read", json_pack("{s:i}", "limit", 1), text, sizeof(text), &is_err);
	h0 = json_array_get(json_object_get(h, "deployments"), 0);
	TK_CHECK(!strcmp(pstr(h0, "action"), "rollback"), "%s: last history entry %s", tr,
		 pstr(h0, "action"));
	json_decref(h);

	/* The policy as a resource: its source. */
	char uri[128];
	snprintf(uri, sizeof(uri), "schedcp://policies/%s", name);
	res = NULL;
	TK_CHECK(scx_agent_mcp_request(c, "resources/read", json_pack("{s:s}", "uri", uri), &res,
				       NULL, err, sizeof(err)) == 0,
		 "%s: resources/read: %s", tr, err);
	const json_t *c0 = json_array_get(json_object_get(res, "contents"), 0);
	TK_CHECK(!strcmp(pstr(c0, "text"), policy_src), "%s: resource text is not the source", tr);
	json_decref(res);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s SCHEDCP_MCP WAE_WORKLOAD POLICY_SOURCE TMPDIR\n",
			argv[0]);
		return 2;
	}
	server_bin = argv[1];
	workload_bin = argv[2];
	policy_path = argv[3];
	tmpdir = argv[4];
	signal(SIGPIPE, SIG_IGN);
	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1"))
		tk_skip("qemu-system-x86_64 is not installed");
	FILE *f = fopen(policy_path, "r");
	TK_REQUIRE(f, "cannot read %s", policy_path);
	policy_src = calloc(1, 1 << 20);
	size_t n = fread(policy_src, 1, (1 << 20) - 1, f);
	fclose(f);
	policy_src[n] = '\0';
	mkdir(tmpdir, 0700);

	/* stdio */
	char repo[512], prof[512];
	snprintf(repo, sizeof(repo), "%s/stdio.db", tmpdir);
	snprintf(prof, sizeof(prof), "%s/stdio-profiles.db", tmpdir);
	unlink(repo);
	char *sargv[] = {(char *)server_bin, "--repo", repo, "--profiles", prof, NULL};
	struct scx_agent_mcp *c = NULL;
	char err[512];
	TK_REQUIRE(scx_agent_mcp_spawn(sargv, &c, err, sizeof(err)) == 0, "%s", err);
	flow(c, "stdio");
	int st = 0;
	scx_agent_mcp_close(c, &st);
	TK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "stdio server exit %d", st);

	/* HTTP */
	const char *token = "flow-token-0123456789abcdef";
	char tokfile[512], portfile[512];
	snprintf(tokfile, sizeof(tokfile), "%s/token", tmpdir);
	snprintf(portfile, sizeof(portfile), "%s/port", tmpdir);
	snprintf(repo, sizeof(repo), "%s/http.db", tmpdir);
	snprintf(prof, sizeof(prof), "%s/http-profiles.db", tmpdir);
	unlink(repo);
	unlink(portfile);
	f = fopen(tokfile, "w");
	TK_REQUIRE(f, "token file");
	fprintf(f, "%s\n", token);
	fclose(f);
	chmod(tokfile, 0600);
	pid_t pid = fork();
	if (!pid) {
		execl(server_bin, server_bin, "--http", "0", "--token-file", tokfile, "--port-file",
		      portfile, "--repo", repo, "--profiles", prof, (char *)NULL);
		_exit(127);
	}
	unsigned port = 0;
	for (int i = 0; i < 300 && !port; i++) {
		f = fopen(portfile, "r");
		if (f) {
			if (fscanf(f, "%u", &port) != 1)
				port = 0;
			fclose(f);
		}
		struct timespec ts = {0, 100 * 1000000L};
		if (!port)
			nanosleep(&ts, NULL);
	}
	TK_REQUIRE(port, "the HTTP server did not start");
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/mcp", port);
	TK_REQUIRE(scx_agent_mcp_http(url, token, &c, err, sizeof(err)) == 0, "%s", err);
	flow(c, "http");
	scx_agent_mcp_close(c, NULL);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	TK_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "http server exit %d", st);
	free(policy_src);
	return tk_finish();
}
