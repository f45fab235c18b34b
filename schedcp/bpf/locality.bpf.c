/* locality: cache-locality-aware scheduling. Each CPU has its own DSQ; a task
 * is queued on the CPU it last ran on (its caches are warm there) and a CPU
 * serves its own DSQ first. An idle CPU steals from another CPU's DSQ only
 * when that queue holds more than steal_min tasks, so tasks migrate only when
 * the imbalance costs more than a cold cache. Up to MAX_CPUS CPUs have their
 * own queue; tasks of CPUs beyond go to CPU 0's.
 */
#include "scx_common.bpf.h"

#define MAX_CPUS 8

const volatile u64 slice_ns = 10000000; /* tunable: 1..100 ms */
const volatile s32 steal_min = 1;	/* tunable: 0..16 tasks */

SCX_OP(select_cpu)
s32 BPF_PROG(loc_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	/* stay on the previous CPU when it is idle, else any idle CPU */
	if (scx_bpf_test_and_clear_cpu_idle(prev_cpu)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
		return prev_cpu;
	}
	return prev_cpu;
}

SCX_OP(enqueue)
void BPF_PROG(loc_enqueue, struct task_struct *p, u64 enq_flags)
{
	s32 cpu = scx_bpf_task_cpu(p);

	if (cpu < 0 || cpu >= MAX_CPUS)
		cpu = 0;
	scx_bpf_dsq_insert(p, (u64)cpu, slice_ns, enq_flags);
	/* wake an idle CPU so that stealing can happen */
	s32 idle = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (idle >= 0)
		scx_bpf_kick_cpu(idle, 0);
}

SCX_OP(dispatch)
void BPF_PROG(loc_dispatch, s32 cpu, struct task_struct *prev)
{
	u32 n = scx_bpf_nr_cpu_ids();

	if (cpu >= 0 && cpu < MAX_CPUS && scx_bpf_dsq_move_to_local((u64)cpu))
		return;
	for (u32 i = 0; i < MAX_CPUS; i++) {
		if (i >= n)
			break;
		if ((s32)i == cpu || scx_bpf_dsq_nr_queued(i) < steal_min)
			continue;
		if (scx_bpf_dsq_move_to_local(i))
			return;
	}
}

SEC("struct_ops.s/init")
s32 BPF_PROG(loc_init)
{
	u32 n = scx_bpf_nr_cpu_ids();

	for (u32 i = 0; i < MAX_CPUS; i++) {
		if (i >= n)
			break;
		s32 err = scx_bpf_create_dsq(i, -1);
		if (err)
			return err;
	}
	return 0;
}

SCX_OPS_DEFINE(locality_ops, .select_cpu = (void *)loc_select_cpu, .enqueue = (void *)loc_enqueue,
	       .dispatch = (void *)loc_dispatch, .init = (void *)loc_init, .name = "locality");

char LICENSE[] SEC("license") = "Dual MIT/GPL";
