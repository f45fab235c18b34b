/* jsonw: a fast writer of jansson values as compact, ASCII-only JSON.
 *
 * The tracer writes one JSON line per event, beside the agents it watches
 * on the same CPUs; jansson's json_dumps spent a third of the tracer's time
 * on the TLS benchmark (a callback per token, a fresh buffer per line). This
 * writes the same bytes as json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII),
 * tested against it, into a buffer that is reused from line to line.
 */
#ifndef AGENTSIGHT_JSONW_H
#define AGENTSIGHT_JSONW_H

#include <jansson.h>
#include <stddef.h>

struct as_jsonbuf {
	char *data;
	size_t len, cap;
};

/* Appends the JSON text of j to b. Returns 0, or -1 when memory runs out or
 * the value nests deeper than AS_JSONW_MAX_DEPTH (b keeps what it had). */
#define AS_JSONW_MAX_DEPTH 2048
int as_json_write(struct as_jsonbuf *b, const json_t *j);

/* Appends n bytes. Returns 0 or -1. */
int as_jsonbuf_append(struct as_jsonbuf *b, const char *s, size_t n);

void as_jsonbuf_free(struct as_jsonbuf *b);

#endif /* AGENTSIGHT_JSONW_H */
