/* ct_nn: samples, the MLP, backpropagation with Adam, domain adaptation,
 * the model file and evaluation (see ct_nn.h).
 */
#include "ct_nn.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- samples ------------------------------------------------------------- */

static void seq_sample(const float *row, struct ct_sample *s)
{
	s->current_A = row[CT_CH_I];
	s->voltage_V = row[CT_CH_V];
	s->ocv_V = row[CT_CH_OCV];
	s->surface_degC = row[CT_CH_TS];
	s->coolant_degC = row[CT_CH_TF];
	s->flow_mps = row[CT_CH_FLOW];
}

int ct_samples_build(const struct ct_dataset *ds, int stride, struct ct_samples *s, char *err,
		     size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (stride < 1) {
		snprintf(err, errlen, "samples: stride %d must be at least 1", stride);
		return -1;
	}
	size_t n = 0;
	for (uint32_t i = 0; i < ds->n; i++)
		if (ds->seq[i].len > CT_BLOCK_LEN)
			n += (ds->seq[i].len - CT_BLOCK_LEN + (uint32_t)stride - 1) /
			     (uint32_t)stride;
	if (n == 0) {
		snprintf(err, errlen, "samples: the dataset has no sequence longer than %d s",
			 CT_BLOCK_LEN);
		return -1;
	}
	s->x = malloc(n * CT_N_IN * sizeof(float));
	s->y = malloc(n * sizeof(float));
	if (s->x == NULL || s->y == NULL) {
		ct_samples_free(s);
		snprintf(err, errlen, "samples: out of memory for %zu samples", n);
		return -1;
	}
	struct ct_window w; /* 6.4 KB on the stack, fine on the host */
	size_t k = 0;
	for (uint32_t i = 0; i < ds->n; i++) {
		const struct ct_seq *q = &ds->seq[i];
		ct_window_reset(&w);
		for (uint32_t t = 0; t < q->len; t++) {
			struct ct_sample smp;
			const float *row = &q->x[(size_t)t * CT_NCH];
			seq_sample(row, &smp);
			ct_window_push(&w, &smp);
			if (t < CT_BLOCK_LEN || (t - CT_BLOCK_LEN) % (uint32_t)stride != 0)
				continue;
			float tref;
			ct_window_features(&w, &s->x[k * CT_N_IN], &tref);
			s->y[k] = q->labeled ? row[CT_CH_TC] - tref : NAN;
			k++;
		}
	}
	s->n = k;
	return 0;
}

void ct_samples_free(struct ct_samples *s)
{
	free(s->x);
	free(s->y);
	s->x = s->y = NULL;
	s->n = 0;
}

const char *ct_uda_name(int uda)
{
	switch (uda) {
	case CT_UDA_MMD:
		return "mmd";
	case CT_UDA_CORAL:
		return "coral";
	case CT_UDA_SELECT:
		return "identify";
	case CT_UDA_NONE:
		return "none";
	default:
		return "?";
	}
}

void ct_train_defaults(struct ct_train_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->epochs = 30;
	cfg->batch = 128;
	cfg->lr = 2e-3;
	cfg->seed = 1;
	cfg->threads = 2;
	cfg->uda = CT_UDA_NONE;
	cfg->lambda = 1.0;
}

/* ---- the network --------------------------------------------------------- */

struct layout {
	size_t w1, b1, w2, b2, w3, b3, n;
};

static struct layout layout_of(int n_in, int h1, int h2)
{
	struct layout l;
	l.w1 = 0;
	l.b1 = l.w1 + (size_t)h1 * (size_t)n_in;
	l.w2 = l.b1 + (size_t)h1;
	l.b2 = l.w2 + (size_t)h2 * (size_t)h1;
	l.w3 = l.b2 + (size_t)h2;
	l.b3 = l.w3 + (size_t)h2;
	l.n = l.b3 + 1;
	return l;
}

