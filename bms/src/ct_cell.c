/* ct_cell: grid tables from CSV and the equivalent-circuit cell that heats
 * the simulated cell (see ct_cell.h).
 */
#include "ct_cell.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BMS_CT_SOURCE_DIR
#define BMS_CT_SOURCE_DIR "."
#endif

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorted unique values of column `col` in rows (stride ncol); returns count. */
static int unique_axis(const double *rows, size_t nrows, int ncol, int col, double **out)
{
	double *v = malloc(nrows * sizeof(*v));
	if (v == NULL)
		return -1;
	for (size_t i = 0; i < nrows; i++)
		v[i] = rows[i * (size_t)ncol + (size_t)col];
	qsort(v, nrows, sizeof(*v), cmp_double);
	size_t m = 0;
	for (size_t i = 0; i < nrows; i++) {
		/* Table axes are written with rounding noise (0.15000000000000002) */
		if (m == 0 || fabs(v[i] - v[m - 1]) > 1e-9 * (1.0 + fabs(v[i])))
			v[m++] = v[i];
	}
	*out = v;
	return (int)m;
}

static int axis_index(const double *axis, int n, double x)
{
	int lo = 0, hi = n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (fabs(axis[mid] - x) <= 1e-9 * (1.0 + fabs(x)))
			return mid;
		if (axis[mid] < x)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

int ct_table_parse(struct ct_table *t, int n_axes, const char *text, size_t len, const char *name,
		   char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (n_axes < 1 || n_axes > CT_TABLE_MAX_AXES) {
		snprintf(err, errlen, "%s: unsupported number of axes %d", name, n_axes);
		return -1;
	}
	int ncol = n_axes + 1;
	size_t cap = 0, nrows = 0;
	double *rows = NULL;
	size_t pos = 0, lineno = 0;
	int header_seen = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		char line[512];
		size_t ll = end - pos;
		if (ll >= sizeof(line)) {
			snprintf(err, errlen, "%s:%zu: line too long", name, lineno);
			goto fail;
		}
		memcpy(line, text + pos, ll);
		line[ll] = '\0';
		pos = end + 1;
		if (ll > 0 && line[ll - 1] == '\r')
			line[--ll] = '\0';
		if (ll == 0 || line[0] == '#')
			continue;
		double vals[CT_TABLE_MAX_AXES + 1];
		char *p = line;
		int k = 0, numeric = 1;
		for (; k < ncol; k++) {
			char *e;
			errno = 0;
			vals[k] = strtod(p, &e);
			if (e == p || errno != 0 || !isfinite(vals[k])) {
				numeric = 0;
				break;
			}
			p = e;
			while (*p == ' ')
				p++;
			if (k < ncol - 1) {
				if (*p != ',') {
					numeric = 0;
					break;
				}
				p++;
			}
		}
		if (numeric && *p != '\0')
			numeric = 0;
		if (!numeric) {
			if (!header_seen && nrows == 0) {
				header_seen = 1;
				continue;
			}
			snprintf(err, errlen,
				 "%s:%zu: expected %d finite numbers separated by commas", name,
				 lineno, ncol);
			goto fail;
		}
		if (nrows >= CT_TABLE_MAX_POINTS) {
			snprintf(err, errlen, "%s: more than %d rows", name, CT_TABLE_MAX_POINTS);
			goto fail;
		}
		if (nrows == cap) {
			cap = cap ? cap * 2 : 256;
			double *nr = realloc(rows, cap * (size_t)ncol * sizeof(*rows));
			if (nr == NULL) {
				snprintf(err, errlen, "%s: out of memory", name);
				goto fail;
			}
			rows = nr;
		}
		memcpy(&rows[nrows * (size_t)ncol], vals, (size_t)ncol * sizeof(double));
		nrows++;
	}
	if (nrows < 2) {
		snprintf(err, errlen, "%s: fewer than two data rows", name);
		goto fail;
	}
	t->n_axes = n_axes;
	size_t total = 1;
	for (int a = 0; a < n_axes; a++) {
		t->n[a] = unique_axis(rows, nrows, ncol, a, &t->axis[a]);
		if (t->n[a] < 0) {
			snprintf(err, errlen, "%s: out of memory", name);
			goto fail;
		}
		if (t->n[a] < 2) {
			snprintf(err, errlen, "%s: axis %d has a single value", name, a + 1);
			goto fail;
		}
		total *= (size_t)t->n[a];
	}
	if (total != nrows) {
		snprintf(err, errlen, "%s: %zu rows do not form a full grid (%zu points expected)",
			 name, nrows, total);
		goto fail;
	}
	t->v = malloc(total * sizeof(double));
	unsigned char *seen = calloc(total, 1);
	if (t->v == NULL || seen == NULL) {
		free(seen);
		snprintf(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	for (size_t r = 0; r < nrows; r++) {
		size_t idx = 0;
		for (int a = 0; a < n_axes; a++)
			idx = idx * (size_t)t->n[a] +
			      (size_t)axis_index(t->axis[a], t->n[a],
						 rows[r * (size_t)ncol + (size_t)a]);
		if (seen[idx]) {
			free(seen);
			snprintf(err, errlen, "%s: grid point of row %zu appears twice", name,
				 r + 1);
			goto fail;
		}
		seen[idx] = 1;
		t->v[idx] = rows[r * (size_t)ncol + (size_t)n_axes];
	}
	free(seen);
	free(rows);
	return 0;
fail:
	free(rows);
	ct_table_free(t);
	return -1;
}

int ct_table_load(struct ct_table *t, int n_axes, const char *path, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (len < cap)
			break;
		if (cap >= (64u << 20)) {
			free(buf);
			fclose(f);
			snprintf(err, errlen, "%s: larger than 64 MiB", path);
			return -1;
		}
		cap *= 2;
		char *nb = realloc(buf, cap);
		if (nb == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
	}
	fclose(f);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	int rc = ct_table_parse(t, n_axes, buf, len, path, err, errlen);
	free(buf);
	return rc;
}

void ct_table_free(struct ct_table *t)
{
	for (int a = 0; a < CT_TABLE_MAX_AXES; a++) {
		free(t->axis[a]);
		t->axis[a] = NULL;
	}
	free(t->v);
	t->v = NULL;
	t->n_axes = 0;
}

double ct_table_eval(const struct ct_table *t, const double *x)
{
	int lo[CT_TABLE_MAX_AXES] = {0};
	double fr[CT_TABLE_MAX_AXES] = {0};
	if (t->n_axes < 1 || t->n_axes > CT_TABLE_MAX_AXES || t->v == NULL)
		return NAN;
	for (int a = 0; a < t->n_axes; a++) {
		const double *ax = t->axis[a];
		int n = t->n[a];
		/* x holds n_axes values: the caller's contract. */
		double v = x[a]; /* NOLINT(clang-analyzer-core.uninitialized.Assign) */
		if (!(v > ax[0]))
			v = ax[0];
		if (v > ax[n - 1])
			v = ax[n - 1];
		int l = 0, h = n - 1;
		while (h - l > 1) {
			int m = (l + h) / 2;
			if (ax[m] <= v)
				l = m;
			else
				h = m;
		}
		lo[a] = l;
		fr[a] = (v - ax[l]) / (ax[l + 1] - ax[l]);
	}
	double sum = 0.0;
	for (int corner = 0; corner < (1 << t->n_axes); corner++) {
		double w = 1.0;
		size_t idx = 0;
		for (int a = 0; a < t->n_axes; a++) {
			int up = (corner >> a) & 1;
			w *= up ? fr[a] : 1.0 - fr[a];
			idx = idx * (size_t)t->n[a] + (size_t)(lo[a] + up);
		}
		if (w != 0.0)
			sum += w * t->v[idx];
	}
	return sum;
}

int ct_cell_load(struct ct_cell *c, const char *dir, char *err, size_t errlen)
{
	static const char *names[] = {"r0", "r1", "c1", "ocv", "dudt"};
	struct ct_table *tabs[] = {&c->r0, &c->r1, &c->c1, &c->ocv, &c->dudt};
	static const int axes[] = {3, 3, 3, 1, 2};
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < 5; i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/ecm_example_%s.csv", dir, names[i]);
		if (ct_table_load(tabs[i], axes[i], path, err, errlen) != 0) {
			ct_cell_free(c);
			return -1;
		}
	}
	/* The tables describe a large cell (currents to 400 A, R0 near 0.45 mOhm at 20 degC).
	 * A 26650 cell of 2.3 Ah has R0 near 9 mOhm and is driven to
	 * about 20 A: map its current onto the table's by 20 and its resistance by 20
	 * (and C1 by 1/20 to keep the RC time constant). */
	c->current_scale = 20.0;
	c->r_scale = 20.0;
	c->capacity_Ah = 2.3;
	return 0;
}

void ct_cell_free(struct ct_cell *c)
{
	ct_table_free(&c->r0);
	ct_table_free(&c->r1);
	ct_table_free(&c->c1);
	ct_table_free(&c->ocv);
	ct_table_free(&c->dudt);
}

const char *ct_cell_default_dir(void)
{
	static char buf[1024];
	const char *e = getenv("BMS_CELL_DATA");
	if (e != NULL && *e)
		return e;
	const char *src = getenv("ISTHMUS_SOURCE_DIR");
	if (src == NULL || !*src)
		src = BMS_CT_SOURCE_DIR;
	snprintf(buf, sizeof(buf), "%s/../shared/data/cell", src);
	return buf;
}

double ct_cell_ocv(const struct ct_cell *c, double soc)
{
	return ct_table_eval(&c->ocv, &soc);
}

double ct_cell_r0(const struct ct_cell *c, double T, double I, double soc)
{
	double x[3] = {T, I * c->current_scale, soc};
	return ct_table_eval(&c->r0, x) * c->r_scale;
}

double ct_cell_r1(const struct ct_cell *c, double T, double I, double soc)
{
	double x[3] = {T, I * c->current_scale, soc};
	return ct_table_eval(&c->r1, x) * c->r_scale;
}

double ct_cell_c1(const struct ct_cell *c, double T, double I, double soc)
{
	double x[3] = {T, I * c->current_scale, soc};
	return ct_table_eval(&c->c1, x) / c->r_scale;
}

double ct_cell_dudt(const struct ct_cell *c, double ocv, double T)
{
	double x[2] = {ocv, T};
	return ct_table_eval(&c->dudt, x);
}

double ct_cell_step(const struct ct_cell *c, struct ct_elec *e, double I, double T, double dt,
		    double *heat_W)
{
	double r0 = ct_cell_r0(c, T, I, e->soc);
	double r1 = ct_cell_r1(c, T, I, e->soc);
	double c1 = ct_cell_c1(c, T, I, e->soc);
	double tau = r1 * c1;
	double a = exp(-dt / tau);
	e->v1 = a * e->v1 + (1.0 - a) * r1 * I;
	e->soc -= I * dt / (3600.0 * c->capacity_Ah);
	double ocv = ct_cell_ocv(c, e->soc);
	double v = ocv - I * r0 - e->v1;
	double dudt = ct_cell_dudt(c, ocv, T);
	*heat_W = I * (ocv - v) - I * (T + 273.15) * dudt;
	return v;
}
