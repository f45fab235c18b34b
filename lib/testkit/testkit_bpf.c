/* testkit_bpf: skip unless eBPF can run; mount tracefs (see testkit_bpf.h). */
#include "testkit_bpf.h"

#include "bpfenv.h"
#include "testkit.h"

#include <stdio.h>

void tk_require_bpf(void)
{
	char err[256];
	bool mounted_now;

	if (bpfenv_check_privileges(err, sizeof(err)) != 0)
		tk_skip("%s", err);
	if (bpfenv_ensure_tracefs(&mounted_now, err, sizeof(err)) != 0)
		tk_skip("%s", err);
	if (mounted_now)
		printf("testkit: mounted tracefs on %s\n", BPFENV_TRACEFS_PATH);
	bpfenv_set_libbpf_log(bpfenv_log_stderr, 0, NULL);
}