int ct_mlp_init(struct ct_mlp *m, int h1, int h2, uint64_t seed, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	if (h1 < 1 || h1 > CT_MAX_HIDDEN || h2 < 1 || h2 > CT_MAX_HIDDEN) {
		snprintf(err, errlen, "network: hidden sizes %d, %d out of range 1..%d", h1, h2,
			 CT_MAX_HIDDEN);
		return -1;
	}
	m->n_in = CT_N_IN;
	m->h1 = h1;
	m->h2 = h2;
	struct layout l = layout_of(m->n_in, h1, h2);
	m->n_par = l.n;
	m->p = calloc(l.n, sizeof(double));
	if (m->p == NULL) {
		snprintf(err, errlen, "network: out of memory");
		return -1;
	}
	uint64_t rng = seed ^ 0x5eedull;
	double a1 = sqrt(6.0 / (m->n_in + h1)), a2 = sqrt(6.0 / (h1 + h2)),
	       a3 = sqrt(6.0 / (h2 + 1));
	for (size_t i = l.w1; i < l.b1; i++)
		m->p[i] = a1 * (2.0 * ct_rng_uniform(&rng) - 1.0);
	for (size_t i = l.w2; i < l.b2; i++)
		m->p[i] = a2 * (2.0 * ct_rng_uniform(&rng) - 1.0);
	for (size_t i = l.w3; i < l.b3; i++)
		m->p[i] = a3 * (2.0 * ct_rng_uniform(&rng) - 1.0);
	for (int i = 0; i < CT_N_IN; i++) {
		m->in_mean[i] = 0.0;
		m->in_std[i] = 1.0;
	}
	m->out_mean = 0.0;
	m->out_std = 1.0;
	return 0;
}

void ct_mlp_free(struct ct_mlp *m)
{
	free(m->p);
	m->p = NULL;
}

int ct_mlp_set_norm(struct ct_mlp *m, const struct ct_samples *s, char *err, size_t errlen)
{
	double sum[CT_N_IN] = {0}, sq[CT_N_IN] = {0}, ys = 0.0, yq = 0.0;
	size_t n = 0;
	for (size_t k = 0; k < s->n; k++) {
		if (isnan(s->y[k]))
			continue;
		const float *x = &s->x[k * CT_N_IN];
		for (int i = 0; i < CT_N_IN; i++) {
			sum[i] += x[i];
			sq[i] += (double)x[i] * x[i];
		}
		ys += s->y[k];
		yq += (double)s->y[k] * s->y[k];
		n++;
	}
	if (n < 2) {
		snprintf(err, errlen, "training: fewer than two labeled samples");
		return -1;
	}
	for (int i = 0; i < CT_N_IN; i++) {
		m->in_mean[i] = sum[i] / (double)n;
		double var = sq[i] / (double)n - m->in_mean[i] * m->in_mean[i];
		m->in_std[i] = var > 1e-12 ? sqrt(var) : 1.0;
	}
	m->out_mean = ys / (double)n;
	double var = yq / (double)n - m->out_mean * m->out_mean;
	m->out_std = var > 1e-12 ? sqrt(var) : 1.0;
	return 0;
}

/* Per-sample activations kept between the passes of one minibatch. */
struct act {
	double x[CT_N_IN];
	double h1[CT_MAX_HIDDEN], h2[CT_MAX_HIDDEN];
	double y;
	double dh2[CT_MAX_HIDDEN]; /* alignment gradient */
};

static void forward(const struct ct_mlp *m, const struct layout *l, const float *raw, struct act *a)
{
	const double *p = m->p;
	for (int i = 0; i < m->n_in; i++)
		a->x[i] = (raw[i] - m->in_mean[i]) / m->in_std[i];
	for (int j = 0; j < m->h1; j++) {
		const double *row = &p[l->w1 + (size_t)j * m->n_in];
		double s = p[l->b1 + j];
		for (int i = 0; i < m->n_in; i++)
			s += row[i] * a->x[i];
		a->h1[j] = tanh(s);
	}
	for (int j = 0; j < m->h2; j++) {
		const double *row = &p[l->w2 + (size_t)j * m->h1];
		double s = p[l->b2 + j];
		for (int i = 0; i < m->h1; i++)
			s += row[i] * a->h1[i];
		a->h2[j] = tanh(s);
	}
	double y = p[l->b3];
	for (int j = 0; j < m->h2; j++)
		y += p[l->w3 + j] * a->h2[j];
	a->y = y;
}

