/* bms_plot: axes with ticks chosen from 1-2-5 steps, markers and lines. */
#include "bms_plot.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define W 1200.0
#define H 560.0

struct panel {
	double x, y, w, h;     /* on the page */
	double x0, x1, y0, y1; /* data range */
	int logx;
};

static double px(const struct panel *p, double v)
{
	double t = p->logx ? (log10(v) - p->x0) / (p->x1 - p->x0) : (v - p->x0) / (p->x1 - p->x0);
	return p->x + t * p->w;
}

static double py(const struct panel *p, double v)
{
	return p->y + p->h - (v - p->y0) / (p->y1 - p->y0) * p->h;
}

static double nice_step(double span)
{
	double raw = span / 5.0, mag = pow(10.0, floor(log10(raw))), r = raw / mag;
	return (r < 1.5 ? 1.0 : (r < 3.5 ? 2.0 : (r < 7.5 ? 5.0 : 10.0))) * mag;
}

static void text(cairo_t *cr, double x, double y, const char *s, double align)
{
	cairo_text_extents_t e;
	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - align * e.width, y);
	cairo_show_text(cr, s);
}

static void axes(cairo_t *cr, const struct panel *p, const char *xl, const char *yl)
{
	char buf[32];
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 1.0);
	cairo_rectangle(cr, p->x, p->y, p->w, p->h);
	cairo_stroke(cr);
	cairo_set_font_size(cr, 11);
	if (p->logx) {
		for (int d = (int)ceil(p->x0); d <= (int)floor(p->x1); d++) {
			double x = p->x + (d - p->x0) / (p->x1 - p->x0) * p->w;
			cairo_move_to(cr, x, p->y + p->h);
			cairo_line_to(cr, x, p->y + p->h - 5);
			cairo_stroke(cr);
			snprintf(buf, sizeof(buf), "1e%d", d);
			text(cr, x, p->y + p->h + 14, buf, 0.5);
		}
	} else {
		double st = nice_step(p->x1 - p->x0);
		long k0 = (long)ceil(p->x0 / st), k1 = (long)floor(p->x1 / st + 1e-9);
		for (long k = k0; k <= k1 && k - k0 < 50; k++) {
			double v = (double)k * st, x = px(p, v);
			cairo_move_to(cr, x, p->y + p->h);
			cairo_line_to(cr, x, p->y + p->h - 5);
			cairo_stroke(cr);
			snprintf(buf, sizeof(buf), "%.4g", fabs(v) < st * 1e-6 ? 0.0 : v);
			text(cr, x, p->y + p->h + 14, buf, 0.5);
		}
	}
	double st = nice_step(p->y1 - p->y0);
	long k0 = (long)ceil(p->y0 / st), k1 = (long)floor(p->y1 / st + 1e-9);
	for (long k = k0; k <= k1 && k - k0 < 50; k++) {
		double v = (double)k * st, y = py(p, v);
		cairo_move_to(cr, p->x, y);
		cairo_line_to(cr, p->x + 5, y);
		cairo_stroke(cr);
		snprintf(buf, sizeof(buf), "%.4g", fabs(v) < st * 1e-6 ? 0.0 : v);
		text(cr, p->x - 4, y + 4, buf, 1.0);
	}
	cairo_set_font_size(cr, 12);
	text(cr, p->x + p->w / 2, p->y + p->h + 30, xl, 0.5);
	cairo_save(cr);
	cairo_move_to(cr, p->x - 48, p->y + p->h / 2);
	cairo_rotate(cr, -M_PI / 2);
	cairo_text_extents_t e;
	cairo_text_extents(cr, yl, &e);
	cairo_rel_move_to(cr, -e.width / 2, 0);
	cairo_show_text(cr, yl);
	cairo_restore(cr);
}

static const double colors[][3] = {
	{0.12, 0.35, 0.75}, {0.85, 0.33, 0.10}, {0.2, 0.6, 0.2}, {0.5, 0.2, 0.6}};

/* which: 0 Nyquist, 1 |Z|, 2 phase */
static double xval(const struct bms_plot_series *s, size_t i, int which)
{
	return which == 0 ? s->zre[i] : s->f_hz[i];
}

static double yval(const struct bms_plot_series *s, size_t i, int which)
{
	if (which == 0)
		return -s->zim[i];
	if (which == 1)
		return hypot(s->zre[i], s->zim[i]);
	return atan2(s->zim[i], s->zre[i]) * 180.0 / M_PI;
}

