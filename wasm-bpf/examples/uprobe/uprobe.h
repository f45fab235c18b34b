/* uprobe.h: the uprobe tool's event (a call of the probed function with its
 * arguments, or its return with the value), shared by kernel and guest. */
#ifndef UPROBE_H
#define UPROBE_H

#include "wbpf_types.h"

enum {
	UPROBE_CALL = 1,
	UPROBE_RET = 2
};

struct uprobe_event {
	__u32 pid;
	__u32 kind;
	__s32 a;
	__s32 b;
	__s32 ret;
	__u32 pad;
};
WBPF_LAYOUT(struct uprobe_event, 24);

#endif
