/* bms_closed: closed-form identification of the Randles-type ECM
 * R0 - p(R1, C1) - W from impedance at three (or four) frequencies, after the
 * idea of arXiv 2402.07777: R0 from the highest frequency, the RC pair from a
 * middle one, the Warburg from the lowest. The derivation is in docs/bms.md.
 *
 * With Z(w) = R0 + R1/(1 + j w tau) + sigma (1 - j)/sqrt(w), tau = R1 C1:
 *   (low)    sigma = sqrt(wl) (-Im Z(wl) - R1 wl tau / (1 + (wl tau)^2))
 *   (high)   R0 = Re Z(wh) - sigma/sqrt(wh) - R1 / (1 + (wh tau)^2)
 *   (middle) Y = 1 / (Z(wm) - R0 - sigma (1 - j)/sqrt(wm)); R1 = 1/Re Y, C1 = Im Y / wm
 * Four real equations in four unknowns. Starting from R1 = tau = 0 the three
 * lines are applied in turn BMS_CLOSED_PASSES times (each pass only corrects
 * the small cross terms, so the fixed point is reached in a few passes when
 * the frequencies are a decade or more apart). A fourth, lower frequency
 * makes the Warburg finite, a transmissive Ws(R, T) = R g(w, T) with
 * g = tanh(sqrt(j w T)) / sqrt(j w T): the same three lines with g in place
 * of the semi-infinite shape, plus T from the phase of the Warburg part
 * left at the fourth frequency (arg g falls monotonically from 0 to -pi/4
 * as w T grows; bisection). The result keeps sigma = R / sqrt(2 T), the
 * coefficient of Ws's semi-infinite limit, and tw_s = T.
 */
#ifndef BMS_CLOSED_H
#define BMS_CLOSED_H

#include "bms_cplx.h"

#define BMS_CLOSED_PASSES  12
#define BMS_CLOSED_PASSES4 30 /* passes of the four-point fixed point */
#define BMS_CLOSED_BISECT  50 /* bisection steps for T */

struct bms_randles {
	bms_real r0_ohm;
	bms_real r1_ohm;
	bms_real c1_F;
	bms_real sigma_ohm_rts; /* Warburg coefficient A_W, Ohm s^-1/2 */
	bms_real tw_s;		/* diffusion time of the finite Warburg; 0: semi-infinite */
};

/* f_hz: n = 3 or 4 frequencies, strictly decreasing (high, middle, low[,
 * lowest]); z: the impedance at each. */
int bms_closed_fit(const bms_real *f_hz, const struct bms_cplx *z, int n, struct bms_randles *out);

#endif /* BMS_CLOSED_H */
