/* http2: an incremental HTTP/2 parser (RFC 9113) for one connection.
 *
 * AgentSight feeds it both directions of a connection, each in order and in
 * any split: what the client wrote (the connection preface, then frames) and
 * what the server wrote (frames). Streams are reassembled into the same
 * as_http_sink callbacks as HTTP/1.1, with the stream id: requests (the
 * client's HEADERS and DATA) go to the request sink, responses to the
 * response sink, so that bodies of the two directions of one stream cannot
 * be mixed up. Pseudo-headers fill as_http_head (:method, :path as target,
 * :authority, :status) and are also listed among its headers, as sent;
 * header names are lower-case. END_STREAM ends a message; trailing HEADERS
 * go to on_trailers; 1xx responses are delivered as heads that end at once.
 * Bodies are decoded (gzip, deflate) and bounded as in HTTP/1.1.
 *
 * Frames: DATA (padding removed), HEADERS (padding, priority), CONTINUATION,
 * SETTINGS (header table size and max frame size are followed), RST_STREAM
 * (open messages end truncated), GOAWAY, PING, WINDOW_UPDATE, PRIORITY;
 * PUSH_PROMISE blocks are decoded to keep HPACK in step, and pushed streams
 * (even ids from the server) are not reported. Unknown frame types are
 * skipped, as the RFC asks.
 *
 * Bounded: at most max_streams streams are tracked (frames of others are
 * dropped and counted); a header block (HEADERS plus CONTINUATIONs) is at
 * most 4 x max_head_bytes coded and max_head_bytes decoded (RFC 9113
 * counting), with max_headers fields delivered; DATA goes through without
 * being buffered, whatever the frame length; other frames keep at most 256
 * bytes. Errors that break a direction's framing or HPACK state (a bad frame
 * header, a header block that does not decode, lost bytes outside a DATA
 * payload) stop that direction: its open messages end with
 * AS_HTTP_END_ERROR (or TRUNCATED for a gap) and its further bytes are
 * dropped; the other direction goes on.
 */
#ifndef AGENTSIGHT_HTTP2_H
#define AGENTSIGHT_HTTP2_H

#include "http.h"

struct as_http2;

/* requests and responses may be the same sink (then tell the directions of
 * a stream's bodies apart by the order of on_head calls, or better, don't).
 * Both are copied, as are the limits (NULL: defaults). NULL when out of memory. */
struct as_http2 *as_http2_new(const struct as_http_limits *limits,
			      const struct as_http_sink *requests,
			      const struct as_http_sink *responses);

/* Bytes one side wrote: from_client true for the client's (starting with the
 * preface), false for the server's. */
void as_http2_feed(struct as_http2 *c, bool from_client, const uint8_t *data, size_t len);

/* The capture lost nbytes of one direction here. Inside a DATA payload the
 * loss is counted and parsing goes on; anywhere else the direction stops. */
void as_http2_gap(struct as_http2 *c, bool from_client, uint64_t nbytes);

/* The connection ended: open messages end AS_HTTP_END_TRUNCATED. */
void as_http2_close(struct as_http2 *c);

/* Counters of one direction. */
const struct as_http_counters *as_http2_counters(const struct as_http2 *c, bool from_client);

void as_http2_free(struct as_http2 *c);

#endif /* AGENTSIGHT_HTTP2_H */
