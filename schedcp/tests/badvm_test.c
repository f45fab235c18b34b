/* Acceptance 4 (VM half): a VM that does not boot (a kernel file that is not
 * a kernel) and a kernel without sched_ext (trixie's 6.12, fetched by
 * package name by vm/fetch-nosched.sh) give clear errors; the deployed
 * policy stays deployed and the failed attempts are in the history.
 */
#include "scx_testenv.h"
#include "testkit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *current(scx_t *s)
{
	static char name[64];
	char err[256];
	json_t *st = scx_status(s, err, sizeof(err));
	const char *n =
		json_string_value(json_object_get(json_object_get(st, "current"), "policy"));

	snprintf(name, sizeof(name), "%s", n ? n : "(default)");
	json_decref(st);
	return name;
}

int main(void)
{
	char err[1024], repo[512], bad[512], cmd[1024], nosched[512];
	scx_verdict v;
	json_t *r = NULL;
	scx_t *s = scx_test_open(true);

	TK_REQUIRE(scx_seed(s, err, sizeof(err)) == 0, "seed: %s", err);
	TK_REQUIRE(scx_verify_policy(s, "fifo", 0, &v, err, sizeof(err)) == 0 && v.passed,
		   "verify fifo: %s %s", err, v.reason);
	scx_verdict_free(&v);
	TK_REQUIRE(scx_deploy(s, "fifo", &r, err, sizeof(err)) == 0, "deploy: %s", err);
	json_decref(r);
	TK_REQUIRE(!strcmp(current(s), "fifo"), "fifo not deployed");
	scx_close(s);

	/* a kernel that is not one: qemu refuses it */
	snprintf(repo, sizeof(repo), "%s/repo.db", scx_test_dir());
	snprintf(bad, sizeof(bad), "%s/not-a-kernel", scx_test_dir());
	FILE *f = fopen(bad, "w");
	TK_REQUIRE(f != NULL, "write %s", bad);
	fputs("this is not a bzImage\n", f);
	fclose(f);
	scx_config cfg = {.repo_path = repo,
			  .cache_dir = SCX_TEST_CACHE,
			  .share_dir = SCX_TEST_SHARE,
			  .kernel_path = bad,
			  .boot_timeout_s = 60};
	TK_REQUIRE(scx_open(&cfg, &s, err, sizeof(err)) == 0, "open: %s", err);
	TK_CHECK(scx_deploy(s, "fifo", &r, err, sizeof(err)) == -EIO && strstr(err, "did not boot"),
		 "non-booting VM: %s", err);
	TK_CHECK(!strcmp(current(s), "fifo"), "the deployed policy changed: %s", current(s));
	scx_close(s);

	/* a real kernel without sched_ext */
	snprintf(cmd, sizeof(cmd), "sh %s/vm/fetch-nosched.sh %s >/dev/null 2>&1", SCX_TEST_SHARE,
		 SCX_TEST_CACHE);
	if (system(cmd) != 0) {
		printf("note: no kernel without sched_ext could be fetched; that half is "
		       "skipped\n");
		return tk_finish();
	}
	snprintf(nosched, sizeof(nosched), "%s/nosched/vmlinuz", SCX_TEST_CACHE);
	cfg.kernel_path = nosched;
	TK_REQUIRE(scx_open(&cfg, &s, err, sizeof(err)) == 0, "open: %s", err);
	TK_CHECK(scx_deploy(s, "fifo", &r, err, sizeof(err)) == -EIO && strstr(err, "no sched_ext"),
		 "kernel without sched_ext: %s", err);
	TK_CHECK(!strcmp(current(s), "fifo"), "the deployed policy changed: %s", current(s));
	json_t *h = scx_history(s, 10, err, sizeof(err));
	TK_CHECK(json_array_size(h) == 3, "history: %zu", json_array_size(h));
	json_decref(h);
	scx_close(s);
	return tk_finish();
}
