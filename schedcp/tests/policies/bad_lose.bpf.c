/* bad_lose: a policy that loses a task. enqueue inserts every task into the
 * shared DSQ except one named "scxw-1" (the second worker of the verifier's
 * stress workload), which it neither inserts nor dispatches: the task stays
 * runnable and never runs. sched_ext's own watchdog would eject the
 * scheduler only after timeout_ms; the verifier sees the lost task first.
 */
#include "scx_common.bpf.h"

SCX_OP(enqueue)
void BPF_PROG(bl_enqueue, struct task_struct *p, u64 enq_flags)
{
	char c[8];

	bpf_probe_read_kernel(c, sizeof(c), p->comm);
	if (c[0] == 's' && c[1] == 'c' && c[2] == 'x' && c[3] == 'w' && c[4] == '-' &&
	    c[5] == '1' && c[6] == 0)
		return; /* dropped on the floor */
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

SCX_OPS_DEFINE(bad_lose_ops, .enqueue = (void *)bl_enqueue, .timeout_ms = 10000,
	       .name = "bad_lose");

char LICENSE[] SEC("license") = "Dual MIT/GPL";
