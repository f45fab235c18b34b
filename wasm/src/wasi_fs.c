/* wasi_fs.c: the file and directory calls of WASI preview 1: fd_* and
 * path_*. Paths go through the sandbox of wasi_path.c, which hands back a
 * directory fd and a final name; every call here then acts with an *at()
 * system call that does not follow a final symbolic link, so nothing outside
 * a preopened directory can be named.
 *
 * fd_readdir uses the kernel's directory offsets (getdents64's d_off) as
 * WASI cookies, seeking to the cookie on each call: no directory stream is
 * cached between calls, so an fd's whole state is its host fd and the
 * metadata in wasi_fd (what a checkpoint records).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_internal.h"

#define WASI_IOV_MAX	   1024
#define WASI_DIRENT_SIZE   24
#define WASI_FILESTAT_SIZE 64

/* The live entry of fd with the given rights, or an errno in *e. */
static wasi_fd *need(wasi_ctx *w, uint32_t fd, uint64_t rights, int *e)
{
	wasi_fd *f = wasi_fd_get(w, fd);
	if (!f) {
		*e = WASI_EBADF;
		return NULL;
	}
	if ((f->rights_base & rights) != rights) {
		*e = WASI_ENOTCAPABLE;
		return NULL;
	}
	*e = 0;
	return f;
}

/* A directory fd for a path call. */
static wasi_fd *need_dir(wasi_ctx *w, uint32_t fd, int *e)
{
	wasi_fd *f = need(w, fd, 0, e);
	if (f && f->filetype != WASI_FILETYPE_DIRECTORY) {
		*e = WASI_ENOTDIR;
		return NULL;
	}
	return f;
}

/* Reads the guest path argument and resolves it beneath directory fd, which
 * must hold the rights the call needs. */
static int resolve(wasm_exec *ex, wasi_ctx *w, uint32_t fd, uint64_t rights, uint32_t ptr,
		   uint32_t len, bool follow, wasi_resolved *out)
{
	int e;
	wasi_fd *d = need_dir(w, fd, &e);
	if (!d)
		return e;
	if ((d->rights_base & rights) != rights)
		return WASI_ENOTCAPABLE;
	const char *p = (const char *)wasi_mem(ex, ptr, len);
	if (!p)
		return WASI_EFAULT;
	return wasi_path_resolve(d->host_fd, p, len, follow, out);
}

/* Gathers the guest's iovec array into host iovecs over guest memory. */
static int gather(wasm_exec *ex, uint32_t iovs, uint32_t n, struct iovec *out)
{
	if (n > WASI_IOV_MAX)
		return WASI_EINVAL;
	const uint8_t *v = wasi_mem(ex, iovs, (uint64_t)n * 8);
	if (!v)
		return WASI_EFAULT;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t buf = wasm_load_u32le(v + 8 * (size_t)i);
		uint32_t len = wasm_load_u32le(v + 8 * (size_t)i + 4);
		uint8_t *p = wasi_mem(ex, buf, len);
		if (!p)
			return WASI_EFAULT;
		out[i].iov_base = p;
		out[i].iov_len = len;
	}
	return 0;
}

enum {
	IO_READ,
	IO_WRITE,
	IO_PREAD,
	IO_PWRITE
};

/* do_io's answer when a stop was requested while it waited for input. */
#define IO_STOPPED (-1)

/* Before a read of a pipe, terminal or socket, which may block for ever:
 * waits for input in slices, giving way to a stop request (the call is
 * then re-issued after the resume). Regular files never block. */
static int wait_readable(wasm_exec *ex, wasi_ctx *w, const wasi_fd *f)
{
	if (f->filetype == WASI_FILETYPE_REGULAR_FILE || f->filetype == WASI_FILETYPE_DIRECTORY)
		return 0;
	for (;;) {
		struct pollfd p = {.fd = f->host_fd, .events = POLLIN};
		int n = poll(&p, 1, WASI_INTERRUPT_SLICE_MS);
		if (n != 0)
			return 0; /* ready, or an error the read will report */
		if (w->interrupt || wasm_exec_stop_requested(ex))
			return IO_STOPPED;
	}
}

