#!/bin/sh
# bootstrap's test: a copy of `false` (exit code 1) and a copy of `sleep`
# run for 0.3 s, under names nobody else uses; expects the exec of each
# (pid, parent, file) and the exit of each with its code, and a lifetime of at
# least 300 ms for the sleeper.
# usage: test.sh WASM_BPF TOOL.wasm
WASM_BPF=$1
. "$(dirname "$0")/../testlib.sh"
wbpf_require_root
wbpf_start "$2"
f="$WBPF_TMP/wbpf_boot_false"
s="$WBPF_TMP/wbpf_boot_sleep"
cp /bin/false "$f"
cp /bin/sleep "$s"
"$f" &
fpid=$!
wait $fpid
"$s" 0.3 &
spid=$!
wait $spid
wbpf_wait_for "^EXEC pid=$fpid ppid=$$ comm=wbpf_boot_false file=$f\$"
wbpf_wait_for "^EXIT pid=$fpid ppid=$$ comm=wbpf_boot_false code=1 "
wbpf_wait_for "^EXEC pid=$spid ppid=$$ comm=wbpf_boot_sleep file=$s\$"
wbpf_wait_for "^EXIT pid=$spid ppid=$$ comm=wbpf_boot_sleep code=0 "
ms=$(sed -n "s/^EXIT pid=$spid .*duration_ms=\([0-9]*\)\$/\1/p" "$WBPF_TMP/out")
[ "$ms" -ge 300 ] || wbpf_fail "the sleeper lived $ms ms, expected >= 300"
wbpf_stop
echo "PASS bootstrap"
