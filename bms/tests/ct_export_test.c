/* ct_export_test: the C array that `train --export-c` writes compiles with
 * the core and computes exactly what the model file computes. The array
 * (ct_weights_tiny.c in the build folder) is exported at build time from
 * fuzz/ct_files/model-valid.bin (a 1+1 hidden-unit network); both go through the float32 core on
 * the same windows and must agree bit for bit, since %.9e round-trips every float.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ct_net.h"
#include "ct_nn.h"
#include "testkit.h"

extern const struct ct_net_weights ct_net_tiny;

int main(void)
{
	char err[512];
	struct ct_mlp m;
	struct ct_model_f32 f;
	TK_REQUIRE(ct_model_load(&m, BMS_CT_TEST_MODEL, err, sizeof(err)) == 0, "%s", err);
	TK_REQUIRE(ct_model_to_f32(&m, &f) == 0, "f32");
	TK_CHECK(ct_net_tiny.n_in == f.w.n_in && ct_net_tiny.n_h1 == f.w.n_h1 &&
			 ct_net_tiny.n_h2 == f.w.n_h2,
		 "shapes differ");
	static struct ct_window w;
	ct_window_reset(&w);
	int same = 1, n = 0;
	for (int t = 0; t < 400; t++) {
		struct ct_sample s = {
			.current_A = (float)(10.0 * sin(t / 37.0)),
			.voltage_V = 3.6f + 0.001f * (float)(t % 50),
			.ocv_V = 3.65f,
			.surface_degC = 25.0f + 0.01f * (float)t,
			.coolant_degC = 22.0f,
			.flow_mps = t < 200 ? 1.0f : 3.0f,
		};
		TK_REQUIRE(ct_window_push(&w, &s) == CT_OK, "push");
		float a, b;
		TK_REQUIRE(ct_estimate(&f.w, &w, &a) == CT_OK, "model file estimate");
		TK_REQUIRE(ct_estimate(&ct_net_tiny, &w, &b) == CT_OK, "C array estimate");
		uint32_t ba, bb; /* bit patterns: equal values are not enough */
		memcpy(&ba, &a, sizeof(ba));
		memcpy(&bb, &b, sizeof(bb));
		same &= ba == bb;
		n++;
	}
	TK_CHECK(same, "the exported array and the model file disagree");
	printf("%d estimates agree bit for bit\n", n);
	ct_model_f32_free(&f);
	ct_mlp_free(&m);
	return tk_finish();
}
