/* agentsight.h: the records that agentsight.bpf.c sends to user space.
 *
 * Every record starts with struct as_rec_hdr (type, size, timestamp, process)
 * and has a payload whose variable tail (TLS bytes, argv, paths) is sent only
 * as long as it is: `size` covers exactly what was written to the ring buffer.
 * Fixed-width types only; both the BPF and the user side include this file.
 */
#ifndef AGENTSIGHT_BPF_H
#define AGENTSIGHT_BPF_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* TLS bytes per ring-buffer record; larger reads and writes are chunked. */
#define AS_TLS_CHUNK	  16384
/* Chunks per call: bytes beyond AS_TLS_CHUNK * AS_TLS_MAX_CHUNKS are counted as lost. */
#define AS_TLS_MAX_CHUNKS 64
#define AS_COMM_LEN	  16
#define AS_ARGV_MAX	  4096
#define AS_PATH_MAX	  1024
#define AS_FILENAME_MAX	  256

enum as_rec_type {
	AS_REC_TLS_DATA = 1,
	AS_REC_TLS_HANDSHAKE = 2,
	AS_REC_TLS_CLOSE = 3,
	AS_REC_FORK = 4,
	AS_REC_EXEC = 5,
	AS_REC_EXIT = 6,
	AS_REC_FILE_OPEN = 7,
	AS_REC_FILE_WRITE = 8,
	AS_REC_FILE_UNLINK = 9,
	AS_REC_FILE_RENAME = 10,
	AS_REC_NET_CONNECT = 11,
	AS_REC_NET_ACCEPT = 12,
	AS_REC_NET_BIND = 13,
	AS_REC_TLS_KEY = 14,   /* keys mode: a secret the TLS library derived */
	AS_REC_SOCK_DATA = 15, /* keys mode: bytes through a TCP socket (struct as_rec_tls) */
};

struct as_rec_hdr {
	__u32 type;
	__u32 size;  /* bytes of the whole record, this header included */
	__u64 ts_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 pid;   /* thread group id */
	__u32 tid;
	char comm[AS_COMM_LEN]; /* the process's (group leader's) comm */
};

/* Which TLS library a probe sits in; the attach cookie of every TLS probe. */
enum as_tls_lib {
	AS_TLS_LIB_OPENSSL = 1,	       /* libssl.so */
	AS_TLS_LIB_GNUTLS = 2,	       /* libgnutls.so */
	AS_TLS_LIB_STATIC_OPENSSL = 3, /* OpenSSL linked into a binary, found by symbol */
	AS_TLS_LIB_SIGNATURE = 4,      /* OpenSSL in a stripped binary, found by byte signature */
	AS_TLS_LIB_SOCKET = 5,	       /* keys mode: ciphertext at a socket, conn is the fd */
};

/* The rest of the attach cookie (src/probesite.h): when a probe sits past a
 * function's entry, where register moves put its arguments elsewhere, bit 32
 * is set and each argument's x86 register number takes 4 bits from bit 8. */
#define AS_COOKIE_LIB_MASK  0xffULL
#define AS_COOKIE_ARG_SHIFT 8
#define AS_COOKIE_REMAP	    (1ULL << 32)

enum as_tls_dir {
	AS_TLS_DIR_WRITE = 0, /* the process sent these bytes (a client's request) */
	AS_TLS_DIR_READ = 1,  /* the process received them (a client's response) */
};

enum as_tls_flags {
	AS_TLS_LAST_CHUNK = 1, /* the call's last record */
	AS_TLS_READ_FAULT = 2, /* copying the user buffer failed: data[] is zero-filled */
};

struct as_rec_tls {
	struct as_rec_hdr h;
	__u64 conn;	 /* SSL* or gnutls_session_t: one connection within the process */
	__u64 call_id;	 /* same for every chunk of one read or write */
	__u32 total_len; /* bytes the call moved */
	__u32 offset;	 /* of this chunk within the call */
	__u32 len;	 /* bytes in data[] */
	__u32 lost;	 /* bytes of the call not captured (over the chunk limit) */
	__u8 dir;	 /* enum as_tls_dir */
	__u8 lib;	 /* enum as_tls_lib */
	__u8 flags;	 /* enum as_tls_flags */
	__u8 pad[5];
	__u8 data[AS_TLS_CHUNK];
};

