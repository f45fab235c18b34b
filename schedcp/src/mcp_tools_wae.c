/* mcp_tools_wae: the Workload Analysis Engine as MCP tools and resources (see
 * mcp_tools.h). workload_profile runs the eBPF profiler with progress
 * notifications every 250 ms when the client sent a progress token; a client
 * that goes away mid-profile stops it (the command is killed).
 */
#include "mcp_tools.h"
#include "wae_engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE_SCHEMA                                                                         \
	"{\"type\":\"object\",\"properties\":{"                                                \
	"\"id\":{\"type\":\"string\",\"description\":\"store id (wp-N), empty when not "       \
	"stored\"},"                                                                           \
	"\"label\":{\"type\":\"string\"},\"target\":{\"type\":\"string\"},"                    \
	"\"class\":{\"type\":\"string\",\"enum\":[\"cpu_bound\",\"io_bound\","                 \
	"\"latency_sensitive\",\"mixed\",\"idle\"]},"                                          \
	"\"features\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"                   \
	"\"reasons\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"                    \
	"\"summary\":{\"type\":\"string\"},"                                                   \
	"\"wall_s\":{\"type\":\"number\"},\"ncpus\":{\"type\":\"integer\"},"                   \
	"\"exit_status\":{\"type\":\"integer\"},\"truncated\":{\"type\":\"boolean\"},"         \
	"\"tasks\":{\"type\":\"object\",\"description\":\"count, processes, exited, dropped, " \
	"lifetime_ms {min,p50,p90,max}, tail_ratio\"},"                                        \
	"\"cpu\":{\"type\":\"object\",\"description\":\"time_s, utilization (share of all "    \
	"CPUs), demand (tasks running or runnable on average), blocked (tasks in D on "        \
	"average)\"},"                                                                         \
	"\"time_share\":{\"type\":\"object\",\"description\":\"running, runnable, sleeping, "  \
	"blocked: shares of task time\"},"                                                     \
	"\"switches\":{\"type\":\"object\",\"description\":\"voluntary, involuntary, per_s, "  \
	"involuntary_share\"},"                                                                \
	"\"wakeups\":{\"type\":\"object\",\"description\":\"count, per_s, mean_burst_us\"},"   \
	"\"runq_latency_us\":{\"type\":\"object\",\"description\":\"samples, mean, p50, p90, " \
	"p99, max, histogram [{le_us,count}]\"},"                                              \
	"\"wakeup_graph\":{\"type\":\"object\",\"description\":\"edges [{waker, waker_tid, "   \
	"wakee, wakee_tid, count}], dropped\"}},"                                              \
	"\"required\":[\"label\",\"class\",\"features\",\"summary\",\"wall_s\",\"tasks\","     \
	"\"cpu\",\"time_share\",\"switches\",\"wakeups\",\"runq_latency_us\","                 \
	"\"wakeup_graph\"]}"

static const char profile_in[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"command\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":64,"
	"\"items\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":4096},"
	"\"description\":\"argv of a command to run and profile until it exits\"},"
	"\"pid\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":4194304,"
	"\"description\":\"a running process to watch (with its threads and new children)\"},"
	"\"duration_s\":{\"type\":\"number\",\"minimum\":0.1,\"maximum\":600,"
	"\"description\":\"pid: how long to watch (default 5); command: stop it after this long\"},"
	"\"label\":{\"type\":\"string\",\"maxLength\":128,\"description\":\"a name for the "
	"workload\"},"
	"\"store\":{\"type\":\"boolean\",\"description\":\"keep the profile (default true)\"}},"
	"\"additionalProperties\":false}";

static const char compare_in[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"a\":{\"type\":\"string\",\"maxLength\":64,\"description\":\"profile id (wp-N)\"},"
	"\"b\":{\"type\":\"string\",\"maxLength\":64,\"description\":\"profile id (wp-N)\"}},"
	"\"required\":[\"a\",\"b\"],\"additionalProperties\":false}";

static const char compare_out[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"},"
	"\"class_a\":{\"type\":\"string\"},\"class_b\":{\"type\":\"string\"},"
	"\"differences\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
	"\"metric\":{\"type\":\"string\"},\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"},"
	"\"ratio\":{\"type\":[\"number\",\"null\"]}},\"required\":[\"metric\",\"a\",\"b\"]}},"
	"\"summary\":{\"type\":\"string\"}},"
	"\"required\":[\"a\",\"b\",\"class_a\",\"class_b\",\"differences\",\"summary\"]}";

static const char list_in[] = "{\"type\":\"object\",\"properties\":{"
			      "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":500}},"
			      "\"additionalProperties\":false}";

