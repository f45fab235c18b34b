#!/bin/sh
# agent_eval.sh: sched-agent against the kernel's default scheduler in the
# sched_ext VM, offline (the deterministic planner standing in for an LLM, or
# an LLM when ISTHMUS_LLM_* is set and AGENT_LLM=1), on the three evaluation
# workloads: the long-tail batch (20 jobs of 50 ms and one of 1000 ms), a
# parallel build (24 compile-like jobs of 25..100 ms) and a wakeup-latency
# benchmark in the style of schbench (a probe waking against two CPU hogs).
# For each it prints the best ratio policy/default (below 1: better), the
# iteration at which the agent first beat the default, and the cost.
# Exit 1 when the long-tail batch is not beaten within three iterations.
#
# usage: agent_eval.sh BIN_DIR [WORKLOAD...]   (BIN_DIR holds sched-agent)
set -u
bin=${1:?usage: agent_eval.sh BIN_DIR [WORKLOAD...]}
shift
[ $# -gt 0 ] || set -- longtail build wakeup
tmp=$(mktemp -d /tmp/scx-agent-eval.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
llm=
[ "${AGENT_LLM:-0}" = 1 ] && llm=--use-llm
status=0
printf '%-9s %-16s %8s %10s %10s %6s %8s %8s\n' workload best ratio policy_ms default_ms first tokens seconds
for w in "$@"; do
	"$bin/sched-agent" --workload "$w" --iterations 3 --rounds 2 --no-deploy $llm \
		--server-arg --repo --server-arg "$tmp/$w.db" --json "$tmp/$w.json" \
		>"$tmp/$w.log" 2>&1
	rc=$?
	line=$(grep '^result: best' "$tmp/$w.log")
	# no measurement at all, for want of a VM: skipped, not failed (one
	# boot that fails among several is the agent's business)
	if [ -z "$line" ] &&
		grep -q 'no sched_ext kernel\|did not boot\|fetching the sched_ext\|qemu' "$tmp/$w.log"; then
		echo "SKIPPED: no sched_ext VM: $(grep -m1 'failed' "$tmp/$w.log")"
		exit 77
	fi
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		echo "$w: the agent failed (exit $rc):"
		tail -5 "$tmp/$w.log"
		[ "$w" = longtail ] && status=1
		continue
	fi
	best=$(echo "$line" | sed -n 's/^result: best \([^ ]*\) v\([0-9]*\),.*/\1 v\2/p')
	ratio=$(echo "$line" | sed -n 's/.*ratio \([0-9.]*\) to the default.*/\1/p')
	pm=$(echo "$line" | sed -n 's/.*(\([0-9.]*\) ms vs \([0-9.]*\) ms).*/\1/p')
	dm=$(echo "$line" | sed -n 's/.*(\([0-9.]*\) ms vs \([0-9.]*\) ms).*/\2/p')
	first=$(echo "$line" | sed -n 's/.*at iteration \([0-9]*\) of.*/\1/p')
	tok=$(echo "$line" | sed -n 's/.*; \([0-9]*+[0-9]*\) tokens.*/\1/p')
	secs=$(echo "$line" | sed -n 's/.*; \([0-9.]*\) s$/\1/p')
	printf '%-9s %-16s %8s %10s %10s %6s %8s %8s\n' "$w" "$best" "$ratio" "$pm" "$dm" \
		"${first:-none}" "$tok" "$secs"
	if [ "$w" = longtail ] && { [ -z "$first" ] || [ "$first" = 0 ]; }; then
		status=1
	fi
done
echo "(ratio: policy/default, lower is better; first: iteration that first beat the default;"
echo " makespan for longtail and build, mean wakeup latency for wakeup; sched_ext VM under TCG)"
exit $status
