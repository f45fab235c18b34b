/* bms_lm: Levenberg-Marquardt with Marquardt's diagonal scaling, a bounded
 * inner loop on the damping factor, forward-difference Jacobian in the
 * transformed parameters, and the covariance estimate at the end.
 */
#include "bms_lm.h"

#define LM_INNER_MAX 30
#define LM_MAX_STEP  BMS_R(2.0)

void bms_lm_default_cfg(struct bms_lm_cfg *cfg)
{
	if (!cfg)
		return;
	cfg->max_iter = 200;
#ifdef BMS_REAL_FLOAT
	cfg->ftol = BMS_R(1e-6);
	cfg->xtol = BMS_R(1e-5);
#else
	cfg->ftol = BMS_R(1e-10);
	cfg->xtol = BMS_R(1e-9);
#endif
	cfg->weight = BMS_WEIGHT_UNIT;
	cfg->linear = 0;
}

int bms_spectrum_check(const bms_real *f_hz, const struct bms_cplx *z, int n)
{
	if (!f_hz || !z || n < 1)
		return BMS_ERR_ARG;
	if (n > BMS_MAX_FREQS)
		return BMS_ERR_SIZE;
	int dir = 0;
	for (int i = 0; i < n; i++) {
		if (!bms_finite(f_hz[i]) || !bms_finite(z[i].re) || !bms_finite(z[i].im))
			return BMS_ERR_NONFINITE;
		if (!(f_hz[i] > BMS_R(0.0)))
			return BMS_ERR_FREQ;
		if (i == 0)
			continue;
		int d = f_hz[i] > f_hz[i - 1] ? 1 : (f_hz[i] < f_hz[i - 1] ? -1 : 0);
		if (d == 0 || (dir != 0 && d != dir))
			return BMS_ERR_FREQ;
		dir = d;
	}
	return BMS_OK;
}

static void weights(const struct bms_cplx *zd, int weight, bms_real *wr, bms_real *wi)
{
	bms_real m = bms_cabs(*zd);
	switch (weight) {
	case BMS_WEIGHT_MODULUS:
		*wr = *wi = m > BMS_R(0.0) ? BMS_R(1.0) / m : BMS_R(1.0);
		break;
	case BMS_WEIGHT_PROPORTIONAL: {
		/* floor at 1e-3 |Z| so a zero crossing does not get infinite weight */
		bms_real fr = BMS_FABS(zd->re), fi = BMS_FABS(zd->im), fl = BMS_R(1e-3) * m;
		*wr = BMS_R(1.0) / (fr > fl ? fr : (fl > BMS_R(0.0) ? fl : BMS_R(1.0)));
		*wi = BMS_R(1.0) / (fi > fl ? fi : (fl > BMS_R(0.0) ? fl : BMS_R(1.0)));
		break;
	}
	case BMS_WEIGHT_UNIT:
	default:
		*wr = *wi = BMS_R(1.0);
		break;
	}
}

int bms_circuit_ssr(const struct bms_circuit *c, const bms_real *p, const bms_real *f_hz,
		    const struct bms_cplx *z, int n, int weight, bms_real *ssr)
{
	if (!ssr || !f_hz || !z || n < 1)
		return BMS_ERR_ARG;
	bms_real s = BMS_R(0.0);
	for (int i = 0; i < n; i++) {
		struct bms_cplx zm;
		int rc = bms_circuit_eval(c, p, f_hz[i], &zm);
		if (rc != BMS_OK)
			return rc;
		bms_real wr, wi;
		weights(&z[i], weight, &wr, &wi);
		bms_real dr = (zm.re - z[i].re) * wr, di = (zm.im - z[i].im) * wi;
		s += dr * dr + di * di;
	}
	*ssr = s;
	return bms_finite(s) ? BMS_OK : BMS_ERR_NONFINITE;
}

