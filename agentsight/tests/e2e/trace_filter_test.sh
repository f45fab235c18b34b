#!/usr/bin/env bash
# The in-kernel target filters of `agentsight trace`, as root: --comm NAME
# follows processes that exec NAME and their descendants, --pid PID a running
# process and its descendants; neither sees processes outside those trees.
#
#   trace_filter_test.sh AGENTSIGHT TMPDIR
set -u
as=$1
tmp=$2
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIPPED: agentsight trace loads eBPF programs and needs root"
	exit 77
fi
rm -rf "$tmp" && mkdir -p "$tmp"
cleanup() { kill "$tracer" "$target" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT
tracer= target=

start_tracer() { # args... ; waits until the programs are attached
	"$as" trace -q -o "$tmp/trace.jsonl" "$@" 2>"$tmp/trace.err" &
	tracer=$!
	for _ in $(seq 300); do
		[ -e "$tmp/trace.jsonl" ] && break
		sleep 0.02
	done
	sleep 0.5
}

stop_tracer() {
	kill -INT "$tracer"
	wait "$tracer"
	local rc=$?
	tracer=
	[ $rc -eq 0 ] || fail "trace exited $rc: $(cat "$tmp/trace.err")"
}

has_exec_arg() { grep '"kind":"exec"' "$tmp/trace.jsonl" | grep -qF "\"$1\""; }

# --comm: a script named as_flt_target runs a child with a marker; an
# unrelated process runs the same child program with another marker.
cat >"$tmp/as_flt_target" <<SH
#!/bin/sh
/bin/echo as-flt-child-marker > "$tmp/out.txt"
SH
chmod +x "$tmp/as_flt_target"
start_tracer --comm as_flt_target
/bin/echo as-flt-unrelated-marker >/dev/null
"$tmp/as_flt_target"
/bin/echo as-flt-unrelated-after >/dev/null
sleep 0.3
stop_tracer
has_exec_arg as-flt-child-marker || fail "--comm: the target's child exec was not seen"
has_exec_arg as-flt-unrelated-marker && fail "--comm: an unrelated exec was recorded"
has_exec_arg as-flt-unrelated-after && fail "--comm: an unrelated exec after the target was recorded"
grep '"kind":"file_write"' "$tmp/trace.jsonl" | grep -qF "$tmp/out.txt" ||
	fail "--comm: the child's write of out.txt was not seen"
echo "ok: --comm"

# --pid: a running shell that, once traced, starts a child.
rm -f "$tmp/trace.jsonl"
sh -c "while [ ! -e '$tmp/go' ]; do sleep 0.05; done; /bin/echo as-flt-pid-marker >/dev/null" &
target=$!
start_tracer --pid "$target"
/bin/echo as-flt-pid-unrelated >/dev/null
touch "$tmp/go"
wait "$target"
target=
sleep 0.3
stop_tracer
has_exec_arg as-flt-pid-marker || fail "--pid: the traced process's child exec was not seen"
has_exec_arg as-flt-pid-unrelated && fail "--pid: an unrelated exec was recorded"
# The traced process exited, so the tracer must have stopped by itself too.
echo "ok: --pid"

# Bad targets are refused with a message.
"$as" trace --pid 999999999 -q -o /dev/null 2>"$tmp/err" && fail "a missing pid was accepted"
grep -q "no process\|not a process" "$tmp/err" || fail "no clear error for a missing pid: $(cat "$tmp/err")"
"$as" trace --comm this-name-is-far-too-long -q 2>/dev/null && fail "an overlong comm was accepted"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "trace_filter_test: all checks passed"
