/* opensnoop.bpf.c: openat() calls from the syscalls:sys_enter_openat
 * tracepoint into a perf event array, filtered by the pid that the guest
 * writes into the tool_tool_config map. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "opensnoop.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct open_config);
} tool_config SEC(".maps");

SEC("tp/syscalls/sys_enter_openat")
int handle_openat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 zero = 0;
	struct open_config *cfg = bpf_map_lookup_elem(&tool_config, &zero);
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	if (!cfg || (cfg->target_pid && cfg->target_pid != pid))
		return 0;
	struct open_event e = {};
	e.pid = pid;
	e.flags = (__s32)ctx->args[2];
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_probe_read_user_str(e.filename, sizeof(e.filename), (const char *)ctx->args[1]);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
