/* hpack: the HPACK decoder (RFC 7541); see hpack.h for the contract.
 *
 * The dynamic table is a ring of entries, newest first, each one allocation
 * holding "name\0value\0". Strings of a block are decoded into one scratch
 * buffer sized from the block, so that emitted fields are NUL-terminated
 * without touching the caller's bytes.
 */
#include "hpack.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 7541 section 4.1: an entry's size is its name and value plus 32. */
#define ENTRY_OVERHEAD 32u

struct static_entry {
	const char *name;
	const char *value;
};

/* Appendix A; index 1 is the first entry. */
static const struct static_entry static_table[] = {
	{":authority", ""},
	{":method", "GET"},
	{":method", "POST"},
	{":path", "/"},
	{":path", "/index.html"},
	{":scheme", "http"},
	{":scheme", "https"},
	{":status", "200"},
	{":status", "204"},
	{":status", "206"},
	{":status", "304"},
	{":status", "400"},
	{":status", "404"},
	{":status", "500"},
	{"accept-charset", ""},
	{"accept-encoding", "gzip, deflate"},
	{"accept-language", ""},
	{"accept-ranges", ""},
	{"accept", ""},
	{"access-control-allow-origin", ""},
	{"age", ""},
	{"allow", ""},
	{"authorization", ""},
	{"cache-control", ""},
	{"content-disposition", ""},
	{"content-encoding", ""},
	{"content-language", ""},
	{"content-length", ""},
	{"content-location", ""},
	{"content-range", ""},
	{"content-type", ""},
	{"cookie", ""},
	{"date", ""},
	{"etag", ""},
	{"expect", ""},
	{"expires", ""},
	{"from", ""},
	{"host", ""},
	{"if-match", ""},
	{"if-modified-since", ""},
	{"if-none-match", ""},
	{"if-range", ""},
	{"if-unmodified-since", ""},
	{"last-modified", ""},
	{"link", ""},
	{"location", ""},
	{"max-forwards", ""},
	{"proxy-authenticate", ""},
	{"proxy-authorization", ""},
	{"range", ""},
	{"referer", ""},
	{"refresh", ""},
	{"retry-after", ""},
	{"server", ""},
	{"set-cookie", ""},
	{"strict-transport-security", ""},
	{"transfer-encoding", ""},
	{"user-agent", ""},
	{"vary", ""},
	{"via", ""},
	{"www-authenticate", ""},
};

#define STATIC_COUNT (sizeof(static_table) / sizeof(static_table[0]))

struct entry {
	char *mem; /* name NUL value NUL */
	uint32_t name_len, value_len;
};

struct as_hpack {
	struct entry *ring; /* entry i (0 newest) is ring[(start + i) % ring_cap] */
	size_t ring_cap, start, count;
	size_t size;	       /* RFC 7541 section 4.1 */
	uint32_t max_size;     /* the encoder's current maximum (size updates) */
	uint32_t settings_max; /* the most the encoder may choose */
	size_t max_list;
	uint8_t *scratch;
	size_t scratch_cap;
};

struct as_hpack *as_hpack_new(uint32_t max_table_size, size_t max_header_list)
{
	struct as_hpack *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (max_table_size > AS_HPACK_TABLE_CAP)
		max_table_size = AS_HPACK_TABLE_CAP;
	h->settings_max = max_table_size;
	h->max_size = max_table_size;
	h->max_list = max_header_list;
	return h;
}

static struct entry *entry_at(const struct as_hpack *h, size_t i)
{
	return &h->ring[(h->start + i) % h->ring_cap];
}

static void evict_to(struct as_hpack *h, size_t limit)
{
	while (h->count > 0 && h->size > limit) {
		struct entry *e = entry_at(h, h->count - 1);
		h->size -= e->name_len + e->value_len + ENTRY_OVERHEAD;
		free(e->mem);
		e->mem = NULL;
		h->count--;
	}
}

void as_hpack_free(struct as_hpack *h)
{
	if (!h)
		return;
	evict_to(h, 0);
	free(h->ring);
	free(h->scratch);
	free(h);
}

void as_hpack_set_max_table_size(struct as_hpack *h, uint32_t max_table_size)
{
	if (max_table_size > AS_HPACK_TABLE_CAP)
		max_table_size = AS_HPACK_TABLE_CAP;
	h->settings_max = max_table_size;
	if (h->max_size > max_table_size) {
		h->max_size = max_table_size;
		evict_to(h, h->max_size);
	}
}

size_t as_hpack_table_len(const struct as_hpack *h)
{
	return h->count;
}

size_t as_hpack_table_size(const struct as_hpack *h)
{
	return h->size;
}

uint32_t as_hpack_table_max_size(const struct as_hpack *h)
{
	return h->max_size;
}

bool as_hpack_table_entry(const struct as_hpack *h, size_t i, const char **name, const char **value)
{
	if (i >= h->count)
		return false;
	const struct entry *e = entry_at(h, i);
	*name = e->mem;
	*value = e->mem + e->name_len + 1;
	return true;
}

