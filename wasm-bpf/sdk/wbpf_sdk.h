/* wbpf_sdk.h: the guest side of Wasm-bpf (docs/wasm-bpf.md), for C tools
 * built to wasm32-wasi with wbpf_add_tool() (wasm-bpf/sdk/sdk.cmake).
 *
 * The six imports of module "wasm_bpf" are declared here with the
 * eunomia-bpf/wasm-bpf ABI, and a small libbpf-skeleton-like layer sits on
 * top: open the eBPF object embedded in the module, load it, attach programs
 * by name, use maps by name, poll ring and perf buffers with a callback, and
 * destroy it all. Each call returns 0 (or a count, or an fd) on success and a
 * negative Linux errno on failure (not WASI's errno numbering).
 */
#ifndef WBPF_SDK_H
#define WBPF_SDK_H

#include <stddef.h>
#include <stdint.h>

#define WBPF_IMPORT(n) __attribute__((import_module("wasm_bpf"), import_name(#n)))

/* ---- the host ABI ---------------------------------------------------------------- */

uint64_t wasm_load_bpf_object(const void *obj, int size) WBPF_IMPORT(wasm_load_bpf_object);
int wasm_attach_bpf_program(uint64_t obj, const char *name, const char *target)
	WBPF_IMPORT(wasm_attach_bpf_program);
int wasm_bpf_buffer_poll(uint64_t obj, int map_fd, int sample_func, uint32_t ctx, char *data,
			 int max_size, int timeout_ms) WBPF_IMPORT(wasm_bpf_buffer_poll);
int wasm_bpf_map_fd_by_name(uint64_t obj, const char *name) WBPF_IMPORT(wasm_bpf_map_fd_by_name);
int wasm_bpf_map_operate(int fd, int cmd, void *key, void *value, void *next_key, uint64_t flags)
	WBPF_IMPORT(wasm_bpf_map_operate);
int wasm_close_bpf_object(uint64_t obj) WBPF_IMPORT(wasm_close_bpf_object);

enum {
	WBPF_MAP_LOOKUP = 1,
	WBPF_MAP_UPDATE = 2,
	WBPF_MAP_DELETE = 3,
	WBPF_MAP_GET_NEXT_KEY = 4,
};

/* Flags of wbpf_map_update (the kernel's BPF_ANY, BPF_NOEXIST, BPF_EXIST). */
#define WBPF_ANY     0
#define WBPF_NOEXIST 1
#define WBPF_EXIST   2

/* ---- the object embedded by wbpf_add_tool() ------------------------------------- */

extern const unsigned char wbpf_embedded_object[];
extern const unsigned int wbpf_embedded_object_size;

/* ---- skeleton-like API ---------------------------------------------------------- */

struct wbpf_object;
struct wbpf_buffer;

/* Called for each record: data holds size bytes (what was copied). Return 0
 * to go on; non-zero stops the poll, which then returns that value. */
typedef int (*wbpf_sample_fn)(void *ctx, void *data, size_t size);

/* Opens an object from bytes in guest memory (the embedded object when data
 * is NULL). Nothing reaches the kernel until wbpf_object_load. NULL when out
 * of memory. */
struct wbpf_object *wbpf_object_open(const void *data, size_t size);
/* Loads it (CO-RE relocated against the running kernel): 0 or -errno. */
int wbpf_object_load(struct wbpf_object *o);
/* Attaches one program by name; target "" (or NULL) for the section's own
 * attach point, an interface for XDP and socket filters, a cgroup folder for
 * cgroup programs, BINARY:FUNCTION for uprobes. 0 or -errno. */
int wbpf_object_attach(struct wbpf_object *o, const char *prog, const char *target);
/* Attaches every program named in the NULL-terminated list to its own attach
 * point; stops at the first failure. */
int wbpf_object_attach_all(struct wbpf_object *o, const char *const *progs);
/* The fd of a map of the object, or -errno. */
int wbpf_object_map_fd(struct wbpf_object *o, const char *map);
/* Detaches and closes everything, then frees o (and its buffers). */
void wbpf_object_destroy(struct wbpf_object *o);

/* Map operations on an fd from wbpf_object_map_fd: 0 or -errno. */
int wbpf_map_lookup(int fd, const void *key, void *value);
int wbpf_map_update(int fd, const void *key, const void *value, uint64_t flags);
int wbpf_map_delete(int fd, const void *key);
/* key NULL: the first key. -ENOENT after the last one. */
int wbpf_map_next_key(int fd, const void *key, void *next_key);

/* A buffer over a ring-buffer or perf-event-array map of o; records of up to
 * max_size bytes are delivered whole (longer ones are cut). NULL on error. */
struct wbpf_buffer *wbpf_buffer_new(struct wbpf_object *o, const char *map, wbpf_sample_fn fn,
				    void *ctx, size_t max_size);
/* Waits up to timeout_ms for records and delivers them: the number
 * delivered, the callback's non-zero return, or -errno. */
int wbpf_buffer_poll(struct wbpf_buffer *b, int timeout_ms);

#endif /* WBPF_SDK_H */