int bms_chol_solve(bms_real a[BMS_MAX_PARAMS][BMS_MAX_PARAMS], bms_real *b, int n)
{
	if (n < 1 || n > BMS_MAX_PARAMS)
		return BMS_ERR_ARG;
	for (int j = 0; j < n; j++) {
		bms_real d = a[j][j];
		for (int k = 0; k < j; k++)
			d -= a[j][k] * a[j][k];
		if (!(d > BMS_R(0.0)) || !bms_finite(d))
			return BMS_ERR_SINGULAR;
		d = BMS_SQRT(d);
		a[j][j] = d;
		for (int i = j + 1; i < n; i++) {
			bms_real s = a[i][j];
			for (int k = 0; k < j; k++)
				s -= a[i][k] * a[j][k];
			a[i][j] = s / d;
		}
	}
	for (int i = 0; i < n; i++) { /* L y = b */
		bms_real s = b[i];
		for (int k = 0; k < i; k++)
			s -= a[i][k] * b[k];
		b[i] = s / a[i][i];
	}
	for (int i = n - 1; i >= 0; i--) { /* L^T x = y */
		bms_real s = b[i];
		for (int k = i + 1; k < n; k++)
			s -= a[k][i] * b[k];
		b[i] = s / a[i][i];
	}
	return BMS_OK;
}

/* p = lo + (hi - lo) / (1 + exp(-u)) */
static bms_real to_p(int linear, bms_real u, bms_real lo, bms_real hi)
{
	if (linear)
		return u < lo ? lo : (u > hi ? hi : u);
	if (u > BMS_R(60.0))
		u = BMS_R(60.0);
	if (u < BMS_R(-60.0))
		u = BMS_R(-60.0);
	return lo + (hi - lo) / (BMS_R(1.0) + BMS_EXP(-u));
}

static bms_real to_u(int linear, bms_real p, bms_real lo, bms_real hi)
{
	if (linear)
		return p < lo ? lo : (p > hi ? hi : p);
	/* a start on a bound is moved just inside it */
	bms_real span = hi - lo;
	if (!(p > lo))
		p = lo + span * BMS_R(1e-6) * BMS_R(1e-6);
	if (!(p < hi))
		p = hi - span * BMS_R(1e-6) * BMS_R(1e-6);
	return BMS_LOG((p - lo) / (hi - p));
}

struct lm_prob {
	const struct bms_circuit *c;
	const bms_real *f, *lo, *hi;
	const struct bms_cplx *z;
	int n, np, weight, linear;
};

static void u_to_p(const struct lm_prob *pr, const bms_real *u, bms_real *p)
{
	for (int k = 0; k < pr->np; k++)
		p[k] = to_p(pr->linear, u[k], pr->lo[k], pr->hi[k]);
}

static int cost(const struct lm_prob *pr, const bms_real *u, bms_real *ssr)
{
	bms_real p[BMS_MAX_PARAMS];
	u_to_p(pr, u, p);
	return bms_circuit_ssr(pr->c, p, pr->f, pr->z, pr->n, pr->weight, ssr);
}

