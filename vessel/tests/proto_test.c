/* proto_test.c: the dock protocol's frames (proto.h) and pre-copied pages
 * (pagestore.h) against hand-written bytes and malformed input.
 *
 * The golden frame is written out byte by byte from the format in
 * docs/vessels.md ("Dock protocol"), not produced by the encoder. Broken
 * frames: bad magic, unknown types and tags, reserved bytes set, lengths
 * beyond the limit or the payload, every truncation, malformed typed fields
 * and PAGES fields, a stream cut short and a peer announcing more than the
 * limit. With --write-seeds DIR it writes the fuzz seeds of fuzz_dock_msg.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pagestore.h"
#include "proto.h"
#include "testkit.h"

/* HELLO carrying the token "abc": magic, type 1, three zero bytes, payload
 * length 8; one field: tag 1, length 3, "abc". */
static const uint8_t hello_abc[] = {'V', 'S', 'L', 'D', 1, 0, 0, 0,   8,   0,
				    0,	 0,   1,   3,	0, 0, 0, 'a', 'b', 'c'};

static int parse_frame(const uint8_t *f, size_t n, vsl_msg *m, char *err, size_t errlen)
{
	uint8_t type;
	uint32_t len;
	memset(m, 0, sizeof(*m));
	if (n < VSL_MSG_HDR) {
		snprintf(err, errlen, "short");
		return -1;
	}
	if (vsl_msg_header(f, VSL_MSG_MAX, &type, &len, err, errlen) < 0)
		return -1;
	if (len != n - VSL_MSG_HDR) {
		snprintf(err, errlen, "length");
		return -1;
	}
	return vsl_msg_parse(type, f + VSL_MSG_HDR, len, m, err, errlen);
}

