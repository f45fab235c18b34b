/* wasm.h: the public C API of the Isthmus WebAssembly runtime (docs/wasm.md).
 *
 * A module is decoded, validated and compiled to internal code once
 * (wasm_module_new) and may be instantiated many times. An instance is built
 * from a module and an imports object that names host functions, host-made
 * memories, tables and globals, and other instances' exports by (module,
 * field). Code runs on an execution context, wasm_exec: one thread of
 * execution whose value slots and call frames live in memory the runtime owns
 * (never on the C stack), with fuel, a stop flag another thread may set, and
 * the result of the last run (a trap message, an exit code). A run that
 * stopped (stop request or fuel) can be resumed with wasm_exec_resume.
 *
 * Values cross the API as wasm_val (a type tag and a union) or, for host
 * functions, as raw 64-bit slots: i32 in the low 32 bits (zero-extended),
 * i64 as is, f32/f64 as their bit patterns, references as pointers.
 *
 * Linear memory is little-endian whatever the host: host code must use the
 * wasm_load_* / wasm_store_* helpers below, never plain casts.
 *
 * The state API for checkpoint/restore (frames, locals, operand stacks) is in
 * wasm_state.h.
 */
#ifndef ISTHMUS_WASM_H
#define ISTHMUS_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- values and types ------------------------------------------------------ */

/* Value types, with their binary encodings. */
typedef enum wasm_valtype {
	WASM_I32 = 0x7f,
	WASM_I64 = 0x7e,
	WASM_F32 = 0x7d,
	WASM_F64 = 0x7c,
	WASM_V128 = 0x7b, /* reserved for SIMD: occupies two 64-bit slots */
	WASM_FUNCREF = 0x70,
	WASM_EXTERNREF = 0x6f,
} wasm_valtype;

typedef struct wasm_module wasm_module;
typedef struct wasm_instance wasm_instance;
typedef struct wasm_imports wasm_imports;
typedef struct wasm_exec wasm_exec;
typedef struct wasm_func wasm_func;
typedef struct wasm_memory wasm_memory;
typedef struct wasm_table wasm_table;
typedef struct wasm_global wasm_global;

/* A typed value. funcref is a wasm_func pointer (NULL: ref.null func);
 * externref is an opaque host pointer (NULL: ref.null extern). */
typedef struct wasm_val {
	uint8_t type; /* a wasm_valtype */
	union {
		int32_t i32;
		int64_t i64;
		float f32;
		double f64;
		uint32_t f32_bits;
		uint64_t f64_bits;
		wasm_func *func;
		void *ref;
		uint8_t v128[16];
	} of;
} wasm_val;

static inline wasm_val wasm_val_i32(int32_t v)
{
	wasm_val r = {.type = WASM_I32, .of.i32 = v};
	return r;
}
static inline wasm_val wasm_val_i64(int64_t v)
{
	wasm_val r = {.type = WASM_I64, .of.i64 = v};
	return r;
}
static inline wasm_val wasm_val_f32(float v)
{
	wasm_val r = {.type = WASM_F32, .of.f32 = v};
	return r;
}
static inline wasm_val wasm_val_f64(double v)
{
	wasm_val r = {.type = WASM_F64, .of.f64 = v};
	return r;
}

/* Converts between wasm_val and a raw slot (see the header comment). */
uint64_t wasm_val_to_slot(const wasm_val *v);
wasm_val wasm_val_from_slot(wasm_valtype t, uint64_t slot);

/* A function type: parameter and result types (arrays of wasm_valtype
 * bytes). The arrays belong to the module or imports object. */
typedef struct wasm_functype {
	uint32_t nparams, nresults;
	const uint8_t *params;
	const uint8_t *results;
} wasm_functype;

typedef struct wasm_limits {
	uint32_t min;
	uint32_t max;
	bool has_max;
} wasm_limits;

typedef enum wasm_extern_kind {
	WASM_EXTERN_FUNC = 0,
	WASM_EXTERN_TABLE = 1,
	WASM_EXTERN_MEMORY = 2,
	WASM_EXTERN_GLOBAL = 3,
} wasm_extern_kind;

/* What an import or export is: its kind and type. */
typedef struct wasm_externtype {
	wasm_extern_kind kind;
	wasm_functype func;  /* WASM_EXTERN_FUNC */
	uint8_t table_elem;  /* WASM_EXTERN_TABLE: WASM_FUNCREF or WASM_EXTERNREF */
	wasm_limits limits;  /* WASM_EXTERN_TABLE (elements), WASM_EXTERN_MEMORY (pages) */
	uint8_t global_type; /* WASM_EXTERN_GLOBAL: a wasm_valtype */
	bool global_mutable; /* WASM_EXTERN_GLOBAL */
} wasm_externtype;

