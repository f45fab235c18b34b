/* latency: latency-first scheduling for interactive wakeups. A task woken
 * from sleep (SCX_ENQ_WAKEUP) goes to a high-priority DSQ that every CPU
 * drains first, with a short slice, and kicks an idle CPU (or preempts one
 * running a batch task's long slice); tasks that used their whole slice go to
 * the batch DSQ with a long slice. Short sleepers thus run within
 * microseconds of their wakeup while CPU hogs still make progress.
 */
#include "scx_common.bpf.h"

#define INTERACTIVE_DSQ 1ULL
#define BATCH_DSQ	2ULL

const volatile u64 wake_slice_ns = 1000000;   /* tunable: 0.05..20 ms */
const volatile u64 batch_slice_ns = 20000000; /* tunable: 1..200 ms */

SCX_OP(select_cpu)
s32 BPF_PROG(lat_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);

	if (idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, wake_slice_ns, 0);
	return cpu;
}

SCX_OP(enqueue)
void BPF_PROG(lat_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (enq_flags & SCX_ENQ_WAKEUP) {
		scx_bpf_dsq_insert(p, INTERACTIVE_DSQ, wake_slice_ns, enq_flags);
		/* preempt a batch task on the task's CPU: it waits at most the
		 * time to reach the dispatch path */
		scx_bpf_kick_cpu(scx_bpf_task_cpu(p), SCX_KICK_PREEMPT);
		return;
	}
	scx_bpf_dsq_insert(p, BATCH_DSQ, batch_slice_ns, enq_flags);
}

SCX_OP(dispatch)
void BPF_PROG(lat_dispatch, s32 cpu, struct task_struct *prev)
{
	if (!scx_bpf_dsq_move_to_local(INTERACTIVE_DSQ))
		scx_bpf_dsq_move_to_local(BATCH_DSQ);
}

SEC("struct_ops.s/init")
s32 BPF_PROG(lat_init)
{
	s32 err = scx_bpf_create_dsq(INTERACTIVE_DSQ, -1);

	return err ? err : scx_bpf_create_dsq(BATCH_DSQ, -1);
}

SCX_OPS_DEFINE(latency_ops, .select_cpu = (void *)lat_select_cpu, .enqueue = (void *)lat_enqueue,
	       .dispatch = (void *)lat_dispatch, .init = (void *)lat_init, .name = "latency");

char LICENSE[] SEC("license") = "Dual MIT/GPL";
