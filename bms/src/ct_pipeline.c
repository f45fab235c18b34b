/* ct_pipeline: the experiment of ct_pipeline.h.
 */
#include "ct_pipeline.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_ekf.h"

/* Chosen before training, never tuned afterwards: every parameter within
 * 40% of nominal, in all directions. d_*: near-the-truth sweep centres, at
 * most 5% off the truth. */
const struct ct_target ct_targets[CT_N_TARGETS] = {
	{"T1", 1.30, 0.70, 1.25, +0.04, -0.03, +0.05},
	{"T2", 0.70, 1.35, 0.80, -0.05, +0.04, -0.02},
	{"T3", 1.15, 1.40, 1.35, +0.03, +0.05, -0.04},
	{"T4", 0.65, 0.75, 0.65, -0.02, -0.05, +0.03},
	{"T5", 1.40, 1.20, 0.70, +0.05, -0.02, -0.05},
	{"T6", 0.85, 0.62, 1.40, -0.04, +0.03, +0.04},
};

struct ct_thermal_params ct_target_params(const struct ct_target *t)
{
	struct ct_thermal_params p = ct_thermal_nominal;
	p.Cc_JK *= t->m_c;
	p.Cs_JK *= t->m_c;
	p.Rc_KW *= t->m_rc;
	p.Ru_KW *= t->m_ru;
	return p;
}

void ct_pipe_defaults(struct ct_pipe_cfg *c, const char *size)
{
	memset(c, 0, sizeof(*c));
	c->seed = 2509;
	c->threads = 2;
	c->n_src = 128;
	c->len_s = 3600;
	c->n_tgt_unlab = 8;
	c->n_tgt_test = 4;
	c->n_near = 128;
	c->n_targets = CT_N_TARGETS;
	c->epochs = 30;
	c->adapt_epochs = 4;
	c->near_epochs = 30;
	c->hidden = 32;
	c->stride = 5;
	c->adapt_lr = 3e-4;
	c->lambda_mmd = 1.0;
	c->lambda_coral = 10.0;
	c->near = 1;
	if (size && strcmp(size, "reduced") == 0) {
		c->n_src = 12;
		c->len_s = 1200;
		c->n_tgt_unlab = 2;
		c->n_tgt_test = 1;
		c->n_near = 8;
		c->n_targets = 2;
		c->epochs = 3;
		c->adapt_epochs = 1;
		c->near_epochs = 2;
		c->hidden = 12;
		c->stride = 10;
	} else if (size && strcmp(size, "demo") == 0) {
		c->n_src = 48;
		c->epochs = 12;
		c->adapt_epochs = 2;
		c->n_near = 32;
		c->near_epochs = 10;
		c->n_targets = 3;
		c->n_tgt_unlab = 4;
		c->n_tgt_test = 2;
		c->stride = 10;
	}
}

