/* decode: content decoding, body limits and body statistics for one message;
 * see decode.h for the contract.
 */
#include "decode.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#define ZLIB_CONST /* next_in is const: the input is never written */
#include <zlib.h>

enum mode {
	MODE_IDLE,    /* no body started, or finished */
	MODE_PASS,    /* identity, unknown coding, or a mislabelled body: deliver raw */
	MODE_PROBE,   /* compressed, zlib not started yet (deflate needs two bytes to choose) */
	MODE_INFLATE, /* compressed, zlib running */
	MODE_DONE,    /* the compressed stream ended; further bytes are dropped */
	MODE_STOPPED, /* decoding stopped (corrupt, bomb, gap); further bytes are dropped */
};

/* The bomb guard looks at the ratio only past this much output, so that small,
 * very compressible bodies (a run of spaces) are not mistaken for bombs. */
#define BOMB_MIN_OUTPUT ((uint64_t)64 * 1024)

/* zlib takes at most this much input per call (its counters are unsigned int). */
#define ZLIB_MAX_IN (1u << 30)

static bool coding_token_eq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Adds the codings of a comma-separated list; returns false if one is unknown. */
static bool add_codings(const char *list, enum as_body_coding *found, int *count)
{
	const char *p = list;
	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *s = p;
		while (*p && *p != ',' && *p != ';')
			p++;
		const char *e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		while (*p && *p != ',')
			p++; /* skip parameters */
		size_t n = (size_t)(e - s);
		if (n == 0 || coding_token_eq(s, n, "identity") || coding_token_eq(s, n, "chunked"))
			continue;
		(*count)++;
		if (coding_token_eq(s, n, "gzip") || coding_token_eq(s, n, "x-gzip"))
			*found = AS_BODY_GZIP;
		else if (coding_token_eq(s, n, "deflate"))
			*found = AS_BODY_DEFLATE;
		else
			return false;
	}
	return true;
}

enum as_body_coding as_body_coding_parse(const char *content_encoding, const char *transfer_codings)
{
	enum as_body_coding found = AS_BODY_IDENTITY;
	int count = 0;
	if (!add_codings(content_encoding, &found, &count) ||
	    !add_codings(transfer_codings, &found, &count))
		return AS_BODY_UNKNOWN;
	if (count > 1)
		return AS_BODY_UNKNOWN;
	return found;
}

void as_body_decoder_start(struct as_body_decoder *d, const struct as_http_sink *sink,
			   uint32_t stream_id, enum as_body_coding coding,
			   const struct as_http_limits *lim)
{
	struct as_http_limits l = as_http_limits_resolve(lim);
	memset(d, 0, sizeof(*d));
	d->sink = sink;
	d->stream_id = stream_id;
	d->max_body = l.max_body_bytes;
	d->max_ratio = l.max_inflate_ratio;
	d->coding = coding;
	switch (coding) {
	case AS_BODY_GZIP:
	case AS_BODY_DEFLATE:
		d->mode = MODE_PROBE;
		break;
	case AS_BODY_UNKNOWN:
		d->stats.decode_failed = true;
		d->mode = MODE_PASS;
		break;
	case AS_BODY_IDENTITY:
	default:
		d->mode = MODE_PASS;
		break;
	}
}

static void deliver(struct as_body_decoder *d, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	uint64_t room =
		d->stats.decoded_bytes < d->max_body ? d->max_body - d->stats.decoded_bytes : 0;
	size_t give = (uint64_t)n < room ? n : (size_t)room;
	if (give && d->sink && d->sink->on_body)
		d->sink->on_body(d->sink->ctx, d->stream_id, p, give);
	d->stats.decoded_bytes += give;
	d->stats.dropped_bytes += n - give;
}

static void end_zlib(struct as_body_decoder *d)
{
	if (d->zs) {
		inflateEnd(d->zs);
		free(d->zs);
		d->zs = NULL;
	}
}

