/* h1client: a small HTTP/1.1 client over any byte transport (see h1client.h).
 *
 * The reader keeps one buffer: lines (status, headers, chunk sizes,
 * trailers) are cut from it as they complete, body bytes are copied out.
 * Framing follows RFC 9112 section 6.3: no body for 1xx, 204, 304 and HEAD;
 * chunked when Transfer-Encoding ends in chunked; else Content-Length; else
 * the body runs to the end of the connection.
 */
#include "h1client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define READ_SIZE 16384
#define CHUNKS	  3 /* pieces a chunked request body is cut into */

struct rd {
	const struct as_env_h1_io *io;
	char *buf;
	size_t len, pos, cap;
	bool eof;
	bool got_any;
	unsigned long reads;
	char *err;
	size_t errlen;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int send_all(const struct as_env_h1_io *io, const char *p, size_t len)
{
	while (len) {
		ssize_t n = io->send(io->ctx, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int as_env_h1_send(const struct as_env_h1_io *io, const char *method, const char *host,
		   const char *target, const char *const *headers, const char *body, size_t len,
		   bool chunked, char *err, size_t errlen)
{
	size_t cap = 256 + strlen(method) + strlen(host) + strlen(target);
	for (size_t i = 0; headers && headers[i]; i++)
		cap += strlen(headers[i]) + 2;
	char *head = malloc(cap);
	if (!head) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	size_t n =
		(size_t)snprintf(head, cap, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, host);
	for (size_t i = 0; headers && headers[i]; i++)
		n += (size_t)snprintf(head + n, cap - n, "%s\r\n", headers[i]);
	if (chunked)
		n += (size_t)snprintf(head + n, cap - n, "Transfer-Encoding: chunked\r\n\r\n");
	else
		n += (size_t)snprintf(head + n, cap - n, "Content-Length: %zu\r\n\r\n", len);
	int rc = send_all(io, head, n);
	free(head);
	if (rc)
		goto fail;
	if (!chunked)
		return send_all(io, body, len) ? (set_err(err, errlen, "send failed"), -1) : 0;
	size_t piece = len / CHUNKS + 1;
	for (size_t off = 0; off < len; off += piece) {
		size_t k = len - off < piece ? len - off : piece;
		char line[32];
		int ln = snprintf(line, sizeof(line), "%zx\r\n", k);
		if (send_all(io, line, (size_t)ln) || send_all(io, body + off, k) ||
		    send_all(io, "\r\n", 2))
			goto fail;
	}
	if (send_all(io, "0\r\n\r\n", 5))
		goto fail;
	return 0;
fail:
	set_err(err, errlen, "send failed");
	return -1;
}

/* Reads more into the buffer; 0, or -1 with err set. Sets eof at the end. */
static int rd_fill(struct rd *r)
{
	if (r->pos && r->pos == r->len) {
		r->pos = r->len = 0;
	} else if (r->pos > r->cap / 2) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->len < READ_SIZE) {
		size_t cap = r->cap ? r->cap * 2 : (size_t)2 * READ_SIZE;
		char *p = realloc(r->buf, cap);
		if (!p) {
			set_err(r->err, r->errlen, "out of memory");
			return -1;
		}
		r->buf = p;
		r->cap = cap;
	}
	ssize_t n = r->io->recv(r->io->ctx, r->buf + r->len, READ_SIZE);
	if (n < 0) {
		set_err(r->err, r->errlen, "receive failed");
		return -1;
	}
	if (n == 0) {
		r->eof = true;
		return 0;
	}
	r->got_any = true;
	r->reads++;
	r->len += (size_t)n;
	return 0;
}

/* The next line without its CRLF (or LF); valid until the next read. */
static int rd_line(struct rd *r, const char **line, size_t *n, size_t limit, const char *what)
{
	for (;;) {
		char *nl = r->buf ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
		if (nl) {
			*line = r->buf + r->pos;
			*n = (size_t)(nl - *line);
			if (*n > limit) {
				set_err(r->err, r->errlen, "%s is longer than %zu bytes", what,
					limit);
				return -1;
			}
			r->pos += *n + 1;
			if (*n && (*line)[*n - 1] == '\r')
				(*n)--;
			return 0;
		}
		if (r->len - r->pos > limit) {
			set_err(r->err, r->errlen, "%s is longer than %zu bytes", what, limit);
			return -1;
		}
		if (r->eof) {
			set_err(r->err, r->errlen, "the connection closed in the %s", what);
			return -1;
		}
		if (rd_fill(r))
			return -1;
	}
}

/* Appends exactly n body bytes to resp->body (n == SIZE_MAX: until EOF). */
static int rd_body(struct rd *r, struct as_env_h1_response *resp, size_t n)
{
	while (n) {
		size_t avail = r->len - r->pos;
		if (!avail) {
			if (r->eof) {
				if (n == SIZE_MAX)
					return 0;
				set_err(r->err, r->errlen,
					"the connection closed %zu bytes before the body's end", n);
				return -1;
			}
			if (rd_fill(r))
				return -1;
			continue;
		}
		size_t k = avail < n ? avail : n;
		if (resp->body_len + k > AS_ENV_H1_MAX_BODY) {
			set_err(r->err, r->errlen, "the body is larger than %u bytes",
				AS_ENV_H1_MAX_BODY);
			return -1;
		}
		char *p = realloc(resp->body, resp->body_len + k + 1);
		if (!p) {
			set_err(r->err, r->errlen, "out of memory");
			return -1;
		}
		resp->body = p;
		memcpy(p + resp->body_len, r->buf + r->pos, k);
		resp->body_len += k;
		p[resp->body_len] = '\0';
		r->pos += k;
		if (n != SIZE_MAX)
			n -= k;
	}
	return 0;
}

static bool token_in(const char *value, size_t len, const char *token)
{
	size_t tl = strlen(token);
	for (size_t i = 0; i + tl <= len; i++) {
		if (!strncasecmp(value + i, token, tl) &&
		    (i == 0 || value[i - 1] == ',' || value[i - 1] == ' ') &&
		    (i + tl == len || value[i + tl] == ',' || value[i + tl] == ' '))
			return true;
	}
	return false;
}

static int parse_size(const char *s, size_t n, int base, size_t *out)
{
	size_t v = 0;
	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		if (v > (AS_ENV_H1_MAX_BODY + (size_t)d) / (size_t)base)
			return -1; /* over the limit, and far from overflow */
		v = v * (size_t)base + (size_t)d;
	}
	*out = v;
	return 0;
}

/* Reads the status line and headers into resp; *length is the Content-Length
 * or SIZE_MAX when absent. */
static int read_head(struct rd *r, struct as_env_h1_response *resp, size_t *length)
{
	const char *line;
	size_t n, total = 0;
	bool http10;

	if (rd_line(r, &line, &n, AS_ENV_H1_MAX_HEAD, "status line"))
		return -1;
	if (n < 12 || memcmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
	    line[8] != ' ' || line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' ||
	    line[11] < '0' || line[11] > '9' || (n > 12 && line[12] != ' ')) {
		set_err(r->err, r->errlen, "not an HTTP/1.x status line: \"%.*s\"",
			(int)(n < 60 ? n : 60), line);
		return -1;
	}
	http10 = line[7] == '0';
	resp->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	resp->keep_alive = !http10;
	resp->chunked = false;
	resp->content_type[0] = '\0';
	*length = SIZE_MAX;
	for (;;) {
		if (rd_line(r, &line, &n, AS_ENV_H1_MAX_HEAD - total, "header section"))
			return -1;
		total += n + 2;
		if (total > AS_ENV_H1_MAX_HEAD) {
			set_err(r->err, r->errlen, "header section is longer than %u bytes",
				AS_ENV_H1_MAX_HEAD);
			return -1;
		}
		if (!n)
			return 0;
		const char *colon = memchr(line, ':', n);
		if (!colon || colon == line) {
			set_err(r->err, r->errlen, "a header line without a name: \"%.*s\"",
				(int)(n < 60 ? n : 60), line);
			return -1;
		}
		size_t nl = (size_t)(colon - line);
		const char *v = colon + 1;
		size_t vl = n - nl - 1;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
		if (nl == 14 && !strncasecmp(line, "content-length", 14)) {
			size_t len;
			if (parse_size(v, vl, 10, &len)) {
				set_err(r->err, r->errlen,
					"bad or too large Content-Length \"%.*s\"",
					(int)(vl < 40 ? vl : 40), v);
				return -1;
			}
			if (*length != SIZE_MAX && *length != len) {
				set_err(r->err, r->errlen, "two different Content-Length values");
				return -1;
			}
			*length = len;
		} else if (nl == 17 && !strncasecmp(line, "transfer-encoding", 17)) {
			resp->chunked = vl >= 7 && !strncasecmp(v + vl - 7, "chunked", 7);
			if (!resp->chunked) {
				set_err(r->err, r->errlen, "unsupported Transfer-Encoding \"%.*s\"",
					(int)(vl < 40 ? vl : 40), v);
				return -1;
			}
		} else if (nl == 10 && !strncasecmp(line, "connection", 10)) {
			if (token_in(v, vl, "close"))
				resp->keep_alive = false;
			else if (http10 && token_in(v, vl, "keep-alive"))
				resp->keep_alive = true;
		} else if (nl == 12 && !strncasecmp(line, "content-type", 12)) {
			snprintf(resp->content_type, sizeof(resp->content_type), "%.*s",
				 (int)(vl < sizeof(resp->content_type) - 1
					       ? vl
					       : sizeof(resp->content_type) - 1),
				 v);
		}
	}
}

static int read_chunked(struct rd *r, struct as_env_h1_response *resp)
{
	const char *line;
	size_t n, size, trailer = 0;
	for (;;) {
		if (rd_line(r, &line, &n, 1024, "chunk size line"))
			return -1;
		size_t digits = 0;
		while (digits < n && line[digits] != ';' && line[digits] != ' ' &&
		       line[digits] != '\t')
			digits++;
		if (parse_size(line, digits, 16, &size)) {
			set_err(r->err, r->errlen, "bad or too large chunk size \"%.*s\"",
				(int)(n < 40 ? n : 40), line);
			return -1;
		}
		if (!size)
			break;
		if (rd_body(r, resp, size))
			return -1;
		if (rd_line(r, &line, &n, 2, "end of a chunk"))
			return -1;
		if (n) {
			set_err(r->err, r->errlen, "a chunk is longer than its size line says");
			return -1;
		}
	}
	for (;;) { /* trailer section */
		if (rd_line(r, &line, &n, AS_ENV_H1_MAX_HEAD - trailer, "trailer section"))
			return -1;
		trailer += n + 2;
		if (trailer > AS_ENV_H1_MAX_HEAD) {
			set_err(r->err, r->errlen, "trailer section is longer than %u bytes",
				AS_ENV_H1_MAX_HEAD);
			return -1;
		}
		if (!n)
			return 0;
	}
}

int as_env_h1_recv(const struct as_env_h1_io *io, bool head_request,
		   struct as_env_h1_response *resp, bool *got_any, char *err, size_t errlen)
{
	struct rd r = {.io = io, .err = err, .errlen = errlen};
	size_t length;
	int rc = -1;

	memset(resp, 0, sizeof(*resp));
	for (;;) {
		if (read_head(&r, resp, &length))
			goto out;
		if (resp->status >= 200)
			break;
	}
	if (!resp->body) {
		resp->body = calloc(1, 1);
		if (!resp->body) {
			set_err(err, errlen, "out of memory");
			goto out;
		}
	}
	if (head_request || resp->status == 204 || resp->status == 304)
		rc = 0;
	else if (resp->chunked)
		rc = read_chunked(&r, resp);
	else if (length != SIZE_MAX)
		rc = rd_body(&r, resp, length);
	else {
		resp->keep_alive = false;
		rc = rd_body(&r, resp, SIZE_MAX);
	}
	/* Bytes after the response on a kept-alive connection would belong to a
	 * response nobody asked for. */
	if (!rc && r.pos != r.len)
		resp->keep_alive = false;
out:
	resp->reads = r.reads;
	if (got_any)
		*got_any = r.got_any;
	free(r.buf);
	return rc;
}

void as_env_h1_response_free(struct as_env_h1_response *resp)
{
	if (!resp)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}

void as_env_h1_conn_close(struct as_env_h1_conn *c)
{
	if (c->is_open)
		c->close(c->io.ctx);
	c->is_open = false;
}

int as_env_h1_post(void *conn, const char *path, const char *const *headers, const char *body,
		   size_t len, int *status, char **resp_body, size_t *resp_len,
		   unsigned long *reads, char *err, size_t errlen)
{
	struct as_env_h1_conn *c = conn;
	struct as_env_h1_response resp;

	for (int attempt = 0; attempt < 2; attempt++) {
		bool reused = c->is_open, got_any = false;
		if (!c->is_open) {
			if (c->open(c->io.ctx, err, errlen))
				return -1;
			c->is_open = true;
			c->connections++;
		}
		int rc = as_env_h1_send(&c->io, "POST", c->host, path, headers, body, len,
					c->chunked, err, errlen);
		if (!rc)
			rc = as_env_h1_recv(&c->io, false, &resp, &got_any, err, errlen);
		else
			memset(&resp, 0, sizeof(resp));
		if (rc) {
			as_env_h1_response_free(&resp);
			as_env_h1_conn_close(c);
			if (reused && !got_any)
				continue; /* the server closed the idle connection */
			return -1;
		}
		if (!resp.keep_alive)
			as_env_h1_conn_close(c);
		*status = resp.status;
		*resp_body = resp.body;
		*resp_len = resp.body_len;
		*reads = resp.reads;
		return 0;
	}
	return -1;
}
