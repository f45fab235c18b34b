/* bms: the battery-management command line.
 *
 *   bms ecm ...       equivalent-circuit models from impedance (this file)
 *   bms coretemp ...  core temperature estimation (bms/src/coretemp_cli.h,
 *                     present when built with BMS_WITH_CORETEMP)
 * Every subcommand takes --help; results print as a table or, with --json,
 * as one JSON document on stdout; errors go to stderr with exit status 1
 * (2 for a usage error).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bms_cell.h"
#include "bms_closed.h"
#include "bms_cstr.h"
#include "bms_eisio.h"
#include "bms_fitspec.h"
#include "bms_linkk.h"
#include "bms_plant.h"
#include "bms_plot.h"
#include "bms_sim.h"
#include "bms_validate.h"

#ifdef BMS_WITH_CORETEMP
#include "coretemp_cli.h"
#endif

#define DEFAULT_CIRCUIT "R0-p(R1,C1)-p(R2-Wo1,C2)"

static const char *usage_top =
	"usage: bms <command> [options]\n"
	"\n"
	"commands:\n"
	"  ecm        equivalent-circuit models from impedance (fit, measure, simulate, ...)\n"
	"  coretemp   core temperature estimation (thermal models, neural estimator)\n"
	"\n"
	"Run 'bms <command> --help' for a command's options.\n";

static const char *usage_ecm =
	"usage: bms ecm <subcommand> [options]\n"
	"\n"
	"subcommands:\n"
	"  read FILE        parse an impedance file (any format in shared/data/eis)\n"
	"  fit FILE         fit an equivalent circuit to a spectrum (bounded, weighted LM)\n"
	"  linkk FILE       Lin-KK validity test of a spectrum\n"
	"  closed FILE      closed-form Randles fit from three or four points of a spectrum\n"
	"  measure          online impedance measurement on the simulated cell (plant)\n"
	"  simulate         cell voltage of an ECM under a current profile\n"
	"  validate         measure, fit and simulate across SoC and temperature\n"
	"  demo             fit exampleData.csv, then measure and model the plant briefly\n"
	"\n"
	"Run 'bms ecm <subcommand> --help' for options.\n";

static const char *usage_read = "usage: bms ecm read FILE [--json]\n"
				"Prints the points of FILE and the format found.\n";

static const char *usage_fit =
	"usage: bms ecm fit FILE [options]\n"
	"  --circuit STR     circuit string (default " DEFAULT_CIRCUIT ")\n"
	"  --init a,b,...    initial values, one per parameter (default: per element kind)\n"
	"  --weight W        unit (default, impedance.py's), modulus or proportional\n"
	"  --linear          LM steps in the parameters themselves (default: logistic transform)\n"
	"  --multistart      also start from time constants scaled by 1e-3..10; keep the best\n"
	"  --capacitive-only fit only the points with Im Z < 0 (says how many were left out)\n"
	"  --max-iter N      iteration limit (default 200, at most 500)\n"
	"  --json            JSON output\n"
	"  --plot FILE       Nyquist and Bode plot of data and fit (.png or .svg)\n";

static const char *usage_linkk = "usage: bms ecm linkk FILE [--json] [--plot FILE]\n"
				 "Lin-KK test: residuals (Z - Zfit)/|Z| per point.\n";

static const char *usage_closed =
	"usage: bms ecm closed FILE --freqs fh,fm,fl[,f4] [--json]\n"
	"Closed-form R0-p(R1,C1)-W fit from the points of FILE nearest to the given\n"
	"frequencies (high, middle, low, optional lowest for the diffusion time).\n";

static const char *usage_measure =
	"usage: bms ecm measure [options]\n"
	"  --data DIR        cell tables (default ../shared/data/cell)\n"
	"  --soc S           state of charge 0..1 (default 0.5)\n"
	"  --temp T          temperature, degC (default 25)\n"
	"  --freqs a,b,...   frequencies in Hz (default 2,0.005,0.001: the closed-form set)\n"
	"  --amp A           injected current amplitude (default 1 A)\n"
	"  --detector D      goertzel (default) or lockin\n"
	"  --no-window       rectangular window instead of Hann\n"
	"  --multisine       one record holding every tone (harmonics of the lowest)\n"
	"  --json            JSON output\n"
	"  --plot FILE       plot measured and true impedance\n"
	"With three or four frequencies, also prints the closed-form fit.\n";

static const char *usage_simulate =
	"usage: bms ecm simulate --circuit STR --params a,b,... [options]\n"
	"  --profile P       pulse (default), drive, or a CSV file of time_s,current_A\n"
	"                    (current > 0 charges)\n"
	"  --data DIR        cell tables for the OCV (default ../shared/data/cell)\n"
	"  --soc S           initial state of charge (default 0.5)\n"
	"  --capacity AH     capacity for coulomb counting (default 2.5)\n"
	"  --horizon S       diffusion time used for a semi-infinite W (default 600 s)\n"
	"  --dt S            step (default 0.1 s)\n"
	"  --every N         print every N-th step (default 10)\n"
	"  --plant           run the plant beside the model (at --soc and --temp) and\n"
	"                    report the voltage RMSE\n"
	"  --temp T          plant temperature, degC (default 25)\n"
	"  --plot FILE       voltage and current against time (.png or .svg)\n"
	"  --json            JSON output\n";

static const char *usage_validate =
	"usage: bms ecm validate [--data DIR] [--quick] [--json]\n"
	"Across SoC 10..90% and 0..45 degC: impedance measured on the plant against its\n"
	"true impedance, and the voltage RMSE of the closed-form and LM models under a\n"
	"pulse and a drive-cycle-like profile. Exit status 1 when a limit is missed\n"
	"(impedance error > 1%, RMSE > 3% of the terminal voltage).\n";

static int help_wanted(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
	fprintf(stderr, "bms: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	fputs(usage, stderr);
	return 2;
}

/* Parses a comma-separated list of numbers; returns the count or -1. */
static int parse_list(const char *s, double *out, int max)
{
	int n = 0;
	const char *p = s;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || n >= max || !isfinite(v))
			return -1;
		out[n++] = v;
		if (*end == ',')
			end++;
		else if (*end != '\0')
			return -1;
		p = end;
	}
	return n;
}

static int parse_num(const char *s, double *v)
{
	char *end;
	*v = strtod(s, &end);
	return end != s && *end == '\0' && isfinite(*v) ? 0 : -1;
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(8));
	if (s) {
		puts(s);
		free(s);
	}
	json_decref(j);
}

