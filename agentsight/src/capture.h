/* capture: loads AgentSight's eBPF programs, attaches them, and delivers the
 * kernel's records.
 *
 * The process and syscall tracepoints attach at open. TLS probes attach per
 * library file: a shared libssl or libgnutls (every process that maps it is
 * covered, the kernel-side filter picks the watched ones), a binary with
 * OpenSSL linked in and found by symbol (Node.js), or a stripped binary whose
 * OpenSSL functions were found by byte signature (see elfsym.h). Each file is
 * attached once; as_capture_discover() looks at a process's mappings and
 * executable and attaches whatever TLS code it finds there.
 */
#ifndef AGENTSIGHT_CAPTURE_H
#define AGENTSIGHT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "agentsight.h"

struct as_capture;
struct as_sigset;

/* Called for each record, in ring-buffer order. rec points into the ring
 * buffer and is valid only during the call. */
typedef void (*as_record_fn)(void *ctx, const struct as_rec_hdr *rec, size_t size);

/* A log sink for what the capture does (attachments, discoveries). */
typedef void (*as_log_fn)(void *ctx, const char *msg);

struct as_capture_opts {
	bool filter_tracked;	/* only tracked processes and descendants (else all) */
	const char *track_comm; /* also start tracking processes that exec this comm */
	bool trace_files;
	bool trace_net;
	bool trace_tls;
	bool keep_system_opens; /* keep read-only opens of /usr, /lib*, /proc, ... */
	/* Keys mode: OpenSSL's traffic is taken as ciphertext at the TCP socket
	 * syscalls and decrypted in user space with the secrets its
	 * ssl_log_secret sees (one probe per handshake secret instead of two per
	 * request); GnuTLS, and OpenSSL builds where ssl_log_secret cannot be
	 * found, keep the plaintext probes. */
	bool tls_keys;
	uint32_t ringbuf_bytes; /* 0: the default, 16 MiB; a power of two */
	as_record_fn on_record;
	as_log_fn on_log;
	void *ctx;
};

/* Loads and attaches the programs. Needs root; returns -errno and a message. */
int as_capture_open(struct as_capture **out, const struct as_capture_opts *opts, char *err,
		    size_t errlen);

/* Adds a process (thread group) to the tracked set; its future children join
 * automatically. */
int as_capture_track_pid(struct as_capture *cap, pid_t pid);

/* Attaches TLS probes to a library or binary file. lib says how its functions
 * are found: AS_TLS_LIB_OPENSSL/GNUTLS/STATIC_OPENSSL by symbol name,
 * AS_TLS_LIB_SIGNATURE through `sigs` (may be NULL for the others). Returns
 * the number of functions attached (0 when the file has none: not an error),
 * or -errno. A file already attached, or already searched in vain the same
 * way (same device, inode and mtime), returns 0 at once. */
int as_capture_attach_tls(struct as_capture *cap, const char *path, enum as_tls_lib lib,
			  const struct as_sigset *sigs, char *err, size_t errlen);

/* Signatures for finding ssl_log_secret in a libssl that does not export
 * it (keys mode); the set must outlive the capture. NULL: none. */
void as_capture_set_sigs(struct as_capture *cap, const struct as_sigset *sigs);

/* Looks at a process's executable and mapped libraries and attaches TLS
 * probes to any libssl, libgnutls or statically linked OpenSSL found there
 * (by symbol, then by signature when sigs is given). Returns the number of
 * files newly attached or -errno. */
int as_capture_discover(struct as_capture *cap, pid_t pid, const struct as_sigset *sigs, char *err,
			size_t errlen);

/* Attaches to the system's shared libssl and libgnutls, wherever the dynamic
 * linker would find them. Returns the number of files attached. */
int as_capture_attach_system_tls(struct as_capture *cap, char *err, size_t errlen);

/* Waits up to timeout_ms for a batch of records (the kernel wakes the reader
 * only when enough wait), then delivers whatever is there; returns the number
 * delivered or -errno (-EINTR when interrupted by a signal). */
int as_capture_poll(struct as_capture *cap, int timeout_ms);

struct as_capture_stats {
	uint64_t ringbuf_drops;
	uint64_t tls_bytes_lost;
	uint64_t read_faults;
	uint64_t tracked_full;
	uint64_t opens_filtered; /* read-only opens of system files left out */
	uint64_t records;
	uint64_t tls_files_attached;
};

void as_capture_get_stats(struct as_capture *cap, struct as_capture_stats *st);

/* Detaches everything and frees the capture. */
void as_capture_close(struct as_capture *cap);

#endif /* AGENTSIGHT_CAPTURE_H */
