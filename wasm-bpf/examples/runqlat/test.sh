#!/bin/sh
# runqlat's test: a Python process sleeps 10 ms fifty times (each a timer
# wake-up followed by a switch to it); runqlat measures that process only
# (configured through its config map). After it ended, the histogram the
# guest read back must hold at least 50 wake-ups.
# usage: test.sh WASM_BPF TOOL.wasm
WASM_BPF=$1
. "$(dirname "$0")/../testlib.sh"
wbpf_require_root
command -v python3 >/dev/null || { echo "SKIPPED: python3 is missing"; exit 77; }
python3 -c '
import os, sys, time
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
for i in range(50):
    time.sleep(0.01)
' "$WBPF_TMP/go" &
target=$!
WBPF_HELPERS=$target
wbpf_start "$2" "$target"
grep -q "^READY runqlat target=$target\$" "$WBPF_TMP/out" || wbpf_fail "config not echoed"
touch "$WBPF_TMP/go"
wait $target
# Two reports that began after the target ended.
n=$(grep -c '^TOTAL' "$WBPF_TMP/out")
i=0
while [ "$(grep -c '^TOTAL' "$WBPF_TMP/out")" -lt $((n + 2)) ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && wbpf_fail "no reports"
	sleep 0.1
done
total=$(grep '^TOTAL' "$WBPF_TMP/out" | tail -1 | cut -d' ' -f2)
[ "$total" -ge 50 ] || wbpf_fail "TOTAL $total, expected at least 50 wake-ups"
grep -Eq '^SLOT [0-9]+-[0-9]+ us [0-9]+$' "$WBPF_TMP/out" || wbpf_fail "no histogram slots"
wbpf_stop
echo "PASS runqlat ($total wake-ups)"
