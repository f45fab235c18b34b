/* http1_test: the HTTP/1.x parser on the example exchange of RFC 7230
 * section 2.1 (repeated in RFC 9110), the chunked example of Wikipedia's
 * "Chunked transfer encoding" page with extensions and trailers added,
 * pipelined requests and responses (HEAD, 1xx, 204, 304), bodies read until
 * close, gzip bodies made by the gzip tool, deflate bodies made by zlib,
 * unknown codings, gaps, garbage, malformed framing and the limits. Most
 * inputs are also fed split at every position and byte by byte, and must give
 * exactly the same messages.
 */
#include "http1.h"
#include "rec.h"
#include "testkit.h"

#include <zlib.h>

static struct rec R;

struct opts {
	const struct as_http_limits *lim;
	const char *expect[8]; /* methods queued with as_http1_expect_response */
	bool close;	       /* call as_http1_close at the end */
};

/* Feeds s in pieces ending at cuts[], fills R, returns R's transcript. */
static char *feed(const void *s, size_t len, const size_t *cuts, size_t ncuts, const struct opts *o)
{
	rec_reset(&R);
	struct as_http_sink sink = rec_sink(&R);
	struct as_http1 *p = as_http1_new(o ? o->lim : NULL, &sink);
	if (!p)
		return NULL;
	for (int i = 0; o && i < 8 && o->expect[i]; i++)
		as_http1_expect_response(p, o->expect[i]);
	size_t at = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = cuts && i < ncuts ? cuts[i] : len;
		uint8_t *piece = malloc(end - at + 1);
		memcpy(piece, (const uint8_t *)s + at, end - at);
		as_http1_feed(p, piece, end - at);
		free(piece);
		at = end;
	}
	if (o && o->close)
		as_http1_close(p);
	const struct as_http_counters *c = as_http1_counters(p);
	TK_CHECK(c->bytes_parsed + c->bytes_dropped == len,
		 "counters: %llu parsed + %llu dropped != %zu fed",
		 (unsigned long long)c->bytes_parsed, (unsigned long long)c->bytes_dropped, len);
	as_http1_free(p);
	return rec_dump(&R);
}

static void feed1(const void *s, size_t len, const size_t *cuts, size_t ncuts, const struct opts *o)
{
	free(feed(s, len, cuts, ncuts, o));
}

/* Every split in two and the byte-by-byte feed give the whole feed's result. */
static void check_splits(const char *label, const void *s, size_t len, const struct opts *o)
{
	char *whole = feed(s, len, NULL, 0, o);
	TK_REQUIRE(whole != NULL, "feed");
	for (size_t cut = 0; cut <= len; cut++) {
		char *t = feed(s, len, &cut, 1, o);
		TK_CHECK(t && strcmp(t, whole) == 0, "%s: split at %zu differs:\n%s\nvs\n%s", label,
			 cut, t ? t : "(null)", whole);
		free(t);
	}
	size_t *cuts = calloc(len + 1, sizeof(*cuts));
	for (size_t i = 0; i < len; i++)
		cuts[i] = i + 1;
	char *t = feed(s, len, cuts, len ? len - 1 : 0, o);
	TK_CHECK(t && strcmp(t, whole) == 0, "%s: byte-by-byte feed differs:\n%s", label,
		 t ? t : "(null)");
	free(t);
	free(cuts);
	free(whole);
	feed1(s, len, NULL, 0, o); /* leave R holding the whole feed's result */
}

#define S(x) x, sizeof(x) - 1

static const char rfc_request[] =
	"GET /hello.txt HTTP/1.1\r\n"
	"User-Agent: curl/7.16.3 libcurl/7.16.3 OpenSSL/0.9.7l zlib/1.2.3\r\n"
	"Host: www.example.com\r\n"
	"Accept-Language: en, mi\r\n"
	"\r\n";

static const char rfc_response[] = "HTTP/1.1 200 OK\r\n"
				   "Date: Mon, 27 Jul 2009 12:28:53 GMT\r\n"
				   "Server: Apache\r\n"
				   "Last-Modified: Wed, 22 Jul 2009 19:15:56 GMT\r\n"
				   "ETag: \"34aa387-d-1568eb00\"\r\n"
				   "Accept-Ranges: bytes\r\n"
				   "Content-Length: 51\r\n"
				   "Vary: Accept-Encoding\r\n"
				   "Content-Type: text/plain\r\n"
				   "\r\n"
				   "Hello World! My payload includes a trailing CRLF.\r\n";

