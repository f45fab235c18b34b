/* memgrow.c: a vessel test guest, memory growth. It allocates blocks until
 * linear memory has grown by several MiB, fills them with a pattern, frees
 * and reallocates some, and prints checksums: a restore must bring back
 * every page (and the memory's size) exactly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBLOCKS 48

int main(void)
{
	unsigned char *blocks[NBLOCKS];
	size_t sizes[NBLOCKS];
	uint32_t seed = 12345;
	for (int i = 0; i < NBLOCKS; i++) {
		seed = seed * 1103515245u + 12345u;
		sizes[i] = 16384 + (seed >> 8) % 200000;
		blocks[i] = malloc(sizes[i]);
		if (!blocks[i]) {
			printf("malloc failed at %d\n", i);
			return 1;
		}
		for (size_t k = 0; k < sizes[i]; k++)
			blocks[i][k] = (unsigned char)(k * 7 + (size_t)i);
	}
	printf("allocated %d blocks\n", NBLOCKS);
	for (int i = 0; i < NBLOCKS; i += 3) {
		free(blocks[i]);
		sizes[i] *= 2;
		blocks[i] = calloc(1, sizes[i]);
		memset(blocks[i], i, sizes[i] / 2);
	}
	uint64_t sum = 0;
	for (int i = 0; i < NBLOCKS; i++) {
		for (size_t k = 0; k < sizes[i]; k += 61)
			sum = sum * 131 + blocks[i][k];
		printf("block %d: %zu bytes, running sum %016llx\n", i, sizes[i],
		       (unsigned long long)sum);
	}
	for (int i = 0; i < NBLOCKS; i++)
		free(blocks[i]);
	return 0;
}
