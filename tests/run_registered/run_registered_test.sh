#!/usr/bin/env bash
# Registers demos and a bench through cmake/IsthmusDefaults.cmake in a small
# project, then checks that scripts/run-registered runs each with its
# arguments intact, goes on past a failure, reports it, and exits non-zero.
set -u
src="$ISTHMUS_SOURCE_DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cmake -S "$src/tests/run_registered" -B "$tmp" -DISTHMUS_SOURCE_DIR="$src" >/dev/null ||
	{ echo "FAIL: configuring the probe project"; exit 1; }

out=$("$src/scripts/run-registered" demo "$tmp" 2>&1)
rc=$?
echo "$out"
[ $rc -ne 0 ] || fail "a failing demo did not make run-registered fail"
[[ "$out" == *'two words|it'"'"'s|$HOME|a\b|'* ]] || fail "arguments were not passed intact"
[[ "$out" == *"failing-ran"* ]] || fail "the failing demo did not run"
[[ "$out" == *"demo: failing: FAILED (exit 3)"* ]] || fail "the failure was not reported with its status"
[[ "$out" == *$'\n/tmp\n'* ]] || fail "the last demo did not run in its WORKING_DIRECTORY after the failure"
[[ "$out" == *"1 of 3 demo(s) failed: failing"* ]] || fail "no summary of failures"
[[ "$out" == *"| folder | system | paper | status |"* ]] || fail "the table of systems was not printed"

out=$("$src/scripts/run-registered" bench "$tmp" 2>&1) || fail "bench run failed: $out"
[[ "$out" == *"bench-ran"* ]] || fail "bench did not run"
[[ "$out" != *"| folder |"* ]] || fail "bench printed the systems table"

"$src/scripts/run-registered" nonsense "$tmp" >/dev/null 2>&1 && fail "an unknown kind was accepted"

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "run_registered_test: all checks passed"
