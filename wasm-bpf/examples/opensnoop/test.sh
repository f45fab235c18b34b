#!/bin/sh
# opensnoop's test: a process waits for a go file, then opens a marker file;
# opensnoop is configured (through its config map) to report that process
# only. Expects the marker's openat with the process's pid, and no line from
# any other process (the test's own shell opens files meanwhile).
# usage: test.sh WASM_BPF TOOL.wasm
WASM_BPF=$1
. "$(dirname "$0")/../testlib.sh"
wbpf_require_root
marker="$WBPF_TMP/wbpf_open_marker"
echo hello >"$marker"
(while [ ! -e "$WBPF_TMP/go" ]; do sleep 0.05; done; exec cat "$marker") >/dev/null &
target=$!
WBPF_HELPERS=$target
wbpf_start "$2" "$target"
grep -q "^READY opensnoop target_pid=$target\$" "$WBPF_TMP/out" || wbpf_fail "config not echoed"
cat "$marker" >/dev/null # another process: must not be reported
touch "$WBPF_TMP/go"
wait $target
wbpf_wait_for "^OPEN pid=$target comm=cat flags=[0-9]+ file=$marker\$"
wbpf_stop
others=$(grep '^OPEN' "$WBPF_TMP/out" | grep -v "^OPEN pid=$target " || true)
[ -z "$others" ] || wbpf_fail "lines from other processes: $others"
echo "PASS opensnoop"
