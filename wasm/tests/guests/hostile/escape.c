/* escape: a hostile WASI guest (Wasm only). It calls the WASI functions
 * directly, bypassing wasi-libc's own path handling, and tries to reach
 * outside its preopened directory (fd 3): "..", absolute paths, links made
 * by the host or by itself that point out, renames and hard links out, and
 * pointers outside its memory. It prints one line per attempt with the
 * errno WASI returned, "ESCAPED" when a call that must fail succeeded, and
 * exits 0 only if every attempt was refused. hostile_test.sh then checks the
 * host's side: nothing outside was created, changed or read.
 */
#include <stdio.h>
#include <string.h>

#ifndef __wasi__
/* Built for the host (as lint does) there is nothing to attack. */
int main(void)
{
	puts("escape.c is a wasm32-wasi program");
	return 0;
}
#else
#include <wasi/api.h>

/* path_open as imported, without wasi-libc's wrapper (which would strlen a
 * path before the host could refuse it). */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open"))) int32_t
raw_path_open(int32_t fd, int32_t lookup, int32_t path, int32_t len, int32_t oflags, int64_t base,
	      int64_t inheriting, int32_t fdflags, int32_t out);

static int escaped;
static const __wasi_rights_t ALL = 0x1fffffff;

static void report(const char *what, __wasi_errno_t e)
{
	if (e == 0) {
		escaped++;
		printf("ESCAPED: %s\n", what);
	} else {
		printf("refused (errno %u): %s\n", (unsigned)e, what);
	}
}

static __wasi_errno_t try_open(const char *path, __wasi_oflags_t of, __wasi_lookupflags_t lf)
{
	__wasi_fd_t fd;
	__wasi_errno_t e = __wasi_path_open(3, lf, path, of, ALL, ALL, 0, &fd);
	if (e == 0) {
		/* Opened: show what it is, then close. */
		char buf[32] = {0};
		__wasi_iovec_t iov = {(uint8_t *)buf, sizeof(buf) - 1};
		size_t n = 0;
		__wasi_errno_t re = __wasi_fd_read(fd, &iov, 1, &n);
		printf("  opened %s, read (errno %u) [%s]\n", path, (unsigned)re, buf);
		re = __wasi_fd_close(fd);
		(void)re;
	}
	return e;
}

int main(void)
{
	static const char *paths[] = {
		"../secret.txt",
		"/secret.txt",
		"/etc/passwd",
		"sub/../../secret.txt",
		"up/secret.txt",
		"abs/passwd",
		"sub/out",
		"..",
		"./../secret.txt",
		"sub/../sub/../../secret.txt",
		"loop",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char what[96];
		snprintf(what, sizeof(what), "open %s", paths[i]);
		report(what, try_open(paths[i], 0, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW));
		snprintf(what, sizeof(what), "create %s", paths[i]);
		report(what,
		       try_open(paths[i], __WASI_OFLAGS_CREAT, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW));
	}
	report("mkdir ../made", __wasi_path_create_directory(3, "../made"));
	report("mkdir up/made", __wasi_path_create_directory(3, "up/made"));
	report("unlink ../secret.txt", __wasi_path_unlink_file(3, "../secret.txt"));
	report("unlink up/secret.txt", __wasi_path_unlink_file(3, "up/secret.txt"));
	report("rename inside.txt -> ../moved.txt",
	       __wasi_path_rename(3, "inside.txt", 3, "../moved.txt"));
	report("rename up/secret.txt -> stolen.txt",
	       __wasi_path_rename(3, "up/secret.txt", 3, "stolen.txt"));
	report("link up/secret.txt -> hard.txt",
	       __wasi_path_link(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "up/secret.txt", 3,
				"hard.txt"));
	report("link inside.txt -> ../hard.txt",
	       __wasi_path_link(3, 0, "inside.txt", 3, "../hard.txt"));
	report("symlink /etc/passwd -> pw", __wasi_path_symlink("/etc/passwd", 3, "pw"));
	/* A relative link pointing out may be made, but never followed. */
	__wasi_errno_t made = __wasi_path_symlink("../secret.txt", 3, "mine");
	printf("symlink ../secret.txt -> mine: errno %u\n", (unsigned)made);
	report("open mine", try_open("mine", 0, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW));
	report("write through mine", try_open("mine", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
					      __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW));
	__wasi_filestat_t st;
	report("stat ../secret.txt", __wasi_path_filestat_get(3, 0, "../secret.txt", &st));
	report("stat up/secret.txt", __wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
							      "up/secret.txt", &st));
	report("touch up/secret.txt",
	       __wasi_path_filestat_set_times(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "up/secret.txt",
					      0, 0, __WASI_FSTFLAGS_MTIM_NOW));
	report("rmdir up/sandbox", __wasi_path_remove_directory(3, "up/sandbox"));

	/* Pointers outside linear memory must be EFAULT, not a host fault. */
	uint8_t *far = (uint8_t *)(uintptr_t)0xfffffff0u;
	__wasi_iovec_t bad = {far, 64};
	__wasi_ciovec_t cbad = {far, 64};
	size_t n;
	report("fd_write from beyond memory", __wasi_fd_write(1, &cbad, 1, &n));
	report("fd_read into beyond memory", __wasi_fd_read(0, &bad, 1, &n));
	report("random_get beyond memory", __wasi_random_get(far, 64));
	report("args_get beyond memory", __wasi_args_get((uint8_t **)far, far));
	static __wasi_fd_t fd;
	report("path_open with a path beyond memory",
	       (__wasi_errno_t)raw_path_open(3, 0, (int32_t)(uintptr_t)far, 64, 0, (int64_t)ALL,
					     (int64_t)ALL, 0, (int32_t)(uintptr_t)&fd));
	report("path_open with a 4 GiB path",
	       (__wasi_errno_t)raw_path_open(3, 0, 16, -1, 0, (int64_t)ALL, (int64_t)ALL, 0,
					     (int32_t)(uintptr_t)&fd));
	report("path_open writing its fd beyond memory",
	       (__wasi_errno_t)raw_path_open(3, 0, (int32_t)(uintptr_t) "inside.txt", 10, 0,
					     (int64_t)ALL, (int64_t)ALL, 0,
					     (int32_t)(uintptr_t)far));
	report("fd_close 1000", __wasi_fd_close(1000));
	report("fd_renumber 3 -> 1000", __wasi_fd_renumber(3, 1000));
	printf("%d escapes\n", escaped);
	return escaped ? 1 : 0;
}
#endif /* __wasi__ */
