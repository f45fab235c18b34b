/* evbench_native.c: the benchmark consumer as a native libbpf program, the
 * same steps and per-record work as evbench_wasm.c, through the bpftool
 * skeleton of the same object. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "consumer.h"
#include "wbpf_evbench_bpf.skel.h"

static int cb(void *ctx, void *data, size_t size)
{
	return ev_on_record(ctx, data, size);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3 && argc != 4)
		return 2;
	struct ev_config cfg = {.pid = (__u32)strtoul(argv[1], NULL, 10)};
	static struct ev_state st;
	st.want = strtoull(argv[2], NULL, 10);
	__u32 zero = 0;
	struct wbpf_evbench_bpf_bpf *sk = wbpf_evbench_bpf_bpf__open_and_load();
	if (!sk ||
	    bpf_map__update_elem(sk->maps.ev_cfg, &zero, sizeof(zero), &cfg, sizeof(cfg),
				 BPF_ANY) ||
	    wbpf_evbench_bpf_bpf__attach(sk)) {
		fprintf(stderr, "evbench: cannot load and attach\n");
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(sk->maps.events), cb, &st, NULL);
	if (!rb)
		return 1;
	printf("READY\n");
	if (argc == 4) { /* drain mode: start once told, with every record queued */
		char line[16];
		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	while (st.count < st.want) {
		int r = ring_buffer__poll(rb, 100);
		if (r < 0 && r != -EINTR)
			break;
	}
	printf("DONE %llu %llu %llu\n", (unsigned long long)st.count,
	       (unsigned long long)(st.last_ns - st.first_ns), (unsigned long long)st.sum);
	ring_buffer__free(rb);
	wbpf_evbench_bpf_bpf__destroy(sk);
	return 0;
}
