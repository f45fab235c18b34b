/* bootstrap.c: the guest of bootstrap: two ring buffers of one object,
 * polled in turn; prints EXEC and EXIT lines (exit code, lifetime in ms).
 * Its event structs come from bootstrap_gen.h, which wbpf-genhdr writes
 * from the BTF of bootstrap.bpf.o (the kernel's layout, asserted). */
#include <stdio.h>

#include "bootstrap_gen.h"
#include "wbpf_sdk.h"

static int on_exec(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size < sizeof(struct boot_exec))
		return 0;
	const struct boot_exec *e = data;
	printf("EXEC pid=%u ppid=%u comm=%.16s file=%.128s\n", e->pid, e->ppid, e->comm,
	       e->filename);
	return 0;
}

static int on_exit_ev(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size < sizeof(struct boot_exit))
		return 0;
	const struct boot_exit *e = data;
	printf("EXIT pid=%u ppid=%u comm=%.16s code=%u duration_ms=%llu\n", e->pid, e->ppid,
	       e->comm, e->exit_code, (unsigned long long)(e->duration_ns / 1000000));
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	static const char *const progs[] = {"handle_exec", "handle_exit", NULL};
	struct wbpf_object *o = wbpf_object_open(NULL, 0);
	if (!o || wbpf_object_load(o) || wbpf_object_attach_all(o, progs)) {
		fprintf(stderr, "bootstrap: cannot load and attach the eBPF object\n");
		wbpf_object_destroy(o);
		return 1;
	}
	struct wbpf_buffer *bx =
		wbpf_buffer_new(o, "exec_events", on_exec, NULL, sizeof(struct boot_exec));
	struct wbpf_buffer *be =
		wbpf_buffer_new(o, "exit_events", on_exit_ev, NULL, sizeof(struct boot_exit));
	if (!bx || !be) {
		fprintf(stderr, "bootstrap: cannot open the buffers\n");
		wbpf_object_destroy(o);
		return 1;
	}
	printf("READY bootstrap\n");
	for (;;) {
		int r1 = wbpf_buffer_poll(bx, 50);
		int r2 = wbpf_buffer_poll(be, 50);
		if (r1 < 0 || r2 < 0) {
			fprintf(stderr, "bootstrap: poll: %d %d\n", r1, r2);
			break;
		}
	}
	wbpf_object_destroy(o);
	return 0;
}
