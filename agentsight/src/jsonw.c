/* jsonw: compact, ASCII-only JSON text of a jansson value (see jsonw.h).
 * Byte for byte what jansson 2.14's json_dumps writes with JSON_COMPACT |
 * JSON_ENSURE_ASCII: objects in insertion order, strings with the short
 * escapes and \uXXXX (upper-case hex, surrogate pairs) for the rest, reals
 * as %.17g with ".0" added to whole numbers and the exponent's '+' and
 * leading zeros dropped. */
#include "jsonw.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(struct as_jsonbuf *b, size_t more)
{
	if (b->cap - b->len >= more)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < more) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int as_jsonbuf_append(struct as_jsonbuf *b, const char *s, size_t n)
{
	if (reserve(b, n + 1))
		return -1;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void as_jsonbuf_free(struct as_jsonbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static const char hexdig[] = "0123456789ABCDEF";

static char *put_u16(char *o, unsigned v)
{
	*o++ = '\\';
	*o++ = 'u';
	*o++ = hexdig[(v >> 12) & 15];
	*o++ = hexdig[(v >> 8) & 15];
	*o++ = hexdig[(v >> 4) & 15];
	*o++ = hexdig[v & 15];
	return o;
}

/* One UTF-8 sequence at s (jansson keeps strings valid): its code point and
 * length. */
static unsigned utf8_decode(const unsigned char *s, size_t left, uint32_t *cp)
{
	unsigned char c = s[0];
	unsigned n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (n > left)
		n = 1;
	uint32_t v = n == 1 ? c : c & (0x7f >> n);
	for (unsigned i = 1; i < n; i++)
		v = v << 6 | (s[i] & 0x3f);
	*cp = v;
	return n;
}

static int put_string(struct as_jsonbuf *b, const char *str, size_t n)
{
	/* At most 12 bytes out per byte in (a 4-byte sequence becomes two
	 * \uXXXX), plus the quotes. */
	if (n > (SIZE_MAX - 3) / 12 || reserve(b, n * 12 + 3))
		return -1;
	char *o = b->data + b->len;
	const unsigned char *s = (const unsigned char *)str;
	*o++ = '"';
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			*o++ = (char)c;
			i++;
			continue;
		}
		if (c < 0x80) {
			*o++ = '\\';
			switch (c) {
			case '"':
				*o++ = '"';
				break;
			case '\\':
				*o++ = '\\';
				break;
			case '\b':
				*o++ = 'b';
				break;
			case '\f':
				*o++ = 'f';
				break;
			case '\n':
				*o++ = 'n';
				break;
			case '\r':
				*o++ = 'r';
				break;
			case '\t':
				*o++ = 't';
				break;
			default:
				o--;
				o = put_u16(o, c);
			}
			i++;
			continue;
		}
		uint32_t cp;
		i += utf8_decode(s + i, n - i, &cp);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			o = put_u16(o, 0xd800 | (cp >> 10));
			o = put_u16(o, 0xdc00 | (cp & 0x3ff));
		} else {
			o = put_u16(o, cp);
		}
	}
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->data);
	return 0;
}

static int put_integer(struct as_jsonbuf *b, json_int_t v)
{
	char tmp[24], *e = tmp + sizeof(tmp), *p = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return as_jsonbuf_append(b, p, (size_t)(e - p));
}

static int put_real(struct as_jsonbuf *b, double v)
{
	char tmp[40];
	int n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	if (n <= 0 || (size_t)n >= sizeof(tmp))
		return -1;
	/* A decimal comma from the locale becomes a point. */
	for (int i = 0; i < n; i++)
		if (tmp[i] == ',')
			tmp[i] = '.';
	if (!strpbrk(tmp, ".eE")) {
		if (n + 2 >= (int)sizeof(tmp))
			return -1;
		tmp[n++] = '.';
		tmp[n++] = '0';
		tmp[n] = '\0';
	}
	char *e = strchr(tmp, 'e');
	if (e) {
		char *d = e + 1, *s = e + 1;
		if (*s == '-')
			*d++ = *s++;
		else if (*s == '+')
			s++;
		while (*s == '0' && s[1])
			s++;
		memmove(d, s, strlen(s) + 1);
		n = (int)strlen(tmp);
	}
	return as_jsonbuf_append(b, tmp, (size_t)n);
}

static int put_value(struct as_jsonbuf *b, const json_t *j, int depth)
{
	if (depth > AS_JSONW_MAX_DEPTH)
		return -1;
	switch (json_typeof(j)) {
	case JSON_NULL:
		return as_jsonbuf_append(b, "null", 4);
	case JSON_TRUE:
		return as_jsonbuf_append(b, "true", 4);
	case JSON_FALSE:
		return as_jsonbuf_append(b, "false", 5);
	case JSON_INTEGER:
		return put_integer(b, json_integer_value(j));
	case JSON_REAL:
		return put_real(b, json_real_value(j));
	case JSON_STRING:
		return put_string(b, json_string_value(j), json_string_length(j));
	case JSON_ARRAY: {
		if (as_jsonbuf_append(b, "[", 1))
			return -1;
		size_t n = json_array_size(j);
		for (size_t i = 0; i < n; i++)
			if ((i && as_jsonbuf_append(b, ",", 1)) ||
			    put_value(b, json_array_get(j, i), depth + 1))
				return -1;
		return as_jsonbuf_append(b, "]", 1);
	}
	case JSON_OBJECT: {
		if (as_jsonbuf_append(b, "{", 1))
			return -1;
		bool first = true;
		/* json_object_iter walks in insertion order, as json_dumps does
		 * without JSON_SORT_KEYS. */
		for (void *it = json_object_iter((json_t *)j); it;
		     it = json_object_iter_next((json_t *)j, it)) {
			const char *key = json_object_iter_key(it);
			size_t klen = json_object_iter_key_len(it);
			if ((!first && as_jsonbuf_append(b, ",", 1)) || put_string(b, key, klen) ||
			    as_jsonbuf_append(b, ":", 1) ||
			    put_value(b, json_object_iter_value(it), depth + 1))
				return -1;
			first = false;
		}
		return as_jsonbuf_append(b, "}", 1);
	}
	}
	return -1;
}

int as_json_write(struct as_jsonbuf *b, const json_t *j)
{
	size_t mark = b->len;
	if (!j || put_value(b, j, 0)) {
		b->len = mark;
		if (b->data)
			b->data[mark] = '\0';
		return -1;
	}
	return 0;
}
