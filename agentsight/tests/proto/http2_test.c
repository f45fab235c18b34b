/* http2_test: the HTTP/2 parser on an exchange recorded between curl and
 * nghttpd (data/README.md: four streams on one connection, padded frames,
 * trailers, a POST body, a 75 KB body over several DATA frames), fed whole,
 * interleaved, split at many points and byte by byte; then on frames built
 * here following RFC 9113: gzip bodies, CONTINUATION, priority, PUSH_PROMISE
 * (whose header block must still update the HPACK table), RST_STREAM, 1xx,
 * SETTINGS_HEADER_TABLE_SIZE, the stream limit; and on malformed input:
 * truncated frames, bad HPACK, missing CONTINUATION, bad padding, oversize
 * header blocks and lists, a bad preface, gaps.
 */
#include "http2.h"
#include "rec.h"
#include "testkit.h"

static struct rec REQ, RESP;

static struct as_http2 *new_conn(const struct as_http_limits *lim)
{
	rec_reset(&REQ);
	rec_reset(&RESP);
	struct as_http_sink rq = rec_sink(&REQ), rs = rec_sink(&RESP);
	return as_http2_new(lim, &rq, &rs);
}

/* Feeds a copy of data in pieces ending at cuts[]. */
static void feed_cuts(struct as_http2 *c, bool client, const uint8_t *data, size_t len,
		      const size_t *cuts, size_t ncuts)
{
	size_t at = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = cuts && i < ncuts ? cuts[i] : len;
		uint8_t *piece = malloc(end - at + 1);
		memcpy(piece, data + at, end - at);
		as_http2_feed(c, client, piece, end - at);
		free(piece);
		at = end;
	}
}

static char *both_dumps(void)
{
	char *a = rec_dump(&REQ), *b = rec_dump(&RESP);
	size_t n = strlen(a) + strlen(b) + 16;
	char *out = malloc(n);
	snprintf(out, n, "%s----\n%s", a, b);
	free(a);
	free(b);
	return out;
}

/* ---- the recorded exchange ----------------------------------------------- */

static uint8_t *cli, *srv, *index_html, *big, *page404, *upload;
static size_t cli_len, srv_len, index_len, big_len, page404_len, upload_len;

static char *run_recorded(const size_t *ccuts, size_t nc, const size_t *scuts, size_t ns)
{
	struct as_http2 *c = new_conn(NULL);
	feed_cuts(c, true, cli, cli_len, ccuts, nc);
	feed_cuts(c, false, srv, srv_len, scuts, ns);
	const struct as_http_counters *cc = as_http2_counters(c, true);
	const struct as_http_counters *sc = as_http2_counters(c, false);
	TK_CHECK(cc->bytes_parsed == cli_len && sc->bytes_parsed == srv_len &&
			 cc->bytes_dropped == 0 && sc->bytes_dropped == 0,
		 "counters: client %llu/%zu server %llu/%zu", (unsigned long long)cc->bytes_parsed,
		 cli_len, (unsigned long long)sc->bytes_parsed, srv_len);
	as_http2_close(c);
	as_http2_free(c);
	return both_dumps();
}

static const char *hget(const struct rmsg *m, const char *name)
{
	static char v[256];
	char key[64];
	snprintf(key, sizeof(key), "%s: ", name);
	const char *p = m->headers;
	while ((p = strstr(p, key)) != NULL) {
		if (p == m->headers || p[-1] == '\n') {
			p += strlen(key);
			size_t n = strcspn(p, "\n");
			snprintf(v, sizeof(v), "%.*s", (int)n, p);
			return v;
		}
		p++;
	}
	return NULL;
}

