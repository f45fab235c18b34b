/* wasm_internal.h: the runtime's internal structures, shared by its parts:
 * decode.c (binary format to struct wasm_module), compile.c (validation of
 * each function body and its translation to internal code), interp.c (the
 * interpreter and the execution context), instance.c (imports, instances,
 * memories, tables, globals) and state.c (frames at safe points).
 *
 * Internal code is an array of 64-bit cells: a handler address (computed
 * goto) followed by its operands. Operands are frame-relative slot numbers
 * (locals first, then one slot per operand-stack height), immediates, or
 * pointers. See docs/wasm.md, "Interpreter design".
 */
#ifndef ISTHMUS_WASM_INTERNAL_H
#define ISTHMUS_WASM_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm.h"
#include "wasm_state.h"

#define WASM_PAGE	       65536u
#define WASM_MAX_PAGES	       65536u
#define WASM_MAX_LOCALS	       50000u
#define WASM_MAX_TABLE_DEFAULT 10000000u
#define WASM_MAX_DEPTH_DEFAULT 20000u
#define WASM_STACK_DEFAULT     (16u << 20)
#define WASM_POOL_MAX	       64u

typedef union cell {
	const void *h;
	uint64_t u;
	int64_t i;
	void *p;
} cell;

/* A function type, owned by its module or imports object. */
struct wasm_type {
	wasm_functype ft;
	uint8_t *buf; /* params then results */
};

struct wasm_import {
	char *module, *name; /* NUL-terminated; may hold NULs (see the lengths) */
	uint32_t module_len, name_len;
	wasm_externtype type;
	uint32_t type_idx; /* functions */
};

struct wasm_export {
	char *name;
	uint32_t name_len;
	wasm_extern_kind kind;
	uint32_t idx;
};

/* A constant expression (global initialisers, segment offsets and items). */
struct wasm_cexpr {
	uint8_t op; /* 0x41 i32, 0x42 i64, 0x43 f32, 0x44 f64, 0x23 global.get,
		       0xd0 ref.null, 0xd2 ref.func */
	uint64_t v; /* constant bits or index */
};

struct wasm_globaldef {
	uint8_t type;
	bool mut;
	struct wasm_cexpr init;
};

struct wasm_elemseg {
	uint8_t mode; /* 0 active, 1 passive, 2 declarative */
	uint8_t type; /* funcref or externref */
	uint32_t table;
	struct wasm_cexpr offset;
	uint32_t n;
	struct wasm_cexpr *items;
};

struct wasm_dataseg {
	uint8_t mode; /* 0 active, 1 passive */
	uint32_t mem;
	struct wasm_cexpr offset;
	uint32_t off_in_module; /* of the bytes */
	uint32_t len;
};

/* A safe point of a compiled function: where the internal pc stands, the
 * bytecode offset (from the body start) and the operand-stack height. */
enum {
	SP_ENTRY = 0,
	SP_LOOP = 1,
	SP_CALL = 2
};
struct wasm_safepoint {
	uint32_t pc;	 /* entry: 0; loop: cell after the check; call: the call op */
	uint32_t ret_pc; /* call: the cell after the call op */
	uint32_t off;
	uint32_t height; /* loop: including params; call: excluding args */
	uint8_t kind;
	uint32_t nargs; /* call */
};

struct wasm_code {
	cell *code;
	uint32_t ncells;
	uint32_t nparams, nresults;
	uint32_t nlocals; /* including params */
	uint32_t npool;	  /* constants, in slots after the locals */
	uint64_t *pool;
	uint32_t stack_base; /* slot of operand-stack height 0: nlocals + npool */
	uint32_t frame_slots;
	uint8_t *local_types;
	uint32_t body_start; /* module offset of the body (after its size) */
	uint32_t body_len;
	uint32_t first_instr; /* body offset of the first instruction */
	struct wasm_safepoint *sps;
	uint32_t nsps;
};

struct wasm_module {
	int refcount; /* instances hold references */
	int features; /* WASM_FEATURES_* */
	uint8_t *bytes;
	size_t len;
	struct wasm_type *types;
	uint32_t ntypes;
	struct wasm_import *imports;
	uint32_t nimports;
	uint32_t nfuncs; /* including imported */
	uint32_t nfunc_imports;
	uint32_t *func_types;
	struct wasm_code *codes; /* [nfuncs - nfunc_imports] */
	uint32_t ntables, ntable_imports;
	uint8_t *table_types;
	wasm_limits *table_limits;
	uint32_t nmems, nmem_imports;
	wasm_limits *mem_limits;
	uint32_t nglobals, nglobal_imports;
	struct wasm_globaldef *globals;
	struct wasm_export *exports;
	uint32_t nexports;
	bool has_start;
	uint32_t start;
	struct wasm_elemseg *elems;
	uint32_t nelems;
	struct wasm_dataseg *datas;
	uint32_t ndatas;
	bool has_datacount;
	uint32_t datacount;
	uint8_t *declared_funcs; /* functions that ref.func may name */
};

struct wasm_func {
	const wasm_functype *type;
	wasm_instance *inst; /* NULL: host */
	uint32_t index;
	const struct wasm_code *code;
	wasm_host_fn host;
	void *env;
	struct wasm_type own_type; /* host functions */
	int refcount;		   /* host functions made by imports objects */
};

