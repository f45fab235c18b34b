/* sieve: the sieve of Eratosthenes to 5,000,000: integer and byte-array
 * work, printing the count of primes and the last few. */
#include <string.h>

#include "guest.h"

int main(void)
{
	enum {
		N = 5000000
	};
	unsigned char *composite = calloc(N + 1, 1);
	if (!composite)
		return 1;
	for (uint32_t i = 2; (uint64_t)i * i <= N; i++)
		if (!composite[i])
			for (uint32_t j = i * i; j <= N; j += i)
				composite[j] = 1;
	uint32_t count = 0, last[5] = {0};
	for (uint32_t i = 2; i <= N; i++)
		if (!composite[i]) {
			last[count % 5] = i;
			count++;
		}
	printf("primes <= %d: %u\n", N, count);
	for (uint32_t k = 0; k < 5; k++)
		printf("%u%s", last[(count + k) % 5], k < 4 ? " " : "\n");
	free(composite);
	return 0;
}
