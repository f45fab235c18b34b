#!/usr/bin/env bash
# AgentSight's overhead on the traced processes, measured, not assumed.
#
# Workloads, each run ROUNDS times untraced and ROUNDS times traced,
# interleaved so that drift on this noisy machine hits both alike:
#   tls    one client process making REQUESTS HTTPS requests (keep-alive,
#          POST of a chat-completions body, non-streamed replies) with curl
#          over OpenSSL to peer.mjs, a stand-in for the remote LLM API whose
#          TLS code is not hooked: every SSL_read/SSL_write of the agent passes
#          the uprobes.
#   tls-stream  STREAMS streamed requests to the same peer, each a reply of 20
#          SSE chunks 5 ms apart: the pace of a model writing, the case of an
#          agent at work.
#   tls-hooked-peer  the same as tls against mockllm, whose GnuTLS library is hooked
#          but which is not traced: the uprobes fire in it too (and filter it
#          out), the cost a system-wide uprobe puts on every other process
#          that uses the same library.
#   *-keys the TLS workloads again with the tracer in keys mode (--tls-keys):
#          OpenSSL is followed by its session keys, one probe per handshake
#          secret, its bytes taken at the socket syscalls and decrypted.
#   exec   a shell loop of EXECS iterations, each forking and exec'ing
#          programs and writing, reading and removing a file: every fork,
#          exec, exit, open and write passes the tracepoints.
# "Traced" means `agentsight trace --comm` is attached and following the
# workload (started before the timed run, stopped after it); untraced runs
# have no AgentSight loaded at all. The workloads run as scripts with their
# own names so that --comm picks them and their children only.
#
#   [ONLY="ROW..."] overhead.sh BUILD_DIR [ROUNDS] [REQUESTS] [EXECS] [STREAMS]
# Prints the medians of wall time and CPU time, untraced and traced, the
# overhead in percent of each, and the tracer's own CPU time. Needs root.
set -euo pipefail

build=$(cd "${1:?usage: overhead.sh BUILD_DIR [ROUNDS] [REQUESTS] [EXECS]}" && pwd)
rounds=${2:-5}
requests=${3:-400}
execs=${4:-300}
streams=${5:-20}
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
command -v node >/dev/null || { echo "overhead.sh: node is needed for the TLS peer" >&2; exit 1; }

work=$(mktemp -d /tmp/agentsight-bench.XXXXXX)
trap 'kill $mock_pid $peer_pid $tracer 2>/dev/null; rm -rf "$work"' EXIT
mock_pid= peer_pid= tracer=

"$src/tests/env/gen-cert.sh" "$work/certs" >/dev/null 2>&1
"$mock" --port 0 --cert "$work/certs/server.pem" --key "$work/certs/server.key" \
	--scenario "$here/bench-scenario.json" --port-file "$work/port" --delay-ms 0 \
	--log /dev/null >"$work/mock.log" 2>&1 &
mock_pid=$!
node "$here/peer.mjs" "$work/certs" "$work/peer-port" >"$work/peer.log" 2>&1 &
peer_pid=$!
for _ in $(seq 500); do [ -s "$work/port" ] && [ -s "$work/peer-port" ] && break; sleep 0.01; done

# The TLS workloads: one curl, many requests on one connection.
body='{"model":"bench","messages":[{"role":"user","content":"ping"}]}'
curl_config() { # url [count] [body]
	local b=${3:-$body}
	for i in $(seq "${2:-$requests}"); do
		[ "$i" -gt 1 ] && echo "next"
		printf 'url = "%s"\ndata = "%s"\nheader = "Content-Type: application/json"\n' \
			"$1" "${b//\"/\\\"}"
		printf 'cacert = "%s"\nhttp1.1\noutput = "/dev/null"\nsilent\nshow-error\n' \
			"$work/certs/ca.pem"
	done
}
curl_config "https://127.0.0.1:$(cat "$work/peer-port")/v1/chat/completions" >"$work/tls.cfg"
curl_config "https://127.0.0.1:$(cat "$work/port")/v1/chat/completions" >"$work/tls-hooked.cfg"
curl_config "https://127.0.0.1:$(cat "$work/peer-port")/v1/chat/completions" "$streams" \
	'{"model":"bench","stream":true,"messages":[{"role":"user","content":"ping"}]}' >"$work/stream.cfg"
