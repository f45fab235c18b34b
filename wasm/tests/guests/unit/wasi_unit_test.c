/* wasi_unit_test: every WASI host function called directly, as a hostile
 * guest would call it, without an interpreter. The few runtime calls WASI
 * makes (guest memory, proc_exit's wasm_exit, registration) are stood in for
 * here: guest memory is a 1 MiB array, and registration fills a table this
 * test looks functions up in.
 *
 * Golden values are WASI's own: errno numbers and struct layouts as the witx
 * definitions give them (wasi-libc's <wasi/api.h> spells out the same
 * numbers and offsets), written here as literals, never taken from wasi.h.
 * The sandbox is attacked with "..", absolute paths, links out of the
 * preopened directory (made by the host and by the guest), link loops and
 * bad pointers, and the host's file system is checked afterwards.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testkit.h"
#include "wasi.h"

/* WASI errno values from the witx definition. */
enum {
	E_SUCCESS = 0,
	E_BADF = 8,
	E_EXIST = 20,
	E_FAULT = 21,
	E_INVAL = 28,
	E_ISDIR = 31,
	E_LOOP = 32,
	E_NOENT = 44,
	E_NOSYS = 52,
	E_NOTDIR = 54,
	E_NOTEMPTY = 55,
	E_NOTCAPABLE = 76,
};

/* ---- a stand-in for the runtime ------------------------------------------------ */

#define MEM_SIZE (1u << 20)
static uint8_t mem[MEM_SIZE];
static int exit_code = -1;

struct wasm_exec {
	int unused;
};

uint8_t *wasm_exec_memory(const wasm_exec *ex, uint64_t *size)
{
	(void)ex;
	*size = MEM_SIZE;
	return mem;
}

static bool stop_flag;

bool wasm_exec_stop_requested(const wasm_exec *ex)
{
	(void)ex;
	return stop_flag;
}

wasm_result wasm_exit(wasm_exec *ex, int code)
{
	(void)ex;
	exit_code = code;
	return WASM_EXIT;
}

static struct {
	char name[40];
	char sig[16];
	wasm_host_fn fn;
	void *env;
} fns[64];
static int nfns;

int wasm_imports_add_func_sig(wasm_imports *im, const char *module, const char *name,
			      const char *sig, wasm_host_fn fn, void *env)
{
	(void)im;
	TK_REQUIRE(strcmp(module, "wasi_snapshot_preview1") == 0, "module %s", module);
	TK_REQUIRE(nfns < 64, "too many functions");
	snprintf(fns[nfns].name, sizeof(fns[nfns].name), "%s", name);
	snprintf(fns[nfns].sig, sizeof(fns[nfns].sig), "%s", sig);
	fns[nfns].fn = fn;
	fns[nfns].env = env;
	nfns++;
	return 0;
}

static wasm_exec the_exec;

/* Calls WASI function name with raw arguments; returns its errno result. */
static int64_t call(const char *name, int nargs, ...)
{
	uint64_t args[16] = {0}, res[1] = {0};
	va_list ap;
	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		args[i] = va_arg(ap, uint64_t);
	va_end(ap);
	for (int i = 0; i < nfns; i++) {
		if (strcmp(fns[i].name, name) == 0) {
			/* The signature's parameter count must match the witx's. */
			const char *colon = strchr(fns[i].sig, ':');
			TK_CHECK(colon && colon - fns[i].sig == nargs, "%s: sig %s, called with %d",
				 name, fns[i].sig, nargs);
			wasm_result r = fns[i].fn(&the_exec, fns[i].env, args, res);
			if (r == WASM_EXIT)
				return -2;
			TK_CHECK(r == WASM_OK, "%s returned %d", name, r);
			return (int64_t)(uint32_t)res[0];
		}
	}
	TK_CHECK(0, "no function %s registered", name);
	return -1;
}
#define A(x) ((uint64_t)(x))

/* Calls a WASI function and returns the wasm_result itself (for
 * WASM_STOPPED); *errno_out gets the i32 result when WASM_OK. */
static wasm_result call_raw(const char *name, const uint64_t *args, uint64_t *errno_out)
{
	for (int i = 0; i < nfns; i++)
		if (strcmp(fns[i].name, name) == 0)
			return fns[i].fn(&the_exec, fns[i].env, args, errno_out);
	TK_CHECK(0, "no function %s registered", name);
	return WASM_ERROR;
}

/* ---- guest memory helpers ------------------------------------------------------ */

/* Scratch areas of guest memory. */
enum {
	PATH = 0x1000,
	OUT = 0x2000,
	IOV = 0x3000,
	BUF = 0x4000,
	BIG = 0x10000
};

/* Guest strings are (pointer, length) pairs: no NUL is written. */
static uint32_t put_str(uint32_t at, const char *s)
{
	memcpy(mem + at, s, strlen(s)); // NOLINT(bugprone-not-null-terminated-result)
	return (uint32_t)strlen(s);
}

static uint32_t ld32(uint32_t at)
{
	return (uint32_t)mem[at] | (uint32_t)mem[at + 1] << 8 | (uint32_t)mem[at + 2] << 16 |
	       (uint32_t)mem[at + 3] << 24;
}

static uint64_t ld64(uint32_t at)
{
	return (uint64_t)ld32(at) | (uint64_t)ld32(at + 4) << 32;
}

static void st32(uint32_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		mem[at + i] = (uint8_t)(v >> (8 * i));
}

static void st64(uint32_t at, uint64_t v)
{
	st32(at, (uint32_t)v);
	st32(at + 4, (uint32_t)(v >> 32));
}

/* Every right of witx's list (bits 0 to 28): what a guest asks for when it
 * wants to do anything with a file or directory. */
#define RIGHTS_DIR ((uint64_t)0x1fffffff)
#define RIGHTS_RW  RIGHTS_DIR

/* path_open beneath dirfd; returns errno, *fd on success. */
static int64_t open_at(uint32_t dirfd, const char *path, uint32_t lookup, uint32_t oflags,
		       uint64_t rights, uint32_t *fd)
{
	uint32_t len = put_str(PATH, path);
	int64_t e = call("path_open", 9, A(dirfd), A(lookup), A(PATH), A(len), A(oflags), rights,
			 rights, A(0), A(OUT));
	if (e == 0 && fd)
		*fd = ld32(OUT);
	return e;
}

