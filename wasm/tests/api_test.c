/* api_test: the runtime's public API on tests/wat/api.wat: host imports
 * (with their checked access to linear memory), traps with their messages,
 * clean exits, memory bounds and limits, globals, callbacks into Wasm from a
 * host function, call-depth limits, fuel and stop requests with resumption,
 * and the state API: frames read at a safe point, then rebuilt on a fresh
 * exec and resumed to the same result.
 *
 * Expected values are facts independent of the runtime: fib(20) = 6765,
 * the sum of 0..999 = 499500, 5 + 4 = 9, bytes 1..5 summing to 15.
 *
 * Usage: wasm_api_test API.wasm
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "testkit.h"
#include "wasm.h"
#include "wasm_state.h"

static wasm_result h_add(wasm_exec *ex, void *env, const uint64_t *a, uint64_t *r)
{
	(void)ex;
	(void)env;
	r[0] = (uint32_t)((uint32_t)a[0] + (uint32_t)a[1]);
	return WASM_OK;
}

/* Sums len bytes at ptr of the caller's memory; traps when out of bounds. */
static wasm_result h_sum_bytes(wasm_exec *ex, void *env, const uint64_t *a, uint64_t *r)
{
	(void)env;
	uint8_t *p = wasm_exec_mem_ptr(ex, (uint32_t)a[0], (uint32_t)a[1]);
	if (!p)
		return wasm_trap(ex, "sum_bytes: [%u, +%u) is out of bounds", (uint32_t)a[0],
				 (uint32_t)a[1]);
	uint32_t s = 0;
	for (uint32_t i = 0; i < (uint32_t)a[1]; i++)
		s += p[i];
	r[0] = s;
	return WASM_OK;
}

static wasm_result h_fail(wasm_exec *ex, void *env, const uint64_t *a, uint64_t *r)
{
	(void)env;
	(void)r;
	return wasm_trap(ex, "host failure %u", (uint32_t)a[0]);
}

static wasm_result h_quit(wasm_exec *ex, void *env, const uint64_t *a, uint64_t *r)
{
	(void)env;
	(void)r;
	return wasm_exit(ex, (int)(uint32_t)a[0]);
}

/* Calls the caller's table entry a[0] with a[1] (a callback into Wasm). */
static wasm_result h_apply(wasm_exec *ex, void *env, const uint64_t *a, uint64_t *r)
{
	(void)env;
	wasm_table *t = wasm_instance_table(wasm_exec_instance(ex), 0);
	wasm_val fv;
	if (!t || wasm_table_get(t, (uint32_t)a[0], &fv) < 0 || !fv.of.func)
		return wasm_trap(ex, "apply: no function %u", (uint32_t)a[0]);
	wasm_val arg = wasm_val_i32((int32_t)a[1]), res;
	wasm_result rc = wasm_call(ex, fv.of.func, &arg, 1, &res, 1);
	if (rc != WASM_OK)
		return rc;
	r[0] = (uint32_t)res.of.i32;
	return WASM_OK;
}

/* Returns WASM_STOPPED on its first call, then doubles its argument. */
static int slow_calls;
static wasm_result h_slow_double(wasm_exec *ex, void *env, const uint64_t *a, uint64_t *r)
{
	(void)env;
	/* the first call acts as a blocking call that notices a stop request */
	if (slow_calls++ == 0) {
		wasm_exec_request_stop(ex);
		return wasm_exec_stop_requested(ex) ? WASM_STOPPED
						    : wasm_trap(ex, "no request seen");
	}
	r[0] = (uint32_t)(a[0] * 2);
	return WASM_OK;
}