static void test_golden(void)
{
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_HELLO);
	vsl_buf_add(&b, VSL_F_TOKEN, "abc", 3);
	TK_REQUIRE(vsl_buf_finish(&b) == 0, "finish");
	TK_CHECK(b.len == sizeof(hello_abc) && memcmp(b.p, hello_abc, b.len) == 0,
		 "the encoder writes the documented bytes");
	vsl_buf_free(&b);

	vsl_msg m;
	char err[256];
	TK_REQUIRE(parse_frame(hello_abc, sizeof(hello_abc), &m, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(m.type == VSL_MSG_HELLO && m.nfields == 1, "one field of HELLO");
	const vsl_field *t = vsl_msg_get(&m, VSL_F_TOKEN);
	TK_CHECK(t && t->len == 3 && memcmp(t->data, "abc", 3) == 0, "token field");
	vsl_msg_clear(&m);

	/* a u64 field: 0x0102030405060708 little-endian */
	static const uint8_t idf[] = {'V', 'S', 'L', 'D', 9, 0, 0, 0, 13, 0, 0, 0, 2,
				      8,   0,	0,   0,	  8, 7, 6, 5, 4,  3, 2, 1};
	TK_REQUIRE(parse_frame(idf, sizeof(idf), &m, err, sizeof(err)) == 0, "%s", err);
	uint64_t v = 0;
	TK_CHECK(m.type == VSL_MSG_KILL, "KILL is type 9");
	TK_CHECK(vsl_msg_u64(&m, VSL_F_ID, 0, &v) == 0 && v == 0x0102030405060708ull,
		 "u64 is little-endian: %llx", (unsigned long long)v);
	TK_CHECK(vsl_msg_u64(&m, VSL_F_HOLD, 42, &v) == 0 && v == 42, "absent: default");
	vsl_msg_clear(&m);
}

static void expect_bad(const uint8_t *f, size_t n, const char *what, const char *needle)
{
	vsl_msg m;
	char err[256] = "";
	int rc = parse_frame(f, n, &m, err, sizeof(err));
	TK_CHECK(rc < 0, "%s: refused", what);
	if (needle)
		TK_CHECK(strstr(err, needle) != NULL, "%s: message '%s' says '%s'", what, err,
			 needle);
	vsl_msg_clear(&m);
}

static void test_malformed(void)
{
	uint8_t f[sizeof(hello_abc)];
	memcpy(f, hello_abc, sizeof(f));
	f[0] = 'X';
	expect_bad(f, sizeof(f), "bad magic", "magic");
	memcpy(f, hello_abc, sizeof(f));
	f[4] = 0;
	expect_bad(f, sizeof(f), "type 0", "unknown type");
	f[4] = VSL_MSG_TYPE_LAST + 1;
	expect_bad(f, sizeof(f), "type past the last", "unknown type");
	memcpy(f, hello_abc, sizeof(f));
	f[6] = 1;
	expect_bad(f, sizeof(f), "reserved byte", "reserved");
	memcpy(f, hello_abc, sizeof(f));
	f[12] = 0;
	expect_bad(f, sizeof(f), "tag 0", "unknown tag");
	f[12] = VSL_F_LAST + 1;
	expect_bad(f, sizeof(f), "tag past the last", "unknown tag");
	memcpy(f, hello_abc, sizeof(f));
	f[13] = 4;
	expect_bad(f, sizeof(f), "field longer than the payload", "beyond the payload");
	f[13] = 0xff, f[14] = 0xff, f[15] = 0xff, f[16] = 0xff;
	expect_bad(f, sizeof(f), "field length 2^32-1", "beyond the payload");

	uint8_t type;
	uint32_t len;
	char err[256];
	memcpy(f, hello_abc, sizeof(f));
	TK_CHECK(vsl_msg_header(f, 7, &type, &len, err, sizeof(err)) < 0 &&
			 strstr(err, "at most 7"),
		 "a payload over the limit is refused: %s", err);

	/* every truncation of the payload inside its field is refused */
	for (size_t cut = 1; cut < 8; cut++) {
		vsl_msg m;
		TK_CHECK(vsl_msg_parse(VSL_MSG_HELLO, hello_abc + VSL_MSG_HDR, 8 - cut, &m, err,
				       sizeof(err)) < 0,
			 "payload cut by %zu bytes refused", cut);
		vsl_msg_clear(&m);
	}

	/* typed fields of the wrong shape */
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_RUN);
	vsl_buf_add(&b, VSL_F_ID, "1234567", 7);
	vsl_buf_add(&b, VSL_F_STDOUT, "a\0b", 3);
	vsl_buf_add(&b, VSL_F_STDERR, "0123456789", 10);
	TK_REQUIRE(vsl_buf_finish(&b) == 0, "finish");
	vsl_msg m;
	TK_REQUIRE(parse_frame(b.p, b.len, &m, err, sizeof(err)) == 0, "%s", err);
	uint64_t v;
	char *s = NULL;
	TK_CHECK(vsl_msg_u64(&m, VSL_F_ID, 0, &v) < 0, "a 7-byte u64 is refused");
	TK_CHECK(vsl_msg_str(&m, VSL_F_STDOUT, 100, &s) < 0 && !s, "a NUL inside text is refused");
	TK_CHECK(vsl_msg_str(&m, VSL_F_STDERR, 9, &s) < 0 && !s, "text over its limit is refused");
	TK_CHECK(vsl_msg_str(&m, VSL_F_STDERR, 10, &s) == 0 && s && strcmp(s, "0123456789") == 0,
		 "text at its limit is kept");
	free(s);
	vsl_msg_clear(&m);
	vsl_buf_free(&b);
}

static void test_token(void)
{
	const uint8_t *a = (const uint8_t *)"secret-token", *b = (const uint8_t *)"secret-tokem";
	TK_CHECK(vsl_token_equal(a, 12, a, 12), "equal tokens");
	TK_CHECK(!vsl_token_equal(a, 12, b, 12), "last byte differs");
	TK_CHECK(!vsl_token_equal(a, 12, a, 11), "a prefix is not the token");
	TK_CHECK(!vsl_token_equal(a, 12, (const uint8_t *)"", 0), "empty is not the token");
}

