/* bms_validate: the end-to-end check of issue 7's second acceptance point.
 *
 * At each (SoC, temperature) the plant is measured online (single sines,
 * noisy quantized sensors); the measured impedance is compared with the
 * plant's true impedance; the closed-form fits (three frequencies, and four
 * with a finite Warburg) and the LM fit (more frequencies, a richer circuit) each give an ECM;
 * each ECM's voltage is simulated beside the plant's under a pulse profile
 * and a drive-cycle-like profile, and the RMSE is reported in volts, as a
 * share of the terminal voltage (the paper's measure) and as a share of the
 * overpotential swing (max - min of V - OCV).
 */
#ifndef BMS_VALIDATE_H
#define BMS_VALIDATE_H

#include <stddef.h>

#include "bms_cell.h"
#include "bms_closed.h"
#include "bms_lm.h"
#include "bms_plant.h"
#include "bms_sim.h"

#define BMS_VAL_MAX_F 16

enum {
	BMS_VAL_CLOSED = 0,  /* three points */
	BMS_VAL_CLOSED4 = 1, /* four points: finite Warburg */
	BMS_VAL_LM = 2,
	BMS_VAL_METHODS = 3
};
enum {
	BMS_PROFILE_PULSE = 0,
	BMS_PROFILE_DRIVE = 1
};

struct bms_val_cfg {
	double closed_f[4]; /* decreasing; the three-point fit uses the first three */
	int n_lm;
	double lm_f[BMS_VAL_MAX_F];
	const char *lm_circuit;
	double horizon_s; /* diffusion time for a semi-infinite W */
	struct bms_meas_cfg mc;
	struct bms_plant_cfg pc;
};

struct bms_val_row {
	double soc, t_degC;
	double imp_err_max; /* max |Zmeas - Ztrue| / |Ztrue| over every measured point */
	double snr_min_db;
	struct bms_randles closed, closed4;
	double lm_p[BMS_MAX_PARAMS];
	int lm_np;
	double rmse_V[BMS_VAL_METHODS][2]; /* [method][profile] */
	double rmse_pct_v[BMS_VAL_METHODS][2];
	double rmse_pct_swing[BMS_VAL_METHODS][2];
	double swing_V[2];
};

void bms_val_default_cfg(struct bms_val_cfg *vc);

int bms_validate_point(const struct bms_cell_tables *ct, const struct bms_val_cfg *vc, double soc,
		       double t_degC, struct bms_val_row *row, char *err, size_t errlen);

/* Current of a profile at time t (s); *len_s receives its duration. C-rate
 * relative to capacity_Ah; > 0 charges. */
double bms_profile_current(int profile, double t_s, double capacity_Ah, double *len_s);

/* Simulates model m (with the plant's OCV and capacity) beside a fresh
 * plant under profile; returns RMSE (V), mean terminal voltage and swing. */
int bms_profile_compare(const struct bms_cell_tables *ct, const struct bms_plant_cfg *pc,
			double soc, double t_degC, const struct bms_rc_model *m, int profile,
			double *rmse_V, double *mean_V, double *swing_V);

#endif /* BMS_VALIDATE_H */
