/* scx_verify: the Execution Verifier. A policy passes only when every check
 * holds, in order:
 *   compile       the source builds in the sandbox (scx_build.c)
 *   static        our checks on the object (scx_static.c)
 *   kernel        the kernel verifier loads it (its log is kept on refusal)
 *   enabled       sched_ext reports it enabled with its ops name
 *   no_ejection   sched_ext did not eject it (watchdog, scx_bpf_error)
 *   no_lost_tasks every task of the stress workloads completed
 *   no_starvation no runnable task waited longer than SCX_MAX_WAIT_MS, or
 *                 SCX_WAIT_FACTOR x the default's longest wait on the same
 *                 workload in the same boot when that is longer (a loaded
 *                 host stalls the whole VM now and then)
 *   fairness      Jain's index over equal-weight CPU hogs >= SCX_MIN_JAIN, or
 *                 the default's minus SCX_JAIN_SLACK when that is lower
 *   throughput    a parallel build is not slower than SCX_MAX_SLOWDOWN x the
 *                 default scheduler's, measured just before in the same boot
 *   latency       wakeup lateness is not worse than the default's by more
 *                 than SCX_MAX_WAKE_FACTOR x plus SCX_WAKE_SLACK_MS (one long
 *                 slice: batch policies may trade some latency, not starve)
 *   detach        detaching returns the system to the default scheduler
 * The dynamic checks run in one VM boot (or on a host with sched_ext). The
 * verdict is a JSON object holding the object's SHA-256, every check and its
 * measurements, signed with HMAC-SHA256 under the local key; deployment
 * recomputes both before it loads anything.
 */
#include "scx_internal.h"
#include "scx_repo.h"
#include "scx_result.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SCX_MAX_WAIT_MS	    1000.0
#define SCX_WAIT_FACTOR	    3.0
#define SCX_MIN_JAIN	    0.8
#define SCX_JAIN_SLACK	    0.1
#define SCX_MAX_SLOWDOWN    2.0
#define SCX_MAX_WAKE_FACTOR 5.0
#define SCX_WAKE_SLACK_MS   25.0

void scx_verdict_free(scx_verdict *v)
{
	if (!v)
		return;
	json_decref(v->json);
	v->json = NULL;
}

static int hmac_hex(scx_t *s, const json_t *verdict, char out[65])
{
	json_t *copy = json_deep_copy(verdict);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!copy)
		return -ENOMEM;
	json_object_del(copy, "hmac");
	char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (!text)
		return -ENOMEM;
	HMAC(EVP_sha256(), s->key, sizeof(s->key), (const unsigned char *)text, strlen(text), md,
	     &mdlen);
	free(text);
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(out + (size_t)2 * i, 3, "%02x", md[i]);
	return 0;
}

int scx_verdict_check(scx_t *s, const json_t *verdict, const unsigned char *obj, size_t objlen,
		      char *err, size_t errlen)
{
	char sha[65], mac[65];
	const char *vsha = json_string_value(json_object_get(verdict, "object_sha256"));
	const char *vmac = json_string_value(json_object_get(verdict, "hmac"));

	if (!json_is_object(verdict) || !vmac) {
		scx_err(err, errlen, "the object has no signed verdict: verify it first");
		return -EPERM;
	}
	if (hmac_hex(s, verdict, mac) || strlen(vmac) != 64 || CRYPTO_memcmp(mac, vmac, 64)) {
		scx_err(err, errlen,
			"the verdict's signature does not match (tampered verdict, or "
			"signed with another key)");
		return -EACCES;
	}
	scx_sha256_hex(obj, objlen, sha);
	if (!vsha || strcmp(sha, vsha) != 0) {
		scx_err(err, errlen,
			"the object's SHA-256 %.16s... is not the verified one %.16s... (tampered "
			"object)",
			sha, vsha ? vsha : "?");
		return -EACCES;
	}
	if (!json_is_true(json_object_get(verdict, "passed"))) {
		scx_err(err, errlen, "the verdict says the policy failed verification: %s",
			json_string_value(json_object_get(verdict, "reason")) ?: "?");
		return -EPERM;
	}
	return 0;
}

