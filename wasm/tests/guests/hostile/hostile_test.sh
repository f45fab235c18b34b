#!/usr/bin/env bash
# Runs the hostile guest escape.wasm under vessel with one preopened folder
# that the host has salted with links pointing out of it (to the parent, to
# /etc, to a file beside the folder) and a link loop, then checks both sides:
# the guest saw every attempt refused, and on the host nothing outside the
# folder was created, removed, renamed or changed.
#
#   hostile_test.sh VESSEL ESCAPE.wasm
set -u
vessel=$1 wasm=$2
tmp=$(mktemp -d) logs=$(mktemp -d)
trap 'rm -rf "$tmp" "$logs"' EXIT
mkdir -p "$tmp/sandbox/sub"
printf 'secret' >"$tmp/secret.txt"
printf 'inside' >"$tmp/sandbox/inside.txt"
ln -s .. "$tmp/sandbox/up"
ln -s /etc "$tmp/sandbox/abs"
ln -s ../../secret.txt "$tmp/sandbox/sub/out"
ln -s loop "$tmp/sandbox/loop"
touch -d '2001-02-03 04:05:06' "$tmp/secret.txt"
listing() { (cd "$tmp" && find . -mindepth 1 -path ./sandbox -prune -o -printf '%y %p %s %T@\n' | sort); }
before=$(listing)

"$vessel" run --dir "$tmp/sandbox::/sandbox" "$wasm" </dev/null >"$logs/out" 2>"$logs/err"
rc=$?
cat "$logs/out"
fail=0
if [ $rc != 0 ] || grep -q ESCAPED "$logs/out" || ! grep -q '^0 escapes$' "$logs/out"; then
	echo "FAIL: the guest got out (status $rc)"
	cat "$logs/err"
	fail=1
fi
if grep -q 'opened' "$logs/out"; then
	echo "FAIL: the guest opened something it should not have"
	fail=1
fi
after=$(listing)
if [ "$before" != "$after" ]; then
	echo "FAIL: outside the sandbox changed:"
	diff <(echo "$before") <(echo "$after")
	fail=1
fi
[ "$(cat "$tmp/secret.txt")" = secret ] || { echo "FAIL: secret.txt changed"; fail=1; }
[ -L "$tmp/sandbox/mine" ] || { echo "FAIL: the guest could not make a relative link"; fail=1; }
[ $fail = 0 ] && echo "ok: every escape refused, nothing outside touched"
exit $fail
