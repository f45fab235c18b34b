/* hostile.c: a guest (wasm32, reactor) that calls the wasm_bpf imports with
 * out-of-range pointers and lengths, corrupt objects, unknown names, bad
 * handles, fds and attach targets, one export per case; hostile_test.c calls
 * each and checks the return code and the host's log line. Some exports
 * also check, from inside the sandbox, that the host wrote no byte beyond
 * what it was allowed to. */
#include <stdint.h>
#include <string.h>

#include "hostile.h"
#include "wbpf_sdk.h"

#define EXPORT(n) __attribute__((export_name(#n)))

static uint64_t handle;

static uint8_t *mem_end(void)
{
	return (uint8_t *)(uintptr_t)(__builtin_wasm_memory_size(0) * 65536);
}

EXPORT(load_oob) int32_t load_oob(void)
{
	return wasm_load_bpf_object((const void *)0xfffffff0u, 100) != 0;
}

EXPORT(load_span) int32_t load_span(void)
{
	return wasm_load_bpf_object(mem_end() - 10, 100) != 0;
}

EXPORT(load_negative) int32_t load_negative(void)
{
	return wasm_load_bpf_object(wbpf_embedded_object, -1) != 0;
}

EXPORT(load_huge) int32_t load_huge(void)
{
	return wasm_load_bpf_object(wbpf_embedded_object, 0x7fffffff) != 0;
}

static uint8_t junk[4096];

EXPORT(load_corrupt) int32_t load_corrupt(void)
{
	memcpy(junk,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	for (size_t i = 7; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	return wasm_load_bpf_object(junk, sizeof(junk)) != 0;
}

EXPORT(load_truncated) int32_t load_truncated(void)
{
	return wasm_load_bpf_object(wbpf_embedded_object, (int)wbpf_embedded_object_size / 2) != 0;
}

/* The valid object, kept for the cases below. */
EXPORT(load_valid) int32_t load_valid(void)
{
	handle = wasm_load_bpf_object(wbpf_embedded_object, (int)wbpf_embedded_object_size);
	return handle != 0;
}

EXPORT(attach_unknown) int32_t attach_unknown(void)
{
	return wasm_attach_bpf_program(handle, "no_such_program", "");
}

EXPORT(attach_name_oob) int32_t attach_name_oob(void)
{
	return wasm_attach_bpf_program(handle, (const char *)0xfffffff0u, "");
}

EXPORT(attach_name_unterminated) int32_t attach_name_unterminated(void)
{
	uint8_t *end = mem_end();
	memset(end - 8, 'x', 8);
	return wasm_attach_bpf_program(handle, (const char *)(end - 8), "");
}

EXPORT(attach_target_oob) int32_t attach_target_oob(void)
{
	return wasm_attach_bpf_program(handle, "pass_all", (const char *)(mem_end() + 16));
}

EXPORT(attach_bad_iface) int32_t attach_bad_iface(void)
{
	return wasm_attach_bpf_program(handle, "pass_all", "wbpf_nosuch0");
}

EXPORT(attach_tp_target) int32_t attach_tp_target(void)
{
	return wasm_attach_bpf_program(handle, "on_getppid", "lo");
}

EXPORT(attach_forged) int32_t attach_forged(void)
{
	return wasm_attach_bpf_program(handle ^ (1ULL << 32), "on_getppid", "");
}

EXPORT(attach_ok) int32_t attach_ok(void)
{
	return wasm_attach_bpf_program(handle, "on_getppid", "");
}

EXPORT(map_unknown) int32_t map_unknown(void)
{
	return wasm_bpf_map_fd_by_name(handle, "no_such_map");
}

EXPORT(map_name_oob) int32_t map_name_oob(void)
{
	return wasm_bpf_map_fd_by_name(handle, (const char *)0x7ffffff0u);
}

static uint32_t key0;
static uint64_t val;

EXPORT(map_host_fd) int32_t map_host_fd(void)
{
	/* fd 1 is the host's stdout, not a map of this guest. */
	return wasm_bpf_map_operate(1, WBPF_MAP_LOOKUP, &key0, &val, NULL, 0);
}

EXPORT(map_key_oob) int32_t map_key_oob(void)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "arr");
	return wasm_bpf_map_operate(fd, WBPF_MAP_LOOKUP, (void *)0xfffffff0u, &val, NULL, 0);
}

EXPORT(map_value_span) int32_t map_value_span(void)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "arr");
	/* 4 bytes left, the value needs 8. */
	return wasm_bpf_map_operate(fd, WBPF_MAP_LOOKUP, &key0, mem_end() - 4, NULL, 0);
}

/* A per-CPU value is 8 bytes per possible CPU: the last ncpu * 8 bytes of
 * memory fit exactly, one byte less does not. */
EXPORT(map_pcpu_fits) int32_t map_pcpu_fits(int32_t ncpu)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "pcpu");
	return wasm_bpf_map_operate(fd, WBPF_MAP_LOOKUP, &key0, mem_end() - 8 * ncpu, NULL, 0);
}

EXPORT(map_pcpu_short) int32_t map_pcpu_short(int32_t ncpu)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "pcpu");
	return wasm_bpf_map_operate(fd, WBPF_MAP_LOOKUP, &key0, mem_end() - 8 * ncpu + 1, NULL, 0);
}

EXPORT(map_next_oob) int32_t map_next_oob(void)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "arr");
	return wasm_bpf_map_operate(fd, WBPF_MAP_GET_NEXT_KEY, NULL, NULL, mem_end() - 2, 0);
}

EXPORT(map_bad_cmd) int32_t map_bad_cmd(void)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "arr");
	return wasm_bpf_map_operate(fd, 99, &key0, &val, NULL, 0);
}

