/* fuzz_as_llm_request: request and whole-response bodies of the three APIs.
 *
 * The first byte chooses: bits 0-1 the API (0, 1, 2 for chat, responses,
 * Anthropic; 3 for chat too), bit 4 a response instead of a request, bit 5
 * whether the response's API is left for the reader to guess, bits 6-7 the
 * HTTP status (200, 400, 429, 500). The rest is the body.
 */
#include <stdint.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int statuses[] = {200, 400, 429, 500};
	struct as_llm_exchange ex = {0};
	char err[256];
	if (size < 1)
		return 0;
	enum as_llm_api api = (enum as_llm_api)(1 + (data[0] & 3) % 3);
	const char *body = (const char *)data + 1;
	if (data[0] & 0x10) {
		ex.api = (data[0] & 0x20) ? AS_LLM_API_UNKNOWN : api;
		as_llm_parse_response(&ex, statuses[data[0] >> 6], body, size - 1, err,
				      sizeof(err));
	} else {
		as_llm_parse_request(&ex, api, body, size - 1, err, sizeof(err));
	}
	fz_exchange(&ex);
	as_llm_exchange_clear(&ex);
	return 0;
}
