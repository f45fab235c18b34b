/* libFuzzer target: the serial-console parser (scx_result.c), whose input a
 * hostile policy or a broken guest can shape. */
#include "scx_result.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	json_t *r = scx_result_parse((const char *)data, size, err, sizeof(err));

	if (r)
		(void)scx_result_step(r, "fair");
	json_decref(r);
	return 0;
}
