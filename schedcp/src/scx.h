/* scx: SchedCP's core API, the safe path from a sched_ext policy's source to a
 * running scheduler (docs/schedcp.md).
 *
 * One handle (scx_t) holds the policy repository (SQLite), the cache of the
 * sched_ext kernel and toolchain (fetched by schedcp/vm/fetch.sh), and the
 * HMAC key that signs verdicts. Policies are added as BPF C source with
 * metadata JSON, verified (static checks on the compiled object, then the
 * kernel verifier and stress workloads inside a sched_ext VM, or on the host
 * when it has sched_ext), and only a policy with a valid signed verdict can be
 * deployed: as a canary under live metrics, rolled back automatically to the
 * previous known-good policy or the kernel default on a stall, an ejection or
 * a regression. Every deployment and rollback is recorded.
 *
 * Errors: functions return 0 (or a non-NULL object) on success and a negative
 * errno-style value (or NULL) on failure, with a message naming the input and
 * the problem in err (errlen bytes, always NUL-terminated when errlen > 0).
 * JSON results are jansson objects the caller owns (json_decref).
 */
#ifndef SCX_H
#define SCX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct scx scx_t;

/* Where things live. NULL fields take the defaults named below. */
typedef struct scx_config {
	const char *repo_path;	 /* SQLite repository; default "schedcp.db" */
	const char *cache_dir;	 /* kernel + libbpf 1.5 + tools; default SCX_DEFAULT_CACHE */
	const char *key_path;	 /* HMAC-SHA256 key, created 0600; default "<repo>.key" */
	const char *share_dir;	 /* schedcp/ sources (bpf/, vm/, src/); default SCX_SHARE_DIR */
	unsigned boot_timeout_s; /* bound on one VM boot; default 120 */
	bool no_fetch;		 /* never download: fail with -ENOENT if the cache is empty */
	const char *kernel_path; /* the VM kernel; default <cache_dir>/vmlinuz */
} scx_config;

/* Opens (creating when needed) the repository and the key. */
int scx_open(const scx_config *cfg, scx_t **out, char *err, size_t errlen);
void scx_close(scx_t *s);

/* ---- policy repository -------------------------------------------------- */

/* Adds the seed policies from share_dir/bpf (global FIFO, weighted vtime,
 * latency-first, longest-job-first, locality) unless present. */
int scx_seed(scx_t *s, char *err, size_t errlen);

/* Adds a new version of policy `name` (a new policy when unknown). meta_json
 * is an object: {"description", "algorithm", "workloads": [..], "parent",
 * "tunables": [{"name","type","min","max","default"}]}; all optional.
 * *version (may be NULL) receives the version number, from 1. */
int scx_policy_add(scx_t *s, const char *name, const char *source, const char *meta_json,
		   int *version, char *err, size_t errlen);

/* Lists latest versions, filtered by a text query (name, description,
 * algorithm) and a workload feature (e.g. "batch", "interactive"); NULL or ""
 * for no filter. An array of {"name","version","description","algorithm",
 * "workloads","verified"}. */
json_t *scx_policy_list(scx_t *s, const char *text, const char *workload, char *err, size_t errlen);

/* One version (0: the latest): metadata, source, lineage, verdict, and the
 * performance history per workload. */
json_t *scx_policy_show(scx_t *s, const char *name, int version, char *err, size_t errlen);

/* Records numeric metrics ({"makespan_ms": 812.5, ...}) for a policy version
 * (0: latest) on a workload. */
int scx_perf_record(scx_t *s, const char *name, int version, const char *workload,
		    const json_t *metrics, char *err, size_t errlen);

/* ---- verification ------------------------------------------------------- */

typedef struct scx_verdict {
	bool passed;
	char object_sha256[65];
	char reason[256]; /* the first failed check, or "" */
	json_t *json;	  /* the full signed verdict (owned by the caller) */
} scx_verdict;

void scx_verdict_free(scx_verdict *v);

/* Verifies a repository policy version (0: latest): compile, static checks,
 * kernel verifier and stress runs in the VM. The signed verdict is stored
 * with the version. Returns 0 when the verification ran (v->passed says the
 * outcome), negative when it could not run (no kernel, no qemu, ...). */
int scx_verify_policy(scx_t *s, const char *name, int version, scx_verdict *v, char *err,
		      size_t errlen);

/* Verifies a file: BPF C source (*.c) or a compiled object (*.o). */
int scx_verify_file(scx_t *s, const char *path, scx_verdict *v, char *err, size_t errlen);

/* Checks a stored verdict's HMAC against the key and the object's hash. */
int scx_verdict_check(scx_t *s, const json_t *verdict, const unsigned char *obj, size_t objlen,
		      char *err, size_t errlen);

/* ---- deployment --------------------------------------------------------- */

/* Deploys the latest verified version of `name` as a canary; on a stall, an
 * ejection or a regression it rolls back to the previous known-good policy
 * (or the kernel default). *result: {"outcome": "deployed"|"rolled_back",
 * "policy", "version", "metrics", "reason"}. Returns 0 when the deployment
 * ran (whatever its outcome), negative when refused (not verified, tampered
 * object, no VM) with nothing changed. */
int scx_deploy(scx_t *s, const char *name, json_t **result, char *err, size_t errlen);

/* Detaches the current policy and restores the previous known-good one (or
 * the kernel default). */
int scx_rollback(scx_t *s, json_t **result, char *err, size_t errlen);

/* {"current": {"policy","version"} | null, "target": "vm"|"host",
 * "sched_ext": {"state","ops"} when the host has sched_ext}. */
json_t *scx_status(scx_t *s, char *err, size_t errlen);

/* The most recent `limit` deployments and rollbacks, newest first. */
json_t *scx_history(scx_t *s, int limit, char *err, size_t errlen);

#endif /* SCX_H */
