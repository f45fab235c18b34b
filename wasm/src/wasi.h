/* wasi.h: WASI preview 1 (module "wasi_snapshot_preview1") for the Isthmus
 * WebAssembly runtime (docs/wasm-wasi.md).
 *
 * A wasi_ctx holds everything a WASI guest can observe of its host: args,
 * environment, the preopened directories, the fd table, the clock offsets
 * and the exit status. It is a plain struct, on purpose: Vessels (issue 5)
 * enumerate it to checkpoint a guest and rebuild it on another machine, so
 * each fd records the guest path it was opened by, its rights, flags and
 * open flags, and its host offset can be read with wasi_fd_offset. No WASI
 * state lives anywhere else.
 *
 * wasi_add_imports registers the host functions on a wasm_imports object;
 * they read and write guest memory only through wasm.h's bounds-checked
 * helpers, little-endian. Files are reachable only beneath preopened
 * directories: paths are resolved component by component (wasi_path.c) and
 * never leave the directory fd they are relative to, through "..", absolute
 * paths or symbolic links.
 */
#ifndef ISTHMUS_WASI_H
#define ISTHMUS_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* WASI errno values (witx "errno"), the ones this implementation returns. */
enum {
	WASI_ESUCCESS = 0,
	WASI_E2BIG = 1,
	WASI_EACCES = 2,
	WASI_EAGAIN = 6,
	WASI_EBADF = 8,
	WASI_EBUSY = 10,
	WASI_EEXIST = 20,
	WASI_EFAULT = 21,
	WASI_EFBIG = 22,
	WASI_EINTR = 27,
	WASI_EINVAL = 28,
	WASI_EIO = 29,
	WASI_EISDIR = 31,
	WASI_ELOOP = 32,
	WASI_EMFILE = 33,
	WASI_EMLINK = 34,
	WASI_ENAMETOOLONG = 37,
	WASI_ENFILE = 41,
	WASI_ENODEV = 43,
	WASI_ENOENT = 44,
	WASI_ENOMEM = 48,
	WASI_ENOSPC = 51,
	WASI_ENOSYS = 52,
	WASI_ENOTDIR = 54,
	WASI_ENOTEMPTY = 55,
	WASI_ENOTSUP = 58,
	WASI_ENOTTY = 59,
	WASI_ENXIO = 60,
	WASI_EOVERFLOW = 61,
	WASI_EPERM = 63,
	WASI_EPIPE = 64,
	WASI_ERANGE = 68,
	WASI_EROFS = 69,
	WASI_ESPIPE = 70,
	WASI_ETXTBSY = 74,
	WASI_EXDEV = 75,
	WASI_ENOTCAPABLE = 76,
};

