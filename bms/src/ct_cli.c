/* ct_cli: the `bms coretemp` subcommands (see coretemp_cli.h and
 * docs/bms-coretemp.md). Results go to stdout as JSON, progress and errors to
 * stderr; the exit status is 0 on success, 1 on a failure of the work, 2 on
 * bad usage.
 */
#include "coretemp_cli.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ct_data.h"
#include "ct_ekf.h"
#include "ct_nn.h"
#include "ct_pipeline.h"
#include "ct_plot.h"

static const char usage[] =
	"usage: bms coretemp <command> [options]\n"
	"\n"
	"Core temperature of a cylindrical cell from physics-generated data, a neural\n"
	"estimator and unsupervised domain adaptation (docs/bms-coretemp.md).\n"
	"\n"
	"commands:\n"
	"  gen       --out FILE [--seqs N] [--len S] [--seed N] [--span F] [--thermal "
	"radial|lumped]\n"
	"            [--profiles pulse,cc,drive,random] [--target T1..T6] [--unlabeled]\n"
	"            [--noise default|none] [--threads N]\n"
	"  train     --data FILE --out MODEL [--epochs N] [--hidden N] [--seed N] [--stride N]\n"
	"            [--export-c FILE.c]\n"
	"  adapt     --model MODEL --source FILE --target FILE --out MODEL\n"
	"            [--method mmd|coral] [--lambda X] [--epochs N] [--lr X] [--seed N]\n"
	"  eval      --model MODEL --data FILE [--ekf] [--plot FILE.png|FILE.svg]\n"
	"  estimate  --model MODEL --data FILE [--out FILE.csv]\n"
	"  pipeline  [--size full|demo|reduced] [--fidelity] [--threads N]\n"
	"\n"
	"common: --cell-data DIR (the ECM tables; default $BMS_CELL_DATA or\n"
	"        ../shared/data/cell beside the source tree), --help\n";

struct opts {
	const char *out, *data, *model, *source, *target, *export_c, *plot, *method, *size;
	const char *model_kind, *profiles, *noise, *tname, *cell_dir;
	long seqs, len, seed, epochs, hidden, stride, threads;
	double span, lambda, lr;
	int unlabeled, ekf, fidelity, help;
};

static int parse_num(const char *opt, const char *v, double lo, double hi, double *out)
{
	char *e;
	double x = strtod(v, &e);
	if (e == v || *e != '\0' || !isfinite(x) || x < lo || x > hi) {
		fprintf(stderr, "bms coretemp: %s expects a number in [%g, %g], not '%s'\n", opt,
			lo, hi, v);
		return -1;
	}
	*out = x;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seqs = o->len = o->seed = o->epochs = o->hidden = o->stride = -1;
	o->threads = 2;
	o->span = o->lambda = o->lr = NAN;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			o->help = 1;
			continue;
		}
		if (strcmp(a, "--unlabeled") == 0) {
			o->unlabeled = 1;
			continue;
		}
		if (strcmp(a, "--ekf") == 0) {
			o->ekf = 1;
			continue;
		}
		if (strcmp(a, "--fidelity") == 0) {
			o->fidelity = 1;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "bms coretemp: unknown option or missing value: %s\n", a);
			return -1;
		}
		const char *v = argv[++i];
		const char **s = strcmp(a, "--out") == 0	 ? &o->out
				 : strcmp(a, "--data") == 0	 ? &o->data
				 : strcmp(a, "--model") == 0	 ? &o->model
				 : strcmp(a, "--source") == 0	 ? &o->source
				 : strcmp(a, "--target") == 0	 ? &o->target
				 : strcmp(a, "--export-c") == 0	 ? &o->export_c
				 : strcmp(a, "--plot") == 0	 ? &o->plot
				 : strcmp(a, "--method") == 0	 ? &o->method
				 : strcmp(a, "--size") == 0	 ? &o->size
				 : strcmp(a, "--profiles") == 0	 ? &o->profiles
				 : strcmp(a, "--noise") == 0	 ? &o->noise
				 : strcmp(a, "--cell-data") == 0 ? &o->cell_dir
				 : strcmp(a, "--thermal") == 0	 ? &o->model_kind
								 : NULL;
		if (s != NULL) {
			*s = v;
			if (s == &o->target)
				o->tname = v;
			continue;
		}
		double x;
		struct {
			const char *name;
			long *l;
			double *d;
			double lo, hi;
		} nums[] = {
			{"--seqs", &o->seqs, NULL, 1, CT_DATASET_MAX_SEQ},
			{"--len", &o->len, NULL, 20, CT_DATASET_MAX_LEN},
			{"--seed", &o->seed, NULL, 0, 4294967295.0},
			{"--epochs", &o->epochs, NULL, 1, 10000},
			{"--hidden", &o->hidden, NULL, 1, CT_MAX_HIDDEN},
			{"--stride", &o->stride, NULL, 1, 3600},
			{"--threads", &o->threads, NULL, 1, 64},
			{"--span", NULL, &o->span, 0, 0.89},
			{"--lambda", NULL, &o->lambda, 0, 1e6},
			{"--lr", NULL, &o->lr, 1e-7, 1},
		};
		int found = 0;
		for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
			if (strcmp(a, nums[k].name) != 0)
				continue;
			found = 1;
			if (parse_num(a, v, nums[k].lo, nums[k].hi, &x) != 0)
				return -1;
			if (nums[k].l)
				*nums[k].l = (long)x;
			else
				*nums[k].d = x;
		}
		if (!found) {
			fprintf(stderr, "bms coretemp: unknown option %s\n", a);
			return -1;
		}
	}
	return 0;
}

