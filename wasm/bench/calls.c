/* bench calls (call-heavy): recursive Fibonacci, Ackermann and a chain of
 * small functions called through a table of function pointers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t fib(uint32_t n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint32_t ack(uint32_t m, uint32_t n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

static uint32_t f_add(uint32_t x)
{
	return x + 7;
}
static uint32_t f_mul(uint32_t x)
{
	return x * 3;
}
static uint32_t f_xor(uint32_t x)
{
	return x ^ 0x5a5a;
}
static uint32_t f_rot(uint32_t x)
{
	return (x << 5) | (x >> 27);
}
static uint32_t (*const table[4])(uint32_t) = {f_add, f_mul, f_xor, f_rot};

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 38;
	printf("fib(%u) = %u\n", n, fib(n));
	printf("ack(2, 2000) = %u ack(3, 7) = %u\n", ack(2, 2000), ack(3, 7));
	volatile uint32_t sel = 0;
	uint32_t x = 1;
	for (uint32_t i = 0; i < 100000000; i++)
		x = table[(i + sel) & 3](x);
	printf("chain = %u\n", x);
	return 0;
}
