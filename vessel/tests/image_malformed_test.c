/* image_malformed_test.c: the image reader and restore against broken and
 * hostile images. From a valid image of tests/wat/loop.wasm (stopped by
 * fuel inside its loop) it makes: every truncation, every single-byte
 * corruption, a wrong magic and version, counts and sizes beyond the limits
 * with their checksums fixed so that the range checks (not the CRC) must
 * catch them, sections out of order, missing or trailing, module bytes that
 * do not match their hash, and frames and tables that do not validate
 * against the module. Each must be refused with a message saying why; the
 * valid image must restore and finish with the uninterrupted result.
 *
 * With --write-seeds DIR it writes the fuzz target's seed images instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "hash.h"
#include "image.h"
#include "testkit.h"
#include "wasm_state.h"

#define N_ITER 2000

static uint8_t *mod;
static size_t modlen;

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *b = malloc(1 << 20);
	*len = b ? fread(b, 1, 1 << 20, f) : 0;
	fclose(f);
	return b;
}

static const wasm_config cfg = {.max_memory_pages = 16, .max_table_elems = 1000};

/* An image of run(N_ITER) stopped after `fuel` safe points (0: not
 * started). */
static uint8_t *make_image(uint64_t fuel, size_t *len)
{
	char err[256];
	wasm_module *m = wasm_module_new(mod, modlen, err, sizeof(err));
	TK_REQUIRE(m, "loop.wasm: %s", err);
	wasm_instance *inst = wasm_instance_new(m, NULL, &cfg, err, sizeof(err));
	TK_REQUIRE(inst, "instantiate: %s", err);
	wasm_exec *ex = wasm_exec_new(&cfg);
	if (fuel) {
		wasm_exec_set_fuel(ex, fuel);
		wasm_val arg = wasm_val_i32(N_ITER), res;
		wasm_result r = wasm_call(ex, wasm_instance_func(inst, "run"), &arg, 1, &res, 1);
		TK_REQUIRE(r == WASM_OUT_OF_FUEL, "run stopped with %s", wasm_result_name(r));
	}
	vsl_image img;
	uint8_t *out = NULL;
	TK_REQUIRE(vsl_capture(inst, ex, NULL, mod, modlen, true, "run", &img, err, sizeof(err)) ==
				   0 &&
			   vsl_image_write(&img, &out, len, err, sizeof(err)) == 0,
		   "capture: %s", err);
	img.module_bytes = NULL;
	vsl_image_clear(&img);
	wasm_exec_free(ex);
	wasm_instance_free(inst);
	wasm_module_free(m);
	return out;
}

/* Restores an image and finishes the run: 0 and *result, or -1 with err. */
static int restore_run(const uint8_t *b, size_t len, int32_t *result, char *err, size_t errlen)
{
	vsl_image img;
	int rc = -1;
	wasm_module *m = NULL;
	wasm_instance *inst = NULL;
	wasm_exec *ex = NULL;
	if (vsl_image_read(b, len, &img, err, errlen) < 0)
		goto out;
	if (!img.module_bytes) {
		snprintf(err, errlen, "no module");
		goto out;
	}
	m = wasm_module_new(img.module_bytes, (size_t)img.module_len, err, errlen);
	if (!m || !(inst = wasm_instance_new(m, NULL, &cfg, err, errlen)))
		goto out;
	ex = wasm_exec_new(&cfg);
	if (vsl_restore_state(&img, img.module_bytes, (size_t)img.module_len, inst, ex, err,
			      errlen) < 0)
		goto out;
	wasm_val res = {0}, arg = wasm_val_i32(N_ITER);
	wasm_result r = img.nframes
				? wasm_exec_resume(ex, &res, 1)
				: wasm_call(ex, wasm_instance_func(inst, "run"), &arg, 1, &res, 1);
	if (r != WASM_OK) {
		snprintf(err, errlen, "resume: %s", wasm_result_name(r));
		goto out;
	}
	*result = res.of.i32;
	rc = 0;
out:
	vsl_image_clear(&img);
	wasm_exec_free(ex);
	wasm_instance_free(inst);
	wasm_module_free(m);
	return rc;
}

/* Finds section `tag` (the n-th of that tag): payload offset and length. */
static int find_section(const uint8_t *b, size_t len, const char *tag, size_t *off, size_t *slen)
{
	size_t pos = 24;
	while (pos + 16 <= len) {
		uint64_t l = wasm_load_u64le(b + pos + 4);
		if (memcmp(b + pos, tag, 4) == 0) {
			*off = pos + 16;
			*slen = (size_t)l;
			return 0;
		}
		pos += 16 + (size_t)l;
	}
	return -1;
}

