#!/bin/sh
# genhdr_test.sh: wbpf-genhdr on layout.bpf.o must give struct gh_mixed the
# kernel's offsets in the 32-bit guest. Three checks: (1) every offset the
# generated header asserts equals the bits_offset/8 that bpftool prints for
# the same member of the object's BTF (an independent reader); (2) check.c,
# with offsets written out by hand from the LP64 rules, compiles against the
# header for wasm32 and for i386; (3) a struct missing from the BTF is an
# error, not an empty header.
# usage: genhdr_test.sh GENHDR OBJ BPFTOOL CLANG SRCDIR
set -e
GENHDR=$1 OBJ=$2 BPFTOOL=$3 CLANG=$4 SRC=$5
T=$(mktemp -d /tmp/wbpf-genhdr.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$GENHDR" "$OBJ" "$T/layout_gen.h" gh_mixed || fail "wbpf-genhdr failed"

# (1) bpftool's view: lines after [N] STRUCT 'gh_mixed' until the next type.
"$BPFTOOL" btf dump file "$OBJ" >"$T/btf.txt"
awk "/^\[[0-9]+\] STRUCT 'gh_mixed'/ {s=1; next} /^\[/ {s=0}
     s && /bits_offset=/ { n=\$1; gsub(\"'\", \"\", n); o=\$0;
       sub(/.*bits_offset=/, \"\", o); print n, o/8 }" "$T/btf.txt" >"$T/want"
[ "$(wc -l <"$T/want")" -eq 9 ] || fail "bpftool shows $(wc -l <"$T/want") members of gh_mixed, expected 9"
sed -n 's/^_Static_assert(__builtin_offsetof(struct gh_mixed, \([a-z]*\)) == \([0-9]*\),.*/\1 \2/p' \
	"$T/layout_gen.h" >"$T/got"
diff "$T/want" "$T/got" || fail "the header's offsets differ from bpftool's"
grep -q '_Static_assert(sizeof(struct gh_mixed) == 72' "$T/layout_gen.h" ||
	fail "no size assert of 72"

# (2) the header in the two 32-bit targets.
for tgt in wasm32 i386; do
	"$CLANG" --target=$tgt -ffreestanding -std=c17 -Wall -Wextra -Werror -fsyntax-only \
		-I"$T" "$SRC/check.c" || fail "check.c does not hold for $tgt"
done

# (3) a struct the object does not have.
if "$GENHDR" "$OBJ" "$T/none.h" gh_absent 2>"$T/err"; then
	fail "wbpf-genhdr accepted a missing struct"
fi
grep -q "no struct gh_absent" "$T/err" || fail "no error naming gh_absent: $(cat "$T/err")"
[ ! -e "$T/none.h" ] || fail "a header was left for a missing struct"
echo "PASS genhdr"
