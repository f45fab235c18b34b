#!/usr/bin/env bash
# AgentSight's overhead on the traced processes, measured, not assumed.
#
# Two workloads, each run ROUNDS times untraced and ROUNDS times traced,
# interleaved so that drift on this noisy machine hits both alike:
#   tls   one client process making REQUESTS HTTPS requests (keep-alive, POST
#         of a chat-completions body, non-streamed replies) to mockllm with
#         curl over OpenSSL: every SSL_read/SSL_write passes the uprobes.
#   exec  a shell loop of EXECS iterations, each forking and exec'ing
#         programs and writing, reading and removing a file: every fork,
#         exec, exit, open and write passes the tracepoints.
# "Traced" means `agentsight trace --comm` is attached and following the
# workload (started before the timed run, stopped after it); untraced runs
# have no AgentSight loaded at all. The workloads run as scripts with their
# own names so that --comm picks them and their children only.
#
#   overhead.sh BUILD_DIR [ROUNDS] [REQUESTS] [EXECS]
# Prints the median time of each and the overhead in percent. Needs root.
set -euo pipefail

build=$(cd "${1:?usage: overhead.sh BUILD_DIR [ROUNDS] [REQUESTS] [EXECS]}" && pwd)
rounds=${2:-5}
requests=${3:-400}
execs=${4:-300}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
as=$build/agentsight/agentsight
mock=$build/agentsight/mockllm

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIPPED: the overhead benchmark loads eBPF programs and needs root"
	exit 0
fi
for f in "$as" "$mock"; do
	[ -x "$f" ] || { echo "overhead.sh: $f not built (make)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/agentsight-bench.XXXXXX)
trap 'kill $mock_pid 2>/dev/null; kill $tracer 2>/dev/null; rm -rf "$work"' EXIT
mock_pid= tracer=

"$src/tests/env/gen-cert.sh" "$work/certs" >/dev/null 2>&1
"$mock" --port 0 --cert "$work/certs/server.pem" --key "$work/certs/server.key" \
	--scenario "$here/bench-scenario.json" --port-file "$work/port" --delay-ms 0 \
	--log /dev/null >"$work/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 300); do [ -s "$work/port" ] && break; sleep 0.01; done
url="https://127.0.0.1:$(cat "$work/port")/v1/chat/completions"

# The TLS workload: one curl, many requests on one connection.
body='{"model":"bench","messages":[{"role":"user","content":"ping"}]}'
{
	for i in $(seq "$requests"); do
		[ "$i" -gt 1 ] && echo "next"
		printf 'url = "%s"\ndata = "%s"\nheader = "Content-Type: application/json"\n' \
			"$url" "${body//\"/\\\"}"
		printf 'cacert = "%s"\nhttp1.1\noutput = "/dev/null"\nsilent\nshow-error\n' \
			"$work/certs/ca.pem"
	done
} >"$work/curl.cfg"
cat >"$work/as_bench_tls" <<SH
#!/bin/sh
exec curl -K "$work/curl.cfg"
SH
# The exec and file workload.
cat >"$work/as_bench_exec" <<SH
#!/bin/sh
cd "$work"
i=0
while [ \$i -lt $execs ]; do
	echo "line \$i" > f.\$i
	cat f.\$i > /dev/null
	rm f.\$i
	i=\$((i + 1))
done
SH
chmod +x "$work/as_bench_tls" "$work/as_bench_exec"

now() { date +%s%N; }

run_once() { # name traced -> prints nanoseconds
	local name=$1 traced=$2 t0 t1
	if [ "$traced" = 1 ]; then
		"$as" trace --comm "$name" -q -o "$work/trace.jsonl" >"$work/trace.out" 2>&1 &
		tracer=$!
		# Ready when the programs are attached: the tracer has opened its
		# output and polls; give it the time libbpf needs to load.
		for _ in $(seq 500); do
			[ -e "$work/trace.jsonl" ] && break
			sleep 0.01
		done
		sleep 0.5
	fi
	t0=$(now)
	"$work/$name" >/dev/null 2>"$work/$name.err" ||
		{ echo "overhead.sh: $name failed:" >&2; head -5 "$work/$name.err" >&2; exit 1; }
	t1=$(now)
	if [ "$traced" = 1 ]; then
		kill -INT "$tracer"
		wait "$tracer" || true
		tracer=
		events=$(grep -c '"type":"event"' "$work/trace.jsonl" || true)
		[ "$events" -gt 0 ] || { echo "overhead.sh: the tracer saw nothing of $name" >&2; exit 1; }
	fi
	echo $((t1 - t0))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "AgentSight overhead: $rounds interleaved rounds; tls: $requests HTTPS requests; exec: $execs loop iterations"
for wl in as_bench_tls as_bench_exec; do
	run_once "$wl" 0 >/dev/null # warm caches
	base=() traced=()
	for r in $(seq "$rounds"); do
		base+=("$(run_once "$wl" 0)")
		traced+=("$(run_once "$wl" 1)")
	done
	mb=$(printf '%s\n' "${base[@]}" | median)
	mt=$(printf '%s\n' "${traced[@]}" | median)
	awk -v n="$wl" -v b="$mb" -v t="$mt" 'BEGIN {
		printf "%-14s untraced %8.1f ms   traced %8.1f ms   overhead %+6.2f %%\n",
			n, b / 1e6, t / 1e6, (t - b) * 100 / b }'
done
