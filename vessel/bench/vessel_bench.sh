#!/bin/sh
# vessel_bench.sh: the Vessels benchmarks (docs/vessels.md, "Measured").
#
#   1. safe points: the same kernels on the runtime as shipped and on
#      isthmus_wasm_nosp (WASM_NO_SAFEPOINTS); ratio = with / without
#   2. checkpoint: image size and checkpoint / restore time against memory
#      size (1, 16, 64, 256 MiB of pseudo-random data)
#   3. migration between two docks on loopback: downtime and total time of
#      stop-and-copy against pre-copy, for a guest with 1, 64 and 256 MiB
#      filled and a 1 MiB hot working set; ratio = stop-and-copy downtime /
#      pre-copy downtime
#
# usage: vessel_bench.sh SP_BENCH NOSP_BENCH KERNELS.wasm CKPT_BENCH MEM.wasm DOCK VSLCTL DIRTY.wasm
set -u
sp=$1 nosp=$2 kernels=$3 ckpt=$4 memwasm=$5 dock=$6 vslctl=$7 dirty=$8
reps=${VSL_BENCH_REPS:-5}

rounds=${VSL_BENCH_ROUNDS:-3}
echo "== safe-point checks: best of $rounds x $reps runs, the builds interleaved =="
: >nosp.all
: >plain.all
: >fuel.all
for r in $(seq "$rounds"); do
	"$nosp" "$kernels" "$reps" >>nosp.all || exit 1
	"$sp" "$kernels" "$reps" plain >>plain.all || exit 1
	"$sp" "$kernels" "$reps" fuel >>fuel.all || exit 1
done
best() { sort -k1,1 -k2,2n "$1" | awk '!seen[$1]++'; }
best nosp.all >nosp.txt
for mode in plain fuel; do
	best $mode.all >sp.txt
	echo "-- safe points in, fuel $([ $mode = fuel ] && echo counted || echo off) --"
	printf "%-8s %14s %14s %8s\n" kernel "with (ms)" "without (ms)" ratio
	join sp.txt nosp.txt | while read -r k t1 r1 t2 r2; do
		[ "$r1" = "$r2" ] || { echo "FAIL: $k: results differ ($r1, $r2)"; exit 1; }
		awk -v k="$k" -v a="$t1" -v b="$t2" \
			'BEGIN { printf "%-8s %14.1f %14.1f %8.3f\n", k, a / 1e6, b / 1e6, a / b }'
	done
done
rm -f sp.txt nosp.txt nosp.all plain.all fuel.all

echo "== checkpoint size and time against memory size =="
printf "%8s %14s %16s %14s\n" MiB "image bytes" "checkpoint (ms)" "restore (ms)"
"$ckpt" "$memwasm" 1 16 64 256 | while read -r m b c r; do
	printf "%8s %14s %16s %14s\n" "$m" "$b" "$c" "$r"
done

echo "== migration: stop-and-copy against pre-copy (docks on loopback) =="
work=$(mktemp -d "${TMPDIR:-/tmp}/vsl-bench-XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
echo "bench-token-$$" >"$work/tok"
for d in A B; do
	"$dock" --listen 127.0.0.1:0 --port-file "$work/$d.port" --token-file "$work/tok" \
		2>"$work/$d.log" &
	pids="$pids $!"
done
i=0
while { [ ! -s "$work/A.port" ] || [ ! -s "$work/B.port" ]; } && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
A=127.0.0.1:$(cat "$work/A.port") B=127.0.0.1:$(cat "$work/B.port")
ctl() { "$vslctl" --dock "$@"; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
printf "%6s | %12s %12s | %12s %12s %10s %6s | %8s\n" MiB "s&c down ms" "s&c total" \
	"pre down ms" "pre total" "pre MiB" rounds ratio
for mib in 1 64 256; do
	out=$work/dirty-$mib.out
	id=$(ctl "$A" --token-file "$work/tok" run --stdout "$out" "$dirty" $mib 2000000000) ||
		exit 1
	i=0
	while ! grep -q filled "$out" 2>/dev/null && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	s=$(ctl "$A" --token-file "$work/tok" migrate "$id" "$B") || exit 1
	id=$(echo "$s" | awk '{print $2}')
	p=$(ctl "$B" --token-file "$work/tok" migrate --precopy "$id" "$A") || exit 1
	id=$(echo "$p" | awk '{print $2}')
	ctl "$A" --token-file "$work/tok" kill "$id" >/dev/null
	awk -v m=$mib -v sd="$(field "$s" downtime_ms)" -v st="$(field "$s" total_ms)" \
		-v pd="$(field "$p" downtime_ms)" -v pt="$(field "$p" total_ms)" \
		-v pb="$(field "$p" precopy_bytes)" -v r="$(field "$p" rounds)" \
		'BEGIN { printf "%6d | %12.1f %12.1f | %12.1f %12.1f %10.1f %6d | %8.2f\n",
			m, sd, st, pd, pt, pb / 1048576, r, sd / pd }'
done