/* J^T J and J^T r in u (in_p = 0) or in p (in_p = 1), one frequency at a time. */
static int normal_eq(const struct lm_prob *pr, const bms_real *u,
		     bms_real jtj[BMS_MAX_PARAMS][BMS_MAX_PARAMS], bms_real *jtr, int in_p)
{
	bms_real p[BMS_MAX_PARAMS], pk[BMS_MAX_PARAMS], h[BMS_MAX_PARAMS];
	bms_real step = BMS_SQRT(BMS_EPS);
	int np = pr->np;
	u_to_p(pr, u, p);
	for (int k = 0; k < np; k++) {
		jtr[k] = BMS_R(0.0);
		for (int l = 0; l < np; l++)
			jtj[k][l] = BMS_R(0.0);
		h[k] = pr->linear ? step * (BMS_FABS(u[k]) + step)
				  : step * (BMS_R(1.0) + BMS_FABS(u[k]));
		if (pr->linear && u[k] + h[k] > pr->hi[k])
			h[k] = -h[k]; /* at the upper bound: step inwards */
	}
	for (int i = 0; i < pr->n; i++) {
		struct bms_cplx z0, zk;
		bms_real jr[BMS_MAX_PARAMS], ji[BMS_MAX_PARAMS], wr, wi;
		int rc = bms_circuit_eval(pr->c, p, pr->f[i], &z0);
		if (rc != BMS_OK)
			return rc;
		weights(&pr->z[i], pr->weight, &wr, &wi);
		for (int k = 0; k < np; k++) {
			for (int l = 0; l < np; l++)
				pk[l] = p[l];
			bms_real uk = u[k] + h[k];
			pk[k] = to_p(pr->linear, uk, pr->lo[k], pr->hi[k]);
			bms_real dp = pk[k] - p[k];
			if (dp == BMS_R(0.0)) {
				jr[k] = ji[k] = BMS_R(0.0);
				continue;
			}
			rc = bms_circuit_eval(pr->c, pk, pr->f[i], &zk);
			if (rc != BMS_OK)
				return rc;
			bms_real den = in_p ? dp : h[k];
			jr[k] = wr * (zk.re - z0.re) / den;
			ji[k] = wi * (zk.im - z0.im) / den;
		}
		bms_real rr = wr * (z0.re - pr->z[i].re), ri = wi * (z0.im - pr->z[i].im);
		for (int k = 0; k < np; k++) {
			jtr[k] += jr[k] * rr + ji[k] * ri;
			for (int l = 0; l <= k; l++)
				jtj[k][l] += jr[k] * jr[l] + ji[k] * ji[l];
		}
	}
	for (int k = 0; k < np; k++)
		for (int l = k + 1; l < np; l++)
			jtj[k][l] = jtj[l][k];
	for (int k = 0; k < np; k++)
		if (!bms_finite(jtr[k]))
			return BMS_ERR_NONFINITE;
	return BMS_OK;
}

static void uncertainties(const struct lm_prob *pr, const bms_real *u, bms_real ssr,
			  bms_real *sigma)
{
	bms_real jtj[BMS_MAX_PARAMS][BMS_MAX_PARAMS], a[BMS_MAX_PARAMS][BMS_MAX_PARAMS];
	bms_real jtr[BMS_MAX_PARAMS], col[BMS_MAX_PARAMS];
	int np = pr->np, dof = 2 * pr->n - np;
	for (int k = 0; k < np; k++)
		sigma[k] = BMS_R(-1.0);
	if (dof <= 0 || normal_eq(pr, u, jtj, jtr, 1) != BMS_OK)
		return;
	bms_real s2 = ssr / (bms_real)dof;
	for (int k = 0; k < np; k++) {
		/* column k of the inverse: solve (J^T J) x = e_k */
		for (int i = 0; i < np; i++) {
			col[i] = i == k ? BMS_R(1.0) : BMS_R(0.0);
			for (int l = 0; l < np; l++)
				a[i][l] = jtj[i][l];
		}
		if (bms_chol_solve(a, col, np) != BMS_OK)
			return;
		if (col[k] >= BMS_R(0.0))
			sigma[k] = BMS_SQRT(col[k] * s2);
	}
}

