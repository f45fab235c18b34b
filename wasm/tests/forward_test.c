/* forward_test: forwarding pairs (wasm/src/ops.h, WASM_FWDS), where an
 * operation reads the result of the one before it from a register instead
 * of its frame slot. tests/wat/forward.wat has a function for each of 22
 * of them (second operations of every body family: compare-and-branch,
 * branch on a value, load, store, global.set, i32/i64/f64 arithmetic);
 * this test runs each over a range of inputs against C arithmetic (traps
 * included), and inspects the compiled code to require that the expected
 * forwarding pair was formed, so that the results above test it.
 *
 * Usage: wasm_forward_test FORWARD.wasm
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "testkit.h"
#include "wasm.h"
#include "wasm_internal.h"

static wasm_exec *ex;
static wasm_instance *in;

/* whether the compiled code of export name holds operation op */
static bool has_op(const char *name, int op)
{
	wasm_func *f = wasm_instance_func(in, name);
	TK_REQUIRE(f && f->code, "no compiled export %s", name);
	const void *h = wasm_interp_labels()[op];
	for (uint32_t i = 0; i < f->code->ncells; i++)
		if (f->code->code[i].h == h)
			return true;
	return false;
}

static wasm_result run(const char *name, const wasm_val *args, uint32_t n, wasm_val *r)
{
	wasm_func *f = wasm_instance_func(in, name);
	TK_REQUIRE(f != NULL, "no export %s", name);
	return wasm_call(ex, f, args, n, r, 1);
}

static uint32_t i32(const char *name, uint32_t a, uint32_t b, uint32_t n)
{
	wasm_val args[2] = {wasm_val_i32((int32_t)a), wasm_val_i32((int32_t)b)}, r;
	wasm_result rc = run(name, args, n, &r);
	TK_CHECK(rc == WASM_OK, "%s(%u, %u): %s", name, a, b, wasm_exec_message(ex));
	return (uint32_t)r.of.i32;
}

