/* ct_cell: the electrical side of the simulated cell for the core-temperature
 * work: an equivalent circuit (OCV, R0, one RC pair) whose tables are read at
 * run time from CSV files (PyBaMM's ECM example tables in shared/data/cell/,
 * made for a large automotive cell and scaled here to a 26650-sized cell), and
 * the heat it generates: ohmic, polarization and entropic (reversible).
 *
 * Tables are grids: each CSV row holds the axis values and then the value,
 * every combination of axis values appears once, and lookups interpolate
 * multilinearly with clamping at the edges.
 */
#ifndef BMS_CT_CELL_H
#define BMS_CT_CELL_H

#include <stddef.h>

#define CT_TABLE_MAX_AXES   3
#define CT_TABLE_MAX_POINTS 200000 /* bound on what a table file may hold */

struct ct_table {
	int n_axes;
	int n[CT_TABLE_MAX_AXES];
	double *axis[CT_TABLE_MAX_AXES]; /* ascending */
	double *v;			 /* row-major: last axis fastest */
};

/* Reads a grid table with n_axes axis columns and one value column from a
 * CSV text (a header line, optional lines starting with '#'). Returns 0 or
 * -1 with a message naming `name` and the problem. */
int ct_table_parse(struct ct_table *t, int n_axes, const char *text, size_t len, const char *name,
		   char *err, size_t errlen);
int ct_table_load(struct ct_table *t, int n_axes, const char *path, char *err, size_t errlen);
void ct_table_free(struct ct_table *t);
double ct_table_eval(const struct ct_table *t, const double *x);

/* The cell: tables and the scaling from the table cell to this one. */
struct ct_cell {
	struct ct_table r0, r1, c1; /* axes: temperature degC, current A, SoC */
	struct ct_table ocv;	    /* axis: SoC */
	struct ct_table dudt;	    /* axes: OCV V, temperature degC */
	double current_scale;	    /* table current = cell current * current_scale */
	double r_scale;		    /* cell resistance = table resistance * r_scale */
	double capacity_Ah;
};

/* Loads the five tables ecm_example_{r0,r1,c1,ocv,dudt}.csv from dir. */
int ct_cell_load(struct ct_cell *c, const char *dir, char *err, size_t errlen);
void ct_cell_free(struct ct_cell *c);

/* Directory of the cell tables: $BMS_CELL_DATA, else the source tree's
 * ../shared/data/cell (resolved from ISTHMUS_SOURCE_DIR or the build's
 * source path). */
const char *ct_cell_default_dir(void);

double ct_cell_ocv(const struct ct_cell *c, double soc);
double ct_cell_r0(const struct ct_cell *c, double T_degC, double I_A, double soc);
double ct_cell_r1(const struct ct_cell *c, double T_degC, double I_A, double soc);
double ct_cell_c1(const struct ct_cell *c, double T_degC, double I_A, double soc);
double ct_cell_dudt(const struct ct_cell *c, double ocv_V, double T_degC);

/* The electrical state and one step of dt seconds at current I (positive on
 * discharge) and cell temperature T. Returns the terminal voltage and writes
 * the heat in watts (ohmic + polarization + entropic, Bernardi's form
 * Q = I (OCV - V) - I T dU/dT). */
struct ct_elec {
	double soc;
	double v1; /* RC-pair voltage */
};
double ct_cell_step(const struct ct_cell *c, struct ct_elec *e, double I_A, double T_degC,
		    double dt_s, double *heat_W);

#endif /* BMS_CT_CELL_H */