static void logf_(const struct ct_pipe_cfg *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void logf_(const struct ct_pipe_cfg *c, const char *fmt, ...)
{
	if (c->log == NULL)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->log(c->log_ctx, buf);
}

static void gen_base(const struct ct_pipe_cfg *c, struct ct_gen_cfg *g)
{
	ct_gen_defaults(g);
	g->len_s = c->len_s;
	g->threads = c->threads;
}

int ct_target_data(const struct ct_cell *cell, const struct ct_pipe_cfg *c, int k, int labeled,
		   struct ct_dataset *ds, char *err, size_t errlen)
{
	struct ct_gen_cfg g;
	gen_base(c, &g);
	g.centre = ct_target_params(&ct_targets[k]);
	g.span = 0.0;
	g.labeled = labeled;
	g.n_seq = labeled ? c->n_tgt_test : c->n_tgt_unlab;
	/* Separate streams for the unlabeled and the test runs of each target. */
	g.seed = c->seed * 1000 + 100 + (uint64_t)k * 10 + (labeled ? 1 : 0);
	return ct_generate(cell, &g, ds, err, errlen);
}

/* Trains a network from scratch on ds. */
static int train_on(const struct ct_pipe_cfg *c, const struct ct_dataset *ds, int epochs,
		    uint64_t seed, struct ct_mlp *m, char *err, size_t errlen)
{
	struct ct_samples s;
	if (ct_samples_build(ds, c->stride, &s, err, errlen) != 0)
		return -1;
	int rc = ct_mlp_init(m, c->hidden, c->hidden, seed, err, errlen);
	if (rc == 0)
		rc = ct_mlp_set_norm(m, &s, err, errlen);
	struct ct_train_cfg tc;
	ct_train_defaults(&tc);
	tc.epochs = epochs;
	tc.seed = seed;
	tc.threads = c->threads;
	if (rc == 0)
		rc = ct_train(m, &s, NULL, &tc, err, errlen);
	ct_samples_free(&s);
	if (rc != 0)
		ct_mlp_free(m);
	return rc;
}

static int eval_mlp(const struct ct_mlp *m, const struct ct_dataset *test, struct ct_err *e,
		    char *err, size_t errlen)
{
	struct ct_model_f32 f;
	if (ct_model_to_f32(m, &f) != 0) {
		snprintf(err, errlen, "eval: out of memory");
		return -1;
	}
	int rc = ct_eval(&f.w, test, e, err, errlen);
	ct_model_f32_free(&f);
	return rc;
}

/* Trains a network from scratch on ds, which it frees, and evaluates it on
 * test into e. */
static int train_eval(const struct ct_pipe_cfg *c, struct ct_dataset *ds, int epochs, uint64_t seed,
		      const struct ct_dataset *test, struct ct_err *e, char *err, size_t errlen)
{
	struct ct_mlp m;
	int rc = train_on(c, ds, epochs, seed, &m, err, errlen);
	ct_dataset_free(ds);
	if (rc == 0) {
		rc = eval_mlp(&m, test, e, err, errlen);
		ct_mlp_free(&m);
	}
	return rc;
}

static int copy_mlp(const struct ct_mlp *a, struct ct_mlp *b)
{
	*b = *a;
	b->p = malloc(a->n_par * sizeof(double));
	if (b->p == NULL)
		return -1;
	memcpy(b->p, a->p, a->n_par * sizeof(double));
	return 0;
}

/* Surface-temperature misfit of parameter set p on a target's unlabeled
 * runs: the radial model (the same model family the source data come from),
 * driven by the measured current, voltage, coolant temperature and flow, the
 * heat estimated as in the EKF, against the measured surface temperature.
 * Needs no core temperature. At most max_seq runs are used. */
double ct_surface_misfit(const struct ct_cell *cell, const struct ct_thermal_params *p,
			 const struct ct_dataset *unl, uint32_t max_seq)
{
	double sq = 0.0;
	size_t n = 0;
	for (uint32_t i = 0; i < unl->n && i < max_seq; i++) {
		const struct ct_seq *s = &unl->seq[i];
		/* The model starts from a uniform temperature equal to the first
		 * measured surface temperature, which is not the cell's state;
		 * that start-up error decays at a rate set by C and Rc and
		 * biased them (Rc by up to 8%), so the first CT_MISFIT_BURN_IN s
		 * are simulated but not scored. */
		uint32_t skip = s->len / 4 < CT_MISFIT_BURN_IN ? s->len / 4 : CT_MISFIT_BURN_IN;
		struct ct_radial m;
		if (ct_radial_init(&m, p, CT_RADIAL_SHELLS, CT_RADIAL_KZ, CT_RADIAL_END,
				   s->x[CT_CH_TS]) != 0)
			return INFINITY;
		for (uint32_t t = 0; t < s->len; t++) {
			const float *row = &s->x[(size_t)t * CT_NCH];
			double I = row[CT_CH_I], ocv = row[CT_CH_OCV], T = ct_radial_mean(&m);
			double Q = I * (ocv - row[CT_CH_V]) -
				   I * (T + 273.15) * ct_cell_dudt(cell, ocv, T);
			ct_radial_step(&m, Q, row[CT_CH_TF], row[CT_CH_FLOW], 1.0);
			double d = ct_radial_surface(&m, row[CT_CH_TF], row[CT_CH_FLOW]) -
				   row[CT_CH_TS];
			if (t < skip)
				continue;
			sq += d * d;
			n++;
		}
	}
	return n ? sqrt(sq / (double)n) : INFINITY;
}

/* Parameter identification from unlabeled target data: the multipliers of
 * (C, Rc, Ru) on the nominal values that minimise the surface misfit, first
 * on a grid over 0.55..1.45 (threads take fixed slots, so the result does not
 * depend on their number), then by a coordinate search with shrinking steps,
 * then by ct_identify_box around that point. */
struct ident_job {
	const struct ct_cell *cell;
	const struct ct_dataset *unl;
	double *mis;
	int n, next;
	pthread_mutex_t lock;
};

static struct ct_thermal_params scaled(double mc, double mrc, double mru)
{
	struct ct_thermal_params p = ct_thermal_nominal;
	p.Cc_JK *= mc;
	p.Cs_JK *= mc;
	p.Rc_KW *= mrc;
	p.Ru_KW *= mru;
	return p;
}

#define IDENT_RUNS 3 /* unlabeled runs the identification uses */
#define GRID	   7
static double grid_value(int i)
{
	return 0.55 + 0.15 * i;
}

static void *ident_worker(void *arg)
{
	struct ident_job *j = arg;
	for (;;) {
		pthread_mutex_lock(&j->lock);
		int i = j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->n)
			return NULL;
		struct ct_thermal_params p =
			scaled(grid_value(i / (GRID * GRID)), grid_value(i / GRID % GRID),
			       grid_value(i % GRID));
		j->mis[i] = ct_surface_misfit(j->cell, &p, j->unl, IDENT_RUNS);
	}
}

