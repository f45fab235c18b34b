/* tlsdec: TLS decryption for keys mode.
 *
 * In keys mode the kernel side sends two things instead of plaintext: the
 * bytes that pass a tracked process's TCP sockets (ciphertext, with the
 * handshake's clear-text hellos), and every secret OpenSSL derives for a
 * connection (the labels of the SSLKEYLOGFILE format: CLIENT_RANDOM for TLS
 * 1.2's master secret, CLIENT_/SERVER_HANDSHAKE_TRAFFIC_SECRET and
 * CLIENT_/SERVER_TRAFFIC_SECRET_0 for TLS 1.3). This module follows the TLS
 * record layer of each socket (process, fd), reads the hellos (randoms,
 * version, cipher suite), ties the socket to the secrets of one SSL object
 * of the same process by decrypting its first encrypted record with them,
 * derives the traffic keys (RFC 8446 section 7, RFC 5246 section 6.3) and
 * hands the application data on in clear.
 *
 * Ciphers: AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305, TLS 1.2 and 1.3;
 * other suites (CBC) are counted as undecryptable. Records that arrive
 * before their secrets wait, within bounds; a gap in the bytes (a record the
 * ring buffer dropped) stops a direction until the next handshake on that
 * socket. Memory is bounded by the limits below whatever the input.
 */
#ifndef AGENTSIGHT_TLSDEC_H
#define AGENTSIGHT_TLSDEC_H

#include <stddef.h>
#include <stdint.h>

#include "agentsight.h"

#define AS_TLSDEC_MAX_STREAMS 1024
#define AS_TLSDEC_MAX_KEYSETS 1024
#define AS_TLSDEC_MAX_PENDING ((size_t)512 * 1024) /* bytes waiting for keys, per direction */

struct as_tlsdec;

struct as_tlsdec_sink {
	/* Application data in clear, in order, for socket fd of origin->pid;
	 * dir is enum as_tls_dir. origin is the socket record it came in. */
	void (*plain)(void *ctx, const struct as_rec_hdr *origin, uint32_t fd, int dir,
		      const uint8_t *data, size_t len);
	/* A new TLS session starts on the socket: what came before is over. */
	void (*reset)(void *ctx, const struct as_rec_hdr *origin, uint32_t fd);
	void *ctx;
};

struct as_tlsdec_stats {
	uint64_t keys;		  /* secrets received */
	uint64_t records;	  /* encrypted records decrypted */
	uint64_t failures;	  /* records no key opened (tampered, or keys never came) */
	uint64_t undecryptable;	  /* sessions with an unsupported cipher or version */
	uint64_t gaps;		  /* directions stopped by missing bytes */
	uint64_t pending_dropped; /* bytes dropped waiting for keys over the bound */
	uint64_t plain_bytes;	  /* application data handed on */
};

struct as_tlsdec *as_tlsdec_new(const struct as_tlsdec_sink *sink);
void as_tlsdec_free(struct as_tlsdec *d);

/* A secret from ssl_log_secret: label, secret, the SSL object (k->conn). */
void as_tlsdec_key(struct as_tlsdec *d, const struct as_rec_tls_key *k);

/* Bytes through socket fd of h->pid, in order within each direction. */
void as_tlsdec_bytes(struct as_tlsdec *d, const struct as_rec_hdr *h, uint32_t fd, int dir,
		     const uint8_t *data, size_t len);

/* n bytes of that direction were lost. */
void as_tlsdec_gap(struct as_tlsdec *d, uint32_t pid, uint32_t fd, int dir);

/* The process is gone: forget its sockets and secrets. */
void as_tlsdec_forget(struct as_tlsdec *d, uint32_t pid);

void as_tlsdec_get_stats(const struct as_tlsdec *d, struct as_tlsdec_stats *st);

#endif /* AGENTSIGHT_TLSDEC_H */
