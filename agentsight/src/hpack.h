/* hpack: an HPACK decoder (RFC 7541) for the HTTP/2 parser.
 *
 * One decoder per direction of an HTTP/2 connection: it holds the dynamic
 * table that the peer's encoder fills, so every header block sent in that
 * direction must go through it, in order, even the blocks whose headers are
 * not wanted (PUSH_PROMISE), or later blocks decode wrong.
 *
 * Decoding covers the static table (Appendix A), the dynamic table with
 * eviction and size updates (bounded by the SETTINGS_HEADER_TABLE_SIZE the
 * receiving side advertised, itself capped at AS_HPACK_TABLE_CAP), integer and
 * string literals, Huffman coding (Appendix B), and never-indexed literals.
 * Hostile input cannot overflow an integer (values above 2^32 - 1 are
 * refused), index outside the tables, or grow memory past the table cap and
 * a scratch buffer of at most 8/5 of the block.
 */
#ifndef AGENTSIGHT_HPACK_H
#define AGENTSIGHT_HPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most dynamic table memory a decoder allows, whatever the peer
 * advertises (browsers advertise 64 KiB at most). */
#define AS_HPACK_TABLE_CAP	    (256u * 1024u)
#define AS_HPACK_DEFAULT_TABLE_SIZE 4096u

enum as_hpack_status {
	AS_HPACK_OK = 0,
	/* The header list went over max_header_list: fields past the limit were
	 * not emitted, but the block was decoded to its end and the dynamic table
	 * is in step with the encoder. */
	AS_HPACK_LIST_TOO_LARGE = 1,
	/* Errors: the block is not valid HPACK. The dynamic table may no longer
	 * match the encoder's, so no later block can be trusted. */
	AS_HPACK_ERR_TRUNCATED = -1,  /* the block ends inside a representation */
	AS_HPACK_ERR_INTEGER = -2,    /* an integer over 2^32 - 1 */
	AS_HPACK_ERR_INDEX = -3,      /* index 0 or past the tables */
	AS_HPACK_ERR_HUFFMAN = -4,    /* bad Huffman code: EOS, padding over 7 bits or not 1s */
	AS_HPACK_ERR_TABLE_SIZE = -5, /* size update above the limit, or after a field */
	AS_HPACK_ERR_NO_MEMORY = -6,
};

/* Flags of an emitted field. */
#define AS_HPACK_NEVER_INDEXED 1u /* literal never indexed (a sensitive value) */

/* One decoded field; name and value are NUL-terminated and valid only during
 * the call. Return false to stop emitting (decoding still runs to the end). */
typedef bool (*as_hpack_field_cb)(void *ctx, const char *name, size_t name_len, const char *value,
				  size_t value_len, unsigned flags);

struct as_hpack;

/* max_table_size: the SETTINGS_HEADER_TABLE_SIZE in force (4096 unless the
 * receiver said otherwise); max_header_list: the most bytes of header list
 * (name + value + 32 per field, as in RFC 9113) emitted per block, 0 for no
 * limit. NULL when out of memory. */
struct as_hpack *as_hpack_new(uint32_t max_table_size, size_t max_header_list);
void as_hpack_free(struct as_hpack *h);

/* The receiver advertised a new SETTINGS_HEADER_TABLE_SIZE. A smaller value
 * shrinks the table at once (the encoder must follow with a size update). */
void as_hpack_set_max_table_size(struct as_hpack *h, uint32_t max_table_size);

/* Decodes one complete header block (HEADERS or PUSH_PROMISE plus its
 * CONTINUATIONs), calling cb for each field in order. err (may be NULL)
 * receives a message naming the problem. */
enum as_hpack_status as_hpack_decode(struct as_hpack *h, const uint8_t *block, size_t len,
				     as_hpack_field_cb cb, void *ctx, char *err, size_t errlen);

/* The dynamic table, for tests and diagnostics: entries (newest is 0) and
 * its size as RFC 7541 section 4.1 counts it. */
size_t as_hpack_table_len(const struct as_hpack *h);
size_t as_hpack_table_size(const struct as_hpack *h);
uint32_t as_hpack_table_max_size(const struct as_hpack *h);
bool as_hpack_table_entry(const struct as_hpack *h, size_t i, const char **name,
			  const char **value);

/* Integer representation of RFC 7541 section 5.1 with a prefix of
 * prefix_bits (1..8). Returns bytes used, 0 if truncated, -1 if over
 * UINT32_MAX. */
int as_hpack_decode_int(const uint8_t *p, size_t len, unsigned prefix_bits, uint32_t *value);

/* Huffman decoding (RFC 7541 section 5.2, Appendix B) of in[0..len) into
 * out, which must hold len * 8 / 5 + 1 bytes. Returns the length or -1. */
long as_hpack_huffman_decode(const uint8_t *in, size_t len, uint8_t *out);

/* The Huffman code of Appendix B: code (right-aligned) and length in bits,
 * for symbols 0..255 and EOS (256). */
struct as_hpack_huffman_code {
	uint32_t code;
	uint8_t bits;
};
extern const struct as_hpack_huffman_code as_hpack_huffman_codes[257];

#endif /* AGENTSIGHT_HPACK_H */