static int64_t path_call(const char *fn, uint32_t dirfd, const char *path)
{
	uint32_t len = put_str(PATH, path);
	return call(fn, 3, A(dirfd), A(PATH), A(len));
}

/* ---- the host side -------------------------------------------------------------- */

static char root[256], sandbox[300];

static void host_write(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	TK_REQUIRE(f, "cannot create %s", p);
	fputs(text, f);
	fclose(f);
}

static bool host_exists(const char *rel)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return lstat(p, &st) == 0;
}

static void host_symlink(const char *target, const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	TK_REQUIRE(symlink(target, p) == 0, "symlink %s", p);
}

static void rm_tree(const char *path)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	TK_CHECK(system(cmd) == 0, "cannot remove %s", path);
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_args_env(void)
{
	TK_CHECK(call("args_sizes_get", 2, A(OUT), A(OUT + 4)) == 0, "args_sizes_get");
	TK_CHECK(ld32(OUT) == 3, "argc %u", ld32(OUT));
	TK_CHECK(ld32(OUT + 4) == sizeof("prog") + sizeof("one") + sizeof("two words"),
		 "argv bytes %u", ld32(OUT + 4));
	TK_CHECK(call("args_get", 2, A(IOV), A(BUF)) == 0, "args_get");
	TK_CHECK(ld32(IOV) == BUF && ld32(IOV + 4) == BUF + 5 && ld32(IOV + 8) == BUF + 9,
		 "argv pointers %x %x %x", ld32(IOV), ld32(IOV + 4), ld32(IOV + 8));
	TK_CHECK(memcmp(mem + BUF, "prog\0one\0two words\0", 19) == 0, "argv strings");
	TK_CHECK(call("args_get", 2, A(MEM_SIZE - 4), A(BUF)) == E_FAULT,
		 "argv array past the end of memory");
	TK_CHECK(call("args_get", 2, A(IOV), A(MEM_SIZE - 3)) == E_FAULT,
		 "argv strings past the end of memory");
	TK_CHECK(call("environ_sizes_get", 2, A(OUT), A(OUT + 4)) == 0, "environ_sizes_get");
	TK_CHECK(ld32(OUT) == 1 && ld32(OUT + 4) == sizeof("K=V"), "env %u %u", ld32(OUT),
		 ld32(OUT + 4));
	TK_CHECK(call("environ_get", 2, A(IOV), A(BUF)) == 0 && memcmp(mem + BUF, "K=V", 4) == 0,
		 "environ_get");
}

static void test_clocks_random_poll(void)
{
	TK_CHECK(call("clock_time_get", 3, A(1), A(1), A(OUT)) == 0, "monotonic");
	uint64_t t0 = ld64(OUT);
	TK_CHECK(call("clock_time_get", 3, A(1), A(1), A(OUT)) == 0 && ld64(OUT) >= t0,
		 "monotonic goes back");
	TK_CHECK(call("clock_time_get", 3, A(0), A(1), A(OUT)) == 0 &&
			 ld64(OUT) > UINT64_C(1577836800000000000),
		 "realtime before 2020");
	TK_CHECK(call("clock_time_get", 3, A(9), A(1), A(OUT)) == E_INVAL, "clock 9 exists");
	for (uint32_t id = 0; id < 4; id++)
		TK_CHECK(call("clock_res_get", 2, A(id), A(OUT)) == 0 && ld64(OUT) > 0,
			 "clock_res_get %u", id);
	TK_CHECK(call("clock_time_get", 3, A(1), A(1), A(MEM_SIZE - 7)) == E_FAULT,
		 "time written past the end");

	memset(mem + BUF, 0, 64);
	TK_CHECK(call("random_get", 2, A(BUF), A(64)) == 0, "random_get");
	int zeros = 0;
	for (int i = 0; i < 64; i++)
		zeros += mem[BUF + i] == 0;
	TK_CHECK(zeros < 16, "random_get left %d of 64 bytes zero", zeros);
	TK_CHECK(call("random_get", 2, A(MEM_SIZE - 8), A(64)) == E_FAULT, "random past the end");

	/* One relative clock subscription of 1 ms (layout: userdata @0, tag @8,
	 * clock id @16, timeout @24, precision @32, flags @40; events 32 bytes:
	 * userdata @0, error @8, type @10). */
	memset(mem + BUF, 0, 48);
	st64(BUF, 0x1122334455667788ull);
	mem[BUF + 8] = 0;
	st32(BUF + 16, 1);
	st64(BUF + 24, 1000000);
	memset(mem + OUT, 0xff, 64);
	TK_CHECK(call("poll_oneoff", 4, A(BUF), A(OUT), A(1), A(IOV)) == 0, "poll_oneoff");
	TK_CHECK(ld32(IOV) == 1, "events %u", ld32(IOV));
	TK_CHECK(ld64(OUT) == 0x1122334455667788ull && mem[OUT + 8] == 0 && mem[OUT + 9] == 0 &&
			 mem[OUT + 10] == 0,
		 "clock event wrong");
	/* A read subscription on the preopened directory (always ready) and on
	 * a bad fd: both answer at once. */
	memset(mem + BUF, 0, 96);
	st64(BUF, 7);
	mem[BUF + 8] = 1;
	st32(BUF + 16, 3);
	st64(BUF + 48, 8);
	mem[BUF + 56] = 1;
	st32(BUF + 64, 999);
	TK_CHECK(call("poll_oneoff", 4, A(BUF), A(OUT), A(2), A(IOV)) == 0, "poll fds");
	TK_CHECK(ld32(IOV) >= 1, "no event");
	bool bad_seen = false;
	for (uint32_t i = 0; i < ld32(IOV); i++)
		if (ld64(OUT + 32 * i) == 8)
			bad_seen = mem[OUT + 32 * i + 8] == E_BADF;
	TK_CHECK(bad_seen, "fd 999 not reported EBADF");
	TK_CHECK(call("poll_oneoff", 4, A(BUF), A(OUT), A(0), A(IOV)) == E_INVAL, "0 subs");
	TK_CHECK(call("poll_oneoff", 4, A(MEM_SIZE - 40), A(OUT), A(1), A(IOV)) == E_FAULT,
		 "subscriptions past the end");
}

