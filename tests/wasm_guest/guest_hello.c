/* guest_hello: a small C program built both natively and for wasm32-wasi; the
 * wasm_guest tests check that the two print the same thing.
 *
 * It touches what a WASI guest leans on: argv, stdout, printf of integers and
 * of floating point (whose long double internals need compiler-rt's wasm32
 * builtins), the heap, qsort, and the exit status.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("arg[%d]=%s fnv1a=%08x\n", i, argv[i], (unsigned)fnv1a(argv[i]));

	enum {
		N = 1000
	};
	int *v = malloc(N * sizeof(*v));
	if (!v)
		return 2;
	uint32_t x = 12345;
	for (int i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		v[i] = (int)(x >> 8) % 10007;
	}
	qsort(v, N, sizeof(*v), compare_ints);
	printf("sorted: min=%d median=%d max=%d\n", v[0], v[N / 2], v[N - 1]);
	free(v);

	double sum = 0.0;
	for (int k = 1; k <= 100000; k++)
		sum += 1.0 / ((double)k * (double)k);
	printf("basel=%.12f %.3e %Lg\n", sum, sum * 1e-7, (long double)sum / 3.0L);
	return 3;
}