static int need(const char *cmd, const char *name, const char *v)
{
	if (v == NULL) {
		fprintf(stderr, "bms coretemp %s: %s is required (see --help)\n", cmd, name);
		return -1;
	}
	return 0;
}

static void progress_gen(void *ctx, uint32_t done, uint32_t total)
{
	(void)ctx;
	if (done == total || done % 8 == 0)
		fprintf(stderr, "\rgenerating: %u/%u runs%s", done, total,
			done == total ? "\n" : "");
}

static void progress_train(void *ctx, int ep, int n, double loss)
{
	(void)ctx;
	fprintf(stderr, "\repoch %d/%d, loss %.5f%s", ep, n, loss, ep == n ? "\n" : "");
}

static void log_line(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

static int print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
	json_decref(j);
	if (s == NULL)
		return 1;
	puts(s);
	free(s);
	return 0;
}

static int load_cell(const struct opts *o, struct ct_cell *cell)
{
	char err[512];
	const char *dir = o->cell_dir ? o->cell_dir : ct_cell_default_dir();
	if (ct_cell_load(cell, dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "bms coretemp: %s\n", err);
		return -1;
	}
	return 0;
}

static int cmd_gen(const struct opts *o)
{
	char err[512];
	if (need("gen", "--out", o->out))
		return 2;
	struct ct_gen_cfg g;
	ct_gen_defaults(&g);
	if (o->seqs > 0)
		g.n_seq = (uint32_t)o->seqs;
	if (o->len > 0)
		g.len_s = (uint32_t)o->len;
	if (o->seed >= 0)
		g.seed = (uint64_t)o->seed;
	if (!isnan(o->span))
		g.span = o->span;
	g.threads = (int)o->threads;
	g.labeled = !o->unlabeled;
	if (o->model_kind) {
		if (strcmp(o->model_kind, "lumped") == 0)
			g.model = CT_MODEL_LUMPED;
		else if (strcmp(o->model_kind, "radial") != 0) {
			fprintf(stderr, "bms coretemp gen: --thermal is radial or lumped\n");
			return 2;
		}
	}
	if (o->noise) {
		if (strcmp(o->noise, "none") == 0)
			g.noise = ct_noise_none;
		else if (strcmp(o->noise, "default") != 0) {
			fprintf(stderr, "bms coretemp gen: --noise is default or none\n");
			return 2;
		}
	}
	if (o->profiles) {
		static const char *names[CT_PROF_COUNT] = {"pulse", "cc", "drive", "random"};
		g.profiles = 0;
		char buf[128];
		snprintf(buf, sizeof(buf), "%s", o->profiles);
		for (char *save, *t = strtok_r(buf, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			int k = 0;
			while (k < CT_PROF_COUNT && strcmp(t, names[k]) != 0)
				k++;
			if (k == CT_PROF_COUNT) {
				fprintf(stderr, "bms coretemp gen: unknown profile '%s'\n", t);
				return 2;
			}
			g.profiles |= 1u << k;
		}
	}
	if (o->tname) {
		int k = 0;
		while (k < CT_N_TARGETS && strcmp(o->tname, ct_targets[k].name) != 0)
			k++;
		if (k == CT_N_TARGETS) {
			fprintf(stderr, "bms coretemp gen: --target is one of T1..T%d\n",
				CT_N_TARGETS);
			return 2;
		}
		g.centre = ct_target_params(&ct_targets[k]);
		if (isnan(o->span))
			g.span = 0.0;
	}
	g.progress = progress_gen;
	struct ct_cell cell;
	if (load_cell(o, &cell) != 0)
		return 1;
	struct ct_dataset ds;
	int rc = ct_generate(&cell, &g, &ds, err, sizeof(err));
	ct_cell_free(&cell);
	if (rc == 0) {
		rc = ct_dataset_write(&ds, o->out, err, sizeof(err));
		ct_dataset_free(&ds);
	}
	if (rc != 0) {
		fprintf(stderr, "bms coretemp gen: %s\n", err);
		return 1;
	}
	return print_json(json_pack(
		"{s:s, s:i, s:i, s:i, s:f, s:s, s:b}", "out", o->out, "sequences", (int)g.n_seq,
		"length_s", (int)g.len_s, "seed", (int)g.seed, "span", g.span, "model",
		g.model == CT_MODEL_LUMPED ? "lumped" : "radial", "labeled", g.labeled));
}

static int cmd_train(const struct opts *o)
{
	char err[512];
	if (need("train", "--data", o->data) || need("train", "--out", o->out))
		return 2;
	struct ct_dataset ds;
	struct ct_samples s;
	struct ct_mlp m;
	if (ct_dataset_read(&ds, o->data, err, sizeof(err)) != 0) {
		fprintf(stderr, "bms coretemp train: %s\n", err);
		return 1;
	}
	int rc = ct_samples_build(&ds, o->stride > 0 ? (int)o->stride : 5, &s, err, sizeof(err));
	ct_dataset_free(&ds);
	if (rc != 0) {
		fprintf(stderr, "bms coretemp train: %s\n", err);
		return 1;
	}
	struct ct_train_cfg tc;
	ct_train_defaults(&tc);
	if (o->epochs > 0)
		tc.epochs = (int)o->epochs;
	if (o->seed >= 0)
		tc.seed = (uint64_t)o->seed;
	if (!isnan(o->lr))
		tc.lr = o->lr;
	tc.threads = (int)o->threads;
	tc.progress = progress_train;
	int h = o->hidden > 0 ? (int)o->hidden : 32;
	rc = ct_mlp_init(&m, h, h, tc.seed, err, sizeof(err));
	if (rc == 0) {
		rc = ct_mlp_set_norm(&m, &s, err, sizeof(err));
		if (rc == 0)
			rc = ct_train(&m, &s, NULL, &tc, err, sizeof(err));
		if (rc == 0)
			rc = ct_model_save(&m, o->out, err, sizeof(err));
		if (rc == 0 && o->export_c)
			rc = ct_model_export_c(&m, "ct_net_default", o->export_c, err, sizeof(err));
	}
	size_t n = s.n;
	ct_samples_free(&s);
	int npar = (int)m.n_par;
	ct_mlp_free(&m);
	if (rc != 0) {
		fprintf(stderr, "bms coretemp train: %s\n", err);
		return 1;
	}
	return print_json(json_pack("{s:s, s:i, s:i, s:i, s:i}", "out", o->out, "samples", (int)n,
				    "epochs", tc.epochs, "hidden", h, "parameters", npar));
}

static int cmd_adapt(const struct opts *o)
{
	char err[512];
	if (need("adapt", "--model", o->model) || need("adapt", "--source", o->source) ||
	    need("adapt", "--target", o->target) || need("adapt", "--out", o->out))
		return 2;
	struct ct_train_cfg tc;
	ct_train_defaults(&tc);
	tc.uda = CT_UDA_MMD;
	tc.lambda = 1.0;
	if (o->method && strcmp(o->method, "coral") == 0) {
		tc.uda = CT_UDA_CORAL;
		tc.lambda = 10.0;
	} else if (o->method && strcmp(o->method, "mmd") != 0) {
		fprintf(stderr, "bms coretemp adapt: --method is mmd or coral\n");
		return 2;
	}
	tc.epochs = o->epochs > 0 ? (int)o->epochs : 4;
	tc.lr = isnan(o->lr) ? 3e-4 : o->lr;
	if (!isnan(o->lambda))
		tc.lambda = o->lambda;
	if (o->seed >= 0)
		tc.seed = (uint64_t)o->seed;
	tc.threads = (int)o->threads;
	tc.progress = progress_train;
	struct ct_mlp m;
	struct ct_dataset src = {0}, tgt = {0};
	struct ct_samples ss = {0}, st = {0};
	int rc = ct_model_load(&m, o->model, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "bms coretemp adapt: %s\n", err);
		return 1;
	}
	int stride = o->stride > 0 ? (int)o->stride : 5;
	rc = ct_dataset_read(&src, o->source, err, sizeof(err));
	if (rc == 0)
		rc = ct_dataset_read(&tgt, o->target, err, sizeof(err));
	if (rc == 0)
		rc = ct_samples_build(&src, stride, &ss, err, sizeof(err));
	if (rc == 0)
		rc = ct_samples_build(&tgt, stride, &st, err, sizeof(err));
	if (rc == 0) {
		/* Target labels, if the file has any, are never used. */
		for (size_t i = 0; i < st.n; i++)
			st.y[i] = NAN;
		rc = ct_train(&m, &ss, &st, &tc, err, sizeof(err));
	}
	if (rc == 0)
		rc = ct_model_save(&m, o->out, err, sizeof(err));
	ct_samples_free(&ss);
	ct_samples_free(&st);
	ct_dataset_free(&src);
	ct_dataset_free(&tgt);
	ct_mlp_free(&m);
	if (rc != 0) {
		fprintf(stderr, "bms coretemp adapt: %s\n", err);
		return 1;
	}
	return print_json(json_pack("{s:s, s:s, s:f, s:i}", "out", o->out, "method",
				    ct_uda_name(tc.uda), "lambda", tc.lambda, "epochs", tc.epochs));
}

