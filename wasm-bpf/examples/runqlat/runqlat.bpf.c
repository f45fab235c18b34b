/* runqlat.bpf.c: run-queue latency (from wake-up to running) as a log2
 * histogram in microseconds, from the tp_btf scheduler tracepoints
 * sched_wakeup, sched_wakeup_new and sched_switch, into the hash map "hist"
 * that the guest reads. The guest may restrict it to one process through
 * the tool_tool_config map. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "runqlat.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct runqlat_config);
} tool_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RUNQLAT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

static __always_inline int wanted(struct task_struct *p)
{
	__u32 zero = 0;
	struct runqlat_config *cfg = bpf_map_lookup_elem(&tool_config, &zero);
	if (!cfg)
		return 0;
	return !cfg->target_tgid || BPF_CORE_READ(p, tgid) == (int)cfg->target_tgid;
}

static __always_inline int enqueue(struct task_struct *p)
{
	if (!wanted(p))
		return 0;
	__u32 pid = BPF_CORE_READ(p, pid);
	if (!pid)
		return 0;
	__u64 ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(handle_wakeup, struct task_struct *p)
{
	return enqueue(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(handle_wakeup_new, struct task_struct *p)
{
	return enqueue(p);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(handle_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 pid = BPF_CORE_READ(next, pid);
	__u64 *tsp = bpf_map_lookup_elem(&start, &pid);
	if (!tsp)
		return 0;
	__u64 us = (bpf_ktime_get_ns() - *tsp) / 1000;
	bpf_map_delete_elem(&start, &pid);
	__u32 slot = 0;
	while (us > 1 && slot < RUNQLAT_SLOTS - 1) {
		us >>= 1;
		slot++;
	}
	__u64 one = 1, *cnt = bpf_map_lookup_elem(&hist, &slot);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&hist, &slot, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
