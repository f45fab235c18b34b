#!/usr/bin/env bash
# Runs one guest program natively and as Wasm, and checks that the two runs
# are the same: stdout byte for byte, stderr byte for byte (unless the guest
# traps), the files left in the working directory (names, types, contents,
# link targets) and the exit status.
#
#   run_guest.sh [OPTIONS] ENGINE NATIVE MODULE.wasm [ARGS...]
#
# ENGINE is the path of `vessel`, or `node` for Node.js's WASI (through
# run_wasi_node.mjs), an independent engine the guests are checked against.
# Options:
#   --workdir        give the guest a fresh working directory as argv[1]
#                    (natively its host path, under WASI /work preopened)
#   --stdin FILE     feed FILE to both runs' stdin (default /dev/null)
#   --env K=V        set K=V in both runs' environment (otherwise empty)
#   --trap           the guest must trap: natively killed by a signal,
#                    under WASI exit status 134; stdout must still match
#   --engine-opt O   pass O to the engine before the module (repeatable)
set -u
here=$(cd "$(dirname "$0")" && pwd)
workdir=0 stdin=/dev/null trap=0
envs=() engine_opts=()
while [ $# -gt 0 ]; do
	case "$1" in
	--workdir) workdir=1; shift ;;
	--stdin) stdin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
	--env) envs+=("$2"); shift 2 ;;
	--trap) trap=1; shift ;;
	--engine-opt) engine_opts+=("$2"); shift 2 ;;
	*) break ;;
	esac
done
if [ $# -lt 3 ]; then
	echo "usage: run_guest.sh [--workdir] [--stdin F] [--env K=V] [--trap] ENGINE NATIVE MODULE [ARGS...]" >&2
	exit 2
fi
engine=$1 native=$2 module=$3
shift 3
name=$(basename "$module" .wasm)

if [ "$engine" = node ]; then
	command -v node >/dev/null || { echo "SKIPPED: node is not installed"; exit 77; }
	run_engine=(node --no-warnings "$here/run_wasi_node.mjs")
else
	run_engine=("$engine" run)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/native" "$tmp/wasm"

nargs=() wargs=() eopts=()
if [ $workdir = 1 ]; then
	nargs=("$tmp/native")
	wargs=(/work)
	eopts=(--dir "$tmp/wasm::/work")
fi
for kv in "${envs[@]+"${envs[@]}"}"; do
	eopts+=(--env "$kv")
done
eopts+=("${engine_opts[@]+"${engine_opts[@]}"}")

(cd "$tmp/native" && env -i "${envs[@]+"${envs[@]}"}" "$native" "${nargs[@]+"${nargs[@]}"}" "$@" \
	<"$stdin" >"$tmp/native.out" 2>"$tmp/native.err")
nrc=$?
(cd "$tmp" && "${run_engine[@]}" "${eopts[@]}" "$module" "${wargs[@]+"${wargs[@]}"}" "$@" \
	<"$stdin" >"$tmp/wasm.out" 2>"$tmp/wasm.err")
wrc=$?

fail=0
if ! cmp -s "$tmp/native.out" "$tmp/wasm.out"; then
	echo "FAIL: $name: stdout differs (native < > wasm)"
	diff "$tmp/native.out" "$tmp/wasm.out" | head -40
	fail=1
fi
if [ $trap = 1 ]; then
	if [ $nrc -lt 128 ]; then
		echo "FAIL: $name: expected the native build to die of a signal, status $nrc"
		fail=1
	fi
	if [ $wrc != 134 ]; then
		echo "FAIL: $name: expected a trap (status 134) under $engine, got $wrc"
		cat "$tmp/wasm.err"
		fail=1
	fi
else
	if ! cmp -s "$tmp/native.err" "$tmp/wasm.err"; then
		echo "FAIL: $name: stderr differs (native < > wasm)"
		diff "$tmp/native.err" "$tmp/wasm.err" | head -20
		fail=1
	fi
	if [ $nrc != $wrc ]; then
		echo "FAIL: $name: exit status native $nrc, wasm $wrc"
		cat "$tmp/wasm.err"
		fail=1
	fi
fi
listing() {
	(cd "$1" && find . -mindepth 1 \( -type d -printf 'd %p\n' \) -o \( -type l -printf 'l %p -> %l\n' \) \
		-o \( -type f -printf 'f %p %s\n' \) -o -printf '? %p\n' | LC_ALL=C sort)
}
if ! diff <(listing "$tmp/native") <(listing "$tmp/wasm") >"$tmp/tree.diff"; then
	echo "FAIL: $name: the files left differ (native < > wasm)"
	head -40 "$tmp/tree.diff"
	fail=1
elif ! diff -r --no-dereference "$tmp/native" "$tmp/wasm" >"$tmp/content.diff" 2>&1; then
	echo "FAIL: $name: file contents differ"
	head -20 "$tmp/content.diff"
	fail=1
fi
if [ $fail = 0 ]; then
	echo "ok: $name under $engine: stdout $(wc -c <"$tmp/wasm.out") bytes, status $wrc," \
		"$(listing "$tmp/wasm" | wc -l) files: same as native"
fi
exit $fail
