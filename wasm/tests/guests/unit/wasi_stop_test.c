/* wasi_stop_test: a guest blocked in a WASI read gives way to a stop
 * request, and finishes when resumed. The guest (stop_reader.wasm) reads a
 * line from stdin, a pipe this test keeps empty; another thread runs it.
 * wasm_exec_request_stop must end the run with WASM_STOPPED: without WASI's
 * polling the guest would wait for ever and the test time out. Then the
 * line is written, the run resumed, and the guest must echo it and exit 0.
 * No assertion depends on how long anything takes.
 *
 *   wasi_stop_test STOP_READER.wasm
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testkit.h"
#include "wasi.h"

struct run {
	wasm_exec *ex;
	wasm_func *start;
	wasm_result result;
};

static void *run_start(void *arg)
{
	struct run *r = arg;
	r->result = wasm_call(r->ex, r->start, NULL, 0, NULL, 0);
	return NULL;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	TK_REQUIRE(f, "cannot open %s", path);
	static uint8_t buf[1 << 20];
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	TK_REQUIRE(argc == 2, "usage: wasi_stop_test STOP_READER.wasm");
	size_t len;
	uint8_t *bytes = slurp(argv[1], &len);
	char err[256];
	wasm_module *m = wasm_module_new(bytes, len, err, sizeof(err));
	TK_REQUIRE(m, "%s: %s", argv[1], err);

	int in[2];
	TK_REQUIRE(pipe(in) == 0, "pipe");
	FILE *out = tmpfile();
	TK_REQUIRE(out, "tmpfile");
	wasi_config wc;
	wasi_config_init(&wc);
	const char *args[] = {"stop_reader"};
	wc.argc = 1;
	wc.argv = args;
	wc.stdio[0] = in[0];
	wc.stdio[1] = fileno(out);
	wasi_ctx *w = wasi_new(&wc, err, sizeof(err));
	TK_REQUIRE(w, "%s", err);
	wasm_imports *im = wasm_imports_new();
	TK_REQUIRE(im && wasi_add_imports(w, im, err, sizeof(err)) == 0, "imports: %s", err);
	wasm_instance *inst = wasm_instance_new(m, im, NULL, err, sizeof(err));
	TK_REQUIRE(inst, "instantiate: %s", err);
	struct run r = {.ex = wasm_exec_new(NULL), .start = wasm_instance_func(inst, "_start")};
	TK_REQUIRE(r.ex && r.start, "exec or _start");

	pthread_t t;
	TK_REQUIRE(pthread_create(&t, NULL, run_start, &r) == 0, "thread");
	/* Let the guest reach its read (if it has not, the stop lands at an
	 * earlier safe point: the outcome must be the same). */
	struct timespec pause = {.tv_sec = 0, .tv_nsec = 100000000};
	nanosleep(&pause, NULL);
	wasm_exec_request_stop(r.ex);
	pthread_join(t, NULL);
	TK_CHECK(r.result == WASM_STOPPED, "a stop request while blocked in a read gave %s",
		 wasm_result_name(r.result));

	TK_REQUIRE(write(in[1], "hello\n", 6) == 6, "write the line");
	close(in[1]);
	wasm_result res = r.result == WASM_STOPPED ? wasm_exec_resume(r.ex, NULL, 0) : r.result;
	/* wasi-libc's _start returns when main returns 0, and calls
	 * proc_exit only for other codes. */
	TK_CHECK(res == WASM_OK || (res == WASM_EXIT && wasm_exec_exit_code(r.ex) == 0),
		 "resumed run: %s, exit %d", wasm_result_name(res),
		 res == WASM_EXIT ? wasm_exec_exit_code(r.ex) : 0);
	char text[64] = {0};
	rewind(out);
	size_t n = fread(text, 1, sizeof(text) - 1, out);
	TK_CHECK(n == strlen("got: hello\ndone\n") && strcmp(text, "got: hello\ndone\n") == 0,
		 "guest printed [%s]", text);

	fclose(out);
	close(in[0]);
	wasm_exec_free(r.ex);
	wasm_instance_free(inst);
	wasm_imports_free(im);
	wasi_free(w);
	wasm_module_free(m);
	return tk_finish();
}
