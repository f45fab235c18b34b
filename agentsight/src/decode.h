/* decode: one message body on its way to the sink.
 *
 * The HTTP/1.1 and HTTP/2 parsers hand it the body bytes of a message as they
 * arrive, already de-chunked or de-framed. It undoes the content coding (gzip
 * and deflate, with zlib), enforces the body limit and the compression-bomb
 * guard of as_http_limits, keeps the counts that end up in
 * as_http_body_stats, calls on_body with decoded pieces and finally on_end.
 *
 * Memory is bounded whatever the input: output goes through a fixed buffer
 * on the stack straight to the sink; zlib's state (about 40 KiB) exists only
 * while a compressed body is being decoded. Bodies whose coding is unknown
 * (br, zstd, several codings stacked) are delivered raw and marked
 * decode_failed. A body labelled gzip or deflate whose first bytes do not
 * decode (a mislabelled plain body) is delivered raw too. When decoding has
 * to stop later (corrupt data, a bomb, bytes lost in a gap), the rest of the
 * wire bytes are counted in dropped_bytes, not delivered.
 */
#ifndef AGENTSIGHT_DECODE_H
#define AGENTSIGHT_DECODE_H

#include "http.h"

enum as_body_coding {
	AS_BODY_IDENTITY = 0,
	AS_BODY_GZIP,	 /* gzip, x-gzip */
	AS_BODY_DEFLATE, /* deflate: zlib-wrapped, or raw as some servers send it */
	AS_BODY_UNKNOWN, /* br, zstd, compress, or more than one coding */
};

/* The coding of a body from its Content-Encoding value and the transfer
 * codings other than chunked (either may be NULL): "identity" entries are
 * ignored, one gzip or deflate is decoded, anything else is UNKNOWN. */
enum as_body_coding as_body_coding_parse(const char *content_encoding,
					 const char *transfer_codings);

/* How many wire bytes are kept to deliver a mislabelled body raw. */
#define AS_BODY_PROBE_BYTES 64u

struct as_body_decoder {
	const struct as_http_sink *sink;
	uint32_t stream_id;
	uint64_t max_body;
	uint64_t max_ratio;
	enum as_body_coding coding;
	int mode;	   /* private: what happens to the next wire bytes */
	void *zs;	   /* private: z_stream, while inflating */
	uint64_t z_wire;   /* private: wire bytes fed while compressed */
	uint64_t z_in;	   /* private: bytes zlib consumed */
	uint64_t produced; /* private: decoded bytes produced (delivered or dropped) */
	uint8_t probe[AS_BODY_PROBE_BYTES];
	size_t probe_len;
	struct as_http_body_stats stats;
};

/* Starts a body. sink and lim must outlive the decoder (lim is copied). */
void as_body_decoder_start(struct as_body_decoder *d, const struct as_http_sink *sink,
			   uint32_t stream_id, enum as_body_coding coding,
			   const struct as_http_limits *lim);

/* Body bytes as they arrived (after de-chunking, before decoding). */
void as_body_decoder_feed(struct as_body_decoder *d, const uint8_t *wire, size_t len);

/* The capture lost n wire bytes of this body. */
void as_body_decoder_gap(struct as_body_decoder *d, uint64_t n);

/* Bytes of framing (chunk-size lines, CRLFs) counted in stats.wire_bytes. */
void as_body_decoder_framing(struct as_body_decoder *d, uint64_t n);

/* Ends the body: releases zlib and calls on_end with the stats. A compressed
 * body that stops before its compressed stream ends is marked decode_failed. */
void as_body_decoder_finish(struct as_body_decoder *d, enum as_http_end how);

/* Releases the decoder without calling on_end (the parser is being freed). */
void as_body_decoder_release(struct as_body_decoder *d);

#endif /* AGENTSIGHT_DECODE_H */
