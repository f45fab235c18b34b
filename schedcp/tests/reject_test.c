/* Acceptance 2: the verifier rejects, in the sched_ext VM, the policy named
 * on the command line (tests/policies/bad_*.bpf.c), for the reason expected:
 *   reject_test verifier   the kernel verifier refuses it; its log is kept
 *   reject_test starve     a task is starved (longest wait, fairness)
 *   reject_test lose       a task is never dispatched (lost)
 * and the rejected policy cannot be deployed: nothing changes.
 */
#include "scx_testenv.h"
#include "testkit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool check_failed(json_t *verdict, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(verdict, "checks"), i, c)
	{
		if (!strcmp(json_string_value(json_object_get(c, "name")), name))
			return json_is_false(json_object_get(c, "passed"));
	}
	return false;
}

int main(int argc, char **argv)
{
	char err[1024], rel[128];
	scx_verdict v;
	json_t *r = NULL;

	if (argc != 2)
		return 2;
	scx_t *s = scx_test_open(true);
	snprintf(rel, sizeof(rel), "tests/policies/bad_%s.bpf.c", argv[1]);
	char *src = scx_test_source(rel);
	TK_REQUIRE(src != NULL, "%s", rel);
	TK_REQUIRE(scx_policy_add(s, "bad", src, NULL, NULL, err, sizeof(err)) == 0, "add: %s",
		   err);
	free(src);
	TK_REQUIRE(scx_verify_policy(s, "bad", 0, &v, err, sizeof(err)) == 0, "verify: %s", err);
	TK_CHECK(!v.passed, "%s passed verification", rel);
	if (!strcmp(argv[1], "verifier")) {
		const char *log = json_string_value(json_object_get(v.json, "verifier_log"));
		TK_CHECK(check_failed(v.json, "kernel"), "the kernel check did not fail: %s",
			 v.reason);
		/* the kernel's own words about the unbounded index */
		TK_CHECK(log && strstr(log, "unbounded min value"), "verifier log missing: %.200s",
			 log ? log : "(none)");
	} else if (!strcmp(argv[1], "starve")) {
		TK_CHECK(check_failed(v.json, "no_starvation"), "starvation not detected: %s",
			 v.reason);
		fprintf(stderr, "verdict: %s\n", v.reason);
		TK_CHECK(!check_failed(v.json, "kernel"), "refused by the kernel instead");
	} else if (!strcmp(argv[1], "lose")) {
		TK_CHECK(check_failed(v.json, "no_lost_tasks"), "lost task not detected: %s",
			 v.reason);
	}
	scx_verdict_free(&v);
	TK_CHECK(scx_deploy(s, "bad", &r, err, sizeof(err)) == -EPERM,
		 "deployed a rejected policy");
	TK_CHECK(strstr(err, "failed verification") != NULL, "refusal: %s", err);
	json_t *st = scx_status(s, err, sizeof(err));
	TK_CHECK(json_is_null(json_object_get(st, "current")), "something got deployed");
	json_decref(st);
	scx_close(s);
	return tk_finish();
}
