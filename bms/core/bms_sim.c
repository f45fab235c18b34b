/* bms_sim: from a series circuit to a Foster RC model, the exact
 * zero-order-hold step of each RC pair, and the OCV table lookup.
 */
#include "bms_sim.h"

int bms_model_add_rc(struct bms_rc_model *m, bms_real r_ohm, bms_real tau_s)
{
	if (!m || !(tau_s > BMS_R(0.0)))
		return BMS_ERR_ARG;
	if (m->n_rc >= BMS_MAX_RC)
		return BMS_ERR_SIZE;
	m->r_ohm[m->n_rc] = r_ohm;
	m->tau_s[m->n_rc] = tau_s;
	m->n_rc++;
	return BMS_OK;
}

static int add_series_c(struct bms_rc_model *m, bms_real c_F)
{
	if (!(c_F > BMS_R(0.0)))
		return BMS_ERR_RANGE;
	/* capacitors in series: 1/C = sum 1/C_k */
	m->c_series_F = m->c_series_F > BMS_R(0.0)
				? BMS_R(1.0) / (BMS_R(1.0) / m->c_series_F + BMS_R(1.0) / c_F)
				: c_F;
	return BMS_OK;
}

static int add_warburg(struct bms_rc_model *m, int open, bms_real r, bms_real t)
{
	if (!(r >= BMS_R(0.0)) || !(t > BMS_R(0.0)))
		return BMS_ERR_RANGE;
	bms_real rest = open ? r / BMS_R(3.0) : r;
	for (int k = 1; k <= BMS_LADDER_TERMS; k++) {
		bms_real q = open ? (bms_real)k * BMS_PI : ((bms_real)k - BMS_R(0.5)) * BMS_PI;
		bms_real rk = BMS_R(2.0) * r / (q * q), tk = t / (q * q);
		int rc = bms_model_add_rc(m, rk, tk);
		if (rc != BMS_OK)
			return rc;
		rest -= rk;
	}
	m->r0_ohm += rest > BMS_R(0.0) ? rest : BMS_R(0.0);
	return open ? add_series_c(m, t / r) : BMS_OK;
}

/* Adds the subtree that ends at node idx; *first receives its first node. */
static int add_term(const struct bms_circuit *c, const bms_real *p, bms_real horizon, int idx,
		    struct bms_rc_model *m, int *first)
{
	const struct bms_node *n = &c->node[idx];
	if (n->op == BMS_NODE_ELEM) {
		const bms_real *q = p + n->param;
		*first = idx;
		switch (n->kind) {
		case BMS_EL_R:
			m->r0_ohm += q[0];
			return BMS_OK;
		case BMS_EL_C:
			return add_series_c(m, q[0]);
		case BMS_EL_W:
			if (!(horizon > BMS_R(0.0)))
				return BMS_ERR_ARG;
			return add_warburg(m, 0, q[0] * BMS_SQRT(BMS_R(2.0) * horizon), horizon);
		case BMS_EL_WO:
			return add_warburg(m, 1, q[0], q[1]);
		case BMS_EL_WS:
			return add_warburg(m, 0, q[0], q[1]);
		default:
			return BMS_ERR_UNSUPPORTED;
		}
	}
	if (n->op == BMS_NODE_PARALLEL) {
		/* only p(R, C) or p(C, R): two element children */
		if (n->nchild != 2 || idx < 2)
			return BMS_ERR_UNSUPPORTED;
		const struct bms_node *a = &c->node[idx - 2], *b = &c->node[idx - 1];
		if (a->op != BMS_NODE_ELEM || b->op != BMS_NODE_ELEM)
			return BMS_ERR_UNSUPPORTED;
		const struct bms_node *r = a->kind == BMS_EL_R ? a : b;
		const struct bms_node *cap = a->kind == BMS_EL_R ? b : a;
		if (r->kind != BMS_EL_R || cap->kind != BMS_EL_C)
			return BMS_ERR_UNSUPPORTED;
		*first = idx - 2;
		return bms_model_add_rc(m, p[r->param], p[r->param] * p[cap->param]);
	}
	if (n->op == BMS_NODE_SERIES) {
		int cur = idx - 1;
		for (int k = 0; k < n->nchild; k++) {
			if (cur < 0)
				return BMS_ERR_ARG;
			int f = cur;
			int rc = add_term(c, p, horizon, cur, m, &f);
			if (rc != BMS_OK)
				return rc;
			cur = f - 1;
		}
		*first = cur + 1;
		return BMS_OK;
	}
	return BMS_ERR_ARG;
}

int bms_model_from_circuit(const struct bms_circuit *c, const bms_real *p, bms_real horizon_s,
			   struct bms_rc_model *m)
{
	int rc = bms_circuit_check(c);
	if (rc != BMS_OK)
		return rc;
	if (!p || !m)
		return BMS_ERR_ARG;
	m->r0_ohm = BMS_R(0.0);
	m->n_rc = 0;
	m->c_series_F = BMS_R(0.0);
	int first = 0;
	return add_term(c, p, horizon_s, c->n_nodes - 1, m, &first);
}

void bms_sim_reset(struct bms_sim_state *s)
{
	if (!s)
		return;
	for (int k = 0; k < BMS_MAX_RC; k++)
		s->v_rc_V[k] = BMS_R(0.0);
	s->v_cs_V = BMS_R(0.0);
}

bms_real bms_sim_step(const struct bms_rc_model *m, struct bms_sim_state *s, bms_real i_A,
		      bms_real dt_s)
{
	if (!m || !s)
		return BMS_R(0.0);
	bms_real eta = m->r0_ohm * i_A;
	for (int k = 0; k < m->n_rc && k < BMS_MAX_RC; k++) {
		bms_real a = BMS_EXP(-dt_s / m->tau_s[k]);
		s->v_rc_V[k] = a * s->v_rc_V[k] + (BMS_R(1.0) - a) * m->r_ohm[k] * i_A;
		eta += s->v_rc_V[k];
	}
	if (m->c_series_F > BMS_R(0.0)) {
		s->v_cs_V += i_A * dt_s / m->c_series_F;
		eta += s->v_cs_V;
	}
	return eta;
}

struct bms_cplx bms_model_impedance(const struct bms_rc_model *m, bms_real f_hz)
{
	struct bms_cplx z = bms_c(BMS_R(0.0), BMS_R(0.0));
	if (!m)
		return z;
	bms_real w = BMS_R(2.0) * BMS_PI * f_hz;
	z.re = m->r0_ohm;
	for (int k = 0; k < m->n_rc && k < BMS_MAX_RC; k++) {
		bms_real x = w * m->tau_s[k], d = BMS_R(1.0) + x * x;
		z.re += m->r_ohm[k] / d;
		z.im -= m->r_ohm[k] * x / d;
	}
	if (m->c_series_F > BMS_R(0.0))
		z.im -= BMS_R(1.0) / (w * m->c_series_F);
	return z;
}

bms_real bms_table_lookup(const struct bms_table1d *t, bms_real x)
{
	if (!t || t->n < 1)
		return BMS_R(0.0);
	int n = t->n < BMS_MAX_TABLE ? t->n : BMS_MAX_TABLE;
	if (x <= t->x[0])
		return t->y[0];
	if (x >= t->x[n - 1])
		return t->y[n - 1];
	int lo = 0, hi = n - 1; /* bisection: at most log2(BMS_MAX_TABLE) steps */
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;
		if (t->x[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	bms_real f = (x - t->x[lo]) / (t->x[hi] - t->x[lo]);
	return t->y[lo] + f * (t->y[hi] - t->y[lo]);
}
