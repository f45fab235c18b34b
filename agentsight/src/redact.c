/* redact: masks credentials in header values and bodies (see redact.h).
 *
 * One left-to-right pass over the bytes. At each position a few matchers look
 * ahead a bounded distance (names are at most NAME_MAX_LEN bytes); when one
 * matches, the secret is masked and the scan goes on after it, so the pass is
 * linear in the input. Matchers look only at ASCII; other bytes never start a
 * match and are never split (a masked JSON value is masked whole).
 */
#include "redact.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#define MARKER_LEN    (sizeof(AS_REDACTED) - 1)
#define NAME_MAX_LEN  64u /* longest field or variable name looked at */
#define TOKEN_MIN_LEN 20u /* key characters a prefixed key needs after its prefix */

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

/* Characters of API keys and identifiers. */
static bool is_key_char(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '-';
}

/* Characters of bearer tokens (RFC 6750 b64token). */
static bool is_b64token_char(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
	       c == '/' || c == '=';
}

/* A secret starts here only after a character that cannot be part of it. */
static bool at_boundary(const char *buf, size_t i)
{
	return i == 0 || !is_key_char((unsigned char)buf[i - 1]);
}

static size_t run_len(const char *buf, size_t len, size_t i, bool (*ok)(unsigned char))
{
	size_t j = i;
	while (j < len && ok((unsigned char)buf[j]))
		j++;
	return j - i;
}

/* Masks buf[from..to): the marker then '*', or only '*' when it is short. */
static void mask(char *buf, size_t from, size_t to)
{
	size_t n = to - from;
	if (n >= MARKER_LEN) {
		memcpy(buf + from, AS_REDACTED, MARKER_LEN);
		memset(buf + from + MARKER_LEN, '*', n - MARKER_LEN);
	} else {
		memset(buf + from, '*', n);
	}
}

/* The length of the backslash escape at buf[i]: 6 for \uXXXX, else 2. */
static size_t escape_len(const char *buf, size_t i, size_t to)
{
	if (i + 1 < to && buf[i + 1] == 'u')
		return to - i < 6 ? to - i : 6;
	return to - i < 2 ? to - i : 2;
}

/* True when buf[from..to) is what mask() writes (so it is not masked twice).
 * With skip_escapes, backslash escapes in it are passed over. */
static bool is_masked(const char *buf, size_t from, size_t to, bool skip_escapes)
{
	size_t i = from;
	if (to - from >= MARKER_LEN && memcmp(buf + from, AS_REDACTED, MARKER_LEN) == 0)
		i += MARKER_LEN;
	while (i < to) {
		if (skip_escapes && buf[i] == '\\') {
			i += escape_len(buf, i, to);
			continue;
		}
		if (buf[i] != '*')
			return false;
		i++;
	}
	return true;
}

/* Does a field or variable name look like it holds a credential? The name
 * is compared lower-cased, without '_', '-' and '.', by its ending. */