static void test_rfc_example(void)
{
	check_splits("rfc request", S(rfc_request), NULL);
	TK_REQUIRE(R.n == 1, "request: %zu messages", R.n);
	struct rmsg *m = &R.msgs[0];
	TK_CHECK(m->is_request && m->version == 11 && strcmp(m->method, "GET") == 0 &&
			 strcmp(m->target, "/hello.txt") == 0,
		 "request line: %s %s v%d", m->method, m->target, m->version);
	TK_CHECK(strcmp(m->authority, "www.example.com") == 0, "authority %s", m->authority);
	TK_CHECK(m->n_headers == 3 && strstr(m->headers, "Accept-Language: en, mi\n"),
		 "headers:\n%s", m->headers);
	TK_CHECK(m->ended && m->how == AS_HTTP_END_COMPLETE && m->body_len == 0 && m->clen == -1,
		 "request end");

	check_splits("rfc response", S(rfc_response), NULL);
	TK_REQUIRE(R.n == 1, "response: %zu messages", R.n);
	m = &R.msgs[0];
	TK_CHECK(!m->is_request && m->status == 200 && m->version == 11, "status %d", m->status);
	TK_CHECK(m->n_headers == 8 && m->clen == 51 && strcmp(m->ctype, "text/plain") == 0,
		 "%zu headers, length %lld, type %s", m->n_headers, (long long)m->clen, m->ctype);
	TK_CHECK(strstr(m->headers, "ETag: \"34aa387-d-1568eb00\"\n") != NULL, "ETag kept as sent");
	TK_CHECK(m->body_len == 51 &&
			 memcmp(m->body, "Hello World! My payload includes a trailing CRLF.\r\n",
				51) == 0,
		 "body of %zu bytes", m->body_len);
	TK_CHECK(m->ended && m->how == AS_HTTP_END_COMPLETE && m->stats.wire_bytes == 51 &&
			 m->stats.decoded_bytes == 51 && !m->stats.decode_failed,
		 "response end");
	TK_CHECK(R.n_errors == 0, "errors: %s", R.errors);
}

/* Wikipedia's chunked example ("Wiki", "pedia", " in\r\n\r\nchunks."),
 * with chunk extensions and a trailer section. */
static const char chunked[] = "HTTP/1.1 200 OK\r\n"
			      "Content-Type: text/plain\r\n"
			      "Transfer-Encoding: chunked\r\n"
			      "Trailer: Expires, X-Checksum\r\n"
			      "\r\n"
			      "4;name=value\r\n"
			      "Wiki\r\n"
			      "5 ; ext=\"quoted; still\"\r\n"
			      "pedia\r\n"
			      "E\r\n"
			      " in\r\n"
			      "\r\n"
			      "chunks.\r\n"
			      "0;last\r\n"
			      "Expires: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
			      "X-Checksum: 42\r\n"
			      "\r\n";

static void test_chunked(void)
{
	check_splits("chunked", S(chunked), NULL);
	TK_REQUIRE(R.n == 1, "%zu messages", R.n);
	struct rmsg *m = &R.msgs[0];
	static const char want[] = "Wikipedia in\r\n\r\nchunks.";
	TK_CHECK(m->body_len == sizeof(want) - 1 && memcmp(m->body, want, m->body_len) == 0,
		 "de-chunked body of %zu bytes", m->body_len);
	TK_CHECK(strcmp(m->trailers, "Expires: Wed, 21 Oct 2015 07:28:00 GMT\nX-Checksum: 42\n") ==
			 0,
		 "trailers:\n%s", m->trailers);
	TK_CHECK(m->ended && m->how == AS_HTTP_END_COMPLETE, "end");
	/* wire bytes: everything after the head */
	size_t head = strstr(chunked, "\r\n\r\n") - chunked + 4;
	TK_CHECK(m->stats.wire_bytes == sizeof(chunked) - 1 - head && m->stats.decoded_bytes == 23,
		 "wire %llu decoded %llu", (unsigned long long)m->stats.wire_bytes,
		 (unsigned long long)m->stats.decoded_bytes);
	TK_CHECK(R.n_errors == 0, "errors: %s", R.errors);
}

