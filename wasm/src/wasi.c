/* wasi.c: the WASI context (args, environment, preopens, the fd table, clock
 * offsets, exit status) and the calls that are not about files: args_*,
 * environ_*, clock_*, random_get, poll_oneoff, proc_exit, proc_raise,
 * sched_yield and the sock_* stubs. The file and directory calls are in
 * wasi_fs.c, the path sandbox in wasi_path.c.
 *
 * Every host function returns a WASI errno as its i32 result; guest memory
 * is reached through wasm.h's bounds-checked pointers and little-endian
 * loads and stores (a bad pointer is WASI_EFAULT, never a host fault).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi_internal.h"

#define WASI_MODULE	     "wasi_snapshot_preview1"
#define WASI_DEFAULT_MAX_FDS 1024

void wasi_config_init(wasi_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->stdio[0] = 0;
	cfg->stdio[1] = 1;
	cfg->stdio[2] = 2;
	cfg->max_fds = WASI_DEFAULT_MAX_FDS;
}

/* ---- errno ------------------------------------------------------------------ */

uint16_t wasi_errno_from_host(int e)
{
	switch (e) {
	case 0:
		return WASI_ESUCCESS;
	case E2BIG:
		return WASI_E2BIG;
	case EACCES:
		return WASI_EACCES;
	case EAGAIN:
		return WASI_EAGAIN;
	case EBADF:
		return WASI_EBADF;
	case EBUSY:
		return WASI_EBUSY;
	case EEXIST:
		return WASI_EEXIST;
	case EFAULT:
		return WASI_EFAULT;
	case EFBIG:
		return WASI_EFBIG;
	case EINTR:
		return WASI_EINTR;
	case EINVAL:
		return WASI_EINVAL;
	case EIO:
		return WASI_EIO;
	case EISDIR:
		return WASI_EISDIR;
	case ELOOP:
		return WASI_ELOOP;
	case EMFILE:
		return WASI_EMFILE;
	case EMLINK:
		return WASI_EMLINK;
	case ENAMETOOLONG:
		return WASI_ENAMETOOLONG;
	case ENFILE:
		return WASI_ENFILE;
	case ENODEV:
		return WASI_ENODEV;
	case ENOENT:
		return WASI_ENOENT;
	case ENOMEM:
		return WASI_ENOMEM;
	case ENOSPC:
		return WASI_ENOSPC;
	case ENOSYS:
		return WASI_ENOSYS;
	case ENOTDIR:
		return WASI_ENOTDIR;
	case ENOTEMPTY:
		return WASI_ENOTEMPTY;
	case EOPNOTSUPP:
		return WASI_ENOTSUP;
	case ENOTTY:
		return WASI_ENOTTY;
	case ENXIO:
		return WASI_ENXIO;
	case EOVERFLOW:
		return WASI_EOVERFLOW;
	case EPERM:
		return WASI_EPERM;
	case EPIPE:
		return WASI_EPIPE;
	case ERANGE:
		return WASI_ERANGE;
	case EROFS:
		return WASI_EROFS;
	case ESPIPE:
		return WASI_ESPIPE;
	case ETXTBSY:
		return WASI_ETXTBSY;
	case EXDEV:
		return WASI_EXDEV;
	default:
		return WASI_EIO;
	}
}

