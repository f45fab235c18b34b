/* bootstrap.h: bootstrap's two events (process start and process exit with
 * its lifetime), laid out identically for kernel and guest. */
#ifndef BOOTSTRAP_H
#define BOOTSTRAP_H

#include "wbpf_types.h"

struct boot_exec {
	__u32 pid;
	__u32 ppid;
	char comm[16];
	char filename[128];
};
WBPF_LAYOUT(struct boot_exec, 152);

struct boot_exit {
	__u32 pid;
	__u32 ppid;
	__u32 exit_code;
	__u32 pad;
	__u64 duration_ns;
	char comm[16];
};
WBPF_LAYOUT(struct boot_exit, 40);
WBPF_OFFSET(struct boot_exit, duration_ns, 16);

#endif
