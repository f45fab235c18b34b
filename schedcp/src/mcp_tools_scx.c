/* mcp_tools_scx: SchedCP's core (scx.h: the policy repository, the
 * Execution Verifier, deployment with rollback, history) as MCP tools and
 * the policy resources (see mcp_tools.h). The handlers are thin: check what
 * the schema cannot say, call the core, shape the result to the declared
 * outputSchema. A core failure (no VM, a refused deployment) is a tool
 * error the agent can read, never a protocol error.
 */
#include "mcp_tools.h"
#include "scx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_SCHEMA \
	"{\"type\":\"string\",\"minLength\":1,\"maxLength\":64,\"description\":\"policy name\"}"
#define VERSION_SCHEMA                                                                             \
	"{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000000,\"description\":\"version; 0 or " \
	"absent: the latest\"}"

static const char search_in[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"query\":{\"type\":\"string\",\"maxLength\":256,\"description\":\"text to match in "
	"name, description, algorithm\"},"
	"\"workload\":{\"type\":\"string\",\"maxLength\":64,\"description\":\"a workload feature "
	"(batch, interactive, long_tail, parallel, ...)\"}},"
	"\"additionalProperties\":false}";
static const char search_out[] =
	"{\"type\":\"object\",\"properties\":{\"policies\":{\"type\":\"array\",\"items\":{"
	"\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
	"\"version\":{\"type\":\"integer\"},\"description\":{\"type\":\"string\"},"
	"\"algorithm\":{\"type\":\"string\"},\"verified\":{\"type\":\"boolean\"}},"
	"\"required\":[\"name\"]}}},\"required\":[\"policies\"]}";

static const char get_in[] = "{\"type\":\"object\",\"properties\":{\"name\":" NAME_SCHEMA
			     ",\"version\":" VERSION_SCHEMA "},"
			     "\"required\":[\"name\"],\"additionalProperties\":false}";
static const char any_object_out[] = "{\"type\":\"object\"}";
static const char get_out[] =
	"{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
	"\"version\":{\"type\":\"integer\"},\"source\":{\"type\":\"string\"}},"
	"\"required\":[\"name\"]}";

static const char create_in[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"name\":" NAME_SCHEMA ","
	"\"source\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":262144,"
	"\"description\":\"sched_ext policy, BPF C including scx_common.bpf.h\"},"
	"\"description\":{\"type\":\"string\",\"maxLength\":1024},"
	"\"algorithm\":{\"type\":\"string\",\"maxLength\":128},"
	"\"workloads\":{\"type\":\"array\",\"maxItems\":16,\"items\":{\"type\":\"string\","
	"\"maxLength\":64}},"
	"\"parent\":{\"type\":\"string\",\"maxLength\":64,\"description\":\"the policy it "
	"derives from (lineage)\"},"
	"\"tunables\":{\"type\":\"array\",\"maxItems\":16,\"items\":{\"type\":\"object\","
	"\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":64},"
	"\"type\":{\"type\":\"string\",\"enum\":[\"u64\",\"s64\",\"u32\",\"s32\",\"bool\"]},"
	"\"min\":{\"type\":\"number\"},\"max\":{\"type\":\"number\"},"
	"\"default\":{\"type\":\"number\"}},\"required\":[\"name\"],"
	"\"additionalProperties\":false}},"
	"\"verify\":{\"type\":\"boolean\",\"description\":\"run the Execution Verifier now "
	"(default true)\"}},"
	"\"required\":[\"name\",\"source\"],\"additionalProperties\":false}";
static const char verdict_out[] =
	"{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
	"\"version\":{\"type\":\"integer\"},\"verified\":{\"type\":\"boolean\"},"
	"\"passed\":{\"type\":\"boolean\"},\"reason\":{\"type\":\"string\"},"
	"\"object_sha256\":{\"type\":\"string\"},\"verdict\":{\"type\":[\"object\",\"null\"]}},"
	"\"required\":[\"name\",\"version\",\"verified\",\"passed\"]}";
static const char verify_in[] = "{\"type\":\"object\",\"properties\":{\"name\":" NAME_SCHEMA
				",\"version\":" VERSION_SCHEMA "},"
				"\"required\":[\"name\"],\"additionalProperties\":false}";
static const char deploy_in[] = "{\"type\":\"object\",\"properties\":{\"name\":" NAME_SCHEMA
				"},\"required\":[\"name\"],\"additionalProperties\":false}";
static const char deploy_out[] =
	"{\"type\":\"object\",\"properties\":{\"outcome\":{\"type\":\"string\"},"
	"\"policy\":{\"type\":[\"string\",\"null\"]},\"version\":{\"type\":[\"integer\","
	"\"null\"]},\"metrics\":{\"type\":[\"object\",\"null\"]},\"reason\":{\"type\":"
	"[\"string\",\"null\"]}},\"required\":[\"outcome\"]}";
static const char empty_in[] = "{\"type\":\"object\",\"additionalProperties\":false}";
static const char history_in[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000},"
	"\"policy\":{\"type\":\"string\",\"maxLength\":64,\"description\":\"also return this "
	"policy's performance history per workload\"}},"
	"\"additionalProperties\":false}";
static const char history_out[] =
	"{\"type\":\"object\",\"properties\":{\"deployments\":{\"type\":\"array\"},"
	"\"performance\":{\"type\":[\"object\",\"array\",\"null\"]}},"
	"\"required\":[\"deployments\"]}";
static const char record_in[] =
	"{\"type\":\"object\",\"properties\":{\"policy\":" NAME_SCHEMA ","
	"\"version\":" VERSION_SCHEMA ","
	"\"workload\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":128},"
	"\"metrics\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"number\"},"
	"\"description\":\"numeric metrics, e.g. {\\\"makespan_ms\\\": 812.5}\"}},"
	"\"required\":[\"policy\",\"workload\",\"metrics\"],\"additionalProperties\":false}";
