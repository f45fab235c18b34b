/* http1: the incremental HTTP/1.x parser; see http1.h for what it promises.
 *
 * One state machine over the byte stream. Heads, chunk-size lines, trailers
 * and the lines examined while resynchronising are collected in one buffer
 * (max_head_bytes, at least RESYNC_LINE_MAX); body bytes go straight through
 * to the body decoder without being copied.
 */
#include "http1.h"

#include "decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHUNK_LINE_MAX	4096u /* a chunk-size line with its extensions */
#define RESYNC_LINE_MAX 8192u /* a line examined as a possible start line */
#define METHOD_QUEUE	64u
#define CODINGS_MAX	256u /* Content-Encoding plus Transfer-Encoding, joined */

enum state {
	ST_IDLE,	/* between messages: empty lines are skipped */
	ST_HEAD,	/* collecting the head, line by line */
	ST_BODY_LENGTH, /* Content-Length body */
	ST_BODY_CLOSE,	/* body read until the stream closes */
	ST_CHUNK_SIZE,	/* collecting a chunk-size line */
	ST_CHUNK_DATA,	/* inside chunk data */
	ST_CHUNK_END,	/* the CRLF after chunk data */
	ST_TRAILERS,	/* trailer section after the last chunk */
	ST_RESYNC,	/* dropping lines until one looks like a start line */
	ST_TUNNEL,	/* after 101 or CONNECT: no longer HTTP */
	ST_CLOSED,	/* as_http1_close was called */
};

enum method_kind {
	MK_OTHER,
	MK_HEAD,
	MK_CONNECT,
};

struct as_http1 {
	struct as_http_limits lim;
	struct as_http_sink sink;
	enum state st;
	char *buf;	   /* head, chunk-size line, trailers or resync line */
	size_t len;	   /* bytes in buf */
	size_t alloc;	   /* allocated size of buf, grown on demand */
	size_t cap;	   /* the most buf may grow to */
	size_t line_start; /* where the line being collected starts in buf */
	bool partial;	   /* resync: the line in buf may not start at a line start */
	uint64_t pending;  /* bytes of the unit in buf, counted parsed until it fails */
	struct as_http_header *hdrs;

	bool in_message;    /* a head was delivered and its end not yet */
	bool tunnel_after;  /* the stream becomes a tunnel when this message ends */
	uint64_t remaining; /* body or chunk bytes left */
	int crlf_got;	    /* ST_CHUNK_END: 1 after a CR */
	struct as_body_decoder body;

	uint8_t mq[METHOD_QUEUE]; /* methods of requests awaiting responses */
	size_t mq_head, mq_len;

	struct as_http_counters counters;
	char err[192];
};

/* ---- small helpers ---------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* tchar of RFC 9110 section 5.6.2 */
static bool is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static void report(struct as_http1 *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct as_http1 *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	p->counters.errors++;
	if (p->sink.on_error)
		p->sink.on_error(p->sink.ctx, 0, p->err);
}

/* The unit being collected (head, line) is done with: its bytes stay counted
 * as parsed, or move to dropped. */
static void count_pending(struct as_http1 *p, bool parsed)
{
	if (!parsed) {
		p->counters.bytes_parsed -= p->pending;
		p->counters.bytes_dropped += p->pending;
	}
	p->pending = 0;
}

/* Drops what is being collected and looks for the next start line. partial:
 * the stream is mid-line (so the next line seen may be the tail of one). */
static void to_resync(struct as_http1 *p, bool partial)
{
	count_pending(p, false);
	p->st = ST_RESYNC;
	p->len = 0;
	p->line_start = 0;
	p->partial = partial;
}

static void end_message(struct as_http1 *p, enum as_http_end how)
{
	if (!p->in_message)
		return;
	p->in_message = false;
	as_body_decoder_finish(&p->body, how);
	if (p->st != ST_CLOSED)
		p->st = p->tunnel_after && how == AS_HTTP_END_COMPLETE ? ST_TUNNEL : ST_IDLE;
	p->tunnel_after = false;
	p->len = 0;
	p->line_start = 0;
}