/* Adds the gradient of dy * y + dh2 . h2 (through the network) to g. */
static void backward(const struct ct_mlp *m, const struct layout *l, const struct act *a, double dy,
		     int with_align, double *g)
{
	const double *p = m->p;
	double da2[CT_MAX_HIDDEN], da1[CT_MAX_HIDDEN];
	g[l->b3] += dy;
	for (int j = 0; j < m->h2; j++) {
		g[l->w3 + j] += dy * a->h2[j];
		double dh = dy * p[l->w3 + j] + (with_align ? a->dh2[j] : 0.0);
		da2[j] = dh * (1.0 - a->h2[j] * a->h2[j]);
	}
	for (int i = 0; i < m->h1; i++)
		da1[i] = 0.0;
	for (int j = 0; j < m->h2; j++) {
		double d = da2[j];
		if (d == 0.0)
			continue;
		g[l->b2 + j] += d;
		const double *row = &p[l->w2 + (size_t)j * m->h1];
		double *grow = &g[l->w2 + (size_t)j * m->h1];
		for (int i = 0; i < m->h1; i++) {
			grow[i] += d * a->h1[i];
			da1[i] += d * row[i];
		}
	}
	for (int i = 0; i < m->h1; i++) {
		double d = da1[i] * (1.0 - a->h1[i] * a->h1[i]);
		g[l->b1 + i] += d;
		double *grow = &g[l->w1 + (size_t)i * m->n_in];
		for (int k = 0; k < m->n_in; k++)
			grow[k] += d * a->x[k];
	}
}

/* ---- alignment losses on the last hidden layer ---------------------------- */

static double sqdist(const double *a, const double *b, int d)
{
	double s = 0.0;
	for (int i = 0; i < d; i++)
		s += (a[i] - b[i]) * (a[i] - b[i]);
	return s;
}

/* MMD^2 with a sum of Gaussian kernels (bandwidths 1/4, 1, 4 times the mean
 * squared distance of the batch, held constant); writes lambda * dMMD/dh2
 * into each act's dh2. src acts first (ns), then target (nt). */
static double mmd_grad(struct act *a, int ns, int nt, int d, double lambda)
{
	int n = ns + nt;
	double mean = 0.0;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			mean += sqdist(a[i].h2, a[j].h2, d);
	mean /= 0.5 * n * (n - 1);
	if (mean < 1e-12)
		mean = 1e-12;
	static const double mult[3] = {0.25, 1.0, 4.0};
	double loss = 0.0;
	for (int i = 0; i < n; i++)
		for (int c = 0; c < d; c++)
			a[i].dh2[c] = 0.0;
	for (int i = 0; i < n; i++) {
		for (int j = i + 1; j < n; j++) {
			int si = i < ns, sj = j < ns;
			double w = si && sj	? 1.0 / ((double)ns * ns)
				   : !si && !sj ? 1.0 / ((double)nt * nt)
						: -1.0 / ((double)ns * nt);
			/* The pair (i,j) and (j,i) both appear in the sums. */
			w *= 2.0;
			double dd = sqdist(a[i].h2, a[j].h2, d);
			double kv = 0.0, dk = 0.0;
			for (int b = 0; b < 3; b++) {
				double s2 = 2.0 * mean * mult[b];
				double e = exp(-dd / s2);
				kv += e;
				dk += -e / s2 *
				      2.0; /* d/d(dd) of e, times 2 for d(dd)/da = 2(a-b) */
			}
			loss += w * kv;
			for (int c = 0; c < d; c++) {
				double diff = a[i].h2[c] - a[j].h2[c];
				double gv = lambda * w * dk * diff;
				a[i].dh2[c] += gv;
				a[j].dh2[c] -= gv;
			}
		}
	}
	/* The diagonal terms k(x, x) = 3 add constants only. */
	loss += 3.0 / ns + 3.0 / nt;
	return lambda * loss;
}

