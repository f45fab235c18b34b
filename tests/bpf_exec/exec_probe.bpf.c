// SPDX-License-Identifier: MIT OR GPL-2.0
/* exec_probe: proves the eBPF build end to end (vmlinux.h, clang -target bpf,
 * bpftool skeleton, libbpf load and attach, ring buffer).
 *
 * Hook: the sched/sched_process_exec tracepoint, which fires once a task has
 * replaced its image. Only tasks whose real parent is `parent_tgid` (set by
 * the loader through .rodata before load) are reported, so the test sees its
 * own children and nothing else; the filter runs in the kernel.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "exec_probe.h"

const volatile int parent_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int ppid = BPF_CORE_READ(task, real_parent, tgid);

	if (ppid != parent_tgid)
		return 0;

	struct exec_probe_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = ctx->pid;
	e->old_pid = ctx->old_pid;
	e->ppid = ppid;
	/* __data_loc: low 16 bits are the offset of the string in the record. */
	unsigned int off = ctx->__data_loc_filename & 0xFFFF;
	long n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (char *)ctx + off);
	e->filename_len = n > 0 ? (unsigned int)n : 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
