#!/bin/sh
# The uprobe tool's test: probes wbpf_target_add of the test program, runs
# it with 40 and 2, and expects the call with those arguments and the return
# of 42, both from the program's pid.
# usage: test.sh WASM_BPF TOOL.wasm TARGET
WASM_BPF=$1
. "$(dirname "$0")/../testlib.sh"
wbpf_require_root
wbpf_start "$2" "$3" wbpf_target_add
out=$("$3" 40 2 & echo "pid $!"; wait)
pid=$(echo "$out" | sed -n 's/^pid //p')
echo "$out" | grep -qx 42 || wbpf_fail "the target printed: $out"
wbpf_wait_for "^CALL pid=$pid a=40 b=2\$"
wbpf_wait_for "^RET pid=$pid ret=42\$"
wbpf_stop
echo "PASS uprobe"
