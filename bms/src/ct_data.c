/* ct_data: profiles, simulated runs, sweeps on threads and the dataset file
 * (see ct_data.h for the format).
 */
#include "ct_data.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct ct_noise ct_noise_default = {
	.temp_sd_K = 0.1,
	.temp_q_K = 0.0625,
	.current_sd_A = 0.02,
	.current_q_A = 0.01,
	.voltage_sd_V = 0.001,
	.voltage_q_V = 0.001,
};
const struct ct_noise ct_noise_none = {0};

uint64_t ct_rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double ct_rng_uniform(uint64_t *s)
{
	return (double)(ct_rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

double ct_rng_gauss(uint64_t *s)
{
	double u1 = ct_rng_uniform(s), u2 = ct_rng_uniform(s);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static double urange(uint64_t *s, double lo, double hi)
{
	return lo + (hi - lo) * ct_rng_uniform(s);
}

void ct_gen_defaults(struct ct_gen_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->n_seq = 48;
	cfg->len_s = 3600;
	cfg->seed = 1;
	cfg->centre = ct_thermal_nominal;
	cfg->span = 0.4;
	cfg->model = CT_MODEL_RADIAL;
	cfg->profiles = CT_PROF_ALL;
	cfg->tf_min = 15.0;
	cfg->tf_max = 35.0;
	cfg->flow_min = 0.5;
	cfg->flow_max = 4.0;
	cfg->i_max_A = 15.0;
	cfg->noise = ct_noise_default;
	cfg->labeled = 1;
	cfg->threads = 2;
}

/* Current profile generators: one call per second. */
struct prof_state {
	int kind;
	double imax;
	double level; /* current level of the segment */
	int left;     /* seconds left in the segment */
	double speed, accel, ou;
	int phase;
};

static double prof_next(struct prof_state *p, uint64_t *rng)
{
	switch (p->kind) {
	case CT_PROF_PULSE:
		if (p->left <= 0) {
			p->phase ^= 1;
			p->left = p->phase ? (int)urange(rng, 10, 180) : (int)urange(rng, 10, 240);
			p->level = p->phase ? urange(rng, -p->imax, p->imax) : 0.0;
		}
		p->left--;
		return p->level;
	case CT_PROF_CC:
		if (p->left <= 0) {
			p->phase = (p->phase + 1) % 4; /* discharge, rest, charge, rest */
			p->left = (p->phase & 1) ? (int)urange(rng, 60, 600)
						 : (int)urange(rng, 300, 1200);
			double c = urange(rng, 0.3, 1.0) * p->imax;
			p->level = p->phase == 0 ? c : p->phase == 2 ? -0.7 * c : 0.0;
		}
		p->left--;
		return p->level;
	case CT_PROF_DRIVE: {
		/* A vehicle-like speed trace: the current follows the traction
		 * power (acceleration and drag), regeneration when braking. */
		if (p->left <= 0) {
			p->left = (int)urange(rng, 5, 40);
			double target = ct_rng_uniform(rng) < 0.15 ? 0.0 : urange(rng, 0.0, 1.0);
			p->accel = (target - p->speed) / p->left;
		}
		p->left--;
		p->speed += p->accel;
		if (p->speed < 0.0)
			p->speed = 0.0;
		double i =
			p->imax * (0.35 * p->speed * p->speed + 8.0 * p->accel * (0.3 + p->speed));
		if (i < -0.6 * p->imax)
			i = -0.6 * p->imax;
		if (i > p->imax)
			i = p->imax;
		return i;
	}
	case CT_PROF_RANDOM:
	default:
		/* Ornstein-Uhlenbeck current, 30 s correlation time. */
		p->ou += -p->ou / 30.0 + sqrt(2.0 / 30.0) * 0.5 * p->imax * ct_rng_gauss(rng);
		return p->ou;
	}
}

static double quantise(double x, double q)
{
	return q > 0.0 ? q * floor(x / q + 0.5) : x;
}

void ct_simulate(const struct ct_cell *cell, const struct ct_gen_cfg *cfg,
		 const struct ct_thermal_params *p, int profile, uint64_t seed, float *x)
{
	uint64_t rng = seed;
	struct prof_state ps = {.kind = profile, .imax = cfg->i_max_A};
	struct ct_elec e = {.soc = urange(&rng, 0.3, 0.9), .v1 = 0.0};
	double soc_bms = e.soc;
	double tf0 = urange(&rng, cfg->tf_min, cfg->tf_max);
	double tf_amp = urange(&rng, 0.0, 4.0), tf_per = urange(&rng, 1800.0, 7200.0);
	double tf_ph = urange(&rng, 0.0, 2.0 * M_PI);
	double flow = urange(&rng, cfg->flow_min, cfg->flow_max);
	int flow_left = (int)urange(&rng, 300, 1200);
	double Tc = tf0, Ts = tf0;
	struct ct_radial rad;
	int radial = cfg->model == CT_MODEL_RADIAL;
	if (radial)
		ct_radial_init(&rad, p, CT_RADIAL_SHELLS, CT_RADIAL_KZ, CT_RADIAL_END, tf0);
	const struct ct_noise *nz = &cfg->noise;
	for (uint32_t k = 0; k < cfg->len_s; k++) {
		if (--flow_left <= 0) {
			flow = urange(&rng, cfg->flow_min, cfg->flow_max);
			flow_left = (int)urange(&rng, 300, 1200);
		}
		double tf = tf0 + tf_amp * sin(2.0 * M_PI * k / tf_per + tf_ph);
		double I = prof_next(&ps, &rng);
		if (e.soc < 0.1 && I > 0.0)
			I = -0.5 * I;
		if (e.soc > 0.95 && I < 0.0)
			I = -0.5 * I;
		double T_cell = radial ? ct_radial_mean(&rad) : 0.5 * (Tc + Ts);
		double heat;
		double v = ct_cell_step(cell, &e, I, T_cell, 1.0, &heat);
		if (radial) {
			ct_radial_step(&rad, heat, tf, flow, 1.0);
			Tc = ct_radial_core(&rad);
			Ts = ct_radial_surface(&rad, tf, flow);
		} else {
			ct_lumped_step(p, &Tc, &Ts, heat, tf, flow, 1.0);
		}
		double im = quantise(I + nz->current_sd_A * ct_rng_gauss(&rng), nz->current_q_A);
		double vm = quantise(v + nz->voltage_sd_V * ct_rng_gauss(&rng), nz->voltage_q_V);
		double tsm = quantise(Ts + nz->temp_sd_K * ct_rng_gauss(&rng), nz->temp_q_K);
		double tfm = quantise(tf + nz->temp_sd_K * ct_rng_gauss(&rng), nz->temp_q_K);
		soc_bms -= im / (3600.0 * cell->capacity_Ah);
		float *row = &x[(size_t)k * CT_NCH];
		row[CT_CH_I] = (float)im;
		row[CT_CH_V] = (float)vm;
		row[CT_CH_OCV] = (float)ct_cell_ocv(cell, soc_bms);
		row[CT_CH_TS] = (float)tsm;
		row[CT_CH_TF] = (float)tfm;
		row[CT_CH_FLOW] = (float)flow;
		row[CT_CH_TC] = cfg->labeled ? (float)Tc : 0.0f;
	}
}

struct gen_job {
	const struct ct_cell *cell;
	const struct ct_gen_cfg *cfg;
	struct ct_dataset *ds;
	pthread_mutex_t lock;
	uint32_t next, done;
};

static void seq_setup(const struct ct_gen_cfg *cfg, uint32_t i, struct ct_seq *s,
		      uint64_t *sim_seed)
{
	uint64_t rng = cfg->seed * 0x100000001b3ull + i;
	rng = ct_rng_next(&rng);
	double mc = urange(&rng, 1.0 - cfg->span, 1.0 + cfg->span);
	double mr = urange(&rng, 1.0 - cfg->span, 1.0 + cfg->span);
	double mu = urange(&rng, 1.0 - cfg->span, 1.0 + cfg->span);
	s->params.Cc_JK = cfg->centre.Cc_JK * mc;
	s->params.Cs_JK = cfg->centre.Cs_JK * mc;
	s->params.Rc_KW = cfg->centre.Rc_KW * mr;
	s->params.Ru_KW = cfg->centre.Ru_KW * mu;
	/* Profiles cycle through the enabled kinds in order. */
	int kinds[CT_PROF_COUNT] = {0}, nk = 0;
	for (int k = 0; k < CT_PROF_COUNT; k++)
		if (cfg->profiles & (1u << k))
			kinds[nk++] = k;
	s->profile = nk > 0 ? (uint32_t)kinds[i % (uint32_t)nk] : 0u;
	s->model = (uint32_t)cfg->model;
	s->labeled = cfg->labeled ? 1u : 0u;
	s->len = cfg->len_s;
	*sim_seed = ct_rng_next(&rng);
}

static void *gen_worker(void *arg)
{
	struct gen_job *j = arg;
	for (;;) {
		pthread_mutex_lock(&j->lock);
		uint32_t i = j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->cfg->n_seq)
			break;
		struct ct_seq *s = &j->ds->seq[i];
		uint64_t sim_seed;
		seq_setup(j->cfg, i, s, &sim_seed);
		ct_simulate(j->cell, j->cfg, &s->params, (int)s->profile, sim_seed, s->x);
		pthread_mutex_lock(&j->lock);
		uint32_t d = ++j->done;
		if (j->cfg->progress)
			j->cfg->progress(j->cfg->progress_ctx, d, j->cfg->n_seq);
		pthread_mutex_unlock(&j->lock);
	}
	return NULL;
}

int ct_generate(const struct ct_cell *cell, const struct ct_gen_cfg *cfg, struct ct_dataset *ds,
		char *err, size_t errlen)
{
	memset(ds, 0, sizeof(*ds));
	if (cfg->n_seq == 0 || cfg->n_seq > CT_DATASET_MAX_SEQ || cfg->len_s < 1 ||
	    cfg->len_s > CT_DATASET_MAX_LEN) {
		snprintf(err, errlen,
			 "generate: %u sequences of %u s is out of range (1..%u of 1..%u)",
			 cfg->n_seq, cfg->len_s, CT_DATASET_MAX_SEQ, CT_DATASET_MAX_LEN);
		return -1;
	}
	if ((cfg->profiles & CT_PROF_ALL) == 0 || !(cfg->span >= 0.0 && cfg->span < 0.9) ||
	    (cfg->model != CT_MODEL_LUMPED && cfg->model != CT_MODEL_RADIAL) ||
	    !(cfg->flow_min >= 0.0 && cfg->flow_max >= cfg->flow_min) ||
	    !(cfg->tf_max >= cfg->tf_min)) {
		snprintf(err, errlen,
			 "generate: bad configuration (profiles, span, model or ranges)");
		return -1;
	}
	ds->seq = calloc(cfg->n_seq, sizeof(*ds->seq));
	if (ds->seq == NULL) {
		snprintf(err, errlen, "generate: out of memory");
		return -1;
	}
	ds->n = cfg->n_seq;
	for (uint32_t i = 0; i < ds->n; i++) {
		ds->seq[i].x = malloc((size_t)cfg->len_s * CT_NCH * sizeof(float));
		if (ds->seq[i].x == NULL) {
			ct_dataset_free(ds);
			snprintf(err, errlen, "generate: out of memory");
			return -1;
		}
	}
	struct gen_job job = {.cell = cell, .cfg = cfg, .ds = ds};
	pthread_mutex_init(&job.lock, NULL);
	int nt = cfg->threads < 1 ? 1 : cfg->threads > 64 ? 64 : cfg->threads;
	pthread_t th[64];
	int started = 0;
	for (int t = 1; t < nt; t++)
		if (pthread_create(&th[started], NULL, gen_worker, &job) == 0)
			started++;
	gen_worker(&job);
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&job.lock);
	return 0;
}

void ct_dataset_free(struct ct_dataset *ds)
{
	if (ds->seq != NULL)
		for (uint32_t i = 0; i < ds->n; i++)
			free(ds->seq[i].x);
	free(ds->seq);
	ds->seq = NULL;
	ds->n = 0;
}

static const char ds_magic[8] = {'C', 'T', 'D', 'S', 'E', 'T', 0, 0};

static void put_u32(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	fwrite(b, 1, 4, f);
}

static void put_f32(FILE *f, float x)
{
	uint32_t v;
	memcpy(&v, &x, 4);
	put_u32(f, v);
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float get_f32(const uint8_t *p)
{
	uint32_t v = get_u32(p);
	float x;
	memcpy(&x, &v, 4);
	return x;
}

int ct_dataset_write(const struct ct_dataset *ds, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fwrite(ds_magic, 1, 8, f);
	put_u32(f, CT_DATASET_VERSION);
	put_u32(f, ds->n);
	put_u32(f, CT_NCH);
	put_u32(f, 1000);
	put_u32(f, 0);
	put_u32(f, 0);
	for (uint32_t i = 0; i < ds->n; i++) {
		const struct ct_seq *s = &ds->seq[i];
		put_u32(f, s->len);
		put_u32(f,
			(s->labeled & 1u) | (s->model & 0xffu) << 8 | (s->profile & 0xffu) << 16);
		put_f32(f, (float)s->params.Cc_JK);
		put_f32(f, (float)s->params.Cs_JK);
		put_f32(f, (float)s->params.Rc_KW);
		put_f32(f, (float)s->params.Ru_KW);
		for (size_t k = 0; k < (size_t)s->len * CT_NCH; k++)
			put_f32(f, s->x[k]);
	}
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "%s: write failed", path);
		return -1;
	}
	return 0;
}