/* Model curve of circuit cs at 200 log-spaced frequencies over the data's range. */
static int model_curve(const struct bms_cstr *cs, const bms_real *p, const struct bms_spectrum *sp,
		       double *f, double *zr, double *zi)
{
	double fmin = sp->f_hz[0], fmax = sp->f_hz[0];
	for (size_t i = 0; i < sp->n; i++) {
		fmin = fmin < sp->f_hz[i] ? fmin : sp->f_hz[i];
		fmax = fmax > sp->f_hz[i] ? fmax : sp->f_hz[i];
	}
	for (int i = 0; i < 200; i++) {
		struct bms_cplx z;
		f[i] = fmin * pow(fmax / fmin, i / 199.0);
		if (bms_circuit_eval(&cs->circuit, p, (bms_real)f[i], &z))
			return -1;
		zr[i] = z.re;
		zi[i] = z.im;
	}
	return 0;
}

static int cmd_read(int argc, char **argv)
{
	const char *file = NULL;
	int json = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-')
			return usage_error(usage_read, "unknown option %s", argv[i]);
		else if (!file)
			file = argv[i];
		else
			return usage_error(usage_read, "unexpected argument %s", argv[i]);
	}
	if (!file)
		return usage_error(usage_read, "%s", "no FILE given");
	struct bms_spectrum sp;
	char err[512];
	if (bms_eis_read_file(file, &sp, err, sizeof(err))) {
		fprintf(stderr, "bms: %s\n", err);
		return 1;
	}
	size_t inductive = 0;
	for (size_t i = 0; i < sp.n; i++)
		inductive += sp.zim_ohm[i] > 0;
	if (json) {
		json_t *j = json_object(), *pts = json_array();
		json_object_set_new(j, "file", json_string(file));
		json_object_set_new(j, "format", json_string(sp.format));
		json_object_set_new(j, "points", json_integer((json_int_t)sp.n));
		json_object_set_new(j, "inductive_points", json_integer((json_int_t)inductive));
		if (sp.header_points >= 0)
			json_object_set_new(j, "header_points", json_integer(sp.header_points));
		if (sp.dc_rows)
			json_object_set_new(j, "dc_rows_skipped",
					    json_integer((json_int_t)sp.dc_rows));
		for (size_t i = 0; i < sp.n; i++)
			json_array_append_new(pts, json_pack("[f,f,f]", sp.f_hz[i], sp.zre_ohm[i],
							     sp.zim_ohm[i]));
		json_object_set_new(j, "data", pts);
		print_json(j);
	} else {
		printf("# %s: format %s, %zu points (%zu with Im Z > 0)", file, sp.format, sp.n,
		       inductive);
		if (sp.header_points >= 0)
			printf(", header announces %ld", sp.header_points);
		if (sp.dc_rows)
			printf(", %zu DC rows at 0 Hz skipped", sp.dc_rows);
		printf("\n# f_Hz\tRe_Ohm\tIm_Ohm\n");
		for (size_t i = 0; i < sp.n; i++)
			printf("%.6g\t%.6g\t%.6g\n", sp.f_hz[i], sp.zre_ohm[i], sp.zim_ohm[i]);
	}
	bms_spectrum_free(&sp);
	return 0;
}

