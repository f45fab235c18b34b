/* bms_imp: Goertzel and lock-in detection, drift and window handling, the
 * block-spread quality figure, and the multi-sine excitation.
 */
#include "bms_imp.h"

#include <stddef.h>

int bms_trend(const bms_real *x, int n, int period, bms_real *a, bms_real *b)
{
	if (!x || !a || !b || period < 1 || n < 2 * period)
		return BMS_ERR_ARG;
	bms_real s0 = BMS_R(0.0), s1 = BMS_R(0.0);
	for (int k = 0; k < period; k++) {
		s0 += x[k];
		s1 += x[n - period + k];
	}
	s0 /= (bms_real)period;
	s1 /= (bms_real)period;
	/* the means sit at the centres of the two periods */
	bms_real c0 = (bms_real)(period - 1) * BMS_R(0.5);
	bms_real c1 = (bms_real)(n - period) + c0;
	*b = (s1 - s0) / (c1 - c0);
	*a = s0 - *b * c0;
	return BMS_OK;
}

int bms_phasor(const bms_real *x, int n, bms_real nu, int detector, int hann, bms_real trend_a,
	       bms_real trend_b, struct bms_cplx *out)
{
	if (!x || !out || n < 2 || !(nu > BMS_R(0.0)) || !(nu < BMS_R(0.5)))
		return BMS_ERR_ARG;
	bms_real wsum = BMS_R(0.0);
	bms_real wn = BMS_R(2.0) * BMS_PI / (bms_real)n;
	bms_real om = BMS_R(2.0) * BMS_PI * nu;
	if (detector == BMS_DETECT_GOERTZEL) {
		bms_real coeff = BMS_R(2.0) * BMS_COS(om), s1 = BMS_R(0.0), s2 = BMS_R(0.0);
		for (int k = 0; k < n; k++) {
			bms_real w = hann ? BMS_R(0.5) - BMS_R(0.5) * BMS_COS(wn * (bms_real)k)
					  : BMS_R(1.0);
			bms_real s0 =
				w * (x[k] - trend_a - trend_b * (bms_real)k) + coeff * s1 - s2;
			s2 = s1;
			s1 = s0;
			wsum += w;
		}
		/* sum x e^{-j om k} = e^{-j om (n-1)} (s1 - e^{-j om} s2) */
		struct bms_cplx y = bms_c(s1 - BMS_COS(om) * s2, BMS_SIN(om) * s2);
		bms_real ph = -om * (bms_real)(n - 1);
		y = bms_cmul(y, bms_c(BMS_COS(ph), BMS_SIN(ph)));
		*out = bms_cscale(y, BMS_R(2.0) / wsum);
		return BMS_OK;
	}
	if (detector != BMS_DETECT_LOCKIN)
		return BMS_ERR_ARG;
	bms_real sc = BMS_R(0.0), ss = BMS_R(0.0), ph = BMS_R(0.0);
	for (int k = 0; k < n; k++) {
		bms_real w =
			hann ? BMS_R(0.5) - BMS_R(0.5) * BMS_COS(wn * (bms_real)k) : BMS_R(1.0);
		bms_real xv = w * (x[k] - trend_a - trend_b * (bms_real)k);
		bms_real arg = BMS_R(2.0) * BMS_PI * ph;
		sc += xv * BMS_COS(arg);
		ss += xv * BMS_SIN(arg);
		wsum += w;
		ph += nu; /* phase in cycles, wrapped so float keeps its precision */
		if (ph >= BMS_R(1.0))
			ph -= BMS_R(1.0);
	}
	*out = bms_c(BMS_R(2.0) * sc / wsum, BMS_R(-2.0) * ss / wsum);
	return BMS_OK;
}

