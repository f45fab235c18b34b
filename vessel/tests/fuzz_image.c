/* fuzz_image.c: libFuzzer target for the vessel image reader (image.c) and
 * restore (checkpoint.c). Each input is read twice: as it is, and with its
 * header and section CRCs recomputed, so that mutations get past the
 * checksums to the decoders. An image that reads must re-encode to the same
 * bytes; one that carries a module without imports is restored into a
 * fresh instance (small memory and table limits) and resumed for a bounded
 * amount of fuel.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "hash.h"
#include "image.h"
#include "wasm_state.h"

static void try_restore(const vsl_image *img)
{
	if (!img->module_bytes)
		return;
	char err[256];
	wasm_config cfg = {.max_memory_pages = 64,
			   .max_table_elems = 10000,
			   .max_call_depth = 1000,
			   .stack_bytes = 1 << 20};
	wasm_module *m =
		wasm_module_new(img->module_bytes, (size_t)img->module_len, err, sizeof(err));
	if (!m)
		return;
	wasm_instance *inst = wasm_instance_new(m, NULL, &cfg, err, sizeof(err));
	wasm_exec *ex = inst ? wasm_exec_new(&cfg) : NULL;
	if (ex &&
	    vsl_restore_state(img, img->module_bytes, (size_t)img->module_len, inst, ex, err,
			      sizeof(err)) == 0 &&
	    img->nframes) {
		wasm_val res[8];
		wasm_exec_set_fuel(ex, 10000);
		if (img->entry_nresults <= 8)
			wasm_exec_resume(ex, res, img->entry_nresults);
	}
	wasm_exec_free(ex);
	wasm_instance_free(inst);
	wasm_module_free(m);
}

static void one(const uint8_t *data, size_t size)
{
	vsl_image img;
	char err[512];
	if (vsl_image_read(data, size, &img, err, sizeof(err)) == 0) {
		uint8_t *out = NULL;
		size_t len = 0;
		if (vsl_image_write(&img, &out, &len, err, sizeof(err)) == 0 &&
		    (len != size || memcmp(out, data, size) != 0)) {
			/* optional sections are dropped; anything else must
			 * round-trip */
			vsl_image again;
			if (vsl_image_read(out, len, &again, err, sizeof(err)) != 0)
				__builtin_trap();
			vsl_image_clear(&again);
		}
		free(out);
		try_restore(&img);
	}
	vsl_image_clear(&img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 22))
		return 0;
	one(data, size);
	if (size < 24)
		return 0;
	uint8_t *c = malloc(size);
	if (!c)
		return 0;
	memcpy(c, data, size);
	wasm_store_u32le(c + 20, vsl_crc32(0, c, 20));
	for (size_t pos = 24; pos + 16 <= size;) {
		uint64_t l = wasm_load_u64le(c + pos + 4);
		if (l > size - pos - 16)
			break;
		wasm_store_u32le(c + pos + 12, vsl_crc32(0, c + pos + 16, (size_t)l));
		pos += 16 + (size_t)l;
	}
	one(c, size);
	free(c);
	return 0;
}
