/* incomplete: an ops table without enqueue */
#include "scx_common.bpf.h"

SCX_OP(dispatch)
void BPF_PROG(n_dispatch, s32 cpu, struct task_struct *prev)
{
}

SCX_OPS_DEFINE(n_ops, .dispatch = (void *)n_dispatch, .name = "noenq");
char LICENSE[] SEC("license") = "Dual MIT/GPL";
