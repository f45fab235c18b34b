/* detect_test: as_http_detect on the first bytes of real streams (the
 * HTTP/2 preface of RFC 9113 section 3.4, the server SETTINGS frame recorded
 * from nghttpd, HTTP/1.1 request and status lines) and on prefixes of them,
 * TLS records and other bytes that are not HTTP.
 */
#include "http.h"
#include "rec.h"
#include "testkit.h"

static enum as_http_kind detect(const char *s, size_t n)
{
	/* an exact copy, so that ASan sees any overread */
	uint8_t *b = malloc(n ? n : 1);
	memcpy(b, s, n);
	enum as_http_kind k = as_http_detect(b, n);
	free(b);
	return k;
}

#define CHECK_KIND(str, len, want)                                                         \
	do {                                                                               \
		enum as_http_kind k_ = detect(str, len);                                   \
		TK_CHECK(k_ == (want), "%s: got %s, want %s", #str, as_http_kind_name(k_), \
			 as_http_kind_name(want));                                         \
	} while (0)

int main(void)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	CHECK_KIND(preface, 24, AS_HTTP_KIND_H2_PREFACE);
	for (size_t n = 1; n < 24; n++)
		TK_CHECK(detect(preface, n) == AS_HTTP_KIND_NEED_MORE, "preface prefix %zu: %s", n,
			 as_http_kind_name(detect(preface, n)));

	static const char get[] = "GET /v1/models HTTP/1.1\r\nHost: api.openai.com\r\n\r\n";
	CHECK_KIND(get, sizeof(get) - 1, AS_HTTP_KIND_H1_REQUEST);
	CHECK_KIND(get, 4, AS_HTTP_KIND_H1_REQUEST); /* "GET " is enough */
	CHECK_KIND(get, 2, AS_HTTP_KIND_NEED_MORE);
	static const char custom[] = "PROPFIND /dav HTTP/1.1\r\n";
	CHECK_KIND(custom, sizeof(custom) - 1, AS_HTTP_KIND_H1_REQUEST);
	CHECK_KIND(custom, 12, AS_HTTP_KIND_NEED_MORE);
	static const char notreq[] = "HELLO world\r\n";
	CHECK_KIND(notreq, sizeof(notreq) - 1, AS_HTTP_KIND_UNKNOWN);

	static const char ok[] = "HTTP/1.1 200 OK\r\n";
	CHECK_KIND(ok, sizeof(ok) - 1, AS_HTTP_KIND_H1_RESPONSE);
	CHECK_KIND(ok, 8, AS_HTTP_KIND_NEED_MORE);
	static const char h2status[] = "HTTP/2 200\r\n";
	CHECK_KIND(h2status, sizeof(h2status) - 1, AS_HTTP_KIND_UNKNOWN);

	/* nghttpd's first frame (see data/h2_server.bin): SETTINGS, 6 bytes,
	 * SETTINGS_MAX_CONCURRENT_STREAMS = 100. */
	static const char settings[] =
		"\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64";
	CHECK_KIND(settings, sizeof(settings) - 1, AS_HTTP_KIND_H2_SETTINGS);
	CHECK_KIND(settings, 4, AS_HTTP_KIND_NEED_MORE);
	static const char data_frame[] = "\x00\x00\x06\x00\x00\x00\x00\x00\x01";
	CHECK_KIND(data_frame, 9, AS_HTTP_KIND_UNKNOWN);

	/* A TLS ClientHello, SSH, and nothing at all. */
	static const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
	CHECK_KIND(tls, sizeof(tls) - 1, AS_HTTP_KIND_UNKNOWN);
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	CHECK_KIND(ssh, sizeof(ssh) - 1, AS_HTTP_KIND_UNKNOWN);
	CHECK_KIND("", 0, AS_HTTP_KIND_NEED_MORE);
	TK_CHECK(as_http_detect(NULL, 5) == AS_HTTP_KIND_NEED_MORE, "NULL input");
	return tk_finish();
}
