/* Acceptance 1, in the sched_ext VM: a repository policy is verified (signed
 * verdict) and deployed (sched_ext state "enabled", root/ops names it, the
 * canary workload ran), a second one is deployed over it, and rollbacks go
 * back to the first and then to the kernel default (state "disabled").
 * Every step is in the history. Six VM boots.
 */
#include "scx_testenv.h"
#include "testkit.h"

#include <string.h>

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static void verify_ok(scx_t *s, const char *name)
{
	char err[1024];
	scx_verdict v;

	TK_REQUIRE(scx_verify_policy(s, name, 0, &v, err, sizeof(err)) == 0, "verify %s: %s", name,
		   err);
	TK_CHECK(v.passed, "%s rejected: %s", name, v.reason);
	TK_CHECK(strlen(str(v.json, "hmac")) == 64, "%s: verdict not signed", name);
	TK_CHECK(!strcmp(str(v.json, "object_sha256"), v.object_sha256), "%s: sha", name);
	/* the metadata's tunable defaults are passed to the loader (a name that
	 * is not a variable of the policy would fail the load) and signed */
	if (!strcmp(name, "vtime"))
		TK_CHECK(!strcmp(str(v.json, "tunables"), "--set slice_ns=5000000"),
			 "vtime tunables: '%s'", str(v.json, "tunables"));
	scx_verdict_free(&v);
}

static void deploy_ok(scx_t *s, const char *name)
{
	char err[1024];
	json_t *r = NULL;

	TK_REQUIRE(scx_deploy(s, name, &r, err, sizeof(err)) == 0, "deploy %s: %s", name, err);
	TK_CHECK(!strcmp(str(r, "outcome"), "deployed"), "deploy %s: %s (%s)", name,
		 str(r, "outcome"), str(r, "reason"));
	TK_CHECK(!strcmp(str(r, "state"), "enabled"), "deploy %s: state '%s'", name,
		 str(r, "state"));
	TK_CHECK(!strcmp(str(r, "ops"), name), "deploy %s: root/ops '%s'", name, str(r, "ops"));
	json_t *m = json_object_get(r, "metrics");
	TK_CHECK(json_integer_value(json_object_get(m, "completed")) == 12 &&
			 json_integer_value(json_object_get(m, "lost")) == 0,
		 "deploy %s: the canary workload did not complete", name);
	json_decref(r);
}

static void current_is(scx_t *s, const char *name)
{
	char err[256];
	json_t *st = scx_status(s, err, sizeof(err));
	json_t *cur = json_object_get(st, "current");

	if (name)
		TK_CHECK(!strcmp(str(cur, "policy"), name), "current '%s', want %s",
			 str(cur, "policy"), name);
	else
		TK_CHECK(json_is_null(cur), "current '%s', want the default", str(cur, "policy"));
	json_decref(st);
}

int main(void)
{
	char err[1024];
	scx_t *s = scx_test_open(true);
	json_t *r = NULL;

	TK_REQUIRE(scx_seed(s, err, sizeof(err)) == 0, "seed: %s", err);
	verify_ok(s, "vtime");
	deploy_ok(s, "vtime");
	current_is(s, "vtime");
	verify_ok(s, "ljf");
	deploy_ok(s, "ljf");
	current_is(s, "ljf");

	/* rollback: ljf detached, vtime (previous known-good) attached again */
	TK_REQUIRE(scx_rollback(s, &r, err, sizeof(err)) == 0, "rollback: %s", err);
	TK_CHECK(!strcmp(str(r, "state_after_detach"), "disabled"), "detach left '%s'",
		 str(r, "state_after_detach"));
	TK_CHECK(!strcmp(str(r, "restored_ops"), "vtime"), "restored '%s'", str(r, "restored_ops"));
	json_decref(r);
	current_is(s, "vtime");

	/* rollback again: the kernel default */
	TK_REQUIRE(scx_rollback(s, &r, err, sizeof(err)) == 0, "rollback 2: %s", err);
	TK_CHECK(!strcmp(str(r, "state_after_detach"), "disabled"), "default not restored: '%s'",
		 str(r, "state_after_detach"));
	TK_CHECK(!strcmp(str(r, "restored"), "default"), "restored something else");
	json_decref(r);
	current_is(s, NULL);

	json_t *h = scx_history(s, 10, err, sizeof(err));
	const char *want[] = {"rollback", "rollback", "deploy", "deploy"};
	TK_CHECK(json_array_size(h) == 4, "history: %zu entries", json_array_size(h));
	for (size_t i = 0; i < 4 && i < json_array_size(h); i++)
		TK_CHECK(!strcmp(str(json_array_get(h, i), "action"), want[i]), "history[%zu] %s",
			 i, str(json_array_get(h, i), "action"));
	json_decref(h);
	scx_close(s);
	return tk_finish();
}