/* A message whose head was delivered turned out broken. */
static void fail_message(struct as_http1 *p, bool partial)
{
	if (p->in_message) {
		p->in_message = false;
		as_body_decoder_finish(&p->body, AS_HTTP_END_ERROR);
	}
	p->tunnel_after = false;
	to_resync(p, partial);
}

/* ---- start line --------------------------------------------------------- */

struct start_line {
	bool is_request;
	int version;
	size_t method_len; /* method at the line's start */
	size_t target_off, target_len;
	int status;
};

/* Parses "METHOD SP target SP HTTP/1.x" or "HTTP/1.x SP NNN [SP reason]"
 * in s[0..n) (the line without its CR LF). */
static bool parse_start_line(const char *s, size_t n, struct start_line *o)
{
	memset(o, 0, sizeof(*o));
	if (n >= 12 && memcmp(s, "HTTP/1.", 7) == 0 && is_digit(s[7]) && s[8] == ' ' &&
	    is_digit(s[9]) && is_digit(s[10]) && is_digit(s[11]) && (n == 12 || s[12] == ' ')) {
		o->is_request = false;
		o->version = 10 + (s[7] - '0');
		o->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
		if (o->status < 100)
			return false;
		for (size_t i = 13; i < n; i++)
			if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
				return false;
		return true;
	}
	size_t i = 0;
	while (i < n && i <= 32 && is_tchar(s[i]))
		i++;
	if (i == 0 || i > 32 || i >= n || s[i] != ' ')
		return false;
	o->is_request = true;
	o->method_len = i;
	o->target_off = ++i;
	while (i < n && (unsigned char)s[i] > 0x20 && s[i] != 0x7f)
		i++;
	if (i == o->target_off || i >= n || s[i] != ' ')
		return false;
	o->target_len = i - o->target_off;
	i++;
	if (n - i != 8 || memcmp(s + i, "HTTP/1.", 7) != 0 || !is_digit(s[i + 7]))
		return false;
	o->version = 10 + (s[i + 7] - '0');
	return true;
}

/* Length of a line in buf without its LF and optional CR. */
static size_t line_body_len(const char *line, size_t n)
{
	if (n && line[n - 1] == '\n')
		n--;
	if (n && line[n - 1] == '\r')
		n--;
	return n;
}

/* ---- head --------------------------------------------------------------- */

struct framing_hdrs {
	const char *host, *ctype, *cenc;
	int64_t content_length; /* -1 absent */
	bool cl_invalid;
	bool te_present, te_chunked_last;
	char codings[CODINGS_MAX]; /* Content-Encoding and non-chunked transfer codings */
	char te_codings[CODINGS_MAX];
	bool codings_overflow;
};

static void append_list(char *dst, const char *v, bool *overflow)
{
	size_t have = strlen(dst), add = strlen(v);
	if (have + add + 2 >= CODINGS_MAX) {
		*overflow = true;
		return;
	}
	if (have) {
		dst[have++] = ',';
		dst[have++] = ' ';
	}
	memcpy(dst + have, v, add + 1);
}

/* Content-Length: 1*DIGIT, or a list of identical values ("42, 42"). */
static bool parse_content_length(const char *v, int64_t *out)
{
	int64_t val = -1;
	const char *p = v;
	for (;;) {
		while (is_ows(*p))
			p++;
		if (!is_digit(*p))
			return false;
		int64_t x = 0;
		while (is_digit(*p)) {
			if (x > (INT64_MAX - 9) / 10)
				return false;
			x = x * 10 + (*p++ - '0');
		}
		while (is_ows(*p))
			p++;
		if (val >= 0 && x != val)
			return false;
		val = x;
		if (*p == 0)
			break;
		if (*p++ != ',')
			return false;
	}
	*out = val;
	return true;
}

/* The transfer codings of one Transfer-Encoding value: notes whether the last
 * is chunked and collects the others. */