/* An object an instance exports or a host provides. */
typedef struct wasm_extern {
	wasm_extern_kind kind;
	union {
		wasm_func *func;
		wasm_table *table;
		wasm_memory *memory;
		wasm_global *global;
	} of;
} wasm_extern;

/* Result of running code. */
typedef enum wasm_result {
	WASM_OK = 0,
	WASM_TRAP = 1,	      /* a trap; wasm_exec_message() says which */
	WASM_EXIT = 2,	      /* a host function asked for a clean exit (wasm_exit) */
	WASM_STOPPED = 3,     /* wasm_exec_request_stop honoured; resumable */
	WASM_OUT_OF_FUEL = 4, /* fuel ran out at a safe point; add fuel, resume */
	WASM_ERROR = 5,	      /* API misuse (wrong argument count or types, ...) */
} wasm_result;

/* Short name of a result ("ok", "trap", ...). */
const char *wasm_result_name(wasm_result r);

/* ---- limits ------------------------------------------------------------------ */

/* Limits for instances and execution contexts. Zero in a field means its
 * default (in brackets). Pass NULL for all defaults. */
typedef struct wasm_config {
	uint32_t max_memory_pages; /* per memory, 64 KiB pages [65536 = 4 GiB] */
	uint32_t max_table_elems;  /* per table [10,000,000] */
	uint32_t max_call_depth;   /* Wasm frames on one exec [20,000] */
	size_t stack_bytes;	   /* value/frame stack of one exec [16 MiB] */
	bool fuel_enabled;	   /* count fuel (one unit per safe point) */
	uint64_t fuel;		   /* initial fuel when fuel_enabled */
} wasm_config;

/* ---- modules ----------------------------------------------------------------- */

/* Decodes, validates and compiles a module. The bytes are copied. Returns
 * NULL with a message in err (naming the section or function, the byte
 * offset and the problem) when the module is malformed or invalid. */
wasm_module *wasm_module_new(const uint8_t *bytes, size_t len, char *err, size_t errlen);
/* Drops the caller's reference; instances hold their own, so a module may be
 * freed while its instances live on. */
void wasm_module_free(wasm_module *m);

/* Feature levels. WASM_FEATURES_2_0 (what wasm_module_new uses) is Wasm 2.0
 * without SIMD. WASM_FEATURES_1_0 rejects what 1.0 did not have (the
 * opcodes of later proposals, multiple results, several tables) and, when
 * instantiating, checks every segment before writing any, as 1.0 did. */
enum {
	WASM_FEATURES_1_0 = 1,
	WASM_FEATURES_2_0 = 2
};
wasm_module *wasm_module_new_features(const uint8_t *bytes, size_t len, int features, char *err,
				      size_t errlen);

uint32_t wasm_module_import_count(const wasm_module *m);
uint32_t wasm_module_export_count(const wasm_module *m);

/* The i-th import or export: names (NUL-terminated, valid while the module
 * lives; names containing NUL bytes are cut there) and type. Return 0, or -1
 * when i is out of range. */
int wasm_module_import(const wasm_module *m, uint32_t i, const char **module, const char **name,
		       wasm_externtype *type);
int wasm_module_export(const wasm_module *m, uint32_t i, const char **name, wasm_externtype *type);

/* ---- host functions and imports ---------------------------------------------- */

/* A host function. args holds one slot per parameter, results one per
 * result (raw slots, see above). Returns WASM_OK to continue, or the value of
 * wasm_trap() / wasm_exit(), or WASM_STOPPED to be called again after the
 * exec is resumed (the call is re-issued with the same arguments; use it for
 * a blocking call interrupted by a stop request). */
typedef wasm_result (*wasm_host_fn)(wasm_exec *ex, void *env, const uint64_t *args,
				    uint64_t *results);

wasm_imports *wasm_imports_new(void);
void wasm_imports_free(wasm_imports *im);

/* Registers a host function under (module, name) with the given signature.
 * The strings and type arrays are copied. Returns 0 or -1 (out of memory). */
int wasm_imports_add_func(wasm_imports *im, const char *module, const char *name,
			  const uint8_t *params, uint32_t nparams, const uint8_t *results,
			  uint32_t nresults, wasm_host_fn fn, void *env);

