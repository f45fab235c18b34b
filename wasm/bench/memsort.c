/* bench memsort (memory-bound): fills 64 MiB, copies it around with memcpy
 * and memmove, then sorts 4 million 32-bit keys with a hand-written radix
 * sort and a merge sort, checking the order and printing checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void merge_sort(uint32_t *v, uint32_t *tmp, size_t n)
{
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
			while (i < mid)
				tmp[k++] = v[i++];
			while (j < hi)
				tmp[k++] = v[j++];
		}
		memcpy(v, tmp, n * sizeof(*v));
	}
}

static void radix_sort(uint32_t *v, uint32_t *tmp, size_t n)
{
	for (int shift = 0; shift < 32; shift += 8) {
		size_t count[257] = {0};
		for (size_t i = 0; i < n; i++)
			count[((v[i] >> shift) & 0xff) + 1]++;
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			tmp[count[(v[i] >> shift) & 0xff]++] = v[i];
		memcpy(v, tmp, n * sizeof(*v));
	}
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 4000000;
	uint32_t *v = malloc(n * 4), *w = malloc(n * 4), *tmp = malloc(n * 4);
	if (!v || !w || !tmp) {
		free(v);
		free(w);
		free(tmp);
		return 1;
	}
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		v[i] = x;
	}
	uint64_t moved = 0;
	for (int rep = 0; rep < 8; rep++) {
		memcpy(w, v, n * 4);
		memmove(w + 1, w, (n - 1) * 4);
		moved += w[n / 2];
	}
	memcpy(w, v, n * 4);
	radix_sort(v, tmp, n);
	merge_sort(w, tmp, n);
	int ok = memcmp(v, w, n * 4) == 0;
	for (size_t i = 1; i < n; i++)
		ok &= v[i - 1] <= v[i];
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i += 1000)
		sum += v[i];
	printf("sorted=%d moved=%llu sample=%llu\n", ok, (unsigned long long)moved,
	       (unsigned long long)sum);
	free(v);
	free(w);
	free(tmp);
	return 0;
}