static void scan_transfer_encoding(struct framing_hdrs *f, const char *v)
{
	f->te_present = true;
	const char *p = v;
	bool last_chunked = false;
	while (*p) {
		while (is_ows(*p) || *p == ',')
			p++;
		const char *s = p;
		while (*p && *p != ',')
			p++;
		const char *e = p;
		while (e > s && is_ows(e[-1]))
			e--;
		if (e == s)
			continue;
		last_chunked = (size_t)(e - s) == 7 && strncasecmp(s, "chunked", 7) == 0;
		if (!last_chunked) {
			char tok[64];
			size_t n = (size_t)(e - s) < sizeof(tok) - 1 ? (size_t)(e - s)
								     : sizeof(tok) - 1;
			memcpy(tok, s, n);
			tok[n] = 0;
			append_list(f->te_codings, tok, &f->codings_overflow);
		}
	}
	f->te_chunked_last = last_chunked;
}

static void note_framing_header(struct framing_hdrs *f, const char *name, const char *value)
{
	if (strcasecmp(name, "content-length") == 0) {
		int64_t v;
		if (!parse_content_length(value, &v) ||
		    (f->content_length >= 0 && v != f->content_length))
			f->cl_invalid = true;
		else
			f->content_length = v;
	} else if (strcasecmp(name, "transfer-encoding") == 0) {
		scan_transfer_encoding(f, value);
	} else if (strcasecmp(name, "content-encoding") == 0) {
		if (!f->cenc)
			f->cenc = value;
		append_list(f->codings, value, &f->codings_overflow);
	} else if (strcasecmp(name, "content-type") == 0) {
		if (!f->ctype)
			f->ctype = value;
	} else if (strcasecmp(name, "host") == 0) {
		if (!f->host)
			f->host = value;
	}
}

/* Splits header lines buf[from..to) into p->hdrs (NUL-terminating names and
 * values in place). Returns the count; *dropped counts fields over the limit,
 * *bad the malformed lines skipped. Framing headers are noted in f even when
 * over the limit. */
static size_t split_fields(struct as_http1 *p, size_t from, size_t to, struct framing_hdrs *f,
			   size_t *dropped, size_t *bad)
{
	char *b = p->buf;
	/* obs-fold (RFC 9112 section 5.2): a line starting with SP/HTAB continues
	 * the previous field; replace the line break with spaces. */
	for (size_t i = from + 1; i < to; i++) {
		if (b[i - 1] == '\n' && is_ows(b[i]) && i - 1 > from) {
			b[i - 1] = ' ';
			if (b[i - 2] == '\r')
				b[i - 2] = ' ';
		}
	}
	size_t n = 0;
	size_t i = from;
	while (i < to) {
		char *line = b + i;
		char *lf = memchr(line, '\n', to - i);
		size_t raw = lf ? (size_t)(lf - line) + 1 : to - i;
		size_t ln = line_body_len(line, raw);
		i += raw;
		if (ln == 0)
			break; /* the empty line ending the section */
		line[ln] = 0;
		char *colon = memchr(line, ':', ln);
		size_t nl = colon ? (size_t)(colon - line) : 0;
		bool ok = colon && nl > 0;
		for (size_t k = 0; ok && k < nl; k++)
			ok = is_tchar(line[k]);
		if (!ok) {
			(*bad)++;
			continue;
		}
		*colon = 0;
		char *v = colon + 1;
		while (is_ows(*v))
			v++;
		char *e = line + ln;
		while (e > v && is_ows(e[-1]))
			e--;
		*e = 0;
		note_framing_header(f, line, v);
		if (n < p->lim.max_headers) {
			p->hdrs[n].name = line;
			p->hdrs[n].value = v;
			n++;
		} else {
			(*dropped)++;
		}
	}
	return n;
}

enum framing {
	FR_NONE,
	FR_LENGTH,
	FR_CHUNKED,
	FR_CLOSE,
};

static enum method_kind pop_method(struct as_http1 *p)
{
	if (p->mq_len == 0)
		return MK_OTHER;
	enum method_kind m = p->mq[p->mq_head];
	p->mq_head = (p->mq_head + 1) % METHOD_QUEUE;
	p->mq_len--;
	return m;
}

