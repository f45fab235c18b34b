/* uprobe.c: the guest of the uprobe tool. `uprobe BINARY FUNCTION` attaches
 * on_call and on_return to FUNCTION of BINARY (every process) and prints
 * CALL and RET lines. */
#include <stdio.h>

#include "uprobe.h"
#include "wbpf_sdk.h"

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size < sizeof(struct uprobe_event))
		return 0;
	const struct uprobe_event *e = data;
	if (e->kind == UPROBE_CALL)
		printf("CALL pid=%u a=%d b=%d\n", e->pid, e->a, e->b);
	else
		printf("RET pid=%u ret=%d\n", e->pid, e->ret);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3) {
		fprintf(stderr, "usage: uprobe BINARY FUNCTION\n");
		return 2;
	}
	char target[4096];
	if (snprintf(target, sizeof(target), "%s:%s", argv[1], argv[2]) >= (int)sizeof(target))
		return 2;
	struct wbpf_object *o = wbpf_object_open(NULL, 0);
	if (!o || wbpf_object_load(o) || wbpf_object_attach(o, "on_call", target) ||
	    wbpf_object_attach(o, "on_return", target)) {
		fprintf(stderr, "uprobe: cannot load or attach to %s\n", target);
		wbpf_object_destroy(o);
		return 1;
	}
	struct wbpf_buffer *b =
		wbpf_buffer_new(o, "events", on_event, NULL, sizeof(struct uprobe_event));
	if (!b) {
		wbpf_object_destroy(o);
		return 1;
	}
	printf("READY uprobe %s\n", target);
	for (;;)
		if (wbpf_buffer_poll(b, 100) < 0)
			break;
	wbpf_object_destroy(o);
	return 0;
}
