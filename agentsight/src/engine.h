/* engine: turns the kernel's records into AgentSight events.
 *
 * Records arrive from capture (or from a file, for replay and tests) in ring
 * order. Process and syscall records become events at once, except writes:
 * the writes a process makes to one open file are gathered into one event,
 * sent when the burst ends (the fd is reused, the process exits, a second
 * passes without writes, or the engine finishes), stamped with the first
 * write's time and carrying the total.
 *
 * TLS records are reassembled per connection (process, SSL pointer) and
 * direction; lost bytes become gaps for the parsers. The first bytes decide
 * the protocol: HTTP/1.x (a parser per direction) or HTTP/2 (one parser for
 * the connection); anything else is counted and ignored. Each request and
 * its response become one event: AS_EV_LLM when the request is an LLM API
 * call (then the bodies are parsed into an exchange, a streamed response
 * through SSE as it arrives), AS_EV_HTTP otherwise. Bodies are redacted
 * before parsing; header values are never kept.
 *
 * Read-only opens of system files (under /usr, /lib*, /proc, /sys, /dev and
 * the dynamic linker's /etc/ld.so.*) are left out unless all_opens is set:
 * every program start makes dozens of them, and they say nothing about what
 * an agent does. They are counted.
 *
 * Events go to the sink synchronously; the pointer is valid only during the
 * call (the engine frees the event afterwards).
 */
#ifndef AGENTSIGHT_ENGINE_H
#define AGENTSIGHT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "agentsight.h"
#include "event.h"

struct as_engine;

struct as_engine_sink {
	void *ctx;
	void (*on_event)(void *ctx, const struct as_event *ev);
	void (*on_log)(void *ctx, const char *msg); /* may be NULL */
};

struct as_engine_cfg {
	uint64_t max_body_bytes; /* per HTTP body kept for parsing; 0: 16 MiB */
	uint64_t write_idle_ns;	 /* a file's write burst ends after this; 0: 1 s */
	size_t max_connections;	 /* TLS connections followed at once; 0: 4096 */
	bool http_events;	 /* emit AS_EV_HTTP for non-LLM HTTP traffic */
	bool all_opens;		 /* keep read-only opens of system files (see above) */
};

struct as_engine_stats {
	uint64_t records;
	uint64_t events;
	uint64_t tls_bytes;	     /* plaintext bytes received */
	uint64_t tls_bytes_lost;     /* gaps: bytes the capture lost */
	uint64_t non_http_bytes;     /* TLS bytes of connections that are not HTTP */
	uint64_t body_bytes_dropped; /* over max_body_bytes (in the parsers or here) */
	uint64_t decode_failures;    /* bodies whose content-encoding did not decode (or bombed) */
	uint64_t http_errors;	     /* parser errors */
	uint64_t llm_exchanges;
	uint64_t connections;	      /* connections seen */
	uint64_t connections_dropped; /* not followed: over max_connections */
	uint64_t bad_records;	      /* records too short or of unknown type */
	uint64_t opens_filtered;      /* read-only opens of system files left out */
	/* keys mode */
	uint64_t tls_keys;		/* secrets received */
	uint64_t tls_records_decrypted; /* TLS records opened */
	uint64_t tls_decrypt_failures;	/* records not opened, sessions not decryptable,
					   directions stopped by lost bytes */
};

struct as_engine *as_engine_new(const struct as_engine_cfg *cfg, const struct as_engine_sink *sink);

/* One record as it came from the ring buffer. */
void as_engine_record(struct as_engine *e, const struct as_rec_hdr *rec, size_t size);

/* Time passes (CLOCK_MONOTONIC): ends idle write bursts. */
void as_engine_tick(struct as_engine *e, uint64_t now_ns);

/* The capture ended: every open connection ends (responses truncated), every
 * write burst is sent. */
void as_engine_finish(struct as_engine *e);

void as_engine_get_stats(const struct as_engine *e, struct as_engine_stats *st);

void as_engine_free(struct as_engine *e);

#endif /* AGENTSIGHT_ENGINE_H */
