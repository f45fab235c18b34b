#!/bin/sh
# dock_netns.sh: docks on addresses inside network namespaces (docs/vessels.md,
# "Docks"). Two namespaces joined by a veth pair, 10.77.0.1/24 and
# 10.77.0.2/24, one dock listening in each; a compute guest started in the
# first, held, migrated to the second over the veth link, and waited for
# there: its output and exit status equal an unmigrated `vslctl run`. The
# namespaces are removed on any exit. Needs root and `ip netns`: SKIPPED
# (77) otherwise.
#
# usage: dock_netns.sh DOCK VSLCTL COMPUTE.wasm
set -u
dock=$1 vslctl=$2 compute=$3
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIPPED: network namespaces need root"
	exit 77
fi
if ! command -v ip >/dev/null 2>&1 || ! ip netns list >/dev/null 2>&1; then
	echo "SKIPPED: ip netns is unavailable"
	exit 77
fi
ns1=vsl-a-$$ ns2=vsl-b-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/vsl-netns-XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	ip netns del "$ns1" 2>/dev/null
	ip netns del "$ns2" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
cd "$work" || exit 1
echo "token-$$" >tok
fail=0
bad() { echo "FAIL: $*"; fail=1; }

if ! ip netns add "$ns1" 2>err || ! ip netns add "$ns2" 2>>err ||
	! ip link add vsla$$ netns "$ns1" type veth peer name vslb$$ netns "$ns2" 2>>err; then
	echo "SKIPPED: cannot create namespaces and a veth pair: $(cat err)"
	exit 77
fi
ip -n "$ns1" addr add 10.77.0.1/24 dev vsla$$ || exit 1
ip -n "$ns2" addr add 10.77.0.2/24 dev vslb$$ || exit 1
for n in "$ns1" "$ns2"; do
	ip -n "$n" link set lo up || exit 1
done
ip -n "$ns1" link set vsla$$ up || exit 1
ip -n "$ns2" link set vslb$$ up || exit 1

start_dock() { # start_dock NS ADDR NAME: sets $addr_NAME
	ip netns exec "$1" "$dock" --listen "$2:0" --port-file "$3.port" --token-file tok \
		--slice 5000 2>"$3.log" &
	pids="$pids $!"
	i=0
	while [ ! -s "$3.port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$3.port" ] || { echo "FAIL: dock $3 did not start"; cat "$3.log"; exit 1; }
	eval "addr_$3=$2:$(cat "$3.port")"
}
start_dock "$ns1" 10.77.0.1 A
start_dock "$ns2" 10.77.0.2 B
# ctl NS ARGS...: the client runs inside NS (the docks are not reachable
# from the host's namespace)
ctl() {
	n=$1
	shift
	ip netns exec "$n" "$vslctl" --dock "$@"
}

"$vslctl" run --count "$compute" >ref.out 2>ref.err
ref_rc=$?
total=$(sed -n 's/^vslctl: \([0-9]*\) safe points$/\1/p' ref.err)
[ -n "$total" ] || { echo "FAIL: no safe point count"; cat ref.err; exit 1; }

id=$(ctl "$ns1" "$addr_A" --token-file tok run --hold $((total / 2)) --stdout "$work/mig.out" \
	"$compute") || { echo "FAIL: run at $addr_A"; exit 1; }
i=0
while ! ctl "$ns1" "$addr_A" --token-file tok ps | grep -q "^$id held"; do
	i=$((i + 1))
	[ $i -lt 3000 ] || { echo "FAIL: vessel $id never held at $addr_A"; exit 1; }
	sleep 0.1
done
m=$(ctl "$ns1" "$addr_A" --token-file tok migrate --precopy "$id" "$addr_B") ||
	bad "migrate $addr_A -> $addr_B"
echo "$m" | grep -q "^$addr_B [0-9]" || bad "migrate did not print '$addr_B ID': '$m'"
nid=$(echo "$m" | awk '{print $2}')
ctl "$ns2" "$addr_B" --token-file tok wait "$nid" 2>/dev/null
rc=$?
if [ $rc -ne $ref_rc ]; then
	bad "migrated vessel exited $rc, unmigrated $ref_rc"
elif ! cmp -s mig.out ref.out; then
	bad "migrated output differs from an unmigrated run"
	diff ref.out mig.out | head -10
else
	echo "ok: migrated between namespaces $addr_A -> $addr_B at $((total / 2)) of $total safe points ($m)"
fi
ctl "$ns1" "$addr_A" --token-file tok ps | grep -q "^$id migrated" ||
	bad "ps at $addr_A does not list vessel $id as migrated"
for p in $pids; do kill "$p" 2>/dev/null; done
for p in $pids; do wait "$p" 2>/dev/null; done
pids=""
if grep -l "Sanitizer\|runtime error" ./*.log >/dev/null 2>&1; then
	bad "a sanitizer reported in a dock's log"
fi
exit $fail
