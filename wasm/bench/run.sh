#!/usr/bin/env bash
# The Wasm runtime against native code: each compute kernel (bench/*.c) and
# the SQLite workload, built natively with -O2 and for wasm32-wasi with -O2,
# run natively and under `vessel run`, interleaved (native, Wasm, native,
# Wasm...) so that a change in machine load hits both sides. Prints per
# kernel the best wall time of each side over ROUNDS rounds, their ratio
# wasm/native, and the geometric mean of the ratios. Fails if a kernel's
# output under vessel differs from native.
#
#   run.sh VESSEL BINDIR SQLITE_DIR NATIVE_CC WASM_CLANG [ROUNDS]
# BINDIR holds wasi_bench_<k> (native) and wasi_bench_<k>.wasm; SQLITE_DIR
# is the SQLite build cache of tests/guests/sqlite/build.sh.
#
# BENCH_CLOCK=cpu measures each run's CPU time (user + system, from the
# shell's `times`) instead of its wall time: on a machine shared with other
# jobs, waiting for a core then no longer counts against either side.
set -u
vessel=$1 bindir=$2 sqlite_dir=$3 cc=$4 wasmcc=$5 rounds=${6:-3}
clock=${BENCH_CLOCK:-wall}
here=$(cd "$(dirname "$0")" && pwd)
kernels=(sieve nbody matmul memsort calls)
sqlite_n=200000

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
have_sqlite=0
if "$here/../tests/guests/sqlite/build.sh" "$sqlite_dir" "$cc" "$wasmcc" >"$tmp/sqlite.log"; then
	have_sqlite=1
	kernels+=(sqlite)
else
	echo "note: the SQLite workload is left out: $(tail -1 "$tmp/sqlite.log")"
fi

# now VAR: sets VAR to microseconds, of wall time or of the CPU time of the
# finished children of this shell (`times`, run here and not in a subshell)
now() {
	if [ "$clock" = cpu ]; then
		local t f=$tmp/times.$BASHPID
		times >"$f"
		t=$(tail -1 "$f") # "XmY.YYYs XmY.YYYs"
		printf -v "$1" '%s' "$(awk -v t="$t" 'BEGIN { split(t, f, /[ms ]+/)
			printf "%.0f", ((f[1] + f[3]) * 60 + f[2] + f[4]) * 1e6 }')"
	else
		printf -v "$1" '%s' "${EPOCHREALTIME/./}"
	fi
}

# run_one KERNEL SIDE -> output in $tmp/KERNEL.SIDE.out, time in microseconds
run_one() {
	local k=$1 side=$2 t0 t1
	if [ "$k" = sqlite ]; then
		rm -rf "$tmp/db.$side"
		mkdir "$tmp/db.$side"
		now t0
		if [ "$side" = native ]; then
			"$sqlite_dir/sqlrun" "$tmp/db.native" db.sqlite $sqlite_n \
				<"$here/../tests/guests/sqlite/workload.sql" >"$tmp/$k.$side.out"
		else
			"$vessel" run --dir "$tmp/db.wasm::/work" "$sqlite_dir/sqlrun.wasm" /work db.sqlite \
				$sqlite_n <"$here/../tests/guests/sqlite/workload.sql" >"$tmp/$k.$side.out"
		fi
	else
		now t0
		if [ "$side" = native ]; then
			"$bindir/wasi_bench_$k" >"$tmp/$k.$side.out"
		else
			"$vessel" run "$bindir/wasi_bench_$k.wasm" >"$tmp/$k.$side.out"
		fi
	fi
	local rc=$?
	now t1
	if [ $rc != 0 ]; then
		echo "FAIL: $k ($side) exited with $rc" >&2
		exit 1
	fi
	echo $((t1 - t0))
}

declare -A best
for ((r = 0; r < rounds; r++)); do
	for k in "${kernels[@]}"; do
		for side in native wasm; do
			t=$(run_one "$k" $side) || exit 1
			if [ -z "${best[$k.$side]:-}" ] || [ "$t" -lt "${best[$k.$side]}" ]; then
				best[$k.$side]=$t
			fi
		done
		if ! cmp -s "$tmp/$k.native.out" "$tmp/$k.wasm.out"; then
			echo "FAIL: $k prints differently under vessel"
			diff "$tmp/$k.native.out" "$tmp/$k.wasm.out" | head
			exit 1
		fi
	done
done

echo "Wasm (vessel run) against native, both -O2; best $clock time of $rounds interleaved rounds"
printf '%-10s %10s %10s %8s\n' kernel native_s wasm_s ratio
logsum=0
for k in "${kernels[@]}"; do
	n=${best[$k.native]} w=${best[$k.wasm]}
	ratio=$(awk -v w="$w" -v n="$n" 'BEGIN { printf "%.2f", w / n }')
	printf '%-10s %10.3f %10.3f %8s\n' "$k" "$(awk -v t="$n" 'BEGIN{print t/1e6}')" \
		"$(awk -v t="$w" 'BEGIN{print t/1e6}')" "$ratio"
	logsum=$(awk -v s="$logsum" -v w="$w" -v n="$n" 'BEGIN { printf "%.9f", s + log(w / n) }')
done
geo=$(awk -v s="$logsum" -v c=${#kernels[@]} 'BEGIN { printf "%.2f", exp(s / c) }')
echo "geometric mean of wasm/native over ${#kernels[@]} kernels: ${geo}x (goal: within 5x)"