static uint32_t word_at(const uint8_t *mem, uint32_t a)
{
	return (uint32_t)mem[a] | (uint32_t)mem[a + 1] << 8 | (uint32_t)mem[a + 2] << 16 |
	       (uint32_t)mem[a + 3] << 24;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		tk_skip("no module given");
	static uint8_t buf[1 << 16];
	size_t len = 0;
	FILE *fp = fopen(argv[1], "rb");
	if (!fp)
		tk_skip("cannot read %s (built by wat2wasm)", argv[1]);
	len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	char err[256];
	wasm_module *m = wasm_module_new(buf, len, err, sizeof(err));
	TK_REQUIRE(m, "module: %s", err);
	in = wasm_instance_new(m, NULL, NULL, err, sizeof(err));
	TK_REQUIRE(in, "instance: %s", err);
	ex = wasm_exec_new(NULL);
	wasm_memory *mem = wasm_instance_memory(in, 0);
	static uint8_t img[65536]; /* the module's data, as C sees it */
	TK_REQUIRE(wasm_memory_read(mem, 0, img, sizeof(img)) == 0, "read memory");

	static const uint32_t vals[] = {
		0,   1,	  2,	3,     5,	   7,		8,	     12,	 100,
		255, 256, 1000, 65535, 0x7fffffff, 0x80000000u, 0xfffffff0u, 0xffffffffu};
	const size_t nv = sizeof(vals) / sizeof(vals[0]);

	/* loops: counts computed the same way in C */
	for (uint32_t p = 1; p <= 7; p += 3)
		for (uint32_t n = 0; n < 40; n += 7) {
			uint32_t i = 0, c = 0;
			do {
				c++;
				i += p;
			} while (i <= n);
			TK_CHECK(i32("add_le_loop", p, n, 2) == c, "add_le_loop(%u, %u)", p, n);
		}
	for (uint32_t n = 1; n < 50; n += 6) {
		uint32_t s = 0;
		for (uint32_t i = 0; i != n; i++)
			s += i * 3;
		TK_CHECK(i32("addimm_ne_loop", n, 0, 1) == s, "addimm_ne_loop(%u)", n);
		TK_CHECK(i32("addimm_brif_loop", n, 0, 1) == 2 * n, "addimm_brif_loop(%u)", n);
	}
	/* scaled index loads, in range and trapping */
	for (uint32_t i = 0; i < 8; i++) {
		TK_CHECK(i32("shl_load_b", i, 0, 1) == word_at(img, 64 + 4 * i), "shl_load_b(%u)",
			 i);
		TK_CHECK(i32("shl_load_a", i, 64, 2) == word_at(img, 64 + 4 * i), "shl_load_a(%u)",
			 i);
		TK_CHECK(i32("shl_load_c", i, 0, 1) == word_at(img, 64 + 4 * i), "shl_load_c(%u)",
			 i);
	}
	wasm_val r, big[2] = {wasm_val_i32(16383), wasm_val_i32(64)};
	TK_CHECK(run("shl_load_b", big, 1, &r) == WASM_TRAP, "shl_load_b past the end");
	TK_CHECK(run("shl_load_a", big, 2, &r) == WASM_TRAP, "shl_load_a past the end");
	TK_CHECK(run("shl_load_c", big, 1, &r) == WASM_TRAP, "shl_load_c past the end");
	for (size_t a = 0; a < nv; a++) {
		uint32_t x = vals[a];
		TK_CHECK(i32("and_shl", x, 0, 1) == (x & 255) << 3, "and_shl(%u)", x);
		TK_CHECK(i32("and_unless", x, 0, 1) == ((x & 12) ? (x & 12) + 100 : 7),
			 "and_unless(%u)", x);
		for (size_t b = 0; b < nv; b++) {
			uint32_t y = vals[b];
			TK_CHECK(i32("mulimm_add", x, y, 2) == y + x * 12, "mulimm_add(%u, %u)", x,
				 y);
			TK_CHECK(i32("mulimm_add_a", x, y, 2) == x * 12 + y, "mulimm_add_a(%u, %u)",
				 x, y);
		}
	}
	/* bytes at 160: "abcdefgh", 0, 0xff */
	for (uint32_t q = 0; q < 10; q++) {
		TK_CHECK(i32("ld8_eqz_add", 160, q, 2) == q + (img[160 + q] == 0),
			 "ld8_eqz_add(160, %u)", q);
		for (uint32_t v = 'a'; v < 'a' + 3; v++) {
			uint32_t want = img[160 + q] != v;
			TK_CHECK(i32("ld8_ne_b", 160 + q, v, 2) == want, "ld8_ne_b(%u, %u)", q, v);
			TK_CHECK(i32("ld8_ne_a", 160 + q, v, 2) == want, "ld8_ne_a(%u, %u)", q, v);
		}
	}
	wasm_val past[2] = {wasm_val_i32(65535), wasm_val_i32(1)};
	TK_CHECK(run("ld8_eqz_add", past, 2, &r) == WASM_TRAP, "ld8_eqz_add past the end");
	TK_CHECK(i32("load_chain", 128, 0, 1) == 77, "load_chain");
	TK_CHECK(i32("store_addimm", 1024, 37, 2) == 42, "store_addimm");
	/* the store traps before anything is written */
	uint8_t before[4], after[4];
	TK_REQUIRE(wasm_memory_read(mem, 65532, before, 4) == 0, "read");
	wasm_val st[2] = {wasm_val_i32(65534), wasm_val_i32(1)};
	TK_CHECK(run("store_addimm", st, 2, &r) == WASM_TRAP, "store_addimm past the end");
	TK_REQUIRE(wasm_memory_read(mem, 65532, after, 4) == 0, "read");
	TK_CHECK(memcmp(before, after, 4) == 0, "a trapping store wrote memory");
	TK_CHECK(i32("sp_bump", 100, 0, 1) == 4096 - 100 - 16, "sp_bump");
	TK_CHECK(i32("sp_bump", 4, 0, 1) == 4096 - 100 - 16 - 4 - 16, "sp_bump again");
	wasm_val l[2] = {wasm_val_i64(0x0f), wasm_val_i64(0x0123456789abcdefLL)};
	TK_CHECK(run("i64_shl_or", l, 2, &r) == WASM_OK &&
			 (uint64_t)r.of.i64 == (0x0fULL | 0x0123456789abcdefULL << 8),
		 "i64_shl_or");
	static const double fv[] = {0.0, -0.0, 1.5, -2.25, 1e300, 3.0, INFINITY, NAN};
	for (size_t a = 0; a < 8; a++)
		for (size_t b = 0; b < 8; b++) {
			double x = fv[a], y = fv[b], z = 0.5 + (double)a;
			wasm_val f3[3] = {wasm_val_f64(x), wasm_val_f64(y), wasm_val_f64(z)};
			static const char *const fn[] = {"f64_sub_mul", "f64_sub_mul_b",
							 "f64_mul_mul"};
			const double want[] = {(x - y) * z, z * (x - y), (x * y) * z};
			for (int k = 0; k < 3; k++) {
				TK_CHECK(run(fn[k], f3, 3, &r) == WASM_OK, "%s", fn[k]);
				TK_CHECK(memcmp(&r.of.f64, &want[k], 8) == 0 ||
						 (isnan(r.of.f64) && isnan(want[k])),
					 "%s(%g, %g, %g) = %g, want %g", fn[k], x, y, z, r.of.f64,
					 want[k]);
			}
			TK_CHECK(run("f64_sqrt_mul", f3, 2, &r) == WASM_OK &&
					 (r.of.f64 == y * sqrt(x) ||
					  (isnan(r.of.f64) && isnan(y * sqrt(x)))),
				 "f64_sqrt_mul(%g, %g)", x, y);
		}

	/* the pairs were formed (after the runs: code is compiled by then) */
	static const struct {
		const char *fn;
		int op;
	} want[] = {
		{"add_le_loop", OP_F_I32_ADD__BR_IF_I32_LE_U_LOOP_1},
		{"addimm_ne_loop", OP_F_I32_ADD_IMM__BR_IF_I32_NE_LOOP_2},
		{"addimm_brif_loop", OP_F_I32_ADD_IMM__BR_IF_LOOP_1},
		{"shl_load_b", OP_F_I32_SHL_IMM__I32_LOAD_ADD_2},
		{"shl_load_c", OP_F_I32_SHL_IMM__I32_LOAD_ADD_3},
		{"shl_load_a", OP_F_I32_SHL_IMM__I32_LOAD_ADD_2},
		{"and_shl", OP_F_I32_AND_IMM__I32_SHL_IMM_2},
		{"ld8_eqz_add", OP_F_I32_LOAD8_U_ADD__I32_EQZ_2},
		{"ld8_eqz_add", OP_F_I32_EQZ__I32_ADD_3},
		{"ld8_ne_b", OP_F_I32_LOAD8_U__BR_IF_I32_NE_2},
		{"ld8_ne_a", OP_F_I32_LOAD8_U__BR_IF_I32_NE_1},
		{"and_unless", OP_F_I32_AND_IMM__BR_UNLESS_1},
		{"load_chain", OP_F_I32_LOAD__I32_LOAD_2},
		{"store_addimm", OP_F_I32_ADD_IMM__I32_STORE_2},
		{"mulimm_add", OP_F_I32_MUL_IMM__I32_ADD_3},
		{"mulimm_add_a", OP_F_I32_MUL_IMM__I32_ADD_2},
		{"sp_bump", OP_F_I32_SUB_IMM__GLOBAL_SET_2},
		{"i64_shl_or", OP_F_I64_SHL_IMM__I64_OR_3},
		{"f64_sub_mul", OP_F_F64_SUB__F64_MUL_2},
		{"f64_sub_mul_b", OP_F_F64_SUB__F64_MUL_3},
		{"f64_sqrt_mul", OP_F_F64_SQRT__F64_MUL_3},
		{"f64_mul_mul", OP_F_F64_MUL__F64_MUL_2},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		TK_CHECK(has_op(want[i].fn, want[i].op), "%s: forwarding pair %d not formed",
			 want[i].fn, want[i].op);
	wasm_exec_free(ex);
	wasm_instance_free(in);
	wasm_module_free(m);
	return tk_finish();
}
