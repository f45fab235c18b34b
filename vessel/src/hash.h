/* hash.h: the two checksums of the vessel image format (docs/vessel-format.md),
 * written here so that the image code builds for any ISA with nothing but a C
 * library: CRC-32 (the IEEE 802.3 / zlib polynomial, reflected) guards each
 * section against corruption, and SHA-256 (FIPS 180-4) names the module an
 * image belongs to. Both work byte by byte and give the same result on
 * little- and big-endian hosts.
 */
#ifndef ISTHMUS_VSL_HASH_H
#define ISTHMUS_VSL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 of len bytes, continuing from crc (pass 0 to start). */
uint32_t vsl_crc32(uint32_t crc, const void *data, size_t len);

#define VSL_SHA256_LEN 32

typedef struct vsl_sha256 {
	uint32_t h[8];
	uint64_t total; /* bytes hashed so far */
	uint8_t block[64];
	uint32_t used; /* bytes waiting in block */
} vsl_sha256;

void vsl_sha256_init(vsl_sha256 *s);
void vsl_sha256_update(vsl_sha256 *s, const void *data, size_t len);
void vsl_sha256_final(vsl_sha256 *s, uint8_t out[VSL_SHA256_LEN]);
/* The digest of one buffer. */
void vsl_sha256_buf(const void *data, size_t len, uint8_t out[VSL_SHA256_LEN]);

#endif /* ISTHMUS_VSL_HASH_H */
