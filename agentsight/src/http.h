/* http: the HTTP message model that the HTTP/1.1 and HTTP/2 parsers produce.
 *
 * AgentSight sees each TLS connection as two byte streams (what the process
 * wrote, what it read). A parser turns a stream into messages and reports them
 * to a sink: the head once (request line or status, headers), then the body in
 * pieces as it arrives, already de-chunked and decompressed, then the end.
 * HTTP/1.1 has one message at a time (stream_id 0); HTTP/2 interleaves
 * streams, each with its own id. Nothing here owns memory the sink keeps: a
 * sink copies what it wants before returning.
 */
#ifndef AGENTSIGHT_HTTP_H
#define AGENTSIGHT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct as_http_header {
	const char *name; /* lower-cased for HTTP/2; as sent for HTTP/1.1 */
	const char *value;
};

struct as_http_head {
	bool is_request;
	int version;           /* 11 for HTTP/1.1, 10 for 1.0, 20 for HTTP/2 */
	const char *method;    /* requests: "POST", ... */
	const char *target;    /* requests: "/v1/chat/completions" (path and query) */
	const char *authority; /* requests: Host or :authority, NULL if absent */
	int status;            /* responses: 200, ... */
	const struct as_http_header *headers;
	size_t n_headers;
	/* Derived from the headers, for convenience. */
	const char *content_type;     /* NULL if absent */
	const char *content_encoding; /* NULL, "gzip", "deflate", "br", ... */
	int64_t content_length;       /* -1 if absent */
};

/* Why a message ended. */
enum as_http_end {
	AS_HTTP_END_COMPLETE,  /* the whole message arrived */
	AS_HTTP_END_TRUNCATED, /* the stream stopped (connection closed, process exited) first */
	AS_HTTP_END_ERROR,     /* the bytes were not valid HTTP; see on_error */
};

/* What was lost or bounded in one message, reported with its end. */
struct as_http_body_stats {
	uint64_t wire_bytes;      /* body bytes as sent (chunked, compressed) */
	uint64_t decoded_bytes;   /* body bytes delivered to on_body */
	uint64_t dropped_bytes;   /* decoded bytes not delivered (over the body limit) */
	bool decode_failed;       /* content-encoding could not be decoded; raw bytes delivered */
};

struct as_http_sink {
	void *ctx;
	void (*on_head)(void *ctx, uint32_t stream_id, const struct as_http_head *head);
	void (*on_body)(void *ctx, uint32_t stream_id, const uint8_t *data, size_t len);
	void (*on_end)(void *ctx, uint32_t stream_id, enum as_http_end how,
		       const struct as_http_body_stats *stats);
	/* A problem in the stream, with a message naming it; the parser goes on
	 * when it can resynchronise (next message) and stops otherwise. */
	void (*on_error)(void *ctx, uint32_t stream_id, const char *msg);
};

/* Limits a parser enforces; zero fields take the defaults below. */
struct as_http_limits {
	size_t max_head_bytes;    /* request/status line plus headers */
	size_t max_headers;       /* header count */
	uint64_t max_body_bytes;  /* decoded body delivered per message; the rest is dropped and counted */
	uint64_t max_inflate_ratio; /* decoded/wire bytes above this: a compression bomb, stop decoding */
};

#define AS_HTTP_DEFAULT_MAX_HEAD_BYTES (64u * 1024u)
#define AS_HTTP_DEFAULT_MAX_HEADERS 128u
#define AS_HTTP_DEFAULT_MAX_BODY_BYTES (16ull * 1024u * 1024u)
#define AS_HTTP_DEFAULT_MAX_INFLATE_RATIO 1000ull

/* Case-insensitive header lookup; NULL if absent. */
const char *as_http_head_get(const struct as_http_head *head, const char *name);

#endif /* AGENTSIGHT_HTTP_H */
