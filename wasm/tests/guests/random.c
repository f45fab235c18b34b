/* random: properties of random bytes (WASI random_get behind getentropy):
 * two draws differ, bits are about half ones, every byte value turns up in
 * 64 KiB, and a large buffer fills completely. Never prints the bytes. */
#include <string.h>
#include <sys/random.h>

#include "guest.h"

int main(void)
{
	static unsigned char a[256], b[256];
	printf("getentropy: %d %d\n", getentropy(a, sizeof(a)), getentropy(b, sizeof(b)));
	printf("two draws differ: %s\n", memcmp(a, b, sizeof(a)) ? "yes" : "no");
	static unsigned char c[512];
	printf("getentropy over 256 bytes fails: %s\n", getentropy(c, 257) != 0 ? "yes" : "no");
	static unsigned char big[65536];
	int seen[256] = {0};
	long ones = 0;
	for (size_t off = 0; off < sizeof(big); off += 256)
		if (getentropy(big + off, 256) != 0)
			return 1;
	for (size_t i = 0; i < sizeof(big); i++) {
		seen[big[i]]++;
		ones += __builtin_popcount(big[i]);
	}
	int missing = 0;
	for (int v = 0; v < 256; v++)
		missing += seen[v] == 0;
	double frac = (double)ones / (8.0 * sizeof(big));
	printf("byte values missing: %d\n", missing);
	printf("fraction of one bits in [0.49, 0.51]: %s\n",
	       frac > 0.49 && frac < 0.51 ? "yes" : "no");
	return 0;
}
