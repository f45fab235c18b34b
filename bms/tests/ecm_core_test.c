/* ecm_core_test: the microcontroller core on its own, built twice (double,
 * and float as on the Cortex-M4, with looser tolerances):
 * - element impedances against C99 complex formulas;
 * - the closed-form fit recovers a Randles circuit exactly from three
 *   noise-free points, and with a finite Warburg all five values from four;
 *   bad input (unsorted, NaN, no RC arc) is refused;
 * - Goertzel and lock-in recover a sine's amplitude and phase, with drift
 *   and a Hann window; the streaming lock-in matches the stored record's;
 *   a multi-sine's tones come apart; the quality figure drops with noise;
 * - the Foster model of a fitted circuit has the circuit's impedance (p(R,C)
 *   exactly, Ws to its truncation), and its step response matches the RC
 *   formula; LM stops with BMS_ERR_NOCONV when the iteration limit is hit.
 */
#include <complex.h>
#include <math.h>
#include <stdio.h>

#include "bms_circuit.h"
#include "bms_closed.h"
#include "bms_imp.h"
#include "bms_lm.h"
#include "bms_sim.h"
#include "testkit.h"

#ifdef BMS_REAL_FLOAT
#define TOL 2e-4
#else
#define TOL 1e-9
#endif

static double complex zc(struct bms_cplx z)
{
	return (double)z.re + I * (double)z.im;
}

static void elements(void)
{
	for (int i = 0; i < 14; i++) {
		double f = 1e-3 * pow(3.7, i);
		double w = 2 * M_PI * f;
		double complex jw = I * w;
		struct bms_cplx z;
		bms_real p2[2] = {BMS_R(0.05), BMS_R(120.0)};
		double complex x = csqrt(jw * 120.0);
		struct {
			int kind;
			double complex ref;
		} cases[] = {
			{BMS_EL_R, 0.05},
			{BMS_EL_C, 1.0 / (jw * 0.05)},
			{BMS_EL_L, jw * 0.05},
			{BMS_EL_W, 0.05 * (1 - I) / sqrt(w)},
			{BMS_EL_WO, 0.05 / (x * ctanh(x))},
			{BMS_EL_WS, 0.05 * ctanh(x) / x},
		};
		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
			TK_REQUIRE(bms_elem_eval(cases[k].kind, p2, (bms_real)f, &z) == BMS_OK,
				   "eval");
			TK_CHECK(cabs(zc(z) - cases[k].ref) <= TOL * 10 * cabs(cases[k].ref),
				 "kind %d f %g: %g%+gj vs %g%+gj", cases[k].kind, f, (double)z.re,
				 (double)z.im, creal(cases[k].ref), cimag(cases[k].ref));
		}
		bms_real q[2] = {BMS_R(2.0), BMS_R(0.8)};
		TK_REQUIRE(bms_elem_eval(BMS_EL_CPE, q, (bms_real)f, &z) == BMS_OK, "cpe");
		double complex ref = 1.0 / (2.0 * cpow(jw, 0.8));
		TK_CHECK(cabs(zc(z) - ref) <= TOL * 10 * cabs(ref), "CPE f %g", f);
	}
	/* the built-in circuits against their formulas */
	struct bms_circuit cc;
	bms_real q4[5] = {BMS_R(0.02), BMS_R(0.03), BMS_R(500.0), BMS_R(0.004), BMS_R(80.0)};
	for (int i = 0; i < 8; i++) {
		double f = 1e-3 * pow(5.0, i), w = 2 * M_PI * f;
		double complex jw = I * w, zw = 0.004 * (1 - I) / sqrt(w);
		struct bms_cplx z;
		bms_circuit_thevenin(&cc);
		bms_circuit_eval(&cc, q4, (bms_real)f, &z);
		double complex ref = 0.02 + 1.0 / (1.0 / 0.03 + jw * 500.0);
		TK_CHECK(cabs(zc(z) - ref) < 10 * TOL * cabs(ref), "Thevenin f %g", f);
		bms_circuit_2rc(&cc);
		bms_circuit_eval(&cc, q4, (bms_real)f, &z);
		ref += 1.0 / (1.0 / 0.004 + jw * 80.0);
		TK_CHECK(cabs(zc(z) - ref) < 10 * TOL * cabs(ref), "2RC f %g", f);
		bms_circuit_randles(&cc);
		bms_circuit_eval(&cc, q4, (bms_real)f, &z);
		ref = 0.02 + 1.0 / (1.0 / 0.03 + jw * 500.0) + zw;
		TK_CHECK(cabs(zc(z) - ref) < 10 * TOL * cabs(ref), "Randles f %g", f);
		/* classic R0-p(C1,R1-W1): parameters R0, C1, R1, A_W */
		bms_real qc[4] = {BMS_R(0.02), BMS_R(5.0), BMS_R(0.03), BMS_R(0.004)};
		bms_circuit_randles_classic(&cc);
		bms_circuit_eval(&cc, qc, (bms_real)f, &z);
		ref = 0.02 + 1.0 / (jw * 5.0 + 1.0 / (0.03 + zw));
		TK_CHECK(cabs(zc(z) - ref) < 10 * TOL * cabs(ref), "classic Randles f %g", f);
	}
	struct bms_cplx z;
	bms_real p[1] = {1};
	TK_CHECK(bms_elem_eval(BMS_EL_R, p, 0, &z) == BMS_ERR_ARG, "f = 0 accepted");
	TK_CHECK(bms_elem_eval(99, p, 1, &z) == BMS_ERR_ARG, "kind 99 accepted");
	struct bms_circuit c;
	bms_circuit_init(&c);
	bms_circuit_push_elem(&c, BMS_EL_R);
	TK_CHECK(bms_circuit_push_op(&c, BMS_NODE_SERIES, 2) == BMS_OK, "push");
	TK_CHECK(bms_circuit_check(&c) != BMS_OK, "series of one value passed the check");
}

