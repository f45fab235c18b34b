/* bad_starve: a policy that starves one task without losing it. Tasks are
 * served FIFO from a shared DSQ, except one named "scxw-0" (the first worker
 * of the verifier's stress workload), which waits in a DSQ of its own that a
 * CPU serves only when the shared one is empty AND at most once every five
 * seconds, counted from the policy's first dispatch (so its first wait is
 * five seconds too, not just until the other hogs stop at two). The task
 * does run (within the verifier's deadline of 4 s plus its 3 s grace), so
 * sched_ext's watchdog (30 s) never fires and no task is lost; but it waits
 * about five seconds at a time, beyond the starvation limit even where a
 * loaded host makes the default scheduler's own waits long and the limit,
 * relative to them, grows (3x the default's worst wait).
 */
#include "scx_common.bpf.h"

#define VICTIM_DSQ	 1ULL
#define VICTIM_PERIOD_NS 5000000000ULL

static u64 last_victim_ns;

static __always_inline bool is_victim(struct task_struct *p)
{
	char c[8];

	bpf_probe_read_kernel(c, sizeof(c), p->comm);
	return c[0] == 's' && c[1] == 'c' && c[2] == 'x' && c[3] == 'w' && c[4] == '-' &&
	       c[5] == '0' && c[6] == 0;
}

SCX_OP(enqueue)
void BPF_PROG(bs_enqueue, struct task_struct *p, u64 enq_flags)
{
	scx_bpf_dsq_insert(p, is_victim(p) ? VICTIM_DSQ : SCX_SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

SCX_OP(dispatch)
void BPF_PROG(bs_dispatch, s32 cpu, struct task_struct *prev)
{
	u64 now;

	if (scx_bpf_dsq_move_to_local(SCX_SHARED_DSQ))
		return;
	now = scx_bpf_now();
	if (!last_victim_ns)
		last_victim_ns = now;
	if (now - last_victim_ns > VICTIM_PERIOD_NS && scx_bpf_dsq_move_to_local(VICTIM_DSQ))
		last_victim_ns = now;
}

SEC("struct_ops.s/init")
s32 BPF_PROG(bs_init)
{
	s32 err = scx_bpf_create_dsq(SCX_SHARED_DSQ, -1);

	return err ? err : scx_bpf_create_dsq(VICTIM_DSQ, -1);
}

SCX_OPS_DEFINE(bad_starve_ops, .enqueue = (void *)bs_enqueue, .dispatch = (void *)bs_dispatch,
	       .init = (void *)bs_init, .name = "bad_starve");

char LICENSE[] SEC("license") = "Dual MIT/GPL";
