/* scx_deploy: deployment with automatic rollback, on the sched_ext VM (or a
 * host with sched_ext).
 *
 * Only a version whose stored verdict carries a valid HMAC under the local
 * key, says "passed", and names the SHA-256 of the stored object is ever
 * loaded; anything else is refused before a VM starts, with nothing changed.
 * A deployment is a canary: the default scheduler runs the canary workload
 * (a parallel build), then the policy is attached and runs it again while
 * its state, its progress and sched_ext's messages are watched; on an
 * ejection, a lost or starved task, or a makespan more than SCX_CANARY_REGRESS
 * worse than the default's, it is detached at once and the previous
 * known-good policy (verified the same way) is attached again, or the kernel
 * default is left. In this environment each deployment is one VM boot, so
 * "the deployed policy" is the repository's record of the last canary that
 * passed; every deployment and rollback is in the history.
 */
#include "scx_internal.h"
#include "scx_repo.h"
#include "scx_result.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCX_CANARY_REGRESS 1.0 /* 100% slower than the default = regression */

/* Loads a verified version's object into a file under runs/, after checking
 * its verdict. */
static int load_verified(scx_t *s, const char *name, int version, int *ver, char *path, size_t plen,
			 char *sets, size_t setslen, char *err, size_t errlen)
{
	sqlite3_int64 id;
	unsigned char *obj = NULL;
	size_t len = 0;
	json_t *verdict = NULL;
	int rc;

	if ((rc = scx_repo_version_id(s, name, version, ver, &id, err, errlen)))
		return rc;
	scx_repo_get_object(s, id, &obj, &len, NULL, &verdict);
	if (!obj || !verdict) {
		scx_err(err, errlen, "policy %s version %d is not verified: run verify first", name,
			*ver);
		rc = -EPERM;
		goto out;
	}
	char e2[400];
	if ((rc = scx_verdict_check(s, verdict, obj, len, e2, sizeof(e2)))) {
		scx_err(err, errlen, "policy %s version %d refused: %s", name, *ver, e2);
		goto out;
	}
	/* the tunables it was verified with (signed); only loader arguments */
	const char *ts = json_string_value(json_object_get(verdict, "tunables"));
	if (!ts)
		ts = "";
	for (const char *c = ts; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '=' ||
		      *c == ' ')) {
			scx_err(err, errlen, "policy %s version %d: bad tunables in its verdict",
				name, *ver);
			rc = -EINVAL;
			goto out;
		}
	snprintf(sets, setslen, "%s", ts);
	char runs[PATH_MAX];
	scx_path(runs, sizeof(runs), "%s/runs", s->cache_dir);
	mkdir(runs, 0755);
	snprintf(path, plen, "%s/runs/%s-v%d.bpf.o", s->cache_dir, name, *ver);
	rc = scx_write_file(path, obj, len, err, errlen);
out:
	free(obj);
	json_decref(verdict);
	return rc;
}

static json_t *ref(const char *name, int version)
{
	return json_pack("{s:s, s:i}", "policy", name, "version", version);
}