/* The same with a signature string: parameter letters, ':' , result letters;
 * i = i32, I = i64, f = f32, F = f64, r = externref, R = funcref.
 * "iiii:i" is (i32 i32 i32 i32) -> i32, ":" is () -> (), "I:" is (i64) -> ().
 * Returns 0, or -1 on a bad signature or out of memory. */
int wasm_imports_add_func_sig(wasm_imports *im, const char *module, const char *name,
			      const char *sig, wasm_host_fn fn, void *env);

/* Registers a memory, table or global (host-made or another instance's)
 * under (module, name). The imports object holds a reference. */
int wasm_imports_add_memory(wasm_imports *im, const char *module, const char *name,
			    wasm_memory *mem);
int wasm_imports_add_table(wasm_imports *im, const char *module, const char *name, wasm_table *tab);
int wasm_imports_add_global(wasm_imports *im, const char *module, const char *name, wasm_global *g);
int wasm_imports_add_extern(wasm_imports *im, const char *module, const char *name,
			    const wasm_extern *ext);

/* Registers every export of inst under module (the spec tests' `register`). */
int wasm_imports_add_instance(wasm_imports *im, const char *module, wasm_instance *inst);

/* ---- host-made memories, tables, globals ------------------------------------- */

/* Reference-counted: *_new returns one reference, *_free drops one. Instances
 * and imports objects hold their own references. NULL on bad limits or out
 * of memory (limits.max is checked against max_pages/max_elems when given,
 * 0 meaning the default of wasm_config). */
wasm_memory *wasm_memory_new(wasm_limits limits, uint32_t max_pages);
void wasm_memory_free(wasm_memory *mem);
wasm_table *wasm_table_new(uint8_t elem_type, wasm_limits limits, uint32_t max_elems);
void wasm_table_free(wasm_table *tab);
wasm_global *wasm_global_new(wasm_val init, bool mutable_);
void wasm_global_free(wasm_global *g);

/* Linear memory. The base pointer changes when the memory grows. */
uint8_t *wasm_memory_data(const wasm_memory *mem);
uint64_t wasm_memory_size(const wasm_memory *mem); /* bytes */
uint32_t wasm_memory_pages(const wasm_memory *mem);
/* Grows by delta pages; returns the old size in pages, or -1 when the
 * memory's maximum or the configured limit would be exceeded. */
int64_t wasm_memory_grow(wasm_memory *mem, uint32_t delta);
/* Bounds-checked copies; return 0, or -1 when [off, off+len) is outside.
 * A write marks its pages dirty when the memory tracks them
 * (wasm_state_track_dirty). */
int wasm_memory_read(const wasm_memory *mem, uint64_t off, void *dst, size_t len);
int wasm_memory_write(wasm_memory *mem, uint64_t off, const void *src, size_t len);
/* The limits the memory was created with (its module's declaration, or
 * wasm_memory_new's argument): min in pages, and max when has_max. */
wasm_limits wasm_memory_limits(const wasm_memory *mem);
/* The most pages the memory may grow to: the declared maximum capped by the
 * configured limit (wasm_config.max_memory_pages or wasm_memory_new's). */
uint32_t wasm_memory_max_pages(const wasm_memory *mem);
/* Host code that writes guest memory through a raw pointer (from
 * wasm_memory_data or wasm_exec_memory) reports the bytes it wrote, for
 * dirty-page tracking; a no-op when the memory does not track, or when the
 * range is outside it (returns -1 then, else 0). */
int wasm_memory_mark_dirty(wasm_memory *mem, uint64_t off, uint64_t len);

/* Tables: size, get and set (0, or -1 out of range or wrong type), grow
 * (old size or -1). */
uint32_t wasm_table_size(const wasm_table *tab);
uint8_t wasm_table_elem_type(const wasm_table *tab);
int wasm_table_get(const wasm_table *tab, uint32_t i, wasm_val *out);
int wasm_table_set(wasm_table *tab, uint32_t i, wasm_val v);
int64_t wasm_table_grow(wasm_table *tab, uint32_t delta, wasm_val init);

/* Globals: get; set returns -1 when immutable or of the wrong type. */
wasm_val wasm_global_get(const wasm_global *g);
int wasm_global_set(wasm_global *g, wasm_val v);
uint8_t wasm_global_type(const wasm_global *g);
bool wasm_global_mutable(const wasm_global *g);

