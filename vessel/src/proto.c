/* proto.c: frames and fields of the dock protocol (proto.h), and the TCP
 * helpers the dock and its client share. Everything read from a socket goes
 * through vsl_msg_header and vsl_msg_parse, which check every length before
 * using it.
 */
#include "proto.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int vsl_msg_header(const uint8_t *hdr, uint32_t max, uint8_t *type, uint32_t *len, char *err,
		   size_t errlen)
{
	if (memcmp(hdr, VSL_MSG_MAGIC, 4) != 0) {
		snprintf(err, errlen, "frame header: bad magic (not the dock protocol)");
		return -1;
	}
	if (hdr[4] < VSL_MSG_HELLO || hdr[4] > VSL_MSG_TYPE_LAST) {
		snprintf(err, errlen, "frame header: unknown type %u", hdr[4]);
		return -1;
	}
	if (hdr[5] || hdr[6] || hdr[7]) {
		snprintf(err, errlen, "frame header: reserved bytes are not zero");
		return -1;
	}
	uint32_t n = get_u32(hdr + 8);
	if (n > max) {
		snprintf(err, errlen, "frame header: payload of %u bytes, at most %u allowed", n,
			 max);
		return -1;
	}
	*type = hdr[4];
	*len = n;
	return 0;
}

int vsl_msg_parse(uint8_t type, const uint8_t *payload, size_t len, vsl_msg *m, char *err,
		  size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	size_t cap = len / 5;
	if (cap > VSL_MSG_MAX_FIELDS)
		cap = VSL_MSG_MAX_FIELDS;
	if (cap) {
		m->fields = calloc(cap, sizeof(*m->fields));
		if (!m->fields) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	size_t pos = 0;
	while (pos < len) {
		if (len - pos < 5) {
			snprintf(err, errlen, "field at offset %zu: truncated header", pos);
			return -1;
		}
		uint8_t tag = payload[pos];
		uint32_t flen = get_u32(payload + pos + 1);
		if (tag < VSL_F_TOKEN || tag > VSL_F_LAST) {
			snprintf(err, errlen, "field at offset %zu: unknown tag %u", pos, tag);
			return -1;
		}
		if (flen > len - pos - 5) {
			snprintf(err, errlen, "field at offset %zu: length %u beyond the payload",
				 pos, flen);
			return -1;
		}
		if (m->nfields == cap) {
			snprintf(err, errlen, "more than %u fields", (unsigned)VSL_MSG_MAX_FIELDS);
			return -1;
		}
		m->fields[m->nfields++] =
			(vsl_field){.tag = tag, .len = flen, .data = payload + pos + 5};
		pos += 5 + (size_t)flen;
	}
	return 0;
}

void vsl_msg_clear(vsl_msg *m)
{
	free(m->fields);
	memset(m, 0, sizeof(*m));
}

const vsl_field *vsl_msg_get(const vsl_msg *m, uint8_t tag)
{
	for (uint32_t i = 0; i < m->nfields; i++)
		if (m->fields[i].tag == tag)
			return &m->fields[i];
	return NULL;
}

int vsl_msg_u64(const vsl_msg *m, uint8_t tag, uint64_t def, uint64_t *out)
{
	const vsl_field *f = vsl_msg_get(m, tag);
	if (!f) {
		*out = def;
		return 0;
	}
	if (f->len != 8)
		return -1;
	*out = (uint64_t)get_u32(f->data) | (uint64_t)get_u32(f->data + 4) << 32;
	return 0;
}

int vsl_field_str(const vsl_field *f, size_t max, char **out)
{
	*out = NULL;
	if (f->len > max || memchr(f->data, 0, f->len))
		return -1;
	char *s = malloc((size_t)f->len + 1);
	if (!s)
		return -1;
	memcpy(s, f->data, f->len);
	s[f->len] = '\0';
	*out = s;
	return 0;
}

int vsl_msg_str(const vsl_msg *m, uint8_t tag, size_t max, char **out)
{
	const vsl_field *f = vsl_msg_get(m, tag);
	*out = NULL;
	return f ? vsl_field_str(f, max, out) : 0;
}

/* ---- building --------------------------------------------------------------------- */

static void buf_reserve(vsl_buf *b, size_t more)
{
	if (b->failed)
		return;
	if (more > VSL_MSG_MAX || b->len + more > (size_t)VSL_MSG_HDR + VSL_MSG_MAX) {
		b->failed = true;
		return;
	}
	if (b->len + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more)
		cap *= 2;
	uint8_t *p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

void vsl_buf_begin(vsl_buf *b, uint8_t type)
{
	memset(b, 0, sizeof(*b));
	buf_reserve(b, VSL_MSG_HDR);
	if (b->failed)
		return;
	memcpy(b->p, VSL_MSG_MAGIC, 4);
	b->p[4] = type;
	b->p[5] = b->p[6] = b->p[7] = 0;
	put_u32(b->p + 8, 0);
	b->len = VSL_MSG_HDR;
}

void vsl_buf_raw(vsl_buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	if (b->failed)
		return;
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

size_t vsl_buf_open_field(vsl_buf *b, uint8_t tag)
{
	uint8_t h[5] = {tag, 0, 0, 0, 0};
	size_t at = b->len;
	vsl_buf_raw(b, h, sizeof(h));
	return at;
}

void vsl_buf_close_field(vsl_buf *b, size_t at)
{
	if (b->failed)
		return;
	size_t n = b->len - at - 5;
	if (n > UINT32_MAX) {
		b->failed = true;
		return;
	}
	put_u32(b->p + at + 1, (uint32_t)n);
}

void vsl_buf_add(vsl_buf *b, uint8_t tag, const void *data, size_t len)
{
	size_t at = vsl_buf_open_field(b, tag);
	vsl_buf_raw(b, data, len);
	vsl_buf_close_field(b, at);
}

void vsl_buf_add_str(vsl_buf *b, uint8_t tag, const char *s)
{
	vsl_buf_add(b, tag, s, strlen(s));
}

void vsl_buf_add_u64(vsl_buf *b, uint8_t tag, uint64_t v)
{
	uint8_t d[8];
	put_u32(d, (uint32_t)v);
	put_u32(d + 4, (uint32_t)(v >> 32));
	vsl_buf_add(b, tag, d, sizeof(d));
}

int vsl_buf_finish(vsl_buf *b)
{
	if (b->failed || b->len - VSL_MSG_HDR > VSL_MSG_MAX)
		return -1;
	put_u32(b->p + 8, (uint32_t)(b->len - VSL_MSG_HDR));
	return 0;
}

void vsl_buf_free(vsl_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

bool vsl_token_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	/* Both are compared over the same bound so that the time taken says
	 * nothing about the token's content or where a guess went wrong. */
	volatile uint8_t diff = (uint8_t)(alen != blen) | (uint8_t)(alen > VSL_TOKEN_MAX);
	for (size_t i = 0; i < VSL_TOKEN_MAX; i++) {
		uint8_t x = i < alen ? a[i] : 0;
		uint8_t y = i < blen ? b[i] : 0;
		diff |= (uint8_t)(x ^ y);
	}
	return diff == 0;
}

/* ---- sockets ---------------------------------------------------------------------- */

int vsl_send_all(int fd, const void *p, size_t n)
{
	const uint8_t *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int vsl_send_buf(int fd, vsl_buf *b)
{
	int rc = vsl_buf_finish(b) == 0 ? vsl_send_all(fd, b->p, b->len) : -1;
	vsl_buf_free(b);
	return rc;
}

/* Reads exactly n bytes; returns n, a short count at the end of stream,
 * or -1. */
static ssize_t read_full(int fd, vsl_read_fn rd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = rd ? rd(fd, (uint8_t *)buf + got, n - got)
			       : read(fd, (uint8_t *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int vsl_recv_msg(int fd, uint32_t max, vsl_read_fn rd, vsl_msg *m, uint8_t **payload, char *err,
		 size_t errlen)
{
	memset(m, 0, sizeof(*m));
	*payload = NULL;
	uint8_t hdr[VSL_MSG_HDR];
	ssize_t r = read_full(fd, rd, hdr, sizeof(hdr));
	if (r == 0)
		return 1;
	if (r != (ssize_t)sizeof(hdr)) {
		snprintf(err, errlen, "connection lost in a frame header");
		return -1;
	}
	uint8_t type;
	uint32_t len;
	if (vsl_msg_header(hdr, max, &type, &len, err, errlen) < 0)
		return -1;
	/* grow with what arrives: a peer's announced length costs nothing
	 * until it sends the bytes */
	size_t cap = len < 65536 ? len : 65536, got = 0;
	uint8_t *p = malloc(cap ? cap : 1);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (got < len) {
		if (got == cap) {
			size_t nc = cap * 2 < len ? cap * 2 : len;
			uint8_t *q = realloc(p, nc);
			if (!q) {
				free(p);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			p = q;
			cap = nc;
		}
		r = read_full(fd, rd, p + got, cap - got);
		if (r <= 0 || (size_t)r < cap - got) {
			free(p);
			snprintf(err, errlen, "connection lost after %zu of %u payload bytes",
				 got + (r > 0 ? (size_t)r : 0), len);
			return -1;
		}
		got += (size_t)r;
	}
	if (vsl_msg_parse(type, p, len, m, err, errlen) < 0) {
		vsl_msg_clear(m);
		free(p);
		return -1;
	}
	*payload = p;
	return 0;
}

static int split_addr(const char *addr, char *host, size_t hostlen, const char **port)
{
	const char *c = strrchr(addr, ':');
	if (!c || c == addr || !c[1] || (size_t)(c - addr) >= hostlen)
		return -1;
	memcpy(host, addr, (size_t)(c - addr));
	host[c - addr] = '\0';
	*port = c + 1;
	return 0;
}

int vsl_dial(const char *addr, char *err, size_t errlen)
{
	char host[256];
	const char *port;
	if (split_addr(addr, host, sizeof(host), &port) < 0) {
		snprintf(err, errlen, "%s: expected HOST:PORT", addr);
		return -1;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
	int g = getaddrinfo(host, port, &hints, &res);
	if (g != 0) {
		snprintf(err, errlen, "%s: %s", addr, gai_strerror(g));
		return -1;
	}
	int fd = -1, e = 0;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", addr, strerror(e));
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int vsl_listen(const char *addr, uint16_t *port, char *err, size_t errlen)
{
	char host[256];
	const char *pstr;
	if (split_addr(addr, host, sizeof(host), &pstr) < 0) {
		snprintf(err, errlen, "%s: expected HOST:PORT", addr);
		return -1;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE},
			*res;
	int g = getaddrinfo(host, pstr, &hints, &res);
	if (g != 0) {
		snprintf(err, errlen, "%s: %s", addr, gai_strerror(g));
		return -1;
	}
	int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 64) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return fd;
}
