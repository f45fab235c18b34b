/* hostile: declares a kfunc outside the allowed set */
#include "scx_common.bpf.h"

extern void scx_bpf_cpuperf_set(s32 cpu, u32 perf) __weak __ksym;

SCX_OP(enqueue)
void BPF_PROG(f_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_cpuperf_set(0, 1);
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

SCX_OPS_DEFINE(f_ops, .enqueue = (void *)f_enqueue, .name = "kfunc");
char LICENSE[] SEC("license") = "Dual MIT/GPL";
