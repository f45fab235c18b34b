/* interp.c: the interpreter and the execution context (wasm_exec).
 *
 * One function, wasm_exec_run, runs internal code (compile.c) with threaded
 * dispatch: each cell sequence starts with the address of its handler's
 * label and every handler ends by jumping to the next one. The machine state
 * is a handful of registers (pc, frame pointer, instance, memory base and
 * size, fuel, frame-stack top); Wasm calls push a record on the exec's frame
 * stack and go on in the same C loop, so the C stack never holds Wasm state.
 * Host functions are called from the loop, and may call back into Wasm
 * (a nested run of this function on the same exec).
 *
 * Safe points are function entries and loop headers: one decrement of the
 * fuel register and one relaxed atomic load of the stop flag. Defining
 * WASM_NO_SAFEPOINTS compiles them out.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "wasm_internal.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(x) __builtin_bswap16(x)
#define LE32(x) __builtin_bswap32(x)
#define LE64(x) __builtin_bswap64(x)
#else
#define LE16(x) (x)
#define LE32(x) (x)
#define LE64(x) (x)
#endif

static inline uint16_t ld16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return LE16(v);
}
static inline uint32_t ld32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return LE32(v);
}
static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return LE64(v);
}
static inline void st16(uint8_t *p, uint16_t v)
{
	v = LE16(v);
	memcpy(p, &v, 2);
}
static inline void st32(uint8_t *p, uint32_t v)
{
	v = LE32(v);
	memcpy(p, &v, 4);
}
static inline void st64(uint8_t *p, uint64_t v)
{
	v = LE64(v);
	memcpy(p, &v, 8);
}

static float fmin32(float a, float b)
{
	if (isnan(a) || isnan(b))
		return a + b;
	if (a == b)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}
static float fmax32(float a, float b)
{
	if (isnan(a) || isnan(b))
		return a + b;
	if (a == b)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}
static double fmin64(double a, double b)
{
	if (isnan(a) || isnan(b))
		return a + b;
	if (a == b)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}
static double fmax64(double a, double b)
{
	if (isnan(a) || isnan(b))
		return a + b;
	if (a == b)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

/* Saturating float to int conversions (the trapping ones check first). */
static int32_t sat_i32(double x)
{
	if (isnan(x))
		return 0;
	if (x <= -2147483649.0)
		return INT32_MIN;
	if (x >= 2147483648.0)
		return INT32_MAX;
	return (int32_t)x;
}
static uint32_t sat_u32(double x)
{
	if (isnan(x) || x <= -1.0)
		return 0;
	if (x >= 4294967296.0)
		return UINT32_MAX;
	return (uint32_t)x;
}
static int64_t sat_i64(double x)
{
	if (isnan(x))
		return 0;
	if (x < -9223372036854775808.0)
		return INT64_MIN;
	if (x >= 9223372036854775808.0)
		return INT64_MAX;
	return (int64_t)x;
}
static uint64_t sat_u64(double x)
{
	if (isnan(x) || x <= -1.0)
		return 0;
	if (x >= 18446744073709551616.0)
		return UINT64_MAX;
	return (uint64_t)x;
}

static const void *const *g_labels;
static cell g_exit_cell[1];

#define S(i) fp[pc[i].u]
#define A(i) (pc[i].u)
#ifdef WASM_OPSTATS
/* A profiling aid (never in a normal build): counts executed operations and
 * pairs of consecutive ones, printed to stderr at exit. */
static const char *const g_op_names[] = {
#define WASM_OP_NAME(n) #n,
	WASM_OPS(WASM_OP_NAME)
#undef WASM_OP_NAME
#define WASM_PAIR_NAME(a, b) "P_" #a "__" #b,
		WASM_PAIRS(WASM_PAIR_NAME)
#undef WASM_PAIR_NAME
#define WASM_FWD_NAME(a, b, k) "F_" #a "__" #b "_" #k,
			WASM_FWDS(WASM_FWD_NAME)
#undef WASM_FWD_NAME
};
static uint64_t g_pairs[OP_COUNT][OP_COUNT];
static const void *g_hkey[4096];
static uint16_t g_hval[4096];
static int g_prev;
static bool g_stats_init;
static uint32_t hslot(const void *h)
{
	return (uint32_t)(((uintptr_t)h * 0x9E3779B97F4A7C15ull) >> 52);
}
static void opstats_print(void)
{
	static uint64_t tot[OP_COUNT];
	uint64_t all = 0;
	for (int a = 0; a < OP_COUNT; a++)
		for (int b = 0; b < OP_COUNT; b++) {
			tot[b] += g_pairs[a][b];
			all += g_pairs[a][b];
		}
	fprintf(stderr, "opstats: %llu operations\n", (unsigned long long)all);
	for (int k = 0; k < 60; k++) {
		int best = -1;
		for (int b = 0; b < OP_COUNT; b++)
			if (tot[b] && (best < 0 || tot[b] > tot[best]))
				best = b;
		if (best < 0)
			break;
		fprintf(stderr, "op %6.2f%% %s\n", 100.0 * (double)tot[best] / (double)all,
			g_op_names[best]);
		tot[best] = 0;
	}
	for (int k = 0; k < 200; k++) {
		int ba = -1, bb = -1;
		for (int a = 0; a < OP_COUNT; a++)
			for (int b = 0; b < OP_COUNT; b++)
				if (g_pairs[a][b] && (ba < 0 || g_pairs[a][b] > g_pairs[ba][bb])) {
					ba = a;
					bb = b;
				}
		if (ba < 0)
			break;
		fprintf(stderr, "pair %6.2f%% %s %s\n",
			100.0 * (double)g_pairs[ba][bb] / (double)all, g_op_names[ba],
			g_op_names[bb]);
		g_pairs[ba][bb] = 0;
	}
}
static void opstats(const void *h)
{
	if (!g_stats_init) {
		g_stats_init = true;
		atexit(opstats_print);
		for (int o = 0; o < OP_COUNT; o++) {
			uint32_t j = hslot(g_labels[o]);
			while (g_hkey[j] && g_hkey[j] != g_labels[o])
				j = (j + 1) & 4095;
			g_hkey[j] = g_labels[o];
			g_hval[j] = (uint16_t)o;
		}
	}
	uint32_t i = hslot(h);
	while (g_hkey[i] != h)
		i = (i + 1) & 4095;
	int o = g_hval[i];
	g_pairs[g_prev][o]++;
	g_prev = o;
}
#define NEXT()                  \
	do {                    \
		opstats(pc->h); \
		goto * pc->h;   \
	} while (0)
#else
#define NEXT() goto * pc->h // NOLINT(bugprone-macro-parentheses)
#endif
#define TRAP(m)                 \
	do {                    \
		trap_msg = (m); \
		goto trap;      \
	} while (0)
#define LOAD_MEM()                          \
	do {                                \
		mbase = inst->mem0->data;   \
		msize = inst->mem0->size;   \
		mdirty = inst->mem0->dirty; \
	} while (0)
/* Dirty-page tracking in the store path: one predictable branch when off.
 * A store of N bytes at ea may straddle two 64 KiB pages. */
#define MARK_DIRTY(ea, N)                                 \
	do {                                              \
		if (unlikely(mdirty != NULL)) {           \
			mdirty[(ea) >> 16] = 1;           \
			mdirty[((ea) + (N)-1) >> 16] = 1; \
		}                                         \
	} while (0)
#define OOB "out of bounds memory access"

/* Operand reads go through R: in a forwarding pair (ops.h, WASM_FWDS) the
 * second operation's operand FWD is the value the first one just wrote,
 * taken from the register fwd instead of a reload of its slot (the enum
 * constant FWD is 0, no operand, outside those handlers; the comparison
 * folds at compile time). SET1 writes an operation's result to its slot
 * (cell 1) and keeps it in fwd, which is dead unless a forwarding handler
 * reads it. */
#define R(i) ((i) == FWD ? fwd : S(i))
#define SET1(v)                      \
	do {                         \
		fwd = (uint64_t)(v); \
		S(1) = fwd;          \
	} while (0)
#define U32(i) ((uint32_t)R(i))
#define I32(i) ((int32_t)(uint32_t)R(i))
#define U64(i) (R(i))
#define I64(i) ((int64_t)R(i))
#define F32(i) bits_f32((uint32_t)R(i))
#define F64(i) bits_f64(R(i))

/* Each handler family has a body macro (BODY_*: the work and the pc
 * advance, no dispatch) and a handler macro (its label, the body, NEXT).
 * The bodies of the operations that start a pair (ops.h, WASM_PAIRS) are
 * named PB_<op> and serve both the operation's own handler (OPB) and the
 * pair's, which goes on to the second operation's label directly. */
#define OPB(name)             \
	L_##name : PB_##name; \
	NEXT();
#define BODY_BIN32(expr)                         \
	{                                        \
		uint32_t a = U32(2), b = U32(3); \
		SET1((uint32_t)(expr));          \
		pc += 4;                         \
	}
#define BODY_BIN64(expr)                         \
	{                                        \
		uint64_t a = U64(2), b = U64(3); \
		SET1((uint64_t)(expr));          \
		pc += 4;                         \
	}
#define BODY_BIN32I(expr)                                \
	{                                                \
		uint32_t a = U32(2), b = (uint32_t)A(3); \
		SET1((uint32_t)(expr));                  \
		pc += 4;                                 \
	}
#define BODY_BIN64I(expr)                      \
	{                                      \
		uint64_t a = U64(2), b = A(3); \
		SET1((uint64_t)(expr));        \
		pc += 4;                       \
	}
#define BODY_BINF64(expr)                      \
	{                                      \
		double a = F64(2), b = F64(3); \
		SET1((expr));                  \
		pc += 4;                       \
	}
#define BIN32(name, expr)  L_##name : BODY_BIN32(expr) NEXT();
#define BIN64(name, expr)  L_##name : BODY_BIN64(expr) NEXT();
#define BIN32I(name, expr) L_##name : BODY_BIN32I(expr) NEXT();
#define BIN64I(name, expr) L_##name : BODY_BIN64I(expr) NEXT();
#define BINF64(name, expr) L_##name : BODY_BINF64(expr) NEXT();
/* compare and branch: a b target */
#define BODY_BRC(cond)                \
	{                             \
		if (cond) {           \
			pc = pc[3].p; \
			NEXT();       \
		}                     \
		pc += 4;              \
	}
#define BODY_BRCL(cond)                      \
	{                                    \
		if (cond) {                  \
			pc = pc[3].p;        \
			SAFEPOINT_CHECK(pc); \
			NEXT();              \
		}                            \
		pc += 4;                     \
	}
#define BRC(name, cond)	 L_BR_IF_##name : BODY_BRC(cond) NEXT();
#define BRCI(name, cond) BRC(name, cond)
#define BRCL(name, cond) L_BR_IF_##name : BODY_BRCL(cond) NEXT();
#define BINF32(name, expr)                    \
	L_##name:                             \
	{                                     \
		float a = F32(2), b = F32(3); \
		SET1((expr));                 \
		pc += 4;                      \
		NEXT();                       \
	}
