/* libFuzzer target: policy metadata JSON (scx_meta_parse), written by agents. */
#include "scx_repo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	json_decref(scx_meta_parse(s, err, sizeof(err)));
	free(s);
	return 0;
}