static const char pipelined_requests[] =
	"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
	"POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\n"
	"Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"model\":\"x\"}"
	"\r\n" /* a stray CRLF between messages is allowed */
	"POST /v1/messages HTTP/1.1\r\nHost: api.anthropic.com\r\n"
	"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";

static void test_pipelining(void)
{
	check_splits("pipelined requests", S(pipelined_requests), NULL);
	TK_REQUIRE(R.n == 3, "%zu requests", R.n);
	TK_CHECK(strcmp(R.msgs[0].target, "/a") == 0 && R.msgs[0].body_len == 0, "first");
	TK_CHECK(strcmp(R.msgs[1].method, "POST") == 0 &&
			 strcmp(R.msgs[1].authority, "api.openai.com") == 0 &&
			 R.msgs[1].body_len == 13 &&
			 memcmp(R.msgs[1].body, "{\"model\":\"x\"}", 13) == 0,
		 "second");
	TK_CHECK(strcmp(R.msgs[2].target, "/v1/messages") == 0 && R.msgs[2].body_len == 5 &&
			 memcmp(R.msgs[2].body, "abcde", 5) == 0,
		 "third");
	for (size_t i = 0; i < 3; i++)
		TK_CHECK(R.msgs[i].ended && R.msgs[i].how == AS_HTTP_END_COMPLETE, "end %zu", i);

	/* Responses to GET, HEAD, GET, GET, GET, with a 100 Continue first:
	 * the HEAD response has a Content-Length but no body; 204 and 304 have
	 * none either. */
	static const char responses[] = "HTTP/1.1 100 Continue\r\n\r\n"
					"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
					"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
					"HTTP/1.1 204 No Content\r\n\r\n"
					"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
					"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
					"2\r\nok\r\n0\r\n\r\n";
	struct opts o = {.expect = {"GET", "HEAD", "GET", "GET", "GET"}};
	check_splits("pipelined responses", S(responses), &o);
	TK_REQUIRE(R.n == 6, "%zu responses", R.n);
	int want_status[] = {100, 200, 200, 204, 304, 200};
	size_t want_body[] = {0, 5, 0, 0, 0, 2};
	for (size_t i = 0; i < 6; i++)
		TK_CHECK(R.msgs[i].status == want_status[i] && R.msgs[i].body_len == want_body[i] &&
				 R.msgs[i].ended && R.msgs[i].how == AS_HTTP_END_COMPLETE,
			 "response %zu: status %d body %zu", i, R.msgs[i].status,
			 R.msgs[i].body_len);
	TK_CHECK(R.msgs[2].clen == 1000, "HEAD response keeps its Content-Length");

	/* Without knowing about HEAD, the 1000-byte body swallows what follows. */
	feed1(S(responses), NULL, 0, NULL);
	TK_CHECK(R.n == 3 && !R.msgs[2].ended, "HEAD unknown: %zu responses", R.n);
}

