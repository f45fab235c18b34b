/* hash_test.c: the image format's checksums against published values: the
 * CRC-32 "check" value of the IEEE polynomial (the CRC catalogue's
 * CRC-32/ISO-HDLC entry: "123456789" -> cbf43926) and the SHA-256 examples of
 * FIPS 180-2 appendix B ("abc", the 448-bit message, one million 'a'); and
 * the CRC of longer inputs, at every length and alignment around the 8-byte
 * blocks, against zlib's crc32 (an independent implementation).
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "hash.h"
#include "testkit.h"

static void hex(const uint8_t *d, char *out)
{
	for (size_t i = 0; i < VSL_SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check_sha(const char *msg, size_t reps, const char *want)
{
	vsl_sha256 s;
	uint8_t d[VSL_SHA256_LEN];
	char got[65];
	vsl_sha256_init(&s);
	for (size_t i = 0; i < reps; i++)
		vsl_sha256_update(&s, msg, strlen(msg));
	vsl_sha256_final(&s, d);
	hex(d, got);
	TK_CHECK(strcmp(got, want) == 0, "sha256(%.20s x%zu) = %s, want %s", msg, reps, got, want);
}

int main(void)
{
	TK_CHECK(vsl_crc32(0, "123456789", 9) == 0xcbf43926u, "crc32 check value %08x",
		 vsl_crc32(0, "123456789", 9));
	TK_CHECK(vsl_crc32(0, "", 0) == 0, "crc32 of nothing");
	/* incremental equals one-shot */
	TK_CHECK(vsl_crc32(vsl_crc32(0, "1234", 4), "56789", 5) == 0xcbf43926u,
		 "crc32 in two parts");
	static uint8_t buf[70000];
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len < 40; len++)
			TK_CHECK(vsl_crc32(0, buf + off, len) ==
					 (uint32_t)crc32(0, buf + off, (uInt)len),
				 "crc32 of %zu bytes at offset %zu agrees with zlib", len, off);
	TK_CHECK(vsl_crc32(0, buf, sizeof(buf)) == (uint32_t)crc32(0, buf, sizeof(buf)),
		 "crc32 of 70000 bytes agrees with zlib");
	TK_CHECK(vsl_crc32(vsl_crc32(0, buf, 12345), buf + 12345, sizeof(buf) - 12345) ==
			 (uint32_t)crc32(0, buf, sizeof(buf)),
		 "crc32 in two unaligned parts agrees with zlib");
	check_sha("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_sha("a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	check_sha("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	return tk_finish();
}
