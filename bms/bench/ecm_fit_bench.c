/* ecm_fit_bench: fit time per spectrum on the host, core only, so that the
 * same file builds in double (bms_core) and float (bms_core_f32). It reads
 * a three-column CSV (f, Re Z, Im Z; exampleData.csv), then times in the
 * same process: the closed-form three-point fit (the baseline), one LM fit
 * of R0-p(R1,C1)-p(R2-Wo1,C2) from impedance.py's initial guess, and one
 * LM fit of the Randles circuit R0-p(R1,C1)-W1. It prints microseconds per
 * fit (CPU time, best of several rounds) and each LM fit's ratio to the
 * closed form, which is what stays comparable on a busy machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bms_circuit.h"
#include "bms_closed.h"
#include "bms_lm.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ecm_fit_bench exampleData.csv\n");
		return 2;
	}
	FILE *fp = fopen(argv[1], "r");
	if (!fp) {
		perror(argv[1]);
		return 1;
	}
	bms_real f[BMS_MAX_FREQS];
	struct bms_cplx z[BMS_MAX_FREQS];
	int n = 0;
	double a, b, c;
	while (n < BMS_MAX_FREQS && fscanf(fp, "%lf,%lf,%lf", &a, &b, &c) == 3) {
		f[n] = (bms_real)a;
		z[n] = bms_c((bms_real)b, (bms_real)c);
		n++;
	}
	fclose(fp);
	if (n < 10) {
		fprintf(stderr, "%s: %d points read\n", argv[1], n);
		return 1;
	}
	/* the circuit of acceptance 1, built node by node */
	struct bms_circuit big, randles;
	bms_circuit_init(&big);
	bms_circuit_push_elem(&big, BMS_EL_R);
	bms_circuit_push_elem(&big, BMS_EL_R);
	bms_circuit_push_elem(&big, BMS_EL_C);
	bms_circuit_push_op(&big, BMS_NODE_PARALLEL, 2);
	bms_circuit_push_elem(&big, BMS_EL_R);
	bms_circuit_push_elem(&big, BMS_EL_WO);
	bms_circuit_push_op(&big, BMS_NODE_SERIES, 2);
	bms_circuit_push_elem(&big, BMS_EL_C);
	bms_circuit_push_op(&big, BMS_NODE_PARALLEL, 2);
	bms_circuit_push_op(&big, BMS_NODE_SERIES, 3);
	bms_circuit_randles(&randles);
	bms_real p0[7] = {BMS_R(0.01), BMS_R(0.01),  BMS_R(100.0), BMS_R(0.01),
			  BMS_R(0.05), BMS_R(100.0), BMS_R(1.0)};
	bms_real lo[7], hi[7];
	for (int k = 0; k < 7; k++)
		lo[k] = BMS_R(1e-9), hi[k] = BMS_R(1e6);
	/* closed form from the points nearest 100 Hz, 1 Hz, 10 mHz (data ascend) */
	int pick[3] = {0, 0, 0};
	const double want[3] = {100.0, 1.0, 0.01};
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < n; i++)
			if (fabs(log(f[i] / want[k])) < fabs(log(f[pick[k]] / want[k])))
				pick[k] = i;
	bms_real f3[3];
	struct bms_cplx z3[3];
	for (int k = 0; k < 3; k++)
		f3[k] = f[pick[k]], z3[k] = z[pick[k]];

	struct bms_lm_cfg cfg;
	bms_lm_default_cfg(&cfg);
	struct bms_lm_result r;
	struct bms_randles cr;
	double best[3] = {1e30, 1e30, 1e30};
	int reps[3] = {20000, 20, 50}, iters[3] = {0, 0, 0}, rcs[3] = {0, 0, 0};
	for (int round = 0; round < 5; round++) {
		double t0 = now_us();
		for (int i = 0; i < reps[0]; i++)
			rcs[0] |= bms_closed_fit(f3, z3, 3, &cr);
		double t1 = now_us();
		for (int i = 0; i < reps[1]; i++) {
			rcs[1] |= bms_lm_fit(&big, f, z, n, p0, lo, hi, &cfg, &r);
			iters[1] = r.iterations;
		}
		double t2 = now_us();
		bms_real q0[4] = {BMS_R(0.01), BMS_R(0.01), BMS_R(1.0), BMS_R(0.01)};
		for (int i = 0; i < reps[2]; i++) {
			rcs[2] |= bms_lm_fit(&randles, f, z, n, q0, lo, hi, &cfg, &r);
			iters[2] = r.iterations;
		}
		double t3 = now_us();
		double d[3] = {(t1 - t0) / reps[0], (t2 - t1) / reps[1], (t3 - t2) / reps[2]};
		for (int k = 0; k < 3; k++)
			if (d[k] < best[k])
				best[k] = d[k];
	}
	const char *prec = sizeof(bms_real) == 4 ? "float" : "double";
	printf("bms ecm fit time per spectrum (%s, %d points, CPU time, best of 5)\n", prec, n);
	printf("  closed form, 3 points                 %10.3f us   (baseline)%s\n", best[0],
	       rcs[0] ? "  [error]" : "");
	printf("  LM R0-p(R1,C1)-p(R2-Wo1,C2), %3d it  %10.1f us   %8.0fx closed form%s\n",
	       iters[1], best[1], best[1] / best[0], rcs[1] ? "  [did not converge]" : "");
	printf("  LM R0-p(R1,C1)-W1, %3d it            %10.1f us   %8.0fx closed form%s\n",
	       iters[2], best[2], best[2] / best[0], rcs[2] ? "  [did not converge]" : "");
	return 0;
}
