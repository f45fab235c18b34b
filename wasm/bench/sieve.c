/* bench sieve (integer): a sieve of Eratosthenes to 30,000,000, five times;
 * prints the prime count so that native and Wasm runs can be compared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 30000000;
	unsigned char *c = malloc(n + 1);
	if (!c)
		return 1;
	unsigned count = 0;
	for (int rep = 0; rep < 5; rep++) {
		memset(c, 0, n + 1);
		for (unsigned i = 2; (unsigned long long)i * i <= n; i++)
			if (!c[i])
				for (unsigned j = i * i; j <= n; j += i)
					c[j] = 1;
		count = 0;
		for (unsigned i = 2; i <= n; i++)
			count += !c[i];
	}
	printf("primes <= %u: %u\n", n, count);
	free(c);
	return 0;
}
