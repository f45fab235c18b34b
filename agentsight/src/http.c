/* http: what the HTTP/1.1 and HTTP/2 parsers share beyond the message model
 * of http.h: header lookup, limit defaults, and the detection of which
 * protocol a captured stream speaks from its first bytes, so that the
 * consumer can hand each connection to the right parser.
 */
#include "http.h"

#include <string.h>
#include <strings.h>

const char *as_http_head_get(const struct as_http_head *head, const char *name)
{
	if (!head || !name)
		return NULL;
	for (size_t i = 0; i < head->n_headers; i++) {
		const struct as_http_header *h = &head->headers[i];
		if (h->name && strcasecmp(h->name, name) == 0)
			return h->value;
	}
	return NULL;
}

struct as_http_limits as_http_limits_resolve(const struct as_http_limits *l)
{
	struct as_http_limits r = {0};
	if (l)
		r = *l;
	if (!r.max_head_bytes)
		r.max_head_bytes = (size_t)AS_HTTP_DEFAULT_MAX_HEAD_BYTES;
	if (!r.max_headers)
		r.max_headers = AS_HTTP_DEFAULT_MAX_HEADERS;
	if (!r.max_body_bytes)
		r.max_body_bytes = AS_HTTP_DEFAULT_MAX_BODY_BYTES;
	if (!r.max_inflate_ratio)
		r.max_inflate_ratio = AS_HTTP_DEFAULT_MAX_INFLATE_RATIO;
	if (!r.max_streams)
		r.max_streams = AS_HTTP_DEFAULT_MAX_STREAMS;
	return r;
}

/* How far a candidate protocol matches the bytes seen so far. */
enum match {
	MATCH_NO,
	MATCH_PREFIX, /* every byte so far fits; more are needed to decide */
	MATCH_YES,
};

#define H2_PREFACE     "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN (sizeof(H2_PREFACE) - 1)

/* Request targets longer than this are not waited for. */
#define DETECT_MAX_TARGET 8192u

static enum match match_preface(const uint8_t *b, size_t len)
{
	size_t n = len < H2_PREFACE_LEN ? len : H2_PREFACE_LEN;
	if (memcmp(b, H2_PREFACE, n) != 0)
		return MATCH_NO;
	return n == H2_PREFACE_LEN ? MATCH_YES : MATCH_PREFIX;
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* "HTTP/1.x NNN" */
static enum match match_status_line(const uint8_t *b, size_t len)
{
	static const char pat[] = "HTTP/1.# ###";
	size_t n = sizeof(pat) - 1;
	for (size_t i = 0; i < n; i++) {
		if (i >= len)
			return MATCH_PREFIX;
		if (pat[i] == '#' ? !is_digit(b[i]) : b[i] != (uint8_t)pat[i])
			return MATCH_NO;
	}
	return MATCH_YES;
}

static bool is_method_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_';
}

static bool known_method(const uint8_t *b, size_t n)
{
	static const char *const methods[] = {"GET",	 "HEAD",    "POST",  "PUT",  "DELETE",
					      "CONNECT", "OPTIONS", "TRACE", "PATCH"};
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i]) == n && memcmp(methods[i], b, n) == 0)
			return true;
	return false;
}

/* method SP target SP "HTTP/1." DIGIT (CR)LF; a well-known method followed
 * by a space is enough. */
static enum match match_request_line(const uint8_t *b, size_t len)
{
	size_t i = 0;
	while (i < len && i < 20 && is_method_char(b[i]))
		i++;
	if (i == len)
		return i < 20 ? MATCH_PREFIX : MATCH_NO;
	if (i == 0 || b[i] != ' ')
		return MATCH_NO;
	if (known_method(b, i))
		return MATCH_YES;
	size_t t = ++i;
	while (i < len && b[i] > 0x20 && b[i] < 0x7f)
		i++;
	if (i == len)
		return i - t < DETECT_MAX_TARGET ? MATCH_PREFIX : MATCH_NO;
	if (i == t || b[i] != ' ')
		return MATCH_NO;
	i++;
	static const char pat[] = "HTTP/1.#\r\n";
	for (size_t k = 0; k < sizeof(pat) - 1; k++, i++) {
		if (i >= len)
			return MATCH_PREFIX;
		if (pat[k] == '\r' && b[i] == '\n')
			return MATCH_YES;
		if (pat[k] == '#' ? !is_digit(b[i]) : b[i] != (uint8_t)pat[k])
			return MATCH_NO;
	}
	return MATCH_YES;
}

/* A SETTINGS frame header (type 4, flags 0, stream 0, length a multiple of 6):
 * what a server sends first on an HTTP/2 connection. */
static enum match match_settings(const uint8_t *b, size_t len)
{
	static const int want[9] = {-1, -1, -1, 4, 0, 0, 0, 0, 0};
	for (size_t i = 0; i < 9; i++) {
		if (i >= len)
			return MATCH_PREFIX;
		if (want[i] >= 0 && b[i] != want[i])
			return MATCH_NO;
	}
	uint32_t flen = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
	if (flen % 6 != 0 || flen > 16384)
		return MATCH_NO;
	return MATCH_YES;
}

enum as_http_kind as_http_detect(const uint8_t *first_bytes, size_t len)
{
	if (!first_bytes || len == 0)
		return AS_HTTP_KIND_NEED_MORE;
	const struct {
		enum match m;
		enum as_http_kind kind;
	} c[] = {
		{match_preface(first_bytes, len), AS_HTTP_KIND_H2_PREFACE},
		{match_status_line(first_bytes, len), AS_HTTP_KIND_H1_RESPONSE},
		{match_request_line(first_bytes, len), AS_HTTP_KIND_H1_REQUEST},
		{match_settings(first_bytes, len), AS_HTTP_KIND_H2_SETTINGS},
	};
	bool prefix = false;
	/* The preface is checked first: "PRI * HTTP/2.0" is also a request line. */
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (c[i].m == MATCH_YES && !(i > 0 && c[0].m == MATCH_PREFIX))
			return c[i].kind;
		if (c[i].m != MATCH_NO)
			prefix = true;
	}
	return prefix ? AS_HTTP_KIND_NEED_MORE : AS_HTTP_KIND_UNKNOWN;
}

const char *as_http_kind_name(enum as_http_kind kind)
{
	switch (kind) {
	case AS_HTTP_KIND_NEED_MORE:
		return "need-more";
	case AS_HTTP_KIND_H1_REQUEST:
		return "http1-request";
	case AS_HTTP_KIND_H1_RESPONSE:
		return "http1-response";
	case AS_HTTP_KIND_H2_PREFACE:
		return "http2-preface";
	case AS_HTTP_KIND_H2_SETTINGS:
		return "http2-settings";
	case AS_HTTP_KIND_UNKNOWN:
	default:
		return "unknown";
	}
}