static bool start_zlib(struct as_body_decoder *d)
{
	z_stream *zs = calloc(1, sizeof(*zs));
	if (!zs)
		return false;
	int bits = 15 + 16; /* gzip wrapper */
	if (d->coding == AS_BODY_DEFLATE) {
		/* RFC 9110 says zlib (RFC 1950); some servers send raw deflate
		 * (RFC 1951). A zlib header has method 8 and a check mod 31. */
		unsigned cmf = d->probe[0], flg = d->probe[1];
		bool zlib_hdr = (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
		bits = zlib_hdr ? 15 : -15;
	}
	if (inflateInit2(zs, bits) != Z_OK) {
		free(zs);
		return false;
	}
	d->zs = zs;
	return true;
}

/* Runs zlib over in[0..n). Returns false on a zlib error, with *left the
 * input bytes not consumed; stops by itself (true) at a bomb or the end. */
static bool inflate_some(struct as_body_decoder *d, const uint8_t *in, size_t n, size_t *left)
{
	uint8_t out[16384];
	z_stream *zs = d->zs;
	*left = 0;
	while (n > 0 && d->mode == MODE_INFLATE) {
		uInt take = n > ZLIB_MAX_IN ? ZLIB_MAX_IN : (uInt)n;
		zs->next_in = in;
		zs->avail_in = take;
		for (;;) {
			zs->next_out = out;
			zs->avail_out = sizeof(out);
			uInt before = zs->avail_in;
			int rc = inflate(zs, Z_NO_FLUSH);
			size_t got = sizeof(out) - zs->avail_out;
			d->z_in += before - zs->avail_in;
			d->produced += got;
			deliver(d, out, got);
			if (rc == Z_STREAM_END) {
				if (zs->avail_in > 0 && d->coding == AS_BODY_GZIP &&
				    zs->next_in[0] == 0x1f) {
					/* another gzip member follows */
					inflateReset(zs);
					continue;
				}
				d->mode = MODE_DONE;
				d->stats.dropped_bytes += zs->avail_in + (n - take);
				return true;
			}
			if (rc != Z_OK && rc != Z_BUF_ERROR) {
				*left = zs->avail_in + (n - take);
				return false;
			}
			if (d->produced > BOMB_MIN_OUTPUT &&
			    d->produced / (d->z_in ? d->z_in : 1) >= d->max_ratio) {
				/* A compression bomb: stop decoding; what is left is dropped. */
				d->stats.decode_failed = true;
				d->stats.dropped_bytes += zs->avail_in + (n - take);
				d->mode = MODE_STOPPED;
				end_zlib(d);
				return true;
			}
			if (zs->avail_out != 0 || rc == Z_BUF_ERROR)
				break; /* all input taken that can be */
		}
		in += take;
		n -= take;
	}
	return true;
}

void as_body_decoder_feed(struct as_body_decoder *d, const uint8_t *wire, size_t len)
{
	if (len == 0)
		return;
	d->stats.wire_bytes += len;
	switch (d->mode) {
	case MODE_PASS:
		deliver(d, wire, len);
		return;
	case MODE_DONE:
		if (d->zs && d->coding == AS_BODY_GZIP && wire[0] == 0x1f) {
			inflateReset(d->zs); /* another gzip member, in a later piece */
			d->mode = MODE_INFLATE;
			break;
		}
		d->stats.dropped_bytes += len;
		return;
	case MODE_STOPPED:
		d->stats.dropped_bytes += len;
		return;
	case MODE_PROBE:
	case MODE_INFLATE:
		break;
	case MODE_IDLE:
	default:
		return;
	}

	/* Keep the first bytes, to deliver them raw if they turn out not to be
	 * compressed at all. all_saved: every earlier byte of the body is kept. */
	size_t saved_before = d->probe_len;
	bool all_saved = d->produced == 0 && (uint64_t)saved_before == d->z_wire;
	size_t prev = d->mode == MODE_PROBE ? saved_before : 0; /* held, not inflated yet */
	d->z_wire += len;
	size_t k = sizeof(d->probe) - d->probe_len;
	if (k > len)
		k = len;
	memcpy(d->probe + d->probe_len, wire, k);
	d->probe_len += k;

	size_t left = 0;
	if (d->mode == MODE_PROBE) {
		if (d->coding == AS_BODY_DEFLATE && d->probe_len < 2)
			return; /* one byte: wait for the second */
		if (!start_zlib(d)) {
			left = len;
			goto failed;
		}
		d->mode = MODE_INFLATE;
		if (prev && !inflate_some(d, d->probe, prev, &left)) {
			left += len;
			goto failed;
		}
	}
	if (d->mode == MODE_INFLATE && !inflate_some(d, wire, len, &left))
		goto failed;
	return;

failed:
	end_zlib(d);
	d->stats.decode_failed = true;
	if (d->produced == 0 && all_saved) {
		/* Nothing decoded and every byte so far is at hand: not compressed
		 * after all. Deliver it raw, and the rest as it comes. */
		d->mode = MODE_PASS;
		deliver(d, d->probe, saved_before);
		deliver(d, wire, len);
		return;
	}
	d->mode = MODE_STOPPED;
	d->stats.dropped_bytes += left;
}

void as_body_decoder_gap(struct as_body_decoder *d, uint64_t n)
{
	d->stats.lost_bytes += n;
	if (d->mode == MODE_PROBE || d->mode == MODE_INFLATE) {
		/* A compressed stream cannot go on over a hole. */
		end_zlib(d);
		d->stats.decode_failed = true;
		d->mode = MODE_STOPPED;
	}
}

void as_body_decoder_framing(struct as_body_decoder *d, uint64_t n)
{
	d->stats.wire_bytes += n;
}

void as_body_decoder_finish(struct as_body_decoder *d, enum as_http_end how)
{
	if ((d->mode == MODE_INFLATE || (d->mode == MODE_PROBE && d->probe_len > 0)))
		d->stats.decode_failed = true; /* the compressed stream did not end */
	end_zlib(d);
	d->mode = MODE_IDLE;
	if (d->sink && d->sink->on_end)
		d->sink->on_end(d->sink->ctx, d->stream_id, how, &d->stats);
}

void as_body_decoder_release(struct as_body_decoder *d)
{
	end_zlib(d);
	d->mode = MODE_IDLE;
}