static void check(json_t *checks, const char *name, bool ok, const char *detail, char *reason,
		  size_t rlen)
{
	json_t *c = json_object();

	json_object_set_new(c, "name", json_string(name));
	json_object_set_new(c, "passed", json_boolean(ok));
	json_object_set_new(c, "detail", json_string(detail ? detail : ""));
	json_array_append_new(checks, c);
	/* The first failure's reason; a long detail is cut to fit. */
	if (!ok && !reason[0] &&
	    snprintf(reason, rlen, "%s: %s", name, detail ? detail : "failed") >= (int)rlen &&
	    rlen > 4)
		memcpy(reason + rlen - 4, "...", 4);
}

/* The stress plan: the build and wakeup steps measure the default scheduler
 * just before the policy; the plan stops at the first step that fails. */
static const char *plan_fmt =
	"scx_guest run --label fair --policy \"$P/%s\" %s --workload fair --tasks 4 "
	"--duration-ms 2000 --deadline-ms 4000 --with-baseline 1 --max-wait-ms %.0f "
	"--min-jain %.2f || exit 0\n"
	"scx_guest run --label build --policy \"$P/%s\" %s --workload build --tasks 12 "
	"--work-ms 40 --deadline-ms 15000 --with-baseline 1 --max-wait-ms %.0f "
	"--max-regress %.2f || exit 0\n"
	"scx_guest run --label wakeup --policy \"$P/%s\" %s --workload wakeup --tasks 2 "
	"--duration-ms 1000 --deadline-ms 6000 --with-baseline 1 --wake-factor %.1f "
	"--wake-slack-ms %.1f\n";

/* The run a step's checks read. When the first run failed on timing alone
 * the guest runs once more; the second run counts only when it passed every
 * check (then the first was noise), else the first run's figures stand. */
static json_t *wl(const json_t *step)
{
	json_t *r = json_object_get(step, "workload_retry");
	const char *failed = json_string_value(json_object_get(step, "failed"));

	return r && failed && !*failed ? r : json_object_get(step, "workload");
}

static double num(const json_t *o, const char *a, const char *b)
{
	const json_t *run = strcmp(a, "workload") ? json_object_get(o, a) : wl(o);

	return json_number_value(json_object_get(run, b));
}

