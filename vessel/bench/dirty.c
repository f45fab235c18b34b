/* dirty.c: the guest of the downtime benchmark (vessel_bench.sh). Fills
 * MIB MiB of memory with pseudo-random words, prints "filled", then keeps
 * rewriting a working set of 1 MiB (16 pages) for ITERATIONS rounds, as a
 * long-running service with a small hot set would, and prints a checksum.
 *
 * usage: dirty MIB ITERATIONS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t x = 88172645463325252ull;

static uint64_t next(void)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 1;
	long iters = argc > 2 ? atol(argv[2]) : 1000000;
	size_t n = (mib << 20) / 8, hot = n < 131072 ? n : 131072;
	uint64_t *a = malloc(n * 8);
	if (!a || !n)
		return 1;
	for (size_t i = 0; i < n; i++)
		a[i] = next();
	printf("filled %zu MiB\n", mib);
	fflush(stdout);
	uint64_t s = 0;
	for (long it = 0; it < iters; it++) {
		size_t j = (size_t)(next() % hot);
		a[j] += (uint64_t)it;
		s += a[j];
	}
	printf("done %llu\n", (unsigned long long)s);
	free(a);
	return 0;
}
