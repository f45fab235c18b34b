/* http2: the incremental HTTP/2 parser; see http2.h for what it promises.
 *
 * Each direction runs its own frame reader (preface, 9-byte frame header,
 * payload) and its own HPACK decoder. DATA payloads stream straight into the
 * stream's body decoder; header block fragments collect in a per-direction
 * buffer until END_HEADERS; the payloads of other frames keep their first
 * CTL_MAX bytes. A stream has two halves, the client's message (the request)
 * and the server's (the response), each reported to its direction's sink.
 */
#include "http2.h"

#include "decode.h"
#include "hpack.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PREFACE		  "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define PREFACE_LEN	  (sizeof(PREFACE) - 1)
#define FRAME_HEADER_LEN  9u
#define CTL_MAX		  256u
#define DEFAULT_MAX_FRAME 16384u
#define LARGEST_MAX_FRAME 16777215u

enum frame_type {
	FT_DATA = 0,
	FT_HEADERS = 1,
	FT_PRIORITY = 2,
	FT_RST_STREAM = 3,
	FT_SETTINGS = 4,
	FT_PUSH_PROMISE = 5,
	FT_PING = 6,
	FT_GOAWAY = 7,
	FT_WINDOW_UPDATE = 8,
	FT_CONTINUATION = 9,
};

#define FL_END_STREAM  0x1
#define FL_ACK	       0x1
#define FL_END_HEADERS 0x4
#define FL_PADDED      0x8
#define FL_PRIORITY    0x20

#define SETTINGS_HEADER_TABLE_SIZE 1
#define SETTINGS_MAX_FRAME_SIZE	   5

enum {
	CLIENT = 0,
	SERVER = 1
};

enum half_state {
	HS_IDLE, /* no (final) head yet */
	HS_OPEN, /* head delivered, body flowing */
	HS_DONE, /* ended, failed or never to come */
};

struct half {
	enum half_state st;
	struct as_body_decoder body;
};

struct stream {
	bool used;
	uint32_t id;
	struct half half[2];
};

enum dir_state {
	DS_PREFACE,
	DS_FRAME_HEADER,
	DS_PAYLOAD,
	DS_DEAD,
};

/* What a header block said, beyond the field list. Values are places in the
 * direction's arena (offset + 1; 0 if absent), which may move while it grows. */
struct head_info {
	size_t method, path, authority, host, status, ctype, cenc, clen;
	bool bad_pseudo; /* a pseudo-header after a regular field, or unknown */
	bool regular_seen;
	size_t dropped; /* fields over max_headers */
};

struct dir {
	int side; /* CLIENT or SERVER */
	struct as_http_sink sink;
	enum dir_state st;
	size_t preface_got;

	uint8_t fh[FRAME_HEADER_LEN];
	size_t fh_got;
	uint32_t flen, fsid, fgot;
	uint8_t ftype, fflags;
	bool fskip; /* payload ignored (damaged by a gap) */

	/* DATA */
	bool pad_known;
	uint32_t data_left;

	/* Header blocks: fragments of HEADERS / PUSH_PROMISE / CONTINUATION. */
	uint8_t *hb;
	size_t hb_len, hb_cap, hb_frame_start;
	bool in_block;
	uint32_t block_sid;
	uint8_t block_type;
	bool block_end_stream;

	uint8_t ctl[CTL_MAX];
	size_t ctl_len;

	struct as_hpack *hpack;
	uint32_t max_frame; /* SETTINGS_MAX_FRAME_SIZE of the receiving side */
	bool frame_size_reported;

	/* The decoded fields of the current block. */
	struct as_http_header *hdrs;
	size_t n_hdrs;
	size_t (*field_at)[2]; /* arena places of each field's name and value */
	char *arena;
	size_t arena_len, arena_cap;
	struct head_info info;

	struct as_http_counters counters;
};