static void dynamic_checks(const json_t *res, json_t *checks, char *reason, size_t rlen)
{
	char d[512];
	json_t *fair = scx_result_step(res, "fair");
	json_t *build = scx_result_step(res, "build");
	json_t *wake = scx_result_step(res, "wakeup");

	if (!fair) {
		check(checks, "kernel", false, "the VM run produced no result", reason, rlen);
		return;
	}
	if (!json_is_true(json_object_get(fair, "loaded"))) {
		const char *e = json_string_value(json_object_get(fair, "error"));
		const char *log = json_string_value(json_object_get(fair, "verifier_log"));
		snprintf(d, sizeof(d), "%s", e ? e : "load failed");
		check(checks, "kernel", false, d, reason, rlen);
		(void)log;
		return;
	}
	check(checks, "kernel", true, "loaded", reason, rlen);
	const char *st = json_string_value(json_object_get(fair, "state"));
	const char *ops = json_string_value(json_object_get(fair, "ops"));
	snprintf(d, sizeof(d), "state %s, ops %s", st ? st : "?", ops ? ops : "?");
	check(checks, "enabled", st && !strcmp(st, "enabled") && ops && *ops, d, reason, rlen);
	bool ejected = false;
	int lost = 0;
	double max_wait = 0, wait_limit = SCX_MAX_WAIT_MS;
	int wait_step = 0;
	json_t *steps[3] = {fair, build, wake};
	for (int i = 0; i < 3; i++) {
		if (!steps[i])
			continue;
		ejected |= json_is_true(json_object_get(json_object_get(steps[i], "workload"),
							"ejected")) ||
			   !strcmp(json_string_value(json_object_get(steps[i], "failed")) ?: "",
				   "ejected");
		lost += (int)json_integer_value(
			json_object_get(json_object_get(steps[i], "workload"), "lost"));
		/* the worst wait relative to its limit, over the CPU-bound steps */
		double w = num(steps[i], "workload", "max_wait_ms");
		double lim = num(steps[i], "baseline", "max_wait_ms") * SCX_WAIT_FACTOR;
		if (lim < SCX_MAX_WAIT_MS)
			lim = SCX_MAX_WAIT_MS;
		if (i < 2 && w / lim > max_wait / wait_limit) {
			max_wait = w;
			wait_limit = lim;
			wait_step = i;
		}
	}
	const char *km = json_string_value(json_object_get(fair, "kmsg"));
	snprintf(d, sizeof(d), "%s", ejected ? (km ? km : "ejected") : "stayed enabled");
	check(checks, "no_ejection", !ejected, d, reason, rlen);
	snprintf(d, sizeof(d), "%d task(s) never completed", lost);
	check(checks, "no_lost_tasks", lost == 0, d, reason, rlen);
	snprintf(d, sizeof(d),
		 "longest wait of a runnable task %.1f ms in the %s step (limit %.0f)", max_wait,
		 wait_step ? "build" : "fair", wait_limit);
	check(checks, "no_starvation", max_wait <= wait_limit, d, reason, rlen);
	double jain = num(fair, "workload", "jain");
	double jain_min = num(fair, "baseline", "jain") - SCX_JAIN_SLACK;
	if (jain_min > SCX_MIN_JAIN)
		jain_min = SCX_MIN_JAIN;
	snprintf(d, sizeof(d), "Jain's index %.3f over 4 equal CPU hogs (minimum %.2f)", jain,
		 jain_min);
	check(checks, "fairness", jain >= jain_min, d, reason, rlen);
	if (build) {
		double b = num(build, "baseline", "makespan_ms"),
		       p = num(build, "workload", "makespan_ms");
		snprintf(d, sizeof(d), "build makespan %.1f ms vs default %.1f ms (limit %.1fx)", p,
			 b, SCX_MAX_SLOWDOWN);
		check(checks, "throughput", b > 0 && p <= b * SCX_MAX_SLOWDOWN, d, reason, rlen);
	} else {
		check(checks, "throughput", false, "not run: an earlier step failed", reason, rlen);
	}
	if (wake) {
		double b = num(wake, "baseline", "wake_mean_ms"),
		       p = num(wake, "workload", "wake_mean_ms");
		snprintf(d, sizeof(d), "mean wakeup lateness %.2f ms vs default %.2f ms", p, b);
		check(checks, "latency", p <= b * SCX_MAX_WAKE_FACTOR + SCX_WAKE_SLACK_MS, d,
		      reason, rlen);
	} else {
		check(checks, "latency", false, "not run: an earlier step failed", reason, rlen);
	}
	bool detached = true;
	for (int i = 0; i < 3; i++)
		if (steps[i])
			detached &= json_is_true(json_object_get(steps[i], "detached_to_default"));
	check(checks, "detach", detached,
	      detached ? "default scheduler back after each detach"
		       : "state not disabled after detach",
	      reason, rlen);
}

