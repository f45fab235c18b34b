/* compute.c: a vessel test guest, a compute loop. Integer and floating-point
 * state lives in locals and globals across many loop iterations, so a
 * checkpoint lands in the middle of arithmetic; the output is a few
 * checksums that differ if any value is lost or changed by a restore, and
 * an environment variable read only at the end (from the restored WASI).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 88172645463325252ull;

static uint64_t xorshift(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

int main(void)
{
	double acc = 0.0;
	float facc = 1.0f;
	uint32_t h = 2166136261u;
	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < 20000; i++) {
			uint64_t r = xorshift();
			acc += (double)(r & 0xffff) / 65536.0 - 0.5;
			facc = facc * 0.999f + (float)(r >> 60);
			h = (h ^ (uint32_t)r) * 16777619u;
		}
		printf("round %d: acc=%.12f facc=%.6f h=%08x\n", round, acc, (double)facc, h);
	}
	/* wasi-libc reads the environment on first use: after a restore,
	 * this asks the restored WASI context */
	const char *g = getenv("VSL_GUEST");
	printf("env VSL_GUEST=%s\n", g ? g : "(unset)");
	return 0;
}
