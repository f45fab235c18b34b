/* hostile.bpf.c: the eBPF object of the hostile-guest test: a ring buffer fed
 * by getppid() calls of one configured process, a plain and a per-CPU
 * array map, a
 * tracepoint program and an XDP program (for attach-target errors). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "hostile.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hostile_config);
} hostile_cfg SEC(".maps");

SEC("tp/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	__u32 zero = 0;
	struct hostile_config *c = bpf_map_lookup_elem(&hostile_cfg, &zero);
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	if (!c || c->pid != pid)
		return 0;
	struct hostile_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r)
		return 0;
	r->pid = pid;
	r->magic = HOSTILE_MAGIC;
	for (int i = 0; i < 56; i++)
		r->fill[i] = 0x5a;
	bpf_ringbuf_submit(r, 0);
	return 0;
}

SEC("xdp")
int pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