static void test_read_to_close(void)
{
	static const char s[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";
	struct opts o = {.close = true};
	check_splits("read to close", S(s), &o);
	TK_CHECK(R.n == 1 && R.msgs[0].version == 10 && R.msgs[0].body_len == 13 &&
			 R.msgs[0].ended && R.msgs[0].how == AS_HTTP_END_COMPLETE,
		 "read-to-close body");
	/* Without the close, it has not ended. */
	feed1(S(s), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && !R.msgs[0].ended, "ended without a close");

	/* A Content-Length body cut by the close is truncated. */
	static const char t[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this";
	feed1(S(t), NULL, 0, &o);
	TK_CHECK(R.n == 1 && R.msgs[0].ended && R.msgs[0].how == AS_HTTP_END_TRUNCATED &&
			 R.msgs[0].body_len == 9,
		 "truncated by close");
	/* A chunked body cut inside a chunk too. */
	static const char u[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc";
	feed1(S(u), NULL, 0, &o);
	TK_CHECK(R.n == 1 && R.msgs[0].ended && R.msgs[0].how == AS_HTTP_END_TRUNCATED,
		 "chunked truncated by close");
	/* A head cut by the close: reported as an error, no message. */
	static const char v[] = "HTTP/1.1 200 OK\r\nContent-Le";
	feed1(S(v), NULL, 0, &o);
	TK_CHECK(R.n == 0 && R.n_errors == 1, "cut head: %zu messages, %zu errors", R.n,
		 R.n_errors);
}

/* A response with the given head lines and body. */
static size_t make_response(uint8_t *out, size_t cap, const char *head, const uint8_t *body,
			    size_t blen)
{
	size_t h = strlen(head);
	if (h + blen > cap)
		return 0;
	put_bytes(out, head, h);
	memcpy(out + h, body, blen);
	return h + blen;
}

static void test_gzip(void)
{
	size_t plain_len, gz_len;
	uint8_t *plain = read_data_file("body.json", &plain_len);
	uint8_t *gz = read_data_file("body.json.gz", &gz_len);
	TK_REQUIRE(plain && gz, "test data missing under %s", AS_PROTO_DATA);

	/* Content-Length + gzip, made by gzip(1). */
	uint8_t *msg = malloc(gz_len * 4 + 4096);
	char head[256];
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: "
		 "gzip\r\nContent-Length: %zu\r\n\r\n",
		 gz_len);
	size_t n = make_response(msg, gz_len * 4 + 4096, head, gz, gz_len);
	check_splits("gzip", msg, n, NULL);
	TK_REQUIRE(R.n == 1, "%zu messages", R.n);
	struct rmsg *m = &R.msgs[0];
	TK_CHECK(strcmp(m->cenc, "gzip") == 0, "content_encoding %s", m->cenc);
	TK_CHECK(m->body_len == plain_len && memcmp(m->body, plain, plain_len) == 0,
		 "gunzipped body of %zu bytes, want %zu", m->body_len, plain_len);
	TK_CHECK(m->stats.wire_bytes == gz_len && m->stats.decoded_bytes == plain_len &&
			 !m->stats.decode_failed && m->how == AS_HTTP_END_COMPLETE,
		 "stats wire %llu decoded %llu failed %d", (unsigned long long)m->stats.wire_bytes,
		 (unsigned long long)m->stats.decoded_bytes, m->stats.decode_failed);

	/* The same gzip stream in chunks of 100 bytes. */
	size_t o = 0;
	o += (size_t)sprintf((char *)msg, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
					  "Transfer-Encoding: chunked\r\n\r\n");
	for (size_t at = 0; at < gz_len; at += 100) {
		size_t k = gz_len - at < 100 ? gz_len - at : 100;
		o += (size_t)sprintf((char *)msg + o, "%zx\r\n", k);
		memcpy(msg + o, gz + at, k);
		o += k;
		put_bytes(msg + o, "\r\n", 2);
		o += 2;
	}
	put_bytes(msg + o, "0\r\n\r\n", 5);
	o += 5;
	feed1(msg, o, NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].body_len == plain_len &&
			 memcmp(R.msgs[0].body, plain, plain_len) == 0 &&
			 !R.msgs[0].stats.decode_failed,
		 "chunked gzip body of %zu bytes", R.n ? R.msgs[0].body_len : 0);

	/* deflate as RFC 9110 means it (zlib format), made by zlib's compress2. */
	uLongf zl = compressBound(plain_len);
	uint8_t *z = malloc(zl);
	TK_REQUIRE(compress2(z, &zl, plain, plain_len, 9) == Z_OK, "compress2");
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: %lu\r\n\r\n",
		 (unsigned long)zl);
	n = make_response(msg, gz_len * 4 + 4096, head, z, zl);
	feed1(msg, n, NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].body_len == plain_len &&
			 memcmp(R.msgs[0].body, plain, plain_len) == 0 &&
			 !R.msgs[0].stats.decode_failed,
		 "zlib deflate body");

	/* deflate as some servers send it: raw RFC 1951 data. */
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	TK_REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK,
		   "deflateInit2");
	uint8_t *raw = malloc(plain_len + 1024);
	zs.next_in = plain;
	zs.avail_in = (uInt)plain_len;
	zs.next_out = raw;
	zs.avail_out = (uInt)(plain_len + 1024);
	TK_REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate");
	size_t raw_len = zs.total_out;
	deflateEnd(&zs);
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: %zu\r\n\r\n",
		 raw_len);
	n = make_response(msg, gz_len * 4 + 4096, head, raw, raw_len);
	check_splits("raw deflate", msg, n, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].body_len == plain_len &&
			 memcmp(R.msgs[0].body, plain, plain_len) == 0 &&
			 !R.msgs[0].stats.decode_failed,
		 "raw deflate body");

	/* Two gzip members back to back decode as one body (RFC 1952). */
	memcpy(msg, gz, gz_len);
	memcpy(msg + gz_len, gz, gz_len);
	uint8_t *twice = malloc(2 * gz_len);
	memcpy(twice, msg, 2 * gz_len);
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
		 2 * gz_len);
	n = make_response(msg, gz_len * 4 + 4096, head, twice, 2 * gz_len);
	feed1(msg, n, NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].body_len == 2 * plain_len &&
			 memcmp(R.msgs[0].body + plain_len, plain, plain_len) == 0,
		 "two gzip members: %zu bytes", R.n ? R.msgs[0].body_len : 0);

	/* Corrupt gzip after a good start: what decoded is kept (its start is
	 * right; inflate may emit some wrong bytes before it notices), the rest
	 * is dropped, decode_failed. */
	memcpy(twice, gz, gz_len);
	for (size_t i = gz_len / 2; i < gz_len; i++)
		twice[i] ^= 0x5a;
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
		 gz_len);
	n = make_response(msg, gz_len * 4 + 4096, head, twice, gz_len);
	feed1(msg, n, NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].stats.decode_failed && R.msgs[0].ended &&
			 R.msgs[0].how == AS_HTTP_END_COMPLETE && R.msgs[0].body_len >= 100 &&
			 memcmp(R.msgs[0].body, plain, 100) == 0 &&
			 R.msgs[0].stats.dropped_bytes > 0,
		 "corrupt gzip: failed %d, %zu bytes", R.n ? R.msgs[0].stats.decode_failed : -1,
		 R.n ? R.msgs[0].body_len : 0);

	/* Truncated gzip (message complete, stream not): decode_failed. */
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
		 gz_len - 10);
	n = make_response(msg, gz_len * 4 + 4096, head, gz, gz_len - 10);
	feed1(msg, n, NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].stats.decode_failed, "cut gzip not flagged");

	/* A body labelled gzip that is plain text is delivered raw. */
	static const char lie[] = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
				  "Content-Length: 11\r\n\r\nplain text!";
	feed1(S(lie), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].body_len == 11 &&
			 memcmp(R.msgs[0].body, "plain text!", 11) == 0 &&
			 R.msgs[0].stats.decode_failed,
		 "mislabelled body");

	/* Unknown codings: raw, decode_failed. */
	static const char br[] = "HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n"
				 "Content-Length: 4\r\n\r\n\x0b\x02\x80x";
	feed1(S(br), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].body_len == 4 && R.msgs[0].stats.decode_failed, "br body");
	static const char stacked[] = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip, zstd\r\n"
				      "Content-Length: 2\r\n\r\nzz";
	feed1(S(stacked), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].body_len == 2 && R.msgs[0].stats.decode_failed,
		 "stacked codings");
	static const char identity[] = "HTTP/1.1 200 OK\r\nContent-Encoding: identity\r\n"
				       "Content-Length: 2\r\n\r\nok";
	feed1(S(identity), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].body_len == 2 && !R.msgs[0].stats.decode_failed, "identity");

	free(twice);
	free(raw);
	free(z);
	free(msg);
	free(plain);
	free(gz);
}