static void check_recorded(void)
{
	TK_REQUIRE(REQ.n == 4, "%zu requests, want 4", REQ.n);
	TK_REQUIRE(RESP.n == 4, "%zu responses, want 4", RESP.n);
	const char *paths[4] = {"/index.html", "/big.txt", "/missing", "/chat.json"};
	for (int i = 0; i < 4; i++) {
		struct rmsg *q = &REQ.msgs[i], *r = &RESP.msgs[i];
		uint32_t sid = (uint32_t)(1 + 2 * i);
		TK_CHECK(q->sid == sid && q->is_request && q->version == 20 &&
				 strcmp(q->method, i == 3 ? "POST" : "GET") == 0 &&
				 strcmp(q->target, paths[i]) == 0 &&
				 strcmp(q->authority, "127.0.0.1:18444") == 0,
			 "request %d: sid %u %s %s %s", i, q->sid, q->method, q->target,
			 q->authority);
		TK_CHECK(hget(q, ":scheme") && strcmp(hget(q, ":scheme"), "https") == 0,
			 "request %d :scheme", i);
		TK_CHECK(hget(q, "user-agent") && strcmp(hget(q, "user-agent"), "curl/7.88.1") == 0,
			 "request %d user-agent", i);
		TK_CHECK(q->ended && q->how == AS_HTTP_END_COMPLETE, "request %d end", i);
		TK_CHECK(r->sid == sid && !r->is_request && r->version == 20, "response %d sid %u",
			 i, r->sid);
		TK_CHECK(hget(r, "server") &&
				 strcmp(hget(r, "server"), "nghttpd nghttp2/1.52.0") == 0,
			 "response %d server header", i);
		TK_CHECK(strcmp(r->trailers, "x-trailer: yes\n") == 0, "response %d trailers: %s",
			 i, r->trailers);
		TK_CHECK(r->ended && r->how == AS_HTTP_END_COMPLETE && !r->stats.decode_failed,
			 "response %d end", i);
	}
	TK_CHECK(hget(&REQ.msgs[2], "accept-encoding") &&
			 strcmp(hget(&REQ.msgs[2], "accept-encoding"), "gzip") == 0,
		 "request 2 accept-encoding");
	TK_CHECK(REQ.msgs[0].body_len == 0 && REQ.msgs[3].body_len == upload_len &&
			 memcmp(REQ.msgs[3].body, upload, upload_len) == 0 &&
			 strcmp(REQ.msgs[3].ctype, "application/json") == 0 &&
			 REQ.msgs[3].clen == 85,
		 "POST body of %zu bytes", REQ.msgs[3].body_len);

	struct rmsg *r = RESP.msgs;
	TK_CHECK(r[0].status == 200 && strcmp(r[0].ctype, "text/html") == 0 && r[0].clen == 111 &&
			 r[0].body_len == index_len &&
			 memcmp(r[0].body, index_html, index_len) == 0,
		 "/index.html response: %d, %zu bytes", r[0].status, r[0].body_len);
	TK_CHECK(hget(&r[0], "cache-control") &&
			 strcmp(hget(&r[0], "cache-control"), "max-age=3600") == 0,
		 "cache-control");
	TK_CHECK(r[1].status == 200 && strcmp(r[1].ctype, "text/plain") == 0 &&
			 r[1].body_len == big_len && memcmp(r[1].body, big, big_len) == 0,
		 "/big.txt response: %zu bytes", r[1].body_len);
	TK_CHECK(r[1].stats.wire_bytes == big_len, "wire bytes %llu (padding excluded)",
		 (unsigned long long)r[1].stats.wire_bytes);
	TK_CHECK(r[2].status == 404 && strcmp(r[2].ctype, "text/html; charset=UTF-8") == 0 &&
			 r[2].body_len == page404_len &&
			 memcmp(r[2].body, page404, page404_len) == 0,
		 "/missing response: %d, %zu bytes", r[2].status, r[2].body_len);
	TK_CHECK(r[3].status == 200 && hget(&r[3], "nghttpd-response") &&
			 strcmp(hget(&r[3], "nghttpd-response"), "echo") == 0 &&
			 r[3].body_len == upload_len && memcmp(r[3].body, upload, upload_len) == 0,
		 "echo response: %zu bytes", r[3].body_len);
	TK_CHECK(REQ.n_errors == 0 && RESP.n_errors == 0, "errors:\n%s%s", REQ.errors, RESP.errors);
}

static void test_recorded(void)
{
	cli = read_data_file("h2_client.bin", &cli_len);
	srv = read_data_file("h2_server.bin", &srv_len);
	index_html = read_data_file("h2_index.html", &index_len);
	big = read_data_file("h2_big.txt", &big_len);
	page404 = read_data_file("h2_404.html", &page404_len);
	upload = read_data_file("h2_upload.json", &upload_len);
	TK_REQUIRE(cli && srv && index_html && big && page404 && upload, "data under %s",
		   AS_PROTO_DATA);

	char *whole = run_recorded(NULL, 0, NULL, 0);
	check_recorded();

	/* Interleaved as the capture saw it: client, then server, in turns. */
	struct as_http2 *c = new_conn(NULL);
	size_t ca = 0, sa = 0;
	while (ca < cli_len || sa < srv_len) {
		size_t cn = cli_len - ca < 37 ? cli_len - ca : 37;
		size_t sn = srv_len - sa < 1500 ? srv_len - sa : 1500;
		as_http2_feed(c, true, cli + ca, cn);
		as_http2_feed(c, false, srv + sa, sn);
		ca += cn;
		sa += sn;
	}
	as_http2_close(c);
	as_http2_free(c);
	char *t = both_dumps();
	TK_CHECK(strcmp(t, whole) == 0, "interleaved feed differs");
	free(t);

	/* Every split of the client stream; byte by byte. */
	for (size_t cut = 0; cut <= cli_len; cut++) {
		t = run_recorded(&cut, 1, NULL, 0);
		TK_CHECK(strcmp(t, whole) == 0, "client split at %zu differs", cut);
		free(t);
	}
	size_t *cuts = calloc(srv_len + 1, sizeof(*cuts));
	for (size_t i = 0; i < srv_len; i++)
		cuts[i] = i + 1;
	t = run_recorded(cuts, cli_len - 1, cuts, srv_len - 1);
	TK_CHECK(strcmp(t, whole) == 0, "byte-by-byte feed differs");
	free(t);
	free(cuts);
	/* The server stream split at every byte of its first kilobyte (the
	 * frame headers and header blocks) and at every 89th byte after. */
	for (size_t cut = 0; cut <= srv_len; cut += cut < 1024 ? 1 : 89) {
		t = run_recorded(NULL, 0, &cut, 1);
		TK_CHECK(strcmp(t, whole) == 0, "server split at %zu differs", cut);
		free(t);
	}
	free(whole);
	/* Leave the records holding the whole result for the checks above. */
	free(run_recorded(NULL, 0, NULL, 0));
	check_recorded();
}