#define BODY_UN(T, get, expr) \
	{                     \
		T a = get(2); \
		SET1((expr)); \
		pc += 3;      \
	}
#define UN(name, T, get, expr) \
	L_##name:              \
	{                      \
		T a = get(2);  \
		SET1((expr));  \
		pc += 3;       \
		NEXT();        \
	}
#define BODY_LOAD(N, expr)                             \
	{                                              \
		uint64_t ea = (uint64_t)U32(2) + A(3); \
		if (unlikely(ea + (N) > msize))        \
			goto trap_oob;                 \
		const uint8_t *p = mbase + ea;         \
		SET1((expr));                          \
		pc += 4;                               \
	}
#define BODY_STORE(N, stmt)                            \
	{                                              \
		uint64_t ea = (uint64_t)U32(1) + A(3); \
		if (unlikely(ea + (N) > msize))        \
			goto trap_oob;                 \
		uint8_t *p = mbase + ea;               \
		uint64_t v = R(2);                     \
		stmt;                                  \
		MARK_DIRTY(ea, N);                     \
		pc += 4;                               \
	}
#define LOAD(name, N, expr)  L_##name : BODY_LOAD(N, expr) NEXT();
#define STORE(name, N, stmt) L_##name : BODY_STORE(N, stmt) NEXT();

#define BODY_LOAD2(N, expr)                                                 \
	{                                                                   \
		uint64_t ea = (uint64_t)(uint32_t)(U32(2) + U32(3)) + A(4); \
		if (unlikely(ea + (N) > msize))                             \
			goto trap_oob;                                      \
		const uint8_t *p = mbase + ea;                              \
		SET1((expr));                                               \
		pc += 5;                                                    \
	}
#define LOAD2(name, N, expr) L_##name##_ADD : BODY_LOAD2(N, expr) NEXT();
#define STORE2(name, N, stmt)                                               \
	L_##name##_ADD:                                                     \
	{                                                                   \
		uint64_t ea = (uint64_t)(uint32_t)(U32(1) + U32(2)) + A(4); \
		if (unlikely(ea + (N) > msize))                             \
			goto trap_oob;                                      \
		uint8_t *p = mbase + ea;                                    \
		uint64_t v = R(3);                                          \
		stmt;                                                       \
		MARK_DIRTY(ea, N);                                          \
		pc += 5;                                                    \
		NEXT();                                                     \
	}

/* f64 arithmetic on a slot (o) and a value loaded from memory (m):
 * dst addr off other */
#define BODY_LDF64(expr)                                           \
	{                                                          \
		uint64_t ea = (uint64_t)U32(2) + A(3);             \
		if (unlikely(ea + 8 > msize))                      \
			goto trap_oob;                             \
		double m = bits_f64(ld64(mbase + ea)), o = F64(4); \
		SET1(f64_bits(expr));                              \
		pc += 5;                                           \
	}
#define LDF64(name, expr) L_##name : BODY_LDF64(expr) NEXT();

/* f64 read-modify-write: m = mem[addr+off]; mem[addr+off] = expr(o, m) */
#define BODY_RMWF64(expr)                                 \
	{                                                 \
		uint64_t ea = (uint64_t)U32(1) + A(2);    \
		if (unlikely(ea + 8 > msize))             \
			goto trap_oob;                    \
		uint8_t *p = mbase + ea;                  \
		double m = bits_f64(ld64(p)), o = F64(3); \
		st64(p, f64_bits(expr));                  \
		MARK_DIRTY(ea, 8);                        \
		pc += 5;                                  \
	}
#define RMWF64(name, expr) L_##name : BODY_RMWF64(expr) NEXT();
/* i32 read-modify-write: m = mem[addr+off]; mem[addr+off] = expr(o, m) */
#define RMWI32(name, expr)                             \
	L_##name:                                      \
	{                                              \
		uint64_t ea = (uint64_t)U32(1) + A(2); \
		if (unlikely(ea + 4 > msize))          \
			goto trap_oob;                 \
		uint8_t *p = mbase + ea;               \
		uint32_t m = ld32(p), o = U32(3);      \
		st32(p, (uint32_t)(expr));             \
		MARK_DIRTY(ea, 4);                     \
		pc += 5;                               \
		NEXT();                                \
	}
/* i32 arithmetic on a slot (o) and a value loaded from memory (m) */
#define BODY_LDI32(expr)                                   \
	{                                                  \
		uint64_t ea = (uint64_t)U32(2) + A(3);     \
		if (unlikely(ea + 4 > msize))              \
			goto trap_oob;                     \
		uint32_t m = ld32(mbase + ea), o = U32(4); \
		SET1((uint32_t)(expr));                    \
		pc += 5;                                   \
	}
#define LDI32(name, expr)                                  \
	L_##name:                                          \
	{                                                  \
		uint64_t ea = (uint64_t)U32(2) + A(3);     \
		if (unlikely(ea + 4 > msize))              \
			goto trap_oob;                     \
		uint32_t m = ld32(mbase + ea), o = U32(4); \
		SET1((uint32_t)(expr));                    \
		pc += 5;                                   \
		NEXT();                                    \
	}
/* f64 arithmetic stored to memory: addr a b off (the arithmetic cannot
 * trap, so computing it before the bounds check changes nothing) */
#define BODY_STF64(expr)                               \
	{                                              \
		double x = F64(2), y = F64(3);         \
		uint64_t ea = (uint64_t)U32(1) + A(4); \
		if (unlikely(ea + 8 > msize))          \
			goto trap_oob;                 \
		st64(mbase + ea, f64_bits(expr));      \
		MARK_DIRTY(ea, 8);                     \
		pc += 5;                               \
	}
#define STF64(name, expr) L_##name : BODY_STF64(expr) NEXT();

/* f64.mul then the f64 add read-modify-write of its product, as the two
 * operations' cells: (mul_lb dst addr1 off1 x)(add_rmw addr0 off0 dst -),
 * or (mul dst a b)(add_rmw addr0 off0 dst -). The product stays in a
 * register: dst is a stack slot that nothing reads after the add
 * (compile.c, fuse_pairs). Same arithmetic in the same operand order,
 * same bounds checks in the same order as the two operations. */
#define BODY_MULADD_RMW(N, prod)                                   \
	{                                                          \
		double o = (prod);                                 \
		uint64_t ea = (uint64_t)U32((N) + 1) + A((N) + 2); \
		if (unlikely(ea + 8 > msize))                      \
			goto trap_oob;                             \
		uint8_t *p = mbase + ea;                           \
		double m = bits_f64(ld64(p));                      \
		st64(p, f64_bits(o + m));                          \
		MARK_DIRTY(ea, 8);                                 \
		pc += (N) + 5;                                     \
	}
#define PB_F64_MULADD_RMW BODY_MULADD_RMW(4, F64(2) * F64(3))
#define PB_F64_MULADD_LB_RMW                             \
	{                                                \
		uint64_t ea1 = (uint64_t)U32(2) + A(3);  \
		if (unlikely(ea1 + 8 > msize))           \
			goto trap_oob;                   \
		double m1 = bits_f64(ld64(mbase + ea1)); \
		BODY_MULADD_RMW(5, F64(4) * m1)          \
	}

/* (load_add d a b off)(mul dst x d)(add_rmw addr0 off0 dst -): the
 * multiply-add of a value loaded from a register-sum address */
#define PB_F64_MULADD_LA_RMW                                                 \
	{                                                                    \
		uint64_t ea1 = (uint64_t)(uint32_t)(U32(2) + U32(3)) + A(4); \
		if (unlikely(ea1 + 8 > msize))                               \
			goto trap_oob;                                       \
		double m1 = bits_f64(ld64(mbase + ea1));                     \
		pc += 5;                                                     \
		BODY_MULADD_RMW(4, F64(2) * m1)                              \
	}

/* (mul d a b)(sub_st addr x d off): mem[addr+off] = x - a * b, the
 * product in no slot (compile.c, muladd) */
#define PB_F64_MULSUB_ST                                   \
	{                                                  \
		double prod = F64(2) * F64(3), x = F64(6); \
		uint64_t ea = (uint64_t)U32(5) + A(8);     \
		if (unlikely(ea + 8 > msize))              \
			goto trap_oob;                     \
		st64(mbase + ea, f64_bits(x - prod));      \
		MARK_DIRTY(ea, 8);                         \
		pc += 9;                                   \
	}

/* (mul d a b)(add dst d y) and (mul d a b)(add dst x d): the product
 * added to a slot, in no slot itself (compile.c, muladd) */
#define PB_F64_MUL_ADD_A                                   \
	{                                                  \
		double prod = F64(2) * F64(3), y = F64(7); \
		S(5) = f64_bits(prod + y);                 \
		pc += 8;                                   \
	}
#define PB_F64_MUL_ADD_B                                   \
	{                                                  \
		double prod = F64(2) * F64(3), x = F64(6); \
		S(5) = f64_bits(x + prod);                 \
		pc += 8;                                   \
	}

