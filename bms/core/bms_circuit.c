/* bms_circuit: element impedances and the postfix evaluator of circuits.
 *
 * Evaluation uses a value stack of BMS_MAX_NODES complex numbers on the C
 * stack; a parallel node adds admittances, and a branch of zero impedance
 * shorts the whole parallel group.
 */
#include "bms_circuit.h"

static const unsigned char elem_nparams[BMS_EL_COUNT] = {1, 1, 1, 1, 2, 2, 2};

const char *bms_strerror(int err)
{
	switch (err) {
	case BMS_OK:
		return "success";
	case BMS_ERR_ARG:
		return "invalid argument";
	case BMS_ERR_SIZE:
		return "above a compile-time limit";
	case BMS_ERR_NONFINITE:
		return "NaN or infinite value";
	case BMS_ERR_FREQ:
		return "frequencies must be positive, distinct and sorted";
	case BMS_ERR_FEW:
		return "too few points for the number of unknowns";
	case BMS_ERR_NOCONV:
		return "fit did not converge within the iteration limit";
	case BMS_ERR_SINGULAR:
		return "singular system: parameters not identifiable";
	case BMS_ERR_UNSUPPORTED:
		return "circuit has no time-domain form here";
	case BMS_ERR_RANGE:
		return "result outside the physical range";
	default:
		return "unknown error";
	}
}

int bms_elem_nparams(int kind)
{
	if (kind < 0 || kind >= BMS_EL_COUNT)
		return BMS_ERR_ARG;
	return elem_nparams[kind];
}

void bms_circuit_init(struct bms_circuit *c)
{
	if (!c)
		return;
	c->n_nodes = 0;
	c->n_params = 0;
}

int bms_circuit_push_elem(struct bms_circuit *c, int kind)
{
	int np = bms_elem_nparams(kind);
	if (!c || np < 0)
		return BMS_ERR_ARG;
	if (c->n_nodes >= BMS_MAX_NODES || c->n_params + np > BMS_MAX_PARAMS)
		return BMS_ERR_SIZE;
	struct bms_node *n = &c->node[c->n_nodes++];
	n->op = BMS_NODE_ELEM;
	n->kind = (unsigned char)kind;
	n->nchild = 0;
	n->param = (unsigned char)c->n_params;
	c->n_params += np;
	return n->param;
}

int bms_circuit_push_op(struct bms_circuit *c, int op, int nchild)
{
	if (!c || (op != BMS_NODE_SERIES && op != BMS_NODE_PARALLEL) || nchild < 2 ||
	    nchild > BMS_MAX_NODES)
		return BMS_ERR_ARG;
	if (c->n_nodes >= BMS_MAX_NODES)
		return BMS_ERR_SIZE;
	struct bms_node *n = &c->node[c->n_nodes++];
	n->op = (unsigned char)op;
	n->kind = 0;
	n->nchild = (unsigned char)nchild;
	n->param = 0;
	return BMS_OK;
}

int bms_circuit_check(const struct bms_circuit *c)
{
	if (!c || c->n_nodes < 1 || c->n_nodes > BMS_MAX_NODES || c->n_params < 0 ||
	    c->n_params > BMS_MAX_PARAMS)
		return BMS_ERR_ARG;
	int depth = 0;
	for (int i = 0; i < c->n_nodes; i++) {
		const struct bms_node *n = &c->node[i];
		switch (n->op) {
		case BMS_NODE_ELEM: {
			int np = bms_elem_nparams(n->kind);
			if (np < 0 || n->param + np > c->n_params)
				return BMS_ERR_ARG;
			depth++;
			break;
		}
		case BMS_NODE_SERIES:
		case BMS_NODE_PARALLEL:
			if (n->nchild < 2 || n->nchild > depth)
				return BMS_ERR_ARG;
			depth -= n->nchild - 1;
			break;
		default:
			return BMS_ERR_ARG;
		}
	}
	return depth == 1 ? BMS_OK : BMS_ERR_ARG;
}

int bms_elem_eval(int kind, const bms_real *p, bms_real f_hz, struct bms_cplx *z)
{
	if (!p || !z || !(f_hz > BMS_R(0.0)))
		return BMS_ERR_ARG;
	bms_real w = BMS_R(2.0) * BMS_PI * f_hz;
	switch (kind) {
	case BMS_EL_R:
		*z = bms_c(p[0], BMS_R(0.0));
		return BMS_OK;
	case BMS_EL_C:
		*z = bms_c(BMS_R(0.0), BMS_R(-1.0) / (w * p[0]));
		return BMS_OK;
	case BMS_EL_L:
		*z = bms_c(BMS_R(0.0), w * p[0]);
		return BMS_OK;
	case BMS_EL_W: {
		bms_real s = p[0] / BMS_SQRT(w);
		*z = bms_c(s, -s);
		return BMS_OK;
	}
	case BMS_EL_WO:
	case BMS_EL_WS: {
		struct bms_cplx x = bms_csqrt(bms_c(BMS_R(0.0), w * p[1]));
		struct bms_cplx t = bms_ctanh(x);
		/* Wo: coth(x)/x = 1/(x tanh x); Ws: tanh(x)/x */
		struct bms_cplx r = kind == BMS_EL_WO ? bms_cinv(bms_cmul(x, t)) : bms_cdiv(t, x);
		*z = bms_cscale(r, p[0]);
		return BMS_OK;
	}
	case BMS_EL_CPE: {
		/* (j w)^a = w^a (cos(a pi/2) + j sin(a pi/2)) */
		bms_real m = BMS_EXP(p[1] * BMS_LOG(w));
		bms_real ph = p[1] * BMS_PI * BMS_R(0.5);
		struct bms_cplx y = bms_c(p[0] * m * BMS_COS(ph), p[0] * m * BMS_SIN(ph));
		*z = bms_cinv(y);
		return BMS_OK;
	}
	default:
		return BMS_ERR_ARG;
	}
}

