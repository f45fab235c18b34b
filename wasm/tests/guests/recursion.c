/* recursion: deep recursion: a non-tail recursive sum 10000 calls deep,
 * mutual recursion, and Ackermann(2, n) and (3, 5), which the call stack of
 * the runtime (not the C stack) has to hold. */
#include "guest.h"

static uint64_t __attribute__((noinline)) sum_to(uint32_t n)
{
	if (n == 0)
		return 0;
	return n + sum_to(n - 1) * 1; /* not a tail call */
}

static int __attribute__((noinline)) is_odd(uint32_t n);
static int __attribute__((noinline)) is_even(uint32_t n)
{
	return n == 0 ? 1 : is_odd(n - 1);
}
static int __attribute__((noinline)) is_odd(uint32_t n)
{
	return n == 0 ? 0 : is_even(n - 1);
}

static uint32_t ack(uint32_t m, uint32_t n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

static uint64_t fib(uint32_t n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv)
{
	uint32_t depth = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 10000;
	printf("sum_to(%u) = %llu\n", depth, (unsigned long long)sum_to(depth));
	printf("is_even(%u) = %d\n", depth, is_even(depth));
	printf("ack(2, 500) = %u\n", ack(2, 500));
	printf("ack(3, 5) = %u\n", ack(3, 5));
	printf("fib(27) = %llu\n", (unsigned long long)fib(27));
	return 0;
}
