/* wbpf.c: the host functions of import module "wasm_bpf" (wbpf.h) over
 * libbpf.
 *
 * Objects live in a fixed table of WBPF_MAX_OBJECTS slots; a guest handle is
 * (generation << 32 | slot + 1), so a stale or forged handle finds nothing.
 * Each object keeps its links (detached on close) and any number of buffers,
 * one per map fd polled: a ring buffer or a perf buffer chosen by the map's
 * type. A poll copies each record into the guest's data area (at most
 * max_size bytes, re-checked against memory before every copy since the guest
 * may grow its memory inside the callback) and calls the guest's
 * sample_func(ctx, data, size) through its function table 0.
 *
 * Guest pointers are offsets into the caller's memory 0; every one is
 * checked with its length before use, strings are copied out with a length
 * limit, and map keys and values are checked against the map's own key and
 * value sizes. Errors: a 0 handle or a negative Linux errno, and one log line
 * naming the call and the problem.
 */
#include "wbpf.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define POLL_SLICE_MS	    100
#define WBPF_MAX_POLL_DEPTH 8

typedef struct wbpf_object wbpf_object;

typedef struct wbpf_buffer {
	int map_fd;
	bool is_ring;
	struct ring_buffer *ring;
	struct perf_buffer *perf;
	/* The poll in progress. */
	wbpf_host *host;
	wasm_exec *ex;
	wasm_func *fn;
	uint32_t ctx, data, max_size;
	int count;
	wasm_result failed; /* WASM_OK, or how a callback ended the run */
	int cb_ret;	    /* a non-zero return of the callback */
} wbpf_buffer;

struct wbpf_object {
	struct bpf_object *obj;
	uint32_t gen;
	struct bpf_link **links;
	size_t nlinks, caplinks;
	int *sock_fds; /* sockets that carry an attached socket filter */
	size_t nsocks, capsocks;
	wbpf_buffer **bufs;
	size_t nbufs, capbufs;
};

struct wbpf_host {
	wbpf_log_fn log;
	void *log_ctx;
	volatile sig_atomic_t *stop;
	int poll_depth; /* polls in progress, nested through callbacks */
	uint32_t next_gen;
	wbpf_object objs[WBPF_MAX_OBJECTS];
};

