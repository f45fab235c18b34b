/* fifo: the global FIFO policy. Every runnable task goes to one shared DSQ in
 * arrival order with a fixed slice; each CPU takes the oldest task when its
 * local queue is empty. A wakeup that finds an idle CPU (select_cpu_dfl) goes
 * straight to that CPU's local queue. Baseline for the other policies.
 */
#include "scx_common.bpf.h"

const volatile u64 slice_ns = 5000000; /* tunable: 0.1..100 ms */

SCX_OP(select_cpu)
s32 BPF_PROG(fifo_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);

	if (idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
	return cpu;
}

SCX_OP(enqueue)
void BPF_PROG(fifo_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_SHARED_DSQ, slice_ns, enq_flags);
}

SCX_OP(dispatch)
void BPF_PROG(fifo_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(SCX_SHARED_DSQ);
}

SEC("struct_ops.s/init")
s32 BPF_PROG(fifo_init)
{
	return scx_bpf_create_dsq(SCX_SHARED_DSQ, -1);
}

SCX_OPS_DEFINE(fifo_ops, .select_cpu = (void *)fifo_select_cpu, .enqueue = (void *)fifo_enqueue,
	       .dispatch = (void *)fifo_dispatch, .init = (void *)fifo_init, .name = "fifo");

char LICENSE[] SEC("license") = "Dual MIT/GPL";
