/* wae_sched.h: the records that wae_sched.bpf.c keeps and the Workload
 * Analysis Engine (src/wae_profile.c) reads back, shared by both sides.
 * Fixed-width types only.
 */
#ifndef SCX_WAE_SCHED_H
#define SCX_WAE_SCHED_H

#define WAE_MAX_TASKS  8192
#define WAE_MAX_EDGES  4096
#define WAE_HIST_SLOTS 32 /* log2 buckets of run-queue wait in microseconds */
#define WAE_COMM_LEN   16

/* What a tracked task is doing since last_ns. */
enum wae_state {
	WAE_ST_RUNNING = 0,
	WAE_ST_RUNNABLE = 1, /* woken or preempted, waiting on a run queue */
	WAE_ST_SLEEP = 2,    /* off CPU, interruptible (S) */
	WAE_ST_BLOCK = 3,    /* off CPU, uninterruptible (D): I/O and the like */
};

#define WAE_F_EXITED 1u

/* Counters in the counters map. */
enum wae_counter {
	WAE_CNT_TASKS_DROPPED = 0, /* forks not tracked: the task table was full */
	WAE_CNT_EDGES_DROPPED = 1, /* wakeup pairs not kept: the edge table was full */
	WAE_CNT_MAX = 4,
};

struct wae_task {
	__u32 tid;
	__u32 tgid;
	__u32 parent_tid;
	__u32 flags;
	__u32 state;
	__u32 pad;
	char comm[WAE_COMM_LEN];
	__u64 start_ns; /* fork (or when tracking began) */
	__u64 exit_ns;
	__u64 last_ns; /* when state began */
	__u64 run_ns;
	__u64 runq_ns;
	__u64 sleep_ns;
	__u64 block_ns;
	__u64 nvcsw;
	__u64 nivcsw;
	__u64 wakeups; /* times this task was woken */
	__u64 switches_in;
	__u64 max_runq_ns;
};

struct wae_edge_key {
	__u32 waker_tid; /* 0: a task outside the profiled tree, or an interrupt */
	__u32 wakee_tid;
};

#endif /* SCX_WAE_SCHED_H */