static void test_prestat(void)
{
	TK_CHECK(call("fd_prestat_get", 2, A(3), A(OUT)) == 0, "prestat 3");
	TK_CHECK(mem[OUT] == 0 && ld32(OUT + 4) == strlen("/sandbox"), "prestat tag %u len %u",
		 mem[OUT], ld32(OUT + 4));
	TK_CHECK(call("fd_prestat_dir_name", 3, A(3), A(BUF), A(8)) == 0 &&
			 memcmp(mem + BUF, "/sandbox", 8) == 0,
		 "dir name");
	TK_CHECK(call("fd_prestat_dir_name", 3, A(3), A(BUF), A(3)) != 0, "short buffer");
	TK_CHECK(call("fd_prestat_get", 2, A(4), A(OUT)) == E_BADF, "fd 4 is no preopen");
	TK_CHECK(call("fd_prestat_get", 2, A(1), A(OUT)) == E_BADF, "stdout is no preopen");
}

static void test_files(wasi_ctx *w)
{
	uint32_t fd;
	TK_REQUIRE(open_at(3, "new.txt", 1, 1 | 8, RIGHTS_RW, &fd) == 0, "create new.txt");
	/* Two iovecs: "hello, " and "world". */
	memcpy(mem + BUF, "hello, world", 12);
	st32(IOV, BUF);
	st32(IOV + 4, 7);
	st32(IOV + 8, BUF + 7);
	st32(IOV + 12, 5);
	TK_CHECK(call("fd_write", 4, A(fd), A(IOV), A(2), A(OUT)) == 0 && ld32(OUT) == 12,
		 "fd_write %u", ld32(OUT));
	uint64_t off = 0;
	TK_CHECK(wasi_fd_offset(w, fd, &off) == 0 && off == 12, "offset %llu",
		 (unsigned long long)off);
	TK_CHECK(call("fd_tell", 2, A(fd), A(OUT)) == 0 && ld64(OUT) == 12, "tell");
	TK_CHECK(call("fd_seek", 4, A(fd), (uint64_t)-5, A(1), A(OUT)) == 0 && ld64(OUT) == 7,
		 "seek cur -5 -> %llu", (unsigned long long)ld64(OUT));
	st32(IOV, BUF + 100);
	st32(IOV + 4, 50);
	TK_CHECK(call("fd_read", 4, A(fd), A(IOV), A(1), A(OUT)) == 0 && ld32(OUT) == 5 &&
			 memcmp(mem + BUF + 100, "world", 5) == 0,
		 "fd_read");
	TK_CHECK(call("fd_seek", 4, A(fd), A(0), A(7), A(OUT)) == E_INVAL, "whence 7");
	st32(IOV, BUF);
	st32(IOV + 4, 5);
	memcpy(mem + BUF, "HELLO", 5);
	TK_CHECK(call("fd_pwrite", 5, A(fd), A(IOV), A(1), A(0), A(OUT)) == 0 && ld32(OUT) == 5,
		 "pwrite");
	TK_CHECK(call("fd_pread", 5, A(fd), A(IOV), A(1), A(7), A(OUT)) == 0 &&
			 memcmp(mem + BUF, "world", 5) == 0,
		 "pread");
	/* An iovec that runs past the end of memory, and too many iovecs. */
	st32(IOV, MEM_SIZE - 2);
	st32(IOV + 4, 5);
	TK_CHECK(call("fd_write", 4, A(fd), A(IOV), A(1), A(OUT)) == E_FAULT, "iovec past end");
	TK_CHECK(call("fd_write", 4, A(fd), A(MEM_SIZE - 4), A(1), A(OUT)) == E_FAULT,
		 "iovec array past end");
	TK_CHECK(call("fd_write", 4, A(fd), A(IOV), A(100000), A(OUT)) != 0, "100000 iovecs");
	/* filestat: filetype @16, size @32. */
	TK_CHECK(call("fd_filestat_get", 2, A(fd), A(BUF)) == 0, "fd_filestat_get");
	TK_CHECK(mem[BUF + 16] == 4 && ld64(BUF + 32) == 12, "type %u size %llu", mem[BUF + 16],
		 (unsigned long long)ld64(BUF + 32));
	TK_CHECK(call("fd_filestat_set_size", 2, A(fd), A(3)) == 0, "set_size");
	TK_CHECK(call("fd_filestat_get", 2, A(fd), A(BUF)) == 0 && ld64(BUF + 32) == 3, "size 3");
	TK_CHECK(call("fd_filestat_set_times", 4, A(fd), A(0), A(1234567890000000000ull), A(4)) ==
			 0,
		 "set mtime");
	TK_CHECK(call("fd_filestat_get", 2, A(fd), A(BUF)) == 0 &&
			 ld64(BUF + 48) == 1234567890000000000ull,
		 "mtime %llu", (unsigned long long)ld64(BUF + 48));
	TK_CHECK(call("fd_filestat_set_times", 4, A(fd), A(0), A(0), A(1 | 2)) == E_INVAL,
		 "ATIM with ATIM_NOW");
	/* MTIM_NOW (8): the host's now, after 2020. */
	TK_CHECK(call("fd_filestat_set_times", 4, A(fd), A(0), A(0), A(8)) == 0, "MTIM_NOW");
	TK_CHECK(call("fd_filestat_get", 2, A(fd), A(BUF)) == 0 &&
			 ld64(BUF + 48) > UINT64_C(1577836800000000000),
		 "mtime after MTIM_NOW %llu", (unsigned long long)ld64(BUF + 48));
	/* fdstat: filetype @0, flags @2, rights @8. */
	TK_CHECK(call("fd_fdstat_get", 2, A(fd), A(BUF)) == 0 && mem[BUF] == 4, "fdstat");
	TK_CHECK(call("fd_fdstat_set_flags", 2, A(fd), A(1)) == 0, "set APPEND");
	TK_CHECK(call("fd_fdstat_get", 2, A(fd), A(BUF)) == 0 && (ld32(BUF + 2) & 0xffff) == 1,
		 "APPEND not shown");
	TK_CHECK(call("fd_sync", 1, A(fd)) == 0 && call("fd_datasync", 1, A(fd)) == 0, "sync");
	TK_CHECK(call("fd_advise", 4, A(fd), A(0), A(0), A(1)) == 0, "advise");
	TK_CHECK(call("fd_advise", 4, A(fd), A(0), A(0), A(9)) == E_INVAL, "advice 9");
	TK_CHECK(call("fd_allocate", 3, A(fd), A(0), A(4096)) == 0, "allocate");
	/* Rights only shrink; a file without FD_WRITE cannot be written. */
	TK_CHECK(call("fd_fdstat_set_rights", 3, A(fd), A(1u << 1), A(0)) == 0, "drop rights");
	TK_CHECK(call("fd_fdstat_set_rights", 3, A(fd), A(RIGHTS_RW), A(0)) == E_NOTCAPABLE,
		 "rights grew back");
	st32(IOV, BUF);
	st32(IOV + 4, 1);
	TK_CHECK(call("fd_write", 4, A(fd), A(IOV), A(1), A(OUT)) == E_NOTCAPABLE,
		 "write without FD_WRITE");
	/* renumber onto stdin, then close. */
	TK_CHECK(call("fd_renumber", 2, A(fd), A(0)) == 0, "renumber");
	TK_CHECK(call("fd_close", 1, A(fd)) == E_BADF, "old number still open");
	TK_CHECK(w->fds[0].guest_path && strcmp(w->fds[0].guest_path, "/sandbox/new.txt") == 0,
		 "guest path recorded: %s", w->fds[0].guest_path ? w->fds[0].guest_path : "(null)");
	TK_CHECK(call("fd_close", 1, A(0)) == 0, "close");
	TK_CHECK(call("fd_close", 1, A(0)) == E_BADF, "close twice");
	TK_CHECK(call("fd_renumber", 2, A(50), A(1)) == E_BADF, "renumber a bad fd");

	TK_CHECK(open_at(3, "new.txt", 1, 1 | 4, RIGHTS_RW, NULL) == E_EXIST, "O_EXCL");
	TK_CHECK(open_at(3, "nothere", 1, 0, RIGHTS_RW, NULL) == E_NOENT, "missing");
	TK_CHECK(open_at(3, "new.txt", 1, 2, RIGHTS_RW, NULL) == E_NOTDIR, "O_DIRECTORY on file");
	TK_CHECK(open_at(3, "sub", 1, 0, RIGHTS_RW, NULL) == E_ISDIR, "dir for writing");
	TK_CHECK(open_at(1, "x", 1, 1, RIGHTS_RW, NULL) == E_NOTDIR, "path_open on stdout");
	TK_CHECK(open_at(77, "x", 1, 1, RIGHTS_RW, NULL) == E_BADF, "path_open on a bad fd");
}