static int do_io(wasm_exec *ex, wasi_ctx *w, int kind, const uint64_t *a, uint32_t result_ptr)
{
	bool reading = kind == IO_READ || kind == IO_PREAD;
	bool positioned = kind == IO_PREAD || kind == IO_PWRITE;
	uint64_t rights = reading ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE;
	if (positioned)
		rights |= WASI_RIGHT_FD_SEEK;
	int e;
	wasi_fd *f = need(w, ARG32(0), rights, &e);
	if (!f)
		return e;
	uint8_t *res = wasi_mem(ex, result_ptr, 4);
	if (!res)
		return WASI_EFAULT;
	uint32_t n = ARG32(2);
	struct iovec stackv[16];
	struct iovec *iov = n <= 16 ? stackv : malloc(sizeof(*iov) * (n ? n : 1));
	if (!iov)
		return WASI_ENOMEM;
	e = gather(ex, ARG32(1), n, iov);
	if (!e && kind == IO_READ)
		e = wait_readable(ex, w, f);
	if (!e) {
		ssize_t got;
		off_t off = positioned ? (off_t)ARG64(3) : 0;
		if (positioned && ARG64(3) > INT64_MAX) {
			got = -1;
			errno = EINVAL;
		} else {
			switch (kind) {
			case IO_READ:
				got = readv(f->host_fd, iov, (int)n);
				break;
			case IO_WRITE:
				got = writev(f->host_fd, iov, (int)n);
				break;
			case IO_PREAD:
				got = preadv(f->host_fd, iov, (int)n, off);
				break;
			default:
				got = pwritev(f->host_fd, iov, (int)n, off);
				break;
			}
		}
		if (got < 0)
			e = wasi_errno_from_host(errno);
		else
			wasm_store_u32le(res, (uint32_t)got);
	}
	if (iov != stackv)
		free(iov);
	return e;
}

WASI_FN(fd_read)
{
	int e = do_io(ex, env, IO_READ, a, ARG32(3));
	if (e == IO_STOPPED)
		return WASM_STOPPED;
	RET(e);
}

WASI_FN(fd_write)
{
	RET(do_io(ex, env, IO_WRITE, a, ARG32(3)));
}

WASI_FN(fd_pread)
{
	RET(do_io(ex, env, IO_PREAD, a, ARG32(4)));
}

WASI_FN(fd_pwrite)
{
	RET(do_io(ex, env, IO_PWRITE, a, ARG32(4)));
}

WASI_FN(fd_seek)
{
	uint32_t whence = ARG32(2);
	int64_t off = (int64_t)ARG64(1);
	uint64_t right = whence == 1 && off == 0 ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
	int e;
	wasi_fd *f = need(env, ARG32(0), right, &e);
	if (!f)
		RET(e);
	int hw;
	switch (whence) {
	case 0:
		hw = SEEK_SET;
		break;
	case 1:
		hw = SEEK_CUR;
		break;
	case 2:
		hw = SEEK_END;
		break;
	default:
		RET(WASI_EINVAL);
	}
	uint8_t *p = wasi_mem(ex, ARG32(3), 8);
	if (!p)
		RET(WASI_EFAULT);
	off_t got = lseek(f->host_fd, (off_t)off, hw);
	if (got < 0)
		RET(wasi_errno_from_host(errno));
	wasm_store_u64le(p, (uint64_t)got);
	RET(0);
}

WASI_FN(fd_tell)
{
	int e;
	wasi_fd *f = need(env, ARG32(0), WASI_RIGHT_FD_TELL, &e);
	if (!f)
		RET(e);
	uint8_t *p = wasi_mem(ex, ARG32(1), 8);
	if (!p)
		RET(WASI_EFAULT);
	off_t got = lseek(f->host_fd, 0, SEEK_CUR);
	if (got < 0)
		RET(wasi_errno_from_host(errno));
	wasm_store_u64le(p, (uint64_t)got);
	RET(0);
}

int wasi_fd_close(wasi_ctx *w, uint32_t fd)
{
	wasi_fd *f = wasi_fd_get(w, fd);
	if (!f)
		return WASI_EBADF;
	int rc = close(f->host_fd);
	int err = errno;
	f->host_fd = -1;
	free(f->guest_path);
	f->guest_path = NULL;
	f->preopen = -1;
	return rc == 0 || err == EINTR ? 0 : wasi_errno_from_host(err);
}

WASI_FN(fd_close)
{
	(void)ex;
	RET(wasi_fd_close(env, ARG32(0)));
}

WASI_FN(fd_sync)
{
	(void)ex;
	int e;
	wasi_fd *f = need(env, ARG32(0), WASI_RIGHT_FD_SYNC, &e);
	if (!f)
		RET(e);
	RET(fsync(f->host_fd) == 0 ? 0 : wasi_errno_from_host(errno));
}

WASI_FN(fd_datasync)
{
	(void)ex;
	int e;
	wasi_fd *f = need(env, ARG32(0), WASI_RIGHT_FD_DATASYNC, &e);
	if (!f)
		RET(e);
	RET(fdatasync(f->host_fd) == 0 ? 0 : wasi_errno_from_host(errno));
}