struct as_rec_tls_event {
	struct as_rec_hdr h;
	__u64 conn;
	__s32 ret; /* handshake: the function's return value; close: 0 */
	__u8 lib;
	__u8 pad[3];
};

/* Keys mode: OpenSSL's ssl_log_secret(ssl, label, secret, len), the function
 * behind SSLKEYLOGFILE, called for every secret of a handshake whether or not
 * a key log is configured. User space decrypts the socket bytes with it. */
#define AS_KEY_LABEL_MAX  48
#define AS_KEY_SECRET_MAX 64
struct as_rec_tls_key {
	struct as_rec_hdr h;
	__u64 conn; /* SSL*: the secrets of one connection share it */
	__u32 secret_len;
	__u32 pad;
	char label[AS_KEY_LABEL_MAX]; /* e.g. CLIENT_TRAFFIC_SECRET_0, CLIENT_RANDOM */
	__u8 secret[AS_KEY_SECRET_MAX];
};

struct as_rec_fork {
	struct as_rec_hdr h;
	__u32 parent_pid;
	__u32 child_pid;
};

struct as_rec_exec {
	struct as_rec_hdr h;
	__u32 ppid;
	__u32 old_pid;
	__u32 uid;
	__u32 argv_len; /* bytes in argv[]: NUL-separated arguments */
	__u8 argv_truncated;
	__u8 pad[3];
	__u32 filename_len; /* including the NUL */
	char filename[AS_FILENAME_MAX];
	char argv[AS_ARGV_MAX];
};

struct as_rec_exit {
	struct as_rec_hdr h;
	__u32 ppid;
	__s32 exit_code; /* the status's exit code, 0..255 */
	__u32 signal;	 /* the terminating signal, 0 for a normal exit */
	__u32 pad;
	__u64 duration_ns; /* since the process started */
};

/* Open, write, unlink, rename. Paths are absolute when the kernel could
 * resolve them (path_abs set), else as the process passed them. */
struct as_rec_file {
	struct as_rec_hdr h;
	__s64 ret;	/* syscall result: fd, bytes written, or -errno */
	__u64 bytes;	/* write: bytes requested */
	__u32 fd;	/* write: the file descriptor */
	__u32 flags;	/* open: O_* flags; rename: RENAME_* flags */
	__u32 mode;	/* open: mode argument */
	__u16 path_len; /* bytes in path, including the NUL; 0 when not sent */
	__u16 path2_len;
	__u8 path_abs;	  /* bit 0: path is absolute and resolved; bit 1: path2 likewise */
	__u8 first_write; /* write: the first write the process made to this open file */
	__u8 pad[6];
	char path[AS_PATH_MAX];	 /* the file; rename: the old name */
	char path2[AS_PATH_MAX]; /* rename: the new name */
};

struct as_rec_net {
	struct as_rec_hdr h;
	__s32 ret; /* syscall result */
	__u32 fd;
	__u16 family;  /* AF_INET, AF_INET6, AF_UNIX */
	__u16 port;    /* host byte order */
	__u8 addr[16]; /* IPv4 in the first 4 bytes */
	char unix_path[108];
};

/* Filter modes (the `filter_mode` tunable). */
enum as_filter_mode {
	AS_FILTER_ALL = 0,     /* every process but AgentSight itself */
	AS_FILTER_TRACKED = 1, /* only processes in the `tracked` map (and their descendants) */
};

/* Counters in the `stats` array map, indexed by enum as_stat. */
enum as_stat {
	AS_STAT_RINGBUF_DROPS = 0, /* records the ring buffer had no room for */
	AS_STAT_TLS_BYTES_LOST,	   /* TLS bytes not sent (chunk limit or dropped records) */
	AS_STAT_READ_FAULTS,	   /* user memory that could not be read */
	AS_STAT_TRACKED_FULL,	   /* descendants not tracked because the map was full */
	AS_STAT_OPENS_FILTERED,	   /* read-only opens of system files left out */
	AS_STAT_COUNT,
};

#endif /* AGENTSIGHT_BPF_H */
