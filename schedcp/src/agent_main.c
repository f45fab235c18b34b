/* agent_main: sched-agent, the observe, plan, synthesize, verify, measure,
 * learn loop, driving SchedCP's MCP server through the protocol (spawned
 * over stdio; never by calling its functions).
 *
 *   observe     workload_profile on a host stand-in of the workload
 *   plan        the LLM planner (lib/llm) when an endpoint is configured, else
 *               the deterministic planner that stands in for it (agent_plan.c)
 *   synthesize  a tuned variant (a new version whose tunable declarations
 *               carry the chosen values) or the LLM's own source
 *   verify      policy_create / policy_verify (the Execution Verifier)
 *   measure     policy_evaluate in the sched_ext VM against the default
 *   learn       history_record, and the next plan sees every result
 *
 * Each iteration's cost (wall time per step, tokens, dollars, bytes on the
 * MCP wire) and result are printed and, with --json, written out. At the end
 * the best policy is deployed as a canary (policy_deploy) unless --no-deploy.
 */
#include "agent_llm.h"
#include "agent_mcp.h"
#include "agent_plan.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ITER     10
#define MAX_SRV_ARGS 32

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void beside_self(char *out, size_t len, const char *name)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		snprintf(out, len, "%s", name);
		return;
	}
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	if (snprintf(out, len, "%s/%s", self, name) >= (int)len)
		snprintf(out, len, "%s", name); /* too long a path: look it up in PATH */
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sched-agent [options]\n"
		"  --workload longtail|build|wakeup  what to optimise (default longtail)\n"
		"  --iterations N       plan-verify-measure rounds (default 3, at most %d)\n"
		"  --rounds N           VM measurements per evaluation (default 2)\n"
		"  --server PATH        schedcp-mcp (default: beside this program)\n"
		"  --server-arg ARG     passed to the server (repeatable: --repo X, --cache D)\n"
		"  --probe PATH         host stand-in workload for observation (default "
		"scx_wae_workload beside this program)\n"
		"  --no-observe         skip profiling on the host\n"
		"  --llm KEY=VALUE      lib/llm setting (repeatable); enables the LLM planner\n"
		"  --use-llm            the LLM planner from ISTHMUS_LLM_* variables\n"
		"  --no-deploy          do not deploy the best policy at the end\n"
		"  --json FILE          write the run's record (iterations, costs) as JSON\n",
		MAX_ITER);
}

struct agent {
	struct scx_agent_mcp *mcp;
	const char *workload;
	int rounds;
	struct llm_client *llm;
	json_t *profile;
	json_t *policies; /* [{name, meta}] */
	struct scx_agent_iter it[MAX_ITER];
	size_t nit;
};

static void on_notify(void *ctx, const json_t *m)
{
	(void)ctx;
	const json_t *p = json_object_get(m, "params");
	const char *msg = json_string_value(json_object_get(p, "message"));
	if (msg)
		fprintf(stderr, "    ... %s\n", msg);
}

/* A tool call whose failure (protocol or isError) is reported in err. */
static json_t *tool(struct agent *a, const char *name, json_t *args, char *err, size_t errlen)
{
	json_t *sc = NULL;
	bool is_err = false;
	char text[1024];
	int rc = scx_agent_mcp_call_tool(a->mcp, name, args, true, &sc, &is_err, text, sizeof(text),
					 err, errlen);
	if (rc)
		return NULL;
	if (is_err || !sc) {
		if (snprintf(err, errlen, "%s: %s", name, text) >= (int)errlen && errlen > 4)
			memcpy(err + errlen - 4, "...", 4);
		json_decref(sc);
		return NULL;
	}
	return sc;
}

static char **observe_argv(const char *probe, const char *wl)
{
	static char *lt[] = {NULL, "longtail", "20", "50", "1000", NULL};
	static char *bd[] = {NULL, "cpu", "2", "1.5", NULL};
	static char *wk[] = {NULL, "pingpong", "20000", NULL};
	char **v = !strcmp(wl, "longtail") ? lt : !strcmp(wl, "build") ? bd : wk;
	v[0] = (char *)probe;
	return v;
}

