/* bms_cell: line-by-line CSV reading of the cell tables with checks (header
 * columns, numbers, sorted axes, a complete grid) and the interpolation.
 */
#include "bms_cell.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bms_eisio.h"

#define MAXF 8

/* Next line of buf from *pos into out (NUL-terminated, CR stripped). */
static int next_line(const char *buf, size_t len, size_t *pos, char *out, size_t outlen)
{
	if (*pos >= len)
		return 0;
	size_t i = *pos, o = 0;
	while (i < len && buf[i] != '\n') {
		if (buf[i] != '\r' && o + 1 < outlen)
			out[o++] = buf[i];
		i++;
	}
	out[o] = '\0';
	*pos = i + 1;
	return 1;
}

static int split(char *s, char *f[MAXF])
{
	int n = 0;
	for (;;) {
		while (*s == ' ')
			s++;
		f[n++] = s;
		char *c = strchr(s, ',');
		if (!c || n == MAXF)
			break;
		*c = '\0';
		s = c + 1;
	}
	for (int k = 0; k < n; k++) {
		size_t l = strlen(f[k]);
		while (l > 0 && f[k][l - 1] == ' ')
			f[k][--l] = '\0';
	}
	return n;
}

static int num(const char *s, double *v)
{
	char *end;
	if (!*s)
		return -1;
	*v = strtod(s, &end);
	return *end == '\0' && isfinite(*v) ? 0 : -1;
}

static int find(char *f[MAXF], int n, const char *name)
{
	for (int k = 0; k < n; k++)
		if (strcmp(f[k], name) == 0)
			return k;
	return -1;
}

/* Index of x in axis (appending it when it is larger than the last). */
static int axis_index(double *axis, int *n, int max, double x)
{
	for (int k = 0; k < *n; k++)
		if (axis[k] == x)
			return k;
	if (*n >= max || (*n > 0 && !(x > axis[*n - 1])))
		return -1;
	axis[*n] = x;
	return (*n)++;
}

int bms_cell_parse_grid(const char *buf, size_t len, const char *name, const char *value_col,
			struct bms_grid2 *g, char *err, size_t errlen)
{
	char line[512];
	char *f[MAXF];
	size_t pos = 0, lineno = 1;
	unsigned char filled[BMS_GRID_MAX_T][BMS_GRID_MAX_S];
	memset(g, 0, sizeof(*g));
	memset(filled, 0, sizeof(filled));
	if (!next_line(buf, len, &pos, line, sizeof(line))) {
		snprintf(err, errlen, "%s: empty file", name);
		return -1;
	}
	int n = split(line, f);
	int ct = find(f, n, "Temperature [degC]"), ci = find(f, n, "Current [A]");
	int cs = find(f, n, "SoC"), cv = find(f, n, value_col);
	if (ct < 0 || ci < 0 || cs < 0 || cv < 0) {
		snprintf(err, errlen, "%s:1: missing column %s", name,
			 ct < 0 ? "Temperature [degC]"
				: (ci < 0 ? "Current [A]" : (cs < 0 ? "SoC" : value_col)));
		return -1;
	}
	int need = ct > ci ? ct : ci;
	need = need > cs ? need : cs;
	need = (need > cv ? need : cv) + 1;
	size_t rows = 0;
	while (next_line(buf, len, &pos, line, sizeof(line))) {
		lineno++;
		if (line[0] == '\0')
			continue;
		n = split(line, f);
		double t, i, s, v;
		if (n < need) {
			snprintf(err, errlen, "%s:%zu: missing columns (%d of %d)", name, lineno, n,
				 need);
			return -1;
		}
		if (num(f[ct], &t) || num(f[ci], &i) || num(f[cs], &s) || num(f[cv], &v)) {
			snprintf(err, errlen, "%s:%zu: not a finite number", name, lineno);
			return -1;
		}
		if (i != 0.0)
			continue;
		int it = axis_index(g->t_degC, &g->nt, BMS_GRID_MAX_T, t);
		int is = axis_index(g->soc, &g->ns, BMS_GRID_MAX_S, s);
		if (it < 0 || is < 0) {
			snprintf(err, errlen,
				 "%s:%zu: temperature or SoC out of order or too many distinct "
				 "values",
				 name, lineno);
			return -1;
		}
		if (filled[it][is]) {
			snprintf(err, errlen, "%s:%zu: duplicate point", name, lineno);
			return -1;
		}
		filled[it][is] = 1;
		g->v[it][is] = v;
		rows++;
	}
	if (g->nt < 1 || g->ns < 2 || rows != (size_t)g->nt * (size_t)g->ns) {
		snprintf(err, errlen,
			 "%s: the 0 A rows do not form a complete grid (%zu rows, %d x %d)", name,
			 rows, g->nt, g->ns);
		return -1;
	}
	return 0;
}

