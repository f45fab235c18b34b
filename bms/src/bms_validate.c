/* bms_validate: measurement on the plant, the two fits, the profiles and the
 * voltage comparison.
 */
#include "bms_validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bms_cstr.h"
#include "bms_fitspec.h"
#include "bms_sim.h"

void bms_val_default_cfg(struct bms_val_cfg *vc)
{
	static const double closed[4] = {2.0, 5e-3, 1e-3, 5e-4};
	static const double lm[] = {100.0, 20.0, 5.0, 1.0, 0.2, 0.05, 0.01, 5e-3, 2e-3, 1e-3};
	memset(vc, 0, sizeof(*vc));
	memcpy(vc->closed_f, closed, sizeof(closed));
	vc->n_lm = (int)(sizeof(lm) / sizeof(lm[0]));
	memcpy(vc->lm_f, lm, sizeof(lm));
	vc->lm_circuit = "R0-p(R1,C1)-p(R2,C2)-Ws1";
	vc->horizon_s = 600.0;
	bms_meas_default_cfg(&vc->mc);
	bms_plant_default_cfg(&vc->pc);
}

double bms_profile_current(int profile, double t_s, double capacity_Ah, double *len_s)
{
	double c = capacity_Ah; /* 1C in A */
	if (profile == BMS_PROFILE_PULSE) {
		/* a 150 s cycle, four times: discharge 1C 10 s, rest 30 s,
		 * charge 0.5C 20 s, rest 30 s, discharge 2C 5 s, rest 55 s */
		if (len_s)
			*len_s = 600.0;
		double u = fmod(t_s, 150.0);
		if (u < 10.0)
			return -1.0 * c;
		if (u < 40.0)
			return 0.0;
		if (u < 60.0)
			return 0.5 * c;
		if (u < 90.0)
			return 0.0;
		if (u < 95.0)
			return -2.0 * c;
		return 0.0;
	}
	/* drive-cycle-like: 1 s steps of a deterministic pseudo-random walk
	 * (held 4 s) up to 1.8C, 3 s bursts of the other sign every 47 s,
	 * stops every 200 s; discharge-led and charge-led 200 s stretches
	 * alternate so SoC stays near where it started */
	if (len_s)
		*len_s = 1200.0;
	long k = (long)floor(t_s);
	double sign = (k / 200) % 2 ? 1.0 : -1.0;
	if (k % 200 >= 185)
		return 0.0;
	if (k % 47 < 3)
		return -sign * 0.8 * c;
	unsigned long x = (unsigned long)(k / 4) * 2654435761ul + 12345ul;
	x ^= x >> 13;
	x *= 0x5bd1e995ul;
	x ^= x >> 15;
	double r = (double)(x % 1000ul) / 1000.0; /* 0..1 */
	return sign * (0.2 + 1.6 * r * r) * c;
}

int bms_profile_compare(const struct bms_cell_tables *ct, const struct bms_plant_cfg *pc,
			double soc, double t_degC, const struct bms_rc_model *m, int profile,
			double *rmse_V, double *mean_V, double *swing_V)
{
	struct bms_plant p;
	struct bms_sim_state st;
	double len, dt = 0.1, se = 0.0, sv = 0.0, emin = 0.0, emax = 0.0, soc_m = soc;
	bms_plant_init(&p, ct, pc, soc, t_degC);
	bms_sim_reset(&st);
	bms_profile_current(profile, 0.0, pc->capacity_Ah, &len);
	long n = (long)(len / dt + 0.5);
	for (long k = 0; k < n; k++) {
		double i =
			bms_profile_current(profile, ((double)k + 0.5) * dt, pc->capacity_Ah, NULL);
		p.i_prev_A = i; /* piecewise constant: hold, no ramp */
		double v = bms_plant_step(&p, i, dt);
		double eta_true = v - bms_plant_ocv(&p);
		soc_m += i * dt / (3600.0 * pc->capacity_Ah);
		double eta = (double)bms_sim_step(m, &st, (bms_real)i, (bms_real)dt);
		double vm = bms_cell_ocv(ct, soc_m) + eta;
		se += (vm - v) * (vm - v);
		sv += v;
		if (k == 0 || eta_true < emin)
			emin = eta_true;
		if (k == 0 || eta_true > emax)
			emax = eta_true;
	}
	*rmse_V = sqrt(se / (double)n);
	*mean_V = sv / (double)n;
	*swing_V = emax - emin;
	return 0;
}

static int fill_rmse(const struct bms_cell_tables *ct, const struct bms_val_cfg *vc,
		     struct bms_val_row *row, int method, const struct bms_rc_model *m)
{
	for (int pr = 0; pr < 2; pr++) {
		double rmse, mean, swing;
		bms_profile_compare(ct, &vc->pc, row->soc, row->t_degC, m, pr, &rmse, &mean,
				    &swing);
		row->rmse_V[method][pr] = rmse;
		row->rmse_pct_v[method][pr] = 100.0 * rmse / mean;
		row->rmse_pct_swing[method][pr] = 100.0 * rmse / swing;
		row->swing_V[pr] = swing;
	}
	return 0;
}

static void check_points(struct bms_plant *p, const struct bms_imp_point *pt, int n,
			 struct bms_val_row *row)
{
	for (int j = 0; j < n; j++) {
		double re, im;
		bms_plant_impedance(p, (double)pt[j].f_hz, &re, &im);
		double e = hypot((double)pt[j].z_ohm.re - re, (double)pt[j].z_ohm.im - im) /
			   hypot(re, im);
		if (e > row->imp_err_max)
			row->imp_err_max = e;
		if ((double)pt[j].snr_db < row->snr_min_db)
			row->snr_min_db = (double)pt[j].snr_db;
	}
}

