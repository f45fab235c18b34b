/* fuzz_llm_response: libFuzzer target for everything lib/llm reads from a
 * server: whole response bodies, error bodies and SSE streams, of both APIs.
 *
 * The first input byte picks what the rest is: bit 0 the provider (OpenAI,
 * Anthropic); bits 1-2 the parser (0 response body, 1 error body, 2 and 3 a
 * stream); bits 3-7, plus one, the chunk size a stream is fed in. A stream is
 * parsed twice, whole and in chunks, and both must give the same result:
 * where the bytes split must never change what is understood.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "llm_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ignore_delta(const char *text, size_t len, void *ctx)
{
	(void)text;
	(void)len;
	(void)ctx;
	return 0;
}

static int stream(enum llm_provider p, const char *buf, size_t len, size_t chunk,
		  struct llm_result *res)
{
	struct llm_stream s;
	char err[256];
	memset(res, 0, sizeof(*res));
	llm_stream_init(&s, p, res, 1 << 16, ignore_delta, NULL);
	int rc = LLM_OK;
	for (size_t at = 0; at < len && rc == LLM_OK; at += chunk)
		rc = llm_stream_feed(&s, buf + at, len - at < chunk ? len - at : chunk, err,
				     sizeof(err));
	int frc = llm_stream_finish(&s, err, sizeof(err));
	llm_stream_free(&s);
	return rc != LLM_OK ? rc : frc;
}

static bool same_result(const struct llm_result *a, const struct llm_result *b)
{
	if (a->text_len != b->text_len || memcmp(a->text, b->text, a->text_len) != 0 ||
	    a->n_tool_calls != b->n_tool_calls || a->input_tokens != b->input_tokens ||
	    a->output_tokens != b->output_tokens || strcmp(a->stop_reason, b->stop_reason) != 0)
		return false;
	for (size_t i = 0; i < a->n_tool_calls; i++) {
		if (strcmp(a->tool_calls[i].arguments_json, b->tool_calls[i].arguments_json) != 0)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum llm_provider p = (data[0] & 1) ? LLM_PROVIDER_ANTHROPIC : LLM_PROVIDER_OPENAI;
	unsigned mode = (data[0] >> 1) & 3;
	size_t chunk = (size_t)(data[0] >> 3) + 1;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	char err[256];

	if (mode == 0) {
		struct llm_result res = {0};
		llm_parse_response(p, body, len, &res, err, sizeof(err));
		llm_result_free(&res);
	} else if (mode == 1) {
		llm_describe_error_body(body, len, err, sizeof(err));
	} else {
		struct llm_result whole, parts;
		int a = stream(p, body, len, len ? len : 1, &whole);
		int b = stream(p, body, len, chunk, &parts);
		if (a != b || !same_result(&whole, &parts))
			abort();
		llm_result_free(&whole);
		llm_result_free(&parts);
	}
	return 0;
}