/* Functions: type; the instance that defines it (NULL for a host function)
 * and its index in that instance's function index space. */
const wasm_functype *wasm_func_type(const wasm_func *f);
wasm_instance *wasm_func_instance(const wasm_func *f);
uint32_t wasm_func_index(const wasm_func *f);

/* ---- instances --------------------------------------------------------------- */

/* Links the module's imports against im (which may be NULL when there are
 * none), allocates memories, tables and globals within cfg's limits, and
 * applies element and data segments in order. Does not run the start
 * function: call wasm_instance_start next. Returns NULL with a message:
 * "unknown import m.n", "incompatible import type m.n", or a trap during
 * segment initialisation ("out of bounds memory access" ...) that may leave
 * earlier segments written to imported memories and tables, as the spec
 * requires. Instances are reference-counted (instances importing their
 * functions hold references); wasm_instance_free drops one. */
wasm_instance *wasm_instance_new(const wasm_module *m, const wasm_imports *im,
				 const wasm_config *cfg, char *err, size_t errlen);
void wasm_instance_free(wasm_instance *inst);

/* Runs the start function if the module has one (WASM_OK if not). */
wasm_result wasm_instance_start(wasm_instance *inst, wasm_exec *ex);

const wasm_module *wasm_instance_module(const wasm_instance *inst);

/* Exports by name: 0 and *out, or -1 when there is no such export. */
int wasm_instance_export(const wasm_instance *inst, const char *name, wasm_extern *out);
/* The same for a name of len bytes that may contain NUL bytes. */
int wasm_instance_export_n(const wasm_instance *inst, const char *name, size_t len,
			   wasm_extern *out);
/* Typed shortcuts: NULL when absent or of another kind. */
wasm_func *wasm_instance_func(const wasm_instance *inst, const char *name);
wasm_memory *wasm_instance_export_memory(const wasm_instance *inst, const char *name);
wasm_global *wasm_instance_export_global(const wasm_instance *inst, const char *name);
wasm_table *wasm_instance_export_table(const wasm_instance *inst, const char *name);

/* By index in the instance's index spaces (imports first): NULL when out of
 * range. */
wasm_func *wasm_instance_func_at(const wasm_instance *inst, uint32_t idx);
wasm_memory *wasm_instance_memory(const wasm_instance *inst, uint32_t idx);
wasm_table *wasm_instance_table(const wasm_instance *inst, uint32_t idx);
wasm_global *wasm_instance_global(const wasm_instance *inst, uint32_t idx);
uint32_t wasm_instance_func_count(const wasm_instance *inst);
uint32_t wasm_instance_memory_count(const wasm_instance *inst);
uint32_t wasm_instance_table_count(const wasm_instance *inst);
uint32_t wasm_instance_global_count(const wasm_instance *inst);

/* A pointer the embedder may attach to an instance (e.g. its WASI context). */
void wasm_instance_set_user(wasm_instance *inst, void *user);
void *wasm_instance_user(const wasm_instance *inst);

/* ---- execution contexts ------------------------------------------------------ */

/* Creates an execution context with cfg's stack, depth and fuel limits
 * (NULL: defaults, no fuel). */
wasm_exec *wasm_exec_new(const wasm_config *cfg);
void wasm_exec_free(wasm_exec *ex);

/* Calls f with typed arguments, which must match its type exactly; writes
 * nresults values (nresults must equal the function's result count). From
 * inside a host function this calls back into Wasm on the same exec (nested:
 * stop requests and fuel exhaustion are then honoured only after the outer
 * host function returns). */
wasm_result wasm_call(wasm_exec *ex, wasm_func *f, const wasm_val *args, uint32_t nargs,
		      wasm_val *results, uint32_t nresults);
/* The same with raw slots (one per parameter / result, unchecked types). */
wasm_result wasm_call_raw(wasm_exec *ex, wasm_func *f, const uint64_t *args, uint64_t *results);

/* Resumes after WASM_STOPPED or WASM_OUT_OF_FUEL (clears the stop flag);
 * results as for the wasm_call that started the run. WASM_ERROR when there
 * is nothing to resume. */
wasm_result wasm_exec_resume(wasm_exec *ex, wasm_val *results, uint32_t nresults);
/* True while a stopped run waits to be resumed. */
bool wasm_exec_suspended(const wasm_exec *ex);
/* Drops a stopped run (its frames) so that the exec can start afresh. */
void wasm_exec_abandon(wasm_exec *ex);

