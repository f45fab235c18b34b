#!/bin/sh
# agent_loop_test.sh: sched-agent end to end, offline, in the sched_ext VM:
# it must drive schedcp-mcp through the protocol over two iterations of the
# long-tail batch, name its planner as the stand-in for an LLM, start from
# the policy the profile calls for (LJF: the observed tasks have a long
# tail), record each iteration with its costs in its JSON record, and leave
# every measured iteration in the repository's performance history, read
# back here through the server's own policy_get tool. Ratios are not
# asserted (timings): bench/agent_eval.sh reports them.
#
# usage: agent_loop_test.sh SCHED_AGENT SCHEDCP_MCP TMPDIR
set -u
agent=$1 server=$2 tmp=$3
command -v qemu-system-x86_64 >/dev/null 2>&1 || { echo "SKIPPED: qemu-system-x86_64 is not installed"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIPPED: profiling needs root"; exit 77; }
rm -rf "$tmp" && mkdir -p "$tmp" || exit 1
fail=0
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if ! "$@"; then echo "FAIL: $d"; fail=1; fi
}

"$agent" --server "$server" --iterations 2 --rounds 1 --no-deploy \
	--server-arg --repo --server-arg "$tmp/repo.db" --json "$tmp/run.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out"
if ! grep -q '^  makespan' "$tmp/out" &&
	grep -q 'no sched_ext kernel\|fetching the sched_ext' "$tmp/out"; then
	echo "SKIPPED: no sched_ext kernel: $(grep -m1 failed "$tmp/out")"
	exit 77
fi
check "the agent crashed (exit $rc)" [ $rc -le 1 ]
check "the planner is not named as the LLM's stand-in" grep -q 'stand-in for the LLM' "$tmp/out"
check "no profile was taken" grep -q '^observe: .*long_tail' "$tmp/out"
check "the first plan is not LJF" grep -q '^iteration 1: plan ljf ' "$tmp/out"
check "two iterations were not run" grep -q '^iteration 2: plan ' "$tmp/out"
check "no JSON record" [ -s "$tmp/run.json" ]
check "the record names another planner" grep -q '"planner": "deterministic"' "$tmp/run.json"
check "the record lacks iteration 2" grep -q '"iteration": 2' "$tmp/run.json"
check "the record lacks per-step seconds" grep -q '"verify": [0-9]' "$tmp/run.json"
check "the record lacks token counts" grep -q '"input_tokens": 0' "$tmp/run.json"
check "the record lacks MCP bytes" grep -q '"mcp_bytes": [1-9]' "$tmp/run.json"

# Each measured iteration is in the performance history, through MCP.
measured=$(grep -c '^  makespan' "$tmp/out")
if [ "$measured" -gt 0 ]; then
	name=$(sed -n 's/^  verified \([a-z_]*\) v[0-9]*.*/\1/p' "$tmp/out" | head -1)
	printf '%s\n' \
		'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}' \
		"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"policy_get\",\"arguments\":{\"name\":\"$name\"}}}" |
		"$server" --repo "$tmp/repo.db" --no-fetch >"$tmp/get" 2>/dev/null
	check "no agent-longtail history for $name" grep -q 'agent-longtail' "$tmp/get"
	check "no ratio recorded for $name" grep -q '\\"metric\\":\\"ratio\\"' "$tmp/get"
else
	echo "note: no iteration was measured (VM boots failed); history not checked"
fi
[ $fail = 0 ] && echo "agent loop: ok"
exit $fail
