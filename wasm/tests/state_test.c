/* state_test: dirty-page tracking of linear memory (wasm_state_track_dirty,
 * wasm_state_dirty_pages) and the checks of the restore path
 * (wasm_state_push_frame) against frames a hostile image could describe,
 * on tests/wat/state.wat.
 *
 * Expected page numbers follow from the Wasm page size (65536 bytes, the
 * core specification) and the addresses written; expected results from the
 * module's arithmetic (4 + (x + 1), 4 + 2x).
 *
 * Usage: wasm_state_test STATE.wasm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit.h"
#include "wasm.h"
#include "wasm_state.h"

static int poke_stop; /* poke returns WASM_STOPPED once when set */

/* poke(addr, v): writes the byte v at addr through wasm_exec_mem_ptr. */
static wasm_result h_poke(wasm_exec *ex, void *env, const uint64_t *a, uint64_t *r)
{
	(void)env;
	(void)r;
	if (poke_stop) {
		poke_stop = 0;
		return WASM_STOPPED;
	}
	uint8_t *p = wasm_exec_mem_ptr(ex, (uint32_t)a[0], 1);
	if (!p)
		return wasm_trap(ex, "poke out of bounds");
	*p = (uint8_t)a[1];
	return WASM_OK;
}

static wasm_instance *g_in;
static wasm_exec *g_ex;
static wasm_memory *g_mem;

static wasm_result run(const char *name, const wasm_val *args, uint32_t nargs, wasm_val *res)
{
	wasm_func *f = wasm_instance_func(g_in, name);
	TK_REQUIRE(f != NULL, "no export %s", name);
	return wasm_call(g_ex, f, args, nargs, res, wasm_func_type(f)->nresults);
}

static void run3(const char *name, uint32_t a, uint32_t b, uint32_t c)
{
	wasm_val args[3] = {wasm_val_i32((int32_t)a), wasm_val_i32((int32_t)b),
			    wasm_val_i32((int32_t)c)};
	wasm_result r = run(name, args, 3, NULL);
	TK_CHECK(r == WASM_OK, "%s: %s", name, wasm_exec_message(g_ex));
}

static void run2(const char *name, uint32_t a, uint32_t b)
{
	wasm_val args[2] = {wasm_val_i32((int32_t)a), wasm_val_i32((int32_t)b)};
	wasm_result r = run(name, args, 2, NULL);
	TK_CHECK(r == WASM_OK, "%s: %s", name, wasm_exec_message(g_ex));
}

/* Fetches and clears the dirty set; checks it is exactly the pages listed
 * (terminated by -1). */
static void expect_dirty(const char *what, const int *pages)
{
	uint8_t bm[2] = {0xff, 0xff};
	int64_t n = wasm_state_dirty_pages(g_mem, bm, sizeof(bm), true);
	uint8_t want[2] = {0, 0};
	int64_t nwant = 0;
	for (; pages[nwant] >= 0; nwant++)
		want[pages[nwant] / 8] |= (uint8_t)(1u << (pages[nwant] % 8));
	TK_CHECK(n == nwant && bm[0] == want[0] && bm[1] == want[1],
		 "%s: %lld dirty pages, bitmap %02x %02x; want %lld, %02x %02x", what, (long long)n,
		 bm[0], bm[1], (long long)nwant, want[0], want[1]);
}

