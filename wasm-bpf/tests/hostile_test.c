/* hostile_test.c: the host against a hostile guest (hostile.c): every
 * out-of-range pointer or length, corrupt object, unknown program or map
 * name, forged handle, foreign fd and bad attach target gets its error code
 * and a log line naming the problem; the host does not crash, and writes no
 * guest byte it was not allowed to (the guest checks its canaries). A trap
 * in a sample_func ends the call as a trap and leaves the host usable.
 * The cases that load into the kernel need root; the others run anywhere.
 * usage: wbpf_hostile_test HOSTILE.wasm
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpfenv.h"
#include "testkit.h"
#include "wasi.h"
#include "wasm.h"
#include "wbpf.h"

static char logs[16384];
static size_t loglen;
static wasm_instance *inst;
static wasm_exec *ex;

static void log_cb(const char *line, void *ctx)
{
	(void)ctx;
	int n = snprintf(logs + loglen, sizeof(logs) - loglen, "%s\n", line);
	if (n > 0 && (size_t)n < sizeof(logs) - loglen)
		loglen += (size_t)n;
}

static int32_t call(const char *name, wasm_result *res, int32_t arg, int nargs)
{
	loglen = 0;
	logs[0] = 0;
	wasm_func *f = wasm_instance_func(inst, name);
	TK_REQUIRE(f, "the guest exports no %s", name);
	wasm_val a = wasm_val_i32(arg), r = wasm_val_i32(-12345);
	*res = wasm_call(ex, f, &a, (uint32_t)nargs, &r, 1);
	return r.of.i32;
}

/* Calls export name; expects return value want and, when logsub is not
 * NULL, a log line containing it. */
static void expect(const char *name, int32_t want, const char *logsub)
{
	wasm_result res;
	int32_t got = call(name, &res, 0, 0);
	TK_CHECK(res == WASM_OK, "%s: run ended with %s (%s)", name, wasm_result_name(res),
		 wasm_exec_message(ex) ? wasm_exec_message(ex) : "");
	TK_CHECK(got == want, "%s: returned %d, expected %d (log: %s)", name, got, want, logs);
	if (logsub)
		TK_CHECK(strstr(logs, logsub) != NULL, "%s: no log line with '%s' (log: %s)", name,
			 logsub, logs);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	TK_REQUIRE(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n);
	TK_REQUIRE(b && fread(b, 1, (size_t)n, f) == (size_t)n, "cannot read %s", path);
	fclose(f);
	*len = (size_t)n;
	return b;
}

