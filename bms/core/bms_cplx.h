/* bms_cplx: complex arithmetic on bms_real for the core.
 *
 * A two-field struct rather than C99 _Complex so that float and double
 * builds behave the same on every toolchain and nothing pulls libm's complex
 * functions into a microcontroller image. All functions are static inline.
 */
#ifndef BMS_CPLX_H
#define BMS_CPLX_H

#include "bms_cfg.h"

struct bms_cplx {
	bms_real re;
	bms_real im;
};

static inline struct bms_cplx bms_c(bms_real re, bms_real im)
{
	struct bms_cplx z = {re, im};
	return z;
}

static inline struct bms_cplx bms_cadd(struct bms_cplx a, struct bms_cplx b)
{
	return bms_c(a.re + b.re, a.im + b.im);
}

static inline struct bms_cplx bms_csub(struct bms_cplx a, struct bms_cplx b)
{
	return bms_c(a.re - b.re, a.im - b.im);
}

static inline struct bms_cplx bms_cmul(struct bms_cplx a, struct bms_cplx b)
{
	return bms_c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
}

static inline struct bms_cplx bms_cscale(struct bms_cplx a, bms_real s)
{
	return bms_c(a.re * s, a.im * s);
}

static inline bms_real bms_cabs(struct bms_cplx a)
{
	return BMS_HYPOT(a.re, a.im);
}

/* a / b, scaled to avoid overflow (Smith's method). */
static inline struct bms_cplx bms_cdiv(struct bms_cplx a, struct bms_cplx b)
{
	if (BMS_FABS(b.re) >= BMS_FABS(b.im)) {
		bms_real r = b.im / b.re, d = b.re + b.im * r;
		return bms_c((a.re + a.im * r) / d, (a.im - a.re * r) / d);
	}
	bms_real r = b.re / b.im, d = b.re * r + b.im;
	return bms_c((a.re * r + a.im) / d, (a.im * r - a.re) / d);
}

static inline struct bms_cplx bms_cinv(struct bms_cplx b)
{
	return bms_cdiv(bms_c(BMS_R(1.0), BMS_R(0.0)), b);
}

/* Principal square root. */
static inline struct bms_cplx bms_csqrt(struct bms_cplx z)
{
	bms_real r = bms_cabs(z);
	if (r == BMS_R(0.0))
		return bms_c(BMS_R(0.0), BMS_R(0.0));
	if (z.re >= BMS_R(0.0)) {
		bms_real t = BMS_SQRT(BMS_R(0.5) * (r + z.re));
		return bms_c(t, z.im / (BMS_R(2.0) * t));
	}
	bms_real t = BMS_SQRT(BMS_R(0.5) * (r - z.re));
	if (z.im < BMS_R(0.0))
		t = -t;
	return bms_c(z.im / (BMS_R(2.0) * t), t);
}

/* tanh(x + iy) = (sinh 2x + i sin 2y) / (cosh 2x + cos 2y); saturates for
 * large |x| where the exact value is 1 to working precision. */
static inline struct bms_cplx bms_ctanh(struct bms_cplx z)
{
	if (z.re > BMS_R(18.0))
		return bms_c(BMS_R(1.0), BMS_R(0.0));
	if (z.re < BMS_R(-18.0))
		return bms_c(BMS_R(-1.0), BMS_R(0.0));
	bms_real e = BMS_EXP(BMS_R(2.0) * z.re), ei = BMS_R(1.0) / e;
	bms_real sh = BMS_R(0.5) * (e - ei), ch = BMS_R(0.5) * (e + ei);
	bms_real d = ch + BMS_COS(BMS_R(2.0) * z.im);
	return bms_c(sh / d, BMS_SIN(BMS_R(2.0) * z.im) / d);
}

#endif /* BMS_CPLX_H */
