/* hostile: a map of 2^28 entries of 64 bytes (16 GiB) */
#include "scx_common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 28);
	__type(key, u32);
	__type(value, u64[8]);
} huge SEC(".maps");

SCX_OP(enqueue)
void BPF_PROG(h_enqueue, struct task_struct *p, u64 enq_flags)
{
	u32 k = 0;
	u64 *v = bpf_map_lookup_elem(&huge, &k);

	if (v)
		v[0]++;
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

SCX_OPS_DEFINE(huge_ops, .enqueue = (void *)h_enqueue, .name = "huge");
char LICENSE[] SEC("license") = "Dual MIT/GPL";