struct as_http2 {
	struct as_http_limits lim;
	size_t hb_limit;
	struct dir dir[2];
	struct stream *streams;
	size_t n_slots;
	bool closed;
	char err[224];
};

/* ---- reporting ------------------------------------------------------- */

static void report(struct as_http2 *c, struct dir *d, uint32_t sid, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(struct as_http2 *c, struct dir *d, uint32_t sid, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, sizeof(c->err),
			 "http2 %s: ", d->side == CLIENT ? "client" : "server");
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(c->err))
		vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
	va_end(ap);
	d->counters.errors++;
	if (d->sink.on_error)
		d->sink.on_error(d->sink.ctx, sid, c->err);
}

/* ---- streams ------------------------------------------------------------ */

static struct stream *find_stream(struct as_http2 *c, uint32_t id)
{
	for (size_t i = 0; i < c->n_slots; i++)
		if (c->streams[i].used && c->streams[i].id == id)
			return &c->streams[i];
	return NULL;
}

static void release_if_done(struct stream *s)
{
	if (s->half[CLIENT].st == HS_DONE && s->half[SERVER].st == HS_DONE)
		s->used = false;
}

/* A slot for a new stream: a free one, else one with no message in progress
 * (its missing halves will never be seen: a lost response, say). */
static struct stream *new_stream(struct as_http2 *c, uint32_t id)
{
	struct stream *pick = NULL;
	for (size_t i = 0; i < c->n_slots && !pick; i++)
		if (!c->streams[i].used)
			pick = &c->streams[i];
	for (size_t i = 0; i < c->n_slots && !pick; i++) {
		struct stream *s = &c->streams[i];
		if (s->half[CLIENT].st != HS_OPEN && s->half[SERVER].st != HS_OPEN)
			pick = s;
	}
	if (!pick)
		return NULL;
	memset(pick, 0, sizeof(*pick));
	pick->used = true;
	pick->id = id;
	return pick;
}

static void end_half(struct stream *s, int side, enum as_http_end how)
{
	struct half *h = &s->half[side];
	if (h->st == HS_OPEN)
		as_body_decoder_finish(&h->body, how);
	h->st = HS_DONE;
}

/* ---- direction errors ------------------------------------------------------ */

/* The direction's framing or HPACK state is lost: end its messages, drop the rest. */
static void kill_dir(struct as_http2 *c, struct dir *d, enum as_http_end how)
{
	d->st = DS_DEAD;
	d->in_block = false;
	d->hb_len = 0;
	for (size_t i = 0; i < c->n_slots; i++) {
		struct stream *s = &c->streams[i];
		if (!s->used)
			continue;
		end_half(s, d->side, how);
		release_if_done(s);
	}
}