/* The head in buf[0..len) is complete: parse it, deliver it, set up the body. */
static void process_head(struct as_http1 *p)
{
	char *b = p->buf;
	char *lf = memchr(b, '\n', p->len);
	size_t first_raw = lf ? (size_t)(lf - b) + 1 : p->len;
	size_t first_len = line_body_len(b, first_raw);
	struct start_line sl;
	if (!parse_start_line(b, first_len, &sl)) {
		report(p, "http1: not a request or status line");
		to_resync(p, false);
		return;
	}

	struct framing_hdrs f;
	memset(&f, 0, sizeof(f));
	f.content_length = -1;
	size_t dropped = 0, bad = 0;
	size_t n = split_fields(p, first_raw, p->len, &f, &dropped, &bad);

	if (f.cl_invalid) {
		report(p, "http1: invalid or conflicting Content-Length; message skipped");
		to_resync(p, false);
		return;
	}

	enum framing fr;
	enum method_kind req_method = MK_OTHER;
	if (sl.is_request) {
		if (f.te_present && !f.te_chunked_last) {
			report(p, "http1: request Transfer-Encoding does not end in chunked; "
				  "message skipped");
			to_resync(p, false);
			return;
		}
		fr = f.te_present ? FR_CHUNKED : f.content_length > 0 ? FR_LENGTH : FR_NONE;
	} else {
		if (sl.status >= 200 || sl.status == 101)
			req_method = pop_method(p);
		if (sl.status < 200 || sl.status == 204 || sl.status == 304 ||
		    req_method == MK_HEAD || (req_method == MK_CONNECT && sl.status < 300))
			fr = FR_NONE;
		else if (f.te_present)
			fr = f.te_chunked_last ? FR_CHUNKED : FR_CLOSE;
		else if (f.content_length >= 0)
			fr = f.content_length > 0 ? FR_LENGTH : FR_NONE;
		else
			fr = FR_CLOSE;
		if (sl.status == 101 ||
		    (req_method == MK_CONNECT && sl.status >= 200 && sl.status < 300))
			p->tunnel_after = true;
	}

	struct as_http_head head;
	memset(&head, 0, sizeof(head));
	head.is_request = sl.is_request;
	head.version = sl.version;
	if (sl.is_request) {
		b[sl.method_len] = 0;
		b[sl.target_off + sl.target_len] = 0;
		head.method = b;
		head.target = b + sl.target_off;
		head.authority = f.host;
	} else {
		head.status = sl.status;
	}
	head.headers = p->hdrs;
	head.n_headers = n;
	head.content_type = f.ctype;
	head.content_encoding = f.cenc;
	head.content_length = f.content_length;

	count_pending(p, true);
	if (bad)
		report(p, "http1: %zu malformed header line%s ignored", bad, bad == 1 ? "" : "s");
	if (dropped)
		report(p, "http1: %zu header%s over the limit of %zu dropped", dropped,
		       dropped == 1 ? "" : "s", p->lim.max_headers);

	enum as_body_coding coding = f.codings_overflow
					     ? AS_BODY_UNKNOWN
					     : as_body_coding_parse(f.codings, f.te_codings);
	if (fr == FR_NONE)
		coding = AS_BODY_IDENTITY; /* no body to decode */
	p->counters.messages++;
	if (p->sink.on_head)
		p->sink.on_head(p->sink.ctx, 0, &head);
	as_body_decoder_start(&p->body, &p->sink, 0, coding, &p->lim);
	p->in_message = true;
	p->len = 0;
	p->line_start = 0;

	switch (fr) {
	case FR_LENGTH:
		p->st = ST_BODY_LENGTH;
		p->remaining = (uint64_t)f.content_length;
		break;
	case FR_CHUNKED:
		p->st = ST_CHUNK_SIZE;
		break;
	case FR_CLOSE:
		p->st = ST_BODY_CLOSE;
		break;
	case FR_NONE:
	default:
		end_message(p, AS_HTTP_END_COMPLETE);
		break;
	}
}

/* ---- line collection ---------------------------------------------------- */

/* Grows buf to hold need bytes (doubling, up to cap): a parser that sees
 * small heads keeps a small buffer. */