static int cmd_fit(int argc, char **argv)
{
	const char *file = NULL, *circuit = DEFAULT_CIRCUIT, *plot = NULL, *init = NULL;
	int json = 0, cap_only = 0;
	struct bms_fit_opts fo = {0};
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--linear") == 0)
			fo.linear = 1;
		else if (strcmp(a, "--multistart") == 0)
			fo.multistart = 1;
		else if (strcmp(a, "--capacitive-only") == 0)
			cap_only = 1;
		else if (strcmp(a, "--circuit") == 0 && more)
			circuit = argv[++i];
		else if (strcmp(a, "--init") == 0 && more)
			init = argv[++i];
		else if (strcmp(a, "--plot") == 0 && more)
			plot = argv[++i];
		else if (strcmp(a, "--max-iter") == 0 && more) {
			fo.max_iter = atoi(argv[++i]);
			if (fo.max_iter < 1 || fo.max_iter > BMS_LM_MAX_ITER)
				return usage_error(usage_fit, "--max-iter must be 1..500, not %s",
						   argv[i]);
		} else if (strcmp(a, "--weight") == 0 && more) {
			const char *w = argv[++i];
			if (strcmp(w, "unit") == 0)
				fo.weight = BMS_WEIGHT_UNIT;
			else if (strcmp(w, "modulus") == 0)
				fo.weight = BMS_WEIGHT_MODULUS;
			else if (strcmp(w, "proportional") == 0)
				fo.weight = BMS_WEIGHT_PROPORTIONAL;
			else
				return usage_error(usage_fit, "unknown weight %s", w);
		} else if (a[0] == '-')
			return usage_error(usage_fit, "unknown or incomplete option %s", a);
		else if (!file)
			file = a;
		else
			return usage_error(usage_fit, "unexpected argument %s", a);
	}
	if (!file)
		return usage_error(usage_fit, "%s", "no FILE given");
	char err[512];
	struct bms_cstr cs;
	if (bms_cstr_parse(circuit, &cs, err, sizeof(err))) {
		fprintf(stderr, "bms: %s\n", err);
		return 1;
	}
	if (init) {
		int n = parse_list(init, fo.p0, BMS_MAX_PARAMS);
		if (n != cs.circuit.n_params) {
			fprintf(stderr, "bms: --init needs %d numbers for %s\n",
				cs.circuit.n_params, circuit);
			return 1;
		}
		fo.have_p0 = 1;
	}
	struct bms_spectrum sp;
	if (bms_eis_read_file(file, &sp, err, sizeof(err))) {
		fprintf(stderr, "bms: %s\n", err);
		return 1;
	}
	size_t dropped = 0;
	if (cap_only) {
		size_t m = 0;
		for (size_t i = 0; i < sp.n; i++)
			if (sp.zim_ohm[i] < 0) {
				sp.f_hz[m] = sp.f_hz[i];
				sp.zre_ohm[m] = sp.zre_ohm[i];
				sp.zim_ohm[m] = sp.zim_ohm[i];
				m++;
			}
		dropped = sp.n - m;
		sp.n = m;
		fprintf(stderr, "bms: --capacitive-only left out %zu points with Im Z >= 0\n",
			dropped);
	}
	struct bms_fit_out out;
	int rc = bms_fit_spectrum(&cs, &sp, &fo, &out, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "bms: %s: %s\n", file, err);
		bms_spectrum_free(&sp);
		return 1;
	}
	int np = cs.circuit.n_params;
	if (json) {
		json_t *j = json_object(), *ps = json_array();
		json_object_set_new(j, "file", json_string(file));
		json_object_set_new(j, "circuit", json_string(circuit));
		json_object_set_new(j, "points", json_integer((json_int_t)sp.n));
		json_object_set_new(j, "points_left_out", json_integer((json_int_t)dropped));
		for (int k = 0; k < np; k++) {
			json_t *o = json_object();
			json_object_set_new(o, "name", json_string(cs.param_name[k]));
			json_object_set_new(o, "value", json_real(out.lm.p[k]));
			json_object_set_new(o, "stderr",
					    out.lm.sigma[k] >= 0 ? json_real(out.lm.sigma[k])
								 : json_null());
			json_object_set_new(o, "unit", json_string(cs.param_unit[k]));
			json_array_append_new(ps, o);
		}
		json_object_set_new(j, "parameters", ps);
		json_object_set_new(j, "residual_ssr", json_real(out.lm.ssr_unit));
		json_object_set_new(j, "weighted_ssr", json_real(out.lm.ssr));
		json_object_set_new(j, "rmse_ohm", json_real(out.rmse_ohm));
		json_object_set_new(j, "iterations", json_integer(out.lm.iterations));
		json_object_set_new(j, "starts", json_integer(out.starts));
		print_json(j);
	} else {
		printf("# %s: %s, %zu points\n", file, circuit, sp.n);
		printf("%-10s %14s %14s  %s\n", "parameter", "value", "std.error", "unit");
		for (int k = 0; k < np; k++) {
			char se[32] = "n/a";
			if (out.lm.sigma[k] >= 0)
				snprintf(se, sizeof(se), "%.6g", (double)out.lm.sigma[k]);
			printf("%-10s %14.6g %14s  %s\n", cs.param_name[k], (double)out.lm.p[k], se,
			       cs.param_unit[k]);
		}
		printf("residual (sum of squared Re and Im differences): %.6e Ohm^2\n",
		       (double)out.lm.ssr_unit);
		printf("rmse: %.4g Ohm, iterations: %d, starts: %d\n", out.rmse_ohm,
		       out.lm.iterations, out.starts);
	}
	if (plot) {
		double f[200], zr[200], zi[200];
		model_curve(&cs, out.lm.p, &sp, f, zr, zi);
		struct bms_plot_series s[2] = {
			{sp.n, sp.f_hz, sp.zre_ohm, sp.zim_ohm, "data", 0},
			{200, f, zr, zi, circuit, 1},
		};
		if (bms_plot_spectra(plot, file, s, 2, err, sizeof(err))) {
			fprintf(stderr, "bms: %s\n", err);
			rc = 1;
		}
	}
	bms_spectrum_free(&sp);
	return rc ? 1 : 0;
}

static int cmd_linkk(int argc, char **argv)
{
	const char *file = NULL, *plot = NULL;
	int json = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--plot") == 0 && i + 1 < argc)
			plot = argv[++i];
		else if (argv[i][0] == '-')
			return usage_error(usage_linkk, "unknown or incomplete option %s", argv[i]);
		else if (!file)
			file = argv[i];
		else
			return usage_error(usage_linkk, "unexpected argument %s", argv[i]);
	}
	if (!file)
		return usage_error(usage_linkk, "%s", "no FILE given");
	char err[512];
	struct bms_spectrum sp;
	struct bms_linkk lk;
	if (bms_eis_read_file(file, &sp, err, sizeof(err)) ||
	    bms_linkk_run(&sp, &lk, err, sizeof(err))) {
		fprintf(stderr, "bms: %s\n", err);
		bms_spectrum_free(&sp);
		return 1;
	}
	if (json) {
		json_t *j = json_object(), *r = json_array();
		json_object_set_new(j, "file", json_string(file));
		json_object_set_new(j, "M", json_integer(lk.m));
		json_object_set_new(j, "mu", json_real(lk.mu));
		json_object_set_new(j, "max_abs_residual", json_real(lk.max_abs_res));
		json_object_set_new(j, "rms_residual", json_real(lk.rms_res));
		for (size_t i = 0; i < sp.n; i++)
			json_array_append_new(
				r, json_pack("[f,f,f]", sp.f_hz[i], lk.res_re[i], lk.res_im[i]));
		json_object_set_new(j, "residuals", r);
		print_json(j);
	} else {
		printf("# %s: Lin-KK with M = %d (mu = %.3f)\n# f_Hz\tres_re\tres_im\n", file, lk.m,
		       lk.mu);
		for (size_t i = 0; i < sp.n; i++)
			printf("%.6g\t%+.4f%%\t%+.4f%%\n", sp.f_hz[i], 100 * lk.res_re[i],
			       100 * lk.res_im[i]);
		printf("max |residual| %.4f%%, rms %.4f%%\n", 100 * lk.max_abs_res,
		       100 * lk.rms_res);
	}
	int rc = 0;
	if (plot) {
		size_t nb = (sp.n ? sp.n : 1) * sizeof(double);
		double *fr = malloc(nb), *fi = malloc(nb);
		if (fr && fi) {
			for (size_t i = 0; i < sp.n; i++) {
				double m = hypot(sp.zre_ohm[i], sp.zim_ohm[i]);
				fr[i] = sp.zre_ohm[i] - lk.res_re[i] * m;
				fi[i] = sp.zim_ohm[i] - lk.res_im[i] * m;
			}
			struct bms_plot_series s[2] = {
				{sp.n, sp.f_hz, sp.zre_ohm, sp.zim_ohm, "data", 0},
				{sp.n, sp.f_hz, fr, fi, "Lin-KK fit", 1},
			};
			rc = bms_plot_spectra(plot, file, s, 2, err, sizeof(err));
			if (rc)
				fprintf(stderr, "bms: %s\n", err);
		}
		free(fr);
		free(fi);
	}
	bms_linkk_free(&lk);
	bms_spectrum_free(&sp);
	return rc ? 1 : 0;
}