static struct bms_cplx randles(double r0, double r1, double c1, double s, double t, double f)
{
	double complex jw = I * 2 * M_PI * f;
	double complex zw = t > 0 ? s * sqrt(2 * t) * ctanh(csqrt(jw * t)) / csqrt(jw * t)
				  : s * (1 - I) / sqrt(2 * M_PI * f);
	double complex z = r0 + r1 / (1.0 + jw * r1 * c1) + zw;
	return bms_c((bms_real)creal(z), (bms_real)cimag(z));
}

static void closed(void)
{
	const double r0 = 0.018, r1 = 0.025, c1 = 800.0, s = 0.002;
	bms_real f[4] = {BMS_R(2.0), BMS_R(5e-3), BMS_R(1e-3), BMS_R(2e-4)};
	struct bms_cplx z[4];
	for (int k = 0; k < 3; k++)
		z[k] = randles(r0, r1, c1, s, 0, (double)f[k]);
	struct bms_randles r;
	TK_REQUIRE(bms_closed_fit(f, z, 3, &r) == BMS_OK, "closed fit");
	printf("closed: R0 %.6g R1 %.6g C1 %.6g sigma %.6g\n", (double)r.r0_ohm, (double)r.r1_ohm,
	       (double)r.c1_F, (double)r.sigma_ohm_rts);
	double tol = 100 * TOL + 1e-7;
	TK_CHECK(fabs(r.r0_ohm - r0) < tol * r0, "R0 %g", (double)r.r0_ohm);
	TK_CHECK(fabs(r.r1_ohm - r1) < tol * r1, "R1 %g", (double)r.r1_ohm);
	TK_CHECK(fabs(r.c1_F - c1) < tol * c1, "C1 %g", (double)r.c1_F);
	TK_CHECK(fabs(r.sigma_ohm_rts - s) < tol * s, "sigma %g", (double)r.sigma_ohm_rts);
	TK_CHECK(r.tw_s == 0, "T from three points");

	/* the Warburg as a Ws with T = 400 s: four points give all five values */
	const double tw = 400.0;
	bms_real f4[4] = {BMS_R(2.0), BMS_R(5e-3), BMS_R(2e-3), BMS_R(5e-4)};
	for (int k = 0; k < 4; k++)
		z[k] = randles(r0, r1, c1, s, tw, (double)f4[k]);
	TK_REQUIRE(bms_closed_fit(f4, z, 4, &r) == BMS_OK, "closed fit 4");
	printf("closed 4: R0 %.6g R1 %.6g C1 %.6g sigma %.6g T %.6g\n", (double)r.r0_ohm,
	       (double)r.r1_ohm, (double)r.c1_F, (double)r.sigma_ohm_rts, (double)r.tw_s);
	double tol4 = 1000 * TOL + 1e-6;
	TK_CHECK(fabs(r.r0_ohm - r0) < tol4 * r0, "4: R0 %g", (double)r.r0_ohm);
	TK_CHECK(fabs(r.r1_ohm - r1) < tol4 * r1, "4: R1 %g", (double)r.r1_ohm);
	TK_CHECK(fabs(r.c1_F - c1) < tol4 * c1, "4: C1 %g", (double)r.c1_F);
	TK_CHECK(fabs(r.sigma_ohm_rts - s) < tol4 * s, "4: sigma %g", (double)r.sigma_ohm_rts);
	TK_CHECK(fabs(r.tw_s - tw) < tol4 * tw, "4: T %g, true %g", (double)r.tw_s, tw);
	/* a fourth point where the Warburg is still semi-infinite: T = 0, three-point values */
	for (int k = 0; k < 4; k++)
		z[k] = randles(r0, r1, c1, s, 0, (double)f[k]);
	TK_REQUIRE(bms_closed_fit(f, z, 4, &r) == BMS_OK, "closed fit 4, semi-infinite");
	TK_CHECK(r.tw_s == 0 && fabs(r.sigma_ohm_rts - s) < tol4 * s,
		 "semi-infinite: T %g sigma %g", (double)r.tw_s, (double)r.sigma_ohm_rts);

	/* refusals */
	bms_real fu[3] = {BMS_R(5e-3), BMS_R(2.0), BMS_R(1e-3)};
	TK_CHECK(bms_closed_fit(fu, z, 3, &r) == BMS_ERR_FREQ, "unsorted accepted");
	bms_real fn[3] = {BMS_R(2.0), NAN, BMS_R(1e-3)};
	TK_CHECK(bms_closed_fit(fn, z, 3, &r) == BMS_ERR_NONFINITE, "NaN accepted");
	TK_CHECK(bms_closed_fit(f, z, 2, &r) == BMS_ERR_ARG, "two points accepted");
	struct bms_cplx flat[3] = {bms_c(BMS_R(1.0), BMS_R(0.0)), bms_c(BMS_R(1.0), BMS_R(0.0)),
				   bms_c(BMS_R(1.0), BMS_R(-0.1))};
	TK_CHECK(bms_closed_fit(f, flat, 3, &r) == BMS_ERR_RANGE, "no RC arc accepted");
}

