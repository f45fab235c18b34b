/* fuzz_as_llm_stream: streamed responses, event by event.
 *
 * The first byte chooses the API (bits 0-1: unknown, chat, responses,
 * Anthropic) and whether the stream ends truncated (bit 2). The rest is read
 * as lines: "event: NAME" names the next event, any other line is one event's
 * data (so the corpus files read like the SSE on the wire).
 */
#include <stdint.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct as_llm_exchange ex = {0};
	char name[64];
	bool have_name = false;
	if (size < 1)
		return 0;
	ex.api = (enum as_llm_api)(data[0] & 3);
	bool truncated = data[0] & 4;
	struct as_llm_stream *s = as_llm_stream_new(&ex);
	if (!s)
		abort();
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n >= 6 && memcmp(p, "event:", 6) == 0) {
			const char *v = p + 6;
			size_t k = n - 6;
			if (k > 0 && *v == ' ') {
				v++;
				k--;
			}
			if (k > sizeof(name) - 1)
				k = sizeof(name) - 1;
			memcpy(name, v, k);
			name[k] = '\0';
			have_name = true;
		} else if (n > 0) {
			const char *d = p;
			size_t dn = n;
			if (dn >= 5 && memcmp(d, "data:", 5) == 0) {
				d += 5;
				dn -= 5;
			}
			as_llm_stream_event(s, have_name ? name : NULL, d, dn);
			have_name = false;
		}
		p += n + 1;
	}
	as_llm_stream_finish(s, truncated);
	as_llm_stream_free(s);
	fz_exchange(&ex);
	as_llm_exchange_clear(&ex);
	return 0;
}