int ct_identify(const struct ct_cell *cell, const struct ct_dataset *unl, int threads,
		struct ct_thermal_params *out, double *misfit)
{
	double mis[GRID * GRID * GRID];
	struct ident_job j = {.cell = cell, .unl = unl, .mis = mis, .n = GRID * GRID * GRID};
	pthread_mutex_init(&j.lock, NULL);
	pthread_t th[16];
	int nt = threads < 1 ? 1 : threads > 16 ? 16 : threads, started = 0;
	for (int t = 1; t < nt; t++)
		if (pthread_create(&th[started], NULL, ident_worker, &j) == 0)
			started++;
	ident_worker(&j);
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&j.lock);
	int best = 0;
	for (int i = 1; i < j.n; i++)
		if (mis[i] < mis[best])
			best = i;
	double m[3] = {grid_value(best / (GRID * GRID)), grid_value(best / GRID % GRID),
		       grid_value(best % GRID)};
	double f = mis[best];
	for (int level = 0; level < 4; level++) { /* steps 0.08, 0.04, 0.02, 0.01 */
		double step = 0.08 / (double)(1 << level);
		int moved = 1;
		for (int guard = 0; moved && guard < 20; guard++) {
			moved = 0;
			for (int k = 0; k < 3; k++)
				for (int sgn = -1; sgn <= 1; sgn += 2) {
					double t[3] = {m[0], m[1], m[2]};
					t[k] += sgn * step;
					if (t[k] < 0.3)
						continue;
					struct ct_thermal_params p = scaled(t[0], t[1], t[2]);
					double v = ct_surface_misfit(cell, &p, unl, IDENT_RUNS);
					if (v < f) {
						f = v;
						memcpy(m, t, sizeof(m));
						moved = 1;
					}
				}
		}
	}
	/* The coordinate steps above stall in the narrow C-Rc valley (Rc off
	 * by up to 15% on validation cells); finish with the relative search
	 * of ct_identify_box in a 10% box around that point, on all runs,
	 * re-centred (at most three times) while it ends on the box's edge. */
	struct ct_thermal_params cur = scaled(m[0], m[1], m[2]);
	for (int round = 0; round < 4; round++) {
		ct_identify_box(cell, unl, threads, &cur, 0.1, out, misfit);
		double r[3] = {out->Cc_JK / cur.Cc_JK, out->Rc_KW / cur.Rc_KW,
			       out->Ru_KW / cur.Ru_KW};
		int edge = 0;
		for (int k = 0; k < 3; k++)
			edge |= r[k] < 1.0 / 1.1 + 1e-9 || r[k] > 1.0 / 0.9 - 1e-9;
		if (!edge)
			break;
		cur = *out;
	}
	return 0;
}

