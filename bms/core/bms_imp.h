/* bms_imp: impedance at chosen frequencies from sampled current and voltage.
 *
 * The BMS injects a sine or a multi-sine current, samples current and
 * voltage together at fs, and calls bms_imp_measure over the record: the
 * first settle samples (transient of the cell's RC branches) are dropped,
 * a linear drift is removed (from the means of the first and the last full
 * period, which a sine does not disturb), an optional Hann window is
 * applied, and each frequency's phasor is detected by Goertzel's recursion
 * or by lock-in (multiply by cos and sin, sum). Z = V / I. The record is also
 * cut in blocks; the spread of the blocks' Z gives a standard error and an
 * SNR figure for each point. Everything works in place on the caller's
 * arrays; nothing is stored.
 */
#ifndef BMS_IMP_H
#define BMS_IMP_H

#include "bms_cplx.h"

enum bms_detector {
	BMS_DETECT_GOERTZEL = 0,
	BMS_DETECT_LOCKIN
};

struct bms_imp_cfg {
	int detector;	    /* enum bms_detector */
	int hann;	    /* 1: Hann window */
	int detrend;	    /* 1: remove linear drift */
	int settle_samples; /* dropped at the start */
	int period_samples; /* samples in one period of the lowest tone (drift estimate) */
	int blocks;	    /* 2..8 blocks for the quality figure; 1: none */
};

struct bms_imp_point {
	bms_real f_hz;
	struct bms_cplx z_ohm;
	bms_real i_amp_A; /* amplitude of the current tone */
	bms_real v_amp_V;
	bms_real rel_err; /* standard error of |Z| relative to |Z|, from the blocks */
	bms_real snr_db;  /* -20 log10(rel_err) */
};

struct bms_multisine {
	int n;
	bms_real f_hz[BMS_MAX_TONES];
	bms_real amp_A[BMS_MAX_TONES];
	bms_real phase_rad[BMS_MAX_TONES];
};

/* Phasor (amplitude, phase of a cosine) of x[0..n) at nu = f/fs cycles per
 * sample, with optional Hann window and linear trend (a + b k) removed. */
int bms_phasor(const bms_real *x, int n, bms_real nu, int detector, int hann, bms_real trend_a,
	       bms_real trend_b, struct bms_cplx *out);

/* Trend a + b k of x[0..n) from the means of its first and last period. */
int bms_trend(const bms_real *x, int n, int period, bms_real *a, bms_real *b);

int bms_imp_measure(const bms_real *i_A, const bms_real *v_V, int n, bms_real fs_hz,
		    const bms_real *f_hz, int nf, const struct bms_imp_cfg *cfg,
		    struct bms_imp_point *out);

/* Streaming lock-in for one frequency of one signal, O(1) memory: for a
 * BMS that cannot keep the record. Feed n_total samples one at a time; the
 * Hann window (optional) and the drift removal give the same phasor as
 * bms_phasor over the stored record: the trend's contribution a W0 + b W1
 * is subtracted at the end, with W0 = sum w e^{-j om k}, W1 = sum w k e^{-j
 * om k} accumulated alongside, and a, b from the first and last period's
 * means (kept as running sums). */
struct bms_stream {
	bms_real nu;
	int n_total, period, hann;
	int k;	     /* samples pushed */
	bms_real ph; /* phase in cycles, wrapped */
	bms_real xr, xi, w0r, w0i, w1r, w1i, wsum;
	bms_real head, tail; /* sums over the first and the last period */
};

int bms_stream_init(struct bms_stream *s, bms_real nu, int n_total, int period, int hann);
void bms_stream_push(struct bms_stream *s, bms_real x);
/* After n_total pushes: the phasor, drift removed when detrend != 0 (needs
 * n_total >= 2 period). */
int bms_stream_phasor(const struct bms_stream *s, int detrend, struct bms_cplx *out);

/* A multi-sine of n tones with equal amplitude amp_A (split over the tones)
 * and Schroeder phases, which keep the crest factor low. */
int bms_multisine_init(struct bms_multisine *ms, const bms_real *f_hz, int n, bms_real amp_A);

bms_real bms_multisine_value(const struct bms_multisine *ms, bms_real t_s);

#endif /* BMS_IMP_H */
