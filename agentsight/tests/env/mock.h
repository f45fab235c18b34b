/* mock: the scripted model behind mockllm, AgentSight's test LLM server.
 *
 * A scenario (JSON, format in README.md) lists turns; each says which requests
 * it answers (by the number of assistant messages already in the
 * conversation, by text the agent sent since the last reply) and what the
 * model replies (text, tool calls, token usage). as_env_mock_respond() turns
 * one request body into the bytes of the reply, in OpenAI or Anthropic shape,
 * streamed (a list of SSE events, each to be written on its own) or not (one
 * JSON body). It does no I/O: mockllm.c puts it behind HTTPS, and the fuzz
 * target feeds it hostile scenarios and bodies.
 */
#ifndef AGENTSIGHT_ENV_MOCK_H
#define AGENTSIGHT_ENV_MOCK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "envapi.h"

/* Request bodies larger than this are refused (413). */
#define AS_ENV_MOCK_MAX_BODY (8u << 20)

struct as_env_mock;

/* One reply: HTTP status, content type and the pieces to write in order.
 * A streamed reply has one piece per SSE event; any other has one piece. */
struct as_env_mock_reply {
	int status;
	const char *content_type; /* static string */
	bool stream;
	bool include_usage; /* OpenAI stream_options.include_usage was set */
	char **pieces;
	size_t n_pieces;
	int conv_turn;	   /* assistant messages in the request, -1 if unknown */
	int matched;	   /* index of the scenario turn used, -1 if none */
	unsigned delay_ms; /* pause between streamed pieces */
	json_t *request;   /* the parsed request body (NULL if it was not JSON) */
	char problem[256]; /* why status is not 200, "" otherwise */
};

/* Parses a scenario. Returns 0, or -1 with a message in err naming the
 * scenario (`name`) and the problem. */
int as_env_mock_load(const char *text, size_t len, const char *name, struct as_env_mock **out,
		     char *err, size_t errlen);
void as_env_mock_free(struct as_env_mock *mock);

/* The scenario's pause between streamed pieces, in milliseconds. */
unsigned as_env_mock_delay_ms(const struct as_env_mock *mock);

/* Answers one request body for the given API. Always fills `out` (errors in
 * the request become 4xx/5xx replies with an error body in the API's shape
 * and a message in out->problem); returns -1 only when memory ran out.
 * `seq` numbers the reply's id. Free with as_env_mock_reply_free. */
int as_env_mock_respond(const struct as_env_mock *mock, enum as_env_api api, const char *body,
			size_t len, unsigned long seq, struct as_env_mock_reply *out);

/* Fills `out` with an error reply in the API's shape (no scenario involved). */
int as_env_mock_error_reply(enum as_env_api api, int status, const char *message,
			    struct as_env_mock_reply *out);

void as_env_mock_reply_free(struct as_env_mock_reply *reply);

#endif /* AGENTSIGHT_ENV_MOCK_H */
