/* decode_test: the body decoder's bounds. A gzip bomb (10 MB of zeros,
 * compressed here by zlib) must stop at the ratio limit with decode_failed
 * and the undecoded bytes counted, without the process growing by anything
 * near the bomb's size; a large compressible body must deliver exactly
 * max_body_bytes and count the rest as dropped; the coding names must parse
 * as RFC 9110 lists; and every split of a gzip body must decode the same.
 */
#include "decode.h"
#include "http1.h"
#include "rec.h"
#include "testkit.h"

#include <sys/resource.h>
#include <zlib.h>

struct counter {
	uint64_t bytes;
	size_t calls, largest;
	bool ended;
	struct as_http_body_stats stats;
	uint8_t first[64];
};

static void c_body(void *ctx, uint32_t sid, const uint8_t *d, size_t n)
{
	struct counter *c = ctx;
	(void)sid;
	if (c->bytes < sizeof(c->first)) {
		size_t k = sizeof(c->first) - c->bytes < n ? sizeof(c->first) - c->bytes : n;
		memcpy(c->first + c->bytes, d, k);
	}
	c->bytes += n;
	c->calls++;
	if (n > c->largest)
		c->largest = n;
}

static void c_end(void *ctx, uint32_t sid, enum as_http_end how,
		  const struct as_http_body_stats *st)
{
	struct counter *c = ctx;
	(void)sid;
	(void)how;
	c->ended = true;
	c->stats = *st;
}

/* gzip of `total` bytes of `fill` (or of pseudo-random letters when fill < 0),
 * produced in small steps so that the input never exists whole. */
static uint8_t *make_gzip(size_t total, int fill, size_t *out_len)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t cap = deflateBound(&zs, total), len = 0;
	uint8_t *out = malloc(cap);
	uint8_t in[65536];
	uint32_t x = 1;
	size_t done = 0;
	int rc = Z_OK;
	while (rc != Z_STREAM_END) {
		size_t n = total - done < sizeof(in) ? total - done : sizeof(in);
		for (size_t i = 0; i < n; i++) {
			if (fill >= 0) {
				in[i] = (uint8_t)fill;
			} else {
				x = x * 1103515245u + 12345u;
				in[i] = (uint8_t)('a' + (x >> 16) % 16);
			}
		}
		done += n;
		zs.next_in = in;
		zs.avail_in = (uInt)n;
		do {
			zs.next_out = out + len;
			zs.avail_out = (uInt)(cap - len);
			rc = deflate(&zs, done == total ? Z_FINISH : Z_NO_FLUSH);
			len = cap - zs.avail_out;
		} while (zs.avail_in > 0 && rc == Z_OK);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			deflateEnd(&zs);
			free(out);
			return NULL;
		}
	}
	deflateEnd(&zs);
	*out_len = len;
	return out;
}

static long max_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void test_bomb(void)
{
	size_t bomb_len;
	uint8_t *bomb = make_gzip((size_t)10 * 1000 * 1000, 0, &bomb_len);
	TK_REQUIRE(bomb != NULL, "zlib");
	TK_CHECK(bomb_len < 20000, "the bomb is %zu bytes, expected about 10 KB", bomb_len);

	struct counter c;
	memset(&c, 0, sizeof(c));
	struct as_http_sink sink = {.ctx = &c, .on_body = c_body, .on_end = c_end};
	struct as_http_limits lim = {.max_body_bytes = 1u << 20, .max_inflate_ratio = 100};
	long rss0 = max_rss_kb();
	struct as_body_decoder d;
	as_body_decoder_start(&d, &sink, 0, AS_BODY_GZIP, &lim);
	for (size_t at = 0; at < bomb_len; at += 1000)
		as_body_decoder_feed(&d, bomb + at, bomb_len - at < 1000 ? bomb_len - at : 1000);
	as_body_decoder_finish(&d, AS_HTTP_END_COMPLETE);
	long grown = max_rss_kb() - rss0;

	TK_CHECK(c.ended && c.stats.decode_failed, "the bomb was not stopped");
	TK_CHECK(c.bytes < (uint64_t)1000 * 1000 && c.stats.decoded_bytes == c.bytes,
		 "%llu bytes delivered from a bomb (ratio limit 100)", (unsigned long long)c.bytes);
	TK_CHECK(c.stats.wire_bytes == bomb_len, "wire bytes %llu, want %zu",
		 (unsigned long long)c.stats.wire_bytes, bomb_len);
	TK_CHECK(c.stats.dropped_bytes > 0 && c.stats.dropped_bytes < bomb_len,
		 "undecoded bytes not counted: dropped %llu",
		 (unsigned long long)c.stats.dropped_bytes);
	TK_CHECK(c.largest <= 16384, "a %zu-byte piece: output is not streamed", c.largest);
	TK_CHECK(grown < 4096, "the process grew by %ld KiB decoding a bomb", grown);

	/* Through the HTTP/1.1 parser, with the ratio limit and a body limit. */
	static struct rec r;
	rec_reset(&r);
	struct as_http_sink rs = rec_sink(&r);
	struct as_http1 *p = as_http1_new(&lim, &rs);
	char head[160];
	int hl =
		snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
			 bomb_len);
	as_http1_feed(p, (const uint8_t *)head, (size_t)hl);
	as_http1_feed(p, bomb, bomb_len);
	as_http1_feed(p, (const uint8_t *)"HTTP/1.1 204 No Content\r\n\r\n", 27);
	TK_CHECK(r.n == 2 && r.msgs[0].stats.decode_failed && r.msgs[0].body_len < 1000000 &&
			 r.msgs[0].how == AS_HTTP_END_COMPLETE && r.msgs[1].status == 204,
		 "bomb through http1: %zu messages", r.n);
	as_http1_free(p);
	rec_reset(&r);
	free(bomb);
}

