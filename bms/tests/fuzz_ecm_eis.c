/* fuzz_ecm_eis: the impedance-file readers (every format, detected from the
 * content) on arbitrary bytes: no crash, no leak, and a result that passes
 * its own checks (positive, finite, monotonic frequencies). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bms_eisio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bms_spectrum sp;
	char err[256];
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (bms_eis_parse(buf, size, "fuzz", &sp, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < sp.n; i++)
			if (!(sp.f_hz[i] > 0) || !isfinite(sp.zre_ohm[i]) ||
			    !isfinite(sp.zim_ohm[i]) ||
			    (i > 1 &&
			     (sp.f_hz[i] - sp.f_hz[i - 1]) * (sp.f_hz[i - 1] - sp.f_hz[i - 2]) <=
				     0))
				abort();
		bms_spectrum_free(&sp);
	}
	free(buf);
	return 0;
}