/* The bodies of the operations that start pairs. */
#define PB_I64_STORE32	       BODY_STORE(4, st32(p, (uint32_t)v))
#define PB_I64_ADD	       BODY_BIN64(a + b)
#define PB_BR_IF_I32_GT_S      BODY_BRC((int32_t)U32(1) > (int32_t)U32(2))
#define PB_BR_IF_I32_LT_S_IMM  BODY_BRC((int32_t)U32(1) < (int32_t)(uint32_t)A(2))
#define PB_F64_ADD	       BODY_BINF64(f64_bits(a + b))
#define PB_F64_SQRT	       BODY_UN(double, F64, f64_bits(sqrt(a)))
#define PB_I32_ADD_LB	       BODY_LDI32(o + m)
#define PB_I32_MUL_LB	       BODY_LDI32((o * m))
#define PB_I32_AND	       BODY_BIN32((a & b))
#define PB_I32_OR	       BODY_BIN32(a | b)
#define PB_I32_ROTL	       BODY_BIN32((a << (b & 31)) | (a >> ((32 - (b & 31)) & 31)))
#define PB_I32_LOAD16_U	       BODY_LOAD(2, ld16(p))
#define PB_I32_LOAD8_S	       BODY_LOAD(1, (uint32_t)(int32_t)(int8_t)p[0])
#define PB_I32_SHR_S_IMM       BODY_BIN32I((uint32_t)((int32_t)a >> (b & 31)))
#define PB_I32_XOR_IMM	       BODY_BIN32I(a ^ b)
#define PB_I64_EXTEND_I32_U    BODY_UN(uint32_t, U32, (uint64_t)a)
#define PB_I64_LOAD_ADD	       BODY_LOAD2(8, ld64(p))
#define PB_I64_OR	       BODY_BIN64(a | b)
#define PB_I64_SHL_IMM	       BODY_BIN64I(a << (b & 63))
#define PB_I32_ADD_IMM	       BODY_BIN32I(a + b)
#define PB_I32_SUB_IMM	       BODY_BIN32I(a - b)
#define PB_I32_MUL_IMM	       BODY_BIN32I((a * b))
#define PB_I32_AND_IMM	       BODY_BIN32I((a & b))
#define PB_I32_SHL_IMM	       BODY_BIN32I(a << (b & 31))
#define PB_I64_ADD_IMM	       BODY_BIN64I(a + b)
#define PB_I32_ADD	       BODY_BIN32(a + b)
#define PB_I32_GT_U	       BODY_BIN32(a > b)
#define PB_I32_LE_U	       BODY_BIN32(a <= b)
#define PB_F64_MUL	       BODY_BINF64(f64_bits((a * b)))
#define PB_F64_SUB	       BODY_BINF64(f64_bits(a - b))
#define PB_I32_LOAD	       BODY_LOAD(4, ld32(p))
#define PB_I32_LOAD8_U	       BODY_LOAD(1, p[0])
#define PB_I64_LOAD8_U	       BODY_LOAD(1, p[0])
#define PB_F64_LOAD	       BODY_LOAD(8, ld64(p))
#define PB_I32_STORE	       BODY_STORE(4, st32(p, (uint32_t)v))
#define PB_I32_STORE8	       BODY_STORE(1, p[0] = (uint8_t)v)
#define PB_I64_STORE	       BODY_STORE(8, st64(p, v))
#define PB_I32_LOAD_ADD	       BODY_LOAD2(4, ld32(p))
#define PB_I32_LOAD8_U_ADD     BODY_LOAD2(1, p[0])
#define PB_F64_LOAD_ADD	       BODY_LOAD2(8, ld64(p))
#define PB_F64_MUL_LB	       BODY_LDF64((o * m))
#define PB_F64_ADD_LB_RMW      BODY_RMWF64(o + m)
#define PB_F64_SUB_ST	       BODY_STF64(x - y)
#define PB_BR_IF_I32_NE	       BODY_BRC((uint32_t)U32(1) != (uint32_t)U32(2))
#define PB_BR_IF_I32_GE_U      BODY_BRC((uint32_t)U32(1) >= (uint32_t)U32(2))
#define PB_BR_IF_I32_NE_LOOP   BODY_BRCL((uint32_t)U32(1) != (uint32_t)U32(2))
#define PB_BR_IF_I32_LT_U_LOOP BODY_BRCL((uint32_t)U32(1) < (uint32_t)U32(2))
#define PB_BR_IF_I32_GT_S_IMM  BODY_BRC((int32_t)U32(1) > (int32_t)(uint32_t)A(2))
#define PB_BR_IF_I32_GT_U      BODY_BRC((uint32_t)U32(1) > (uint32_t)U32(2))
#define PB_I64_AND_IMM	       BODY_BIN64I((a & b))
#define PB_I64_LOAD	       BODY_LOAD(8, ld64(p))
#define PB_I32_STORE16	       BODY_STORE(2, st16(p, (uint16_t)v))
#define PB_I32_EXTEND8_S       BODY_UN(uint32_t, U32, (uint32_t)(int32_t)(int8_t)(uint8_t)a)
#define PB_BR_IF                      \
	{                             \
		if (U32(1)) {         \
			pc = pc[2].p; \
			NEXT();       \
		}                     \
		pc += 3;              \
	}
/* always leaves through NEXT */
#define PB_BR_TABLE                             \
	{                                       \
		uint32_t i = U32(1);            \
		uint64_t n = A(2);              \
		pc = pc[3 + (i < n ? i : n)].p; \
		NEXT();                         \
	}
#define PB_BR_IF_I32_NE_IMM	   BODY_BRC((uint32_t)U32(1) != (uint32_t)(uint32_t)A(2))
#define PB_BR_IF_I32_LT_U	   BODY_BRC((uint32_t)U32(1) < (uint32_t)U32(2))
#define PB_BR_IF_I32_LT_U_IMM	   BODY_BRC((uint32_t)U32(1) < (uint32_t)(uint32_t)A(2))
#define PB_BR_IF_I64_GE_S	   BODY_BRC((int64_t)U64(1) >= (int64_t)U64(2))
#define PB_I32_OR_IMM		   BODY_BIN32I(a | b)
#define PB_I32_SHR_U_IMM	   BODY_BIN32I(a >> (b & 31))
#define PB_I32_SUB		   BODY_BIN32(a - b)
#define PB_I64_EXTEND_I32_S	   BODY_UN(uint32_t, U32, (uint64_t)(int64_t)(int32_t)a)
#define PB_BR_IF_I32_GT_U_IMM_LOOP BODY_BRCL((uint32_t)U32(1) > (uint32_t)(uint32_t)A(2))
#define PB_BR_IF_I32_LE_U_LOOP	   BODY_BRCL((uint32_t)U32(1) <= (uint32_t)U32(2))
#define PB_BR_UNLESS                  \
	{                             \
		if (!U32(1)) {        \
			pc = pc[2].p; \
			NEXT();       \
		}                     \
		pc += 3;              \
	}
#define PB_BR_IF_LOOP                        \
	{                                    \
		if (U32(1)) {                \
			pc = pc[2].p;        \
			SAFEPOINT_CHECK(pc); \
			NEXT();              \
		}                            \
		pc += 3;                     \
	}
#define PB_MOV              \
	{                   \
		SET1(R(2)); \
		pc += 3;    \
	}
#define PB_CONST            \
	{                   \
		SET1(A(2)); \
		pc += 3;    \
	}
#define PB_SELECT                           \
	{                                   \
		SET1(U32(4) ? R(2) : R(3)); \
		pc += 5;                    \
	}
#define PB_GLOBAL_GET                           \
	{                                       \
		SET1(inst->globals[A(2)]->val); \
		pc += 3;                        \
	}
#define PB_GLOBAL_SET                            \
	{                                        \
		inst->globals[A(1)]->val = R(2); \
		pc += 3;                         \
	}
#define PB_I32_EQZ                 \
	{                          \
		SET1(U32(2) == 0); \
		pc += 3;           \
	}

#ifdef WASM_NO_SAFEPOINTS
#define SAFEPOINT_CHECK(resume)
#else
#define SAFEPOINT_CHECK(resume)                                                        \
	do {                                                                           \
		if (unlikely(--fuel < 0 ||                                             \
			     atomic_load_explicit(&ex->stop, memory_order_relaxed))) { \
			resume_pc = (resume);                                          \
			goto safepoint;                                                \
		}                                                                      \
	} while (0)
#endif

