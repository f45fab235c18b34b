/* recursion.c: a vessel test guest, deep recursion. Thousands of Wasm
 * frames with i32, i64 and f64 locals are live at once, so a checkpoint
 * captures a deep call stack and a restore must rebuild every frame.
 */
#include <stdint.h>
#include <stdio.h>

__attribute__((noinline)) static int64_t deep(int n, int64_t acc, double w)
{
	if (n == 0)
		return acc + (int64_t)w;
	int64_t here = acc * 31 + n;
	double nw = w * 0.5 + n;
	int64_t r = deep(n - 1, here % 1000000007, nw);
	return r ^ (here & 0xff);
}

__attribute__((noinline)) static int is_even(unsigned n);
__attribute__((noinline)) static int is_odd(unsigned n)
{
	return n == 0 ? 0 : is_even(n - 1);
}
__attribute__((noinline)) static int is_even(unsigned n)
{
	return n == 0 ? 1 : is_odd(n - 1);
}

static unsigned ackermann(unsigned m, unsigned n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ackermann(m - 1, 1);
	return ackermann(m - 1, ackermann(m, n - 1));
}

int main(void)
{
	for (int d = 1000; d <= 4000; d += 1000)
		printf("deep(%d) = %lld\n", d, (long long)deep(d, 1, 1.0));
	printf("is_even(3001) = %d\n", is_even(3001));
	printf("ackermann(2, 300) = %u\n", ackermann(2, 300));
	printf("ackermann(3, 5) = %u\n", ackermann(3, 5));
	return 0;
}