static void detection(void)
{
	enum {
		N = 4096
	};
	static bms_real x[N], y[N];
	const double fs = 1000.0, f = 1000.0 / 64, amp = 0.7, ph = 0.4;
	for (int det = 0; det < 2; det++) {
		for (int k = 0; k < N; k++)
			x[k] = (bms_real)(amp * cos(2 * M_PI * f * k / fs + ph));
		struct bms_cplx X;
		TK_REQUIRE(bms_phasor(x, N, (bms_real)(f / fs), det, 0, 0, 0, &X) == BMS_OK,
			   "phasor");
		TK_CHECK(cabs(zc(X) - amp * cexp(I * ph)) < 50 * TOL, "det %d: %g%+gj", det,
			 (double)X.re, (double)X.im);
		/* a drift of 0.5 over the record, Hann window, trend removed */
		for (int k = 0; k < N; k++)
			x[k] += (bms_real)(0.3 + 0.5 * k / N);
		bms_real a, b;
		TK_REQUIRE(bms_trend(x, N, 64, &a, &b) == BMS_OK, "trend");
		TK_CHECK(fabs(b - 0.5 / N) < 1e-3 / N + 50 * TOL, "slope %g", (double)b);
		TK_REQUIRE(bms_phasor(x, N, (bms_real)(f / fs), det, 1, a, b, &X) == BMS_OK,
			   "phasor");
		TK_CHECK(cabs(zc(X) - amp * cexp(I * ph)) < 1e-3, "det %d drift: %g%+gj", det,
			 (double)X.re, (double)X.im);
	}
	/* the streaming lock-in gives the stored record's phasor */
	for (int k = 0; k < N; k++)
		x[k] = (bms_real)(amp * cos(2 * M_PI * f * k / fs + ph) + 0.3 + 0.5 * k / N);
	for (int hann = 0; hann < 2; hann++) {
		struct bms_stream st;
		struct bms_cplx Xs, Xb;
		bms_real a, b;
		TK_REQUIRE(bms_stream_init(&st, (bms_real)(f / fs), N, 64, hann) == BMS_OK, "init");
		for (int k = 0; k < N; k++)
			bms_stream_push(&st, x[k]);
		TK_REQUIRE(bms_stream_phasor(&st, 1, &Xs) == BMS_OK, "stream phasor");
		bms_trend(x, N, 64, &a, &b);
		bms_phasor(x, N, (bms_real)(f / fs), BMS_DETECT_LOCKIN, hann, a, b, &Xb);
		TK_CHECK(cabs(zc(Xs) - zc(Xb)) < 1e-4 + 100 * TOL,
			 "hann %d: stream %g%+gj, batch %g%+gj", hann, (double)Xs.re, (double)Xs.im,
			 (double)Xb.re, (double)Xb.im);
		if (hann)
			TK_CHECK(cabs(zc(Xs) - amp * cexp(I * ph)) < 1e-3,
				 "stream with drift: %g%+gj", (double)Xs.re, (double)Xs.im);
	}
	struct bms_stream bad;
	TK_CHECK(bms_stream_init(&bad, BMS_R(0.6), N, 64, 0) == BMS_ERR_ARG, "nu 0.6 accepted");

	/* impedance of a known complex gain on a multi-sine, each tone apart */
	struct bms_multisine ms;
	bms_real tones[4] = {BMS_R(1.0), BMS_R(3.0), BMS_R(7.0), BMS_R(20.0)};
	double complex g[4] = {0.02 - 0.005 * I, 0.018 - 0.004 * I, 0.017 - 0.002 * I, 0.016};
	TK_REQUIRE(bms_multisine_init(&ms, tones, 4, BMS_R(2.0)) == BMS_OK, "multisine");
	const double fs2 = 200.0;
	for (int k = 0; k < N; k++) {
		double t = k / fs2, v = 3.7;
		for (int j = 0; j < 4; j++)
			v += creal(g[j] * ms.amp_A[j] *
				   cexp(I * (2 * M_PI * (double)tones[j] * t +
					     (double)ms.phase_rad[j] - M_PI / 2)));
		x[k] = bms_multisine_value(&ms, (bms_real)t);
		y[k] = (bms_real)v;
	}
	struct bms_imp_cfg cfg = {BMS_DETECT_GOERTZEL, 1, 1, 200, 200, 4};
	struct bms_imp_point pt[4];
	/* 4096 - 200 samples is not a whole number of periods: use 19 s */
	TK_REQUIRE(bms_imp_measure(x, y, 200 + 3800, (bms_real)fs2, tones, 4, &cfg, pt) == BMS_OK,
		   "measure");
	for (int j = 0; j < 4; j++) {
		double e = cabs(zc(pt[j].z_ohm) - g[j]) / cabs(g[j]);
		printf("tone %g Hz: err %.2e snr %.0f dB\n", (double)tones[j], e,
		       (double)pt[j].snr_db);
		TK_CHECK(e < 1e-3, "tone %g: %g%+gj vs %g%+gj", (double)tones[j],
			 (double)pt[j].z_ohm.re, (double)pt[j].z_ohm.im, creal(g[j]), cimag(g[j]));
		TK_CHECK(pt[j].snr_db > 50, "clean tone %g has SNR %g dB", (double)tones[j],
			 (double)pt[j].snr_db);
	}
	/* noise lowers the quality figure */
	unsigned long long s = 99;
	for (int k = 0; k < N; k++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		y[k] += (bms_real)(((double)(s >> 11) / 9007199254740992.0 - 0.5) * 0.01);
	}
	struct bms_imp_point noisy[4];
	TK_REQUIRE(bms_imp_measure(x, y, 4000, (bms_real)fs2, tones, 4, &cfg, noisy) == BMS_OK,
		   "measure");
	TK_CHECK(noisy[0].snr_db < pt[0].snr_db - 10, "noise did not lower the SNR: %g vs %g",
		 (double)noisy[0].snr_db, (double)pt[0].snr_db);
	TK_CHECK(bms_imp_measure(x, y, 10, (bms_real)fs2, tones, 4, &cfg, noisy) != BMS_OK,
		 "10 samples after 200 settling accepted");
}