static wasm_result interp(wasm_exec *ex, const void *const **labels_out)
{
	static const void *const labels[] = {
#define WASM_OP_LABEL(n) &&L_##n,
		/* cppcheck cannot parse label addresses (a GNU extension) */
		// cppcheck-suppress syntaxError
		WASM_OPS(WASM_OP_LABEL)
#undef WASM_OP_LABEL
#define WASM_PAIR_LABEL(a, b) &&L_P_##a##__##b,
			WASM_PAIRS(WASM_PAIR_LABEL)
#undef WASM_PAIR_LABEL
#define WASM_FWD_LABEL(a, b, k) &&L_F_##a##__##b##_##k,
				WASM_FWDS(WASM_FWD_LABEL)
#undef WASM_FWD_LABEL
	};
	if (labels_out) {
		*labels_out = labels;
		return WASM_OK;
	}
	cell *pc = ex->pc;
	uint64_t *fp = ex->fp;
	uint64_t fwd = 0; /* the last result written, for forwarding pairs */
	enum {
		FWD = 0
	};
	wasm_func *fn = ex->fn;
	wasm_instance *inst = fn->inst;
	struct wasm_frame *ftop = ex->ftop;
	struct wasm_frame *const frames_end = ex->frames_end;
	uint64_t *const stack_end = ex->stack_end;
	int64_t fuel = ex->fuel;
	uint8_t *mbase;
	uint64_t msize;
	uint8_t *mdirty;
	/* volatile: each trap stores its message on its own cold path, where
	 * a plain variable lets gcc compute the address in the hot handler */
	const char *volatile trap_msg = NULL;
#ifndef WASM_NO_SAFEPOINTS
	cell *resume_pc = NULL;
#endif
	wasm_func *f;
	uint64_t *nfp;
	cell *ret;
	LOAD_MEM();
	NEXT();

L_EXIT:
	ex->fuel = fuel;
	ex->ftop = ftop;
	return WASM_OK;
L_UNREACHABLE:
	TRAP("unreachable");
L_BR:
	pc = pc[1].p;
	NEXT();
	OPB(BR_IF)
	OPB(BR_UNLESS)
L_BR_TABLE:
	PB_BR_TABLE;
	/* compare and branch: a b target */
	BRC(I32_EQ, (uint32_t)U32(1) == (uint32_t)U32(2))
	BRCI(I32_EQ_IMM, (uint32_t)U32(1) == (uint32_t)(uint32_t)A(2))
	OPB(BR_IF_I32_NE)
	OPB(BR_IF_I32_NE_IMM)
	BRC(I32_LT_S, (int32_t)U32(1) < (int32_t)U32(2))
	OPB(BR_IF_I32_LT_S_IMM)
	OPB(BR_IF_I32_LT_U)
	OPB(BR_IF_I32_LT_U_IMM)
	OPB(BR_IF_I32_GT_S)
	OPB(BR_IF_I32_GT_S_IMM)
	OPB(BR_IF_I32_GT_U)
	BRCI(I32_GT_U_IMM, (uint32_t)U32(1) > (uint32_t)(uint32_t)A(2))
	BRC(I32_LE_S, (int32_t)U32(1) <= (int32_t)U32(2))
	BRCI(I32_LE_S_IMM, (int32_t)U32(1) <= (int32_t)(uint32_t)A(2))
	BRC(I32_LE_U, (uint32_t)U32(1) <= (uint32_t)U32(2))
	BRCI(I32_LE_U_IMM, (uint32_t)U32(1) <= (uint32_t)(uint32_t)A(2))
	BRC(I32_GE_S, (int32_t)U32(1) >= (int32_t)U32(2))
	BRCI(I32_GE_S_IMM, (int32_t)U32(1) >= (int32_t)(uint32_t)A(2))
	OPB(BR_IF_I32_GE_U)
	BRCI(I32_GE_U_IMM, (uint32_t)U32(1) >= (uint32_t)(uint32_t)A(2))
	/* the same, to a loop: the loop's safe point is checked here */
	BRCL(I32_EQ_LOOP, (uint32_t)U32(1) == (uint32_t)U32(2))
	BRCL(I32_EQ_IMM_LOOP, (uint32_t)U32(1) == (uint32_t)(uint32_t)A(2))
	OPB(BR_IF_I32_NE_LOOP)
	BRCL(I32_NE_IMM_LOOP, (uint32_t)U32(1) != (uint32_t)(uint32_t)A(2))
	BRCL(I32_LT_S_LOOP, (int32_t)U32(1) < (int32_t)U32(2))
	BRCL(I32_LT_S_IMM_LOOP, (int32_t)U32(1) < (int32_t)(uint32_t)A(2))
	OPB(BR_IF_I32_LT_U_LOOP)
	BRCL(I32_LT_U_IMM_LOOP, (uint32_t)U32(1) < (uint32_t)(uint32_t)A(2))
	BRCL(I32_GT_S_LOOP, (int32_t)U32(1) > (int32_t)U32(2))
	BRCL(I32_GT_S_IMM_LOOP, (int32_t)U32(1) > (int32_t)(uint32_t)A(2))
	BRCL(I32_GT_U_LOOP, (uint32_t)U32(1) > (uint32_t)U32(2))
	OPB(BR_IF_I32_GT_U_IMM_LOOP)
	BRCL(I32_LE_S_LOOP, (int32_t)U32(1) <= (int32_t)U32(2))
	BRCL(I32_LE_S_IMM_LOOP, (int32_t)U32(1) <= (int32_t)(uint32_t)A(2))
	OPB(BR_IF_I32_LE_U_LOOP)
	BRCL(I32_LE_U_IMM_LOOP, (uint32_t)U32(1) <= (uint32_t)(uint32_t)A(2))
	BRCL(I32_GE_S_LOOP, (int32_t)U32(1) >= (int32_t)U32(2))
	BRCL(I32_GE_S_IMM_LOOP, (int32_t)U32(1) >= (int32_t)(uint32_t)A(2))
	BRCL(I32_GE_U_LOOP, (uint32_t)U32(1) >= (uint32_t)U32(2))
	BRCL(I32_GE_U_IMM_LOOP, (uint32_t)U32(1) >= (uint32_t)(uint32_t)A(2))
L_BR_LOOP:
	pc = pc[1].p;
	SAFEPOINT_CHECK(pc);
	NEXT();
	OPB(BR_IF_LOOP)
L_BR_UNLESS_LOOP:
	if (!U32(1)) {
		pc = pc[2].p;
		SAFEPOINT_CHECK(pc);
	} else {
		pc += 3;
	}
	NEXT();
	/* i64 compare and branch */
	BRC(I64_EQ, (uint64_t)U64(1) == (uint64_t)U64(2))
	BRC(I64_EQ_IMM, (uint64_t)U64(1) == (uint64_t)A(2))
	BRCL(I64_EQ_LOOP, (uint64_t)U64(1) == (uint64_t)U64(2))
	BRCL(I64_EQ_IMM_LOOP, (uint64_t)U64(1) == (uint64_t)A(2))
	BRC(I64_NE, (uint64_t)U64(1) != (uint64_t)U64(2))
	BRC(I64_NE_IMM, (uint64_t)U64(1) != (uint64_t)A(2))
	BRCL(I64_NE_LOOP, (uint64_t)U64(1) != (uint64_t)U64(2))
	BRCL(I64_NE_IMM_LOOP, (uint64_t)U64(1) != (uint64_t)A(2))
	BRC(I64_LT_S, (int64_t)U64(1) < (int64_t)U64(2))
	BRC(I64_LT_S_IMM, (int64_t)U64(1) < (int64_t)A(2))
	BRCL(I64_LT_S_LOOP, (int64_t)U64(1) < (int64_t)U64(2))
	BRCL(I64_LT_S_IMM_LOOP, (int64_t)U64(1) < (int64_t)A(2))
	BRC(I64_LT_U, (uint64_t)U64(1) < (uint64_t)U64(2))
	BRC(I64_LT_U_IMM, (uint64_t)U64(1) < (uint64_t)A(2))
	BRCL(I64_LT_U_LOOP, (uint64_t)U64(1) < (uint64_t)U64(2))
	BRCL(I64_LT_U_IMM_LOOP, (uint64_t)U64(1) < (uint64_t)A(2))
	BRC(I64_GT_S, (int64_t)U64(1) > (int64_t)U64(2))
	BRC(I64_GT_S_IMM, (int64_t)U64(1) > (int64_t)A(2))
	BRCL(I64_GT_S_LOOP, (int64_t)U64(1) > (int64_t)U64(2))
	BRCL(I64_GT_S_IMM_LOOP, (int64_t)U64(1) > (int64_t)A(2))
	BRC(I64_GT_U, (uint64_t)U64(1) > (uint64_t)U64(2))
	BRC(I64_GT_U_IMM, (uint64_t)U64(1) > (uint64_t)A(2))
	BRCL(I64_GT_U_LOOP, (uint64_t)U64(1) > (uint64_t)U64(2))
	BRCL(I64_GT_U_IMM_LOOP, (uint64_t)U64(1) > (uint64_t)A(2))
	BRC(I64_LE_S, (int64_t)U64(1) <= (int64_t)U64(2))
	BRC(I64_LE_S_IMM, (int64_t)U64(1) <= (int64_t)A(2))
	BRCL(I64_LE_S_LOOP, (int64_t)U64(1) <= (int64_t)U64(2))
	BRCL(I64_LE_S_IMM_LOOP, (int64_t)U64(1) <= (int64_t)A(2))
	BRC(I64_LE_U, (uint64_t)U64(1) <= (uint64_t)U64(2))
	BRC(I64_LE_U_IMM, (uint64_t)U64(1) <= (uint64_t)A(2))
	BRCL(I64_LE_U_LOOP, (uint64_t)U64(1) <= (uint64_t)U64(2))
	BRCL(I64_LE_U_IMM_LOOP, (uint64_t)U64(1) <= (uint64_t)A(2))
	OPB(BR_IF_I64_GE_S)
	BRC(I64_GE_S_IMM, (int64_t)U64(1) >= (int64_t)A(2))
	BRCL(I64_GE_S_LOOP, (int64_t)U64(1) >= (int64_t)U64(2))
	BRCL(I64_GE_S_IMM_LOOP, (int64_t)U64(1) >= (int64_t)A(2))
	BRC(I64_GE_U, (uint64_t)U64(1) >= (uint64_t)U64(2))
	BRC(I64_GE_U_IMM, (uint64_t)U64(1) >= (uint64_t)A(2))
	BRCL(I64_GE_U_LOOP, (uint64_t)U64(1) >= (uint64_t)U64(2))
	BRCL(I64_GE_U_IMM_LOOP, (uint64_t)U64(1) >= (uint64_t)A(2))
L_BR_IF_AND_IMM:
	if (U32(1) & (uint32_t)A(2))
		pc = pc[3].p;
	else
		pc += 4;
	NEXT();
L_BR_UNLESS_AND_IMM:
	if (!(U32(1) & (uint32_t)A(2)))
		pc = pc[3].p;
	else
		pc += 4;
	NEXT();
L_BR_IF_AND_IMM_LOOP:
	if (U32(1) & (uint32_t)A(2)) {
		pc = pc[3].p;
		SAFEPOINT_CHECK(pc);
	} else {
		pc += 4;
	}
	NEXT();
L_BR_UNLESS_AND_IMM_LOOP:
	if (!(U32(1) & (uint32_t)A(2))) {
		pc = pc[3].p;
		SAFEPOINT_CHECK(pc);
	} else {
		pc += 4;
	}
	NEXT();
L_BR_IF64:
	if (U64(1))
		pc = pc[2].p;
	else
		pc += 3;
	NEXT();
L_BR_UNLESS64:
	if (!U64(1))
		pc = pc[2].p;
	else
		pc += 3;
	NEXT();
L_BR_IF64_LOOP:
	if (U64(1)) {
		pc = pc[2].p;
		SAFEPOINT_CHECK(pc);
	} else {
		pc += 3;
	}
	NEXT();
L_BR_UNLESS64_LOOP:
	if (!U64(1)) {
		pc = pc[2].p;
		SAFEPOINT_CHECK(pc);
	} else {
		pc += 3;
	}
	NEXT();
	/* an immediate second operand: dst a imm */
	BIN32I(I32_EQ_IMM, (uint32_t)a == (uint32_t)b)
	BIN64I(I64_EQ_IMM, (uint64_t)a == (uint64_t)b)
	BIN32I(I32_NE_IMM, (uint32_t)a != (uint32_t)b)
	BIN64I(I64_NE_IMM, (uint64_t)a != (uint64_t)b)
	BIN32I(I32_LT_S_IMM, (int32_t)a < (int32_t)b)
	BIN64I(I64_LT_S_IMM, (int64_t)a < (int64_t)b)
	BIN32I(I32_LT_U_IMM, (uint32_t)a < (uint32_t)b)
	BIN64I(I64_LT_U_IMM, (uint64_t)a < (uint64_t)b)
	BIN32I(I32_GT_S_IMM, (int32_t)a > (int32_t)b)
	BIN64I(I64_GT_S_IMM, (int64_t)a > (int64_t)b)
	BIN32I(I32_GT_U_IMM, (uint32_t)a > (uint32_t)b)
	BIN64I(I64_GT_U_IMM, (uint64_t)a > (uint64_t)b)
	BIN32I(I32_LE_S_IMM, (int32_t)a <= (int32_t)b)
	BIN64I(I64_LE_S_IMM, (int64_t)a <= (int64_t)b)
	BIN32I(I32_LE_U_IMM, (uint32_t)a <= (uint32_t)b)
	BIN64I(I64_LE_U_IMM, (uint64_t)a <= (uint64_t)b)
	BIN32I(I32_GE_S_IMM, (int32_t)a >= (int32_t)b)
	BIN64I(I64_GE_S_IMM, (int64_t)a >= (int64_t)b)
	BIN32I(I32_GE_U_IMM, (uint32_t)a >= (uint32_t)b)
	BIN64I(I64_GE_U_IMM, (uint64_t)a >= (uint64_t)b)
	OPB(I32_ADD_IMM)
	OPB(I64_ADD_IMM)
	OPB(I32_SUB_IMM)
	BIN64I(I64_SUB_IMM, a - b)
	OPB(I32_MUL_IMM)
	BIN64I(I64_MUL_IMM, a * b)
	OPB(I32_AND_IMM)
	OPB(I64_AND_IMM)
	OPB(I32_OR_IMM)
	BIN64I(I64_OR_IMM, a | b)
	OPB(I32_XOR_IMM)
	BIN64I(I64_XOR_IMM, a ^ b)
	OPB(I32_SHL_IMM)
	OPB(I32_SHR_S_IMM)
	OPB(I32_SHR_U_IMM)
	OPB(I64_SHL_IMM)
	BIN64I(I64_SHR_S_IMM, (uint64_t)((int64_t)a >> (b & 63)))
	BIN64I(I64_SHR_U_IMM, a >> (b & 63))
L_RET:
	ftop--;
	pc = ftop->ret;
	fp = ftop->fp;
	if (likely(ftop->fn != NULL)) {
		fn = ftop->fn;
		/* within one instance the memory registers are current: every
		 * memory.grow and host call reloads them */
		if (unlikely(fn->inst != inst)) {
			inst = fn->inst;
			LOAD_MEM();
		}
	}
	NEXT();
/* Enters Wasm function f (its code: code_of) with its frame at nfp, returning
 * to ret; inst_switch changes the instance registers when f may belong to
 * another. */
#define ENTER(code_of, inst_switch)                                                      \
	{                                                                                \
		const struct wasm_code *code = (code_of);                                \
		if (unlikely(ftop == frames_end || nfp + code->frame_slots > stack_end)) \
			TRAP("call stack exhausted");                                    \
		ftop->ret = ret;                                                         \
		ftop->fp = fp;                                                           \
		ftop->fn = fn;                                                           \
		ftop++;                                                                  \
		/* small counts: plain loops beat calls to memset/memcpy */              \
		uint64_t *z = nfp + code->nparams, *ze = nfp + code->nlocals;            \
		for (; z < ze; z++) {                                                    \
			/* keeps gcc from making this a call to memset */                \
			__asm__("" : "+r"(z));                                           \
			*z = 0;                                                          \
		}                                                                        \
		/* then the constants, after the locals */                               \
		/* (indexed: a function without constants has no pool pointer) */        \
		for (uint32_t k = 0; k < code->npool; k++) {                             \
			__asm__("" : "+r"(z));                                           \
			*z++ = code->pool[k];                                            \
		}                                                                        \
		fp = nfp;                                                                \
		fn = f;                                                                  \
		pc = code->code;                                                         \
		inst_switch;                                                             \
		SAFEPOINT_CHECK(pc);                                                     \
		NEXT();                                                                  \
	}
L_CALL:
	f = inst->funcs[A(1)];
	nfp = fp + A(2);
	ret = pc + 3;
	goto do_call;
L_CALL_INDIRECT : {
	wasm_table *t = inst->tables[A(1)];
	uint32_t i = U32(4);
	if (unlikely(i >= t->size))
		TRAP("undefined element");
	f = slot_ptr(t->elems[i]);
	if (unlikely(!f))
		TRAP("uninitialized element");
	const wasm_functype *want = pc[3].p;
	if (unlikely(f->type != want && !wasm_functype_eq(f->type, want)))
		TRAP("indirect call type mismatch");
	nfp = fp + A(2);
	ret = pc + 5;
	/* a function of this instance: the path of CALL_DEF */
	if (likely(f->inst == inst))
		goto enter_local;
	goto do_call;
}
do_call:
	if (unlikely(f->host != NULL)) {
		uint32_t np = f->type->nparams, nr = f->type->nresults;
		if (unlikely(nfp + np + nr + 16 > stack_end))
			TRAP("call stack exhausted");
		ex->ftop = ftop;
		ex->fuel = fuel;
		ex->pc = pc;
		ex->fp = fp;
		ex->fn = fn;
		uint64_t *saved_sp = ex->host_sp;
		wasm_instance *saved_inst = ex->host_inst;
		ex->host_sp = nfp + np + nr;
		ex->host_inst = inst;
		ex->nested++;
		wasm_result r = f->host(ex, f->env, nfp, nfp + np);
		ex->nested--;
		ex->host_sp = saved_sp;
		ex->host_inst = saved_inst;
		fuel = ex->fuel;
		if (unlikely(r != WASM_OK)) {
			if (r == WASM_TRAP)
				goto trapped;
			if (r == WASM_EXIT)
				return WASM_EXIT;
			if (r == WASM_STOPPED && ex->nested == 0) {
				ex->host_stopped = true;
				ex->suspended = true;
				ex->restore_need_callee = ex->restore_can_callee = false;
				return WASM_STOPPED;
			}
			TRAP(r == WASM_STOPPED ? "host function stopped inside a nested call"
					       : "host function failed");
		}
		memmove(nfp, nfp + np, (size_t)nr * 8);
		LOAD_MEM();
		pc = ret;
		NEXT();
	}
	ENTER(
		f->code, if (f->inst != inst) {
			inst = f->inst;
			LOAD_MEM();
		})
L_CALL_DEF: /* func argbase code: a defined function of this instance */
	f = inst->funcs[A(1)];
	nfp = fp + A(2);
	ret = pc + 4;
	ENTER((const struct wasm_code *)pc[3].p, (void)0)
enter_local:
	ENTER(f->code, (void)0)
#undef ENTER
L_SAFEPOINT:
	SAFEPOINT_CHECK(pc + 1);
	pc += 1;
	NEXT();
	OPB(MOV)
L_MOVN: /* dst below src: a forward copy is safe */
	for (uint64_t k = 0, n = A(3); k < n; k++)
		fp[A(1) + k] = fp[A(2) + k];
	pc += 4;
	NEXT();
	OPB(CONST)
	OPB(SELECT)
L_SELECT64:
	S(1) = U64(4) ? S(2) : S(3);
	pc += 5;
	NEXT();
	OPB(GLOBAL_GET)
	OPB(GLOBAL_SET)

	OPB(I32_LOAD)
	OPB(I64_LOAD)
	LOAD(F32_LOAD, 4, ld32(p))
	OPB(F64_LOAD)
	OPB(I32_LOAD8_S)
	OPB(I32_LOAD8_U)
	LOAD(I32_LOAD16_S, 2, (uint32_t)(int32_t)(int16_t)ld16(p))
	OPB(I32_LOAD16_U)
	LOAD(I64_LOAD8_S, 1, (uint64_t)(int64_t)(int8_t)p[0])
	OPB(I64_LOAD8_U)
	LOAD(I64_LOAD16_S, 2, (uint64_t)(int64_t)(int16_t)ld16(p))
	LOAD(I64_LOAD16_U, 2, ld16(p))
	LOAD(I64_LOAD32_S, 4, (uint64_t)(int64_t)(int32_t)ld32(p))
	LOAD(I64_LOAD32_U, 4, ld32(p))
	OPB(I32_STORE)
	OPB(I64_STORE)
	STORE(F32_STORE, 4, st32(p, (uint32_t)v))
	STORE(F64_STORE, 8, st64(p, v))
	OPB(I32_STORE8)
	OPB(I32_STORE16)
	STORE(I64_STORE8, 1, p[0] = (uint8_t)v)
	STORE(I64_STORE16, 2, st16(p, (uint16_t)v))
	OPB(I64_STORE32)
	OPB(I32_LOAD_ADD)
	OPB(I64_LOAD_ADD)
	LOAD2(F32_LOAD, 4, ld32(p))
	OPB(F64_LOAD_ADD)
	LOAD2(I32_LOAD8_S, 1, (uint32_t)(int32_t)(int8_t)p[0])
	OPB(I32_LOAD8_U_ADD)
	LOAD2(I32_LOAD16_S, 2, (uint32_t)(int32_t)(int16_t)ld16(p))
	LOAD2(I32_LOAD16_U, 2, ld16(p))
	LOAD2(I64_LOAD8_S, 1, (uint64_t)(int64_t)(int8_t)p[0])
	LOAD2(I64_LOAD8_U, 1, p[0])
	LOAD2(I64_LOAD16_S, 2, (uint64_t)(int64_t)(int16_t)ld16(p))
	LOAD2(I64_LOAD16_U, 2, ld16(p))
	LOAD2(I64_LOAD32_S, 4, (uint64_t)(int64_t)(int32_t)ld32(p))
	LOAD2(I64_LOAD32_U, 4, ld32(p))
	STORE2(I32_STORE, 4, st32(p, (uint32_t)v))
	STORE2(I64_STORE, 8, st64(p, v))
	STORE2(F32_STORE, 4, st32(p, (uint32_t)v))
	STORE2(F64_STORE, 8, st64(p, v))
	STORE2(I32_STORE8, 1, p[0] = (uint8_t)v)
	STORE2(I32_STORE16, 2, st16(p, (uint16_t)v))
	STORE2(I64_STORE8, 1, p[0] = (uint8_t)v)
	STORE2(I64_STORE16, 2, st16(p, (uint16_t)v))
	STORE2(I64_STORE32, 4, st32(p, (uint32_t)v))

L_MEMORY_SIZE:
	S(1) = inst->mem0->pages;
	pc += 3;
	NEXT();
L_MEMORY_GROW : {
	int64_t r = wasm_memory_grow(inst->mem0, U32(2));
	S(1) = (uint32_t)r;
	LOAD_MEM();
	pc += 3;
	NEXT();
}

	OPB(I32_EQZ)
	BIN32(I32_EQ, a == b)
	BIN32(I32_NE, a != b)
	BIN32(I32_LT_S, (int32_t)a < (int32_t)b)
	BIN32(I32_LT_U, a < b)
	BIN32(I32_GT_S, (int32_t)a > (int32_t)b)
	OPB(I32_GT_U)
	BIN32(I32_LE_S, (int32_t)a <= (int32_t)b)
	OPB(I32_LE_U)
	BIN32(I32_GE_S, (int32_t)a >= (int32_t)b)
	BIN32(I32_GE_U, a >= b)
	UN(I64_EQZ, uint64_t, U64, a == 0)
	BIN64(I64_EQ, a == b)
	BIN64(I64_NE, a != b)
	BIN64(I64_LT_S, (int64_t)a < (int64_t)b)
	BIN64(I64_LT_U, a < b)
	BIN64(I64_GT_S, (int64_t)a > (int64_t)b)
	BIN64(I64_GT_U, a > b)
	BIN64(I64_LE_S, (int64_t)a <= (int64_t)b)
	BIN64(I64_LE_U, a <= b)
	BIN64(I64_GE_S, (int64_t)a >= (int64_t)b)
	BIN64(I64_GE_U, a >= b)
	BINF32(F32_EQ, (uint64_t)(a == b))
	BINF32(F32_NE, (uint64_t)(a != b))
	BINF32(F32_LT, (uint64_t)(a < b))
	BINF32(F32_GT, (uint64_t)(a > b))
	BINF32(F32_LE, (uint64_t)(a <= b))
	BINF32(F32_GE, (uint64_t)(a >= b))
	BINF64(F64_EQ, (uint64_t)(a == b))
	BINF64(F64_NE, (uint64_t)(a != b))
	BINF64(F64_LT, (uint64_t)(a < b))
	BINF64(F64_GT, (uint64_t)(a > b))
	BINF64(F64_LE, (uint64_t)(a <= b))
	BINF64(F64_GE, (uint64_t)(a >= b))
	UN(I32_CLZ, uint32_t, U32, a ? (uint32_t)__builtin_clz(a) : 32u)
	UN(I32_CTZ, uint32_t, U32, a ? (uint32_t)__builtin_ctz(a) : 32u)
	UN(I32_POPCNT, uint32_t, U32, (uint32_t)__builtin_popcount(a))
	OPB(I32_ADD)
	OPB(I32_SUB)
	BIN32(I32_MUL, a * b)
L_I32_DIV_S : {
	int32_t a = I32(2), b = I32(3);
	if (unlikely(b == 0))
		TRAP("integer divide by zero");
	if (unlikely(a == INT32_MIN && b == -1))
		TRAP("integer overflow");
	S(1) = (uint32_t)(a / b);
	pc += 4;
	NEXT();
}
L_I32_DIV_U : {
	uint32_t a = U32(2), b = U32(3);
	if (unlikely(b == 0))
		TRAP("integer divide by zero");
	S(1) = a / b;
	pc += 4;
	NEXT();
}
L_I32_REM_S : {
	int32_t a = I32(2), b = I32(3);
	if (unlikely(b == 0))
		TRAP("integer divide by zero");
	S(1) = b == -1 ? 0 : (uint32_t)(a % b);
	pc += 4;
	NEXT();
}
L_I32_REM_U : {
	uint32_t a = U32(2), b = U32(3);
	if (unlikely(b == 0))
		TRAP("integer divide by zero");
	S(1) = a % b;
	pc += 4;
	NEXT();
}
	OPB(I32_AND)
	OPB(I32_OR)
	BIN32(I32_XOR, a ^ b)
	BIN32(I32_SHL, a << (b & 31))
	BIN32(I32_SHR_S, (uint32_t)((int32_t)a >> (b & 31)))
	BIN32(I32_SHR_U, a >> (b & 31))
	OPB(I32_ROTL)
	BIN32(I32_ROTR, (a >> (b & 31)) | (a << ((32 - (b & 31)) & 31)))
	UN(I64_CLZ, uint64_t, U64, a ? (uint64_t)__builtin_clzll(a) : 64u)
	UN(I64_CTZ, uint64_t, U64, a ? (uint64_t)__builtin_ctzll(a) : 64u)
	UN(I64_POPCNT, uint64_t, U64, (uint64_t)__builtin_popcountll(a))
	OPB(I64_ADD)
	BIN64(I64_SUB, a - b)
	BIN64(I64_MUL, a * b)
L_I64_DIV_S : {
	int64_t a = I64(2), b = I64(3);
	if (unlikely(b == 0))
		TRAP("integer divide by zero");
	if (unlikely(a == INT64_MIN && b == -1))
		TRAP("integer overflow");
	S(1) = (uint64_t)(a / b);
	pc += 4;
	NEXT();
}
L_I64_DIV_U : {
	uint64_t a = U64(2), b = U64(3);
	if (unlikely(b == 0))
		TRAP("integer divide by zero");
	S(1) = a / b;
	pc += 4;
	NEXT();
}
L_I64_REM_S : {
	int64_t a = I64(2), b = I64(3);
	if (unlikely(b == 0))
		TRAP("integer divide by zero");
	S(1) = b == -1 ? 0 : (uint64_t)(a % b);
	pc += 4;
	NEXT();
}
L_I64_REM_U : {
	uint64_t a = U64(2), b = U64(3);
	if (unlikely(b == 0))
		TRAP("integer divide by zero");
	S(1) = a % b;
	pc += 4;
	NEXT();
}
	BIN64(I64_AND, a & b)
	OPB(I64_OR)
	BIN64(I64_XOR, a ^ b)
	BIN64(I64_SHL, a << (b & 63))
	BIN64(I64_SHR_S, (uint64_t)((int64_t)a >> (b & 63)))
	BIN64(I64_SHR_U, a >> (b & 63))
	BIN64(I64_ROTL, (a << (b & 63)) | (a >> ((64 - (b & 63)) & 63)))
	BIN64(I64_ROTR, (a >> (b & 63)) | (a << ((64 - (b & 63)) & 63)))
	UN(F32_ABS, uint32_t, U32, a & 0x7fffffffu)
	UN(F32_NEG, uint32_t, U32, a ^ 0x80000000u)
	UN(F32_CEIL, float, F32, f32_bits(isnan(a) ? a + a : ceilf(a)))
	UN(F32_FLOOR, float, F32, f32_bits(isnan(a) ? a + a : floorf(a)))
	UN(F32_TRUNC, float, F32, f32_bits(isnan(a) ? a + a : truncf(a)))
	UN(F32_NEAREST, float, F32, f32_bits(isnan(a) ? a + a : nearbyintf(a)))
	UN(F32_SQRT, float, F32, f32_bits(sqrtf(a)))
	BINF32(F32_ADD, f32_bits(a + b))
	BINF32(F32_SUB, f32_bits(a - b))
	BINF32(F32_MUL, f32_bits(a * b))
	BINF32(F32_DIV, f32_bits(a / b))
	BINF32(F32_MIN, f32_bits(fmin32(a, b)))
	BINF32(F32_MAX, f32_bits(fmax32(a, b)))
	BIN32(F32_COPYSIGN, (a & 0x7fffffffu) | (b & 0x80000000u))
	UN(F64_ABS, uint64_t, U64, a & 0x7fffffffffffffffull)
	UN(F64_NEG, uint64_t, U64, a ^ 0x8000000000000000ull)
	UN(F64_CEIL, double, F64, f64_bits(isnan(a) ? a + a : ceil(a)))
	UN(F64_FLOOR, double, F64, f64_bits(isnan(a) ? a + a : floor(a)))
	UN(F64_TRUNC, double, F64, f64_bits(isnan(a) ? a + a : trunc(a)))
	UN(F64_NEAREST, double, F64, f64_bits(isnan(a) ? a + a : nearbyint(a)))
	OPB(F64_SQRT)
	OPB(F64_ADD_LB_RMW)
	RMWF64(F64_SUB_LB_RMW, o - m)
	RMWF64(F64_MUL_LB_RMW, o * m)
	RMWF64(F64_DIV_LB_RMW, o / m)
	RMWF64(F64_SUB_LA_RMW, m - o)
	OPB(F64_MULADD_LB_RMW)
	OPB(F64_MULADD_RMW)
	OPB(F64_MULADD_LA_RMW)
	OPB(F64_MULSUB_ST)
	OPB(F64_MUL_ADD_A)
	OPB(F64_MUL_ADD_B)
	RMWF64(F64_DIV_LA_RMW, m / o)
	RMWI32(I32_ADD_LB_RMW, o + m)
	RMWI32(I32_SUB_LB_RMW, o - m)
	RMWI32(I32_MUL_LB_RMW, o * m)
	RMWI32(I32_AND_LB_RMW, o & m)
	RMWI32(I32_OR_LB_RMW, o | m)
	RMWI32(I32_XOR_LB_RMW, o ^ m)
	RMWI32(I32_SUB_LA_RMW, m - o)
	OPB(I32_ADD_LB)
	LDI32(I32_SUB_LB, o - m)
	OPB(I32_MUL_LB)
	LDI32(I32_AND_LB, o & m)
	LDI32(I32_OR_LB, o | m)
	LDI32(I32_XOR_LB, o ^ m)
	LDI32(I32_SUB_LA, m - o)
	STF64(F64_ADD_ST, x + y)
	OPB(F64_SUB_ST)
	STF64(F64_MUL_ST, x * y)
	STF64(F64_DIV_ST, x / y)
	LDF64(F64_ADD_LB, o + m)
	LDF64(F64_SUB_LB, o - m)
	OPB(F64_MUL_LB)
	LDF64(F64_DIV_LB, o / m)
	LDF64(F64_SUB_LA, m - o)
	LDF64(F64_DIV_LA, m / o)
	OPB(F64_ADD)
	OPB(F64_SUB)
	OPB(F64_MUL)
	BINF64(F64_DIV, f64_bits(a / b))
	BINF64(F64_MIN, f64_bits(fmin64(a, b)))
	BINF64(F64_MAX, f64_bits(fmax64(a, b)))
	BIN64(F64_COPYSIGN, (a & 0x7fffffffffffffffull) | (b & 0x8000000000000000ull))
	UN(I32_WRAP_I64, uint64_t, U64, (uint32_t)a)
L_I32_TRUNC_F32_S : {
	float a = F32(2);
	if (isnan(a))
		TRAP("invalid conversion to integer");
	if (!(a >= -2147483648.0f && a < 2147483648.0f))
		TRAP("integer overflow");
	S(1) = (uint32_t)(int32_t)a;
	pc += 3;
	NEXT();
}
L_I32_TRUNC_F32_U : {
	float a = F32(2);
	if (isnan(a))
		TRAP("invalid conversion to integer");
	if (!(a > -1.0f && a < 4294967296.0f))
		TRAP("integer overflow");
	S(1) = (uint32_t)a;
	pc += 3;
	NEXT();
}
L_I32_TRUNC_F64_S : {
	double a = F64(2);
	if (isnan(a))
		TRAP("invalid conversion to integer");
	if (!(a > -2147483649.0 && a < 2147483648.0))
		TRAP("integer overflow");
	S(1) = (uint32_t)(int32_t)a;
	pc += 3;
	NEXT();
}
L_I32_TRUNC_F64_U : {
	double a = F64(2);
	if (isnan(a))
		TRAP("invalid conversion to integer");
	if (!(a > -1.0 && a < 4294967296.0))
		TRAP("integer overflow");
	S(1) = (uint32_t)a;
	pc += 3;
	NEXT();
}
	OPB(I64_EXTEND_I32_S)
	OPB(I64_EXTEND_I32_U)
L_I64_TRUNC_F32_S : {
	float a = F32(2);
	if (isnan(a))
		TRAP("invalid conversion to integer");
	if (!(a >= -9223372036854775808.0f && a < 9223372036854775808.0f))
		TRAP("integer overflow");
	S(1) = (uint64_t)(int64_t)a;
	pc += 3;
	NEXT();
}
L_I64_TRUNC_F32_U : {
	float a = F32(2);
	if (isnan(a))
		TRAP("invalid conversion to integer");
	if (!(a > -1.0f && a < 18446744073709551616.0f))
		TRAP("integer overflow");
	S(1) = (uint64_t)a;
	pc += 3;
	NEXT();
}
L_I64_TRUNC_F64_S : {
	double a = F64(2);
	if (isnan(a))
		TRAP("invalid conversion to integer");
	if (!(a >= -9223372036854775808.0 && a < 9223372036854775808.0))
		TRAP("integer overflow");
	S(1) = (uint64_t)(int64_t)a;
	pc += 3;
	NEXT();
}
L_I64_TRUNC_F64_U : {
	double a = F64(2);
	if (isnan(a))
		TRAP("invalid conversion to integer");
	if (!(a > -1.0 && a < 18446744073709551616.0))
		TRAP("integer overflow");
	S(1) = (uint64_t)a;
	pc += 3;
	NEXT();
}
	UN(F32_CONVERT_I32_S, uint32_t, U32, f32_bits((float)(int32_t)a))
	UN(F32_CONVERT_I32_U, uint32_t, U32, f32_bits((float)a))
	UN(F32_CONVERT_I64_S, uint64_t, U64, f32_bits((float)(int64_t)a))
	UN(F32_CONVERT_I64_U, uint64_t, U64, f32_bits((float)a))
	UN(F32_DEMOTE_F64, double, F64, f32_bits((float)a))
	UN(F64_CONVERT_I32_S, uint32_t, U32, f64_bits((double)(int32_t)a))
	UN(F64_CONVERT_I32_U, uint32_t, U32, f64_bits((double)a))
	UN(F64_CONVERT_I64_S, uint64_t, U64, f64_bits((double)(int64_t)a))
	UN(F64_CONVERT_I64_U, uint64_t, U64, f64_bits((double)a))
	UN(F64_PROMOTE_F32, float, F32, f64_bits((double)a))
	UN(I32_REINTERPRET_F32, uint32_t, U32, a)
	UN(I64_REINTERPRET_F64, uint64_t, U64, a)
	UN(F32_REINTERPRET_I32, uint32_t, U32, a)
	UN(F64_REINTERPRET_I64, uint64_t, U64, a)
	OPB(I32_EXTEND8_S)
	UN(I32_EXTEND16_S, uint32_t, U32, (uint32_t)(int32_t)(int16_t)(uint16_t)a)
	UN(I64_EXTEND8_S, uint64_t, U64, (uint64_t)(int64_t)(int8_t)(uint8_t)a)
	UN(I64_EXTEND16_S, uint64_t, U64, (uint64_t)(int64_t)(int16_t)(uint16_t)a)
	UN(I64_EXTEND32_S, uint64_t, U64, (uint64_t)(int64_t)(int32_t)(uint32_t)a)
	UN(I32_TRUNC_SAT_F32_S, float, F32, (uint32_t)sat_i32(a))
	UN(I32_TRUNC_SAT_F32_U, float, F32, sat_u32(a))
	UN(I32_TRUNC_SAT_F64_S, double, F64, (uint32_t)sat_i32(a))
	UN(I32_TRUNC_SAT_F64_U, double, F64, sat_u32(a))
	UN(I64_TRUNC_SAT_F32_S, float, F32, (uint64_t)sat_i64(a))
	UN(I64_TRUNC_SAT_F32_U, float, F32, sat_u64(a))
	UN(I64_TRUNC_SAT_F64_S, double, F64, (uint64_t)sat_i64(a))
	UN(I64_TRUNC_SAT_F64_U, double, F64, sat_u64(a))

L_MEMORY_INIT : { /* d s n seg */
	uint64_t d = U32(1), s = U32(2), n = U32(3);
	uint32_t seg = (uint32_t)A(4);
	const struct wasm_dataseg *ds = &inst->m->datas[seg];
	uint64_t len = inst->data_dropped[seg] ? 0 : ds->len;
	if (s + n > len || d + n > msize)
		goto trap_oob;
	if (n)
		memcpy(mbase + d, inst->m->bytes + ds->off_in_module + s, n);
	wasm_mem_dirty(inst->mem0, d, n);
	pc += 5;
	NEXT();
}
L_DATA_DROP:
	inst->data_dropped[A(1)] = 1;
	pc += 2;
	NEXT();
L_MEMORY_COPY : {
	uint64_t d = U32(1), s = U32(2), n = U32(3);
	if (s + n > msize || d + n > msize)
		goto trap_oob;
	if (n)
		memmove(mbase + d, mbase + s, n);
	wasm_mem_dirty(inst->mem0, d, n);
	pc += 4;
	NEXT();
}
L_MEMORY_FILL : {
	uint64_t d = U32(1), n = U32(3);
	if (d + n > msize)
		goto trap_oob;
	if (n)
		memset(mbase + d, (int)(uint8_t)S(2), n);
	wasm_mem_dirty(inst->mem0, d, n);
	pc += 4;
	NEXT();
}
L_TABLE_INIT : { /* d s n seg table */
	uint64_t d = U32(1), s = U32(2), n = U32(3);
	uint32_t seg = (uint32_t)A(4);
	wasm_table *t = inst->tables[A(5)];
	uint64_t len = inst->elem_dropped[seg] ? 0 : inst->m->elems[seg].n;
	if (s + n > len || d + n > t->size)
		TRAP("out of bounds table access");
	if (n)
		memcpy(t->elems + d, inst->elem_items[seg] + s, n * 8);
	pc += 6;
	NEXT();
}
L_ELEM_DROP:
	inst->elem_dropped[A(1)] = 1;
	pc += 2;
	NEXT();
L_TABLE_COPY : { /* d s n td ts */
	uint64_t d = U32(1), s = U32(2), n = U32(3);
	wasm_table *td = inst->tables[A(4)], *ts = inst->tables[A(5)];
	if (s + n > ts->size || d + n > td->size)
		TRAP("out of bounds table access");
	if (n)
		memmove(td->elems + d, ts->elems + s, n * 8);
	pc += 6;
	NEXT();
}
L_TABLE_GROW : { /* dst init n table */
	wasm_table *t = inst->tables[A(4)];
	S(1) = (uint32_t)wasm_table_grow_raw(t, U32(3), S(2), inst->max_elems);
	pc += 5;
	NEXT();
}
L_TABLE_SIZE:
	S(1) = inst->tables[A(2)]->size;
	pc += 3;
	NEXT();
L_TABLE_FILL : { /* i v n table */
	uint64_t i = U32(1), n = U32(3);
	wasm_table *t = inst->tables[A(4)];
	if (i + n > t->size)
		TRAP("out of bounds table access");
	for (uint64_t k = 0; k < n; k++)
		t->elems[i + k] = S(2);
	pc += 5;
	NEXT();
}
L_TABLE_GET : { /* dst i table */
	wasm_table *t = inst->tables[A(3)];
	uint32_t i = U32(2);
	if (i >= t->size)
		TRAP("out of bounds table access");
	S(1) = t->elems[i];
	pc += 4;
	NEXT();
}
L_TABLE_SET : { /* i v table */
	wasm_table *t = inst->tables[A(3)];
	uint32_t i = U32(1);
	if (i >= t->size)
		TRAP("out of bounds table access");
	t->elems[i] = S(2);
	pc += 4;
	NEXT();
}
L_REF_IS_NULL:
	S(1) = S(2) == 0;
	pc += 3;
	NEXT();
L_REF_FUNC:
	S(1) = (uint64_t)(uintptr_t)inst->funcs[A(2)];
	pc += 3;
	NEXT();

	/* pairs: the first operation's body, then the second's handler */
#define WASM_PAIR_HANDLER(a, b)  \
	L_P_##a##__##b : PB_##a; \
	goto L_##b;
	WASM_PAIRS(WASM_PAIR_HANDLER)
#undef WASM_PAIR_HANDLER
	/* forwarding pairs: the second body reads operand k from fwd */
#define WASM_FWD_HANDLER(a, b, k)      \
	L_F_##a##__##b##_##k : PB_##a; \
	{                              \
		enum {                 \
			FWD = k        \
		};                     \
		PB_##b;                \
	}                              \
	NEXT();
	WASM_FWDS(WASM_FWD_HANDLER)
#undef WASM_FWD_HANDLER

#ifndef WASM_NO_SAFEPOINTS
safepoint:
	if (ex->nested > 0) {
		/* not resumable from inside a host function: go on */
		if (fuel < 0)
			fuel = 0;
		pc = resume_pc;
		NEXT();
	}
	ex->pc = resume_pc;
	ex->fp = fp;
	ex->fn = fn;
	ex->ftop = ftop;
	ex->suspended = true;
	ex->host_stopped = false;
	ex->restore_need_callee = ex->restore_can_callee = false;
	atomic_store_explicit(&ex->stop, 0, memory_order_relaxed); /* honoured */
	if (fuel < 0) {
		ex->fuel = 0;
		if (ex->fuel_on)
			return WASM_OUT_OF_FUEL;
		ex->fuel = INT64_MAX;
	} else {
		ex->fuel = fuel + 1; /* the unit is taken again on resume */
	}
	return WASM_STOPPED;
#endif
trap_oob: /* its own path: the memory handlers need not load the message */
	snprintf(ex->msg, sizeof(ex->msg), "%s", OOB);
	goto trapped;
trap:
	snprintf(ex->msg, sizeof(ex->msg), "%s", trap_msg);
trapped:
	ex->fuel = fuel;
	return WASM_TRAP;
}