static int load_candidates(struct agent *a, char *err, size_t errlen)
{
	json_t *r = tool(a, "policy_search", json_object(), err, errlen);
	if (!r)
		return -EIO;
	a->policies = json_array();
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(r, "policies"), i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));
		size_t n = name ? strlen(name) : 0;
		if (!name || (n > 6 && !strcmp(name + n - 6, "_agent")))
			continue; /* our own derived versions are not candidates */
		json_t *full = tool(a, "policy_get", json_pack("{s:s}", "name", name), err, errlen);
		if (!full)
			continue;
		json_array_append_new(a->policies,
				      json_pack("{s:s, s:O, s:O}", "name", name, "meta",
						json_object_get(full, "meta"), "source",
						json_object_get(full, "source")));
		json_decref(full);
	}
	json_decref(r);
	if (!json_array_size(a->policies)) {
		snprintf(err, errlen, "the repository offers no policies");
		return -ENOENT;
	}
	return 0;
}

static const json_t *candidate(struct agent *a, const char *name)
{
	size_t i;
	const json_t *p;
	json_array_foreach(a->policies, i, p)
	{
		if (!strcmp(json_string_value(json_object_get(p, "name")), name))
			return p;
	}
	return NULL;
}

/* Builds the derived policy's source and metadata for a tuned choice. */
static int synthesize(struct agent *a, const struct scx_agent_decision *d, char *name,
		      size_t namelen, json_t **create_args, char *err, size_t errlen)
{
	*create_args = NULL;
	if (d->source) {
		snprintf(name, namelen, "%s", d->policy);
		*create_args =
			json_pack("{s:s, s:s, s:s, s:[s]}", "name", d->policy, "source", d->source,
				  "description", "written by sched-agent's LLM planner",
				  "workloads", a->workload);
		return *create_args ? 0 : -ENOMEM;
	}
	const json_t *c = candidate(a, d->policy);
	if (!c) {
		snprintf(err, errlen, "policy %s is not a candidate", d->policy);
		return -ENOENT;
	}
	if (!json_object_size(d->tunables)) {
		snprintf(name, namelen, "%s", d->policy);
		return 0; /* the repository's own version */
	}
	const json_t *meta = json_object_get(c, "meta");
	char *src = strdup(json_string_value(json_object_get(c, "source")));
	json_t *tun = json_deep_copy(json_object_get(meta, "tunables"));
	if (!tun)
		tun = json_array();
	char desc[256];
	size_t o = (size_t)snprintf(desc, sizeof(desc), "%s tuned by sched-agent:", d->policy);
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)d->tunables, k, v)
	{
		char *next = src ? scx_agent_set_tunable(src, k, (long long)json_integer_value(v),
							 err, errlen)
				 : NULL;
		free(src);
		src = next;
		if (!src)
			break;
		size_t i;
		json_t *t;
		json_array_foreach(tun, i, t)
		{
			if (!strcmp(json_string_value(json_object_get(t, "name")), k))
				json_object_set(t, "default", (json_t *)v);
		}
		if (o < sizeof(desc))
			o += (size_t)snprintf(desc + o, sizeof(desc) - o, " %s=%lld", k,
					      (long long)json_integer_value(v));
	}
	if (!src) {
		json_decref(tun);
		return -EINVAL;
	}
	snprintf(name, namelen, "%.*s_agent", SCX_AGENT_NAME_MAX - 8, d->policy);
	*create_args = json_pack(
		"{s:s, s:s, s:s, s:O?, s:O?, s:s, s:o}", "name", name, "source", src, "description",
		desc, "algorithm", json_object_get(meta, "algorithm"), "workloads",
		json_object_get(meta, "workloads"), "parent", d->policy, "tunables", tun);
	free(src);
	return *create_args ? 0 : -ENOMEM;
}