/* Loads the model and data both eval and estimate need. */
static int load_md(const char *cmd, const struct opts *o, struct ct_mlp *m, struct ct_model_f32 *f,
		   struct ct_dataset *ds)
{
	char err[512];
	if (need(cmd, "--model", o->model) || need(cmd, "--data", o->data))
		return 2;
	if (ct_model_load(m, o->model, err, sizeof(err)) != 0) {
		fprintf(stderr, "bms coretemp %s: %s\n", cmd, err);
		return 1;
	}
	if (ct_dataset_read(ds, o->data, err, sizeof(err)) != 0) {
		fprintf(stderr, "bms coretemp %s: %s\n", cmd, err);
		ct_mlp_free(m);
		return 1;
	}
	if (ct_model_to_f32(m, f) != 0) {
		fprintf(stderr, "bms coretemp %s: out of memory\n", cmd);
		ct_mlp_free(m);
		ct_dataset_free(ds);
		return 1;
	}
	return 0;
}

static int cmd_eval(const struct opts *o)
{
	char err[512];
	struct ct_mlp m;
	struct ct_model_f32 f;
	struct ct_dataset ds;
	int rc = load_md("eval", o, &m, &f, &ds);
	if (rc != 0)
		return rc;
	struct ct_err e;
	json_t *j = NULL;
	if (ct_eval(&f.w, &ds, &e, err, sizeof(err)) != 0) {
		fprintf(stderr, "bms coretemp eval: %s\n", err);
		rc = 1;
		goto out;
	}
	j = json_pack("{s:s, s:s, s:f, s:f, s:i}", "model", o->model, "data", o->data, "rmse_K",
		      e.rmse, "max_abs_K", e.max_abs, "samples", (int)e.n);
	struct ct_cell cell;
	int have_cell = 0;
	float *ekf_est = NULL;
	if (o->ekf || o->plot) {
		if (load_cell(o, &cell) != 0) {
			rc = 1;
			goto out;
		}
		have_cell = 1;
	}
	const struct ct_seq *s0 = &ds.seq[0];
	if (o->ekf) {
		double r, mx;
		ekf_est = malloc(s0->len * sizeof(float));
		if (ekf_est && ct_ekf_eval(&ct_thermal_nominal, &cell, &ds, &ct_noise_default, &r,
					   &mx, ekf_est) == 0) {
			json_object_set_new(j, "ekf_rmse_K", json_real(r));
			json_object_set_new(j, "ekf_max_abs_K", json_real(mx));
		}
	}
	if (o->plot) {
		float *est = malloc(s0->len * sizeof(float)), *tc = malloc(s0->len * sizeof(float));
		float *ts = malloc(s0->len * sizeof(float));
		if (est && tc && ts && ct_run_sequence(&f.w, s0, est) == 0) {
			for (uint32_t t = 0; t < s0->len; t++) {
				tc[t] = s0->x[(size_t)t * CT_NCH + CT_CH_TC];
				ts[t] = s0->x[(size_t)t * CT_NCH + CT_CH_TS];
			}
			struct ct_plot_line lines[4] = {
				{"surface (measured)", ts, 0.7, 0.7, 0.7, 0},
				{"true core", tc, 0, 0, 0, 0},
				{"network", est, 0.1, 0.35, 0.85, 0},
				{"EKF", ekf_est, 0.85, 0.2, 0.1, 1},
			};
			if (ct_plot_lines(o->plot, "core temperature [degC], first run", s0->len,
					  lines, ekf_est ? 4 : 3, err, sizeof(err)) != 0) {
				fprintf(stderr, "bms coretemp eval: %s\n", err);
				rc = 1;
			} else {
				json_object_set_new(j, "plot", json_string(o->plot));
			}
		}
		free(est);
		free(tc);
		free(ts);
	}
	free(ekf_est);
	if (have_cell)
		ct_cell_free(&cell);
out:
	ct_model_f32_free(&f);
	ct_mlp_free(&m);
	ct_dataset_free(&ds);
	if (j) {
		if (rc == 0)
			return print_json(j);
		json_decref(j);
	}
	return rc;
}

