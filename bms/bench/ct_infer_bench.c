/* ct_infer_bench: cost per step of the float32 core estimator on the host
 * (push one sample into the window, compute features, run the network with
 * 32 + 32 hidden units), against one step of the EKF baseline, measured in
 * the same process, in CPU time. Prints nanoseconds per step and the ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ct_ekf.h"
#include "ct_nn.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); /* CPU time: the machine is shared */
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void)
{
	char err[512];
	struct ct_mlp m;
	struct ct_model_f32 f;
	if (ct_mlp_init(&m, 32, 32, 1, err, sizeof(err)) != 0 || ct_model_to_f32(&m, &f) != 0) {
		fprintf(stderr, "ct_infer_bench: %s\n", err);
		return 1;
	}
	struct ct_cell cell;
	if (ct_cell_load(&cell, ct_cell_default_dir(), err, sizeof(err)) != 0) {
		fprintf(stderr, "ct_infer_bench: %s\n", err);
		return 1;
	}
	static struct ct_window w;
	ct_window_reset(&w);
	const int n = 200000;
	volatile float sink = 0.0f;
	double t0 = now();
	for (int i = 0; i < n; i++) {
		struct ct_sample s = {(float)(i % 17) - 8.0f,
				      3.6f,
				      3.65f,
				      25.0f + 0.001f * (float)(i % 100),
				      24.0f,
				      1.5f};
		float e;
		ct_window_push(&w, &s);
		ct_estimate(&f.w, &w, &e);
		sink += e;
	}
	double t_net = (now() - t0) / n;
	struct ct_ekf k;
	ct_ekf_init(&k, &ct_thermal_nominal, &ct_noise_default);
	float row[CT_NCH] = {2.0f, 3.6f, 3.65f, 25.0f, 24.0f, 1.5f, 0.0f};
	t0 = now();
	for (int i = 0; i < n; i++) {
		row[CT_CH_I] = (float)(i % 17) - 8.0f;
		sink += (float)ct_ekf_step(&k, &cell, row);
	}
	double t_ekf = (now() - t0) / n;
	size_t weights = ((size_t)2 * CT_N_IN + m.n_par) * sizeof(float);
	printf("core estimator step (window + features + MLP %d-32-32-1): %.0f ns\n", CT_N_IN,
	       t_net * 1e9);
	printf("EKF step (lumped model, table lookups):               %.0f ns\n", t_ekf * 1e9);
	printf("ratio network / EKF: %.2f\n", t_net / t_ekf);
	printf("weights: %zu bytes of float32; window state: %zu bytes\n", weights,
	       sizeof(struct ct_window));
	ct_cell_free(&cell);
	ct_model_f32_free(&f);
	ct_mlp_free(&m);
	return sink == 12345.0f;
}