static void print_randles(const struct bms_randles *r, json_t *j)
{
	if (j) {
		json_object_set_new(j, "R0_ohm", json_real(r->r0_ohm));
		json_object_set_new(j, "R1_ohm", json_real(r->r1_ohm));
		json_object_set_new(j, "C1_F", json_real(r->c1_F));
		json_object_set_new(j, "sigma_ohm_per_sqrt_s", json_real(r->sigma_ohm_rts));
		json_object_set_new(j, "T_diffusion_s",
				    r->tw_s > 0 ? json_real(r->tw_s) : json_null());
		return;
	}
	printf("closed form: R0 %.5g Ohm, R1 %.5g Ohm, C1 %.5g F, sigma %.5g Ohm/s^0.5",
	       (double)r->r0_ohm, (double)r->r1_ohm, (double)r->c1_F, (double)r->sigma_ohm_rts);
	if (r->tw_s > 0)
		printf(", T %.5g s", (double)r->tw_s);
	printf("\n");
}

static int closed_error(int rc)
{
	fprintf(stderr, "bms: closed-form fit: %s\n", bms_strerror(rc));
	return 1;
}

static int cmd_closed(int argc, char **argv)
{
	const char *file = NULL;
	double fq[4];
	int nf = 0, json = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--freqs") == 0 && i + 1 < argc) {
			nf = parse_list(argv[++i], fq, 4);
			if (nf != 3 && nf != 4)
				return usage_error(usage_closed, "--freqs needs 3 or 4 numbers: %s",
						   argv[i]);
		} else if (argv[i][0] == '-')
			return usage_error(usage_closed, "unknown or incomplete option %s",
					   argv[i]);
		else if (!file)
			file = argv[i];
		else
			return usage_error(usage_closed, "unexpected argument %s", argv[i]);
	}
	if (!file || !nf)
		return usage_error(usage_closed, "%s", "needs FILE and --freqs");
	char err[512];
	struct bms_spectrum sp;
	if (bms_eis_read_file(file, &sp, err, sizeof(err))) {
		fprintf(stderr, "bms: %s\n", err);
		return 1;
	}
	bms_real f[4];
	struct bms_cplx z[4];
	for (int k = 0; k < nf; k++) {
		size_t best = 0;
		for (size_t i = 1; i < sp.n; i++)
			if (fabs(log(sp.f_hz[i] / fq[k])) < fabs(log(sp.f_hz[best] / fq[k])))
				best = i;
		f[k] = sp.f_hz[best];
		z[k] = bms_c(sp.zre_ohm[best], sp.zim_ohm[best]);
	}
	bms_spectrum_free(&sp);
	struct bms_randles r;
	int rc = bms_closed_fit(f, z, nf, &r);
	if (rc)
		return closed_error(rc);
	if (json) {
		json_t *j = json_object(), *fa = json_array();
		for (int k = 0; k < nf; k++)
			json_array_append_new(fa, json_real(f[k]));
		json_object_set_new(j, "frequencies_used_hz", fa);
		print_randles(&r, j);
		print_json(j);
	} else {
		printf("# %s at", file);
		for (int k = 0; k < nf; k++)
			printf(" %.4g", (double)f[k]);
		printf(" Hz\n");
		print_randles(&r, NULL);
	}
	return 0;
}

static const char *default_data = "../shared/data/cell";

static int load_cell(const char *dir, struct bms_cell_tables *ct)
{
	char err[512];
	if (bms_cell_load(dir, ct, err, sizeof(err))) {
		fprintf(stderr, "bms: %s\n", err);
		return -1;
	}
	return 0;
}

