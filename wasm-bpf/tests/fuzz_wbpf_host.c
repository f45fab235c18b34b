/* fuzz_wbpf_host.c: libFuzzer target for the host functions of wbpf.c, the
 * code that reads what a guest passes. The input's first 4 KiB fill the
 * guest's memory (one page, growable to two); the rest is a list of calls,
 * each a selector byte and little-endian arguments, made through
 * fuzz_guest.wat's exports (so that the host runs inside a real Wasm call).
 * Handles come from the input or from a load that succeeded; poll timeouts
 * are 0. Any crash, sanitizer report or leak is a finding; the host's log
 * goes nowhere. Loads of fuzzed objects fail in libbpf's ELF checks long
 * before the kernel (a fuzzer does not write valid BTF by chance).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfenv.h"
#include "wasm.h"
#include "wbpf.h"

#ifndef WBPF_FUZZ_WASM
#error "WBPF_FUZZ_WASM names the compiled fuzz_guest.wat"
#endif

static wasm_module *mod;

static void setup(void)
{
	if (mod)
		return;
	FILE *f = fopen(WBPF_FUZZ_WASM, "rb");
	if (!f)
		abort();
	uint8_t buf[8192];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	char err[256];
	mod = wasm_module_new(buf, n, err, sizeof(err));
	if (!mod)
		abort();
	bpfenv_set_libbpf_log(NULL, 0, NULL);
}

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct rd *r, size_t bytes)
{
	uint64_t v = 0;
	for (size_t i = 0; i < bytes && r->n; i++, r->n--)
		v |= (uint64_t)*r->p++ << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	wbpf_host *h = wbpf_host_new(NULL, NULL);
	wasm_imports *im = wasm_imports_new();
	char err[256];
	if (!h || !im || wbpf_add_imports(h, im, err, sizeof(err)))
		abort();
	wasm_instance *inst = wasm_instance_new(mod, im, NULL, err, sizeof(err));
	wasm_exec *ex = wasm_exec_new(NULL);
	if (!inst || !ex)
		abort();
	wasm_memory *mem = wasm_instance_export_memory(inst, "memory");
	size_t fill = size < 4096 ? size : 4096;
	wasm_memory_write(mem, 0, data, fill);
	struct rd r = {data + fill, size - fill};
	uint64_t handle = 0;
	for (int calls = 0; r.n && calls < 64; calls++) {
		uint8_t sel = (uint8_t)take(&r, 1);
		wasm_val a[6], res;
		const char *fn;
		uint32_t na;
		uint64_t hv = (sel & 0x80) ? take(&r, 8) : handle;
		switch (sel % 7) {
		case 0:
			fn = "load";
			a[0] = wasm_val_i32((int32_t)take(&r, 4));
			a[1] = wasm_val_i32((int32_t)take(&r, 4));
			na = 2;
			break;
		case 1:
			fn = "attach";
			a[0] = wasm_val_i64((int64_t)hv);
			a[1] = wasm_val_i32((int32_t)take(&r, 4));
			a[2] = wasm_val_i32((int32_t)take(&r, 4));
			na = 3;
			break;
		case 2:
			fn = "poll";
			a[0] = wasm_val_i64((int64_t)hv);
			for (int i = 1; i < 6; i++)
				a[i] = wasm_val_i32((int32_t)take(&r, 4));
			na = 6;
			break;
		case 3:
			fn = "mapfd";
			a[0] = wasm_val_i64((int64_t)hv);
			a[1] = wasm_val_i32((int32_t)take(&r, 4));
			na = 2;
			break;
		case 4:
			fn = "mapop";
			for (int i = 0; i < 5; i++)
				a[i] = wasm_val_i32((int32_t)take(&r, 4));
			a[5] = wasm_val_i64((int64_t)take(&r, 8));
			na = 6;
			break;
		case 5:
			fn = "close";
			a[0] = wasm_val_i64((int64_t)hv);
			na = 1;
			break;
		default:
			wasm_memory_grow(mem, 1);
			continue;
		}
		wasm_func *f = wasm_instance_func(inst, fn);
		if (!f)
			abort();
		if (wasm_call(ex, f, a, na, &res, 1) != WASM_OK)
			continue;
		if (sel % 7 == 0 && res.of.i64)
			handle = (uint64_t)res.of.i64;
	}
	wasm_exec_free(ex);
	wasm_instance_free(inst);
	wasm_imports_free(im);
	wbpf_host_free(h);
	return 0;
}
