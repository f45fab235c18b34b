/* fuzz_module: libFuzzer target for the runtime's outside input, a module's
 * bytes: decoding, validation and compilation, then instantiation against
 * imports made to match whatever the module asks for, then every exported
 * function called with zero arguments under a small fuel budget and tight
 * memory, table and stack limits, so that the interpreter runs too. A run
 * that ran out of fuel has its frames read through the state API and copied
 * onto a second exec, which resumes it (the checkpoint/restore path).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"
#include "wasm_state.h"

/* Reads every frame of a suspended exec, rebuilds them on `to` and resumes
 * there for a while. */
static void copy_and_resume(wasm_exec *from, wasm_exec *to, uint32_t nresults)
{
	uint32_t n = wasm_state_frame_count(from);
	for (uint32_t i = 0; i < n; i++) {
		wasm_frame_info fi;
		if (wasm_state_frame(from, i, &fi) < 0)
			abort(); /* every frame of a suspended exec must be readable */
		wasm_val *loc = calloc(fi.nlocals + 1, sizeof(wasm_val));
		wasm_val *stk = calloc(fi.nstack + 1, sizeof(wasm_val));
		if (!loc || !stk || wasm_state_frame_values(from, i, loc, stk) < 0)
			abort();
		char err[256];
		int rc = wasm_state_push_frame(to, fi.instance, fi.func_index, fi.body_offset, loc,
					       fi.nlocals, stk, fi.nstack, err, sizeof(err));
		free(loc);
		free(stk);
		if (rc < 0) {
			wasm_exec_abandon(to);
			return;
		}
	}
	wasm_val res[64];
	wasm_exec_set_fuel(to, 10000);
	wasm_result r = wasm_exec_resume(to, res, nresults);
	if (r == WASM_STOPPED || r == WASM_OUT_OF_FUEL)
		wasm_exec_abandon(to);
}

static wasm_result stub(wasm_exec *ex, void *env, const uint64_t *a, uint64_t *r)
{
	(void)ex;
	(void)a;
	uintptr_t nresults = (uintptr_t)env;
	for (uintptr_t i = 0; i < nresults; i++)
		r[i] = 0;
	return WASM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	wasm_module *m = wasm_module_new(data, size, err, sizeof(err));
	if (!m)
		return 0;
	wasm_imports *im = wasm_imports_new();
	for (uint32_t i = 0; i < wasm_module_import_count(m); i++) {
		const char *mod, *name;
		wasm_externtype t;
		wasm_module_import(m, i, &mod, &name, &t);
		switch (t.kind) {
		case WASM_EXTERN_FUNC:
			/* the result count travels as the function's env */
			wasm_imports_add_func(im, mod, name, t.func.params, t.func.nparams,
					      t.func.results, t.func.nresults, stub,
					      // NOLINTNEXTLINE(performance-no-int-to-ptr)
					      (void *)(uintptr_t)t.func.nresults);
			break;
		case WASM_EXTERN_MEMORY: {
			wasm_limits l = t.limits;
			if (l.min > 16)
				break;
			wasm_memory *mem = wasm_memory_new(l, 16);
			if (mem) {
				wasm_imports_add_memory(im, mod, name, mem);
				wasm_memory_free(mem);
			}
			break;
		}
		case WASM_EXTERN_TABLE: {
			if (t.limits.min > 1000)
				break;
			wasm_table *tab = wasm_table_new(t.table_elem, t.limits, 1000);
			if (tab) {
				wasm_imports_add_table(im, mod, name, tab);
				wasm_table_free(tab);
			}
			break;
		}
		case WASM_EXTERN_GLOBAL: {
			wasm_val v;
			memset(&v, 0, sizeof(v));
			v.type = t.global_type;
			wasm_global *g = wasm_global_new(v, t.global_mutable);
			if (g) {
				wasm_imports_add_global(im, mod, name, g);
				wasm_global_free(g);
			}
			break;
		}
		}
	}
	wasm_config cfg = {.max_memory_pages = 16,
			   .max_table_elems = 1000,
			   .max_call_depth = 200,
			   .stack_bytes = 1 << 20,
			   .fuel_enabled = true,
			   .fuel = 10000};
	wasm_instance *in = wasm_instance_new(m, im, &cfg, err, sizeof(err));
	if (in) {
		wasm_exec *ex = wasm_exec_new(&cfg);
		wasm_exec *ex2 = wasm_exec_new(&cfg);
		if (ex && wasm_instance_start(in, ex) == WASM_OK) {
			for (uint32_t i = 0; i < wasm_module_export_count(m); i++) {
				const char *name;
				wasm_externtype t;
				wasm_module_export(m, i, &name, &t);
				if (t.kind != WASM_EXTERN_FUNC || t.func.nparams > 8)
					continue;
				uint64_t args[8] = {0}, res[64];
				if (t.func.nresults > 64)
					continue;
				wasm_exec_set_fuel(ex, 10000);
				/* NULL for names with NUL bytes: the call refuses it */
				wasm_result r =
					wasm_call_raw(ex, wasm_instance_func(in, name), args, res);
				if (r == WASM_OUT_OF_FUEL && ex2)
					copy_and_resume(ex, ex2, t.func.nresults);
				if (r == WASM_STOPPED || r == WASM_OUT_OF_FUEL)
					wasm_exec_abandon(ex);
			}
		}
		wasm_exec_free(ex);
		wasm_exec_free(ex2);
		wasm_instance_free(in);
	}
	wasm_imports_free(im);
	wasm_module_free(m);
	return 0;
}