static void draw_series(cairo_t *cr, const struct panel *p, const struct bms_plot_series *s,
			int which, int color)
{
	const double *c = colors[color % 4];
	cairo_set_source_rgb(cr, c[0], c[1], c[2]);
	cairo_save(cr);
	cairo_rectangle(cr, p->x, p->y, p->w, p->h);
	cairo_clip(cr);
	for (size_t i = 0; i < s->n; i++) {
		double x = px(p, xval(s, i, which)), y = py(p, yval(s, i, which));
		if (s->as_line) {
			if (i == 0)
				cairo_move_to(cr, x, y);
			else
				cairo_line_to(cr, x, y);
		} else {
			cairo_new_sub_path(cr);
			cairo_arc(cr, x, y, 3.0, 0, 2 * M_PI);
			cairo_fill(cr);
		}
	}
	if (s->as_line) {
		cairo_set_line_width(cr, 1.5);
		cairo_stroke(cr);
	}
	cairo_restore(cr);
}

static void range(const struct bms_plot_series *s, int ns, int which, int logx, double *x0,
		  double *x1, double *y0, double *y1)
{
	int first = 1;
	for (int k = 0; k < ns; k++)
		for (size_t i = 0; i < s[k].n; i++) {
			double x = xval(&s[k], i, which), y = yval(&s[k], i, which);
			if (logx)
				x = log10(x);
			if (!isfinite(x) || !isfinite(y))
				continue;
			if (first || x < *x0)
				*x0 = x;
			if (first || x > *x1)
				*x1 = x;
			if (first || y < *y0)
				*y0 = y;
			if (first || y > *y1)
				*y1 = y;
			first = 0;
		}
	if (first)
		*x0 = 0, *x1 = 1, *y0 = 0, *y1 = 1;
	double mx = (*x1 - *x0) * 0.05 + 1e-12, my = (*y1 - *y0) * 0.05 + 1e-12;
	*x0 -= mx, *x1 += mx, *y0 -= my, *y1 += my;
}

/* A surface for path by its ending, or NULL with a message. */
static cairo_surface_t *open_surface(const char *path, int *png, char *err, size_t errlen)
{
	size_t l = strlen(path);
	int svg = l > 4 && strcmp(path + l - 4, ".svg") == 0;
	*png = l > 4 && strcmp(path + l - 4, ".png") == 0;
	if (!svg && !*png) {
		snprintf(err, errlen, "%s: plot files end in .png or .svg", path);
		return NULL;
	}
	cairo_surface_t *surf =
		svg ? cairo_svg_surface_create(path, W, H)
		    : cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)W, (int)H);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "%s: %s", path,
			 cairo_status_to_string(cairo_surface_status(surf)));
		cairo_surface_destroy(surf);
		return NULL;
	}
	return surf;
}

static int close_surface(cairo_surface_t *surf, cairo_t *cr, const char *path, int png, char *err,
			 size_t errlen)
{
	int rc = 0;
	if (png) {
		cairo_status_t st = cairo_surface_write_to_png(surf, path);
		if (st != CAIRO_STATUS_SUCCESS) {
			snprintf(err, errlen, "%s: %s", path, cairo_status_to_string(st));
			rc = -1;
		}
	}
	cairo_destroy(cr);
	cairo_surface_finish(surf);
	if (rc == 0 && cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "%s: %s", path,
			 cairo_status_to_string(cairo_surface_status(surf)));
		rc = -1;
	}
	cairo_surface_destroy(surf);
	return rc;
}

static void yrange(const double *y, size_t n, double *y0, double *y1)
{
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(y[i]))
			continue;
		if (y[i] < *y0)
			*y0 = y[i];
		if (y[i] > *y1)
			*y1 = y[i];
	}
}

static void line(cairo_t *cr, const struct panel *p, const double *t, const double *y, size_t n,
		 int color)
{
	const double *c = colors[color % 4];
	cairo_set_source_rgb(cr, c[0], c[1], c[2]);
	cairo_save(cr);
	cairo_rectangle(cr, p->x, p->y, p->w, p->h);
	cairo_clip(cr);
	for (size_t i = 0; i < n; i++) {
		if (i == 0)
			cairo_move_to(cr, px(p, t[i]), py(p, y[i]));
		else
			cairo_line_to(cr, px(p, t[i]), py(p, y[i]));
	}
	cairo_set_line_width(cr, 1.2);
	cairo_stroke(cr);
	cairo_restore(cr);
}

