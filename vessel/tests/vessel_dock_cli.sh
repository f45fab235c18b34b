#!/bin/sh
# vessel_dock_cli.sh: the `vessel` command's dock subcommands (docs/vessels.md,
# "Docks"), which exec the dock client vslctl. Two docks on loopback; a
# compute guest started with `vessel --dock A run --hold`, listed by
# `vessel ps --dock A`, migrated A -> B by `vessel migrate --dock A`, waited
# for at B: its output equals a local `vessel run` of the same guest. Also:
# checkpoint and kill through `vessel`, the checkpoint resumed by `vslctl
# resume`; a dock command without --dock is a usage error (exit 2); a
# `vessel` with no vslctl beside it nor on PATH says so and exits 125, one
# with vslctl beside it uses that one; a plain `vessel run` still runs
# locally.
#
# usage: vessel_dock_cli.sh VESSEL VSLCTL DOCK COMPUTE.wasm
set -u
vessel=$1 vslctl=$2 dock=$3 compute=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/vsl-vcli-XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$work" || exit 1
echo "token-$$" >tok
fail=0
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok: $*"; }

# vslctl is found on PATH here (in a build tree it is not next to vessel)
PATH="$(dirname "$vslctl"):$PATH"
export PATH

start_dock() { # start_dock NAME: sets $addr_NAME
	"$dock" --listen 127.0.0.1:0 --port-file "$1.port" --token-file tok --slice 5000 \
		2>"$1.log" &
	pids="$pids $!"
	i=0
	while [ ! -s "$1.port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$1.port" ] || { echo "FAIL: dock $1 did not start"; cat "$1.log"; exit 1; }
	eval "addr_$1=127.0.0.1:$(cat "$1.port")"
}
start_dock A
start_dock B

# the reference: a local run (vessel run, no dock involved)
"$vessel" run "$compute" >ref.out 2>ref.err
ref_rc=$?
[ $ref_rc -eq 0 ] && [ -s ref.out ] || bad "local vessel run: exit $ref_rc"
"$vslctl" run --count "$compute" >/dev/null 2>count.err
total=$(sed -n 's/^vslctl: \([0-9]*\) safe points$/\1/p' count.err)
[ -n "$total" ] || { echo "FAIL: no safe point count"; cat count.err; exit 1; }

# held ADDR ID: waits until `vessel ps` at ADDR lists vessel ID as held
held() {
	i=0
	while ! "$vessel" ps --dock "$1" --token-file tok | grep -q "^$2 held"; do
		i=$((i + 1))
		[ $i -lt 3000 ] || { bad "vessel $2 never held at $1"; return 1; }
		sleep 0.1
	done
}

# run at A (the --dock-first form), ps, migrate to B, wait there
id=$("$vessel" --dock "$addr_A" --token-file tok run --hold $((total / 3)) \
	--stdout "$work/mig.out" "$compute") || bad "vessel --dock A run"
case "$id" in '' | *[!0-9]*) bad "run did not print a vessel id: '$id'" ;; esac
held "$addr_A" "$id" && ok "vessel ps --dock A lists vessel $id held"
m=$("$vessel" migrate --dock "$addr_A" --token-file tok "$id" "$addr_B") ||
	bad "vessel migrate A -> B"
echo "$m" | grep -q "^$addr_B [0-9]" || bad "migrate did not print 'HOST:PORT ID': '$m'"
nid=$(echo "$m" | awk '{print $2}')
"$vessel" wait --dock "$addr_B" --token-file tok "$nid" 2>/dev/null
rc=$?
if [ $rc -ne $ref_rc ]; then
	bad "migrated vessel exited $rc, the local run $ref_rc"
elif ! cmp -s mig.out ref.out; then
	bad "migrated output differs from a local vessel run"
	diff ref.out mig.out | head -10
else
	ok "vessel run/ps/migrate/wait through docks: output equals a local run ($m)"
fi
"$vessel" ps --dock "$addr_A" --token-file tok | grep -q "^$id migrated" ||
	bad "vessel ps at A does not list vessel $id as migrated"

# checkpoint and kill through vessel (the run --dock form); resume the image
id=$("$vessel" run --dock "$addr_A" --token-file tok --hold $((total / 2)) \
	--stdout "$work/ck1.out" "$compute") || bad "vessel run --dock A"
held "$addr_A" "$id"
"$vessel" checkpoint --dock "$addr_A" --token-file tok -o ck.img "$id" ||
	bad "vessel checkpoint"
"$vessel" kill --dock "$addr_A" --token-file tok "$id" >/dev/null || bad "vessel kill"
"$vessel" wait --dock "$addr_A" --token-file tok "$id" 2>/dev/null
[ $? -eq 137 ] || bad "wait after vessel kill does not say killed (137)"
"$vslctl" resume ck.img >ck2.out 2>/dev/null
rc=$?
cat ck1.out ck2.out >ck.out
if [ $rc -eq $ref_rc ] && cmp -s ck.out ref.out; then
	ok "vessel checkpoint at $((total / 2)) of $total, resumed by vslctl; vessel kill"
else
	bad "checkpoint through vessel, resumed: exit $rc, output differs or not"
fi

# a restore through vessel of that image runs to the same end
id=$("$vessel" restore --dock "$addr_B" --token-file tok --stdout "$work/rs.out" ck.img) ||
	bad "vessel restore"
"$vessel" wait --dock "$addr_B" --token-file tok "$id" 2>/dev/null
rc=$?
cat ck1.out rs.out >rs-all.out
[ $rc -eq $ref_rc ] && cmp -s rs-all.out ref.out && ok "vessel restore --dock B" ||
	bad "vessel restore: exit $rc, output differs or not"

# usage: a dock command without --dock
"$vessel" ps >/dev/null 2>err
[ $? -eq 2 ] && grep -q "give --dock" err && ok "vessel ps without --dock: usage error" ||
	bad "vessel ps without --dock: $(cat err)"

# no vslctl anywhere: a copy of vessel alone in a folder, an empty PATH
mkdir alone && cp "$vessel" alone/vessel
PATH=/nonexistent ./alone/vessel --dock "$addr_A" --token-file tok ps >/dev/null 2>err
[ $? -eq 125 ] && grep -q "vslctl" err && ok "vslctl missing: $(cat err)" ||
	bad "vslctl missing: no clear error: $(cat err)"

# vslctl beside vessel is found with nothing on PATH
mkdir pair && cp "$vessel" pair/vessel && cp "$vslctl" pair/vslctl
PATH=/nonexistent ./pair/vessel ps --dock "$addr_A" --token-file tok >pair.out 2>err
[ $? -eq 0 ] && grep -q "^$id " pair.out && ok "vslctl found next to vessel" ||
	bad "vslctl next to vessel not used: $(cat err)"

# a plain run is still local with the dock options absent
"$vessel" run "$compute" >again.out 2>/dev/null && cmp -s again.out ref.out ||
	bad "vessel run changed"

for p in $pids; do kill "$p" 2>/dev/null; done
for p in $pids; do wait "$p" 2>/dev/null; done
pids=""
if grep -l "Sanitizer\|runtime error" ./*.log >/dev/null 2>&1; then
	bad "a sanitizer reported in a dock's log"
fi
exit $fail
