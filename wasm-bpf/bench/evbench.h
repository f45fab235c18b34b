/* evbench.h: the record of the event-throughput benchmark, shared by the
 * eBPF program, the native consumer and the Wasm consumer. */
#ifndef EVBENCH_H
#define EVBENCH_H

#include "wbpf_types.h"

struct ev_record {
	__u32 pid;
	__u32 seq;
	__u64 ts_ns;
	__u8 payload[48];
};
WBPF_LAYOUT(struct ev_record, 64);

struct ev_config {
	__u32 pid;
	__u32 pad;
};
WBPF_LAYOUT(struct ev_config, 8);

#endif
