/* fuzz_ecm_cstr: the circuit-string parser on arbitrary text; a string it
 * accepts must evaluate at a few frequencies without error. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bms_cstr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[BMS_CSTR_MAX_LEN + 8];
	struct bms_cstr c;
	char err[256];
	if (size > sizeof(s) - 1)
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	if (bms_cstr_parse(s, &c, err, sizeof(err)) == 0) {
		double p0[BMS_MAX_PARAMS], lo[BMS_MAX_PARAMS], hi[BMS_MAX_PARAMS];
		bms_real p[BMS_MAX_PARAMS];
		bms_cstr_defaults(&c, p0, lo, hi);
		for (int k = 0; k < c.circuit.n_params; k++)
			p[k] = (bms_real)p0[k];
		struct bms_cplx z;
		for (int i = 0; i < 5; i++)
			if (bms_circuit_eval(&c.circuit, p, (bms_real)(1e-3 * pow(100.0, i)), &z) !=
			    BMS_OK)
				abort();
	}
	return 0;
}
