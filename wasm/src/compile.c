/* compile.c: validation of a function body and its translation to internal
 * register code, in one pass.
 *
 * The validator's operand stack has a static height at every instruction, so
 * each height h gets a fixed frame slot (nlocals + h): the stack code becomes
 * register code whose operands are slot numbers. `local.get` emits nothing:
 * the stack entry records that its value lives in the local's slot (a
 * deferred operand) and consumers read that slot directly. Deferred operands
 * are written to their canonical slots ("materialized") before any control
 * instruction, call or write to the local, so that at every branch target
 * and safe point each stack value is in its own slot. An operation followed
 * by `local.set`/`local.tee` writes its result straight into the local.
 *
 * Safe points (function entry, loop headers, calls) are recorded with their
 * bytecode offset and stack height; the operand types at a safe point are
 * recomputed on demand by running this pass again with a probe
 * (wasm_probe_types), so no per-instruction side tables are kept.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "wasm_internal.h"

#define T_UNKNOWN 0

struct val {
	uint8_t type;
	uint32_t src; /* the slot holding the value, or CONST_SRC */
	uint64_t k;   /* the value of a deferred constant */
};

#define CONST_SRC UINT32_MAX

struct ctl {
	uint8_t kind;	  /* 0 block, 1 loop, 2 if, 3 else, 4 function */
	bool unreachable; /* after br, return...: the stack is polymorphic */
	bool dead;	  /* inside unreachable code: nothing is emitted */
	uint32_t height;
	uint32_t np, nr;
	const uint8_t *params, *results;
	uint32_t label_pc; /* loop: the header (its safe-point check) */
	uint32_t body_pc;  /* loop: after the check, for branches that check */
	uint64_t patches;  /* linked list of cells to patch with the end pc */
	uint64_t else_patch;
};

#define NOPATCH UINT64_MAX

struct cc {
	const wasm_module *m;
	const uint8_t *body, *p, *end;
	uint32_t fidx; /* function index space */
	char *err;
	size_t errlen;
	bool failed;
	const void *const *labels;
	/* output */
	cell *code;
	uint32_t n, cap, max_cells;
	uint32_t *relocs; /* cells holding code indices */
	uint32_t nrelocs, crelocs;
	uint32_t *starts; /* the first cell of each operation, ascending */
	uint32_t nstarts, cstarts;
	struct wasm_safepoint *sps;
	uint32_t nsps, csps;
	/* validation */
	uint32_t nlocals;
	uint8_t *locals;
	struct val *vals;
	uint32_t nvals, cvals, max_h;
	uint32_t min_deferred;
	struct ctl *ctls;
	uint32_t nctls, cctls;
	/* local.set peephole: the cell that holds the last op's destination */
	uint32_t last_dst_cell, last_end;
	/* fusion: the last compare, for br_if */
	uint32_t last_cmp_pc, last_cmp_end;
	uint32_t last_add_end; /* the end of the last register i32.add */
	/* which of the first 64 locals have been written so far in bytecode
	 * order (the others still hold the zero of the call, unless a loop
	 * brings control back: then nloops > 0) */
	uint32_t nloops;
	uint64_t written;
	uint32_t nparams;
	int last_cmp_op;
	uint8_t *one_type;
	uint8_t tbuf[1];
	/* probe */
	uint32_t probe_off;
	uint8_t *probe_types;
	uint32_t probe_n;
	bool probe_hit;
	/* constants get frame slots after the locals, filled at each call; the
	 * pass runs twice so that the second knows how many there are */
	uint64_t pool[WASM_POOL_MAX];
	uint32_t npool, npool_final;
	bool pool_fixed;
	uint32_t instr_off;
};

__attribute__((format(printf, 2, 3))) static void fail(struct cc *c, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	if (!c->err || !c->errlen)
		return;
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	/* clang-analyzer 14 misses the va_start above */
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	snprintf(c->err, c->errlen, "%s (function %u, at byte %zu)", msg, c->fidx,
		 (size_t)(c->p - c->m->bytes));
}

/* ---- readers ----------------------------------------------------------------- */

static uint8_t rd_u8(struct cc *c)
{
	if (c->p >= c->end) {
		fail(c, "unexpected end of section or function");
		return 0;
	}
	return *c->p++;
}