int scx_deploy(scx_t *s, const char *name, json_t **result, char *err, size_t errlen)
{
	char path[PATH_MAX], fpath[PATH_MAX] = "";
	int ver = 0, fver = 0, rc;
	json_t *cur = scx_repo_state_get(s, "current");
	const char *fname = json_string_value(json_object_get(cur, "policy"));
	json_t *res = NULL;

	*result = NULL;
	char sets[1024], fsets[1024];
	if ((rc = load_verified(s, name, 0, &ver, path, sizeof(path), sets, sizeof(sets), err,
				errlen))) {
		scx_repo_history_add(s, "deploy", name, ver, "refused", err, NULL);
		json_decref(cur);
		return rc;
	}
	/* the fallback: the current deployment, when it is another version */
	if (fname) {
		int want = (int)json_integer_value(json_object_get(cur, "version"));
		char e2[256];
		if ((strcmp(fname, name) != 0 || want != ver) &&
		    load_verified(s, fname, want, &fver, fpath, sizeof(fpath), fsets, sizeof(fsets),
				  e2, sizeof(e2)))
			fpath[0] = 0; /* no longer verifiable: fall back to the default */
		if (!strcmp(fname, name) && want == ver)
			fpath[0] = 0;
	}
	if ((rc = scx_env_prepare(s, err, errlen)))
		goto out;
	char *plan = NULL;
	const char *base = strrchr(path, '/') + 1;
	const char *fbase = fpath[0] ? strrchr(fpath, '/') + 1 : NULL;
	if (asprintf(&plan,
		     "scx_guest run --label canary --policy \"$P/%s\" %s --workload build --tasks "
		     "12 "
		     "--work-ms 40 --deadline-ms 15000 --with-baseline 1 --max-regress %.2f "
		     "--max-wait-ms 1000%s%s%s",
		     base, sets, SCX_CANARY_REGRESS, fbase ? " --fallback \"$P/" : "",
		     fbase ? fbase : "", fbase ? "\"" : "") < 0) {
		rc = -ENOMEM;
		goto out;
	}
	const char *files[2] = {path, fpath};
	res = scx_vm_run(s, plan, files, fpath[0] ? 2 : 1, err, errlen);
	free(plan);
	if (!res) {
		/* nothing was deployed; the previous policy stays */
		scx_repo_history_add(s, "deploy", name, ver, "refused", err, NULL);
		rc = -EIO;
		goto out;
	}
	json_t *c = scx_result_step(res, "canary");
	const char *failed = json_string_value(json_object_get(c, "failed"));
	const char *state = json_string_value(json_object_get(c, "state"));
	const char *ops = json_string_value(json_object_get(c, "ops"));
	bool loaded = json_is_true(json_object_get(c, "loaded"));
	bool ok = c && loaded && failed && !*failed && state && !strcmp(state, "enabled");
	json_t *r = json_object();
	json_object_set_new(r, "policy", json_string(name));
	json_object_set_new(r, "version", json_integer(ver));
	json_object_set_new(r, "target", json_copy(json_object_get(res, "target")));
	json_object_set_new(r, "ops", json_string(ops ? ops : ""));
	json_object_set_new(r, "state", json_string(state ? state : ""));
	/* the retry's figures count only when it passed (see scx_verify.c) */
	json_t *run = failed && !*failed ? json_object_get(c, "workload_retry") : NULL;
	json_object_set(r, "metrics", run ? run : json_object_get(c, "workload"));
	json_object_set(r, "baseline", json_object_get(c, "baseline"));
	json_object_set_new(r, "state_after_rollback",
			    json_copy(json_object_get(c, "state_after_detach")));
	if (ok) {
		json_object_set_new(r, "outcome", json_string("deployed"));
		json_object_set_new(r, "reason", json_string(""));
		if (fname && (strcmp(fname, name) != 0 ||
			      json_integer_value(json_object_get(cur, "version")) != ver))
			scx_repo_state_set(s, "previous", cur);
		json_t *me = ref(name, ver);
		scx_repo_state_set(s, "current", me);
		json_decref(me);
		json_t *m = json_object_get(r, "metrics");
		json_t *pm =
			m ? json_pack("{s:O}", "makespan_ms", json_object_get(m, "makespan_ms"))
			  : NULL;
		if (pm)
			scx_perf_record(s, name, ver, "canary-build", pm, NULL, 0);
		json_decref(pm);
	} else {
		const char *why = !c		      ? "no canary result"
				  : !loaded	      ? "load failed"
				  : failed && *failed ? failed
						      : "not enabled";
		json_object_set_new(r, "outcome", json_string("rolled_back"));
		json_object_set_new(r, "reason", json_string(why));
		json_object_set_new(r, "restored",
				    fpath[0] ? ref(fname, fver) : json_string("default"));
		json_object_set_new(r, "fallback_ops",
				    json_copy(json_object_get(c, "fallback_ops")));
	}
	scx_repo_history_add(s, "deploy", name, ver,
			     json_string_value(json_object_get(r, "outcome")),
			     json_string_value(json_object_get(r, "reason")), r);
	*result = r;
	rc = 0;
out:
	if (fpath[0])
		unlink(fpath);
	unlink(path);
	json_decref(res);
	json_decref(cur);
	return rc;
}

