/* ct_nn: training of the core-temperature network on the host: samples from
 * datasets (features computed by the core's own code, ct_net.c), an MLP in
 * double precision with backpropagation and Adam, unsupervised domain
 * adaptation (MMD or CORAL on the last hidden layer, with unlabeled target
 * samples), the model file, evaluation through the float32 core, and the
 * export of weights as a C array.
 *
 * Determinism: a minibatch is cut into CT_NN_CHUNKS fixed chunks whose
 * gradients go to separate buffers and are summed in chunk order, so the
 * result is the same for any number of threads.
 *
 * Model file (little-endian, version 1): magic "CTMODEL\0", u32 version,
 * u32 n_in, n_h1, n_h2, blocks, window length in samples; f32 in_mean[n_in],
 * in_std[n_in], out_mean, out_std, then the parameters (w1, b1, w2, b2, w3,
 * b3); last a u32 FNV-1a hash of every byte before it.
 */
#ifndef BMS_CT_NN_H
#define BMS_CT_NN_H

#include <stddef.h>
#include <stdint.h>

#include "../core/ct_net.h"
#include "ct_data.h"

#define CT_NN_CHUNKS	 8
#define CT_MODEL_VERSION 1u

struct ct_mlp {
	int n_in, h1, h2;
	size_t n_par;
	double *p; /* w1 b1 w2 b2 w3 b3 */
	double in_mean[CT_N_IN], in_std[CT_N_IN];
	double out_mean, out_std;
};

/* Training samples: raw features, target core - Tref (NaN when unlabeled). */
struct ct_samples {
	size_t n;
	float *x; /* n * CT_N_IN */
	float *y;
};

/* Samples every `stride` seconds of every sequence, from CT_BLOCK_LEN s on. */
int ct_samples_build(const struct ct_dataset *ds, int stride, struct ct_samples *s, char *err,
		     size_t errlen);
void ct_samples_free(struct ct_samples *s);

/* CT_UDA_SELECT is not an alignment loss: the pipeline identifies the
 * target's thermal parameters from its unlabeled surface data, simulates
 * source data around them and fine-tunes on it (ct_pipeline.c). */
enum ct_uda {
	CT_UDA_NONE = 0,
	CT_UDA_MMD = 1,
	CT_UDA_CORAL = 2,
	CT_UDA_SELECT = 3
};
const char *ct_uda_name(int uda);

struct ct_train_cfg {
	int epochs;
	int batch;
	double lr;
	uint64_t seed;
	int threads;
	int uda;       /* enum ct_uda */
	double lambda; /* weight of the alignment loss */
	void (*progress)(void *ctx, int epoch, int epochs, double loss);
	void *progress_ctx;
};
void ct_train_defaults(struct ct_train_cfg *cfg);

int ct_mlp_init(struct ct_mlp *m, int h1, int h2, uint64_t seed, char *err, size_t errlen);
void ct_mlp_free(struct ct_mlp *m);
/* Sets input and output normalisation from labeled samples. */
int ct_mlp_set_norm(struct ct_mlp *m, const struct ct_samples *src, char *err, size_t errlen);

/* Trains on labeled source samples; with cfg->uda, also aligns the hidden
 * layer of source and (unlabeled) target samples. */
int ct_train(struct ct_mlp *m, const struct ct_samples *src, const struct ct_samples *tgt,
	     const struct ct_train_cfg *cfg, char *err, size_t errlen);

int ct_model_save(const struct ct_mlp *m, const char *path, char *err, size_t errlen);
int ct_model_parse(struct ct_mlp *m, const uint8_t *buf, size_t len, const char *name, char *err,
		   size_t errlen);
int ct_model_load(struct ct_mlp *m, const char *path, char *err, size_t errlen);

/* Float32 copy of a model for the core. */
struct ct_model_f32 {
	float *buf;
	struct ct_net_weights w;
};
int ct_model_to_f32(const struct ct_mlp *m, struct ct_model_f32 *f);
void ct_model_f32_free(struct ct_model_f32 *f);

/* Writes the weights as a C source defining `const struct ct_net_weights name`. */
int ct_model_export_c(const struct ct_mlp *m, const char *name, const char *path, char *err,
		      size_t errlen);

/* Runs the float32 core over a sequence; writes estimates (len floats, may
 * be NULL). Returns 0 or -1 when the core refuses a sample. */
int ct_run_sequence(const struct ct_net_weights *w, const struct ct_seq *s, float *est);

/* Errors over labeled sequences, from CT_BLOCK_LEN s on. */
struct ct_err {
	double rmse, max_abs;
	size_t n;
};
int ct_eval(const struct ct_net_weights *w, const struct ct_dataset *ds, struct ct_err *e,
	    char *err, size_t errlen);

#endif /* BMS_CT_NN_H */
