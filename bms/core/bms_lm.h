/* bms_lm: bounded, weighted Levenberg-Marquardt fit of a circuit to a spectrum.
 *
 * Each parameter lives in [lo, hi] through the logistic transform
 * u = log((p - lo) / (hi - p)), so steps never leave the bounds, or (cfg
 * linear) in p itself with each step clamped to the bounds. The
 * residual stacks real and imaginary differences (model minus data), each
 * multiplied by a weight: 1 (unit, impedance.py's default), 1/|Z| (modulus)
 * or 1/|Re Z| and 1/|Im Z| (proportional). J^T J and J^T r are accumulated
 * one frequency at a time, so memory is O(BMS_MAX_PARAMS^2) whatever the
 * number of points. Uncertainties are the square roots of the diagonal of
 * (J^T J)^-1 s^2, with s^2 = SSR / (2N - P), J taken in the parameters
 * themselves.
 */
#ifndef BMS_LM_H
#define BMS_LM_H

#include "bms_circuit.h"

enum bms_weight {
	BMS_WEIGHT_UNIT = 0,
	BMS_WEIGHT_MODULUS,
	BMS_WEIGHT_PROPORTIONAL
};

struct bms_lm_cfg {
	int max_iter;  /* <= BMS_LM_MAX_ITER */
	bms_real ftol; /* stop when the relative SSR decrease falls below this */
	bms_real xtol; /* or when the step in transformed parameters is this small */
	int weight;    /* enum bms_weight */
	int linear;    /* 1: step in p itself, clamped to [lo, hi] (as MINPACK-style
			* fitters do); 0: the logistic transform */
};

struct bms_lm_result {
	bms_real p[BMS_MAX_PARAMS];	/* best parameters */
	bms_real sigma[BMS_MAX_PARAMS]; /* standard errors; -1 when not available */
	bms_real ssr;			/* weighted sum of squared residuals */
	bms_real ssr_unit;		/* unweighted sum of squared residuals */
	int iterations;
	int converged;
};

/* Default configuration: 200 iterations, ftol 1e-10 (1e-6 in float), unit weights. */
void bms_lm_default_cfg(struct bms_lm_cfg *cfg);

/* Checks a spectrum: n within [1, BMS_MAX_FREQS], values finite, frequencies
 * positive, distinct and strictly monotonic (either direction). */
int bms_spectrum_check(const bms_real *f_hz, const struct bms_cplx *z, int n);

/* Weighted/unweighted SSR of circuit c with parameters p against the data. */
int bms_circuit_ssr(const struct bms_circuit *c, const bms_real *p, const bms_real *f_hz,
		    const struct bms_cplx *z, int n, int weight, bms_real *ssr);

/* Fits c to (f_hz, z), n points, from p0 within [lo, hi] (lo < p0 < hi is
 * enforced by moving p0 inside). Returns BMS_OK, or BMS_ERR_NOCONV with the
 * best point so far in out, or another error. */
int bms_lm_fit(const struct bms_circuit *c, const bms_real *f_hz, const struct bms_cplx *z, int n,
	       const bms_real *p0, const bms_real *lo, const bms_real *hi,
	       const struct bms_lm_cfg *cfg, struct bms_lm_result *out);

/* Cholesky solve of the n x n symmetric positive definite a (row-major,
 * stride BMS_MAX_PARAMS, overwritten) with b -> x (in place). */
int bms_chol_solve(bms_real a[BMS_MAX_PARAMS][BMS_MAX_PARAMS], bms_real *b, int n);

#endif /* BMS_LM_H */
