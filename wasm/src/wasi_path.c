/* wasi_path.c: the WASI path sandbox. A guest path is resolved beneath a
 * directory fd one component at a time, so that it can never name anything
 * outside that directory.
 *
 * Each directory is opened with openat(O_PATH | O_DIRECTORY | O_NOFOLLOW)
 * from the one before it, so the kernel never follows a link on our behalf.
 * A component that is a symbolic link is read with readlinkat and its target
 * spliced in front of the rest of the path (relative targets only: an
 * absolute target is an escape). ".." pops the stack of components walked so
 * far and re-walks it from the base with the same checks; popping past the
 * base is an escape. Escapes are WASI_ENOTCAPABLE. A link swapped in between
 * our check and our open makes the O_NOFOLLOW open fail: no race lets a
 * guest out. The caller acts on (dirfd, name) with *at() calls that do not
 * follow links either. Linux's openat2(RESOLVE_BENEATH) would do the walk in
 * one call, but its rules for ".." and links differ in corner cases from
 * WASI's, and the walk here is the same on every kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi_internal.h"

/* Walking back up: ".." re-walks from the nearest ancestor kept open.
 * Every WALK_KEEP_EVERY levels the walk keeps a duplicate of the directory
 * fd, so that a hostile path of 800 components down and 800 ".." up costs
 * about 16 openat calls per "..", not 800 (13 000 calls in all instead of
 * 330 000), and the walk holds at most one fd per 16 levels. */
#define WALK_KEEP_EVERY 16
#define WALK_MAX_DEPTH	(WASI_PATH_MAX / 2 + 1)

/* The components walked from the base, '/'-separated. */
typedef struct walk {
	int base;
	int cur; /* base or an owned O_PATH fd */
	char canon[WASI_PATH_MAX + 1];
	size_t canon_len;
	unsigned depth;
	uint16_t comp_off[WALK_MAX_DEPTH + 2];		/* where component i starts */
	int kept[WALK_MAX_DEPTH / WALK_KEEP_EVERY + 2]; /* fd at depth k * KEEP_EVERY */
} walk;

static void walk_set_cur(walk *wk, int fd)
{
	if (wk->cur != wk->base)
		close(wk->cur);
	wk->cur = fd;
}

/* Closes the kept fds deeper than depth. */
static void walk_drop_kept(walk *wk, unsigned depth)
{
	for (size_t k = depth / WALK_KEEP_EVERY + 1; k < sizeof(wk->kept) / sizeof(wk->kept[0]);
	     k++) {
		if (wk->kept[k] >= 0)
			close(wk->kept[k]);
		wk->kept[k] = -1;
	}
}