static const char list_out[] =
	"{\"type\":\"object\",\"properties\":{\"profiles\":{\"type\":\"array\",\"items\":{"
	"\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
	"\"label\":{\"type\":\"string\"},\"class\":{\"type\":\"string\"},"
	"\"created\":{\"type\":\"integer\"},\"summary\":{\"type\":\"string\"}},"
	"\"required\":[\"id\",\"label\",\"class\"]}}},\"required\":[\"profiles\"]}";

struct progress_bridge {
	struct scx_mcp_call *call;
};

static int on_progress(void *ctx, double elapsed, double total)
{
	struct progress_bridge *b = ctx;
	char msg[96];
	snprintf(msg, sizeof(msg), "profiling: %.1f s", elapsed);
	if (scx_mcp_call_cancelled(b->call))
		return 1;
	return scx_mcp_progress(b->call, elapsed, total, msg) < 0 ? 1 : 0;
}

static int tool_profile(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
			char *err, size_t errlen)
{
	struct scx_mcp_ctx *ctx = vctx;
	const json_t *cmd = json_object_get(args, "command");
	const json_t *pid = json_object_get(args, "pid");
	if (!!cmd == !!pid) {
		snprintf(err, errlen, "workload_profile: give exactly one of command and pid");
		return -EINVAL;
	}
	if (cmd && !ctx->allow_exec) {
		snprintf(err, errlen,
			 "workload_profile: this server does not run commands "
			 "(--no-exec); profile a pid instead");
		return -EPERM;
	}
	const json_t *dur = json_object_get(args, "duration_s");
	const json_t *lab = json_object_get(args, "label");
	const json_t *store = json_object_get(args, "store");
	double max_s = ctx->max_profile_s > 0 ? ctx->max_profile_s : 120;

	char **argv = NULL;
	if (cmd) {
		argv = calloc(json_array_size(cmd) + 1, sizeof(*argv));
		if (!argv) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		for (size_t i = 0; i < json_array_size(cmd); i++)
			argv[i] = (char *)json_string_value(json_array_get(cmd, i));
	}
	struct progress_bridge b = {call};
	struct scx_wae_opts o = {
		.argv = argv,
		.pid = pid ? (pid_t)json_integer_value(pid) : 0,
		.label = json_is_string(lab) ? json_string_value(lab) : "",
		.cancel = &call->cancelled,
		.progress = on_progress,
		.progress_ctx = &b,
	};
	if (cmd) {
		o.max_duration_s = dur ? json_number_value(dur) : max_s;
		if (o.max_duration_s > max_s)
			o.max_duration_s = max_s;
	} else {
		o.duration_s = dur ? json_number_value(dur) : 5;
		if (o.duration_s > max_s)
			o.duration_s = max_s;
	}
	json_t *p = NULL;
	int rc = scx_wae_profile(&o, &p, err, errlen);
	free(argv);
	if (rc)
		return rc;
	json_object_set_new(p, "id", json_string(""));
	if (ctx->profiles && !json_is_false(store)) {
		char id[32];
		rc = scx_wae_store_put(ctx->profiles, p, id, sizeof(id), err, errlen);
		if (rc) {
			json_decref(p);
			return rc;
		}
	}
	*result = p;
	return 0;
}

static char *summarize_profile(const json_t *p)
{
	const json_t *id = json_object_get(p, "id");
	const json_t *s = json_object_get(p, "summary");
	char *out = NULL;
	if (asprintf(&out, "profile %s: %s",
		     json_is_string(id) && json_string_length(id) ? json_string_value(id)
								  : "(not stored)",
		     json_is_string(s) ? json_string_value(s) : "") < 0)
		return NULL;
	return out;
}

