/* fuzz_sse: libFuzzer target for the server-sent events parser.
 *
 * Input: one byte choosing the event size limit, then the stream, fed in
 * pieces cut at points derived from its bytes (so CR|LF and BOM splits occur).
 */
#include "sse.h"

#include <stdlib.h>
#include <string.h>

static size_t limit;

static void on_event(void *ctx, const struct as_sse_event *ev)
{
	(void)ctx;
	if (!ev->type || !ev->data || !ev->id || ev->data[ev->data_len] != 0 ||
	    ev->data_len > limit)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	limit = data[0] ? 1u + data[0] % 64u : AS_SSE_DEFAULT_MAX_EVENT_BYTES;
	struct as_sse *s = as_sse_new(data[0] ? limit : 0, on_event, NULL);
	if (!s)
		return 0;
	data++;
	size--;
	size_t at = 0;
	for (int i = 0; i < 5 && at < size; i++) {
		size_t n = (size_t)(data[(at + (size_t)i) % size] * 37u + 1u) % (size - at + 1);
		as_sse_feed(s, data + at, n);
		at += n;
	}
	as_sse_feed(s, data + at, size - at);
	as_sse_finish(s);
	as_sse_free(s);
	return 0;
}