const char *wasi_errno_name(uint16_t e)
{
	static const struct {
		uint16_t e;
		const char *name;
	} names[] = {
		{WASI_ESUCCESS, "ESUCCESS"},
		{WASI_E2BIG, "E2BIG"},
		{WASI_EACCES, "EACCES"},
		{WASI_EAGAIN, "EAGAIN"},
		{WASI_EBADF, "EBADF"},
		{WASI_EBUSY, "EBUSY"},
		{WASI_EEXIST, "EEXIST"},
		{WASI_EFAULT, "EFAULT"},
		{WASI_EFBIG, "EFBIG"},
		{WASI_EINTR, "EINTR"},
		{WASI_EINVAL, "EINVAL"},
		{WASI_EIO, "EIO"},
		{WASI_EISDIR, "EISDIR"},
		{WASI_ELOOP, "ELOOP"},
		{WASI_EMFILE, "EMFILE"},
		{WASI_EMLINK, "EMLINK"},
		{WASI_ENAMETOOLONG, "ENAMETOOLONG"},
		{WASI_ENFILE, "ENFILE"},
		{WASI_ENODEV, "ENODEV"},
		{WASI_ENOENT, "ENOENT"},
		{WASI_ENOMEM, "ENOMEM"},
		{WASI_ENOSPC, "ENOSPC"},
		{WASI_ENOSYS, "ENOSYS"},
		{WASI_ENOTDIR, "ENOTDIR"},
		{WASI_ENOTEMPTY, "ENOTEMPTY"},
		{WASI_ENOTSUP, "ENOTSUP"},
		{WASI_ENOTTY, "ENOTTY"},
		{WASI_ENXIO, "ENXIO"},
		{WASI_EOVERFLOW, "EOVERFLOW"},
		{WASI_EPERM, "EPERM"},
		{WASI_EPIPE, "EPIPE"},
		{WASI_ERANGE, "ERANGE"},
		{WASI_EROFS, "EROFS"},
		{WASI_ESPIPE, "ESPIPE"},
		{WASI_ETXTBSY, "ETXTBSY"},
		{WASI_EXDEV, "EXDEV"},
		{WASI_ENOTCAPABLE, "ENOTCAPABLE"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return "E?";
}

/* ---- context and fd table ------------------------------------------------------ */

uint8_t wasi_filetype_of_mode(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return WASI_FILETYPE_REGULAR_FILE;
	case S_IFDIR:
		return WASI_FILETYPE_DIRECTORY;
	case S_IFLNK:
		return WASI_FILETYPE_SYMBOLIC_LINK;
	case S_IFCHR:
		return WASI_FILETYPE_CHARACTER_DEVICE;
	case S_IFBLK:
		return WASI_FILETYPE_BLOCK_DEVICE;
	case S_IFSOCK:
		return WASI_FILETYPE_SOCKET_STREAM;
	default:
		return WASI_FILETYPE_UNKNOWN;
	}
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void fd_clear(wasi_fd *f)
{
	if (f->host_fd >= 0)
		close(f->host_fd);
	free(f->guest_path);
	memset(f, 0, sizeof(*f));
	f->host_fd = -1;
	f->preopen = -1;
}

wasi_fd *wasi_fd_get(wasi_ctx *w, uint32_t fd)
{
	if (fd >= w->nfds || w->fds[fd].host_fd < 0)
		return NULL;
	return &w->fds[fd];
}

/* Makes slot fd exist (free) in the table. */
static int fd_reserve(wasi_ctx *w, uint32_t fd)
{
	if (fd >= w->max_fds)
		return WASI_EMFILE;
	if (fd >= w->capfds) {
		uint32_t cap = w->capfds ? w->capfds : 8;
		while (cap <= fd)
			cap *= 2;
		if (cap > w->max_fds)
			cap = w->max_fds;
		wasi_fd *grown = realloc(w->fds, cap * sizeof(*grown));
		if (!grown)
			return WASI_ENOMEM;
		w->fds = grown;
		w->capfds = cap;
	}
	while (w->nfds <= fd) {
		memset(&w->fds[w->nfds], 0, sizeof(w->fds[0]));
		w->fds[w->nfds].host_fd = -1;
		w->fds[w->nfds].preopen = -1;
		w->nfds++;
	}
	return 0;
}

static int fd_put(wasi_ctx *w, uint32_t fd, int host_fd, const wasi_fd *meta)
{
	char *path = NULL;
	if (meta->guest_path && !(path = strdup(meta->guest_path)))
		return WASI_ENOMEM;
	int e = fd_reserve(w, fd);
	if (e) {
		free(path);
		return e;
	}
	fd_clear(&w->fds[fd]);
	w->fds[fd] = *meta;
	w->fds[fd].host_fd = host_fd;
	w->fds[fd].guest_path = path;
	return 0;
}

int wasi_fd_add(wasi_ctx *w, int host_fd, const wasi_fd *meta, uint32_t *fd)
{
	uint32_t i = 0;
	while (i < w->nfds && w->fds[i].host_fd >= 0)
		i++;
	int e = fd_put(w, i, host_fd, meta);
	if (e) {
		close(host_fd);
		return e;
	}
	*fd = i;
	return 0;
}

int wasi_fd_install(wasi_ctx *w, uint32_t fd, int host_fd, const wasi_fd *meta)
{
	if (host_fd < 0)
		return WASI_EBADF;
	return fd_put(w, fd, host_fd, meta);
}

int wasi_fd_offset(const wasi_ctx *w, uint32_t fd, uint64_t *off)
{
	if (fd >= w->nfds || w->fds[fd].host_fd < 0)
		return WASI_EBADF;
	off_t o = lseek(w->fds[fd].host_fd, 0, SEEK_CUR);
	if (o < 0)
		return wasi_errno_from_host(errno);
	*off = (uint64_t)o;
	return 0;
}

static char **copy_strings(uint32_t n, const char *const *src)
{
	char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		if (!(v[i] = strdup(src[i] ? src[i] : ""))) {
			for (uint32_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return NULL;
		}
	}
	return v;
}

static void free_strings(uint32_t n, char **v)
{
	if (!v)
		return;
	for (uint32_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

wasi_ctx *wasi_new(const wasi_config *cfg, char *err, size_t errlen)
{
	wasi_config defaults;
	if (!cfg) {
		wasi_config_init(&defaults);
		cfg = &defaults;
	}
	wasi_ctx *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "wasi: out of memory");
		return NULL;
	}
	w->max_fds = cfg->max_fds ? cfg->max_fds : WASI_DEFAULT_MAX_FDS;
	if (w->max_fds < 3 + cfg->npreopens) {
		snprintf(err, errlen, "wasi: max_fds %u leaves no room for stdio and %u preopens",
			 w->max_fds, cfg->npreopens);
		free(w);
		return NULL;
	}
	w->argc = cfg->argc;
	w->envc = cfg->envc;
	if (!(w->argv = copy_strings(cfg->argc, cfg->argv)) ||
	    !(w->envp = copy_strings(cfg->envc, cfg->envp)) ||
	    !(w->preopens = calloc(cfg->npreopens + 1, sizeof(*w->preopens)))) {
		snprintf(err, errlen, "wasi: out of memory");
		wasi_free(w);
		return NULL;
	}
	for (int i = 0; i < 3; i++) {
		int h = fcntl(cfg->stdio[i], F_DUPFD_CLOEXEC, 3);
		if (h < 0) {
			snprintf(err, errlen, "wasi: stdio fd %d: %s", cfg->stdio[i],
				 strerror(errno));
			wasi_free(w);
			return NULL;
		}
		struct stat st;
		wasi_fd meta = {.filetype = WASI_FILETYPE_UNKNOWN,
				.rights_base = WASI_RIGHTS_ALL & ~(WASI_RIGHT_FD_SEEK),
				.rights_inheriting = 0,
				.preopen = -1};
		if (fstat(h, &st) == 0) {
			meta.filetype = wasi_filetype_of_mode(st.st_mode);
			if (S_ISREG(st.st_mode))
				meta.rights_base |= WASI_RIGHT_FD_SEEK;
			/* wasi-libc's isatty() is "a character device without
			 * seek or tell rights": drop them for a terminal (which
			 * then gets line buffering) and only for one. */
			if (isatty(h))
				meta.rights_base &= ~(WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL);
		}
		int fl = fcntl(h, F_GETFL);
		if (fl >= 0 && (fl & O_APPEND))
			meta.fdflags |= WASI_FDFLAG_APPEND;
		if (fd_put(w, (uint32_t)i, h, &meta)) {
			close(h);
			snprintf(err, errlen, "wasi: out of memory");
			wasi_free(w);
			return NULL;
		}
	}
	for (uint32_t i = 0; i < cfg->npreopens; i++) {
		const wasi_preopen *p = &cfg->preopens[i];
		if (!p->host_path || !p->guest_path || !*p->host_path || !*p->guest_path) {
			snprintf(err, errlen, "wasi: preopen %u has an empty path", i);
			wasi_free(w);
			return NULL;
		}
		int h = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (h < 0) {
			snprintf(err, errlen, "wasi: cannot open directory %s: %s", p->host_path,
				 strerror(errno));
			wasi_free(w);
			return NULL;
		}
		w->preopens[i].host_path = dup_or_null(p->host_path);
		w->preopens[i].guest_path = dup_or_null(p->guest_path);
		w->npreopens = i + 1;
		wasi_fd meta = {.filetype = WASI_FILETYPE_DIRECTORY,
				.rights_base = WASI_RIGHTS_ALL,
				.rights_inheriting = WASI_RIGHTS_ALL,
				.preopen = (int32_t)i,
				.guest_path = (char *)p->guest_path,
				.oflags = WASI_OFLAG_DIRECTORY};
		if (!w->preopens[i].host_path || !w->preopens[i].guest_path ||
		    fd_put(w, 3 + i, h, &meta)) {
			close(h);
			snprintf(err, errlen, "wasi: out of memory");
			wasi_free(w);
			return NULL;
		}
	}
	return w;
}

void wasi_free(wasi_ctx *w)
{
	if (!w)
		return;
	for (uint32_t i = 0; i < w->nfds; i++)
		fd_clear(&w->fds[i]);
	free(w->fds);
	free_strings(w->argc, w->argv);
	free_strings(w->envc, w->envp);
	if (w->preopens) {
		for (uint32_t i = 0; i < w->npreopens; i++) {
			free(w->preopens[i].host_path);
			free(w->preopens[i].guest_path);
		}
		free(w->preopens);
	}
	free(w);
}

/* ---- args and environ ----------------------------------------------------------- */

/* Writes the pointer array and the NUL-terminated strings of v. */
static int strings_get(wasm_exec *ex, uint32_t n, char **v, uint32_t ptrs, uint32_t buf)
{
	uint64_t total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	uint8_t *p = wasi_mem(ex, ptrs, (uint64_t)n * 4);
	uint8_t *b = wasi_mem(ex, buf, total);
	if (!p || !b)
		return WASI_EFAULT;
	uint64_t off = 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;
		wasm_store_u32le(p + 4 * (size_t)i, (uint32_t)(buf + off));
		memcpy(b + off, v[i], len);
		off += len;
	}
	return 0;
}

static int sizes_get(wasm_exec *ex, uint32_t n, char **v, uint32_t count_ptr, uint32_t size_ptr)
{
	uint64_t total = 0;
	for (uint32_t i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	uint8_t *c = wasi_mem(ex, count_ptr, 4), *s = wasi_mem(ex, size_ptr, 4);
	if (!c || !s)
		return WASI_EFAULT;
	if (total > UINT32_MAX)
		return WASI_E2BIG;
	wasm_store_u32le(c, n);
	wasm_store_u32le(s, (uint32_t)total);
	return 0;
}

WASI_FN(args_get)
{
	wasi_ctx *w = env;
	RET(strings_get(ex, w->argc, w->argv, ARG32(0), ARG32(1)));
}

WASI_FN(args_sizes_get)
{
	wasi_ctx *w = env;
	RET(sizes_get(ex, w->argc, w->argv, ARG32(0), ARG32(1)));
}

WASI_FN(environ_get)
{
	wasi_ctx *w = env;
	RET(strings_get(ex, w->envc, w->envp, ARG32(0), ARG32(1)));
}

WASI_FN(environ_sizes_get)
{
	wasi_ctx *w = env;
	RET(sizes_get(ex, w->envc, w->envp, ARG32(0), ARG32(1)));
}

/* ---- clocks ------------------------------------------------------------------------ */

enum {
	WASI_CLOCK_REALTIME,
	WASI_CLOCK_MONOTONIC,
	WASI_CLOCK_PROCESS,
	WASI_CLOCK_THREAD
};

static int host_clock(uint32_t id, clockid_t *out)
{
	switch (id) {
	case WASI_CLOCK_REALTIME:
		*out = CLOCK_REALTIME;
		return 0;
	case WASI_CLOCK_MONOTONIC:
		*out = CLOCK_MONOTONIC;
		return 0;
	case WASI_CLOCK_PROCESS:
		*out = CLOCK_PROCESS_CPUTIME_ID;
		return 0;
	case WASI_CLOCK_THREAD:
		*out = CLOCK_THREAD_CPUTIME_ID;
		return 0;
	default:
		return WASI_EINVAL;
	}
}

/* The guest's view of clock id, in nanoseconds. */
static int clock_now(const wasi_ctx *w, uint32_t id, uint64_t *ns)
{
	clockid_t c;
	int e = host_clock(id, &c);
	if (e)
		return e;
	struct timespec ts;
	if (clock_gettime(c, &ts) != 0)
		return wasi_errno_from_host(errno);
	int64_t v = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (id == WASI_CLOCK_MONOTONIC)
		v += w->monotonic_offset_ns;
	else if (id == WASI_CLOCK_REALTIME)
		v += w->realtime_offset_ns;
	*ns = (uint64_t)v;
	return 0;
}

WASI_FN(clock_res_get)
{
	(void)env;
	clockid_t c;
	int e = host_clock(ARG32(0), &c);
	if (e)
		RET(e);
	struct timespec ts;
	if (clock_getres(c, &ts) != 0)
		RET(wasi_errno_from_host(errno));
	uint8_t *p = wasi_mem(ex, ARG32(1), 8);
	if (!p)
		RET(WASI_EFAULT);
	wasm_store_u64le(p, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	RET(0);
}

WASI_FN(clock_time_get)
{
	uint64_t ns = 0;
	int e = clock_now(env, ARG32(0), &ns);
	if (e)
		RET(e);
	uint8_t *p = wasi_mem(ex, ARG32(2), 8);
	if (!p)
		RET(WASI_EFAULT);
	wasm_store_u64le(p, ns);
	RET(0);
}

/* ---- random ------------------------------------------------------------------------ */

WASI_FN(random_get)
{
	(void)env;
	uint32_t len = ARG32(1);
	uint8_t *p = wasi_mem(ex, ARG32(0), len);
	if (!p)
		RET(WASI_EFAULT);
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			RET(wasi_errno_from_host(errno));
		}
		p += n;
		len -= (uint32_t)n;
	}
	RET(0);
}

/* ---- poll_oneoff -------------------------------------------------------------------- */

enum {
	WASI_EVENT_CLOCK = 0,
	WASI_EVENT_FD_READ = 1,
	WASI_EVENT_FD_WRITE = 2
};
#define WASI_SUBSCRIPTION_SIZE 48
#define WASI_EVENT_SIZE	       32
#define WASI_SUBCLOCK_ABSTIME  1
#define WASI_EVENTRW_HANGUP    1
/* More subscriptions than this in one call is EINVAL: bounded host memory. */
#define WASI_POLL_MAX	       4096

static void put_event(uint8_t *ev, uint64_t userdata, uint16_t error, uint8_t type, uint64_t nbytes,
		      uint16_t flags)
{
	memset(ev, 0, WASI_EVENT_SIZE);
	wasm_store_u64le(ev, userdata);
	wasm_store_u16le(ev + 8, error);
	ev[10] = type;
	wasm_store_u64le(ev + 16, nbytes);
	wasm_store_u16le(ev + 24, flags);
}

WASI_FN(poll_oneoff)
{
	wasi_ctx *w = env;
	uint32_t nsubs = ARG32(2);
	if (nsubs == 0)
		RET(WASI_EINVAL);
	if (nsubs > WASI_POLL_MAX)
		RET(WASI_EINVAL);
	const uint8_t *in = wasi_mem(ex, ARG32(0), (uint64_t)nsubs * WASI_SUBSCRIPTION_SIZE);
	uint8_t *out = wasi_mem(ex, ARG32(1), (uint64_t)nsubs * WASI_EVENT_SIZE);
	uint8_t *nout = wasi_mem(ex, ARG32(3), 4);
	if (!in || !out || !nout)
		RET(WASI_EFAULT);

	struct pollfd *pfds = calloc(nsubs, sizeof(*pfds));
	uint32_t *pidx = calloc(nsubs, sizeof(*pidx));
	if (!pfds || !pidx) {
		free(pfds);
		free(pidx);
		RET(WASI_ENOMEM);
	}
	uint32_t nev = 0, npfd = 0;
	int64_t timeout_ns = -1; /* earliest clock deadline from now; -1: none */
	uint32_t timeout_sub = 0;
	for (uint32_t i = 0; i < nsubs; i++) {
		const uint8_t *s = in + (size_t)i * WASI_SUBSCRIPTION_SIZE;
		uint64_t userdata = wasm_load_u64le(s);
		uint8_t tag = s[8];
		if (tag == WASI_EVENT_CLOCK) {
			uint32_t id = wasm_load_u32le(s + 16);
			uint64_t t = wasm_load_u64le(s + 24);
			uint16_t flags = wasm_load_u16le(s + 40);
			uint64_t now = 0;
			int e = clock_now(w, id, &now);
			if (e) {
				put_event(out + (size_t)nev++ * WASI_EVENT_SIZE, userdata,
					  (uint16_t)e, tag, 0, 0);
				continue;
			}
			int64_t rel;
			if (flags & WASI_SUBCLOCK_ABSTIME)
				rel = t > now ? (int64_t)(t - now < INT64_MAX ? t - now : INT64_MAX)
					      : 0;
			else
				rel = t < INT64_MAX ? (int64_t)t : INT64_MAX;
			if (timeout_ns < 0 || rel < timeout_ns) {
				timeout_ns = rel;
				timeout_sub = i;
			}
		} else if (tag == WASI_EVENT_FD_READ || tag == WASI_EVENT_FD_WRITE) {
			wasi_fd *f = wasi_fd_get(w, wasm_load_u32le(s + 16));
			if (!f) {
				put_event(out + (size_t)nev++ * WASI_EVENT_SIZE, userdata,
					  WASI_EBADF, tag, 0, 0);
				continue;
			}
			pfds[npfd].fd = f->host_fd;
			pfds[npfd].events = tag == WASI_EVENT_FD_READ ? POLLIN : POLLOUT;
			pidx[npfd++] = i;
		} else {
			put_event(out + (size_t)nev++ * WASI_EVENT_SIZE, userdata, WASI_EINVAL, tag,
				  0, 0);
		}
	}

	int e = 0;
	if (nev == 0) {
		/* The wait ends at a deadline in guest monotonic time, kept in
		 * the context so that a call stopped and re-issued (same
		 * subscriptions) waits only for what was left. */
		uint32_t in_ptr = ARG32(0);
		uint64_t mono = 0;
		clock_now(w, WASI_CLOCK_MONOTONIC, &mono);
		int64_t deadline = -1;
		if (w->poll_pending && w->poll_in == in_ptr && w->poll_nsubs == nsubs)
			deadline = w->poll_deadline_ns;
		else if (timeout_ns >= 0)
			deadline = timeout_ns > INT64_MAX - (int64_t)mono
					   ? INT64_MAX
					   : (int64_t)mono + timeout_ns;
		w->poll_pending = false;
		int n = 0;
		for (;;) {
			clock_now(w, WASI_CLOCK_MONOTONIC, &mono);
			int64_t left = deadline < 0 ? -1 : deadline - (int64_t)mono;
			bool expired = deadline >= 0 && left <= 0;
			if (!expired && (w->interrupt || wasm_exec_stop_requested(ex))) {
				w->poll_pending = true;
				w->poll_in = in_ptr;
				w->poll_nsubs = nsubs;
				w->poll_deadline_ns = deadline;
				free(pfds);
				free(pidx);
				return WASM_STOPPED;
			}
			int64_t slice = (int64_t)WASI_INTERRUPT_SLICE_MS * 1000000;
			if (expired)
				slice = 0;
			else if (left >= 0 && left < slice)
				slice = left;
			if (npfd > 0) {
				/* Expired: one last look at the fds, without waiting. */
				n = poll(pfds, npfd, (int)((slice + 999999) / 1000000));
				if (n < 0 && errno == EINTR)
					continue;
				if (n != 0)
					break;
			} else if (!expired) {
				/* Only clocks: sleep with nanosecond precision. */
				struct timespec ts = {.tv_sec = slice / 1000000000,
						      .tv_nsec = slice % 1000000000};
				nanosleep(&ts, NULL);
				continue;
			}
			if (expired)
				break;
		}
		if (n < 0) {
			e = wasi_errno_from_host(errno);
		} else if (n == 0) {
			const uint8_t *s = in + (size_t)timeout_sub * WASI_SUBSCRIPTION_SIZE;
			put_event(out + (size_t)nev++ * WASI_EVENT_SIZE, wasm_load_u64le(s), 0,
				  WASI_EVENT_CLOCK, 0, 0);
		} else {
			for (uint32_t k = 0; k < npfd; k++) {
				if (!pfds[k].revents)
					continue;
				const uint8_t *s = in + (size_t)pidx[k] * WASI_SUBSCRIPTION_SIZE;
				uint16_t err = 0, flags = 0;
				if (pfds[k].revents & POLLNVAL)
					err = WASI_EBADF;
				if (pfds[k].revents & (POLLHUP | POLLERR))
					flags = WASI_EVENTRW_HANGUP;
				uint64_t nbytes = 0;
				struct stat st;
				if (s[8] == WASI_EVENT_FD_READ && fstat(pfds[k].fd, &st) == 0 &&
				    S_ISREG(st.st_mode)) {
					off_t cur = lseek(pfds[k].fd, 0, SEEK_CUR);
					if (cur >= 0 && st.st_size > cur)
						nbytes = (uint64_t)(st.st_size - cur);
				}
				put_event(out + (size_t)nev++ * WASI_EVENT_SIZE, wasm_load_u64le(s),
					  err, s[8], nbytes, flags);
			}
		}
	}
	free(pfds);
	free(pidx);
	if (e)
		RET(e);
	wasm_store_u32le(nout, nev);
	RET(0);
}

/* ---- process ------------------------------------------------------------------------ */

WASI_FN(proc_exit)
{
	wasi_ctx *w = env;
	(void)r;
	w->exited = true;
	w->exit_code = ARG32(0);
	return wasm_exit(ex, (int)ARG32(0));
}

WASI_FN(proc_raise)
{
	(void)ex, (void)env, (void)a;
	RET(WASI_ENOSYS);
}

WASI_FN(sched_yield)
{
	(void)ex, (void)env, (void)a;
	sched_yield();
	RET(0);
}

/* Sockets: preview 1 can only use sockets a host handed over, and this host
 * hands over none. */
WASI_FN(sock_stub)
{
	(void)ex, (void)env, (void)a;
	RET(WASI_ENOTSUP);
}

int wasi_add_imports(wasi_ctx *w, wasm_imports *im, char *err, size_t errlen)
{
	static const struct {
		const char *name, *sig;
		wasm_host_fn fn;
	} fns[] = {
		{"args_get", "ii:i", h_args_get},
		{"args_sizes_get", "ii:i", h_args_sizes_get},
		{"environ_get", "ii:i", h_environ_get},
		{"environ_sizes_get", "ii:i", h_environ_sizes_get},
		{"clock_res_get", "ii:i", h_clock_res_get},
		{"clock_time_get", "iIi:i", h_clock_time_get},
		{"random_get", "ii:i", h_random_get},
		{"poll_oneoff", "iiii:i", h_poll_oneoff},
		{"proc_exit", "i:", h_proc_exit},
		{"proc_raise", "i:i", h_proc_raise},
		{"sched_yield", ":i", h_sched_yield},
		{"sock_accept", "iii:i", h_sock_stub},
		{"sock_recv", "iiiiii:i", h_sock_stub},
		{"sock_send", "iiiii:i", h_sock_stub},
		{"sock_shutdown", "ii:i", h_sock_stub},
	};
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		if (wasm_imports_add_func_sig(im, WASI_MODULE, fns[i].name, fns[i].sig, fns[i].fn,
					      w) != 0) {
			snprintf(err, errlen, "wasi: cannot register %s: out of memory",
				 fns[i].name);
			return -1;
		}
	}
	if (wasi_fs_add_imports(w, im) != 0) {
		snprintf(err, errlen, "wasi: cannot register the file functions: out of memory");
		return -1;
	}
	return 0;
}