static void simulation(void)
{
	struct bms_circuit c;
	struct bms_rc_model m;
	bms_real p[4] = {BMS_R(0.02), BMS_R(0.03), BMS_R(500.0), BMS_R(0.002)};
	bms_circuit_thevenin(&c);
	TK_REQUIRE(bms_model_from_circuit(&c, p, 0, &m) == BMS_OK, "model");
	TK_CHECK(m.n_rc == 1 && fabs(m.tau_s[0] - 15.0) < 1e-3, "tau %g", (double)m.tau_s[0]);
	for (int i = 0; i < 9; i++) {
		double f = 1e-3 * pow(3.0, i);
		struct bms_cplx a, b = bms_model_impedance(&m, (bms_real)f);
		bms_circuit_eval(&c, p, (bms_real)f, &a);
		TK_CHECK(cabs(zc(a) - zc(b)) < 10 * TOL * cabs(zc(a)), "Thevenin f %g", f);
	}
	/* step of 2 A for 10 s: eta = R0 I + R1 I (1 - exp(-t/tau)) */
	struct bms_sim_state st;
	bms_sim_reset(&st);
	bms_real eta = 0;
	for (int k = 0; k < 100; k++)
		eta = bms_sim_step(&m, &st, BMS_R(2.0), BMS_R(0.1));
	double ref = 0.02 * 2 + 0.03 * 2 * (1 - exp(-10.0 / 15.0));
	TK_CHECK(fabs(eta - ref) < 1e-5, "step: %g vs %g", (double)eta, ref);

	/* Ws as a Foster ladder: close to the exact Ws below 1/(2 pi tau_last) */
	struct bms_circuit cw;
	bms_circuit_init(&cw);
	bms_circuit_push_elem(&cw, BMS_EL_WS);
	bms_real pw[2] = {BMS_R(0.03), BMS_R(300.0)};
	TK_REQUIRE(bms_model_from_circuit(&cw, pw, 0, &m) == BMS_OK, "Ws model");
	TK_CHECK(m.n_rc == BMS_LADDER_TERMS, "ladder terms %d", m.n_rc);
	for (int i = 0; i < 5; i++) { /* up to 0.0081 Hz: below 1/(2 pi tau_6) / 10 */
		double f = 1e-4 * pow(3.0, i);
		struct bms_cplx a, b = bms_model_impedance(&m, (bms_real)f);
		bms_circuit_eval(&cw, pw, (bms_real)f, &a);
		TK_CHECK(cabs(zc(a) - zc(b)) < 0.03 * cabs(zc(a)),
			 "Ws ladder f %g: %g%+gj vs %g%+gj", f, (double)b.re, (double)b.im,
			 (double)a.re, (double)a.im);
	}
	/* a CPE has no Foster form here */
	bms_circuit_init(&cw);
	bms_circuit_push_elem(&cw, BMS_EL_CPE);
	TK_CHECK(bms_model_from_circuit(&cw, pw, 0, &m) == BMS_ERR_UNSUPPORTED, "CPE simulated");
	bms_real pr[4] = {BMS_R(0.02), BMS_R(5.0), BMS_R(0.03), BMS_R(0.004)};
	bms_circuit_randles_classic(&cw);
	TK_CHECK(bms_model_from_circuit(&cw, pr, 600, &m) == BMS_ERR_UNSUPPORTED,
		 "classic Randles simulated");
	/* OCV table */
	struct bms_table1d t = {
		3, {BMS_R(0.0), BMS_R(0.5), BMS_R(1.0)}, {BMS_R(3.0), BMS_R(3.6), BMS_R(4.2)}};
	TK_CHECK(fabs(bms_table_lookup(&t, BMS_R(0.25)) - 3.3) < 1e-5, "lookup");
	TK_CHECK(bms_table_lookup(&t, BMS_R(2.0)) == BMS_R(4.2), "clamp");
}