/* A directory fd with only PATH_OPEN (bit 13) and FD_READDIR (bit 14),
 * passing on only FD_READ (bit 1): path calls that need other rights are
 * refused, and what it opens cannot be written. */
static void test_dir_rights(void)
{
	uint32_t len = put_str(PATH, "sub");
	TK_REQUIRE(call("path_open", 9, A(3), A(1), A(PATH), A(len), A(2),
			A((1u << 13) | (1u << 14)), A(1u << 1), A(0), A(OUT)) == 0,
		   "open sub with few rights");
	uint32_t d = ld32(OUT);
	TK_CHECK(path_call("path_create_directory", d, "nope") == E_NOTCAPABLE,
		 "mkdir without PATH_CREATE_DIRECTORY");
	TK_CHECK(path_call("path_unlink_file", d, "nope") == E_NOTCAPABLE,
		 "unlink without PATH_UNLINK_FILE");
	TK_CHECK(open_at(d, "made.txt", 1, 1, RIGHTS_RW, NULL) == E_NOTCAPABLE,
		 "create without PATH_CREATE_FILE");
	uint32_t f;
	TK_REQUIRE(open_at(3, "sub/plain.txt", 1, 1, RIGHTS_RW, &f) == 0, "make sub/plain.txt");
	call("fd_close", 1, A(f));
	TK_REQUIRE(open_at(d, "plain.txt", 1, 0, RIGHTS_RW, &f) == 0, "open through it");
	TK_CHECK(call("fd_fdstat_get", 2, A(f), A(BUF)) == 0 && ld64(BUF + 8) == (1u << 1),
		 "rights %llx, expected only FD_READ", (unsigned long long)ld64(BUF + 8));
	st32(IOV, BUF);
	st32(IOV + 4, 1);
	TK_CHECK(call("fd_write", 4, A(f), A(IOV), A(1), A(OUT)) == E_NOTCAPABLE,
		 "write through a read-only inheritance");
	call("fd_close", 1, A(f));
	call("fd_close", 1, A(d));
}

