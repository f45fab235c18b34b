/* ct_export_gen: writes the C array of a model file with ct_model_export_c,
 * at build time, for ct_export_test (so that test checks what the exporter
 * writes now, not a copy of what it once wrote).
 *   ct_export_gen MODEL.bin NAME OUT.c
 */
#include <stdio.h>

#include "ct_nn.h"

int main(int argc, char **argv)
{
	char err[512];
	struct ct_mlp m;
	if (argc != 4) {
		fprintf(stderr, "usage: ct_export_gen MODEL.bin NAME OUT.c\n");
		return 2;
	}
	if (ct_model_load(&m, argv[1], err, sizeof(err))) {
		fprintf(stderr, "ct_export_gen: %s\n", err);
		return 1;
	}
	int rc = ct_model_export_c(&m, argv[2], argv[3], err, sizeof(err));
	if (rc)
		fprintf(stderr, "ct_export_gen: %s\n", err);
	ct_mlp_free(&m);
	return rc ? 1 : 0;
}
