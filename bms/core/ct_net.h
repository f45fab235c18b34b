/* ct_net: the core-temperature estimator as it runs on the BMS, in float32
 * without a heap.
 *
 * The estimator is a multilayer perceptron over a window of recent samples.
 * Each sample (current, voltage, open-circuit voltage from the BMS's SoC,
 * surface and coolant temperature, coolant flow) goes into a ring buffer of
 * CT_WINDOW samples; the network sees the window as block means of six
 * signals (current, its square, I (OCV - V), surface and coolant
 * temperature, coolant flow), the surface and coolant temperatures taken relative to the mean
 * surface temperature of the newest CT_BLOCK_LEN samples (Tref), plus three
 * global values, and predicts core minus reference temperature. Blocks are
 * short near the present, where timing matters (10 blocks of 1 s, 4 of 5 s),
 * and long in the past (20 of 10 s). The
 * host (bms/src/ct_nn.c) trains on the very same features, computed by this
 * file, so that the deployed network sees what it was trained on. Weights live
 * in a struct of const pointers: a C array exported by the host, or a model
 * file loaded on the host.
 */
#ifndef BMS_CT_NET_H
#define BMS_CT_NET_H

#include <stdint.h>

#define CT_BLOCKS_LONG	20 /* 10 s blocks, oldest */
#define CT_BLOCKS_MID	4  /* 5 s blocks */
#define CT_BLOCKS_SHORT 10 /* 1 s blocks, newest */
#define CT_BLOCKS	(CT_BLOCKS_LONG + CT_BLOCKS_MID + CT_BLOCKS_SHORT)
#define CT_WINDOW	(CT_BLOCKS_LONG * 10 + CT_BLOCKS_MID * 5 + CT_BLOCKS_SHORT)
#define CT_BLOCK_LEN	10 /* samples behind Tref; estimates count from here on */
#define CT_BLOCK_FEAT	6  /* per block: I, I^2, I*(OCV-V), Ts-Tref, Tf-Tref, flow */
#define CT_GLOBAL_FEAT	3  /* Tref, coolant flow, newest block's voltage */
#define CT_N_IN		(CT_BLOCKS * CT_BLOCK_FEAT + CT_GLOBAL_FEAT)
#define CT_MAX_HIDDEN	64

/* One sample as the BMS measures it. */
struct ct_sample {
	float current_A; /* positive on discharge */
	float voltage_V;
	float ocv_V; /* open-circuit voltage at the BMS's state of charge */
	float surface_degC;
	float coolant_degC;
	float flow_mps; /* coolant (air) speed */
};

/* Network weights: layer l maps n_in -> n_h1 -> n_h2 -> 1 with tanh on the
 * hidden layers; w1 is n_h1 rows of n_in, w2 is n_h2 rows of n_h1. */
struct ct_net_weights {
	uint16_t n_in, n_h1, n_h2;
	const float *in_mean, *in_std; /* n_in each */
	const float *w1, *b1, *w2, *b2, *w3;
	float b3;
	float out_mean, out_std;
};

/* Window of recent samples (about 6.5 KB). */
struct ct_window {
	float ring[CT_WINDOW][CT_BLOCK_FEAT + 1]; /* I, I^2, Qirr, Ts, Tf, V, flow */
	float flow_mps;
	uint16_t head;	/* next slot to write */
	uint16_t count; /* samples seen, saturating at CT_WINDOW */
};

enum ct_status {
	CT_OK = 0,
	CT_EINVAL = -1,	    /* null pointer or a dimension the core does not support */
	CT_ENONFINITE = -2, /* a sample or result that is not a finite number */
};

/* Empties the window. */
enum ct_status ct_window_reset(struct ct_window *w);

/* Appends one sample; a non-finite sample is refused and leaves w unchanged.
 * Until the window is full, the oldest sample stands in for those missing. */
enum ct_status ct_window_push(struct ct_window *w, const struct ct_sample *s);

/* Writes the CT_N_IN features of the window (unnormalised) and the reference
 * temperature (mean surface temperature of the newest block). */
enum ct_status ct_window_features(const struct ct_window *w, float feat[CT_N_IN], float *tref_degC);

/* Runs the network on unnormalised features: returns core - Tref in kelvin. */
enum ct_status ct_net_forward(const struct ct_net_weights *net, const float feat[CT_N_IN],
			      float *delta_K);

/* Both together: the core temperature estimate for the window's newest sample. */
enum ct_status ct_estimate(const struct ct_net_weights *net, const struct ct_window *w,
			   float *core_degC);

#endif /* BMS_CT_NET_H */
