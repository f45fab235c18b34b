/* hashing: 64-bit integer work: CRC-32 (table-driven), a 64-bit
 * xorshift generator, rotations, 64x64 multiplication high parts through
 * __int128-free code, and population counts. The CRC-32 of "123456789" is
 * the standard check value 0xcbf43926. */
#include <string.h>

#include "guest.h"

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t mulhi(uint64_t a, uint64_t b)
{
	uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
	uint64_t t = ah * bl + ((al * bl) >> 32);
	uint64_t w1 = (t & 0xffffffffu) + al * bh;
	return ah * bh + (t >> 32) + (w1 >> 32);
}

int main(void)
{
	crc_init();
	printf("crc32(\"123456789\") = %08x\n",
	       (unsigned)crc32((const unsigned char *)"123456789", 9));
	static unsigned char buf[1 << 20];
	uint64_t s = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < sizeof(buf); i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		buf[i] = (unsigned char)(s >> 56);
	}
	printf("crc32(1 MiB xorshift) = %08x\n", (unsigned)crc32(buf, sizeof(buf)));
	uint64_t acc = 0, pop = 0;
	for (uint64_t i = 1; i <= 1000000; i++) {
		acc ^= rotl(i * 0x9e3779b97f4a7c15ull, (int)(i % 63) + 1);
		acc += mulhi(acc | 1, i * 0xd6e8feb86659fd93ull);
		pop += (uint64_t)__builtin_popcountll(acc);
	}
	printf("acc=%016llx pop=%llu\n", (unsigned long long)acc, (unsigned long long)pop);
	int64_t neg = -7;
	printf("shifts: %lld %llu %lld\n", (long long)(neg >> 1),
	       (unsigned long long)((uint64_t)neg >> 60), (long long)(neg / 2));
	printf("clz(1)=%d ctz(8)=%d\n", __builtin_clzll(1), __builtin_ctzll(8));
	return 0;
}