static void test_dirs(void)
{
	TK_CHECK(path_call("path_create_directory", 3, "d1") == 0, "mkdir");
	TK_CHECK(path_call("path_create_directory", 3, "d1") == E_EXIST, "mkdir twice");
	TK_CHECK(path_call("path_create_directory", 3, "d1/d2/") == 0, "mkdir with slash");
	TK_CHECK(host_exists("sandbox/d1/d2"), "d1/d2 not on the host");
	TK_CHECK(path_call("path_remove_directory", 3, "d1") == E_NOTEMPTY, "rmdir non-empty");
	TK_CHECK(path_call("path_unlink_file", 3, "new.txt") == 0, "unlink");
	TK_CHECK(path_call("path_unlink_file", 3, "new.txt") == E_NOENT, "unlink twice");
	TK_CHECK(path_call("path_remove_directory", 3, "d1/d2") == 0, "rmdir");

	/* rename and link: both paths beneath (possibly different) dir fds. */
	uint32_t l1 = put_str(PATH, "file.txt"), l2 = put_str(PATH + 100, "renamed.txt");
	TK_CHECK(call("path_rename", 6, A(3), A(PATH), A(l1), A(3), A(PATH + 100), A(l2)) == 0,
		 "rename");
	TK_CHECK(host_exists("sandbox/renamed.txt") && !host_exists("sandbox/file.txt"), "renamed");
	l1 = put_str(PATH, "renamed.txt");
	l2 = put_str(PATH + 100, "sub/hard.txt");
	TK_CHECK(call("path_link", 7, A(3), A(0), A(PATH), A(l1), A(3), A(PATH + 100), A(l2)) == 0,
		 "link");
	l1 = put_str(PATH, "renamed.txt");
	TK_CHECK(call("path_filestat_get", 5, A(3), A(0), A(PATH), A(l1), A(BUF)) == 0 &&
			 ld64(BUF + 24) == 2,
		 "nlink %llu", (unsigned long long)ld64(BUF + 24));
	/* symlink + readlink. */
	l1 = put_str(PATH, "renamed.txt");
	l2 = put_str(PATH + 100, "sym");
	TK_CHECK(call("path_symlink", 5, A(PATH), A(l1), A(3), A(PATH + 100), A(l2)) == 0,
		 "symlink");
	TK_CHECK(call("path_readlink", 6, A(3), A(PATH + 100), A(l2), A(BUF), A(64), A(OUT)) == 0 &&
			 ld32(OUT) == 11 && memcmp(mem + BUF, "renamed.txt", 11) == 0,
		 "readlink");
	TK_CHECK(call("path_readlink", 6, A(3), A(PATH + 100), A(l2), A(BUF), A(4), A(OUT)) == 0 &&
			 ld32(OUT) == 4,
		 "readlink truncates to the buffer");
	/* filestat without and with following: link (7) vs regular file (4). */
	TK_CHECK(call("path_filestat_get", 5, A(3), A(0), A(PATH + 100), A(l2), A(BUF)) == 0 &&
			 mem[BUF + 16] == 7,
		 "lstat type %u", mem[BUF + 16]);
	TK_CHECK(call("path_filestat_get", 5, A(3), A(1), A(PATH + 100), A(l2), A(BUF)) == 0 &&
			 mem[BUF + 16] == 4,
		 "stat type %u", mem[BUF + 16]);
	TK_CHECK(call("path_filestat_set_times", 7, A(3), A(1), A(PATH + 100), A(l2),
		      A(1000000000000000000ull), A(0), A(1)) == 0,
		 "set atime through the link");
	TK_CHECK(call("path_filestat_get", 5, A(3), A(1), A(PATH + 100), A(l2), A(BUF)) == 0 &&
			 ld64(BUF + 40) == 1000000000000000000ull,
		 "atime %llu", (unsigned long long)ld64(BUF + 40));
}

/* Reads the whole directory with a buffer of bufsize bytes, following
 * cookies; returns the names joined with '/', sorted by the kernel's order. */
static void read_dir(uint32_t fd, uint32_t bufsize, char *names, size_t cap)
{
	uint64_t cookie = 0;
	names[0] = '\0';
	for (int rounds = 0; rounds < 1000; rounds++) {
		TK_REQUIRE(call("fd_readdir", 5, A(fd), A(BIG), A(bufsize), cookie, A(OUT)) == 0,
			   "fd_readdir");
		uint32_t used = ld32(OUT), pos = 0;
		bool progressed = false;
		while (pos + 24 <= used) {
			uint32_t nlen = ld32(BIG + pos + 16);
			if (pos + 24 + nlen > used)
				break; /* cut: ask again from this cookie */
			char name[256];
			memcpy(name, mem + BIG + pos + 24, nlen);
			name[nlen] = '\0';
			if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
				size_t used_len = strlen(names);
				snprintf(names + used_len, cap - used_len, "%s/", name);
			}
			cookie = ld64(BIG + pos);
			pos += 24 + nlen;
			progressed = true;
		}
		if (used < bufsize)
			return;
		TK_REQUIRE(progressed, "buffer of %u holds no entry", bufsize);
	}
	TK_CHECK(0, "readdir did not end");
}

static void test_readdir(void)
{
	uint32_t fd;
	TK_REQUIRE(open_at(3, ".", 1, 2, RIGHTS_DIR, &fd) == 0, "open sandbox dir");
	for (int i = 0; i < 40; i++) {
		char n[64];
		snprintf(n, sizeof(n), "many/entry-%02d", i);
		if (i == 0)
			path_call("path_create_directory", 3, "many");
		uint32_t f;
		TK_REQUIRE(open_at(3, n, 1, 1, RIGHTS_RW, &f) == 0, "create %s", n);
		call("fd_close", 1, A(f));
	}
	uint32_t mfd;
	TK_REQUIRE(open_at(3, "many", 1, 2, RIGHTS_DIR, &mfd) == 0, "open many");
	static char big[8192], small[8192];
	read_dir(mfd, 60000, big, sizeof(big));
	read_dir(mfd, 50, small, sizeof(small));
	int count = 0;
	for (char *p = big; *p; p++)
		count += *p == '/';
	TK_CHECK(count == 40, "listed %d of 40 entries", count);
	TK_CHECK(strcmp(big, small) == 0, "a 50-byte buffer lists differently:\n%s\n%s", big,
		 small);
	/* filetype of entries (@20): a regular file is 4. */
	TK_CHECK(call("fd_readdir", 5, A(mfd), A(BIG), A(4096), A(0), A(OUT)) == 0, "readdir");
	bool file_seen = false;
	for (uint32_t pos = 0; pos + 24 <= ld32(OUT); pos += 24 + ld32(BIG + pos + 16))
		if (ld32(BIG + pos + 16) == 8 && memcmp(mem + BIG + pos + 24, "entry-07", 8) == 0)
			file_seen = mem[BIG + pos + 20] == 4;
	TK_CHECK(file_seen, "entry-07 not listed as a regular file");
	uint32_t f;
	TK_REQUIRE(open_at(3, "many/entry-01", 1, 0, RIGHTS_RW, &f) == 0, "open entry");
	TK_CHECK(call("fd_readdir", 5, A(f), A(BIG), A(100), A(0), A(OUT)) == E_NOTDIR,
		 "readdir of a file");
	call("fd_close", 1, A(f));
	call("fd_close", 1, A(mfd));
	call("fd_close", 1, A(fd));
}

