/* scx_testenv: see scx_testenv.h. */
#include "scx_testenv.h"

#include "scx_internal.h"
#include "testkit.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];
static char repo[300];

const char *scx_test_dir(void)
{
	return dir;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The temporary folder goes when the test ends, whatever its outcome. */
static void cleanup(void)
{
	if (dir[0] && !getenv("SCX_KEEP_RUNS"))
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

scx_t *scx_test_open(bool need_vm)
{
	char err[1024];
	scx_t *s = NULL;

	snprintf(dir, sizeof(dir), "/tmp/scx-test-XXXXXX");
	if (!mkdtemp(dir))
		tk_skip("no temporary folder");
	atexit(cleanup);
	snprintf(repo, sizeof(repo), "%s/repo.db", dir);
	scx_config cfg = {
		.repo_path = repo, .cache_dir = SCX_TEST_CACHE, .share_dir = SCX_TEST_SHARE};
	if (scx_open(&cfg, &s, err, sizeof(err)))
		tk_skip("cannot open a repository: %s", err);
	if (need_vm) {
		if (geteuid() != 0)
			tk_skip("the sched_ext VM tests run as root");
		if (access("/usr/bin/qemu-system-x86_64", X_OK) && !scx_host_has_sched_ext())
			tk_skip("no qemu-system-x86_64 and no sched_ext on this host");
		int rc = scx_env_prepare(s, err, sizeof(err));
		if (rc) {
			scx_close(s);
			tk_skip("no sched_ext kernel: %s", err);
		}
	}
	return s;
}

char *scx_test_source(const char *rel)
{
	char path[512], err[256];
	unsigned char *d;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", SCX_TEST_SHARE, rel);
	if (scx_read_file(path, &d, &n, 1 << 20, err, sizeof(err)))
		return NULL;
	return (char *)d;
}

int scx_test_sql(const char *sql)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(repo, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}
