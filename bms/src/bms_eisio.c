/* bms_eisio: format detection, a shared row reader over split lines, and
 * the checks every spectrum passes (finite, positive, distinct, sorted).
 */
#include "bms_eisio.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 64

struct line {
	const char *s;
	size_t len;
};

struct doc {
	const char *name;
	struct line *lines;
	size_t n;
	char *err;
	size_t errlen;
};

static int errf(struct doc *d, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int errf(struct doc *d, size_t line, const char *fmt, ...)
{
	if (!d->err || !d->errlen)
		return -1;
	int o = line ? snprintf(d->err, d->errlen, "%s:%zu: ", d->name, line)
		     : snprintf(d->err, d->errlen, "%s: ", d->name);
	if (o < 0 || (size_t)o >= d->errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err + o, d->errlen - (size_t)o, fmt, ap);
	va_end(ap);
	return -1;
}

void bms_spectrum_free(struct bms_spectrum *sp)
{
	if (!sp)
		return;
	free(sp->f_hz);
	free(sp->zre_ohm);
	free(sp->zim_ohm);
	sp->f_hz = sp->zre_ohm = sp->zim_ohm = NULL;
	sp->n = 0;
}

static int split_lines(const char *buf, size_t len, struct doc *d)
{
	size_t cap = 0;
	d->lines = NULL;
	d->n = 0;
	size_t i = 0;
	/* UTF-8 byte-order mark */
	if (len >= 3 && (unsigned char)buf[0] == 0xef && (unsigned char)buf[1] == 0xbb &&
	    (unsigned char)buf[2] == 0xbf)
		i = 3;
	while (i < len) {
		size_t j = i;
		while (j < len && buf[j] != '\n' && buf[j] != '\r')
			j++;
		if (d->n >= BMS_EIS_MAX_LINES)
			return errf(d, 0, "more than %d lines", BMS_EIS_MAX_LINES);
		if (d->n == cap) {
			cap = cap ? cap * 2 : 256;
			struct line *nl = realloc(d->lines, cap * sizeof(*nl));
			if (!nl)
				return errf(d, 0, "out of memory");
			d->lines = nl;
		}
		d->lines[d->n].s = buf + i;
		d->lines[d->n].len = j - i;
		d->n++;
		if (j < len && buf[j] == '\r' && j + 1 < len && buf[j + 1] == '\n')
			j++;
		i = j + 1;
	}
	return 0;
}

/* Splits line l on any of seps into at most MAX_COLS trimmed fields (copied
 * into out, NUL-terminated). Returns the number of fields. */
static int fields(const struct line *l, const char *seps, char *out, size_t outlen,
		  char *f[MAX_COLS])
{
	size_t o = 0;
	int n = 0;
	size_t i = 0;
	while (n < MAX_COLS && o < outlen) {
		while (i < l->len && (l->s[i] == ' ') && !strchr(seps, ' '))
			i++;
		f[n++] = out + o;
		while (i < l->len && !strchr(seps, l->s[i]) && o + 1 < outlen)
			out[o++] = l->s[i++];
		while (o > 0 && out + o > f[n - 1] && out[o - 1] == ' ')
			o--;
		out[o++] = '\0';
		if (i >= l->len)
			break;
		i++; /* the separator */
	}
	return n;
}

static int is_blank(const struct line *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return 0;
	return 1;
}

static int to_num(const char *s, double *v)
{
	if (!*s)
		return -1;
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	while (*end == ' ')
		end++;
	return *end == '\0' ? 0 : -1;
}

static int starts(const struct line *l, const char *p)
{
	size_t n = strlen(p);
	return l->len >= n && memcmp(l->s, p, n) == 0;
}

static int contains(const struct line *l, const char *p)
{
	size_t n = strlen(p);
	for (size_t i = 0; i + n <= l->len; i++)
		if (memcmp(l->s + i, p, n) == 0)
			return 1;
	return 0;
}

static long find_line(const struct doc *d, size_t from, const char *needle, int at_start)
{
	for (size_t i = from; i < d->n; i++)
		if (at_start ? starts(&d->lines[i], needle) : contains(&d->lines[i], needle))
			return (long)i;
	return -1;
}

static int push(struct doc *d, struct bms_spectrum *sp, size_t *cap, double f, double re, double im,
		size_t line)
{
	if (sp->n >= BMS_EIS_MAX_POINTS)
		return errf(d, line, "more than %d points", BMS_EIS_MAX_POINTS);
	if (sp->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		double *a = realloc(sp->f_hz, nc * sizeof(double));
		if (a)
			sp->f_hz = a;
		double *b = realloc(sp->zre_ohm, nc * sizeof(double));
		if (b)
			sp->zre_ohm = b;
		double *c = realloc(sp->zim_ohm, nc * sizeof(double));
		if (c)
			sp->zim_ohm = c;
		if (!a || !b || !c)
			return errf(d, line, "out of memory");
		*cap = nc;
	}
	sp->f_hz[sp->n] = f;
	sp->zre_ohm[sp->n] = re;
	sp->zim_ohm[sp->n] = im;
	sp->n++;
	return 0;
}

struct rowspec {
	const char *seps;
	int fcol, rcol, icol;
	double isign;	  /* -1 when the file holds -Im Z */
	int stop_at_text; /* 1: the table ends at the first non-numeric line */
	int skip_dc;	  /* 1: rows at 0 Hz are counted apart (Parstat) */
	int lead_tab;	  /* 1: rows begin with a separator (Gamry) */
};

static int read_rows(struct doc *d, size_t from, const struct rowspec *rs, struct bms_spectrum *sp)
{
	size_t cap = 0;
	char buf[4096];
	char *f[MAX_COLS];
	int need = rs->fcol > rs->rcol ? rs->fcol : rs->rcol;
	need = (need > rs->icol ? need : rs->icol) + 1;
	for (size_t i = from; i < d->n; i++) {
		struct line l = d->lines[i];
		if (is_blank(&l))
			continue;
		if (rs->lead_tab) {
			if (l.s[0] != '\t')
				break;
			l.s++;
			l.len--;
		}
		int nf = fields(&l, rs->seps, buf, sizeof(buf), f);
		double first;
		if (to_num(f[0], &first) != 0) {
			if (rs->stop_at_text)
				break;
			return errf(d, i + 1, "not a number: '%.40s'", f[0]);
		}
		if (nf < need)
			return errf(d, i + 1, "missing columns: %d found, %d needed", nf, need);
		double fr, re, im;
		if (to_num(f[rs->fcol], &fr) || to_num(f[rs->rcol], &re) ||
		    to_num(f[rs->icol], &im))
			return errf(d, i + 1, "not a number in the frequency or impedance columns");
		if (rs->skip_dc && fr == 0.0) {
			sp->dc_rows++;
			continue;
		}
		if (push(d, sp, &cap, fr, re, rs->isign * im, i + 1))
			return -1;
		/* keep the line number of each point for the checks */
	}
	return 0;
}

/* Column of the header field equal to name (after trimming), or -1. */
static int column(const struct line *hdr, const char *seps, const char *name)
{
	char buf[4096];
	char *f[MAX_COLS];
	int n = fields(hdr, seps, buf, sizeof(buf), f);
	for (int k = 0; k < n; k++)
		if (strcmp(f[k], name) == 0)
			return k;
	return -1;
}

static int check_points(struct doc *d, struct bms_spectrum *sp)
{
	if (sp->n == 0)
		return errf(d, 0, "no data rows found (format %s)", sp->format);
	int dir = 0;
	for (size_t i = 0; i < sp->n; i++) {
		double f = sp->f_hz[i];
		if (!isfinite(f) || !isfinite(sp->zre_ohm[i]) || !isfinite(sp->zim_ohm[i]))
			return errf(d, 0, "point %zu: NaN or infinite value", i + 1);
		if (!(f > 0.0))
			return errf(d, 0, "point %zu: frequency %g Hz is not positive", i + 1, f);
		if (i == 0)
			continue;
		double p = sp->f_hz[i - 1];
		if (f == p)
			return errf(d, 0, "point %zu: duplicate frequency %g Hz", i + 1, f);
		int s = f > p ? 1 : -1;
		if (dir && s != dir)
			return errf(d, 0,
				    "point %zu: frequency %g Hz breaks the sort order "
				    "(frequencies must be monotonic)",
				    i + 1, f);
		dir = s;
	}
	return 0;
}

static long header_count(const struct doc *d, const char *key)
{
	long i = find_line(d, 0, key, 0);
	if (i < 0)
		return -1;
	const struct line *l = &d->lines[i];
	const char *p = memchr(l->s, ':', l->len);
	if (!p)
		return -1;
	return strtol(p + 1, NULL, 10);
}

static int parse_doc(struct doc *d, struct bms_spectrum *sp)
{
	struct rowspec rs = {",", 0, 1, 2, 1.0, 0, 0, 0};
	long h;
	if (d->n == 0)
		return errf(d, 0, "empty file");
	const struct line *l0 = &d->lines[0];
	if (starts(l0, "ZPLOT2 ASCII")) {
		strcpy(sp->format, "zplot");
		sp->header_points = header_count(d, "Data Points:");
		h = find_line(d, 0, "End Comments", 0);
		if (h < 0)
			return errf(d, 0, "ZPlot file without 'End Comments'");
		rs = (struct rowspec){"\t", 0, 4, 5, 1.0, 1, 0, 0};
		return read_rows(d, (size_t)h + 1, &rs, sp);
	}
	if (contains(l0, "ZPlotW Data File") || contains(l0, "Z60W Data File")) {
		strcpy(sp->format, "zview");
		h = find_line(d, 0, "Freq(Hz)", 0);
		if (h < 0)
			h = find_line(d, 0, "Freq (Hz)", 0);
		if (h < 0)
			return errf(d, 0, "no 'Freq(Hz)' header line");
		if (h >= 1) {
			char *e;
			long v = strtol(d->lines[h - 1].s, &e, 10);
			sp->header_points = e != d->lines[h - 1].s ? v : -1;
		}
		rs = (struct rowspec){",", 0, 4, 5, 1.0, 1, 0, 0};
		return read_rows(d, (size_t)h + 1, &rs, sp);
	}
	if (starts(l0, "EC-Lab ASCII FILE")) {
		strcpy(sp->format, "biologic");
		long nh = header_count(d, "Nb header lines");
		if (nh < 2 || (size_t)nh > d->n)
			return errf(d, 0, "bad 'Nb header lines'");
		const struct line *hdr = &d->lines[nh - 1];
		int fc = column(hdr, "\t", "freq/Hz"), rc = column(hdr, "\t", "Re(Z)/Ohm");
		int ic = column(hdr, "\t", "-Im(Z)/Ohm");
		if (fc < 0 || rc < 0 || ic < 0)
			return errf(d, (size_t)nh, "missing column %s in the header",
				    fc < 0 ? "freq/Hz" : (rc < 0 ? "Re(Z)/Ohm" : "-Im(Z)/Ohm"));
		rs = (struct rowspec){"\t", fc, rc, ic, -1.0, 0, 0, 0};
		return read_rows(d, (size_t)nh, &rs, sp);
	}
	if (starts(l0, "EXPLAIN")) {
		strcpy(sp->format, "gamry");
		h = find_line(d, 0, "ZCURVE\tTABLE", 1);
		if (h < 0 || (size_t)h + 2 >= d->n)
			return errf(d, 0, "Gamry file without a ZCURVE table");
		struct line hdr = d->lines[h + 1];
		if (hdr.len && hdr.s[0] == '\t')
			hdr.s++, hdr.len--;
		int fc = column(&hdr, "\t", "Freq"), rc = column(&hdr, "\t", "Zreal");
		int ic = column(&hdr, "\t", "Zimag");
		if (fc < 0 || rc < 0 || ic < 0)
			return errf(d, (size_t)h + 2, "missing column Freq, Zreal or Zimag");
		rs = (struct rowspec){"\t", fc, rc, ic, 1.0, 1, 0, 1};
		return read_rows(d, (size_t)h + 3, &rs, sp);
	}
	if ((h = find_line(d, 0, "Freq/Hz, Z'/ohm", 1)) >= 0) {
		strcpy(sp->format, "chi");
		rs = (struct rowspec){",", 0, 1, 2, 1.0, 0, 0, 0};
		return read_rows(d, (size_t)h + 1, &rs, sp);
	}
	if (contains(l0, "Frequency (Hz)") && contains(l0, "Zre (ohms)")) {
		strcpy(sp->format, "parstat");
		int fc = column(l0, "\t", "Frequency (Hz)"), rc = column(l0, "\t", "Zre (ohms)");
		int ic = column(l0, "\t", "Zim (ohms)");
		if (fc < 0 || rc < 0 || ic < 0)
			return errf(d, 1, "missing column Frequency (Hz), Zre or Zim");
		rs = (struct rowspec){"\t", fc, rc, ic, 1.0, 0, 1, 0};
		return read_rows(d, 1, &rs, sp);
	}
	if (starts(l0, "Frequency") && contains(l0, "Zre") && contains(l0, "Zimg")) {
		strcpy(sp->format, "powersuite");
		rs = (struct rowspec){"\t", 0, 1, 2, 1.0, 0, 0, 0};
		return read_rows(d, 1, &rs, sp);
	}
	if ((h = find_line(d, 0, "<Segment", 1)) >= 0) {
		strcpy(sp->format, "versastudio");
		long def = find_line(d, (size_t)h, "Definition=", 1);
		if (def < 0)
			return errf(d, 0, "VersaStudio segment without Definition=");
		struct line hdr = d->lines[def];
		hdr.s += 11, hdr.len -= 11;
		int fc = column(&hdr, ",", "Frequency(Hz)"), rc = column(&hdr, ",", "Z Real");
		int ic = column(&hdr, ",", "Z Imag");
		if (fc < 0 || rc < 0 || ic < 0)
			return errf(d, (size_t)def + 1,
				    "missing column Frequency(Hz), Z Real or Z Imag");
		rs = (struct rowspec){",", fc, rc, ic, 1.0, 1, 0, 0};
		return read_rows(d, (size_t)def + 1, &rs, sp);
	}
	/* Plain CSV: an optional one-line text header, then f, Re Z, Im Z. */
	strcpy(sp->format, "csv");
	size_t from = 0;
	while (from < d->n && is_blank(&d->lines[from]))
		from++;
	if (from < d->n) {
		char buf[4096];
		char *f[MAX_COLS];
		double v;
		fields(&d->lines[from], ",", buf, sizeof(buf), f);
		if (to_num(f[0], &v) != 0)
			from++;
	}
	return read_rows(d, from, &rs, sp);
}

int bms_eis_parse(const char *buf, size_t len, const char *name, struct bms_spectrum *sp, char *err,
		  size_t errlen)
{
	struct doc d = {name ? name : "input", NULL, 0, err, errlen};
	if (!buf || !sp)
		return errf(&d, 0, "null argument");
	memset(sp, 0, sizeof(*sp));
	sp->header_points = -1;
	if (len > BMS_EIS_MAX_BYTES)
		return errf(&d, 0, "larger than %u bytes", BMS_EIS_MAX_BYTES);
	int rc = split_lines(buf, len, &d);
	if (rc == 0)
		rc = parse_doc(&d, sp);
	if (rc == 0)
		rc = check_points(&d, sp);
	free(d.lines);
	if (rc != 0)
		bms_spectrum_free(sp);
	return rc;
}

char *bms_read_all(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (n == cap) {
			if (cap >= max) {
				snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
				free(buf);
				buf = NULL;
				break;
			}
			cap = cap * 2 < max ? cap * 2 : max;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, fp);
		n += r;
		if (r == 0) {
			if (ferror(fp)) {
				snprintf(err, errlen, "%s: read error", path);
				free(buf);
				buf = NULL;
			}
			break;
		}
	}
	fclose(fp);
	if (!buf) {
		if (err && !err[0])
			snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int bms_eis_read_file(const char *path, struct bms_spectrum *sp, char *err, size_t errlen)
{
	size_t len = 0;
	if (err && errlen)
		err[0] = '\0';
	char *buf = bms_read_all(path, BMS_EIS_MAX_BYTES + 1, &len, err, errlen);
	if (!buf)
		return -1;
	const char *base = strrchr(path, '/');
	int rc = bms_eis_parse(buf, len, base ? base + 1 : path, sp, err, errlen);
	free(buf);
	return rc;
}
