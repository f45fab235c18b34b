/* ct_thermal: the two thermal models of a cylindrical cell under forced-air
 * cooling.
 *
 * The lumped model has two states, core and surface temperature (Lin, Perez,
 * Siegel, Stefanopoulou et al., 2014):
 *   Cc dTc/dt = Q + (Ts - Tc) / Rc
 *   Cs dTs/dt = (Tf - Ts) / Ru - (Ts - Tc) / Rc
 * The radial model plays the real cell: finite volumes on concentric shells
 * with radial conductivity k_r, an effective axial path (conductivity k_z to
 * the end caps, then end convection), uniform heat generation and a
 * convective side boundary. Both take their convection coefficient from the
 * coolant speed through one correlation, and both step implicitly (backward
 * Euler), so 1 s steps are stable.
 *
 * A parameter set is given in lumped terms (Cc, Cs, Rc, Ru at the reference
 * flow); the radial model is built from it so that its total heat capacity
 * is Cc + Cs, its centre-to-surface steady resistance with the ends closed
 * is Rc (k_r = 1 / (4 pi L Rc)) and its side convection gives Ru.
 */
#ifndef BMS_CT_THERMAL_H
#define BMS_CT_THERMAL_H

#define CT_RADIAL_MAX_SHELLS 64

/* Geometry of a 26650 cell. */
#define CT_CELL_RADIUS_M 0.013
#define CT_CELL_LENGTH_M 0.065
#define CT_FLOW_REF_MPS	 2.0 /* flow at which Ru is given */
#define CT_H_NATURAL	 5.0 /* W/m^2/K at zero flow */

struct ct_thermal_params {
	double Cc_JK, Cs_JK; /* core and surface heat capacity */
	double Rc_KW;	     /* core to surface */
	double Ru_KW;	     /* surface to coolant at CT_FLOW_REF_MPS */
};

/* Nominal literature values (Lin et al. 2014, 26650 cell). */
extern const struct ct_thermal_params ct_thermal_nominal;

/* Side convection coefficient (W/m^2/K) at a coolant speed, for a cell whose
 * Ru at the reference flow is Ru_ref: h = h0 + (h_ref - h0) (v / v_ref)^0.8. */
double ct_h_of_flow(double Ru_ref_KW, double flow_mps);
/* Ru at a coolant speed. */
double ct_ru_of_flow(double Ru_ref_KW, double flow_mps);

/* One backward-Euler step of the lumped model. */
void ct_lumped_step(const struct ct_thermal_params *p, double *Tc, double *Ts, double Q_W,
		    double Tf_degC, double flow_mps, double dt_s);

struct ct_radial {
	int n; /* shells */
	double radius_m, length_m;
	double k_r, k_z;  /* W/m/K */
	double rho_cp;	  /* J/m^3/K */
	double h_ref;	  /* side coefficient at reference flow */
	double end_ratio; /* end-cap coefficient / side coefficient */
	double Ru_ref;
	double T[CT_RADIAL_MAX_SHELLS]; /* shell temperatures, centre first */
};

/* Builds a radial cell of n shells (2..CT_RADIAL_MAX_SHELLS) from lumped
 * parameters, at a uniform temperature; k_z and end_ratio set the axial
 * path (k_z = 0 closes it). Returns 0, or -1 on a bad argument. */
int ct_radial_init(struct ct_radial *m, const struct ct_thermal_params *p, int n, double k_z,
		   double end_ratio, double T0_degC);

/* One backward-Euler step with total heat Q (uniform in the volume). */
void ct_radial_step(struct ct_radial *m, double Q_W, double Tf_degC, double flow_mps, double dt_s);

/* Centre (innermost shell), surface (from the boundary flux) and mean. */
double ct_radial_core(const struct ct_radial *m);
double ct_radial_surface(const struct ct_radial *m, double Tf_degC, double flow_mps);
double ct_radial_mean(const struct ct_radial *m);
/* Radius of shell i's centroid line (the midpoint of its radial extent). */
double ct_radial_r(const struct ct_radial *m, int i);

#endif /* BMS_CT_THERMAL_H */