int bms_cell_parse_ocv(const char *buf, size_t len, const char *name, struct bms_cell_tables *ct,
		       char *err, size_t errlen)
{
	char line[512];
	char *f[MAXF];
	size_t pos = 0, lineno = 0;
	if (!buf || !ct) {
		snprintf(err, errlen, "%s: null argument", name);
		return -1;
	}
	ct->n_ocv = 0;
	while (next_line(buf, len, &pos, line, sizeof(line))) {
		lineno++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		int n = split(line, f);
		double s, v;
		if (n < 2) {
			snprintf(err, errlen, "%s:%zu: missing column (SoC, OCV)", name, lineno);
			return -1;
		}
		if (num(f[0], &s) || num(f[1], &v)) {
			snprintf(err, errlen, "%s:%zu: not a finite number", name, lineno);
			return -1;
		}
		if (ct->n_ocv >= BMS_OCV_MAX) {
			snprintf(err, errlen, "%s:%zu: more than %d points", name, lineno,
				 BMS_OCV_MAX);
			return -1;
		}
		if (ct->n_ocv > 0 && !(s > ct->ocv_soc[ct->n_ocv - 1])) {
			snprintf(err, errlen, "%s:%zu: SoC not increasing", name, lineno);
			return -1;
		}
		ct->ocv_soc[ct->n_ocv] = s;
		ct->ocv_V[ct->n_ocv] = v;
		ct->n_ocv++;
	}
	if (ct->n_ocv < 2) {
		snprintf(err, errlen, "%s: fewer than two points", name);
		return -1;
	}
	return 0;
}

static int load_one(const char *dir, const char *file, const char *col, struct bms_grid2 *g,
		    struct bms_cell_tables *ct, char *err, size_t errlen)
{
	char path[1024];
	size_t len;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	err[0] = '\0';
	char *buf = bms_read_all(path, 1u << 22, &len, err, errlen);
	if (!buf)
		return -1;
	int rc = g ? bms_cell_parse_grid(buf, len, path, col, g, err, errlen)
		   : bms_cell_parse_ocv(buf, len, path, ct, err, errlen);
	free(buf);
	return rc;
}

int bms_cell_load(const char *dir, struct bms_cell_tables *ct, char *err, size_t errlen)
{
	if (load_one(dir, "ecm_example_r0.csv", "R0 [Ohm]", &ct->r0_ohm, ct, err, errlen) ||
	    load_one(dir, "ecm_example_r1.csv", "R1 [Ohm]", &ct->r1_ohm, ct, err, errlen) ||
	    load_one(dir, "ecm_example_c1.csv", "C1 [F]", &ct->c1_F, ct, err, errlen) ||
	    load_one(dir, "ecm_example_ocv.csv", NULL, NULL, ct, err, errlen))
		return -1;
	return 0;
}

static int bracket(const double *ax, int n, double x, double *frac)
{
	if (n < 2 || x <= ax[0]) {
		*frac = 0.0;
		return 0;
	}
	if (x >= ax[n - 1]) {
		*frac = 1.0;
		return n - 2;
	}
	int k = 0;
	while (k < n - 2 && x > ax[k + 1])
		k++;
	*frac = (x - ax[k]) / (ax[k + 1] - ax[k]);
	return k;
}

double bms_grid2_lookup(const struct bms_grid2 *g, double t_degC, double soc)
{
	double ft, fs;
	if (g->nt == 1) {
		int s = bracket(g->soc, g->ns, soc, &fs);
		return g->v[0][s] * (1 - fs) + g->v[0][s + 1] * fs;
	}
	int t = bracket(g->t_degC, g->nt, t_degC, &ft);
	int s = bracket(g->soc, g->ns, soc, &fs);
	double a = g->v[t][s] * (1 - fs) + g->v[t][s + 1] * fs;
	double b = g->v[t + 1][s] * (1 - fs) + g->v[t + 1][s + 1] * fs;
	return a * (1 - ft) + b * ft;
}

double bms_cell_ocv(const struct bms_cell_tables *ct, double soc)
{
	double f;
	int k = bracket(ct->ocv_soc, ct->n_ocv, soc, &f);
	return ct->ocv_V[k] * (1 - f) + ct->ocv_V[k + 1] * f;
}

double bms_cell_ocv_capacitance(const struct bms_cell_tables *ct, double soc, double capacity_Ah)
{
	double slope = (bms_cell_ocv(ct, soc + 0.01) - bms_cell_ocv(ct, soc - 0.01)) / 0.02;
	return slope > 1e-6 ? 3600.0 * capacity_Ah / slope : 1e12;
}
