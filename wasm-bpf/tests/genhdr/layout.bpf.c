/* layout.bpf.c: an eBPF object whose only purpose is the BTF of struct
 * gh_mixed, a struct with every layout hazard between the 64-bit kernel and
 * the 32-bit guest: a u8 then a u64, an array, a nested struct, long and a
 * pointer (8 bytes here, 4 in wasm32), a union and a tail pad. The offsets
 * asserted below follow from the LP64 C ABI rules (each field at the next
 * multiple of its alignment); genhdr_test.sh checks that wbpf-genhdr's
 * header puts each field at the same offset in wasm32 and i386. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct gh_inner {
	__u16 a;
	__u32 b;
};

struct gh_mixed {
	__u8 flag;
	__u64 ts;
	__u16 port[3];
	struct gh_inner in;
	__u8 tail;
	long l;
	void *p;
	union {
		__u32 u;
		__u8 bytes[6];
	} un;
	char name[5];
};

_Static_assert(sizeof(struct gh_inner) == 8, "gh_inner size");
_Static_assert(__builtin_offsetof(struct gh_inner, b) == 4, "gh_inner.b");
_Static_assert(sizeof(struct gh_mixed) == 72, "gh_mixed size");
_Static_assert(__builtin_offsetof(struct gh_mixed, ts) == 8, "gh_mixed.ts");
_Static_assert(__builtin_offsetof(struct gh_mixed, port) == 16, "gh_mixed.port");
_Static_assert(__builtin_offsetof(struct gh_mixed, in) == 24, "gh_mixed.in");
_Static_assert(__builtin_offsetof(struct gh_mixed, tail) == 32, "gh_mixed.tail");
_Static_assert(__builtin_offsetof(struct gh_mixed, l) == 40, "gh_mixed.l");
_Static_assert(__builtin_offsetof(struct gh_mixed, p) == 48, "gh_mixed.p");
_Static_assert(__builtin_offsetof(struct gh_mixed, un) == 56, "gh_mixed.un");
_Static_assert(__builtin_offsetof(struct gh_mixed, name) == 64, "gh_mixed.name");

/* Keeps struct gh_mixed in the BTF. */
struct gh_mixed *wbpf_keep_mixed __attribute__((unused));

char LICENSE[] SEC("license") = "GPL";
