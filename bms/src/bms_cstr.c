/* bms_cstr: a recursive-descent parser of circuit strings (bounded depth)
 * emitting the core's postfix nodes.
 */
#include "bms_cstr.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

struct pstate {
	const char *s;
	size_t pos;
	int depth;
	struct bms_cstr *out;
	char *err;
	size_t errlen;
};

static int fail(struct pstate *st, const char *what)
{
	if (st->err && st->errlen)
		snprintf(st->err, st->errlen, "circuit string at character %zu: %s", st->pos + 1,
			 what);
	return BMS_ERR_ARG;
}

static void skip_ws(struct pstate *st)
{
	while (st->s[st->pos] == ' ' || st->s[st->pos] == '\t')
		st->pos++;
}

static const struct {
	const char *prefix;
	int kind;
	const char *units[2];
} kinds[] = {
	/* longest prefixes first */
	{"CPE", BMS_EL_CPE, {"Ohm^-1 s^a", ""}},
	{"Wo", BMS_EL_WO, {"Ohm", "s"}},
	{"Ws", BMS_EL_WS, {"Ohm", "s"}},
	{"W", BMS_EL_W, {"Ohm s^-1/2", ""}},
	{"R", BMS_EL_R, {"Ohm", ""}},
	{"C", BMS_EL_C, {"F", ""}},
	{"L", BMS_EL_L, {"H", ""}},
};

static int parse_series(struct pstate *st);

static int parse_elem(struct pstate *st)
{
	const char *p = st->s + st->pos;
	size_t i = 0;
	int which = -1;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t l = strlen(kinds[k].prefix);
		if (strncmp(p, kinds[k].prefix, l) == 0 && isdigit((unsigned char)p[l])) {
			which = (int)k;
			i = l;
			break;
		}
	}
	if (which < 0)
		return fail(st, "expected an element (R, C, L, W, Wo, Ws or CPE followed by a "
				"number) or p(");
	while (isdigit((unsigned char)p[i]))
		i++;
	if (i >= BMS_NAME_LEN - 3)
		return fail(st, "element name too long");
	struct bms_cstr *o = st->out;
	char name[BMS_NAME_LEN];
	memcpy(name, p, i);
	name[i] = '\0';
	for (int e = 0; e < o->n_elems; e++)
		if (strcmp(o->elem_name[e], name) == 0)
			return fail(st, "element name used twice");
	int kind = kinds[which].kind;
	int first = bms_circuit_push_elem(&o->circuit, kind);
	if (first < 0)
		return fail(st, "circuit too large (limits BMS_MAX_NODES, BMS_MAX_PARAMS)");
	int np = bms_elem_nparams(kind);
	memcpy(o->elem_name[o->n_elems], name, i + 1);
	o->elem_kind[o->n_elems] = kind;
	o->elem_param[o->n_elems] = first;
	o->n_elems++;
	for (int k = 0; k < np; k++) {
		if (np == 1)
			snprintf(o->param_name[first + k], BMS_NAME_LEN + 8, "%s", name);
		else
			snprintf(o->param_name[first + k], BMS_NAME_LEN + 8, "%s_%c", name,
				 (char)('0' + k));
		o->param_unit[first + k] = kinds[which].units[k];
	}
	st->pos += i;
	return BMS_OK;
}

static int parse_term(struct pstate *st)
{
	skip_ws(st);
	if (st->s[st->pos] == 'p' && st->s[st->pos + 1] == '(') {
		if (++st->depth > BMS_CSTR_MAX_DEPTH)
			return fail(st, "p(...) nested too deeply");
		st->pos += 2;
		int count = 0;
		for (;;) {
			int rc = parse_series(st);
			if (rc)
				return rc;
			count++;
			skip_ws(st);
			if (st->s[st->pos] == ',') {
				st->pos++;
				continue;
			}
			if (st->s[st->pos] == ')') {
				st->pos++;
				break;
			}
			return fail(st, "expected ',' or ')'");
		}
		if (count < 2)
			return fail(st, "p(...) needs at least two branches");
		if (bms_circuit_push_op(&st->out->circuit, BMS_NODE_PARALLEL, count))
			return fail(st, "circuit too large");
		st->depth--;
		return BMS_OK;
	}
	return parse_elem(st);
}

static int parse_series(struct pstate *st)
{
	int count = 0;
	for (;;) {
		int rc = parse_term(st);
		if (rc)
			return rc;
		count++;
		skip_ws(st);
		if (st->s[st->pos] != '-')
			break;
		st->pos++;
	}
	if (count > 1 && bms_circuit_push_op(&st->out->circuit, BMS_NODE_SERIES, count))
		return fail(st, "circuit too large");
	return BMS_OK;
}

int bms_cstr_parse(const char *s, struct bms_cstr *out, char *err, size_t errlen)
{
	if (!s || !out) {
		if (err && errlen)
			snprintf(err, errlen, "circuit string: null argument");
		return BMS_ERR_ARG;
	}
	memset(out, 0, sizeof(*out));
	bms_circuit_init(&out->circuit);
	struct pstate st = {s, 0, 0, out, err, errlen};
	if (strnlen(s, BMS_CSTR_MAX_LEN + 1) > BMS_CSTR_MAX_LEN)
		return fail(&st, "longer than 256 characters");
	int rc = parse_series(&st);
	if (rc)
		return rc;
	skip_ws(&st);
	if (s[st.pos] != '\0')
		return fail(&st, "unexpected character after the circuit");
	if (bms_circuit_check(&out->circuit) != BMS_OK)
		return fail(&st, "malformed circuit");
	return BMS_OK;
}

void bms_cstr_defaults(const struct bms_cstr *c, double *p0, double *lo, double *hi)
{
	for (int e = 0; e < c->n_elems; e++) {
		int k = c->elem_param[e];
		switch (c->elem_kind[e]) {
		case BMS_EL_R:
			p0[k] = 0.01, lo[k] = 1e-9, hi[k] = 1e9;
			break;
		case BMS_EL_C:
			p0[k] = 1.0, lo[k] = 1e-12, hi[k] = 1e6;
			break;
		case BMS_EL_L:
			p0[k] = 1e-6, lo[k] = 1e-15, hi[k] = 1e3;
			break;
		case BMS_EL_W:
			p0[k] = 0.01, lo[k] = 1e-9, hi[k] = 1e9;
			break;
		case BMS_EL_WO:
		case BMS_EL_WS:
			p0[k] = 0.01, lo[k] = 1e-9, hi[k] = 1e9;
			p0[k + 1] = 10.0, lo[k + 1] = 1e-9, hi[k + 1] = 1e7;
			break;
		case BMS_EL_CPE:
			p0[k] = 1.0, lo[k] = 1e-12, hi[k] = 1e6;
			p0[k + 1] = 0.8, lo[k + 1] = 0.0, hi[k + 1] = 1.0;
			break;
		default:
			break;
		}
	}
}

int bms_cstr_param_index(const struct bms_cstr *c, const char *name)
{
	for (int k = 0; k < c->circuit.n_params; k++)
		if (strcmp(c->param_name[k], name) == 0)
			return k;
	return -1;
}
