/* malloc: memory growth: large blocks (the guest's linear memory grows by
 * memory.grow under malloc), many small ones, realloc that moves data, and
 * free and reuse, with checksums of what was written. */
#include <string.h>

#include "guest.h"

int main(void)
{
	enum {
		BLOCKS = 12,
		BLOCK = 8 << 20
	};
	unsigned char *b[BLOCKS];
	uint32_t h = FNV_INIT;
	for (int i = 0; i < BLOCKS; i++) {
		b[i] = malloc(BLOCK);
		if (!b[i]) {
			printf("malloc %d failed\n", i);
			return 1;
		}
		for (size_t k = 0; k < BLOCK; k += 4096)
			b[i][k] = (unsigned char)(i + k / 4096);
	}
	for (int i = 0; i < BLOCKS; i++)
		for (size_t k = 0; k < BLOCK; k += 4096)
			h = fnv1a(&b[i][k], 1, h);
	printf("%d blocks of %d MiB: fnv=%08x\n", BLOCKS, BLOCK >> 20, (unsigned)h);
	for (int i = 0; i < BLOCKS; i += 2)
		free(b[i]);
	unsigned char *again = calloc(4, BLOCK);
	printf("calloc 32 MiB after frees: %s, zeroed: %s\n", again ? "ok" : "failed",
	       again && again[0] == 0 && again[4 * (size_t)BLOCK - 1] == 0 ? "yes" : "no");
	free(again);
	for (int i = 1; i < BLOCKS; i += 2)
		free(b[i]);

	char *s = malloc(16);
	snprintf(s, 16, "%s", "grow me");
	for (size_t n = 32; n <= (64u << 20); n *= 2) {
		char *g = realloc(s, n);
		if (!g) {
			printf("realloc %zu failed\n", n);
			return 1;
		}
		s = g;
		s[n - 1] = 'z';
	}
	printf("after realloc to 64 MiB: [%s] last=%c\n", s, s[(64u << 20) - 1]);
	free(s);

	void **small = malloc(100000 * sizeof(void *));
	uint32_t hs = FNV_INIT;
	for (int i = 0; i < 100000; i++) {
		small[i] = malloc((size_t)(i % 97) + 1);
		memset(small[i], i & 0xff, (size_t)(i % 97) + 1);
	}
	for (int i = 0; i < 100000; i++) {
		hs = fnv1a(small[i], (size_t)(i % 97) + 1, hs);
		free(small[i]);
	}
	free(small);
	printf("100000 small blocks: fnv=%08x\n", (unsigned)hs);
	return 0;
}
