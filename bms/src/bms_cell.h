/* bms_cell: the cell tables in shared/data/cell/ (PyBaMM's ECM example):
 * R0, R1 and C1 against temperature, current and SoC, and OCV against SoC.
 * The plant uses the zero-current slice of each 3-D table as a grid over
 * temperature and SoC (bilinear interpolation, clamped at the edges), and
 * the OCV curve. Tables are read at run time from the folder the caller
 * names; nothing is copied into the repository.
 */
#ifndef BMS_CELL_H
#define BMS_CELL_H

#include <stddef.h>

#define BMS_GRID_MAX_T 32
#define BMS_GRID_MAX_S 64
#define BMS_OCV_MAX    256

struct bms_grid2 {
	int nt, ns;
	double t_degC[BMS_GRID_MAX_T];
	double soc[BMS_GRID_MAX_S];
	double v[BMS_GRID_MAX_T][BMS_GRID_MAX_S];
};

struct bms_cell_tables {
	struct bms_grid2 r0_ohm, r1_ohm, c1_F;
	int n_ocv;
	double ocv_soc[BMS_OCV_MAX];
	double ocv_V[BMS_OCV_MAX];
};

/* A 3-D table "Temperature [degC],Current [A],SoC,<value_col>"; keeps the
 * rows at 0 A. Errors name the line. */
int bms_cell_parse_grid(const char *buf, size_t len, const char *name, const char *value_col,
			struct bms_grid2 *g, char *err, size_t errlen);

/* The OCV table "# SoC,OCV [V]": SoC strictly increasing. */
int bms_cell_parse_ocv(const char *buf, size_t len, const char *name, struct bms_cell_tables *ct,
		       char *err, size_t errlen);

/* Reads ecm_example_{r0,r1,c1,ocv}.csv from dir. */
int bms_cell_load(const char *dir, struct bms_cell_tables *ct, char *err, size_t errlen);

double bms_grid2_lookup(const struct bms_grid2 *g, double t_degC, double soc);
double bms_cell_ocv(const struct bms_cell_tables *ct, double soc);

/* The OCV's small-signal capacitance at soc: 3600 capacity / (dOCV/dSoC),
 * slope as the secant over soc +- 0.01 (F). A sine current moves SoC and
 * with it OCV, which a measurement sees as this capacitor in series. */
double bms_cell_ocv_capacitance(const struct bms_cell_tables *ct, double soc, double capacity_Ah);

#endif /* BMS_CELL_H */
