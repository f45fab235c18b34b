/* sse: an incremental parser of server-sent event streams (text/event-stream).
 *
 * Streamed LLM responses (OpenAI, Anthropic) arrive as SSE inside an HTTP
 * body. The HTTP parsers deliver that body in arbitrary pieces; this parser
 * turns them into events following the WHATWG HTML standard's "interpreting
 * an event stream": UTF-8 decoding with U+FFFD for invalid bytes, one leading
 * BOM ignored, lines ended by CRLF, LF or CR (a CR at the end of one piece and
 * an LF at the start of the next are one line end), comments, the fields
 * event, data (lines joined with LF), id (kept across events; ignored if it
 * holds U+0000) and retry (digits only), dispatch on an empty line, and an
 * unfinished event at the end of the stream discarded.
 *
 * Bounded: an event's data is cut at max_event_bytes (the event is delivered
 * with truncated set and counted); longer lines are cut too. Memory is about
 * five times max_event_bytes at most.
 */
#ifndef AGENTSIGHT_SSE_H
#define AGENTSIGHT_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AS_SSE_DEFAULT_MAX_EVENT_BYTES ((size_t)1024 * 1024)

struct as_sse_event {
	const char *type; /* the event field, or "message" */
	const char *data; /* data lines joined with "\n", NUL-terminated */
	size_t data_len;
	const char *id; /* the last event ID so far (persists across events); "" if none */
	bool truncated; /* data (or a line of it) was cut at the limit */
};

/* Called for each dispatched event; the event is valid only during the call. */
typedef void (*as_sse_event_cb)(void *ctx, const struct as_sse_event *ev);

struct as_sse_stats {
	uint64_t bytes;		   /* bytes fed */
	uint64_t events;	   /* events dispatched */
	uint64_t truncated_events; /* of which cut at the limit */
	uint64_t comments;	   /* comment lines */
	uint64_t invalid_utf8;	   /* U+FFFD substituted for invalid bytes */
};

struct as_sse;

/* max_event_bytes 0 takes AS_SSE_DEFAULT_MAX_EVENT_BYTES. NULL when out of memory. */
struct as_sse *as_sse_new(size_t max_event_bytes, as_sse_event_cb on_event, void *ctx);

void as_sse_feed(struct as_sse *s, const uint8_t *data, size_t len);

/* The stream ended. Returns true when an unfinished event was discarded (the
 * stream was truncated inside an event: data or other fields were pending,
 * or a line had no end); the parser then starts afresh. */
bool as_sse_finish(struct as_sse *s);

/* The reconnection time set by the last valid retry field, or -1. */
int64_t as_sse_retry_ms(const struct as_sse *s);

const struct as_sse_stats *as_sse_stats(const struct as_sse *s);

void as_sse_free(struct as_sse *s);

#endif /* AGENTSIGHT_SSE_H */
