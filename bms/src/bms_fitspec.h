/* bms_fitspec: the host's side of fitting a measured spectrum: converts a
 * bms_spectrum to the core's arrays (at most BMS_MAX_FREQS points), checks
 * it, runs the core's LM fit with a circuit string's default start and
 * bounds, and turns core error codes into messages that name the input.
 */
#ifndef BMS_FITSPEC_H
#define BMS_FITSPEC_H

#include <stddef.h>

#include "bms_cstr.h"
#include "bms_eisio.h"
#include "bms_lm.h"

struct bms_fit_opts {
	int weight; /* enum bms_weight */
	int linear; /* 1: LM steps in the parameters themselves, clamped */
	int max_iter;
	int have_p0;	/* 1: use p0 below instead of the defaults */
	int multistart; /* 1: also start from the time-scale parameters (C, T,
			 * CPE Q) scaled by 10^-3..10^1, each of up to three
			 * of them on its own factor, and keep the best */
	double p0[BMS_MAX_PARAMS];
};

struct bms_fit_out {
	struct bms_lm_result lm;
	double rmse_ohm; /* sqrt(ssr_unit / (2 n)) */
	int starts;	 /* starting points tried */
};

/* Fits circuit cs to spectrum sp. Returns 0, or -1 with a message in err. */
int bms_fit_spectrum(const struct bms_cstr *cs, const struct bms_spectrum *sp,
		     const struct bms_fit_opts *opts, struct bms_fit_out *out, char *err,
		     size_t errlen);

/* Unweighted SSR (impedance.py's residual) of circuit cs with parameters p. */
int bms_spectrum_ssr(const struct bms_cstr *cs, const double *p, const struct bms_spectrum *sp,
		     double *ssr, char *err, size_t errlen);

#endif /* BMS_FITSPEC_H */
