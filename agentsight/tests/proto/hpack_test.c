/* hpack_test: the HPACK decoder against every example of RFC 7541 Appendix C
 * (integers, single representations, the request and response sequences
 * with and without Huffman coding, with the dynamic table checked after each
 * block against the RFC's listing), the Huffman table's own consistency, and
 * malformed blocks: bad indices, integer overflow, truncation, Huffman
 * padding errors and EOS, misplaced or oversize table size updates, and the
 * header list limit.
 */
#include "hpack.h"
#include "rec.h"
#include "testkit.h"

struct field {
	const char *name, *value;
};

struct got {
	char names[64][128];
	char values[64][128];
	unsigned flags[64];
	size_t n;
};

static bool collect(void *ctx, const char *name, size_t nl, const char *value, size_t vl,
		    unsigned flags)
{
	struct got *g = ctx;
	if (g->n == 64)
		return false;
	TK_CHECK(strlen(name) == nl && strlen(value) == vl, "field lengths disagree with NULs");
	snprintf(g->names[g->n], sizeof(g->names[0]), "%s", name);
	snprintf(g->values[g->n], sizeof(g->values[0]), "%s", value);
	g->flags[g->n] = flags;
	g->n++;
	return true;
}

/* Decodes hex and checks the fields and the resulting table (newest first). */
static void check_block(struct as_hpack *h, const char *label, const char *hex,
			const struct field *want, size_t n_want, const struct field *table,
			size_t n_table, size_t table_size)
{
	uint8_t block[512];
	size_t len = unhex(hex, block, sizeof(block));
	struct got g;
	memset(&g, 0, sizeof(g));
	char err[160];
	enum as_hpack_status rc = as_hpack_decode(h, block, len, collect, &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_OK, "%s: decode failed (%d): %s", label, rc, err);
	TK_CHECK(g.n == n_want, "%s: %zu fields, want %zu", label, g.n, n_want);
	for (size_t i = 0; i < n_want && i < g.n; i++) {
		TK_CHECK(strcmp(g.names[i], want[i].name) == 0, "%s: field %zu name %s, want %s",
			 label, i, g.names[i], want[i].name);
		TK_CHECK(strcmp(g.values[i], want[i].value) == 0, "%s: field %zu value %s, want %s",
			 label, i, g.values[i], want[i].value);
	}
	TK_CHECK(as_hpack_table_len(h) == n_table, "%s: table has %zu entries, want %zu", label,
		 as_hpack_table_len(h), n_table);
	TK_CHECK(as_hpack_table_size(h) == table_size, "%s: table size %zu, want %zu", label,
		 as_hpack_table_size(h), table_size);
	for (size_t i = 0; i < n_table; i++) {
		const char *n, *v;
		if (!as_hpack_table_entry(h, i, &n, &v)) {
			TK_CHECK(false, "%s: no table entry %zu", label, i + 1);
			continue;
		}
		TK_CHECK(strcmp(n, table[i].name) == 0 && strcmp(v, table[i].value) == 0,
			 "%s: table entry [%zu] is %s: %s, want %s: %s", label, i + 1, n, v,
			 table[i].name, table[i].value);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_integers(void)
{
	/* C.1.1: 10 on a 5-bit prefix; C.1.2: 1337 on 5 bits; C.1.3: 42 on 8 bits. */
	uint32_t v = 0;
	uint8_t c11[] = {0xea}; /* XXX01010 with the X bits set: they are not ours */
	TK_CHECK(as_hpack_decode_int(c11, 1, 5, &v) == 1 && v == 10, "C.1.1 gave %u", v);
	uint8_t c12[] = {0x1f, 0x9a, 0x0a};
	TK_CHECK(as_hpack_decode_int(c12, 3, 5, &v) == 3 && v == 1337, "C.1.2 gave %u", v);
	uint8_t c13[] = {0x2a};
	TK_CHECK(as_hpack_decode_int(c13, 1, 8, &v) == 1 && v == 42, "C.1.3 gave %u", v);
	/* Truncated and overflowing integers. */
	TK_CHECK(as_hpack_decode_int(c12, 2, 5, &v) == 0, "a cut integer was accepted");
	uint8_t big[] = {0x1f, 0xff, 0xff, 0xff, 0xff, 0x0f}; /* 31 + 2^32 - 1 + ... */
	TK_CHECK(as_hpack_decode_int(big, sizeof(big), 5, &v) == -1, "2^32+ accepted as %u", v);
	uint8_t max[] = {0xff, 0x80, 0xfe, 0xff, 0xff, 0x0f}; /* 255 + 0xfffffe00 = 2^32-1 */
	TK_CHECK(as_hpack_decode_int(max, sizeof(max), 8, &v) == 6 && v == UINT32_MAX,
		 "2^32-1 gave %u", v);
	uint8_t zeros[] = {0x1f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
	TK_CHECK(as_hpack_decode_int(zeros, sizeof(zeros), 5, &v) == -1,
		 "an endless run of continuation bytes was accepted");
}

static void test_single_representations(void)
{
	/* C.2.1 literal with indexing */
	struct as_hpack *h = as_hpack_new(4096, 0);
	TK_REQUIRE(h != NULL, "as_hpack_new");
	const struct field c21[] = {{"custom-key", "custom-header"}};
	check_block(h, "C.2.1", "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
		    c21, 1, c21, 1, 55);
	as_hpack_free(h);

	/* C.2.2 literal without indexing */
	h = as_hpack_new(4096, 0);
	const struct field c22[] = {{":path", "/sample/path"}};
	check_block(h, "C.2.2", "040c 2f73 616d 706c 652f 7061 7468", c22, 1, NULL, 0, 0);
	as_hpack_free(h);

	/* C.2.3 literal never indexed: flagged, not added */
	h = as_hpack_new(4096, 0);
	uint8_t block[64];
	size_t len = unhex("1008 7061 7373 776f 7264 0673 6563 7265 74", block, sizeof(block));
	struct got g;
	memset(&g, 0, sizeof(g));
	TK_CHECK(as_hpack_decode(h, block, len, collect, &g, NULL, 0) == AS_HPACK_OK, "C.2.3");
	TK_CHECK(g.n == 1 && strcmp(g.names[0], "password") == 0 &&
			 strcmp(g.values[0], "secret") == 0,
		 "C.2.3 decoded %zu fields", g.n);
	TK_CHECK(g.n == 1 && g.flags[0] == AS_HPACK_NEVER_INDEXED, "C.2.3 not flagged");
	TK_CHECK(as_hpack_table_len(h) == 0, "C.2.3 added to the table");
	as_hpack_free(h);

	/* C.2.4 indexed field */
	h = as_hpack_new(4096, 0);
	const struct field c24[] = {{":method", "GET"}};
	check_block(h, "C.2.4", "82", c24, 1, NULL, 0, 0);
	as_hpack_free(h);
}

static const struct field req1[] = {
	{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}};
static const struct field req2[] = {{":method", "GET"},
				    {":scheme", "http"},
				    {":path", "/"},
				    {":authority", "www.example.com"},
				    {"cache-control", "no-cache"}};
static const struct field req3[] = {{":method", "GET"},
				    {":scheme", "https"},
				    {":path", "/index.html"},
				    {":authority", "www.example.com"},
				    {"custom-key", "custom-value"}};
static const struct field reqt1[] = {{":authority", "www.example.com"}};
static const struct field reqt2[] = {{"cache-control", "no-cache"},
				     {":authority", "www.example.com"}};
static const struct field reqt3[] = {{"custom-key", "custom-value"},
				     {"cache-control", "no-cache"},
				     {":authority", "www.example.com"}};

static void test_requests(bool huffman)
{
	struct as_hpack *h = as_hpack_new(4096, 0);
	TK_REQUIRE(h != NULL, "as_hpack_new");
	if (!huffman) {
		check_block(h, "C.3.1", "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", req1,
			    N(req1), reqt1, N(reqt1), 57);
		check_block(h, "C.3.2", "8286 84be 5808 6e6f 2d63 6163 6865", req2, N(req2), reqt2,
			    N(reqt2), 110);
		check_block(
			h, "C.3.3",
			"8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
			req3, N(req3), reqt3, N(reqt3), 164);
	} else {
		check_block(h, "C.4.1", "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", req1, N(req1),
			    reqt1, N(reqt1), 57);
		check_block(h, "C.4.2", "8286 84be 5886 a8eb 1064 9cbf", req2, N(req2), reqt2,
			    N(reqt2), 110);
		check_block(h, "C.4.3",
			    "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf", req3,
			    N(req3), reqt3, N(reqt3), 164);
	}
	as_hpack_free(h);
}

#define DATE1  "Mon, 21 Oct 2013 20:13:21 GMT"
#define DATE2  "Mon, 21 Oct 2013 20:13:22 GMT"
#define LOC    "https://www.example.com"
#define COOKIE "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"

static const struct field resp1[] = {
	{":status", "302"}, {"cache-control", "private"}, {"date", DATE1}, {"location", LOC}};
static const struct field resp2[] = {
	{":status", "307"}, {"cache-control", "private"}, {"date", DATE1}, {"location", LOC}};
static const struct field resp3[] = {
	{":status", "200"}, {"cache-control", "private"}, {"date", DATE2},
	{"location", LOC},  {"content-encoding", "gzip"}, {"set-cookie", COOKIE}};
static const struct field respt1[] = {
	{"location", LOC}, {"date", DATE1}, {"cache-control", "private"}, {":status", "302"}};
static const struct field respt2[] = {
	{":status", "307"}, {"location", LOC}, {"date", DATE1}, {"cache-control", "private"}};
static const struct field respt3[] = {
	{"set-cookie", COOKIE}, {"content-encoding", "gzip"}, {"date", DATE2}};

static const char *const c5[3] = {
	"4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 "
	"2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 "
	"6c65 2e63 6f6d",
	"4803 3330 37c1 c0bf",
	"88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d "
	"54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 "
	"5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e "
	"3d31",
};
static const char *const c6[3] = {
	"4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 "
	"2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
	"4883 640e ffc1 c0bf",
	"88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab "
	"77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f "
	"9587 3160 65c0 03ed 4ee5 b106 3d50 07",
};

static void test_responses(bool huffman)
{
	/* SETTINGS_HEADER_TABLE_SIZE is 256 in C.5 and C.6, so entries are evicted. */
	struct as_hpack *h = as_hpack_new(256, 0);
	TK_REQUIRE(h != NULL, "as_hpack_new");
	const char *const *b = huffman ? c6 : c5;
	check_block(h, huffman ? "C.6.1" : "C.5.1", b[0], resp1, N(resp1), respt1, N(respt1), 222);
	check_block(h, huffman ? "C.6.2" : "C.5.2", b[1], resp2, N(resp2), respt2, N(respt2), 222);
	check_block(h, huffman ? "C.6.3" : "C.5.3", b[2], resp3, N(resp3), respt3, N(respt3), 215);
	as_hpack_free(h);
}

static void test_huffman_table(void)
{
	/* A complete prefix code: the Kraft sum is exactly 1 (in units of 2^-30). */
	uint64_t kraft = 0;
	for (int s = 0; s < 257; s++) {
		int bits = as_hpack_huffman_codes[s].bits;
		TK_CHECK(bits >= 5 && bits <= 30, "symbol %d has %d bits", s, bits);
		TK_CHECK(as_hpack_huffman_codes[s].code < (1u << bits) || bits == 30,
			 "symbol %d code wider than its length", s);
		kraft += 1ull << (30 - bits);
	}
	TK_CHECK(kraft == 1ull << 30, "Kraft sum %llu, want 2^30", (unsigned long long)kraft);
	/* Canonical: ordered by (length, symbol), each code is the previous plus
	 * one, shifted left by the length difference (RFC 7541 Appendix B). */
	int order[257];
	for (int i = 0; i < 257; i++)
		order[i] = i;
	for (int i = 1; i < 257; i++) /* insertion sort by (bits, symbol) */
		for (int j = i; j > 0 && as_hpack_huffman_codes[order[j - 1]].bits >
						 as_hpack_huffman_codes[order[j]].bits;
		     j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	uint32_t code = 0;
	for (int i = 0; i < 257; i++) {
		const struct as_hpack_huffman_code *c = &as_hpack_huffman_codes[order[i]];
		if (i > 0)
			code = (code + 1) << (c->bits - as_hpack_huffman_codes[order[i - 1]].bits);
		TK_CHECK(c->code == code, "symbol %d: code %x, canonical %x", order[i], c->code,
			 code);
	}
	/* Spot checks typed from the RFC independently of the table. */
	TK_CHECK(as_hpack_huffman_codes['a'].code == 0x3 && as_hpack_huffman_codes['a'].bits == 5,
		 "'a'");
	TK_CHECK(as_hpack_huffman_codes[256].code == 0x3fffffff &&
			 as_hpack_huffman_codes[256].bits == 30,
		 "EOS");
	TK_CHECK(as_hpack_huffman_codes[0].code == 0x1ff8 && as_hpack_huffman_codes[0].bits == 13,
		 "0");
}

static enum as_hpack_status decode_hex(struct as_hpack *h, const char *hex, struct got *g,
				       char *err, size_t errlen)
{
	uint8_t block[256];
	size_t len = unhex(hex, block, sizeof(block));
	memset(g, 0, sizeof(*g));
	return as_hpack_decode(h, block, len, collect, g, err, errlen);
}

static void test_malformed(void)
{
	struct as_hpack *h = as_hpack_new(4096, 0);
	TK_REQUIRE(h != NULL, "as_hpack_new");
	struct got g;
	char err[160];
	enum as_hpack_status rc;

	rc = decode_hex(h, "80", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_INDEX, "index 0 gave %d", rc);
	TK_CHECK(strstr(err, "index 0") != NULL, "message does not name the index: %s", err);
	rc = decode_hex(h, "be", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_INDEX, "index 62 of an empty table gave %d", rc);
	rc = decode_hex(h, "7f 00 01 61", &g, err, sizeof(err)); /* name index 63 */
	TK_CHECK(rc == AS_HPACK_ERR_INDEX, "literal name index 63 gave %d", rc);
	rc = decode_hex(h, "ff ff ff ff ff 7f", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_INTEGER, "index over 2^32 gave %d", rc);
	rc = decode_hex(h, "41", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_TRUNCATED, "missing value gave %d", rc);
	rc = decode_hex(h, "41 0f 77 77", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_TRUNCATED, "short string gave %d", rc);
	rc = decode_hex(h, "ff", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_TRUNCATED, "cut integer gave %d", rc);
	TK_CHECK(as_hpack_table_len(h) == 0, "a failed block added entries");

	/* Huffman: "a" is 00011; padding must be 1s and shorter than 8 bits. */
	rc = decode_hex(h, "00 81 1f 81 1f", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_OK && g.n == 1 && strcmp(g.names[0], "a") == 0 &&
			 strcmp(g.values[0], "a") == 0,
		 "Huffman \"a\" gave %d", rc);
	rc = decode_hex(h, "00 81 1f 81 18", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_HUFFMAN, "zero padding gave %d", rc);
	rc = decode_hex(h, "00 81 1f 82 1f ff", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_HUFFMAN, "11 bits of padding gave %d", rc);
	rc = decode_hex(h, "00 81 1f 84 ff ff ff ff", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_HUFFMAN, "EOS in a string gave %d", rc);
	rc = decode_hex(h, "00 81 1f 81 ff", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_HUFFMAN, "8 bits of padding gave %d", rc);
	rc = decode_hex(h, "00 81 1f 80", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_OK && g.n == 1 && g.values[0][0] == 0,
		 "an empty Huffman string gave %d", rc);

	/* Table size updates: at most the setting, only before the first field. */
	rc = decode_hex(h, "3f e1 1f 82", &g, err, sizeof(err)); /* 4096 */
	TK_CHECK(rc == AS_HPACK_OK && as_hpack_table_max_size(h) == 4096, "update to 4096: %d", rc);
	rc = decode_hex(h, "3f e2 1f", &g, err, sizeof(err)); /* 4097 */
	TK_CHECK(rc == AS_HPACK_ERR_TABLE_SIZE, "update to 4097 gave %d", rc);
	rc = decode_hex(h, "82 20", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_TABLE_SIZE, "update after a field gave %d", rc);
	as_hpack_free(h);

	/* An update to 0 empties the table; later references to it fail. */
	h = as_hpack_new(4096, 0);
	rc = decode_hex(h, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", &g, err,
			sizeof(err));
	TK_CHECK(rc == AS_HPACK_OK && as_hpack_table_len(h) == 1, "C.3.1 again: %d", rc);
	rc = decode_hex(h, "20 3f e1 1f be", &g, err, sizeof(err));
	TK_CHECK(rc == AS_HPACK_ERR_INDEX && as_hpack_table_len(h) == 0,
		 "index 62 after emptying gave %d (table %zu)", rc, as_hpack_table_len(h));
	as_hpack_free(h);

	/* An entry larger than the table empties it (section 4.4). */
	h = as_hpack_new(64, 0);
	rc = decode_hex(h, "40 01 61 01 62", &g, err, sizeof(err)); /* a: b, 34 bytes */
	TK_CHECK(rc == AS_HPACK_OK && as_hpack_table_len(h) == 1 && as_hpack_table_size(h) == 34,
		 "small entry: %d", rc);
	rc = decode_hex(
		h, "40 01 63 20 3030303030303030303030303030303030303030303030303030303030303030",
		&g, err, sizeof(err)); /* c: 32 zeros, 65 bytes */
	TK_CHECK(rc == AS_HPACK_OK && as_hpack_table_len(h) == 0 && as_hpack_table_size(h) == 0,
		 "oversize entry left %zu entries", as_hpack_table_len(h));
	TK_CHECK(g.n == 1 && strlen(g.values[0]) == 32, "oversize entry still emitted");
	as_hpack_free(h);

	/* A lowered setting shrinks the table at once. */
	h = as_hpack_new(256, 0);
	for (int i = 0; i < 3; i++)
		decode_hex(h, c5[i], &g, err, sizeof(err));
	as_hpack_set_max_table_size(h, 100);
	TK_CHECK(as_hpack_table_size(h) <= 100 && as_hpack_table_len(h) == 1,
		 "table of %zu bytes after lowering to 100", as_hpack_table_size(h));
	as_hpack_free(h);
}

static void test_list_limit(void)
{
	/* With a 100-byte list limit, C.5.1 emits :status (42) and cache-control
	 * (52), not date, yet the table still follows the RFC. */
	struct as_hpack *h = as_hpack_new(256, 100);
	TK_REQUIRE(h != NULL, "as_hpack_new");
	uint8_t block[512];
	size_t len = unhex(c5[0], block, sizeof(block));
	struct got g;
	memset(&g, 0, sizeof(g));
	enum as_hpack_status rc = as_hpack_decode(h, block, len, collect, &g, NULL, 0);
	TK_CHECK(rc == AS_HPACK_LIST_TOO_LARGE, "list limit gave %d", rc);
	TK_CHECK(g.n == 2, "%zu fields emitted under the limit, want 2", g.n);
	TK_CHECK(as_hpack_table_len(h) == 4 && as_hpack_table_size(h) == 222,
		 "table out of step after an oversize list: %zu entries, %zu bytes",
		 as_hpack_table_len(h), as_hpack_table_size(h));
	/* ... so the next block decodes right (C.5.2): its first two fields
	 * fit, and the second (index 65) comes from the dynamic table. */
	len = unhex(c5[1], block, sizeof(block));
	memset(&g, 0, sizeof(g));
	rc = as_hpack_decode(h, block, len, collect, &g, NULL, 0);
	TK_CHECK(rc == AS_HPACK_LIST_TOO_LARGE && g.n == 2 && strcmp(g.values[0], "307") == 0 &&
			 strcmp(g.names[1], "cache-control") == 0 &&
			 strcmp(g.values[1], "private") == 0,
		 "C.5.2 after the limit: %d, %zu fields", rc, g.n);
	for (size_t i = 0; i < N(respt2); i++) {
		const char *n, *v;
		TK_CHECK(as_hpack_table_entry(h, i, &n, &v) && strcmp(n, respt2[i].name) == 0 &&
				 strcmp(v, respt2[i].value) == 0,
			 "C.5.2 table entry %zu after the limit", i + 1);
	}
	as_hpack_free(h);
}

static void test_every_split_byte(void)
{
	/* The decoder takes whole blocks, but a hostile block cut anywhere must
	 * fail cleanly: every prefix of C.6.3 after C.6.1 and C.6.2. */
	uint8_t block[512];
	size_t len = unhex(c6[2], block, sizeof(block));
	for (size_t cut = 0; cut < len; cut++) {
		struct as_hpack *h = as_hpack_new(256, 0);
		uint8_t b0[512], b1[64];
		size_t l0 = unhex(c6[0], b0, sizeof(b0)), l1 = unhex(c6[1], b1, sizeof(b1));
		as_hpack_decode(h, b0, l0, NULL, NULL, NULL, 0);
		as_hpack_decode(h, b1, l1, NULL, NULL, NULL, 0);
		uint8_t *exact = malloc(cut ? cut : 1);
		memcpy(exact, block, cut);
		struct got g;
		memset(&g, 0, sizeof(g));
		enum as_hpack_status rc = as_hpack_decode(h, exact, cut, collect, &g, NULL, 0);
		/* Field boundaries decode fine; cuts inside a field must not. */
		TK_CHECK(rc == AS_HPACK_OK || rc == AS_HPACK_ERR_TRUNCATED ||
				 rc == AS_HPACK_ERR_HUFFMAN,
			 "cut at %zu gave %d", cut, rc);
		free(exact);
		as_hpack_free(h);
	}
}

int main(void)
{
	test_integers();
	test_single_representations();
	test_requests(false);
	test_requests(true);
	test_responses(false);
	test_responses(true);
	test_huffman_table();
	test_malformed();
	test_list_limit();
	test_every_split_byte();
	return tk_finish();
}