static uint32_t rd_u32(struct cc *c)
{
	uint32_t v = 0;
	for (int i = 0; i < 5; i++) {
		uint8_t b = rd_u8(c);
		if (c->failed)
			return 0;
		if (i == 4 && (b & 0x80)) {
			fail(c, "integer representation too long");
			return 0;
		}
		if (i == 4 && (b & 0x70)) {
			fail(c, "integer too large");
			return 0;
		}
		v |= (uint32_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			break;
	}
	return v;
}

static int64_t rd_sleb(struct cc *c, int bits)
{
	uint64_t v = 0;
	int shift = 0;
	int maxbytes = (bits + 6) / 7;
	uint8_t b;
	for (int i = 0;; i++) {
		b = rd_u8(c);
		if (c->failed)
			return 0;
		if (i == maxbytes - 1) {
			if (b & 0x80) {
				fail(c, "integer representation too long");
				return 0;
			}
			/* the unused bits must be copies of the sign bit */
			int used = bits - 7 * i; /* bits used in this byte */
			uint8_t rest = (uint8_t)(b & 0x7f) >> (used - 1);
			uint8_t allones = (uint8_t)(0x7f >> (used - 1));
			if (rest != 0 && rest != allones) {
				fail(c, "integer too large");
				return 0;
			}
		}
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (shift < 64 && (b & 0x40))
		v |= (uint64_t)-1 << shift;
	return (int64_t)v;
}

/* ---- emission ---------------------------------------------------------------- */

static bool dead(struct cc *c)
{
	return c->ctls[c->nctls - 1].unreachable || c->ctls[c->nctls - 1].dead;
}

static uint32_t put(struct cc *c, uint64_t v)
{
	if (c->n == c->cap) {
		if (c->cap >= c->max_cells) {
			fail(c, "function too large to compile");
			return 0;
		}
		uint32_t nc = c->cap ? c->cap * 2 : 64;
		cell *nw = realloc(c->code, (size_t)nc * sizeof(cell));
		if (!nw) {
			fail(c, "out of memory");
			return 0;
		}
		c->code = nw;
		c->cap = nc;
	}
	c->code[c->n].u = v;
	return c->n++;
}

static void push_u32(struct cc *c, uint32_t **arr, uint32_t *n, uint32_t *cap, uint32_t v);

static uint32_t op(struct cc *c, int o)
{
	if (c->failed)
		return 0;
	uint32_t at = put(c, 0);
	if (c->failed)
		return 0;
	c->code[at].h = c->labels[o];
	/* peepholes that shorten the code leave starts past the end */
	while (c->nstarts && c->starts[c->nstarts - 1] >= at)
		c->nstarts--;
	push_u32(c, &c->starts, &c->nstarts, &c->cstarts, at);
	return at;
}

static void push_u32(struct cc *c, uint32_t **arr, uint32_t *n, uint32_t *cap, uint32_t v)
{
	if (*n == *cap) {
		uint32_t nc = *cap ? *cap * 2 : 16;
		uint32_t *nw = realloc(*arr, (size_t)nc * sizeof(uint32_t));
		if (!nw) {
			fail(c, "out of memory");
			return;
		}
		*arr = nw;
		*cap = nc;
	}
	(*arr)[(*n)++] = v;
}

/* A cell holding a code index (converted to a pointer at the end). */
static uint32_t put_target(struct cc *c, uint64_t idx)
{
	uint32_t at = put(c, idx);
	if (!c->failed)
		push_u32(c, &c->relocs, &c->nrelocs, &c->crelocs, at);
	return at;
}

static void add_safepoint(struct cc *c, uint8_t kind, uint32_t pc, uint32_t ret_pc, uint32_t height,
			  uint32_t nargs)
{
	if (c->probe_off == c->instr_off && !c->probe_hit) {
		c->probe_hit = true;
		c->probe_n = height;
		c->probe_types = malloc(height + 1);
		if (!c->probe_types) {
			fail(c, "out of memory");
			return;
		}
		for (uint32_t i = 0; i < height; i++)
			c->probe_types[i] = c->vals[i].type;
	}
	if (c->nsps == c->csps) {
		uint32_t nc = c->csps ? c->csps * 2 : 8;
		struct wasm_safepoint *nw = realloc(c->sps, nc * sizeof(*nw));
		if (!nw) {
			fail(c, "out of memory");
			return;
		}
		c->sps = nw;
		c->csps = nc;
	}
	c->sps[c->nsps++] = (struct wasm_safepoint){.pc = pc,
						    .ret_pc = ret_pc,
						    .off = c->instr_off,
						    .height = height,
						    .kind = kind,
						    .nargs = nargs};
}

/* ---- the operand stack ------------------------------------------------------- */

static uint32_t slot(struct cc *c, uint32_t h)
{
	return c->nlocals + c->npool_final + h;
}

/* The slot of constant k in the pool, or UINT32_MAX when the pool is full. */
static uint32_t pool_slot(struct cc *c, uint64_t k)
{
	for (uint32_t i = 0; i < c->npool; i++)
		if (c->pool[i] == k)
			return c->nlocals + i;
	if (c->npool == WASM_POOL_MAX || c->pool_fixed)
		return UINT32_MAX;
	c->pool[c->npool] = k;
	return c->nlocals + c->npool++;
}

static void push(struct cc *c, uint8_t t)
{
	if (c->nvals == c->cvals) {
		uint32_t nc = c->cvals ? c->cvals * 2 : 32;
		struct val *nw = realloc(c->vals, nc * sizeof(*nw));
		if (!nw) {
			fail(c, "out of memory");
			return;
		}
		c->vals = nw;
		c->cvals = nc;
	}
	c->vals[c->nvals].type = t;
	c->vals[c->nvals].src = slot(c, c->nvals);
	c->nvals++;
	if (c->nvals > c->max_h)
		c->max_h = c->nvals;
}

static const char *tname(uint8_t t)
{
	switch (t) {
	case WASM_I32:
		return "i32";
	case WASM_I64:
		return "i64";
	case WASM_F32:
		return "f32";
	case WASM_F64:
		return "f64";
	case WASM_V128:
		return "v128";
	case WASM_FUNCREF:
		return "funcref";
	case WASM_EXTERNREF:
		return "externref";
	default:
		return "any";
	}
}

/* Pops a value of type `want` (T_UNKNOWN: any); returns it, deferred
 * constants included. */
static struct val pop_raw(struct cc *c, uint8_t want)
{
	struct ctl *f = &c->ctls[c->nctls - 1];
	struct val v = {T_UNKNOWN, 0, 0};
	if (c->nvals == f->height) {
		if (!f->unreachable)
			fail(c, "type mismatch: expected %s but the stack is empty", tname(want));
		v.src = slot(c, c->nvals);
		return v;
	}
	v = c->vals[--c->nvals];
	if (want != T_UNKNOWN && v.type != T_UNKNOWN && v.type != want)
		fail(c, "type mismatch: expected %s, got %s", tname(want), tname(v.type));
	if (v.type == T_UNKNOWN)
		v.type = want;
	return v;
}

/* Pops a value, writing a deferred constant into its own slot first. */
static struct val pop(struct cc *c, uint8_t want)
{
	struct val v = pop_raw(c, want);
	if (v.src == CONST_SRC) {
		uint32_t ps = pool_slot(c, v.k);
		if (ps != UINT32_MAX) {
			v.src = ps;
			return v;
		}
		if (!dead(c)) {
			op(c, OP_CONST);
			put(c, slot(c, c->nvals));
			put(c, v.k);
		}
		v.src = slot(c, c->nvals);
	}
	return v;
}

static void materialize_from(struct cc *c, uint32_t from)
{
	if (from < c->min_deferred)
		from = c->min_deferred;
	for (uint32_t i = from; i < c->nvals; i++) {
		struct val *v = &c->vals[i];
		if (v->src != slot(c, i)) {
			if (!dead(c)) {
				op(c, v->src == CONST_SRC ? OP_CONST : OP_MOV);
				put(c, slot(c, i));
				put(c, v->src == CONST_SRC ? v->k : v->src);
			}
			v->src = slot(c, i);
		}
	}
	if (from <= c->min_deferred)
		c->min_deferred = c->nvals;
}

static void materialize(struct cc *c)
{
	materialize_from(c, 0);
	c->min_deferred = UINT32_MAX;
}

static void materialize_local(struct cc *c, uint32_t x)
{
	if (c->min_deferred >= c->nvals)
		return;
	for (uint32_t i = c->min_deferred; i < c->nvals; i++) {
		struct val *v = &c->vals[i];
		if (v->src == x) {
			if (!dead(c)) {
				op(c, OP_MOV);
				put(c, slot(c, i));
				put(c, x);
			}
			v->src = slot(c, i);
		}
	}
}

static bool refers_to_local(struct cc *c, uint32_t x)
{
	if (c->min_deferred >= c->nvals)
		return false;
	for (uint32_t i = c->min_deferred; i < c->nvals; i++)
		if (c->vals[i].src == x)
			return true;
	return false;
}

static void push_deferred(struct cc *c, uint8_t t, uint32_t src)
{
	push(c, t);
	if (c->failed)
		return;
	c->vals[c->nvals - 1].src = src;
	if (src != slot(c, c->nvals - 1) && c->nvals - 1 < c->min_deferred)
		c->min_deferred = c->nvals - 1;
}

static void push_const(struct cc *c, uint8_t t, uint64_t k)
{
	push(c, t);
	if (c->failed)
		return;
	c->vals[c->nvals - 1].src = CONST_SRC;
	c->vals[c->nvals - 1].k = k;
	if (c->nvals - 1 < c->min_deferred)
		c->min_deferred = c->nvals - 1;
}

/* Marks the last emitted op's destination cell for the local.set peephole. */
static void mark_dst(struct cc *c, uint32_t dst_cell)
{
	c->last_dst_cell = dst_cell;
	c->last_end = c->n;
}

static void pop_types(struct cc *c, const uint8_t *t, uint32_t n);
static void push_types(struct cc *c, const uint8_t *t, uint32_t n);

/* ---- control ----------------------------------------------------------------- */

static void push_ctl(struct cc *c, uint8_t kind, const uint8_t *params, uint32_t np,
		     const uint8_t *results, uint32_t nr)
{
	if (c->nctls == c->cctls) {
		uint32_t nc = c->cctls ? c->cctls * 2 : 16;
		struct ctl *nw = realloc(c->ctls, nc * sizeof(*nw));
		if (!nw) {
			fail(c, "out of memory");
			return;
		}
		c->ctls = nw;
		c->cctls = nc;
	}
	bool unr = c->nctls ? dead(c) : false;
	struct ctl *f = &c->ctls[c->nctls++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->params = params;
	f->np = np;
	f->results = results;
	f->nr = nr;
	f->height = c->nvals - np;
	f->patches = NOPATCH;
	f->else_patch = NOPATCH;
	f->dead = unr; /* code inside dead code stays dead */
	f->label_pc = c->n;
}

static void set_unreachable(struct cc *c)
{
	struct ctl *f = &c->ctls[c->nctls - 1];
	c->nvals = f->height;
	if (c->min_deferred > c->nvals)
		c->min_deferred = UINT32_MAX;
	f->unreachable = true;
}

static void label_types(struct ctl *f, const uint8_t **types, uint32_t *n)
{
	if (f->kind == 1) {
		*types = f->params;
		*n = f->np;
	} else {
		*types = f->results;
		*n = f->nr;
	}
}

/* Checks the top n values against types (without popping). */
static void check_top(struct cc *c, const uint8_t *types, uint32_t n)
{
	struct ctl *f = &c->ctls[c->nctls - 1];
	uint32_t avail = c->nvals - f->height;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t want = types[n - 1 - i];
		if (i >= avail) {
			if (!f->unreachable)
				fail(c, "type mismatch: branch needs %u values", n);
			return;
		}
		uint8_t got = c->vals[c->nvals - 1 - i].type;
		if (got != T_UNKNOWN && got != want) {
			fail(c, "type mismatch: expected %s, got %s", tname(want), tname(got));
			return;
		}
	}
}

/* Checks that the top n values have the given types and keeps them where
 * they are (deferred operands stay deferred); in dead code it replaces them
 * with fresh values of those types. */
static void keep_types(struct cc *c, const uint8_t *types, uint32_t n)
{
	if (dead(c)) {
		pop_types(c, types, n);
		push_types(c, types, n);
		return;
	}
	check_top(c, types, n);
	if (c->failed)
		return;
	for (uint32_t i = 0; i < n; i++)
		c->vals[c->nvals - n + i].type = types[i];
}

static bool is_loop(struct cc *c, uint32_t d)
{
	return c->ctls[c->nctls - 1 - d].kind == 1;
}

/* The variant of branch op o that checks the safe point of loop label d. */
static int branch_op(struct cc *c, int o, uint32_t d)
{
	if (!is_loop(c, d))
		return o;
	switch (o) {
	case OP_BR:
		return OP_BR_LOOP;
	case OP_BR_IF:
		return OP_BR_IF_LOOP;
	case OP_BR_UNLESS:
		return OP_BR_UNLESS_LOOP;
	case OP_BR_IF64:
		return OP_BR_IF64_LOOP;
	case OP_BR_UNLESS64:
		return OP_BR_UNLESS64_LOOP;
	case OP_BR_IF_AND_IMM:
		return OP_BR_IF_AND_IMM_LOOP;
	case OP_BR_UNLESS_AND_IMM:
		return OP_BR_UNLESS_AND_IMM_LOOP;
	default:
		if (o >= OP_BR_IF_I64_EQ && o <= OP_BR_IF_I64_GE_U_IMM)
			return OP_BR_IF_I64_EQ_LOOP + (o - OP_BR_IF_I64_EQ);
		return OP_BR_IF_I32_EQ_LOOP + (o - OP_BR_IF_I32_EQ);
	}
}

/* Adds a jump to label depth d (the cell is patched or already known); a
 * jump to a loop goes past its check, which branch_op's variants make. */
static void put_label(struct cc *c, uint32_t d)
{
	struct ctl *f = &c->ctls[c->nctls - 1 - d];
	if (f->kind == 1) {
		put_target(c, f->body_pc);
	} else {
		uint32_t at = put(c, f->patches);
		if (!c->failed) {
			push_u32(c, &c->relocs, &c->nrelocs, &c->crelocs, at);
			f->patches = at;
		}
	}
}

static void resolve(struct cc *c, uint64_t list, uint32_t target)
{
	while (list != NOPATCH) {
		uint64_t next = c->code[list].u;
		c->code[list].u = target;
		list = next;
	}
}

/* Emits the moves that carry the top n values to label d's slots; returns
 * whether any were needed. */
static bool branch_moves(struct cc *c, uint32_t d, bool emit)
{
	struct ctl *f = &c->ctls[c->nctls - 1 - d];
	const uint8_t *t;
	uint32_t n;
	label_types(f, &t, &n);
	if (n == 0 || c->nvals < n)
		return false;
	uint32_t from = c->nvals - n;
	if (from == f->height)
		return false;
	if (emit && !dead(c)) {
		if (n == 1) {
			op(c, OP_MOV);
			put(c, slot(c, f->height));
			put(c, slot(c, from));
		} else {
			op(c, OP_MOVN);
			put(c, slot(c, f->height));
			put(c, slot(c, from));
			put(c, n);
		}
	}
	return true;
}

static void read_blocktype(struct cc *c, const uint8_t **params, uint32_t *np,
			   const uint8_t **results, uint32_t *nr)
{
	*np = *nr = 0;
	*params = *results = NULL;
	if (c->p >= c->end) {
		fail(c, "unexpected end");
		return;
	}
	uint8_t b = *c->p;
	if (b == 0x40) {
		c->p++;
		return;
	}
	if (b == WASM_I32 || b == WASM_I64 || b == WASM_F32 || b == WASM_F64 || b == WASM_FUNCREF ||
	    b == WASM_EXTERNREF) {
		c->p++;
		*results = c->p - 1; /* the byte itself is the type array */
		*nr = 1;
		return;
	}
	int64_t idx = rd_sleb(c, 33);
	if (c->failed)
		return;
	if (idx < 0 || (uint64_t)idx >= c->m->ntypes) {
		fail(c, "unknown type %lld", (long long)idx);
		return;
	}
	const wasm_functype *ft = &c->m->types[idx].ft;
	*params = ft->params;
	*np = ft->nparams;
	*results = ft->results;
	*nr = ft->nresults;
}

static void pop_types(struct cc *c, const uint8_t *t, uint32_t n)
{
	for (uint32_t i = n; i-- > 0;)
		pop(c, t[i]);
}

static void push_types(struct cc *c, const uint8_t *t, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		push(c, t[i]);
}

/* ---- instruction signatures -------------------------------------------------- */

/* For opcodes 0x45..0xc4: operand and result types, "ab>r" coded as
 * i=i32, I=i64, f=f32, F=f64; a single letter before '>' is unary. */
static const char *const numsig[128] = {
	"i>i",	"ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "ii>i",
	"I>i",	"II>i", "II>i", "II>i", "II>i", "II>i", "II>i", "II>i", "II>i", "II>i", "II>i",
	"ff>i", "ff>i", "ff>i", "ff>i", "ff>i", "ff>i", "FF>i", "FF>i", "FF>i", "FF>i", "FF>i",
	"FF>i", "i>i",	"i>i",	"i>i",	"ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "ii>i",
	"ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "ii>i", "I>I",	"I>I",	"I>I",
	"II>I", "II>I", "II>I", "II>I", "II>I", "II>I", "II>I", "II>I", "II>I", "II>I", "II>I",
	"II>I", "II>I", "II>I", "II>I", "f>f",	"f>f",	"f>f",	"f>f",	"f>f",	"f>f",	"f>f",
	"ff>f", "ff>f", "ff>f", "ff>f", "ff>f", "ff>f", "ff>f", "F>F",	"F>F",	"F>F",	"F>F",
	"F>F",	"F>F",	"F>F",	"FF>F", "FF>F", "FF>F", "FF>F", "FF>F", "FF>F", "FF>F", "I>i",
	"f>i",	"f>i",	"F>i",	"F>i",	"i>I",	"i>I",	"f>I",	"f>I",	"F>I",	"F>I",	"i>f",
	"i>f",	"I>f",	"I>f",	"F>f",	"i>F",	"i>F",	"I>F",	"I>F",	"f>F",	"f>i",	"F>I",
	"i>f",	"I>F",	"i>i",	"i>i",	"I>I",	"I>I",	"I>I",
};

static uint8_t letter_type(char l)
{
	switch (l) {
	case 'i':
		return WASM_I32;
	case 'I':
		return WASM_I64;
	case 'f':
		return WASM_F32;
	default:
		return WASM_F64;
	}
}

static const char *const satsig[8] = {"f>i", "f>i", "F>i", "F>i", "f>I", "f>I", "F>I", "F>I"};

/* The variant of o taking an immediate second operand, or -1. */
static int imm_variant(int o)
{
	if (o >= OP_I32_EQ && o <= OP_I32_GE_U)
		return OP_I32_EQ_IMM + (o - OP_I32_EQ);
	if (o >= OP_I64_EQ && o <= OP_I64_GE_U)
		return OP_I64_EQ_IMM + (o - OP_I64_EQ);
	if (o >= OP_I32_ADD && o <= OP_I32_MUL)
		return OP_I32_ADD_IMM + (o - OP_I32_ADD);
	if (o >= OP_I32_AND && o <= OP_I32_SHR_U)
		return OP_I32_AND_IMM + (o - OP_I32_AND);
	if (o >= OP_I64_ADD && o <= OP_I64_MUL)
		return OP_I64_ADD_IMM + (o - OP_I64_ADD);
	if (o >= OP_I64_AND && o <= OP_I64_SHR_U)
		return OP_I64_AND_IMM + (o - OP_I64_AND);
	return -1;
}

static bool commutes(int o)
{
	return o == OP_I32_EQ || o == OP_I32_NE || o == OP_I32_ADD || o == OP_I32_MUL ||
	       o == OP_I32_AND || o == OP_I32_OR || o == OP_I32_XOR || o == OP_I64_EQ ||
	       o == OP_I64_NE || o == OP_I64_ADD || o == OP_I64_MUL || o == OP_I64_AND ||
	       o == OP_I64_OR || o == OP_I64_XOR;
}

static void put_const_at(struct cc *c, struct val *v, uint32_t idx)
{
	if (v->src != CONST_SRC)
		return;
	uint32_t ps = pool_slot(c, v->k);
	if (ps != UINT32_MAX) {
		v->src = ps;
		return;
	}
	op(c, OP_CONST);
	put(c, slot(c, idx));
	put(c, v->k);
	v->src = slot(c, idx);
}

/* Whether the last operation was an f64.load (i32.load) into a stack slot
 * that one operand of the f64 (i32) op o is: the load becomes an operand of o. The load's
 * cells (load dst addr off) become (o' dst addr off other). */
static bool fuse_load(struct cc *c, int o, struct val *a, struct val *b)
{
	bool f64 = o >= OP_F64_ADD && o <= OP_F64_DIV;
	if (!(c->last_end == c->n && c->last_dst_cell > 0 &&
	      c->code[c->last_dst_cell - 1].h == c->labels[f64 ? OP_F64_LOAD : OP_I32_LOAD] &&
	      c->last_dst_cell + 3 == c->n))
		return false;
	uint32_t ld = (uint32_t)c->code[c->last_dst_cell].u;
	if (ld < c->nlocals + c->npool_final || a->src == b->src)
		return false;
	struct val *other;
	int f;
	int lb; /* the form with the loaded value second */
	if (f64)
		lb = OP_F64_ADD_LB + (o - OP_F64_ADD);
	else if (o <= OP_I32_MUL)
		lb = OP_I32_ADD_LB + (o - OP_I32_ADD);
	else
		lb = OP_I32_AND_LB + (o - OP_I32_AND);
	if (b->src == ld) {
		other = a;
		f = lb;
	} else if (a->src == ld) {
		other = b;
		f = o == OP_F64_SUB   ? OP_F64_SUB_LA
		    : o == OP_F64_DIV ? OP_F64_DIV_LA
		    : o == OP_I32_SUB ? OP_I32_SUB_LA
				      : lb; /* commutes */
	} else {
		return false;
	}
	uint32_t src = other->src;
	if (src == CONST_SRC) {
		src = pool_slot(c, other->k);
		if (src == UINT32_MAX)
			return false;
	}
	uint32_t at = c->last_dst_cell - 1;
	c->code[at].h = c->labels[f];
	c->code[at + 1].u = slot(c, c->nvals - 1);
	put(c, src);
	mark_dst(c, at + 1);
	return true;
}

/* The store-fused form of the f64 add/sub/mul/div at cell at, or 0. */
static int f64_arith(struct cc *c, uint32_t at)
{
	for (int k = 0; k < 4; k++)
		if (c->code[at].h == c->labels[OP_F64_ADD + k])
			return OP_F64_ADD_ST + k;
	return 0;
}

/* The read-modify-write form of the f64 (i32) load-and-compute op at cell
 * at, or 0. */
static int rmw_form(struct cc *c, uint32_t at, bool f64)
{
	int from = f64 ? OP_F64_ADD_LB : OP_I32_ADD_LB;
	int to = f64 ? OP_F64_ADD_LB_RMW : OP_I32_ADD_LB_RMW;
	for (int k = 0; k < (f64 ? 6 : 7); k++)
		if (c->code[at].h == c->labels[from + k])
			return to + k;
	return 0;
}

/* Emits a unary or binary numeric op by its signature. */
static void numeric(struct cc *c, int o, const char *sig)
{
	const char *gt = strchr(sig, '>');
	bool bin = gt - sig == 2;
	struct val b = {0, 0, 0}, a;
	if (bin)
		b = pop_raw(c, letter_type(sig[1]));
	a = pop_raw(c, letter_type(sig[0]));
	uint32_t ia = c->nvals;
	push(c, letter_type(gt[1]));
	if (dead(c) || c->failed)
		return;
	/* reinterpretations are moves of the same bits */
	if (o >= OP_I32_REINTERPRET_F32 && o <= OP_F64_REINTERPRET_I64) {
		c->vals[c->nvals - 1].src = a.src;
		c->vals[c->nvals - 1].k = a.k;
		if (a.src != slot(c, c->nvals - 1) && c->nvals - 1 < c->min_deferred)
			c->min_deferred = c->nvals - 1;
		return;
	}
	if (bin &&
	    ((o >= OP_F64_ADD && o <= OP_F64_DIV) || (o >= OP_I32_ADD && o <= OP_I32_MUL) ||
	     (o >= OP_I32_AND && o <= OP_I32_XOR)) &&
	    fuse_load(c, o, &a, &b))
		return;
	int imm = bin ? imm_variant(o) : -1;
	if (imm >= 0 && a.src == CONST_SRC && b.src != CONST_SRC && commutes(o)) {
		struct val t = a;
		a = b;
		b = t;
	}
	uint32_t start;
	if (imm >= 0 && b.src == CONST_SRC && a.src != CONST_SRC) {
		start = op(c, imm);
		uint32_t d = put(c, slot(c, c->nvals - 1));
		put(c, a.src);
		put(c, b.k);
		mark_dst(c, d);
	} else {
		put_const_at(c, &a, ia);
		if (bin)
			put_const_at(c, &b, ia + 1);
		start = op(c, o);
		uint32_t d = put(c, slot(c, c->nvals - 1));
		put(c, a.src);
		if (bin)
			put(c, b.src);
		mark_dst(c, d);
		imm = -1;
	}
	if (o == OP_I32_ADD)
		c->last_add_end = c->n;
	if ((o >= OP_I32_EQ && o <= OP_I32_GE_U) || o == OP_I32_EQZ ||
	    (o >= OP_I64_EQ && o <= OP_I64_GE_U) || o == OP_I64_EQZ ||
	    (o == OP_I32_AND && imm >= 0)) {
		c->last_cmp_pc = start;
		c->last_cmp_end = c->n;
		c->last_cmp_op = imm >= 0 ? imm : o;
	}
}

/* Whether the last operation was a register i32.add that produced `src`,
 * so that a memory access can take its two operands instead. */
static bool fuse_add(struct cc *c, uint32_t src)
{
	if (!(c->last_end == c->n && c->last_add_end == c->n && c->last_dst_cell > 0 &&
	      c->code[c->last_dst_cell].u == src && src >= c->nlocals + c->npool_final))
		return false;
	uint32_t at = c->last_dst_cell - 1;
	if (c->code[at].h == c->labels[OP_I32_ADD_IMM]) {
		/* the immediate becomes a pool slot operand */
		uint32_t ps = pool_slot(c, (uint32_t)c->code[at + 3].u);
		if (ps == UINT32_MAX)
			return false;
		c->code[at + 3].u = ps;
	}
	return true;
}

static uint32_t memarg(struct cc *c, uint32_t natural_log2)
{
	uint32_t align = rd_u32(c);
	uint32_t off = rd_u32(c);
	if (c->failed)
		return 0;
	if (align > natural_log2)
		fail(c, "alignment must not be larger than natural");
	if (c->m->nmems == 0)
		fail(c, "unknown memory 0");
	return off;
}

static void need_table(struct cc *c, uint32_t t)
{
	if (t >= c->m->ntables)
		fail(c, "unknown table %u", t);
}

static uint8_t table_type(struct cc *c, uint32_t t)
{
	return t < c->m->ntables ? c->m->table_types[t] : T_UNKNOWN;
}

static void emit_call(struct cc *c, int o, const wasm_functype *ft, uint64_t a1, uint64_t a2,
		      bool indirect)
{
	struct val idx = {0, 0, 0};
	if (indirect)
		idx = pop(c, WASM_I32);
	keep_types(c, ft->params, ft->nparams);
	materialize(c);
	if (!c->failed)
		c->nvals -= ft->nparams;
	uint32_t base = c->nvals;
	if (!dead(c) && !c->failed) {
		uint32_t at = op(c, o);
		put(c, a1);
		put(c, slot(c, base));
		if (indirect) {
			put(c, a2);
			put(c, idx.src);
		} else if (o == OP_CALL_DEF) {
			/* the callee's code, so that the call need not reach it
			 * through the instance (the module's codes never move) */
			put(c, (uint64_t)(uintptr_t)&c->m->codes[a1 - c->m->nfunc_imports]);
		}
		add_safepoint(c, SP_CALL, at, c->n, base, ft->nparams);
	}
	push_types(c, ft->results, ft->nresults);
}

/* The compare-and-branch operation for compare co (register or immediate,
 * i32 or i64), branching when the compare holds or, with negate, fails. */
static int cmp_branch(int co, bool negate)
{
	static const uint8_t neg[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};
	int base, k;
	if (co == OP_I32_AND_IMM) /* a & imm: taken when nonzero */
		return negate ? OP_BR_UNLESS_AND_IMM : OP_BR_IF_AND_IMM;
	if (co >= OP_I32_EQ_IMM && co <= OP_I32_GE_U_IMM) {
		base = OP_BR_IF_I32_EQ_IMM;
		k = co - OP_I32_EQ_IMM;
	} else if (co >= OP_I64_EQ_IMM && co <= OP_I64_GE_U_IMM) {
		base = OP_BR_IF_I64_EQ_IMM;
		k = co - OP_I64_EQ_IMM;
	} else if (co >= OP_I64_EQ && co <= OP_I64_GE_U) {
		base = OP_BR_IF_I64_EQ;
		k = co - OP_I64_EQ;
	} else {
		base = OP_BR_IF_I32_EQ;
		k = co - OP_I32_EQ;
	}
	return base + (negate ? neg[k] : k);
}

/* Moves n results from slot `from` to slot 0 and returns. A single result
 * just computed is written to slot 0 by the operation itself. */
static void emit_return(struct cc *c, uint32_t from, uint32_t n)
{
	if (n == 1 && c->last_end == c->n && c->n > 0 && c->code[c->last_dst_cell].u == from) {
		c->code[c->last_dst_cell].u = 0;
	} else if (n == 1 && from != 0) {
		op(c, OP_MOV);
		put(c, 0);
		put(c, from);
	} else if (n > 1 && from != 0) {
		op(c, OP_MOVN);
		put(c, 0);
		put(c, from);
		put(c, n);
	}
	op(c, OP_RET);
	c->last_end = UINT32_MAX;
}

/* ---- the body ---------------------------------------------------------------- */

static void body(struct cc *c)
{
	const wasm_module *m = c->m;
	while (!c->failed) {
		if (c->p >= c->end) {
			fail(c, "unexpected end of section or function");
			return;
		}
		c->instr_off = (uint32_t)(c->p - c->body);
		uint8_t b = *c->p++;
		struct ctl *f = &c->ctls[c->nctls - 1];
		if (c->m->features == WASM_FEATURES_1_0 &&
		    ((b >= 0xc0 && b <= 0xc4) || b == 0xfc || b == 0x1c || b == 0x25 || b == 0x26 ||
		     (b >= 0xd0 && b <= 0xd2))) {
			fail(c, "illegal opcode 0x%02x (not in Wasm 1.0)", b);
			return;
		}
		switch (b) {
		case 0x00: /* unreachable */
			if (!dead(c))
				op(c, OP_UNREACHABLE);
			set_unreachable(c);
			break;
		case 0x01:
			break;
		case 0x02:   /* block */
		case 0x03: { /* loop */
			const uint8_t *pt, *rt;
			uint32_t np, nr;
			read_blocktype(c, &pt, &np, &rt, &nr);
			if (c->failed)
				return;
			keep_types(c, pt, np);
			materialize(c);
			push_ctl(c, b == 0x02 ? 0 : 1, pt, np, rt, nr);
			c->last_end = UINT32_MAX; /* no fusion across a label */
			if (b == 0x03)
				c->nloops++;
			if (b == 0x03 && !dead(c)) {
				f = &c->ctls[c->nctls - 1];
				/* the check is made by the branches back here, not on
				 * entry (the function's entry has one) */
				f->label_pc = c->n;
				f->body_pc = c->n;
				add_safepoint(c, SP_LOOP, c->n, 0, c->nvals, 0);
			}
			break;
		}
		case 0x04: { /* if */
			const uint8_t *pt, *rt;
			uint32_t np, nr;
			read_blocktype(c, &pt, &np, &rt, &nr);
			struct val cond = pop(c, WASM_I32);
			if (c->failed)
				return;
			keep_types(c, pt, np);
			materialize(c);
			uint64_t patch = NOPATCH;
			if (!dead(c) && c->last_end == c->n && c->last_cmp_end == c->n &&
			    cond.src == slot(c, c->nvals)) {
				/* cmp dst a b; if -> branch to else on the negated
				 * compare (eqz: on a != 0) */
				uint32_t at = c->last_cmp_pc;
				int co = c->last_cmp_op;
				if (co == OP_I32_EQZ || co == OP_I64_EQZ) {
					c->code[at].h =
						c->labels[co == OP_I32_EQZ ? OP_BR_IF : OP_BR_IF64];
					c->code[at + 1].u = c->code[at + 2].u;
					patch = at + 2;
				} else {
					c->code[at].h = c->labels[cmp_branch(co, true)];
					c->code[at + 1].u = c->code[at + 2].u;
					c->code[at + 2].u = c->code[at + 3].u;
					patch = at + 3;
				}
				c->code[patch].u = NOPATCH;
				push_u32(c, &c->relocs, &c->nrelocs, &c->crelocs, (uint32_t)patch);
			} else if (!dead(c)) {
				op(c, OP_BR_UNLESS);
				put(c, cond.src);
				patch = put(c, NOPATCH);
				push_u32(c, &c->relocs, &c->nrelocs, &c->crelocs, (uint32_t)patch);
			}
			c->last_end = UINT32_MAX;
			/* the parameters stay in their slots for the else branch:
			 * only the then branch, which never reaches it, overwrites them */
			push_ctl(c, 2, pt, np, rt, nr);
			c->ctls[c->nctls - 1].else_patch = patch;
			break;
		}
		case 0x05: { /* else */
			if (f->kind != 2) {
				fail(c, "else without if");
				return;
			}
			keep_types(c, f->results, f->nr);
			if (c->nvals != f->height + f->nr)
				fail(c, "type mismatch: values remain at the end of the block");
			materialize(c);
			if (!dead(c)) {
				op(c, OP_BR);
				put_label(c, 0);
			}
			f->unreachable = false;
			f->kind = 3;
			c->nvals = f->height;
			push_types(c, f->params, f->np);
			if (f->else_patch != NOPATCH) {
				resolve(c, f->else_patch, c->n);
				f->else_patch = NOPATCH;
			}
			break;
		}
		case 0x0b: { /* end */
			keep_types(c, f->results, f->nr);
			if (c->failed)
				return;
			if (c->nvals != f->height + f->nr) {
				fail(c, "type mismatch: values remain at the end of the block");
				return;
			}
			if (f->kind == 2 &&
			    (f->np != f->nr ||
			     (f->np && memcmp(f->params, f->results, f->np) != 0))) {
				fail(c, "type mismatch: if without else must leave its parameters");
				return;
			}
			materialize(c);
			if (f->kind == 4) {
				if (!dead(c))
					emit_return(c, slot(c, 0), f->nr);
				resolve(c, f->patches, c->n);
				/* branches to the function label land here */
				if (f->patches != NOPATCH) {
					c->last_end = UINT32_MAX;
					emit_return(c, slot(c, 0), f->nr);
				}
				c->nctls--;
				return;
			}
			resolve(c, f->patches, c->n);
			if (f->else_patch != NOPATCH)
				resolve(c, f->else_patch, c->n);
			if (f->kind == 1)
				c->nloops--;
			c->nctls--;
			c->last_end = UINT32_MAX;
			break;
		}
		case 0x0c:   /* br */
		case 0x0d: { /* br_if */
			uint32_t d = rd_u32(c);
			if (c->failed)
				return;
			if (d >= c->nctls) {
				fail(c, "unknown label %u", d);
				return;
			}
			struct val cond = {0, 0, 0};
			if (b == 0x0d)
				cond = pop(c, WASM_I32);
			struct ctl *t = &c->ctls[c->nctls - 1 - d];
			const uint8_t *lt;
			uint32_t ln;
			label_types(t, &lt, &ln);
			if (b == 0x0d)
				keep_types(c, lt, ln); /* br_if gives its values back typed */
			else
				check_top(c, lt, ln);
			if (c->failed)
				return;
			/* a compare right before br_if: fuse them */
			bool fused = false;
			if (b == 0x0d && !dead(c) && c->last_end == c->n &&
			    c->last_cmp_end == c->n && c->min_deferred >= c->nvals &&
			    cond.src == slot(c, c->nvals) && !branch_moves(c, d, false)) {
				/* rewrite: cmp dst a b -> br_cmp a b target (the
				 * compare's result slot is dead) */
				uint32_t at = c->last_cmp_pc;
				int co = c->last_cmp_op;
				if (co == OP_I32_EQZ || co == OP_I64_EQZ) {
					int bo = co == OP_I32_EQZ ? OP_BR_UNLESS : OP_BR_UNLESS64;
					c->code[at].h = c->labels[branch_op(c, bo, d)];
					c->code[at + 1].u = c->code[at + 2].u;
					c->n = at + 2;
				} else {
					c->code[at].h =
						c->labels[branch_op(c, cmp_branch(co, false), d)];
					c->code[at + 1].u = c->code[at + 2].u;
					c->code[at + 2].u = c->code[at + 3].u;
					c->n = at + 3;
				}
				put_label(c, d);
				fused = true;
			}
			if (!fused) {
				materialize(c);
				if (b == 0x0c) {
					if (!dead(c)) {
						branch_moves(c, d, true);
						op(c, branch_op(c, OP_BR, d));
						put_label(c, d);
					}
					set_unreachable(c);
				} else if (!dead(c)) {
					if (!branch_moves(c, d, false)) {
						op(c, branch_op(c, OP_BR_IF, d));
						put(c, cond.src);
						put_label(c, d);
					} else {
						op(c, OP_BR_UNLESS);
						put(c, cond.src);
						uint32_t skip = put_target(c, 0);
						branch_moves(c, d, true);
						op(c, branch_op(c, OP_BR, d));
						put_label(c, d);
						c->code[skip].u = c->n;
					}
				}
			}
			c->last_end = UINT32_MAX;
			break;
		}
		case 0x0e: { /* br_table */
			uint32_t n = rd_u32(c);
			if (c->failed)
				return;
			if ((uint64_t)n > (uint64_t)(c->end - c->p)) {
				fail(c, "unexpected end: br_table of %u labels", n);
				return;
			}
			struct val idx = pop(c, WASM_I32);
			materialize(c);
			const uint8_t *p0 = c->p;
			/* validate all labels first */
			uint32_t arity = UINT32_MAX;
			const uint8_t *lt0 = NULL;
			for (uint32_t i = 0; i <= n && !c->failed; i++) {
				uint32_t d = rd_u32(c);
				if (c->failed)
					return;
				if (d >= c->nctls) {
					fail(c, "unknown label %u", d);
					return;
				}
				const uint8_t *lt;
				uint32_t ln;
				label_types(&c->ctls[c->nctls - 1 - d], &lt, &ln);
				if (arity == UINT32_MAX) {
					arity = ln;
					lt0 = lt;
				} else if (arity != ln) {
					fail(c,
					     "type mismatch: br_table labels of different arity");
				} else if (c->m->features == WASM_FEATURES_1_0) {
					/* 1.0: where the stack is polymorphic, the labels
					 * must still agree (2.0 lets them meet at bottom) */
					uint32_t avail = c->nvals - c->ctls[c->nctls - 1].height;
					for (uint32_t k = 0; k < ln && !c->failed; k++) {
						bool known = ln - k <= avail &&
							     c->vals[c->nvals - ln + k].type !=
								     T_UNKNOWN;
						if (!known && lt[k] != lt0[k])
							fail(c, "type mismatch: br_table labels of "
								"different types");
					}
				}
				check_top(c, lt, ln);
			}
			if (c->failed)
				return;
			if (!dead(c)) {
				c->p = p0;
				op(c, OP_BR_TABLE);
				put(c, idx.src);
				put(c, n);
				uint32_t tab = c->n;
				uint32_t *ds = malloc(((size_t)n + 1) * sizeof(uint32_t));
				if (!ds) {
					fail(c, "out of memory");
					return;
				}
				for (uint32_t i = 0; i <= n; i++) {
					ds[i] = rd_u32(c);
					put_target(c, 0);
				}
				for (uint32_t i = 0; i <= n && !c->failed; i++) {
					if (!branch_moves(c, ds[i], false)) {
						struct ctl *t = &c->ctls[c->nctls - 1 - ds[i]];
						if (t->kind == 1) {
							/* a stub that checks the loop's safe point
							 */
							c->code[tab + i].u = c->n;
							op(c, OP_BR_LOOP);
							put_label(c, ds[i]);
						} else {
							c->code[tab + i].u = t->patches;
							t->patches = tab + i;
						}
					} else {
						c->code[tab + i].u = c->n;
						branch_moves(c, ds[i], true);
						op(c, branch_op(c, OP_BR, ds[i]));
						put_label(c, ds[i]);
					}
				}
				free(ds);
			}
			set_unreachable(c);
			c->last_end = UINT32_MAX;
			break;
		}
		case 0x0f: { /* return */
			struct ctl *fn = &c->ctls[0];
			check_top(c, fn->results, fn->nr);
			materialize(c);
			if (!dead(c) && !c->failed) {
				uint32_t n = fn->nr;
				emit_return(c, n && c->nvals >= n ? slot(c, c->nvals - n) : 0,
					    n && c->nvals >= n ? n : 0);
			}
			set_unreachable(c);
			break;
		}
		case 0x10: { /* call */
			uint32_t fi = rd_u32(c);
			if (c->failed)
				return;
			if (fi >= m->nfuncs) {
				fail(c, "unknown function %u", fi);
				return;
			}
			/* a defined function is in the caller's instance and never
			 * a host function: its call skips both checks */
			emit_call(c, fi >= m->nfunc_imports ? OP_CALL_DEF : OP_CALL,
				  &m->types[m->func_types[fi]].ft, fi, 0, false);
			break;
		}
		case 0x11: { /* call_indirect */
			uint32_t ti = rd_u32(c);
			uint32_t tab = rd_u32(c);
			if (c->failed)
				return;
			if (ti >= m->ntypes) {
				fail(c, "unknown type %u", ti);
				return;
			}
			need_table(c, tab);
			if (!c->failed && m->table_types[tab] != WASM_FUNCREF)
				fail(c, "type mismatch: call_indirect on a table of externref");
			if (c->failed)
				return;
			/* the type as a pointer: the module's types never move */
			emit_call(c, OP_CALL_INDIRECT, &m->types[ti].ft, tab,
				  (uint64_t)(uintptr_t)&m->types[ti].ft, true);
			break;
		}
		case 0x1a: /* drop */
			pop_raw(c, T_UNKNOWN);
			break;
		case 0x1b:   /* select */
		case 0x1c: { /* select t */
			uint8_t t = T_UNKNOWN;
			if (b == 0x1c) {
				uint32_t n = rd_u32(c);
				if (c->failed)
					return;
				if (n != 1) {
					fail(c, "invalid result arity for select");
					return;
				}
				t = rd_u8(c);
				if (t != WASM_I32 && t != WASM_I64 && t != WASM_F32 &&
				    t != WASM_F64 && t != WASM_FUNCREF && t != WASM_EXTERNREF) {
					fail(c, "malformed value type");
					return;
				}
			}
			struct val cond = pop(c, WASM_I32);
			struct val v2 = pop(c, t);
			struct val v1 = pop(c, t);
			if (c->failed)
				return;
			uint8_t rt = t;
			if (b == 0x1b) {
				rt = v1.type != T_UNKNOWN ? v1.type : v2.type;
				if (v1.type != T_UNKNOWN && v2.type != T_UNKNOWN &&
				    v1.type != v2.type) {
					fail(c, "type mismatch in select");
					return;
				}
				if (rt == WASM_FUNCREF || rt == WASM_EXTERNREF || rt == WASM_V128) {
					fail(c, "type mismatch: select without type on references");
					return;
				}
			}
			push(c, rt);
			if (!dead(c) && c->last_end == c->n && c->last_cmp_end == c->n &&
			    (c->last_cmp_op == OP_I32_EQZ || c->last_cmp_op == OP_I64_EQZ) &&
			    c->code[c->last_cmp_pc + 1].u == cond.src) {
				/* select(a, b, eqz x) = select(b, a, x) */
				uint32_t at = c->last_cmp_pc;
				uint64_t x = c->code[at + 2].u;
				int so = c->last_cmp_op == OP_I32_EQZ ? OP_SELECT : OP_SELECT64;
				c->n = at;
				op(c, so);
				uint32_t d = put(c, slot(c, c->nvals - 1));
				put(c, v2.src);
				put(c, v1.src);
				put(c, x);
				mark_dst(c, d);
			} else if (!dead(c)) {
				op(c, OP_SELECT);
				uint32_t d = put(c, slot(c, c->nvals - 1));
				put(c, v1.src);
				put(c, v2.src);
				put(c, cond.src);
				mark_dst(c, d);
			}
			c->last_cmp_end = UINT32_MAX;
			break;
		}
		case 0x20: { /* local.get */
			uint32_t x = rd_u32(c);
			if (c->failed)
				return;
			if (x >= c->nlocals) {
				fail(c, "unknown local %u", x);
				return;
			}
			push_deferred(c, c->locals[x], x);
			break;
		}
		case 0x21:   /* local.set */
		case 0x22: { /* local.tee */
			uint32_t x = rd_u32(c);
			if (c->failed)
				return;
			if (x >= c->nlocals) {
				fail(c, "unknown local %u", x);
				return;
			}
			struct val v = pop_raw(c, c->locals[x]);
			if (c->failed)
				return;
			if (v.src == CONST_SRC) {
				materialize_local(c, x);
				/* the call zeroed the declared locals: storing 0 into one
				 * not written before, outside loops, is a no-op, and the
				 * local still holds that zero afterwards */
				bool zero = v.k == 0 && c->nloops == 0 && x >= c->nparams &&
					    x < 64 && !(c->written & (1ull << x));
				if (x < 64 && !zero)
					c->written |= 1ull << x;
				if (!dead(c) && !zero) {
					op(c, OP_CONST);
					put(c, x);
					put(c, v.k);
				}
				c->last_end = UINT32_MAX;
				if (b == 0x22)
					push_deferred(c, c->locals[x], x);
				break;
			}
			if (x < 64)
				c->written |= 1ull << x;
			bool direct =
				!dead(c) && c->last_end == c->n && v.src == slot(c, c->nvals) &&
				c->code[c->last_dst_cell].u == v.src && !refers_to_local(c, x);
			if (direct) {
				c->code[c->last_dst_cell].u = x;
			} else {
				materialize_local(c, x);
				if (!dead(c) && v.src != x) {
					op(c, OP_MOV);
					uint32_t d = put(c, x);
					put(c, v.src);
					mark_dst(c, d);
				}
			}
			c->last_end = UINT32_MAX;
			if (b == 0x22)
				push_deferred(c, c->locals[x], x);
			break;
		}
		case 0x23: { /* global.get */
			uint32_t g = rd_u32(c);
			if (c->failed)
				return;
			if (g >= m->nglobals) {
				fail(c, "unknown global %u", g);
				return;
			}
			push(c, m->globals[g].type);
			if (!dead(c)) {
				op(c, OP_GLOBAL_GET);
				uint32_t d = put(c, slot(c, c->nvals - 1));
				put(c, g);
				mark_dst(c, d);
			}
			break;
		}
		case 0x24: { /* global.set */
			uint32_t g = rd_u32(c);
			if (c->failed)
				return;
			if (g >= m->nglobals) {
				fail(c, "unknown global %u", g);
				return;
			}
			if (!m->globals[g].mut) {
				fail(c, "global is immutable");
				return;
			}
			struct val v = pop(c, m->globals[g].type);
			if (!dead(c)) {
				op(c, OP_GLOBAL_SET);
				put(c, g);
				put(c, v.src);
			}
			break;
		}
		case 0x25:   /* table.get */
		case 0x26: { /* table.set */
			uint32_t t = rd_u32(c);
			if (c->failed)
				return;
			need_table(c, t);
			if (c->failed)
				return;
			if (b == 0x25) {
				struct val i = pop(c, WASM_I32);
				push(c, table_type(c, t));
				if (!dead(c)) {
					op(c, OP_TABLE_GET);
					put(c, slot(c, c->nvals - 1));
					put(c, i.src);
					put(c, t);
				}
			} else {
				struct val v = pop(c, table_type(c, t));
				struct val i = pop(c, WASM_I32);
				if (!dead(c)) {
					op(c, OP_TABLE_SET);
					put(c, i.src);
					put(c, v.src);
					put(c, t);
				}
			}
			break;
		}
		case 0x28:
		case 0x29:
		case 0x2a:
		case 0x2b:
		case 0x2c:
		case 0x2d:
		case 0x2e:
		case 0x2f:
		case 0x30:
		case 0x31:
		case 0x32:
		case 0x33:
		case 0x34:
		case 0x35: { /* loads */
			static const uint8_t nat[14] = {2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2};
			static const char rt[14] = "iIfFiiiiIIIIII";
			uint32_t off = memarg(c, nat[b - 0x28]);
			struct val a = pop(c, WASM_I32);
			push(c, letter_type(rt[b - 0x28]));
			if (!dead(c) && !c->failed && fuse_add(c, a.src)) {
				/* add dst x y -> load_add dst x y off */
				c->code[c->last_dst_cell - 1].h =
					c->labels[OP_I32_LOAD_ADD + (b - 0x28)];
				put(c, off);
				mark_dst(c, c->last_dst_cell);
			} else if (!dead(c) && !c->failed) {
				op(c, OP_I32_LOAD + (b - 0x28));
				uint32_t d = put(c, slot(c, c->nvals - 1));
				put(c, a.src);
				put(c, off);
				mark_dst(c, d);
			}
			break;
		}
		case 0x36:
		case 0x37:
		case 0x38:
		case 0x39:
		case 0x3a:
		case 0x3b:
		case 0x3c:
		case 0x3d:
		case 0x3e: { /* stores */
			static const uint8_t nat[9] = {2, 3, 2, 3, 0, 1, 0, 1, 2};
			static const char vt[9] = "iIfFiiIII";
			uint32_t off = memarg(c, nat[b - 0x36]);
			struct val v = pop(c, letter_type(vt[b - 0x36]));
			struct val a = pop(c, WASM_I32);
			uint32_t ar = c->last_dst_cell;
			if (b == 0x39 && !dead(c) && !c->failed && c->last_end == c->n && ar > 0 &&
			    ar + 3 == c->n && c->code[ar].u == v.src &&
			    v.src >= c->nlocals + c->npool_final && f64_arith(c, ar - 1)) {
				/* f64 op dst x y -> op_st addr x y off */
				c->code[ar - 1].h = c->labels[f64_arith(c, ar - 1)];
				c->code[ar].u = a.src;
				put(c, off);
				c->last_end = UINT32_MAX;
			} else if ((b == 0x39 || b == 0x36) && !dead(c) && !c->failed &&
				   c->last_end == c->n && ar > 0 && ar + 4 == c->n &&
				   c->code[ar].u == v.src && v.src >= c->nlocals + c->npool_final &&
				   rmw_form(c, ar - 1, b == 0x39) && c->code[ar + 1].u == a.src &&
				   c->code[ar + 2].u == off) {
				/* op_lb dst addr off y; store addr v off -> op_rmw addr off y */
				c->code[ar - 1].h = c->labels[rmw_form(c, ar - 1, b == 0x39)];
				c->code[ar].u = a.src;
				c->code[ar + 1].u = off;
				c->code[ar + 2].u = c->code[ar + 3].u;
				c->code[ar + 3].u = 0;
				c->last_end = UINT32_MAX;
			} else if (!dead(c) && !c->failed && fuse_add(c, a.src)) {
				/* add dst x y -> store_add x y v off */
				uint32_t at = c->last_dst_cell - 1;
				c->code[at].h = c->labels[OP_I32_STORE_ADD + (b - 0x36)];
				c->code[at + 1].u = c->code[at + 2].u;
				c->code[at + 2].u = c->code[at + 3].u;
				c->code[at + 3].u = v.src;
				put(c, off);
				c->last_end = UINT32_MAX;
			} else if (!dead(c) && !c->failed) {
				op(c, OP_I32_STORE + (b - 0x36));
				put(c, a.src);
				put(c, v.src);
				put(c, off);
			}
			break;
		}
		case 0x3f:   /* memory.size */
		case 0x40: { /* memory.grow */
			uint8_t z = rd_u8(c);
			if (c->failed)
				return;
			if (z != 0) {
				fail(c, "zero byte expected");
				return;
			}
			if (m->nmems == 0) {
				fail(c, "unknown memory 0");
				return;
			}
			struct val a = {0, 0, 0};
			if (b == 0x40)
				a = pop(c, WASM_I32);
			push(c, WASM_I32);
			if (!dead(c)) {
				op(c, b == 0x3f ? OP_MEMORY_SIZE : OP_MEMORY_GROW);
				put(c, slot(c, c->nvals - 1));
				put(c, a.src);
			}
			break;
		}
		case 0x41:
		case 0x42:
		case 0x43:
		case 0x44: { /* const */
			uint64_t v;
			uint8_t t;
			if (b == 0x41) {
				v = (uint32_t)rd_sleb(c, 32);
				t = WASM_I32;
			} else if (b == 0x42) {
				v = (uint64_t)rd_sleb(c, 64);
				t = WASM_I64;
			} else if (b == 0x43) {
				if (c->end - c->p < 4) {
					fail(c, "unexpected end");
					return;
				}
				v = wasm_load_u32le(c->p);
				c->p += 4;
				t = WASM_F32;
			} else {
				if (c->end - c->p < 8) {
					fail(c, "unexpected end");
					return;
				}
				v = wasm_load_u64le(c->p);
				c->p += 8;
				t = WASM_F64;
			}
			if (c->failed)
				return;
			push_const(c, t, v);
			break;
		}
		case 0xd0: { /* ref.null */
			uint8_t t = rd_u8(c);
			if (c->failed)
				return;
			if (t != WASM_FUNCREF && t != WASM_EXTERNREF) {
				fail(c, "malformed reference type");
				return;
			}
			push_const(c, t, 0);
			break;
		}
		case 0xd1: { /* ref.is_null */
			struct val v = pop(c, T_UNKNOWN);
			if (v.type != T_UNKNOWN && v.type != WASM_FUNCREF &&
			    v.type != WASM_EXTERNREF) {
				fail(c, "type mismatch: ref.is_null on %s", tname(v.type));
				return;
			}
			push(c, WASM_I32);
			if (!dead(c)) {
				op(c, OP_REF_IS_NULL);
				uint32_t d = put(c, slot(c, c->nvals - 1));
				put(c, v.src);
				mark_dst(c, d);
			}
			break;
		}
		case 0xd2: { /* ref.func */
			uint32_t fi = rd_u32(c);
			if (c->failed)
				return;
			if (fi >= m->nfuncs) {
				fail(c, "unknown function %u", fi);
				return;
			}
			if (!m->declared_funcs[fi]) {
				fail(c, "undeclared function reference %u", fi);
				return;
			}
			push(c, WASM_FUNCREF);
			if (!dead(c)) {
				op(c, OP_REF_FUNC);
				put(c, slot(c, c->nvals - 1));
				put(c, fi);
			}
			break;
		}
		case 0xfc: {
			uint32_t sub = rd_u32(c);
			if (c->failed)
				return;
			if (sub <= 7) {
				numeric(c, OP_I32_TRUNC_SAT_F32_S + (int)sub, satsig[sub]);
				break;
			}
			switch (sub) {
			case 8: { /* memory.init */
				uint32_t seg = rd_u32(c);
				uint8_t z = rd_u8(c);
				if (c->failed)
					return;
				if (m->nmems == 0) {
					fail(c, "unknown memory 0");
					return;
				}
				if (z != 0) {
					fail(c, "zero byte expected");
					return;
				}
				if (!m->has_datacount) {
					fail(c, "data count section required");
					return;
				}
				if (seg >= m->datacount) {
					fail(c, "unknown data segment %u", seg);
					return;
				}
				struct val n = pop(c, WASM_I32), s = pop(c, WASM_I32),
					   d = pop(c, WASM_I32);
				if (!dead(c)) {
					op(c, OP_MEMORY_INIT);
					put(c, d.src);
					put(c, s.src);
					put(c, n.src);
					put(c, seg);
				}
				break;
			}
			case 9: {
				uint32_t seg = rd_u32(c);
				if (c->failed)
					return;
				if (!m->has_datacount) {
					fail(c, "data count section required");
					return;
				}
				if (seg >= m->datacount) {
					fail(c, "unknown data segment %u", seg);
					return;
				}
				if (!dead(c)) {
					op(c, OP_DATA_DROP);
					put(c, seg);
				}
				break;
			}
			case 10:
			case 11: {
				uint8_t z1 = rd_u8(c);
				uint8_t z2 = sub == 10 ? rd_u8(c) : 0;
				if (c->failed)
					return;
				if (m->nmems == 0) {
					fail(c, "unknown memory 0");
					return;
				}
				if (z1 || z2) {
					fail(c, "zero byte expected");
					return;
				}
				struct val n = pop(c, WASM_I32);
				struct val v = pop(c, WASM_I32);
				struct val d = pop(c, WASM_I32);
				if (!dead(c)) {
					op(c, sub == 10 ? OP_MEMORY_COPY : OP_MEMORY_FILL);
					put(c, d.src);
					put(c, v.src);
					put(c, n.src);
				}
				break;
			}
			case 12: { /* table.init seg table */
				uint32_t seg = rd_u32(c);
				uint32_t t = rd_u32(c);
				if (c->failed)
					return;
				need_table(c, t);
				if (!c->failed && seg >= m->nelems)
					fail(c, "unknown elem segment %u", seg);
				if (!c->failed && m->elems[seg].type != m->table_types[t])
					fail(c, "type mismatch: table.init of a segment of another "
						"type");
				if (c->failed)
					return;
				struct val n = pop(c, WASM_I32), s = pop(c, WASM_I32),
					   d = pop(c, WASM_I32);
				if (!dead(c)) {
					op(c, OP_TABLE_INIT);
					put(c, d.src);
					put(c, s.src);
					put(c, n.src);
					put(c, seg);
					put(c, t);
				}
				break;
			}
			case 13: {
				uint32_t seg = rd_u32(c);
				if (c->failed)
					return;
				if (seg >= m->nelems) {
					fail(c, "unknown elem segment %u", seg);
					return;
				}
				if (!dead(c)) {
					op(c, OP_ELEM_DROP);
					put(c, seg);
				}
				break;
			}
			case 14: { /* table.copy dst src */
				uint32_t td = rd_u32(c);
				uint32_t ts = rd_u32(c);
				if (c->failed)
					return;
				need_table(c, td);
				need_table(c, ts);
				if (!c->failed && m->table_types[td] != m->table_types[ts])
					fail(c, "type mismatch: table.copy between tables of "
						"different types");
				if (c->failed)
					return;
				struct val n = pop(c, WASM_I32), s = pop(c, WASM_I32),
					   d = pop(c, WASM_I32);
				if (!dead(c)) {
					op(c, OP_TABLE_COPY);
					put(c, d.src);
					put(c, s.src);
					put(c, n.src);
					put(c, td);
					put(c, ts);
				}
				break;
			}
			case 15:   /* table.grow */
			case 16:   /* table.size */
			case 17: { /* table.fill */
				uint32_t t = rd_u32(c);
				if (c->failed)
					return;
				need_table(c, t);
				if (c->failed)
					return;
				uint8_t et = table_type(c, t);
				if (sub == 15) {
					struct val n = pop(c, WASM_I32);
					struct val v = pop(c, et);
					push(c, WASM_I32);
					if (!dead(c)) {
						op(c, OP_TABLE_GROW);
						put(c, slot(c, c->nvals - 1));
						put(c, v.src);
						put(c, n.src);
						put(c, t);
					}
				} else if (sub == 16) {
					push(c, WASM_I32);
					if (!dead(c)) {
						op(c, OP_TABLE_SIZE);
						put(c, slot(c, c->nvals - 1));
						put(c, t);
					}
				} else {
					struct val n = pop(c, WASM_I32);
					struct val v = pop(c, et);
					struct val i = pop(c, WASM_I32);
					if (!dead(c)) {
						op(c, OP_TABLE_FILL);
						put(c, i.src);
						put(c, v.src);
						put(c, n.src);
						put(c, t);
					}
				}
				break;
			}
			default:
				fail(c, "illegal opcode 0xfc %u", sub);
				return;
			}
			break;
		}
		default:
			if (b >= 0x45 && b <= 0xc4) {
				numeric(c, OP_I32_EQZ + (b - 0x45), numsig[b - 0x45]);
				break;
			}
			fail(c, "illegal opcode 0x%02x", b);
			return;
		}
	}
}

/* ---- pairs ------------------------------------------------------------------ */

/* Frequent pairs of consecutive operations (ops.h, WASM_PAIRS) run as one
 * handler: the first one's handler becomes the pair's, which runs its body
 * and reaches the second's handler through a direct jump instead of a
 * dispatch. The second operation's cells stay where they are, so a branch
 * to it, a safe point or any other reference to it is unaffected. Going
 * from the last operation back, the second may itself have become a pair
 * (or longer chain), which a chain entry of the table continues. */
/* The multiply-add read-modify-write that the operation a at start k and
 * the next one (b) make, or -1: an f64.mul (or the f64.mul of a loaded
 * value) into a stack slot that the next operation, an f64 add
 * read-modify-write, adds to memory and nothing else reads (a stack value
 * is read once; the add's address is not that slot). A branch to the add
 * runs the add alone, with its cells unchanged. An f64.load from a
 * register sum whose value the next operation, already such a
 * multiply-add (b_cur), multiplies makes one operation of the three. */
static int muladd(struct cc *c, uint32_t k, int a, int b, int b_cur)
{
	if (a == OP_F64_LOAD_ADD && b_cur == OP_F64_MULADD_RMW) {
		/* a value loaded from a register-sum address that the
		 * multiply-add multiplies, as its second operand, and
		 * nothing else reads */
		uint32_t at = c->starts[k];
		uint64_t d = c->code[at + 1].u;
		const cell *mul = &c->code[at + 5];
		if (c->starts[k + 1] != at + 5 || d < c->nlocals + c->npool_final ||
		    mul[3].u != d || mul[2].u == d || mul[5].u == d)
			return -1;
		return OP_F64_MULADD_LA_RMW;
	}
	if (a == OP_F64_MUL && b == OP_F64_SUB_ST) {
		/* x - a * b stored: the product is the subtrahend only */
		uint32_t at = c->starts[k];
		uint64_t d = c->code[at + 1].u;
		const cell *st = &c->code[at + 4];
		if (c->starts[k + 1] != at + 4 || d < c->nlocals + c->npool_final || st[3].u != d ||
		    st[2].u == d || st[1].u == d)
			return -1;
		return OP_F64_MULSUB_ST;
	}
	if (a == OP_F64_MUL && b == OP_F64_ADD) {
		/* the product one operand of an add into a slot */
		uint32_t at = c->starts[k];
		uint64_t d = c->code[at + 1].u;
		const cell *add = &c->code[at + 4];
		if (c->starts[k + 1] != at + 4 || d < c->nlocals + c->npool_final ||
		    (add[2].u == d) == (add[3].u == d))
			return -1;
		return add[2].u == d ? OP_F64_MUL_ADD_A : OP_F64_MUL_ADD_B;
	}
	if (b != OP_F64_ADD_LB_RMW || (a != OP_F64_MUL && a != OP_F64_MUL_LB))
		return -1;
	uint32_t at = c->starts[k], len = a == OP_F64_MUL ? 4 : 5;
	if (c->starts[k + 1] != at + len)
		return -1;
	uint64_t dst = c->code[at + 1].u;
	const cell *add = &c->code[at + len];
	if (dst < c->nlocals + c->npool_final || add[3].u != dst || add[1].u == dst)
		return -1;
	return a == OP_F64_MUL ? OP_F64_MULADD_RMW : OP_F64_MULADD_LB_RMW;
}

static void fuse_pairs(struct cc *c)
{
	if (c->nstarts < 2)
		return;
	int next_orig = wasm_interp_op_of(c->code[c->starts[c->nstarts - 1]].h);
	int next_cur = next_orig;
	bool next_super = false; /* whether the next operation is a multiply-add */
	bool next_fwd = false;	 /* or a forwarding pair */
	for (uint32_t k = c->nstarts - 1; k-- > 0;) {
		cell *at = &c->code[c->starts[k]];
		int a = wasm_interp_op_of(at->h);
		int s = muladd(c, k, a, next_orig, next_cur);
		if (s >= 0) {
			at->h = c->labels[s];
			next_orig = a;
			next_cur = s;
			next_super = true;
			next_fwd = false;
			continue;
		}
		int f = wasm_interp_pair(a, next_cur);
		/* a forwarding pair, unless the next operation already starts a
		 * pair that a chain of three continues (one dispatch fewer) */
		if (!next_super && (next_cur == next_orig || f < 0)) {
			uint32_t nx = c->starts[k + 1];
			uint32_t nx_end = k + 2 < c->nstarts ? c->starts[k + 2] : c->n;
			s = wasm_interp_fwd(a, next_orig, at, nx - c->starts[k], &c->code[nx],
					    nx_end - nx);
			if (s >= 0) {
				at->h = c->labels[s];
				next_orig = a;
				next_cur = s;
				next_fwd = true;
				continue;
			}
		}
		/* a pair with the next operation alone would undo a
		 * multiply-add or a forwarding pair */
		if (f < 0 && next_cur != next_orig && !next_super && !next_fwd)
			f = wasm_interp_pair(a, next_orig);
		next_orig = a;
		next_cur = a;
		next_super = false;
		next_fwd = false;
		if (f >= 0) {
			at->h = c->labels[f];
			next_cur = f;
		}
	}
}

static void cc_free(struct cc *c)
{
	free(c->relocs);
	free(c->starts);
	free(c->vals);
	free(c->ctls);
}

/* Runs the pass over defined function i into *out. */
static int compile(const wasm_module *m, uint32_t i, struct wasm_code *out, uint32_t probe_off,
		   uint8_t **probe_types, uint32_t *probe_n, char *err, size_t errlen)
{
	struct wasm_code *src = &m->codes[i];
	struct cc c;
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.body = m->bytes + src->body_start;
	c.p = c.body;
	c.end = c.body + src->body_len;
	c.fidx = m->nfunc_imports + i;
	c.err = err;
	c.errlen = errlen;
	c.labels = wasm_interp_labels();
	c.min_deferred = UINT32_MAX;
	c.last_end = UINT32_MAX;
	c.last_cmp_pc = 0;
	c.last_cmp_end = UINT32_MAX;
	c.last_add_end = UINT32_MAX;
	c.probe_off = probe_off;
	c.max_cells = 64u * src->body_len + 1024;
	const wasm_functype *ft = &m->types[m->func_types[c.fidx]].ft;

	/* locals */
	uint32_t ngroups = rd_u32(&c);
	uint64_t total = ft->nparams;
	const uint8_t *groups = c.p;
	for (uint32_t g = 0; g < ngroups && !c.failed; g++) {
		uint32_t n = rd_u32(&c);
		uint8_t t = rd_u8(&c);
		if (c.failed)
			break;
		total += n;
		if (total > WASM_MAX_LOCALS) {
			fail(&c, "too many locals");
			break;
		}
		if (t != WASM_I32 && t != WASM_I64 && t != WASM_F32 && t != WASM_F64 &&
		    t != WASM_FUNCREF && t != WASM_EXTERNREF)
			fail(&c, "malformed value type 0x%02x", t);
	}
	if (c.failed)
		goto bad;
	c.nlocals = (uint32_t)total;
	c.locals = malloc(total + 1);
	if (!c.locals) {
		fail(&c, "out of memory");
		goto bad;
	}
	memcpy(c.locals, ft->params, ft->nparams);
	{
		const uint8_t *q = groups;
		uint32_t k = ft->nparams;
		for (uint32_t g = 0; g < ngroups; g++) {
			bool ok = true;
			uint32_t n = wasm_read_leb_u32(&q, c.end, &ok);
			uint8_t t = *q++;
			memset(c.locals + k, t, n);
			k += n;
		}
	}
	out->first_instr = (uint32_t)(c.p - c.body);
	c.instr_off = out->first_instr;
	push_ctl(&c, 4, NULL, 0, ft->results, ft->nresults);
	const uint8_t *body_p = c.p;
	c.nparams = ft->nparams;
	c.npool_final = WASM_POOL_MAX; /* pass 1: room for any pool */
	add_safepoint(&c, SP_ENTRY, 0, 0, 0, 0);
	body(&c);
	if (c.failed)
		goto bad;
	/* second pass, with the constant pool's size known */
	c.n = 0;
	c.nrelocs = 0;
	c.nstarts = 0;
	c.nsps = 0;
	c.nvals = 0;
	c.nctls = 0;
	c.max_h = 0;
	c.min_deferred = UINT32_MAX;
	c.last_end = UINT32_MAX;
	c.last_cmp_end = UINT32_MAX;
	c.last_add_end = UINT32_MAX;
	c.npool_final = c.npool;
	c.pool_fixed = true;
	c.probe_hit = false;
	free(c.probe_types);
	c.probe_types = NULL;
	c.p = body_p;
	c.nloops = 0;
	c.written = 0;
	c.instr_off = out->first_instr;
	push_ctl(&c, 4, NULL, 0, ft->results, ft->nresults);
	add_safepoint(&c, SP_ENTRY, 0, 0, 0, 0);
	body(&c);
	if (c.failed)
		goto bad;
	if (c.p != c.end) {
		fail(&c, "section size mismatch: instructions after the function's end");
		goto bad;
	}
	/* finalize: code indices to pointers */
	uint32_t tbase = c.nlocals + c.npool + c.max_h;
	if (c.npool) {
		out->pool = malloc(c.npool * sizeof(uint64_t));
		if (!out->pool) {
			fail(&c, "out of memory");
			goto bad;
		}
		memcpy(out->pool, c.pool, c.npool * sizeof(uint64_t));
	}
	out->npool = c.npool;
	out->stack_base = c.nlocals + c.npool;
	for (uint32_t k = 0; k < c.nrelocs; k++)
		c.code[c.relocs[k]].p = c.code + c.code[c.relocs[k]].u;
	while (c.nstarts && c.starts[c.nstarts - 1] >= c.n)
		c.nstarts--;
	fuse_pairs(&c);
	out->code = c.code;
	out->ncells = c.n;
	out->nparams = ft->nparams;
	out->nresults = ft->nresults;
	out->nlocals = c.nlocals;
	/* results may need more slots than locals + stack (no locals, n results) */
	out->frame_slots = tbase + ft->nresults + 1;
	out->local_types = c.locals;
	out->body_start = src->body_start;
	out->body_len = src->body_len;
	out->sps = c.sps;
	out->nsps = c.nsps;
	if (probe_types) {
		*probe_types = c.probe_types;
		*probe_n = c.probe_n;
	} else {
		free(c.probe_types);
	}
	cc_free(&c);
	return 0;
bad:
	free(c.code);
	free(c.locals);
	free(c.sps);
	free(c.probe_types);
	cc_free(&c);
	return -1;
}

int wasm_compile_func(wasm_module *m, uint32_t i, char *err, size_t errlen)
{
	struct wasm_code out;
	memset(&out, 0, sizeof(out));
	if (compile(m, i, &out, UINT32_MAX, NULL, NULL, err, errlen) < 0)
		return -1;
	m->codes[i] = out;
	return 0;
}

int wasm_probe_types(const wasm_module *m, uint32_t i, uint32_t off, uint8_t **types, uint32_t *n)
{
	struct wasm_code out;
	memset(&out, 0, sizeof(out));
	*types = NULL;
	char err[16];
	if (compile(m, i, &out, off, types, n, err, sizeof(err)) < 0)
		return -1;
	free(out.code);
	free(out.local_types);
	free(out.sps);
	free(out.pool);
	return *types ? 0 : -1;
}
