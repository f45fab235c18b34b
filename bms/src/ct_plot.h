/* ct_plot: a line chart of temperatures against time, to PNG or SVG (chosen
 * by the file name's extension), with cairo: estimated against true core
 * temperature for `bms coretemp eval --plot`.
 */
#ifndef BMS_CT_PLOT_H
#define BMS_CT_PLOT_H

#include <stddef.h>

struct ct_plot_line {
	const char *label;
	const float *y; /* n values, one per second */
	double r, g, b;
	int dashed;
};

int ct_plot_lines(const char *path, const char *title, size_t n, const struct ct_plot_line *lines,
		  int nlines, char *err, size_t errlen);

#endif /* BMS_CT_PLOT_H */
