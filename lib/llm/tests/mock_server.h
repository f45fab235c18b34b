/* mock_server: a local stand-in for the OpenAI and Anthropic HTTP APIs.
 *
 * libmicrohttpd serves plain HTTP on 127.0.0.1 at an ephemeral port, one
 * thread per connection, inside the test process. Each request is checked the
 * way the real API would check it (path, key header, anthropic-version,
 * model, messages, max_tokens, stream options) and recorded, problems
 * included, for the test to assert on; then the next reply of a script the
 * test set is sent: a JSON body with any status, an SSE stream cut into small
 * chunks, a stream that stops early or whose connection drops, or no answer
 * at all. A request that fails the checks gets a 400 in the API's own error
 * shape instead of the scripted reply.
 */
#ifndef LLM_MOCK_SERVER_H
#define LLM_MOCK_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum mock_kind {
	MOCK_JSON = 0, /* status and body at once */
	MOCK_SSE,      /* 200 text/event-stream, body sent chunk_size bytes at a time */
	MOCK_DROP,     /* like MOCK_SSE, but the connection is cut after the body */
	MOCK_HANG,     /* no answer until the server stops */
};

struct mock_reply {
	enum mock_kind kind;
	int status;		  /* MOCK_JSON; 0 means 200 */
	const char *body;	  /* JSON body, or the whole SSE text */
	const char *retry_after;  /* a Retry-After header value, or NULL */
	size_t chunk_size;	  /* MOCK_SSE/MOCK_DROP: bytes per chunk; 0: 5 */
	const char *content_type; /* NULL: application/json or text/event-stream */
};

/* What the server saw of one request. */
struct mock_request {
	char path[128];
	char authorization[600];
	char x_api_key[600];
	char anthropic_version[64];
	char content_type[64];
	char accept[64];
	char problem[256]; /* why the checks failed; empty when the request was good */
	char *body;
	json_t *json; /* the parsed body, or NULL */
};

struct mock_server;

/* Starts the server. expected_key is what the key header must carry. */
int mock_start(struct mock_server **out, const char *expected_key);
/* "http://127.0.0.1:<port>" */
const char *mock_url(const struct mock_server *m);
/* Replaces the script; replies are sent in order, one per request. Strings
 * must outlive their use. */
void mock_script(struct mock_server *m, const struct mock_reply *replies, size_t n);
/* Scripted replies not sent yet. */
size_t mock_pending(struct mock_server *m);
/* Number of requests seen since the last mock_reset. */
size_t mock_count(struct mock_server *m);
/* The i-th request seen (valid until mock_reset or mock_stop). */
const struct mock_request *mock_request(struct mock_server *m, size_t i);
/* Forgets the requests seen. */
void mock_reset(struct mock_server *m);
/* Stops the server (hanging requests are released) and frees it. */
void mock_stop(struct mock_server *m);

#endif /* LLM_MOCK_SERVER_H */
