/* runqlat.h: runqlat's configuration (written by the guest) and the keys and
 * values of its histogram map, shared by kernel and guest. */
#ifndef RUNQLAT_H
#define RUNQLAT_H

#include "wbpf_types.h"

#define RUNQLAT_SLOTS 32

/* Key 0 of the array map "tool_config": the process to measure (0: all). */
struct runqlat_config {
	__u32 target_tgid;
	__u32 pad;
};
WBPF_LAYOUT(struct runqlat_config, 8);

/* The hash map "hist": key a __u32 log2(microseconds) slot, value a __u64
 * count of wake-ups whose run-queue latency fell in that slot. */

#endif