/* ---- frames built here ------------------------------------------------------ */

struct buf {
	uint8_t d[1 << 17];
	size_t n;
};

static void frame(struct buf *b, uint8_t type, uint8_t flags, uint32_t sid, const void *p,
		  size_t len)
{
	uint8_t h[9] = {
		(uint8_t)(len >> 16), (uint8_t)(len >> 8),  (uint8_t)len,	 type,	      flags,
		(uint8_t)(sid >> 24), (uint8_t)(sid >> 16), (uint8_t)(sid >> 8), (uint8_t)sid};
	memcpy(b->d + b->n, h, 9);
	if (len)
		memcpy(b->d + b->n + 9, p, len);
	b->n += 9 + len;
}

/* HPACK literal field (RFC 7541 6.2): prefix 0x00 without indexing, 0x40
 * with incremental indexing; new name; lengths under 127. */
static size_t lit(uint8_t *o, uint8_t kind, const char *name, const char *value)
{
	size_t n = 0, nl = strlen(name), vl = strlen(value);
	o[n++] = kind;
	o[n++] = (uint8_t)nl;
	put_bytes(o + n, name, nl);
	n += nl;
	o[n++] = (uint8_t)vl;
	put_bytes(o + n, value, vl);
	return n + vl;
}

#define PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

static void start_client(struct buf *b)
{
	memcpy(b->d, PREFACE, 24);
	b->n = 24;
	frame(b, 4, 0, 0, NULL, 0); /* empty SETTINGS */
}

/* A request HEADERS block: GET (static index 2), scheme https (7), path, authority. */
static size_t request_block(uint8_t *o, const char *path)
{
	size_t n = 0;
	o[n++] = 0x82;
	o[n++] = 0x87;
	n += lit(o + n, 0x00, ":path", path);
	n += lit(o + n, 0x00, ":authority", "api.example.com");
	return n;
}

static void test_gzip_body(void)
{
	size_t gz_len, plain_len;
	uint8_t *gz = read_data_file("body.json.gz", &gz_len);
	uint8_t *plain = read_data_file("body.json", &plain_len);
	TK_REQUIRE(gz && plain, "data");
	static struct buf b;
	memset(&b, 0, sizeof(b));
	uint8_t blk[256];
	size_t n = 0;
	blk[n++] = 0x88; /* :status 200 */
	n += lit(blk + n, 0x00, "content-encoding", "gzip");
	n += lit(blk + n, 0x00, "content-type", "application/json");
	frame(&b, 1, 0x4, 1, blk, n);
	for (size_t at = 0; at < gz_len; at += 300) /* several DATA frames */
		frame(&b, 0, at + 300 >= gz_len ? 0x1 : 0, 1, gz + at,
		      gz_len - at < 300 ? gz_len - at : 300);
	struct as_http2 *c = new_conn(NULL);
	as_http2_feed(c, false, b.d, b.n);
	TK_CHECK(RESP.n == 1 && strcmp(RESP.msgs[0].cenc, "gzip") == 0 &&
			 RESP.msgs[0].body_len == plain_len &&
			 memcmp(RESP.msgs[0].body, plain, plain_len) == 0 && RESP.msgs[0].ended &&
			 RESP.msgs[0].how == AS_HTTP_END_COMPLETE &&
			 !RESP.msgs[0].stats.decode_failed &&
			 RESP.msgs[0].stats.wire_bytes == gz_len,
		 "gzip over HTTP/2: %zu bytes", RESP.n ? RESP.msgs[0].body_len : 0);
	as_http2_free(c);
	free(gz);
	free(plain);
}