/* Update then look up into an 8-byte slot followed by a canary: 0 when the
 * value came back and not one canary byte changed. */
EXPORT(map_canary) int32_t map_canary(void)
{
	static uint8_t area[8 + 64];
	int fd = wasm_bpf_map_fd_by_name(handle, "arr");
	uint32_t k = 2;
	uint64_t v = 0x1122334455667788ULL;
	memset(area, 0xaa, sizeof(area));
	if (wbpf_map_update(fd, &k, &v, WBPF_ANY))
		return 1;
	if (wbpf_map_lookup(fd, &k, area))
		return 2;
	uint64_t got;
	memcpy(&got, area, 8);
	if (got != v)
		return 3;
	for (size_t i = 8; i < sizeof(area); i++)
		if (area[i] != 0xaa)
			return 4;
	return 0;
}

EXPORT(set_pid) int32_t set_pid(int32_t pid)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "hostile_cfg");
	struct hostile_config c = {.pid = (__u32)pid};
	return wbpf_map_update(fd, &key0, &c, WBPF_ANY);
}

static uint8_t data[64 + 64];
static int32_t last_size, calls, canary_ok, magic_ok;

static int on_record(void *ctx, void *d, size_t size)
{
	(void)ctx;
	calls++;
	last_size = (int32_t)size;
	canary_ok = 1;
	for (size_t i = size; i < sizeof(data); i++)
		if (data[i] != 0xaa)
			canary_ok = 0;
	uint32_t m;
	memcpy(&m, (uint8_t *)d + 4, 4);
	magic_ok = size >= 8 && m == HOSTILE_MAGIC;
	return 0;
}

static int grow_cb(void *ctx, void *d, size_t size)
{
	(void)ctx;
	(void)d;
	(void)size;
	calls++;
	__builtin_wasm_memory_grow(0, 1);
	return 0;
}

static int stop_cb(void *ctx, void *d, size_t size)
{
	(void)ctx;
	(void)d;
	(void)size;
	return 7;
}

static int trap_cb(void *ctx, void *d, size_t size)
{
	(void)ctx;
	(void)d;
	(void)size;
	__builtin_trap();
}

static int32_t nested_ret = 1;

static int nested_cb(void *ctx, void *d, size_t size)
{
	(void)ctx;
	(void)d;
	(void)size;
	int fd = wasm_bpf_map_fd_by_name(handle, "events");
	static uint8_t inner[64];
	nested_ret = wasm_bpf_buffer_poll(handle, fd, (int)(uintptr_t)nested_cb, 0, (char *)inner,
					  64, 0);
	return 0;
}

static int wrong_sig(int x)
{
	return x;
}

static int poll_with(int (*fn)(void *, void *, size_t), int max)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "events");
	memset(data, 0xaa, sizeof(data));
	return wasm_bpf_buffer_poll(handle, fd, (int)(uintptr_t)fn, 0, (char *)data, max, 200);
}

/* Records of 64 bytes into a 16-byte area. */
EXPORT(poll_short) int32_t poll_short(void)
{
	calls = 0;
	return poll_with(on_record, 16);
}
EXPORT(poll_full) int32_t poll_full(void)
{
	calls = 0;
	return poll_with(on_record, 64);
}
EXPORT(poll_grow) int32_t poll_grow(void)
{
	calls = 0;
	return poll_with(grow_cb, 64);
}
EXPORT(poll_stop) int32_t poll_stop(void)
{
	return poll_with(stop_cb, 64);
}
EXPORT(poll_trap) int32_t poll_trap(void)
{
	return poll_with(trap_cb, 64);
}
/* A callback that polls its own buffer again. */
EXPORT(poll_nested) int32_t poll_nested(void)
{
	return poll_with(nested_cb, 64);
}
EXPORT(nested_ret_) int32_t nested_ret_(void)
{
	return nested_ret;
}
EXPORT(last_size_) int32_t last_size_(void)
{
	return last_size;
}
EXPORT(calls_) int32_t calls_(void)
{
	return calls;
}
EXPORT(canary_ok_) int32_t canary_ok_(void)
{
	return canary_ok;
}
EXPORT(magic_ok_) int32_t magic_ok_(void)
{
	return magic_ok;
}

EXPORT(poll_bad_handle) int32_t poll_bad_handle(void)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "events");
	return wasm_bpf_buffer_poll(handle + 5, fd, (int)(uintptr_t)on_record, 0, (char *)data, 64,
				    0);
}

EXPORT(poll_data_oob) int32_t poll_data_oob(void)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "events");
	return wasm_bpf_buffer_poll(handle, fd, (int)(uintptr_t)on_record, 0,
				    (char *)(mem_end() - 8), 64, 0);
}

EXPORT(poll_bad_func) int32_t poll_bad_func(void)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "events");
	return wasm_bpf_buffer_poll(handle, fd, 100000, 0, (char *)data, 64, 0);
}

EXPORT(poll_wrong_sig) int32_t poll_wrong_sig(void)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "events");
	return wasm_bpf_buffer_poll(handle, fd, (int)(uintptr_t)wrong_sig, 0, (char *)data, 64, 0);
}

EXPORT(poll_not_buffer) int32_t poll_not_buffer(void)
{
	int fd = wasm_bpf_map_fd_by_name(handle, "arr");
	return wasm_bpf_buffer_poll(handle, fd, (int)(uintptr_t)on_record, 0, (char *)data, 64, 0);
}

EXPORT(close_obj) int32_t close_obj(void)
{
	return wasm_close_bpf_object(handle);
}