int bms_validate_point(const struct bms_cell_tables *ct, const struct bms_val_cfg *vc, double soc,
		       double t_degC, struct bms_val_row *row, char *err, size_t errlen)
{
	struct bms_plant p;
	struct bms_imp_point pt[BMS_VAL_MAX_F];
	memset(row, 0, sizeof(*row));
	row->soc = soc;
	row->t_degC = t_degC;
	row->snr_min_db = 1e9;

	/* closed forms: four points measured, the first three for the
	 * three-point fit */
	bms_plant_init(&p, ct, &vc->pc, soc, t_degC);
	int rc = bms_plant_measure(&p, vc->closed_f, 4, &vc->mc, pt);
	if (rc != BMS_OK) {
		snprintf(err, errlen, "measurement at SoC %.2f, %.0f degC: %s", soc, t_degC,
			 bms_strerror(rc));
		return -1;
	}
	bms_plant_init(&p, ct, &vc->pc, soc, t_degC); /* truth at the starting SoC */
	check_points(&p, pt, 4, row);
	bms_real f[4];
	struct bms_cplx z[4];
	/* The BMS models V = OCV(SoC) + eta: the OCV capacitance it knows
	 * from its own table comes off before the ECM is fitted. */
	double c_ocv = bms_cell_ocv_capacitance(ct, soc, vc->pc.capacity_Ah);
	for (int j = 0; j < 4; j++) {
		f[j] = pt[j].f_hz;
		z[j] = pt[j].z_ohm;
		z[j].im += (bms_real)(1.0 / (2.0 * M_PI * (double)f[j] * c_ocv));
	}
	struct bms_rc_model m;
	bms_real pr[BMS_MAX_PARAMS];
	for (int method = BMS_VAL_CLOSED; method <= BMS_VAL_CLOSED4; method++) {
		struct bms_randles *cr = method == BMS_VAL_CLOSED ? &row->closed : &row->closed4;
		rc = bms_closed_fit(f, z, method == BMS_VAL_CLOSED ? 3 : 4, cr);
		if (rc != BMS_OK) {
			snprintf(err, errlen, "%s closed-form fit at SoC %.2f, %.0f degC: %s",
				 method == BMS_VAL_CLOSED ? "three-point" : "four-point", soc,
				 t_degC, bms_strerror(rc));
			return -1;
		}
		struct bms_circuit c;
		if (cr->tw_s > 0) {
			/* R0-p(R1,C1)-Ws with R = sigma sqrt(2T) */
			bms_circuit_init(&c);
			bms_circuit_push_elem(&c, BMS_EL_R);
			bms_circuit_push_elem(&c, BMS_EL_R);
			bms_circuit_push_elem(&c, BMS_EL_C);
			bms_circuit_push_op(&c, BMS_NODE_PARALLEL, 2);
			bms_circuit_push_elem(&c, BMS_EL_WS);
			bms_circuit_push_op(&c, BMS_NODE_SERIES, 3);
			pr[3] = cr->sigma_ohm_rts * BMS_SQRT(BMS_R(2.0) * cr->tw_s);
			pr[4] = cr->tw_s;
		} else {
			bms_circuit_randles(&c);
			pr[3] = cr->sigma_ohm_rts;
		}
		pr[0] = cr->r0_ohm;
		pr[1] = cr->r1_ohm;
		pr[2] = cr->c1_F;
		rc = bms_model_from_circuit(&c, pr, (bms_real)vc->horizon_s, &m);
		if (rc != BMS_OK) {
			snprintf(err, errlen, "closed-form model: %s", bms_strerror(rc));
			return -1;
		}
		fill_rmse(ct, vc, row, method, &m);
	}

	/* LM over more frequencies */
	bms_plant_init(&p, ct, &vc->pc, soc, t_degC);
	rc = bms_plant_measure(&p, vc->lm_f, vc->n_lm, &vc->mc, pt);
	if (rc != BMS_OK) {
		snprintf(err, errlen, "measurement at SoC %.2f, %.0f degC: %s", soc, t_degC,
			 bms_strerror(rc));
		return -1;
	}
	bms_plant_init(&p, ct, &vc->pc, soc, t_degC);
	check_points(&p, pt, vc->n_lm, row);
	struct bms_cstr cs;
	if (bms_cstr_parse(vc->lm_circuit, &cs, err, errlen))
		return -1;
	double fd[BMS_VAL_MAX_F], zr[BMS_VAL_MAX_F], zi[BMS_VAL_MAX_F];
	for (int j = 0; j < vc->n_lm; j++) {
		fd[j] = pt[j].f_hz;
		zr[j] = pt[j].z_ohm.re;
		zi[j] = pt[j].z_ohm.im + 1.0 / (2.0 * M_PI * fd[j] * c_ocv);
	}
	struct bms_spectrum sp = {(size_t)vc->n_lm, fd, zr, zi, "plant", -1, 0};
	struct bms_fit_opts fo = {0};
	struct bms_fit_out fout;
	fo.weight = BMS_WEIGHT_MODULUS;
	fo.multistart = 1;
	if (bms_fit_spectrum(&cs, &sp, &fo, &fout, err, errlen))
		return -1;
	row->lm_np = cs.circuit.n_params;
	for (int k = 0; k < row->lm_np; k++) {
		row->lm_p[k] = fout.lm.p[k];
		pr[k] = fout.lm.p[k];
	}
	rc = bms_model_from_circuit(&cs.circuit, pr, (bms_real)vc->horizon_s, &m);
	if (rc != BMS_OK) {
		snprintf(err, errlen, "LM model (%s): %s", vc->lm_circuit, bms_strerror(rc));
		return -1;
	}
	fill_rmse(ct, vc, row, BMS_VAL_LM, &m);
	return 0;
}