WASI_FN(fd_advise)
{
	(void)ex;
	int e;
	wasi_fd *f = need(env, ARG32(0), WASI_RIGHT_FD_ADVISE, &e);
	if (!f)
		RET(e);
	static const int advice[] = {POSIX_FADV_NORMAL,	  POSIX_FADV_SEQUENTIAL,
				     POSIX_FADV_RANDOM,	  POSIX_FADV_WILLNEED,
				     POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
	uint32_t adv = ARG32(3);
	if (adv >= sizeof(advice) / sizeof(advice[0]) || ARG64(1) > INT64_MAX ||
	    ARG64(2) > INT64_MAX)
		RET(WASI_EINVAL);
	int rc = posix_fadvise(f->host_fd, (off_t)ARG64(1), (off_t)ARG64(2), advice[adv]);
	RET(rc == 0 ? 0 : wasi_errno_from_host(rc));
}

WASI_FN(fd_allocate)
{
	(void)ex;
	int e;
	wasi_fd *f = need(env, ARG32(0), WASI_RIGHT_FD_ALLOCATE, &e);
	if (!f)
		RET(e);
	if (ARG64(1) > INT64_MAX || ARG64(2) > INT64_MAX || ARG64(2) == 0)
		RET(WASI_EINVAL);
	int rc = posix_fallocate(f->host_fd, (off_t)ARG64(1), (off_t)ARG64(2));
	RET(rc == 0 ? 0 : wasi_errno_from_host(rc));
}

WASI_FN(fd_fdstat_get)
{
	int e;
	wasi_fd *f = need(env, ARG32(0), 0, &e);
	if (!f)
		RET(e);
	uint8_t *p = wasi_mem(ex, ARG32(1), 24);
	if (!p)
		RET(WASI_EFAULT);
	uint16_t flags = f->fdflags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC);
	int fl = fcntl(f->host_fd, F_GETFL);
	if (fl >= 0) {
		if (fl & O_APPEND)
			flags |= WASI_FDFLAG_APPEND;
		if (fl & O_NONBLOCK)
			flags |= WASI_FDFLAG_NONBLOCK;
	}
	memset(p, 0, 24);
	p[0] = f->filetype;
	wasm_store_u16le(p + 2, flags);
	wasm_store_u64le(p + 8, f->rights_base);
	wasm_store_u64le(p + 16, f->rights_inheriting);
	RET(0);
}

WASI_FN(fd_fdstat_set_flags)
{
	(void)ex;
	int e;
	wasi_fd *f = need(env, ARG32(0), WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &e);
	if (!f)
		RET(e);
	uint32_t want = ARG32(1);
	if (want & ~(uint32_t)(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK))
		RET(WASI_ENOTSUP); /* Linux cannot change the sync flags of an open file */
	int fl = fcntl(f->host_fd, F_GETFL);
	if (fl < 0)
		RET(wasi_errno_from_host(errno));
	fl &= ~(O_APPEND | O_NONBLOCK);
	if (want & WASI_FDFLAG_APPEND)
		fl |= O_APPEND;
	if (want & WASI_FDFLAG_NONBLOCK)
		fl |= O_NONBLOCK;
	if (fcntl(f->host_fd, F_SETFL, fl) != 0)
		RET(wasi_errno_from_host(errno));
	f->fdflags = (uint16_t)((f->fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)) | want);
	RET(0);
}

WASI_FN(fd_fdstat_set_rights)
{
	(void)ex;
	int e;
	wasi_fd *f = need(env, ARG32(0), 0, &e);
	if (!f)
		RET(e);
	uint64_t base = ARG64(1), inh = ARG64(2);
	if ((base & ~f->rights_base) || (inh & ~f->rights_inheriting))
		RET(WASI_ENOTCAPABLE); /* rights only ever shrink */
	f->rights_base = base;
	f->rights_inheriting = inh;
	RET(0);
}