static void run_iteration(struct agent *a, int n)
{
	struct scx_agent_iter *it = &a->it[a->nit];
	memset(it, 0, sizeof(*it));
	it->n = n;
	bool wake = !strcmp(a->workload, "wakeup");
	char err[1024] = "";
	size_t b0, b1, r0, r1;
	scx_agent_mcp_bytes(a->mcp, &b0, &r0);
	double t0 = now_s(), t;

	/* plan */
	struct scx_agent_decision d;
	int rc = a->llm ? scx_agent_plan_llm(a->llm, a->profile, a->policies, a->it, a->nit, &d,
					     err, sizeof(err))
			: scx_agent_plan_offline(a->profile, a->policies, a->it, a->nit, &d, err,
						 sizeof(err));
	it->input_tokens = d.input_tokens;
	it->output_tokens = d.output_tokens;
	it->cost_usd = d.cost_usd;
	t = now_s();
	it->t_plan_s = t - t0;
	if (rc) {
		snprintf(it->error, sizeof(it->error), "plan: %.480s", err);
		goto done;
	}
	snprintf(it->policy, sizeof(it->policy), "%s", d.policy);
	it->tunables = json_incref(d.tunables);
	snprintf(it->rationale, sizeof(it->rationale), "%s", d.rationale);
	printf("iteration %d: plan %s", n, d.policy);
	const char *k;
	const json_t *v;
	json_object_foreach(d.tunables, k, v)
	{
		printf(" %s=%lld", k, (long long)json_integer_value(v));
	}
	printf(" -- %s\n", d.rationale);
	fflush(stdout);

	/* synthesize */
	json_t *create = NULL;
	rc = synthesize(a, &d, it->deployed, sizeof(it->deployed), &create, err, sizeof(err));
	double t1 = now_s();
	it->t_synth_s = t1 - t;
	t = t1;
	if (rc) {
		snprintf(it->error, sizeof(it->error), "synthesize: %.480s", err);
		goto done;
	}

	/* verify */
	json_t *ver = NULL;
	if (create) {
		ver = tool(a, "policy_create", create, err, sizeof(err));
	} else {
		json_t *show = tool(a, "policy_get", json_pack("{s:s}", "name", it->deployed), err,
				    sizeof(err));
		if (show && json_is_true(json_object_get(show, "verified")))
			ver = json_pack("{s:b, s:O}", "passed", 1, "version",
					json_object_get(show, "version"));
		else if (show)
			ver = tool(a, "policy_verify", json_pack("{s:s}", "name", it->deployed),
				   err, sizeof(err));
		json_decref(show);
	}
	t1 = now_s();
	it->t_verify_s = t1 - t;
	t = t1;
	if (!ver) {
		snprintf(it->error, sizeof(it->error), "verify: %.480s", err);
		goto done;
	}
	it->verified = json_is_true(json_object_get(ver, "passed"));
	it->version = (int)json_integer_value(json_object_get(ver, "version"));
	if (!it->version)
		it->version = (int)json_integer_value(
			json_object_get(json_object_get(ver, "verdict"), "version"));
	if (!it->verified) {
		snprintf(it->error, sizeof(it->error), "verify: rejected: %s",
			 json_string_value(json_object_get(ver, "reason")));
		json_decref(ver);
		goto done;
	}
	json_decref(ver);
	printf("  verified %s v%d (%.1f s)\n", it->deployed, it->version, it->t_verify_s);
	fflush(stdout);

	/* measure */
	json_t *ev = tool(a, "policy_evaluate",
			  json_pack("{s:s, s:i, s:s, s:i}", "name", it->deployed, "version",
				    it->version, "workload", a->workload, "rounds", a->rounds),
			  err, sizeof(err));
	t1 = now_s();
	it->t_measure_s = t1 - t;
	t = t1;
	if (!ev) {
		snprintf(it->error, sizeof(it->error), "measure: %.480s", err);
		goto done;
	}
	it->makespan_ms =
		json_number_value(json_object_get(ev, wake ? "wake_mean_ms" : "makespan_ms"));
	it->baseline_ms = json_number_value(
		json_object_get(ev, wake ? "baseline_wake_mean_ms" : "baseline_makespan_ms"));
	it->ratio = it->baseline_ms > 0 ? it->makespan_ms / it->baseline_ms : 0;
	it->measured = it->baseline_ms > 0;
	json_decref(ev);

	/* learn */
	char wname[64];
	snprintf(wname, sizeof(wname), "agent-%s", a->workload);
	json_t *rec = tool(a, "history_record",
			   json_pack("{s:s, s:i, s:s, s:{s:f, s:f, s:f}}", "policy", it->deployed,
				     "version", it->version, "workload", wname, "metrics",
				     wake ? "wake_mean_ms" : "makespan_ms", it->makespan_ms,
				     wake ? "baseline_wake_mean_ms" : "baseline_makespan_ms",
				     it->baseline_ms, "ratio", it->ratio),
			   err, sizeof(err));
	if (!rec)
		fprintf(stderr, "sched-agent: history_record: %s\n", err);
	json_decref(rec);
	it->t_learn_s = now_s() - t;
done:
	scx_agent_decision_clear(&d);
	scx_agent_mcp_bytes(a->mcp, &b1, &r1);
	it->mcp_bytes = (b1 - b0) + (r1 - r0);
	it->t_total_s = now_s() - t0;
	if (it->error[0])
		printf("  iteration %d failed: %.*s\n", n, (int)strcspn(it->error, "\n"),
		       it->error);
	else
		printf("  %s %.1f ms vs %.1f ms under the default: ratio %.3f "
		       "[plan %.1f s, verify %.1f s, measure %.1f s; %llu+%llu tokens, $%.4f; "
		       "%zu MCP bytes]\n",
		       wake ? "wakeup latency" : "makespan", it->makespan_ms, it->baseline_ms,
		       it->ratio, it->t_plan_s, it->t_verify_s, it->t_measure_s,
		       (unsigned long long)it->input_tokens, (unsigned long long)it->output_tokens,
		       it->cost_usd, it->mcp_bytes);
	fflush(stdout);
	a->nit++;
}