/* The operation of a handler address (a hash table built with the labels),
 * or -1. */
static const void *g_op_key[2048];
static uint16_t g_op_val[2048];

static uint32_t op_hash(const void *h)
{
	return (uint32_t)(((uint64_t)(uintptr_t)h * 0x9E3779B97F4A7C15ull) >> 53);
}

/* The pairs and forwarding pairs (ops.h), by first operation a, second
 * operation b and, for a forwarding pair, the forwarded operand cell k (0
 * for a plain pair): key k << 28 | a << 16 | b, plus 1; 0: empty. */
static uint32_t g_pair_key[1024];
static uint16_t g_pair_val[1024];

static uint32_t pair_key(int a, int b, uint32_t k)
{
	return (k << 28 | (uint32_t)a << 16 | (uint32_t)b) + 1;
}

static uint32_t pair_hash(uint32_t k)
{
	return (k * 0x9E3779B1u) >> 22;
}

static void pair_put(uint32_t key, uint16_t op)
{
	uint32_t i = pair_hash(key);
	while (g_pair_key[i])
		i = (i + 1) & 1023;
	g_pair_key[i] = key;
	g_pair_val[i] = op;
}

static int pair_get(uint32_t key)
{
	for (uint32_t i = pair_hash(key);; i = (i + 1) & 1023) {
		if (g_pair_key[i] == key)
			return g_pair_val[i];
		if (!g_pair_key[i])
			return -1;
	}
}