static uint64_t ts_ns(struct timespec ts)
{
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_filestat(uint8_t *p, const struct stat *st)
{
	memset(p, 0, WASI_FILESTAT_SIZE);
	wasm_store_u64le(p, (uint64_t)st->st_dev);
	wasm_store_u64le(p + 8, (uint64_t)st->st_ino);
	p[16] = wasi_filetype_of_mode(st->st_mode);
	wasm_store_u64le(p + 24, (uint64_t)st->st_nlink);
	wasm_store_u64le(p + 32, (uint64_t)st->st_size);
	wasm_store_u64le(p + 40, ts_ns(st->st_atim));
	wasm_store_u64le(p + 48, ts_ns(st->st_mtim));
	wasm_store_u64le(p + 56, ts_ns(st->st_ctim));
}

WASI_FN(fd_filestat_get)
{
	int e;
	wasi_fd *f = need(env, ARG32(0), WASI_RIGHT_FD_FILESTAT_GET, &e);
	if (!f)
		RET(e);
	uint8_t *p = wasi_mem(ex, ARG32(1), WASI_FILESTAT_SIZE);
	if (!p)
		RET(WASI_EFAULT);
	struct stat st;
	if (fstat(f->host_fd, &st) != 0)
		RET(wasi_errno_from_host(errno));
	put_filestat(p, &st);
	RET(0);
}

WASI_FN(fd_filestat_set_size)
{
	(void)ex;
	int e;
	wasi_fd *f = need(env, ARG32(0), WASI_RIGHT_FD_FILESTAT_SET_SIZE, &e);
	if (!f)
		RET(e);
	if (ARG64(1) > INT64_MAX)
		RET(WASI_EINVAL);
	RET(ftruncate(f->host_fd, (off_t)ARG64(1)) == 0 ? 0 : wasi_errno_from_host(errno));
}

enum {
	FST_ATIM = 1,
	FST_ATIM_NOW = 2,
	FST_MTIM = 4,
	FST_MTIM_NOW = 8
};

/* timespec pair for futimens/utimensat from WASI's times and fstflags. */
static int times_of(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2])
{
	if (((fst & FST_ATIM) && (fst & FST_ATIM_NOW)) ||
	    ((fst & FST_MTIM) && (fst & FST_MTIM_NOW)) || (fst & ~15u))
		return WASI_EINVAL;
	uint64_t t[2] = {atim, mtim};
	uint32_t set[2] = {FST_ATIM, FST_MTIM}, now[2] = {FST_ATIM_NOW, FST_MTIM_NOW};
	for (int i = 0; i < 2; i++) {
		if (fst & now[i]) {
			ts[i].tv_sec = 0;
			ts[i].tv_nsec = UTIME_NOW;
		} else if (fst & set[i]) {
			ts[i].tv_sec = (time_t)(t[i] / 1000000000u);
			ts[i].tv_nsec = (long)(t[i] % 1000000000u);
		} else {
			ts[i].tv_sec = 0;
			ts[i].tv_nsec = UTIME_OMIT;
		}
	}
	return 0;
}

WASI_FN(fd_filestat_set_times)
{
	(void)ex;
	int e;
	wasi_fd *f = need(env, ARG32(0), WASI_RIGHT_FD_FILESTAT_SET_TIMES, &e);
	if (!f)
		RET(e);
	struct timespec ts[2];
	if ((e = times_of(ARG64(1), ARG64(2), ARG32(3), ts)))
		RET(e);
	RET(futimens(f->host_fd, ts) == 0 ? 0 : wasi_errno_from_host(errno));
}

WASI_FN(fd_prestat_get)
{
	wasi_ctx *w = env;
	wasi_fd *f = wasi_fd_get(w, ARG32(0));
	if (!f || f->preopen < 0 || !f->guest_path)
		RET(WASI_EBADF);
	uint8_t *p = wasi_mem(ex, ARG32(1), 8);
	if (!p)
		RET(WASI_EFAULT);
	memset(p, 0, 8);
	wasm_store_u32le(p + 4, (uint32_t)strlen(f->guest_path));
	RET(0);
}

WASI_FN(fd_prestat_dir_name)
{
	wasi_ctx *w = env;
	wasi_fd *f = wasi_fd_get(w, ARG32(0));
	if (!f || f->preopen < 0 || !f->guest_path)
		RET(WASI_EBADF);
	size_t len = strlen(f->guest_path);
	if (ARG32(2) < len)
		RET(WASI_ENAMETOOLONG);
	uint8_t *p = wasi_mem(ex, ARG32(1), len);
	if (!p)
		RET(WASI_EFAULT);
	memcpy(p, f->guest_path, len);
	RET(0);
}

