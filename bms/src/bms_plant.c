/* bms_plant: parameter lookup, the exact first-order-hold step, the noisy
 * quantizing sensors (xorshift64* and Box-Muller, seeded: runs repeat), and
 * the measurement drivers that feed bms_imp_measure.
 */
#include "bms_plant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void bms_plant_default_cfg(struct bms_plant_cfg *cfg)
{
	cfg->scale = 40.0;
	cfg->capacity_Ah = 2.5;
	cfg->v_noise_V = 0.5e-3;
	cfg->i_noise_A = 5e-3;
	cfg->adc_bits = 16;
	cfg->v_full_V = 5.0;
	cfg->i_full_A = 20.0;
	cfg->seed = 0x9e3779b97f4a7c15ull;
}

static void update_params(struct bms_plant *p)
{
	const struct bms_cell_tables *ct = p->ct;
	double k = p->cfg.scale;
	double r0 = bms_grid2_lookup(&ct->r0_ohm, p->t_degC, p->soc);
	double r1 = bms_grid2_lookup(&ct->r1_ohm, p->t_degC, p->soc);
	double c1 = bms_grid2_lookup(&ct->c1_F, p->t_degC, p->soc);
	double q = r1 / bms_grid2_lookup(&ct->r1_ohm, 25.0, 0.5);
	p->r0_ohm = k * r0;
	p->r_ohm[0] = k * r1, p->tau_s[0] = r1 * c1;
	p->r_ohm[1] = 0.30 * k * r1, p->tau_s[1] = 0.01 * q;
	p->r_ohm[2] = 0.25 * k * r1, p->tau_s[2] = 2.0 * q;
	double rw = 0.50 * k * r1, tw = 600.0 * q, rest = rw;
	for (int j = 1; j <= BMS_PLANT_LADDER; j++) {
		double a = (j - 0.5) * M_PI;
		p->r_ohm[2 + j] = 2.0 * rw / (a * a);
		p->tau_s[2 + j] = tw / (a * a);
		rest -= p->r_ohm[2 + j];
	}
	p->r0_ohm += rest; /* the ladder's tail: faster than any step used */
}

void bms_plant_init(struct bms_plant *p, const struct bms_cell_tables *ct,
		    const struct bms_plant_cfg *cfg, double soc, double t_degC)
{
	memset(p, 0, sizeof(*p));
	if (cfg)
		p->cfg = *cfg;
	else
		bms_plant_default_cfg(&p->cfg);
	p->ct = ct;
	p->soc = soc;
	p->t_degC = t_degC;
	p->rng = p->cfg.seed ? p->cfg.seed : 1;
	update_params(p);
}

void bms_plant_impedance(const struct bms_plant *p, double f_hz, double *re, double *im)
{
	double w = 2.0 * M_PI * f_hz, zr = p->r0_ohm, zi = 0.0;
	for (int j = 0; j < BMS_PLANT_BRANCHES; j++) {
		double x = w * p->tau_s[j], d = 1.0 + x * x;
		zr += p->r_ohm[j] / d;
		zi -= p->r_ohm[j] * x / d;
	}
	zi -= 1.0 / (w * bms_cell_ocv_capacitance(p->ct, p->soc, p->cfg.capacity_Ah));
	*re = zr;
	*im = zi;
}

double bms_plant_ocv(const struct bms_plant *p)
{
	return bms_cell_ocv(p->ct, p->soc);
}

double bms_plant_step(struct bms_plant *p, double i_A, double dt_s)
{
	double i0 = p->i_prev_A, eta = p->r0_ohm * i_A;
	for (int j = 0; j < BMS_PLANT_BRANCHES; j++) {
		/* dv/dt = -v/tau + i(t) R/tau with i linear from i0 to i_A */
		double tau = p->tau_s[j], om = -expm1(-dt_s / tau), a = 1.0 - om;
		double g = tau / dt_s * om;
		p->v_V[j] = a * p->v_V[j] + p->r_ohm[j] * (i_A * (1.0 - g) + i0 * (g - a));
		eta += p->v_V[j];
	}
	p->soc += 0.5 * (i0 + i_A) * dt_s / (3600.0 * p->cfg.capacity_Ah);
	p->i_prev_A = i_A;
	double v = bms_plant_ocv(p) + eta;
	update_params(p);
	return v;
}