printf '#!/bin/sh\nexec curl -K "%s"\n' "$work/tls.cfg" >"$work/as_bench_tls"
printf '#!/bin/sh\nexec curl -N -K "%s"\n' "$work/stream.cfg" >"$work/as_bench_tlss"
printf '#!/bin/sh\nexec curl -K "%s"\n' "$work/tls-hooked.cfg" >"$work/as_bench_tlshp"
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
chmod +x "$work/as_bench_tls" "$work/as_bench_tlss" "$work/as_bench_tlshp" "$work/as_bench_exec"

# Runs one workload; prints "wall_ms cpu_ms tracer_ms": its wall time, the CPU
# time (user + system) of the workload's processes, and the tracer's CPU time
# over the run (0 untraced). CPU time is charged where the work happens (the
# probes run in the traced processes), so it shows the cost even when this
# 2-core machine's scheduling noise hides it in wall time.
run_once() { # name traced [tracer options...]
	local name=$1 traced=$2 t0 t1 tr0=0 tr1=0 out
	shift 2
	if [ "$traced" = 1 ]; then
		"$as" trace --comm "$name" -q -o "$work/trace.jsonl" "$@" >"$work/trace.out" 2>&1 &
		tracer=$!
		for _ in $(seq 500); do
			[ -e "$work/trace.jsonl" ] && break
			sleep 0.01
		done
		sleep 1
		tr0=$(awk '{ print $14 + $15 }' "/proc/$tracer/stat")
	fi
	TIMEFORMAT='%3R %3U %3S'
	out=$({ time "$work/$name" >/dev/null 2>"$work/$name.err"; } 2>&1) ||
		{ echo "overhead.sh: $name failed:" >&2; head -5 "$work/$name.err" >&2; exit 1; }
	if [ "$traced" = 1 ]; then
		sleep 0.3 # let the tracer finish reading
		tr1=$(awk '{ print $14 + $15 }' "/proc/$tracer/stat")
		kill -INT "$tracer"
		wait "$tracer" || true
		tracer=
		events=$(grep -c '"type":"event"' "$work/trace.jsonl" || true)
		[ "$events" -gt 0 ] || { echo "overhead.sh: the tracer saw nothing of $name" >&2; exit 1; }
	fi
	local ticks
	ticks=$(getconf CLK_TCK)
	echo "$out" | awk -v a="$tr0" -v b="$tr1" -v hz="$ticks" \
		'{ printf "%.1f %.1f %.1f\n", $1 * 1000, ($2 + $3) * 1000, (b - a) * 1000 / hz }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The floor: what one uprobe hit costs on this machine, whoever installs it.
# A uprobe is an int3 trap; at an instruction the kernel cannot emulate (the
# first of Debian's SSL_read) a single-step follows, a second trap; at a
# push, call or jump (where src/probesite.c puts AgentSight's probes) the
# kernel emulates it; on a 5-byte nop, kernels since 6.18 take a cheaper
# path still (a call and a syscall), but OpenSSL's functions have none.
uprobe_us() { # plain|push|nop5 -> microseconds per call with a uprobe there
	local kind=$1 off ev=/sys/kernel/tracing/uprobe_events
	off=$("$cost" offsets | awk -v k="$kind" '$1 == k { print $2 }')
	echo "p:isthmus_bench/$kind $cost:$off" >>"$ev" || return 1
	echo 1 >"/sys/kernel/tracing/events/isthmus_bench/$kind/enable"
	"$cost" "$kind" 200000 | awk '{ printf "%.2f", $1 / 1000 }'
	echo 0 >"/sys/kernel/tracing/events/isthmus_bench/$kind/enable"
	echo "-:isthmus_bench/$kind" >>"$ev"
}
cost=$build/agentsight/as_bench_uprobe_cost
trap_us=
if [ -x "$cost" ]; then
	mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
	if [ -w /sys/kernel/tracing/uprobe_events ]; then
		none_us=$("$cost" plain 2000000 | awk '{ printf "%.3f", $1 / 1000 }')
		step_us=$(uprobe_us plain) || step_us=
		trap_us=$(uprobe_us push) || trap_us=
		nop5_us=$(uprobe_us nop5) || nop5_us=
		[ -n "$trap_us" ] && echo "this machine: a call costs $none_us us; with a uprobe, ${step_us:-?} us at an instruction" \
			"the kernel single-steps (as at SSL_read's entry), $trap_us us at one it emulates (a push, where" \
			"AgentSight's probes go), ${nop5_us:-?} us on a 5-byte nop (optimized)"
	fi
fi

echo "AgentSight overhead: $rounds interleaved rounds; tls: $requests HTTPS requests; tls-stream: $streams streamed replies; exec: $execs loop iterations"
printf '%-16s %22s %22s %14s\n' "" "wall ms (untraced/traced)" "CPU ms (untraced/traced)" "tracer CPU ms"
# workload:label[:tracer option]; the keys rows trace OpenSSL by its session
# keys (--tls-keys) instead of by plaintext probes.
for spec in as_bench_tls:tls as_bench_tls:tls-keys:--tls-keys as_bench_tlss:tls-stream \
	as_bench_tlss:tls-stream-keys:--tls-keys as_bench_tlshp:tls-hooked-peer \
	as_bench_tlshp:tls-hooked-keys:--tls-keys as_bench_exec:exec; do
	IFS=: read -r wl label topt <<<"$spec"
	# ONLY="tls tls-keys" runs just those rows.
	if [ -n "${ONLY:-}" ] && ! [[ " $ONLY " == *" $label "* ]]; then
		continue
	fi
	run_once "$wl" 0 >/dev/null # warm caches and the peer
	run_once "$wl" 0 >/dev/null
	: >"$work/base" && : >"$work/traced"
	for r in $(seq "$rounds"); do
		run_once "$wl" 0 >>"$work/base"
		# shellcheck disable=SC2086 # an option or none
		run_once "$wl" 1 $topt >>"$work/traced"
	done
	bw=$(awk '{ print $1 }' "$work/base" | median) tw=$(awk '{ print $1 }' "$work/traced" | median)
	bc=$(awk '{ print $2 }' "$work/base" | median) tc=$(awk '{ print $2 }' "$work/traced" | median)
	trc=$(awk '{ print $3 }' "$work/traced" | median)
	awk -v n="$label" -v bw="$bw" -v tw="$tw" -v bc="$bc" -v tc="$tc" -v tr="$trc" 'BEGIN {
		printf "%-16s %8.1f / %8.1f %+6.1f%% %8.1f / %8.1f %+6.1f%% %10.1f\n",
			n, bw, tw, (tw - bw) * 100 / bw, bc, tc, (tc - bc) * 100 / bc, tr }'
	# Each request of the tls workload passes two entry probes (at
	# ssl_write_internal, then ssl_read_internal, both pushes; their returns
	# take the cheap uretprobe path): the traps alone add this much, before
	# any eBPF program runs.
	if [ "$label" = tls ] && [ -n "$trap_us" ]; then
		awk -v t="$trap_us" -v n="$requests" -v bw="$bw" 'BEGIN {
			printf "%-16s %8s   2 traps x %s us x %d requests = %.1f ms, %+.1f%% of the untraced run\n",
				"  (trap floor)", "", t, n, 2 * t * n / 1000, 2 * t * n / 10 / bw }'
	fi
done
echo "(medians; wall: the workload's elapsed time; CPU: user+system time of its processes;"
echo " tracer CPU: what agentsight itself used during a traced run, on the other core)"