static int cmd_estimate(const struct opts *o)
{
	struct ct_mlp m;
	struct ct_model_f32 f;
	struct ct_dataset ds;
	int rc = load_md("estimate", o, &m, &f, &ds);
	if (rc != 0)
		return rc;
	FILE *out = o->out ? fopen(o->out, "w") : stdout;
	if (out == NULL) {
		fprintf(stderr, "bms coretemp estimate: cannot write %s\n", o->out);
		rc = 1;
	}
	size_t total = 0;
	if (out) {
		fprintf(out, "sequence,time_s,surface_degC,core_estimate_degC,core_true_degC\n");
		for (uint32_t i = 0; i < ds.n && rc == 0; i++) {
			const struct ct_seq *s = &ds.seq[i];
			float *est = malloc(s->len * sizeof(float));
			if (est == NULL || ct_run_sequence(&f.w, s, est) != 0) {
				fprintf(stderr,
					"bms coretemp estimate: the estimator refused run %u\n", i);
				rc = 1;
			}
			for (uint32_t t = 0; rc == 0 && t < s->len; t++) {
				const float *row = &s->x[(size_t)t * CT_NCH];
				fprintf(out, "%u,%u,%.4f,%.4f,", i, t, row[CT_CH_TS], est[t]);
				if (s->labeled)
					fprintf(out, "%.4f\n", row[CT_CH_TC]);
				else
					fprintf(out, "\n");
			}
			total += s->len;
			free(est);
		}
		if (out != stdout && fclose(out) != 0)
			rc = 1;
	}
	ct_model_f32_free(&f);
	ct_mlp_free(&m);
	ct_dataset_free(&ds);
	if (rc == 0 && o->out)
		return print_json(json_pack("{s:s, s:i}", "out", o->out, "samples", (int)total));
	return rc;
}