static void test_sandbox(void)
{
	/* Host-made links that point out, and a loop. */
	host_symlink("..", "sandbox/up");
	host_symlink("/etc", "sandbox/abs");
	host_symlink("loop2", "sandbox/loop1");
	host_symlink("loop1", "sandbox/loop2");
	host_symlink("sub", "sandbox/inner");
	host_symlink("../renamed.txt", "sandbox/sub/back");
	host_symlink("../../secret.txt", "sandbox/sub/out");

	static const char *escapes[] = {
		"../secret.txt",
		"/etc/passwd",
		"sub/../../secret.txt",
		"./sub/./../../secret.txt",
		"up/secret.txt",
		"abs/passwd",
		"sub/out",
		"inner/out",
		"inner/../..",
		"..",
		"sub/../..//secret.txt",
	};
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		TK_CHECK(open_at(3, escapes[i], 1, 0, RIGHTS_RW, NULL) == E_NOTCAPABLE,
			 "open %s not refused", escapes[i]);
		TK_CHECK(open_at(3, escapes[i], 1, 1, RIGHTS_RW, NULL) == E_NOTCAPABLE,
			 "create %s not refused", escapes[i]);
	}
	TK_CHECK(open_at(3, "loop1", 1, 0, RIGHTS_RW, NULL) == E_LOOP, "link loop");
	TK_CHECK(open_at(3, "up", 0, 0, RIGHTS_RW, NULL) == E_LOOP,
		 "a final link opened without SYMLINK_FOLLOW");
	uint32_t fd;
	TK_CHECK(open_at(3, "sub/back", 1, 0, RIGHTS_RW, &fd) == 0, "a link within the sandbox");
	TK_CHECK(open_at(3, "inner/../renamed.txt", 1, 0, RIGHTS_RW, NULL) == 0,
		 ".. after a link to a directory goes back to where the link is");
	TK_CHECK(open_at(3, "inner/new-in-sub.txt", 1, 1, RIGHTS_RW, NULL) == 0, "create via link");
	TK_CHECK(host_exists("sandbox/sub/new-in-sub.txt"), "not created in sub");

	/* Other path calls. */
	TK_CHECK(path_call("path_create_directory", 3, "../evil") == E_NOTCAPABLE, "mkdir ..");
	TK_CHECK(path_call("path_create_directory", 3, "up/evil") == E_NOTCAPABLE, "mkdir via up");
	TK_CHECK(path_call("path_unlink_file", 3, "../secret.txt") == E_NOTCAPABLE, "unlink ..");
	TK_CHECK(path_call("path_unlink_file", 3, "up/secret.txt") == E_NOTCAPABLE, "unlink up/");
	TK_CHECK(path_call("path_remove_directory", 3, "up/sandbox") == E_NOTCAPABLE, "rmdir up/");
	uint32_t l1 = put_str(PATH, "renamed.txt"), l2 = put_str(PATH + 100, "../stolen.txt");
	TK_CHECK(call("path_rename", 6, A(3), A(PATH), A(l1), A(3), A(PATH + 100), A(l2)) ==
			 E_NOTCAPABLE,
		 "rename out");
	l1 = put_str(PATH, "up/secret.txt");
	l2 = put_str(PATH + 100, "got-it.txt");
	TK_CHECK(call("path_link", 7, A(3), A(1), A(PATH), A(l1), A(3), A(PATH + 100), A(l2)) ==
			 E_NOTCAPABLE,
		 "hard link to outside");
	TK_CHECK(call("path_rename", 6, A(3), A(PATH), A(l1), A(3), A(PATH + 100), A(l2)) ==
			 E_NOTCAPABLE,
		 "rename from outside");
	l1 = put_str(PATH, "/etc/passwd");
	l2 = put_str(PATH + 100, "pw");
	TK_CHECK(call("path_symlink", 5, A(PATH), A(l1), A(3), A(PATH + 100), A(l2)) ==
			 E_NOTCAPABLE,
		 "symlink to an absolute path");
	l1 = put_str(PATH, "../secret.txt");
	l2 = put_str(PATH + 100, "guest-up");
	TK_CHECK(call("path_symlink", 5, A(PATH), A(l1), A(3), A(PATH + 100), A(l2)) == 0,
		 "a relative link may be made");
	TK_CHECK(open_at(3, "guest-up", 1, 0, RIGHTS_RW, NULL) == E_NOTCAPABLE,
		 "but not followed out");
	l1 = put_str(PATH, "../secret.txt");
	TK_CHECK(call("path_filestat_get", 5, A(3), A(0), A(PATH), A(l1), A(BUF)) == E_NOTCAPABLE,
		 "stat ..");
	l1 = put_str(PATH, "up");
	TK_CHECK(call("path_readlink", 6, A(3), A(PATH), A(l1), A(BUF), A(64), A(OUT)) == 0,
		 "reading a link's text is allowed");
	TK_CHECK(call("path_filestat_set_times", 7, A(3), A(1), A(PATH), A(l1), A(0), A(0), A(2)) ==
			 E_NOTCAPABLE,
		 "touch through up");

	/* Malformed paths. */
	memcpy(mem + PATH, "a\0b", 3); // NOLINT(bugprone-not-null-terminated-result)
	TK_CHECK(call("path_open", 9, A(3), A(1), A(PATH), A(3), A(0), A(RIGHTS_RW), A(RIGHTS_RW),
		      A(0), A(OUT)) == E_INVAL,
		 "embedded NUL");
	TK_CHECK(call("path_open", 9, A(3), A(1), A(MEM_SIZE - 2), A(10), A(0), A(RIGHTS_RW),
		      A(RIGHTS_RW), A(0), A(OUT)) == E_FAULT,
		 "path past the end of memory");
	TK_CHECK(call("path_open", 9, A(3), A(1), A(PATH), A(0xffffffffu), A(0), A(RIGHTS_RW),
		      A(RIGHTS_RW), A(0), A(OUT)) == E_FAULT,
		 "path of 4 GiB");
	TK_CHECK(call("path_open", 9, A(3), A(1), A(PATH), A(0), A(0), A(RIGHTS_RW), A(RIGHTS_RW),
		      A(0), A(OUT)) == E_NOENT,
		 "empty path");
	static char deep[8000];
	for (size_t i = 0; i + 2 < sizeof(deep); i += 2)
		memcpy(deep + i, "a/", 2);
	deep[sizeof(deep) - 2] = 'a';
	deep[sizeof(deep) - 1] = '\0';
	TK_CHECK(open_at(3, deep, 1, 0, RIGHTS_RW, NULL) != 0, "8000-byte path");

	/* Nothing outside changed. */
	TK_CHECK(!host_exists("evil") && !host_exists("stolen.txt") && !host_exists("got-it.txt"),
		 "something was made outside the sandbox");
	char p[512];
	snprintf(p, sizeof(p), "%s/secret.txt", root);
	FILE *f = fopen(p, "r");
	char text[32] = {0};
	TK_CHECK(f && fgets(text, sizeof(text), f) && strcmp(text, "secret") == 0,
		 "the secret changed");
	if (f)
		fclose(f);
}

