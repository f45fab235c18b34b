/* sse: the server-sent events parser; see sse.h for the rules it follows.
 *
 * Bytes are split into lines as they arrive; each complete line is repaired
 * to valid UTF-8 (lines end at ASCII bytes, so a line never splits a
 * character) and interpreted. Buffers start small and grow with what the
 * stream needs, never past their bound (a stream of small events costs a few
 * hundred bytes, not the limit); if memory runs out, the data is cut as if
 * it had reached the limit.
 */
#include "sse.h"

#include <stdlib.h>
#include <string.h>

/* Room beyond max_event_bytes for a line's field name ("data: "). */
#define LINE_SLACK 16u

struct as_sse {
	size_t max;
	as_sse_event_cb cb;
	void *ctx;

	char *line; /* the line being collected */
	size_t line_len, line_cap, line_alloc;
	bool line_cut;	/* the line went over line_cap */
	bool after_cr;	/* the last byte was a CR: an LF next is part of that line end */
	bool bom_done;	/* past the point where a leading BOM could be */
	size_t bom_got; /* bytes of a leading BOM matched so far (0..2) */

	char *fixed; /* the line as valid UTF-8 (up to 3 bytes per input byte) */
	size_t fixed_alloc;

	char *data; /* data buffer */
	size_t data_len, data_alloc;
	bool data_cut;
	char *type; /* event type buffer */
	size_t type_len, type_alloc;
	char *id; /* last event ID buffer ("" until an id field) */
	size_t id_len, id_alloc;
	bool pending; /* fields seen since the last dispatch */

	int64_t retry;
	struct as_sse_stats stats;
};

struct as_sse *as_sse_new(size_t max_event_bytes, as_sse_event_cb on_event, void *ctx)
{
	struct as_sse *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->max = max_event_bytes ? max_event_bytes : AS_SSE_DEFAULT_MAX_EVENT_BYTES;
	s->cb = on_event;
	s->ctx = ctx;
	s->line_cap = s->max + LINE_SLACK;
	s->id_alloc = 64;
	s->id = malloc(s->id_alloc);
	if (!s->id) {
		as_sse_free(s);
		return NULL;
	}
	s->id[0] = 0;
	s->retry = -1;
	return s;
}

/* Makes *buf hold at least need bytes (doubling, at most max). */
static bool grow(char **buf, size_t *alloc, size_t need, size_t max)
{
	if (need <= *alloc)
		return true;
	if (need > max)
		return false;
	size_t n = *alloc ? *alloc : 256;
	while (n < need)
		n = n > max / 2 ? max : n * 2;
	char *nb = realloc(*buf, n);
	if (!nb)
		return false;
	*buf = nb;
	*alloc = n;
	return true;
}

void as_sse_free(struct as_sse *s)
{
	if (!s)
		return;
	free(s->line);
	free(s->fixed);
	free(s->data);
	free(s->type);
	free(s->id);
	free(s);
}

/* WHATWG "UTF-8 decode": valid sequences are copied, each maximal invalid
 * subpart becomes U+FFFD (EF BF BD). Returns the output length. */
static size_t utf8_repair(struct as_sse *s, const uint8_t *in, size_t n, char *out)
{
	size_t o = 0, i = 0;
	while (i < n) {
		uint8_t b = in[i];
		size_t need;
		uint8_t lo = 0x80, hi = 0xbf;
		if (b < 0x80) {
			out[o++] = (char)b;
			i++;
			continue;
		} else if (b >= 0xc2 && b <= 0xdf) {
			need = 1;
		} else if (b >= 0xe0 && b <= 0xef) {
			need = 2;
			if (b == 0xe0)
				lo = 0xa0;
			if (b == 0xed)
				hi = 0x9f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			need = 3;
			if (b == 0xf0)
				lo = 0x90;
			if (b == 0xf4)
				hi = 0x8f;
		} else {
			need = 0; /* never valid as a lead byte */
		}
		size_t k = 1;
		bool ok = need > 0;
		while (ok && k <= need) {
			if (i + k >= n) {
				ok = false;
				break;
			}
			uint8_t c = in[i + k];
			if (c < lo || c > hi) {
				ok = false;
				break;
			}
			lo = 0x80;
			hi = 0xbf;
			k++;
		}
		if (ok) {
			memcpy(out + o, in + i, need + 1);
			o += need + 1;
			i += need + 1;
		} else {
			/* the lead byte and the continuation bytes accepted so far */
			out[o++] = (char)0xef; /* U+FFFD */
			out[o++] = (char)0xbf;
			out[o++] = (char)0xbd;
			i += need > 0 ? k : 1;
			s->stats.invalid_utf8++;
		}
	}
	return o;
}

