# testlib.sh: shell helpers shared by the example tools' tests (sourced).
# Each test runs a tool under wasm-bpf as root, makes the events it expects,
# then stops the tool with SIGINT and checks that it detached and exited 0.
#   WASM_BPF  the wasm-bpf command     TOOL  the tool's .wasm
# A test that cannot run prints "SKIPPED: reason" and exits 77.

wbpf_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIPPED: needs root to load eBPF programs"
		exit 77
	fi
}

WBPF_TMP=$(mktemp -d /tmp/wbpf-test.XXXXXX)
WBPF_PID=
# Helper processes a test starts (event makers): killed on exit, so that a
# failing test does not leave one holding CTest's output pipe open.
WBPF_HELPERS=
wbpf_cleanup() {
	[ -n "$WBPF_PID" ] && kill -KILL "$WBPF_PID" 2>/dev/null
	for p in $WBPF_HELPERS; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$WBPF_TMP"
}
trap wbpf_cleanup EXIT

wbpf_fail() {
	echo "FAIL: $*"
	echo "--- tool stdout"; head -50 "$WBPF_TMP/out"
	echo "--- tool stderr"; head -50 "$WBPF_TMP/err"
	exit 1
}

# wbpf_start TOOL.wasm [ARGS]: starts the tool and waits (30 s at most) for
# its READY line, which it prints once its programs are attached.
wbpf_start() {
	"$WASM_BPF" "$@" >"$WBPF_TMP/out" 2>"$WBPF_TMP/err" &
	WBPF_PID=$!
	i=0
	while ! grep -q '^READY' "$WBPF_TMP/out" 2>/dev/null; do
		kill -0 "$WBPF_PID" 2>/dev/null || wbpf_fail "the tool exited before it was ready"
		i=$((i + 1))
		[ $i -gt 300 ] && wbpf_fail "no READY line in 30 s"
		sleep 0.1
	done
}

# wbpf_wait_for REGEX: waits (20 s at most) until the tool printed a line
# matching REGEX (grep -E); fails the test otherwise.
wbpf_wait_for() {
	i=0
	while ! grep -Eq "$1" "$WBPF_TMP/out"; do
		i=$((i + 1))
		[ $i -gt 200 ] && wbpf_fail "no line matching '$1'"
		sleep 0.1
	done
}

# wbpf_stop: SIGINT; the tool must exit 0 after detaching its object, and
# none of the programs it had loaded (found through its fds) may remain.
wbpf_stop() {
	ids=$(cat /proc/"$WBPF_PID"/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -u)
	[ -n "$ids" ] || wbpf_fail "the tool holds no eBPF program"
	kill -INT "$WBPF_PID"
	rc=0
	wait "$WBPF_PID" || rc=$?
	WBPF_PID=
	[ "$rc" = 0 ] || wbpf_fail "exit status $rc after SIGINT"
	grep -q "detached 1 eBPF object" "$WBPF_TMP/err" || wbpf_fail "no detach after SIGINT"
	if command -v bpftool >/dev/null; then
		# The kernel frees programs after an RCU grace period: allow it
		# 10 s to do so.
		for id in $ids; do
			i=0
			while bpftool prog show id "$id" >/dev/null 2>&1; do
				i=$((i + 1))
				[ $i -gt 100 ] && wbpf_fail "program $id still loaded"
				sleep 0.1
			done
		done
	fi
}
