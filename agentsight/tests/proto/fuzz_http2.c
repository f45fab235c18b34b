/* fuzz_http2: libFuzzer target for the HTTP/2 parser.
 *
 * Input: an option byte (prepend the client preface, small limits, gaps,
 * close), two bytes giving the length of the client's part, the client's
 * bytes, then the server's. Both are fed interleaved in pieces cut at points
 * derived from the bytes.
 */
#include "http2.h"

#include <stdlib.h>
#include <string.h>

static void on_head(void *ctx, uint32_t sid, const struct as_http_head *h)
{
	(void)ctx;
	if (sid == 0 || (h->is_request && !h->method) || h->version != 20)
		abort();
}

static void on_body(void *ctx, uint32_t sid, const uint8_t *d, size_t n)
{
	(void)ctx;
	if (sid == 0 || n == 0)
		abort();
	volatile uint8_t x = d[0] ^ d[n - 1];
	(void)x;
}

static void on_end(void *ctx, uint32_t sid, enum as_http_end how,
		   const struct as_http_body_stats *st)
{
	(void)ctx;
	(void)how;
	(void)st;
	if (sid == 0)
		abort();
}

static void on_error(void *ctx, uint32_t sid, const char *msg)
{
	(void)ctx;
	(void)sid;
	if (!msg || !*msg)
		abort();
}

static const struct as_http_sink sink = {
	.on_head = on_head, .on_body = on_body, .on_end = on_end, .on_error = on_error};

static void feed(struct as_http2 *c, bool client, const uint8_t *d, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	memcpy(copy, d, n);
	as_http2_feed(c, client, copy, n);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	uint8_t opt = data[0];
	size_t clen = (size_t)data[1] << 8 | data[2];
	data += 3;
	size -= 3;
	if (clen > size)
		clen = size;
	const uint8_t *cli = data, *srv = data + clen;
	size_t slen = size - clen;

	struct as_http_limits lim = {0};
	if (opt & 2) {
		lim.max_head_bytes = 300;
		lim.max_headers = 4;
		lim.max_body_bytes = 40;
		lim.max_streams = 2;
		lim.max_inflate_ratio = 3;
	}
	struct as_http2 *c = as_http2_new(&lim, &sink, &sink);
	if (!c)
		return 0;
	if (opt & 1)
		as_http2_feed(c, true, (const uint8_t *)"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	size_t ca = 0, sa = 0;
	for (int i = 0; i < 6 && (ca < clen || sa < slen); i++) {
		size_t cn = clen > ca ? (size_t)(cli[ca] * 13u + (unsigned)i) % (clen - ca + 1) : 0;
		size_t sn = slen > sa ? (size_t)(srv[sa] * 29u + (unsigned)i) % (slen - sa + 1) : 0;
		feed(c, true, cli + ca, cn);
		feed(c, false, srv + sa, sn);
		ca += cn;
		sa += sn;
		if ((opt & 4) && i == 2)
			as_http2_gap(c, (opt & 8) != 0, (uint64_t)(opt >> 4) + 1);
	}
	feed(c, true, cli + ca, clen - ca);
	feed(c, false, srv + sa, slen - sa);
	if (opt & 0x80)
		as_http2_close(c);
	as_http2_free(c);
	return 0;
}