static void dispatch(struct as_sse *s)
{
	s->pending = false;
	if (s->data_len == 0) {
		s->type_len = 0;
		s->data_cut = false;
		return;
	}
	if (s->data[s->data_len - 1] == '\n')
		s->data_len--;
	s->data[s->data_len] = 0; /* append_data keeps room for it */
	if (s->type_len)
		s->type[s->type_len] = 0; /* so does the event field */
	struct as_sse_event ev = {
		.type = s->type_len ? s->type : "message",
		.data = s->data,
		.data_len = s->data_len,
		.id = s->id,
		.truncated = s->data_cut,
	};
	s->stats.events++;
	if (s->data_cut)
		s->stats.truncated_events++;
	if (s->cb)
		s->cb(s->ctx, &ev);
	s->data_len = 0;
	s->type_len = 0;
	s->data_cut = false;
}

static void append_data(struct as_sse *s, const char *v, size_t n, bool cut)
{
	size_t room = s->max - s->data_len;
	bool fits = n + 1 <= room;
	size_t take = fits ? n : (n < room ? n : room);
	/* room for the bytes, the LF and the NUL added at dispatch */
	if (!grow(&s->data, &s->data_alloc, s->data_len + take + 2, s->max + 2)) {
		fits = false;
		take = s->data_alloc > s->data_len + 2 ? s->data_alloc - s->data_len - 2 : 0;
		take = take < n ? take : n;
	}
	if (take)
		memcpy(s->data + s->data_len, v, take);
	s->data_len += take;
	if (!fits) {
		s->data_cut = true;
		return;
	}
	s->data[s->data_len++] = '\n';
	if (cut)
		s->data_cut = true;
}

/* The longest prefix of v no longer than max that does not split a UTF-8
 * character. */
static size_t utf8_cut(const char *v, size_t max)
{
	size_t n = max;
	while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
		n--;
	return n;
}