static void logf_(wbpf_host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(wbpf_host *h, const char *fmt, ...)
{
	if (!h->log)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	h->log(line, h->log_ctx);
}

wbpf_host *wbpf_host_new(wbpf_log_fn log, void *log_ctx)
{
	wbpf_host *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->log = log;
	h->log_ctx = log_ctx;
	h->next_gen = 1;
	return h;
}

void wbpf_host_set_stop_flag(wbpf_host *h, volatile sig_atomic_t *flag)
{
	h->stop = flag;
}

static void object_close(wbpf_object *o)
{
	for (size_t i = 0; i < o->nbufs; i++) {
		ring_buffer__free(o->bufs[i]->ring);
		perf_buffer__free(o->bufs[i]->perf);
		free(o->bufs[i]);
	}
	for (size_t i = 0; i < o->nlinks; i++)
		bpf_link__destroy(o->links[i]);
	for (size_t i = 0; i < o->nsocks; i++)
		close(o->sock_fds[i]);
	bpf_object__close(o->obj);
	free(o->bufs);
	free(o->links);
	free(o->sock_fds);
	memset(o, 0, sizeof(*o));
}

int wbpf_host_close_all(wbpf_host *h)
{
	int n = 0;
	for (int i = 0; i < WBPF_MAX_OBJECTS; i++) {
		if (h->objs[i].obj) {
			object_close(&h->objs[i]);
			n++;
		}
	}
	return n;
}

int wbpf_host_object_count(const wbpf_host *h)
{
	int n = 0;
	for (int i = 0; i < WBPF_MAX_OBJECTS; i++)
		n += h->objs[i].obj != NULL;
	return n;
}

void wbpf_host_free(wbpf_host *h)
{
	if (!h)
		return;
	wbpf_host_close_all(h);
	free(h);
}

static wbpf_object *object_get(wbpf_host *h, uint64_t handle, const char *call)
{
	uint32_t slot = (uint32_t)handle;
	uint32_t gen = (uint32_t)(handle >> 32);
	if (slot == 0 || slot > WBPF_MAX_OBJECTS || !h->objs[slot - 1].obj ||
	    h->objs[slot - 1].gen != gen) {
		logf_(h, "%s: no object with handle %#llx", call, (unsigned long long)handle);
		return NULL;
	}
	return &h->objs[slot - 1];
}

/* Copies the NUL-terminated guest string at off into buf (size WBPF_MAX_NAME).
 * 0, or -EFAULT (outside memory) / -ENAMETOOLONG with a log line. */
static int guest_string(wbpf_host *h, wasm_exec *ex, uint32_t off, char *buf, const char *call,
			const char *what)
{
	uint64_t size;
	const uint8_t *base = wasm_exec_memory(ex, &size);
	if (!base || off >= size) {
		logf_(h, "%s: %s pointer %#x is outside guest memory (%llu bytes)", call, what, off,
		      (unsigned long long)size);
		return -EFAULT;
	}
	uint64_t avail = size - off;
	size_t lim = avail < WBPF_MAX_NAME ? (size_t)avail : WBPF_MAX_NAME;
	const uint8_t *nul = memchr(base + off, 0, lim);
	if (!nul) {
		if (lim < WBPF_MAX_NAME) {
			logf_(h, "%s: %s at %#x runs past the end of guest memory", call, what,
			      off);
			return -EFAULT;
		}
		logf_(h, "%s: %s at %#x is longer than %d bytes", call, what, off,
		      WBPF_MAX_NAME - 1);
		return -ENAMETOOLONG;
	}
	memcpy(buf, base + off, (size_t)(nul - (base + off)) + 1);
	return 0;
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 4;
	void *p = realloc(*arr, nc * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

/* ---- wasm_load_bpf_object(obj, size) -> handle ------------------------------ */

static wasm_result h_load(wasm_exec *ex, void *env, const uint64_t *args, uint64_t *results)
{
	wbpf_host *h = env;
	uint32_t off = (uint32_t)args[0];
	int32_t size = (int32_t)args[1];
	results[0] = 0;
	if (size <= 0 || (uint32_t)size > WBPF_MAX_OBJECT_SIZE) {
		logf_(h, "wasm_load_bpf_object: bad object size %d", size);
		return WASM_OK;
	}
	const uint8_t *p = wasm_exec_mem_ptr(ex, off, (uint32_t)size);
	if (!p) {
		logf_(h, "wasm_load_bpf_object: object [%#x, +%d) is outside guest memory", off,
		      size);
		return WASM_OK;
	}
	int slot = -1;
	for (int i = 0; i < WBPF_MAX_OBJECTS; i++) {
		if (!h->objs[i].obj) {
			slot = i;
			break;
		}
	}
	if (slot < 0) {
		logf_(h, "wasm_load_bpf_object: the guest already holds %d objects",
		      WBPF_MAX_OBJECTS);
		return WASM_OK;
	}
	/* libbpf keeps its own copy of the ELF image; a private copy first
	 * means the guest's memory is read once. */
	void *copy = malloc((size_t)size);
	if (!copy) {
		logf_(h, "wasm_load_bpf_object: out of memory");
		return WASM_OK;
	}
	memcpy(copy, p, (size_t)size);
	char name[32];
	snprintf(name, sizeof(name), "wasm_bpf_%d", slot);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);
	struct bpf_object *obj = bpf_object__open_mem(copy, (size_t)size, &opts);
	int e = obj ? 0 : -errno;
	if (!obj) {
		free(copy);
		logf_(h, "wasm_load_bpf_object: not a loadable eBPF object (%d bytes): %s", size,
		      strerror(-e));
		return WASM_OK;
	}
	e = bpf_object__load(obj);
	free(copy);
	if (e) {
		logf_(h, "wasm_load_bpf_object: the kernel refused the object: %s", strerror(-e));
		bpf_object__close(obj);
		return WASM_OK;
	}
	wbpf_object *o = &h->objs[slot];
	memset(o, 0, sizeof(*o));
	o->obj = obj;
	o->gen = h->next_gen++;
	if (h->next_gen == 0)
		h->next_gen = 1;
	results[0] = (uint64_t)o->gen << 32 | (uint64_t)(slot + 1);
	return WASM_OK;
}

/* ---- wasm_attach_bpf_program(obj, name, target) -> 0 / -errno ---------------- */

static int attach_socket_filter(wbpf_host *h, wbpf_object *o, struct bpf_program *prog,
				const char *ifname)
{
	unsigned idx = if_nametoindex(ifname);
	if (!idx) {
		logf_(h, "wasm_attach_bpf_program: no network interface '%s'", ifname);
		return -ENODEV;
	}
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (s < 0)
		return -errno;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)idx};
	int pfd = bpf_program__fd(prog);
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_ATTACH_BPF, &pfd, sizeof(pfd)) < 0) {
		int e = -errno;
		close(s);
		logf_(h, "wasm_attach_bpf_program: socket filter on '%s': %s", ifname,
		      strerror(-e));
		return e;
	}
	if (grow((void **)&o->sock_fds, &o->capsocks, o->nsocks, sizeof(int))) {
		close(s);
		return -ENOMEM;
	}
	o->sock_fds[o->nsocks++] = s;
	return 0;
}

