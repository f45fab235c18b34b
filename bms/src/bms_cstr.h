/* bms_cstr: circuit strings in impedance.py's notation, compiled to the
 * core's postfix circuits.
 *
 *   circuit := term ('-' term)*          elements in series
 *   term    := 'p(' circuit (',' circuit)+ ')' | element
 *   element := kind digits               R0, C1, L2, W1, Wo1, Ws3, CPE1
 * Element names are unique. Parameters are named as impedance.py names them:
 * "R0" for one-parameter elements, "Wo1_0" and "Wo1_1" for two. The parser
 * is bounded: at most BMS_CSTR_MAX_LEN characters and BMS_CSTR_MAX_DEPTH
 * nested p(...).
 */
#ifndef BMS_CSTR_H
#define BMS_CSTR_H

#include <stddef.h>

#include "bms_circuit.h"

#define BMS_CSTR_MAX_LEN   256
#define BMS_CSTR_MAX_DEPTH 8
#define BMS_NAME_LEN	   24

struct bms_cstr {
	struct bms_circuit circuit;
	int n_elems;
	char elem_name[BMS_MAX_NODES][BMS_NAME_LEN];
	int elem_kind[BMS_MAX_NODES];
	int elem_param[BMS_MAX_NODES];
	char param_name[BMS_MAX_PARAMS][BMS_NAME_LEN + 8];
	const char *param_unit[BMS_MAX_PARAMS];
};

/* Parses s; on error returns a negative code and a message naming the
 * position and the problem. */
int bms_cstr_parse(const char *s, struct bms_cstr *out, char *err, size_t errlen);

/* Default starting values and bounds for each parameter by element kind. */
void bms_cstr_defaults(const struct bms_cstr *c, double *p0, double *lo, double *hi);

/* Index of a parameter by name, or -1. */
int bms_cstr_param_index(const struct bms_cstr *c, const char *name);

#endif /* BMS_CSTR_H */
