/* sp_bench.c: the cost of safe points (docs/vessels.md, "Measured"). Built
 * twice from this file: vessel_sp_bench against the runtime as shipped and
 * vessel_nosp_bench against isthmus_wasm_nosp (WASM_NO_SAFEPOINTS). Runs
 * each kernel of kernels.wasm several times and prints the best time and
 * the result (which must agree between the two builds):
 *
 *   KERNEL NANOSECONDS RESULT
 *
 * usage: vessel_sp_bench KERNELS.wasm [REPEATS [fuel]]
 * With "fuel" the exec counts fuel (one unit per safe point, as a dock's
 * slices do), with far more fuel than the kernels use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasm.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s KERNELS.wasm [REPEATS]\n", argv[0]);
		return 2;
	}
	int reps = argc > 2 ? atoi(argv[2]) : 5;
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	static uint8_t buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	char err[256];
	wasm_module *m = wasm_module_new(buf, n, err, sizeof(err));
	wasm_instance *inst = m ? wasm_instance_new(m, NULL, NULL, err, sizeof(err)) : NULL;
	wasm_config cfg = {0};
	if (argc > 3 && strcmp(argv[3], "fuel") == 0) {
		cfg.fuel_enabled = true;
		cfg.fuel = UINT64_C(1) << 62;
	}
	wasm_exec *ex = wasm_exec_new(&cfg);
	if (!inst || !ex) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		return 1;
	}
	static const struct {
		const char *name;
		int32_t arg;
	} k[] = {{"fib", 30}, {"loop", 30000000}, {"memsum", 24}};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		wasm_func *fn = wasm_instance_func(inst, k[i].name);
		double best = 1e30;
		wasm_val res = {0};
		for (int r = 0; r < reps; r++) {
			wasm_val a = wasm_val_i32(k[i].arg);
			if (cfg.fuel_enabled)
				wasm_exec_set_fuel(ex, cfg.fuel);
			double t0 = now();
			wasm_result rc = wasm_call(ex, fn, &a, 1, &res, 1);
			double t = now() - t0;
			if (rc != WASM_OK) {
				fprintf(stderr, "%s: %s\n", k[i].name, wasm_result_name(rc));
				return 1;
			}
			if (t < best)
				best = t;
		}
		printf("%s %.0f %d\n", k[i].name, best, (int)res.of.i32);
	}
	wasm_exec_free(ex);
	wasm_instance_free(inst);
	wasm_module_free(m);
	return 0;
}