int ct_identify_box(const struct ct_cell *cell, const struct ct_dataset *unl, int threads,
		    const struct ct_thermal_params *centre, double w, struct ct_thermal_params *out,
		    double *misfit)
{
	(void)threads;
	const double c0[3] = {centre->Cc_JK / ct_thermal_nominal.Cc_JK,
			      centre->Rc_KW / ct_thermal_nominal.Rc_KW,
			      centre->Ru_KW / ct_thermal_nominal.Ru_KW};
	double lo[3], hi[3], m[3];
	for (int k = 0; k < 3; k++) {
		lo[k] = c0[k] / (1.0 + w);
		hi[k] = c0[k] / (1.0 - w);
		m[k] = c0[k];
	}
	struct ct_thermal_params p = scaled(m[0], m[1], m[2]);
	double f = ct_surface_misfit(cell, &p, unl, unl->n);
	/* Coordinate search with relative steps of w/2 down to w/32, every
	 * trial clamped into the box. */
	for (int level = 0; level < 5; level++) {
		double step = 0.5 * w / (double)(1 << level);
		int moved = 1;
		for (int guard = 0; moved && guard < 20; guard++) {
			moved = 0;
			for (int k = 0; k < 3; k++)
				for (int sgn = -1; sgn <= 1; sgn += 2) {
					double t[3] = {m[0], m[1], m[2]};
					t[k] *= 1.0 + sgn * step;
					t[k] = t[k] < lo[k] ? lo[k] : t[k] > hi[k] ? hi[k] : t[k];
					if (t[k] == m[k])
						continue;
					p = scaled(t[0], t[1], t[2]);
					double v = ct_surface_misfit(cell, &p, unl, unl->n);
					if (v < f) {
						f = v;
						memcpy(m, t, sizeof(m));
						moved = 1;
					}
				}
		}
	}
	*out = scaled(m[0], m[1], m[2]);
	if (misfit)
		*misfit = f;
	return 0;
}