/* ".." after many levels lands where it should: 40 levels down, 36 up,
 * to a file made at level 4; then 41 up is out. */
static void test_deep_dotdot(void)
{
	char p[512] = "deep";
	TK_REQUIRE(path_call("path_create_directory", 3, p) == 0, "mkdir deep");
	for (int i = 1; i < 40; i++) {
		strcat(p, "/d"); // NOLINT(clang-analyzer-security.insecureAPI.strcpy)
		TK_REQUIRE(path_call("path_create_directory", 3, p) == 0, "mkdir level %d", i);
	}
	uint32_t f;
	TK_REQUIRE(open_at(3, "deep/d/d/d/marker", 1, 1, RIGHTS_RW, &f) == 0, "marker");
	call("fd_close", 1, A(f));
	char q[1024];
	size_t n = (size_t)snprintf(q, sizeof(q), "%s", p);
	for (int i = 0; i < 36; i++)
		n += (size_t)snprintf(q + n, sizeof(q) - n, "/..");
	snprintf(q + n, sizeof(q) - n, "/marker");
	TK_CHECK(open_at(3, q, 1, 0, RIGHTS_RW, NULL) == 0, "36 levels back up: %s", q);
	n = (size_t)snprintf(q, sizeof(q), "%s", p);
	for (int i = 0; i < 41; i++)
		n += (size_t)snprintf(q + n, sizeof(q) - n, "/..");
	TK_CHECK(open_at(3, q, 1, 0, RIGHTS_RW, NULL) == E_NOTCAPABLE, "41 levels up is out");
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A waiting poll_oneoff and wasi_ctx.interrupt: the call returns
 * WASM_STOPPED and keeps its deadline; re-issued, it waits for that
 * deadline, not a fresh one. Deterministic: no assertion on durations. */
static void test_poll_interrupt(wasi_ctx *w)
{
	/* A 200 ms relative clock subscription. */
	memset(mem + BUF, 0, 48);
	st64(BUF, 42);
	st32(BUF + 16, 1);
	st64(BUF + 24, 200000000);
	uint64_t args[4] = {BUF, OUT, 1, IOV}, res = 0;
	w->interrupt = 1;
	int64_t before = mono_ns();
	wasm_result r = call_raw("poll_oneoff", args, &res);
	int64_t after = mono_ns();
	TK_CHECK(r == WASM_STOPPED, "interrupted sleep returned %d", r);
	TK_CHECK(w->poll_pending && w->poll_in == BUF && w->poll_nsubs == 1,
		 "no pending call kept");
	TK_CHECK(w->poll_deadline_ns >= before + 200000000 &&
			 w->poll_deadline_ns <= after + 200000000,
		 "deadline %lld not 200 ms after the call (%lld..%lld)",
		 (long long)w->poll_deadline_ns, (long long)before, (long long)after);
	/* Re-issued with the deadline already past: done at once, even with
	 * interrupt still set (a fresh 200 ms deadline would stop again). */
	w->poll_deadline_ns = before;
	r = call_raw("poll_oneoff", args, &res);
	TK_CHECK(r == WASM_OK && res == 0 && ld32(IOV) == 1 && ld64(OUT) == 42 &&
			 mem[OUT + 10] == 0,
		 "re-issued call: result %d errno %llu events %u", r, (unsigned long long)res,
		 ld32(IOV));
	TK_CHECK(!w->poll_pending, "pending call not cleared");

	/* Waiting on a pipe with nothing in it: stopped; with data: ready. The
	 * pipe goes in through wasi_fd_install, as a restore would do it. */
	int p[2];
	TK_REQUIRE(pipe(p) == 0, "pipe");
	wasi_fd meta = {.filetype = 0, .rights_base = RIGHTS_RW, .preopen = -1};
	TK_REQUIRE(wasi_fd_install(w, 20, p[0], &meta) == 0, "install fd 20");
	memset(mem + BUF, 0, 48);
	st64(BUF, 7);
	mem[BUF + 8] = 1;
	st32(BUF + 16, 20);
	r = call_raw("poll_oneoff", args, &res);
	TK_CHECK(r == WASM_STOPPED, "interrupted fd wait returned %d", r);
	TK_CHECK(write(p[1], "x", 1) == 1, "write to the pipe");
	w->interrupt = 0;
	r = call_raw("poll_oneoff", args, &res);
	TK_CHECK(r == WASM_OK && res == 0 && ld32(IOV) == 1 && ld64(OUT) == 7 && mem[OUT + 10] == 1,
		 "fd event: result %d errno %llu", r, (unsigned long long)res);
	/* fd_read of the (now empty again) pipe with a stop requested in the
	 * runtime: stopped; then the data is read once the stop is over. */
	st32(IOV, BUF + 200);
	st32(IOV + 4, 8);
	uint64_t rargs[4] = {20, IOV, 1, OUT};
	char c;
	TK_CHECK(read(p[0], &c, 1) == 1, "drain the pipe");
	stop_flag = true;
	r = call_raw("fd_read", rargs, &res);
	TK_CHECK(r == WASM_STOPPED, "blocked read with a stop requested returned %d", r);
	TK_CHECK(write(p[1], "yz", 2) == 2, "write to the pipe");
	stop_flag = false;
	r = call_raw("fd_read", rargs, &res);
	TK_CHECK(
		r == WASM_OK && res == 0 && ld32(OUT) == 2 && memcmp(mem + BUF + 200, "yz", 2) == 0,
		"re-issued read: result %d errno %llu n %u", r, (unsigned long long)res, ld32(OUT));
	/* A sleep gives way to the runtime's stop flag as to interrupt. */
	memset(mem + BUF, 0, 48);
	st64(BUF, 43);
	st32(BUF + 16, 1);
	st64(BUF + 24, 200000000);
	stop_flag = true;
	r = call_raw("poll_oneoff", args, &res);
	TK_CHECK(r == WASM_STOPPED, "sleep with a stop requested returned %d", r);
	stop_flag = false;
	w->poll_pending = false;
	close(p[1]);
	TK_CHECK(call("fd_close", 1, A(20)) == 0, "close fd 20");
}

/* The restore side: reopen a file beneath a preopen at a chosen number and
 * offset, with the recorded metadata; and the sandbox holds for it too. */
static void test_reopen(wasi_ctx *w)
{
	uint32_t f;
	TK_REQUIRE(open_at(3, "sub/reopen.txt", 1, 1 | 8, RIGHTS_RW, &f) == 0, "create");
	memcpy(mem + BUF, "0123456789", 10);
	st32(IOV, BUF);
	st32(IOV + 4, 10);
	TK_CHECK(call("fd_write", 4, A(f), A(IOV), A(1), A(OUT)) == 0, "write");
	wasi_fd meta = w->fds[f];
	meta.guest_path = NULL; /* freed by the close below; reopen records its own */
	TK_CHECK(wasi_fd_close(w, f) == 0 && wasi_fd_close(w, f) == WASI_EBADF, "wasi_fd_close");
	TK_CHECK(wasi_fd_reopen(w, 40, 3, "sub/reopen.txt", 0, 1, &meta, 4) == 0, "reopen at 40");
	TK_CHECK(call("fd_tell", 2, A(40), A(OUT)) == 0 && ld64(OUT) == 4, "offset %llu",
		 (unsigned long long)ld64(OUT));
	st32(IOV + 4, 3);
	TK_CHECK(call("fd_read", 4, A(40), A(IOV), A(1), A(OUT)) == 0 && ld32(OUT) == 3 &&
			 memcmp(mem + BUF, "456", 3) == 0,
		 "read after reopen");
	TK_CHECK(w->fds[40].guest_path &&
			 strcmp(w->fds[40].guest_path, "/sandbox/sub/reopen.txt") == 0,
		 "guest path %s", w->fds[40].guest_path ? w->fds[40].guest_path : "(null)");
	TK_CHECK(w->fds[40].rights_base == meta.rights_base, "rights not kept");
	TK_CHECK(wasi_fd_reopen(w, 41, 3, "../secret.txt", 0, 1, &meta, 0) == WASI_ENOTCAPABLE,
		 "reopen outside");
	TK_CHECK(wasi_fd_reopen(w, 41, 3, "sub/none.txt", 0, 1, &meta, 0) == WASI_ENOENT,
		 "reopen missing");
	TK_CHECK(wasi_fd_reopen(w, 3, 3, "sub/reopen.txt", 0, 1, &meta, 0) == WASI_EINVAL,
		 "reopen over its own directory");
	TK_CHECK(wasi_fd_close(w, 40) == 0, "close 40");
}

static void test_exit_and_stubs(wasi_ctx *w)
{
	TK_CHECK(call("proc_raise", 1, A(9)) == E_NOSYS, "proc_raise");
	TK_CHECK(call("sched_yield", 0) == 0, "sched_yield");
	TK_CHECK(call("proc_exit", 1, A(42)) == -2 && exit_code == 42 && w->exited &&
			 w->exit_code == 42,
		 "proc_exit");
}

int main(void)
{
	snprintf(root, sizeof(root), "/tmp/wasi-unit-XXXXXX");
	TK_REQUIRE(mkdtemp(root), "mkdtemp");
	snprintf(sandbox, sizeof(sandbox), "%s/sandbox", root);
	TK_REQUIRE(mkdir(sandbox, 0755) == 0, "mkdir sandbox");
	host_write("secret.txt", "secret");
	host_write("sandbox/file.txt", "inside");
	char sub[400];
	snprintf(sub, sizeof(sub), "%s/sub", sandbox);
	TK_REQUIRE(mkdir(sub, 0755) == 0, "mkdir sub");

	const char *argv[] = {"prog", "one", "two words"};
	const char *envp[] = {"K=V"};
	wasi_preopen pre = {.host_path = sandbox, .guest_path = "/sandbox"};
	wasi_config cfg;
	wasi_config_init(&cfg);
	cfg.argc = 3;
	cfg.argv = argv;
	cfg.envc = 1;
	cfg.envp = envp;
	cfg.npreopens = 1;
	cfg.preopens = &pre;
	char err[256];
	wasi_ctx *w = wasi_new(&cfg, err, sizeof(err));
	TK_REQUIRE(w, "wasi_new: %s", err);
	TK_REQUIRE(wasi_add_imports(w, (wasm_imports *)&the_exec, err, sizeof(err)) == 0, "%s",
		   err);
	TK_CHECK(nfns >= 45, "only %d functions registered", nfns);

	wasi_preopen bad = {.host_path = "/nonexistent/dir", .guest_path = "/x"};
	cfg.preopens = &bad;
	wasi_ctx *w2 = wasi_new(&cfg, err, sizeof(err));
	TK_CHECK(!w2 && strstr(err, "/nonexistent/dir"), "bad preopen: %s", err);
	wasi_free(w2);

	test_args_env();
	test_clocks_random_poll();
	test_prestat();
	test_files(w);
	test_dirs();
	test_dir_rights();
	test_readdir();
	test_sandbox();
	test_deep_dotdot();
	test_poll_interrupt(w);
	test_reopen(w);
	test_exit_and_stubs(w);
	wasi_free(w);
	rm_tree(root);
	return tk_finish();
}