const void *const *wasm_interp_labels(void)
{
	if (!g_labels) {
		const void *const *l;
		interp(NULL, &l);
		g_exit_cell[0].h = l[OP_EXIT];
		_Static_assert(OP_COUNT < 2048, "the handler table is too small");
		for (int o = 0; o < OP_COUNT; o++) {
			uint32_t i = op_hash(l[o]);
			while (g_op_key[i] && g_op_key[i] != l[o])
				i = (i + 1) & 2047;
			g_op_key[i] = l[o];
			g_op_val[i] = (uint16_t)o;
		}
		static const uint16_t pairs[][4] = {
#define WASM_PAIR_ROW(a, b) {OP_##a, OP_##b, 0, OP_P_##a##__##b},
			WASM_PAIRS(WASM_PAIR_ROW)
#undef WASM_PAIR_ROW
#define WASM_FWD_ROW(a, b, k) {OP_##a, OP_##b, k, OP_F_##a##__##b##_##k},
				WASM_FWDS(WASM_FWD_ROW)
#undef WASM_FWD_ROW
		};
		_Static_assert(sizeof(pairs) / sizeof(pairs[0]) < 700,
			       "the pair table is too small");
		for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++)
			pair_put(pair_key(pairs[p][0], pairs[p][1], pairs[p][2]), pairs[p][3]);
		g_labels = l;
	}
	return g_labels;
}