int main(int argc, char **argv)
{
	TK_REQUIRE(argc == 2, "usage: wbpf_hostile_test HOSTILE.wasm");
	bpfenv_set_libbpf_log(NULL, 0, NULL);
	char err[512];
	size_t len;
	uint8_t *bytes = read_all(argv[1], &len);
	wasm_module *m = wasm_module_new(bytes, len, err, sizeof(err));
	free(bytes);
	TK_REQUIRE(m, "module: %s", err);
	wasi_config wc;
	wasi_config_init(&wc);
	wasi_ctx *w = wasi_new(&wc, err, sizeof(err));
	TK_REQUIRE(w, "wasi: %s", err);
	wbpf_host *h = wbpf_host_new(log_cb, NULL);
	wasm_imports *im = wasm_imports_new();
	TK_REQUIRE(h && im, "out of memory");
	TK_REQUIRE(wasi_add_imports(w, im, err, sizeof(err)) == 0, "%s", err);
	TK_REQUIRE(wbpf_add_imports(h, im, err, sizeof(err)) == 0, "%s", err);
	inst = wasm_instance_new(m, im, NULL, err, sizeof(err));
	TK_REQUIRE(inst, "instance: %s", err);
	wasm_instance_set_user(inst, w);
	ex = wasm_exec_new(NULL);
	TK_REQUIRE(ex, "out of memory");
	wasm_func *init = wasm_instance_func(inst, "_initialize");
	if (init)
		TK_REQUIRE(wasm_call(ex, init, NULL, 0, NULL, 0) == WASM_OK, "_initialize");

	/* Loading: nothing reaches the kernel. */
	expect("load_oob", 0, "outside guest memory");
	expect("load_span", 0, "outside guest memory");
	expect("load_negative", 0, "bad object size");
	expect("load_huge", 0, "bad object size");
	expect("load_corrupt", 0, "not a loadable eBPF object");
	expect("load_truncated", 0, "not a loadable eBPF object");
	TK_CHECK(wbpf_host_object_count(h) == 0, "a failed load left an object");
	/* No object: every handle is unknown. */
	expect("attach_unknown", -EINVAL, "no object with handle");
	expect("map_unknown", -EINVAL, "no object with handle");
	expect("poll_bad_handle", -EINVAL, "no object with handle");
	expect("map_host_fd", -EBADF, "not a map of this guest");

	if (geteuid() != 0) {
		wasm_exec_free(ex);
		wasm_instance_free(inst);
		wasm_imports_free(im);
		wbpf_host_free(h);
		wasi_free(w);
		wasm_module_free(m);
		if (tk_failures())
			return tk_finish();
		tk_skip("the checks after loading need root (the checks before passed)");
	}

	expect("load_valid", 1, NULL);
	TK_CHECK(wbpf_host_object_count(h) == 1, "one object expected");
	expect("attach_unknown", -ENOENT, "no program 'no_such_program'");
	expect("attach_name_oob", -EFAULT, "outside guest memory");
	expect("attach_name_unterminated", -EFAULT, "runs past the end of guest memory");
	expect("attach_target_oob", -EFAULT, "outside guest memory");
	expect("attach_bad_iface", -ENODEV, "no network interface 'wbpf_nosuch0'");
	expect("attach_tp_target", -EINVAL, "takes no attach target");
	expect("attach_forged", -EINVAL, "no object with handle");
	expect("map_unknown", -ENOENT, "no map 'no_such_map'");
	expect("map_name_oob", -EFAULT, "outside guest memory");
	expect("map_host_fd", -EBADF, "not a map of this guest");
	expect("map_key_oob", -EFAULT, "key");
	expect("map_value_span", -EFAULT, "value");
	expect("map_next_oob", -EFAULT, "next key");
	expect("map_bad_cmd", -EINVAL, "unknown command 99");
	expect("map_canary", 0, NULL);
	int ncpu = libbpf_num_possible_cpus();
	wasm_result pres;
	int32_t got = call("map_pcpu_fits", &pres, ncpu, 1);
	TK_CHECK(pres == WASM_OK && got == 0, "per-CPU lookup of %d values: %d (log: %s)", ncpu,
		 got, logs);
	got = call("map_pcpu_short", &pres, ncpu, 1);
	TK_CHECK(pres == WASM_OK && got == -EFAULT, "per-CPU lookup one byte short: %d", got);
	expect("poll_bad_handle", -EINVAL, "no object with handle");
	expect("poll_data_oob", -EFAULT, "outside guest memory");
	expect("poll_bad_func", -EINVAL, "not in the guest's table");
	expect("poll_wrong_sig", -EINVAL, "is not (i32, i32, i32) -> i32");
	expect("poll_not_buffer", -EINVAL, "neither a ring buffer nor a perf buffer");

	/* Records: this process calls getppid(); each call makes one. */
	wasm_result res;
	TK_CHECK(call("set_pid", &res, (int32_t)getpid(), 1) == 0 && res == WASM_OK, "set_pid");
	expect("attach_ok", 0, NULL);
	syscall(SYS_getppid);
	int32_t n = call("poll_short", &res, 0, 0);
	TK_CHECK(res == WASM_OK && n == 1, "poll_short: %d records (%s), expected 1 (log: %s)", n,
		 wasm_result_name(res), logs);
	TK_CHECK(strstr(logs, "cut to 16") != NULL, "no log of the cut record: %s", logs);
	expect("last_size_", 16, NULL);
	expect("canary_ok_", 1, NULL);
	expect("magic_ok_", 1, NULL);
	syscall(SYS_getppid);
	syscall(SYS_getppid);
	n = call("poll_full", &res, 0, 0);
	TK_CHECK(res == WASM_OK && n == 2, "poll_full: %d records, expected 2", n);
	expect("last_size_", 64, NULL);
	expect("canary_ok_", 1, NULL);
	expect("magic_ok_", 1, NULL);
	/* A callback that grows memory: the host re-checks before each copy. */
	for (int i = 0; i < 3; i++)
		syscall(SYS_getppid);
	n = call("poll_grow", &res, 0, 0);
	TK_CHECK(res == WASM_OK && n == 3, "poll_grow: %d records, expected 3", n);
	/* A callback polling its own buffer again is refused, once. */
	syscall(SYS_getppid);
	n = call("poll_nested", &res, 0, 0);
	TK_CHECK(res == WASM_OK && n == 1, "poll_nested: %d (%s)", n, wasm_result_name(res));
	TK_CHECK(strstr(logs, "already being polled") != NULL, "no log of the nested poll: %s",
		 logs);
	expect("nested_ret_", -EBUSY, NULL);
	syscall(SYS_getppid);
	expect("poll_stop", 7, NULL);
	syscall(SYS_getppid);
	call("poll_trap", &res, 0, 0);
	TK_CHECK(res == WASM_TRAP, "poll_trap: %s, expected a trap", wasm_result_name(res));
	/* The host still works after the trap, and closes once. */
	expect("map_canary", 0, NULL);
	expect("close_obj", 0, NULL);
	TK_CHECK(wbpf_host_object_count(h) == 0, "the object is still there");
	expect("close_obj", -EINVAL, "no object with handle");

	wasm_exec_free(ex);
	wasm_instance_free(inst);
	wasm_imports_free(im);
	wbpf_host_free(h);
	wasi_free(w);
	wasm_module_free(m);
	return tk_finish();
}