int as_hpack_decode_int(const uint8_t *p, size_t len, unsigned prefix_bits, uint32_t *value)
{
	if (len == 0 || prefix_bits < 1 || prefix_bits > 8)
		return 0;
	uint32_t mask = (uint32_t)((1u << prefix_bits) - 1);
	uint64_t v = p[0] & mask;
	if (v < mask) {
		*value = (uint32_t)v;
		return 1;
	}
	unsigned shift = 0;
	size_t i = 1;
	for (;;) {
		if (i >= len)
			return 0;
		uint8_t b = p[i++];
		if (shift > 28)
			return -1;
		v += (uint64_t)(b & 0x7f) << shift;
		if (v > UINT32_MAX)
			return -1;
		if (!(b & 0x80))
			break;
		shift += 7;
	}
	*value = (uint32_t)v;
	return (int)i;
}

/* Inserts name/value as the newest entry (section 4.4); copies first, since
 * name may point into an entry that eviction frees. */
static enum as_hpack_status insert(struct as_hpack *h, const char *name, size_t nl,
				   const char *value, size_t vl)
{
	size_t esize = nl + vl + ENTRY_OVERHEAD;
	if (esize > h->max_size) {
		evict_to(h, 0); /* larger than the table: the table empties */
		return AS_HPACK_OK;
	}
	char *mem = malloc(nl + vl + 2);
	if (!mem)
		return AS_HPACK_ERR_NO_MEMORY;
	memcpy(mem, name, nl);
	mem[nl] = 0;
	memcpy(mem + nl + 1, value, vl);
	mem[nl + 1 + vl] = 0;
	evict_to(h, h->max_size - esize);
	if (h->count == h->ring_cap) {
		size_t ncap = h->ring_cap ? h->ring_cap * 2 : 16;
		struct entry *nr = malloc(ncap * sizeof(*nr));
		if (!nr) {
			free(mem);
			return AS_HPACK_ERR_NO_MEMORY;
		}
		for (size_t i = 0; i < h->count; i++)
			nr[i] = *entry_at(h, i);
		free(h->ring);
		h->ring = nr;
		h->ring_cap = ncap;
		h->start = 0;
	}
	h->start = (h->start + h->ring_cap - 1) % h->ring_cap;
	struct entry *e = entry_at(h, 0);
	e->mem = mem;
	e->name_len = (uint32_t)nl;
	e->value_len = (uint32_t)vl;
	h->count++;
	h->size += esize;
	return AS_HPACK_OK;
}

struct decode_state {
	struct as_hpack *h;
	const uint8_t *block;
	size_t len, pos;
	size_t scratch_used;
	char *err;
	size_t errlen;
};

static enum as_hpack_status fail(struct decode_state *st, enum as_hpack_status rc, const char *fmt,
				 ...) __attribute__((format(printf, 3, 4)));