static void test_body_limit(void)
{
	/* 3 MB of letters (ratio about 2): no bomb, but only 1 MiB delivered. */
	size_t gz_len;
	uint8_t *gz = make_gzip((size_t)3 * 1000 * 1000, -1, &gz_len);
	TK_REQUIRE(gz != NULL, "zlib");
	struct counter c;
	memset(&c, 0, sizeof(c));
	struct as_http_sink sink = {.ctx = &c, .on_body = c_body, .on_end = c_end};
	struct as_http_limits lim = {.max_body_bytes = 1u << 20};
	struct as_body_decoder d;
	as_body_decoder_start(&d, &sink, 7, AS_BODY_GZIP, &lim);
	as_body_decoder_feed(&d, gz, gz_len);
	as_body_decoder_finish(&d, AS_HTTP_END_COMPLETE);
	TK_CHECK(c.bytes == 1u << 20 && c.stats.decoded_bytes == 1u << 20,
		 "%llu bytes delivered, limit 1 MiB", (unsigned long long)c.bytes);
	TK_CHECK(c.stats.dropped_bytes == 3u * 1000 * 1000 - (1u << 20),
		 "dropped %llu, want the rest of 3 MB", (unsigned long long)c.stats.dropped_bytes);
	TK_CHECK(!c.stats.decode_failed, "a legitimate body was flagged");
	free(gz);
}

static void test_coding_names(void)
{
	TK_CHECK(as_body_coding_parse(NULL, NULL) == AS_BODY_IDENTITY, "none");
	TK_CHECK(as_body_coding_parse("gzip", NULL) == AS_BODY_GZIP, "gzip");
	TK_CHECK(as_body_coding_parse(" GZip ", NULL) == AS_BODY_GZIP, "case and spaces");
	TK_CHECK(as_body_coding_parse("x-gzip", NULL) == AS_BODY_GZIP, "x-gzip");
	TK_CHECK(as_body_coding_parse("identity, deflate", "") == AS_BODY_DEFLATE, "deflate");
	TK_CHECK(as_body_coding_parse(NULL, "gzip") == AS_BODY_GZIP, "transfer gzip");
	TK_CHECK(as_body_coding_parse("br", NULL) == AS_BODY_UNKNOWN, "br");
	TK_CHECK(as_body_coding_parse("gzip", "gzip") == AS_BODY_UNKNOWN, "two codings");
	TK_CHECK(as_body_coding_parse("zstd", NULL) == AS_BODY_UNKNOWN, "zstd");
	TK_CHECK(as_body_coding_parse(",,", NULL) == AS_BODY_IDENTITY, "empty list");
}

static void test_every_split(void)
{
	size_t plain_len, gz_len;
	uint8_t *plain = read_data_file("body.json", &plain_len);
	uint8_t *gz = read_data_file("body.json.gz", &gz_len);
	TK_REQUIRE(plain && gz, "test data under %s", AS_PROTO_DATA);
	for (size_t cut = 0; cut <= gz_len; cut++) {
		struct counter c;
		memset(&c, 0, sizeof(c));
		struct as_http_sink sink = {.ctx = &c, .on_body = c_body, .on_end = c_end};
		struct as_body_decoder d;
		as_body_decoder_start(&d, &sink, 0, AS_BODY_GZIP, NULL);
		as_body_decoder_feed(&d, gz, cut);
		as_body_decoder_feed(&d, gz + cut, gz_len - cut);
		as_body_decoder_finish(&d, AS_HTTP_END_COMPLETE);
		TK_CHECK(c.bytes == plain_len && !c.stats.decode_failed &&
				 memcmp(c.first, plain, sizeof(c.first)) == 0,
			 "split at %zu: %llu bytes, failed %d", cut, (unsigned long long)c.bytes,
			 c.stats.decode_failed);
	}
	/* One byte at a time, deflate (zlib header needs two bytes to detect). */
	uLongf zl = compressBound(plain_len);
	uint8_t *z = malloc(zl);
	compress2(z, &zl, plain, plain_len, 6);
	struct counter c;
	memset(&c, 0, sizeof(c));
	struct as_http_sink sink = {.ctx = &c, .on_body = c_body, .on_end = c_end};
	struct as_body_decoder d;
	as_body_decoder_start(&d, &sink, 0, AS_BODY_DEFLATE, NULL);
	for (size_t i = 0; i < zl; i++)
		as_body_decoder_feed(&d, z + i, 1);
	as_body_decoder_finish(&d, AS_HTTP_END_COMPLETE);
	TK_CHECK(c.bytes == plain_len && !c.stats.decode_failed, "deflate byte by byte: %llu",
		 (unsigned long long)c.bytes);
	free(z);
	free(plain);
	free(gz);
}

int main(void)
{
	test_bomb(); /* first, while the process is small */
	test_body_limit();
	test_coding_names();
	test_every_split();
	return tk_finish();
}
