/* evbench_wasm.c: the benchmark consumer as a Wasm-bpf guest.
 * `evbench PID COUNT`: reports PID's getppid() calls until COUNT records
 * arrived, then prints "DONE count elapsed_ns sum". With a third argument
 * (drain mode) it reads a line from stdin before it starts polling. */
#include <stdio.h>
#include <stdlib.h>

#include "consumer.h"
#include "wbpf_sdk.h"

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3 && argc != 4)
		return 2;
	struct ev_config cfg = {.pid = (__u32)strtoul(argv[1], NULL, 10)};
	static struct ev_state st;
	st.want = strtoull(argv[2], NULL, 10);
	__u32 zero = 0;
	struct wbpf_object *o = wbpf_object_open(NULL, 0);
	int cfd;
	if (!o || wbpf_object_load(o) || (cfd = wbpf_object_map_fd(o, "ev_cfg")) < 0 ||
	    wbpf_map_update(cfd, &zero, &cfg, WBPF_ANY) ||
	    wbpf_object_attach(o, "on_getppid", "")) {
		fprintf(stderr, "evbench: cannot load and attach\n");
		return 1;
	}
	struct wbpf_buffer *b =
		wbpf_buffer_new(o, "events", ev_on_record, &st, sizeof(struct ev_record));
	if (!b)
		return 1;
	/* The host opens a buffer at its first poll: open it now, as the
	 * native consumer does before it is ready. */
	if (wbpf_buffer_poll(b, 0) < 0)
		return 1;
	printf("READY\n");
	if (argc == 4) { /* drain mode: start once told, with every record queued */
		char line[16];
		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	while (st.count < st.want)
		if (wbpf_buffer_poll(b, 100) < 0)
			break;
	printf("DONE %llu %llu %llu\n", (unsigned long long)st.count,
	       (unsigned long long)(st.last_ns - st.first_ns), (unsigned long long)st.sum);
	wbpf_object_destroy(o);
	return 0;
}
