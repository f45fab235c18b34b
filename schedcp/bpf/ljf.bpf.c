/* ljf: longest-job-first, for batches whose makespan is set by one long job.
 * A job's expected length comes from a hint in its name, "name@MS" (the
 * workload or the agent names the jobs it knows; other tasks count as 0 ms).
 * Tasks wait in one DSQ ordered by vtime = -(expected ms), ties in arrival
 * order, so the longest known job starts first and, as it re-enters the queue
 * ahead of the short ones after each slice, keeps a CPU to itself while the
 * short jobs share the others: makespan approaches max(long, total/CPUs).
 */
#include "scx_common.bpf.h"

const volatile u64 slice_ns = 20000000; /* tunable: 1..200 ms */

static u64 seq; /* arrival order among equal hints */

static __always_inline u64 hint_ms(struct task_struct *p)
{
	char comm[16];
	u64 ms = 0;
	bool in = false;

	if (bpf_probe_read_kernel_str(comm, sizeof(comm), p->comm) < 0)
		return 0;
	for (int i = 0; i < 16; i++) {
		char c = comm[i];
		if (!c)
			break;
		if (c == '@') {
			in = true;
			ms = 0;
		} else if (in && c >= '0' && c <= '9') {
			ms = ms * 10 + (u64)(c - '0');
		} else {
			in = false;
		}
	}
	return ms > 1000000 ? 1000000 : ms;
}

/* Pick an idle CPU for a waking task but never insert it directly into that
 * CPU's local queue (the default select_cpu would): every task goes through
 * enqueue, so the longest-first order holds from the first fork on. */
SCX_OP(select_cpu)
s32 BPF_PROG(ljf_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);

	if (idle)
		scx_bpf_kick_cpu(cpu, 0);
	return cpu;
}

SCX_OP(enqueue)
void BPF_PROG(ljf_enqueue, struct task_struct *p, u64 enq_flags)
{
	/* longer hint -> smaller key; 2^40 arrival slots per hint value */
	u64 key = ((1000000 - hint_ms(p)) << 40) |
		  (__sync_fetch_and_add(&seq, 1) & ((1ULL << 40) - 1));

	scx_bpf_dsq_insert_vtime(p, SCX_SHARED_DSQ, slice_ns, key, enq_flags);
}

SCX_OP(dispatch)
void BPF_PROG(ljf_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(SCX_SHARED_DSQ);
}

SEC("struct_ops.s/init")
s32 BPF_PROG(ljf_init)
{
	return scx_bpf_create_dsq(SCX_SHARED_DSQ, -1);
}

SCX_OPS_DEFINE(ljf_ops, .select_cpu = (void *)ljf_select_cpu, .enqueue = (void *)ljf_enqueue,
	       .dispatch = (void *)ljf_dispatch, .init = (void *)ljf_init, .name = "ljf");

char LICENSE[] SEC("license") = "Dual MIT/GPL";
