/* hostile: a program outside the ops table, attached elsewhere */
#include "scx_common.bpf.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int spy(void *ctx)
{
	return 0;
}

SCX_OP(enqueue)
void BPF_PROG(k_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

SCX_OPS_DEFINE(k_ops, .enqueue = (void *)k_enqueue, .name = "kprobe");
char LICENSE[] SEC("license") = "Dual MIT/GPL";
