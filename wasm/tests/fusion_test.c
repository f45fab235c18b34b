/* fusion_test: the compiler fuses compares into branches (br_if, if, loop
 * back-edges, with register or immediate operands, for i32 and i64). This
 * test runs tests/wat/fusion.wat, where each compare appears plainly (the
 * spec tests check those results) and in every fused form, over values
 * around the edges of signed and unsigned order, and requires the fused
 * forms to agree with the plain compare. It also checks f64 arithmetic
 * with an operand fused from f64.load (each side, constants, traps) and
 * stored by a fused f64.store, f64 and i32 read-modify-write, an f64
 * multiply fused into the read-modify-write that adds its product to
 * memory, into the f64.store of a difference or into an add, and i32
 * arithmetic on an operand fused from i32.load.
 *
 * Usage: wasm_fusion_test FUSION.wasm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit.h"
#include "wasm.h"

static const char *const cmps[] = {"eq",   "ne",   "lt_s", "lt_u", "gt_s",
				   "gt_u", "le_s", "le_u", "ge_s", "ge_u"};

static int32_t call(wasm_exec *ex, wasm_instance *in, const char *name, const wasm_val *args,
		    uint32_t n)
{
	wasm_func *f = wasm_instance_func(in, name);
	TK_REQUIRE(f != NULL, "no export %s", name);
	wasm_val r;
	wasm_result rc = wasm_call(ex, f, args, n, &r, 1);
	TK_REQUIRE(rc == WASM_OK, "%s: %s", name, wasm_exec_message(ex));
	return r.of.i32;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		tk_skip("no module given");
	static uint8_t buf[1 << 20];
	size_t len = 0;
	FILE *fp = fopen(argv[1], "rb");
	if (fp) {
		len = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
	} else {
		tk_skip("cannot read %s (built by wat2wasm)", argv[1]);
	}
	char err[256];
	wasm_module *m = wasm_module_new(buf, len, err, sizeof(err));
	TK_REQUIRE(m, "module: %s", err);
	wasm_instance *in = wasm_instance_new(m, NULL, NULL, err, sizeof(err));
	TK_REQUIRE(in, "instance: %s", err);
	wasm_exec *ex = wasm_exec_new(NULL);

	static const int64_t vals[] = {0,	  1,	     -1,	5,	    -7,
				       6,	  INT32_MAX, INT32_MIN, UINT32_MAX, INT64_MAX,
				       INT64_MIN, -6,	     4,		0x100000005};
	size_t nv = sizeof(vals) / sizeof(vals[0]);
	char name[64];
	for (int w = 0; w < 2; w++) {
		const char *t = w ? "i64" : "i32";
		for (size_t c = 0; c < 10; c++) {
			for (size_t i = 0; i < nv; i++) {
				wasm_val a =
					w ? wasm_val_i64(vals[i]) : wasm_val_i32((int32_t)vals[i]);
				for (size_t j = 0; j < nv; j++) {
					wasm_val args[2] = {a, w ? wasm_val_i64(vals[j])
								 : wasm_val_i32((int32_t)vals[j])};
					snprintf(name, sizeof(name), "%s_%s", t, cmps[c]);
					int32_t want = call(ex, in, name, args, 2);
					static const char *const forms[] = {"_br", "_if", "_loop",
									    "_loop2"};
					for (size_t k = 0; k < 4; k++) {
						snprintf(name, sizeof(name), "%s_%s%s", t, cmps[c],
							 forms[k]);
						int32_t got = call(ex, in, name, args, 2);
						TK_CHECK(got == want,
							 "%s(%lld, %lld) = %d, plain %d", name,
							 (long long)vals[i], (long long)vals[j],
							 got, want);
					}
				}
				snprintf(name, sizeof(name), "%s_%s_imm", t, cmps[c]);
				int32_t want = call(ex, in, name, &a, 1);
				static const char *const iforms[] = {"_br_imm", "_if_imm"};
				for (size_t k = 0; k < 2; k++) {
					snprintf(name, sizeof(name), "%s_%s%s", t, cmps[c],
						 iforms[k]);
					int32_t got = call(ex, in, name, &a, 1);
					TK_CHECK(got == want, "%s(%lld) = %d, plain %d", name,
						 (long long)vals[i], got, want);
				}
			}
		}
		for (size_t i = 0; i < nv; i++) {
			wasm_val a = w ? wasm_val_i64(vals[i]) : wasm_val_i32((int32_t)vals[i]);
			snprintf(name, sizeof(name), "%s_eqz", t);
			int32_t want = call(ex, in, name, &a, 1);
			TK_CHECK(want == (w ? vals[i] == 0 : (int32_t)vals[i] == 0), "%s wrong",
				 name);
			static const char *const eforms[] = {"_br", "_if", "_loop"};
			for (size_t k = 0; k < 3; k++) {
				snprintf(name, sizeof(name), "%s_eqz%s", t, eforms[k]);
				int32_t got = call(ex, in, name, &a, 1);
				TK_CHECK(got == want, "%s(%lld) = %d, plain %d", name,
					 (long long)vals[i], got, want);
			}
		}
	}
	/* select with an eqz condition folded in: the operands swap */
	for (size_t i = 0; i < nv; i++) {
		wasm_val a32[3] = {wasm_val_i32((int32_t)vals[i]), wasm_val_i32(11),
				   wasm_val_i32(22)};
		int32_t want = (int32_t)vals[i] == 0 ? 11 : 22;
		TK_CHECK(call(ex, in, "i32_eqz_select", a32, 3) == want, "i32_eqz_select(%lld)",
			 (long long)vals[i]);
		wasm_val a64[3] = {wasm_val_i64(vals[i]), wasm_val_i32(11), wasm_val_i32(22)};
		want = vals[i] == 0 ? 11 : 22;
		TK_CHECK(call(ex, in, "i64_eqz_select", a64, 3) == want, "i64_eqz_select(%lld)",
			 (long long)vals[i]);
	}
	/* bit tests */
	for (size_t i = 0; i < nv; i++) {
		wasm_val a = wasm_val_i32((int32_t)vals[i]);
		int32_t want = call(ex, in, "and_plain", &a, 1);
		TK_CHECK(want == (((uint32_t)vals[i] & 6) != 0), "and_plain(%lld)",
			 (long long)vals[i]);
		static const char *const aforms[] = {"and_br", "and_if", "and_loop"};
		for (size_t k = 0; k < 3; k++)
			TK_CHECK(call(ex, in, aforms[k], &a, 1) == want, "%s(%lld) != %d",
				 aforms[k], (long long)vals[i], want);
	}
	/* zero stores into locals (a runs, b counts) */
	wasm_val seven = wasm_val_i32(7);
	TK_CHECK(call(ex, in, "zero_after_write", &seven, 1) == 0, "zero after a write");
	TK_CHECK(call(ex, in, "zero_after_tee", &seven, 1) == 0, "zero after a tee");
	/* n: 0, then 7, then 14 */
	TK_CHECK(call(ex, in, "zero_in_loop", &seven, 1) == 14, "zero in a loop: %d",
		 call(ex, in, "zero_in_loop", &seven, 1));
	/* f64 arithmetic on a loaded operand, against the same arithmetic in C
	 * (IEEE 754 double on both sides) */
	static const struct {
		const char *name;
		double x, want;
	} ld[] = {
		{"ld_add_b", 2.25, 2.25 + 1.5}, {"ld_add_a", -0.5, 1.5 + -0.5},
		{"ld_sub_b", 2.25, 2.25 - 1.5}, {"ld_sub_a", 0.75, 4.0 - 0.75},
		{"ld_mul_a", 1.25, 4.0 * 1.25}, {"ld_div_b", 3.0, 3.0 / 4.0},
		{"ld_div_a", 3.0, 4.0 / 3.0},	{"ld_sub_a_k", 0, 1.5 - 0.25},
		{"ld_two", 0, 1.5 - 4.0},
	};
	for (size_t i = 0; i < sizeof(ld) / sizeof(ld[0]); i++) {
		wasm_func *f = wasm_instance_func(in, ld[i].name);
		TK_REQUIRE(f, "no export %s", ld[i].name);
		wasm_val a = wasm_val_f64(ld[i].x), r;
		wasm_result rc = wasm_call(ex, f, &a, 1, &r, 1);
		TK_CHECK(rc == WASM_OK && r.of.f64 == ld[i].want, "%s(%g) = %g, want %g",
			 ld[i].name, ld[i].x, r.of.f64, ld[i].want);
	}
	wasm_func *at = wasm_instance_func(in, "ld_at");
	TK_REQUIRE(at, "no export ld_at");
	wasm_val args[2] = {wasm_val_i32(8), wasm_val_f64(5.0)}, r;
	TK_CHECK(wasm_call(ex, at, args, 2, &r, 1) == WASM_OK && r.of.f64 == 1.0, "ld_at(8)");
	args[0] = wasm_val_i32(65536 - 4); /* 8 bytes across the end */
	TK_CHECK(wasm_call(ex, at, args, 2, &r, 1) == WASM_TRAP &&
			 strstr(wasm_exec_message(ex), "out of bounds"),
		 "a fused load across the end did not trap");
	static const struct {
		const char *name;
		double want;
	} st[] = {{"st_add", 2.5 + 0.75},
		  {"st_sub", 2.5 - 0.75},
		  {"st_mul", 2.5 * 0.75},
		  {"st_div", 2.5 / 0.75}};
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		wasm_func *f = wasm_instance_func(in, st[i].name);
		TK_REQUIRE(f, "no export %s", st[i].name);
		wasm_val sa[3] = {wasm_val_i32(64), wasm_val_f64(2.5), wasm_val_f64(0.75)};
		wasm_result rc = wasm_call(ex, f, sa, 3, &r, 1);
		TK_CHECK(rc == WASM_OK && r.of.f64 == st[i].want, "%s = %g, want %g", st[i].name,
			 r.of.f64, st[i].want);
		sa[0] = wasm_val_i32(65536 - 20); /* st_sub's offset 16 crosses the end */
		rc = wasm_call(ex, f, sa, 3, &r, 1);
		TK_CHECK((rc == WASM_TRAP) == (i == 1), "%s near the end: %s", st[i].name,
			 wasm_result_name(rc));
	}
	/* f64 read-modify-write at 128 (and 136) holding 6.0 each time */
	static const struct {
		const char *name;
		double want;
	} rmw[] = {{"rmw_add", 6.0 + 1.5},
		   {"rmw_sub_a", 6.0 - 1.5},
		   {"rmw_sub_b", 1.5 - 6.0},
		   {"rmw_div_a", 6.0 / 1.5},
		   {"rmw_other", 6.0 * 1.5}};
	wasm_memory *mem0 = wasm_instance_memory(in, 0);
	for (size_t i = 0; i < sizeof(rmw) / sizeof(rmw[0]); i++) {
		double six[2] = {6.0, 6.0};
		uint8_t raw[16];
		for (int k = 0; k < 2; k++) {
			uint64_t bits;
			memcpy(&bits, &six[k], 8);
			for (int j = 0; j < 8; j++)
				raw[k * 8 + j] = (uint8_t)(bits >> (8 * j));
		}
		TK_REQUIRE(wasm_memory_write(mem0, 128, raw, 16) == 0, "write");
		wasm_func *f = wasm_instance_func(in, rmw[i].name);
		TK_REQUIRE(f, "no export %s", rmw[i].name);
		wasm_val ra[2] = {wasm_val_i32(128), wasm_val_f64(1.5)};
		TK_CHECK(wasm_call(ex, f, ra, 2, &r, 1) == WASM_OK && r.of.f64 == rmw[i].want,
			 "%s = %g, want %g", rmw[i].name, r.of.f64, rmw[i].want);
		ra[0] = wasm_val_i32(65536 - 12); /* rmw_add's offset 8 crosses the end */
		wasm_result rc = wasm_call(ex, f, ra, 2, &r, 1);
		TK_CHECK((rc == WASM_TRAP) == (i == 0 || i == 4), "%s near the end: %s",
			 rmw[i].name, wasm_result_name(rc));
	}
	/* f64 multiply-add to memory: c = 6.0 at 128 (and 136), b = 2.5 at 144
	 * (and 152), x = 1.5; ma_reg multiplies x by the i32 argument 3; the
	 * ms_ functions store x - x * 3 (x * 3 - x) to c */
	static const struct {
		const char *name;
		double want;
		int32_t b_arg;
		bool b_traps; /* the b address near the end traps */
	} ma[] = {{"ma_lb", 6.0 + 1.5 * 2.5, 144, true},
		  {"ma_lb_swap", 6.0 + 2.5 * 1.5, 144, true},
		  {"ma_reg", 6.0 + 1.5 * 3.0, 3, false},
		  {"ma_tee", 1.5 * 2.5, 144, true},
		  {"ma_la", 6.0 + 1.5 * 2.5, 144 - 8, true},
		  {"ms_st", 1.5 - 1.5 * 3.0, 3, false},
		  {"ms_swap", 1.5 * 3.0 - 1.5, 3, false}};
	for (size_t i = 0; i < sizeof(ma) / sizeof(ma[0]); i++) {
		const double init[4] = {6.0, 6.0, 2.5, 2.5};
		uint8_t raw[32];
		for (int k = 0; k < 4; k++) {
			uint64_t bits;
			memcpy(&bits, &init[k], 8);
			for (int j = 0; j < 8; j++)
				raw[k * 8 + j] = (uint8_t)(bits >> (8 * j));
		}
		TK_REQUIRE(wasm_memory_write(mem0, 128, raw, 32) == 0, "write");
		wasm_func *f = wasm_instance_func(in, ma[i].name);
		TK_REQUIRE(f, "no export %s", ma[i].name);
		wasm_val args[3] = {wasm_val_i32(128), wasm_val_i32(ma[i].b_arg),
				    wasm_val_f64(1.5)};
		TK_CHECK(wasm_call(ex, f, args, 3, &r, 1) == WASM_OK && r.of.f64 == ma[i].want,
			 "%s = %g, want %g", ma[i].name, r.of.f64, ma[i].want);
		uint8_t back[8];
		TK_REQUIRE(wasm_memory_read(mem0, 128 + (i == 1 ? 8 : 0), back, 8) == 0, "read");
		uint64_t bits = 0;
		for (int j = 0; j < 8; j++)
			bits |= (uint64_t)back[j] << (8 * j);
		double stored;
		memcpy(&stored, &bits, 8);
		double want_c = i == 3 ? 6.0 + 1.5 * 2.5 : ma[i].want;
		TK_CHECK(stored == want_c, "%s stored %g, want %g", ma[i].name, stored, want_c);
		/* c at the end of memory traps (the product is computed first) */
		args[0] = wasm_val_i32(65536 - 4);
		wasm_result rc = wasm_call(ex, f, args, 3, &r, 1);
		TK_CHECK(rc == WASM_TRAP, "%s with c near the end: %s", ma[i].name,
			 wasm_result_name(rc));
		/* b at the end traps before c is written */
		if (ma[i].b_traps) {
			TK_REQUIRE(wasm_memory_write(mem0, 128, raw, 32) == 0, "write");
			args[0] = wasm_val_i32(128);
			args[1] = wasm_val_i32(65536 - 4);
			rc = wasm_call(ex, f, args, 3, &r, 1);
			TK_CHECK(rc == WASM_TRAP, "%s with b near the end: %s", ma[i].name,
				 wasm_result_name(rc));
			uint8_t now[32];
			TK_REQUIRE(wasm_memory_read(mem0, 128, now, 32) == 0, "read");
			TK_CHECK(memcmp(now, raw, 32) == 0, "%s wrote c before its trap",
				 ma[i].name);
		}
	}
	/* an f64 product added to a slot: a = 1.5, b = 2.5, c = 0.25 */
	static const struct {
		const char *name;
		double want;
	} mad[] = {{"mad_a", 1.5 * 2.5 + 0.25},
		   {"mad_b", 0.25 + 1.5 * 2.5},
		   {"mad_sub", (1.5 - 2.5) * (1.5 - 2.5) + 0.25},
		   {"mad_tee", 1.5 * 2.5 + 0.25 + 1.5 * 2.5}};
	for (size_t i = 0; i < sizeof(mad) / sizeof(mad[0]); i++) {
		wasm_func *f = wasm_instance_func(in, mad[i].name);
		TK_REQUIRE(f, "no export %s", mad[i].name);
		wasm_val args[3] = {wasm_val_f64(1.5), wasm_val_f64(2.5), wasm_val_f64(0.25)};
		TK_CHECK(wasm_call(ex, f, args, 3, &r, 1) == WASM_OK && r.of.f64 == mad[i].want,
			 "%s = %g, want %g", mad[i].name, r.of.f64, mad[i].want);
	}
	/* i32 arithmetic on a loaded operand: 0x12345678 at 32 */
	uint8_t word[4] = {0x78, 0x56, 0x34, 0x12};
	TK_REQUIRE(wasm_memory_write(wasm_instance_memory(in, 0), 32, word, 4) == 0, "write");
	const uint32_t w = 0x12345678u, x = 0x0f0f00ffu;
	static const char *const li[] = {"li_add_b", "li_sub_b", "li_sub_a", "li_mul_a",
					 "li_and_b", "li_or_a",	 "li_xor_b"};
	const uint32_t lwant[] = {x + w, x - w, w - x, w * x, x & w, w | x, x ^ w};
	for (size_t i = 0; i < 7; i++) {
		wasm_val a = wasm_val_i32((int32_t)x);
		int32_t got = call(ex, in, li[i], &a, 1);
		TK_CHECK((uint32_t)got == lwant[i], "%s = %08x, want %08x", li[i], (uint32_t)got,
			 lwant[i]);
	}
	wasm_val a32 = wasm_val_i32(32);
	TK_CHECK((uint32_t)call(ex, in, "li_add_k", &a32, 1) == w + 5, "li_add_k");
	TK_CHECK((uint32_t)call(ex, in, "li_sub_a_k", &a32, 1) == w - 5, "li_sub_a_k");
	wasm_func *lk = wasm_instance_func(in, "li_add_k");
	wasm_val end = wasm_val_i32(65536 - 3);
	TK_CHECK(lk && wasm_call(ex, lk, &end, 1, &r, 1) == WASM_TRAP, "li_add_k at the end");
	/* i32 read-modify-write at 256 (and 260) holding 1000 each time */
	static const char *const irmw[] = {"irmw_inc", "irmw_sub_a", "irmw_sub_b", "irmw_xor"};
	const uint32_t iwant[] = {1001, 1000 - 7, 7 - 1000, 1000 ^ 7};
	for (size_t i = 0; i < 4; i++) {
		uint8_t thousand[8] = {0xe8, 0x03, 0, 0, 0xe8, 0x03, 0, 0};
		TK_REQUIRE(wasm_memory_write(mem0, 256, thousand, 8) == 0, "write");
		wasm_val ia[2] = {wasm_val_i32(256), wasm_val_i32(7)};
		int32_t got = call(ex, in, irmw[i], ia, i == 0 ? 1 : 2);
		TK_CHECK((uint32_t)got == iwant[i], "%s = %d, want %d", irmw[i], got,
			 (int32_t)iwant[i]);
	}
	wasm_func *inc = wasm_instance_func(in, "irmw_inc");
	wasm_val near = wasm_val_i32(65536 - 6); /* offset 4: 4 bytes across the end */
	TK_CHECK(inc && wasm_call(ex, inc, &near, 1, &r, 1) == WASM_TRAP, "irmw_inc at the end");
	wasm_exec_free(ex);
	wasm_instance_free(in);
	wasm_module_free(m);
	return tk_finish();
}
