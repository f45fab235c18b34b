#!/usr/bin/env bash
# The vessel command on good and bad input: usage errors (status 2), modules
# it cannot run (125: missing, not a file, empty, garbage, truncated, invalid,
# unknown or mistyped imports, no _start, a missing --dir), --invoke with its
# argument parsing, the guest's exit status passed through, traps (134),
# fuel (152), memory and call-depth limits, and --env.
#
#   cli_test.sh VESSEL GUEST_DIR
# GUEST_DIR holds the built guests (wasi_guest_*.wasm).
set -u
vessel=$1 guests=$2
here=$(cd "$(dirname "$0")" && pwd)
command -v wat2wasm >/dev/null || { echo "SKIPPED: wat2wasm (wabt) is not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for w in "$here"/*.wat; do
	wat2wasm "$w" -o "$tmp/$(basename "$w" .wat).wasm" || { echo "FAIL: wat2wasm $w"; exit 1; }
done
fails=0

# expect STATUS PATTERN-ON-STDERR-OR-STDOUT -- vessel args...
expect() {
	local want=$1 pattern=$2
	shift 3
	"$vessel" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local rc=$?
	if [ $rc != "$want" ]; then
		echo "FAIL: vessel $*: status $rc, expected $want"
		sed 's/^/  | /' "$tmp/err" | head -5
		fails=$((fails + 1))
	elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$tmp/err" "$tmp/out"; then
		echo "FAIL: vessel $*: output lacks /$pattern/"
		sed 's/^/  | /' "$tmp/err" "$tmp/out" | head -5
		fails=$((fails + 1))
	else
		echo "ok: vessel $* -> $rc"
	fi
}

good=$guests/wasi_guest_args.wasm
printf '' >"$tmp/empty.wasm"
head -c 64 /dev/urandom >"$tmp/garbage.wasm"
head -c 200 "$good" >"$tmp/truncated.wasm"
printf '\0asm\1\0\0\0\1\377\377\377\377\17' >"$tmp/hugecount.wasm"

# Usage errors.
expect 2 "usage: vessel run" --
expect 2 "unknown command 'frob'" -- frob
expect 2 "no module given" -- run
expect 2 "unknown option '--bogus'" -- run --bogus "$good"
expect 2 "'--dir' needs a value" -- run --dir
expect 2 "--dir '::x'" -- run --dir ::x "$good"
expect 2 "--env 'NOEQUALS'" -- run --env NOEQUALS "$good"
expect 2 "--max-memory '12Q'" -- run --max-memory 12Q "$good"
expect 2 "--max-memory '0'" -- run --max-memory 0 "$good"
expect 2 "--fuel '-5'" -- run --fuel -5 "$good"
expect 2 "--max-call-depth 'many'" -- run --max-call-depth many "$good"
expect 2 "--max-stack '1'" -- run --max-stack 1 "$good"
expect 0 "--dir HOST" -- --help
expect 0 "--invoke NAME" -- run --help

# Modules vessel cannot run.
expect 125 "cannot open $tmp/missing.wasm" -- run "$tmp/missing.wasm"
expect 125 "not a regular file" -- run "$tmp"
expect 125 "invalid module" -- run "$tmp/empty.wasm"
expect 125 "invalid module" -- run "$tmp/garbage.wasm"
expect 125 "invalid module" -- run "$tmp/truncated.wasm"
expect 125 "invalid module" -- run "$tmp/hugecount.wasm"
expect 125 "cannot instantiate.*no_such_call|cannot instantiate.*something" -- run "$tmp/unknown_import.wasm"
expect 125 "cannot instantiate.*fd_write" -- run "$tmp/bad_import_type.wasm"
expect 125 "no _start" -- run "$tmp/no_start.wasm"
expect 125 "cannot open directory $tmp/nodir" -- run --dir "$tmp/nodir" "$good"

# --invoke.
expect 0 "^5$" -- run --invoke add "$tmp/invoke.wasm" 2 3
expect 0 "^-1$" -- run --invoke add "$tmp/invoke.wasm" 0x7fffffff 0x80000000
expect 0 "^-8589934592$" -- run --invoke mul64 "$tmp/invoke.wasm" -2 4294967296
expect 0 "^1.25$" -- run --invoke half "$tmp/invoke.wasm" 2.5
expect 0 "^3$" -- run --invoke twice "$tmp/invoke.wasm" 1.5
expect 0 "" -- run --invoke nothing "$tmp/invoke.wasm"
expect 125 "takes 2 arguments, 1 given" -- run --invoke add "$tmp/invoke.wasm" 1
expect 125 "'x1' is not a valid i32" -- run --invoke add "$tmp/invoke.wasm" x1 2
expect 125 "'4294967296' is not a valid i32" -- run --invoke add "$tmp/invoke.wasm" 4294967296 2
expect 125 "no function named 'nope'" -- run --invoke nope "$tmp/invoke.wasm"
expect 134 "trap: integer divide by zero" -- run --invoke div "$tmp/invoke.wasm" 1 0
expect 152 "out of fuel" -- run --fuel 100000 --invoke spin "$tmp/invoke.wasm"

# The guest's status, traps and limits.
expect 7 "leaving with 7" -- run "$guests/wasi_guest_exit_code.wasm" 7
expect 44 "leaving with 300" -- run "$guests/wasi_guest_exit_code.wasm" 300
expect 134 "trap: unreachable" -- run "$guests/wasi_guest_trap_unreachable.wasm"
expect 134 "trap: .*out of bounds memory" -- run "$guests/wasi_guest_trap_oob.wasm"
expect 134 "trap: " -- run --max-call-depth 5000 "$guests/wasi_guest_recursion.wasm" 10000
expect 0 "sum_to\(300\) = 45150" -- run --max-call-depth 5000 "$guests/wasi_guest_recursion.wasm" 300
expect 1 "malloc [0-9]+ failed" -- run --max-memory 16M "$guests/wasi_guest_malloc.wasm"
expect 0 "env ONE=1" -- run --env ONE=1 --env TWO=2 "$guests/wasi_guest_env.wasm"
expect 0 "argv\[2\]=\"--env\"" -- run "$guests/wasi_guest_args.wasm" x --env y

# On a terminal the guest must see one, as a native program does (script(1)
# gives both a pseudo-terminal).
if command -v script >/dev/null && [ -x "$guests/wasi_native_tty" ]; then
	want=$(script -qc "$guests/wasi_native_tty" /dev/null </dev/null | tr -d '\r')
	got=$(script -qc "$vessel run $guests/wasi_guest_tty.wasm" /dev/null </dev/null | tr -d '\r')
	if [ "$want" != "$got" ] || [ "$want" != "isatty: stdin=1 stdout=1 stderr=1" ]; then
		echo "FAIL: on a terminal: native [$want], vessel [$got]"
		fails=$((fails + 1))
	else
		echo "ok: on a terminal both say [$got]"
	fi
fi

if [ $fails != 0 ]; then
	echo "$fails checks failed"
	exit 1
fi
echo "all vessel command checks passed"
