#!/bin/sh
# Builds scx_guest (schedcp/vm/guest), statically, against the libbpf 1.5 that
# fetch.sh put in CACHE; rebuilt only when its sources are newer.
#   build-guest.sh CACHE VMDIR      prints the path of the binary
set -eu
CACHE=$1
VM=$2
OUT="$CACHE/tools/scx_guest"
mkdir -p "$CACHE/tools"
if [ -x "$OUT" ] && [ "$OUT" -nt "$VM/guest/scx_guest.c" ] && [ "$OUT" -nt "$VM/guest/isoc23.c" ]; then
	echo "$OUT"
	exit 0
fi
cc -std=gnu17 -O2 -Wall -Wextra -static -o "$OUT.tmp" -I"$CACHE/libbpf" \
	"$VM/guest/scx_guest.c" "$VM/guest/isoc23.c" "$CACHE/libbpf/libbpf.a" \
	-lelf -lz -lm -lpthread >&2
mv "$OUT.tmp" "$OUT"
echo "$OUT"
