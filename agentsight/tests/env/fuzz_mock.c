/* fuzz_mock: feeds mock.c hostile scenarios and request bodies. The first
 * byte picks the API (bit 0: Anthropic); the rest is "SCENARIO\0BODY", or
 * just BODY answered by a built-in scenario when there is no NUL byte.
 * Seeds in corpus/mock. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mock.h"

static const char builtin[] =
	"{\"turns\":[{\"match\":{\"turn\":0},\"text\":\"caf\\u00e9 ok\","
	"\"tool_calls\":[{\"name\":\"run_command\",\"arguments\":{\"command\":\"echo "
	"${after}\"}}]},"
	"{\"match\":{\"last_message_contains\":\"run: \"},\"tool_calls\":[{\"name\":"
	"\"run_command\",\"arguments\":{\"command\":\"${after}\",\"n\":[1,{\"a\":null}]}}]},"
	"{\"match\":{\"turn\":[1,3]},\"text\":\"done\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct as_env_mock *mock;
	struct as_env_mock_reply reply;
	char err[256];
	if (!size)
		return 0;
	enum as_env_api api = (data[0] & 1) ? AS_ENV_API_ANTHROPIC : AS_ENV_API_OPENAI;
	const char *rest = (const char *)data + 1;
	size_t len = size - 1;
	const char *nul = memchr(rest, '\0', len);
	const char *scen = builtin, *body = rest;
	size_t scen_len = sizeof(builtin) - 1, body_len = len;
	if (nul) {
		scen = rest;
		scen_len = (size_t)(nul - rest);
		body = nul + 1;
		body_len = len - scen_len - 1;
	}
	if (as_env_mock_load(scen, scen_len, "fuzz", &mock, err, sizeof(err)))
		return 0;
	as_env_mock_respond(mock, api, body, body_len, 1, &reply);
	as_env_mock_reply_free(&reply);
	as_env_mock_free(mock);
	return 0;
}