static wasm_result h_attach(wasm_exec *ex, void *env, const uint64_t *args, uint64_t *results)
{
	wbpf_host *h = env;
	char name[WBPF_MAX_NAME], target[WBPF_MAX_NAME];
	wbpf_object *o = object_get(h, args[0], "wasm_attach_bpf_program");
	int e;
	if (!o) {
		e = -EINVAL;
		goto out;
	}
	if ((e = guest_string(h, ex, (uint32_t)args[1], name, "wasm_attach_bpf_program",
			      "program name")) ||
	    (e = guest_string(h, ex, (uint32_t)args[2], target, "wasm_attach_bpf_program",
			      "attach target")))
		goto out;
	struct bpf_program *prog = bpf_object__find_program_by_name(o->obj, name);
	if (!prog) {
		logf_(h, "wasm_attach_bpf_program: the object has no program '%s'", name);
		e = -ENOENT;
		goto out;
	}
	if (grow((void **)&o->links, &o->caplinks, o->nlinks, sizeof(struct bpf_link *))) {
		e = -ENOMEM;
		goto out;
	}
	struct bpf_link *link = NULL;
	enum bpf_prog_type type = bpf_program__type(prog);
	if (!target[0]) {
		link = bpf_program__attach(prog);
	} else if (type == BPF_PROG_TYPE_XDP) {
		unsigned idx = if_nametoindex(target);
		if (!idx) {
			logf_(h, "wasm_attach_bpf_program: no network interface '%s'", target);
			e = -ENODEV;
			goto out;
		}
		link = bpf_program__attach_xdp(prog, (int)idx);
	} else if (type == BPF_PROG_TYPE_SOCKET_FILTER) {
		e = attach_socket_filter(h, o, prog, target);
		goto out;
	} else if (type == BPF_PROG_TYPE_SOCK_OPS || type == BPF_PROG_TYPE_CGROUP_SKB ||
		   type == BPF_PROG_TYPE_CGROUP_SOCK || type == BPF_PROG_TYPE_CGROUP_SOCK_ADDR ||
		   type == BPF_PROG_TYPE_CGROUP_SOCKOPT || type == BPF_PROG_TYPE_CGROUP_SYSCTL ||
		   type == BPF_PROG_TYPE_CGROUP_DEVICE) {
		int cfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cfd < 0) {
			e = -errno;
			logf_(h, "wasm_attach_bpf_program: cgroup '%s': %s", target, strerror(-e));
			goto out;
		}
		link = bpf_program__attach_cgroup(prog, cfd);
		close(cfd);
	} else if (type == BPF_PROG_TYPE_KPROBE) {
		/* An extension: "BINARY:FUNCTION" attaches a uprobe (a
		 * uretprobe when the section says so) to FUNCTION of BINARY
		 * in every process. */
		char *colon = strrchr(target, ':');
		if (!colon || colon == target || !colon[1]) {
			logf_(h,
			      "wasm_attach_bpf_program: uprobe target '%s' is not BINARY:FUNCTION",
			      target);
			e = -EINVAL;
			goto out;
		}
		*colon = 0;
		const char *sec = bpf_program__section_name(prog);
		LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = colon + 1,
			    .retprobe = strncmp(sec, "uretprobe", 9) == 0);
		link = bpf_program__attach_uprobe_opts(prog, -1, target, 0, &uo);
		*colon = ':';
	} else {
		logf_(h, "wasm_attach_bpf_program: program '%s' (type %d) takes no attach target",
		      name, (int)type);
		e = -EINVAL;
		goto out;
	}
	if (!link) {
		e = errno ? -errno : -EINVAL;
		logf_(h, "wasm_attach_bpf_program: cannot attach '%s'%s%s: %s", name,
		      target[0] ? " to " : "", target, strerror(-e));
		goto out;
	}
	o->links[o->nlinks++] = link;
	e = 0;
