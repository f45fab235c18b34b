/* fuzz_h1: feeds h1client's response reader arbitrary bytes as what a server
 * sent, a few bytes per read (the piece size comes from the first byte), and
 * reads responses until one fails or the connection would close, as a
 * kept-alive client does. Seeds in corpus/h1. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "h1client.h"

struct feed {
	const uint8_t *p;
	size_t left, piece;
};

static ssize_t feed_recv(void *ctx, void *buf, size_t len)
{
	struct feed *f = ctx;
	size_t n = f->left < f->piece ? f->left : f->piece;
	if (n > len)
		n = len;
	memcpy(buf, f->p, n);
	f->p += n;
	f->left -= n;
	return (ssize_t)n;
}

static ssize_t feed_send(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	return (ssize_t)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	struct feed f = {data + 1, size - 1, (size_t)(data[0] % 16) + 1};
	struct as_env_h1_io io = {&f, feed_send, feed_recv};
	char err[256];
	for (int i = 0; i < 8; i++) {
		struct as_env_h1_response resp;
		int rc = as_env_h1_recv(&io, data[0] & 0x80, &resp, NULL, err, sizeof(err));
		bool again = !rc && resp.keep_alive && f.left;
		as_env_h1_response_free(&resp);
		if (!again)
			break;
	}
	return 0;
}
