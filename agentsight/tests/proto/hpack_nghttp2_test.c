/* hpack_nghttp2_test: the HPACK decoder and Huffman table checked against
 * nghttp2, an independent implementation.
 *
 * 1. nghttp2's encoder compresses a long run of pseudo-random header lists
 *    (indexed, literal, never-indexed, Huffman or not, table size changes);
 *    our decoder must give back every list, and its dynamic table must hold
 *    the same entries as the encoder's after every block.
 * 2. Strings holding every byte value are Huffman-coded here from our table
 *    and decoded by nghttp2's decoder: if any code in our table were wrong,
 *    nghttp2 would decode other bytes (or fail).
 */
#include "hpack.h"
#include "testkit.h"

#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

#define MAX_FIELDS 24

struct list {
	char names[MAX_FIELDS][48];
	char values[MAX_FIELDS][200];
	size_t vlen[MAX_FIELDS];
	size_t n;
	size_t mismatches;
	size_t i;
};

static bool check_field(void *ctx, const char *name, size_t nl, const char *value, size_t vl,
			unsigned flags)
{
	struct list *l = ctx;
	(void)flags;
	if (l->i >= l->n || strlen(l->names[l->i]) != nl || memcmp(l->names[l->i], name, nl) != 0 ||
	    l->vlen[l->i] != vl || memcmp(l->values[l->i], value, vl) != 0)
		l->mismatches++;
	l->i++;
	return true;
}

static const char *const names[] = {":method",	    ":path",	    ":authority",
				    ":status",	    "content-type", "authorization",
				    "x-request-id", "user-agent",   "accept-encoding",
				    "cookie",	    "openai-model", "anthropic-version"};

static void test_encoder_roundtrip(void)
{
	nghttp2_hd_deflater *def;
	TK_REQUIRE(nghttp2_hd_deflate_new(&def, 4096) == 0, "nghttp2_hd_deflate_new");
	struct as_hpack *h = as_hpack_new(4096, 0);
	TK_REQUIRE(h != NULL, "as_hpack_new");
	size_t blocks = 0, table_checks = 0;

	for (int round = 0; round < 400; round++) {
		if (round == 150)
			nghttp2_hd_deflate_change_table_size(def, 512); /* size update 512 */
		if (round == 250)
			nghttp2_hd_deflate_change_table_size(def, 4096);
		struct list l;
		memset(&l, 0, sizeof(l));
		nghttp2_nv nv[MAX_FIELDS];
		l.n = 1 + rnd() % (MAX_FIELDS - 1);
		for (size_t i = 0; i < l.n; i++) {
			snprintf(l.names[i], sizeof(l.names[i]), "%s",
				 rnd() % 4 ? names[rnd() % (sizeof(names) / sizeof(names[0]))]
					   : "x-custom");
			/* Values: repeated ones (indexing), text (Huffman), binary. */
			size_t vl;
			switch (rnd() % 4) {
			case 0:
				vl = (size_t)snprintf(l.values[i], sizeof(l.values[i]), "v%u",
						      rnd() % 8);
				break;
			case 1:
				vl = 1 + rnd() % 80;
				for (size_t k = 0; k < vl; k++)
					l.values[i][k] = (char)('a' + rnd() % 26);
				break;
			case 2:
				vl = 1 + rnd() % 60;
				for (size_t k = 0; k < vl; k++)
					l.values[i][k] = (char)(1 + rnd() % 255);
				break;
			default:
				vl = 0;
				break;
			}
			l.vlen[i] = vl;
			nv[i].name = (uint8_t *)l.names[i];
			nv[i].namelen = strlen(l.names[i]);
			nv[i].value = (uint8_t *)l.values[i];
			nv[i].valuelen = vl;
			nv[i].flags =
				rnd() % 8 == 0 ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE;
		}
		size_t bound = nghttp2_hd_deflate_bound(def, nv, l.n);
		uint8_t *buf = malloc(bound);
		ssize_t n = nghttp2_hd_deflate_hd(def, buf, bound, nv, l.n);
		TK_CHECK(n >= 0, "nghttp2 failed to encode round %d", round);
		if (n >= 0) {
			char err[160];
			enum as_hpack_status rc = as_hpack_decode(h, buf, (size_t)n, check_field,
								  &l, err, sizeof(err));
			TK_CHECK(rc == AS_HPACK_OK, "round %d: %s", round, err);
			TK_CHECK(l.mismatches == 0 && l.i == l.n,
				 "round %d: %zu of %zu fields differ (%zu decoded)", round,
				 l.mismatches, l.n, l.i);
			blocks++;
		}
		free(buf);

		/* The tables must agree entry by entry. nghttp2 numbers entries
		 * from 1 with the static table first. */
		size_t ne = nghttp2_hd_deflate_get_num_table_entries(def) - 61;
		TK_CHECK(ne == as_hpack_table_len(h), "round %d: %zu entries, nghttp2 has %zu",
			 round, as_hpack_table_len(h), ne);
		for (size_t i = 0; i < ne && i < as_hpack_table_len(h); i++) {
			const nghttp2_nv *e = nghttp2_hd_deflate_get_table_entry(def, 62 + i);
			const char *tn, *tv;
			as_hpack_table_entry(h, i, &tn, &tv);
			TK_CHECK(e && e->namelen == strlen(tn) &&
					 memcmp(e->name, tn, e->namelen) == 0 &&
					 e->valuelen == strlen(tv) &&
					 memcmp(e->value, tv, e->valuelen) == 0,
				 "round %d: table entry %zu differs", round, i);
			table_checks++;
		}
	}
	TK_CHECK(blocks == 400 && table_checks > 400, "only %zu blocks, %zu table checks", blocks,
		 table_checks);
	as_hpack_free(h);
	nghttp2_hd_deflate_del(def);
}