static void test_body_limit(void)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij"
				"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	struct as_http_limits lim = {.max_body_bytes = 8};
	struct opts o = {.lim = &lim};
	check_splits("body limit", S(s), &o);
	TK_CHECK(R.n == 2 && R.msgs[0].body_len == 8 && memcmp(R.msgs[0].body, "01234567", 8) == 0,
		 "limited body");
	TK_CHECK(R.msgs[0].stats.decoded_bytes == 8 && R.msgs[0].stats.dropped_bytes == 12 &&
			 R.msgs[0].stats.wire_bytes == 20,
		 "limit stats");
	TK_CHECK(R.msgs[1].body_len == 2 && R.msgs[1].how == AS_HTTP_END_COMPLETE,
		 "next message after the limit");
}

static void test_gaps(void)
{
	struct as_http_sink sink = rec_sink(&R);
	struct as_http1 *p;
	static const char a[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123";
	static const char b[] = "89HTTP/1.1 204 No Content\r\n\r\n";

	/* A gap inside a body of known length: the body goes on, loss counted. */
	rec_reset(&R);
	p = as_http1_new(NULL, &sink);
	as_http1_feed(p, (const uint8_t *)a, sizeof(a) - 1);
	as_http1_gap(p, 4);
	as_http1_feed(p, (const uint8_t *)b, sizeof(b) - 1);
	TK_CHECK(R.n == 2 && R.msgs[0].body_len == 6 && R.msgs[0].stats.lost_bytes == 4 &&
			 R.msgs[0].how == AS_HTTP_END_COMPLETE && R.msgs[1].status == 204,
		 "gap in body: %zu messages", R.n);
	TK_CHECK(as_http1_counters(p)->bytes_lost == 4, "bytes_lost");
	as_http1_free(p);

	/* A gap running past the body into the next message: resynchronise at
	 * the next start line. */
	static const char c[] = "K\r\nContent-Length: 3\r\n\r\nabc"
				"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nhi";
	rec_reset(&R);
	p = as_http1_new(NULL, &sink);
	as_http1_feed(p, (const uint8_t *)a, sizeof(a) - 1);
	as_http1_gap(p, 30);
	as_http1_feed(p, (const uint8_t *)c, sizeof(c) - 1);
	TK_CHECK(R.n == 2 && R.msgs[0].ended && R.msgs[1].status == 201 &&
			 R.msgs[1].body_len == 2 && memcmp(R.msgs[1].body, "hi", 2) == 0,
		 "gap past the body: %zu messages", R.n);
	TK_CHECK(as_http1_counters(p)->bytes_dropped >= 26, "skipped bytes not counted dropped");
	as_http1_free(p);

	/* A gap inside a head: that message is lost, the next one parses. */
	rec_reset(&R);
	p = as_http1_new(NULL, &sink);
	as_http1_feed(p, (const uint8_t *)"POST /x HTTP/1.1\r\nHo", 20);
	as_http1_gap(p, 100);
	static const char d[] = "st\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n";
	as_http1_feed(p, (const uint8_t *)d, sizeof(d) - 1);
	TK_CHECK(R.n == 1 && strcmp(R.msgs[0].target, "/next") == 0 && R.n_errors == 1,
		 "gap in head: %zu messages, %zu errors", R.n, R.n_errors);
	as_http1_free(p);

	/* A gap inside gzip data: decoding stops, the message still ends. */
	size_t gz_len, plain_len;
	uint8_t *gz = read_data_file("body.json.gz", &gz_len);
	uint8_t *plain = read_data_file("body.json", &plain_len);
	TK_REQUIRE(gz && plain, "test data");
	char head[200];
	int hl = snprintf(
		head, sizeof(head),
		"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n", gz_len);
	rec_reset(&R);
	p = as_http1_new(NULL, &sink);
	as_http1_feed(p, (const uint8_t *)head, (size_t)hl);
	as_http1_feed(p, gz, 300);
	as_http1_gap(p, 100);
	as_http1_feed(p, gz + 400, gz_len - 400);
	TK_CHECK(R.n == 1 && R.msgs[0].ended && R.msgs[0].how == AS_HTTP_END_COMPLETE &&
			 R.msgs[0].stats.decode_failed && R.msgs[0].stats.lost_bytes == 100 &&
			 R.msgs[0].stats.dropped_bytes == gz_len - 400 &&
			 memcmp(R.msgs[0].body, plain, R.msgs[0].body_len) == 0,
		 "gap in gzip: failed %d lost %llu dropped %llu",
		 R.n ? R.msgs[0].stats.decode_failed : -1,
		 R.n ? (unsigned long long)R.msgs[0].stats.lost_bytes : 0ull,
		 R.n ? (unsigned long long)R.msgs[0].stats.dropped_bytes : 0ull);
	as_http1_free(p);
	free(gz);
	free(plain);

	/* A gap in a chunk's data within the chunk: goes on. */
	rec_reset(&R);
	p = as_http1_new(NULL, &sink);
	static const char e[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n01";
	as_http1_feed(p, (const uint8_t *)e, sizeof(e) - 1);
	as_http1_gap(p, 5);
	as_http1_feed(p, (const uint8_t *)"789\r\n0\r\n\r\n", 10);
	TK_CHECK(R.n == 1 && R.msgs[0].how == AS_HTTP_END_COMPLETE && R.msgs[0].body_len == 5 &&
			 R.msgs[0].stats.lost_bytes == 5,
		 "gap in a chunk");
	as_http1_free(p);
}

static void test_garbage(void)
{
	/* Garbage, a line that nearly looks like a request, then real messages. */
	static const char s[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 binary junk\n"
				"GET nothing\r\n"
				"xx\r\n"
				"GET /ok HTTP/1.1\r\nHost: h\r\n\r\n"
				"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	check_splits("garbage", S(s), NULL);
	TK_CHECK(R.n == 2 && strcmp(R.msgs[0].target, "/ok") == 0 && R.msgs[1].status == 200,
		 "after garbage: %zu messages", R.n);
	TK_CHECK(R.n_errors == 1, "one error for one stretch of garbage, got %zu:\n%s", R.n_errors,
		 R.errors);

	/* Random bytes must not crash or report messages that are not there. */
	uint8_t junk[4096];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (uint8_t)(x >> 16);
	}
	char *t = feed(junk, sizeof(junk), NULL, 0, NULL);
	free(t);
	TK_CHECK(R.n == 0, "random bytes gave %zu messages", R.n);
}

static void test_malformed(void)
{
	/* Chunk size over 64 bits. */
	static const char a[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				"1FFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n"
				"HTTP/1.1 204 No Content\r\n\r\n";
	check_splits("chunk overflow", S(a), NULL);
	TK_CHECK(R.n == 2 && R.msgs[0].ended && R.msgs[0].how == AS_HTTP_END_ERROR &&
			 R.msgs[1].status == 204,
		 "chunk overflow: %zu messages", R.n);
	TK_CHECK(strstr(R.errors, "overflows") != NULL, "error does not say overflow: %s",
		 R.errors);

	static const char b[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
	feed1(S(b), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].how == AS_HTTP_END_ERROR && R.n_errors == 1,
		 "non-hex chunk size");
	static const char c[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n";
	feed1(S(c), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].how == AS_HTTP_END_ERROR, "chunk without CRLF");

	/* Conflicting or invalid Content-Length: the message is skipped. */
	static const char d[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
				"hello!HTTP/1.1 204 No Content\r\n\r\n";
	feed1(S(d), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].status == 204 && R.n_errors >= 1,
		 "conflicting Content-Length: %zu messages", R.n);
	static const char e[] = "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello";
	feed1(S(e), NULL, 0, NULL);
	TK_CHECK(R.n == 0 && R.n_errors >= 1, "signed Content-Length accepted");
	static const char f[] =
		"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n";
	feed1(S(f), NULL, 0, NULL);
	TK_CHECK(R.n == 0 && R.n_errors >= 1, "overflowing Content-Length accepted");
	static const char g[] = "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc";
	feed1(S(g), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].body_len == 3, "repeated equal Content-Length refused");

	/* A request whose Transfer-Encoding does not end in chunked. */
	static const char h[] = "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n";
	feed1(S(h), NULL, 0, NULL);
	TK_CHECK(R.n == 0 && R.n_errors == 1, "request TE gzip accepted");
	/* ... but a response with it is read until close. */
	static const char i[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n";
	feed1(S(i), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && !R.msgs[0].ended, "response TE gzip not read to close");

	/* Bad status line / request line. */
	static const char j[] = "HTTP/1.1 2x0 OK\r\n\r\nGET / HTTP/1.1\r\n\r\n";
	feed1(S(j), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].is_request, "bad status line");
	static const char k[] = "GET /a b HTTP/1.1\r\n\r\n";
	feed1(S(k), NULL, 0, NULL);
	TK_CHECK(R.n == 0 && R.n_errors == 1, "target with a space accepted");

	/* Malformed header lines are skipped and reported, the message kept. */
	static const char l[] = "GET / HTTP/1.1\r\nHost : bad\r\nno colon\r\nX-Ok: 1\r\n\r\n";
	feed1(S(l), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && R.msgs[0].n_headers == 1 &&
			 strcmp(R.msgs[0].headers, "X-Ok: 1\n") == 0,
		 "malformed header lines: %s", R.n ? R.msgs[0].headers : "");
	TK_CHECK(R.n_errors == 1, "malformed header lines not reported");
}

static void test_limits(void)
{
	/* A head over max_head_bytes is skipped; the next message parses. */
	char big[4096];
	int n = snprintf(big, sizeof(big), "GET /big HTTP/1.1\r\nX-Big: %02000d\r\n\r\n", 7);
	n += snprintf(big + n, sizeof(big) - (size_t)n, "GET /small HTTP/1.1\r\nHost: h\r\n\r\n");
	struct as_http_limits lim = {.max_head_bytes = 1024};
	struct opts o = {.lim = &lim};
	check_splits("head limit", big, (size_t)n, &o);
	TK_CHECK(R.n == 1 && strcmp(R.msgs[0].target, "/small") == 0 && R.n_errors == 1,
		 "head limit: %zu messages, %zu errors", R.n, R.n_errors);

	/* More headers than max_headers: the first ones are kept, framing still
	 * honoured even when its header is past the limit. */
	static const char s[] = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n"
				"Content-Length: 2\r\nContent-Encoding: identity\r\n\r\nok"
				"HTTP/1.1 204 No Content\r\n\r\n";
	struct as_http_limits lim2 = {.max_headers = 3};
	struct opts o2 = {.lim = &lim2};
	check_splits("header count", S(s), &o2);
	TK_CHECK(R.n == 2 && R.msgs[0].n_headers == 3 && R.msgs[0].body_len == 2 &&
			 R.msgs[0].clen == 2 && R.msgs[1].status == 204,
		 "header count limit: %zu messages", R.n);
	TK_CHECK(R.n_errors == 1 && strstr(R.errors, "3 headers over the limit"),
		 "header count not reported: %s", R.errors);
}

static void test_details(void)
{
	/* obs-fold joins lines; lookups ignore case; bare LF line ends work. */
	static const char s[] = "GET /f HTTP/1.1\nHost: h\nX-Long: one\n  two\n\n";
	feed1(S(s), NULL, 0, NULL);
	TK_CHECK(R.n == 1 && strstr(R.msgs[0].headers, "X-Long: one   two\n") != NULL,
		 "obs-fold: %s", R.n ? R.msgs[0].headers : "");

	struct as_http_header hs[] = {{"Content-Type", "a"}, {"X-Y", "b"}};
	struct as_http_head head = {.headers = hs, .n_headers = 2};
	TK_CHECK(as_http_head_get(&head, "content-type") &&
			 strcmp(as_http_head_get(&head, "content-type"), "a") == 0,
		 "as_http_head_get ignores case");
	TK_CHECK(as_http_head_get(&head, "x-z") == NULL, "as_http_head_get found a missing name");

	/* 101 Switching Protocols: the rest is a tunnel, not parsed. */
	static const char u[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
				"\x81\x05hello HTTP/1.1 200 OK\r\n\r\n";
	char *t = feed(S(u), NULL, 0, NULL);
	free(t);
	TK_CHECK(R.n == 1 && R.msgs[0].status == 101 && R.n_errors == 0, "101: %zu messages", R.n);

	/* CONNECT 200: also a tunnel. */
	static const char v[] = "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01";
	struct opts o = {.expect = {"CONNECT"}};
	t = feed(S(v), NULL, 0, &o);
	free(t);
	TK_CHECK(R.n == 1 && R.msgs[0].ended && R.n_errors == 0, "CONNECT tunnel");
}

int main(void)
{
	test_rfc_example();
	test_chunked();
	test_pipelining();
	test_read_to_close();
	test_gzip();
	test_body_limit();
	test_gaps();
	test_garbage();
	test_malformed();
	test_limits();
	test_details();
	rec_reset(&R);
	return tk_finish();
}
