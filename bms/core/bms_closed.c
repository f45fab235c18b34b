/* bms_closed: the three-frequency fixed point and the fourth-frequency
 * diffusion time (see bms_closed.h for the equations).
 */
#include "bms_closed.h"

/* Principal complex logarithm. */
static struct bms_cplx c_log(struct bms_cplx z)
{
	return bms_c(BMS_LOG(bms_cabs(z)), BMS_ATAN2(z.im, z.re));
}

int bms_closed_fit(const bms_real *f_hz, const struct bms_cplx *z, int n, struct bms_randles *out)
{
	if (!f_hz || !z || !out || (n != 3 && n != 4))
		return BMS_ERR_ARG;
	for (int i = 0; i < n; i++) {
		if (!bms_finite(f_hz[i]) || !bms_finite(z[i].re) || !bms_finite(z[i].im))
			return BMS_ERR_NONFINITE;
		if (!(f_hz[i] > BMS_R(0.0)) || (i > 0 && !(f_hz[i] < f_hz[i - 1])))
			return BMS_ERR_FREQ;
	}
	bms_real wh = BMS_R(2.0) * BMS_PI * f_hz[0], wm = BMS_R(2.0) * BMS_PI * f_hz[1];
	bms_real wl = BMS_R(2.0) * BMS_PI * f_hz[2];
	bms_real r0 = BMS_R(0.0), r1 = BMS_R(0.0), tau = BMS_R(0.0), sigma = BMS_R(0.0);
	for (int pass = 0; pass < BMS_CLOSED_PASSES; pass++) {
		bms_real xl = wl * tau, xh = wh * tau;
		sigma = BMS_SQRT(wl) * (-z[2].im - r1 * xl / (BMS_R(1.0) + xl * xl));
		r0 = z[0].re - sigma / BMS_SQRT(wh) - r1 / (BMS_R(1.0) + xh * xh);
		bms_real sw = sigma / BMS_SQRT(wm);
		struct bms_cplx zrc = bms_c(z[1].re - r0 - sw, z[1].im + sw);
		if (bms_cabs(zrc) <= BMS_R(0.0))
			return BMS_ERR_SINGULAR;
		struct bms_cplx y = bms_cinv(zrc);
		if (!(y.re > BMS_R(0.0)) || !(y.im > BMS_R(0.0)))
			return BMS_ERR_RANGE; /* no RC arc at the middle frequency */
		r1 = BMS_R(1.0) / y.re;
		tau = r1 * (y.im / wm);
	}
	if (!(r0 > BMS_R(0.0)) || !(sigma >= BMS_R(0.0)) || !bms_finite(r0) || !bms_finite(tau))
		return BMS_ERR_RANGE;
	out->r0_ohm = r0;
	out->r1_ohm = r1;
	out->c1_F = tau / r1;
	out->sigma_ohm_rts = sigma;
	out->tw_s = BMS_R(0.0);
	if (n == 4 && sigma > BMS_R(0.0)) {
		bms_real w4 = BMS_R(2.0) * BMS_PI * f_hz[3], x4 = w4 * tau;
		struct bms_cplx zrc =
			bms_cscale(bms_c(BMS_R(1.0), -x4), r1 / (BMS_R(1.0) + x4 * x4));
		struct bms_cplx zw = bms_csub(bms_csub(z[3], bms_c(r0, BMS_R(0.0))), zrc);
		bms_real s = sigma / BMS_SQRT(w4);
		struct bms_cplx q = bms_cdiv(zw, bms_c(s, -s));
		/* atanh q = 0.5 log((1 + q) / (1 - q)); q near 1 means the Warburg is
		 * still semi-infinite at w4 and T cannot be told apart. */
		struct bms_cplx den = bms_c(BMS_R(1.0) - q.re, -q.im);
		if (bms_cabs(den) > BMS_R(1e-3)) {
			struct bms_cplx x = bms_cscale(
				c_log(bms_cdiv(bms_c(BMS_R(1.0) + q.re, q.im), den)), BMS_R(0.5));
			struct bms_cplx x2 = bms_cmul(x, x); /* = j w4 T */
			bms_real t = x2.im / w4;
			if (t > BMS_R(0.0) && bms_finite(t))
				out->tw_s = t;
		}
	}
	return BMS_OK;
}