static void test_dirty(void)
{
	/* off: no set to read */
	uint8_t bm[2];
	TK_CHECK(!wasm_state_tracking_dirty(g_mem), "tracking on at start");
	TK_CHECK(wasm_state_dirty_pages(g_mem, bm, sizeof(bm), true) == -1, "read while off");
	run2("store32", 0x10000, 1); /* stores while off are fine */
	TK_REQUIRE(wasm_state_track_dirty(g_mem, true) == 0, "track on");
	TK_CHECK(wasm_state_tracking_dirty(g_mem), "tracking off after on");
	expect_dirty("fresh set", (int[]){-1});

	run2("store32", 0x10005, 7);
	/* reading without clear keeps the set */
	TK_CHECK(wasm_state_dirty_pages(g_mem, bm, sizeof(bm), false) == 1 && bm[0] == 2,
		 "read without clear: %02x", bm[0]);
	expect_dirty("i32.store in page 1", (int[]){1, -1});
	expect_dirty("cleared", (int[]){-1});

	wasm_val a64[2] = {wasm_val_i32(0x1fffc), wasm_val_i64(-1)};
	TK_CHECK(run("store64", a64, 2, NULL) == WASM_OK, "store64");
	expect_dirty("i64.store straddling pages 1 and 2", (int[]){1, 2, -1});
	run2("store8", 0x3ffff, 9);
	expect_dirty("i32.store8 at the last byte", (int[]){3, -1});
	run2("store16_off", 0x20000, 9); /* offset 65536: page 3 */
	expect_dirty("i32.store16 offset=65536", (int[]){3, -1});
	run3("store_add", 0x20000, 4, 5);
	expect_dirty("i32.store of an i32.add", (int[]){2, -1});

	/* loads and a trapping store mark nothing */
	wasm_val la = wasm_val_i32(0x30000), lr;
	TK_CHECK(run("load", &la, 1, &lr) == WASM_OK, "load");
	wasm_val oob[2] = {wasm_val_i32(0x3fffe), wasm_val_i32(1)};
	TK_CHECK(run("store32", oob, 2, NULL) == WASM_TRAP, "store across the end");
	expect_dirty("load and trapped store", (int[]){-1});

	run3("fill", 0xfff0, 0xab, 0x20);
	expect_dirty("memory.fill over pages 0-1", (int[]){0, 1, -1});
	run3("fill", 0x30000, 0, 0);
	expect_dirty("empty memory.fill", (int[]){-1});
	run3("copy", 0x30010, 0, 16);
	expect_dirty("memory.copy: its destination only", (int[]){3, -1});
	run3("init", 0x1fffd, 0, 6);
	expect_dirty("memory.init over pages 1-2", (int[]){1, 2, -1});
	uint8_t back[6];
	TK_CHECK(wasm_memory_read(g_mem, 0x1fffd, back, 6) == 0 && !memcmp(back, "abcdef", 6),
		 "memory.init wrote the wrong bytes");

	run2("host_poke", 0x2abcd, 1);
	expect_dirty("host write through wasm_exec_mem_ptr", (int[]){2, -1});
	TK_CHECK(wasm_memory_write(g_mem, 0xffff, "xy", 2) == 0, "memory_write");
	expect_dirty("wasm_memory_write straddling", (int[]){0, 1, -1});
	TK_CHECK(wasm_memory_mark_dirty(g_mem, 0x30000, 1) == 0, "mark");
	TK_CHECK(wasm_memory_mark_dirty(g_mem, 0x3ffff, 2) == -1, "mark outside accepted");
	TK_CHECK(wasm_memory_mark_dirty(g_mem, 0x20000, 0) == 0, "empty mark");
	expect_dirty("wasm_memory_mark_dirty", (int[]){3, -1});

	wasm_val g = wasm_val_i32(2), gr;
	TK_CHECK(run("grow", &g, 1, &gr) == WASM_OK && gr.of.i32 == 4, "memory.grow: %d",
		 gr.of.i32);
	expect_dirty("memory.grow: the new pages", (int[]){4, 5, -1});
	TK_CHECK(wasm_memory_grow(g_mem, 1) == 6, "wasm_memory_grow");
	run2("store32", 0x60000, 1); /* the new page 6 */
	expect_dirty("host grow and a store there", (int[]){6, -1});

	/* a bitmap too short for 7 pages is refused and clears nothing */
	run2("store8", 0x60000, 1);
	TK_CHECK(wasm_state_dirty_pages(g_mem, bm, 0, true) == -1, "short bitmap accepted");
	expect_dirty("kept after a refused read", (int[]){6, -1});

	/* off drops the set; on again starts empty */
	run2("store8", 0, 1);
	TK_CHECK(wasm_state_track_dirty(g_mem, false) == 0, "track off");
	run2("store8", 0x10000, 1);
	TK_CHECK(wasm_state_dirty_pages(g_mem, bm, sizeof(bm), false) == -1, "read after off");
	TK_CHECK(wasm_state_track_dirty(g_mem, true) == 0, "track on again");
	expect_dirty("empty after off and on", (int[]){-1});
	TK_CHECK(wasm_state_track_dirty(g_mem, true) == 0, "on twice");
	run2("store8", 0x20000, 1);
	TK_CHECK(wasm_state_track_dirty(g_mem, true) == 0, "on thrice");
	expect_dirty("on while on keeps the set", (int[]){2, -1});
}

/* Runs export name(args) with no fuel: it stops at its callee's
 * entry, leaving two frames (the caller at its call, the callee). */