int wasm_interp_fwd(int a, int b, const cell *first, uint32_t nfirst, const cell *second,
		    uint32_t nsecond)
{
	if (a < 0 || b < 0 || nfirst < 2)
		return -1;
	wasm_interp_labels();
	for (uint32_t k = 1; k <= 3 && k < nsecond; k++) {
		/* the first operation's result (cell 1) read by operand k */
		int f = second[k].u == first[1].u ? pair_get(pair_key(a, b, k)) : -1;
		if (f >= 0)
			return f;
	}
	return -1;
}

int wasm_interp_pair(int a, int b)
{
	if (a < 0 || b < 0)
		return -1;
	wasm_interp_labels();
	return pair_get(pair_key(a, b, 0));
}

int wasm_interp_op_of(const void *h)
{
	wasm_interp_labels();
	for (uint32_t i = op_hash(h);; i = (i + 1) & 2047) {
		if (g_op_key[i] == h)
			return g_op_val[i];
		if (!g_op_key[i])
			return -1;
	}
}

cell *wasm_exit_cell(void)
{
	wasm_interp_labels();
	return g_exit_cell;
}

wasm_result wasm_exec_run(wasm_exec *ex)
{
	return interp(ex, NULL);
}

/* ---- execution contexts ------------------------------------------------------ */