struct wasm_memory {
	int refcount;
	uint8_t *data;
	uint64_t size;
	uint32_t pages, max;
	bool has_max;
	uint32_t decl_min, decl_max; /* as created (decl_max when has_max) */
	/* dirty-page tracking (wasm_state_track_dirty): NULL when off, else
	 * one byte per 64 KiB page for the whole 4 GiB address space, so that
	 * it never moves while the memory grows; nonzero = written */
	uint8_t *dirty;
};

/* Marks [off, off+len) of m as written when m tracks dirty pages. The
 * range must lie inside the memory. */
static inline void wasm_mem_dirty(wasm_memory *m, uint64_t off, uint64_t len)
{
	if (__builtin_expect(m->dirty != NULL, 0) && len) {
		for (uint64_t p = off >> 16, e = (off + len - 1) >> 16; p <= e; p++)
			m->dirty[p] = 1;
	}
}

struct wasm_table {
	int refcount;
	uint8_t elem;
	uint32_t size, max;
	bool has_max;
	uint64_t *elems;
};

struct wasm_global {
	int refcount;
	uint8_t type;
	bool mut;
	uint64_t val;
};

struct wasm_instance {
	int refcount;
	const wasm_module *m;
	wasm_func **funcs;    /* index space */
	wasm_func *own;	      /* defined functions */
	wasm_instance **deps; /* instances whose functions we import */
	uint32_t ndeps;
	wasm_func **host_refs; /* imported host functions (refcounted) */
	uint32_t nhost_refs;
	wasm_memory **mems;
	wasm_memory *mem0; /* mems[0] or an empty memory */
	wasm_table **tables;
	wasm_global **globals;
	uint8_t *elem_dropped;
	uint8_t *data_dropped;
	uint64_t **elem_items; /* resolved items of each element segment */
	void *user;
	uint32_t max_pages, max_elems;
};

struct wasm_frame {
	cell *ret;
	uint64_t *fp;
	wasm_func *fn;
};

struct wasm_exec {
	uint64_t *stack, *stack_end;
	struct wasm_frame *frames, *frames_end, *ftop;
	atomic_int stop;
	int64_t fuel;
	bool fuel_on;
	int nested;
	/* the suspended or running state */
	cell *pc;
	uint64_t *fp;
	wasm_func *fn;
	bool suspended;
	bool host_stopped;
	/* the run that can be resumed */
	wasm_func *entry_fn;
	uint64_t *host_sp; /* first free slot while a host function runs */
	wasm_instance *host_inst;
	char msg[256];
	int exit_code;
	void *user;
	/* restore (state.c): the innermost pushed frame stands at a call
	 * without its arguments, so its callee must be pushed next (need) or
	 * may be (can, a call with no arguments) */
	bool restore_need_callee, restore_can_callee;
	/* scratch for the state API */
	uint8_t *types_buf;
	size_t types_cap;
};

/* decode.c */
uint32_t wasm_read_leb_u32(const uint8_t **p, const uint8_t *end, bool *ok);

/* compile.c: validates and compiles function i (defined index) of m. When
 * probe_off is not UINT32_MAX, also writes the operand-stack types at that
 * body offset into *probe_types (malloc'd) and their count, and returns -1 in
 * *probe_h when the offset is not an instruction boundary. */
int wasm_compile_func(wasm_module *m, uint32_t i, char *err, size_t errlen);
int wasm_probe_types(const wasm_module *m, uint32_t i, uint32_t off, uint8_t **types, uint32_t *n);
int wasm_validate_cexpr(const wasm_module *m, const uint8_t **p, const uint8_t *end, uint8_t type,
			uint32_t nglobals_visible, struct wasm_cexpr *out, char *err,
			size_t errlen);

/* interp.c */
const void *const *wasm_interp_labels(void);
cell *wasm_exit_cell(void);	      /* the return address of a run's first frame */
int wasm_interp_op_of(const void *h); /* the operation of a handler, or -1 */
int wasm_interp_pair(int a, int b);   /* the pair op of ops a then b, or -1 */
/* the forwarding pair op of op a (nfirst cells at first) then op b (nsecond
 * cells at second), when b reads a's result through a listed operand; or -1 */
int wasm_interp_fwd(int a, int b, const cell *first, uint32_t nfirst, const cell *second,
		    uint32_t nsecond);
wasm_result wasm_exec_run(wasm_exec *ex);

/* instance.c */
bool wasm_functype_eq(const wasm_functype *a, const wasm_functype *b);
void wasm_instance_ref(wasm_instance *inst);
int wasm_table_grow_raw(wasm_table *t, uint32_t delta, uint64_t init, uint32_t limit);

/* A reference stored in a 64-bit slot, back as a pointer. */
static inline void *slot_ptr(uint64_t s)
{
	return (void *)(uintptr_t)s; // NOLINT(performance-no-int-to-ptr): slots hold references
}

static inline uint32_t f32_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}
static inline float bits_f32(uint32_t u)
{
	float f;
	memcpy(&f, &u, 4);
	return f;
}
static inline uint64_t f64_bits(double f)
{
	uint64_t u;
	memcpy(&u, &f, 8);
	return u;
}
static inline double bits_f64(uint64_t u)
{
	double f;
	memcpy(&f, &u, 8);
	return f;
}

#endif /* ISTHMUS_WASM_INTERNAL_H */
