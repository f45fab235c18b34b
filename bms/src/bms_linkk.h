/* bms_linkk: the Lin-KK validity test of a measured spectrum (Schoenleber
 * et al., 2014). A series of M RC elements with time constants spaced
 * evenly in log between 1/w_max and 1/w_min, plus a series resistance, a
 * series capacitance and an inductance, is fitted to the spectrum by
 * linear least squares weighted by 1/|Z|; every such series obeys the
 * Kramers-Kronig relations, so large residuals mark data that do not
 * (drift, nonlinearity, a cell that changed during the sweep). M grows from
 * 3 until the share of negative resistances, mu = 1 - sum|R<0| / sum|R>=0|,
 * falls below 0.85 (or M reaches the cap).
 */
#ifndef BMS_LINKK_H
#define BMS_LINKK_H

#include <stddef.h>

#include "bms_eisio.h"

#define BMS_LINKK_MAX_M 40

struct bms_linkk {
	int m; /* RC elements used */
	double mu;
	double *res_re; /* (Z - Zfit) / |Z|, per point (caller frees with bms_linkk_free) */
	double *res_im;
	double max_abs_res; /* over both parts */
	double rms_res;
};

int bms_linkk_run(const struct bms_spectrum *sp, struct bms_linkk *out, char *err, size_t errlen);
void bms_linkk_free(struct bms_linkk *lk);

#endif /* BMS_LINKK_H */