static bool all_digits(const char *v, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

static void process_line(struct as_sse *s, const char *l, size_t n, bool cut)
{
	if (n == 0) {
		dispatch(s);
		return;
	}
	if (l[0] == ':') {
		s->stats.comments++;
		return;
	}
	const char *colon = memchr(l, ':', n);
	size_t fn = colon ? (size_t)(colon - l) : n;
	const char *v = colon ? colon + 1 : l + n;
	size_t vn = (size_t)(l + n - v);
	if (vn && v[0] == ' ') {
		v++;
		vn--;
	}
	s->pending = true;
	if (vn > s->line_cap)
		vn = utf8_cut(v, s->line_cap); /* only event and id use the cut value */
	if (fn == 5 && memcmp(l, "event", 5) == 0) {
		if (!grow(&s->type, &s->type_alloc, vn + 1, s->line_cap + 1))
			vn = s->type_alloc ? utf8_cut(v, s->type_alloc - 1) : 0;
		memcpy(s->type, v, vn);
		s->type_len = vn;
	} else if (fn == 4 && memcmp(l, "data", 4) == 0) {
		append_data(s, v, vn, cut || vn < (size_t)(l + n - v));
	} else if (fn == 2 && memcmp(l, "id", 2) == 0) {
		if (!memchr(v, 0, vn)) {
			if (!grow(&s->id, &s->id_alloc, vn + 1, s->line_cap + 1))
				vn = utf8_cut(v, s->id_alloc - 1);
			memcpy(s->id, v, vn);
			s->id_len = vn;
			s->id[vn] = 0;
		}
	} else if (fn == 5 && memcmp(l, "retry", 5) == 0) {
		if (all_digits(v, vn)) {
			int64_t r = 0;
			for (size_t i = 0; i < vn; i++)
				r = r > (INT64_MAX - 9) / 10 ? INT64_MAX : r * 10 + (v[i] - '0');
			s->retry = r;
		}
	}
}

static void end_line(struct as_sse *s)
{
	if (grow(&s->fixed, &s->fixed_alloc, 3 * s->line_len + 1, 3 * s->line_cap + 1)) {
		size_t n = utf8_repair(s, (const uint8_t *)s->line, s->line_len, s->fixed);
		process_line(s, s->fixed, n, s->line_cut);
	} else {
		process_line(s, s->line ? s->line : "", s->line_len, true); /* out of memory */
	}
	s->line_len = 0;
	s->line_cut = false;
}

static void append_line(struct as_sse *s, const uint8_t *p, size_t n)
{
	size_t room = s->line_cap - s->line_len;
	if (n > room) {
		s->line_cut = true;
		n = room;
	}
	if (!grow(&s->line, &s->line_alloc, s->line_len + n, s->line_cap)) {
		s->line_cut = true;
		n = s->line_alloc - s->line_len;
	}
	if (n)
		memcpy(s->line + s->line_len, p, n);
	s->line_len += n;
}

static void consume(struct as_sse *s, const uint8_t *p, size_t n)
{
	while (n > 0) {
		if (s->after_cr) {
			s->after_cr = false;
			if (p[0] == '\n') {
				p++;
				n--;
				continue;
			}
		}
		size_t k = 0;
		while (k < n && p[k] != '\r' && p[k] != '\n')
			k++;
		append_line(s, p, k);
		if (k == n)
			return;
		s->after_cr = p[k] == '\r';
		end_line(s);
		p += k + 1;
		n -= k + 1;
	}
}

static const uint8_t bom[3] = {0xef, 0xbb, 0xbf};

/* What looked like the start of a BOM was not one: those bytes are content. */
static void release_bom(struct as_sse *s)
{
	uint8_t held[sizeof(bom)];
	size_t n = s->bom_got < sizeof(bom) ? s->bom_got : 0;
	memcpy(held, bom, sizeof(held));
	s->bom_done = true;
	s->bom_got = 0;
	consume(s, held, n);
}

void as_sse_feed(struct as_sse *s, const uint8_t *data, size_t len)
{
	if (!s || !data)
		return;
	s->stats.bytes += len;
	size_t i = 0;
	while (!s->bom_done && i < len) {
		if (data[i] == bom[s->bom_got]) {
			i++;
			if (++s->bom_got == sizeof(bom))
				s->bom_done = true;
			continue;
		}
		release_bom(s);
	}
	consume(s, data + i, len - i);
}

bool as_sse_finish(struct as_sse *s)
{
	if (!s)
		return false;
	if (!s->bom_done)
		release_bom(s);
	bool partial = s->pending || (s->line_len > 0 && s->line[0] != ':');
	/* Discard everything pending; start afresh (the last event ID stays). */
	s->line_len = 0;
	s->line_cut = false;
	s->after_cr = false;
	s->bom_done = false;
	s->bom_got = 0;
	s->data_len = 0;
	s->data_cut = false;
	s->type_len = 0;
	s->pending = false;
	return partial;
}

int64_t as_sse_retry_ms(const struct as_sse *s)
{
	return s ? s->retry : -1;
}

const struct as_sse_stats *as_sse_stats(const struct as_sse *s)
{
	return &s->stats;
}
