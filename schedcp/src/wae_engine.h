/* wae_engine: SchedCP's Workload Analysis Engine.
 *
 * Profiles a command (run under observation) or a running pid with the eBPF
 * programs of bpf/wae_sched.bpf.c on this host's scheduler tracepoints, and
 * turns what they counted into a structured profile (JSON) with a short
 * natural-language summary that an LLM agent can read: run-queue latency
 * histogram and percentiles, voluntary and involuntary context switches,
 * CPU use, tasks and their lifetimes, the wakeup graph's top edges, and the
 * split of task time into running, runnable, sleeping (S) and blocked (D).
 * From these a class is derived (cpu_bound, io_bound, latency_sensitive,
 * mixed, idle) with features (parallel, long_tail, ...) that the planner and
 * the policy repository's workload search use. Profiles are stored in SQLite
 * and compared metric by metric.
 *
 * The analysis (scx_wae_analyze) is pure and takes the raw per-task records,
 * so it is tested on synthetic input; the profiler needs root and BPF.
 */
#ifndef SCX_WAE_H
#define SCX_WAE_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/types.h>
#include "wae_sched.h"

/* Everything the kernel side counted, as the analysis takes it. */
struct scx_wae_raw {
	const struct wae_task *tasks;
	size_t ntasks;
	const struct wae_edge_key *edge_keys;
	const uint64_t *edge_counts;
	size_t nedges;
	uint64_t hist[WAE_HIST_SLOTS]; /* run-queue waits, log2 microseconds */
	uint64_t tasks_dropped;
	uint64_t edges_dropped;
	uint64_t start_ns; /* profile window, CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	uint64_t end_ns;
	unsigned ncpus;
	uint32_t root_tid; /* the command's first process, or the pid */
	int exit_status;   /* of the command; -1 for a pid */
	bool truncated;	   /* the command outlived max_duration and was killed */
};

/* Builds the profile object (see docs/schedcp-mcp.md for its fields) from
 * raw counts. label and target (may be NULL) are copied into it. NULL on
 * out-of-memory. */
json_t *scx_wae_analyze(const struct scx_wae_raw *raw, const char *label, const char *target);

/* The one-paragraph summary of a profile (heap string). */
char *scx_wae_summary(const json_t *profile);

struct scx_wae_opts {
	char *const *argv;	   /* a command to run and profile, or NULL */
	pid_t pid;		   /* a running process to profile (argv NULL) */
	double duration_s;	   /* pid: how long to watch; command: 0 = until it exits */
	double max_duration_s;	   /* command: killed after this long; 0: 120 s */
	const char *label;	   /* a name for the workload, stored with the profile */
	const atomic_bool *cancel; /* when true, stop early (profile what was seen) */
	/* Called about every 250 ms with the elapsed and expected seconds
	 * (expected 0 when unknown); a non-zero return cancels. */
	int (*progress)(void *ctx, double elapsed_s, double total_s);
	void *progress_ctx;
};

/* Runs the profile. Needs CAP_BPF and CAP_PERFMON (root); -EPERM otherwise,
 * with the reason. A command's stdin, stdout and stderr are /dev/null. */
int scx_wae_profile(const struct scx_wae_opts *opts, json_t **profile, char *err, size_t errlen);

/* Compares two profiles: {"a", "b", "class_a", "class_b", "differences":
 * [{"metric", "a", "b", "ratio"}], "summary"}; metrics whose values differ
 * by less than 10% are left out. */
json_t *scx_wae_compare(const json_t *a, const json_t *b);

/* ---- storage ------------------------------------------------------------- */

struct scx_wae_store;

/* Opens (creating) the profile store, an SQLite file. */
int scx_wae_store_open(const char *path, struct scx_wae_store **out, char *err, size_t errlen);
void scx_wae_store_close(struct scx_wae_store *st);

/* Stores profile under a new id ("wp-<n>"), written into it as "id" too. */
int scx_wae_store_put(struct scx_wae_store *st, json_t *profile, char *id, size_t idlen, char *err,
		      size_t errlen);

/* One stored profile by id; NULL with -ENOENT-style message when absent. */
json_t *scx_wae_store_get(struct scx_wae_store *st, const char *id, char *err, size_t errlen);

/* The newest `limit` profiles: [{"id","label","class","created","summary"}]. */
json_t *scx_wae_store_list(struct scx_wae_store *st, int limit, char *err, size_t errlen);

#endif /* SCX_WAE_H */