static double uniform(struct bms_plant *p)
{
	p->rng ^= p->rng >> 12;
	p->rng ^= p->rng << 25;
	p->rng ^= p->rng >> 27;
	return (double)((p->rng * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(struct bms_plant *p)
{
	double u1 = uniform(p), u2 = uniform(p);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double quantize(double x, double lo, double hi, int bits)
{
	double lsb = (hi - lo) / (double)(1ull << bits);
	if (x < lo)
		x = lo;
	if (x > hi - lsb)
		x = hi - lsb;
	return lo + floor((x - lo) / lsb + 0.5) * lsb;
}

double bms_plant_sense_v(struct bms_plant *p, double v_V)
{
	return quantize(v_V + p->cfg.v_noise_V * gauss(p), 0.0, p->cfg.v_full_V, p->cfg.adc_bits);
}

double bms_plant_sense_i(struct bms_plant *p, double i_A)
{
	return quantize(i_A + p->cfg.i_noise_A * gauss(p), -p->cfg.i_full_A, p->cfg.i_full_A,
			p->cfg.adc_bits);
}

void bms_meas_default_cfg(struct bms_meas_cfg *mc)
{
	mc->amp_A = 1.0;
	mc->fs_max_Hz = 1000.0;
	mc->settle_periods = 3;
	mc->measure_periods = 8;
	mc->detector = BMS_DETECT_GOERTZEL;
	mc->hann = 1;
	mc->blocks = 4;
	mc->min_samples = 4096;
	mc->max_dsoc = 0.004;
}

#define SUBSTEPS 16

/* Runs the plant under current(t) for n samples at fs; fills i and v. */
static void record(struct bms_plant *p, const struct bms_multisine *ms, double fs, int n,
		   bms_real *i_s, bms_real *v_s)
{
	double dt = 1.0 / fs, h = dt / SUBSTEPS, t = 0.0, v = bms_plant_ocv(p);
	p->i_prev_A = bms_multisine_value(ms, 0.0);
	for (int k = 0; k < n; k++) {
		double i = bms_multisine_value(ms, (bms_real)t);
		i_s[k] = (bms_real)bms_plant_sense_i(p, i);
		v_s[k] = (bms_real)bms_plant_sense_v(p, v);
		for (int s = 1; s <= SUBSTEPS; s++)
			v = bms_plant_step(p, bms_multisine_value(ms, (bms_real)(t + s * h)), h);
		t += dt;
	}
}

static int run_record(struct bms_plant *p, const struct bms_multisine *ms, double f_lo, double f_hi,
		      const bms_real *fr, int nf, const struct bms_meas_cfg *mc,
		      struct bms_imp_point *out)
{
	/* an integer number of samples per period of the lowest tone */
	double fs = 64.0 * f_hi;
	if (fs > mc->fs_max_Hz)
		fs = mc->fs_max_Hz;
	int per = (int)floor(fs / f_lo + 0.5);
	if (per < 4 || 2.0 * f_hi >= fs)
		return BMS_ERR_ARG;
	fs = per * f_lo;
	int mp = mc->measure_periods;
	while (mp * per < mc->min_samples)
		mp += mc->blocks > 1 ? mc->blocks : 1;
	int n = per * (mc->settle_periods + mp);
	bms_real *i_s = malloc(sizeof(bms_real) * (size_t)n);
	bms_real *v_s = malloc(sizeof(bms_real) * (size_t)n);
	if (!i_s || !v_s) {
		free(i_s);
		free(v_s);
		return BMS_ERR_SIZE;
	}
	record(p, ms, fs, n, i_s, v_s);
	struct bms_imp_cfg ic = {mc->detector, mc->hann,  1, per * mc->settle_periods,
				 per,	       mc->blocks};
	int rc = bms_imp_measure(i_s, v_s, n, (bms_real)fs, fr, nf, &ic, out);
	free(i_s);
	free(v_s);
	return rc;
}

int bms_plant_measure(struct bms_plant *p, const double *f_hz, int nf,
		      const struct bms_meas_cfg *mc, struct bms_imp_point *out)
{
	for (int j = 0; j < nf; j++) {
		struct bms_multisine ms;
		bms_real f = (bms_real)f_hz[j];
		double amp = mc->amp_A;
		double lim = mc->max_dsoc * 2.0 * M_PI * f_hz[j] * 3600.0 * p->cfg.capacity_Ah;
		if (mc->max_dsoc > 0 && amp > lim)
			amp = lim;
		bms_multisine_init(&ms, &f, 1, (bms_real)amp);
		int rc = run_record(p, &ms, f_hz[j], f_hz[j], &f, 1, mc, &out[j]);
		if (rc != BMS_OK)
			return rc;
	}
	return BMS_OK;
}

int bms_plant_measure_multisine(struct bms_plant *p, const double *f_hz, int nf,
				const struct bms_meas_cfg *mc, struct bms_imp_point *out)
{
	if (nf < 1 || nf > BMS_MAX_TONES)
		return BMS_ERR_ARG;
	bms_real fr[BMS_MAX_TONES];
	double lo = f_hz[0], hi = f_hz[0];
	for (int j = 0; j < nf; j++) {
		fr[j] = (bms_real)f_hz[j];
		lo = f_hz[j] < lo ? f_hz[j] : lo;
		hi = f_hz[j] > hi ? f_hz[j] : hi;
	}
	struct bms_multisine ms;
	/* each tone keeps amp_A: a multi-sine's crest factor stays modest
	 * with Schroeder phases */
	bms_multisine_init(&ms, fr, nf, (bms_real)(mc->amp_A * nf));
	return run_record(p, &ms, lo, hi, fr, nf, mc, out);
}
