/* ct_pipeline: the whole core-temperature experiment from built-in settings:
 * simulate source data around nominal parameters, pre-train the network,
 * adapt it to each target cell with that cell's unlabeled data (MMD and
 * CORAL), evaluate on the target's held-out labeled runs beside the EKF
 * baseline, and train "near the truth" networks; plus the data-fidelity
 * study. The target cells are fixed here, chosen before any training.
 */
#ifndef BMS_CT_PIPELINE_H
#define BMS_CT_PIPELINE_H

#include <stdint.h>

#include "ct_cell.h"
#include "ct_nn.h"

struct ct_target {
	const char *name;
	double m_c, m_rc, m_ru; /* true parameters as multiples of nominal */
	double d_c, d_rc, d_ru; /* offsets of the near-the-truth sweep centre */
};
#define CT_N_TARGETS 6
extern const struct ct_target ct_targets[CT_N_TARGETS];
struct ct_thermal_params ct_target_params(const struct ct_target *t);

struct ct_pipe_cfg {
	uint64_t seed;
	int threads;
	uint32_t n_src, len_s, n_tgt_unlab, n_tgt_test, n_near;
	int n_targets;
	int epochs, adapt_epochs, near_epochs;
	int hidden, stride;
	double adapt_lr, lambda_mmd, lambda_coral;
	int near; /* also train near-the-truth networks */
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
};
/* full: the default pipeline (bench); reduced: seconds (tests); demo: three
 * targets, about a minute on two cores. */
void ct_pipe_defaults(struct ct_pipe_cfg *c, const char *size);

struct ct_pipe_row {
	struct ct_thermal_params truth;
	struct ct_err pre, mmd, coral, sel, near; /* sel: identify + re-simulate */
	struct ct_err sel_mmd, sel_coral;	  /* sel, then MMD or CORAL on the target */
	struct ct_err near_id;			  /* near the truth, centre identified in the box */
	struct ct_thermal_params ident;		  /* identified from unlabeled data */
	struct ct_thermal_params near_ident;	  /* identified within the near prior */
	double ekf_rmse, ekf_max;
};

int ct_pipeline_run(const struct ct_cell *cell, const struct ct_pipe_cfg *cfg,
		    struct ct_pipe_row rows[CT_N_TARGETS], char *err, size_t errlen);

/* Data-fidelity study: the pre-trained network's mean and worst RMSE over
 * the targets when its source data changes. */
#define CT_N_FIDELITY 6
struct ct_fid_row {
	const char *name;
	double mean_rmse, worst_rmse;
};
int ct_fidelity_run(const struct ct_cell *cell, const struct ct_pipe_cfg *cfg,
		    struct ct_fid_row rows[CT_N_FIDELITY], char *err, size_t errlen);

/* RMS misfit (K) between the radial model with parameters p, driven by the
 * measured inputs of at most max_seq of unl's runs, and their measured surface
 * temperature; the first CT_MISFIT_BURN_IN s of each run (a quarter of shorter
 * runs) are not scored. */
#define CT_MISFIT_BURN_IN 300u
double ct_surface_misfit(const struct ct_cell *cell, const struct ct_thermal_params *p,
			 const struct ct_dataset *unl, uint32_t max_seq);

/* Identifies (C, Rc, Ru) as multiples of nominal from unlabeled runs by
 * minimising the surface misfit; writes the parameters and the misfit (K). */
int ct_identify(const struct ct_cell *cell, const struct ct_dataset *unl, int threads,
		struct ct_thermal_params *out, double *misfit);

/* Identifies (C, Rc, Ru) within a prior box: each multiplier between
 * centre/(1+w) and centre/(1-w) (the truth within w of the centre), by a
 * coordinate search from the centre on the surface misfit of all of unl's
 * runs. Deterministic; threads is reserved. */
int ct_identify_box(const struct ct_cell *cell, const struct ct_dataset *unl, int threads,
		    const struct ct_thermal_params *centre, double w, struct ct_thermal_params *out,
		    double *misfit);

/* Target test/adaptation data as the pipeline makes it (labeled or not). */
int ct_target_data(const struct ct_cell *cell, const struct ct_pipe_cfg *cfg, int target,
		   int labeled, struct ct_dataset *ds, char *err, size_t errlen);

#endif /* BMS_CT_PIPELINE_H */