int scx_verify_object(scx_t *s, const char *name, int version, const unsigned char *obj, size_t len,
		      json_t *compile_report, const char *sets, scx_verdict *v, char *err,
		      size_t errlen)
{
	char path[PATH_MAX], reason[256] = "", mac[65];
	json_t *verdict = json_object(), *checks = json_array(), *rep = NULL, *res = NULL;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = scx_env_prepare(s, err, errlen))) {
		json_decref(verdict);
		json_decref(checks);
		return rc;
	}
	scx_sha256_hex(obj, len, v->object_sha256);
	json_object_set_new(verdict, "policy", json_string(name ? name : ""));
	json_object_set_new(verdict, "version", json_integer(version));
	json_object_set_new(verdict, "object_sha256", json_string(v->object_sha256));
	json_object_set_new(verdict, "verified_at", json_integer((json_int_t)time(NULL)));
	json_object_set_new(verdict, "checks", checks);
	if (!sets)
		sets = "";
	json_object_set_new(verdict, "tunables", json_string(sets));
	if (compile_report) {
		json_object_set(verdict, "compile", compile_report);
		check(checks, "compile", true, "clang-19, sandboxed", reason, sizeof(reason));
	}
	scx_path(path, sizeof(path), "%s/runs/verify-%.16s.bpf.o", s->cache_dir, v->object_sha256);
	char runs[PATH_MAX];
	scx_path(runs, sizeof(runs), "%s/runs", s->cache_dir);
	mkdir(runs, 0755);
	if ((rc = scx_write_file(path, obj, len, err, errlen)))
		goto fail;
	char serr[512] = "";
	int src = scx_static_check(s, path, &rep, serr, sizeof(serr));
	json_object_set_new(verdict, "static", rep);
	check(checks, "static", src == 0, src ? serr : "ok", reason, sizeof(reason));
	if (src == 0) {
		char *plan = NULL;
		const char *base = strrchr(path, '/') + 1;
		if (asprintf(&plan, plan_fmt, base, sets, SCX_MAX_WAIT_MS, SCX_MIN_JAIN, base, sets,
			     SCX_MAX_WAIT_MS, SCX_MAX_SLOWDOWN - 1, base, sets, SCX_MAX_WAKE_FACTOR,
			     SCX_WAKE_SLACK_MS) < 0) {
			rc = -ENOMEM;
			goto fail;
		}
		const char *files[] = {path};
		res = scx_vm_run(s, plan, files, 1, err, errlen);
		/* a boot whose plan printed nothing is the harness failing, not the
		 * policy: try once more, then report an error, not a verdict */
		if (res && json_array_size(json_object_get(res, "steps")) == 0) {
			json_decref(res);
			res = scx_vm_run(s, plan, files, 1, err, errlen);
			if (res && json_array_size(json_object_get(res, "steps")) == 0) {
				const char *tail =
					json_string_value(json_object_get(res, "log_tail"));
				scx_err(err, errlen,
					"the VM booted but the plan reported nothing: %.600s",
					tail ? tail : "");
				json_decref(res);
				res = NULL;
			}
		}
		free(plan);
		if (!res) {
			rc = -EIO;
			goto fail;
		}
		json_t *fair = scx_result_step(res, "fair");
		const char *vlog = json_string_value(json_object_get(fair, "verifier_log"));
		if (vlog && *vlog)
			json_object_set_new(verdict, "verifier_log", json_string(vlog));
		json_object_set_new(
			verdict, "kernel",
			json_copy(json_object_get(json_object_get(res, "boot"), "kernel")));
		json_object_set_new(verdict, "target", json_copy(json_object_get(res, "target")));
		json_object_set(verdict, "runs", json_object_get(res, "steps"));
		dynamic_checks(res, checks, reason, sizeof(reason));
	}
	unlink(path);
	v->passed = reason[0] == 0;
	snprintf(v->reason, sizeof(v->reason), "%s", reason);
	json_object_set_new(verdict, "passed", json_boolean(v->passed));
	json_object_set_new(verdict, "reason", json_string(reason));
	if ((rc = hmac_hex(s, verdict, mac)))
		goto fail;
	json_object_set_new(verdict, "hmac", json_string(mac));
	v->json = verdict;
	json_decref(res);
	return 0;
fail:
	unlink(path);
	json_decref(verdict);
	json_decref(res);
	return rc;
}

/* The perf history learns from every verification run. */
static void record_runs(scx_t *s, const char *name, int version, const json_t *verdict)
{
	size_t i;
	json_t *st;

	json_array_foreach(json_object_get(verdict, "runs"), i, st)
	{
		const char *label = json_string_value(json_object_get(st, "label"));
		json_t *w = json_object_get(st, "workload");
		if (!label || !json_is_object(w))
			continue;
		json_t *m = json_object();
		const char *keys[] = {"makespan_ms", "jain", "max_wait_ms", "wake_mean_ms"};
		for (size_t k = 0; k < 4; k++)
			if (json_is_number(json_object_get(w, keys[k])))
				json_object_set(m, keys[k], json_object_get(w, keys[k]));
		char wl[64];
		snprintf(wl, sizeof(wl), "verify-%s", label);
		scx_perf_record(s, name, version, wl, m, NULL, 0);
		json_decref(m);
	}
}

static json_t *compile_report(const char *log)
{
	json_t *r = json_object();

	json_object_set_new(r, "compiler", json_string("clang-19 -target bpf -nostdinc"));
	json_object_set_new(r, "log", json_string(log ? log : ""));
	return r;
}

