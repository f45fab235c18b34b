/* bms_plant: a simulated cell for testing the ECM identification, richer
 * than the models being fitted.
 *
 * Network: R0 + three RC pairs + a transmissive Warburg Ws as a 32-term
 * Foster ladder, every value a function of SoC and temperature:
 *   R0  = k R0tab(T, SoC)
 *   RC1 = k R1tab(T, SoC), tau1 = R1tab C1tab           (the table's pair)
 *   RC2 = 0.30 k R1tab, tau2 = 0.01 s * q                 (charge transfer)
 *   RC3 = 0.25 k R1tab, tau3 = 2 s * q                    (SEI / mid band)
 *   Ws  = 0.50 k R1tab, T = 600 s * q                     (solid diffusion)
 * with k the scale from the large table cell to a small one and
 * q = R1tab(T, SoC) / R1tab(25 degC, 0.5), so the extra branches follow the
 * table's temperature and SoC dependence. V = OCV(SoC) + eta, current > 0
 * charges, SoC by coulomb counting; parameters follow SoC at every step.
 * Each step integrates exactly for a current linear in time over the step
 * (first-order hold), so a caller that steps finely sees the continuous
 * response. The sensors add Gaussian noise and quantize to the ADC's LSB.
 */
#ifndef BMS_PLANT_H
#define BMS_PLANT_H

#include <stdint.h>

#include "bms_cell.h"
#include "bms_imp.h"

#define BMS_PLANT_LADDER   32
#define BMS_PLANT_BRANCHES (3 + BMS_PLANT_LADDER)

struct bms_plant_cfg {
	double scale;	    /* k: resistance multiplier from the table cell (default 40) */
	double capacity_Ah; /* default 2.5 */
	double v_noise_V;   /* rms, default 0.5 mV */
	double i_noise_A;   /* rms, default 5 mA */
	int adc_bits;	    /* default 16 */
	double v_full_V;    /* voltage ADC range 0..v_full (default 5 V) */
	double i_full_A;    /* current ADC range -i_full..i_full (default 20 A) */
	uint64_t seed;
};

struct bms_plant {
	struct bms_plant_cfg cfg;
	const struct bms_cell_tables *ct;
	double t_degC, soc;
	double r0_ohm;
	double r_ohm[BMS_PLANT_BRANCHES], tau_s[BMS_PLANT_BRANCHES];
	double v_V[BMS_PLANT_BRANCHES];
	double i_prev_A;
	uint64_t rng;
};

void bms_plant_default_cfg(struct bms_plant_cfg *cfg);
void bms_plant_init(struct bms_plant *p, const struct bms_cell_tables *ct,
		    const struct bms_plant_cfg *cfg, double soc, double t_degC);
/* True small-signal impedance as it is now: the network the plant runs plus
 * the OCV capacitance (bms_cell_ocv_capacitance), which a sine current
 * shows at low frequency as it moves SoC. */
void bms_plant_impedance(const struct bms_plant *p, double f_hz, double *re, double *im);
/* One step: current moves linearly from the previous value to i_A over
 * dt_s. Returns the true terminal voltage. */
double bms_plant_step(struct bms_plant *p, double i_A, double dt_s);
double bms_plant_ocv(const struct bms_plant *p);
/* Sensor readings of a true value: noise, then quantization. */
double bms_plant_sense_v(struct bms_plant *p, double v_V);
double bms_plant_sense_i(struct bms_plant *p, double i_A);

/* Online measurement on the plant, single sine per frequency: amplitude
 * amp_A, lowered where needed so that SoC swings at most max_dsoc (a sine
 * of amplitude I at f moves SoC by I / (2 pi f 3600 capacity)), sample rate min(64 f, fs_max),
 * settle then measure periods (at least min_samples measured), the plant stepped 16 times per
 * sample. Detector and window as in cfg. */
struct bms_meas_cfg {
	double amp_A;
	double fs_max_Hz;
	int settle_periods, measure_periods;
	int detector, hann, blocks;
	int min_samples;
	double max_dsoc;
};
void bms_meas_default_cfg(struct bms_meas_cfg *mc);
int bms_plant_measure(struct bms_plant *p, const double *f_hz, int nf,
		      const struct bms_meas_cfg *mc, struct bms_imp_point *out);
/* The same with one multi-sine record holding all tones (harmonics of the
 * lowest; nf <= BMS_MAX_TONES). */
int bms_plant_measure_multisine(struct bms_plant *p, const double *f_hz, int nf,
				const struct bms_meas_cfg *mc, struct bms_imp_point *out);

#endif /* BMS_PLANT_H */
