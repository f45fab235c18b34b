/* ct_ekf: extended Kalman filter on the lumped thermal model (see ct_ekf.h).
 */
#include "ct_ekf.h"

#include <math.h>
#include <string.h>

#include "../core/ct_net.h"

void ct_ekf_init(struct ct_ekf *f, const struct ct_thermal_params *p, const struct ct_noise *nz)
{
	memset(f, 0, sizeof(*f));
	f->p = *p;
	f->q_core = 1e-3;
	f->q_surf = 1e-3;
	f->r_meas = nz->temp_sd_K * nz->temp_sd_K + nz->temp_q_K * nz->temp_q_K / 12.0;
	if (f->r_meas < 1e-4)
		f->r_meas = 1e-4;
}

static void predict(const struct ct_ekf *f, const struct ct_cell *cell, const double *x,
		    const float *row, double *out)
{
	double I = row[CT_CH_I], ocv = row[CT_CH_OCV];
	double Q = I * (ocv - row[CT_CH_V]) - I * (x[0] + 273.15) * ct_cell_dudt(cell, ocv, x[0]);
	out[0] = x[0];
	out[1] = x[1];
	ct_lumped_step(&f->p, &out[0], &out[1], Q, row[CT_CH_TF], row[CT_CH_FLOW], 1.0);
}

double ct_ekf_step(struct ct_ekf *f, const struct ct_cell *cell, const float *row)
{
	double z = row[CT_CH_TS];
	if (!f->started) {
		f->x[0] = f->x[1] = z;
		f->P[0][0] = f->P[1][1] = 1.0;
		f->P[0][1] = f->P[1][0] = 0.0;
		f->started = 1;
		return f->x[0];
	}
	double xp[2], A[2][2];
	predict(f, cell, f->x, row, xp);
	for (int j = 0; j < 2; j++) {
		double xd[2] = {f->x[0], f->x[1]}, yd[2];
		xd[j] += 1e-3;
		predict(f, cell, xd, row, yd);
		A[0][j] = (yd[0] - xp[0]) / 1e-3;
		A[1][j] = (yd[1] - xp[1]) / 1e-3;
	}
	double AP[2][2], Pp[2][2];
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			AP[i][j] = A[i][0] * f->P[0][j] + A[i][1] * f->P[1][j];
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			Pp[i][j] = AP[i][0] * A[j][0] + AP[i][1] * A[j][1];
	Pp[0][0] += f->q_core;
	Pp[1][1] += f->q_surf;
	/* Measurement: H = [0 1]. */
	double S = Pp[1][1] + f->r_meas;
	double K0 = Pp[0][1] / S, K1 = Pp[1][1] / S;
	double innov = z - xp[1];
	f->x[0] = xp[0] + K0 * innov;
	f->x[1] = xp[1] + K1 * innov;
	double P00 = Pp[0][0] - K0 * Pp[1][0], P01 = Pp[0][1] - K0 * Pp[1][1];
	double P10 = Pp[1][0] - K1 * Pp[1][0], P11 = Pp[1][1] - K1 * Pp[1][1];
	f->P[0][0] = P00;
	f->P[0][1] = 0.5 * (P01 + P10);
	f->P[1][0] = f->P[0][1];
	f->P[1][1] = P11;
	return f->x[0];
}

int ct_ekf_eval(const struct ct_thermal_params *p, const struct ct_cell *cell,
		const struct ct_dataset *ds, const struct ct_noise *nz, double *rmse,
		double *max_abs, float *est_first)
{
	double sq = 0.0, mx = 0.0;
	size_t n = 0;
	for (uint32_t i = 0; i < ds->n; i++) {
		const struct ct_seq *s = &ds->seq[i];
		if (!s->labeled)
			return -1;
		struct ct_ekf f;
		ct_ekf_init(&f, p, nz);
		for (uint32_t t = 0; t < s->len; t++) {
			const float *row = &s->x[(size_t)t * CT_NCH];
			double e = ct_ekf_step(&f, cell, row);
			if (i == 0 && est_first)
				est_first[t] = (float)e;
			if (t < CT_BLOCK_LEN)
				continue;
			double d = e - row[CT_CH_TC];
			sq += d * d;
			if (fabs(d) > mx)
				mx = fabs(d);
			n++;
		}
	}
	*rmse = n ? sqrt(sq / (double)n) : 0.0;
	*max_abs = mx;
	return 0;
}
