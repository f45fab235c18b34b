/* ckpt_bench.c: checkpoint size and time against memory size
 * (docs/vessels.md, "Measured"). For each size, fills a fresh instance's
 * memory with pseudo-random bytes (no zero page to leave out), then times
 * capture + encode (vsl_capture, vsl_image_write) and decode + restore into
 * another fresh instance (vsl_image_read, vsl_restore_state), checks that
 * the restored memory is the same, and prints
 *
 *   MIB IMAGE_BYTES CHECKPOINT_MS RESTORE_MS
 *
 * usage: vessel_ckpt_bench MEM.wasm MIB...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s MEM.wasm MIB...\n", argv[0]);
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	static uint8_t mod[4096];
	size_t n = f ? fread(mod, 1, sizeof(mod), f) : 0;
	if (f)
		fclose(f);
	char err[512];
	wasm_module *m = wasm_module_new(mod, n, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "%s: %s\n", argv[1], m ? "" : err);
		return 1;
	}
	int rc = 0;
	for (int a = 2; a < argc && rc == 0; a++) {
		uint32_t mib = (uint32_t)atoi(argv[a]);
		wasm_instance *src = wasm_instance_new(m, NULL, NULL, err, sizeof(err));
		wasm_instance *dst = wasm_instance_new(m, NULL, NULL, err, sizeof(err));
		wasm_exec *ex = wasm_exec_new(NULL), *ex2 = wasm_exec_new(NULL);
		wasm_memory *mem = src ? wasm_instance_memory(src, 0) : NULL;
		if (!dst || !mem || !ex || !ex2 || wasm_memory_grow(mem, mib * 16 - 1) < 0) {
			fprintf(stderr, "cannot set up %u MiB\n", mib);
			return 1;
		}
		uint64_t x = 88172645463325252ull, *w = (uint64_t *)wasm_memory_data(mem);
		for (size_t i = 0; i < wasm_memory_size(mem) / 8; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			w[i] = x | 1;
		}
		double t0 = now_ms();
		vsl_image img;
		uint8_t *out = NULL;
		size_t len = 0;
		if (vsl_capture(src, ex, NULL, mod, n, true, "run", &img, err, sizeof(err)) < 0 ||
		    vsl_image_write(&img, &out, &len, err, sizeof(err)) < 0) {
			fprintf(stderr, "checkpoint: %s\n", err);
			rc = 1;
		}
		img.module_bytes = NULL;
		vsl_image_clear(&img);
		double t1 = now_ms();
		vsl_image back;
		if (rc == 0 && (vsl_image_read(out, len, &back, err, sizeof(err)) < 0 ||
				vsl_restore_state(&back, mod, n, dst, ex2, err, sizeof(err)) < 0)) {
			fprintf(stderr, "restore: %s\n", err);
			rc = 1;
		}
		double t2 = now_ms();
		if (rc == 0 && memcmp(wasm_memory_data(wasm_instance_memory(dst, 0)),
				      wasm_memory_data(mem), wasm_memory_size(mem)) != 0) {
			fprintf(stderr, "restored memory differs\n");
			rc = 1;
		}
		if (rc == 0)
			printf("%u %zu %.1f %.1f\n", mib, len, t1 - t0, t2 - t1);
		vsl_image_clear(&back);
		free(out);
		wasm_exec_free(ex);
		wasm_exec_free(ex2);
		wasm_instance_free(src);
		wasm_instance_free(dst);
	}
	wasm_module_free(m);
	return rc;
}
