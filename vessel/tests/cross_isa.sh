#!/bin/sh
# cross_isa.sh: Vessels acceptance 2 at the library level. Builds vslctl
# (runtime + WASI + vessel code, static) for s390x (big-endian) and aarch64
# with Debian's cross compilers, then moves each guest mid-computation
# x86-64 -> s390x -> aarch64 -> x86-64 as image files, the foreign steps
# under qemu-user, and checks that the concatenated output (and the files
# the guest wrote) are byte-identical to an unmigrated run on x86-64.
#
# usage: cross_isa.sh SOURCE_DIR CROSS_BUILD_ROOT HOST_VSLCTL NAME=GUEST.wasm...
# Exits 77 with "SKIPPED: reason" when a cross compiler or qemu-user is
# missing.
set -u
src=$1 croot=$2 host=$3
shift 3

for arch in s390x aarch64; do
	command -v "$arch-linux-gnu-gcc" >/dev/null 2>&1 ||
		{ echo "SKIPPED: $arch-linux-gnu-gcc is not installed (gcc-$arch-linux-gnu)"; exit 77; }
	command -v "qemu-$arch-static" >/dev/null 2>&1 ||
		{ echo "SKIPPED: qemu-$arch-static is not installed (qemu-user-static)"; exit 77; }
done

fail=0
for arch in s390x aarch64; do
	b=$croot/cross-$arch
	log=$croot/cross-$arch.log
	if [ ! -f "$b/CMakeCache.txt" ]; then
		cmake -S "$src/vessel/cross" -B "$b" \
			-DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchains/$arch-linux-gnu.cmake" \
			>"$log" 2>&1 || { echo "FAIL: configuring the $arch build:"; cat "$log"; exit 1; }
	fi
	cmake --build "$b" -j2 >>"$log" 2>&1 ||
		{ echo "FAIL: building vslctl for $arch:"; tail -40 "$log"; exit 1; }
done
s390x="qemu-s390x-static $croot/cross-s390x/vslctl"
aarch64="qemu-aarch64-static $croot/cross-aarch64/vslctl"

# The s390x build really is big-endian and runs.
$s390x --help >/dev/null || { echo "FAIL: the s390x vslctl does not run under qemu"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/vsl-cross-XXXXXX")
trap 'rm -rf "$work"' EXIT

for spec in "$@"; do
	name=${spec%%=*} wasm=${spec#*=}
	d=$work/$name
	mkdir -p "$d/ref-sandbox" "$d/sandbox"
	# the unmigrated run, counting safe points
	"$host" run --count --dir "$d/ref-sandbox::/sandbox" "$wasm" >"$d/ref.out" 2>"$d/ref.err"
	ref_rc=$?
	total=$(sed -n 's/^vslctl: \([0-9]*\) safe points$/\1/p' "$d/ref.err")
	if [ -z "$total" ] || [ "$total" -lt 100 ]; then
		echo "FAIL: $name: no safe point count from the reference run"; cat "$d/ref.err"
		fail=1; continue
	fi
	# four legs of about 2/7, 2/7, 2/7 and the rest
	n=$((total * 2 / 7))
	"$host" checkpoint --fuel $n -o "$d/1.img" --dir "$d/sandbox::/sandbox" "$wasm" \
		>"$d/1.out" 2>"$d/1.err" && [ -f "$d/1.img" ] ||
		{ echo "FAIL: $name: x86-64 checkpoint"; cat "$d/1.err"; fail=1; continue; }
	$s390x resume --fuel $n -o "$d/2.img" "$d/1.img" >"$d/2.out" 2>"$d/2.err" &&
		[ -f "$d/2.img" ] ||
		{ echo "FAIL: $name: s390x resume and checkpoint"; cat "$d/2.err"; fail=1; continue; }
	$aarch64 resume --fuel $n -o "$d/3.img" "$d/2.img" >"$d/3.out" 2>"$d/3.err" &&
		[ -f "$d/3.img" ] ||
		{ echo "FAIL: $name: aarch64 resume and checkpoint"; cat "$d/3.err"; fail=1; continue; }
	"$host" resume "$d/3.img" >"$d/4.out" 2>"$d/4.err"
	rc=$?
	cat "$d/1.out" "$d/2.out" "$d/3.out" "$d/4.out" >"$d/migrated.out"
	if [ $rc -ne $ref_rc ]; then
		echo "FAIL: $name: exit status $rc after migration, $ref_rc unmigrated"; cat "$d/4.err"
		fail=1
	elif ! cmp -s "$d/migrated.out" "$d/ref.out"; then
		echo "FAIL: $name: output after migration differs:"
		diff "$d/ref.out" "$d/migrated.out" | head -20
		fail=1
	elif ! diff -r "$d/ref-sandbox" "$d/sandbox" >/dev/null; then
		echo "FAIL: $name: files written differ:"; diff -r "$d/ref-sandbox" "$d/sandbox" | head
		fail=1
	else
		echo "ok: $name: $total safe points, x86-64 -> s390x -> aarch64 -> x86-64 at $n," \
			"$((2 * n)), $((3 * n)): $(wc -c <"$d/ref.out") bytes of output identical"
	fi
done
exit $fail
