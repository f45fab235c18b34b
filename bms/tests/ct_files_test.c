/* ct_files_test: the readers of outside input refuse bad files with a clear
 * message, and read good ones back exactly: CSV grid tables (values checked
 * against numbers written in shared/data/cell and hand-computed
 * interpolations), dataset files and model files (empty, truncated, wrong
 * version, mismatched dimensions, non-finite values, damage), and the core's
 * checks of its inputs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_cell.h"
#include "ct_data.h"
#include "ct_net.h"
#include "ct_nn.h"
#include "testkit.h"

static char err[512];

static int table_fails(const char *text, int axes, const char *needle)
{
	struct ct_table t;
	int rc = ct_table_parse(&t, axes, text, strlen(text), "t.csv", err, sizeof(err));
	if (rc == 0) {
		ct_table_free(&t);
		return 0;
	}
	return strstr(err, needle) != NULL;
}

static void tables(void)
{
	const char *good = "x,y,v\n0,0,1\n0,2,3\n1,0,5\n1,2,9\n";
	struct ct_table t;
	TK_REQUIRE(ct_table_parse(&t, 2, good, strlen(good), "g", err, sizeof(err)) == 0, "%s",
		   err);
	/* Bilinear: at (0.5, 1) the mean of the four corners, 4.5; clamped beyond. */
	double x1[2] = {0.5, 1.0}, x2[2] = {-3.0, 5.0}, x3[2] = {1.0, 0.5};
	TK_CHECK(fabs(ct_table_eval(&t, x1) - 4.5) < 1e-12, "got %g", ct_table_eval(&t, x1));
	TK_CHECK(fabs(ct_table_eval(&t, x2) - 3.0) < 1e-12, "got %g", ct_table_eval(&t, x2));
	TK_CHECK(fabs(ct_table_eval(&t, x3) - 6.0) < 1e-12, "got %g", ct_table_eval(&t, x3));
	ct_table_free(&t);
	TK_CHECK(table_fails("", 1, "fewer than two"), "empty: %s", err);
	TK_CHECK(table_fails("x,y,v\n0,0,1\n0,2,3\n1,0,5\n", 2, "full grid"), "holes: %s", err);
	TK_CHECK(table_fails("x,v\n0,1\n1,nan\n", 1, "finite"), "nan: %s", err);
	TK_CHECK(table_fails("x,v\n0,1\n1,2,3\n", 1, "expected 2"), "columns: %s", err);
	TK_CHECK(table_fails("x,v\n0,1\n0,2\n1,3\n1,4\n", 1, "twice") ||
			 table_fails("x,v\n0,1\n0,2\n1,3\n1,4\n", 1, "full grid"),
		 "duplicates: %s", err);

	struct ct_cell c;
	if (ct_cell_load(&c, ct_cell_default_dir(), err, sizeof(err)) != 0) {
		printf("note: cell tables not found (%s), their checks skipped\n", err);
		return;
	}
	/* ecm_example_r0.csv: "20,0,0.5,0.0004544232582617296", scaled by 20. */
	TK_CHECK(fabs(ct_cell_r0(&c, 20.0, 0.0, 0.5) - 20 * 0.0004544232582617296) < 1e-12, "R0 %g",
		 ct_cell_r0(&c, 20.0, 0.0, 0.5));
	/* ecm_example_dudt.csv: "3.1,20,-0.0014807328648711038". */
	TK_CHECK(fabs(ct_cell_dudt(&c, 3.1, 20.0) + 0.0014807328648711038) < 1e-12, "dUdT %g",
		 ct_cell_dudt(&c, 3.1, 20.0));
	/* ecm_example_ocv.csv: "0.55,3.727524135177248". */
	TK_CHECK(fabs(ct_cell_ocv(&c, 0.55) - 3.727524135177248) < 1e-9, "OCV %g",
		 ct_cell_ocv(&c, 0.55));
	ct_cell_free(&c);
	TK_CHECK(ct_cell_load(&c, "/nonexistent", err, sizeof(err)) != 0 &&
			 strstr(err, "/nonexistent/ecm_example_r0.csv") != NULL,
		 "missing directory: %s", err);
}

static uint8_t *file_bytes(const char *path, size_t *len)
{
	uint8_t *b;
	TK_REQUIRE(ct_read_file(path, 1 << 26, &b, len, err, sizeof(err)) == 0, "%s", err);
	return b;
}

