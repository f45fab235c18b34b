#!/bin/sh
# dock_cross.sh: heterogeneous docks (issue 5, acceptance 2). Builds the
# dock for aarch64 and s390x (big-endian) with Debian's cross compilers
# (vessel/cross/), starts them under qemu-user beside an x86-64 dock on
# loopback, and moves each guest mid-computation x86-64 -> aarch64 ->
# s390x (pre-copy) -> x86-64 over TCP, held on arrival for another quarter of its safe
# points each time. Output, files written and exit status must be identical
# to an unmigrated run.
#
# usage: dock_cross.sh SOURCE_DIR CROSS_BUILD_ROOT HOST_DOCK HOST_VSLCTL NAME=GUEST.wasm...
# Exits 77 with "SKIPPED: reason" when a cross compiler or qemu-user is
# missing.
set -u
src=$1 croot=$2 dock=$3 vslctl=$4
shift 4

for arch in s390x aarch64; do
	command -v "$arch-linux-gnu-gcc" >/dev/null 2>&1 ||
		{ echo "SKIPPED: $arch-linux-gnu-gcc is not installed (gcc-$arch-linux-gnu)"; exit 77; }
	command -v "qemu-$arch-static" >/dev/null 2>&1 ||
		{ echo "SKIPPED: qemu-$arch-static is not installed (qemu-user-static)"; exit 77; }
done

for arch in s390x aarch64; do
	b=$croot/cross-$arch
	log=$croot/cross-$arch-dock.log
	if [ ! -f "$b/CMakeCache.txt" ]; then
		cmake -S "$src/vessel/cross" -B "$b" \
			-DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchains/$arch-linux-gnu.cmake" \
			>"$log" 2>&1 || { echo "FAIL: configuring the $arch build:"; cat "$log"; exit 1; }
	fi
	cmake --build "$b" --target dock -j2 >>"$log" 2>&1 ||
		{ echo "FAIL: building the dock for $arch:"; tail -40 "$log"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vsl-dockx-XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$work" || exit 1
echo "token-$$" >tok
mkdir sandbox

# start_dock NAME COMMAND...: sets $addr_NAME
start_dock() {
	name=$1
	shift
	"$@" --listen 127.0.0.1:0 --port-file "$name.port" --token-file tok \
		--dir "$work/sandbox::/sandbox" --slice 5000 2>"$name.log" &
	pids="$pids $!"
	i=0
	while [ ! -s "$name.port" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$name.port" ] || { echo "FAIL: dock $name did not start"; cat "$name.log"; exit 1; }
	eval "addr_$name=127.0.0.1:$(cat "$name.port")"
}
ctl() { "$vslctl" --dock "$@"; }
# held ADDR ID: waits until vessel ID is held at ADDR
held() {
	i=0
	while ! ctl "$1" --token-file tok ps | grep -q "^$2 held"; do
		i=$((i + 1))
		[ $i -lt 3000 ] || { echo "FAIL: vessel $2 never held at $1"; return 1; }
		sleep 0.1
	done
}

start_dock X "$dock"
start_dock R qemu-aarch64-static "$croot/cross-aarch64/dock"
start_dock S qemu-s390x-static "$croot/cross-s390x/dock"

fail=0
for spec in "$@"; do
	name=${spec%%=*} wasm=${spec#*=}
	rm -rf sandbox "ref-$name" && mkdir sandbox "ref-$name"
	"$vslctl" run --count --dir "$work/ref-$name::/sandbox" "$wasm" >"ref-$name.out" \
		2>"ref-$name.err"
	ref_rc=$?
	total=$(sed -n 's/^vslctl: \([0-9]*\) safe points$/\1/p' "ref-$name.err")
	[ -n "$total" ] || { echo "FAIL: $name: no safe point count"; fail=1; continue; }
	q=$((total / 4))
	id=$(ctl "$addr_X" --token-file tok run --hold $q --stdout "$work/$name.out" "$wasm") &&
		held "$addr_X" "$id" &&
		m1=$(ctl "$addr_X" --token-file tok migrate --hold $q "$id" "$addr_R") &&
		id=$(echo "$m1" | awk '{print $2}') && held "$addr_R" "$id" &&
		m2=$(ctl "$addr_R" --token-file tok migrate --precopy --hold $q "$id" "$addr_S") &&
		id=$(echo "$m2" | awk '{print $2}') && held "$addr_S" "$id" &&
		m3=$(ctl "$addr_S" --token-file tok migrate "$id" "$addr_X") &&
		id=$(echo "$m3" | awk '{print $2}') ||
		{ echo "FAIL: $name: a leg failed"; tail -3 X.log R.log S.log; fail=1; continue; }
	ctl "$addr_X" --token-file tok wait "$id" 2>/dev/null
	rc=$?
	if [ $rc -ne $ref_rc ]; then
		echo "FAIL: $name: exit status $rc after migration, $ref_rc unmigrated"
		fail=1
	elif ! cmp -s "$name.out" "ref-$name.out"; then
		echo "FAIL: $name: output after migration differs:"
		diff "ref-$name.out" "$name.out" | head -10
		fail=1
	elif ! diff -r "ref-$name" sandbox >/dev/null; then
		echo "FAIL: $name: files differ:"
		diff -r "ref-$name" sandbox | head
		fail=1
	else
		echo "ok: $name: $total safe points, docks x86-64 -> aarch64 -> s390x -> x86-64 at" \
			"$q, $((2 * q)), $((3 * q)): $(wc -c <"ref-$name.out") bytes of output identical"
		echo "    legs: $m1 | $m2 | $m3"
	fi
done
exit $fail