wasm_exec *wasm_exec_new(const wasm_config *cfg)
{
	wasm_config d = {0};
	if (!cfg)
		cfg = &d;
	wasm_exec *ex = calloc(1, sizeof(*ex));
	if (!ex)
		return NULL;
	size_t bytes = cfg->stack_bytes ? cfg->stack_bytes : WASM_STACK_DEFAULT;
	size_t nslots = bytes / 8;
	if (nslots < 1024)
		nslots = 1024;
	uint32_t depth = cfg->max_call_depth ? cfg->max_call_depth : WASM_MAX_DEPTH_DEFAULT;
	ex->stack = calloc(nslots, 8);
	ex->frames = calloc((size_t)depth + 2, sizeof(*ex->frames));
	if (!ex->stack || !ex->frames) {
		wasm_exec_free(ex);
		return NULL;
	}
	ex->stack_end = ex->stack + nslots;
	ex->frames_end = ex->frames + depth + 1;
	ex->ftop = ex->frames;
	ex->fuel_on = cfg->fuel_enabled;
	ex->fuel = cfg->fuel_enabled ? (int64_t)(cfg->fuel > INT64_MAX ? INT64_MAX : cfg->fuel)
				     : INT64_MAX;
	atomic_init(&ex->stop, 0);
	wasm_interp_labels();
	return ex;
}

void wasm_exec_free(wasm_exec *ex)
{
	if (!ex)
		return;
	free(ex->stack);
	free(ex->frames);
	free(ex->types_buf);
	free(ex);
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* Runs until the run started at frame level `base` ends; fixes the frame
 * stack on traps and exits. */
static wasm_result finish(wasm_exec *ex, wasm_result r, struct wasm_frame *base)
{
	if (r == WASM_TRAP || r == WASM_EXIT) {
		ex->ftop = base;
		ex->suspended = false;
		if (r == WASM_EXIT)
			snprintf(ex->msg, sizeof(ex->msg), "exit %d", ex->exit_code);
	} else if (r == WASM_OK) {
		ex->ftop = base;
		ex->suspended = false;
	}
	return r;
}

wasm_result wasm_call_raw(wasm_exec *ex, wasm_func *f, const uint64_t *args, uint64_t *results)
{
	ex->msg[0] = 0;
	if (!f) {
		snprintf(ex->msg, sizeof(ex->msg), "no function");
		return WASM_ERROR;
	}
	if (ex->suspended && ex->nested == 0) {
		snprintf(ex->msg, sizeof(ex->msg),
			 "the exec has a stopped run to resume or abandon");
		return WASM_ERROR;
	}
	const wasm_functype *ft = f->type;
	if (f->host) {
		wasm_instance *saved = ex->host_inst;
		uint64_t *saved_sp = ex->host_sp;
		ex->host_inst = NULL;
		if (!ex->nested)
			ex->host_sp = ex->stack; /* callbacks into Wasm start at the bottom */
		ex->nested++;
		uint64_t tmp[16];
		uint64_t *res = ft->nresults <= 16 ? tmp : calloc(ft->nresults, 8);
		if (!res)
			return WASM_ERROR;
		wasm_result r = f->host(ex, f->env, args, res);
		ex->nested--;
		ex->host_inst = saved;
		ex->host_sp = saved_sp;
		if (r == WASM_OK && ft->nresults)
			memcpy(results, res, (size_t)ft->nresults * 8);
		if (res != tmp)
			free(res);
		if (r == WASM_STOPPED)
			r = WASM_ERROR;
		return r;
	}
	uint64_t *base = ex->nested ? ex->host_sp : ex->stack;
	const struct wasm_code *code = f->code;
	if (!base || base + max_u32(code->frame_slots, ft->nresults) > ex->stack_end ||
	    ex->ftop + 1 >= ex->frames_end) {
		snprintf(ex->msg, sizeof(ex->msg), "call stack exhausted");
		return WASM_TRAP;
	}
	if (ft->nparams)
		memcpy(base, args, (size_t)ft->nparams * 8);
	memset(base + ft->nparams, 0, (size_t)(code->nlocals - ft->nparams) * 8);
	if (code->npool)
		memcpy(base + code->nlocals, code->pool, (size_t)code->npool * 8);
	/* the saved registers of an outer run are restored by it; keep them */
	cell *spc = ex->pc;
	uint64_t *sfp = ex->fp;
	wasm_func *sfn = ex->fn;
	struct wasm_frame *fbase = ex->ftop;
	fbase->ret = g_exit_cell;
	fbase->fp = NULL;
	fbase->fn = NULL;
	ex->ftop = fbase + 1;
	ex->pc = code->code;
	ex->fp = base;
	ex->fn = f;
	if (!ex->nested) {
		ex->entry_fn = f;
		ex->host_stopped = false;
		ex->restore_need_callee = ex->restore_can_callee = false;
	}
	wasm_result r = finish(ex, interp(ex, NULL), fbase);
	if (r == WASM_OK && ft->nresults)
		memcpy(results, base, (size_t)ft->nresults * 8);
	if (ex->nested) {
		ex->pc = spc;
		ex->fp = sfp;
		ex->fn = sfn;
	}
	return r;
}

static int check_args(wasm_exec *ex, const wasm_functype *ft, const wasm_val *args, uint32_t nargs,
		      uint32_t nresults)
{
	if (nargs != ft->nparams || nresults != ft->nresults) {
		snprintf(ex->msg, sizeof(ex->msg),
			 "the function takes %u arguments and returns %u results, not %u and %u",
			 ft->nparams, ft->nresults, nargs, nresults);
		return -1;
	}
	for (uint32_t i = 0; i < nargs; i++) {
		if (args[i].type != ft->params[i]) {
			snprintf(ex->msg, sizeof(ex->msg), "argument %u has the wrong type", i);
			return -1;
		}
	}
	return 0;
}

wasm_result wasm_call(wasm_exec *ex, wasm_func *f, const wasm_val *args, uint32_t nargs,
		      wasm_val *results, uint32_t nresults)
{
	if (!f) {
		snprintf(ex->msg, sizeof(ex->msg), "no function");
		return WASM_ERROR;
	}
	const wasm_functype *ft = f->type;
	if (check_args(ex, ft, args, nargs, nresults) < 0)
		return WASM_ERROR;
	uint64_t abuf[16] = {0}, rbuf[16] = {0};
	uint64_t *a = nargs <= 16 ? abuf : calloc(nargs, 8);
	uint64_t *r = nresults <= 16 ? rbuf : calloc(nresults, 8);
	wasm_result res = WASM_ERROR;
	if (a && r) {
		for (uint32_t i = 0; i < nargs; i++)
			a[i] = wasm_val_to_slot(&args[i]);
		res = wasm_call_raw(ex, f, a, r);
		if (res == WASM_OK)
			for (uint32_t i = 0; i < nresults; i++)
				results[i] = wasm_val_from_slot(ft->results[i], r[i]);
	}
	if (a != abuf)
		free(a);
	if (r != rbuf)
		free(r);
	return res;
}

wasm_result wasm_exec_resume(wasm_exec *ex, wasm_val *results, uint32_t nresults)
{
	if (!ex->suspended || ex->nested || !ex->entry_fn) {
		snprintf(ex->msg, sizeof(ex->msg), "nothing to resume");
		return WASM_ERROR;
	}
	if (ex->restore_need_callee) {
		snprintf(ex->msg, sizeof(ex->msg),
			 "the last frame restored stands at a call without its arguments: its "
			 "callee's frame is missing");
		return WASM_ERROR;
	}
	const wasm_functype *ft = ex->entry_fn->type;
	if (nresults != ft->nresults) {
		snprintf(ex->msg, sizeof(ex->msg), "the function returns %u results, not %u",
			 ft->nresults, nresults);
		return WASM_ERROR;
	}
	atomic_store(&ex->stop, 0);
	ex->suspended = false;
	ex->host_stopped = false;
	ex->restore_need_callee = ex->restore_can_callee = false;
	ex->msg[0] = 0;
	wasm_result r = finish(ex, interp(ex, NULL), ex->frames);
	if (r == WASM_OK)
		for (uint32_t i = 0; i < nresults; i++)
			results[i] = wasm_val_from_slot(ft->results[i], ex->stack[i]);
	return r;
}

bool wasm_exec_suspended(const wasm_exec *ex)
{
	return ex->suspended;
}

void wasm_exec_abandon(wasm_exec *ex)
{
	if (ex->nested)
		return;
	ex->suspended = false;
	ex->host_stopped = false;
	ex->restore_need_callee = ex->restore_can_callee = false;
	ex->ftop = ex->frames;
	ex->entry_fn = NULL;
	atomic_store_explicit(&ex->stop, 0, memory_order_relaxed);
}

void wasm_exec_request_stop(wasm_exec *ex)
{
	atomic_store_explicit(&ex->stop, 1, memory_order_relaxed);
}

bool wasm_exec_stop_requested(const wasm_exec *ex)
{
	return atomic_load_explicit(&((wasm_exec *)ex)->stop, memory_order_relaxed) != 0;
}

void wasm_exec_set_fuel(wasm_exec *ex, uint64_t fuel)
{
	ex->fuel_on = true;
	ex->fuel = fuel > INT64_MAX ? INT64_MAX : (int64_t)fuel;
}

uint64_t wasm_exec_fuel(const wasm_exec *ex)
{
	return ex->fuel_on ? (uint64_t)(ex->fuel < 0 ? 0 : ex->fuel) : UINT64_MAX;
}

void wasm_exec_disable_fuel(wasm_exec *ex)
{
	ex->fuel_on = false;
	ex->fuel = INT64_MAX;
}

const char *wasm_exec_message(const wasm_exec *ex)
{
	return ex->msg;
}

int wasm_exec_exit_code(const wasm_exec *ex)
{
	return ex->exit_code;
}

void wasm_exec_set_user(wasm_exec *ex, void *user)
{
	ex->user = user;
}

void *wasm_exec_user(const wasm_exec *ex)
{
	return ex->user;
}

wasm_result wasm_trap(wasm_exec *ex, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	/* clang-analyzer 14 misses the va_start above */
	vsnprintf(ex->msg, sizeof(ex->msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return WASM_TRAP;
}

wasm_result wasm_exit(wasm_exec *ex, int code)
{
	ex->exit_code = code;
	return WASM_EXIT;
}

wasm_instance *wasm_exec_instance(const wasm_exec *ex)
{
	return ex->host_inst;
}

uint8_t *wasm_exec_memory(const wasm_exec *ex, uint64_t *size)
{
	if (!ex->host_inst || !ex->host_inst->mems || ex->host_inst->m->nmems == 0) {
		if (size)
			*size = 0;
		return NULL;
	}
	wasm_memory *m = ex->host_inst->mem0;
	if (size)
		*size = m->size;
	return m->data;
}

void wasm_exec_mark_dirty(const wasm_exec *ex, uint64_t off, uint64_t len)
{
	if (ex->host_inst && ex->host_inst->mems && ex->host_inst->m->nmems)
		wasm_memory_mark_dirty(ex->host_inst->mem0, off, len);
}

const char *wasm_result_name(wasm_result r)
{
	static const char *const names[] = {"ok",      "trap",	      "exit",
					    "stopped", "out of fuel", "error"};
	return (unsigned)r < 6 ? names[r] : "unknown";
}

const char *wasm_version(void)
{
	return "0.1";
}