static void conn_error(struct as_http2 *c, struct dir *d, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void conn_error(struct as_http2 *c, struct dir *d, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(c, d, 0, "%s; no more frames parsed in this direction", msg);
	kill_dir(c, d, AS_HTTP_END_ERROR);
}

/* ---- header blocks -------------------------------------------------------- */

/* Copies s[0..n) and a NUL into the arena; returns its offset + 1, or 0 when
 * the arena cannot hold it. */
static size_t arena_copy(struct dir *d, const char *s, size_t n, size_t max)
{
	size_t need = d->arena_len + n + 1;
	if (need > d->arena_cap) {
		/* grown on demand, never past the header list limit */
		size_t cap = d->arena_cap ? d->arena_cap : 1024;
		while (cap < need)
			cap *= 2;
		if (cap > max)
			cap = max;
		char *na = need <= cap ? realloc(d->arena, cap) : NULL;
		if (!na)
			return 0;
		d->arena = na;
		d->arena_cap = cap;
	}
	size_t at = d->arena_len;
	if (n)
		memcpy(d->arena + at, s, n);
	d->arena[at + n] = 0;
	d->arena_len += n + 1;
	return at + 1;
}

/* The string at an arena place from arena_copy, or NULL for 0. */
static const char *arena_str(const struct dir *d, size_t at)
{
	return at ? d->arena + at - 1 : NULL;
}

struct collect_ctx {
	struct as_http2 *c;
	struct dir *d;
};

static bool collect_field(void *vctx, const char *name, size_t nl, const char *value, size_t vl,
			  unsigned flags)
{
	struct collect_ctx *cc = vctx;
	struct dir *d = cc->d;
	struct head_info *in = &d->info;
	(void)flags;
	size_t max = cc->c->lim.max_head_bytes;
	size_t n = arena_copy(d, name, nl, max);
	size_t v = n ? arena_copy(d, value, vl, max) : 0;
	if (!n || !v)
		return false; /* cannot happen within the list limit; stop if it does */
	if (nl > 0 && name[0] == ':') {
		if (in->regular_seen)
			in->bad_pseudo = true;
		if (strcmp(name, ":method") == 0)
			in->method = v;
		else if (strcmp(name, ":path") == 0)
			in->path = v;
		else if (strcmp(name, ":authority") == 0)
			in->authority = v;
		else if (strcmp(name, ":status") == 0)
			in->status = v;
		else if (strcmp(name, ":scheme") != 0 && strcmp(name, ":protocol") != 0)
			in->bad_pseudo = true;
	} else {
		in->regular_seen = true;
		if (!in->host && strcmp(name, "host") == 0)
			in->host = v;
		else if (!in->ctype && strcmp(name, "content-type") == 0)
			in->ctype = v;
		else if (!in->cenc && strcmp(name, "content-encoding") == 0)
			in->cenc = v;
		else if (!in->clen && strcmp(name, "content-length") == 0)
			in->clen = v;
	}
	if (d->n_hdrs < cc->c->lim.max_headers) {
		d->field_at[d->n_hdrs][0] = n;
		d->field_at[d->n_hdrs][1] = v;
		d->n_hdrs++;
	} else {
		in->dropped++;
	}
	return true;
}

/* The block is decoded and the arena settled: point the fields into it. */
static void resolve_fields(struct dir *d)
{
	for (size_t i = 0; i < d->n_hdrs; i++) {
		d->hdrs[i].name = arena_str(d, d->field_at[i][0]);
		d->hdrs[i].value = arena_str(d, d->field_at[i][1]);
	}
}

static int64_t parse_length(const char *v)
{
	if (!v || !*v)
		return -1;
	int64_t x = 0;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9' || x > (INT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (*p - '0');
	}
	return x;
}