int scx_rollback(scx_t *s, json_t **result, char *err, size_t errlen)
{
	json_t *cur = scx_repo_state_get(s, "current");
	json_t *prev = scx_repo_state_get(s, "previous");
	const char *cname = json_string_value(json_object_get(cur, "policy"));
	const char *pname = json_string_value(json_object_get(prev, "policy"));
	char path[PATH_MAX], ppath[PATH_MAX] = "";
	int ver = 0, pver = 0, rc;
	json_t *res = NULL;

	*result = NULL;
	if (!cname) {
		scx_err(err, errlen, "nothing is deployed: the kernel default is in place");
		rc = -ENOENT;
		goto out;
	}
	char sets[1024], psets[1024];
	if ((rc = load_verified(s, cname, (int)json_integer_value(json_object_get(cur, "version")),
				&ver, path, sizeof(path), sets, sizeof(sets), err, errlen)))
		goto out;
	char e2[256];
	if (pname &&
	    load_verified(s, pname, (int)json_integer_value(json_object_get(prev, "version")),
			  &pver, ppath, sizeof(ppath), psets, sizeof(psets), e2, sizeof(e2)))
		ppath[0] = 0;
	if ((rc = scx_env_prepare(s, err, errlen)))
		goto out;
	char *plan = NULL;
	const char *pbase = ppath[0] ? strrchr(ppath, '/') + 1 : NULL;
	if (asprintf(&plan,
		     "scx_guest run --label rollback --policy \"$P/%s\" %s --workload fair --tasks "
		     "2 "
		     "--duration-ms 300 --force-rollback 1%s%s%s",
		     strrchr(path, '/') + 1, sets, pbase ? " --fallback \"$P/" : "",
		     pbase ? pbase : "", pbase ? "\"" : "") < 0) {
		rc = -ENOMEM;
		goto out;
	}
	const char *files[2] = {path, ppath};
	res = scx_vm_run(s, plan, files, ppath[0] ? 2 : 1, err, errlen);
	free(plan);
	if (!res) {
		rc = -EIO;
		goto out;
	}
	json_t *c = scx_result_step(res, "rollback");
	const char *after = json_string_value(json_object_get(c, "state_after_detach"));
	const char *fops = json_string_value(json_object_get(c, "fallback_ops"));
	bool ok = after && !strcmp(after, "disabled") && (!ppath[0] || fops);
	json_t *r = json_object();
	json_object_set_new(r, "from", ref(cname, ver));
	json_object_set_new(r, "state_after_detach", json_string(after ? after : ""));
	json_object_set_new(r, "restored", ppath[0] ? ref(pname, pver) : json_string("default"));
	json_object_set_new(r, "restored_ops", json_string(fops ? fops : ""));
	json_object_set_new(r, "outcome", json_string(ok ? "rolled_back" : "failed"));
	if (ok) {
		scx_repo_state_set(s, "current", ppath[0] ? prev : NULL);
		scx_repo_state_set(s, "previous", NULL);
	}
	scx_repo_history_add(s, "rollback", cname, ver, ok ? "rolled_back" : "failed",
			     ok ? "requested" : "detach did not restore the default", r);
	*result = r;
	rc = ok ? 0 : -EIO;
	if (!ok)
		scx_err(err, errlen, "rollback of %s did not complete (state after detach: %s)",
			cname, after ? after : "?");
out:
	if (ppath[0])
		unlink(ppath);
	if (cname && ver)
		unlink(path);
	json_decref(res);
	json_decref(cur);
	json_decref(prev);
	return rc;
}

json_t *scx_status(scx_t *s, char *err, size_t errlen)
{
	json_t *o = json_object();
	json_t *cur = scx_repo_state_get(s, "current");

	(void)err;
	(void)errlen;
	json_object_set_new(o, "current", cur ? cur : json_null());
	json_t *prev = scx_repo_state_get(s, "previous");
	json_object_set_new(o, "previous", prev ? prev : json_null());
	bool host = scx_host_has_sched_ext();
	json_object_set_new(o, "target", json_string(host ? "host" : "vm"));
	if (host) {
		char st[64] = "", ops[160] = "";
		FILE *f = fopen("/sys/kernel/sched_ext/state", "r");
		if (f) {
			if (!fgets(st, sizeof(st), f))
				st[0] = 0;
			fclose(f);
		}
		f = fopen("/sys/kernel/sched_ext/root/ops", "r");
		if (f) {
			if (!fgets(ops, sizeof(ops), f))
				ops[0] = 0;
			fclose(f);
		}
		st[strcspn(st, "\n")] = 0;
		ops[strcspn(ops, "\n")] = 0;
		json_object_set_new(o, "sched_ext",
				    json_pack("{s:s, s:s}", "state", st, "ops", ops));
	}
	return o;
}