static void lm_limits(void)
{
	struct bms_circuit c;
	bms_circuit_thevenin(&c);
	bms_real f[10], p0[3] = {BMS_R(1.0), BMS_R(1.0), BMS_R(1.0)};
	bms_real lo[3] = {BMS_R(1e-6), BMS_R(1e-6), BMS_R(1e-6)};
	bms_real hi[3] = {BMS_R(1e3), BMS_R(1e3), BMS_R(1e5)};
	bms_real truth[3] = {BMS_R(0.02), BMS_R(0.03), BMS_R(50.0)};
	struct bms_cplx z[10];
	for (int i = 0; i < 10; i++) {
		f[i] = (bms_real)(1e-3 * pow(10.0, i * 0.5));
		bms_circuit_eval(&c, truth, f[i], &z[i]);
	}
	struct bms_lm_cfg cfg;
	struct bms_lm_result r;
	bms_lm_default_cfg(&cfg);
	TK_CHECK(bms_lm_fit(&c, f, z, 10, p0, lo, hi, &cfg, &r) == BMS_OK, "fit");
	for (int k = 0; k < 3; k++)
		TK_CHECK(fabs((double)(r.p[k] - truth[k])) < 1e-3 * (double)truth[k], "p%d %g", k,
			 (double)r.p[k]);
	cfg.max_iter = 1;
	TK_CHECK(bms_lm_fit(&c, f, z, 10, p0, lo, hi, &cfg, &r) == BMS_ERR_NOCONV,
		 "one iteration converged");
	cfg.max_iter = BMS_LM_MAX_ITER + 1;
	TK_CHECK(bms_lm_fit(&c, f, z, 10, p0, lo, hi, &cfg, &r) == BMS_ERR_ARG, "limit exceeded");
	bms_lm_default_cfg(&cfg);
	TK_CHECK(bms_lm_fit(&c, f, z, 1, p0, lo, hi, &cfg, &r) == BMS_ERR_FEW, "1 point for 3");
	f[3] = f[2];
	TK_CHECK(bms_lm_fit(&c, f, z, 10, p0, lo, hi, &cfg, &r) == BMS_ERR_FREQ, "duplicate f");
}

int main(void)
{
	elements();
	closed();
	detection();
	simulation();
	lm_limits();
	return tk_finish();
}
