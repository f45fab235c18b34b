/* rec: a recording as_http_sink for the proto tests, and small helpers.
 *
 * It keeps every message a parser reports (head fields, headers, the body
 * joined from its on_body pieces, trailers, how it ended and its stats) and
 * every error, and can print them all as one transcript, so that a test can
 * check that two ways of feeding the same bytes give the same result.
 */
#ifndef AS_PROTO_TEST_REC_H
#define AS_PROTO_TEST_REC_H

#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC_MAX_MSGS 256

struct rmsg {
	uint32_t sid;
	bool is_request;
	int version;
	char method[32];
	char target[512];
	char authority[256];
	int status;
	char headers[8192]; /* "name: value\n" each */
	size_t n_headers;
	char ctype[256], cenc[64];
	int64_t clen;
	uint8_t *body;
	size_t body_len, body_cap;
	size_t body_calls;
	size_t max_body_call; /* largest single on_body piece */
	char trailers[2048];
	bool ended;
	enum as_http_end how;
	struct as_http_body_stats stats;
};

struct rec {
	struct rmsg msgs[REC_MAX_MSGS];
	size_t n;
	char errors[8192];
	size_t n_errors;
	size_t overflow; /* events that did not fit */
};

static inline void rec_copy(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

static inline void rec_append(char *dst, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void rec_append(char *dst, size_t cap, const char *fmt, ...)
{
	size_t have = strlen(dst);
	if (have + 1 >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst + have, cap - have, fmt, ap);
	va_end(ap);
}

/* The message of stream sid that has not ended, newest first. */
static inline struct rmsg *rec_open(struct rec *r, uint32_t sid)
{
	for (size_t i = r->n; i-- > 0;)
		if (r->msgs[i].sid == sid && !r->msgs[i].ended)
			return &r->msgs[i];
	return NULL;
}

static inline void rec_on_head(void *ctx, uint32_t sid, const struct as_http_head *h)
{
	struct rec *r = ctx;
	if (r->n == REC_MAX_MSGS) {
		r->overflow++;
		return;
	}
	struct rmsg *m = &r->msgs[r->n++];
	memset(m, 0, sizeof(*m));
	m->sid = sid;
	m->is_request = h->is_request;
	m->version = h->version;
	rec_copy(m->method, sizeof(m->method), h->method);
	rec_copy(m->target, sizeof(m->target), h->target);
	rec_copy(m->authority, sizeof(m->authority), h->authority);
	m->status = h->status;
	for (size_t i = 0; i < h->n_headers; i++)
		rec_append(m->headers, sizeof(m->headers), "%s: %s\n", h->headers[i].name,
			   h->headers[i].value);
	m->n_headers = h->n_headers;
	rec_copy(m->ctype, sizeof(m->ctype), h->content_type);
	rec_copy(m->cenc, sizeof(m->cenc), h->content_encoding);
	m->clen = h->content_length;
}

static inline void rec_on_body(void *ctx, uint32_t sid, const uint8_t *d, size_t n)
{
	struct rec *r = ctx;
	struct rmsg *m = rec_open(r, sid);
	if (!m) {
		r->overflow++;
		return;
	}
	if (m->body_len + n > m->body_cap) {
		size_t cap = m->body_cap ? m->body_cap : 256;
		while (cap < m->body_len + n)
			cap *= 2;
		uint8_t *nb = realloc(m->body, cap);
		if (!nb) {
			r->overflow++;
			return;
		}
		m->body = nb;
		m->body_cap = cap;
	}
	memcpy(m->body + m->body_len, d, n);
	m->body_len += n;
	m->body_calls++;
	if (n > m->max_body_call)
		m->max_body_call = n;
}

static inline void rec_on_end(void *ctx, uint32_t sid, enum as_http_end how,
			      const struct as_http_body_stats *st)
{
	struct rec *r = ctx;
	struct rmsg *m = rec_open(r, sid);
	if (!m) {
		r->overflow++;
		return;
	}
	m->ended = true;
	m->how = how;
	m->stats = *st;
}

static inline void rec_on_error(void *ctx, uint32_t sid, const char *msg)
{
	struct rec *r = ctx;
	r->n_errors++;
	rec_append(r->errors, sizeof(r->errors), "[%u] %s\n", sid, msg);
}

static inline void rec_on_trailers(void *ctx, uint32_t sid, const struct as_http_header *t,
				   size_t n)
{
	struct rec *r = ctx;
	struct rmsg *m = rec_open(r, sid);
	if (!m) {
		r->overflow++;
		return;
	}
	for (size_t i = 0; i < n; i++)
		rec_append(m->trailers, sizeof(m->trailers), "%s: %s\n", t[i].name, t[i].value);
}

static inline struct as_http_sink rec_sink(struct rec *r)
{
	struct as_http_sink s = {
		.ctx = r,
		.on_head = rec_on_head,
		.on_body = rec_on_body,
		.on_end = rec_on_end,
		.on_error = rec_on_error,
		.on_trailers = rec_on_trailers,
	};
	return s;
}

static inline void rec_reset(struct rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->msgs[i].body);
	memset(r, 0, sizeof(*r));
}

static inline const char *rec_how(enum as_http_end how)
{
	return how == AS_HTTP_END_COMPLETE    ? "complete"
	       : how == AS_HTTP_END_TRUNCATED ? "truncated"
					      : "error";
}

/* The whole record as text (bodies escaped); caller frees. */
static inline char *rec_dump(const struct rec *r)
{
	size_t cap = 1 << 16;
	for (size_t i = 0; i < r->n; i++)
		cap += r->msgs[i].body_len * 4 + 1024 + sizeof(r->msgs[i].headers);
	char *out = calloc(1, cap);
	if (!out)
		return NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct rmsg *m = &r->msgs[i];
		rec_append(out, cap,
			   "#%zu sid=%u %s v%d %s %s auth=%s status=%d ct=%s ce=%s cl=%lld\n", i,
			   m->sid, m->is_request ? "req" : "resp", m->version, m->method, m->target,
			   m->authority, m->status, m->ctype, m->cenc, (long long)m->clen);
		rec_append(out, cap, "%s", m->headers);
		rec_append(out, cap, "body[%zu]=", m->body_len);
		size_t o = strlen(out);
		for (size_t k = 0; k < m->body_len && o + 5 < cap; k++) {
			uint8_t c = m->body[k];
			if (c >= 0x20 && c < 0x7f && c != '\\')
				out[o++] = (char)c;
			else
				o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		}
		out[o] = 0;
		rec_append(out, cap, "\ntrailers:\n%s", m->trailers);
		rec_append(out, cap,
			   "end=%s %s wire=%llu decoded=%llu dropped=%llu lost=%llu failed=%d\n",
			   m->ended ? "yes" : "no", m->ended ? rec_how(m->how) : "-",
			   (unsigned long long)m->stats.wire_bytes,
			   (unsigned long long)m->stats.decoded_bytes,
			   (unsigned long long)m->stats.dropped_bytes,
			   (unsigned long long)m->stats.lost_bytes, m->stats.decode_failed);
	}
	rec_append(out, cap, "errors(%zu):\n%s overflow=%zu\n", r->n_errors, r->errors,
		   r->overflow);
	return out;
}

/* memcpy for byte buffers filled from strings, without a terminating NUL
 * (which is what the tests want, and what clang-tidy's string checks flag). */
static inline void put_bytes(void *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

/* Hex text ("82 86 8441...", spaces and newlines ignored) to bytes; returns length. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (const char *p = hex; *p; p++) {
		int v;
		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			v = *p - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			if (n < cap)
				out[n] = (uint8_t)(hi << 4 | v);
			n++;
			hi = -1;
		}
	}
	return n;
}

/* Reads a whole file under AS_PROTO_DATA; caller frees. NULL if missing. */
static inline uint8_t *read_data_file(const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", AS_PROTO_DATA, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fclose(f);
			return NULL;
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		uint8_t *nb = realloc(buf, cap);
		if (!nb)
			free(buf);
		buf = nb;
	}
	fclose(f);
	*len = n;
	return buf;
}

#endif /* AS_PROTO_TEST_REC_H */
