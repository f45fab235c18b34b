/* scx_common.bpf.h: SchedCP's own sched_ext header for policies, pinned to the
 * kernel the VM harness tests with (Debian 7.3.4, vmlinux.h generated from its
 * BTF by schedcp/vm/fetch.sh).
 *
 * Policies are compiled with -nostdinc and an include path holding only this
 * folder, vmlinux.h and libbpf's bpf_helpers.h/bpf_tracing.h, so this header is
 * the whole API a policy sees. The kfuncs declared here are exactly the ones
 * the Execution Verifier allows (schedcp/src/scx_static.c keeps the same list):
 * a policy that declares another kfunc itself is rejected before it reaches
 * the kernel. The prototypes come from the 7.3 kernel's BTF; 7.1 added an
 * enq_flags argument to scx_bpf_dsq_move_to_local (exported as ___v2), and
 * the one-argument form used here is the one every kernel since 6.13 has.
 */
#ifndef SCX_COMMON_BPF_H
#define SCX_COMMON_BPF_H

#define BPF_NO_KFUNC_PROTOTYPES
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* ---- kfuncs (the allowed set) ---- */
extern void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice,
			       u64 enq_flags) __weak __ksym;
extern void scx_bpf_dsq_insert_vtime(struct task_struct *p, u64 dsq_id, u64 slice, u64 vtime,
				     u64 enq_flags) __weak __ksym;
extern bool scx_bpf_dsq_move_to_local(u64 dsq_id) __weak __ksym;
extern s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __weak __ksym;
extern s32 scx_bpf_dsq_nr_queued(u64 dsq_id) __weak __ksym;
extern s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu, u64 wake_flags,
				  bool *is_idle) __weak __ksym;
extern s32 scx_bpf_pick_idle_cpu(const struct cpumask *cpus_allowed, u64 flags) __weak __ksym;
extern bool scx_bpf_test_and_clear_cpu_idle(s32 cpu) __weak __ksym;
extern void scx_bpf_kick_cpu(s32 cpu, u64 flags) __weak __ksym;
extern s32 scx_bpf_task_cpu(const struct task_struct *p) __weak __ksym;
extern bool scx_bpf_task_running(const struct task_struct *p) __weak __ksym;
extern u32 scx_bpf_nr_cpu_ids(void) __weak __ksym;
extern u64 scx_bpf_now(void) __weak __ksym;
extern void scx_bpf_error_bstr(char *fmt, unsigned long long *data, u32 data__sz) __weak __ksym;
extern void scx_bpf_exit_bstr(s64 exit_code, char *fmt, unsigned long long *data,
			      u32 data__sz) __weak __ksym;

/* ---- small helpers ---- */

/* The DSQ most policies share; ids below 2^63 are the policy's own. */
#define SCX_SHARED_DSQ 0ULL

/* A struct_ops program for sched_ext_ops member `op`. */
#define SCX_OP(op) SEC("struct_ops/" #op)

/* The ops table; `name` is what /sys/kernel/sched_ext/root/ops shows. */
#define SCX_OPS_DEFINE(var, ...) SEC(".struct_ops.link") struct sched_ext_ops var = {__VA_ARGS__}

/* Ends the scheduler with a message (sched_ext then falls back to the
 * default scheduler, and the loader reports the exit). */
#define scx_error(fmt, ...)                                                   \
	({                                                                    \
		unsigned long long ___args[] = {0, ##__VA_ARGS__};            \
		static char ___fmt[] = fmt;                                   \
		scx_bpf_error_bstr(___fmt, &___args[1], sizeof(___args) - 8); \
	})

static __always_inline bool scx_vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

#endif /* SCX_COMMON_BPF_H */