static void *stopper(void *arg)
{
	struct timespec ts = {0, 20000000L}; /* 20 ms */
	nanosleep(&ts, NULL);
	wasm_exec_request_stop(arg);
	return NULL;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *b = malloc(1 << 20);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

static wasm_result call1(wasm_exec *ex, wasm_instance *in, const char *name, wasm_val arg,
			 wasm_val *res)
{
	wasm_func *f = wasm_instance_func(in, name);
	TK_REQUIRE(f != NULL, "no export %s", name);
	const wasm_functype *ft = wasm_func_type(f);
	return wasm_call(ex, f, &arg, ft->nparams, res, ft->nresults);
}

/* Copies every frame of a suspended exec onto a fresh exec and resumes it
 * there: the checkpoint/restore path within one process. */
static void restore_on_new_exec(wasm_exec *from, int64_t want, bool i32)
{
	wasm_exec *to = wasm_exec_new(NULL);
	uint32_t n = wasm_state_frame_count(from);
	TK_REQUIRE(n > 0, "no frames to copy");
	for (uint32_t i = 0; i < n; i++) {
		wasm_frame_info fi;
		TK_REQUIRE(wasm_state_frame(from, i, &fi) == 0, "frame %u unreadable", i);
		wasm_val *loc = calloc(fi.nlocals + 1, sizeof(wasm_val));
		wasm_val *stk = calloc(fi.nstack + 1, sizeof(wasm_val));
		TK_REQUIRE(wasm_state_frame_values(from, i, loc, stk) == 0, "values of frame %u",
			   i);
		char err[200];
		int rc = wasm_state_push_frame(to, fi.instance, fi.func_index, fi.body_offset, loc,
					       fi.nlocals, stk, fi.nstack, err, sizeof(err));
		TK_CHECK(rc == 0, "push frame %u: %s", i, err);
		free(loc);
		free(stk);
	}
	wasm_val res;
	wasm_result r = wasm_exec_resume(to, &res, 1);
	TK_CHECK(r == WASM_OK, "resume on a new exec: %s %s", wasm_result_name(r),
		 wasm_exec_message(to));
	if (r == WASM_OK)
		TK_CHECK((i32 ? res.of.i32 : res.of.i64) == want, "restored run gave %lld",
			 (long long)(i32 ? res.of.i32 : res.of.i64));
	wasm_exec_free(to);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		tk_skip("no module given (usage: wasm_api_test API.wasm)");
	size_t len;
	uint8_t *bytes = read_file(argv[1], &len);
	if (!bytes)
		tk_skip("cannot read %s (built by wat2wasm)", argv[1]);
	char err[256];
	wasm_module *m = wasm_module_new(bytes, len, err, sizeof(err));
	free(bytes);
	TK_REQUIRE(m != NULL, "module: %s", err);

	/* imports as the module lists them */
	TK_CHECK(wasm_module_import_count(m) == 7, "%u imports", wasm_module_import_count(m));
	const char *mod, *name;
	wasm_externtype et;
	TK_CHECK(wasm_module_import(m, 1, &mod, &name, &et) == 0 && !strcmp(name, "sum_bytes") &&
			 et.kind == WASM_EXTERN_FUNC && et.func.nparams == 2 &&
			 et.func.nresults == 1,
		 "import 1 described wrongly");
	TK_CHECK(wasm_module_import(m, 99, &mod, &name, &et) == -1, "import 99 exists");

	/* a missing import is a link error naming it */
	wasm_instance *bad = wasm_instance_new(m, NULL, NULL, err, sizeof(err));
	TK_CHECK(bad == NULL && strstr(err, "env.add"), "missing import: %s", err);

	wasm_imports *im = wasm_imports_new();
	TK_REQUIRE(im, "imports");
	wasm_imports_add_func_sig(im, "env", "add", "ii:i", h_add, NULL);
	/* a wrong signature is refused at instantiation */
	wasm_imports_add_func_sig(im, "env", "sum_bytes", "i:i", h_sum_bytes, NULL);
	wasm_imports_add_func_sig(im, "env", "fail", "i:", h_fail, NULL);
	wasm_imports_add_func_sig(im, "env", "quit", "i:", h_quit, NULL);
	wasm_imports_add_func_sig(im, "env", "apply", "ii:i", h_apply, NULL);
	wasm_global *counter = wasm_global_new(wasm_val_i32(10), true);
	wasm_imports_add_global(im, "env", "counter", counter);
	wasm_imports_add_func_sig(im, "env", "slow_double", "i:i", h_slow_double, NULL);
	bad = wasm_instance_new(m, im, NULL, err, sizeof(err));
	TK_CHECK(bad == NULL && strstr(err, "incompatible import type env.sum_bytes"),
		 "wrong signature accepted: %s", err);
	/* the later registration wins */
	wasm_imports_add_func_sig(im, "env", "sum_bytes", "ii:i", h_sum_bytes, NULL);

	wasm_config cfg = {.max_memory_pages = 2, .max_call_depth = 500};
	wasm_instance *in = wasm_instance_new(m, im, &cfg, err, sizeof(err));
	TK_REQUIRE(in != NULL, "instantiate: %s", err);
	wasm_exec *ex = wasm_exec_new(&cfg);
	TK_REQUIRE(ex != NULL, "exec");
	TK_CHECK(wasm_instance_start(in, ex) == WASM_OK, "start");

	wasm_val res[2];
	wasm_val args[2] = {wasm_val_i32(5), wasm_val_i32(4)};
	wasm_func *f = wasm_instance_func(in, "call_add");
	TK_CHECK(wasm_call(ex, f, args, 2, res, 1) == WASM_OK && res[0].of.i32 == 9,
		 "call_add(5, 4) = %d", res[0].of.i32);
	/* wrong argument types are refused before running */
	args[1] = wasm_val_i64(4);
	TK_CHECK(wasm_call(ex, f, args, 2, res, 1) == WASM_ERROR, "i64 for i32 accepted");

	TK_CHECK(call1(ex, in, "sum16", wasm_val_i32(0), res) == WASM_OK && res[0].of.i32 == 15,
		 "sum of the data segment = %d", res[0].of.i32);
	wasm_result r = call1(ex, in, "sum_oob", wasm_val_i32(0), res);
	TK_CHECK(r == WASM_TRAP && strstr(wasm_exec_message(ex), "out of bounds"),
		 "host bounds check: %s %s", wasm_result_name(r), wasm_exec_message(ex));
	r = call1(ex, in, "fail", wasm_val_i32(0), res);
	TK_CHECK(r == WASM_TRAP && !strcmp(wasm_exec_message(ex), "host failure 7"),
		 "host trap: %s", wasm_exec_message(ex));
	r = call1(ex, in, "quit", wasm_val_i32(0), res);
	TK_CHECK(r == WASM_EXIT && wasm_exec_exit_code(ex) == 3, "exit: %s code %d",
		 wasm_result_name(r), wasm_exec_exit_code(ex));

	/* traps from Wasm code */
	wasm_val dargs[2] = {wasm_val_i32(1), wasm_val_i32(0)};
	r = wasm_call(ex, wasm_instance_func(in, "div"), dargs, 2, res, 1);
	TK_CHECK(r == WASM_TRAP && !strcmp(wasm_exec_message(ex), "integer divide by zero"),
		 "div by zero: %s", wasm_exec_message(ex));
	dargs[0] = wasm_val_i32(INT32_MIN);
	dargs[1] = wasm_val_i32(-1);
	r = wasm_call(ex, wasm_instance_func(in, "div"), dargs, 2, res, 1);
	TK_CHECK(r == WASM_TRAP && !strcmp(wasm_exec_message(ex), "integer overflow"),
		 "INT_MIN / -1: %s", wasm_exec_message(ex));
	r = call1(ex, in, "load", wasm_val_i32(65533), res);
	TK_CHECK(r == WASM_TRAP && !strcmp(wasm_exec_message(ex), "out of bounds memory access"),
		 "load across the end: %s", wasm_exec_message(ex));
	r = call1(ex, in, "load", wasm_val_i32(16), res);
	TK_CHECK(r == WASM_OK && res[0].of.i32 == 0x04030201, "little-endian load: %x",
		 res[0].of.i32);

	/* memory from the host side, and its limits */
	wasm_memory *mem = wasm_instance_export_memory(in, "mem");
	TK_REQUIRE(mem != NULL, "no memory export");
	uint8_t word[4];
	wasm_store_u32le(word, 0xdeadbeef);
	TK_CHECK(wasm_memory_write(mem, 100, word, 4) == 0, "write");
	r = call1(ex, in, "load", wasm_val_i32(100), res);
	TK_CHECK(r == WASM_OK && (uint32_t)res[0].of.i32 == 0xdeadbeef, "read back %x",
		 res[0].of.i32);
	TK_CHECK(wasm_memory_write(mem, 65535, word, 4) == -1, "write across the end accepted");
	TK_CHECK(wasm_memory_read(mem, UINT64_MAX - 1, word, 4) == -1, "read at 2^64-2 accepted");
	r = call1(ex, in, "grow", wasm_val_i32(1), res);
	TK_CHECK(r == WASM_OK && res[0].of.i32 == 1, "grow to 2 pages: %d", res[0].of.i32);
	r = call1(ex, in, "grow", wasm_val_i32(1), res);
	TK_CHECK(r == WASM_OK && res[0].of.i32 == -1, "grow past the 2-page limit: %d",
		 res[0].of.i32);
	TK_CHECK(wasm_memory_pages(mem) == 2 && wasm_memory_size(mem) == 131072, "size %llu",
		 (unsigned long long)wasm_memory_size(mem));

	/* globals */
	wasm_global *g = wasm_instance_export_global(in, "g");
	TK_REQUIRE(g != NULL, "no global g");
	TK_CHECK(wasm_global_get(g).of.i64 == 42, "global g");
	TK_CHECK(wasm_global_set(g, wasm_val_i64(-5)) == 0 && wasm_global_get(g).of.i64 == -5,
		 "set g");
	TK_CHECK(wasm_global_set(g, wasm_val_i32(1)) == -1, "set g with an i32 accepted");
	call1(ex, in, "bump", wasm_val_i32(0), res);
	TK_CHECK(wasm_global_get(counter).of.i32 == 11, "imported global bumped to %d",
		 wasm_global_get(counter).of.i32);

	/* a host function calling back into Wasm */
	r = call1(ex, in, "apply0", wasm_val_i32(21), res);
	TK_CHECK(r == WASM_OK && res[0].of.i32 == 42, "callback: %s %d", wasm_result_name(r),
		 res[0].of.i32);

	/* call depth */
	r = call1(ex, in, "deep", wasm_val_i32(0), res);
	TK_CHECK(r == WASM_TRAP && !strcmp(wasm_exec_message(ex), "call stack exhausted"),
		 "unbounded recursion: %s", wasm_exec_message(ex));
	r = call1(ex, in, "fib", wasm_val_i32(20), res);
	TK_CHECK(r == WASM_OK && res[0].of.i32 == 6765, "fib(20) after exhaustion = %d",
		 res[0].of.i32);

	/* fuel: stop in the loop, read the frame, resume */
	wasm_exec_set_fuel(ex, 100);
	r = call1(ex, in, "loop_sum", wasm_val_i32(1000), res);
	TK_CHECK(r == WASM_OUT_OF_FUEL, "loop with 100 fuel: %s", wasm_result_name(r));
	TK_CHECK(wasm_exec_suspended(ex), "not suspended");
	TK_CHECK(call1(ex, in, "fib", wasm_val_i32(1), res) == WASM_ERROR,
		 "a new call on a suspended exec");
	TK_CHECK(wasm_state_frame_count(ex) == 1, "%u frames", wasm_state_frame_count(ex));
	wasm_frame_info fi;
	TK_REQUIRE(wasm_state_frame(ex, 0, &fi) == 0, "frame 0");
	wasm_func *loop_sum = wasm_instance_func(in, "loop_sum");
	TK_CHECK(fi.func_index == wasm_func_index(loop_sum) && fi.instance == in,
		 "frame function %u", fi.func_index);
	/* the loop opcode: body = locals decl (1 group count + 2 groups of 2
	 * bytes) then `block` (2 bytes): the loop starts at offset 7 */
	TK_CHECK(fi.body_offset == 7, "body offset %u", fi.body_offset);
	TK_CHECK(fi.nlocals == 3 && fi.local_types[0] == WASM_I32 &&
			 fi.local_types[2] == WASM_I64 && fi.nstack == 0,
		 "locals %u stack %u", fi.nlocals, fi.nstack);
	wasm_val loc[3];
	TK_REQUIRE(wasm_state_frame_values(ex, 0, loc, NULL) == 0, "values");
	/* 100 fuel: one unit per branch back to the loop (the entry is not a
	 * call from Wasm); after i iterations acc = i(i-1)/2 */
	int32_t i = loc[1].of.i32;
	TK_CHECK(loc[0].of.i32 == 1000 && i > 90 && i <= 101 &&
			 loc[2].of.i64 == (int64_t)i * (i - 1) / 2,
		 "n %d i %d acc %lld", loc[0].of.i32, i, (long long)loc[2].of.i64);
	/* change the state: restart the count from the beginning */
	TK_CHECK(wasm_state_set_local(ex, 0, 1, wasm_val_i32(0)) == 0, "set local");
	TK_CHECK(wasm_state_set_local(ex, 0, 2, wasm_val_i64(0)) == 0, "set local");
	TK_CHECK(wasm_state_set_local(ex, 0, 2, wasm_val_i32(0)) == -1, "wrong type accepted");
	wasm_exec_set_fuel(ex, 1000000);
	r = wasm_exec_resume(ex, res, 1);
	TK_CHECK(r == WASM_OK && res[0].of.i64 == 499500, "resumed loop_sum: %s %lld",
		 wasm_result_name(r), (long long)res[0].of.i64);
	TK_CHECK(wasm_exec_fuel(ex) < 1000000 && wasm_exec_fuel(ex) > 998000, "fuel left %llu",
		 (unsigned long long)wasm_exec_fuel(ex));

	/* a stop request (as another thread would make) and a recursive stack */
	wasm_exec_disable_fuel(ex);
	wasm_exec_request_stop(ex);
	r = call1(ex, in, "fib", wasm_val_i32(20), res);
	TK_CHECK(r == WASM_STOPPED, "stop request: %s", wasm_result_name(r));
	r = wasm_exec_resume(ex, res, 1);
	TK_CHECK(r == WASM_OK && res[0].of.i32 == 6765, "fib after stop: %s %d",
		 wasm_result_name(r), res[0].of.i32);

	/* fuel deep inside the recursion: outer frames stand at calls */
	wasm_exec_set_fuel(ex, 5000);
	r = call1(ex, in, "fib", wasm_val_i32(20), res);
	TK_CHECK(r == WASM_OUT_OF_FUEL, "fib with 5000 fuel: %s", wasm_result_name(r));
	uint32_t n = wasm_state_frame_count(ex);
	TK_CHECK(n > 3 && n <= 21, "%u frames in fib(20)", n);
	for (uint32_t k = 0; k + 1 < n; k++) {
		TK_REQUIRE(wasm_state_frame(ex, k, &fi) == 0, "frame %u", k);
		wasm_val l1, st[4];
		TK_CHECK(fi.func_index == wasm_func_index(wasm_instance_func(in, "fib")),
			 "frame %u in function %u", k, fi.func_index);
		TK_CHECK(fi.nstack <= 1, "frame %u: %u stack values at a call", k, fi.nstack);
		wasm_state_frame_values(ex, k, &l1, st);
		/* the argument decreases by 1 or 2 from one frame to the next */
		if (k == 0)
			TK_CHECK(l1.of.i32 == 20, "outermost argument %d", l1.of.i32);
		if (fi.nstack == 1)
			TK_CHECK(fi.stack_types[0] == WASM_I32, "operand type 0x%x",
				 fi.stack_types[0]);
	}
	restore_on_new_exec(ex, 6765, true);
	wasm_exec_set_fuel(ex, UINT64_MAX);
	r = wasm_exec_resume(ex, res, 1);
	TK_CHECK(r == WASM_OK && res[0].of.i32 == 6765, "fib after fuel: %s %d",
		 wasm_result_name(r), res[0].of.i32);
	TK_CHECK(wasm_exec_resume(ex, res, 1) == WASM_ERROR, "resumed twice");

	/* a host function asking to be called again after a stop */
	r = call1(ex, in, "via_host", wasm_val_i32(20), res);
	TK_CHECK(r == WASM_STOPPED, "host stop: %s", wasm_result_name(r));
	TK_REQUIRE(wasm_state_frame_count(ex) == 1, "%u frames", wasm_state_frame_count(ex));
	TK_REQUIRE(wasm_state_frame(ex, 0, &fi) == 0, "frame at the host call");
	/* the call's argument is still on the stack: i32.const 1, local.get 0 */
	wasm_val st[2];
	wasm_state_frame_values(ex, 0, NULL, st);
	TK_CHECK(fi.nstack == 2 && st[0].of.i32 == 1 && st[1].of.i32 == 20,
		 "stack at the host call: %u values", fi.nstack);
	/* a stop honoured by the host function is pending no more after resume */
	r = wasm_exec_resume(ex, res, 1);
	TK_CHECK(!wasm_exec_stop_requested(ex), "stop request still pending");
	TK_CHECK(r == WASM_OK && res[0].of.i32 == 41 && slow_calls == 2,
		 "re-issued host call: %s %d", wasm_result_name(r), res[0].of.i32);

	/* a stop request from another thread ends an endless loop */
	pthread_t th;
	TK_REQUIRE(pthread_create(&th, NULL, stopper, ex) == 0, "thread");
	r = call1(ex, in, "spin", wasm_val_i32(0), res);
	pthread_join(th, NULL);
	TK_CHECK(r == WASM_STOPPED, "spin: %s", wasm_result_name(r));
	TK_CHECK(wasm_state_frame_count(ex) == 1, "spin frames");
	wasm_exec_abandon(ex);

	/* abandon a stopped run and start another */
	wasm_exec_set_fuel(ex, 10);
	TK_CHECK(call1(ex, in, "loop_sum", wasm_val_i32(100), res) == WASM_OUT_OF_FUEL, "stop");
	wasm_exec_abandon(ex);
	wasm_exec_disable_fuel(ex);
	r = call1(ex, in, "loop_sum", wasm_val_i32(1000), res);
	TK_CHECK(r == WASM_OK && res[0].of.i64 == 499500, "after abandon: %lld",
		 (long long)res[0].of.i64);

	wasm_exec_free(ex);
	wasm_instance_free(in);
	wasm_imports_free(im);
	wasm_global_free(counter);
	wasm_module_free(m);
	return tk_finish();
}
