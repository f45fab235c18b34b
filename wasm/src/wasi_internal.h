/* wasi_internal.h: what the parts of the WASI implementation share: the
 * path sandbox (wasi_path.c), the fd table helpers (wasi.c) and the file
 * system calls (wasi_fs.c). Not for embedders: they use wasi.h.
 */
#ifndef ISTHMUS_WASI_INTERNAL_H
#define ISTHMUS_WASI_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "wasi.h"

/* Longest guest path accepted, and most symbolic links followed in one
 * resolution (Linux's own limit is 40). */
#define WASI_PATH_MAX	 4096
#define WASI_SYMLINK_MAX 32

/* The outcome of resolving a guest path: the directory holding its last
 * component and that component's name ("." when the path names the
 * directory itself). dirfd is owned (must be released) when owned is true. */
typedef struct wasi_resolved {
	int dirfd;
	bool owned;
	bool trailing_slash; /* the path ended in '/': it must be a directory */
	char name[NAME_MAX + 1];
} wasi_resolved;

/* Resolves path[0..len) beneath the directory base_fd, following symbolic
 * links in every component but the last, and in the last too when
 * follow_final. Never leaves base_fd: ".." above it, absolute paths and links
 * to absolute paths give WASI_ENOTCAPABLE. Returns 0 or a WASI errno. */
int wasi_path_resolve(int base_fd, const char *path, size_t len, bool follow_final,
		      wasi_resolved *out);
void wasi_path_release(wasi_resolved *r);

/* The fd table. wasi_fd_get returns the live entry of guest fd, or NULL. */
wasi_fd *wasi_fd_get(wasi_ctx *w, uint32_t fd);
/* Adds host_fd at the lowest free number: 0 and *fd, or a WASI errno (the
 * host fd is then closed). guest_path is copied. */
int wasi_fd_add(wasi_ctx *w, int host_fd, const wasi_fd *meta, uint32_t *fd);
/* The WASI file type of a host mode (st_mode). */
uint8_t wasi_filetype_of_mode(unsigned mode);

/* The host functions of wasi_fs.c, registered by wasi_add_imports. */
int wasi_fs_add_imports(wasi_ctx *w, wasm_imports *im);

/* Guest memory: a pointer to [off, off+len), or NULL when outside. */
static inline uint8_t *wasi_mem(wasm_exec *ex, uint64_t off, uint64_t len)
{
	return wasm_exec_mem_ptr(ex, off, len);
}

/* Declares a host function of WASI: ex, w (the context), a (args), r. */
#define WASI_FN(name) \
	static wasm_result h_##name(wasm_exec *ex, void *env, const uint64_t *a, uint64_t *r)

/* Argument i as u32 / u64. */
#define ARG32(i) ((uint32_t)a[i])
#define ARG64(i) (a[i])
/* Ends a host function with a WASI errno as its i32 result. */
#define RET(e)                                  \
	do {                                    \
		r[0] = (uint64_t)(uint32_t)(e); \
		return WASM_OK;                 \
	} while (0)

#endif /* ISTHMUS_WASI_INTERNAL_H */