WASI_FN(fd_readdir)
{
	int e;
	wasi_fd *f = need(env, ARG32(0), WASI_RIGHT_FD_READDIR, &e);
	if (!f)
		RET(e);
	if (f->filetype != WASI_FILETYPE_DIRECTORY)
		RET(WASI_ENOTDIR);
	uint32_t cap = ARG32(2);
	uint8_t *buf = wasi_mem(ex, ARG32(1), cap);
	uint8_t *used = wasi_mem(ex, ARG32(4), 4);
	if (!buf || !used)
		RET(WASI_EFAULT);
	uint64_t cookie = ARG64(3);
	if (cookie > INT64_MAX)
		RET(WASI_EINVAL);
	if (lseek(f->host_fd, (off_t)cookie, SEEK_SET) < 0)
		RET(wasi_errno_from_host(errno));
	char *kbuf = malloc(32768);
	if (!kbuf)
		RET(WASI_ENOMEM);
	uint32_t pos = 0;
	while (pos < cap) {
		ssize_t n = getdents64(f->host_fd, kbuf, 32768);
		if (n < 0) {
			free(kbuf);
			RET(wasi_errno_from_host(errno));
		}
		if (n == 0)
			break;
		for (ssize_t k = 0; k < n && pos < cap;) {
			struct dirent64 *d = (struct dirent64 *)(kbuf + k);
			k += d->d_reclen;
			uint8_t hdr[WASI_DIRENT_SIZE] = {0};
			size_t nlen = strlen(d->d_name);
			wasm_store_u64le(hdr, (uint64_t)d->d_off);
			wasm_store_u64le(hdr + 8, (uint64_t)d->d_ino);
			wasm_store_u32le(hdr + 16, (uint32_t)nlen);
			switch (d->d_type) {
			case DT_REG:
				hdr[20] = WASI_FILETYPE_REGULAR_FILE;
				break;
			case DT_DIR:
				hdr[20] = WASI_FILETYPE_DIRECTORY;
				break;
			case DT_LNK:
				hdr[20] = WASI_FILETYPE_SYMBOLIC_LINK;
				break;
			case DT_CHR:
				hdr[20] = WASI_FILETYPE_CHARACTER_DEVICE;
				break;
			case DT_BLK:
				hdr[20] = WASI_FILETYPE_BLOCK_DEVICE;
				break;
			case DT_SOCK:
				hdr[20] = WASI_FILETYPE_SOCKET_STREAM;
				break;
			default:
				hdr[20] = WASI_FILETYPE_UNKNOWN;
				break;
			}
			/* Entries that do not fit are cut: the guest sees a full
			 * buffer and asks again from the last whole entry. */
			uint32_t c = cap - pos < WASI_DIRENT_SIZE ? cap - pos : WASI_DIRENT_SIZE;
			memcpy(buf + pos, hdr, c);
			pos += c;
			c = cap - pos < nlen ? cap - pos : (uint32_t)nlen;
			memcpy(buf + pos, d->d_name, c);
			pos += c;
		}
	}
	free(kbuf);
	wasm_store_u32le(used, pos);
	RET(0);
}

WASI_FN(fd_renumber)
{
	(void)ex;
	wasi_ctx *w = env;
	uint32_t from = ARG32(0), to = ARG32(1);
	wasi_fd *f = wasi_fd_get(w, from), *t = wasi_fd_get(w, to);
	if (!f || !t)
		RET(WASI_EBADF);
	if (from == to)
		RET(0);
	close(t->host_fd);
	free(t->guest_path);
	*t = *f;
	memset(f, 0, sizeof(*f));
	f->host_fd = -1;
	f->preopen = -1;
	RET(0);
}

/* ---- path_* ------------------------------------------------------------------------- */

/* parent's guest path + "/" + path, or NULL when either is unknown or the
 * result would be too long to keep. */
static char *join_guest_path(const char *parent, const char *path, size_t len)
{
	if (!parent)
		return NULL;
	size_t plen = strlen(parent);
	if (plen + 1 + len > WASI_PATH_MAX)
		return NULL;
	char *s = malloc(plen + len + 2);
	if (!s)
		return NULL;
	memcpy(s, parent, plen);
	size_t o = plen;
	if (plen && parent[plen - 1] != '/')
		s[o++] = '/';
	memcpy(s + o, path, len);
	s[o + len] = '\0';
	return s;
}

/* Opens path (host memory) beneath guest directory fd dirfd as path_open
 * does: the host fd in *h and its metadata in *meta (guest_path allocated). */
