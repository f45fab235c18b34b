#!/bin/sh
# Wasm-bpf's demo (make demo): bootstrap, an eBPF tool packaged as a Wasm
# module, runs under wasm-bpf for two seconds while a few commands start and
# exit; it prints each exec and each exit with its code and lifetime, then
# SIGINT detaches it. Without root it only says what it would do.
#
#   demo.sh BUILD_DIR
b=$1/wasm-bpf
if [ "$(id -u)" != 0 ]; then
	echo "(not root: eBPF needs root; run 'sudo $b/wasm-bpf $b/wbpf_bootstrap.wasm' to see it live)"
	exit 0
fi
out=$(mktemp /tmp/wbpf-demo.XXXXXX)
trap 'rm -f "$out" "$out.err"' EXIT
"$b/wasm-bpf" "$b/wbpf_bootstrap.wasm" >"$out" 2>"$out.err" &
pid=$!
i=0
while ! grep -q READY "$out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sh -c 'sleep 0.2; exit 3'
ls / >/dev/null
sleep 1.5
kill -INT $pid
wait $pid
echo "== what bootstrap.wasm saw (this shell's children):"
grep -E "ppid=$$ " "$out" | grep -v "comm=grep" | head -20
cat "$out.err"
