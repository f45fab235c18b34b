/* bad_verifier: a policy the kernel verifier must refuse. enqueue indexes a
 * per-CPU counter array with the task's CPU without a bounds check, an
 * out-of-bounds map value access the verifier cannot prove safe.
 */
#include "scx_common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64[4]);
} counters SEC(".maps");

SCX_OP(enqueue)
void BPF_PROG(bv_enqueue, struct task_struct *p, u64 enq_flags)
{
	u32 zero = 0;
	u64 *c = bpf_map_lookup_elem(&counters, &zero);
	s32 cpu = scx_bpf_task_cpu(p);

	if (c)
		c[cpu]++; /* cpu is unbounded: rejected */
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

SCX_OPS_DEFINE(bad_verifier_ops, .enqueue = (void *)bv_enqueue, .name = "bad_verifier");

char LICENSE[] SEC("license") = "Dual MIT/GPL";