static int open_dir_nofollow(int dirfd, const char *name)
{
	return openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Descends into name from the current directory. Returns 0 or a WASI errno. */
static int walk_down(walk *wk, const char *name, size_t nlen)
{
	if (wk->canon_len + 1 + nlen > WASI_PATH_MAX || wk->depth + 1 > WALK_MAX_DEPTH)
		return WASI_ENAMETOOLONG;
	int fd = open_dir_nofollow(wk->cur, name);
	if (fd < 0)
		return errno == ELOOP ? WASI_ENOTDIR : wasi_errno_from_host(errno);
	walk_set_cur(wk, fd);
	if (wk->canon_len)
		wk->canon[wk->canon_len++] = '/';
	wk->depth++;
	wk->comp_off[wk->depth] = (uint16_t)wk->canon_len;
	memcpy(wk->canon + wk->canon_len, name, nlen);
	wk->canon_len += nlen;
	wk->canon[wk->canon_len] = '\0';
	if (wk->depth % WALK_KEEP_EVERY == 0)
		wk->kept[wk->depth / WALK_KEEP_EVERY] =
			fcntl(fd, F_DUPFD_CLOEXEC, 0); /* -1: none */
	return 0;
}

/* Goes up one level: re-walks the remaining components from the nearest
 * kept ancestor (or the base) with the same checks. */
static int walk_up(walk *wk)
{
	if (wk->depth == 0)
		return WASI_ENOTCAPABLE;
	wk->depth--;
	wk->canon_len = wk->depth ? (size_t)wk->comp_off[wk->depth + 1] - 1 : 0;
	wk->canon[wk->canon_len] = '\0';
	walk_drop_kept(wk, wk->depth);
	walk_set_cur(wk, wk->base);

	unsigned k = wk->depth / WALK_KEEP_EVERY;
	while (k > 0 && wk->kept[k] < 0)
		k--;
	int from = k ? wk->kept[k] : wk->base;
	int dir = from;
	for (unsigned level = k * WALK_KEEP_EVERY + 1; level <= wk->depth; level++) {
		const char *c = wk->canon + wk->comp_off[level];
		size_t clen = strcspn(c, "/");
		char name[NAME_MAX + 1];
		memcpy(name, c, clen);
		name[clen] = '\0';
		int fd = open_dir_nofollow(dir, name);
		int err = errno;
		if (dir != from)
			close(dir);
		if (fd < 0) /* changed under us since we walked it */
			return err == ELOOP ? WASI_ENOTDIR : wasi_errno_from_host(err);
		dir = fd;
	}
	if (dir == from && from != wk->base) {
		dir = fcntl(from, F_DUPFD_CLOEXEC, 0);
		if (dir < 0)
			return wasi_errno_from_host(errno);
	}
	wk->cur = dir;
	return 0;
}

static int finish(walk *wk, const char *name, size_t nlen, bool slash, wasi_resolved *out)
{
	out->dirfd = wk->cur;
	out->owned = wk->cur != wk->base;
	out->trailing_slash = slash;
	memcpy(out->name, name, nlen);
	out->name[nlen] = '\0';
	return 0;
}

int wasi_path_resolve(int base_fd, const char *path, size_t len, bool follow_final,
		      wasi_resolved *out)
{
	memset(out, 0, sizeof(*out));
	out->dirfd = -1;
	if (len == 0)
		return WASI_ENOENT;
	if (len > WASI_PATH_MAX)
		return WASI_ENAMETOOLONG;
	if (memchr(path, '\0', len))
		return WASI_EINVAL;
	if (path[0] == '/')
		return WASI_ENOTCAPABLE;

	/* rest holds what is left to walk; a link's target is spliced in front. */
	size_t cap = 2 * WASI_PATH_MAX + 2;
	char *rest = malloc(cap);
	walk *wk = malloc(sizeof(*wk));
	if (!rest || !wk) {
		free(rest);
		free(wk);
		return WASI_ENOMEM;
	}
	memcpy(rest, path, len);
	rest[len] = '\0';
	wk->base = wk->cur = base_fd;
	wk->canon_len = 0;
	wk->canon[0] = '\0';
	wk->depth = 0;
	for (size_t k = 0; k < sizeof(wk->kept) / sizeof(wk->kept[0]); k++)
		wk->kept[k] = -1;

	unsigned links = 0;
	size_t pos = 0;
	int e = 0;
	for (;;) {
		while (rest[pos] == '/')
			pos++;
		if (!rest[pos]) { /* "", "a/" after its last component, "./" */
			e = finish(wk, ".", 1, true, out);
			break;
		}
		const char *comp = rest + pos;
		size_t clen = strcspn(comp, "/");
		size_t after = pos + clen;
		bool slash = rest[after] == '/';
		size_t next = after;
		while (rest[next] == '/')
			next++;
		bool last = rest[next] == '\0';

		if (clen > NAME_MAX) {
			e = WASI_ENAMETOOLONG;
			break;
		}
		char name[NAME_MAX + 1];
		memcpy(name, comp, clen);
		name[clen] = '\0';

		if (strcmp(name, ".") == 0) {
			if (last) {
				e = finish(wk, ".", 1, slash, out);
				break;
			}
			pos = next;
			continue;
		}
		if (strcmp(name, "..") == 0) {
			e = walk_up(wk);
			if (e)
				break;
			if (last) {
				e = finish(wk, ".", 1, slash, out);
				break;
			}
			pos = next;
			continue;
		}
		if (last && !slash && !follow_final) {
			e = finish(wk, name, clen, false, out);
			break;
		}

		char target[WASI_PATH_MAX + 1];
		ssize_t n = readlinkat(wk->cur, name, target, sizeof(target));
		if (n >= 0) {
			if ((size_t)n > WASI_PATH_MAX) {
				e = WASI_ENAMETOOLONG;
				break;
			}
			if (++links > WASI_SYMLINK_MAX) {
				e = WASI_ELOOP;
				break;
			}
			if (n == 0) {
				e = WASI_ENOENT;
				break;
			}
			if (target[0] == '/') {
				e = WASI_ENOTCAPABLE;
				break;
			}
			/* rest := target + ("/" + what followed, keeping a trailing slash) */
			size_t tail = strlen(rest + after);
			if ((size_t)n + tail + 1 >= cap) {
				e = WASI_ENAMETOOLONG;
				break;
			}
			memmove(rest + n, rest + after, tail + 1);
			memcpy(rest, target, (size_t)n);
			pos = 0;
			continue;
		}
		if (errno != EINVAL && errno != ENOENT) {
			e = wasi_errno_from_host(errno);
			break;
		}
		if (last) { /* not a link (or absent: fine for creating it) */
			e = finish(wk, name, clen, slash, out);
			break;
		}
		e = walk_down(wk, name, clen);
		if (e)
			break;
		pos = next;
	}
	if (e) {
		walk_set_cur(wk, wk->base);
		out->dirfd = -1;
	}
	walk_drop_kept(wk, 0);
	free(rest);
	free(wk);
	return e;
}

void wasi_path_release(wasi_resolved *r)
{
	if (r->owned && r->dirfd >= 0)
		close(r->dirfd);
	r->dirfd = -1;
	r->owned = false;
}
