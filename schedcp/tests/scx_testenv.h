/* scx_testenv: what SchedCP's tests share: a fresh repository and key in a
 * temporary folder, the shared kernel cache of the build folder, and the
 * skips (not root, no qemu, no network to fetch the kernel on a first run).
 */
#ifndef SCX_TESTENV_H
#define SCX_TESTENV_H

#include "scx.h"

/* Opens a fresh repository under a temporary folder; skips (exit 77) when the
 * sched_ext environment cannot be had and need_vm is set. */
scx_t *scx_test_open(bool need_vm);

/* The temporary folder of the last scx_test_open. */
const char *scx_test_dir(void);

/* Reads share_dir/rel (a policy source under schedcp/) into a string. */
char *scx_test_source(const char *rel);

/* Runs sqlite3-free SQL on the test repository (for tampering). */
int scx_test_sql(const char *sql);

#endif /* SCX_TESTENV_H */