static void test_frames(void)
{
	static struct buf cb, sb;
	uint8_t blk[512], p[600];
	size_t n;

	/* Client: HEADERS with PADDED and PRIORITY, the block split over two
	 * CONTINUATIONs; a padded DATA; trailers. */
	memset(&cb, 0, sizeof(cb));
	start_client(&cb);
	n = request_block(blk, "/v1/messages");
	blk[1] = 0x83; /* POST */
	n += lit(blk + n, 0x00, "content-type", "application/json");
	size_t k = 0;
	p[k++] = 3;				     /* pad length */
	put_bytes(p + k, "\x80\x00\x00\x00\x10", 5); /* exclusive, depends on 0, weight 16 */
	k += 5;
	memcpy(p + k, blk, 10);
	k += 10;
	put_bytes(p + k, "\0\0\0", 3);
	k += 3;
	frame(&cb, 1, 0x8 | 0x20, 1, p, k);
	frame(&cb, 9, 0, 1, blk + 10, 10);
	frame(&cb, 9, 0x4, 1, blk + 20, n - 20);
	k = 0;
	p[k++] = 5;
	put_bytes(p + k, "{\"a\":1}", 7);
	k += 7;
	memset(p + k, 0, 5);
	k += 5;
	frame(&cb, 0, 0x8, 1, p, k);
	frame(&cb, 2, 0, 1, "\x00\x00\x00\x00\x20", 5); /* PRIORITY */
	frame(&cb, 8, 0, 1, "\x00\x00\x10\x00", 4);	/* WINDOW_UPDATE */
	frame(&cb, 6, 0, 0, "12345678", 8);		/* PING */
	frame(&cb, 0xfa, 0, 0, "unknown", 7);		/* unknown type: skipped */
	n = lit(blk, 0x00, "x-checksum", "abc");
	frame(&cb, 1, 0x5, 1, blk, n); /* trailers, END_STREAM */

	/* Server: 103 Early Hints, then PUSH_PROMISE whose block adds an entry
	 * to the dynamic table, the pushed stream (not reported), then the
	 * response whose HEADERS uses that entry (index 62). */
	memset(&sb, 0, sizeof(sb));
	frame(&sb, 4, 0, 0, NULL, 0);
	n = 0;
	n += lit(blk + n, 0x00, ":status", "103");
	n += lit(blk + n, 0x00, "link", "</style.css>; rel=preload");
	frame(&sb, 1, 0x4, 1, blk, n);
	put_bytes(p, "\x00\x00\x00\x02", 4); /* promised stream 2 */
	k = 4;
	p[k++] = 0x82;
	k += lit(p + k, 0x40, "x-shared", "from-push"); /* indexed: dynamic entry 62 */
	k += lit(p + k, 0x00, ":path", "/pushed.css");
	frame(&sb, 5, 0x4, 1, p, k);
	n = 0;
	blk[n++] = 0x88;
	frame(&sb, 1, 0x4, 2, blk, n); /* pushed response */
	frame(&sb, 0, 0x1, 2, "body{}", 6);
	n = 0;
	blk[n++] = 0x88; /* :status 200 */
	blk[n++] = 0xbe; /* index 62: x-shared: from-push */
	frame(&sb, 1, 0x4, 1, blk, n);
	frame(&sb, 0, 0, 1, "hello ", 6);
	frame(&sb, 7, 0, 0, "\x00\x00\x00\x01\x00\x00\x00\x00", 8); /* GOAWAY, last 1 */
	frame(&sb, 0, 0x1, 1, "world", 5);

	struct as_http2 *c = new_conn(NULL);
	as_http2_feed(c, true, cb.d, cb.n);
	as_http2_feed(c, false, sb.d, sb.n);
	char *whole = both_dumps();
	TK_CHECK(REQ.n == 1 && strcmp(REQ.msgs[0].method, "POST") == 0 &&
			 strcmp(REQ.msgs[0].target, "/v1/messages") == 0 &&
			 strcmp(REQ.msgs[0].authority, "api.example.com") == 0 &&
			 strcmp(REQ.msgs[0].ctype, "application/json") == 0,
		 "request over CONTINUATIONs: %zu", REQ.n);
	TK_CHECK(REQ.n == 1 && REQ.msgs[0].body_len == 7 &&
			 memcmp(REQ.msgs[0].body, "{\"a\":1}", 7) == 0 &&
			 strcmp(REQ.msgs[0].trailers, "x-checksum: abc\n") == 0 &&
			 REQ.msgs[0].ended && REQ.msgs[0].how == AS_HTTP_END_COMPLETE,
		 "padded DATA and trailers");
	TK_CHECK(RESP.n == 2 && RESP.msgs[0].status == 103 && RESP.msgs[0].ended &&
			 RESP.msgs[1].status == 200,
		 "1xx then final: %zu responses", RESP.n);
	TK_CHECK(RESP.n == 2 && strstr(RESP.msgs[1].headers, "x-shared: from-push\n") != NULL,
		 "the PUSH_PROMISE block did not update the table: %s",
		 RESP.n == 2 ? RESP.msgs[1].headers : "");
	TK_CHECK(RESP.n == 2 && RESP.msgs[1].body_len == 11 &&
			 memcmp(RESP.msgs[1].body, "hello world", 11) == 0 && RESP.msgs[1].ended,
		 "response body");
	TK_CHECK(REQ.n_errors == 0 && RESP.n_errors == 0, "errors:\n%s%s", REQ.errors, RESP.errors);
	as_http2_free(c);

	/* The same frames byte by byte. */
	c = new_conn(NULL);
	for (size_t i = 0; i < cb.n; i++)
		as_http2_feed(c, true, cb.d + i, 1);
	for (size_t i = 0; i < sb.n; i++)
		as_http2_feed(c, false, sb.d + i, 1);
	as_http2_free(c);
	char *t = both_dumps();
	TK_CHECK(strcmp(t, whole) == 0, "byte-by-byte feed of built frames differs");
	free(t);
	free(whole);
}

