/* indirect.c: a vessel test guest with tables and indirect calls. A small
 * stack machine dispatches through a table of function pointers, and qsort
 * calls its comparator indirectly: a checkpoint often lands inside a
 * call_indirect, and the table must come back with the same functions.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef int64_t (*op_fn)(int64_t a, int64_t b);

static int64_t op_add(int64_t a, int64_t b)
{
	return a + b;
}
static int64_t op_sub(int64_t a, int64_t b)
{
	return a - b;
}
static int64_t op_mul(int64_t a, int64_t b)
{
	return (a * b) % 1000000007;
}
static int64_t op_xor(int64_t a, int64_t b)
{
	return a ^ b;
}

static op_fn ops[] = {op_add, op_sub, op_mul, op_xor};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_desc(const void *a, const void *b)
{
	return -cmp_u32(a, b);
}

int main(void)
{
	int64_t acc = 1;
	uint32_t seed = 7;
	for (int i = 0; i < 60000; i++) {
		seed = seed * 1664525u + 1013904223u;
		op_fn f = ops[(seed >> 16) & 3];
		acc = f(acc, (int64_t)(seed >> 8));
		if (i % 15000 == 0)
			printf("step %d acc %lld\n", i, (long long)acc);
	}
	printf("final acc %lld\n", (long long)acc);
	static uint32_t arr[4000];
	for (int i = 0; i < 4000; i++) {
		seed = seed * 1664525u + 1013904223u;
		arr[i] = seed;
	}
	int (*cmps[2])(const void *, const void *) = {cmp_u32, cmp_desc};
	for (int k = 0; k < 2; k++) {
		qsort(arr, 4000, sizeof(arr[0]), cmps[k]);
		printf("sorted %d: first %u last %u mid %u\n", k, arr[0], arr[3999], arr[2000]);
	}
	return 0;
}