int scx_verify_policy(scx_t *s, const char *name, int version, scx_verdict *v, char *err,
		      size_t errlen)
{
	sqlite3_int64 id;
	int ver, rc;
	unsigned char *obj = NULL, *oldobj = NULL;
	size_t olen = 0, oldlen = 0;
	char *source = NULL, *log = NULL, path[PATH_MAX];

	memset(v, 0, sizeof(*v));
	if ((rc = scx_repo_version_id(s, name, version, &ver, &id, err, errlen)))
		return rc;
	scx_repo_get_object(s, id, &oldobj, &oldlen, &source, NULL);
	free(oldobj);
	if (!source) {
		scx_err(err, errlen, "policy %s version %d has no source", name, ver);
		return -ENOENT;
	}
	if ((rc = scx_env_prepare(s, err, errlen)))
		goto out;
	scx_path(path, sizeof(path), "%s/runs/compile-%d.o", s->cache_dir, (int)getpid());
	char runs[PATH_MAX];
	scx_path(runs, sizeof(runs), "%s/runs", s->cache_dir);
	mkdir(runs, 0755);
	rc = scx_compile(s, source, strlen(source), path, &log, err, errlen);
	if (rc) {
		/* a verdict that records the failure; nothing is deployable */
		json_t *verdict = json_object(), *checks = json_array();
		char mac[65];
		json_object_set_new(verdict, "policy", json_string(name));
		json_object_set_new(verdict, "version", json_integer(ver));
		json_object_set_new(verdict, "passed", json_false());
		json_object_set_new(verdict, "reason", json_string(err));
		check(checks, "compile", false, err, v->reason, sizeof(v->reason));
		json_object_set_new(verdict, "checks", checks);
		hmac_hex(s, verdict, mac);
		json_object_set_new(verdict, "hmac", json_string(mac));
		scx_repo_set_object(s, id, NULL, 0, NULL, verdict, false);
		v->json = verdict;
		v->passed = false;
		rc = 0;
		goto out;
	}
	rc = scx_read_file(path, &obj, &olen, 64 << 20, err, errlen);
	unlink(path);
	if (rc)
		goto out;
	/* the tunables' defaults from the metadata, verified and signed as such */
	char sets[1024];
	json_t *shown = scx_policy_show(s, name, ver, err, errlen);
	rc = shown ? scx_tunable_args(json_object_get(shown, "meta"), sets, sizeof(sets), err,
				      errlen)
		   : -ENOENT;
	json_decref(shown);
	if (rc)
		goto out;
	json_t *cr = compile_report(log);
	rc = scx_verify_object(s, name, ver, obj, olen, cr, sets, v, err, errlen);
	json_decref(cr);
	if (rc == 0) {
		scx_repo_set_object(s, id, obj, olen, v->object_sha256, v->json, v->passed);
		record_runs(s, name, ver, v->json);
	}
out:
	free(obj);
	free(source);
	free(log);
	return rc;
}

int scx_verify_file(scx_t *s, const char *path, scx_verdict *v, char *err, size_t errlen)
{
	unsigned char *data = NULL, *obj = NULL;
	size_t len = 0, olen = 0;
	char *log = NULL, opath[PATH_MAX];
	int rc;
	size_t pl = strlen(path);

	memset(v, 0, sizeof(*v));
	if ((rc = scx_read_file(path, &data, &len, 64 << 20, err, errlen)))
		return rc;
	if (pl > 2 && !strcmp(path + pl - 2, ".o")) {
		rc = scx_verify_object(s, path, 0, data, len, NULL, NULL, v, err, errlen);
		free(data);
		return rc;
	}
	if ((rc = scx_env_prepare(s, err, errlen)))
		goto out;
	char runs[PATH_MAX];
	scx_path(runs, sizeof(runs), "%s/runs", s->cache_dir);
	mkdir(runs, 0755);
	scx_path(opath, sizeof(opath), "%s/runs/compile-%d.o", s->cache_dir, (int)getpid());
	if ((rc = scx_compile(s, (const char *)data, len, opath, &log, err, errlen)))
		goto out;
	rc = scx_read_file(opath, &obj, &olen, 64 << 20, err, errlen);
	unlink(opath);
	if (rc)
		goto out;
	json_t *cr = compile_report(log);
	rc = scx_verify_object(s, path, 0, obj, olen, cr, NULL, v, err, errlen);
	json_decref(cr);
out:
	free(data);
	free(obj);
	free(log);
	return rc;
}
