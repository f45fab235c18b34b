/* wbpf.h: the Wasm-bpf host (docs/wasm-bpf.md): eBPF objects loaded,
 * attached and read by a Wasm guest through the host functions of import
 * module "wasm_bpf", with the ABI of eunomia-bpf/wasm-bpf.
 *
 * A wbpf_host owns every eBPF object its guest loaded (libbpf objects, their
 * links and their ring/perf buffers). Guests name objects by opaque 64-bit
 * handles (a slot and a generation, never a host address) and maps by the fds
 * the host gave them; a map fd that belongs to none of the guest's objects is
 * refused. Every guest pointer and length is checked against the calling
 * instance's linear memory before it is used. Errors come back to the guest as
 * return codes (0 handle, negative Linux errno) and to the embedder as one
 * line through the log function; nothing here prints or exits.
 */
#ifndef ISTHMUS_WBPF_H
#define ISTHMUS_WBPF_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm.h"

/* The import module of the host functions. */
#define WBPF_IMPORT_MODULE "wasm_bpf"

/* Commands of wasm_bpf_map_operate. */
enum {
	WBPF_MAP_LOOKUP = 1,
	WBPF_MAP_UPDATE = 2,
	WBPF_MAP_DELETE = 3,
	WBPF_MAP_GET_NEXT_KEY = 4,
};

/* Limits on what one guest may hold or pass. */
#define WBPF_MAX_OBJECTS     64
#define WBPF_MAX_OBJECT_SIZE (64u << 20) /* bytes of one eBPF object file */
#define WBPF_MAX_NAME	     4096	 /* program, map, target strings */

typedef struct wbpf_host wbpf_host;

/* Receives one line per error or notable event (no trailing newline). */
typedef void (*wbpf_log_fn)(const char *line, void *ctx);

/* A host with no objects. log may be NULL (errors then go unreported except
 * through return codes). NULL when out of memory. */
wbpf_host *wbpf_host_new(wbpf_log_fn log, void *log_ctx);

/* Detaches and closes every object, then frees the host. NULL is fine. */
void wbpf_host_free(wbpf_host *h);

/* Registers the six host functions on im with h as their environment.
 * Returns 0, or -1 with a message. */
int wbpf_add_imports(wbpf_host *h, wasm_imports *im, char *err, size_t errlen);

/* A flag (set from a signal handler) that makes buffer polls return early:
 * the host polls in slices of at most 100 ms and checks it between them. */
void wbpf_host_set_stop_flag(wbpf_host *h, volatile sig_atomic_t *flag);

/* Detaches and closes every object the guest still holds (what SIGINT does
 * before the command exits). Returns how many there were. */
int wbpf_host_close_all(wbpf_host *h);

/* Objects currently loaded. */
int wbpf_host_object_count(const wbpf_host *h);

#endif /* ISTHMUS_WBPF_H */
