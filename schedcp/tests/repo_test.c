/* The policy repository without a VM: seeding, search by text and by
 * workload, versions and lineage, metadata validation, performance history,
 * the key file's mode, and deployment refusals that need no VM (an
 * unverified policy, a rollback with nothing deployed).
 */
#include "scx_testenv.h"
#include "testkit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bool has(json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) if (!strcmp(json_string_value(json_object_get(v, "name")),
						   name)) return true;
	return false;
}

int main(void)
{
	char err[1024];
	scx_t *s = scx_test_open(false);
	json_t *l;
	int ver = 0;

	TK_REQUIRE(scx_seed(s, err, sizeof(err)) == 0, "seed: %s", err);
	TK_REQUIRE(scx_seed(s, err, sizeof(err)) == 0, "seed twice: %s", err);
	l = scx_policy_list(s, NULL, NULL, err, sizeof(err));
	TK_CHECK(json_array_size(l) == 5, "5 seed policies, got %zu", json_array_size(l));
	const char *names[] = {"fifo", "vtime", "latency", "ljf", "locality"};
	for (int i = 0; i < 5; i++)
		TK_CHECK(has(l, names[i]), "seed %s missing", names[i]);
	json_decref(l);

	l = scx_policy_list(s, NULL, "interactive", err, sizeof(err));
	TK_CHECK(json_array_size(l) == 1 && has(l, "latency"), "workload search: interactive");
	json_decref(l);
	l = scx_policy_list(s, "longest", NULL, err, sizeof(err));
	TK_CHECK(json_array_size(l) == 1 && has(l, "ljf"), "text search: longest");
	json_decref(l);
	l = scx_policy_list(s, "no-such-thing", NULL, err, sizeof(err));
	TK_CHECK(json_array_size(l) == 0, "search for nothing found something");
	json_decref(l);

	/* versions and lineage */
	char *src = scx_test_source("bpf/ljf.bpf.c");
	TK_REQUIRE(src != NULL, "ljf source");
	TK_CHECK(scx_policy_add(s, "ljf", src, "{\"description\":\"ljf v2\"}", &ver, err,
				sizeof(err)) == 0 &&
			 ver == 2,
		 "ljf v2: %s", err);
	TK_CHECK(scx_policy_add(
			 s, "ljf_tuned", src,
			 "{\"parent\":\"ljf\",\"workloads\":[\"batch\"],\"tunables\":[{\"name\":"
			 "\"slice_ns\",\"type\":\"u64\",\"min\":1,\"max\":9}]}",
			 &ver, err, sizeof(err)) == 0 &&
			 ver == 1,
		 "ljf_tuned: %s", err);
	json_t *sh = scx_policy_show(s, "ljf_tuned", 0, err, sizeof(err));
	json_t *par = json_object_get(sh, "parent");
	TK_CHECK(par && !strcmp(json_string_value(json_object_get(par, "name")), "ljf") &&
			 json_integer_value(json_object_get(par, "version")) == 2,
		 "lineage: parent of ljf_tuned is ljf v2");
	json_decref(sh);
	sh = scx_policy_show(s, "ljf", 1, err, sizeof(err));
	TK_CHECK(sh && json_integer_value(json_object_get(sh, "version")) == 1, "show ljf v1");
	json_decref(sh);
	TK_CHECK(scx_policy_show(s, "ljf", 9, err, sizeof(err)) == NULL && strstr(err, "version 9"),
		 "missing version: %s", err);

	/* metadata and names are outside input */
	TK_CHECK(scx_policy_add(s, "x", src, "not json", NULL, err, sizeof(err)) == -EINVAL,
		 "broken metadata accepted");
	TK_CHECK(scx_policy_add(s, "x", src, "{\"workloads\":\"batch\"}", NULL, err, sizeof(err)) ==
			 -EINVAL,
		 "workloads not an array accepted");
	TK_CHECK(scx_policy_add(
			 s, "x", src,
			 "{\"tunables\":[{\"name\":\"a\",\"type\":\"u64\",\"min\":5,\"max\":1}]}",
			 NULL, err, sizeof(err)) == -EINVAL,
		 "min > max accepted");
	TK_CHECK(scx_policy_add(s, "x", src, "{\"tunables\":[{\"name\":\"a\",\"type\":\"float\"}]}",
				NULL, err, sizeof(err)) == -EINVAL,
		 "unknown tunable type accepted");
	TK_CHECK(scx_policy_add(s, "../etc", src, NULL, NULL, err, sizeof(err)) == -EINVAL,
		 "path-like name accepted");
	TK_CHECK(scx_policy_add(s, "x", src, "{\"parent\":\"nope\"}", NULL, err, sizeof(err)) ==
			 -ENOENT,
		 "unknown parent accepted");
	free(src);

	/* numeric performance history */
	json_t *m = json_pack("{s:f, s:f}", "makespan_ms", 812.5, "jain", 0.97);
	TK_CHECK(scx_perf_record(s, "ljf", 0, "long-tail", m, err, sizeof(err)) == 0, "perf: %s",
		 err);
	json_decref(m);
	m = json_pack("{s:s}", "makespan_ms", "fast");
	TK_CHECK(scx_perf_record(s, "ljf", 0, "long-tail", m, err, sizeof(err)) == -EINVAL,
		 "a non-numeric metric accepted");
	json_decref(m);
	sh = scx_policy_show(s, "ljf", 0, err, sizeof(err));
	json_t *perf = json_object_get(json_object_get(sh, "performance"), "long-tail");
	TK_CHECK(json_array_size(perf) == 2, "perf rows: %zu", json_array_size(perf));
	json_decref(sh);

	/* refusals that need no VM */
	json_t *res = NULL;
	TK_CHECK(scx_deploy(s, "fifo", &res, err, sizeof(err)) == -EPERM &&
			 strstr(err, "not verified"),
		 "unverified deploy: %s", err);
	TK_CHECK(scx_deploy(s, "nope", &res, err, sizeof(err)) == -ENOENT, "unknown deploy");
	TK_CHECK(scx_rollback(s, &res, err, sizeof(err)) == -ENOENT, "rollback of nothing");
	json_t *st = scx_status(s, err, sizeof(err));
	TK_CHECK(json_is_null(json_object_get(st, "current")), "something is deployed");
	json_decref(st);
	json_t *h = scx_history(s, 10, err, sizeof(err));
	TK_CHECK(json_array_size(h) == 2 && !strcmp(json_string_value(json_object_get(
							    json_array_get(h, 0), "outcome")),
						    "refused"),
		 "refusals recorded in the history");
	json_decref(h);
	scx_close(s);

	/* the key is 0600, and refused once others can read it */
	char key[512];
	struct stat sb;
	snprintf(key, sizeof(key), "%s/repo.db.key", scx_test_dir());
	TK_CHECK(stat(key, &sb) == 0 && (sb.st_mode & 0777) == 0600, "key mode %o",
		 (unsigned)(sb.st_mode & 0777));
	chmod(key, 0644);
	char repo[512];
	snprintf(repo, sizeof(repo), "%s/repo.db", scx_test_dir());
	scx_config cfg = {.repo_path = repo};
	scx_t *s2 = NULL;
	TK_CHECK(scx_open(&cfg, &s2, err, sizeof(err)) == -EPERM && strstr(err, "0600"),
		 "a world-readable key accepted: %s", err);
	scx_close(s2);
	return tk_finish();
}
