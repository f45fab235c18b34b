/* mcp_tools_eval: the policy_evaluate tool, which measures a verified
 * repository policy on a named workload in the sched_ext VM against the
 * kernel's default scheduler in the same boot.
 *
 * scx.h has no call for "run this workload under this policy and give me
 * the numbers" (scx_deploy runs its own canary), so this is a thin adapter
 * over the core's internal harness (scx_internal.h, scx_repo.h): it takes the
 * stored object only when its signed verdict checks out, as deployment
 * does, and runs scx_guest with --with-baseline, optionally with tunables
 * (--set NAME=VALUE, range-checked against the policy's metadata when the
 * metadata declares them). Nothing is deployed and no state changes.
 */
#include "mcp_tools.h"
#include "scx_internal.h"
#include "scx_repo.h"
#include "scx_result.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char eval_in[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":64,\"description\":\"a "
	"verified repository policy\"},"
	"\"version\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000000},"
	"\"workload\":{\"type\":\"string\",\"enum\":[\"longtail\",\"build\",\"wakeup\"],"
	"\"description\":\"longtail: 20 jobs of 50 ms and one of 1000 ms on 2 CPUs; build: 24 "
	"compile-like jobs of 25..100 ms; wakeup: 2 CPU hogs and a wakeup-latency probe for "
	"2 s\"},"
	"\"tunables\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\","
	"\"minimum\":0,\"maximum\":10000000000},\"description\":\"rodata values, e.g. "
	"{\\\"slice_ns\\\": 5000000}\"},"
	"\"rounds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5}},"
	"\"required\":[\"name\",\"workload\"],\"additionalProperties\":false}";