static enum as_hpack_status fail(struct decode_state *st, enum as_hpack_status rc, const char *fmt,
				 ...)
{
	if (st->err && st->errlen) {
		int n = snprintf(st->err, st->errlen, "hpack: ");
		va_list ap;
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < st->errlen)
			vsnprintf(st->err + n, st->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static enum as_hpack_status read_int(struct decode_state *st, unsigned prefix, uint32_t *v)
{
	int n = as_hpack_decode_int(st->block + st->pos, st->len - st->pos, prefix, v);
	if (n == 0)
		return fail(st, AS_HPACK_ERR_TRUNCATED, "block ends inside an integer at byte %zu",
			    st->pos);
	if (n < 0)
		return fail(st, AS_HPACK_ERR_INTEGER, "integer over 2^32-1 at byte %zu", st->pos);
	st->pos += (size_t)n;
	return AS_HPACK_OK;
}

/* A string literal (section 5.2), decoded into the scratch buffer. */
static enum as_hpack_status read_string(struct decode_state *st, const char **out, size_t *outlen)
{
	if (st->pos >= st->len)
		return fail(st, AS_HPACK_ERR_TRUNCATED, "block ends before a string at byte %zu",
			    st->pos);
	bool huffman = st->block[st->pos] & 0x80;
	uint32_t n = 0;
	enum as_hpack_status rc = read_int(st, 7, &n);
	if (rc != AS_HPACK_OK)
		return rc;
	if (n > st->len - st->pos)
		return fail(st, AS_HPACK_ERR_TRUNCATED,
			    "string of %u bytes runs past the block end at byte %zu", n, st->pos);
	char *dst = (char *)st->h->scratch + st->scratch_used;
	size_t got;
	if (huffman) {
		long r = as_hpack_huffman_decode(st->block + st->pos, n, (uint8_t *)dst);
		if (r < 0)
			return fail(st, AS_HPACK_ERR_HUFFMAN,
				    "invalid Huffman string (EOS or bad padding) at byte %zu",
				    st->pos);
		got = (size_t)r;
	} else {
		memcpy(dst, st->block + st->pos, n);
		got = n;
	}
	dst[got] = 0;
	st->scratch_used += got + 1;
	st->pos += n;
	*out = dst;
	*outlen = got;
	return AS_HPACK_OK;
}

static bool lookup(const struct as_hpack *h, uint32_t idx, const char **name, size_t *nl,
		   const char **value, size_t *vl)
{
	if (idx == 0)
		return false;
	if (idx <= STATIC_COUNT) {
		*name = static_table[idx - 1].name;
		*value = static_table[idx - 1].value;
		*nl = strlen(*name);
		*vl = strlen(*value);
		return true;
	}
	size_t d = idx - STATIC_COUNT - 1;
	if (d >= h->count)
		return false;
	const struct entry *e = entry_at(h, d);
	*name = e->mem;
	*nl = e->name_len;
	*value = e->mem + e->name_len + 1;
	*vl = e->value_len;
	return true;
}

enum as_hpack_status as_hpack_decode(struct as_hpack *h, const uint8_t *block, size_t len,
				     as_hpack_field_cb cb, void *ctx, char *err, size_t errlen)
{
	struct decode_state st = {.h = h, .block = block, .len = len, .err = err, .errlen = errlen};
	if (err && errlen)
		err[0] = 0;
	/* Strings decode to at most 8/5 of their coded length, plus NULs. */
	size_t need = len / 5 * 8 + 16;
	if (need > h->scratch_cap) {
		uint8_t *ns = realloc(h->scratch, need);
		if (!ns)
			return fail(&st, AS_HPACK_ERR_NO_MEMORY,
				    "out of memory for a %zu-byte block", len);
		h->scratch = ns;
		h->scratch_cap = need;
	}

	bool field_seen = false, emitting = true, too_large = false;
	size_t list = 0;
	while (st.pos < len) {
		uint8_t b = block[st.pos];
		size_t at = st.pos;
		st.scratch_used = 0;
		uint32_t idx = 0;
		enum as_hpack_status rc;
		const char *name = NULL, *value = NULL;
		size_t nl = 0, vl = 0;
		unsigned flags = 0;
		bool index_it = false;

		if ((b & 0xe0) == 0x20) {
			/* Dynamic table size update (section 6.3). */
			if (field_seen)
				return fail(&st, AS_HPACK_ERR_TABLE_SIZE,
					    "table size update after a field at byte %zu", at);
			if ((rc = read_int(&st, 5, &idx)) != AS_HPACK_OK)
				return rc;
			if (idx > h->settings_max)
				return fail(&st, AS_HPACK_ERR_TABLE_SIZE,
					    "table size update to %u over the limit %u at byte %zu",
					    idx, h->settings_max, at);
			h->max_size = idx;
			evict_to(h, idx);
			continue;
		}
		field_seen = true;
		if (b & 0x80) {
			/* Indexed field (section 6.1). */
			if ((rc = read_int(&st, 7, &idx)) != AS_HPACK_OK)
				return rc;
			if (!lookup(h, idx, &name, &nl, &value, &vl))
				return fail(&st, AS_HPACK_ERR_INDEX,
					    "index %u outside the tables (%zu static + %zu "
					    "dynamic) at byte %zu",
					    idx, STATIC_COUNT, h->count, at);
		} else {
			/* Literal (section 6.2): with incremental indexing (01),
			 * without indexing (0000) or never indexed (0001). */
			unsigned prefix = 4;
			if ((b & 0xc0) == 0x40) {
				prefix = 6;
				index_it = true;
			} else if (b & 0x10) {
				flags |= AS_HPACK_NEVER_INDEXED;
			}
			if ((rc = read_int(&st, prefix, &idx)) != AS_HPACK_OK)
				return rc;
			if (idx) {
				const char *unused;
				size_t unused_len;
				if (!lookup(h, idx, &name, &nl, &unused, &unused_len))
					return fail(&st, AS_HPACK_ERR_INDEX,
						    "name index %u outside the tables (%zu static "
						    "+ %zu dynamic) at byte %zu",
						    idx, STATIC_COUNT, h->count, at);
			} else if ((rc = read_string(&st, &name, &nl)) != AS_HPACK_OK) {
				return rc;
			}
			if ((rc = read_string(&st, &value, &vl)) != AS_HPACK_OK)
				return rc;
		}

		size_t fsize = nl + vl + ENTRY_OVERHEAD;
		if (h->max_list && list + fsize > h->max_list) {
			too_large = true;
			emitting = false;
		}
		list += fsize;
		if (emitting && cb && !cb(ctx, name, nl, value, vl, flags))
			emitting = false;
		if (index_it && (rc = insert(h, name, nl, value, vl)) != AS_HPACK_OK)
			return fail(&st, rc, "out of memory adding an entry at byte %zu", at);
	}
	if (too_large) {
		fail(&st, AS_HPACK_LIST_TOO_LARGE, "header list over %zu bytes", h->max_list);
		return AS_HPACK_LIST_TOO_LARGE;
	}
	return AS_HPACK_OK;
}
