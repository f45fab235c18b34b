/* fuzz_ecm_cell: the cell-table readers (3-D R/C tables and the OCV curve)
 * on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bms_cell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bms_cell_tables ct;
	char err[256];
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (bms_cell_parse_grid(buf, size, "fuzz", "R0 [Ohm]", &ct.r0_ohm, err, sizeof(err)) == 0)
		(void)bms_grid2_lookup(&ct.r0_ohm, 25.0, 0.5);
	if (bms_cell_parse_ocv(buf, size, "fuzz", &ct, err, sizeof(err)) == 0)
		(void)bms_cell_ocv(&ct, 0.5);
	free(buf);
	return 0;
}