out:
	results[0] = (uint32_t)e;
	return WASM_OK;
}

/* ---- wasm_bpf_map_fd_by_name(obj, name) -> fd / -errno ---------------------- */

static wasm_result h_map_fd(wasm_exec *ex, void *env, const uint64_t *args, uint64_t *results)
{
	wbpf_host *h = env;
	char name[WBPF_MAX_NAME];
	int e;
	wbpf_object *o = object_get(h, args[0], "wasm_bpf_map_fd_by_name");
	if (!o) {
		e = -EINVAL;
	} else if (!(e = guest_string(h, ex, (uint32_t)args[1], name, "wasm_bpf_map_fd_by_name",
				      "map name"))) {
		struct bpf_map *m = bpf_object__find_map_by_name(o->obj, name);
		if (!m) {
			logf_(h, "wasm_bpf_map_fd_by_name: the object has no map '%s'", name);
			e = -ENOENT;
		} else {
			e = bpf_map__fd(m);
		}
	}
	results[0] = (uint32_t)e;
	return WASM_OK;
}

/* The map of fd among the guest's objects, and its object. */
static struct bpf_map *map_of_fd(wbpf_host *h, int fd, wbpf_object **owner)
{
	if (fd < 0)
		return NULL;
	for (int i = 0; i < WBPF_MAX_OBJECTS; i++) {
		if (!h->objs[i].obj)
			continue;
		struct bpf_map *m;
		bpf_object__for_each_map(m, h->objs[i].obj)
		{
			if (bpf_map__fd(m) == fd) {
				if (owner)
					*owner = &h->objs[i];
				return m;
			}
		}
	}
	return NULL;
}

/* ---- wasm_bpf_map_operate(fd, cmd, key, value, next_key, flags) ---------------- */