static bool reserve(struct as_http1 *p, size_t need)
{
	if (need <= p->alloc)
		return true;
	if (need > p->cap)
		return false;
	size_t n = p->alloc ? p->alloc : 1024;
	while (n < need)
		n = n > p->cap / 2 ? p->cap : n * 2;
	char *nb = realloc(p->buf, n + 1);
	if (!nb)
		return false;
	p->buf = nb;
	p->alloc = n;
	return true;
}
/* Appends data up to and including the next LF to buf, at most cap bytes in
 * buf. Returns the bytes consumed; *done when a LF ended the line, *over when
 * the line did not fit (the bytes that did not fit are consumed, not kept). */
static size_t collect(struct as_http1 *p, const uint8_t *data, size_t len, size_t cap, bool *done,
		      bool *over)
{
	const uint8_t *lf = memchr(data, '\n', len);
	size_t n = lf ? (size_t)(lf - data) + 1 : len;
	size_t room = p->len < cap ? cap - p->len : 0;
	*done = lf != NULL;
	*over = n > room;
	size_t keep = *over ? room : n;
	if (!reserve(p, p->len + keep)) {
		*over = true; /* out of memory: as if over the limit */
		keep = 0;
	}
	if (keep)
		memcpy(p->buf + p->len, data, keep);
	p->len += keep;
	p->pending += n;
	p->counters.bytes_parsed += n;
	return n;
}

/* ---- states --------------------------------------------------------------- */

static size_t on_idle(struct as_http1 *p, const uint8_t *d, size_t len)
{
	size_t i = 0;
	while (i < len && (d[i] == '\r' || d[i] == '\n'))
		i++;
	p->counters.bytes_parsed += i;
	if (i < len) {
		p->st = ST_HEAD;
		p->len = 0;
		p->line_start = 0;
	}
	return i;
}

static bool known_method(const char *s, size_t n)
{
	static const char *const methods[] = {"GET",	 "HEAD",    "POST",  "PUT",  "DELETE",
					      "CONNECT", "OPTIONS", "TRACE", "PATCH"};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t m = strlen(methods[i]);
		if (n > m && memcmp(s, methods[i], m) == 0 && s[m] == ' ')
			return true;
	}
	return false;
}

/* Where a start line begins in s[0..n) (a line without its end): at 0, or
 * later when junk precedes it on the same line (the tail of a body, bytes
 * after a gap), found by "HTTP/1." or a well-known method. When the line may
 * be the tail of a longer one (partial), an unknown method at 0 is not taken:
 * it could be the end of a word. Returns -1 if there is none. */
static long find_start_line(const char *s, size_t n, bool partial)
{
	struct start_line sl;
	if (parse_start_line(s, n, &sl) && (!partial || !sl.is_request || known_method(s, n)))
		return 0;
	for (size_t i = 1; i < n; i++) {
		bool candidate = (s[i] == 'H' && n - i >= 12 && memcmp(s + i, "HTTP/1.", 7) == 0) ||
				 known_method(s + i, n - i);
		if (candidate && parse_start_line(s + i, n - i, &sl))
			return (long)i;
	}
	return -1;
}

/* A whole line is in buf while resynchronising: start a head there, or drop it. */
static void resync_line_done(struct as_http1 *p)
{
	long at = find_start_line(p->buf, line_body_len(p->buf, p->len), p->partial);
	p->partial = false; /* the next line starts after this one's LF */
	if (at < 0) {
		count_pending(p, false);
		p->len = 0;
		return;
	}
	size_t off = (size_t)at;
	memmove(p->buf, p->buf + off, p->len - off);
	p->len -= off;
	/* Bytes of the line before the start line are dropped. */
	uint64_t junk = p->pending - p->len;
	p->counters.bytes_parsed -= junk;
	p->counters.bytes_dropped += junk;
	p->pending = p->len;
	p->st = ST_HEAD;
	p->line_start = p->len;
}