static const char record_out[] =
	"{\"type\":\"object\",\"properties\":{\"recorded\":{\"type\":\"boolean\"},"
	"\"policy\":{\"type\":\"string\"},\"workload\":{\"type\":\"string\"}},"
	"\"required\":[\"recorded\"]}";

static const char *sarg(const json_t *args, const char *k)
{
	const json_t *v = json_object_get(args, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int iarg(const json_t *args, const char *k, int dflt)
{
	const json_t *v = json_object_get(args, k);
	return json_is_integer(v) ? (int)json_integer_value(v) : dflt;
}

static int tool_search(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
		       char *err, size_t errlen)
{
	(void)call;
	struct scx_mcp_ctx *ctx = vctx;
	json_t *arr =
		scx_policy_list(ctx->scx, sarg(args, "query"), sarg(args, "workload"), err, errlen);
	if (!arr)
		return -EIO;
	*result = json_pack("{s:o}", "policies", arr);
	return 0;
}

static int tool_get(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
		    char *err, size_t errlen)
{
	(void)call;
	struct scx_mcp_ctx *ctx = vctx;
	json_t *p = scx_policy_show(ctx->scx, sarg(args, "name"), iarg(args, "version", 0), err,
				    errlen);
	if (!p)
		return -ENOENT;
	*result = p;
	return 0;
}

static json_t *verdict_result(const char *name, int version, bool verified, const scx_verdict *v)
{
	json_t *r = json_pack("{s:s, s:i, s:b, s:b, s:s, s:s}", "name", name, "version", version,
			      "verified", verified, "passed", v && v->passed, "reason",
			      v ? v->reason : "", "object_sha256", v ? v->object_sha256 : "");
	if (r)
		json_object_set(r, "verdict", v && v->json ? v->json : json_null());
	return r;
}

static int run_verify(struct scx_mcp_call *call, struct scx_mcp_ctx *ctx, const char *name,
		      int version, json_t **result, char *err, size_t errlen)
{
	scx_mcp_progress(call, 1, 3, "verifying: compile, static checks, VM runs");
	scx_verdict v = {0};
	int rc = scx_verify_policy(ctx->scx, name, version, &v, err, errlen);
	if (rc) {
		scx_verdict_free(&v);
		return rc;
	}
	scx_mcp_progress(call, 3, 3, v.passed ? "verified" : "rejected");
	const json_t *jv = json_object_get(v.json, "version");
	if (!version && json_is_integer(jv))
		version = (int)json_integer_value(jv); /* "the latest", as it was */
	*result = verdict_result(name, version, true, &v);
	scx_verdict_free(&v);
	return *result ? 0 : -ENOMEM;
}

static int tool_create(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
		       char *err, size_t errlen)
{
	struct scx_mcp_ctx *ctx = vctx;
	json_t *meta = json_object();
	static const char *const keys[] = {"description", "algorithm", "workloads", "parent",
					   "tunables"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(args, keys[i]);
		if (v)
			json_object_set(meta, keys[i], v);
	}
	char *meta_text = json_dumps(meta, JSON_COMPACT);
	json_decref(meta);
	if (!meta_text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	const char *name = sarg(args, "name");
	int version = 0;
	scx_mcp_progress(call, 0.5, 3, "adding to the repository");
	int rc = scx_policy_add(ctx->scx, name, sarg(args, "source"), meta_text, &version, err,
				errlen);
	free(meta_text);
	if (rc)
		return rc;
	if (json_is_false(json_object_get(args, "verify"))) {
		*result = verdict_result(name, version, false, NULL);
		return *result ? 0 : -ENOMEM;
	}
	return run_verify(call, ctx, name, version, result, err, errlen);
}

static int tool_verify(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
		       char *err, size_t errlen)
{
	return run_verify(call, vctx, sarg(args, "name"), iarg(args, "version", 0), result, err,
			  errlen);
}

static int tool_deploy(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
		       char *err, size_t errlen)
{
	struct scx_mcp_ctx *ctx = vctx;
	scx_mcp_progress(call, 1, 2, "deploying as a canary");
	int rc = scx_deploy(ctx->scx, sarg(args, "name"), result, err, errlen);
	if (rc)
		return rc;
	if (!*result)
		*result = json_pack("{s:s}", "outcome", "deployed");
	return 0;
}

static int tool_rollback(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
			 char *err, size_t errlen)
{
	(void)call;
	(void)args;
	struct scx_mcp_ctx *ctx = vctx;
	int rc = scx_rollback(ctx->scx, result, err, errlen);
	if (rc)
		return rc;
	if (!*result)
		*result = json_pack("{s:s}", "outcome", "rolled_back");
	return 0;
}

static int tool_status(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
		       char *err, size_t errlen)
{
	(void)call;
	(void)args;
	struct scx_mcp_ctx *ctx = vctx;
	*result = scx_status(ctx->scx, err, errlen);
	return *result ? 0 : -EIO;
}

static int tool_history(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
			char *err, size_t errlen)
{
	(void)call;
	struct scx_mcp_ctx *ctx = vctx;
	json_t *dep = scx_history(ctx->scx, iarg(args, "limit", 20), err, errlen);
	if (!dep)
		return -EIO;
	json_t *perf = json_null();
	const char *pol = sarg(args, "policy");
	if (pol) {
		json_t *show = scx_policy_show(ctx->scx, pol, 0, err, errlen);
		if (!show) {
			json_decref(dep);
			return -ENOENT;
		}
		json_t *h = json_object_get(show, "history");
		if (!h)
			h = json_object_get(show, "performance");
		perf = h ? json_incref(h) : json_object();
		json_decref(show);
	}
	*result = json_pack("{s:o, s:o}", "deployments", dep, "performance", perf);
	return *result ? 0 : -ENOMEM;
}

static int tool_record(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
		       char *err, size_t errlen)
{
	(void)call;
	struct scx_mcp_ctx *ctx = vctx;
	int rc = scx_perf_record(ctx->scx, sarg(args, "policy"), iarg(args, "version", 0),
				 sarg(args, "workload"), json_object_get(args, "metrics"), err,
				 errlen);
	if (rc)
		return rc;
	*result = json_pack("{s:b, s:s, s:s}", "recorded", 1, "policy", sarg(args, "policy"),
			    "workload", sarg(args, "workload"));
	return *result ? 0 : -ENOMEM;
}

/* ---- resources ---------------------------------------------------------------- */

#define POLICY_URI "schedcp://policies/"

static int res_list(void *vctx, json_t *out, char *err, size_t errlen)
{
	struct scx_mcp_ctx *ctx = vctx;
	json_t *arr = scx_policy_list(ctx->scx, NULL, NULL, err, errlen);
	if (!arr)
		return -EIO;
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *desc = json_string_value(json_object_get(e, "description"));
		if (!name)
			continue;
		char uri[128];
		snprintf(uri, sizeof(uri), POLICY_URI "%s", name);
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "uri", uri, "name",
						     name, "description", desc ? desc : "",
						     "mimeType", "text/x-c"));
	}
	json_decref(arr);
	return 0;
}

