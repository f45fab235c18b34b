/* wbpf_types.h: the fixed-width kernel types (__u8 ... __s64) under the same
 * names in the three places an event header is compiled: the eBPF program
 * (vmlinux.h, included first, defines them), a native Linux program
 * (<linux/types.h>) and a wasm32 guest (defined here). Event structs shared
 * between them use only these types, explicit padding, and _Static_assert
 * on their size and field offsets, so that the 32-bit guest sees the
 * kernel's layout.
 */
#ifndef WBPF_TYPES_H
#define WBPF_TYPES_H

#if defined(__bpf__)
/* vmlinux.h has been included. */
#elif defined(__linux__)
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int8_t __s8;
typedef int16_t __s16;
typedef int32_t __s32;
typedef int64_t __s64;
#endif

#define WBPF_LAYOUT(type, size) _Static_assert(sizeof(type) == (size), #type " layout")
#define WBPF_OFFSET(type, field, off) \
	_Static_assert(__builtin_offsetof(type, field) == (off), #type "." #field " offset")

#endif /* WBPF_TYPES_H */