static size_t on_resync(struct as_http1 *p, const uint8_t *d, size_t len)
{
	const uint8_t *lf = memchr(d, '\n', len);
	size_t n = lf ? (size_t)(lf - d) + 1 : len;
	p->counters.bytes_parsed += n;
	p->pending += n;
	/* Only the tail of a long line can hold a start line: keep the last
	 * RESYNC_LINE_MAX bytes. */
	const uint8_t *src = d;
	size_t take = n;
	if (take > RESYNC_LINE_MAX) {
		src += take - RESYNC_LINE_MAX;
		take = RESYNC_LINE_MAX;
		p->len = 0;
		p->partial = true;
	}
	if (p->len + take > RESYNC_LINE_MAX) {
		size_t keep = RESYNC_LINE_MAX - take;
		memmove(p->buf, p->buf + p->len - keep, keep);
		p->len = keep;
		p->partial = true;
	}
	if (!reserve(p, p->len + take)) {
		count_pending(p, false); /* out of memory: drop the line */
		p->len = 0;
		p->partial = true;
		return n;
	}
	memcpy(p->buf + p->len, src, take);
	p->len += take;
	if (lf)
		resync_line_done(p);
	return n;
}

static size_t on_head(struct as_http1 *p, const uint8_t *d, size_t len)
{
	bool done, over;
	size_t used = collect(p, d, len, p->lim.max_head_bytes, &done, &over);
	if (over) {
		report(p, "http1: message head over %zu bytes; message skipped",
		       p->lim.max_head_bytes);
		to_resync(p, true);
		return used;
	}
	if (!done)
		return used;
	char *line = p->buf + p->line_start;
	size_t ln = line_body_len(line, p->len - p->line_start);
	if (p->line_start == 0) {
		struct start_line sl;
		if (!parse_start_line(line, ln, &sl)) {
			report(p, "http1: not a request or status line; resynchronising");
			p->st = ST_RESYNC;
			p->partial = false;
			resync_line_done(p);
			return used;
		}
	} else if (ln == 0) {
		process_head(p);
		return used;
	}
	p->line_start = p->len;
	return used;
}

static size_t on_body_length(struct as_http1 *p, const uint8_t *d, size_t len)
{
	size_t take = (uint64_t)len < p->remaining ? len : (size_t)p->remaining;
	as_body_decoder_feed(&p->body, d, take);
	p->counters.bytes_parsed += take;
	p->remaining -= take;
	if (p->remaining == 0)
		end_message(p, AS_HTTP_END_COMPLETE);
	return take;
}

static size_t on_body_close(struct as_http1 *p, const uint8_t *d, size_t len)
{
	as_body_decoder_feed(&p->body, d, len);
	p->counters.bytes_parsed += len;
	return len;
}

/* chunk = chunk-size [ chunk-ext ] CRLF; chunk-ext is skipped. */
static bool parse_chunk_size(const char *s, size_t n, uint64_t *size, const char **why)
{
	size_t i = 0;
	uint64_t v = 0;
	while (i < n && hex_value(s[i]) >= 0) {
		if (v > (UINT64_MAX >> 4) || i >= 16) {
			*why = "chunk size overflows";
			return false;
		}
		v = v << 4 | (uint64_t)hex_value(s[i]);
		i++;
	}
	if (i == 0) {
		*why = "chunk size is not hexadecimal";
		return false;
	}
	while (i < n && is_ows(s[i]))
		i++;
	if (i < n && s[i] != ';') {
		*why = "junk after chunk size";
		return false;
	}
	*size = v;
	return true;
}

static size_t on_chunk_size(struct as_http1 *p, const uint8_t *d, size_t len)
{
	bool done, over;
	size_t used = collect(p, d, len, CHUNK_LINE_MAX, &done, &over);
	as_body_decoder_framing(&p->body, used);
	if (over) {
		report(p, "http1: chunk-size line over %u bytes", CHUNK_LINE_MAX);
		fail_message(p, true);
		return used;
	}
	if (!done)
		return used;
	uint64_t size;
	const char *why = NULL;
	if (!parse_chunk_size(p->buf, line_body_len(p->buf, p->len), &size, &why)) {
		report(p, "http1: %s", why);
		fail_message(p, false);
		return used;
	}
	count_pending(p, true);
	p->len = 0;
	if (size == 0) {
		p->st = ST_TRAILERS;
		p->line_start = 0;
	} else {
		p->st = ST_CHUNK_DATA;
		p->remaining = size;
	}
	return used;
}

