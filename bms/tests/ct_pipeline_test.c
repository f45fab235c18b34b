/* ct_pipeline_test: the reduced pipeline end to end (generate, pre-train,
 * adapt with MMD, CORAL and identification + re-simulation (alone and followed by
 * MMD or CORAL), evaluate, EKF, near-the-truth training with the fixed and the
 * identified centre) gives bit-identical numbers when run twice and with one or
 * two threads; generation alone too; identification inside a prior box ends
 * within 1% of the true Rc and stays in the box; and a trained network beats the
 * trivial estimate "core = surface" on held-out runs.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ct_pipeline.h"
#include "testkit.h"

static char err[512];

static int same_err(const struct ct_err *a, const struct ct_err *b)
{
	return a->rmse == b->rmse && a->max_abs == b->max_abs && a->n == b->n;
}

/* Every number of two result tables equal (exact comparison on purpose). */
static int same_rows(const struct ct_pipe_row *a, const struct ct_pipe_row *b)
{
	for (int k = 0; k < CT_N_TARGETS; k++) {
		const struct ct_pipe_row *x = &a[k], *y = &b[k];
		if (!same_err(&x->pre, &y->pre) || !same_err(&x->mmd, &y->mmd) ||
		    !same_err(&x->coral, &y->coral) || !same_err(&x->sel, &y->sel) ||
		    !same_err(&x->near, &y->near) || !same_err(&x->sel_mmd, &y->sel_mmd) ||
		    !same_err(&x->sel_coral, &y->sel_coral) ||
		    !same_err(&x->near_id, &y->near_id) ||
		    x->near_ident.Rc_KW != y->near_ident.Rc_KW || x->ekf_rmse != y->ekf_rmse ||
		    x->ekf_max != y->ekf_max || x->ident.Cc_JK != y->ident.Cc_JK ||
		    x->ident.Rc_KW != y->ident.Rc_KW || x->ident.Ru_KW != y->ident.Ru_KW)
			return 0;
	}
	return 1;
}

static void run(const struct ct_cell *cell, int threads, struct ct_pipe_row *rows)
{
	struct ct_pipe_cfg c;
	ct_pipe_defaults(&c, "reduced");
	c.threads = threads;
	memset(rows, 0, sizeof(*rows) * CT_N_TARGETS);
	TK_REQUIRE(ct_pipeline_run(cell, &c, rows, err, sizeof(err)) == 0, "%s", err);
}

static void gen_threads(const struct ct_cell *cell)
{
	struct ct_gen_cfg g;
	ct_gen_defaults(&g);
	g.n_seq = 5;
	g.len_s = 300;
	struct ct_dataset a, b;
	g.threads = 1;
	TK_REQUIRE(ct_generate(cell, &g, &a, err, sizeof(err)) == 0, "%s", err);
	g.threads = 2;
	TK_REQUIRE(ct_generate(cell, &g, &b, err, sizeof(err)) == 0, "%s", err);
	int same = 1;
	for (uint32_t i = 0; i < a.n; i++)
		for (size_t k = 0; k < (size_t)a.seq[i].len * CT_NCH; k++)
			same &= a.seq[i].x[k] == b.seq[i].x[k];
	TK_CHECK(same, "generation depends on the thread count");
	ct_dataset_free(&a);
	ct_dataset_free(&b);
}

/* Core minus surface temperature of run s at second t. */
static double gap(const struct ct_seq *s, uint32_t t)
{
	size_t row = (size_t)t * CT_NCH;
	return (double)s->x[row + CT_CH_TC] - s->x[row + CT_CH_TS];
}

static void learns(const struct ct_cell *cell)
{
	struct ct_pipe_cfg c;
	ct_pipe_defaults(&c, "reduced");
	struct ct_gen_cfg g;
	ct_gen_defaults(&g);
	g.n_seq = 16;
	g.len_s = 1800;
	g.span = 0.05;
	struct ct_dataset src, test;
	TK_REQUIRE(ct_generate(cell, &g, &src, err, sizeof(err)) == 0, "%s", err);
	g.n_seq = 2;
	g.seed = 77;
	g.span = 0.0;
	TK_REQUIRE(ct_generate(cell, &g, &test, err, sizeof(err)) == 0, "%s", err);
	struct ct_samples s;
	struct ct_mlp m;
	TK_REQUIRE(ct_samples_build(&src, 5, &s, err, sizeof(err)) == 0, "%s", err);
	TK_REQUIRE(ct_mlp_init(&m, 16, 16, 1, err, sizeof(err)) == 0, "%s", err);
	TK_REQUIRE(ct_mlp_set_norm(&m, &s, err, sizeof(err)) == 0, "%s", err);
	struct ct_train_cfg tc;
	ct_train_defaults(&tc);
	tc.epochs = 8;
	TK_REQUIRE(ct_train(&m, &s, NULL, &tc, err, sizeof(err)) == 0, "%s", err);
	struct ct_model_f32 f;
	struct ct_err e;
	TK_REQUIRE(ct_model_to_f32(&m, &f) == 0, "f32");
	TK_REQUIRE(ct_eval(&f.w, &test, &e, err, sizeof(err)) == 0, "%s", err);
	double naive = 0.0;
	size_t n = 0;
	for (uint32_t i = 0; i < test.n; i++)
		for (uint32_t t = CT_BLOCK_LEN; t < test.seq[i].len; t++) {
			naive += gap(&test.seq[i], t) * gap(&test.seq[i], t);
			n++;
		}
	naive = sqrt(naive / (double)n);
	TK_CHECK(e.rmse < 0.5 * naive, "network RMSE %.3f K, core = surface %.3f K", e.rmse, naive);
	printf("trained: RMSE %.3f K; core = surface: %.3f K\n", e.rmse, naive);
	ct_model_f32_free(&f);
	ct_mlp_free(&m);
	ct_samples_free(&s);
	ct_dataset_free(&src);
	ct_dataset_free(&test);
}