static int open_beneath(wasi_ctx *w, uint32_t dirfd, const char *path, size_t plen, uint32_t lookup,
			uint32_t oflags, uint64_t rbase, uint64_t rinh, uint32_t fdflags,
			int *h_out, wasi_fd *meta)
{
	int e;
	wasi_fd *d = need_dir(w, dirfd, &e);
	if (!d)
		return e;
	uint64_t need_rights = WASI_RIGHT_PATH_OPEN;
	if (oflags & WASI_OFLAG_CREAT)
		need_rights |= WASI_RIGHT_PATH_CREATE_FILE;
	if (oflags & WASI_OFLAG_TRUNC)
		need_rights |= WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
	if ((d->rights_base & need_rights) != need_rights)
		return WASI_ENOTCAPABLE;
	uint64_t dir_inh = d->rights_inheriting;
	wasi_resolved res;
	e = wasi_path_resolve(d->host_fd, path, plen, lookup & WASI_LOOKUP_SYMLINK_FOLLOW, &res);
	if (e)
		return e;
	int fl = O_CLOEXEC | O_NOFOLLOW;
	if (oflags & WASI_OFLAG_CREAT)
		fl |= O_CREAT;
	if (oflags & WASI_OFLAG_EXCL)
		fl |= O_EXCL;
	if (oflags & WASI_OFLAG_TRUNC)
		fl |= O_TRUNC;
	bool dir = (oflags & WASI_OFLAG_DIRECTORY) || res.trailing_slash;
	if (dir)
		fl |= O_DIRECTORY;
	bool rd = rbase & (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
	bool wr = rbase & (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |
			   WASI_RIGHT_FD_FILESTAT_SET_SIZE);
	if (dir && !(oflags & (WASI_OFLAG_CREAT | WASI_OFLAG_TRUNC)))
		wr = false;
	fl |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
	if (fdflags & WASI_FDFLAG_APPEND)
		fl |= O_APPEND;
	if (fdflags & WASI_FDFLAG_DSYNC)
		fl |= O_DSYNC;
	if (fdflags & WASI_FDFLAG_NONBLOCK)
		fl |= O_NONBLOCK;
	if (fdflags & WASI_FDFLAG_RSYNC)
		fl |= O_RSYNC;
	if (fdflags & WASI_FDFLAG_SYNC)
		fl |= O_SYNC;
	int h = openat(res.dirfd, res.name, fl, 0666);
	e = h < 0 ? wasi_errno_from_host(errno) : 0;
	wasi_path_release(&res);
	struct stat st;
	if (!e && fstat(h, &st) != 0) {
		e = wasi_errno_from_host(errno);
		close(h);
	}
	if (e)
		return e;
	memset(meta, 0, sizeof(*meta));
	meta->filetype = wasi_filetype_of_mode(st.st_mode);
	meta->fdflags = (uint16_t)fdflags;
	meta->rights_base = rbase & dir_inh;
	meta->rights_inheriting = rinh & dir_inh;
	meta->preopen = -1;
	meta->oflags = (uint16_t)(oflags & WASI_OFLAG_DIRECTORY);
	/* d may have moved if the table grew: look it up again. */
	d = wasi_fd_get(w, dirfd);
	meta->guest_path = join_guest_path(d ? d->guest_path : NULL, path, plen);
	*h_out = h;
	return 0;
}

WASI_FN(path_open)
{
	wasi_ctx *w = env;
	uint32_t plen = ARG32(3);
	uint8_t *out = wasi_mem(ex, ARG32(8), 4);
	const char *path = (const char *)wasi_mem(ex, ARG32(2), plen);
	if (!out)
		RET(WASI_EFAULT);
	int e;
	if (!need_dir(w, ARG32(0), &e))
		RET(e);
	if (!path)
		RET(WASI_EFAULT);
	int h;
	wasi_fd meta;
	e = open_beneath(w, ARG32(0), path, plen, ARG32(1), ARG32(4), ARG64(5), ARG64(6), ARG32(7),
			 &h, &meta);
	if (e)
		RET(e);
	uint32_t fd;
	e = wasi_fd_add(w, h, &meta, &fd);
	free(meta.guest_path);
	if (e)
		RET(e);
	wasm_store_u32le(out, fd);
	RET(0);
}

int wasi_fd_reopen(wasi_ctx *w, uint32_t fd, uint32_t dirfd, const char *path, uint16_t oflags,
		   uint32_t lookupflags, const wasi_fd *meta, uint64_t offset)
{
	if (!path || !meta || fd == dirfd)
		return WASI_EINVAL;
	if (offset > INT64_MAX)
		return WASI_EINVAL;
	int h;
	wasi_fd m;
	int e = open_beneath(w, dirfd, path, strlen(path), lookupflags, oflags, meta->rights_base,
			     meta->rights_inheriting, meta->fdflags, &h, &m);
	if (e)
		return e;
	if (offset && lseek(h, (off_t)offset, SEEK_SET) < 0) {
		e = wasi_errno_from_host(errno);
		close(h);
		free(m.guest_path);
		return e;
	}
	e = wasi_fd_install(w, fd, h, &m);
	if (e)
		close(h);
	free(m.guest_path);
	return e;
}

WASI_FN(path_create_directory)
{
	wasi_resolved res;
	int e = resolve(ex, env, ARG32(0), WASI_RIGHT_PATH_CREATE_DIRECTORY, ARG32(1), ARG32(2),
			false, &res);
	if (e)
		RET(e);
	e = mkdirat(res.dirfd, res.name, 0777) == 0 ? 0 : wasi_errno_from_host(errno);
	wasi_path_release(&res);
	RET(e);
}

WASI_FN(path_remove_directory)
{
	wasi_resolved res;
	int e = resolve(ex, env, ARG32(0), WASI_RIGHT_PATH_REMOVE_DIRECTORY, ARG32(1), ARG32(2),
			false, &res);
	if (e)
		RET(e);
	e = unlinkat(res.dirfd, res.name, AT_REMOVEDIR) == 0 ? 0 : wasi_errno_from_host(errno);
	wasi_path_release(&res);
	RET(e);
}

WASI_FN(path_unlink_file)
{
	wasi_resolved res;
	int e = resolve(ex, env, ARG32(0), WASI_RIGHT_PATH_UNLINK_FILE, ARG32(1), ARG32(2), false,
			&res);
	if (e)
		RET(e);
	if (res.trailing_slash)
		e = WASI_ENOTDIR;
	else
		e = unlinkat(res.dirfd, res.name, 0) == 0 ? 0 : wasi_errno_from_host(errno);
	wasi_path_release(&res);
	RET(e);
}

WASI_FN(path_rename)
{
	wasi_resolved from, to;
	int e = resolve(ex, env, ARG32(0), WASI_RIGHT_PATH_RENAME_SOURCE, ARG32(1), ARG32(2), false,
			&from);
	if (e)
		RET(e);
	e = resolve(ex, env, ARG32(3), WASI_RIGHT_PATH_RENAME_TARGET, ARG32(4), ARG32(5), false,
		    &to);
	if (e) {
		wasi_path_release(&from);
		RET(e);
	}
	e = renameat(from.dirfd, from.name, to.dirfd, to.name) == 0 ? 0
								    : wasi_errno_from_host(errno);
	wasi_path_release(&from);
	wasi_path_release(&to);
	RET(e);
}

WASI_FN(path_link)
{
	wasi_resolved from, to;
	int e = resolve(ex, env, ARG32(0), WASI_RIGHT_PATH_LINK_SOURCE, ARG32(2), ARG32(3),
			ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW, &from);
	if (e)
		RET(e);
	e = resolve(ex, env, ARG32(4), WASI_RIGHT_PATH_LINK_TARGET, ARG32(5), ARG32(6), false, &to);
	if (e) {
		wasi_path_release(&from);
		RET(e);
	}
	e = linkat(from.dirfd, from.name, to.dirfd, to.name, 0) == 0 ? 0
								     : wasi_errno_from_host(errno);
	wasi_path_release(&from);
	wasi_path_release(&to);
	RET(e);
}

WASI_FN(path_symlink)
{
	uint32_t tlen = ARG32(1);
	const char *tp = (const char *)wasi_mem(ex, ARG32(0), tlen);
	if (!tp)
		RET(WASI_EFAULT);
	if (tlen == 0 || memchr(tp, '\0', tlen))
		RET(tlen ? WASI_EINVAL : WASI_ENOENT);
	if (tlen > WASI_PATH_MAX)
		RET(WASI_ENAMETOOLONG);
	/* A link to an absolute path could never be followed inside the
	 * sandbox, and would point a host user outside it: refuse it. */
	if (tp[0] == '/')
		RET(WASI_ENOTCAPABLE);
	char *target = strndup(tp, tlen);
	if (!target)
		RET(WASI_ENOMEM);
	wasi_resolved res;
	int e = resolve(ex, env, ARG32(2), WASI_RIGHT_PATH_SYMLINK, ARG32(3), ARG32(4), false,
			&res);
	if (!e) {
		e = symlinkat(target, res.dirfd, res.name) == 0 ? 0 : wasi_errno_from_host(errno);
		wasi_path_release(&res);
	}
	free(target);
	RET(e);
}

WASI_FN(path_readlink)
{
	uint32_t cap = ARG32(4);
	uint8_t *buf = wasi_mem(ex, ARG32(3), cap);
	uint8_t *used = wasi_mem(ex, ARG32(5), 4);
	if (!buf || !used)
		RET(WASI_EFAULT);
	wasi_resolved res;
	int e = resolve(ex, env, ARG32(0), WASI_RIGHT_PATH_READLINK, ARG32(1), ARG32(2), false,
			&res);
	if (e)
		RET(e);
	char tmp[WASI_PATH_MAX + 1];
	ssize_t n = readlinkat(res.dirfd, res.name, tmp, sizeof(tmp));
	e = n < 0 ? wasi_errno_from_host(errno) : 0;
	wasi_path_release(&res);
	if (e)
		RET(e);
	uint32_t c = (uint64_t)n < cap ? (uint32_t)n : cap;
	memcpy(buf, tmp, c);
	wasm_store_u32le(used, c);
	RET(0);
}

WASI_FN(path_filestat_get)
{
	uint8_t *p = wasi_mem(ex, ARG32(4), WASI_FILESTAT_SIZE);
	if (!p)
		RET(WASI_EFAULT);
	wasi_resolved res;
	int e = resolve(ex, env, ARG32(0), WASI_RIGHT_PATH_FILESTAT_GET, ARG32(2), ARG32(3),
			ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW, &res);
	if (e)
		RET(e);
	struct stat st;
	if (fstatat(res.dirfd, res.name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		e = wasi_errno_from_host(errno);
	else if (res.trailing_slash && !S_ISDIR(st.st_mode))
		e = WASI_ENOTDIR;
	wasi_path_release(&res);
	if (e)
		RET(e);
	put_filestat(p, &st);
	RET(0);
}

WASI_FN(path_filestat_set_times)
{
	struct timespec ts[2];
	int e = times_of(ARG64(4), ARG64(5), ARG32(6), ts);
	if (e)
		RET(e);
	wasi_resolved res;
	e = resolve(ex, env, ARG32(0), WASI_RIGHT_PATH_FILESTAT_SET_TIMES, ARG32(2), ARG32(3),
		    ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW, &res);
	if (e)
		RET(e);
	e = utimensat(res.dirfd, res.name, ts, AT_SYMLINK_NOFOLLOW) == 0
		    ? 0
		    : wasi_errno_from_host(errno);
	wasi_path_release(&res);
	RET(e);
}

int wasi_fs_add_imports(wasi_ctx *w, wasm_imports *im)
{
	static const struct {
		const char *name, *sig;
		wasm_host_fn fn;
	} fns[] = {
		{"fd_advise", "iIIi:i", h_fd_advise},
		{"fd_allocate", "iII:i", h_fd_allocate},
		{"fd_close", "i:i", h_fd_close},
		{"fd_datasync", "i:i", h_fd_datasync},
		{"fd_fdstat_get", "ii:i", h_fd_fdstat_get},
		{"fd_fdstat_set_flags", "ii:i", h_fd_fdstat_set_flags},
		{"fd_fdstat_set_rights", "iII:i", h_fd_fdstat_set_rights},
		{"fd_filestat_get", "ii:i", h_fd_filestat_get},
		{"fd_filestat_set_size", "iI:i", h_fd_filestat_set_size},
		{"fd_filestat_set_times", "iIIi:i", h_fd_filestat_set_times},
		{"fd_pread", "iiiIi:i", h_fd_pread},
		{"fd_prestat_get", "ii:i", h_fd_prestat_get},
		{"fd_prestat_dir_name", "iii:i", h_fd_prestat_dir_name},
		{"fd_pwrite", "iiiIi:i", h_fd_pwrite},
		{"fd_read", "iiii:i", h_fd_read},
		{"fd_readdir", "iiiIi:i", h_fd_readdir},
		{"fd_renumber", "ii:i", h_fd_renumber},
		{"fd_seek", "iIii:i", h_fd_seek},
		{"fd_sync", "i:i", h_fd_sync},
		{"fd_tell", "ii:i", h_fd_tell},
		{"fd_write", "iiii:i", h_fd_write},
		{"path_create_directory", "iii:i", h_path_create_directory},
		{"path_filestat_get", "iiiii:i", h_path_filestat_get},
		{"path_filestat_set_times", "iiiiIIi:i", h_path_filestat_set_times},
		{"path_link", "iiiiiii:i", h_path_link},
		{"path_open", "iiiiiIIii:i", h_path_open},
		{"path_readlink", "iiiiii:i", h_path_readlink},
		{"path_remove_directory", "iii:i", h_path_remove_directory},
		{"path_rename", "iiiiii:i", h_path_rename},
		{"path_symlink", "iiiii:i", h_path_symlink},
		{"path_unlink_file", "iii:i", h_path_unlink_file},
	};
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (wasm_imports_add_func_sig(im, "wasi_snapshot_preview1", fns[i].name, fns[i].sig,
					      fns[i].fn, w) != 0)
			return -1;
	return 0;
}