/* Huffman-codes s with our table. */
static size_t huff_encode(const uint8_t *s, size_t n, uint8_t *out)
{
	uint64_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		const struct as_hpack_huffman_code *c = &as_hpack_huffman_codes[s[i]];
		acc = acc << c->bits | c->code;
		bits += c->bits;
		while (bits >= 8) {
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	if (bits > 0) /* pad with the high bits of EOS (all 1) */
		out[o++] = (uint8_t)(acc << (8 - bits) | (0xffu >> bits));
	return o;
}

static void test_table_against_nghttp2(void)
{
	nghttp2_hd_inflater *inf;
	TK_REQUIRE(nghttp2_hd_inflate_new(&inf) == 0, "nghttp2_hd_inflate_new");
	/* Each value: 32 bytes, every byte value appearing in some value. */
	for (int start = 0; start < 256; start += 32) {
		uint8_t value[32], coded[32 * 4 + 8], block[256];
		for (int i = 0; i < 32; i++)
			value[i] = (uint8_t)(start + i);
		size_t cl = huff_encode(value, 32, coded);
		/* literal without indexing, name "x" (raw), value Huffman (len < 127) */
		size_t bl = 0;
		block[bl++] = 0x00;
		block[bl++] = 0x01;
		block[bl++] = 'x';
		block[bl++] = (uint8_t)(0x80 | cl);
		memcpy(block + bl, coded, cl);
		bl += cl;

		nghttp2_nv nv;
		int flags = 0;
		ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, block, bl, 1);
		TK_CHECK(rv >= 0 && (flags & NGHTTP2_HD_INFLATE_EMIT),
			 "nghttp2 rejects our Huffman coding of bytes %d..%d", start, start + 31);
		if (rv >= 0 && (flags & NGHTTP2_HD_INFLATE_EMIT))
			TK_CHECK(nv.valuelen == 32 && memcmp(nv.value, value, 32) == 0,
				 "nghttp2 decodes our code for bytes %d..%d differently", start,
				 start + 31);
		nghttp2_hd_inflate_end_headers(inf);

		/* And ours gives the bytes back. */
		uint8_t out[64];
		long n = as_hpack_huffman_decode(coded, cl, out);
		TK_CHECK(n == 32 && memcmp(out, value, 32) == 0, "own round trip of %d..%d", start,
			 start + 31);
	}
	nghttp2_hd_inflate_del(inf);
}

int main(void)
{
	test_encoder_roundtrip();
	test_table_against_nghttp2();
	return tk_finish();
}