int bms_lm_fit(const struct bms_circuit *c, const bms_real *f_hz, const struct bms_cplx *z, int n,
	       const bms_real *p0, const bms_real *lo, const bms_real *hi,
	       const struct bms_lm_cfg *cfg, struct bms_lm_result *out)
{
	struct bms_lm_cfg defcfg;
	if (!cfg) {
		bms_lm_default_cfg(&defcfg);
		cfg = &defcfg;
	}
	int rc = bms_circuit_check(c);
	if (rc != BMS_OK)
		return rc;
	if (!p0 || !lo || !hi || !out || cfg->max_iter < 1 || cfg->max_iter > BMS_LM_MAX_ITER)
		return BMS_ERR_ARG;
	rc = bms_spectrum_check(f_hz, z, n);
	if (rc != BMS_OK)
		return rc;
	int np = c->n_params;
	if (2 * n < np)
		return BMS_ERR_FEW;
	for (int k = 0; k < np; k++)
		if (!bms_finite(p0[k]) || !bms_finite(lo[k]) || !bms_finite(hi[k]) ||
		    !(lo[k] < hi[k]))
			return BMS_ERR_ARG;

	struct lm_prob pr = {c, f_hz, lo, hi, z, n, np, cfg->weight, cfg->linear};
	bms_real u[BMS_MAX_PARAMS], un[BMS_MAX_PARAMS], g[BMS_MAX_PARAMS], d[BMS_MAX_PARAMS];
	bms_real jtj[BMS_MAX_PARAMS][BMS_MAX_PARAMS], a[BMS_MAX_PARAMS][BMS_MAX_PARAMS];
	for (int k = 0; k < np; k++)
		u[k] = to_u(pr.linear, p0[k], lo[k], hi[k]);
	bms_real ssr, lambda = BMS_R(1e-3);
	rc = cost(&pr, u, &ssr);
	if (rc != BMS_OK)
		return rc;
	int it, converged = 0;
	for (it = 0; it < cfg->max_iter && !converged; it++) {
		rc = normal_eq(&pr, u, jtj, g, 0);
		if (rc != BMS_OK)
			return rc;
		int accepted = 0;
		for (int inner = 0; inner < LM_INNER_MAX && !accepted; inner++) {
			for (int i = 0; i < np; i++) {
				for (int l = 0; l < np; l++)
					a[i][l] = jtj[i][l];
				bms_real dg = jtj[i][i] > BMS_R(1e-30) ? jtj[i][i] : BMS_R(1e-30);
				a[i][i] += lambda * dg;
				d[i] = -g[i];
			}
			if (bms_chol_solve(a, d, np) != BMS_OK) {
				lambda *= BMS_R(10.0);
				continue;
			}
			bms_real ssr_new, dmax = BMS_R(0.0), big = BMS_R(0.0);
			/* At most LM_MAX_STEP in any transformed parameter (a factor
			 * of e^2 in p away from the bounds): long jumps in log space
			 * land on the saturated ends of the logistic and stay there. */
			for (int k = 0; k < np; k++)
				if (BMS_FABS(d[k]) > big)
					big = BMS_FABS(d[k]);
			if (!pr.linear && big > LM_MAX_STEP)
				for (int k = 0; k < np; k++)
					d[k] *= LM_MAX_STEP / big;
			for (int k = 0; k < np; k++) {
				un[k] = pr.linear ? to_u(1, u[k] + d[k], lo[k], hi[k])
						  : u[k] + d[k];
				bms_real ad = BMS_FABS(d[k]) / (BMS_R(1.0) + BMS_FABS(u[k]));
				if (ad > dmax)
					dmax = ad;
			}
			if (cost(&pr, un, &ssr_new) == BMS_OK && ssr_new <= ssr) {
				bms_real rel =
					ssr > BMS_R(0.0) ? (ssr - ssr_new) / ssr : BMS_R(0.0);
				for (int k = 0; k < np; k++)
					u[k] = un[k];
				ssr = ssr_new;
				accepted = 1;
				lambda *= BMS_R(0.3);
				if (lambda < BMS_R(1e-12))
					lambda = BMS_R(1e-12);
				if (rel < cfg->ftol || dmax < cfg->xtol || ssr == BMS_R(0.0))
					converged = 1;
			} else {
				lambda *= BMS_R(4.0);
			}
		}
		/* No step lowers the cost even with heavy damping: a minimum. */
		if (!accepted)
			converged = 1;
	}
	u_to_p(&pr, u, out->p);
	out->ssr = ssr;
	out->iterations = it;
	out->converged = converged;
	bms_circuit_ssr(c, out->p, f_hz, z, n, BMS_WEIGHT_UNIT, &out->ssr_unit);
	uncertainties(&pr, u, ssr, out->sigma);
	return converged ? BMS_OK : BMS_ERR_NOCONV;
}