static json_t *iter_json(const struct scx_agent_iter *it)
{
	return json_pack("{s:i, s:s, s:s, s:i, s:O?, s:s, s:b, s:b, s:s, s:f, s:f, s:f, s:{s:f, "
			 "s:f, s:f, s:f, s:f, s:f}, s:I, s:I, s:f, s:I}",
			 "iteration", it->n, "policy", it->policy, "deployed", it->deployed,
			 "version", it->version, "tunables", it->tunables, "rationale",
			 it->rationale, "verified", it->verified, "measured", it->measured, "error",
			 it->error, "value_ms", it->makespan_ms, "baseline_ms", it->baseline_ms,
			 "ratio", it->ratio, "seconds", "plan", it->t_plan_s, "synthesize",
			 it->t_synth_s, "verify", it->t_verify_s, "measure", it->t_measure_s,
			 "learn", it->t_learn_s, "total", it->t_total_s, "input_tokens",
			 (json_int_t)it->input_tokens, "output_tokens",
			 (json_int_t)it->output_tokens, "cost_usd", it->cost_usd, "mcp_bytes",
			 (json_int_t)it->mcp_bytes);
}

int main(int argc, char **argv)
{
	enum {
		O_WL = 256,
		O_ITER,
		O_ROUNDS,
		O_SERVER,
		O_SARG,
		O_PROBE,
		O_NOOBS,
		O_LLM,
		O_USELLM,
		O_NODEPLOY,
		O_JSON
	};
	static const struct option opts[] = {
		{"workload", required_argument, NULL, O_WL},
		{"iterations", required_argument, NULL, O_ITER},
		{"rounds", required_argument, NULL, O_ROUNDS},
		{"server", required_argument, NULL, O_SERVER},
		{"server-arg", required_argument, NULL, O_SARG},
		{"probe", required_argument, NULL, O_PROBE},
		{"no-observe", no_argument, NULL, O_NOOBS},
		{"llm", required_argument, NULL, O_LLM},
		{"use-llm", no_argument, NULL, O_USELLM},
		{"no-deploy", no_argument, NULL, O_NODEPLOY},
		{"json", required_argument, NULL, O_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct agent a = {.workload = "longtail", .rounds = 2};
	int iterations = 3;
	char server[PATH_MAX], probe[PATH_MAX];
	beside_self(server, sizeof(server), "schedcp-mcp");
	beside_self(probe, sizeof(probe), "scx_wae_workload");
	char *sargs[MAX_SRV_ARGS + 2];
	int nsargs = 0;
	const char *llm_sets[16];
	int nllm = 0;
	bool use_llm = false, observe = true, deploy = true;
	const char *json_out = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_WL:
			if (strcmp(optarg, "longtail") != 0 && strcmp(optarg, "build") != 0 &&
			    strcmp(optarg, "wakeup") != 0) {
				fprintf(stderr,
					"sched-agent: --workload: longtail, build or wakeup\n");
				return 2;
			}
			a.workload = optarg;
			break;
		case O_ITER:
			iterations = atoi(optarg);
			if (iterations < 1 || iterations > MAX_ITER) {
				fprintf(stderr, "sched-agent: --iterations: 1..%d\n", MAX_ITER);
				return 2;
			}
			break;
		case O_ROUNDS:
			a.rounds = atoi(optarg);
			if (a.rounds < 1 || a.rounds > 5) {
				fprintf(stderr, "sched-agent: --rounds: 1..5\n");
				return 2;
			}
			break;
		case O_SERVER:
			snprintf(server, sizeof(server), "%s", optarg);
			break;
		case O_SARG:
			if (nsargs >= MAX_SRV_ARGS) {
				fprintf(stderr, "sched-agent: too many --server-arg\n");
				return 2;
			}
			sargs[1 + nsargs++] = optarg;
			break;
		case O_PROBE:
			snprintf(probe, sizeof(probe), "%s", optarg);
			break;
		case O_NOOBS:
			observe = false;
			break;
		case O_LLM:
			if (nllm >= 16) {
				fprintf(stderr, "sched-agent: too many --llm\n");
				return 2;
			}
			llm_sets[nllm++] = optarg;
			use_llm = true;
			break;
		case O_USELLM:
			use_llm = true;
			break;
		case O_NODEPLOY:
			deploy = false;
			break;
		case O_JSON:
			json_out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	char err[1024] = "";
	if (use_llm) {
		struct llm_config cfg;
		int rc = llm_config_from_env(&cfg, err, sizeof(err));
		if (rc != LLM_OK && rc != LLM_ERR_CONFIG) {
			fprintf(stderr, "sched-agent: %s\n", err);
			return 2;
		}
		for (int i = 0; i < nllm; i++)
			if (llm_config_set(&cfg, llm_sets[i], err, sizeof(err)) != LLM_OK) {
				fprintf(stderr, "sched-agent: --llm: %s\n", err);
				return 2;
			}
		if (llm_client_new(&cfg, &a.llm, err, sizeof(err)) != LLM_OK) {
			fprintf(stderr, "sched-agent: LLM: %s\n", err);
			return 2;
		}
		printf("sched-agent: planner: LLM %s %s at %s\n", llm_provider_name(cfg.provider),
		       cfg.model, cfg.base_url);
	} else {
		printf("sched-agent: planner: deterministic (a stand-in for the LLM: no endpoint "
		       "configured; --use-llm or --llm to use one)\n");
	}
	fflush(stdout);

	sargs[0] = server;
	sargs[1 + nsargs] = NULL;
	double t_start = now_s();
	int rc = scx_agent_mcp_spawn(sargs, &a.mcp, err, sizeof(err));
	if (!rc)
		rc = scx_agent_mcp_initialize(a.mcp, NULL, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sched-agent: MCP server %s: %s\n", server, err);
		goto out;
	}
	scx_agent_mcp_set_notify(a.mcp, on_notify, NULL);

	/* observe */
	if (observe) {
		json_t *args = json_pack("{s:s}", "label", a.workload);
		json_t *cmd = json_array();
		for (char **v = observe_argv(probe, a.workload); *v; v++)
			json_array_append_new(cmd, json_string(*v));
		json_object_set_new(args, "command", cmd);
		a.profile = tool(&a, "workload_profile", args, err, sizeof(err));
		if (a.profile)
			printf("observe: %s\n",
			       json_string_value(json_object_get(a.profile, "summary")));
		else
			printf("observe: no profile (%s); planning from the workload's name\n",
			       err);
	}
	if (!a.profile) {
		/* What the name says, as a profile the planner can read. */
		const char *cls = !strcmp(a.workload, "wakeup") ? "latency_sensitive" : "cpu_bound";
		a.profile = json_pack("{s:s, s:[s,s], s:s}", "class", cls, "features",
				      !strcmp(a.workload, "longtail") ? "long_tail" : "parallel",
				      "batch", "summary", "(not profiled)");
	}
	rc = load_candidates(&a, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sched-agent: %s\n", err);
		goto out;
	}
	for (int i = 1; i <= iterations; i++)
		run_iteration(&a, i);

	/* the result */
	const struct scx_agent_iter *best = NULL;
	int first_better = 0;
	uint64_t tin = 0, tout = 0;
	double cost = 0;
	for (size_t i = 0; i < a.nit; i++) {
		const struct scx_agent_iter *it = &a.it[i];
		tin += it->input_tokens;
		tout += it->output_tokens;
		cost += it->cost_usd;
		if (!it->measured)
			continue;
		if (!best || it->ratio < best->ratio)
			best = it;
		if (!first_better && it->ratio < 1.0)
			first_better = it->n;
	}
	json_t *dep = NULL;
	if (best && deploy && best->ratio < 1.0) {
		dep = tool(&a, "policy_deploy", json_pack("{s:s}", "name", best->deployed), err,
			   sizeof(err));
		printf("deploy %s: %s%s%s\n", best->deployed,
		       dep ? json_string_value(json_object_get(dep, "outcome")) : "failed",
		       dep ? "" : ": ", dep ? "" : err);
	}
	double total = now_s() - t_start;
	if (best)
		printf("result: best %s v%d, ratio %.3f to the default (%.1f ms vs %.1f ms); first "
		       "better than the default at iteration %d of %zu; planner %s; %llu+%llu "
		       "tokens, $%.4f; %.1f s\n",
		       best->deployed, best->version, best->ratio, best->makespan_ms,
		       best->baseline_ms, first_better, a.nit,
		       a.llm ? "LLM" : "deterministic stand-in", (unsigned long long)tin,
		       (unsigned long long)tout, cost, total);
	else
		printf("result: no iteration was measured; %.1f s\n", total);
	if (json_out) {
		json_t *its = json_array();
		for (size_t i = 0; i < a.nit; i++)
			json_array_append_new(its, iter_json(&a.it[i]));
		json_t *rec = json_pack(
			"{s:s, s:s, s:O?, s:o, s:i, s:f, s:s, s:I, s:I, s:f, s:f, s:O?}",
			"workload", a.workload, "planner", a.llm ? "llm" : "deterministic",
			"profile", a.profile, "iterations", its, "first_better_iteration",
			first_better, "best_ratio", best ? best->ratio : 0.0, "best_policy",
			best ? best->deployed : "", "input_tokens", (json_int_t)tin,
			"output_tokens", (json_int_t)tout, "cost_usd", cost, "seconds", total,
			"deploy", dep);
		if (!rec || json_dump_file(rec, json_out, JSON_INDENT(2)))
			fprintf(stderr, "sched-agent: cannot write %s\n", json_out);
		json_decref(rec);
	}
	json_decref(dep);
	rc = best ? 0 : 1;
out:
	for (size_t i = 0; i < a.nit; i++)
		json_decref(a.it[i].tunables);
	json_decref(a.profile);
	json_decref(a.policies);
	if (a.mcp)
		scx_agent_mcp_close(a.mcp, NULL);
	llm_client_free(a.llm);
	return rc ? 1 : 0;
}