/* Deep CORAL: ||C_s - C_t||_F^2 / (4 d^2). */
static double coral_grad(struct act *a, int ns, int nt, int d, double lambda)
{
	double ms[CT_MAX_HIDDEN] = {0}, mt[CT_MAX_HIDDEN] = {0};
	static double cs[CT_MAX_HIDDEN][CT_MAX_HIDDEN], ctg[CT_MAX_HIDDEN][CT_MAX_HIDDEN];
	for (int i = 0; i < ns; i++)
		for (int c = 0; c < d; c++)
			ms[c] += a[i].h2[c] / ns;
	for (int i = ns; i < ns + nt; i++)
		for (int c = 0; c < d; c++)
			mt[c] += a[i].h2[c] / nt;
	for (int r = 0; r < d; r++)
		for (int c = 0; c < d; c++) {
			double s = 0.0, t = 0.0;
			for (int i = 0; i < ns; i++)
				s += (a[i].h2[r] - ms[r]) * (a[i].h2[c] - ms[c]);
			for (int i = ns; i < ns + nt; i++)
				t += (a[i].h2[r] - mt[r]) * (a[i].h2[c] - mt[c]);
			cs[r][c] = s / (ns - 1) - t / (nt - 1); /* C_s - C_t */
			(void)ctg;
		}
	double loss = 0.0;
	for (int r = 0; r < d; r++)
		for (int c = 0; c < d; c++)
			loss += cs[r][c] * cs[r][c];
	loss /= 4.0 * d * d;
	for (int i = 0; i < ns + nt; i++) {
		int src = i < ns;
		const double *m = src ? ms : mt;
		double scale =
			lambda / ((double)d * d * (src ? ns - 1 : nt - 1)) * (src ? 1.0 : -1.0);
		for (int r = 0; r < d; r++) {
			double s = 0.0;
			for (int c = 0; c < d; c++)
				s += cs[r][c] * (a[i].h2[c] - m[c]);
			a[i].dh2[r] = scale * s;
		}
	}
	return lambda * loss;
}

/* ---- training loop ------------------------------------------------------- */

struct batch_ctx {
	const struct ct_mlp *m;
	const struct layout *l;
	const struct ct_samples *src, *tgt;
	const size_t *idx_s, *idx_t; /* indices of this batch */
	int ns, nt;
	struct act *acts;
	double *g[CT_NN_CHUNKS];
	double out_loss[CT_NN_CHUNKS];
	int phase; /* 0 forward, 1 backward */
	int align;
	int nthreads;
};

struct worker_arg {
	struct batch_ctx *b;
	int t;
};

static void chunk_range(int n, int c, int *lo, int *hi)
{
	*lo = (int)((long)n * c / CT_NN_CHUNKS);
	*hi = (int)((long)n * (c + 1) / CT_NN_CHUNKS);
}

static void run_chunk(struct batch_ctx *b, int c)
{
	int n = b->ns + b->nt, lo, hi;
	chunk_range(n, c, &lo, &hi);
	if (b->phase == 0) {
		for (int i = lo; i < hi; i++) {
			const float *raw = i < b->ns ? &b->src->x[b->idx_s[i] * CT_N_IN]
						     : &b->tgt->x[b->idx_t[i - b->ns] * CT_N_IN];
			forward(b->m, b->l, raw, &b->acts[i]);
		}
		return;
	}
	double *g = b->g[c];
	memset(g, 0, b->l->n * sizeof(double));
	double loss = 0.0;
	for (int i = lo; i < hi; i++) {
		double dy = 0.0;
		if (i < b->ns) {
			double t = (b->src->y[b->idx_s[i]] - b->m->out_mean) / b->m->out_std;
			double e = b->acts[i].y - t;
			loss += e * e / b->ns;
			dy = 2.0 * e / b->ns;
		}
		backward(b->m, b->l, &b->acts[i], dy, b->align, g);
	}
	b->out_loss[c] = loss;
}

static void *batch_worker(void *arg)
{
	struct worker_arg *w = arg;
	for (int c = w->t; c < CT_NN_CHUNKS; c += w->b->nthreads)
		run_chunk(w->b, c);
	return NULL;
}

static void run_phase(struct batch_ctx *b)
{
	pthread_t th[CT_NN_CHUNKS];
	struct worker_arg wa[CT_NN_CHUNKS];
	int started[CT_NN_CHUNKS] = {0};
	for (int t = 1; t < b->nthreads; t++) {
		wa[t] = (struct worker_arg){b, t};
		started[t] = pthread_create(&th[t], NULL, batch_worker, &wa[t]) == 0;
		if (!started[t])
			batch_worker(&wa[t]);
	}
	wa[0] = (struct worker_arg){b, 0};
	batch_worker(&wa[0]);
	for (int t = 1; t < b->nthreads; t++)
		if (started[t])
			pthread_join(th[t], NULL);
}