/* Recomputes the CRC of the section whose payload starts at off. */
static void fix_crc(uint8_t *b, size_t off)
{
	uint64_t l = wasm_load_u64le(b + off - 12);
	wasm_store_u32le(b + off - 4, vsl_crc32(0, b + off, (size_t)l));
}

static void fix_header(uint8_t *b)
{
	wasm_store_u32le(b + 20, vsl_crc32(0, b, 20));
}

static uint8_t *dup(const uint8_t *b, size_t len)
{
	uint8_t *c = malloc(len + 64);
	TK_REQUIRE(c, "out of memory");
	memcpy(c, b, len);
	return c;
}

/* Patches a u32 at payload offset `at` of section tag, fixes the CRC and
 * expects the reader to refuse it with a message containing `want`. */
static void expect_patch_refused(const uint8_t *img, size_t len, const char *tag, size_t at,
				 uint32_t value, const char *want)
{
	uint8_t *c = dup(img, len);
	size_t off, slen;
	TK_REQUIRE(find_section(c, len, tag, &off, &slen) == 0, "no section %s", tag);
	TK_REQUIRE(at + 4 <= slen, "section %s is too short for the patch", tag);
	wasm_store_u32le(c + off + at, value);
	fix_crc(c, off);
	vsl_image r;
	char err[512] = "";
	int rc = vsl_image_read(c, len, &r, err, sizeof(err));
	TK_CHECK(rc < 0, "%s+%zu = %u was accepted", tag, at, value);
	TK_CHECK(strstr(err, want) != NULL, "%s+%zu = %u: message '%s' lacks '%s'", tag, at, value,
		 err, want);
	vsl_image_clear(&r);
	free(c);
}

static void expect_refused(const uint8_t *b, size_t len, const char *want, const char *what)
{
	vsl_image r;
	char err[512] = "";
	int rc = vsl_image_read(b, len, &r, err, sizeof(err));
	TK_CHECK(rc < 0, "%s was accepted", what);
	TK_CHECK(!want || strstr(err, want) != NULL, "%s: message '%s' lacks '%s'", what, err,
		 want);
	vsl_image_clear(&r);
}

/* Decodes img, lets edit change the struct, re-encodes and expects the
 * restore (not the reader) to refuse it with `want`. */
static void expect_restore_refused(const uint8_t *img, size_t len, void (*edit)(vsl_image *),
				   const char *want, const char *what)
{
	vsl_image r;
	char err[512] = "";
	TK_REQUIRE(vsl_image_read(img, len, &r, err, sizeof(err)) == 0, "%s", err);
	edit(&r);
	uint8_t *b = NULL;
	size_t blen;
	TK_REQUIRE(vsl_image_write(&r, &b, &blen, err, sizeof(err)) == 0, "%s: %s", what, err);
	vsl_image_clear(&r);
	int32_t res;
	err[0] = '\0';
	TK_CHECK(restore_run(b, blen, &res, err, sizeof(err)) < 0, "%s was restored", what);
	TK_CHECK(strstr(err, want) != NULL, "%s: message '%s' lacks '%s'", what, err, want);
	free(b);
}

static void edit_offset(vsl_image *r)
{
	r->frames[r->nframes - 1].body_offset += 1;
}
static void edit_func(vsl_image *r)
{
	r->frames[0].func_index = 1000;
}
static void edit_local_type(vsl_image *r)
{
	r->frames[0].locals[0].type = 0x7e; /* i64 where the param is i32 */
}
static void edit_nlocals(vsl_image *r)
{
	if (r->frames[0].nlocals)
		r->frames[0].nlocals--;
}
static void edit_table(vsl_image *r)
{
	r->tables[0].elems[0] = 77;
}
static void edit_global_type(vsl_image *r)
{
	r->globals[0].value.type = 0x7c;
}
static void edit_pages(vsl_image *r)
{
	r->memories[0].pages = 15;
	r->memories[0].has_max = false;
}
static void edit_memcount(vsl_image *r)
{
	r->nmemories = 0;
	r->nruns = 0;
}

static void edit_callee(vsl_image *r)
{
	/* run calls $step (function 2) directly: $inc (0) is not its callee */
	r->frames[1].func_index = 0;
}

static void edit_entry(vsl_image *r)
{
	free(r->entry);
	r->entry = strdup("memory"); /* an export, but not a function */
}