static size_t on_chunk_data(struct as_http1 *p, const uint8_t *d, size_t len)
{
	size_t take = (uint64_t)len < p->remaining ? len : (size_t)p->remaining;
	as_body_decoder_feed(&p->body, d, take);
	p->counters.bytes_parsed += take;
	p->remaining -= take;
	if (p->remaining == 0) {
		p->st = ST_CHUNK_END;
		p->crlf_got = 0;
	}
	return take;
}

static size_t on_chunk_end(struct as_http1 *p, const uint8_t *d, size_t len)
{
	(void)len;
	if (d[0] == '\r' && p->crlf_got == 0) {
		p->crlf_got = 1;
	} else if (d[0] == '\n') {
		p->st = ST_CHUNK_SIZE;
		p->len = 0;
	} else {
		report(p, "http1: chunk data not followed by CRLF");
		fail_message(p, true);
		return 0; /* the byte is examined again while resynchronising */
	}
	as_body_decoder_framing(&p->body, 1);
	p->counters.bytes_parsed++;
	return 1;
}

static size_t on_trailers(struct as_http1 *p, const uint8_t *d, size_t len)
{
	bool done, over;
	size_t used = collect(p, d, len, p->lim.max_head_bytes, &done, &over);
	as_body_decoder_framing(&p->body, used);
	if (over) {
		report(p, "http1: trailer section over %zu bytes", p->lim.max_head_bytes);
		fail_message(p, true);
		return used;
	}
	if (!done)
		return used;
	size_t ln = line_body_len(p->buf + p->line_start, p->len - p->line_start);
	if (ln != 0) {
		p->line_start = p->len;
		return used;
	}
	count_pending(p, true);
	if (p->line_start > 0) {
		struct framing_hdrs f;
		memset(&f, 0, sizeof(f));
		f.content_length = -1;
		size_t dropped = 0, bad = 0;
		size_t n = split_fields(p, 0, p->len, &f, &dropped, &bad);
		if (bad || dropped)
			report(p, "http1: %zu malformed and %zu excess trailer fields ignored", bad,
			       dropped);
		if (n && p->sink.on_trailers)
			p->sink.on_trailers(p->sink.ctx, 0, p->hdrs, n);
	}
	end_message(p, AS_HTTP_END_COMPLETE);
	return used;
}

/* ---- public ------------------------------------------------------------- */

struct as_http1 *as_http1_new(const struct as_http_limits *limits, const struct as_http_sink *sink)
{
	struct as_http1 *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->lim = as_http_limits_resolve(limits);
	if (sink)
		p->sink = *sink;
	p->cap = p->lim.max_head_bytes;
	if (p->cap < RESYNC_LINE_MAX)
		p->cap = RESYNC_LINE_MAX;
	p->hdrs = calloc(p->lim.max_headers, sizeof(*p->hdrs));
	if (!p->hdrs) {
		as_http1_free(p);
		return NULL;
	}
	p->st = ST_IDLE;
	return p;
}

void as_http1_feed(struct as_http1 *p, const uint8_t *data, size_t len)
{
	if (!p || !data)
		return;
	while (len > 0) {
		size_t used;
		switch (p->st) {
		case ST_IDLE:
			used = on_idle(p, data, len);
			break;
		case ST_HEAD:
			used = on_head(p, data, len);
			break;
		case ST_BODY_LENGTH:
			used = on_body_length(p, data, len);
			break;
		case ST_BODY_CLOSE:
			used = on_body_close(p, data, len);
			break;
		case ST_CHUNK_SIZE:
			used = on_chunk_size(p, data, len);
			break;
		case ST_CHUNK_DATA:
			used = on_chunk_data(p, data, len);
			break;
		case ST_CHUNK_END:
			used = on_chunk_end(p, data, len);
			break;
		case ST_TRAILERS:
			used = on_trailers(p, data, len);
			break;
		case ST_RESYNC:
			used = on_resync(p, data, len);
			break;
		case ST_TUNNEL:
		case ST_CLOSED:
		default:
			p->counters.bytes_dropped += len;
			used = len;
			break;
		}
		data += used;
		len -= used;
	}
}