int ct_pipeline_run(const struct ct_cell *cell, const struct ct_pipe_cfg *c,
		    struct ct_pipe_row rows[CT_N_TARGETS], char *err, size_t errlen)
{
	struct ct_gen_cfg g;
	struct ct_dataset src = {0};
	struct ct_samples ssrc = {0};
	struct ct_mlp pre = {0};
	int rc = -1;
	memset(rows, 0, sizeof(*rows) * CT_N_TARGETS);
	gen_base(c, &g);
	g.n_seq = c->n_src;
	g.seed = c->seed;
	logf_(c, "source: %u radial runs of %u s, parameters within 40%% of nominal", g.n_seq,
	      g.len_s);
	if (ct_generate(cell, &g, &src, err, errlen) != 0)
		goto out;
	if (ct_samples_build(&src, c->stride, &ssrc, err, errlen) != 0)
		goto out;
	logf_(c, "pre-training on %zu samples, %d epochs", ssrc.n, c->epochs);
	if (ct_mlp_init(&pre, c->hidden, c->hidden, c->seed, err, errlen) != 0 ||
	    ct_mlp_set_norm(&pre, &ssrc, err, errlen) != 0)
		goto out;
	struct ct_train_cfg tc;
	ct_train_defaults(&tc);
	tc.epochs = c->epochs;
	tc.seed = c->seed;
	tc.threads = c->threads;
	if (ct_train(&pre, &ssrc, NULL, &tc, err, errlen) != 0)
		goto out;
	for (int k = 0; k < c->n_targets && k < CT_N_TARGETS; k++) {
		struct ct_pipe_row *r = &rows[k];
		struct ct_dataset unl = {0}, test = {0};
		struct ct_samples stgt = {0};
		r->truth = ct_target_params(&ct_targets[k]);
		if (ct_target_data(cell, c, k, 0, &unl, err, errlen) != 0 ||
		    ct_target_data(cell, c, k, 1, &test, err, errlen) != 0 ||
		    ct_samples_build(&unl, c->stride, &stgt, err, errlen) != 0 ||
		    eval_mlp(&pre, &test, &r->pre, err, errlen) != 0) {
			ct_dataset_free(&unl);
			ct_dataset_free(&test);
			goto out;
		}
		ct_ekf_eval(&ct_thermal_nominal, cell, &test, &ct_noise_default, &r->ekf_rmse,
			    &r->ekf_max, NULL);
		for (int u = CT_UDA_MMD; u <= CT_UDA_SELECT; u++) {
			struct ct_mlp ad;
			struct ct_train_cfg ac = tc;
			struct ct_dataset sub = {0};
			struct ct_samples ssub = {0};
			struct ct_err *out = u == CT_UDA_MMD	 ? &r->mmd
					     : u == CT_UDA_CORAL ? &r->coral
								 : &r->sel;
			ac.epochs = c->adapt_epochs;
			ac.lr = c->adapt_lr;
			ac.uda = u;
			ac.lambda = u == CT_UDA_MMD ? c->lambda_mmd : c->lambda_coral;
			ac.seed = c->seed + 17 + (uint64_t)k;
			int bad = copy_mlp(&pre, &ad) != 0;
			if (bad)
				snprintf(err, errlen, "adaptation: out of memory");
			if (!bad && u == CT_UDA_SELECT) {
				/* Identify the thermal parameters from the
				 * unlabeled runs, simulate source data around
				 * them and fine-tune the pre-trained network. */
				struct ct_gen_cfg ig;
				gen_base(c, &ig);
				ct_identify(cell, &unl, c->threads, &r->ident, NULL);
				ig.centre = r->ident;
				ig.span = 0.1;
				ig.n_seq = c->n_near;
				ig.seed = c->seed * 1000 + 700 + (uint64_t)k;
				ac.uda = CT_UDA_NONE;
				ac.epochs = c->near_epochs;
				ac.lr = tc.lr;
				bad = ct_generate(cell, &ig, &sub, err, errlen) != 0;
				if (!bad)
					bad = ct_samples_build(&sub, c->stride, &ssub, err,
							       errlen) != 0;
				if (!bad)
					bad = ct_train(&ad, &ssub, NULL, &ac, err, errlen) != 0 ||
					      eval_mlp(&ad, &test, out, err, errlen) != 0;
				/* Feature alignment on top: the re-simulated
				 * runs as the source, the target's unlabeled
				 * runs as the target. */
				for (int v = CT_UDA_MMD; !bad && v <= CT_UDA_CORAL; v++) {
					struct ct_mlp a2;
					struct ct_train_cfg vc = tc;
					vc.epochs = c->adapt_epochs;
					vc.lr = c->adapt_lr;
					vc.uda = v;
					vc.lambda =
						v == CT_UDA_MMD ? c->lambda_mmd : c->lambda_coral;
					vc.seed = c->seed + 53 + (uint64_t)k;
					if (copy_mlp(&ad, &a2) != 0) {
						snprintf(err, errlen, "adaptation: out of memory");
						bad = 1;
						break;
					}
					bad = ct_train(&a2, &ssub, &stgt, &vc, err, errlen) != 0 ||
					      eval_mlp(&a2, &test,
						       v == CT_UDA_MMD ? &r->sel_mmd
								       : &r->sel_coral,
						       err, errlen) != 0;
					ct_mlp_free(&a2);
				}
				ct_dataset_free(&sub);
			} else if (!bad) {
				bad = ct_train(&ad, &ssrc, &stgt, &ac, err, errlen) != 0 ||
				      eval_mlp(&ad, &test, out, err, errlen) != 0;
			}
			ct_samples_free(&ssub);
			ct_mlp_free(&ad);
			if (bad) {
				ct_samples_free(&stgt);
				ct_dataset_free(&unl);
				ct_dataset_free(&test);
				goto out;
			}
		}
		ct_samples_free(&stgt);
		if (c->near) {
			const struct ct_target *t = &ct_targets[k];
			struct ct_gen_cfg ng;
			struct ct_dataset nds;
			gen_base(c, &ng);
			ng.n_seq = c->n_near;
			ng.seed = c->seed * 1000 + 500 + (uint64_t)k;
			ng.centre = r->truth;
			ng.centre.Cc_JK *= 1.0 + t->d_c;
			ng.centre.Cs_JK *= 1.0 + t->d_c;
			ng.centre.Rc_KW *= 1.0 + t->d_rc;
			ng.centre.Ru_KW *= 1.0 + t->d_ru;
			ng.span = 0.05;
			/* Trained from scratch on the near-the-truth sweep, as
			 * the pre-trained network is on the nominal one. */
			int bad = ct_generate(cell, &ng, &nds, err, errlen) != 0;
			if (!bad)
				bad = train_eval(c, &nds, c->near_epochs,
						 c->seed + 31 + (uint64_t)k, &test, &r->near, err,
						 errlen) != 0;
			/* The same prior, sharpened by the unlabeled runs: the
			 * parameters are identified inside the prior's box
			 * (the truth is within 5% of the centre), and the same
			 * sweep (span 5%, same seed) is centred there. */
			if (!bad) {
				ct_identify_box(cell, &unl, c->threads, &ng.centre, 0.05,
						&r->near_ident, NULL);
				ng.centre = r->near_ident;
				bad = ct_generate(cell, &ng, &nds, err, errlen) != 0;
			}
			if (!bad)
				bad = train_eval(c, &nds, c->near_epochs,
						 c->seed + 31 + (uint64_t)k, &test, &r->near_id,
						 err, errlen) != 0;
			if (bad) {
				ct_dataset_free(&unl);
				ct_dataset_free(&test);
				goto out;
			}
		}
		ct_dataset_free(&unl);
		ct_dataset_free(&test);
		logf_(c,
		      "%s: pre %.3f  mmd %.3f  coral %.3f  ident %.3f (+mmd %.3f +coral %.3f)  "
		      "near %.3f  near+ident %.3f  ekf %.3f (max %.2f) K RMSE",
		      ct_targets[k].name, r->pre.rmse, r->mmd.rmse, r->coral.rmse, r->sel.rmse,
		      r->sel_mmd.rmse, r->sel_coral.rmse, r->near.rmse, r->near_id.rmse,
		      r->ekf_rmse, r->ekf_max);
	}
	rc = 0;
out:
	ct_mlp_free(&pre);
	ct_samples_free(&ssrc);
	ct_dataset_free(&src);
	return rc;
}

