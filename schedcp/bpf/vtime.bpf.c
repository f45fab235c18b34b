/* vtime: weighted virtual-time fair scheduling. Each task's vtime advances by
 * its run time scaled by 100/weight (nice 0 = weight 100), tasks wait in one
 * vtime-ordered DSQ, and a task that slept is not allowed to bank more than
 * one slice of credit (its vtime is clamped to the global clock minus a
 * slice), so equal-weight CPU-bound tasks get equal shares.
 */
#include "scx_common.bpf.h"

const volatile u64 slice_ns = 5000000; /* tunable: 0.1..100 ms */

static u64 vclock; /* the vtime of the task that last started running */

SCX_OP(select_cpu)
s32 BPF_PROG(vt_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);

	if (idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
	return cpu;
}

SCX_OP(enqueue)
void BPF_PROG(vt_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vt = p->scx.dsq_vtime;

	if (scx_vtime_before(vt, vclock - slice_ns))
		vt = vclock - slice_ns;
	scx_bpf_dsq_insert_vtime(p, SCX_SHARED_DSQ, slice_ns, vt, enq_flags);
}

SCX_OP(dispatch)
void BPF_PROG(vt_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(SCX_SHARED_DSQ);
}

SCX_OP(running)
void BPF_PROG(vt_running, struct task_struct *p)
{
	if (scx_vtime_before(vclock, p->scx.dsq_vtime))
		vclock = p->scx.dsq_vtime;
}

SCX_OP(stopping)
void BPF_PROG(vt_stopping, struct task_struct *p, bool runnable)
{
	u64 used = slice_ns - p->scx.slice;
	u32 w = p->scx.weight ? p->scx.weight : 100;

	p->scx.dsq_vtime += used * 100 / w;
}

SCX_OP(enable)
void BPF_PROG(vt_enable, struct task_struct *p)
{
	p->scx.dsq_vtime = vclock;
}

SEC("struct_ops.s/init")
s32 BPF_PROG(vt_init)
{
	return scx_bpf_create_dsq(SCX_SHARED_DSQ, -1);
}

SCX_OPS_DEFINE(vtime_ops, .select_cpu = (void *)vt_select_cpu, .enqueue = (void *)vt_enqueue,
	       .dispatch = (void *)vt_dispatch, .running = (void *)vt_running,
	       .stopping = (void *)vt_stopping, .enable = (void *)vt_enable,
	       .init = (void *)vt_init, .name = "vtime");

char LICENSE[] SEC("license") = "Dual MIT/GPL";
