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
	int version;	       /* 11 for HTTP/1.1, 10 for 1.0, 20 for HTTP/2 */
	const char *method;    /* requests: "POST", ... */
	const char *target;    /* requests: "/v1/chat/completions" (path and query) */
	const char *authority; /* requests: Host or :authority, NULL if absent */
	int status;	       /* responses: 200, ... */
	const struct as_http_header *headers;
	size_t n_headers;
	/* Derived from the headers, for convenience. */
	const char *content_type;     /* NULL if absent */
	const char *content_encoding; /* NULL, "gzip", "deflate", "br", ... */
	int64_t content_length;	      /* -1 if absent */
};

/* Why a message ended. */
enum as_http_end {
	AS_HTTP_END_COMPLETE,  /* the whole message arrived */
	AS_HTTP_END_TRUNCATED, /* the stream stopped (connection closed, process exited) first */
	AS_HTTP_END_ERROR,     /* the bytes were not valid HTTP; see on_error */
};

/* What was lost or bounded in one message, reported with its end. */
struct as_http_body_stats {
	uint64_t wire_bytes;	/* body bytes as sent (chunked, compressed) */
	uint64_t decoded_bytes; /* body bytes delivered to on_body */
	uint64_t dropped_bytes; /* decoded bytes not delivered (over the body limit) */
	bool decode_failed;	/* content-encoding could not be decoded; raw bytes delivered */
	uint64_t lost_bytes;	/* body bytes the capture lost (gaps in the stream) */
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
	/* Trailer fields after the body (chunked HTTP/1.1, HTTP/2); may be NULL. */
	void (*on_trailers)(void *ctx, uint32_t stream_id, const struct as_http_header *trailers,
			    size_t n);
};

/* Limits a parser enforces; zero fields take the defaults below. */
struct as_http_limits {
	size_t max_head_bytes;	    /* request/status line plus headers */
	size_t max_headers;	    /* header count */
	uint64_t max_body_bytes;    /* decoded body delivered per message; the rest is dropped and
				       counted */
	uint64_t max_inflate_ratio; /* decoded/wire bytes above this: a compression bomb, stop
				       decoding */
	size_t max_streams;	    /* HTTP/2: streams tracked at once per connection */
};

#define AS_HTTP_DEFAULT_MAX_HEAD_BYTES	  (64u * 1024u)
#define AS_HTTP_DEFAULT_MAX_HEADERS	  128u
#define AS_HTTP_DEFAULT_MAX_BODY_BYTES	  (16ull * 1024u * 1024u)
#define AS_HTTP_DEFAULT_MAX_INFLATE_RATIO 1000ull
#define AS_HTTP_DEFAULT_MAX_STREAMS	  128u

/* The limits with every zero field replaced by its default (l may be NULL). */
struct as_http_limits as_http_limits_resolve(const struct as_http_limits *l);

/* What a parser did with one direction of a stream. */
struct as_http_counters {
	uint64_t bytes_parsed;	/* consumed as HTTP: heads, framing, bodies */
	uint64_t bytes_dropped; /* skipped: garbage while resynchronising, after a fatal
				 * error, frames of streams not followed, tunnelled bytes */
	uint64_t bytes_lost;	/* reported lost by the capture (gaps) */
	uint64_t messages;	/* heads delivered to on_head */
	uint64_t errors;	/* calls to on_error */
};

/* What the first bytes of a stream are, so that a consumer can pick a parser. */
enum as_http_kind {
	AS_HTTP_KIND_UNKNOWN = 0, /* neither HTTP/1.x nor HTTP/2 */
	AS_HTTP_KIND_NEED_MORE,	  /* a prefix of something HTTP; call again with more bytes */
	AS_HTTP_KIND_H1_REQUEST,  /* an HTTP/1.x request line */
	AS_HTTP_KIND_H1_RESPONSE, /* an HTTP/1.x status line */
	AS_HTTP_KIND_H2_PREFACE,  /* the HTTP/2 client connection preface */
	AS_HTTP_KIND_H2_SETTINGS, /* an HTTP/2 SETTINGS frame: the server side of HTTP/2 */
};

enum as_http_kind as_http_detect(const uint8_t *first_bytes, size_t len);
const char *as_http_kind_name(enum as_http_kind kind);

/* Case-insensitive header lookup; NULL if absent. */
const char *as_http_head_get(const struct as_http_head *head, const char *name);

#endif /* AGENTSIGHT_HTTP_H */
