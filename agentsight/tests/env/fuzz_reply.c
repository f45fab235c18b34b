/* fuzz_reply: feeds agent_core's reply parser (and the conversation code
 * that takes its result) arbitrary bodies. The first byte picks the shape:
 * bit 0 Anthropic (else OpenAI), bit 1 streamed (SSE); the rest is the body.
 * Seeds in corpus/reply are the API documentation's examples and broken
 * variants. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "agent_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct as_env_reply reply;
	char err[256];
	if (!size)
		return 0;
	enum as_env_api api = (data[0] & 1) ? AS_ENV_API_ANTHROPIC : AS_ENV_API_OPENAI;
	bool stream = data[0] & 2;
	if (!as_env_reply_parse(api, stream, (const char *)data + 1, size - 1, &reply, err,
				sizeof(err))) {
		struct as_env_conv conv;
		if (!as_env_conv_init(&conv, api, stream, NULL, NULL)) {
			as_env_conv_add_reply(&conv, &reply);
			for (size_t i = 0; i < reply.n_calls; i++)
				as_env_conv_add_result(&conv, reply.calls[i].id, reply.text, i & 1);
			free(as_env_conv_dump(&conv));
			as_env_conv_free(&conv);
		}
	}
	as_env_reply_free(&reply);
	return 0;
}