static int block_z(const bms_real *i_A, const bms_real *v_V, int n, bms_real nu,
		   const struct bms_imp_cfg *cfg, int period, struct bms_cplx *z, bms_real *ia,
		   bms_real *va)
{
	bms_real ai = BMS_R(0.0), bi = BMS_R(0.0), av = BMS_R(0.0), bv = BMS_R(0.0);
	struct bms_cplx pi, pv;
	if (cfg->detrend && period > 0 && n >= 2 * period) {
		bms_trend(i_A, n, period, &ai, &bi);
		bms_trend(v_V, n, period, &av, &bv);
	}
	int rc = bms_phasor(i_A, n, nu, cfg->detector, cfg->hann, ai, bi, &pi);
	if (rc == BMS_OK)
		rc = bms_phasor(v_V, n, nu, cfg->detector, cfg->hann, av, bv, &pv);
	if (rc != BMS_OK)
		return rc;
	if (bms_cabs(pi) <= BMS_R(0.0))
		return BMS_ERR_SINGULAR;
	*z = bms_cdiv(pv, pi);
	if (ia)
		*ia = bms_cabs(pi);
	if (va)
		*va = bms_cabs(pv);
	return BMS_OK;
}

int bms_imp_measure(const bms_real *i_A, const bms_real *v_V, int n, bms_real fs_hz,
		    const bms_real *f_hz, int nf, const struct bms_imp_cfg *cfg,
		    struct bms_imp_point *out)
{
	if (!i_A || !v_V || !f_hz || !cfg || !out || nf < 1 || nf > BMS_MAX_FREQS ||
	    !(fs_hz > BMS_R(0.0)) || cfg->settle_samples < 0 || cfg->blocks < 1 || cfg->blocks > 8)
		return BMS_ERR_ARG;
	int m = n - cfg->settle_samples;
	if (m < 4 * cfg->blocks)
		return BMS_ERR_FEW;
	const bms_real *ib = i_A + cfg->settle_samples, *vb = v_V + cfg->settle_samples;
	for (int j = 0; j < nf; j++) {
		bms_real nu = f_hz[j] / fs_hz;
		struct bms_imp_point *pt = &out[j];
		pt->f_hz = f_hz[j];
		int rc = block_z(ib, vb, m, nu, cfg, cfg->period_samples, &pt->z_ohm, &pt->i_amp_A,
				 &pt->v_amp_V);
		if (rc != BMS_OK)
			return rc;
		pt->rel_err = BMS_R(0.0);
		pt->snr_db = BMS_R(0.0);
		if (cfg->blocks < 2)
			continue;
		int len = m / cfg->blocks;
		bms_real mag = bms_cabs(pt->z_ohm), var = BMS_R(0.0);
		int period = cfg->period_samples > 0 && len >= 2 * cfg->period_samples
				     ? cfg->period_samples
				     : 0;
		for (int b = 0; b < cfg->blocks; b++) {
			struct bms_cplx zb;
			rc = block_z(ib + (ptrdiff_t)b * len, vb + (ptrdiff_t)b * len, len, nu, cfg,
				     period, &zb, 0, 0);
			if (rc != BMS_OK)
				return rc;
			struct bms_cplx d = bms_csub(zb, pt->z_ohm);
			var += d.re * d.re + d.im * d.im;
		}
		var /= (bms_real)(cfg->blocks - 1);
		pt->rel_err = BMS_SQRT(var / (bms_real)cfg->blocks) / (mag > 0 ? mag : BMS_R(1.0));
		pt->snr_db = pt->rel_err > BMS_R(0.0)
				     ? BMS_R(-20.0) * BMS_LOG(pt->rel_err) / BMS_LOG(BMS_R(10.0))
				     : BMS_R(200.0);
	}
	return BMS_OK;
}

