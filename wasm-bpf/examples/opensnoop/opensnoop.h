/* opensnoop.h: opensnoop's event and its configuration (written by the
 * guest into the tool_config map), laid out identically for kernel and guest. */
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

#include "wbpf_types.h"

struct open_event {
	__u32 pid;
	__s32 flags;
	char comm[16];
	char filename[128];
};
WBPF_LAYOUT(struct open_event, 152);
WBPF_OFFSET(struct open_event, filename, 24);

/* Key 0 of the array map "tool_config": which process to report (0: all). */
struct open_config {
	__u32 target_pid;
	__u32 pad;
};
WBPF_LAYOUT(struct open_config, 8);

#endif
