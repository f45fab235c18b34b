/* bms_fitspec: spectrum conversion, checks and the LM call with messages. */
#include "bms_fitspec.h"

#include <stdio.h>
#include <string.h>

static int to_core(const struct bms_spectrum *sp, bms_real *f, struct bms_cplx *z, char *err,
		   size_t errlen)
{
	if (!sp || sp->n == 0) {
		snprintf(err, errlen, "spectrum: no points");
		return -1;
	}
	if (sp->n > BMS_MAX_FREQS) {
		snprintf(err, errlen, "spectrum: %zu points, the core takes at most %d", sp->n,
			 BMS_MAX_FREQS);
		return -1;
	}
	for (size_t i = 0; i < sp->n; i++) {
		f[i] = (bms_real)sp->f_hz[i];
		z[i] = bms_c((bms_real)sp->zre_ohm[i], (bms_real)sp->zim_ohm[i]);
	}
	int rc = bms_spectrum_check(f, z, (int)sp->n);
	if (rc != BMS_OK) {
		snprintf(err, errlen, "spectrum: %s", bms_strerror(rc));
		return -1;
	}
	return 0;
}

int bms_spectrum_ssr(const struct bms_cstr *cs, const double *p, const struct bms_spectrum *sp,
		     double *ssr, char *err, size_t errlen)
{
	bms_real f[BMS_MAX_FREQS], pr[BMS_MAX_PARAMS], s;
	struct bms_cplx z[BMS_MAX_FREQS];
	if (to_core(sp, f, z, err, errlen))
		return -1;
	for (int k = 0; k < cs->circuit.n_params; k++)
		pr[k] = (bms_real)p[k];
	int rc = bms_circuit_ssr(&cs->circuit, pr, f, z, (int)sp->n, BMS_WEIGHT_UNIT, &s);
	if (rc != BMS_OK) {
		snprintf(err, errlen, "residual: %s", bms_strerror(rc));
		return -1;
	}
	*ssr = (double)s;
	return 0;
}

int bms_fit_spectrum(const struct bms_cstr *cs, const struct bms_spectrum *sp,
		     const struct bms_fit_opts *opts, struct bms_fit_out *out, char *err,
		     size_t errlen)
{
	bms_real f[BMS_MAX_FREQS], p0[BMS_MAX_PARAMS], lo[BMS_MAX_PARAMS], hi[BMS_MAX_PARAMS];
	struct bms_cplx z[BMS_MAX_FREQS];
	double d0[BMS_MAX_PARAMS], dlo[BMS_MAX_PARAMS], dhi[BMS_MAX_PARAMS];
	if (to_core(sp, f, z, err, errlen))
		return -1;
	int np = cs->circuit.n_params;
	if (2 * (int)sp->n < np + 1) {
		snprintf(err, errlen,
			 "spectrum: %zu points (%zu real values) are too few for %d parameters",
			 sp->n, 2 * sp->n, np);
		return -1;
	}
	bms_cstr_defaults(cs, d0, dlo, dhi);
	for (int k = 0; k < np; k++) {
		p0[k] = (bms_real)(opts && opts->have_p0 ? opts->p0[k] : d0[k]);
		lo[k] = (bms_real)dlo[k];
		hi[k] = (bms_real)dhi[k];
		if (!(p0[k] > lo[k] && p0[k] < hi[k])) {
			snprintf(err, errlen,
				 "initial value of %s (%g) is outside its bounds [%g, %g]",
				 cs->param_name[k], (double)p0[k], dlo[k], dhi[k]);
			return -1;
		}
	}
	struct bms_lm_cfg cfg;
	bms_lm_default_cfg(&cfg);
	if (opts) {
		cfg.weight = opts->weight;
		cfg.linear = opts->linear;
		if (opts->max_iter > 0)
			cfg.max_iter = opts->max_iter;
	}
	memset(out, 0, sizeof(*out));
	/* time-scale parameters: the ones a start is most often wrong about by decades */
	int ts[BMS_MAX_PARAMS], nts = 0;
	for (int e = 0; e < cs->n_elems; e++) {
		int k = cs->elem_param[e];
		switch (cs->elem_kind[e]) {
		case BMS_EL_C:
		case BMS_EL_CPE:
			ts[nts++] = k;
			break;
		case BMS_EL_WO:
		case BMS_EL_WS:
			ts[nts++] = k + 1;
			break;
		default:
			break;
		}
	}
	static const double factor[] = {1.0, 0.1, 0.01, 0.001, 10.0};
	int nfac = (int)(sizeof(factor) / sizeof(factor[0]));
	int dims = nts < 3 ? nts : 3, combos = 1;
	if (opts && opts->multistart)
		for (int d = 0; d < dims; d++)
			combos *= nfac;
	int have = 0, last_rc = BMS_OK;
	struct bms_lm_result best, cur;
	for (int c = 0; c < combos; c++) {
		bms_real ps[BMS_MAX_PARAMS];
		for (int k = 0; k < np; k++)
			ps[k] = p0[k];
		int code = c;
		for (int d = 0; d < nts; d++) {
			/* beyond three, the rest move with the third */
			int digit = d < dims ? code % nfac : (code / nfac) % nfac;
			if (d < dims)
				code /= nfac;
			bms_real v = ps[ts[d]] * (bms_real)factor[digit];
			if (v > lo[ts[d]] && v < hi[ts[d]])
				ps[ts[d]] = v;
		}
		int rc = bms_lm_fit(&cs->circuit, f, z, (int)sp->n, ps, lo, hi, &cfg, &cur);
		out->starts++;
		last_rc = rc;
		if (rc != BMS_OK && rc != BMS_ERR_NOCONV)
			continue;
		if (rc == BMS_OK && (!have || !best.converged || cur.ssr < best.ssr)) {
			best = cur;
			have = 1;
		} else if (rc == BMS_ERR_NOCONV && !have) {
			best = cur;
			have = 2;
		}
	}
	if (!have) {
		snprintf(err, errlen, "fit: %s", bms_strerror(last_rc));
		return -1;
	}
	out->lm = best;
	if (!best.converged) {
		snprintf(err, errlen,
			 "fit did not converge in %d iterations (residual %.4g); try other initial "
			 "values (--init) or a simpler circuit",
			 best.iterations, (double)best.ssr_unit);
		return -1;
	}
	out->rmse_ohm = sqrt((double)out->lm.ssr_unit / (2.0 * (double)sp->n));
	return 0;
}