/* A drawing context on surf, painted white, with the plots' font. */
static cairo_t *blank_page(cairo_surface_t *surf)
{
	cairo_t *cr = cairo_create(surf);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	return cr;
}

int bms_plot_time(const char *path, const char *title, const double *t, size_t n,
		  const struct bms_plot_trace *v, int nv, const double *i_A, char *err,
		  size_t errlen)
{
	if (n < 2) {
		snprintf(err, errlen, "%s: fewer than two samples to plot", path);
		return -1;
	}
	int png;
	cairo_surface_t *surf = open_surface(path, &png, err, errlen);
	if (!surf)
		return -1;
	cairo_t *cr = blank_page(surf);
	struct panel pv = {90, 50, 1060, 260, t[0], t[n - 1], 1e300, -1e300, 0};
	struct panel pi = {90, 370, 1060, 130, t[0], t[n - 1], 1e300, -1e300, 0};
	for (int k = 0; k < nv; k++)
		yrange(v[k].y, n, &pv.y0, &pv.y1);
	yrange(i_A, n, &pi.y0, &pi.y1);
	double mv = (pv.y1 - pv.y0) * 0.05 + 1e-6, mi = (pi.y1 - pi.y0) * 0.05 + 1e-6;
	pv.y0 -= mv, pv.y1 += mv, pi.y0 -= mi, pi.y1 += mi;
	axes(cr, &pv, "", "voltage (V)");
	axes(cr, &pi, "time (s)", "current (A)");
	for (int k = 0; k < nv; k++) {
		line(cr, &pv, t, v[k].y, n, k);
		const double *c = colors[k % 4];
		cairo_set_source_rgb(cr, c[0], c[1], c[2]);
		cairo_set_font_size(cr, 12);
		text(cr, 100, 70 + 16 * k, v[k].label ? v[k].label : "", 0.0);
	}
	line(cr, &pi, t, i_A, n, 2);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_font_size(cr, 14);
	text(cr, W / 2, 28, title ? title : "", 0.5);
	return close_surface(surf, cr, path, png, err, errlen);
}

int bms_plot_spectra(const char *path, const char *title, const struct bms_plot_series *s, int ns,
		     char *err, size_t errlen)
{
	int png;
	cairo_surface_t *surf = open_surface(path, &png, err, errlen);
	if (!surf)
		return -1;
	cairo_t *cr = blank_page(surf);

	struct panel nyq = {80, 50, 440, 440, 0, 0, 0, 0, 0};
	struct panel mag = {680, 50, 480, 190, 0, 0, 0, 0, 1};
	struct panel ph = {680, 300, 480, 190, 0, 0, 0, 0, 1};
	range(s, ns, 0, 0, &nyq.x0, &nyq.x1, &nyq.y0, &nyq.y1);
	/* equal scales on the Nyquist plot */
	double span = fmax(nyq.x1 - nyq.x0, nyq.y1 - nyq.y0);
	nyq.x1 = nyq.x0 + span;
	nyq.y1 = nyq.y0 + span;
	range(s, ns, 1, 1, &mag.x0, &mag.x1, &mag.y0, &mag.y1);
	range(s, ns, 2, 1, &ph.x0, &ph.x1, &ph.y0, &ph.y1);
	axes(cr, &nyq, "Re Z (Ohm)", "-Im Z (Ohm)");
	axes(cr, &mag, "", "|Z| (Ohm)");
	axes(cr, &ph, "frequency (Hz)", "phase (deg)");
	for (int k = 0; k < ns; k++) {
		draw_series(cr, &nyq, &s[k], 0, k);
		draw_series(cr, &mag, &s[k], 1, k);
		draw_series(cr, &ph, &s[k], 2, k);
		const double *c = colors[k % 4];
		cairo_set_source_rgb(cr, c[0], c[1], c[2]);
		cairo_set_font_size(cr, 12);
		text(cr, 90, 70 + 16 * k, s[k].label ? s[k].label : "", 0.0);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_font_size(cr, 14);
	text(cr, W / 2, 28, title ? title : "", 0.5);
	return close_surface(surf, cr, path, png, err, errlen);
}

void bms_plot_shutdown(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}
