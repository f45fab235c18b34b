/* ct_plot: temperatures against time with cairo (see ct_plot.h).
 */
#include "ct_plot.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

int ct_plot_lines(const char *path, const char *title, size_t n, const struct ct_plot_line *lines,
		  int nlines, char *err, size_t errlen)
{
	const double W = 900, H = 480, L = 70, R = 170, T = 40, B = 50;
	int svg = ends_with(path, ".svg");
	if (!svg && !ends_with(path, ".png")) {
		snprintf(err, errlen, "%s: plot file names end in .png or .svg", path);
		return -1;
	}
	if (n < 2 || nlines < 1) {
		snprintf(err, errlen, "%s: nothing to plot", path);
		return -1;
	}
	double lo = INFINITY, hi = -INFINITY;
	for (int l = 0; l < nlines; l++)
		for (size_t i = 0; i < n; i++) {
			double v = lines[l].y[i];
			if (isfinite(v)) {
				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
		}
	if (!(hi > lo)) {
		hi = lo + 1.0;
		lo -= 1.0;
	}
	double pad = 0.05 * (hi - lo);
	lo = floor(lo - pad);
	hi = ceil(hi + pad);
	cairo_surface_t *s = svg ? cairo_svg_surface_create(path, W, H)
				 : cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)W, (int)H);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "%s: %s", path,
			 cairo_status_to_string(cairo_surface_status(s)));
		cairo_surface_destroy(s);
		return -1;
	}
	cairo_t *cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	double pw = W - L - R, ph = H - T - B;
	cairo_set_line_width(cr, 1.0);
	cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 11);
	char lab[64];
	int ny = 6;
	for (int k = 0; k <= ny; k++) {
		double v = lo + (hi - lo) * k / ny, y = T + ph * (1.0 - (double)k / ny);
		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_move_to(cr, L, y);
		cairo_line_to(cr, L + pw, y);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		snprintf(lab, sizeof(lab), "%.1f", v);
		cairo_move_to(cr, 8, y + 4);
		cairo_show_text(cr, lab);
	}
	int nx = 6;
	for (int k = 0; k <= nx; k++) {
		double x = L + pw * k / nx;
		snprintf(lab, sizeof(lab), "%.0f", (double)(n - 1) * k / nx);
		cairo_move_to(cr, x - 10, T + ph + 18);
		cairo_show_text(cr, lab);
	}
	cairo_move_to(cr, L + pw / 2 - 20, H - 10);
	cairo_show_text(cr, "time [s]");
	cairo_save(cr);
	cairo_move_to(cr, 20, T + ph / 2 + 40);
	cairo_rotate(cr, -M_PI / 2);
	cairo_restore(cr);
	cairo_set_font_size(cr, 13);
	cairo_move_to(cr, L, 24);
	cairo_show_text(cr, title);
	cairo_rectangle(cr, L, T, pw, ph);
	cairo_stroke(cr);
	cairo_set_font_size(cr, 11);
	for (int l = 0; l < nlines; l++) {
		const struct ct_plot_line *ln = &lines[l];
		cairo_set_source_rgb(cr, ln->r, ln->g, ln->b);
		cairo_set_line_width(cr, 1.4);
		double dash[] = {6.0, 4.0};
		cairo_set_dash(cr, dash, ln->dashed ? 2 : 0, 0);
		int pen = 0;
		for (size_t i = 0; i < n; i++) {
			double v = ln->y[i];
			if (!isfinite(v)) {
				pen = 0;
				continue;
			}
			double x = L + pw * (double)i / (double)(n - 1);
			double y = T + ph * (1.0 - (v - lo) / (hi - lo));
			if (pen)
				cairo_line_to(cr, x, y);
			else
				cairo_move_to(cr, x, y);
			pen = 1;
		}
		cairo_stroke(cr);
		double ly = T + 14 + 18 * l;
		cairo_move_to(cr, L + pw + 10, ly);
		cairo_line_to(cr, L + pw + 34, ly);
		cairo_stroke(cr);
		cairo_set_dash(cr, dash, 0, 0);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_move_to(cr, L + pw + 40, ly + 4);
		cairo_show_text(cr, ln->label);
	}
	cairo_destroy(cr);
	int rc = 0;
	if (!svg && cairo_surface_write_to_png(s, path) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "%s: cannot write the PNG", path);
		rc = -1;
	}
	cairo_surface_finish(s);
	if (rc == 0 && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "%s: %s", path,
			 cairo_status_to_string(cairo_surface_status(s)));
		rc = -1;
	}
	cairo_surface_destroy(s);
	return rc;
}
