/* runqlat.c: the guest of runqlat. `runqlat [PID [REPORTS]]` configures the
 * kernel side, then every second walks the histogram map (get-next-key and
 * lookup) and prints its slots and their total, REPORTS times (0: until
 * stopped). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "runqlat.h"
#include "wbpf_sdk.h"

static int report(int fd)
{
	__u64 counts[RUNQLAT_SLOTS] = {0};
	__u32 key, next;
	const __u32 *prev = NULL;
	int e;
	while ((e = wbpf_map_next_key(fd, prev, &next)) == 0) {
		__u64 v;
		if (next < RUNQLAT_SLOTS && wbpf_map_lookup(fd, &next, &v) == 0)
			counts[next] = v;
		key = next;
		prev = &key;
	}
	unsigned long long total = 0;
	for (int i = 0; i < RUNQLAT_SLOTS; i++) {
		if (!counts[i])
			continue;
		printf("SLOT %llu-%llu us %llu\n", i ? 1ULL << i : 0ULL, (2ULL << i) - 1,
		       (unsigned long long)counts[i]);
		total += counts[i];
	}
	printf("TOTAL %llu\n", total);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct runqlat_config cfg = {0};
	long reports = 0;
	if (argc > 1)
		cfg.target_tgid = (__u32)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		reports = strtol(argv[2], NULL, 10);
	static const char *const progs[] = {"handle_wakeup", "handle_wakeup_new", "handle_switch",
					    NULL};
	struct wbpf_object *o = wbpf_object_open(NULL, 0);
	if (!o || wbpf_object_load(o)) {
		fprintf(stderr, "runqlat: cannot load the eBPF object\n");
		wbpf_object_destroy(o);
		return 1;
	}
	__u32 zero = 0;
	int cfd = wbpf_object_map_fd(o, "tool_config");
	int hfd = wbpf_object_map_fd(o, "hist");
	if (cfd < 0 || hfd < 0 || wbpf_map_update(cfd, &zero, &cfg, WBPF_ANY) ||
	    wbpf_object_attach_all(o, progs)) {
		fprintf(stderr, "runqlat: cannot configure and attach\n");
		wbpf_object_destroy(o);
		return 1;
	}
	printf("READY runqlat target=%u\n", cfg.target_tgid);
	for (long n = 0; !reports || n < reports; n++) {
		sleep(1);
		report(hfd);
	}
	wbpf_object_destroy(o);
	return 0;
}