/* ":status" must be three digits. */
static int parse_status(const char *v)
{
	if (!v || strlen(v) != 3)
		return -1;
	for (int i = 0; i < 3; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	return (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
}

/* A complete, decoded HEADERS block of stream sid: a head or trailers. */
static void deliver_headers(struct as_http2 *c, struct dir *d, uint32_t sid, bool end_stream)
{
	struct head_info *in = &d->info;
	if (d->side == SERVER && sid % 2 == 0)
		return; /* a pushed stream: not reported */
	struct stream *s = find_stream(c, sid);
	if (!s) {
		s = new_stream(c, sid);
		if (!s) {
			report(c, d, sid, "more than %zu streams open; stream %u not followed",
			       c->n_slots, sid);
			return;
		}
	}
	struct half *h = &s->half[d->side];
	if (h->st == HS_DONE) {
		report(c, d, sid, "HEADERS on stream %u after its end; ignored", sid);
		return;
	}
	if (in->dropped)
		report(c, d, sid, "%zu header fields over the limit of %zu dropped", in->dropped,
		       c->lim.max_headers);

	if (h->st == HS_OPEN) {
		/* Trailers. */
		if (d->sink.on_trailers && d->n_hdrs)
			d->sink.on_trailers(d->sink.ctx, sid, d->hdrs, d->n_hdrs);
		if (end_stream)
			end_half(s, d->side, AS_HTTP_END_COMPLETE);
		else
			report(c, d, sid, "trailing HEADERS without END_STREAM on stream %u", sid);
		release_if_done(s);
		return;
	}

	struct as_http_head head;
	memset(&head, 0, sizeof(head));
	head.version = 20;
	head.headers = d->hdrs;
	head.n_headers = d->n_hdrs;
	head.content_type = arena_str(d, in->ctype);
	head.content_encoding = arena_str(d, in->cenc);
	head.content_length = parse_length(arena_str(d, in->clen));
	int status = -1;
	if (d->side == CLIENT) {
		head.is_request = true;
		head.method = arena_str(d, in->method);
		head.target = arena_str(d, in->path);
		head.authority = arena_str(d, in->authority ? in->authority : in->host);
	} else {
		status = parse_status(arena_str(d, in->status));
		head.status = status;
	}
	if (in->bad_pseudo || (d->side == CLIENT && !in->method) ||
	    (d->side == SERVER && status < 100)) {
		report(c, d, sid, "malformed %s head on stream %u (pseudo-headers); skipped",
		       d->side == CLIENT ? "request" : "response", sid);
		h->st = HS_DONE;
		release_if_done(s);
		return;
	}
	d->counters.messages++;
	if (d->sink.on_head)
		d->sink.on_head(d->sink.ctx, sid, &head);
	bool informational = d->side == SERVER && status < 200;
	as_body_decoder_start(
		&h->body, &d->sink, sid,
		as_body_coding_parse(informational ? NULL : arena_str(d, in->cenc), NULL), &c->lim);
	h->st = HS_OPEN;
	if (informational) {
		as_body_decoder_finish(&h->body, AS_HTTP_END_COMPLETE);
		h->st = HS_IDLE; /* the final response follows */
		return;
	}
	if (end_stream)
		end_half(s, d->side, AS_HTTP_END_COMPLETE);
	release_if_done(s);
}

static void process_block(struct as_http2 *c, struct dir *d)
{
	char err[160];
	d->n_hdrs = 0;
	d->arena_len = 0;
	memset(&d->info, 0, sizeof(d->info));
	struct collect_ctx cc = {c, d};
	enum as_hpack_status rc =
		as_hpack_decode(d->hpack, d->hb, d->hb_len, collect_field, &cc, err, sizeof(err));
	d->in_block = false;
	d->hb_len = 0;
	resolve_fields(d);
	if (rc < 0) {
		conn_error(c, d, "header block of stream %u: %s", d->block_sid, err);
		return;
	}
	if (d->block_type == FT_PUSH_PROMISE)
		return; /* decoded only to keep the table in step */
	if (rc == AS_HPACK_LIST_TOO_LARGE) {
		report(c, d, d->block_sid, "header list of stream %u over %zu bytes; skipped",
		       d->block_sid, c->lim.max_head_bytes);
		struct stream *s = find_stream(c, d->block_sid);
		if (!s && !(d->side == SERVER && d->block_sid % 2 == 0))
			s = new_stream(c, d->block_sid);
		if (s) {
			end_half(s, d->side, AS_HTTP_END_ERROR);
			release_if_done(s);
		}
		return;
	}
	deliver_headers(c, d, d->block_sid, d->block_end_stream);
}

/* The payload of a HEADERS or PUSH_PROMISE frame is in hb[hb_frame_start..]:
 * cut padding, priority and the promised id, keeping the fragment. */
static bool strip_fragment(struct as_http2 *c, struct dir *d)
{
	uint8_t *p = d->hb + d->hb_frame_start;
	size_t n = d->hb_len - d->hb_frame_start;
	size_t off = 0, pad = 0;
	if (d->fflags & FL_PADDED) {
		if (n < 1) {
			conn_error(c, d, "PADDED frame without a pad length");
			return false;
		}
		pad = p[0];
		off = 1;
	}
	if (d->ftype == FT_HEADERS && (d->fflags & FL_PRIORITY))
		off += 5;
	if (d->ftype == FT_PUSH_PROMISE)
		off += 4;
	if (off + pad > n) {
		conn_error(c, d, "padding or priority longer than the %s frame on stream %u",
			   d->ftype == FT_HEADERS ? "HEADERS" : "PUSH_PROMISE", d->fsid);
		return false;
	}
	if (n - off - pad > 0)
		memmove(p, p + off, n - off - pad);
	d->hb_len = d->hb_frame_start + (n - off - pad);
	return true;
}

/* ---- frames --------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void apply_settings(struct as_http2 *c, struct dir *d)
{
	/* Settings describe the sender as a receiver: they bound the other direction. */
	struct dir *other = &c->dir[1 - d->side];
	for (size_t i = 0; i + 6 <= d->ctl_len; i += 6) {
		uint16_t id = (uint16_t)(d->ctl[i] << 8 | d->ctl[i + 1]);
		uint32_t v = be32(d->ctl + i + 2);
		if (id == SETTINGS_HEADER_TABLE_SIZE) {
			as_hpack_set_max_table_size(other->hpack, v);
		} else if (id == SETTINGS_MAX_FRAME_SIZE) {
			if (v < DEFAULT_MAX_FRAME || v > LARGEST_MAX_FRAME) {
				conn_error(c, d, "SETTINGS_MAX_FRAME_SIZE %u out of range", v);
				return;
			}
			other->max_frame = v;
		}
	}
}

static void rst_stream(struct as_http2 *c, uint32_t sid)
{
	struct stream *s = find_stream(c, sid);
	if (!s)
		return;
	end_half(s, CLIENT, AS_HTTP_END_TRUNCATED);
	end_half(s, SERVER, AS_HTTP_END_TRUNCATED);
	release_if_done(s);
}

static void frame_done(struct as_http2 *c, struct dir *d)
{
	d->st = DS_FRAME_HEADER;
	d->fh_got = 0;
	if (d->fskip) {
		/* Damaged by a gap: only DATA's END_STREAM is still certain. */
		d->fskip = false;
		if (d->ftype != FT_DATA)
			return;
	}
	switch (d->ftype) {
	case FT_DATA:
		if (d->fflags & FL_END_STREAM) {
			struct stream *s = find_stream(c, d->fsid);
			if (s) {
				end_half(s, d->side, AS_HTTP_END_COMPLETE);
				release_if_done(s);
			}
		}
		break;
	case FT_HEADERS:
	case FT_PUSH_PROMISE:
		if (!strip_fragment(c, d))
			return;
		d->in_block = true;
		d->block_sid = d->fsid;
		d->block_type = d->ftype;
		d->block_end_stream = d->ftype == FT_HEADERS && (d->fflags & FL_END_STREAM);
		if (d->fflags & FL_END_HEADERS)
			process_block(c, d);
		break;
	case FT_CONTINUATION:
		if (d->fflags & FL_END_HEADERS)
			process_block(c, d);
		break;
	case FT_SETTINGS:
		if (!(d->fflags & FL_ACK))
			apply_settings(c, d);
		break;
	case FT_RST_STREAM:
		rst_stream(c, d->fsid);
		break;
	case FT_PRIORITY:
	case FT_PING:
	case FT_GOAWAY:
	case FT_WINDOW_UPDATE:
	default:
		break;
	}
}

static bool is_block_frame(uint8_t type)
{
	return type == FT_HEADERS || type == FT_PUSH_PROMISE || type == FT_CONTINUATION;
}

/* The 9-byte header is in: check it and prepare for the payload. */
static void start_frame(struct as_http2 *c, struct dir *d)
{
	d->flen = (uint32_t)d->fh[0] << 16 | (uint32_t)d->fh[1] << 8 | d->fh[2];
	d->ftype = d->fh[3];
	d->fflags = d->fh[4];
	d->fsid = be32(d->fh + 5) & 0x7fffffffu;
	d->fgot = 0;
	d->fskip = false;
	d->ctl_len = 0;
	d->counters.bytes_parsed += FRAME_HEADER_LEN;

	if (d->in_block && (d->ftype != FT_CONTINUATION || d->fsid != d->block_sid)) {
		conn_error(c, d,
			   "frame type %u on stream %u where a CONTINUATION of stream %u "
			   "was due",
			   d->ftype, d->fsid, d->block_sid);
		return;
	}
	if (d->ftype == FT_CONTINUATION && !d->in_block) {
		conn_error(c, d, "CONTINUATION on stream %u without a header block", d->fsid);
		return;
	}
	if (d->flen > d->max_frame && !d->frame_size_reported) {
		/* Memory does not depend on it, so go on; say it once. */
		d->frame_size_reported = true;
		report(c, d, 0, "frame of %u bytes over SETTINGS_MAX_FRAME_SIZE %u", d->flen,
		       d->max_frame);
	}
	bool needs_stream = d->ftype == FT_DATA || d->ftype == FT_HEADERS ||
			    d->ftype == FT_PRIORITY || d->ftype == FT_RST_STREAM ||
			    d->ftype == FT_PUSH_PROMISE || d->ftype == FT_CONTINUATION;
	bool needs_zero = d->ftype == FT_SETTINGS || d->ftype == FT_PING || d->ftype == FT_GOAWAY;
	if ((needs_stream && d->fsid == 0) || (needs_zero && d->fsid != 0)) {
		conn_error(c, d, "frame type %u on stream %u", d->ftype, d->fsid);
		return;
	}
	bool bad_size = false;
	switch (d->ftype) {
	case FT_PRIORITY:
		bad_size = d->flen != 5;
		break;
	case FT_RST_STREAM:
	case FT_WINDOW_UPDATE:
		bad_size = d->flen != 4;
		break;
	case FT_PING:
		bad_size = d->flen != 8;
		break;
	case FT_GOAWAY:
		bad_size = d->flen < 8;
		break;
	case FT_SETTINGS:
		bad_size = (d->fflags & FL_ACK) ? d->flen != 0 : d->flen % 6 != 0;
		break;
	case FT_DATA:
		bad_size = (d->fflags & FL_PADDED) && d->flen == 0;
		break;
	default:
		break;
	}
	if (bad_size) {
		conn_error(c, d, "frame type %u with a bad length %u", d->ftype, d->flen);
		return;
	}
	if (d->ftype == FT_PUSH_PROMISE && d->side == CLIENT) {
		conn_error(c, d, "PUSH_PROMISE from the client");
		return;
	}
	if (is_block_frame(d->ftype)) {
		if (d->hb_len + d->flen > c->hb_limit) {
			conn_error(c, d, "header block of stream %u over %zu bytes", d->fsid,
				   c->hb_limit);
			return;
		}
		if (d->hb_len + d->flen > d->hb_cap || !d->hb) {
			size_t ncap = d->hb_cap ? d->hb_cap : 4096;
			while (ncap < d->hb_len + d->flen)
				ncap *= 2;
			if (ncap > c->hb_limit)
				ncap = c->hb_limit;
			uint8_t *nb = realloc(d->hb, ncap);
			if (!nb) {
				conn_error(c, d, "out of memory for a header block");
				return;
			}
			d->hb = nb;
			d->hb_cap = ncap;
		}
		d->hb_frame_start = d->hb_len;
	}
	if (d->ftype == FT_DATA) {
		d->pad_known = !(d->fflags & FL_PADDED);
		d->data_left = d->pad_known ? d->flen : 0;
	}
	d->st = DS_PAYLOAD;
	if (d->flen == 0)
		frame_done(c, d);
}

/* Delivers DATA bytes to the stream's body, or counts them dropped. */
static void data_bytes(struct as_http2 *c, struct dir *d, const uint8_t *p, size_t n)
{
	struct stream *s = find_stream(c, d->fsid);
	struct half *h = s ? &s->half[d->side] : NULL;
	if (h && h->st == HS_OPEN && !d->fskip) {
		as_body_decoder_feed(&h->body, p, n);
		d->counters.bytes_parsed += n;
	} else {
		d->counters.bytes_dropped += n;
	}
}

static size_t on_payload(struct as_http2 *c, struct dir *d, const uint8_t *p, size_t len)
{
	size_t want = d->flen - d->fgot;
	size_t take = len < want ? len : want;
	if (d->ftype == FT_DATA) {
		size_t used = 0;
		if (!d->pad_known && take > 0) {
			uint8_t pad = p[0];
			used = 1;
			d->pad_known = true;
			d->counters.bytes_parsed++;
			if ((uint32_t)pad >= d->flen) {
				conn_error(c, d, "padding of %u bytes in a DATA frame of %u", pad,
					   d->flen);
				return take;
			}
			d->data_left = d->flen - 1 - pad;
		}
		size_t data = take - used < d->data_left ? take - used : d->data_left;
		if (data) {
			data_bytes(c, d, p + used, data);
			d->data_left -= (uint32_t)data;
		}
		if (d->fskip)
			d->counters.bytes_dropped += take - used - data;
		else
			d->counters.bytes_parsed += take - used - data; /* padding */
	} else if (is_block_frame(d->ftype)) {
		memcpy(d->hb + d->hb_len, p, take);
		d->hb_len += take;
		d->counters.bytes_parsed += take;
	} else {
		size_t keep = CTL_MAX - d->ctl_len;
		if (keep > take)
			keep = take;
		memcpy(d->ctl + d->ctl_len, p, keep);
		d->ctl_len += keep;
		d->counters.bytes_parsed += take;
	}
	d->fgot += (uint32_t)take;
	if (d->fgot == d->flen)
		frame_done(c, d);
	return take;
}

static size_t on_preface(struct as_http2 *c, struct dir *d, const uint8_t *p, size_t len)
{
	size_t want = PREFACE_LEN - d->preface_got;
	size_t take = len < want ? len : want;
	if (memcmp(p, &PREFACE[d->preface_got], take) != 0) {
		conn_error(c, d, "the client did not start with the HTTP/2 connection preface");
		d->counters.bytes_dropped += take;
		return take;
	}
	d->preface_got += take;
	d->counters.bytes_parsed += take;
	if (d->preface_got == PREFACE_LEN)
		d->st = DS_FRAME_HEADER;
	return take;
}

/* ---- public ------------------------------------------------------------- */

static bool init_dir(struct as_http2 *c, struct dir *d, int side, const struct as_http_sink *sink)
{
	d->side = side;
	if (sink)
		d->sink = *sink;
	d->st = side == CLIENT ? DS_PREFACE : DS_FRAME_HEADER;
	d->max_frame = DEFAULT_MAX_FRAME;
	d->hpack = as_hpack_new(AS_HPACK_DEFAULT_TABLE_SIZE, c->lim.max_head_bytes);
	d->hdrs = calloc(c->lim.max_headers, sizeof(*d->hdrs));
	d->field_at = calloc(c->lim.max_headers, sizeof(*d->field_at));
	return d->hpack && d->hdrs && d->field_at;
}

struct as_http2 *as_http2_new(const struct as_http_limits *limits,
			      const struct as_http_sink *requests,
			      const struct as_http_sink *responses)
{
	struct as_http2 *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->lim = as_http_limits_resolve(limits);
	c->hb_limit = 4 * c->lim.max_head_bytes;
	c->n_slots = c->lim.max_streams;
	c->streams = calloc(c->n_slots, sizeof(*c->streams));
	bool ok = c->streams && init_dir(c, &c->dir[CLIENT], CLIENT, requests) &&
		  init_dir(c, &c->dir[SERVER], SERVER, responses);
	if (!ok) {
		as_http2_free(c);
		return NULL;
	}
	return c;
}

void as_http2_feed(struct as_http2 *c, bool from_client, const uint8_t *data, size_t len)
{
	if (!c || !data)
		return;
	struct dir *d = &c->dir[from_client ? CLIENT : SERVER];
	if (c->closed) {
		d->counters.bytes_dropped += len;
		return;
	}
	while (len > 0) {
		size_t used;
		switch (d->st) {
		case DS_PREFACE:
			used = on_preface(c, d, data, len);
			break;
		case DS_FRAME_HEADER:
			used = FRAME_HEADER_LEN - d->fh_got;
			if (used > len)
				used = len;
			memcpy(d->fh + d->fh_got, data, used);
			d->fh_got += used;
			if (d->fh_got == FRAME_HEADER_LEN)
				start_frame(c, d);
			break;
		case DS_PAYLOAD:
			used = on_payload(c, d, data, len);
			break;
		case DS_DEAD:
		default:
			d->counters.bytes_dropped += len;
			used = len;
			break;
		}
		data += used;
		len -= used;
	}
}

void as_http2_gap(struct as_http2 *c, bool from_client, uint64_t nbytes)
{
	if (!c || nbytes == 0)
		return;
	struct dir *d = &c->dir[from_client ? CLIENT : SERVER];
	d->counters.bytes_lost += nbytes;
	if (c->closed || d->st == DS_DEAD)
		return;
	if (d->st == DS_PAYLOAD && !is_block_frame(d->ftype) && nbytes <= d->flen - d->fgot) {
		/* The frame boundary is known: skip the hole. */
		if (d->ftype == FT_DATA) {
			struct stream *s = find_stream(c, d->fsid);
			if (s && s->half[d->side].st == HS_OPEN)
				as_body_decoder_gap(&s->half[d->side].body, nbytes);
			if (!d->pad_known) {
				/* The pad length was lost: the rest of the frame
				 * cannot be told from its padding; drop it. */
				d->pad_known = true;
				d->data_left = 0;
				d->fskip = true;
			} else {
				d->data_left -=
					nbytes < d->data_left ? (uint32_t)nbytes : d->data_left;
			}
		} else {
			d->fskip = true;
		}
		d->fgot += (uint32_t)nbytes;
		if (d->fgot == d->flen)
			frame_done(c, d);
		return;
	}
	if (d->st == DS_PREFACE && nbytes <= PREFACE_LEN - d->preface_got) {
		d->preface_got += nbytes;
		if (d->preface_got == PREFACE_LEN)
			d->st = DS_FRAME_HEADER;
		return;
	}
	report(c, d, 0,
	       "%llu bytes lost outside a DATA payload; no more frames parsed in this "
	       "direction",
	       (unsigned long long)nbytes);
	kill_dir(c, d, AS_HTTP_END_TRUNCATED);
}

void as_http2_close(struct as_http2 *c)
{
	if (!c || c->closed)
		return;
	c->closed = true;
	for (size_t i = 0; i < c->n_slots; i++) {
		struct stream *s = &c->streams[i];
		if (!s->used)
			continue;
		end_half(s, CLIENT, AS_HTTP_END_TRUNCATED);
		end_half(s, SERVER, AS_HTTP_END_TRUNCATED);
		s->used = false;
	}
}

const struct as_http_counters *as_http2_counters(const struct as_http2 *c, bool from_client)
{
	return &c->dir[from_client ? CLIENT : SERVER].counters;
}

void as_http2_free(struct as_http2 *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->streams && i < c->n_slots; i++) {
		struct stream *s = &c->streams[i];
		if (!s->used)
			continue;
		for (int k = 0; k < 2; k++)
			if (s->half[k].st == HS_OPEN)
				as_body_decoder_release(&s->half[k].body);
	}
	for (int k = 0; k < 2; k++) {
		as_hpack_free(c->dir[k].hpack);
		free(c->dir[k].hb);
		free(c->dir[k].hdrs);
		free(c->dir[k].arena);
		free(c->dir[k].field_at);
	}
	free(c->streams);
	free(c);
}