/* A head of 40 fields, about 2.5 KB decoded: the place the fields are kept
 * grows while the block decodes (a use after free found by fuzzing lived
 * here); every field must come out intact. */
static void test_big_head(void)
{
	static struct buf b;
	uint8_t blk[4096];
	memset(&b, 0, sizeof(b));
	start_client(&b);
	size_t n = request_block(blk, "/many");
	for (int i = 0; i < 40; i++) {
		char name[16], value[64];
		snprintf(name, sizeof(name), "x-field-%02d", i);
		snprintf(value, sizeof(value), "value %02d %s", i,
			 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN");
		n += lit(blk + n, i % 2 ? 0x40 : 0x00, name, value);
	}
	frame(&b, 1, 0x5, 1, blk, n);
	struct as_http2 *c = new_conn(NULL);
	as_http2_feed(c, true, b.d, b.n);
	TK_REQUIRE(REQ.n == 1, "%zu requests: %s", REQ.n, REQ.errors);
	struct rmsg *m = &REQ.msgs[0];
	TK_CHECK(m->n_headers == 44 && strcmp(m->target, "/many") == 0 &&
			 strcmp(m->authority, "api.example.com") == 0,
		 "%zu headers, target %s", m->n_headers, m->target);
	for (int i = 0; i < 40; i++) {
		char line[128];
		snprintf(line, sizeof(line), "x-field-%02d: value %02d %s\n", i, i,
			 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN");
		TK_CHECK(strstr(m->headers, line) != NULL, "field %d damaged", i);
	}
	as_http2_free(c);
}

static void test_rst_and_close(void)
{
	static struct buf cb1, cb2, sb1, sb2;
	uint8_t blk[256];
	memset(&cb1, 0, sizeof(cb1));
	memset(&cb2, 0, sizeof(cb2));
	memset(&sb1, 0, sizeof(sb1));
	memset(&sb2, 0, sizeof(sb2));
	start_client(&cb1);
	size_t n = request_block(blk, "/stream");
	frame(&cb1, 1, 0x5, 1, blk, n);
	frame(&cb1, 1, 0x5, 3, blk, n);
	blk[0] = 0x88;
	frame(&sb1, 1, 0x4, 1, blk, 1);
	frame(&sb1, 0, 0, 1, "data: partial\n", 14);
	frame(&sb1, 1, 0x4, 3, blk, 1);
	frame(&cb2, 3, 0, 1, "\x00\x00\x00\x08", 4); /* RST_STREAM CANCEL by the client */
	frame(&sb2, 0, 0x0, 3, "abc", 3);
	frame(&sb2, 0, 0x0, 3, "defgh", 5); /* cut below */
	struct as_http2 *c = new_conn(NULL);
	as_http2_feed(c, true, cb1.d, cb1.n);
	as_http2_feed(c, false, sb1.d, sb1.n);
	as_http2_feed(c, true, cb2.d, cb2.n);
	as_http2_feed(c, false, sb2.d, sb2.n - 3);
	TK_CHECK(RESP.n == 2 && RESP.msgs[0].ended && RESP.msgs[0].how == AS_HTTP_END_TRUNCATED &&
			 RESP.msgs[0].body_len == 14,
		 "RST_STREAM: response 1 not truncated");
	TK_CHECK(RESP.n == 2 && !RESP.msgs[1].ended, "stream 3 ended early");
	as_http2_close(c);
	TK_CHECK(RESP.n == 2 && RESP.msgs[1].ended && RESP.msgs[1].how == AS_HTTP_END_TRUNCATED &&
			 RESP.msgs[1].body_len == 5,
		 "close inside a DATA frame: %zu bytes", RESP.n == 2 ? RESP.msgs[1].body_len : 0);
	as_http2_free(c);
}

static void test_settings_table_size(void)
{
	static struct buf cb, sb;
	uint8_t blk[256];
	memset(&cb, 0, sizeof(cb));
	memset(&sb, 0, sizeof(sb));
	/* The client raises its decoder table to 8192; the server's encoder
	 * follows with a size update to 8192, legal only after that. */
	memcpy(cb.d, PREFACE, 24);
	cb.n = 24;
	frame(&cb, 4, 0, 0, "\x00\x01\x00\x00\x20\x00", 6);
	size_t n = 0;
	blk[n++] = 0x3f; /* size update 8192: 31 + 8161 */
	blk[n++] = 0xe1;
	blk[n++] = 0x3f;
	blk[n++] = 0x88;
	frame(&sb, 1, 0x5, 1, blk, n);
	struct as_http2 *c = new_conn(NULL);
	as_http2_feed(c, true, cb.d, cb.n);
	as_http2_feed(c, false, sb.d, sb.n);
	TK_CHECK(RESP.n == 1 && RESP.msgs[0].status == 200 && RESP.n_errors == 0,
		 "size update after SETTINGS: %s", RESP.errors);
	as_http2_free(c);
	/* Without the SETTINGS the same block is a compression error. */
	c = new_conn(NULL);
	as_http2_feed(c, false, sb.d, sb.n);
	TK_CHECK(RESP.n == 0 && RESP.n_errors == 1 && strstr(RESP.errors, "table size"),
		 "size update over 4096 accepted: %s", RESP.errors);
	as_http2_free(c);
}

static void test_stream_limit(void)
{
	static struct buf cb;
	uint8_t blk[256];
	memset(&cb, 0, sizeof(cb));
	start_client(&cb);
	size_t n = request_block(blk, "/x");
	for (uint32_t sid = 1; sid <= 5; sid += 2)
		frame(&cb, 1, 0x4, sid, blk, n); /* three open requests */
	frame(&cb, 0, 0x1, 5, "dropped", 7);
	frame(&cb, 0, 0x1, 1, "kept", 4);
	struct as_http_limits lim = {.max_streams = 2};
	struct as_http2 *c = new_conn(&lim);
	as_http2_feed(c, true, cb.d, cb.n);
	TK_CHECK(REQ.n == 2 && REQ.n_errors == 1 && strstr(REQ.errors, "more than 2 streams"),
		 "stream limit: %zu requests, errors %s", REQ.n, REQ.errors);
	TK_CHECK(as_http2_counters(c, true)->bytes_dropped == 7, "dropped %llu",
		 (unsigned long long)as_http2_counters(c, true)->bytes_dropped);
	TK_CHECK(REQ.msgs[0].ended && REQ.msgs[0].body_len == 4, "stream 1");
	as_http2_free(c);
}

/* Feeds a client stream (preface included) and returns how many errors came. */
static size_t client_errors(const struct buf *b, const struct as_http_limits *lim)
{
	struct as_http2 *c = new_conn(lim);
	as_http2_feed(c, true, b->d, b->n);
	as_http2_close(c);
	as_http2_free(c);
	return REQ.n_errors;
}

static void test_malformed(void)
{
	static struct buf b;
	uint8_t blk[512];
	size_t n;

	/* Bad HPACK index: the direction stops, its open message ends with an error. */
	memset(&b, 0, sizeof(b));
	start_client(&b);
	n = request_block(blk, "/a");
	frame(&b, 1, 0x4, 1, blk, n);
	frame(&b, 1, 0x5, 3, "\xff\x7f", 2); /* index 127 + 127, table empty */
	frame(&b, 1, 0x5, 5, blk, n);
	TK_CHECK(client_errors(&b, NULL) == 1 && REQ.n == 1 && REQ.msgs[0].ended &&
			 REQ.msgs[0].how == AS_HTTP_END_ERROR,
		 "bad HPACK index: %zu messages, errors %s", REQ.n, REQ.errors);
	TK_CHECK(strstr(REQ.errors, "index 254") != NULL, "message names the index: %s",
		 REQ.errors);

	/* HEADERS without END_HEADERS followed by DATA. */
	memset(&b, 0, sizeof(b));
	start_client(&b);
	frame(&b, 1, 0x0, 1, blk, n);
	frame(&b, 0, 0x1, 1, "x", 1);
	TK_CHECK(client_errors(&b, NULL) == 1 && REQ.n == 0 && strstr(REQ.errors, "CONTINUATION"),
		 "missing CONTINUATION: %s", REQ.errors);

	/* An empty HEADERS frame (found by fuzzing): an empty block, no :method. */
	memset(&b, 0, sizeof(b));
	start_client(&b);
	frame(&b, 1, 0x5, 1, NULL, 0);
	frame(&b, 1, 0x8 | 0x5, 3, "\x00", 1); /* padded, pad length 0, empty block */
	TK_CHECK(client_errors(&b, NULL) == 2 && REQ.n == 0 && strstr(REQ.errors, "malformed"),
		 "empty HEADERS: %s", REQ.errors);

	/* CONTINUATION out of the blue. */
	memset(&b, 0, sizeof(b));
	start_client(&b);
	frame(&b, 9, 0x4, 1, blk, n);
	TK_CHECK(client_errors(&b, NULL) == 1, "stray CONTINUATION");

	/* Padding as long as the frame. */
	memset(&b, 0, sizeof(b));
	start_client(&b);
	frame(&b, 1, 0x4, 1, blk, n);
	frame(&b, 0, 0x8 | 0x1, 1,
	      "\x05"
	      "abcd",
	      5);
	TK_CHECK(client_errors(&b, NULL) == 1 && REQ.n == 1 && REQ.msgs[0].how == AS_HTTP_END_ERROR,
		 "DATA padding >= length: %s", REQ.errors);
	memset(&b, 0, sizeof(b));
	start_client(&b);
	uint8_t p[64] = {40};
	memcpy(p + 1, blk, n);
	frame(&b, 1, 0x8 | 0x4, 1, p, n + 1);
	TK_CHECK(client_errors(&b, NULL) == 1 && REQ.n == 0, "HEADERS padding over length");

	/* Frames with the wrong stream or size. */
	memset(&b, 0, sizeof(b));
	start_client(&b);
	frame(&b, 0, 0x1, 0, "x", 1);
	TK_CHECK(client_errors(&b, NULL) == 1, "DATA on stream 0");
	memset(&b, 0, sizeof(b));
	start_client(&b);
	frame(&b, 4, 0, 0, "\x00\x01\x00", 3);
	TK_CHECK(client_errors(&b, NULL) == 1, "SETTINGS of 3 bytes");
	memset(&b, 0, sizeof(b));
	start_client(&b);
	frame(&b, 6, 0, 0, "1234", 4);
	TK_CHECK(client_errors(&b, NULL) == 1, "PING of 4 bytes");
	memset(&b, 0, sizeof(b));
	start_client(&b);
	frame(&b, 4, 0, 0, "\x00\x05\x00\x00\x00\x10", 6); /* max frame 16 */
	TK_CHECK(client_errors(&b, NULL) == 1, "SETTINGS_MAX_FRAME_SIZE 16");
	memset(&b, 0, sizeof(b));
	start_client(&b);
	frame(&b, 5, 0x4, 1, "\x00\x00\x00\x02\x82", 5);
	TK_CHECK(client_errors(&b, NULL) == 1, "PUSH_PROMISE from a client");

	/* Not the preface. */
	memset(&b, 0, sizeof(b));
	memcpy(b.d, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
	b.n = 27;
	TK_CHECK(client_errors(&b, NULL) == 1 && REQ.n == 0, "HTTP/1.1 taken for HTTP/2");

	/* A header block over 4 x max_head_bytes. */
	memset(&b, 0, sizeof(b));
	start_client(&b);
	uint8_t big[3000];
	size_t bn = request_block(big, "/big");
	big[bn++] = 0x00;
	big[bn++] = 0x01;
	big[bn++] = 'x';
	big[bn++] = 0x7f; /* value length 127 + 2000 */
	big[bn++] = 0xd1;
	big[bn++] = 0x0f;
	memset(big + bn, 'v', 2127);
	bn += 2127;
	frame(&b, 1, 0x5, 1, big, bn);
	struct as_http_limits lim = {.max_head_bytes = 512};
	TK_CHECK(client_errors(&b, &lim) == 1 && REQ.n == 0 && strstr(REQ.errors, "over 2048"),
		 "oversize header block: %s", REQ.errors);

	/* A header list over max_head_bytes but a block under 4x: that stream
	 * is skipped, HPACK stays in step, the next stream is fine. */
	memset(&b, 0, sizeof(b));
	start_client(&b);
	bn = request_block(big, "/big");
	big[bn++] = 0x40; /* incremental indexing: the table must get it */
	big[bn++] = 0x01;
	big[bn++] = 'y';
	big[bn++] = 0x7f; /* 127 + 500 = 627 */
	big[bn++] = 0xf4;
	big[bn++] = 0x03;
	memset(big + bn, 'w', 627);
	bn += 627;
	bn += lit(big + bn, 0x40, "z", "small"); /* entry 62; y is 63 */
	frame(&b, 1, 0x5, 1, big, bn);
	n = request_block(blk, "/after");
	blk[n++] = 0xbe; /* z: small, from the table */
	frame(&b, 1, 0x5, 3, blk, n);
	struct as_http_limits lim2 = {.max_head_bytes = 600};
	client_errors(&b, &lim2);
	TK_CHECK(REQ.n == 1 && strcmp(REQ.msgs[0].target, "/after") == 0 && REQ.n_errors == 1,
		 "oversize list: %zu requests, errors %s", REQ.n, REQ.errors);
	TK_CHECK(REQ.n == 1 && strstr(REQ.msgs[0].headers, "z: small\n") != NULL,
		 "HPACK out of step after an oversize list: %s", REQ.n ? REQ.msgs[0].headers : "");

	/* A frame cut by the close: the open request ends truncated. */
	memset(&b, 0, sizeof(b));
	start_client(&b);
	n = request_block(blk, "/cut");
	frame(&b, 1, 0x4, 1, blk, n);
	frame(&b, 0, 0x1, 1, "0123456789", 10);
	b.n -= 4;
	client_errors(&b, NULL);
	TK_CHECK(REQ.n == 1 && REQ.msgs[0].ended && REQ.msgs[0].how == AS_HTTP_END_TRUNCATED &&
			 REQ.msgs[0].body_len == 6,
		 "cut frame: %zu bytes", REQ.n ? REQ.msgs[0].body_len : 0);
}

static void test_gaps(void)
{
	static struct buf b;
	uint8_t blk[256];
	memset(&b, 0, sizeof(b));
	start_client(&b);
	size_t n = request_block(blk, "/g");
	frame(&b, 1, 0x4, 1, blk, n);
	size_t data_at = b.n + 9;
	frame(&b, 0, 0x0, 1, "0123456789", 10);
	frame(&b, 0, 0x1, 1, "end", 3);
	size_t after = b.n;
	frame(&b, 1, 0x5, 3, blk, n);

	/* Lost bytes inside a DATA payload: skipped, counted, parsing goes on. */
	struct as_http2 *c = new_conn(NULL);
	as_http2_feed(c, true, b.d, data_at + 2);
	as_http2_gap(c, true, 5);
	as_http2_feed(c, true, b.d + data_at + 7, b.n - data_at - 7);
	TK_CHECK(REQ.n == 2 && REQ.msgs[0].body_len == 8 && REQ.msgs[0].stats.lost_bytes == 5 &&
			 REQ.msgs[0].how == AS_HTTP_END_COMPLETE && REQ.msgs[1].ended,
		 "gap in DATA: %zu requests", REQ.n);
	as_http2_free(c);

	/* Lost bytes across a frame header: the direction stops; open messages
	 * end truncated; the server side is unaffected. */
	c = new_conn(NULL);
	as_http2_feed(c, true, b.d, data_at + 2);
	as_http2_gap(c, true, 20);
	as_http2_feed(c, true, b.d + data_at + 22, after - data_at - 22);
	as_http2_feed(c, true, b.d + after, b.n - after);
	static struct buf sb;
	memset(&sb, 0, sizeof(sb));
	blk[0] = 0x88;
	frame(&sb, 1, 0x5, 1, blk, 1);
	as_http2_feed(c, false, sb.d, sb.n);
	TK_CHECK(REQ.n == 1 && REQ.msgs[0].how == AS_HTTP_END_TRUNCATED && REQ.n_errors == 1,
		 "gap over a frame header: %zu requests, %s", REQ.n, REQ.errors);
	TK_CHECK(RESP.n == 1 && RESP.msgs[0].status == 200, "server side stopped too");
	TK_CHECK(as_http2_counters(c, true)->bytes_lost == 20, "lost bytes not counted");
	as_http2_free(c);

	/* Lost pad length of a padded DATA frame: the rest of that frame cannot
	 * be told from its padding and is dropped; the next frame is parsed. */
	memset(&b, 0, sizeof(b));
	start_client(&b);
	n = request_block(blk, "/p");
	frame(&b, 1, 0x4, 1, blk, n);
	size_t pad_at = b.n + 9;
	frame(&b, 0, 0x8, 1,
	      "\x02"
	      "abcdef\0\0",
	      9);
	frame(&b, 0, 0x1, 1, "tail", 4);
	c = new_conn(NULL);
	as_http2_feed(c, true, b.d, pad_at);
	as_http2_gap(c, true, 1);
	as_http2_feed(c, true, b.d + pad_at + 1, b.n - pad_at - 1);
	TK_CHECK(REQ.n == 1 && REQ.msgs[0].body_len == 4 &&
			 memcmp(REQ.msgs[0].body, "tail", 4) == 0 &&
			 REQ.msgs[0].how == AS_HTTP_END_COMPLETE &&
			 REQ.msgs[0].stats.lost_bytes == 1 && REQ.n_errors == 0,
		 "gap over a pad length: %zu bytes, %s", REQ.n ? REQ.msgs[0].body_len : 0,
		 REQ.errors);
	TK_CHECK(as_http2_counters(c, true)->bytes_dropped == 8, "rest of the frame: dropped %llu",
		 (unsigned long long)as_http2_counters(c, true)->bytes_dropped);
	as_http2_free(c);
}

static void test_garbage(void)
{
	/* Random bytes after a valid preface: no crash, no invented messages. */
	uint8_t junk[8192];
	put_bytes(junk, PREFACE, 24);
	uint32_t x = 99;
	for (size_t i = 24; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (uint8_t)(x >> 16);
	}
	struct as_http2 *c = new_conn(NULL);
	as_http2_feed(c, true, junk, sizeof(junk));
	as_http2_feed(c, false, junk + 24, sizeof(junk) - 24);
	as_http2_close(c);
	const struct as_http_counters *cc = as_http2_counters(c, true);
	TK_CHECK(cc->bytes_parsed + cc->bytes_dropped == sizeof(junk), "client counters");
	TK_CHECK(REQ.n_errors >= 1 && RESP.n_errors >= 1, "garbage raised no error");
	as_http2_free(c);
}

int main(void)
{
	test_recorded();
	test_gzip_body();
	test_frames();
	test_big_head();
	test_rst_and_close();
	test_settings_table_size();
	test_stream_limit();
	test_malformed();
	test_gaps();
	test_garbage();
	rec_reset(&REQ);
	rec_reset(&RESP);
	free(cli);
	free(srv);
	free(index_html);
	free(big);
	free(page404);
	free(upload);
	return tk_finish();
}
