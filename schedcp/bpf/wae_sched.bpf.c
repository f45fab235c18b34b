/* wae_sched: the kernel side of SchedCP's Workload Analysis Engine.
 *
 * Hooks (tp_btf, so no kprobes are needed): sched_process_fork adds a child
 * of a tracked task to the task table, which user space seeds with the
 * profiled command or the threads of a running pid, so only the target's
 * process tree is followed, in the kernel; sched_wakeup and sched_wakeup_new
 * end a sleep and start a run-queue wait; sched_waking counts who woke whom
 * (it runs in the waker's context);
 * sched_switch ends a run (voluntary or involuntary, as the kernel counts
 * nvcsw and nivcsw) and a run-queue wait (into a log2 histogram of
 * microseconds); sched_process_exit stamps a task's end. Each task keeps the
 * time it spent running, runnable, sleeping (S) and blocked (D), from which
 * user space tells CPU-bound, I/O-bound and wakeup-heavy work apart.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "wae_sched.h"

#define TASK_UNINTERRUPTIBLE_BIT 0x2
#define TASK_NOLOAD_BIT		 0x400 /* TASK_IDLE: uninterruptible but not waiting on work */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WAE_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct wae_task);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WAE_MAX_EDGES);
	__type(key, struct wae_edge_key);
	__type(value, __u64);
} edges SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WAE_HIST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} runq_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WAE_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);
	if (c)
		*c += 1;
}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;
	for (int i = 0; i < WAE_HIST_SLOTS - 1; i++) {
		if (v <= 1)
			break;
		v >>= 1;
		slot++;
	}
	return slot;
}

/* Ends the state a task is in, adding its length to the right bucket. */
static __always_inline void close_state(struct wae_task *t, __u64 now)
{
	__u64 d = now > t->last_ns ? now - t->last_ns : 0;
	switch (t->state) {
	case WAE_ST_RUNNING:
		t->run_ns += d;
		break;
	case WAE_ST_RUNNABLE:
		t->runq_ns += d;
		break;
	case WAE_ST_SLEEP:
		t->sleep_ns += d;
		break;
	default:
		t->block_ns += d;
		break;
	}
	t->last_ns = now;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(wae_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptid = BPF_CORE_READ(parent, pid);
	if (!bpf_map_lookup_elem(&tasks, &ptid))
		return 0;
	struct wae_task t = {};
	t.tid = BPF_CORE_READ(child, pid);
	t.tgid = BPF_CORE_READ(child, tgid);
	t.parent_tid = ptid;
	t.state = WAE_ST_RUNNABLE; /* until sched_wakeup_new or its first run */
	t.start_ns = bpf_ktime_get_ns();
	t.last_ns = t.start_ns;
	BPF_CORE_READ_STR_INTO(&t.comm, child, comm);
	if (bpf_map_update_elem(&tasks, &t.tid, &t, BPF_NOEXIST))
		count(WAE_CNT_TASKS_DROPPED);
	return 0;
}

static __always_inline void on_wakeup(struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	struct wae_task *t = bpf_map_lookup_elem(&tasks, &tid);
	if (!t)
		return;
	__u64 now = bpf_ktime_get_ns();
	if (t->state == WAE_ST_SLEEP || t->state == WAE_ST_BLOCK) {
		close_state(t, now);
		t->state = WAE_ST_RUNNABLE;
		t->wakeups++;
	}
}

/* sched_waking runs in the waker's context (sched_wakeup may run later on
 * the wakee's CPU, from an IPI), so the edge is counted here. */
SEC("tp_btf/sched_waking")
int BPF_PROG(wae_waking, struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	if (!bpf_map_lookup_elem(&tasks, &tid))
		return 0;
	struct wae_edge_key k = {.wakee_tid = tid};
	__u32 waker = (__u32)bpf_get_current_pid_tgid();
	if (bpf_map_lookup_elem(&tasks, &waker))
		k.waker_tid = waker;
	__u64 *n = bpf_map_lookup_elem(&edges, &k);
	if (n) {
		__sync_fetch_and_add(n, 1);
	} else {
		__u64 one = 1;
		if (bpf_map_update_elem(&edges, &k, &one, BPF_NOEXIST)) {
			n = bpf_map_lookup_elem(&edges, &k);
			if (n)
				__sync_fetch_and_add(n, 1);
			else
				count(WAE_CNT_EDGES_DROPPED);
		}
	}
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(wae_wakeup, struct task_struct *p)
{
	on_wakeup(p);
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(wae_wakeup_new, struct task_struct *p)
{
	on_wakeup(p);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(wae_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 ptid = BPF_CORE_READ(prev, pid);
	__u32 ntid = BPF_CORE_READ(next, pid);
	struct wae_task *t = bpf_map_lookup_elem(&tasks, &ptid);
	if (t) {
		close_state(t, now);
		/* exec renames a task: keep the latest name. */
		BPF_CORE_READ_STR_INTO(&t->comm, prev, comm);
		/* The kernel's own rule for nvcsw/nivcsw (__schedule). */
		if (preempt || !prev_state) {
			t->nivcsw++;
			t->state = WAE_ST_RUNNABLE;
		} else {
			t->nvcsw++;
			if ((prev_state & TASK_UNINTERRUPTIBLE_BIT) &&
			    !(prev_state & TASK_NOLOAD_BIT))
				t->state = WAE_ST_BLOCK;
			else
				t->state = WAE_ST_SLEEP;
		}
	}
	t = bpf_map_lookup_elem(&tasks, &ntid);
	if (t) {
		if (t->state == WAE_ST_RUNNABLE) {
			__u64 wait = now > t->last_ns ? now - t->last_ns : 0;
			__u32 slot = log2_slot(wait / 1000);
			__u64 *h = bpf_map_lookup_elem(&runq_hist, &slot);
			if (h)
				*h += 1;
			if (wait > t->max_runq_ns)
				t->max_runq_ns = wait;
		}
		close_state(t, now);
		t->state = WAE_ST_RUNNING;
		t->switches_in++;
	}
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(wae_exit, struct task_struct *p)
{
	__u32 tid = BPF_CORE_READ(p, pid);
	struct wae_task *t = bpf_map_lookup_elem(&tasks, &tid);
	if (t) {
		t->exit_ns = bpf_ktime_get_ns();
		t->flags |= WAE_F_EXITED;
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