static bool percpu_type(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static wasm_result h_map_operate(wasm_exec *ex, void *env, const uint64_t *args, uint64_t *results)
{
	wbpf_host *h = env;
	int fd = (int32_t)args[0];
	int cmd = (int32_t)args[1];
	uint32_t key_off = (uint32_t)args[2], val_off = (uint32_t)args[3],
		 next_off = (uint32_t)args[4];
	uint64_t flags = args[5];
	int e;
	struct bpf_map *m = map_of_fd(h, fd, NULL);
	if (!m) {
		logf_(h, "wasm_bpf_map_operate: fd %d is not a map of this guest", fd);
		e = -EBADF;
		goto out;
	}
	size_t ksz = bpf_map__key_size(m);
	size_t vsz = bpf_map__value_size(m);
	if (percpu_type(bpf_map__type(m))) {
		int ncpu = libbpf_num_possible_cpus();
		if (ncpu <= 0) {
			e = -EINVAL;
			goto out;
		}
		vsz = ((vsz + 7) & ~(size_t)7) * (size_t)ncpu;
	}
	/* A key pointer of 0 is NULL for get-next-key (the first key) and for
	 * maps without keys; otherwise every pointer must cover its size. */
	uint8_t *key = NULL, *val = NULL, *next = NULL;
	bool key_null_ok = cmd == WBPF_MAP_GET_NEXT_KEY || ksz == 0;
	if (cmd < WBPF_MAP_LOOKUP || cmd > WBPF_MAP_GET_NEXT_KEY) {
		logf_(h, "wasm_bpf_map_operate: unknown command %d", cmd);
		e = -EINVAL;
		goto out;
	}
	if (!(key_off == 0 && key_null_ok) && ksz) {
		if (!(key = wasm_exec_mem_ptr(ex, key_off, ksz))) {
			logf_(h, "wasm_bpf_map_operate: key [%#x, +%zu) is outside guest memory",
			      key_off, ksz);
			e = -EFAULT;
			goto out;
		}
	}
	if (cmd == WBPF_MAP_LOOKUP || cmd == WBPF_MAP_UPDATE) {
		if (!(val = wasm_exec_mem_ptr(ex, val_off, vsz))) {
			logf_(h, "wasm_bpf_map_operate: value [%#x, +%zu) is outside guest memory",
			      val_off, vsz);
			e = -EFAULT;
			goto out;
		}
	}
	if (cmd == WBPF_MAP_GET_NEXT_KEY) {
		if (!(next = wasm_exec_mem_ptr(ex, next_off, ksz))) {
			logf_(h,
			      "wasm_bpf_map_operate: next key [%#x, +%zu) is outside guest memory",
			      next_off, ksz);
			e = -EFAULT;
			goto out;
		}
	}
	/* The kernel reads and writes exactly these sizes; bounce through
	 * host buffers all the same so that a key and a value that overlap in
	 * guest memory behave as they would natively. */
	switch (cmd) {
	case WBPF_MAP_LOOKUP:
		e = bpf_map_lookup_elem_flags(fd, key, val, flags);
		break;
	case WBPF_MAP_UPDATE:
		e = bpf_map_update_elem(fd, key, val, flags);
		break;
	case WBPF_MAP_DELETE:
		e = bpf_map_delete_elem(fd, key);
		break;
	default:
		e = bpf_map_get_next_key(fd, key, next);
		break;
	}
	if (e > 0)
		e = -e;
out:
	results[0] = (uint32_t)e;
	return WASM_OK;
}

/* ---- wasm_bpf_buffer_poll(obj, fd, sample_func, ctx, data, max_size, timeout) -- */

static int deliver(wbpf_buffer *b, const void *rec, size_t size)
{
	if (b->failed != WASM_OK || b->cb_ret)
		return -1;
	size_t n = size < b->max_size ? size : b->max_size;
	if (n < size)
		logf_(b->host, "wasm_bpf_buffer_poll: record of %zu bytes cut to %u", size,
		      b->max_size);
	/* Re-checked each time: the callback may have grown memory. */
	uint8_t *dst = wasm_exec_mem_ptr(b->ex, b->data, n);
	if (!dst) {
		logf_(b->host, "wasm_bpf_buffer_poll: data [%#x, +%zu) left guest memory", b->data,
		      n);
		b->failed = WASM_TRAP;
		wasm_trap(b->ex, "wasm_bpf_buffer_poll: data area outside memory");
		return -1;
	}
	memcpy(dst, rec, n);
	uint64_t a[3] = {b->ctx, b->data, (uint32_t)n};
	uint64_t r[1] = {0};
	wasm_result res = wasm_call_raw(b->ex, b->fn, a, r);
	b->count++;
	if (res != WASM_OK) {
		b->failed = res;
		return -1;
	}
	int32_t rv = (int32_t)r[0];
	if (rv) {
		b->cb_ret = rv;
		return -1;
	}
	return 0;
}

static int ring_cb(void *ctx, void *data, size_t size)
{
	return deliver(ctx, data, size);
}

static void perf_cb(void *ctx, int cpu, void *data, __u32 size)
{
	(void)cpu;
	deliver(ctx, data, size);
}

static void perf_lost(void *ctx, int cpu, __u64 n)
{
	wbpf_buffer *b = ctx;
	logf_(b->host, "wasm_bpf_buffer_poll: lost %llu records on cpu %d", (unsigned long long)n,
	      cpu);
}

static wbpf_buffer *buffer_for(wbpf_host *h, wbpf_object *o, int fd, int *err)
{
	for (size_t i = 0; i < o->nbufs; i++)
		if (o->bufs[i]->map_fd == fd)
			return o->bufs[i];
	wbpf_object *owner = NULL;
	struct bpf_map *m = map_of_fd(h, fd, &owner);
	if (!m || owner != o) {
		logf_(h, "wasm_bpf_buffer_poll: fd %d is not a map of this object", fd);
		*err = -EBADF;
		return NULL;
	}
	enum bpf_map_type t = bpf_map__type(m);
	if (t != BPF_MAP_TYPE_RINGBUF && t != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		logf_(h,
		      "wasm_bpf_buffer_poll: map '%s' is neither a ring buffer nor a perf buffer",
		      bpf_map__name(m));
		*err = -EINVAL;
		return NULL;
	}
	if (grow((void **)&o->bufs, &o->capbufs, o->nbufs, sizeof(wbpf_buffer *))) {
		*err = -ENOMEM;
		return NULL;
	}
	wbpf_buffer *b = calloc(1, sizeof(*b));
	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	b->map_fd = fd;
	b->host = h;
	if (t == BPF_MAP_TYPE_RINGBUF) {
		b->is_ring = true;
		b->ring = ring_buffer__new(fd, ring_cb, b, NULL);
	} else {
		b->perf = perf_buffer__new(fd, 64, perf_cb, perf_lost, b, NULL);
	}
	if (!b->ring && !b->perf) {
		*err = errno ? -errno : -EINVAL;
		logf_(h, "wasm_bpf_buffer_poll: cannot open the buffer of map '%s': %s",
		      bpf_map__name(m), strerror(-*err));
		free(b);
		return NULL;
	}
	o->bufs[o->nbufs++] = b;
	return b;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static wasm_result h_poll(wasm_exec *ex, void *env, const uint64_t *args, uint64_t *results)
{
	wbpf_host *h = env;
	int fd = (int32_t)args[1];
	uint32_t func_idx = (uint32_t)args[2];
	uint32_t ctx = (uint32_t)args[3], data = (uint32_t)args[4];
	int32_t max_size = (int32_t)args[5], timeout = (int32_t)args[6];
	int e = 0;
	wbpf_object *o = object_get(h, args[0], "wasm_bpf_buffer_poll");
	if (!o) {
		e = -EINVAL;
		goto out;
	}
	if (max_size <= 0 || !wasm_exec_mem_ptr(ex, data, (uint32_t)max_size)) {
		logf_(h, "wasm_bpf_buffer_poll: data [%#x, +%d) is outside guest memory", data,
		      max_size);
		e = -EFAULT;
		goto out;
	}
	wasm_instance *inst = wasm_exec_instance(ex);
	wasm_table *tab = inst ? wasm_instance_table(inst, 0) : NULL;
	wasm_val fv;
	if (!tab || wasm_table_elem_type(tab) != WASM_FUNCREF ||
	    wasm_table_get(tab, func_idx, &fv) != 0 || !fv.of.func) {
		logf_(h, "wasm_bpf_buffer_poll: sample_func %u is not in the guest's table",
		      func_idx);
		e = -EINVAL;
		goto out;
	}
	const wasm_functype *ft = wasm_func_type(fv.of.func);
	if (ft->nparams != 3 || ft->nresults != 1 || ft->params[0] != WASM_I32 ||
	    ft->params[1] != WASM_I32 || ft->params[2] != WASM_I32 || ft->results[0] != WASM_I32) {
		logf_(h, "wasm_bpf_buffer_poll: sample_func %u is not (i32, i32, i32) -> i32",
		      func_idx);
		e = -EINVAL;
		goto out;
	}
	wbpf_buffer *b = buffer_for(h, o, fd, &e);
	if (!b)
		goto out;
	if (h->poll_depth >= WBPF_MAX_POLL_DEPTH) {
		/* Each nested poll is a stack of host C frames. */
		logf_(h, "wasm_bpf_buffer_poll: more than %d polls nested in callbacks",
		      WBPF_MAX_POLL_DEPTH);
		e = -EBUSY;
		goto out;
	}
	if (b->ex) {
		/* Polled again from inside its own callback: libbpf would hand
		 * the same record over again, without end. */
		logf_(h, "wasm_bpf_buffer_poll: map fd %d is already being polled", fd);
		e = -EBUSY;
		goto out;
	}
	b->ex = ex;
	b->fn = fv.of.func;
	b->ctx = ctx;
	b->data = data;
	b->max_size = (uint32_t)max_size;
	b->count = 0;
	b->failed = WASM_OK;
	b->cb_ret = 0;
	/* Poll in slices so that a stop request is seen within one. */
	int64_t deadline = timeout < 0 ? -1 : now_ms() + timeout;
	h->poll_depth++;
	for (;;) {
		int slice = POLL_SLICE_MS;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left < 0)
				left = 0;
			if (left < slice)
				slice = (int)left;
		}
		int r = b->is_ring ? ring_buffer__poll(b->ring, slice)
				   : perf_buffer__poll(b->perf, slice);
		if (b->failed != WASM_OK) {
			b->ex = NULL;
			h->poll_depth--;
			return b->failed;
		}
		if (b->cb_ret) {
			e = b->cb_ret;
			break;
		}
		if (r == -EINTR || (h->stop && *h->stop)) {
			e = b->count;
			break;
		}
		if (r < 0) {
			logf_(h, "wasm_bpf_buffer_poll: poll: %s", strerror(-r));
			e = r;
			break;
		}
		if (b->count > 0 || (deadline >= 0 && now_ms() >= deadline)) {
			e = b->count;
			break;
		}
	}
	b->ex = NULL;
	h->poll_depth--;
out:
	results[0] = (uint32_t)e;
	return WASM_OK;
}