static const char eval_out[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"policy\":{\"type\":\"string\"},\"version\":{\"type\":\"integer\"},"
	"\"workload\":{\"type\":\"string\"},\"target\":{\"type\":\"string\"},"
	"\"rounds\":{\"type\":\"integer\"},"
	"\"makespan_ms\":{\"type\":\"number\",\"description\":\"mean under the policy\"},"
	"\"baseline_makespan_ms\":{\"type\":\"number\",\"description\":\"mean under the "
	"default scheduler, same boot\"},"
	"\"ratio\":{\"type\":\"number\",\"description\":\"policy / default; below 1 is "
	"better\"},"
	"\"wake_mean_ms\":{\"type\":\"number\"},\"baseline_wake_mean_ms\":{\"type\":\"number\"},"
	"\"wake_worst_ms\":{\"type\":\"number\"},\"baseline_wake_worst_ms\":{\"type\":\"number\"},"
	"\"failed\":{\"type\":\"string\",\"description\":\"why a round failed, or empty\"},"
	"\"per_round\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}},"
	"\"required\":[\"policy\",\"version\",\"workload\",\"rounds\",\"makespan_ms\","
	"\"baseline_makespan_ms\",\"ratio\",\"failed\"]}";

static const char *workload_args(const char *w)
{
	if (!strcmp(w, "longtail"))
		return "--workload longtail --tasks 20 --work-ms 50 --long-ms 1000 "
		       "--deadline-ms 20000";
	if (!strcmp(w, "build"))
		return "--workload build --tasks 24 --work-ms 50 --deadline-ms 20000";
	return "--workload wakeup --tasks 2 --duration-ms 2000 --deadline-ms 10000";
}

/* The tunable's declared range in the metadata, when there is one. */
static int check_tunable(const json_t *meta, const char *name, double v, char *err, size_t errlen)
{
	const json_t *tun = json_object_get(meta, "tunables");
	if (!json_is_array(tun))
		return 0;
	size_t i;
	const json_t *t;
	json_array_foreach(tun, i, t)
	{
		const char *n = json_string_value(json_object_get(t, "name"));
		if (!n || strcmp(n, name) != 0)
			continue;
		const json_t *mn = json_object_get(t, "min"), *mx = json_object_get(t, "max");
		if ((json_is_number(mn) && v < json_number_value(mn)) ||
		    (json_is_number(mx) && v > json_number_value(mx))) {
			snprintf(err, errlen, "tunable %s=%.0f is outside its declared range", name,
				 v);
			return -ERANGE;
		}
		return 0;
	}
	snprintf(err, errlen, "the policy declares no tunable named %s", name);
	return -EINVAL;
}

static bool safe_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

static bool safe_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int tool_eval(struct scx_mcp_call *call, const json_t *args, void *vctx, json_t **result,
		     char *err, size_t errlen)
{
	struct scx_mcp_ctx *ctx = vctx;
	scx_t *s = ctx->scx;
	const char *name = json_string_value(json_object_get(args, "name"));
	const char *wl = json_string_value(json_object_get(args, "workload"));
	const json_t *jv = json_object_get(args, "version");
	const json_t *jr = json_object_get(args, "rounds");
	int rounds = jr ? (int)json_integer_value(jr) : 1;
	const json_t *tun = json_object_get(args, "tunables");

	/* The name goes into a file name and a shell line in the guest: the
	 * repository allows only these characters, and so do we. */
	for (const char *q = name; *q; q++)
		if (!safe_name_char(*q)) {
			snprintf(err, errlen, "policy name %.64s: use [A-Za-z0-9_.-]", name);
			return -EINVAL;
		}
	int ver = 0;
	sqlite3_int64 id;
	int rc = scx_repo_version_id(s, name, jv ? (int)json_integer_value(jv) : 0, &ver, &id, err,
				     errlen);
	if (rc)
		return rc;
	unsigned char *obj = NULL;
	size_t len = 0;
	json_t *verdict = NULL;
	scx_repo_get_object(s, id, &obj, &len, NULL, &verdict);
	if (!obj || !verdict) {
		free(obj);
		json_decref(verdict);
		snprintf(err, errlen,
			 "policy %s version %d is not verified: run policy_verify first", name,
			 ver);
		return -EPERM;
	}
	char e2[400];
	rc = scx_verdict_check(s, verdict, obj, len, e2, sizeof(e2));
	json_decref(verdict);
	if (rc) {
		free(obj);
		snprintf(err, errlen, "policy %s version %d refused: %s", name, ver, e2);
		return rc;
	}

	/* The --set options, checked against the declared ranges. */
	char sets[1024] = "";
	size_t so = 0;
	if (tun && json_object_size(tun)) {
		json_t *show = scx_policy_show(s, name, ver, err, errlen);
		const json_t *meta = json_object_get(show, "meta");
		if (!meta)
			meta = show;
		const char *k;
		const json_t *v;
		json_object_foreach((json_t *)tun, k, v)
		{
			if (!safe_name(k) || strlen(k) > 48) {
				snprintf(err, errlen, "tunable name %.48s: letters, digits, _ only",
					 k);
				rc = -EINVAL;
				break;
			}
			rc = check_tunable(meta, k, (double)json_integer_value(v), err, errlen);
			if (rc)
				break;
			so += (size_t)snprintf(sets + so, sizeof(sets) - so, " --set %s=%lld", k,
					       (long long)json_integer_value(v));
			if (so >= sizeof(sets)) {
				snprintf(err, errlen, "too many tunables");
				rc = -E2BIG;
				break;
			}
		}
		json_decref(show);
		if (rc) {
			free(obj);
			return rc;
		}
	}

	rc = scx_env_prepare(s, err, errlen);
	if (rc) {
		free(obj);
		return rc;
	}
	char runs[PATH_MAX], path[PATH_MAX];
	scx_path(runs, sizeof(runs), "%s/runs", s->cache_dir);
	mkdir(runs, 0755);
	scx_path(path, sizeof(path), "%s/runs/eval-%d-%s-v%d.bpf.o", s->cache_dir, (int)getpid(),
		 name, ver);
	rc = scx_write_file(path, obj, len, err, errlen);
	free(obj);
	if (rc)
		return rc;

	char plan[8192];
	size_t po = 0;
	const char *base = strrchr(path, '/') + 1;
	for (int r = 0; r < rounds; r++)
		po += (size_t)snprintf(plan + po, sizeof(plan) - po,
				       "scx_guest run --label ev%d --policy \"$P/%s\" %s "
				       "--with-baseline 1%s\n",
				       r, base, workload_args(wl), sets);
	scx_mcp_progress(call, 1, 3, "booting the sched_ext VM");
	const char *files[1] = {path};
	json_t *res = scx_vm_run(s, plan, files, 1, err, errlen);
	unlink(path);
	if (!res)
		return -EIO;
	scx_mcp_progress(call, 3, 3, "measured");

	double pm = 0, bm = 0, pw = 0, bw = 0, pww = 0, bww = 0;
	int n = 0;
	char failed[256] = "";
	json_t *per = json_array();
	for (int r = 0; r < rounds; r++) {
		char label[16];
		snprintf(label, sizeof(label), "ev%d", r);
		json_t *st = scx_result_step(res, label);
		const json_t *w = json_object_get(st, "workload");
		const json_t *b = json_object_get(st, "baseline");
		const char *f = json_string_value(json_object_get(st, "failed"));
		if (!st || !w || !b || (f && *f)) {
			snprintf(failed, sizeof(failed), "round %d: %s", r,
				 !st	     ? "no result"
				 : (f && *f) ? f
					     : "no measurement");
			continue;
		}
		double m = json_number_value(json_object_get(w, "makespan_ms"));
		double bl = json_number_value(json_object_get(b, "makespan_ms"));
		pm += m;
		bm += bl;
		pw += json_number_value(json_object_get(w, "wake_mean_ms"));
		bw += json_number_value(json_object_get(b, "wake_mean_ms"));
		pww += json_number_value(json_object_get(w, "wake_worst_ms"));
		bww += json_number_value(json_object_get(b, "wake_worst_ms"));
		n++;
		json_array_append_new(
			per, json_pack("{s:f, s:f}", "makespan_ms", m, "baseline_makespan_ms", bl));
	}
	const char *target = json_string_value(json_object_get(res, "target"));
	if (!n) {
		snprintf(err, errlen, "policy_evaluate %s on %s: %s", name, wl,
			 failed[0] ? failed : "no round completed");
		json_decref(per);
		json_decref(res);
		return -EIO;
	}
	*result = json_pack("{s:s, s:i, s:s, s:s, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:s, "
			    "s:o}",
			    "policy", name, "version", ver, "workload", wl, "target",
			    target ? target : "", "rounds", n, "makespan_ms", pm / n,
			    "baseline_makespan_ms", bm / n, "ratio", bm > 0 ? pm / bm : 0,
			    "wake_mean_ms", pw / n, "baseline_wake_mean_ms", bw / n,
			    "wake_worst_ms", pww / n, "baseline_wake_worst_ms", bww / n, "failed",
			    failed, "per_round", per);
	json_decref(res);
	return *result ? 0 : -ENOMEM;
}

static char *summarize_eval(const json_t *r)
{
	char *out = NULL;
	if (asprintf(&out,
		     "%s v%lld on %s (%s, %lld round(s)): makespan %.1f ms vs %.1f ms under the "
		     "default scheduler, ratio %.3f%s",
		     json_string_value(json_object_get(r, "policy")),
		     (long long)json_integer_value(json_object_get(r, "version")),
		     json_string_value(json_object_get(r, "workload")),
		     json_string_value(json_object_get(r, "target")),
		     (long long)json_integer_value(json_object_get(r, "rounds")),
		     json_number_value(json_object_get(r, "makespan_ms")),
		     json_number_value(json_object_get(r, "baseline_makespan_ms")),
		     json_number_value(json_object_get(r, "ratio")),
		     json_string_length(json_object_get(r, "failed")) ? " (some rounds failed)"
								      : "") < 0)
		return NULL;
	return out;
}

int scx_mcp_register_eval_tool(struct scx_mcp_server *srv, struct scx_mcp_ctx *ctx, char *err,
			       size_t errlen)
{
	const struct scx_mcp_tool t = {
		.name = "policy_evaluate",
		.title = "Measure a policy",
		.description = "Run a verified policy on a named workload in the sched_ext VM, "
			       "paired with the kernel's default scheduler in the same boot, "
			       "optionally with tunables; returns makespans (and wakeup latency) "
			       "and the ratio policy/default. Deploys nothing.",
		.input_schema = eval_in,
		.output_schema = eval_out,
		.read_only = true,
		.fn = tool_eval,
		.ctx = ctx,
		.summarize = summarize_eval,
	};
	return scx_mcp_server_add_tool(srv, &t, err, errlen);
}