static int cmd_measure(int argc, char **argv)
{
	const char *dir = default_data, *plot = NULL;
	double soc = 0.5, temp = 25.0, fq[BMS_MAX_TONES * 2] = {2.0, 5e-3, 1e-3};
	int nf = 3, json = 0, multi = 0;
	struct bms_meas_cfg mc;
	bms_meas_default_cfg(&mc);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--multisine") == 0)
			multi = 1;
		else if (strcmp(a, "--no-window") == 0)
			mc.hann = 0;
		else if (strcmp(a, "--data") == 0 && more)
			dir = argv[++i];
		else if (strcmp(a, "--plot") == 0 && more)
			plot = argv[++i];
		else if (strcmp(a, "--soc") == 0 && more) {
			if (parse_num(argv[++i], &soc) || soc < 0 || soc > 1)
				return usage_error(usage_measure, "--soc must be 0..1, not %s",
						   argv[i]);
		} else if (strcmp(a, "--temp") == 0 && more) {
			if (parse_num(argv[++i], &temp) || temp < -20 || temp > 60)
				return usage_error(usage_measure, "--temp must be -20..60, not %s",
						   argv[i]);
		} else if (strcmp(a, "--amp") == 0 && more) {
			if (parse_num(argv[++i], &mc.amp_A) || !(mc.amp_A > 0) || mc.amp_A > 10)
				return usage_error(usage_measure,
						   "--amp must be in (0, 10] A, not %s", argv[i]);
		} else if (strcmp(a, "--freqs") == 0 && more) {
			nf = parse_list(argv[++i], fq, BMS_MAX_TONES * 2);
			if (nf < 1)
				return usage_error(usage_measure, "bad --freqs list %s", argv[i]);
		} else if (strcmp(a, "--detector") == 0 && more) {
			const char *d = argv[++i];
			if (strcmp(d, "goertzel") == 0)
				mc.detector = BMS_DETECT_GOERTZEL;
			else if (strcmp(d, "lockin") == 0)
				mc.detector = BMS_DETECT_LOCKIN;
			else
				return usage_error(usage_measure, "unknown detector %s", d);
		} else
			return usage_error(usage_measure, "unknown or incomplete option %s", a);
	}
	for (int k = 0; k < nf; k++)
		if (!(fq[k] > 0) || fq[k] > 200) {
			fprintf(stderr, "bms: frequency %g Hz is outside (0, 200] Hz\n", fq[k]);
			return 1;
		}
	static struct bms_cell_tables ct;
	if (load_cell(dir, &ct))
		return 1;
	struct bms_plant p;
	struct bms_imp_point pt[BMS_MAX_TONES * 2];
	bms_plant_init(&p, &ct, NULL, soc, temp);
	int rc = multi ? bms_plant_measure_multisine(&p, fq, nf, &mc, pt)
		       : bms_plant_measure(&p, fq, nf, &mc, pt);
	if (rc) {
		fprintf(stderr, "bms: measurement: %s%s\n", bms_strerror(rc),
			multi ? " (a multi-sine takes at most 8 tones, harmonics of the lowest)"
			      : "");
		return 1;
	}
	bms_plant_init(&p, &ct, NULL, soc, temp);
	double tr[BMS_MAX_TONES * 2], ti[BMS_MAX_TONES * 2], mr[BMS_MAX_TONES * 2],
		mi[BMS_MAX_TONES * 2];
	json_t *j = json ? json_object() : NULL, *arr = json ? json_array() : NULL;
	if (!json)
		printf("# plant at SoC %.2f, %.1f degC; %s, %s window\n"
		       "# f_Hz\tRe_meas\tIm_meas\tRe_true\tIm_true\terr_%%\tSNR_dB\n",
		       soc, temp, mc.detector == BMS_DETECT_LOCKIN ? "lock-in" : "Goertzel",
		       mc.hann ? "Hann" : "rectangular");
	for (int k = 0; k < nf; k++) {
		bms_plant_impedance(&p, fq[k], &tr[k], &ti[k]);
		mr[k] = pt[k].z_ohm.re;
		mi[k] = pt[k].z_ohm.im;
		double e = 100 * hypot(mr[k] - tr[k], mi[k] - ti[k]) / hypot(tr[k], ti[k]);
		if (json)
			json_array_append_new(arr,
					      json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "f_hz",
							fq[k], "re", mr[k], "im", mi[k], "re_true",
							tr[k], "im_true", ti[k], "err_pct", e,
							"snr_db", (double)pt[k].snr_db));
		else
			printf("%.5g\t%.6g\t%.6g\t%.6g\t%.6g\t%.3f\t%.1f\n", fq[k], mr[k], mi[k],
			       tr[k], ti[k], e, (double)pt[k].snr_db);
	}
	if (json) {
		json_object_set_new(j, "soc", json_real(soc));
		json_object_set_new(j, "temp_degC", json_real(temp));
		json_object_set_new(j, "points", arr);
	}
	if (nf == 3 || nf == 4) {
		double c_ocv = bms_cell_ocv_capacitance(&ct, soc, p.cfg.capacity_Ah);
		bms_real f[4];
		struct bms_cplx z[4];
		for (int k = 0; k < nf; k++) {
			f[k] = fq[k];
			z[k] = bms_c(mr[k], mi[k] + 1.0 / (2 * M_PI * fq[k] * c_ocv));
		}
		/* the closed form takes them from high to low */
		for (int a = 1; a < nf; a++)
			for (int b = a; b > 0 && f[b] > f[b - 1]; b--) {
				bms_real tf = f[b];
				struct bms_cplx tz = z[b];
				f[b] = f[b - 1], z[b] = z[b - 1];
				f[b - 1] = tf, z[b - 1] = tz;
			}
		struct bms_randles r;
		rc = bms_closed_fit(f, z, nf, &r);
		if (rc == BMS_OK) {
			if (json) {
				json_t *c = json_object();
				print_randles(&r, c);
				json_object_set_new(j, "closed_form", c);
			} else {
				printf("(OCV capacitance %.4g F removed before the fit)\n", c_ocv);
				print_randles(&r, NULL);
			}
		} else if (!json) {
			printf("closed form: %s\n", bms_strerror(rc));
		}
	}
	if (json)
		print_json(j);
	if (plot) {
		char err[512];
		struct bms_plot_series s[2] = {{(size_t)nf, fq, mr, mi, "measured", 0},
					       {(size_t)nf, fq, tr, ti, "plant (true)", 1}};
		if (bms_plot_spectra(plot, "online measurement on the plant", s, 2, err,
				     sizeof(err))) {
			fprintf(stderr, "bms: %s\n", err);
			return 1;
		}
	}
	return 0;
}

#define MAX_PROFILE 1000000

