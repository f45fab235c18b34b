/* bad_starve: a policy that starves one task. It is vtime-ordered like a fair
 * scheduler, but a task named "scxw-0" (the first worker of the verifier's
 * stress workload) is always queued behind every other task, so it runs only
 * when nothing else is runnable. Everything else is scheduled normally.
 */
#include "scx_common.bpf.h"

static u64 seq;

SCX_OP(enqueue)
void BPF_PROG(bs_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 key = __sync_fetch_and_add(&seq, 1);
	char c[8];

	bpf_probe_read_kernel(c, sizeof(c), p->comm);
	if (c[0] == 's' && c[1] == 'c' && c[2] == 'x' && c[3] == 'w' && c[4] == '-' &&
	    c[5] == '0' && c[6] == 0)
		key += 1ULL << 60;
	scx_bpf_dsq_insert_vtime(p, SCX_SHARED_DSQ, SCX_SLICE_DFL, key, enq_flags);
}

SCX_OP(dispatch)
void BPF_PROG(bs_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(SCX_SHARED_DSQ);
}

SEC("struct_ops.s/init")
s32 BPF_PROG(bs_init)
{
	return scx_bpf_create_dsq(SCX_SHARED_DSQ, -1);
}

SCX_OPS_DEFINE(bad_starve_ops, .enqueue = (void *)bs_enqueue, .dispatch = (void *)bs_dispatch,
	       .init = (void *)bs_init, .name = "bad_starve");

char LICENSE[] SEC("license") = "Dual MIT/GPL";
