/* Acceptance 2 (last part): deployment refuses an object whose bytes changed
 * after verification, a verdict whose content changed, an unsigned verdict,
 * and a verdict signed with another key; the VM is never started for them
 * and the history records each refusal. One VM boot (the verification).
 */
#include "scx_testenv.h"
#include "testkit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int deploy(scx_t *s, char *err, size_t errlen)
{
	json_t *r = NULL;
	int rc = scx_deploy(s, "vtime", &r, err, errlen);

	json_decref(r);
	return rc;
}

int main(void)
{
	char err[1024];
	scx_verdict v;
	scx_t *s = scx_test_open(true);

	TK_REQUIRE(scx_seed(s, err, sizeof(err)) == 0, "seed: %s", err);
	TK_REQUIRE(scx_verify_policy(s, "vtime", 0, &v, err, sizeof(err)) == 0 && v.passed,
		   "verify vtime: %s %s", err, v.reason);
	scx_verdict_free(&v);
	TK_REQUIRE(scx_test_sql("CREATE TABLE keep AS SELECT object, verdict FROM version WHERE "
				"name='vtime'") == 0,
		   "sql");

	/* one byte of the object changed */
	TK_REQUIRE(scx_test_sql("UPDATE version SET object = CAST(object || x'00' AS BLOB) WHERE "
				"name='vtime'") == 0,
		   "sql");
	TK_CHECK(deploy(s, err, sizeof(err)) == -EACCES && strstr(err, "tampered object"),
		 "tampered object: %s", err);
	TK_REQUIRE(scx_test_sql("UPDATE version SET object = (SELECT object FROM keep) WHERE "
				"name='vtime'") == 0,
		   "sql");

	/* the verdict edited: a check's detail */
	TK_REQUIRE(scx_test_sql("UPDATE version SET verdict = json_set(verdict, '$.reason', "
				"'fine') WHERE name='vtime'") == 0,
		   "sql");
	TK_CHECK(deploy(s, err, sizeof(err)) == -EACCES && strstr(err, "signature"),
		 "tampered verdict: %s", err);

	/* no signature at all */
	TK_REQUIRE(scx_test_sql("UPDATE version SET verdict = json_remove((SELECT verdict FROM "
				"keep), '$.hmac') WHERE name='vtime'") == 0,
		   "sql");
	TK_CHECK(deploy(s, err, sizeof(err)) == -EPERM && strstr(err, "no signed verdict"),
		 "unsigned verdict: %s", err);
	TK_REQUIRE(scx_test_sql("UPDATE version SET verdict = (SELECT verdict FROM keep) WHERE "
				"name='vtime'") == 0,
		   "sql");
	scx_close(s);

	/* the right verdict, another key */
	char key[512], other[512], repo[512];
	snprintf(key, sizeof(key), "%s/repo.db.key", scx_test_dir());
	snprintf(other, sizeof(other), "%s/other.key", scx_test_dir());
	snprintf(repo, sizeof(repo), "%s/repo.db", scx_test_dir());
	scx_config cfg = {.repo_path = repo,
			  .key_path = other,
			  .cache_dir = SCX_TEST_CACHE,
			  .share_dir = SCX_TEST_SHARE};
	TK_REQUIRE(scx_open(&cfg, &s, err, sizeof(err)) == 0, "open: %s", err);
	TK_CHECK(deploy(s, err, sizeof(err)) == -EACCES, "another key's verdict accepted: %s", err);
	json_t *h = scx_history(s, 10, err, sizeof(err));
	TK_CHECK(json_array_size(h) == 4, "refusals recorded: %zu", json_array_size(h));
	json_decref(h);
	json_t *st = scx_status(s, err, sizeof(err));
	TK_CHECK(json_is_null(json_object_get(st, "current")), "something got deployed");
	json_decref(st);
	scx_close(s);
	return tk_finish();
}
