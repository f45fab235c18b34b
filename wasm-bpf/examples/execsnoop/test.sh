#!/bin/sh
# execsnoop's test: runs a program under a name nobody else uses, from this
# shell, and expects its exec with the right pid, parent pid and file name;
# the guest's polls have no timeout, and SIGINT must still stop it.
# usage: test.sh WASM_BPF TOOL.wasm
WASM_BPF=$1
. "$(dirname "$0")/../testlib.sh"
wbpf_require_root
# Polls that wait for ever (-1): SIGINT must end them all the same.
wbpf_start "$2" 0 -1
marker="$WBPF_TMP/wbpf_exec_marker"
cp /bin/true "$marker"
"$marker" &
mpid=$!
wait $mpid
wbpf_wait_for "^EXEC pid=$mpid ppid=$$ comm=wbpf_exec_mark.* file=$marker\$"
wbpf_stop
echo "PASS execsnoop"