/* ---- wasm_close_bpf_object(obj) -> 0 / -errno -------------------------------- */

static wasm_result h_close(wasm_exec *ex, void *env, const uint64_t *args, uint64_t *results)
{
	(void)ex;
	wbpf_host *h = env;
	wbpf_object *o = object_get(h, args[0], "wasm_close_bpf_object");
	if (!o) {
		results[0] = (uint32_t)-EINVAL;
		return WASM_OK;
	}
	for (size_t i = 0; i < o->nbufs; i++) {
		if (o->bufs[i]->ex) {
			/* Closing from inside its own callback: refuse. */
			logf_(h, "wasm_close_bpf_object: the object is being polled");
			results[0] = (uint32_t)-EBUSY;
			return WASM_OK;
		}
	}
	object_close(o);
	results[0] = 0;
	return WASM_OK;
}

int wbpf_add_imports(wbpf_host *h, wasm_imports *im, char *err, size_t errlen)
{
	static const struct {
		const char *name, *sig;
		wasm_host_fn fn;
	} fns[] = {
		{"wasm_load_bpf_object", "ii:I", h_load},
		{"wasm_attach_bpf_program", "Iii:i", h_attach},
		{"wasm_bpf_buffer_poll", "Iiiiiii:i", h_poll},
		{"wasm_bpf_map_fd_by_name", "Ii:i", h_map_fd},
		{"wasm_bpf_map_operate", "iiiiiI:i", h_map_operate},
		{"wasm_close_bpf_object", "I:i", h_close},
	};
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		if (wasm_imports_add_func_sig(im, WBPF_IMPORT_MODULE, fns[i].name, fns[i].sig,
					      fns[i].fn, h) != 0) {
			snprintf(err, errlen, "cannot register %s.%s: out of memory",
				 WBPF_IMPORT_MODULE, fns[i].name);
			return -1;
		}
	}
	return 0;
}
