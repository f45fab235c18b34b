/* bms_circuit: equivalent-circuit elements and circuits, and their impedance.
 *
 * A circuit is a postfix program over a fixed array of nodes: element nodes
 * push their impedance, series and parallel nodes combine the top n values.
 * The host's circuit-string parser (bms/src/bms_cstr.c) compiles strings
 * such as "R0-p(R1,C1)-Wo1" into this form; the constructors below build the
 * usual Thevenin, 2RC and Randles circuits directly on the microcontroller.
 * Element conventions follow impedance.py (omega = 2 pi f):
 *   R [R]        Z = R
 *   C [C]        Z = 1 / (j w C)
 *   L [L]        Z = j w L
 *   W [A]        Z = A (1 - j) / sqrt(w)              semi-infinite Warburg
 *   Wo [R, T]    Z = R coth(sqrt(j w T)) / sqrt(j w T) finite, open (reflective)
 *   Ws [R, T]    Z = R tanh(sqrt(j w T)) / sqrt(j w T) finite, short (transmissive)
 *   CPE [Q, a]   Z = 1 / (Q (j w)^a)
 */
#ifndef BMS_CIRCUIT_H
#define BMS_CIRCUIT_H

#include "bms_cplx.h"

enum bms_elem_kind {
	BMS_EL_R = 0,
	BMS_EL_C,
	BMS_EL_L,
	BMS_EL_W,
	BMS_EL_WO,
	BMS_EL_WS,
	BMS_EL_CPE,
	BMS_EL_COUNT
};

enum bms_node_op {
	BMS_NODE_ELEM = 0,
	BMS_NODE_SERIES,
	BMS_NODE_PARALLEL
};

struct bms_node {
	unsigned char op;     /* enum bms_node_op */
	unsigned char kind;   /* enum bms_elem_kind, for BMS_NODE_ELEM */
	unsigned char nchild; /* operands of a series/parallel node */
	unsigned char param;  /* index of the element's first parameter */
};

struct bms_circuit {
	int n_nodes;
	int n_params;
	struct bms_node node[BMS_MAX_NODES];
};

/* Number of parameters of an element kind, or BMS_ERR_ARG. */
int bms_elem_nparams(int kind);

/* Empties c. */
void bms_circuit_init(struct bms_circuit *c);

/* Appends an element; returns the index of its first parameter or an error. */
int bms_circuit_push_elem(struct bms_circuit *c, int kind);

/* Appends a series or parallel node over the last nchild (>= 2) values. */
int bms_circuit_push_op(struct bms_circuit *c, int op, int nchild);

/* BMS_OK when c is a well-formed program leaving exactly one value. */
int bms_circuit_check(const struct bms_circuit *c);

/* Impedance of element kind with parameters p at f_hz (> 0). */
int bms_elem_eval(int kind, const bms_real *p, bms_real f_hz, struct bms_cplx *z);

/* Impedance of the circuit with parameters p at f_hz (> 0). */
int bms_circuit_eval(const struct bms_circuit *c, const bms_real *p, bms_real f_hz,
		     struct bms_cplx *z);

/* R0-p(R1,C1): parameters R0, R1, C1. */
int bms_circuit_thevenin(struct bms_circuit *c);
/* R0-p(R1,C1)-p(R2,C2): parameters R0, R1, C1, R2, C2. */
int bms_circuit_2rc(struct bms_circuit *c);
/* R0-p(R1,C1)-W1, the series Randles-type circuit of the closed-form fit:
 * parameters R0, R1, C1, A_W. */
int bms_circuit_randles(struct bms_circuit *c);
/* R0-p(C1,R1-W1), the classic Randles cell (double layer across charge
 * transfer and diffusion): parameters R0, C1, R1, A_W. Evaluates; it has no
 * series Foster form, so bms_model_from_circuit refuses it. */
int bms_circuit_randles_classic(struct bms_circuit *c);

#endif /* BMS_CIRCUIT_H */
