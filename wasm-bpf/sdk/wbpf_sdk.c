/* wbpf_sdk.c: the guest library behind wbpf_sdk.h, compiled into every tool
 * (wasm32-wasi). A thin layer over the host ABI: it keeps the object handle
 * and the buffers of an object so that destroying it frees them all.
 */
#include "wbpf_sdk.h"

#include <errno.h>
#include <stdlib.h>

#define WBPF_MAX_BUFFERS 16

struct wbpf_buffer {
	struct wbpf_object *obj;
	int fd;
	wbpf_sample_fn fn;
	void *ctx;
	char *data;
	size_t max_size;
};

struct wbpf_object {
	const void *data;
	size_t size;
	uint64_t handle;
	struct wbpf_buffer *bufs[WBPF_MAX_BUFFERS];
	int nbufs;
};

struct wbpf_object *wbpf_object_open(const void *data, size_t size)
{
	struct wbpf_object *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->data = data ? data : wbpf_embedded_object;
	o->size = data ? size : wbpf_embedded_object_size;
	return o;
}

int wbpf_object_load(struct wbpf_object *o)
{
	if (!o || o->handle)
		return -EINVAL;
	if (o->size > 0x7fffffff)
		return -E2BIG;
	o->handle = wasm_load_bpf_object(o->data, (int)o->size);
	return o->handle ? 0 : -EINVAL;
}

int wbpf_object_attach(struct wbpf_object *o, const char *prog, const char *target)
{
	if (!o || !o->handle || !prog)
		return -EINVAL;
	return wasm_attach_bpf_program(o->handle, prog, target ? target : "");
}

int wbpf_object_attach_all(struct wbpf_object *o, const char *const *progs)
{
	for (; progs && *progs; progs++) {
		int e = wbpf_object_attach(o, *progs, "");
		if (e)
			return e;
	}
	return 0;
}

int wbpf_object_map_fd(struct wbpf_object *o, const char *map)
{
	if (!o || !o->handle || !map)
		return -EINVAL;
	return wasm_bpf_map_fd_by_name(o->handle, map);
}

void wbpf_object_destroy(struct wbpf_object *o)
{
	if (!o)
		return;
	if (o->handle)
		wasm_close_bpf_object(o->handle);
	for (int i = 0; i < o->nbufs; i++) {
		free(o->bufs[i]->data);
		free(o->bufs[i]);
	}
	free(o);
}

int wbpf_map_lookup(int fd, const void *key, void *value)
{
	return wasm_bpf_map_operate(fd, WBPF_MAP_LOOKUP, (void *)key, value, NULL, 0);
}

int wbpf_map_update(int fd, const void *key, const void *value, uint64_t flags)
{
	return wasm_bpf_map_operate(fd, WBPF_MAP_UPDATE, (void *)key, (void *)value, NULL, flags);
}

int wbpf_map_delete(int fd, const void *key)
{
	return wasm_bpf_map_operate(fd, WBPF_MAP_DELETE, (void *)key, NULL, NULL, 0);
}

int wbpf_map_next_key(int fd, const void *key, void *next_key)
{
	return wasm_bpf_map_operate(fd, WBPF_MAP_GET_NEXT_KEY, (void *)key, NULL, next_key, 0);
}

struct wbpf_buffer *wbpf_buffer_new(struct wbpf_object *o, const char *map, wbpf_sample_fn fn,
				    void *ctx, size_t max_size)
{
	if (!o || !fn || max_size == 0 || max_size > 0x7fffffff || o->nbufs == WBPF_MAX_BUFFERS)
		return NULL;
	int fd = wbpf_object_map_fd(o, map);
	if (fd < 0)
		return NULL;
	struct wbpf_buffer *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (!(b->data = malloc(max_size))) {
		free(b);
		return NULL;
	}
	b->obj = o;
	b->fd = fd;
	b->fn = fn;
	b->ctx = ctx;
	b->max_size = max_size;
	o->bufs[o->nbufs++] = b;
	return b;
}

int wbpf_buffer_poll(struct wbpf_buffer *b, int timeout_ms)
{
	if (!b)
		return -EINVAL;
	/* On wasm32 a function pointer is its index in table 0. */
	return wasm_bpf_buffer_poll(b->obj->handle, b->fd, (int)(uintptr_t)b->fn,
				    (uint32_t)(uintptr_t)b->ctx, b->data, (int)b->max_size,
				    timeout_ms);
}
