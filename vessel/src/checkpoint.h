/* checkpoint.h: checkpoint and restore of a Wasm program at the library
 * level (Vessels, docs/vessels.md).
 *
 * Two layers. The low one works on any instance and exec of the runtime:
 * vsl_capture reads a stopped run (WASM_STOPPED or WASM_OUT_OF_FUEL) into a
 * vsl_image, and vsl_restore_state writes an image's memories, globals,
 * tables and frames into a fresh instance of the same module and an idle
 * exec, ready for wasm_exec_resume. vsl_wasi_capture / vsl_wasi_restore do the
 * same for the WASI context.
 *
 * The high one, vsl_vessel, is what a dock runs: module bytes, WASI context,
 * instance and exec together, started from a module or restored from image
 * bytes, run with or without fuel, and checkpointed to image bytes.
 */
#ifndef ISTHMUS_VSL_CHECKPOINT_H
#define ISTHMUS_VSL_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "wasi.h"
#include "wasm.h"

/* ---- low level ------------------------------------------------------------------ */

/* Fills img from inst and ex (suspended, or idle before the entry was
 * called: then it has no frames). module/len are the bytes inst was made
 * from (hashed; kept in the image, not copied, when with_module). Page data
 * points into the live memories: encode img before the program runs again.
 * wasi may be NULL. The caller clears img (vsl_image_clear) in every case. */
int vsl_capture(wasm_instance *inst, wasm_exec *ex, const wasi_ctx *wasi, const uint8_t *module,
		size_t len, bool with_module, const char *entry, vsl_image *img, char *err,
		size_t errlen);

/* Writes img's memories, globals, tables and frames into inst, a fresh
 * instance of the image's module, and ex, an idle exec. module/len are the
 * bytes inst was made from: they must hash to the image's SHA-256 (a call
 * stopped in flight is checked against them). Refuses an image whose shape
 * (counts, types, sizes) or frames do not fit the instance. */
int vsl_restore_state(const vsl_image *img, const uint8_t *module, size_t len, wasm_instance *inst,
		      wasm_exec *ex, char *err, size_t errlen);

/* Where a restored guest's preopened directory lives on this host. */
typedef struct vsl_dir_map {
	const char *guest_path;
	const char *host_path;
} vsl_dir_map;

typedef struct vsl_restore_opts {
	int stdio[3];	/* host fds behind the guest's 0, 1, 2 */
	uint32_t ndirs; /* preopens not named here use the image's host path, */
	const vsl_dir_map *dirs;
	bool require_dir_map;	/* unless this is set: then each must be named here
				   (an image from elsewhere must not choose
				   the host directories it gets) */
	const wasm_config *cfg; /* limits of the new instance and exec (NULL: defaults) */
	const uint8_t *module;	/* module bytes when the image does not carry them */
	size_t module_len;
} vsl_restore_opts;

/* Records w into out (strings copied; offsets read from the host fds). */
int vsl_wasi_capture(const wasi_ctx *w, vsl_wasi *out, char *err, size_t errlen);

/* Builds a WASI context from a captured one: args and environment, the
 * preopened directories (mapped through o->dirs), the guest's stdio on
 * o->stdio, every other open file reopened beneath its preopen by its guest
 * path (never escaping it) at its recorded offset, and the monotonic clock
 * continuing from the checkpoint. */
wasi_ctx *vsl_wasi_restore(const vsl_wasi *s, const vsl_restore_opts *o, char *err, size_t errlen);

/* ---- vessels ---------------------------------------------------------------------- */

typedef struct vsl_vessel vsl_vessel;

/* Loads module (copied), gives it WASI from wc, instantiates it within cfg's
 * limits and runs its start function. entry is the export run() calls
 * (NULL: "_start"). */
vsl_vessel *vsl_vessel_new(const uint8_t *module, size_t len, const wasi_config *wc,
			   const wasm_config *cfg, const char *entry, char *err, size_t errlen);

/* Restores a vessel from image bytes (checked as vsl_image_read does). */
vsl_vessel *vsl_vessel_restore(const uint8_t *image, size_t len, const vsl_restore_opts *o,
			       char *err, size_t errlen);

/* The same from a decoded image (which the caller still owns and clears;
 * its page runs are applied in order, so later ones win). */
vsl_vessel *vsl_vessel_restore_image(const vsl_image *img, const vsl_restore_opts *o, char *err,
				     size_t errlen);

/* Runs the entry, or resumes it after a stop or a restore. fuel > 0 stops
 * the run with WASM_OUT_OF_FUEL after that many safe points; 0 runs without
 * counting. Returns the run's result (WASM_OK, WASM_EXIT ...). */
wasm_result vsl_vessel_run(vsl_vessel *v, uint64_t fuel);

/* Encodes the state of a stopped (or not yet started) vessel. Flags: */
#define VSL_WITH_MODULE 1u /* carry the module bytes in the image */
int vsl_vessel_checkpoint(vsl_vessel *v, unsigned flags, uint8_t **out, size_t *outlen, char *err,
			  size_t errlen);

/* The exit code after WASM_EXIT (proc_exit), 0 after WASM_OK. */
int vsl_vessel_exit_code(const vsl_vessel *v);
wasm_exec *vsl_vessel_exec(const vsl_vessel *v);
wasm_instance *vsl_vessel_instance(const vsl_vessel *v);
wasi_ctx *vsl_vessel_wasi(const vsl_vessel *v);
/* The module bytes the vessel runs and the name of its entry export. */
const uint8_t *vsl_vessel_module(const vsl_vessel *v, size_t *len);
const char *vsl_vessel_entry(const vsl_vessel *v);
void vsl_vessel_free(vsl_vessel *v);

#endif /* ISTHMUS_VSL_CHECKPOINT_H */
