/* ct_data: simulated operating data for the core-temperature estimator:
 * current profiles, one simulated run of a cell (electrical model + lumped
 * or radial thermal model + sensor noise), sweeps of many runs on all cores
 * from a fixed seed, and the dataset file that holds them.
 *
 * Dataset file (little-endian, version 1):
 *   header, 32 bytes: magic "CTDSET\0\0", u32 version, u32 n_seq, u32 n_ch (7),
 *                     u32 dt_ms, u32 0, u32 0
 *   per sequence:     u32 len, u32 flags (bit 0 labeled, bits 8-15 thermal
 *                     model, bits 16-23 profile kind), f32 Cc, Cs, Rc, Ru,
 *                     then len rows of n_ch f32: the channels below.
 * Unlabeled sequences (target-cell operating data) carry 0 in CT_CH_TC.
 * Each sequence's random stream is derived from (seed, index) alone, so the
 * result does not depend on the number of threads.
 */
#ifndef BMS_CT_DATA_H
#define BMS_CT_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "ct_cell.h"
#include "ct_thermal.h"

enum ct_channel {
	CT_CH_I,    /* measured current, A, positive on discharge */
	CT_CH_V,    /* measured terminal voltage */
	CT_CH_OCV,  /* OCV at the BMS's coulomb-counted SoC */
	CT_CH_TS,   /* measured surface temperature, degC */
	CT_CH_TF,   /* measured coolant temperature, degC */
	CT_CH_FLOW, /* coolant speed, m/s */
	CT_CH_TC,   /* true core temperature (labeled sequences only) */
	CT_NCH
};

enum ct_model {
	CT_MODEL_LUMPED = 1,
	CT_MODEL_RADIAL = 2
};

/* Radial model settings of the simulated cells. */
#define CT_RADIAL_SHELLS 16
#define CT_RADIAL_KZ	 30.0 /* W/m/K along the jelly roll */
#define CT_RADIAL_END	 0.2  /* end caps see a fifth of the side coefficient */

enum ct_profile {
	CT_PROF_PULSE = 0,
	CT_PROF_CC = 1,
	CT_PROF_DRIVE = 2,
	CT_PROF_RANDOM = 3,
	CT_PROF_COUNT
};
#define CT_PROF_ALL 0xfu

#define CT_DATASET_VERSION 1u
#define CT_DATASET_MAX_SEQ 100000u
#define CT_DATASET_MAX_LEN 1000000u

struct ct_seq {
	uint32_t len;
	uint32_t labeled, model, profile;
	struct ct_thermal_params params;
	float *x; /* len * CT_NCH */
};

struct ct_dataset {
	uint32_t n;
	struct ct_seq *seq;
};

/* Sensor noise, standard deviations and quantisation steps. */
struct ct_noise {
	double temp_sd_K, temp_q_K;
	double current_sd_A, current_q_A;
	double voltage_sd_V, voltage_q_V;
};
extern const struct ct_noise ct_noise_default; /* 0.1 K, 1/16 K; 20 mA, 10 mA; 1 mV, 1 mV */
extern const struct ct_noise ct_noise_none;

struct ct_gen_cfg {
	uint32_t n_seq, len_s;
	uint64_t seed;
	struct ct_thermal_params centre;
	double span;	   /* multipliers of C (Cc and Cs together), Rc, Ru in [1-span, 1+span] */
	int model;	   /* enum ct_model */
	unsigned profiles; /* bit mask of enum ct_profile */
	double tf_min, tf_max, flow_min, flow_max;
	double i_max_A; /* amplitude scale of the current profiles */
	struct ct_noise noise;
	int labeled;
	int threads;
	void (*progress)(void *ctx, uint32_t done, uint32_t total);
	void *progress_ctx;
};

/* Defaults: 48 radial labeled runs of 3600 s around the nominal parameters,
 * span 0.4, all profiles, coolant 15..35 degC, flow 0.5..4 m/s, 15 A. */
void ct_gen_defaults(struct ct_gen_cfg *cfg);

/* Simulates one run. x has len_s * CT_NCH floats. */
void ct_simulate(const struct ct_cell *cell, const struct ct_gen_cfg *cfg,
		 const struct ct_thermal_params *p, int profile, uint64_t seed, float *x);

/* Generates cfg->n_seq runs. Returns 0 or -1 with a message. */
int ct_generate(const struct ct_cell *cell, const struct ct_gen_cfg *cfg, struct ct_dataset *ds,
		char *err, size_t errlen);

void ct_dataset_free(struct ct_dataset *ds);
int ct_dataset_write(const struct ct_dataset *ds, const char *path, char *err, size_t errlen);
/* Parses a dataset held in memory; `name` appears in messages. Checks sizes
 * against the buffer before allocating, and refuses non-finite values. */
int ct_dataset_parse(struct ct_dataset *ds, const uint8_t *buf, size_t len, const char *name,
		     char *err, size_t errlen);
int ct_dataset_read(struct ct_dataset *ds, const char *path, char *err, size_t errlen);

/* Reads a whole file (at most max bytes). Returns 0 or -1 with a message. */
int ct_read_file(const char *path, size_t max, uint8_t **buf, size_t *len, char *err,
		 size_t errlen);

/* Deterministic random numbers: splitmix64. */
uint64_t ct_rng_next(uint64_t *s);
double ct_rng_uniform(uint64_t *s); /* [0, 1) */
double ct_rng_gauss(uint64_t *s);

#endif /* BMS_CT_DATA_H */
