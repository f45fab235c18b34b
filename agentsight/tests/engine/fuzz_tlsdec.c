/* fuzz_tlsdec: keys mode's TLS decryption (src/tlsdec.c) on arbitrary socket
 * bytes and secrets. The input is a list of operations:
 *   0 L S...   a secret: label number L (one past the known labels is
 *              unknown), then up to 64 secret bytes, S[0] giving the count
 *   1 N N D... N (16 bits) bytes written on socket 7, then read (op 2)
 *   3 X        bytes lost on direction X & 1
 *   4          the process exits
 * tests/engine/corpus/fuzz_as_tlsdec holds real TLS 1.2 and 1.3 sessions
 * made by the openssl command, written by tlsdec_test --seeds.
 */
#include <stdint.h>
#include <string.h>

#include "tlsdec.h"

static const char *const labels[] = {
	"CLIENT_RANDOM",
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	"SERVER_HANDSHAKE_TRAFFIC_SECRET",
	"CLIENT_TRAFFIC_SECRET_0",
	"SERVER_TRAFFIC_SECRET_0",
	"EXPORTER_SECRET",
	"NOT_A_LABEL",
};

static void ignore_plain(void *ctx, const struct as_rec_hdr *origin, uint32_t fd, int dir,
			 const uint8_t *data, size_t len)
{
	(void)ctx, (void)origin, (void)fd, (void)dir, (void)data, (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct as_tlsdec_sink sink = {.plain = ignore_plain};
	struct as_tlsdec *d = as_tlsdec_new(&sink);
	if (!d)
		return 0;
	struct as_rec_hdr h = {.type = AS_REC_SOCK_DATA, .pid = 9, .tid = 9};
	size_t p = 0;
	while (p < size) {
		uint8_t op = data[p++];
		if (op == 0 && p + 2 <= size) {
			struct as_rec_tls_key k = {.h = h};
			const char *l = labels[data[p++] % (sizeof(labels) / sizeof(labels[0]))];
			memcpy(k.label, l, strlen(l));
			size_t n = data[p++] % (AS_KEY_SECRET_MAX + 1);
			if (n > size - p)
				n = size - p;
			memcpy(k.secret, data + p, n);
			k.secret_len = (uint32_t)n;
			k.conn = 1;
			p += n;
			as_tlsdec_key(d, &k);
		} else if ((op == 1 || op == 2) && p + 2 <= size) {
			size_t n = (size_t)data[p] << 8 | data[p + 1];
			p += 2;
			if (n > size - p)
				n = size - p;
			as_tlsdec_bytes(d, &h, 7, op == 1 ? 0 : 1, data + p, n);
			p += n;
		} else if (op == 3 && p < size) {
			as_tlsdec_gap(d, 9, 7, data[p++] & 1);
		} else if (op == 4) {
			as_tlsdec_forget(d, 9);
		}
	}
	as_tlsdec_free(d);
	return 0;
}