static int ds_fails(const uint8_t *b, size_t len, const char *needle)
{
	struct ct_dataset d;
	if (ct_dataset_parse(&d, b, len, "d.ds", err, sizeof(err)) == 0) {
		ct_dataset_free(&d);
		return 0;
	}
	return strstr(err, needle) != NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* the test machine is little-endian like the format */
}

static void datasets(const char *dir)
{
	struct ct_dataset ds = {0}, back;
	ds.n = 2;
	ds.seq = calloc(2, sizeof(*ds.seq));
	for (uint32_t i = 0; i < 2; i++) {
		ds.seq[i].len = 30 + i;
		ds.seq[i].labeled = i;
		ds.seq[i].model = CT_MODEL_RADIAL;
		ds.seq[i].params = ct_thermal_nominal;
		ds.seq[i].x = malloc((size_t)ds.seq[i].len * CT_NCH * sizeof(float));
		for (size_t k = 0; k < (size_t)ds.seq[i].len * CT_NCH; k++)
			ds.seq[i].x[k] = (float)((double)k * 0.25 + i);
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s/ct_files_test.ds", dir);
	TK_REQUIRE(ct_dataset_write(&ds, path, err, sizeof(err)) == 0, "%s", err);
	TK_REQUIRE(ct_dataset_read(&back, path, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(back.n == 2 && back.seq[1].len == 31 && back.seq[1].labeled == 1 &&
			 back.seq[0].labeled == 0,
		 "header fields differ");
	int same = 1;
	for (size_t k = 0; k < (size_t)31 * CT_NCH; k++)
		same &= back.seq[1].x[k] == ds.seq[1].x[k];
	TK_CHECK(same, "samples differ");
	ct_dataset_free(&back);
	ct_dataset_free(&ds);
	size_t len;
	uint8_t *b = file_bytes(path, &len);
	TK_CHECK(len == 32 + 2 * 24 + (30 + 31) * CT_NCH * 4, "file size %zu", len);
	TK_CHECK(ds_fails(b, 0, "empty"), "empty: %s", err);
	TK_CHECK(ds_fails(b, 20, "not a coretemp dataset"), "short: %s", err);
	TK_CHECK(ds_fails(b, len - 1, "truncated"), "truncated: %s", err);
	TK_CHECK(ds_fails(b, 32 + 24 + 100, "truncated"), "truncated in seq: %s", err);
	uint8_t *c = malloc(len + 4);
	memcpy(c, b, len);
	put32(c + 8, 2);
	TK_CHECK(ds_fails(c, len, "version 2"), "version: %s", err);
	memcpy(c, b, len);
	put32(c + 16, 6);
	TK_CHECK(ds_fails(c, len, "6 channels"), "channels: %s", err);
	memcpy(c, b, len);
	put32(c + 32, 0);
	TK_CHECK(ds_fails(c, len, "length 0"), "zero length: %s", err);
	memcpy(c, b, len);
	put32(c + 12, 100000000u);
	TK_CHECK(ds_fails(c, len, "sequences"), "huge count: %s", err);
	memcpy(c, b, len);
	float nan = NAN;
	memcpy(c + 32 + 24 + (size_t)4 * 9, &nan, 4);
	TK_CHECK(ds_fails(c, len, "sample 1, channel 2 is not finite"), "nan: %s", err);
	memcpy(c, b, len);
	memset(c + len, 0, 4);
	TK_CHECK(ds_fails(c, len + 4, "trailing"), "trailing: %s", err);
	free(c);
	free(b);
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a 32-bit, as published by Fowler, Noll, Vo */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int model_fails(const uint8_t *b, size_t len, const char *needle)
{
	struct ct_mlp m;
	if (ct_model_parse(&m, b, len, "m.bin", err, sizeof(err)) == 0) {
		ct_mlp_free(&m);
		return 0;
	}
	return strstr(err, needle) != NULL;
}

static void models(const char *dir)
{
	struct ct_mlp m, back;
	TK_REQUIRE(ct_mlp_init(&m, 5, 4, 3, err, sizeof(err)) == 0, "%s", err);
	m.out_mean = 0.7;
	m.out_std = 0.3;
	char path[1024];
	snprintf(path, sizeof(path), "%s/ct_files_test.model", dir);
	TK_REQUIRE(ct_model_save(&m, path, err, sizeof(err)) == 0, "%s", err);
	TK_REQUIRE(ct_model_load(&back, path, err, sizeof(err)) == 0, "%s", err);
	int same = back.n_par == m.n_par && back.h1 == 5 && back.h2 == 4;
	for (size_t i = 0; same && i < m.n_par; i++)
		same = (float)m.p[i] == (float)back.p[i];
	TK_CHECK(same, "weights differ after a round trip");
	/* The float32 core and the file agree on the forward pass. */
	struct ct_model_f32 f;
	TK_REQUIRE(ct_model_to_f32(&back, &f) == 0, "f32");
	float feat[CT_N_IN], d;
	for (int i = 0; i < CT_N_IN; i++)
		feat[i] = (float)(0.01 * i);
	TK_CHECK(ct_net_forward(&f.w, feat, &d) == CT_OK && isfinite(d), "forward failed");
	struct ct_net_weights bad = f.w;
	bad.n_in = CT_N_IN - 1;
	TK_CHECK(ct_net_forward(&bad, feat, &d) == CT_EINVAL, "mismatched inputs accepted");
	bad = f.w;
	bad.n_h1 = CT_MAX_HIDDEN + 1;
	TK_CHECK(ct_net_forward(&bad, feat, &d) == CT_EINVAL, "oversized layer accepted");
	TK_CHECK(ct_net_forward(NULL, feat, &d) == CT_EINVAL, "null accepted");
	ct_model_f32_free(&f);
	ct_mlp_free(&back);
	ct_mlp_free(&m);

	size_t len;
	uint8_t *b = file_bytes(path, &len);
	uint8_t *c = malloc(len + 4);
	TK_CHECK(model_fails(b, 0, "empty"), "empty: %s", err);
	TK_CHECK(model_fails(b, len - 8, "truncated"), "truncated: %s", err);
	memcpy(c, b, len);
	put32(c + 8, 7);
	TK_CHECK(model_fails(c, len, "model version 7"), "version: %s", err);
	memcpy(c, b, len);
	put32(c + 12, 50);
	TK_CHECK(model_fails(c, len, "50 inputs"), "inputs: %s", err);
	memcpy(c, b, len);
	c[100] ^= 1;
	TK_CHECK(model_fails(c, len, "checksum"), "damage: %s", err);
	memcpy(c, b, len);
	float nan = NAN;
	memcpy(c + 32 + (size_t)4 * 3, &nan, 4);
	put32(c + len - 4, fnv1a(c, len - 4));
	TK_CHECK(model_fails(c, len, "not finite"), "nan: %s", err);
	memcpy(c, b, len);
	float zero = 0.0f;
	memcpy(c + 32 + (size_t)4 * (CT_N_IN + 2), &zero, 4);
	put32(c + len - 4, fnv1a(c, len - 4));
	TK_CHECK(model_fails(c, len, "not positive"), "zero scale: %s", err);
	free(c);
	free(b);
}

static void window(void)
{
	struct ct_window w;
	ct_window_reset(&w);
	struct ct_sample s = {2.0f, 3.6f, 3.65f, 25.0f, 24.0f, 1.0f};
	for (int i = 0; i < 7; i++)
		TK_CHECK(ct_window_push(&w, &s) == CT_OK, "push");
	struct ct_sample bad = s;
	bad.surface_degC = NAN;
	TK_CHECK(ct_window_push(&w, &bad) == CT_ENONFINITE, "NaN sample accepted");
	float feat[CT_N_IN], tref;
	TK_REQUIRE(ct_window_features(&w, feat, &tref) == CT_OK, "features");
	/* A constant input: every block holds the same means. */
	TK_CHECK(tref == 25.0f, "tref %g", tref);
	TK_CHECK(feat[0] == 2.0f && feat[1] == 4.0f && fabsf(feat[2] - 0.1f) < 1e-5f &&
			 feat[3] == 0.0f && feat[4] == -1.0f,
		 "block features %g %g %g %g %g", feat[0], feat[1], feat[2], feat[3], feat[4]);
	TK_CHECK(feat[CT_N_IN - 2] == 1.0f && fabsf(feat[CT_N_IN - 1] - 3.6f) < 1e-5f, "globals");
	struct ct_window empty;
	ct_window_reset(&empty);
	TK_CHECK(ct_window_features(&empty, feat, &tref) == CT_EINVAL, "empty window accepted");
}

int main(void)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	tables();
	datasets(dir);
	models(dir);
	window();
	return tk_finish();
}