/* Identification inside a prior box, on unlabeled radial runs of a cell whose
 * parameters the test sets (default sensor noise): from a centre 5% off in Rc
 * it ends within 1% of the true Rc, and from a centre 30% off it stays inside
 * the box. */
static void identify_box(const struct ct_cell *cell)
{
	struct ct_gen_cfg g;
	ct_gen_defaults(&g);
	g.n_seq = 2;
	g.len_s = 1800;
	g.span = 0.0;
	g.labeled = 0;
	g.seed = 4242;
	g.centre.Cc_JK *= 0.8;
	g.centre.Cs_JK *= 0.8;
	g.centre.Rc_KW *= 1.3;
	g.centre.Ru_KW *= 0.9;
	struct ct_dataset unl;
	TK_REQUIRE(ct_generate(cell, &g, &unl, err, sizeof(err)) == 0, "%s", err);
	struct ct_thermal_params c = g.centre, id;
	c.Rc_KW *= 1.05;
	TK_REQUIRE(ct_identify_box(cell, &unl, 1, &c, 0.05, &id, NULL) == 0, "identify");
	double before = fabs(c.Rc_KW - g.centre.Rc_KW), after = fabs(id.Rc_KW - g.centre.Rc_KW);
	TK_CHECK(after < 0.2 * before, "Rc %.4f from centre %.4f, truth %.4f", id.Rc_KW, c.Rc_KW,
		 g.centre.Rc_KW);
	printf("identified in the box: Rc %.4f from centre %.4f, truth %.4f\n", id.Rc_KW, c.Rc_KW,
	       g.centre.Rc_KW);
	c = g.centre;
	c.Rc_KW *= 1.3;
	TK_REQUIRE(ct_identify_box(cell, &unl, 1, &c, 0.05, &id, NULL) == 0, "identify");
	TK_CHECK(id.Rc_KW >= c.Rc_KW / 1.05 * (1 - 1e-12) && id.Rc_KW <= c.Rc_KW / 0.95 &&
			 id.Cc_JK >= c.Cc_JK / 1.05 * (1 - 1e-12) &&
			 id.Cc_JK <= c.Cc_JK / 0.95 * (1 + 1e-12),
		 "identification left the box: Rc %.4f around %.4f", id.Rc_KW, c.Rc_KW);
	TK_CHECK(id.Rc_KW < c.Rc_KW, "Rc did not move towards the truth: %.4f", id.Rc_KW);
	ct_dataset_free(&unl);
}

int main(void)
{
	struct ct_cell cell;
	if (ct_cell_load(&cell, ct_cell_default_dir(), err, sizeof(err)) != 0)
		tk_skip("cell tables not found: %s", err);
	struct ct_pipe_row a[CT_N_TARGETS], b[CT_N_TARGETS], c[CT_N_TARGETS];
	run(&cell, 2, a);
	run(&cell, 2, b);
	run(&cell, 1, c);
	TK_CHECK(same_rows(a, b), "two runs with the same seed differ");
	TK_CHECK(same_rows(a, c), "one thread and two threads differ");
	TK_CHECK(isfinite(a[0].pre.rmse) && a[0].pre.rmse > 0.0 && a[0].pre.n > 0 &&
			 isfinite(a[1].coral.rmse) && isfinite(a[1].sel.rmse) &&
			 isfinite(a[1].near.rmse) && isfinite(a[1].sel_mmd.rmse) &&
			 isfinite(a[1].sel_coral.rmse) && isfinite(a[1].near_id.rmse) &&
			 a[1].ekf_rmse > 0.0,
		 "results missing");
	printf("reduced pipeline, T1: pre %.3f mmd %.3f coral %.3f identify %.3f near %.3f ekf "
	       "%.3f\n",
	       a[0].pre.rmse, a[0].mmd.rmse, a[0].coral.rmse, a[0].sel.rmse, a[0].near.rmse,
	       a[0].ekf_rmse);
	gen_threads(&cell);
	identify_box(&cell);
	learns(&cell);
	ct_cell_free(&cell);
	return tk_finish();
}