static json_t *err_json(const struct ct_err *e)
{
	return json_pack("{s:f, s:f}", "rmse_K", e->rmse, "max_abs_K", e->max_abs);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmd_pipeline(const struct opts *o)
{
	char err[512];
	struct ct_pipe_cfg c;
	const char *size = o->size ? o->size : "full";
	if (strcmp(size, "full") != 0 && strcmp(size, "demo") != 0 &&
	    strcmp(size, "reduced") != 0) {
		fprintf(stderr, "bms coretemp pipeline: --size is full, demo or reduced\n");
		return 2;
	}
	ct_pipe_defaults(&c, size);
	c.threads = (int)o->threads;
	if (o->seed >= 0)
		c.seed = (uint64_t)o->seed;
	c.log = log_line;
	struct ct_cell cell;
	if (load_cell(o, &cell) != 0)
		return 1;
	struct ct_pipe_row rows[CT_N_TARGETS];
	double t0 = now_s();
	int rc = ct_pipeline_run(&cell, &c, rows, err, sizeof(err));
	double t1 = now_s();
	struct ct_fid_row fid[CT_N_FIDELITY];
	if (rc == 0 && o->fidelity)
		rc = ct_fidelity_run(&cell, &c, fid, err, sizeof(err));
	double t2 = now_s();
	ct_cell_free(&cell);
	if (rc != 0) {
		fprintf(stderr, "bms coretemp pipeline: %s\n", err);
		return 1;
	}
	/* The table for people on stderr, the numbers as JSON on stdout. */
	fprintf(stderr,
		"\ncore temperature RMSE (max abs error) in K on each target's held-out runs\n"
		"%-4s %-24s %-14s %-14s %-14s %-14s %-14s %-14s %-14s %-14s %-14s\n",
		"cell", "C, Rc, Ru x nominal", "pre-trained", "MMD", "CORAL", "identify",
		"ident+MMD", "ident+CORAL", "near truth", "near+ident", "EKF");
	json_t *arr = json_array();
	for (int k = 0; k < c.n_targets; k++) {
		const struct ct_pipe_row *r = &rows[k];
		const struct ct_target *t = &ct_targets[k];
		fprintf(stderr,
			"%-4s %.2f, %.2f, %.2f         %.3f (%.2f)   %.3f (%.2f)   %.3f (%.2f)   "
			"%.3f (%.2f)   %.3f (%.2f)   %.3f (%.2f)   %.3f (%.2f)   %.3f (%.2f)   "
			"%.3f (%.2f)\n",
			t->name, t->m_c, t->m_rc, t->m_ru, r->pre.rmse, r->pre.max_abs, r->mmd.rmse,
			r->mmd.max_abs, r->coral.rmse, r->coral.max_abs, r->sel.rmse,
			r->sel.max_abs, r->sel_mmd.rmse, r->sel_mmd.max_abs, r->sel_coral.rmse,
			r->sel_coral.max_abs, r->near.rmse, r->near.max_abs, r->near_id.rmse,
			r->near_id.max_abs, r->ekf_rmse, r->ekf_max);
		json_t *row = json_pack("{s:s, s:f, s:f, s:f, s:o, s:o, s:o, s:o, s:o, s:f, s:f}",
					"target", t->name, "m_c", t->m_c, "m_rc", t->m_rc, "m_ru",
					t->m_ru, "pretrained", err_json(&r->pre), "mmd",
					err_json(&r->mmd), "coral", err_json(&r->coral), "identify",
					err_json(&r->sel), "near_truth", err_json(&r->near),
					"ekf_rmse_K", r->ekf_rmse, "ekf_max_abs_K", r->ekf_max);
		json_object_set_new(row, "identified_multipliers",
				    json_pack("[f, f, f]",
					      r->ident.Cc_JK / ct_thermal_nominal.Cc_JK,
					      r->ident.Rc_KW / ct_thermal_nominal.Rc_KW,
					      r->ident.Ru_KW / ct_thermal_nominal.Ru_KW));
		json_object_set_new(row, "identify_mmd", err_json(&r->sel_mmd));
		json_object_set_new(row, "identify_coral", err_json(&r->sel_coral));
		json_object_set_new(row, "near_truth_identified", err_json(&r->near_id));
		json_object_set_new(row, "near_identified_multipliers",
				    json_pack("[f, f, f]",
					      r->near_ident.Cc_JK / ct_thermal_nominal.Cc_JK,
					      r->near_ident.Rc_KW / ct_thermal_nominal.Rc_KW,
					      r->near_ident.Ru_KW / ct_thermal_nominal.Ru_KW));
		json_array_append_new(arr, row);
	}
	json_t *j = json_pack("{s:s, s:i, s:f, s:o}", "size", size, "seed", (int)c.seed,
			      "pipeline_seconds", t1 - t0, "targets", arr);
	if (o->fidelity) {
		json_t *fa = json_array();
		fprintf(stderr, "\ndata fidelity: pre-trained network, RMSE over the targets\n");
		for (int i = 0; i < CT_N_FIDELITY; i++) {
			fprintf(stderr, "%-36s mean %.3f  worst %.3f K\n", fid[i].name,
				fid[i].mean_rmse, fid[i].worst_rmse);
			json_array_append_new(fa,
					      json_pack("{s:s, s:f, s:f}", "source", fid[i].name,
							"mean_rmse_K", fid[i].mean_rmse,
							"worst_rmse_K", fid[i].worst_rmse));
		}
		json_object_set_new(j, "fidelity", fa);
		json_object_set_new(j, "fidelity_seconds", json_real(t2 - t1));
	}
	fprintf(stderr, "identified from unlabeled data (C, Rc, Ru x nominal):");
	for (int k = 0; k < c.n_targets; k++)
		fprintf(stderr, " %s %.2f %.2f %.2f;", ct_targets[k].name,
			rows[k].ident.Cc_JK / ct_thermal_nominal.Cc_JK,
			rows[k].ident.Rc_KW / ct_thermal_nominal.Rc_KW,
			rows[k].ident.Ru_KW / ct_thermal_nominal.Ru_KW);
	fprintf(stderr, "\nidentified within the near-the-truth prior (x nominal):");
	for (int k = 0; k < c.n_targets; k++)
		fprintf(stderr, " %s %.3f %.3f %.3f;", ct_targets[k].name,
			rows[k].near_ident.Cc_JK / ct_thermal_nominal.Cc_JK,
			rows[k].near_ident.Rc_KW / ct_thermal_nominal.Rc_KW,
			rows[k].near_ident.Ru_KW / ct_thermal_nominal.Ru_KW);
	fprintf(stderr, "\npipeline: %.1f s\n", t1 - t0);
	return print_json(j);
}

int bms_coretemp_main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	struct opts o;
	if (parse_opts(argc, argv, &o) != 0)
		return 2;
	if (o.help) {
		fputs(usage, stdout);
		return 0;
	}
	const char *c = argv[1];
	if (strcmp(c, "gen") == 0)
		return cmd_gen(&o);
	if (strcmp(c, "train") == 0)
		return cmd_train(&o);
	if (strcmp(c, "adapt") == 0)
		return cmd_adapt(&o);
	if (strcmp(c, "eval") == 0)
		return cmd_eval(&o);
	if (strcmp(c, "estimate") == 0)
		return cmd_estimate(&o);
	if (strcmp(c, "pipeline") == 0)
		return cmd_pipeline(&o);
	fprintf(stderr, "bms coretemp: unknown command '%s' (see --help)\n", c);
	return 2;
}