static void shuffle(size_t *v, size_t n, uint64_t *rng)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(ct_rng_next(rng) % i);
		size_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

int ct_train(struct ct_mlp *m, const struct ct_samples *src, const struct ct_samples *tgt,
	     const struct ct_train_cfg *cfg, char *err, size_t errlen)
{
	int align = cfg->uda == CT_UDA_MMD || cfg->uda == CT_UDA_CORAL;
	if (cfg->epochs < 1 || cfg->batch < 8 || cfg->batch > 4096 || !(cfg->lr > 0.0)) {
		snprintf(err, errlen, "training: bad settings (epochs %d, batch %d, lr %g)",
			 cfg->epochs, cfg->batch, cfg->lr);
		return -1;
	}
	if (align && (tgt == NULL || tgt->n < (size_t)cfg->batch)) {
		snprintf(err, errlen, "adaptation: needs at least %d target samples", cfg->batch);
		return -1;
	}
	size_t nl = 0;
	for (size_t k = 0; k < src->n; k++)
		nl += !isnan(src->y[k]);
	if (nl < (size_t)cfg->batch) {
		snprintf(err, errlen,
			 "training: %zu labeled source samples, fewer than a batch (%d)", nl,
			 cfg->batch);
		return -1;
	}
	struct layout l = layout_of(m->n_in, m->h1, m->h2);
	int nt = align ? cfg->batch : 0;
	size_t *idx_s = malloc(nl * sizeof(size_t));
	size_t *idx_t = align ? malloc(tgt->n * sizeof(size_t)) : NULL;
	struct act *acts = malloc((size_t)(cfg->batch + nt) * sizeof(struct act));
	double *gbuf = malloc((size_t)CT_NN_CHUNKS * l.n * sizeof(double));
	double *mom = calloc(l.n, sizeof(double)), *vel = calloc(l.n, sizeof(double));
	int rc = -1;
	if (idx_s == NULL || (align && idx_t == NULL) || acts == NULL || gbuf == NULL ||
	    mom == NULL || vel == NULL) {
		snprintf(err, errlen, "training: out of memory");
		goto out;
	}
	nl = 0;
	for (size_t k = 0; k < src->n; k++)
		if (!isnan(src->y[k]))
			idx_s[nl++] = k;
	if (align)
		for (size_t k = 0; k < tgt->n; k++)
			idx_t[k] = k;
	uint64_t rng = cfg->seed * 0x2545f4914f6cdd1dull + 7;
	struct batch_ctx b = {
		.m = m, .l = &l, .src = src, .tgt = tgt, .acts = acts, .align = align};
	b.nthreads = cfg->threads < 1		   ? 1
		     : cfg->threads > CT_NN_CHUNKS ? CT_NN_CHUNKS
						   : cfg->threads;
	for (int c = 0; c < CT_NN_CHUNKS; c++)
		b.g[c] = &gbuf[(size_t)c * l.n];
	size_t steps_per_epoch = nl / (size_t)cfg->batch;
	size_t tpos = 0;
	long step = 0;
	for (int ep = 0; ep < cfg->epochs; ep++) {
		shuffle(idx_s, nl, &rng);
		double lr = cfg->lr * (ep >= cfg->epochs * 85 / 100 ? 0.1
				       : ep >= cfg->epochs * 6 / 10 ? 0.3
								    : 1.0);
		double ep_loss = 0.0;
		for (size_t s = 0; s < steps_per_epoch; s++) {
			b.idx_s = &idx_s[s * (size_t)cfg->batch];
			b.ns = cfg->batch;
			b.nt = nt;
			if (align) {
				if (tpos + (size_t)nt > tgt->n || tpos == 0) {
					shuffle(idx_t, tgt->n, &rng);
					tpos = 0;
				}
				b.idx_t = &idx_t[tpos];
				tpos += (size_t)nt;
			}
			b.phase = 0;
			run_phase(&b);
			double aloss = 0.0;
			if (cfg->uda == CT_UDA_MMD)
				aloss = mmd_grad(acts, b.ns, b.nt, m->h2, cfg->lambda);
			else if (cfg->uda == CT_UDA_CORAL)
				aloss = coral_grad(acts, b.ns, b.nt, m->h2, cfg->lambda);
			b.phase = 1;
			run_phase(&b);
			double loss = aloss;
			for (int c = 0; c < CT_NN_CHUNKS; c++)
				loss += b.out_loss[c];
			ep_loss += loss;
			/* Adam, gradients summed in chunk order. */
			step++;
			double bc1 = 1.0 - pow(0.9, (double)step),
			       bc2 = 1.0 - pow(0.999, (double)step);
			for (size_t i = 0; i < l.n; i++) {
				double g = 0.0;
				for (int c = 0; c < CT_NN_CHUNKS; c++)
					g += b.g[c][i];
				mom[i] = 0.9 * mom[i] + 0.1 * g;
				vel[i] = 0.999 * vel[i] + 0.001 * g * g;
				m->p[i] -= lr * (mom[i] / bc1) / (sqrt(vel[i] / bc2) + 1e-8);
			}
		}
		if (!isfinite(ep_loss)) {
			snprintf(err, errlen, "training: the loss diverged in epoch %d", ep + 1);
			goto out;
		}
		if (cfg->progress)
			cfg->progress(cfg->progress_ctx, ep + 1, cfg->epochs,
				      ep_loss / (double)(steps_per_epoch ? steps_per_epoch : 1));
	}
	rc = 0;
out:
	free(idx_s);
	free(idx_t);
	free(acts);
	free(gbuf);
	free(mom);
	free(vel);
	return rc;
}