static void write_seeds(const char *dir)
{
	static const uint64_t fuels[] = {0, 300, 2500};
	for (size_t i = 0; i < 3; i++) {
		size_t len;
		uint8_t *b = make_image(fuels[i], &len);
		char path[4096];
		snprintf(path, sizeof(path), "%s/loop-fuel-%llu.img", dir,
			 (unsigned long long)fuels[i]);
		FILE *f = fopen(path, "wb");
		TK_REQUIRE(f && fwrite(b, 1, len, f) == len, "cannot write %s", path);
		fclose(f);
		if (i == 1) {
			/* two broken ones: truncated and a flipped payload byte */
			snprintf(path, sizeof(path), "%s/truncated.img", dir);
			f = fopen(path, "wb");
			TK_REQUIRE(f && fwrite(b, 1, len / 2, f) == len / 2, "cannot write %s",
				   path);
			fclose(f);
			b[len - 40] ^= 0x55;
			snprintf(path, sizeof(path), "%s/bad-crc.img", dir);
			f = fopen(path, "wb");
			TK_REQUIRE(f && fwrite(b, 1, len, f) == len, "cannot write %s", path);
			fclose(f);
		}
		free(b);
	}
}

int main(int argc, char **argv)
{
	TK_REQUIRE(argc >= 2, "usage: %s loop.wasm [--write-seeds DIR]", argv[0]);
	mod = read_file(argv[1], &modlen);
	TK_REQUIRE(mod && modlen > 8, "cannot read %s", argv[1]);
	if (argc == 4 && strcmp(argv[2], "--write-seeds") == 0) {
		write_seeds(argv[3]);
		free(mod);
		return tk_finish();
	}

	/* the valid images restore and finish with the uninterrupted result */
	size_t len0;
	uint8_t *fresh = make_image(0, &len0);
	char err[512];
	int32_t want = 0, got = 0;
	TK_REQUIRE(restore_run(fresh, len0, &want, err, sizeof(err)) == 0, "fresh image: %s", err);
	free(fresh);
	static const uint64_t points[] = {1, 2, 5, 300, 601, 1234, 1999, 3000, 5000};
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		size_t len;
		uint8_t *b = make_image(points[i], &len);
		TK_CHECK(restore_run(b, len, &got, err, sizeof(err)) == 0 && got == want,
			 "stopped at %llu: %s, result %d, want %d", (unsigned long long)points[i],
			 err, got, want);
		free(b);
	}

	size_t len;
	uint8_t *img = make_image(2500, &len); /* has a PAGE section */
	size_t off, slen;
	TK_REQUIRE(find_section(img, len, VSL_TAG_PAGE, &off, &slen) == 0, "no PAGE section");

	/* every truncation, every single-byte corruption */
	int accepted = 0;
	for (size_t n = 0; n < len; n++) {
		vsl_image r;
		if (vsl_image_read(img, n, &r, err, sizeof(err)) == 0)
			accepted++;
		vsl_image_clear(&r);
	}
	TK_CHECK(accepted == 0, "%d truncated images accepted", accepted);
	accepted = 0;
	for (size_t i = 0; i < len; i += (i < 4096 || i > len - 4096) ? 1 : 97) {
		img[i] ^= 0xff;
		vsl_image r;
		if (vsl_image_read(img, len, &r, err, sizeof(err)) == 0)
			accepted++;
		vsl_image_clear(&r);
		img[i] ^= 0xff;
	}
	TK_CHECK(accepted == 0, "%d corrupted images accepted", accepted);

	/* header */
	uint8_t *c = dup(img, len);
	c[0] = 'X';
	expect_refused(c, len, "bad magic", "bad magic");
	memcpy(c, img, len);
	wasm_store_u16le(c + 8, 2);
	expect_refused(c, len, "header CRC", "version 2 without its CRC");
	fix_header(c);
	expect_refused(c, len, "version 2 is not supported", "version 2");
	memcpy(c, img, len);
	wasm_store_u32le(c + 12, 100000000);
	fix_header(c);
	expect_refused(c, len, "impossible", "a huge section count");
	memcpy(c, img, len);
	c[off + 100] ^= 1;
	expect_refused(c, len, "CRC-32 mismatch", "a flipped page byte");
	expect_refused(img, 10, "shorter than", "a 10-byte image");
	memcpy(c, img, len);
	memset(c + len, 0, 8);
	expect_refused(c, len + 8, NULL, "trailing bytes");
	free(c);

	/* counts and sizes beyond the limits, CRCs fixed */
	expect_patch_refused(img, len, VSL_TAG_MEMS, 0, 1000, "more than the limit");
	expect_patch_refused(img, len, VSL_TAG_MEMS, 4, 70000, "more than the limit");
	expect_patch_refused(img, len, VSL_TAG_MEMS, 4, 0, "outside its limits");
	expect_patch_refused(img, len, VSL_TAG_PAGE, 4, 3, "beyond");
	expect_patch_refused(img, len, VSL_TAG_PAGE, 0, 5, "memories");
	expect_patch_refused(img, len, VSL_TAG_FRAMES, 0, 0x7fffffff, "more than the limit");
	expect_patch_refused(img, len, VSL_TAG_FRAMES, 0, 900000, "cannot fit");
	expect_patch_refused(img, len, VSL_TAG_FRAMES, 12, 0x40000000, "cannot fit");
	expect_patch_refused(img, len, VSL_TAG_GLOBS, 0, 0xffffffff, "more than the limit");
	expect_patch_refused(img, len, VSL_TAG_GLOBS, 0, 500000, "cannot fit");
	expect_patch_refused(img, len, VSL_TAG_TABLES, 5, 9000000, "cannot fit");
	expect_patch_refused(img, len, VSL_TAG_EXEC, 0, 0x10000000, "more than the limit");
	expect_patch_refused(img, len, VSL_TAG_MODULE, 32, 0x3fffffff, "truncated");
	expect_patch_refused(img, len, VSL_TAG_MODULE, 32, 0x7fffffff, "more than the limit");
	/* module bytes that do not hash to the recorded SHA-256 */
	c = dup(img, len);
	TK_REQUIRE(find_section(c, len, VSL_TAG_MODULE, &off, &slen) == 0, "no module section");
	c[off + 41 + 20] ^= 1;
	fix_crc(c, off);
	expect_refused(c, len, "SHA-256", "module bytes changed");
	free(c);
	/* an unknown required section, and sections out of order */
	c = dup(img, len);
	TK_REQUIRE(find_section(c, len, VSL_TAG_GLOBS, &off, &slen) == 0, "no globals section");
	memcpy(c + off - 16, "ZZZZ", 4);
	expect_refused(c, len, "unknown section tag", "an unknown tag");
	memcpy(c + off - 16, "TABL", 4);
	expect_refused(c, len, "out of order", "a duplicated tables section");
	/* an optional (lowercase) section is skipped */
	memcpy(c, img, len);
	memcpy(c + off - 16, "zzzz", 4);
	expect_refused(c, len, "out of order", "globals missing (renamed to an optional tag)");
	free(c);
	/* a missing end section: the count claims one more than there is */
	c = dup(img, len);
	wasm_store_u32le(c + 12, wasm_load_u32le(c + 12) - 1);
	fix_header(c);
	expect_refused(c, len, NULL, "an image without its end section");
	free(c);

	/* well-formed images that do not fit the module */
	expect_restore_refused(img, len, edit_offset, "not a safe point", "a bad bytecode offset");
	expect_restore_refused(img, len, edit_func, "is not the entry", "a frame of function 1000");
	expect_restore_refused(img, len, edit_local_type, "wrong type",
			       "a local of the wrong type");
	expect_restore_refused(img, len, edit_nlocals, "locals", "a frame short of a local");
	expect_restore_refused(img, len, edit_table, "does not exist",
			       "a table naming function 77");
	expect_restore_refused(img, len, edit_global_type, "type differs",
			       "a global of another type");
	expect_restore_refused(img, len, edit_pages, "cannot grow", "memory beyond its limit");
	expect_restore_refused(img, len, edit_memcount, "does not fit", "an image without memory");
	expect_restore_refused(img, len, edit_entry, "is not the entry",
			       "an entry that is no function");

	/* a frame that is not what its caller's call calls */
	bool found = false;
	for (uint64_t fuel = 2500; fuel < 2530 && !found; fuel++) {
		size_t l;
		uint8_t *b = make_image(fuel, &l);
		vsl_image r;
		if (vsl_image_read(b, l, &r, err, sizeof(err)) == 0 && r.nframes >= 2 &&
		    r.frames[1].func_index == 2) {
			found = true;
			expect_restore_refused(b, l, edit_callee, "is not what the call",
					       "a frame that its caller does not call");
		}
		vsl_image_clear(&r);
		free(b);
	}
	TK_CHECK(found, "no image with $step called from run");

	free(img);
	free(mod);
	return tk_finish();
}
