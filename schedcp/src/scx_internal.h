/* scx_internal: the handle and the helpers that SchedCP's core modules
 * (repository, build, static checks, VM harness, verifier, deployment) share;
 * not part of the public API in scx.h.
 */
#ifndef SCX_INTERNAL_H
#define SCX_INTERNAL_H

#include "scx.h"

#include <sqlite3.h>
#include <limits.h>
#include <stdarg.h>

struct scx {
	sqlite3 *db;
	char repo_path[960];
	char cache_dir[1024];
	char key_path[1024];
	char share_dir[1024];
	unsigned boot_timeout_s;
	bool no_fetch;
	char kernel_path[1024];
	unsigned char key[32];
};

/* ---- environment and VM harness (scx_vm.c) ---- */

/* Fetches the kernel and toolchain into cache_dir when needed and builds
 * scx_guest. -ENOENT: no cache and no fetch allowed or no network (err says
 * which); -ENOTSUP: the kernel has no sched_ext. */
int scx_env_prepare(scx_t *s, char *err, size_t errlen);

/* True when this host's kernel has sched_ext (runs plans here, not in a VM),
 * unless SCX_TARGET=vm is set. */
bool scx_host_has_sched_ext(void);

/* Runs a plan (shell lines calling scx_guest; $P is the folder holding the
 * files) in the VM, or on the host when it has sched_ext. Returns the parsed
 * result (scx_result.h) plus "target", "exit", "wall_ms", or NULL when the
 * VM did not boot or has no sched_ext (err says why). */
json_t *scx_vm_run(scx_t *s, const char *plan, const char *const *files, size_t nfiles, char *err,
		   size_t errlen);

/* ---- building policies (scx_build.c) ---- */

/* Compiles BPF C source in a sandbox into `obj` (a path); *log receives the
 * compiler's messages (malloc'd, may be NULL). */
int scx_compile(scx_t *s, const char *source, size_t len, const char *obj, char **log, char *err,
		size_t errlen);

/* Runs argv with stdout+stderr into a malloc'd buffer (bounded), a time limit
 * and an address-space limit; returns the exit status (124: timed out) or
 * negative when it could not run. */
int scx_run_cmd(char *const argv[], const char *cwd, unsigned timeout_s, char **output,
		size_t max_output);

/* Whole-file helpers. */
int scx_read_file(const char *path, unsigned char **data, size_t *len, size_t max, char *err,
		  size_t errlen);
int scx_write_file(const char *path, const void *data, size_t len, char *err, size_t errlen);
void scx_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- static checks (scx_static.c) ---- */

/* Checks a compiled policy object; returns 0 when it passes, -EPERM with the
 * first problem in err otherwise. *report: {"checks": [...], "kfuncs": [...],
 * "helpers": [...], "ops": [...], "maps": [...]}. */
int scx_static_check(scx_t *s, const char *obj_path, json_t **report, char *err, size_t errlen);

/* ---- verdicts (scx_verify.c) ---- */

/* Verifies an object; compile_report (may be NULL) is stored in the verdict;
 * sets (loader arguments from scx_tunable_args, or NULL) are used in every
 * run and signed into the verdict, so deployment loads what was verified. */
int scx_verify_object(scx_t *s, const char *name, int version, const unsigned char *obj, size_t len,
		      json_t *compile_report, const char *sets, scx_verdict *v, char *err,
		      size_t errlen);

/* The loader arguments ("--set NAME=VALUE ...") for the tunables in policy
 * metadata that carry a "default" (checked against their type and range);
 * "" when none. -EINVAL when a tunable cannot be passed safely. */
int scx_tunable_args(const json_t *meta, char *out, size_t outlen, char *err, size_t errlen);

/* snprintf for paths (a function, so that the compiler's truncation warnings
 * do not fire on every join of two bounded strings). */
void scx_path(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* snprintf into err, ignoring a NULL or empty buffer. */
void scx_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* SCX_INTERNAL_H */
