/* bms_plot: Nyquist and Bode plots of a spectrum, with an optional model
 * curve, to PNG or SVG through cairo (chosen by the file name's ending).
 * The left panel is the Nyquist plot (Re Z against -Im Z, equal scales);
 * the right panels are |Z| and the phase against log frequency.
 */
#ifndef BMS_PLOT_H
#define BMS_PLOT_H

#include <stddef.h>

struct bms_plot_series {
	size_t n;
	const double *f_hz, *zre, *zim;
	const char *label;
	int as_line; /* 0: markers (data), 1: line (model) */
};

int bms_plot_spectra(const char *path, const char *title, const struct bms_plot_series *s, int ns,
		     char *err, size_t errlen);

struct bms_plot_trace {
	const double *y;
	const char *label;
};

/* Time series: the traces (voltages) in the upper panel, current in the
 * lower one, against t (s); n samples each. */
int bms_plot_time(const char *path, const char *title, const double *t, size_t n,
		  const struct bms_plot_trace *v, int nv, const double *i_A, char *err,
		  size_t errlen);

/* Frees cairo's and fontconfig's process-wide caches (font tables kept for
 * reuse), so that a leak checker sees a clean exit. Call once, at the end. */
void bms_plot_shutdown(void);

#endif /* BMS_PLOT_H */