void as_http1_gap(struct as_http1 *p, uint64_t nbytes)
{
	if (!p || nbytes == 0)
		return;
	p->counters.bytes_lost += nbytes;
	switch (p->st) {
	case ST_BODY_LENGTH:
		if (nbytes <= p->remaining) {
			as_body_decoder_gap(&p->body, nbytes);
			p->remaining -= nbytes;
			if (p->remaining == 0)
				end_message(p, AS_HTTP_END_COMPLETE);
			return;
		}
		/* The gap ran past the end of the body into what followed. */
		as_body_decoder_gap(&p->body, p->remaining);
		end_message(p, AS_HTTP_END_COMPLETE);
		to_resync(p, true);
		return;
	case ST_CHUNK_DATA:
		if (nbytes <= p->remaining) {
			as_body_decoder_gap(&p->body, nbytes);
			p->remaining -= nbytes;
			if (p->remaining == 0) {
				p->st = ST_CHUNK_END;
				p->crlf_got = 0;
			}
			return;
		}
		as_body_decoder_gap(&p->body, p->remaining);
		end_message(p, AS_HTTP_END_TRUNCATED);
		to_resync(p, true);
		return;
	case ST_BODY_CLOSE:
		as_body_decoder_gap(&p->body, nbytes);
		return;
	case ST_CHUNK_SIZE:
	case ST_CHUNK_END:
	case ST_TRAILERS:
		as_body_decoder_gap(&p->body, 0);
		end_message(p, AS_HTTP_END_TRUNCATED);
		to_resync(p, true);
		return;
	case ST_HEAD:
		report(p, "http1: %llu bytes lost inside a message head; message skipped",
		       (unsigned long long)nbytes);
		to_resync(p, true);
		return;
	case ST_IDLE:
		to_resync(p, true);
		return;
	case ST_RESYNC:
		/* The line being examined is no longer whole: drop it. */
		count_pending(p, false);
		p->len = 0;
		p->partial = true;
		return;
	case ST_TUNNEL:
	case ST_CLOSED:
	default:
		return;
	}
}

void as_http1_close(struct as_http1 *p)
{
	if (!p || p->st == ST_CLOSED)
		return;
	enum state was = p->st;
	p->st = ST_CLOSED;
	switch (was) {
	case ST_BODY_CLOSE:
		end_message(p, AS_HTTP_END_COMPLETE);
		break;
	case ST_BODY_LENGTH:
	case ST_CHUNK_SIZE:
	case ST_CHUNK_DATA:
	case ST_CHUNK_END:
	case ST_TRAILERS:
		end_message(p, AS_HTTP_END_TRUNCATED);
		break;
	case ST_HEAD:
		report(p, "http1: stream ended inside a message head (%llu bytes)",
		       (unsigned long long)p->pending);
		break;
	case ST_IDLE:
	case ST_RESYNC:
	case ST_TUNNEL:
	case ST_CLOSED:
	default:
		break;
	}
	count_pending(p, false);
	p->len = 0;
}

void as_http1_expect_response(struct as_http1 *p, const char *method)
{
	if (!p || p->mq_len == METHOD_QUEUE)
		return;
	enum method_kind m = MK_OTHER;
	if (method && strcmp(method, "HEAD") == 0)
		m = MK_HEAD;
	else if (method && strcmp(method, "CONNECT") == 0)
		m = MK_CONNECT;
	p->mq[(p->mq_head + p->mq_len) % METHOD_QUEUE] = (uint8_t)m;
	p->mq_len++;
}

const struct as_http_counters *as_http1_counters(const struct as_http1 *p)
{
	return &p->counters;
}

void as_http1_free(struct as_http1 *p)
{
	if (!p)
		return;
	if (p->in_message)
		as_body_decoder_release(&p->body);
	free(p->buf);
	free(p->hdrs);
	free(p);
}
