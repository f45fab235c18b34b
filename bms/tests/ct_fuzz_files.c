/* ct_fuzz_files: libFuzzer target for the coretemp readers of outside input:
 * the dataset file, the model file and the CSV grid tables, each given the
 * same bytes. They must refuse bad input with a message, without crashing,
 * leaking or reading out of bounds; a model that loads must run on the core.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ct_cell.h"
#include "ct_data.h"
#include "ct_nn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct ct_dataset ds;
	if (ct_dataset_parse(&ds, data, size, "fuzz", err, sizeof(err)) == 0)
		ct_dataset_free(&ds);
	struct ct_mlp m;
	if (ct_model_parse(&m, data, size, "fuzz", err, sizeof(err)) == 0) {
		struct ct_model_f32 f;
		if (ct_model_to_f32(&m, &f) == 0) {
			float feat[CT_N_IN] = {0}, d;
			(void)ct_net_forward(&f.w, feat, &d);
			ct_model_f32_free(&f);
		}
		ct_mlp_free(&m);
	}
	if (size < (1u << 16)) {
		struct ct_table t;
		for (int axes = 1; axes <= 3; axes++)
			if (ct_table_parse(&t, axes, (const char *)data, size, "fuzz", err,
					   sizeof(err)) == 0) {
				double x[3] = {0.5, 0.5, 0.5};
				(void)ct_table_eval(&t, x);
				ct_table_free(&t);
			}
	}
	return 0;
}