/* ---- model file ---------------------------------------------------------- */

static const char model_magic[8] = {'C', 'T', 'M', 'O', 'D', 'E', 'L', 0};

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static void wr_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t rd_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr_f32(uint8_t *p, double x)
{
	float f = (float)x;
	uint32_t v;
	memcpy(&v, &f, 4);
	wr_u32(p, v);
}

static float rd_f32(const uint8_t *p)
{
	uint32_t v = rd_u32(p);
	float f;
	memcpy(&f, &v, 4);
	return f;
}

int ct_model_save(const struct ct_mlp *m, const char *path, char *err, size_t errlen)
{
	size_t nf = 2 * (size_t)m->n_in + 2 + m->n_par;
	size_t len = 32 + 4 * nf + 4;
	uint8_t *b = malloc(len);
	if (b == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	memcpy(b, model_magic, 8);
	wr_u32(b + 8, CT_MODEL_VERSION);
	wr_u32(b + 12, (uint32_t)m->n_in);
	wr_u32(b + 16, (uint32_t)m->h1);
	wr_u32(b + 20, (uint32_t)m->h2);
	wr_u32(b + 24, CT_BLOCKS);
	wr_u32(b + 28, CT_WINDOW);
	uint8_t *p = b + 32;
	for (int i = 0; i < m->n_in; i++, p += 4)
		wr_f32(p, m->in_mean[i]);
	for (int i = 0; i < m->n_in; i++, p += 4)
		wr_f32(p, m->in_std[i]);
	wr_f32(p, m->out_mean);
	wr_f32(p + 4, m->out_std);
	p += 8;
	for (size_t i = 0; i < m->n_par; i++, p += 4)
		wr_f32(p, m->p[i]);
	wr_u32(p, fnv1a(b, len - 4));
	FILE *f = fopen(path, "wb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(b);
		return -1;
	}
	size_t w = fwrite(b, 1, len, f);
	free(b);
	if (fclose(f) != 0 || w != len) {
		snprintf(err, errlen, "%s: write failed", path);
		return -1;
	}
	return 0;
}

int ct_model_parse(struct ct_mlp *m, const uint8_t *buf, size_t len, const char *name, char *err,
		   size_t errlen)
{
	memset(m, 0, sizeof(*m));
	if (len == 0) {
		snprintf(err, errlen, "%s: empty file", name);
		return -1;
	}
	if (len < 36 || memcmp(buf, model_magic, 8) != 0) {
		snprintf(err, errlen,
			 "%s: not a coretemp model (bad magic or shorter than its header)", name);
		return -1;
	}
	uint32_t ver = rd_u32(buf + 8);
	if (ver != CT_MODEL_VERSION) {
		snprintf(err, errlen, "%s: model version %u, this program reads version %u", name,
			 ver, CT_MODEL_VERSION);
		return -1;
	}
	uint32_t n_in = rd_u32(buf + 12), h1 = rd_u32(buf + 16), h2 = rd_u32(buf + 20);
	uint32_t blocks = rd_u32(buf + 24), win = rd_u32(buf + 28);
	if (n_in != CT_N_IN || blocks != CT_BLOCKS || win != CT_WINDOW) {
		snprintf(err, errlen,
			 "%s: model for %u inputs over %u blocks of a %u-sample window; this build "
			 "has %d inputs over %d blocks of %d",
			 name, n_in, blocks, win, CT_N_IN, CT_BLOCKS, CT_WINDOW);
		return -1;
	}
	if (h1 < 1 || h1 > CT_MAX_HIDDEN || h2 < 1 || h2 > CT_MAX_HIDDEN) {
		snprintf(err, errlen, "%s: hidden sizes %u, %u out of range 1..%d", name, h1, h2,
			 CT_MAX_HIDDEN);
		return -1;
	}
	struct layout l = layout_of((int)n_in, (int)h1, (int)h2);
	size_t nf = 2 * (size_t)n_in + 2 + l.n;
	size_t need = 32 + 4 * nf + 4;
	if (len != need) {
		snprintf(err, errlen, "%s: %zu bytes, a model of this shape has %zu (%s)", name,
			 len, need, len < need ? "truncated" : "trailing data");
		return -1;
	}
	if (fnv1a(buf, len - 4) != rd_u32(buf + len - 4)) {
		snprintf(err, errlen, "%s: checksum mismatch (the file is damaged)", name);
		return -1;
	}
	const uint8_t *p = buf + 32;
	for (size_t i = 0; i < nf; i++)
		if (!isfinite(rd_f32(p + 4 * i))) {
			snprintf(err, errlen, "%s: value %zu is not finite", name, i);
			return -1;
		}
	m->p = malloc(l.n * sizeof(double));
	if (m->p == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	m->n_in = (int)n_in;
	m->h1 = (int)h1;
	m->h2 = (int)h2;
	m->n_par = l.n;
	for (uint32_t i = 0; i < n_in; i++)
		m->in_mean[i] = rd_f32(p + (size_t)4 * i);
	p += (size_t)4 * n_in;
	for (uint32_t i = 0; i < n_in; i++) {
		m->in_std[i] = rd_f32(p + (size_t)4 * i);
		if (!(m->in_std[i] > 0.0)) {
			snprintf(err, errlen, "%s: input scale %u is not positive", name, i);
			ct_mlp_free(m);
			return -1;
		}
	}
	p += (size_t)4 * n_in;
	m->out_mean = rd_f32(p);
	m->out_std = rd_f32(p + 4);
	p += 8;
	for (size_t i = 0; i < l.n; i++)
		m->p[i] = rd_f32(p + 4 * i);
	return 0;
}

int ct_model_load(struct ct_mlp *m, const char *path, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	memset(m, 0, sizeof(*m));
	if (ct_read_file(path, (size_t)16 << 20, &buf, &len, err, errlen) != 0)
		return -1;
	int rc = ct_model_parse(m, buf, len, path, err, errlen);
	free(buf);
	return rc;
}

int ct_model_to_f32(const struct ct_mlp *m, struct ct_model_f32 *f)
{
	struct layout l = layout_of(m->n_in, m->h1, m->h2);
	size_t n = 2 * (size_t)m->n_in + l.n;
	f->buf = malloc(n * sizeof(float));
	if (f->buf == NULL)
		return -1;
	float *p = f->buf;
	for (int i = 0; i < m->n_in; i++) {
		p[i] = (float)m->in_mean[i];
		p[m->n_in + i] = (float)m->in_std[i];
	}
	float *w = p + (size_t)2 * (size_t)m->n_in;
	for (size_t i = 0; i < l.n; i++)
		w[i] = (float)m->p[i];
	f->w = (struct ct_net_weights){
		.n_in = (uint16_t)m->n_in,
		.n_h1 = (uint16_t)m->h1,
		.n_h2 = (uint16_t)m->h2,
		.in_mean = p,
		.in_std = p + m->n_in,
		.w1 = w + l.w1,
		.b1 = w + l.b1,
		.w2 = w + l.w2,
		.b2 = w + l.b2,
		.w3 = w + l.w3,
		.b3 = w[l.b3],
		.out_mean = (float)m->out_mean,
		.out_std = (float)m->out_std,
	};
	return 0;
}

void ct_model_f32_free(struct ct_model_f32 *f)
{
	free(f->buf);
	f->buf = NULL;
}

static void emit_array(FILE *f, const char *name, const char *part, const double *v, size_t n)
{
	fprintf(f, "static const float %s_%s[%zu] = {", name, part, n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%.9ef,", i % 4 ? " " : "\n\t", v[i]);
	fprintf(f, "\n};\n\n");
}

int ct_model_export_c(const struct ct_mlp *m, const char *name, const char *path, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct layout l = layout_of(m->n_in, m->h1, m->h2);
	fprintf(f,
		"/* %s: core temperature network weights, exported by `bms coretemp train\n"
		" * --export-c` (generated; do not edit). */\n#include \"ct_net.h\"\n\n",
		name);
	emit_array(f, name, "in_mean", m->in_mean, (size_t)m->n_in);
	emit_array(f, name, "in_std", m->in_std, (size_t)m->n_in);
	emit_array(f, name, "w1", m->p + l.w1, l.b1 - l.w1);
	emit_array(f, name, "b1", m->p + l.b1, l.w2 - l.b1);
	emit_array(f, name, "w2", m->p + l.w2, l.b2 - l.w2);
	emit_array(f, name, "b2", m->p + l.b2, l.w3 - l.b2);
	emit_array(f, name, "w3", m->p + l.w3, l.b3 - l.w3);
	fprintf(f,
		"const struct ct_net_weights %s = {\n\t.n_in = %d,\n\t.n_h1 = %d,\n\t.n_h2 = %d,\n"
		"\t.in_mean = %s_in_mean,\n\t.in_std = %s_in_std,\n\t.w1 = %s_w1,\n\t.b1 = %s_b1,\n"
		"\t.w2 = %s_w2,\n\t.b2 = %s_b2,\n\t.w3 = %s_w3,\n\t.b3 = %.9ef,\n"
		"\t.out_mean = %.9ef,\n\t.out_std = %.9ef,\n};\n",
		name, m->n_in, m->h1, m->h2, name, name, name, name, name, name, name, m->p[l.b3],
		m->out_mean, m->out_std);
	if (fclose(f) != 0) {
		snprintf(err, errlen, "%s: write failed", path);
		return -1;
	}
	return 0;
}

/* ---- evaluation ---------------------------------------------------------- */

int ct_run_sequence(const struct ct_net_weights *w, const struct ct_seq *s, float *est)
{
	struct ct_window win;
	ct_window_reset(&win);
	for (uint32_t t = 0; t < s->len; t++) {
		struct ct_sample smp;
		seq_sample(&s->x[(size_t)t * CT_NCH], &smp);
		if (ct_window_push(&win, &smp) != CT_OK)
			return -1;
		float e;
		if (ct_estimate(w, &win, &e) != CT_OK)
			return -1;
		if (est)
			est[t] = e;
	}
	return 0;
}

int ct_eval(const struct ct_net_weights *w, const struct ct_dataset *ds, struct ct_err *e,
	    char *err, size_t errlen)
{
	double sq = 0.0, mx = 0.0;
	size_t n = 0;
	for (uint32_t i = 0; i < ds->n; i++) {
		const struct ct_seq *s = &ds->seq[i];
		if (!s->labeled) {
			snprintf(err, errlen, "eval: sequence %u has no core temperature", i);
			return -1;
		}
		float *est = malloc(s->len * sizeof(float));
		if (est == NULL || ct_run_sequence(w, s, est) != 0) {
			free(est);
			snprintf(err, errlen, "eval: the estimator refused sequence %u", i);
			return -1;
		}
		for (uint32_t t = CT_BLOCK_LEN; t < s->len; t++) {
			double d = (double)est[t] - s->x[(size_t)t * CT_NCH + CT_CH_TC];
			sq += d * d;
			if (fabs(d) > mx)
				mx = fabs(d);
			n++;
		}
		free(est);
	}
	e->rmse = n ? sqrt(sq / (double)n) : 0.0;
	e->max_abs = mx;
	e->n = n;
	return 0;
}
