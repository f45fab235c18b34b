/* bms_sim: time-domain simulation of a fitted ECM, and OCV from a table.
 *
 * A circuit made of elements in series (R; p(R,C) pairs; a lone C; W, Wo,
 * Ws) becomes a Foster model: a series resistance, up to BMS_MAX_RC RC
 * pairs and a series capacitance. Finite Warburgs use their exact Foster
 * expansions, truncated after BMS_LADDER_TERMS terms with the rest of their
 * resistance moved into R0 (those terms are faster than any step the BMS
 * simulates):
 *   Ws(R,T) = sum_k R_k/(1 + s tau_k), R_k = 8R/((2k-1)^2 pi^2), tau_k = 4T/((2k-1)^2 pi^2)
 *   Wo(R,T) = R/(s T) + sum_k R_k/(1 + s tau_k), R_k = 2R/(k^2 pi^2), tau_k = T/(k^2 pi^2)
 * A semi-infinite W(A) is simulated as Ws with R = A sqrt(2 T), T = the
 * diffusion horizon the caller gives. Steps hold the current constant
 * (exact for piecewise-constant currents). Sign: current > 0 charges the
 * cell, V = OCV(SoC) + eta.
 */
#ifndef BMS_SIM_H
#define BMS_SIM_H

#include "bms_circuit.h"

struct bms_rc_model {
	bms_real r0_ohm;
	int n_rc;
	bms_real r_ohm[BMS_MAX_RC];
	bms_real tau_s[BMS_MAX_RC];
	bms_real c_series_F; /* 0: none */
};

struct bms_sim_state {
	bms_real v_rc_V[BMS_MAX_RC];
	bms_real v_cs_V;
};

struct bms_table1d {
	int n;
	bms_real x[BMS_MAX_TABLE]; /* strictly increasing */
	bms_real y[BMS_MAX_TABLE];
};

/* Turns circuit c with parameters p into a Foster model; horizon_s is the
 * diffusion time used for a semi-infinite W. */
int bms_model_from_circuit(const struct bms_circuit *c, const bms_real *p, bms_real horizon_s,
			   struct bms_rc_model *m);

/* Adds an RC pair to m (BMS_ERR_SIZE when full). */
int bms_model_add_rc(struct bms_rc_model *m, bms_real r_ohm, bms_real tau_s);

void bms_sim_reset(struct bms_sim_state *s);

/* Advances s by dt_s under current i_A held constant; returns the
 * overpotential at the end of the step (V). */
bms_real bms_sim_step(const struct bms_rc_model *m, struct bms_sim_state *s, bms_real i_A,
		      bms_real dt_s);

/* Impedance of the Foster model at f_hz. */
struct bms_cplx bms_model_impedance(const struct bms_rc_model *m, bms_real f_hz);

/* Linear interpolation, clamped at the ends. */
bms_real bms_table_lookup(const struct bms_table1d *t, bms_real x);

#endif /* BMS_SIM_H */
