/* reissue_test.c: a host call stopped in flight travels in an image and is
 * re-issued after the restore (issue 5, "a WASI call in flight completes
 * first or is re-issued after restore"). The host function env.tick of
 * tests/wat/hostcall.wat returns WASM_STOPPED once, at a chosen call, as a
 * blocking WASI call interrupted by a stop request would; the stopped run is
 * captured, encoded, decoded and restored into a fresh instance, and the
 * resumed run must call tick again with the same argument and finish with
 * the uninterrupted result. The same image with the argument retyped must
 * be refused before anything is called.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "testkit.h"
#include "wasm_state.h"

#define N 100

typedef struct ticker {
	int32_t stop_at; /* argument at which to stop once, -1: never */
	bool stopped;
	int calls;
	int32_t first_arg; /* of the first call */
} ticker;

static wasm_result tick(wasm_exec *ex, void *env, const uint64_t *args, uint64_t *results)
{
	(void)ex;
	ticker *t = env;
	int32_t i = (int32_t)(uint32_t)args[0];
	if (t->calls == 0)
		t->first_arg = i;
	t->calls++;
	if (i == t->stop_at && !t->stopped) {
		t->stopped = true;
		return WASM_STOPPED;
	}
	results[0] = (uint32_t)(i * i + 1);
	return WASM_OK;
}

static wasm_instance *instantiate(wasm_module *m, ticker *t, wasm_imports **im)
{
	char err[256];
	*im = wasm_imports_new();
	TK_REQUIRE(*im && wasm_imports_add_func_sig(*im, "env", "tick", "i:i", tick, t) == 0,
		   "imports");
	wasm_instance *inst = wasm_instance_new(m, *im, NULL, err, sizeof(err));
	TK_REQUIRE(inst, "instantiate: %s", err);
	return inst;
}

int main(int argc, char **argv)
{
	TK_REQUIRE(argc == 2, "usage: %s hostcall.wasm", argv[0]);
	FILE *f = fopen(argv[1], "rb");
	TK_REQUIRE(f, "cannot open %s", argv[1]);
	static uint8_t mod[1 << 16];
	size_t modlen = fread(mod, 1, sizeof(mod), f);
	fclose(f);
	char err[512];
	wasm_module *m = wasm_module_new(mod, modlen, err, sizeof(err));
	TK_REQUIRE(m, "%s: %s", argv[1], err);

	/* independent expectation: sum of i*i+1 for i < N */
	int32_t want = 0;
	for (int32_t i = 0; i < N; i++)
		want += i * i + 1;

	const int32_t stops[] = {0, 1, 37, N - 1};
	for (size_t s = 0; s < sizeof(stops) / sizeof(stops[0]); s++) {
		ticker t1 = {.stop_at = stops[s]};
		wasm_imports *im1;
		wasm_instance *i1 = instantiate(m, &t1, &im1);
		wasm_exec *ex1 = wasm_exec_new(NULL);
		wasm_val arg = wasm_val_i32(N), res = {0};
		wasm_result r = wasm_call(ex1, wasm_instance_func(i1, "run"), &arg, 1, &res, 1);
		TK_CHECK(r == WASM_STOPPED, "stop at %d: run ended with %s", stops[s],
			 wasm_result_name(r));
		vsl_image img;
		uint8_t *bytes = NULL;
		size_t len = 0;
		int rc = vsl_capture(i1, ex1, NULL, mod, modlen, false, "run", &img, err,
				     sizeof(err));
		TK_CHECK(rc == 0, "capture: %s", err);
		if (rc == 0) {
			/* the innermost frame stands at the call, its argument
			 * still on the stack */
			const vsl_frame *fr = &img.frames[img.nframes - 1];
			TK_CHECK(fr->nstack >= 1 && fr->stack[fr->nstack - 1].type == WASM_I32 &&
					 (int32_t)fr->stack[fr->nstack - 1].lo == stops[s],
				 "stop at %d: the call's argument is not on the stack", stops[s]);
			rc = vsl_image_write(&img, &bytes, &len, err, sizeof(err));
			TK_CHECK(rc == 0, "write: %s", err);
		}
		vsl_image_clear(&img);
		wasm_exec_free(ex1);
		wasm_instance_free(i1);
		wasm_imports_free(im1);
		if (rc != 0) {
			free(bytes);
			continue;
		}

		/* the argument retyped: refused, not handed to the callee */
		static const uint8_t wrong[] = {WASM_I64, WASM_FUNCREF, WASM_F32};
		for (size_t k = 0; k < sizeof(wrong); k++) {
			vsl_image bad;
			uint8_t *bb = NULL;
			size_t blen = 0;
			TK_REQUIRE(vsl_image_read(bytes, len, &bad, err, sizeof(err)) == 0, "%s",
				   err);
			vsl_frame *fr = &bad.frames[bad.nframes - 1];
			fr->stack[fr->nstack - 1].type = wrong[k];
			fr->stack[fr->nstack - 1].lo = wrong[k] == WASM_FUNCREF
							       ? VSL_NULL_REF
							       : fr->stack[fr->nstack - 1].lo;
			TK_REQUIRE(vsl_image_write(&bad, &bb, &blen, err, sizeof(err)) == 0, "%s",
				   err);
			vsl_image_clear(&bad);
			ticker tb = {.stop_at = -1};
			wasm_imports *imb;
			wasm_instance *ib = instantiate(m, &tb, &imb);
			wasm_exec *exb = wasm_exec_new(NULL);
			TK_REQUIRE(vsl_image_read(bb, blen, &bad, err, sizeof(err)) == 0, "%s",
				   err);
			err[0] = '\0';
			rc = vsl_restore_state(&bad, mod, modlen, ib, exb, err, sizeof(err));
			TK_CHECK(rc < 0 && strstr(err, "wrong type"),
				 "stop at %d: an argument of type 0x%02x was accepted: %s",
				 stops[s], wrong[k], err);
			TK_CHECK(tb.calls == 0, "the host function was called");
			vsl_image_clear(&bad);
			free(bb);
			wasm_exec_free(exb);
			wasm_instance_free(ib);
			wasm_imports_free(imb);
		}

		ticker t2 = {.stop_at = -1};
		wasm_imports *im2;
		wasm_instance *i2 = instantiate(m, &t2, &im2);
		wasm_exec *ex2 = wasm_exec_new(NULL);
		vsl_image back;
		rc = vsl_image_read(bytes, len, &back, err, sizeof(err));
		if (rc == 0)
			rc = vsl_restore_state(&back, mod, modlen, i2, ex2, err, sizeof(err));
		TK_CHECK(rc == 0, "stop at %d: restore: %s", stops[s], err);
		vsl_image_clear(&back);
		free(bytes);
		if (rc == 0) {
			r = wasm_exec_resume(ex2, &res, 1);
			TK_CHECK(r == WASM_OK && res.of.i32 == want,
				 "stop at %d: resumed run ended with %s, result %d, want %d",
				 stops[s], wasm_result_name(r), res.of.i32, want);
			TK_CHECK(t2.calls == N - stops[s] && t2.first_arg == stops[s],
				 "stop at %d: %d calls after the restore starting at %d, want %d "
				 "from %d",
				 stops[s], t2.calls, t2.first_arg, N - stops[s], stops[s]);
		}
		wasm_exec_free(ex2);
		wasm_instance_free(i2);
		wasm_imports_free(im2);
	}
	wasm_module_free(m);
	return tk_finish();
}
