/* bms_linkk: the linear Kramers-Kronig fit by weighted normal equations
 * (columns scaled to unit norm before the Cholesky solve), repeated for
 * growing M.
 */
#include "bms_linkk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NP_MAX (BMS_LINKK_MAX_M + 3)

/* Column j of the design at point i: (real, imag) of the basis function. */
static void basis(int j, int m, double w, const double *tau, double *re, double *im)
{
	if (j == 0) { /* R_ohm */
		*re = 1.0, *im = 0.0;
	} else if (j <= m) { /* R_k / (1 + j w tau_k) */
		double x = w * tau[j - 1], d = 1.0 + x * x;
		*re = 1.0 / d, *im = -x / d;
	} else if (j == m + 1) { /* 1/C: 1/(j w C) */
		*re = 0.0, *im = -1.0 / w;
	} else { /* L: j w L */
		*re = 0.0, *im = w;
	}
}

static int solve(double a[NP_MAX][NP_MAX], double *b, int n)
{
	for (int j = 0; j < n; j++) {
		double d = a[j][j];
		for (int k = 0; k < j; k++)
			d -= a[j][k] * a[j][k];
		if (!(d > 1e-300))
			return -1;
		d = sqrt(d);
		a[j][j] = d;
		for (int i = j + 1; i < n; i++) {
			double s = a[i][j];
			for (int k = 0; k < j; k++)
				s -= a[i][k] * a[j][k];
			a[i][j] = s / d;
		}
	}
	for (int i = 0; i < n; i++) {
		double s = b[i];
		for (int k = 0; k < i; k++)
			s -= a[i][k] * b[k];
		b[i] = s / a[i][i];
	}
	for (int i = n - 1; i >= 0; i--) {
		double s = b[i];
		for (int k = i + 1; k < n; k++)
			s -= a[k][i] * b[k];
		b[i] = s / a[i][i];
	}
	return 0;
}

/* Fits with m elements; fills x (np = m + 3 values). */
static int fit_m(const struct bms_spectrum *sp, int m, double *tau, double *x)
{
	int np = m + 3;
	double fmin = sp->f_hz[0], fmax = sp->f_hz[0];
	for (size_t i = 1; i < sp->n; i++) {
		fmin = sp->f_hz[i] < fmin ? sp->f_hz[i] : fmin;
		fmax = sp->f_hz[i] > fmax ? sp->f_hz[i] : fmax;
	}
	double tmin = 1.0 / (2 * M_PI * fmax), tmax = 1.0 / (2 * M_PI * fmin);
	for (int k = 0; k < m; k++)
		tau[k] = m > 1 ? tmin * pow(tmax / tmin, (double)k / (m - 1)) : tmin;
	double a[NP_MAX][NP_MAX], b[NP_MAX], scale[NP_MAX];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(scale, 0, sizeof(scale));
	for (size_t i = 0; i < sp->n; i++) {
		double w = 2 * M_PI * sp->f_hz[i], zr = sp->zre_ohm[i], zi = sp->zim_ohm[i];
		double wt = 1.0 / hypot(zr, zi);
		double cr[NP_MAX], ci[NP_MAX];
		for (int j = 0; j < np; j++) {
			basis(j, m, w, tau, &cr[j], &ci[j]);
			cr[j] *= wt, ci[j] *= wt;
		}
		for (int j = 0; j < np; j++) {
			b[j] += cr[j] * zr * wt + ci[j] * zi * wt;
			for (int k = 0; k <= j; k++)
				a[j][k] += cr[j] * cr[k] + ci[j] * ci[k];
		}
	}
	for (int j = 0; j < np; j++)
		scale[j] = a[j][j] > 0 ? 1.0 / sqrt(a[j][j]) : 1.0;
	for (int j = 0; j < np; j++) {
		b[j] *= scale[j];
		for (int k = 0; k <= j; k++) {
			a[j][k] *= scale[j] * scale[k];
			a[k][j] = a[j][k];
		}
		a[j][j] += 1e-12; /* a whisker of ridge for collinear columns */
	}
	if (solve(a, b, np))
		return -1;
	for (int j = 0; j < np; j++)
		x[j] = b[j] * scale[j];
	return 0;
}

int bms_linkk_run(const struct bms_spectrum *sp, struct bms_linkk *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!sp || sp->n < 5) {
		snprintf(err, errlen, "Lin-KK: needs at least 5 points");
		return -1;
	}
	int mmax = (int)sp->n / 2 - 1;
	if (mmax > BMS_LINKK_MAX_M)
		mmax = BMS_LINKK_MAX_M;
	if (mmax < 3)
		mmax = 3;
	double tau[BMS_LINKK_MAX_M], x[NP_MAX];
	int m;
	double mu = 0.0;
	for (m = 3; m <= mmax; m++) {
		if (fit_m(sp, m, tau, x)) {
			snprintf(err, errlen, "Lin-KK: singular system at M = %d", m);
			return -1;
		}
		double neg = 0.0, pos = 0.0;
		for (int k = 1; k <= m; k++)
			if (x[k] < 0)
				neg += -x[k];
			else
				pos += x[k];
		mu = pos > 0 ? 1.0 - neg / pos : 0.0;
		if (mu < 0.85 || m == mmax)
			break;
	}
	out->m = m;
	out->mu = mu;
	out->res_re = malloc(sp->n * sizeof(double));
	out->res_im = malloc(sp->n * sizeof(double));
	if (!out->res_re || !out->res_im) {
		bms_linkk_free(out);
		snprintf(err, errlen, "Lin-KK: out of memory");
		return -1;
	}
	double ss = 0.0;
	for (size_t i = 0; i < sp->n; i++) {
		double w = 2 * M_PI * sp->f_hz[i], fr = 0.0, fi = 0.0;
		for (int j = 0; j < m + 3; j++) {
			double cr, ci;
			basis(j, m, w, tau, &cr, &ci);
			fr += x[j] * cr, fi += x[j] * ci;
		}
		double mag = hypot(sp->zre_ohm[i], sp->zim_ohm[i]);
		out->res_re[i] = (sp->zre_ohm[i] - fr) / mag;
		out->res_im[i] = (sp->zim_ohm[i] - fi) / mag;
		double a = fabs(out->res_re[i]) > fabs(out->res_im[i]) ? fabs(out->res_re[i])
								       : fabs(out->res_im[i]);
		if (a > out->max_abs_res)
			out->max_abs_res = a;
		ss += out->res_re[i] * out->res_re[i] + out->res_im[i] * out->res_im[i];
	}
	out->rms_res = sqrt(ss / (2.0 * (double)sp->n));
	return 0;
}

void bms_linkk_free(struct bms_linkk *lk)
{
	if (!lk)
		return;
	free(lk->res_re);
	free(lk->res_im);
	lk->res_re = lk->res_im = NULL;
}
