/* opensnoop.c: the guest of opensnoop. `opensnoop [PID]` writes PID into the
 * tool_config map (the kernel side then reports that process only), attaches,
 * and prints one line per openat() read from the perf buffer. */
#include <stdio.h>
#include <stdlib.h>

#include "opensnoop.h"
#include "wbpf_sdk.h"

static int on_open(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size < sizeof(struct open_event))
		return 0;
	const struct open_event *e = data;
	printf("OPEN pid=%u comm=%.16s flags=%d file=%.128s\n", e->pid, e->comm, e->flags,
	       e->filename);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct open_config cfg = {0};
	if (argc > 1)
		cfg.target_pid = (__u32)strtoul(argv[1], NULL, 10);
	struct wbpf_object *o = wbpf_object_open(NULL, 0);
	if (!o || wbpf_object_load(o)) {
		fprintf(stderr, "opensnoop: cannot load the eBPF object\n");
		return 1;
	}
	__u32 zero = 0;
	int cfd = wbpf_object_map_fd(o, "tool_config");
	int e = cfd < 0 ? cfd : wbpf_map_update(cfd, &zero, &cfg, WBPF_ANY);
	struct open_config back = {0};
	if (!e)
		e = wbpf_map_lookup(cfd, &zero, &back);
	if (e || back.target_pid != cfg.target_pid) {
		fprintf(stderr, "opensnoop: cannot configure the kernel side (%d)\n", e);
		wbpf_object_destroy(o);
		return 1;
	}
	e = wbpf_object_attach(o, "handle_openat", "");
	struct wbpf_buffer *b =
		wbpf_buffer_new(o, "events", on_open, NULL, sizeof(struct open_event));
	if (e || !b) {
		fprintf(stderr, "opensnoop: cannot attach (%d)\n", e);
		wbpf_object_destroy(o);
		return 1;
	}
	printf("READY opensnoop target_pid=%u\n", cfg.target_pid);
	for (;;) {
		int r = wbpf_buffer_poll(b, 100);
		if (r < 0) {
			fprintf(stderr, "opensnoop: poll: %d\n", r);
			break;
		}
	}
	wbpf_object_destroy(o);
	return 0;
}