static int res_read(void *vctx, const char *uri, json_t **contents, char *err, size_t errlen)
{
	struct scx_mcp_ctx *ctx = vctx;
	const char *name = uri + strlen(POLICY_URI);
	json_t *p = scx_policy_show(ctx->scx, name, 0, err, errlen);
	if (!p)
		return SCX_RPC_RESOURCE_NOT_FOUND;
	const char *src = json_string_value(json_object_get(p, "source"));
	*contents = json_pack("{s:s, s:s, s:s}", "uri", uri, "mimeType", "text/x-c", "text",
			      src ? src : "");
	json_decref(p);
	return *contents ? 0 : -ENOMEM;
}

int scx_mcp_register_scx_tools(struct scx_mcp_server *srv, struct scx_mcp_ctx *ctx, char *err,
			       size_t errlen)
{
	const struct scx_mcp_tool tools[] = {
		{.name = "policy_search",
		 .title = "Search scheduling policies",
		 .description = "Search the policy repository by text and by workload feature "
				"(batch, interactive, long_tail, parallel, io, ...).",
		 .input_schema = search_in,
		 .output_schema = search_out,
		 .read_only = true,
		 .fn = tool_search,
		 .ctx = ctx},
		{.name = "policy_get",
		 .title = "Read a policy",
		 .description = "A policy version's source, metadata (algorithm, tunables with "
				"ranges, target workloads), lineage, verdict and performance "
				"history.",
		 .input_schema = get_in,
		 .output_schema = get_out,
		 .read_only = true,
		 .fn = tool_get,
		 .ctx = ctx},
		{.name = "policy_create",
		 .title = "Create and verify a policy",
		 .description = "Add a sched_ext policy (BPF C source) as a new policy or a new "
				"version, then run the Execution Verifier: compile, static "
				"checks, the kernel verifier and stress runs in the sched_ext VM. "
				"Only a verified policy can be deployed.",
		 .input_schema = create_in,
		 .output_schema = verdict_out,
		 .fn = tool_create,
		 .ctx = ctx},
		{.name = "policy_verify",
		 .title = "Verify a policy",
		 .description = "Run the Execution Verifier on a repository policy version and "
				"store its signed verdict.",
		 .input_schema = verify_in,
		 .output_schema = verdict_out,
		 .fn = tool_verify,
		 .ctx = ctx},
		{.name = "policy_deploy",
		 .title = "Deploy a policy",
		 .description = "Deploy the latest verified version as a canary under live "
				"metrics; rolled back automatically on a stall, an ejection or a "
				"regression. Returns the outcome and the metrics measured.",
		 .input_schema = deploy_in,
		 .output_schema = deploy_out,
		 .destructive = true,
		 .fn = tool_deploy,
		 .ctx = ctx},
		{.name = "policy_rollback",
		 .title = "Roll back",
		 .description = "Detach the current policy and restore the previous known-good "
				"one, or the kernel's default scheduler.",
		 .input_schema = empty_in,
		 .output_schema = deploy_out,
		 .destructive = true,
		 .fn = tool_rollback,
		 .ctx = ctx},
		{.name = "scheduler_status",
		 .title = "Scheduler status",
		 .description = "The policy in place (or none: the kernel default), where it runs "
				"(VM or host), and sched_ext's state.",
		 .input_schema = empty_in,
		 .output_schema = any_object_out,
		 .read_only = true,
		 .fn = tool_status,
		 .ctx = ctx},
		{.name = "history_read",
		 .title = "Read history",
		 .description = "Recent deployments and rollbacks, newest first; with a policy "
				"name, also its numeric performance history per workload.",
		 .input_schema = history_in,
		 .output_schema = history_out,
		 .read_only = true,
		 .fn = tool_history,
		 .ctx = ctx},
		{.name = "history_record",
		 .title = "Record performance",
		 .description = "Record numeric metrics (makespan_ms, p99_wakeup_us, ...) for a "
				"policy version on a workload, so later searches can learn from "
				"them.",
		 .input_schema = record_in,
		 .output_schema = record_out,
		 .fn = tool_record,
		 .ctx = ctx},
	};
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		int rc = scx_mcp_server_add_tool(srv, &tools[i], err, errlen);
		if (rc)
			return rc;
	}
	return scx_mcp_server_add_resources(srv, POLICY_URI, POLICY_URI "{name}",
					    "scheduling policy source", res_list, res_read, ctx,
					    err, errlen);
}
