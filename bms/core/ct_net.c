/* ct_net: window features and the float32 forward pass of the core
 * temperature network (see ct_net.h). No heap, bounded loops, every pointer
 * checked; the sizes are compile-time constants.
 */
#include "ct_net.h"

#include <math.h>
#include <stddef.h>

enum {
	CH_I,
	CH_I2,
	CH_QIRR,
	CH_TS,
	CH_TF,
	CH_V,
	CH_FLOW,
	CH_N
};

static int ct_finite(float x)
{
	return isfinite(x);
}

enum ct_status ct_window_reset(struct ct_window *w)
{
	if (w == NULL)
		return CT_EINVAL;
	for (uint32_t i = 0; i < CT_WINDOW; i++)
		for (uint32_t c = 0; c < CH_N; c++)
			w->ring[i][c] = 0.0f;
	w->flow_mps = 0.0f;
	w->head = 0;
	w->count = 0;
	return CT_OK;
}

enum ct_status ct_window_push(struct ct_window *w, const struct ct_sample *s)
{
	if (w == NULL || s == NULL)
		return CT_EINVAL;
	if (!ct_finite(s->current_A) || !ct_finite(s->voltage_V) || !ct_finite(s->ocv_V) ||
	    !ct_finite(s->surface_degC) || !ct_finite(s->coolant_degC) || !ct_finite(s->flow_mps))
		return CT_ENONFINITE;
	float *slot = w->ring[w->head];
	slot[CH_I] = s->current_A;
	slot[CH_I2] = s->current_A * s->current_A;
	slot[CH_QIRR] = s->current_A * (s->ocv_V - s->voltage_V);
	slot[CH_TS] = s->surface_degC;
	slot[CH_TF] = s->coolant_degC;
	slot[CH_V] = s->voltage_V;
	slot[CH_FLOW] = s->flow_mps;
	w->flow_mps = s->flow_mps;
	w->head = (uint16_t)((w->head + 1u) % CT_WINDOW);
	if (w->count < CT_WINDOW)
		w->count++;
	return CT_OK;
}

/* The k-th sample counting from the oldest in the window (k < CT_WINDOW). */
static const float *window_at(const struct ct_window *w, uint32_t k)
{
	uint32_t missing = CT_WINDOW - (uint32_t)w->count;
	uint32_t oldest = ((uint32_t)w->head + CT_WINDOW - w->count) % CT_WINDOW;
	uint32_t j = k < missing ? 0u : k - missing;
	return w->ring[(oldest + j) % CT_WINDOW];
}

static uint32_t block_len(uint32_t b)
{
	return b < CT_BLOCKS_LONG ? 10u : b < CT_BLOCKS_LONG + CT_BLOCKS_MID ? 5u : 1u;
}

enum ct_status ct_window_features(const struct ct_window *w, float feat[CT_N_IN], float *tref_degC)
{
	if (w == NULL || feat == NULL || tref_degC == NULL || w->count == 0)
		return CT_EINVAL;
	float mean[CT_BLOCKS][CH_N];
	uint32_t k = 0;
	/* Walk the ring from the oldest sample; window_at covers the padding
	 * while the window fills, a running index the rest. */
	uint32_t missing = CT_WINDOW - (uint32_t)w->count;
	uint32_t idx = ((uint32_t)w->head + CT_WINDOW - w->count) % CT_WINDOW;
	for (uint32_t b = 0; b < CT_BLOCKS; b++) {
		float acc[CH_N] = {0.0f};
		uint32_t n = block_len(b);
		for (uint32_t j = 0; j < n; j++, k++) {
			const float *x;
			if (k < missing) {
				x = window_at(w, k);
			} else {
				x = w->ring[idx];
				idx = idx + 1u == CT_WINDOW ? 0u : idx + 1u;
			}
			for (uint32_t c = 0; c < CH_N; c++)
				acc[c] += x[c];
		}
		for (uint32_t c = 0; c < CH_N; c++)
			mean[b][c] = acc[c] / (float)n;
	}
	float tref = 0.0f;
	for (uint32_t j = CT_WINDOW - CT_BLOCK_LEN; j < CT_WINDOW; j++)
		tref += window_at(w, j)[CH_TS];
	tref *= 1.0f / (float)CT_BLOCK_LEN;
	for (uint32_t b = 0; b < CT_BLOCKS; b++) {
		float *f = &feat[(size_t)b * CT_BLOCK_FEAT];
		f[0] = mean[b][CH_I];
		f[1] = mean[b][CH_I2];
		f[2] = mean[b][CH_QIRR];
		f[3] = mean[b][CH_TS] - tref;
		f[4] = mean[b][CH_TF] - tref;
		f[5] = mean[b][CH_FLOW];
	}
	float *g = &feat[(size_t)CT_BLOCKS * CT_BLOCK_FEAT];
	g[0] = tref;
	g[1] = w->flow_mps;
	g[2] = mean[CT_BLOCKS - 1][CH_V];
	*tref_degC = tref;
	return CT_OK;
}

enum ct_status ct_net_forward(const struct ct_net_weights *net, const float feat[CT_N_IN],
			      float *delta_K)
{
	if (net == NULL || feat == NULL || delta_K == NULL || net->in_mean == NULL ||
	    net->in_std == NULL || net->w1 == NULL || net->b1 == NULL || net->w2 == NULL ||
	    net->b2 == NULL || net->w3 == NULL)
		return CT_EINVAL;
	if (net->n_in != CT_N_IN || net->n_h1 == 0 || net->n_h1 > CT_MAX_HIDDEN || net->n_h2 == 0 ||
	    net->n_h2 > CT_MAX_HIDDEN)
		return CT_EINVAL;
	float x[CT_N_IN], h1[CT_MAX_HIDDEN], h2[CT_MAX_HIDDEN];
	for (uint32_t i = 0; i < CT_N_IN; i++)
		x[i] = (feat[i] - net->in_mean[i]) / net->in_std[i];
	for (uint32_t j = 0; j < net->n_h1; j++) {
		const float *row = &net->w1[(size_t)j * CT_N_IN];
		float a = net->b1[j];
		for (uint32_t i = 0; i < CT_N_IN; i++)
			a += row[i] * x[i];
		h1[j] = tanhf(a);
	}
	for (uint32_t j = 0; j < net->n_h2; j++) {
		const float *row = &net->w2[(size_t)j * net->n_h1];
		float a = net->b2[j];
		for (uint32_t i = 0; i < net->n_h1; i++)
			a += row[i] * h1[i];
		h2[j] = tanhf(a);
	}
	float y = net->b3;
	for (uint32_t j = 0; j < net->n_h2; j++)
		y += net->w3[j] * h2[j];
	float d = y * net->out_std + net->out_mean;
	if (!ct_finite(d))
		return CT_ENONFINITE;
	*delta_K = d;
	return CT_OK;
}

enum ct_status ct_estimate(const struct ct_net_weights *net, const struct ct_window *w,
			   float *core_degC)
{
	float feat[CT_N_IN], tref, d;
	if (core_degC == NULL)
		return CT_EINVAL;
	enum ct_status st = ct_window_features(w, feat, &tref);
	if (st != CT_OK)
		return st;
	st = ct_net_forward(net, feat, &d);
	if (st != CT_OK)
		return st;
	*core_degC = tref + d;
	return CT_OK;
}