static int cmd_simulate(int argc, char **argv)
{
	const char *dir = default_data, *circuit = NULL, *params = NULL, *profile = "pulse";
	const char *plot = NULL;
	double soc = 0.5, cap = 2.5, horizon = 600.0, dt = 0.1, temp = 25.0;
	int json = 0, every = 10, plant = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc, bad = 0;
		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--circuit") == 0 && more)
			circuit = argv[++i];
		else if (strcmp(a, "--params") == 0 && more)
			params = argv[++i];
		else if (strcmp(a, "--profile") == 0 && more)
			profile = argv[++i];
		else if (strcmp(a, "--plant") == 0)
			plant = 1;
		else if (strcmp(a, "--plot") == 0 && more)
			plot = argv[++i];
		else if (strcmp(a, "--temp") == 0 && more)
			bad = parse_num(argv[++i], &temp) || temp < -20 || temp > 60;
		else if (strcmp(a, "--data") == 0 && more)
			dir = argv[++i];
		else if (strcmp(a, "--soc") == 0 && more)
			bad = parse_num(argv[++i], &soc) || soc < 0 || soc > 1;
		else if (strcmp(a, "--capacity") == 0 && more)
			bad = parse_num(argv[++i], &cap) || !(cap > 0);
		else if (strcmp(a, "--horizon") == 0 && more)
			bad = parse_num(argv[++i], &horizon) || !(horizon > 0);
		else if (strcmp(a, "--dt") == 0 && more)
			bad = parse_num(argv[++i], &dt) || !(dt > 0) || dt > 10;
		else if (strcmp(a, "--every") == 0 && more)
			bad = (every = atoi(argv[++i])) < 1;
		else
			return usage_error(usage_simulate, "unknown or incomplete option %s", a);
		if (bad)
			return usage_error(usage_simulate, "bad value for %s", a);
	}
	if (!circuit || !params)
		return usage_error(usage_simulate, "%s", "needs --circuit and --params");
	char err[512];
	struct bms_cstr cs;
	if (bms_cstr_parse(circuit, &cs, err, sizeof(err))) {
		fprintf(stderr, "bms: %s\n", err);
		return 1;
	}
	double pv[BMS_MAX_PARAMS];
	bms_real pr[BMS_MAX_PARAMS];
	if (parse_list(params, pv, BMS_MAX_PARAMS) != cs.circuit.n_params) {
		fprintf(stderr, "bms: --params needs %d numbers for %s\n", cs.circuit.n_params,
			circuit);
		return 1;
	}
	for (int k = 0; k < cs.circuit.n_params; k++)
		pr[k] = pv[k];
	struct bms_rc_model m;
	int rc = bms_model_from_circuit(&cs.circuit, pr, horizon, &m);
	if (rc) {
		fprintf(stderr, "bms: %s: %s (series R, p(R,C), C, W, Wo, Ws only)\n", circuit,
			bms_strerror(rc));
		return 1;
	}
	static struct bms_cell_tables ct;
	if (load_cell(dir, &ct))
		return 1;
	/* the profile: built in, or time,current pairs from a CSV file */
	double *pt = NULL, *pi = NULL, len = 0;
	size_t np = 0;
	int builtin = -1;
	if (strcmp(profile, "pulse") == 0)
		builtin = BMS_PROFILE_PULSE;
	else if (strcmp(profile, "drive") == 0)
		builtin = BMS_PROFILE_DRIVE;
	if (builtin >= 0) {
		bms_profile_current(builtin, 0, cap, &len);
	} else {
		size_t blen;
		char *buf = bms_read_all(profile, 1u << 24, &blen, err, sizeof(err));
		if (!buf) {
			fprintf(stderr, "bms: %s\n", err);
			return 1;
		}
		size_t capn = 0, lineno = 0;
		for (char *line = strtok(buf, "\r\n"); line; line = strtok(NULL, "\r\n")) {
			lineno++;
			double t, c;
			char *e1, *e2;
			t = strtod(line, &e1);
			if (e1 == line) {
				if (lineno == 1)
					continue; /* header */
				fprintf(stderr, "bms: %s:%zu: not a number\n", profile, lineno);
				free(buf), free(pt), free(pi);
				return 1;
			}
			if (*e1 != ',') {
				fprintf(stderr, "bms: %s:%zu: missing current column\n", profile,
					lineno);
				free(buf), free(pt), free(pi);
				return 1;
			}
			c = strtod(e1 + 1, &e2);
			if (e2 == e1 + 1 || !isfinite(t) || !isfinite(c) ||
			    (np > 0 && !(t > pt[np - 1])) || np >= MAX_PROFILE) {
				fprintf(stderr,
					"bms: %s:%zu: bad row (numbers, time increasing, at most "
					"%d "
					"rows)\n",
					profile, lineno, MAX_PROFILE);
				free(buf), free(pt), free(pi);
				return 1;
			}
			if (np == capn) {
				capn = capn ? 2 * capn : 256;
				double *a = realloc(pt, capn * sizeof(double)),
				       *b = a ? realloc(pi, capn * sizeof(double)) : NULL;
				if (!a || !b) {
					free(a ? a : pt), free(b ? b : pi), free(buf);
					fprintf(stderr, "bms: out of memory\n");
					return 1;
				}
				pt = a, pi = b;
			}
			pt[np] = t, pi[np] = c, np++;
		}
		free(buf);
		if (np < 2) {
			fprintf(stderr, "bms: %s: fewer than two rows\n", profile);
			free(pt), free(pi);
			return 1;
		}
		len = pt[np - 1] - pt[0];
	}
	long steps = (long)(len / dt + 0.5);
	if (steps > 10000000) {
		fprintf(stderr, "bms: profile too long for dt %g\n", dt);
		free(pt), free(pi);
		return 1;
	}
	struct bms_sim_state st;
	bms_sim_reset(&st);
	/* the plant beside the model: same current, same start */
	static struct bms_plant pl;
	struct bms_plant_cfg pc;
	bms_plant_default_cfg(&pc);
	pc.capacity_Ah = cap;
	if (plant)
		bms_plant_init(&pl, &ct, &pc, soc, temp);
	size_t nout = (size_t)(steps / every) + 1, nrec = 0;
	double *rt = NULL, *ri = NULL, *rv = NULL, *rp = NULL;
	if (plot) {
		rt = malloc(nout * sizeof(double)), ri = malloc(nout * sizeof(double));
		rv = malloc(nout * sizeof(double)), rp = malloc(nout * sizeof(double));
		if (!rt || !ri || !rv || !rp) {
			fprintf(stderr, "bms: out of memory\n");
			free(rt), free(ri), free(rv), free(rp), free(pt), free(pi);
			return 1;
		}
	}
	double se = 0.0, sv = 0.0, emin = 0.0, emax = 0.0, soc0 = soc;
	json_t *arr = json ? json_array() : NULL;
	if (!json)
		printf("# %s, %s profile, SoC %.2f\n# t_s\tI_A\tV_V\tSoC%s\n", circuit, profile,
		       soc, plant ? "\tV_plant_V" : "");
	size_t seg = 0;
	for (long k = 0; k < steps; k++) {
		double t = ((double)k + 0.5) * dt, i;
		if (builtin >= 0)
			i = bms_profile_current(builtin, t, cap, NULL);
		else {
			while (seg + 1 < np && pt[seg + 1] <= pt[0] + t)
				seg++;
			i = pi[seg];
		}
		double eta = (double)bms_sim_step(&m, &st, (bms_real)i, (bms_real)dt);
		soc += i * dt / (3600.0 * cap);
		double v = bms_cell_ocv(&ct, soc) + eta, vp = 0.0;
		if (plant) {
			pl.i_prev_A = i; /* held over the step, as the model holds it */
			vp = bms_plant_step(&pl, i, dt);
			double e = vp - bms_plant_ocv(&pl);
			se += (v - vp) * (v - vp);
			sv += vp;
			emin = k == 0 || e < emin ? e : emin;
			emax = k == 0 || e > emax ? e : emax;
		}
		if ((k + 1) % every == 0) {
			double tk = (double)(k + 1) * dt;
			if (json)
				json_array_append_new(
					arr, plant ? json_pack("[f,f,f,f,f]", tk, i, v, soc, vp)
						   : json_pack("[f,f,f,f]", tk, i, v, soc));
			else if (plant)
				printf("%.2f\t%.4f\t%.5f\t%.5f\t%.5f\n", tk, i, v, soc, vp);
			else
				printf("%.2f\t%.4f\t%.5f\t%.5f\n", tk, i, v, soc);
			if (plot && nrec < nout) {
				rt[nrec] = tk, ri[nrec] = i, rv[nrec] = v, rp[nrec] = vp;
				nrec++;
			}
		}
	}
	free(pt);
	free(pi);
	double rmse = steps > 0 ? sqrt(se / (double)steps) : 0.0;
	double mean = steps > 0 ? sv / (double)steps : 0.0, swing = emax - emin;
	if (plant && !json)
		printf("# RMSE against the plant (SoC %.2f start, %.1f degC): %.3f mV = %.3f%% of "
		       "V, %.3f%% of the overpotential swing (%.1f mV)\n",
		       soc0, temp, 1e3 * rmse, 100 * rmse / mean,
		       swing > 0 ? 100 * rmse / swing : 0.0, 1e3 * swing);
	rc = 0;
	if (plot) {
		char err[512];
		struct bms_plot_trace tr[2] = {{rv, circuit}, {rp, "plant"}};
		if (bms_plot_time(plot, profile, rt, nrec, tr, plant ? 2 : 1, ri, err,
				  sizeof(err))) {
			fprintf(stderr, "bms: %s\n", err);
			rc = 1;
		}
		free(rt), free(ri), free(rv), free(rp);
	}
	if (json) {
		json_t *j = json_object();
		json_object_set_new(j, "circuit", json_string(circuit));
		json_object_set_new(j, "profile", json_string(profile));
		json_object_set_new(
			j, "columns",
			plant ? json_pack("[s,s,s,s,s]", "t_s", "I_A", "V_V", "SoC", "V_plant_V")
			      : json_pack("[s,s,s,s]", "t_s", "I_A", "V_V", "SoC"));
		json_object_set_new(j, "samples", arr);
		if (plant)
			json_object_set_new(j, "rmse_vs_plant",
					    json_pack("{s:f,s:f,s:f}", "rmse_V", rmse, "pct_of_V",
						      100 * rmse / mean, "pct_of_swing",
						      swing > 0 ? 100 * rmse / swing : 0.0));
		print_json(j);
	}
	return rc;
}