static void stop_in_callee(const char *name, const wasm_val *args, uint32_t nargs,
			   wasm_frame_info fi[2], wasm_val loc[2][4], wasm_val stk[2][4])
{
	wasm_exec_set_fuel(g_ex, 0);
	wasm_val res;
	wasm_result r = run(name, args, nargs, &res);
	TK_REQUIRE(r == WASM_OUT_OF_FUEL, "%s did not stop: %s", name, wasm_result_name(r));
	TK_REQUIRE(wasm_state_frame_count(g_ex) == 2, "%u frames", wasm_state_frame_count(g_ex));
	for (uint32_t i = 0; i < 2; i++) {
		TK_REQUIRE(wasm_state_frame(g_ex, i, &fi[i]) == 0, "frame %u", i);
		TK_REQUIRE(fi[i].nlocals <= 4 && fi[i].nstack <= 4, "frame %u too big", i);
		TK_REQUIRE(wasm_state_frame_values(g_ex, i, loc[i], stk[i]) == 0, "values %u", i);
	}
	wasm_exec_abandon(g_ex);
	wasm_exec_set_fuel(g_ex, UINT64_MAX >> 2);
}

static int push(wasm_exec *ex, const wasm_frame_info *fi, uint32_t func, const wasm_val *loc,
		const wasm_val *stk, uint32_t nstack, char *err)
{
	return wasm_state_push_frame(ex, g_in, func, fi->body_offset, loc, fi->nlocals, stk, nstack,
				     err, 200);
}