/* File types (witx "filetype"). */
enum {
	WASI_FILETYPE_UNKNOWN = 0,
	WASI_FILETYPE_BLOCK_DEVICE = 1,
	WASI_FILETYPE_CHARACTER_DEVICE = 2,
	WASI_FILETYPE_DIRECTORY = 3,
	WASI_FILETYPE_REGULAR_FILE = 4,
	WASI_FILETYPE_SOCKET_DGRAM = 5,
	WASI_FILETYPE_SOCKET_STREAM = 6,
	WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

/* fdflags, oflags and lookupflags. */
enum {
	WASI_FDFLAG_APPEND = 1,
	WASI_FDFLAG_DSYNC = 2,
	WASI_FDFLAG_NONBLOCK = 4,
	WASI_FDFLAG_RSYNC = 8,
	WASI_FDFLAG_SYNC = 16,
	WASI_OFLAG_CREAT = 1,
	WASI_OFLAG_DIRECTORY = 2,
	WASI_OFLAG_EXCL = 4,
	WASI_OFLAG_TRUNC = 8,
	WASI_LOOKUP_SYMLINK_FOLLOW = 1,
};

/* Rights (witx "rights"): bit i as in the witx order. */
#define WASI_RIGHT_FD_DATASYNC		   (UINT64_C(1) << 0)
#define WASI_RIGHT_FD_READ		   (UINT64_C(1) << 1)
#define WASI_RIGHT_FD_SEEK		   (UINT64_C(1) << 2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS	   (UINT64_C(1) << 3)
#define WASI_RIGHT_FD_SYNC		   (UINT64_C(1) << 4)
#define WASI_RIGHT_FD_TELL		   (UINT64_C(1) << 5)
#define WASI_RIGHT_FD_WRITE		   (UINT64_C(1) << 6)
#define WASI_RIGHT_FD_ADVISE		   (UINT64_C(1) << 7)
#define WASI_RIGHT_FD_ALLOCATE		   (UINT64_C(1) << 8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY   (UINT64_C(1) << 9)
#define WASI_RIGHT_PATH_CREATE_FILE	   (UINT64_C(1) << 10)
#define WASI_RIGHT_PATH_LINK_SOURCE	   (UINT64_C(1) << 11)
#define WASI_RIGHT_PATH_LINK_TARGET	   (UINT64_C(1) << 12)
#define WASI_RIGHT_PATH_OPEN		   (UINT64_C(1) << 13)
#define WASI_RIGHT_FD_READDIR		   (UINT64_C(1) << 14)
#define WASI_RIGHT_PATH_READLINK	   (UINT64_C(1) << 15)
#define WASI_RIGHT_PATH_RENAME_SOURCE	   (UINT64_C(1) << 16)
#define WASI_RIGHT_PATH_RENAME_TARGET	   (UINT64_C(1) << 17)
#define WASI_RIGHT_PATH_FILESTAT_GET	   (UINT64_C(1) << 18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE  (UINT64_C(1) << 19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES (UINT64_C(1) << 20)
#define WASI_RIGHT_FD_FILESTAT_GET	   (UINT64_C(1) << 21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE	   (UINT64_C(1) << 22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES   (UINT64_C(1) << 23)
#define WASI_RIGHT_PATH_SYMLINK		   (UINT64_C(1) << 24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY   (UINT64_C(1) << 25)
#define WASI_RIGHT_PATH_UNLINK_FILE	   (UINT64_C(1) << 26)
#define WASI_RIGHT_POLL_FD_READWRITE	   (UINT64_C(1) << 27)
#define WASI_RIGHT_SOCK_SHUTDOWN	   (UINT64_C(1) << 28)
#define WASI_RIGHT_SOCK_ACCEPT		   (UINT64_C(1) << 29)
#define WASI_RIGHTS_ALL			   ((UINT64_C(1) << 30) - 1)

/* A directory the guest may use: host_path is opened at wasi_new and shown
 * to the guest under guest_path (fd_prestat_dir_name). */
typedef struct wasi_preopen {
	const char *host_path;
	const char *guest_path;
} wasi_preopen;

/* What a guest is started with. wasi_config_init fills the defaults: no
 * args, env or preopens, the host's fds 0, 1 and 2 as stdio, 1024 fds. */
typedef struct wasi_config {
	uint32_t argc;
	const char *const *argv; /* argv[0] is the program name the guest sees */
	uint32_t envc;
	const char *const *envp; /* "KEY=VALUE" strings */
	uint32_t npreopens;
	const wasi_preopen *preopens;
	int stdio[3];	  /* host fds behind guest fds 0, 1, 2 (duplicated) */
	uint32_t max_fds; /* size limit of the fd table */
} wasi_config;

void wasi_config_init(wasi_config *cfg);

/* One slot of the fd table. host_fd < 0 marks a free slot. */
typedef struct wasi_fd {
	int host_fd;
	uint8_t filetype; /* WASI_FILETYPE_* */
	uint16_t fdflags; /* WASI_FDFLAG_* */
	uint64_t rights_base, rights_inheriting;
	int32_t preopen;  /* index in wasi_ctx.preopens, or -1 */
	char *guest_path; /* preopen: its guest name; path_open: the directory's
			     guest path joined with the path opened; NULL: stdio
			     or a path too long to record */
	uint16_t oflags;  /* WASI_OFLAG_* it was opened with (CREAT, TRUNC, EXCL
			     cleared: what reopening it on restore needs) */
} wasi_fd;

typedef struct wasi_preopen_state {
	char *host_path;
	char *guest_path;
} wasi_preopen_state;

/* The whole WASI state of one guest. */
typedef struct wasi_ctx {
	uint32_t argc;
	char **argv;
	uint32_t envc;
	char **envp;
	uint32_t npreopens;
	wasi_preopen_state *preopens;
	uint32_t nfds; /* slots in use or free below this index */
	uint32_t capfds;
	uint32_t max_fds;
	wasi_fd *fds;
	/* Added to the host's clocks: a restored guest keeps its monotonic
	 * clock running from where it stood (Vessels set these). */
	int64_t monotonic_offset_ns;
	int64_t realtime_offset_ns;
	/* Set by proc_exit. */
	bool exited;
	uint32_t exit_code;
	/* Stopping a guest that waits: an embedder that calls
	 * wasm_exec_request_stop sets interrupt too (any thread). A guest
	 * blocked in poll_oneoff (sleep, or waiting for stdin) then returns
	 * WASM_STOPPED within WASI_INTERRUPT_SLICE_MS; the embedder clears
	 * interrupt before wasm_exec_resume, and the re-issued call waits only
	 * until the deadline it had (kept below, in guest monotonic time, so
	 * that it survives a checkpoint). */
	volatile int interrupt;
	bool poll_pending;
	uint32_t poll_in, poll_nsubs; /* the call the deadline belongs to */
	int64_t poll_deadline_ns;     /* -1: none (waiting for fds only) */
} wasi_ctx;

/* How often a waiting poll_oneoff looks at wasi_ctx.interrupt. */
#define WASI_INTERRUPT_SLICE_MS 10

/* Creates a context: copies args and env, opens the preopened directories
 * (fds 3, 4, ... in order) and duplicates the stdio fds. NULL with a message
 * naming the directory or the problem. */
wasi_ctx *wasi_new(const wasi_config *cfg, char *err, size_t errlen);

/* Closes every fd and frees the context. NULL is fine. */
void wasi_free(wasi_ctx *w);

/* Registers every function of wasi_snapshot_preview1 on im, with w as their
 * environment. Returns 0, or -1 (out of memory) with a message. */
int wasi_add_imports(wasi_ctx *w, wasm_imports *im, char *err, size_t errlen);

/* The host offset of guest fd (what fd_tell would say): 0 and *off, or a
 * WASI errno (WASI_EBADF, WASI_ESPIPE, ...). */
int wasi_fd_offset(const wasi_ctx *w, uint32_t fd, uint64_t *off);

/* Puts host_fd (which the context then owns) at guest fd number fd with the
 * metadata in meta (guest_path is copied), closing what was there: how a
 * restored guest gets its files back. Returns 0 or a WASI errno. */
int wasi_fd_install(wasi_ctx *w, uint32_t fd, int host_fd, const wasi_fd *meta);

/* Opens path (NUL-terminated, relative) beneath guest directory fd dirfd
 * through the sandbox, exactly as the guest's path_open would (oflags
 * WASI_OFLAG_*, lookupflags WASI_LOOKUP_*, and meta's rights_base,
 * rights_inheriting and fdflags), seeks to offset, and installs it at guest
 * fd number fd, closing what was there: how a restore reopens a guest's
 * files. fd must differ from dirfd. Returns 0 or a WASI errno. */
int wasi_fd_reopen(wasi_ctx *w, uint32_t fd, uint32_t dirfd, const char *path, uint16_t oflags,
		   uint32_t lookupflags, const wasi_fd *meta, uint64_t offset);

/* Closes guest fd (as the guest's fd_close): 0 or a WASI errno. */
int wasi_fd_close(wasi_ctx *w, uint32_t fd);

/* Maps a host errno value to WASI's (WASI_EIO for those WASI lacks). */
uint16_t wasi_errno_from_host(int host_errno);

/* The symbolic name of a WASI errno ("ENOENT"), "E?" when unknown. */
const char *wasi_errno_name(uint16_t e);

#ifdef __cplusplus
}
#endif

#endif /* ISTHMUS_WASI_H */
