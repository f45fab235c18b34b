/* fuzz_hpack: libFuzzer target for the HPACK decoder and Huffman decoder.
 *
 * Input: one byte choosing the table size setting and the header list limit,
 * then header blocks decoded one after the other on the same decoder (as on a
 * connection), cut at points derived from the bytes. Decoding goes on after
 * errors: the decoder must stay safe even when out of step.
 */
#include "hpack.h"

#include <stdlib.h>
#include <string.h>

static bool on_field(void *ctx, const char *name, size_t nl, const char *value, size_t vl,
		     unsigned flags)
{
	(void)ctx;
	(void)flags;
	if (strlen(name) > nl || strlen(value) > vl || name[nl] != 0 || value[vl] != 0)
		abort();
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t opt = data[0];
	struct as_hpack *h = as_hpack_new((uint32_t)(opt & 0x0f) * 512u, (opt & 0x10) ? 300 : 0);
	if (!h)
		return 0;
	data++;
	size--;
	size_t at = 0;
	char err[128];
	for (int i = 0; at < size && i < 8; i++) {
		size_t n = ((size_t)data[at] * 7u + (size_t)i) % (size - at + 1);
		uint8_t *block = malloc(n ? n : 1);
		memcpy(block, data + at, n);
		as_hpack_decode(h, block, n, on_field, NULL, err, sizeof(err));
		if (opt & 0x20)
			as_hpack_set_max_table_size(h, (uint32_t)data[at] * 64u);
		free(block);
		at += n;
	}
	if (at < size)
		as_hpack_decode(h, data + at, size - at, on_field, NULL, err, sizeof(err));
	if (as_hpack_table_size(h) > as_hpack_table_max_size(h))
		abort();
	uint8_t *out = malloc(size / 5 * 8 + 16);
	as_hpack_huffman_decode(data, size, out);
	free(out);
	as_hpack_free(h);
	return 0;
}