static void test_restore_checks(void)
{
	wasm_config cfg = {.fuel_enabled = true, .fuel = 1};
	wasm_exec *ex = wasm_exec_new(&cfg);
	TK_REQUIRE(ex, "exec");
	wasm_frame_info fi[2];
	wasm_val loc[2][4], stk[2][4];
	char err[200];
	wasm_val res;

	/* direct call: caller(10) = 4 + inc(10) */
	wasm_val x = wasm_val_i32(10);
	stop_in_callee("caller", &x, 1, fi, loc, stk);
	TK_CHECK(fi[1].func_index == 12, "callee is function %u", fi[1].func_index);
	TK_CHECK(push(ex, &fi[0], fi[0].func_index, loc[0], stk[0], fi[0].nstack, err) == 0,
		 "outer frame: %s", err);
	/* an outer frame at a call with arguments cannot be resumed alone */
	TK_CHECK(wasm_exec_resume(ex, &res, 1) == WASM_ERROR, "resumed without the callee");
	/* $dbl has the same type but is not what `call $inc` reaches */
	TK_CHECK(push(ex, &fi[1], 13, loc[1], stk[1], fi[1].nstack, err) == -1 &&
			 strstr(err, "not what the call"),
		 "wrong direct callee accepted: %s", err);
	TK_CHECK(push(ex, &fi[1], 12, loc[1], stk[1], fi[1].nstack, err) == 0, "callee: %s", err);
	/* nothing may go above a frame at function entry */
	TK_CHECK(push(ex, &fi[1], 12, loc[1], stk[1], fi[1].nstack, err) == -1,
		 "frame pushed above an entry frame");
	TK_CHECK(wasm_exec_resume(ex, &res, 1) == WASM_OK && res.of.i32 == 15,
		 "restored caller(10) = %d (%s)", res.of.i32, wasm_exec_message(ex));

	/* call_indirect through (i32) -> i32: icaller(10, 0) = 4 + inc(10) */
	wasm_val ia[2] = {wasm_val_i32(10), wasm_val_i32(0)};
	stop_in_callee("icaller", ia, 2, fi, loc, stk);
	TK_CHECK(push(ex, &fi[0], fi[0].func_index, loc[0], stk[0], fi[0].nstack, err) == 0,
		 "outer frame: %s", err);
	/* $wide, (i64) -> i64, cannot be what the call reaches */
	wasm_val wl = wasm_val_i64(10);
	TK_CHECK(wasm_state_push_frame(ex, g_in, 14, fi[1].body_offset, &wl, 1, NULL, 0, err,
				       sizeof(err)) == -1,
		 "callee of the wrong type accepted");
	/* $dbl has the call's type: a valid (if different) state */
	TK_CHECK(push(ex, &fi[1], 13, loc[1], stk[1], fi[1].nstack, err) == 0, "dbl: %s", err);
	TK_CHECK(wasm_exec_resume(ex, &res, 1) == WASM_OK && res.of.i32 == 24,
		 "restored icaller with dbl = %d (%s)", res.of.i32, wasm_exec_message(ex));
	wasm_exec_free(ex);

	/* a host call stopped and re-issued: hcaller(0x100) */
	ex = wasm_exec_new(NULL);
	poke_stop = 1;
	wasm_val ha = wasm_val_i32(0x100);
	TK_REQUIRE(run("hcaller", &ha, 1, &res) == WASM_STOPPED, "hcaller did not stop");
	TK_REQUIRE(wasm_state_frame_count(g_ex) == 1 && wasm_state_frame(g_ex, 0, &fi[0]) == 0,
		   "hcaller frame");
	TK_CHECK(fi[0].nstack == 2 && fi[0].stack_types[0] == WASM_I32 &&
			 fi[0].stack_types[1] == WASM_I32,
		 "call args shown: %u", fi[0].nstack);
	TK_REQUIRE(fi[0].nstack == 2 && wasm_state_frame_values(g_ex, 0, loc[0], stk[0]) == 0,
		   "values");
	TK_CHECK(stk[0][0].of.i32 == 0x100 && stk[0][1].of.i32 == 7, "args %d %d", stk[0][0].of.i32,
		 stk[0][1].of.i32);
	wasm_exec_abandon(g_ex);
	/* an argument of the wrong type (the old check looked below them only) */
	wasm_val bad[2] = {stk[0][0], wasm_val_i64(7)};
	TK_CHECK(push(ex, &fi[0], fi[0].func_index, loc[0], bad, 2, err) == -1,
		 "i64 argument to an (i32, i32) call accepted");
	TK_CHECK(push(ex, &fi[0], fi[0].func_index, loc[0], stk[0], 3, err) == -1,
		 "too many stack values accepted");
	/* the whole frame, re-issued: poke writes 7 at 0x100, then it is read */
	TK_CHECK(push(ex, &fi[0], fi[0].func_index, loc[0], stk[0], 2, err) == 0, "push: %s", err);
	TK_CHECK(wasm_state_frame_count(ex) == 1 && wasm_state_frame(ex, 0, &fi[1]) == 0 &&
			 fi[1].nstack == 2,
		 "restored frame reads back");
	TK_CHECK(wasm_exec_resume(ex, &res, 1) == WASM_OK && res.of.i32 == 7,
		 "re-issued host call gave %d (%s)", res.of.i32, wasm_exec_message(ex));
	/* pushing onto a frame that holds its call's arguments is refused */
	TK_CHECK(push(ex, &fi[0], fi[0].func_index, loc[0], stk[0], 2, err) == 0, "again: %s", err);
	TK_CHECK(push(ex, &fi[0], fi[0].func_index, loc[0], stk[0], 2, err) == -1,
		 "frame pushed above a call with its arguments");
	wasm_exec_free(ex);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		tk_skip("no module given (usage: wasm_state_test STATE.wasm)");
	static uint8_t bytes[1 << 16];
	size_t len = 0;
	FILE *fh = fopen(argv[1], "rb");
	if (fh) {
		len = fread(bytes, 1, sizeof(bytes), fh);
		fclose(fh);
	} else {
		tk_skip("cannot read %s (built by wat2wasm)", argv[1]);
	}
	char err[256];
	wasm_module *m = wasm_module_new(bytes, len, err, sizeof(err));
	TK_REQUIRE(m != NULL, "module: %s", err);
	wasm_imports *im = wasm_imports_new();
	TK_REQUIRE(im && wasm_imports_add_func_sig(im, "env", "poke", "ii:", h_poke, NULL) == 0,
		   "imports");
	wasm_config cfg = {.fuel_enabled = true, .fuel = UINT64_MAX >> 2};
	g_in = wasm_instance_new(m, im, &cfg, err, sizeof(err));
	TK_REQUIRE(g_in != NULL, "instantiate: %s", err);
	g_ex = wasm_exec_new(&cfg);
	TK_REQUIRE(g_ex != NULL, "exec");
	g_mem = wasm_instance_export_memory(g_in, "mem");
	TK_REQUIRE(g_mem != NULL, "memory");

	/* declared limits: (memory 4 8) */
	wasm_limits l = wasm_memory_limits(g_mem);
	TK_CHECK(l.min == 4 && l.has_max && l.max == 8, "limits %u %u %d", l.min, l.max, l.has_max);
	TK_CHECK(wasm_memory_max_pages(g_mem) == 8, "max pages %u", wasm_memory_max_pages(g_mem));
	wasm_memory *hm = wasm_memory_new((wasm_limits){.min = 1}, 3);
	TK_REQUIRE(hm, "host memory");
	l = wasm_memory_limits(hm);
	TK_CHECK(l.min == 1 && !l.has_max && wasm_memory_max_pages(hm) == 3, "host limits");
	wasm_memory_free(hm);

	test_dirty();
	test_restore_checks();

	wasm_exec_free(g_ex);
	wasm_instance_free(g_in);
	wasm_imports_free(im);
	wasm_module_free(m);
	return tk_finish();
}
