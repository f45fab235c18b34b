/* uprobe.bpf.c: a uprobe and a uretprobe on `int f(int a, int b)` in a user
 * binary; the guest attaches them to BINARY:FUNCTION it is given. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "uprobe.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __always_inline void emit(__u32 kind, int a, int b, int ret)
{
	struct uprobe_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->kind = kind;
	e->a = a;
	e->b = b;
	e->ret = ret;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

SEC("uprobe")
int BPF_KPROBE(on_call, int a, int b)
{
	emit(UPROBE_CALL, a, b, 0);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(on_return, int ret)
{
	emit(UPROBE_RET, 0, 0, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
