/* hostile: calls bpf_send_signal (helper 109) from a scheduler */
#include "scx_common.bpf.h"

SCX_OP(enqueue)
void BPF_PROG(s_enqueue, struct task_struct *p, u64 enq_flags)
{
	bpf_send_signal(9);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

SCX_OPS_DEFINE(s_ops, .enqueue = (void *)s_enqueue, .name = "signal");
char LICENSE[] SEC("license") = "Dual MIT/GPL";
