/* bms_closed: the three-frequency fixed point and the fourth-frequency
 * diffusion time (see bms_closed.h for the equations).
 */
#include "bms_closed.h"

/* Shape of the transmissive Warburg: Ws(R, T) = R g, g = tanh(x)/x, x = sqrt(j w T). */
static struct bms_cplx ws_shape(bms_real w, bms_real t)
{
	struct bms_cplx x = bms_csqrt(bms_c(BMS_R(0.0), w * t));
	return bms_cdiv(bms_ctanh(x), x);
}

/* T with arg g(w, T) = phase, by bisection on log(w T): the phase falls
 * monotonically from 0 (resistive, w T -> 0) to -pi/4 (semi-infinite).
 * Returns 0 when the phase is at or beyond -pi/4 (T not identifiable). */
static bms_real solve_t(bms_real w, bms_real phase)
{
	if (!(phase < BMS_R(0.0)) || phase <= -BMS_PI / BMS_R(4.0) + BMS_R(1e-4))
		return BMS_R(0.0);
	bms_real lo = BMS_R(-12.0), hi = BMS_R(14.0);
	for (int i = 0; i < BMS_CLOSED_BISECT; i++) {
		bms_real mid = BMS_R(0.5) * (lo + hi);
		struct bms_cplx g = ws_shape(w, BMS_EXP(mid) / w);
		if (BMS_ATAN2(g.im, g.re) > phase)
			lo = mid; /* not capacitive enough yet: larger T */
		else
			hi = mid;
	}
	return BMS_EXP(BMS_R(0.5) * (lo + hi)) / w;
}

/* The four-point fixed point: the three lines of the three-point fit with
 * the Warburg's shape R g(w, T) in place of sigma (1 - j)/sqrt(w), and T
 * from the phase of the Warburg part left at the lowest frequency. Starts
 * from the three-point (semi-infinite) solution in out; when the fourth
 * point still looks semi-infinite, that solution stands (tw_s = 0). */
static int four_point(const bms_real *f_hz, const struct bms_cplx *z, struct bms_randles *out)
{
	bms_real wh = BMS_R(2.0) * BMS_PI * f_hz[0], wm = BMS_R(2.0) * BMS_PI * f_hz[1];
	bms_real wl = BMS_R(2.0) * BMS_PI * f_hz[2], w4 = BMS_R(2.0) * BMS_PI * f_hz[3];
	bms_real r0 = out->r0_ohm, r1 = out->r1_ohm, tau = out->r1_ohm * out->c1_F;
	bms_real t = BMS_R(0.0), rw = BMS_R(0.0);
	for (int pass = 0; pass < BMS_CLOSED_PASSES4; pass++) {
		bms_real x4 = w4 * tau;
		struct bms_cplx zrc =
			bms_cscale(bms_c(BMS_R(1.0), -x4), r1 / (BMS_R(1.0) + x4 * x4));
		struct bms_cplx zw = bms_csub(bms_csub(z[3], bms_c(r0, BMS_R(0.0))), zrc);
		bms_real tn = solve_t(w4, BMS_ATAN2(zw.im, zw.re));
		if (!(tn > BMS_R(0.0)))
			return pass == 0 ? BMS_OK : BMS_ERR_RANGE; /* semi-infinite at w4 */
		t = tn;
		struct bms_cplx gl = ws_shape(wl, t), gh = ws_shape(wh, t), gm = ws_shape(wm, t);
		bms_real xl = wl * tau, xh = wh * tau;
		if (!(gl.im < BMS_R(0.0)))
			return BMS_ERR_RANGE;
		rw = (-z[2].im - r1 * xl / (BMS_R(1.0) + xl * xl)) / -gl.im;
		r0 = z[0].re - rw * gh.re - r1 / (BMS_R(1.0) + xh * xh);
		struct bms_cplx zr =
			bms_csub(bms_csub(z[1], bms_c(r0, BMS_R(0.0))), bms_cscale(gm, rw));
		if (bms_cabs(zr) <= BMS_R(0.0))
			return BMS_ERR_SINGULAR;
		struct bms_cplx y = bms_cinv(zr);
		if (!(y.re > BMS_R(0.0)) || !(y.im > BMS_R(0.0)))
			return BMS_ERR_RANGE;
		r1 = BMS_R(1.0) / y.re;
		tau = r1 * (y.im / wm);
	}
	if (!(r0 > BMS_R(0.0)) || !(rw > BMS_R(0.0)) || !bms_finite(tau) || !bms_finite(t))
		return BMS_ERR_RANGE;
	out->r0_ohm = r0;
	out->r1_ohm = r1;
	out->c1_F = tau / r1;
	out->sigma_ohm_rts = rw / BMS_SQRT(BMS_R(2.0) * t);
	out->tw_s = t;
	return BMS_OK;
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
	if (n == 4 && sigma > BMS_R(0.0))
		return four_point(f_hz, z, out);
	return BMS_OK;
}
