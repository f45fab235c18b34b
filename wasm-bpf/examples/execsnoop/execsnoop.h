/* execsnoop.h: the event execsnoop's eBPF program sends to its guest, laid
 * out identically for the kernel and the wasm32 guest (wbpf_types.h). */
#ifndef EXECSNOOP_H
#define EXECSNOOP_H

#include "wbpf_types.h"

struct exec_event {
	__u32 pid;
	__u32 ppid;
	__u64 ts_ns;
	char comm[16];
	char filename[128];
};
WBPF_LAYOUT(struct exec_event, 160);
WBPF_OFFSET(struct exec_event, ts_ns, 8);
WBPF_OFFSET(struct exec_event, filename, 32);

#endif