int bms_stream_init(struct bms_stream *s, bms_real nu, int n_total, int period, int hann)
{
	if (!s || !(nu > BMS_R(0.0)) || !(nu < BMS_R(0.5)) || n_total < 2 || period < 0)
		return BMS_ERR_ARG;
	s->nu = nu;
	s->n_total = n_total;
	s->period = period;
	s->hann = hann;
	s->k = 0;
	s->ph = s->xr = s->xi = s->w0r = s->w0i = s->w1r = s->w1i = s->wsum = BMS_R(0.0);
	s->head = s->tail = BMS_R(0.0);
	return BMS_OK;
}

void bms_stream_push(struct bms_stream *s, bms_real x)
{
	if (!s || s->k >= s->n_total)
		return;
	int k = s->k;
	bms_real w = s->hann ? BMS_R(0.5) - BMS_R(0.5) * BMS_COS(BMS_R(2.0) * BMS_PI * (bms_real)k /
								 (bms_real)s->n_total)
			     : BMS_R(1.0);
	bms_real arg = BMS_R(2.0) * BMS_PI * s->ph;
	bms_real c = w * BMS_COS(arg), sn = w * BMS_SIN(arg);
	/* k about the record's centre keeps the k-weighted sums small in float */
	bms_real kc = (bms_real)k - BMS_R(0.5) * (bms_real)(s->n_total - 1);
	s->xr += x * c;
	s->xi += x * sn;
	s->w0r += c;
	s->w0i += sn;
	s->w1r += kc * c;
	s->w1i += kc * sn;
	s->wsum += w;
	if (k < s->period)
		s->head += x;
	if (k >= s->n_total - s->period)
		s->tail += x;
	s->ph += s->nu;
	if (s->ph >= BMS_R(1.0))
		s->ph -= BMS_R(1.0);
	s->k++;
}

int bms_stream_phasor(const struct bms_stream *s, int detrend, struct bms_cplx *out)
{
	if (!s || !out || s->k != s->n_total || !(s->wsum > BMS_R(0.0)))
		return BMS_ERR_ARG;
	bms_real sr = s->xr, si = s->xi;
	if (detrend) {
		if (s->period < 1 || s->n_total < 2 * s->period)
			return BMS_ERR_ARG;
		/* trend a + b kc from the period means, as bms_trend does */
		bms_real p = (bms_real)s->period;
		bms_real m0 = s->head / p, m1 = s->tail / p;
		bms_real c0 =
			(p - BMS_R(1.0)) * BMS_R(0.5) - BMS_R(0.5) * (bms_real)(s->n_total - 1);
		bms_real c1 = c0 + (bms_real)(s->n_total - s->period);
		bms_real b = (m1 - m0) / (c1 - c0), a = m0 - b * c0;
		sr -= a * s->w0r + b * s->w1r;
		si -= a * s->w0i + b * s->w1i;
	}
	*out = bms_c(BMS_R(2.0) * sr / s->wsum, BMS_R(-2.0) * si / s->wsum);
	return BMS_OK;
}

int bms_multisine_init(struct bms_multisine *ms, const bms_real *f_hz, int n, bms_real amp_A)
{
	if (!ms || !f_hz || n < 1 || n > BMS_MAX_TONES)
		return BMS_ERR_ARG;
	ms->n = n;
	for (int k = 0; k < n; k++) {
		ms->f_hz[k] = f_hz[k];
		ms->amp_A[k] = amp_A / (bms_real)n;
		/* Schroeder: phi_k = -pi k (k - 1) / n */
		ms->phase_rad[k] = -BMS_PI * (bms_real)(k * (k + 1)) / (bms_real)n;
	}
	return BMS_OK;
}

bms_real bms_multisine_value(const struct bms_multisine *ms, bms_real t_s)
{
	bms_real s = BMS_R(0.0);
	if (!ms)
		return s;
	for (int k = 0; k < ms->n && k < BMS_MAX_TONES; k++)
		s += ms->amp_A[k] *
		     BMS_SIN(BMS_R(2.0) * BMS_PI * ms->f_hz[k] * t_s + ms->phase_rad[k]);
	return s;
}
