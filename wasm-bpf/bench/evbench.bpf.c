/* evbench.bpf.c: one 64-byte record per getppid() call of the configured
 * process, into a ring buffer large enough to hold a whole run, so that the
 * benchmark measures how fast a consumer drains it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "evbench.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ev_config);
} ev_cfg SEC(".maps");

__u32 seq;

SEC("tp/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	__u32 zero = 0;
	struct ev_config *c = bpf_map_lookup_elem(&ev_cfg, &zero);
	if (!c || c->pid != bpf_get_current_pid_tgid() >> 32)
		return 0;
	struct ev_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r)
		return 0;
	r->pid = c->pid;
	r->seq = __sync_fetch_and_add(&seq, 1);
	r->ts_ns = bpf_ktime_get_ns();
	__builtin_memset(r->payload, 0x42, sizeof(r->payload));
	bpf_ringbuf_submit(r, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