int ct_dataset_parse(struct ct_dataset *ds, const uint8_t *buf, size_t len, const char *name,
		     char *err, size_t errlen)
{
	memset(ds, 0, sizeof(*ds));
	if (len == 0) {
		snprintf(err, errlen, "%s: empty file", name);
		return -1;
	}
	if (len < 32 || memcmp(buf, ds_magic, 8) != 0) {
		snprintf(err, errlen,
			 "%s: not a coretemp dataset (bad magic or shorter than its header)", name);
		return -1;
	}
	uint32_t ver = get_u32(buf + 8), n = get_u32(buf + 12), nch = get_u32(buf + 16);
	uint32_t dt_ms = get_u32(buf + 20);
	if (ver != CT_DATASET_VERSION) {
		snprintf(err, errlen, "%s: dataset version %u, this program reads version %u", name,
			 ver, CT_DATASET_VERSION);
		return -1;
	}
	if (nch != CT_NCH) {
		snprintf(err, errlen, "%s: %u channels per sample, expected %u", name, nch,
			 (unsigned)CT_NCH);
		return -1;
	}
	if (dt_ms != 1000) {
		snprintf(err, errlen, "%s: sample period %u ms, expected 1000", name, dt_ms);
		return -1;
	}
	if (n == 0 || n > CT_DATASET_MAX_SEQ) {
		snprintf(err, errlen, "%s: %u sequences (1..%u allowed)", name, n,
			 CT_DATASET_MAX_SEQ);
		return -1;
	}
	size_t pos = 32;
	/* Every sequence takes at least its 24-byte header. */
	if ((len - pos) / 24 < n) {
		snprintf(err, errlen, "%s: truncated: %u sequences announced, %zu bytes follow",
			 name, n, len - pos);
		return -1;
	}
	ds->seq = calloc(n, sizeof(*ds->seq));
	if (ds->seq == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	ds->n = n;
	for (uint32_t i = 0; i < n; i++) {
		struct ct_seq *s = &ds->seq[i];
		if (len - pos < 24) {
			snprintf(err, errlen, "%s: truncated in the header of sequence %u", name,
				 i);
			goto fail;
		}
		s->len = get_u32(buf + pos);
		uint32_t flags = get_u32(buf + pos + 4);
		s->labeled = flags & 1u;
		s->model = (flags >> 8) & 0xffu;
		s->profile = (flags >> 16) & 0xffu;
		s->params.Cc_JK = get_f32(buf + pos + 8);
		s->params.Cs_JK = get_f32(buf + pos + 12);
		s->params.Rc_KW = get_f32(buf + pos + 16);
		s->params.Ru_KW = get_f32(buf + pos + 20);
		pos += 24;
		if (s->len == 0 || s->len > CT_DATASET_MAX_LEN) {
			snprintf(err, errlen, "%s: sequence %u has length %u (1..%u allowed)", name,
				 i, s->len, CT_DATASET_MAX_LEN);
			goto fail;
		}
		size_t need = (size_t)s->len * CT_NCH * 4;
		if (len - pos < need) {
			snprintf(
				err, errlen,
				"%s: truncated: sequence %u needs %zu bytes of samples, %zu remain",
				name, i, need, len - pos);
			goto fail;
		}
		s->x = malloc(need);
		if (s->x == NULL) {
			snprintf(err, errlen, "%s: out of memory", name);
			goto fail;
		}
		for (size_t k = 0; k < (size_t)s->len * CT_NCH; k++) {
			float v = get_f32(buf + pos + 4 * k);
			if (!isfinite(v)) {
				snprintf(err, errlen,
					 "%s: sequence %u, sample %zu, channel %zu is not finite",
					 name, i, k / CT_NCH, k % CT_NCH);
				goto fail;
			}
			s->x[k] = v;
		}
		pos += need;
	}
	if (pos != len) {
		snprintf(err, errlen, "%s: %zu bytes of trailing data", name, len - pos);
		goto fail;
	}
	return 0;
fail:
	ct_dataset_free(ds);
	return -1;
}

int ct_read_file(const char *path, size_t max, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	*buf = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);
	for (;;) {
		if (b == NULL) {
			fclose(f);
			snprintf(err, errlen, "%s: out of memory", path);
			return -1;
		}
		n += fread(b + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap >= max) {
			free(b);
			fclose(f);
			snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
			return -1;
		}
		cap *= 2;
		uint8_t *nb = realloc(b, cap);
		if (nb == NULL)
			free(b);
		b = nb;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

int ct_dataset_read(struct ct_dataset *ds, const char *path, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	memset(ds, 0, sizeof(*ds));
	if (ct_read_file(path, (size_t)4 << 30, &buf, &len, err, errlen) != 0)
		return -1;
	int rc = ct_dataset_parse(ds, buf, len, path, err, errlen);
	free(buf);
	return rc;
}