static int cmd_validate(int argc, char **argv)
{
	const char *dir = default_data;
	int json = 0, quick = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--quick") == 0)
			quick = 1;
		else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			dir = argv[++i];
		else
			return usage_error(usage_validate, "unknown or incomplete option %s",
					   argv[i]);
	}
	static struct bms_cell_tables ct;
	if (load_cell(dir, &ct))
		return 1;
	static const double socs_all[] = {0.1, 0.3, 0.5, 0.7, 0.9},
			    temps_all[] = {0, 15, 25, 35, 45};
	static const double socs_q[] = {0.1, 0.9}, temps_q[] = {0, 45};
	const double *socs = quick ? socs_q : socs_all, *temps = quick ? temps_q : temps_all;
	int ns = quick ? 2 : 5, nt = quick ? 2 : 5, fail = 0;
	struct bms_val_cfg vc;
	bms_val_default_cfg(&vc);
	double worst_imp = 0, worst[BMS_VAL_METHODS][2][2] = {{{0}}}; /* [method][profile][v|sw] */
	static const char *mname[BMS_VAL_METHODS] = {"CF3", "CF4", "LM"};
	static const char *mjson[BMS_VAL_METHODS] = {"closed_form_3", "closed_form_4", "lm"};
	static const char *pn[2] = {"pulse", "drive"};
	json_t *rows = json ? json_array() : NULL;
	if (!json) {
		printf("RMSE in %% of the terminal voltage / %% of the overpotential swing\n\n"
		       "| SoC | T (degC) | max imp. err (%%) |");
		for (int m = 0; m < BMS_VAL_METHODS; m++)
			printf(" %s pulse | %s drive |", mname[m], mname[m]);
		printf("\n|---|---|---|---|---|---|---|---|---|\n");
	}
	for (int a = 0; a < ns; a++)
		for (int b = 0; b < nt; b++) {
			struct bms_val_row r;
			char err[512];
			if (bms_validate_point(&ct, &vc, socs[a], temps[b], &r, err, sizeof(err))) {
				fprintf(stderr, "bms: %s\n", err);
				fail = 1;
				continue;
			}
			worst_imp = fmax(worst_imp, r.imp_err_max);
			for (int m = 0; m < BMS_VAL_METHODS; m++)
				for (int p = 0; p < 2; p++) {
					worst[m][p][0] = fmax(worst[m][p][0], r.rmse_pct_v[m][p]);
					worst[m][p][1] =
						fmax(worst[m][p][1], r.rmse_pct_swing[m][p]);
					if (r.rmse_pct_v[m][p] >= 3.0)
						fail = 1;
				}
			if (r.imp_err_max >= 0.01)
				fail = 1;
			if (json) {
				json_t *o = json_object();
				json_object_set_new(o, "soc", json_real(r.soc));
				json_object_set_new(o, "temp_degC", json_real(r.t_degC));
				json_object_set_new(o, "imp_err_max_pct",
						    json_real(100 * r.imp_err_max));
				json_object_set_new(o, "snr_min_db", json_real(r.snr_min_db));
				for (int m = 0; m < BMS_VAL_METHODS; m++) {
					json_t *mo = json_object();
					for (int p = 0; p < 2; p++)
						json_object_set_new(
							mo, pn[p],
							json_pack("{s:f,s:f,s:f,s:f}", "rmse_V",
								  r.rmse_V[m][p], "rmse_pct_of_V",
								  r.rmse_pct_v[m][p],
								  "rmse_pct_of_swing",
								  r.rmse_pct_swing[m][p], "swing_V",
								  r.swing_V[p]));
					json_object_set_new(o, mjson[m], mo);
				}
				json_t *c3 = json_object(), *c4 = json_object();
				print_randles(&r.closed, c3);
				print_randles(&r.closed4, c4);
				json_object_set_new(o, "closed_form_3_params", c3);
				json_object_set_new(o, "closed_form_4_params", c4);
				json_array_append_new(rows, o);
			} else {
				printf("| %.0f%% | %.0f | %.3f |", 100 * r.soc, r.t_degC,
				       100 * r.imp_err_max);
				for (int m = 0; m < BMS_VAL_METHODS; m++)
					for (int p = 0; p < 2; p++)
						printf(" %.2f / %.2f |", r.rmse_pct_v[m][p],
						       r.rmse_pct_swing[m][p]);
				printf("\n");
				fflush(stdout);
			}
		}
	if (json) {
		json_t *j = json_object();
		json_object_set_new(j, "rows", rows);
		json_object_set_new(j, "worst_imp_err_pct", json_real(100 * worst_imp));
		json_object_set_new(j, "pass", json_boolean(!fail));
		print_json(j);
	} else {
		printf("\nworst: impedance %.3f%%; RMSE %% of V / %% of swing:", 100 * worst_imp);
		for (int m = 0; m < BMS_VAL_METHODS; m++)
			printf(" %s pulse %.2f/%.2f, drive %.2f/%.2f%s", mname[m], worst[m][0][0],
			       worst[m][0][1], worst[m][1][0], worst[m][1][1],
			       m + 1 < BMS_VAL_METHODS ? ";" : "");
		printf("\n%s\n", fail ? "FAIL" : "PASS (impedance < 1%, RMSE < 3% of V)");
	}
	return fail ? 1 : 0;
}

