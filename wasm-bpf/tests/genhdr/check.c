/* check.c: compiled by genhdr_test.sh for wasm32 and for i386 (where u64 is
 * 4-aligned and long and pointers are 4 bytes) with the header wbpf-genhdr
 * wrote for struct gh_mixed; the same offsets as layout.bpf.c asserts on the
 * kernel side, written out again here, must hold in both. */
#include "layout_gen.h"

_Static_assert(sizeof(struct gh_inner) == 8, "gh_inner size");
_Static_assert(__builtin_offsetof(struct gh_inner, b) == 4, "gh_inner.b");
_Static_assert(sizeof(struct gh_mixed) == 72, "gh_mixed size");
_Static_assert(_Alignof(struct gh_mixed) == 8, "gh_mixed alignment");
_Static_assert(__builtin_offsetof(struct gh_mixed, flag) == 0, "gh_mixed.flag");
_Static_assert(__builtin_offsetof(struct gh_mixed, ts) == 8, "gh_mixed.ts");
_Static_assert(__builtin_offsetof(struct gh_mixed, port) == 16, "gh_mixed.port");
_Static_assert(sizeof(((struct gh_mixed *)0)->port) == 6, "gh_mixed.port size");
_Static_assert(__builtin_offsetof(struct gh_mixed, in) == 24, "gh_mixed.in");
_Static_assert(__builtin_offsetof(struct gh_mixed, in.b) == 28, "gh_mixed.in.b");
_Static_assert(__builtin_offsetof(struct gh_mixed, tail) == 32, "gh_mixed.tail");
_Static_assert(__builtin_offsetof(struct gh_mixed, l) == 40, "gh_mixed.l");
_Static_assert(sizeof(((struct gh_mixed *)0)->l) == 8, "gh_mixed.l size");
_Static_assert(__builtin_offsetof(struct gh_mixed, p) == 48, "gh_mixed.p");
_Static_assert(sizeof(((struct gh_mixed *)0)->p) == 8, "gh_mixed.p size");
_Static_assert(__builtin_offsetof(struct gh_mixed, un) == 56, "gh_mixed.un");
_Static_assert(sizeof(((struct gh_mixed *)0)->un) == 8, "gh_mixed.un size");
_Static_assert(__builtin_offsetof(struct gh_mixed, name) == 64, "gh_mixed.name");

int gh_check(void);
int gh_check(void)
{
	struct gh_mixed m = {.un.u = 1};
	return m.un.bytes[0];
}