/* A PAGES field: memory mem, pages listed in pg (each filled with fill+i). */
static void pages_field(vsl_buf *b, uint32_t mem, const uint32_t *pg, uint32_t n, uint8_t fill)
{
	size_t at = vsl_buf_open_field(b, VSL_F_PAGES);
	uint8_t h[8] = {(uint8_t)mem, 0, 0, 0, (uint8_t)n, 0, 0, 0};
	vsl_buf_raw(b, h, 8);
	static uint8_t page[VSL_PAGE_SIZE];
	for (uint32_t i = 0; i < n; i++) {
		uint8_t p4[4] = {(uint8_t)pg[i], (uint8_t)(pg[i] >> 8), (uint8_t)(pg[i] >> 16),
				 (uint8_t)(pg[i] >> 24)};
		vsl_buf_raw(b, p4, 4);
		memset(page, fill + (int)i, sizeof(page));
		vsl_buf_raw(b, page, sizeof(page));
	}
	vsl_buf_close_field(b, at);
}

static int store_one(vsl_page_store *st, uint32_t mem, const uint32_t *pg, uint32_t n, char *err,
		     size_t errlen)
{
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_PAGES);
	pages_field(&b, mem, pg, n, 7);
	vsl_msg m;
	int rc = vsl_buf_finish(&b) == 0 && parse_frame(b.p, b.len, &m, err, errlen) == 0
			 ? vsl_store_pages(st, vsl_msg_get(&m, VSL_F_PAGES), err, errlen)
			 : -1;
	vsl_msg_clear(&m);
	vsl_buf_free(&b);
	return rc;
}

static void test_pages(void)
{
	vsl_page_store st = {0};
	char err[256] = "";
	uint32_t pg[2] = {3, 1};
	TK_CHECK(store_one(&st, 0, pg, 2, err, sizeof(err)) == 0, "two pages stored: %s", err);
	TK_CHECK(st.bytes == (uint64_t)2 * VSL_PAGE_SIZE, "their bytes counted");
	uint32_t bad = VSL_MAX_PAGES;
	TK_CHECK(store_one(&st, 0, &bad, 1, err, sizeof(err)) < 0 && strstr(err, "beyond"),
		 "a page index past the limit is refused: %s", err);
	TK_CHECK(store_one(&st, VSL_MAX_MEMORIES, pg, 1, err, sizeof(err)) < 0 &&
			 strstr(err, "memory"),
		 "a memory index past the limit is refused: %s", err);
	/* a count that does not match the field's length */
	vsl_field f = {.tag = VSL_F_PAGES, .len = 8, .data = (const uint8_t *)"\0\0\0\0\1\0\0\0"};
	TK_CHECK(vsl_store_pages(&st, &f, err, sizeof(err)) < 0 && strstr(err, "do not fit"),
		 "a count beyond the field is refused: %s", err);
	f.len = 7;
	TK_CHECK(vsl_store_pages(&st, &f, err, sizeof(err)) < 0, "a truncated field is refused");

	/* merged under an image with one run of its own for page 3 */
	vsl_memory mem = {.pages = 4};
	uint8_t own[VSL_PAGE_SIZE];
	memset(own, 0xee, sizeof(own));
	vsl_page_run *runs = malloc(sizeof(*runs));
	TK_REQUIRE(runs != NULL, "malloc");
	runs[0] = (vsl_page_run){0, 3, 1, own};
	vsl_image img = {.nmemories = 1, .memories = &mem, .nruns = 1, .runs = runs};
	TK_CHECK(vsl_store_merge(&st, &img, err, sizeof(err)) == 0, "merge: %s", err);
	TK_CHECK(img.nruns == 3, "two stored runs and the image's own");
	if (img.nruns == 3) {
		TK_CHECK(img.runs[0].first == 1 && img.runs[0].data[0] == 8, "page 1 first");
		TK_CHECK(img.runs[1].first == 3 && img.runs[1].data[0] == 7, "then page 3");
		TK_CHECK(img.runs[2].first == 3 && img.runs[2].data[0] == 0xee,
			 "the image's own run last, so it wins");
	}
	free(img.runs);
	/* a stored page outside the image's memory is refused */
	mem.pages = 2;
	runs = malloc(sizeof(*runs));
	TK_REQUIRE(runs != NULL, "malloc");
	img = (vsl_image){.nmemories = 1, .memories = &mem, .nruns = 0, .runs = runs};
	TK_CHECK(vsl_store_merge(&st, &img, err, sizeof(err)) < 0 && strstr(err, "outside"),
		 "a stored page beyond the memory is refused: %s", err);
	free(img.runs);
	vsl_store_free(&st);
}

