/* ct_thermal_test: the thermal models against closed-form references.
 *
 * Radial: steady conduction in a cylinder with uniform generation q and a
 * convective side (ends closed) has T(r) = T_inf + q (R^2 - r^2) / (4 k) +
 * q R / (2 h) (textbook result, e.g. Incropera, ch. 3); the finite volumes
 * must reproduce it at the shell radii. Lumped: the steady state of the two
 * equations is Ts = Tf + Q Ru and Tc = Ts + Q Rc. The EKF, on noise-free data
 * from the lumped model with the true parameters, must track the core.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ct_data.h"
#include "ct_ekf.h"
#include "ct_thermal.h"
#include "testkit.h"

static void radial_steady(int n)
{
	struct ct_radial m;
	const struct ct_thermal_params *p = &ct_thermal_nominal;
	TK_REQUIRE(ct_radial_init(&m, p, n, 0.0, 0.0, 25.0) == 0, "init failed");
	double Q = 2.0, Tf = 25.0, flow = 1.3;
	for (int i = 0; i < 4000; i++)
		ct_radial_step(&m, Q, Tf, flow, 20.0);
	double R = CT_CELL_RADIUS_M, L = CT_CELL_LENGTH_M;
	double q = Q / (M_PI * R * R * L);
	double h = ct_h_of_flow(p->Ru_KW, flow);
	double k = 1.0 / (4.0 * M_PI * L * p->Rc_KW);
	double worst = 0.0;
	for (int i = 0; i < n; i++) {
		double r = ct_radial_r(&m, i);
		double ref = Tf + q * (R * R - r * r) / (4.0 * k) + q * R / (2.0 * h);
		double e = fabs(m.T[i] - ref);
		worst = e > worst ? e : worst;
	}
	double rise = q * R * R / (4.0 * k);
	/* Second-order scheme: the error falls with n^2. */
	TK_CHECK(worst < 2.0 * rise / ((double)n * n), "n=%d: worst error %.5f K of a %.3f K rise",
		 n, worst, rise);
	double ts_ref = Tf + q * R / (2.0 * h);
	double ts = ct_radial_surface(&m, Tf, flow);
	TK_CHECK(fabs(ts - ts_ref) < 1e-6, "surface %.6f, expected %.6f", ts, ts_ref);
	/* The centre: the closed-form value at r = 0 is Ts + Q Rc. */
	double tc_ref = ts_ref + Q * p->Rc_KW;
	TK_CHECK(fabs(ct_radial_core(&m) - tc_ref) < 0.02 * Q * p->Rc_KW,
		 "core %.4f, closed form at r=0 %.4f", ct_radial_core(&m), tc_ref);
}

static void lumped_steady(void)
{
	const struct ct_thermal_params *p = &ct_thermal_nominal;
	double Tc = 20.0, Ts = 20.0, Q = 1.5, Tf = 20.0;
	/* At the reference flow Ru is the given 3.08 K/W. */
	for (int i = 0; i < 5000; i++)
		ct_lumped_step(p, &Tc, &Ts, Q, Tf, CT_FLOW_REF_MPS, 5.0);
	TK_CHECK(fabs(Ts - (Tf + Q * 3.08)) < 1e-6, "Ts %.6f, expected %.6f", Ts, Tf + Q * 3.08);
	TK_CHECK(fabs(Tc - (Tf + Q * (3.08 + 1.94))) < 1e-6, "Tc %.6f, expected %.6f", Tc,
		 Tf + Q * (3.08 + 1.94));
	/* One small step from rest: dTc/dt = Q / Cc at first. */
	Tc = Ts = Tf;
	ct_lumped_step(p, &Tc, &Ts, Q, Tf, CT_FLOW_REF_MPS, 0.01);
	TK_CHECK(fabs((Tc - Tf) / 0.01 - Q / 62.7) < 1e-3 * Q / 62.7, "initial slope %.6g",
		 (Tc - Tf) / 0.01);
	/* More flow, less surface resistance. */
	TK_CHECK(ct_ru_of_flow(3.08, 4.0) < 3.08 && ct_ru_of_flow(3.08, 0.5) > 3.08,
		 "Ru does not fall with flow");
}

/* Core minus surface temperature of run s at second t. */
static double gap(const struct ct_seq *s, uint32_t t)
{
	size_t row = (size_t)t * CT_NCH;
	return (double)s->x[row + CT_CH_TC] - s->x[row + CT_CH_TS];
}

static void ekf_tracks_exact_model(const struct ct_cell *cell)
{
	struct ct_gen_cfg g;
	ct_gen_defaults(&g);
	g.n_seq = 2;
	g.len_s = 1800;
	g.span = 0.0;
	g.model = CT_MODEL_LUMPED;
	g.noise = ct_noise_none;
	g.threads = 1;
	struct ct_dataset ds;
	char err[256];
	TK_REQUIRE(ct_generate(cell, &g, &ds, err, sizeof(err)) == 0, "%s", err);
	double rmse, mx, naive = 0.0;
	size_t n = 0;
	TK_REQUIRE(ct_ekf_eval(&ct_thermal_nominal, cell, &ds, &ct_noise_none, &rmse, &mx, NULL) ==
			   0,
		   "ekf eval failed");
	for (uint32_t i = 0; i < ds.n; i++)
		for (uint32_t t = 10; t < ds.seq[i].len; t++) {
			naive += gap(&ds.seq[i], t) * gap(&ds.seq[i], t);
			n++;
		}
	naive = sqrt(naive / (double)n);
	TK_CHECK(rmse < 0.05 && rmse < 0.2 * naive, "EKF RMSE %.4f K (Tc = Ts gives %.4f)", rmse,
		 naive);
	ct_dataset_free(&ds);
}

int main(void)
{
	radial_steady(10);
	radial_steady(40);
	lumped_steady();
	struct ct_cell cell;
	char err[512];
	if (ct_cell_load(&cell, ct_cell_default_dir(), err, sizeof(err)) != 0)
		tk_skip("cell tables not found: %s", err);
	ekf_tracks_exact_model(&cell);
	ct_cell_free(&cell);
	return tk_finish();
}
