/* image.h: the vessel image, a running Wasm program's whole state in one
 * machine-independent byte string (docs/vessel-format.md).
 *
 * vsl_image is the decoded form: what checkpoint.c captures from a stopped
 * instance and what it restores from. vsl_image_write encodes it (explicitly
 * little-endian, in sections that each carry a tag, a length and a CRC-32);
 * vsl_image_read decodes and checks an image that came from outside: it
 * refuses bad magic, unknown versions, truncation, checksum mismatches and
 * counts or sizes out of range with a message, and allocates no more than a
 * small multiple of the input's length.
 *
 * Linear memory travels as runs of 64 KiB pages in sections of their own
 * (PAGE), so that a later pre-copy can send pages while the program runs
 * and the final image carries only what changed since. Pages absent from an
 * image are zero.
 *
 * Values (globals, locals, operand stack) are typed; function references are
 * function indices in the instance's index space (VSL_NULL_REF for null), so
 * nothing host-specific (no pointer) ever reaches an image.
 */
#ifndef ISTHMUS_VSL_IMAGE_H
#define ISTHMUS_VSL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

#define VSL_IMAGE_VERSION 1
#define VSL_PAGE_SIZE	  65536u
#define VSL_NULL_REF	  UINT32_MAX

/* Limits the reader enforces (an image beyond them is refused). */
#define VSL_MAX_MEMORIES  16
#define VSL_MAX_PAGES	  65536u /* per memory: 4 GiB */
#define VSL_MAX_GLOBALS	  1000000u
#define VSL_MAX_TABLES	  1000u
#define VSL_MAX_TABLE_LEN 10000000u
#define VSL_MAX_FRAMES	  1000000u
#define VSL_MAX_STRING	  65536u /* one arg, env entry or path */
#define VSL_MAX_FDS	  65536u
#define VSL_MAX_ENTRY	  1024u /* entry export name */

/* A typed value. i32/f32 use the low 32 bits of lo; v128 is lo (bytes 0-7)
 * and hi (bytes 8-15), little-endian lanes; funcref is a function index or
 * VSL_NULL_REF; externref must be VSL_NULL_REF (host objects do not
 * travel). */
typedef struct vsl_value {
	uint8_t type; /* a wasm_valtype (WASM_I32 ...) */
	uint64_t lo, hi;
} vsl_value;

/* One linear memory: its current size and declared limits. */
typedef struct vsl_memory {
	uint32_t pages;
	uint32_t min, max;
	bool has_max;
} vsl_memory;

/* A run of whole pages of memory `mem`, starting at page `first`. data
 * points to count * VSL_PAGE_SIZE bytes (not owned by the run: the live
 * memory when writing, the image's buffer after reading). */
typedef struct vsl_page_run {
	uint32_t mem, first, count;
	const uint8_t *data;
} vsl_page_run;

typedef struct vsl_global {
	bool mutable_;
	vsl_value value;
} vsl_global;

typedef struct vsl_table {
	uint8_t elem_type; /* WASM_FUNCREF or WASM_EXTERNREF */
	uint32_t size;
	uint32_t *elems; /* function indices or VSL_NULL_REF */
} vsl_table;

/* One Wasm frame (wasm_state.h): outermost first. */
typedef struct vsl_frame {
	uint32_t func_index, body_offset;
	uint32_t nlocals, nstack;
	vsl_value *locals, *stack;
} vsl_frame;

/* One entry of the WASI fd table (wasm/src/wasi.h's wasi_fd). */
typedef struct vsl_wasi_fd {
	uint32_t fd;
	uint8_t filetype;
	uint16_t fdflags, oflags;
	uint64_t rights_base, rights_inheriting;
	int32_t preopen;  /* index in the preopen list, or -1 */
	char *guest_path; /* NULL for stdio or when unknown */
	bool has_offset;
	uint64_t offset; /* host file offset when has_offset */
} vsl_wasi_fd;

typedef struct vsl_wasi_preopen {
	char *guest_path;
	char *host_path; /* where it was on the checkpointing host (a hint) */
} vsl_wasi_preopen;

/* WASI state: args, environment, preopens, fd table and clocks. */
typedef struct vsl_wasi {
	uint32_t argc, envc, npreopens, nfds;
	char **argv, **envp;
	vsl_wasi_preopen *preopens;
	vsl_wasi_fd *fds;
	uint32_t max_fds;
	int64_t monotonic_ns; /* the guest's monotonic clock at the checkpoint */
	int64_t realtime_offset_ns;
} vsl_wasi;

typedef struct vsl_image {
	/* module identity */
	uint8_t module_sha256[VSL_SHA256_LEN];
	uint64_t module_len;
	const uint8_t *module_bytes; /* NULL unless the image carries them */
	/* how the run was started: the export called and its result count */
	char *entry;
	uint32_t entry_nresults;
	uint32_t nmemories;
	vsl_memory *memories;
	uint32_t nruns;
	vsl_page_run *runs;
	uint32_t nglobals;
	vsl_global *globals;
	uint32_t ntables;
	vsl_table *tables;
	uint32_t nframes; /* 0: the entry has not been called yet */
	vsl_frame *frames;
	bool has_wasi;
	vsl_wasi wasi;
	/* owned storage of a read image (page data and module bytes point
	 * into it) */
	uint8_t *owned;
} vsl_image;

/* Frees what an image owns (read or captured) and zeroes it. */
void vsl_image_clear(vsl_image *img);

/* Encodes img into a new buffer (*out, *outlen; free() it). Returns 0, or -1
 * with a message (out of memory, a value that cannot be encoded). */
int vsl_image_write(const vsl_image *img, uint8_t **out, size_t *outlen, char *err, size_t errlen);

/* Decodes and checks buf[0..len) into *img (which the caller clears with
 * vsl_image_clear, also after a failure). Returns 0, or -1 with a message
 * naming the section, its offset and the problem. */
int vsl_image_read(const uint8_t *buf, size_t len, vsl_image *img, char *err, size_t errlen);

/* Section tags: four ASCII bytes, in this order in the file. */
#define VSL_TAG_MODULE "MODL"
#define VSL_TAG_EXEC   "EXEC"
#define VSL_TAG_MEMS   "MEMS"
#define VSL_TAG_PAGE   "PAGE"
#define VSL_TAG_GLOBS  "GLBL"
#define VSL_TAG_TABLES "TABL"
#define VSL_TAG_FRAMES "FRMS"
#define VSL_TAG_WASI   "WASI"
#define VSL_TAG_END    "END!"

#endif /* ISTHMUS_VSL_IMAGE_H */
