/* elfsym: finding TLS library functions inside ELF files.
 *
 * By symbol: a binary with OpenSSL linked in (Node.js ships this way) still
 * names SSL_read and SSL_write in its symbol tables; their file offsets are
 * where uprobes go.
 *
 * By signature, for stripped binaries: the bytes of each function in the
 * static library the binary was linked with (libssl.a) are taken as a
 * pattern, with every byte a relocation will rewrite (and the instruction
 * bytes the linker may relax around GOT references) left as wildcards. The
 * executable segments of the stripped binary are searched for each pattern;
 * a pattern that matches more than once is settled through a function of the
 * same object file that matched once, because the linker keeps an object's
 * functions at the same distances from each other. Signatures can be saved as
 * text and loaded again (see docs/agentsight.md for the format).
 */
#ifndef AGENTSIGHT_ELFSYM_H
#define AGENTSIGHT_ELFSYM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define AS_SIG_MAX_BYTES 96
#define AS_SIG_MIN_FIXED 24 /* fixed (non-wildcard) bytes a usable signature needs */
#define AS_SIG_MAX_FUNCS 16
#define AS_SIG_NAME_MAX	 64

struct as_sig {
	char name[AS_SIG_NAME_MAX];   /* function name, e.g. "SSL_write" */
	char member[AS_SIG_NAME_MAX]; /* object file it came from, e.g. "ssl_lib.o" */
	uint64_t member_offset;	      /* the function's offset in that object's .text */
	uint32_t len;		      /* pattern bytes */
	uint8_t bytes[AS_SIG_MAX_BYTES];
	uint8_t mask[AS_SIG_MAX_BYTES]; /* 0xff: must match; 0x00: wildcard */
};

struct as_sigset {
	size_t n;
	struct as_sig sigs[AS_SIG_MAX_FUNCS];
};

/* The OpenSSL functions AgentSight hooks, in a fixed order: SSL_write,
 * SSL_read, their _ex variants, SSL_do_handshake, SSL_free, then
 * ssl_log_secret (keys mode; internal, found by symbol or signature). */
#define AS_OPENSSL_KEYLOG 6
extern const char *const as_openssl_funcs[];
extern const size_t as_openssl_nfuncs;
/* The GnuTLS functions AgentSight hooks. */
extern const char *const as_gnutls_funcs[];
extern const size_t as_gnutls_nfuncs;

/* Finds each of names[i] as a defined function symbol (.symtab, then
 * .dynsym) of the ELF file in buf and stores its file offset in offsets[i],
 * or 0 when absent. Returns how many were found, or -1 with err set when buf
 * is not a usable ELF file. */
int as_elf_find_funcs_mem(const void *buf, size_t len, const char *const *names, size_t n,
			  uint64_t *offsets, char *err, size_t errlen);

/* The same for a file. */
int as_elf_find_funcs(const char *path, const char *const *names, size_t n, uint64_t *offsets,
		      char *err, size_t errlen);

/* Builds signatures for names from a static archive (libssl.a) or a
 * relocatable object. Functions not found or too short to sign are left out.
 * Returns the number of signatures, or -1 with err set. */
int as_sigset_from_archive_mem(struct as_sigset *set, const void *buf, size_t len,
			       const char *const *names, size_t n, char *err, size_t errlen);
int as_sigset_from_archive(struct as_sigset *set, const char *path, const char *const *names,
			   size_t n, char *err, size_t errlen);

/* Text form: one line per signature,
 *   sig NAME MEMBER OFFSET PATTERN
 * OFFSET in hex, PATTERN as hex bytes with ".." for each wildcard byte;
 * lines starting with '#' are comments. */
int as_sigset_write(const struct as_sigset *set, FILE *out);
int as_sigset_parse(struct as_sigset *set, const char *text, size_t len, char *err, size_t errlen);
int as_sigset_load(struct as_sigset *set, const char *path, char *err, size_t errlen);

/* Searches the executable segments of the ELF file in buf for each signature
 * and stores the file offset of each function found in offsets[i] (0 when not
 * found or ambiguous). Returns the number found, or -1 with err set. */
int as_sig_search_mem(const void *buf, size_t len, const struct as_sigset *set, uint64_t *offsets,
		      char *err, size_t errlen);
int as_sig_search(const char *path, const struct as_sigset *set, uint64_t *offsets, char *err,
		  size_t errlen);

#endif /* AGENTSIGHT_ELFSYM_H */
