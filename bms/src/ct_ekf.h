/* ct_ekf: the classic baseline for core temperature, an extended Kalman
 * filter on the two-state lumped model (after Lin, Perez, Siegel,
 * Stefanopoulou et al., 2014), with the same prior knowledge the network's
 * pre-training has: nominal thermal parameters and the cell's tables. The
 * heat input is estimated from measurements, Q = I (OCV - V) - I T dU/dT,
 * with T the estimated core temperature, which makes the model nonlinear in
 * its state; the Jacobian is taken by finite differences of one step.
 */
#ifndef BMS_CT_EKF_H
#define BMS_CT_EKF_H

#include "ct_cell.h"
#include "ct_data.h"
#include "ct_thermal.h"

struct ct_ekf {
	struct ct_thermal_params p;
	double x[2]; /* Tc, Ts */
	double P[2][2];
	double q_core, q_surf; /* process noise variances per step, K^2 */
	double r_meas;	       /* surface measurement variance, K^2 */
	int started;
};

void ct_ekf_init(struct ct_ekf *f, const struct ct_thermal_params *p, const struct ct_noise *nz);
/* One sample: predicts with the sample's inputs and corrects with its
 * surface temperature. Returns the core temperature estimate. */
double ct_ekf_step(struct ct_ekf *f, const struct ct_cell *cell, const float *row);

/* RMSE and max error over labeled sequences (from CT_BLOCK_LEN s on, like
 * the network's evaluation). */
int ct_ekf_eval(const struct ct_thermal_params *p, const struct ct_cell *cell,
		const struct ct_dataset *ds, const struct ct_noise *nz, double *rmse,
		double *max_abs, float *est_first);

#endif /* BMS_CT_EKF_H */
