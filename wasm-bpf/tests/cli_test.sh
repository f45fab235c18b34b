#!/bin/sh
# The wasm-bpf command's own behaviour, without root: --help, usage errors,
# a missing module, a file that is not a Wasm module.
# usage: cli_test.sh WASM_BPF
W=$1
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d /tmp/wbpf-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$W" --help >"$tmp/out" 2>&1 || fail "--help exited $?"
grep -q '^usage: wasm-bpf \[-v\] MODULE.wasm \[ARGS...\]$' "$tmp/out" || fail "--help text"
rc=0; "$W" >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "no arguments: exit $rc, expected 2"
rc=0; "$W" --bogus x.wasm >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "unknown option: exit $rc, expected 2"
rc=0; "$W" "$tmp/missing.wasm" 2>"$tmp/err" || rc=$?
[ $rc = 1 ] || fail "missing module: exit $rc, expected 1"
grep -q "missing.wasm: No such file" "$tmp/err" || fail "missing module message: $(cat "$tmp/err")"
printf 'not wasm at all' >"$tmp/bad.wasm"
rc=0; "$W" "$tmp/bad.wasm" 2>"$tmp/err" || rc=$?
[ $rc = 1 ] || fail "bad module: exit $rc, expected 1"
grep -q "bad.wasm: invalid module" "$tmp/err" || fail "bad module message: $(cat "$tmp/err")"
echo "PASS wasm-bpf cli"
