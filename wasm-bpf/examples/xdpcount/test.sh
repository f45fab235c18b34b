#!/bin/sh
# xdpcount's test: a veth pair whose far end lives in a network namespace
# made for the test; xdpcount runs inside the namespace on the far end,
# configured (through its config map) to count UDP port 9999. Ten UDP
# datagrams to that port are sent from outside; the counter must reach
# exactly 10 (nothing else in the fresh namespace uses the port). A socket
# filter attached to the same interface must have seen at least 10 packets.
# usage: test.sh WASM_BPF TOOL.wasm
WASM_BPF=$1
. "$(dirname "$0")/../testlib.sh"
wbpf_require_root
command -v ip >/dev/null || { echo "SKIPPED: ip (iproute2) is missing"; exit 77; }
command -v python3 >/dev/null || { echo "SKIPPED: python3 is missing"; exit 77; }
ns=wbpf_ns_$$
h=wbpf$$a
p=wbpf$$b
netcleanup() {
	ip link del "$h" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	wbpf_cleanup
}
trap netcleanup EXIT
ip netns add "$ns" || { echo "SKIPPED: cannot create a network namespace"; exit 77; }
ip link add "$h" type veth peer name "$p" || { echo "SKIPPED: no veth support"; exit 77; }
ip link set "$p" netns "$ns"
ip addr add 10.199.0.1/24 dev "$h"
ip link set "$h" up
ip netns exec "$ns" ip addr add 10.199.0.2/24 dev "$p"
ip netns exec "$ns" ip link set "$p" up
ip netns exec "$ns" ip link set lo up
WASM_BPF="ip netns exec $ns $WASM_BPF"
# shellcheck disable=SC2086
wbpf_start_ns() {
	ip netns exec "$ns" "$1" "$2" "$p" 9999 >"$WBPF_TMP/out" 2>"$WBPF_TMP/err" &
	WBPF_PID=$!
	i=0
	while ! grep -q '^READY' "$WBPF_TMP/out" 2>/dev/null; do
		kill -0 "$WBPF_PID" 2>/dev/null || wbpf_fail "the tool exited before it was ready"
		i=$((i + 1))
		[ $i -gt 300 ] && wbpf_fail "no READY line in 30 s"
		sleep 0.1
	done
}
wbpf_start_ns "$1" "$2"
python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(10):
    s.sendto(b"wasm-bpf xdp test", ("10.199.0.2", 9999))
'
wbpf_wait_for "^COUNT all=[0-9]+ ipv4=[0-9]+ udp_port=10 socket=[0-9]+\$"
# The socket filter saw at least the ten datagrams.
wbpf_wait_for "^COUNT .* socket=([1-9][0-9]+)\$"
wbpf_stop
grep -Eq "udp_port=(1[1-9]|[2-9][0-9])" "$WBPF_TMP/out" && wbpf_fail "more than 10 counted"
echo "PASS xdpcount: $(grep "^COUNT" "$WBPF_TMP/out" | tail -1)"