static int tool_compare(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
			char *err, size_t errlen)
{
	(void)call;
	struct scx_mcp_ctx *ctx = vctx;
	if (!ctx->profiles) {
		snprintf(err, errlen, "workload_compare: no profile store");
		return -ENOENT;
	}
	const char *ida = json_string_value(json_object_get(args, "a"));
	const char *idb = json_string_value(json_object_get(args, "b"));
	json_t *a = scx_wae_store_get(ctx->profiles, ida, err, errlen);
	if (!a)
		return -ENOENT;
	json_t *b = scx_wae_store_get(ctx->profiles, idb, err, errlen);
	if (!b) {
		json_decref(a);
		return -ENOENT;
	}
	*result = scx_wae_compare(a, b);
	json_decref(a);
	json_decref(b);
	if (!*result) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static char *summarize_compare(const json_t *c)
{
	const json_t *s = json_object_get(c, "summary");
	return json_is_string(s) ? strdup(json_string_value(s)) : NULL;
}

static int tool_list(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
		     char *err, size_t errlen)
{
	(void)call;
	struct scx_mcp_ctx *ctx = vctx;
	const json_t *lim = json_object_get(args, "limit");
	json_t *arr = ctx->profiles ? scx_wae_store_list(ctx->profiles,
							 lim ? (int)json_integer_value(lim) : 50,
							 err, errlen)
				    : json_array();
	if (!arr)
		return -EIO;
	*result = json_pack("{s:o}", "profiles", arr);
	return *result ? 0 : -ENOMEM;
}

/* ---- resources ---------------------------------------------------------------- */

#define PROFILE_URI "schedcp://profiles/"

static int res_list(void *vctx, json_t *out, char *err, size_t errlen)
{
	struct scx_mcp_ctx *ctx = vctx;
	if (!ctx->profiles)
		return 0;
	json_t *arr = scx_wae_store_list(ctx->profiles, 50, err, errlen);
	if (!arr)
		return -EIO;
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		char uri[128], desc[256];
		const char *id = json_string_value(json_object_get(e, "id"));
		snprintf(uri, sizeof(uri), PROFILE_URI "%s", id ? id : "");
		snprintf(desc, sizeof(desc), "workload profile '%s' (%s)",
			 json_string_value(json_object_get(e, "label")),
			 json_string_value(json_object_get(e, "class")));
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "uri", uri, "name",
						     id ? id : "", "description", desc, "mimeType",
						     "application/json"));
	}
	json_decref(arr);
	return 0;
}

static int res_read(void *vctx, const char *uri, json_t **contents, char *err, size_t errlen)
{
	struct scx_mcp_ctx *ctx = vctx;
	const char *id = uri + strlen(PROFILE_URI);
	json_t *p = ctx->profiles ? scx_wae_store_get(ctx->profiles, id, err, errlen) : NULL;
	if (!p)
		return SCX_RPC_RESOURCE_NOT_FOUND;
	char *text = json_dumps(p, JSON_INDENT(2));
	json_decref(p);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	*contents = json_pack("{s:s, s:s, s:s}", "uri", uri, "mimeType", "application/json", "text",
			      text);
	free(text);
	return *contents ? 0 : -ENOMEM;
}

int scx_mcp_register_wae_tools(struct scx_mcp_server *srv, struct scx_mcp_ctx *ctx, char *err,
			       size_t errlen)
{
	const struct scx_mcp_tool tools[] = {
		{.name = "workload_profile",
		 .title = "Profile a workload",
		 .description =
			 "Profile a command (run until it exits) or a running pid with eBPF on "
			 "the scheduler tracepoints: run-queue latency, context switches, CPU use, "
			 "tasks and lifetimes, the wakeup graph, time running/runnable/sleeping/"
			 "blocked. Returns a profile with a class (cpu_bound, io_bound, "
			 "latency_sensitive, mixed, idle), features (parallel, long_tail, batch, "
			 "interactive, ...) and a summary. Needs root on the server's host.",
		 .input_schema = profile_in,
		 .output_schema = PROFILE_SCHEMA,
		 .fn = tool_profile,
		 .ctx = ctx,
		 .summarize = summarize_profile},
		{.name = "workload_compare",
		 .title = "Compare two profiles",
		 .description = "Compare two stored workload profiles metric by metric; metrics "
				"that differ by 10% or more are listed with their ratio (b/a).",
		 .input_schema = compare_in,
		 .output_schema = compare_out,
		 .read_only = true,
		 .fn = tool_compare,
		 .ctx = ctx,
		 .summarize = summarize_compare},
		{.name = "workload_list",
		 .title = "List stored profiles",
		 .description = "The newest stored workload profiles with their class and "
				"summary.",
		 .input_schema = list_in,
		 .output_schema = list_out,
		 .read_only = true,
		 .fn = tool_list,
		 .ctx = ctx},
	};
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		int rc = scx_mcp_server_add_tool(srv, &tools[i], err, errlen);
		if (rc)
			return rc;
	}
	return scx_mcp_server_add_resources(srv, PROFILE_URI, PROFILE_URI "{id}",
					    "workload profile", res_list, res_read, ctx, err,
					    errlen);
}