int bms_circuit_eval(const struct bms_circuit *c, const bms_real *p, bms_real f_hz,
		     struct bms_cplx *z)
{
	struct bms_cplx stack[BMS_MAX_NODES];
	int sp = 0, rc = bms_circuit_check(c);
	if (rc != BMS_OK)
		return rc;
	if (!p || !z || !(f_hz > BMS_R(0.0)))
		return BMS_ERR_ARG;
	for (int i = 0; i < c->n_nodes; i++) {
		const struct bms_node *n = &c->node[i];
		switch (n->op) {
		case BMS_NODE_ELEM:
			if (sp >= BMS_MAX_NODES)
				return BMS_ERR_SIZE;
			rc = bms_elem_eval(n->kind, p + n->param, f_hz, &stack[sp]);
			if (rc != BMS_OK)
				return rc;
			sp++;
			break;
		case BMS_NODE_SERIES: {
			if (n->nchild > sp)
				return BMS_ERR_ARG;
			struct bms_cplx s = bms_c(BMS_R(0.0), BMS_R(0.0));
			for (int k = 0; k < n->nchild; k++)
				s = bms_cadd(s, stack[sp - 1 - k]);
			sp -= n->nchild;
			stack[sp++] = s;
			break;
		}
		case BMS_NODE_PARALLEL: {
			if (n->nchild > sp)
				return BMS_ERR_ARG;
			struct bms_cplx y = bms_c(BMS_R(0.0), BMS_R(0.0));
			int shorted = 0;
			for (int k = 0; k < n->nchild; k++) {
				struct bms_cplx zk = stack[sp - 1 - k];
				if (zk.re == BMS_R(0.0) && zk.im == BMS_R(0.0))
					shorted = 1;
				else
					y = bms_cadd(y, bms_cinv(zk));
			}
			sp -= n->nchild;
			stack[sp++] = shorted ? bms_c(BMS_R(0.0), BMS_R(0.0)) : bms_cinv(y);
			break;
		}
		default:
			return BMS_ERR_ARG;
		}
	}
	*z = stack[0];
	return BMS_OK;
}

static int push_rc(struct bms_circuit *c)
{
	int rc = bms_circuit_push_elem(c, BMS_EL_R);
	if (rc >= 0)
		rc = bms_circuit_push_elem(c, BMS_EL_C);
	if (rc >= 0)
		rc = bms_circuit_push_op(c, BMS_NODE_PARALLEL, 2);
	return rc < 0 ? rc : BMS_OK;
}

int bms_circuit_thevenin(struct bms_circuit *c)
{
	if (!c)
		return BMS_ERR_ARG;
	bms_circuit_init(c);
	bms_circuit_push_elem(c, BMS_EL_R);
	push_rc(c);
	return bms_circuit_push_op(c, BMS_NODE_SERIES, 2);
}

int bms_circuit_2rc(struct bms_circuit *c)
{
	if (!c)
		return BMS_ERR_ARG;
	bms_circuit_init(c);
	bms_circuit_push_elem(c, BMS_EL_R);
	push_rc(c);
	push_rc(c);
	return bms_circuit_push_op(c, BMS_NODE_SERIES, 3);
}

int bms_circuit_randles_classic(struct bms_circuit *c)
{
	if (!c)
		return BMS_ERR_ARG;
	bms_circuit_init(c);
	bms_circuit_push_elem(c, BMS_EL_R);
	bms_circuit_push_elem(c, BMS_EL_C);
	bms_circuit_push_elem(c, BMS_EL_R);
	bms_circuit_push_elem(c, BMS_EL_W);
	bms_circuit_push_op(c, BMS_NODE_SERIES, 2);
	bms_circuit_push_op(c, BMS_NODE_PARALLEL, 2);
	return bms_circuit_push_op(c, BMS_NODE_SERIES, 2);
}

int bms_circuit_randles(struct bms_circuit *c)
{
	if (!c)
		return BMS_ERR_ARG;
	bms_circuit_init(c);
	bms_circuit_push_elem(c, BMS_EL_R);
	push_rc(c);
	bms_circuit_push_elem(c, BMS_EL_W);
	return bms_circuit_push_op(c, BMS_NODE_SERIES, 3);
}
