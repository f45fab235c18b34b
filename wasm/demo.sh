#!/bin/sh
# The Wasm runtime's demo (make demo): C programs built for wasm32-wasi run
# under `vessel run`: a compute kernel, arguments and environment, deep
# recursion, and a trap reported with its message and exit status 134.
#
#   demo.sh BUILD_DIR
set -u
build=${1:?usage: demo.sh BUILD_DIR}
v=$build/wasm/vessel
g=$build/wasm
[ -x "$v" ] || { echo "demo: $v not built (make)" >&2; exit 1; }

echo "== vessel run wasi_guest_sieve.wasm (primes up to 5 million, in the interpreter)"
"$v" run "$g/wasi_guest_sieve.wasm" || exit 1
echo "== vessel run --env GREETING=hello wasi_guest_args.wasm one two"
"$v" run --env GREETING=hello "$g/wasi_guest_args.wasm" one two || exit 1
echo "== vessel run wasi_guest_recursion.wasm (deep recursion: frames live in runtime memory)"
"$v" run "$g/wasi_guest_recursion.wasm" || exit 1
echo
echo "== vessel run wasi_guest_trap_div.wasm (a division by zero: a trap, not a crash)"
"$v" run "$g/wasi_guest_trap_div.wasm"
rc=$?
echo "(exit status $rc)"
[ "$rc" -eq 134 ] || { echo "demo: expected exit status 134 for a trap" >&2; exit 1; }
exit 0
