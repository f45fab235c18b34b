/* fuzz_http1: libFuzzer target for the HTTP/1.x parser.
 *
 * Input: one option byte (small limits, HEAD or CONNECT expected, gaps,
 * close at the end), then the stream. The stream is fed in pieces cut at
 * points derived from its bytes, so that splits inside heads, chunk lines and
 * bodies get exercised. The sink checks what the parser promises.
 */
#include "http1.h"

#include <stdlib.h>
#include <string.h>

struct state {
	const struct as_http_limits *lim;
	bool open;
	uint64_t body;
};

static void on_head(void *ctx, uint32_t sid, const struct as_http_head *h)
{
	struct state *s = ctx;
	if (sid != 0 || s->open || h->n_headers > s->lim->max_headers)
		abort();
	if (h->is_request && (!h->method || !h->target))
		abort();
	for (size_t i = 0; i < h->n_headers; i++)
		if (strlen(h->headers[i].name) == 0 || !h->headers[i].value)
			abort();
	s->open = true;
	s->body = 0;
}

static void on_body(void *ctx, uint32_t sid, const uint8_t *d, size_t n)
{
	struct state *s = ctx;
	if (sid != 0 || !s->open || n == 0)
		abort();
	volatile uint8_t sink = d[0] ^ d[n - 1];
	(void)sink;
	s->body += n;
	if (s->body > s->lim->max_body_bytes)
		abort();
}

static void on_end(void *ctx, uint32_t sid, enum as_http_end how,
		   const struct as_http_body_stats *st)
{
	struct state *s = ctx;
	(void)how;
	if (sid != 0 || !s->open || st->decoded_bytes != s->body)
		abort();
	s->open = false;
}

static void on_error(void *ctx, uint32_t sid, const char *msg)
{
	(void)ctx;
	if (sid != 0 || !msg || !*msg)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t opt = data[0];
	data++;
	size--;
	struct as_http_limits lim = {0};
	if (opt & 1) {
		lim.max_head_bytes = 200;
		lim.max_headers = 3;
		lim.max_body_bytes = 50;
		lim.max_inflate_ratio = 4;
	}
	lim = as_http_limits_resolve(&lim);
	struct state st = {.lim = &lim};
	struct as_http_sink sink = {.ctx = &st,
				    .on_head = on_head,
				    .on_body = on_body,
				    .on_end = on_end,
				    .on_error = on_error};
	struct as_http1 *p = as_http1_new(&lim, &sink);
	if (!p)
		return 0;
	if (opt & 2)
		as_http1_expect_response(p, "HEAD");
	if (opt & 4)
		as_http1_expect_response(p, "CONNECT");
	size_t at = 0;
	for (int i = 0; i < 4 && at < size; i++) {
		size_t span = size - at;
		size_t n = (size_t)(data[(at + (size_t)i * 7) % size] * 131u + 17u) % (span + 1);
		as_http1_feed(p, data + at, n);
		at += n;
		if (opt & 8)
			as_http1_gap(p, (uint64_t)(opt >> 4) + 1);
	}
	as_http1_feed(p, data + at, size - at);
	if (opt & 16)
		as_http1_close(p);
	const struct as_http_counters *c = as_http1_counters(p);
	if (c->bytes_parsed + c->bytes_dropped != size)
		abort();
	as_http1_free(p);
	return 0;
}