int ct_fidelity_run(const struct ct_cell *cell, const struct ct_pipe_cfg *c,
		    struct ct_fid_row rows[CT_N_FIDELITY], char *err, size_t errlen)
{
	static const struct {
		const char *name;
		double span;
		unsigned profiles;
		int model;
	} v[CT_N_FIDELITY] = {
		{"radial, span 40%, all profiles", 0.4, CT_PROF_ALL, CT_MODEL_RADIAL},
		{"radial, span 10%, all profiles", 0.1, CT_PROF_ALL, CT_MODEL_RADIAL},
		{"radial, span 60%, all profiles", 0.6, CT_PROF_ALL, CT_MODEL_RADIAL},
		{"radial, span 40%, pulses only", 0.4, 1u << CT_PROF_PULSE, CT_MODEL_RADIAL},
		{"radial, span 40%, CC only", 0.4, 1u << CT_PROF_CC, CT_MODEL_RADIAL},
		{"lumped, span 40%, all profiles", 0.4, CT_PROF_ALL, CT_MODEL_LUMPED},
	};
	struct ct_dataset tests[CT_N_TARGETS] = {0};
	int rc = -1;
	for (int k = 0; k < c->n_targets && k < CT_N_TARGETS; k++)
		if (ct_target_data(cell, c, k, 1, &tests[k], err, errlen) != 0)
			goto out;
	for (int i = 0; i < CT_N_FIDELITY; i++) {
		struct ct_gen_cfg g;
		struct ct_dataset src;
		struct ct_mlp m;
		gen_base(c, &g);
		g.n_seq = c->n_src;
		g.seed = c->seed;
		g.span = v[i].span;
		g.profiles = v[i].profiles;
		g.model = v[i].model;
		if (ct_generate(cell, &g, &src, err, errlen) != 0)
			goto out;
		int bad = train_on(c, &src, c->epochs, c->seed, &m, err, errlen);
		ct_dataset_free(&src);
		if (bad)
			goto out;
		double sum = 0.0, worst = 0.0;
		for (int k = 0; k < c->n_targets && k < CT_N_TARGETS; k++) {
			struct ct_err e;
			if (eval_mlp(&m, &tests[k], &e, err, errlen) != 0) {
				ct_mlp_free(&m);
				goto out;
			}
			sum += e.rmse;
			if (e.rmse > worst)
				worst = e.rmse;
		}
		ct_mlp_free(&m);
		rows[i].name = v[i].name;
		rows[i].mean_rmse = sum / c->n_targets;
		rows[i].worst_rmse = worst;
		logf_(c, "fidelity: %-34s mean %.3f worst %.3f K", v[i].name, rows[i].mean_rmse,
		      worst);
	}
	rc = 0;
out:
	for (int k = 0; k < CT_N_TARGETS; k++)
		ct_dataset_free(&tests[k]);
	return rc;
}