static bool secret_name(const char *name, size_t n)
{
	static const char *const endings[] = {
		"apikey",     "accesskey", "secretkey", "privatekey",	 "password", "passwd",
		"passphrase", "secret",	   "token",	"authorization", "cookie",   "credentials",
	};
	char norm[NAME_MAX_LEN + 1];
	size_t k = 0;
	for (size_t i = 0; i < n && k < NAME_MAX_LEN; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '_' || c == '-' || c == '.')
			continue;
		norm[k++] = (char)((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
	}
	for (size_t e = 0; e < sizeof(endings) / sizeof(endings[0]); e++) {
		size_t el = strlen(endings[e]);
		if (k >= el && memcmp(norm + k - el, endings[e], el) == 0)
			return true;
	}
	return false;
}

static bool is_name_char(unsigned char c)
{
	return is_key_char(c) || c == '.';
}

/* Whitespace between JSON tokens; inside a JSON string (esc) also the
 * escapes \n, \r and \t that pretty-printed JSON text turns into. */
static size_t skip_ws(const char *buf, size_t len, size_t i, bool esc)
{
	for (;;) {
		if (i < len &&
		    (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) {
			i++;
		} else if (esc && i + 1 < len && buf[i] == '\\' &&
			   (buf[i + 1] == 'n' || buf[i + 1] == 'r' || buf[i + 1] == 't')) {
			i += 2;
		} else {
			return i;
		}
	}
}

/* A quote: `"` in JSON, `\"` in JSON text escaped inside a JSON string. */
static bool quote_at(const char *buf, size_t len, size_t i, bool esc)
{
	if (esc)
		return i + 1 < len && buf[i] == '\\' && buf[i + 1] == '"';
	return i < len && buf[i] == '"';
}

/* Is the byte at i escaped by an odd number of backslashes before it? */
static bool escaped(const char *buf, size_t i)
{
	size_t n = 0;
	while (i > n && buf[i - n - 1] == '\\')
		n++;
	return n % 2 == 1;
}

/* "name": "value" with a secret name, starting at the opening quote i. On a
 * match returns true and sets *end after the value; masks the value unless it
 * is empty or masked already, and counts it. */
static bool match_json_field(char *buf, size_t len, size_t i, bool esc, size_t *end, size_t *count)
{
	size_t q = esc ? 2 : 1;
	size_t p = i + q;
	size_t n = 0;
	while (p + n < len && n <= NAME_MAX_LEN && is_name_char((unsigned char)buf[p + n]))
		n++;
	if (n == 0 || n > NAME_MAX_LEN || !quote_at(buf, len, p + n, esc))
		return false;
	size_t j = skip_ws(buf, len, p + n + q, esc);
	if (j >= len || buf[j] != ':')
		return false;
	j = skip_ws(buf, len, j + 1, esc);
	if (!quote_at(buf, len, j, esc) || !secret_name(buf + p, n))
		return false;

	size_t v = j + q, e = v;
	if (esc) {
		/* Decode the outer string's escapes on the way, to find where the
		 * inner string ends: at an inner quote that no inner backslash
		 * escapes. Outer escapes are kept as they are; the rest is masked. */
		bool inner_escape = false;
		while (e < len && buf[e] != '"') { /* a bare quote ends the outer string */
			char inner = buf[e];
			size_t step = 1;
			if (buf[e] == '\\') {
				step = escape_len(buf, e, len);
				if (step >= 2)
					inner = buf[e + 1];
			}
			if (inner_escape) {
				inner_escape = false;
			} else if (inner == '\\' && step == 2) {
				inner_escape = true;
			} else if (inner == '"' && step == 2) {
				break;
			}
			e += step;
		}
	} else {
		while (e < len && buf[e] != '"')
			e += (buf[e] == '\\') ? 2 : 1;
		if (e > len)
			e = len;
	}
	if (e > v && !is_masked(buf, v, e, esc)) {
		if (esc && memchr(buf + v, '\\', e - v)) {
			/* Mask around the escapes so that the text stays valid. */
			for (size_t k = v; k < e;) {
				if (buf[k] == '\\') {
					k += escape_len(buf, k, e);
					continue;
				}
				buf[k++] = '*';
			}
		} else {
			mask(buf, v, e);
		}
		(*count)++;
	}
	if (e >= len)
		*end = len;
	else
		*end = quote_at(buf, len, e, esc) ? e + q : e;
	return true;
}

static bool starts_with(const char *buf, size_t len, size_t i, const char *prefix)
{
	size_t n = strlen(prefix);
	return len - i >= n && memcmp(buf + i, prefix, n) == 0;
}

/* name=value with a secret name, at an identifier start i. */
static bool match_assignment(char *buf, size_t len, size_t i, size_t *end, size_t *count)
{
	size_t n = run_len(buf, len, i, is_name_char);
	if (n == 0 || n > NAME_MAX_LEN || i + n + 1 >= len || buf[i + n] != '=')
		return false;
	size_t v = i + n + 1;
	unsigned char first = (unsigned char)buf[v];
	if (first == '=' || first == '$' || first == '%' || first == '{' ||
	    !secret_name(buf + i, n))
		return false;
	size_t e = v;
	if (starts_with(buf, len, v, AS_REDACTED))
		e += MARKER_LEN; /* masked before: the marker's ']' does not end it */
	while (e < len) {
		unsigned char c = (unsigned char)buf[e];
		if (c <= ' ' || c == 0x7f || strchr("&\"',;\\)]}<>`", c))
			break;
		e++;
	}
	if (e == v)
		return false;
	if (!is_masked(buf, v, e, false)) {
		mask(buf, v, e);
		(*count)++;
	}
	*end = e;
	return true;
}

/* Masks buf[from..to) and moves the scan past it. */
static bool take(char *buf, size_t from, size_t to, size_t *end, size_t *count)
{
	mask(buf, from, to);
	(*count)++;
	*end = to;
	return true;
}

/* The prefixed keys and tokens, at a boundary i. */
static bool match_token(char *buf, size_t len, size_t i, size_t *end, size_t *count)
{
	unsigned char c = (unsigned char)buf[i];

	if (c == 's' && starts_with(buf, len, i, "sk-")) {
		size_t keep = 3;
		if (starts_with(buf, len, i, "sk-ant-")) {
			size_t n = run_len(buf, len, i + 7, is_key_char);
			if (n >= TOKEN_MIN_LEN)
				return take(buf, i + 7, i + 7 + n, end, count);
			return false;
		}
		static const char *const kinds[] = {"sk-proj-", "sk-svcacct-", "sk-admin-"};
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			if (starts_with(buf, len, i, kinds[k]))
				keep = strlen(kinds[k]);
		}
		size_t n = run_len(buf, len, i + 3, is_key_char);
		if (n < TOKEN_MIN_LEN || 3 + n <= keep)
			return false;
		bool digit = false;
		for (size_t k = i + 3; k < i + 3 + n && !digit; k++)
			digit = is_digit((unsigned char)buf[k]);
		if (!digit)
			return false;
		return take(buf, i + keep, i + 3 + n, end, count);
	}
	if (c == 'A' && starts_with(buf, len, i, "AIza")) {
		if (run_len(buf, len, i + 4, is_key_char) == 35)
			return take(buf, i + 4, i + 39, end, count);
		return false;
	}
	if (c == 'A' && (starts_with(buf, len, i, "AKIA") || starts_with(buf, len, i, "ASIA"))) {
		size_t n = 0;
		while (i + 4 + n < len && n < 17 &&
		       (is_digit((unsigned char)buf[i + 4 + n]) ||
			(buf[i + 4 + n] >= 'A' && buf[i + 4 + n] <= 'Z')))
			n++;
		if (n == 16 && (i + 20 == len || !is_key_char((unsigned char)buf[i + 20])))
			return take(buf, i + 4, i + 20, end, count);
		return false;
	}
	if (c == 'g') {
		static const char *const gh[] = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"};
		for (size_t k = 0; k < sizeof(gh) / sizeof(gh[0]); k++) {
			if (starts_with(buf, len, i, gh[k])) {
				size_t n = run_len(buf, len, i + 4, is_alnum);
				if (n >= TOKEN_MIN_LEN)
					return take(buf, i + 4, i + 4 + n, end, count);
				return false;
			}
		}
		if (starts_with(buf, len, i, "github_pat_")) {
			size_t n = 0;
			while (i + 11 + n < len &&
			       (is_alnum((unsigned char)buf[i + 11 + n]) || buf[i + 11 + n] == '_'))
				n++;
			if (n >= TOKEN_MIN_LEN)
				return take(buf, i + 11, i + 11 + n, end, count);
			return false;
		}
	}
	if (c == 'e' && starts_with(buf, len, i, "eyJ")) {
		/* A JSON web token: header.payload.signature, base64url. */
		size_t h = run_len(buf, len, i, is_key_char);
		size_t p = i + h;
		if (h < 10 || p >= len || buf[p] != '.' || !starts_with(buf, len, p + 1, "eyJ"))
			return false;
		size_t pl = run_len(buf, len, p + 1, is_key_char);
		size_t s = p + 1 + pl;
		if (pl < 10 || s >= len || buf[s] != '.')
			return false;
		size_t sl = run_len(buf, len, s + 1, is_key_char);
		return take(buf, i + 3, s + 1 + sl, end, count);
	}
	if ((c == 'b' || c == 'B') && len - i > 7 && strncasecmp(buf + i, "bearer", 6) == 0 &&
	    (buf[i + 6] == ' ' || buf[i + 6] == '\t')) {
		size_t t = i + 6;
		while (t < len && (buf[t] == ' ' || buf[t] == '\t'))
			t++;
		size_t n = run_len(buf, len, t, is_b64token_char);
		bool not_word = false;
		for (size_t k = t; k < t + n && !not_word; k++)
			not_word = !is_alpha((unsigned char)buf[k]);
		if (n >= 8 && not_word)
			return take(buf, t, t + n, end, count);
		return false;
	}
	return false;
}

size_t as_redact_text(char *buf, size_t len)
{
	size_t count = 0;
	size_t i = 0;
	if (!buf)
		return 0;
	while (i < len) {
		size_t end = 0;
		unsigned char c = (unsigned char)buf[i];
		bool hit = false;
		if (c == '"' && !escaped(buf, i))
			hit = match_json_field(buf, len, i, false, &end, &count);
		else if (c == '\\' && i + 1 < len && buf[i + 1] == '"' && !escaped(buf, i))
			hit = match_json_field(buf, len, i, true, &end, &count);
		else if (is_name_char(c) && at_boundary(buf, i))
			hit = match_token(buf, len, i, &end, &count) ||
			      match_assignment(buf, len, i, &end, &count);
		if (hit && end > i) {
			i = end;
		} else if (is_key_char(c) && at_boundary(buf, i)) {
			/* No secret starts inside a name: skip to its end. */
			i += run_len(buf, len, i, is_key_char);
		} else {
			i++;
		}
	}
	return count;
}

bool as_redact_header_name(const char *name)
{
	static const char *const exact[] = {
		"authorization",     "proxy-authorization", "x-api-key",      "api-key",
		"anthropic-api-key", "openai-api-key",	    "x-goog-api-key", "cookie",
		"set-cookie",
	};
	static const char *const parts[] = {"api-key", "apikey", "api_key",
					    "token",   "secret", "password"};
	if (!name)
		return false;
	for (size_t k = 0; k < sizeof(exact) / sizeof(exact[0]); k++) {
		if (strcasecmp(name, exact[k]) == 0)
			return true;
	}
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
		if (strcasestr(name, parts[k]))
			return true;
	}
	return false;
}

bool as_redact_header(const char *name, char *value)
{
	if (!value)
		return false;
	size_t len = strlen(value);
	if (!as_redact_header_name(name))
		return as_redact_text(value, len) > 0;

	/* Keep the scheme word of "Scheme credentials". */
	size_t start = 0;
	if (strcasecmp(name, "authorization") == 0 ||
	    strcasecmp(name, "proxy-authorization") == 0) {
		size_t w = 0;
		while (w < len && (is_alnum((unsigned char)value[w]) || value[w] == '-'))
			w++;
		size_t s = w;
		while (s < len && value[s] == ' ')
			s++;
		if (w > 0 && is_alpha((unsigned char)value[0]) && s > w && s < len)
			start = s;
	}
	size_t n = len - start;
	if (n == 0 || is_masked(value, start, len, false))
		return false;
	if (n >= MARKER_LEN) {
		memcpy(value + start, AS_REDACTED, MARKER_LEN);
		value[start + MARKER_LEN] = '\0';
	} else {
		memset(value + start, '*', n);
	}
	return true;
}