static const char *usage_demo =
	"usage: bms ecm demo [--data DIR]\n"
	"DIR holds eis/exampleData.csv and cell/ (default ../shared/data). Fits the\n"
	"example spectrum from impedance.py's initial guess and compares the residual\n"
	"with the published fit's; then measures the plant at 50% SoC and 25 degC at\n"
	"three frequencies, fits the closed form and reports its voltage RMSE.\n";

static int cmd_demo(int argc, char **argv)
{
	const char *dir = "../shared/data";
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			dir = argv[++i];
		else
			return usage_error(usage_demo, "unknown or incomplete option %s", argv[i]);
	}
	char path[1024], err[512];
	snprintf(path, sizeof(path), "%s/eis/exampleData.csv", dir);
	struct bms_spectrum sp;
	struct bms_cstr cs;
	if (bms_eis_read_file(path, &sp, err, sizeof(err)) ||
	    bms_cstr_parse(DEFAULT_CIRCUIT, &cs, err, sizeof(err))) {
		fprintf(stderr, "bms: %s\n", err);
		return 1;
	}
	static const double init[7] = {.01, .01, 100, .01, .05, 100, 1};
	static const double pub[7] = {16.5e-3, 8.68e-3, 3.32, 5.39e-3, 63.1e-3, 233.0, 0.22};
	struct bms_fit_opts fo = {0};
	struct bms_fit_out out;
	fo.have_p0 = 1;
	memcpy(fo.p0, init, sizeof(init));
	double ssr_pub;
	if (bms_fit_spectrum(&cs, &sp, &fo, &out, err, sizeof(err)) ||
	    bms_spectrum_ssr(&cs, pub, &sp, &ssr_pub, err, sizeof(err))) {
		fprintf(stderr, "bms: %s\n", err);
		bms_spectrum_free(&sp);
		return 1;
	}
	printf("== fit of %s (%zu points) with %s\n", path, sp.n, DEFAULT_CIRCUIT);
	printf("%-8s %12s %12s %12s\n", "param", "fitted", "std.err", "published");
	for (int k = 0; k < 7; k++)
		printf("%-8s %12.5g %12.3g %12.4g\n", cs.param_name[k], (double)out.lm.p[k],
		       (double)out.lm.sigma[k], pub[k]);
	printf("residual %.5e Ohm^2 (published parameters: %.5e) in %d iterations\n",
	       (double)out.lm.ssr_unit, ssr_pub, out.lm.iterations);
	bms_spectrum_free(&sp);

	snprintf(path, sizeof(path), "%s/cell", dir);
	static struct bms_cell_tables ct;
	if (load_cell(path, &ct))
		return 1;
	struct bms_val_cfg vc;
	struct bms_val_row r;
	bms_val_default_cfg(&vc);
	printf("\n== online measurement on the plant (SoC 50%%, 25 degC; 1 A sine, "
	       "0.5 mV / 5 mA noise, 16-bit ADCs)\n");
	if (bms_validate_point(&ct, &vc, 0.5, 25.0, &r, err, sizeof(err))) {
		fprintf(stderr, "bms: %s\n", err);
		return 1;
	}
	printf("worst impedance error over %d frequencies: %.3f%% (min SNR %.0f dB)\n", 4 + vc.n_lm,
	       100 * r.imp_err_max, r.snr_min_db);
	print_randles(&r.closed, NULL);
	print_randles(&r.closed4, NULL);
	static const char *names[BMS_VAL_METHODS] = {"closed form, 3 points",
						     "closed form, 4 points", "LM"};
	for (int m = 0; m < BMS_VAL_METHODS; m++)
		printf("voltage RMSE, %s: pulse %.2f mV (%.2f%% of V, %.2f%% of swing), "
		       "drive %.2f mV (%.2f%%, %.2f%%)\n",
		       names[m], 1e3 * r.rmse_V[m][0], r.rmse_pct_v[m][0], r.rmse_pct_swing[m][0],
		       1e3 * r.rmse_V[m][1], r.rmse_pct_v[m][1], r.rmse_pct_swing[m][1]);
	printf("(LM circuit %s)\n", vc.lm_circuit);
	return 0;
}

static int cmd_ecm(int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		fputs(usage_ecm, argc < 1 ? stderr : stdout);
		return argc < 1 ? 2 : 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {
		{"read", cmd_read},	    {"fit", cmd_fit},	      {"linkk", cmd_linkk},
		{"closed", cmd_closed},	    {"measure", cmd_measure}, {"simulate", cmd_simulate},
		{"validate", cmd_validate}, {"demo", cmd_demo},
	};
	const char *usages[] = {usage_read,    usage_fit,      usage_linkk,    usage_closed,
				usage_measure, usage_simulate, usage_validate, usage_demo};
	for (size_t k = 0; k < sizeof(subs) / sizeof(subs[0]); k++)
		if (strcmp(argv[0], subs[k].name) == 0) {
			if (help_wanted(argc - 1, argv + 1)) {
				fputs(usages[k], stdout);
				return 0;
			}
			return subs[k].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "bms ecm: unknown subcommand '%s'\n%s", argv[0], usage_ecm);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_top, stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_top, stdout);
		return 0;
	}
	if (strcmp(argv[1], "ecm") == 0) {
		int rc = cmd_ecm(argc - 2, argv + 2);
		bms_plot_shutdown();
		return rc;
	}
	if (strcmp(argv[1], "coretemp") == 0) {
#ifdef BMS_WITH_CORETEMP
		return bms_coretemp_main(argc - 1, argv + 1);
#else
		fprintf(stderr,
			"bms: built without coretemp (bms/coretemp.cmake was not present)\n");
		return 1;
#endif
	}
	fprintf(stderr, "bms: unknown command '%s'\n%s", argv[1], usage_top);
	return 2;
}
