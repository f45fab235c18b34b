/* http1: an incremental HTTP/1.x parser for one direction of a connection.
 *
 * AgentSight feeds it what a process wrote (requests, for a client) or read
 * (responses), in whatever pieces SSL_write/SSL_read produced. It reports
 * each message to an as_http_sink (stream_id 0): the head, the body
 * de-chunked and decoded (gzip, deflate), the trailers, the end. Requests and
 * responses are told apart by their first line, so one parser type serves
 * both directions; keep-alive and pipelining give many messages per stream.
 *
 * Message length follows RFC 9112 section 6: HEAD responses, 1xx, 204 and
 * 304 have no body; Transfer-Encoding chunked (extensions ignored, trailers
 * reported); Content-Length; otherwise a response is read until close and a
 * request has no body. A response parser learns which requests were HEAD or
 * CONNECT through as_http1_expect_response(), called in request order.
 *
 * Bounded: a head is at most max_head_bytes, with at most max_headers headers
 * delivered (more are dropped and reported); bodies go through the limits of
 * decode.h. Never crashes on garbage: a message that is not valid HTTP is
 * reported through on_error (and on_end with AS_HTTP_END_ERROR when its head
 * was delivered), then the parser drops lines until one looks like a request
 * or status line and starts again there. The same resynchronisation follows
 * bytes lost in capture (as_http1_gap), except when the gap falls inside a
 * body of known length, which then goes on with the loss counted.
 */
#ifndef AGENTSIGHT_HTTP1_H
#define AGENTSIGHT_HTTP1_H

#include "http.h"

struct as_http1;

/* A parser reporting to sink (copied, as are the limits; NULL limits take the
 * defaults). NULL when out of memory. */
struct as_http1 *as_http1_new(const struct as_http_limits *limits, const struct as_http_sink *sink);

/* Bytes of the stream, in order, in any split. */
void as_http1_feed(struct as_http1 *p, const uint8_t *data, size_t len);

/* The capture lost nbytes of the stream at this point. */
void as_http1_gap(struct as_http1 *p, uint64_t nbytes);

/* The stream ended (connection closed, process exited). A body read until
 * close ends AS_HTTP_END_COMPLETE; any other message in progress ends
 * AS_HTTP_END_TRUNCATED; a head in progress is reported through on_error.
 * Bytes fed afterwards are dropped. */
void as_http1_close(struct as_http1 *p);

/* For a parser of responses: the next request on the connection had this
 * method (queued, up to 64 outstanding). A response to HEAD has no body; a 2xx
 * response to CONNECT, like a 101, turns the rest of the stream into a tunnel
 * (dropped, not parsed). Responses with no queued method are taken as answers
 * to GET. */
void as_http1_expect_response(struct as_http1 *p, const char *method);

const struct as_http_counters *as_http1_counters(const struct as_http1 *p);

void as_http1_free(struct as_http1 *p);

#endif /* AGENTSIGHT_HTTP1_H */
