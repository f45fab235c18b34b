/* ecm_plant_test: acceptance 2 on the plant, across SoC 10..90% and
 * 0..45 degC (a 5 x 5 grid):
 * - impedance measured online (noisy, quantized sensors) within 1% of the
 *   plant's true impedance at every frequency used;
 * - the voltage of the three- and four-point closed forms' models and of
 *   the LM model under the pulse and the drive-cycle-like profiles has RMSE
 *   under 3% of the terminal voltage, and under 3% of the overpotential
 *   swing (the goal, met here and kept as a regression guard).
 * Also: the multi-sine record and the lock-in detector agree with the
 * plant's truth; the plant's own network matches its stated structure at
 * DC (the sum of its resistances). Needs shared/data/cell (argument).
 */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "bms_validate.h"
#include "testkit.h"

int main(int argc, char **argv)
{
	if (argc < 2)
		tk_skip("usage: ecm_plant_test CELL_DIR");
	static struct bms_cell_tables ct;
	char err[512];
	if (access(argv[1], R_OK) != 0)
		tk_skip("%s not found", argv[1]);
	TK_REQUIRE(bms_cell_load(argv[1], &ct, err, sizeof(err)) == 0, "%s", err);
	/* the 0 A slices: 8 temperatures x 21 SoC points, values from the file */
	TK_CHECK(ct.r0_ohm.nt == 8 && ct.r0_ohm.ns == 21, "grid %d x %d", ct.r0_ohm.nt,
		 ct.r0_ohm.ns);
	TK_CHECK(fabs(bms_grid2_lookup(&ct.r1_ohm, 20, 0.5) - 0.0006816348873925944) < 1e-15,
		 "R1(20 degC, 0.5) %g", bms_grid2_lookup(&ct.r1_ohm, 20, 0.5));

	struct bms_plant p;
	bms_plant_init(&p, &ct, NULL, 0.5, 25);
	/* at a low frequency the ladders are all resistive except the OCV term */
	double re, im, sum = p.r0_ohm;
	for (int j = 0; j < BMS_PLANT_BRANCHES; j++)
		sum += p.r_ohm[j];
	bms_plant_impedance(&p, 1e-7, &re, &im);
	TK_CHECK(fabs(re - sum) < 1e-3 * sum, "DC resistance %g vs %g", re, sum);

	/* multi-sine and lock-in against the truth */
	double tones[4] = {0.5, 1.0, 2.0, 4.0};
	struct bms_imp_point pt[4];
	struct bms_meas_cfg mc;
	bms_meas_default_cfg(&mc);
	TK_REQUIRE(bms_plant_measure_multisine(&p, tones, 4, &mc, pt) == BMS_OK, "multisine");
	bms_plant_init(&p, &ct, NULL, 0.5, 25);
	for (int j = 0; j < 4; j++) {
		bms_plant_impedance(&p, tones[j], &re, &im);
		double e = hypot(pt[j].z_ohm.re - re, pt[j].z_ohm.im - im) / hypot(re, im);
		TK_CHECK(e < 0.01, "multisine %g Hz: error %.3f%%", tones[j], 100 * e);
	}
	mc.detector = BMS_DETECT_LOCKIN;
	mc.hann = 0;
	TK_REQUIRE(bms_plant_measure(&p, tones, 2, &mc, pt) == BMS_OK, "lock-in");
	bms_plant_init(&p, &ct, NULL, 0.5, 25);
	for (int j = 0; j < 2; j++) {
		bms_plant_impedance(&p, tones[j], &re, &im);
		double e = hypot(pt[j].z_ohm.re - re, pt[j].z_ohm.im - im) / hypot(re, im);
		TK_CHECK(e < 0.01, "lock-in %g Hz: error %.3f%%", tones[j], 100 * e);
	}

	struct bms_val_cfg vc;
	bms_val_default_cfg(&vc);
	static const double socs[] = {0.1, 0.3, 0.5, 0.7, 0.9}, temps[] = {0, 15, 25, 35, 45};
	double worst_imp = 0, worst_v = 0, worst_sw = 0;
	for (int a = 0; a < 5; a++)
		for (int b = 0; b < 5; b++) {
			struct bms_val_row r;
			int rc = bms_validate_point(&ct, &vc, socs[a], temps[b], &r, err,
						    sizeof(err));
			TK_CHECK(rc == 0, "SoC %g T %g: %s", socs[a], temps[b], err);
			if (rc)
				continue;
			TK_CHECK(r.imp_err_max < 0.01, "SoC %g T %g: impedance error %.3f%%",
				 socs[a], temps[b], 100 * r.imp_err_max);
			worst_imp = fmax(worst_imp, r.imp_err_max);
			for (int m = 0; m < BMS_VAL_METHODS; m++)
				for (int pr = 0; pr < 2; pr++) {
					TK_CHECK(r.rmse_pct_v[m][pr] < 3.0,
						 "SoC %g T %g method %d profile %d: RMSE %.2f%% of "
						 "V",
						 socs[a], temps[b], m, pr, r.rmse_pct_v[m][pr]);
					/* the goal for the share of the overpotential swing,
					 * met on this plant: kept as a regression guard */
					TK_CHECK(r.rmse_pct_swing[m][pr] < 3.0,
						 "SoC %g T %g method %d profile %d: RMSE %.2f%% of "
						 "the "
						 "swing",
						 socs[a], temps[b], m, pr, r.rmse_pct_swing[m][pr]);
					worst_v = fmax(worst_v, r.rmse_pct_v[m][pr]);
					worst_sw = fmax(worst_sw, r.rmse_pct_swing[m][pr]);
				}
		}
	printf("worst impedance error %.3f%%, worst RMSE %.2f%% of V, %.2f%% of swing\n",
	       100 * worst_imp, worst_v, worst_sw);
	return tk_finish();
}
