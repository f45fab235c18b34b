/* ecm_cstr_test: circuit strings compile to the right parameters (names as
 * impedance.py gives them) and impedance, and bad strings are rejected with
 * the position of the problem.
 */
#include <complex.h>
#include <math.h>
#include <string.h>

#include "bms_cstr.h"
#include "testkit.h"

static void bad(const char *s, const char *needle)
{
	struct bms_cstr c;
	char err[256] = "";
	TK_CHECK(bms_cstr_parse(s, &c, err, sizeof(err)) != 0, "'%s' accepted", s);
	TK_CHECK(strstr(err, needle) != NULL, "'%s': error '%s' lacks '%s'", s, err, needle);
}

int main(void)
{
	struct bms_cstr c;
	char err[256];
	TK_REQUIRE(bms_cstr_parse("R0-p(R1,C1)-p(R2-Wo1,C2)", &c, err, sizeof(err)) == 0, "%s",
		   err);
	static const char *names[] = {"R0", "R1", "C1", "R2", "Wo1_0", "Wo1_1", "C2"};
	TK_CHECK(c.circuit.n_params == 7, "%d params", c.circuit.n_params);
	for (int k = 0; k < 7 && k < c.circuit.n_params; k++)
		TK_CHECK(strcmp(c.param_name[k], names[k]) == 0, "param %d is %s, not %s", k,
			 c.param_name[k], names[k]);
	TK_CHECK(bms_cstr_param_index(&c, "Wo1_1") == 5, "index of Wo1_1");

	/* impedance against the formula written out with C99 complex numbers */
	bms_real p[7] = {0.0165, 0.00868, 3.32, 0.00539, 0.0631, 233.0, 0.22};
	for (int i = 0; i < 14; i++) {
		double f = 1e-3 * pow(7.3, i);
		double w = 2 * M_PI * f;
		double complex jw = I * w, x = csqrt(jw * p[5]);
		double complex zwo = p[4] / (x * ctanh(x));
		double complex zrc1 = 1.0 / (1.0 / p[1] + jw * p[2]);
		double complex zb = 1.0 / (1.0 / (p[3] + zwo) + jw * p[6]);
		double complex ref = p[0] + zrc1 + zb;
		struct bms_cplx z;
		TK_REQUIRE(bms_circuit_eval(&c.circuit, p, f, &z) == BMS_OK, "eval");
		TK_CHECK(cabs((z.re + I * z.im) - ref) < 1e-12 * cabs(ref),
			 "f %g: %g%+gj vs %g%+gj", f, z.re, z.im, creal(ref), cimag(ref));
	}

	TK_REQUIRE(bms_cstr_parse(" R1 - p( C2 , R3 - W4 ) - CPE5 - Ws6 - L7 ", &c, err,
				  sizeof(err)) == 0,
		   "%s", err);
	TK_CHECK(c.circuit.n_params == 9, "%d params", c.circuit.n_params);
	TK_CHECK(strcmp(c.param_name[4], "CPE5_0") == 0, "%s", c.param_name[4]);

	bad("", "expected an element");
	bad("R0-", "expected an element");
	bad("p(R1)", "at least two branches");
	bad("p(R1,C1", "expected ',' or ')'");
	bad("X1", "expected an element");
	bad("R", "expected an element");
	bad("R0-R0", "used twice");
	bad("R0)", "unexpected character");
	bad("p(p(p(p(p(p(p(p(p(R1,R2),R3),R4),R5),R6),R7),R8),R9),R10)", "nested too deeply");
	char longs[400];
	memset(longs, 'R', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	bad(longs, "longer than 256");
	/* more parameters than BMS_MAX_PARAMS */
	bad("Wo1-Wo2-Wo3-Wo4-Wo5-Wo6-Wo7-Wo8-Wo9", "too large");
	return tk_finish();
}
