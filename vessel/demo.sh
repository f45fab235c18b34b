#!/bin/sh
# The Vessels demo (make demo): a running Wasm program is stopped half-way,
# its whole state written to a machine-independent image, the image shown,
# and the program resumed from it in a new process; what the two halves
# print together is what an uninterrupted run prints.
#
#   demo.sh BUILD_DIR
set -u
build=${1:?usage: demo.sh BUILD_DIR}
ctl=$build/vessel/vslctl
guest=$build/vessel/vessel_guest_compute.wasm
[ -x "$ctl" ] || { echo "demo: $ctl not built (make)" >&2; exit 1; }
work=$(mktemp -d /tmp/vessel-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$ctl" run --count "$guest" >"$work/full.out" 2>"$work/count" || exit 1
total=$(grep -o '[0-9][0-9]*' "$work/count" | tail -1)
half=$((total / 2))
echo "== an uninterrupted run passes $total safe points and prints:"
cat "$work/full.out"
echo "== vslctl checkpoint --fuel $half: stop half-way, write the image"
"$ctl" checkpoint --fuel "$half" -o "$work/image.vsl" "$guest" >"$work/part1.out" || exit 1
echo "== vslctl inspect image.vsl"
"$ctl" inspect "$work/image.vsl" || exit 1
echo "== vslctl resume image.vsl: a new process finishes the run"
"$ctl" resume "$work/image.vsl" >"$work/part2.out" || exit 1
if cat "$work/part1.out" "$work/part2.out" | cmp -s - "$work/full.out"; then
	echo "== before the stop + after the resume = the uninterrupted run, byte for byte"
else
	echo "demo: the resumed run's output differs" >&2
	exit 1
fi
