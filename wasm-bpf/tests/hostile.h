/* hostile.h: the record and configuration of the hostile test object,
 * shared by its eBPF side and the hostile guest. */
#ifndef HOSTILE_H
#define HOSTILE_H

#include "wbpf_types.h"

#define HOSTILE_MAGIC 0x57425046u /* "WBPF" */

struct hostile_record {
	__u32 pid;
	__u32 magic;
	__u8 fill[56]; /* 0x5a each */
};
WBPF_LAYOUT(struct hostile_record, 64);

struct hostile_config {
	__u32 pid;
	__u32 pad;
};
WBPF_LAYOUT(struct hostile_config, 8);

#endif