/* Asks the running code to stop at its next safe point (a call or a loop
 * iteration). Safe to call from any thread or a signal handler. The request
 * is consumed when honoured (and by resume and abandon); made while nothing
 * runs, it stops the next run at its first safe point. */
void wasm_exec_request_stop(wasm_exec *ex);
/* Whether a stop request is pending: a host function blocking for a long
 * time (poll_oneoff, a read) may poll it and return WASM_STOPPED to be
 * re-issued after the resume. */
bool wasm_exec_stop_requested(const wasm_exec *ex);

/* Fuel: one unit per safe point passed. Setting enables counting. */
void wasm_exec_set_fuel(wasm_exec *ex, uint64_t fuel);
uint64_t wasm_exec_fuel(const wasm_exec *ex);
void wasm_exec_disable_fuel(wasm_exec *ex);

/* After WASM_TRAP: the message ("integer divide by zero", "unreachable",
 * "out of bounds memory access", "call stack exhausted", ...). */
const char *wasm_exec_message(const wasm_exec *ex);
/* After WASM_EXIT: the code passed to wasm_exit. */
int wasm_exec_exit_code(const wasm_exec *ex);

/* A pointer the embedder may attach to an exec. */
void wasm_exec_set_user(wasm_exec *ex, void *user);
void *wasm_exec_user(const wasm_exec *ex);

/* ---- inside a host function -------------------------------------------------- */

/* Sets the trap message (printf-style) and returns WASM_TRAP: a host
 * function ends with `return wasm_trap(ex, "bad fd %d", fd);`. */
wasm_result wasm_trap(wasm_exec *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records a clean exit with code and returns WASM_EXIT (proc_exit). */
wasm_result wasm_exit(wasm_exec *ex, int code);

/* The instance whose code called the running host function (NULL outside
 * one), and its memory 0: base and byte size (NULL/0 if it has none). The
 * base is valid until Wasm code runs again (a nested call may grow it). */
wasm_instance *wasm_exec_instance(const wasm_exec *ex);
uint8_t *wasm_exec_memory(const wasm_exec *ex, uint64_t *size);

/* True when [off, off+len) lies inside a memory of `size` bytes. */
static inline bool wasm_bounds_ok(uint64_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

/* Marks [off, off+len) of the calling instance's memory 0 dirty (see
 * wasm_memory_mark_dirty). Declared weak so that code built against this
 * header without the runtime (a stand-in for the few calls WASI makes, in
 * its unit test) still links: wasm_exec_mem_ptr skips it when absent. */
void wasm_exec_mark_dirty(const wasm_exec *ex, uint64_t off, uint64_t len) __attribute__((weak));

/* A pointer to [off, off+len) in the calling instance's memory 0, or NULL
 * when out of bounds. The range counts as written for dirty-page tracking
 * (the caller may write through the pointer). */
static inline uint8_t *wasm_exec_mem_ptr(const wasm_exec *ex, uint64_t off, uint64_t len)
{
	uint64_t size;
	uint8_t *base = wasm_exec_memory(ex, &size);
	if (!base || !wasm_bounds_ok(size, off, len))
		return NULL;
	if (wasm_exec_mark_dirty)
		wasm_exec_mark_dirty(ex, off, len);
	return base + off;
}

/* Little-endian loads and stores at any alignment (Wasm memory layout). */
static inline uint16_t wasm_load_u16le(const void *p)
{
	const uint8_t *b = (const uint8_t *)p;
	return (uint16_t)(b[0] | (uint16_t)b[1] << 8);
}
static inline uint32_t wasm_load_u32le(const void *p)
{
	const uint8_t *b = (const uint8_t *)p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint64_t wasm_load_u64le(const void *p)
{
	const uint8_t *b = (const uint8_t *)p;
	return (uint64_t)wasm_load_u32le(b) | (uint64_t)wasm_load_u32le(b + 4) << 32;
}
static inline void wasm_store_u16le(void *p, uint16_t v)
{
	uint8_t *b = (uint8_t *)p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}
static inline void wasm_store_u32le(void *p, uint32_t v)
{
	uint8_t *b = (uint8_t *)p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}
static inline void wasm_store_u64le(void *p, uint64_t v)
{
	wasm_store_u32le(p, (uint32_t)v);
	wasm_store_u32le((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* The version of this runtime ("0.1"). */
const char *wasm_version(void);

#ifdef __cplusplus
}
#endif

#endif /* ISTHMUS_WASM_H */