static void test_stream(void)
{
	int sv[2];
	TK_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	vsl_msg m;
	uint8_t *p;
	char err[256];
	TK_CHECK(write(sv[0], hello_abc, sizeof(hello_abc)) == (ssize_t)sizeof(hello_abc), "w");
	TK_CHECK(vsl_recv_msg(sv[1], VSL_MSG_MAX, NULL, &m, &p, err, sizeof(err)) == 0 &&
			 m.type == VSL_MSG_HELLO,
		 "a frame received whole");
	vsl_msg_clear(&m);
	free(p);
	/* a header announcing more than the limit */
	TK_CHECK(write(sv[0], hello_abc, sizeof(hello_abc)) == (ssize_t)sizeof(hello_abc), "w");
	TK_CHECK(vsl_recv_msg(sv[1], 4, NULL, &m, &p, err, sizeof(err)) < 0 &&
			 strstr(err, "at most"),
		 "over the limit refused: %s", err);
	vsl_msg_clear(&m);
	/* the rest of that frame is still queued; drain it */
	uint8_t junk[8];
	TK_CHECK(read(sv[1], junk, 8) == 8, "drain");
	/* a frame cut short by the peer closing */
	TK_CHECK(write(sv[0], hello_abc, sizeof(hello_abc) - 2) == (ssize_t)sizeof(hello_abc) - 2,
		 "w");
	close(sv[0]);
	TK_CHECK(vsl_recv_msg(sv[1], VSL_MSG_MAX, NULL, &m, &p, err, sizeof(err)) < 0 &&
			 strstr(err, "connection lost"),
		 "a cut frame refused: %s", err);
	vsl_msg_clear(&m);
	TK_CHECK(vsl_recv_msg(sv[1], VSL_MSG_MAX, NULL, &m, &p, err, sizeof(err)) == 1,
		 "then a clean end of stream");
	close(sv[1]);
}

static void write_seed(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n)
		fprintf(stderr, "cannot write %s\n", path);
	if (f)
		fclose(f);
}

static void write_seeds(const char *dir)
{
	write_seed(dir, "hello", hello_abc, sizeof(hello_abc));
	uint8_t bad[sizeof(hello_abc)];
	memcpy(bad, hello_abc, sizeof(bad));
	bad[13] = 9;
	write_seed(dir, "hello-field-too-long", bad, sizeof(bad));
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_RUN);
	vsl_buf_add(&b, VSL_F_MODULE, "\0asm\1\0\0\0", 8);
	vsl_buf_add_str(&b, VSL_F_ARG, "prog");
	vsl_buf_add_str(&b, VSL_F_ENV, "A=1");
	vsl_buf_add_str(&b, VSL_F_STDOUT, "/tmp/out");
	vsl_buf_add_u64(&b, VSL_F_HOLD, 1000);
	if (vsl_buf_finish(&b) == 0)
		write_seed(dir, "run", b.p, b.len);
	vsl_buf_free(&b);
	vsl_buf_begin(&b, VSL_MSG_PAGES);
	uint32_t pg = 2;
	pages_field(&b, 0, &pg, 1, 1);
	if (vsl_buf_finish(&b) == 0)
		write_seed(dir, "pages", b.p, b.len);
	vsl_buf_free(&b);
	vsl_buf_begin(&b, VSL_MSG_PAGES);
	vsl_buf_add(&b, VSL_F_PAGES, "\0\0\0\0\5\0\0\0\1\0\0\0", 12);
	if (vsl_buf_finish(&b) == 0)
		write_seed(dir, "pages-count-wrong", b.p, b.len);
	vsl_buf_free(&b);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0) {
		write_seeds(argv[2]);
		return 0;
	}
	test_golden();
	test_malformed();
	test_token();
	test_pages();
	test_stream();
	return tk_finish();
}
