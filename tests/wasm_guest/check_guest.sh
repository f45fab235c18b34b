#!/usr/bin/env bash
# Checks a wasm32-wasi guest against the same program built natively.
#
#   check_guest.sh validate MODULE.wasm
#       wabt's wasm-validate accepts it and every import is WASI preview 1.
#   check_guest.sh run NATIVE MODULE.wasm [ARGS...]
#       Node.js's WASI runs it with the same stdout and exit status as NATIVE.
set -u
mode=$1
shift

case "$mode" in
validate)
	wasm=$1
	wasm-validate "$wasm" || { echo "FAIL: wasm-validate rejects $wasm"; exit 1; }
	imports=$(wasm-objdump -j Import -x "$wasm" | grep -- ' <- ' | sed 's/.* <- //')
	[ -n "$imports" ] || { echo "FAIL: $wasm imports nothing; expected WASI imports"; exit 1; }
	foreign=$(printf '%s\n' "$imports" | grep -v '^wasi_snapshot_preview1\.' || true)
	[ -z "$foreign" ] || { echo "FAIL: non-WASI imports: $foreign"; exit 1; }
	wasm-objdump -j Export -x "$wasm" | grep -q '"_start"' ||
		{ echo "FAIL: $wasm exports no _start"; exit 1; }
	echo "ok: $wasm is valid and imports only: $(printf '%s ' $imports)"
	;;
run)
	native=$1 wasm=$2
	shift 2
	command -v node >/dev/null || { echo "SKIPPED: node is not installed, no independent WASI engine to run $wasm"; exit 77; }
	here=$(cd "$(dirname "$0")" && pwd)
	want=$("$native" "$@"); want_rc=$?
	got=$(node --no-warnings "$here/run_wasi.mjs" "$wasm" "$@"); got_rc=$?
	if [ "$want" != "$got" ] || [ $want_rc != $got_rc ]; then
		echo "FAIL: output differs"
		diff <(printf '%s\nexit %s\n' "$want" $want_rc) <(printf '%s\nexit %s\n' "$got" $got_rc)
		exit 1
	fi
	printf '%s\nexit %s\n' "$got" $got_rc
	echo "ok: wasm32-wasi output matches native"
	;;
*)
	echo "usage: check_guest.sh validate MODULE.wasm | run NATIVE MODULE.wasm [ARGS...]" >&2
	exit 2
	;;
esac
