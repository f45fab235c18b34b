/* fuzz_as_redact: masking secrets in bodies and header values.
 *
 * Checks what redact.h promises: the length is kept, JSON that parsed before
 * still parses, a second pass finds nothing; a header value never grows and
 * is masked once only. For headers the input is split at its first ':' into
 * a name and a value.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

/* A NUL-terminated copy of n bytes (they may hold NULs: C sees the prefix). */
static char *copy(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = copy(data, size);
	if (!buf)
		return 0;
	json_t *before = json_loadb(buf, size, JSON_DECODE_ANY, NULL);
	as_redact_text(buf, size);
	char *again = malloc(size + 1);
	memcpy(again, buf, size + 1);
	if (as_redact_text(again, size) != 0 || memcmp(again, buf, size) != 0)
		abort(); /* not idempotent */
	if (before) {
		json_t *after = json_loadb(buf, size, JSON_DECODE_ANY, NULL);
		if (!after)
			abort(); /* masking broke the JSON */
		json_decref(after);
		json_decref(before);
	}
	free(again);
	free(buf);

	/* Header: name before the first ':', value after it (to a NUL). */
	const uint8_t *colon = memchr(data, ':', size);
	if (colon) {
		size_t nl = (size_t)(colon - data);
		char *name = copy(data, nl);
		char *value = copy(colon + 1, size - nl - 1);
		if (name && value) {
			size_t len = strlen(value);
			as_redact_header(name, value);
			if (strlen(value) > len || as_redact_header(name, value))
				abort();
		}
		free(name);
		free(value);
	}
	return 0;
}
