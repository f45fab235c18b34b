/* execsnoop.c: the guest of execsnoop (wasm32-wasi): loads the embedded
 * object, attaches handle_exec and prints one line per exec until stopped
 * (SIGINT to wasm-bpf) or, with a count argument, after that many events.
 * `execsnoop [COUNT [TIMEOUT_MS]]`: COUNT 0 means no limit; TIMEOUT_MS is
 * that of each poll (-1: wait for ever, which a SIGINT still ends). */
#include <stdio.h>
#include <stdlib.h>

#include "execsnoop.h"
#include "wbpf_sdk.h"

static long seen, limit, timeout_ms = 100;

static int on_exec(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size < sizeof(struct exec_event)) {
		fprintf(stderr, "execsnoop: short record (%zu bytes)\n", size);
		return 0;
	}
	const struct exec_event *e = data;
	printf("EXEC pid=%u ppid=%u comm=%.16s file=%.128s\n", e->pid, e->ppid, e->comm,
	       e->filename);
	seen++;
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		limit = strtol(argv[1], NULL, 10);
	if (argc > 2)
		timeout_ms = strtol(argv[2], NULL, 10);
	struct wbpf_object *o = wbpf_object_open(NULL, 0);
	if (!o || wbpf_object_load(o)) {
		fprintf(stderr, "execsnoop: cannot load the eBPF object\n");
		return 1;
	}
	int e = wbpf_object_attach(o, "handle_exec", "");
	struct wbpf_buffer *b =
		wbpf_buffer_new(o, "events", on_exec, NULL, sizeof(struct exec_event));
	if (e || !b) {
		fprintf(stderr, "execsnoop: cannot attach (%d)\n", e);
		wbpf_object_destroy(o);
		return 1;
	}
	printf("READY execsnoop\n");
	while (!limit || seen < limit) {
		int r = wbpf_buffer_poll(b, (int)timeout_ms);
		if (r < 0) {
			fprintf(stderr, "execsnoop: poll: %d\n", r);
			break;
		}
	}
	wbpf_object_destroy(o);
	return 0;
}
