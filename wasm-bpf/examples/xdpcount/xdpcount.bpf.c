/* xdpcount.bpf.c: an XDP program that counts the frames an interface
 * receives: all of them, IPv4 ones, and UDP datagrams to the port the guest
 * configured; every frame passes on. A socket filter on the same interface
 * counts the packets its packet socket sees (both directions). */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdpcount.h"

#define ETH_P_IP     0x0800
#define IPPROTO_UDP_ 17

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPC_KEYS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpc_config);
} tool_config SEC(".maps");

static __always_inline void bump(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int count_frames(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	bump(XDPC_ALL);
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	bump(XDPC_IPV4);
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP_ || ip->ihl < 5)
		return XDP_PASS;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return XDP_PASS;
	__u32 zero = 0;
	struct xdpc_config *cfg = bpf_map_lookup_elem(&tool_config, &zero);
	if (cfg && cfg->udp_port && udp->dest == bpf_htons(cfg->udp_port))
		bump(XDPC_UDP_PORT);
	return XDP_PASS;
}

SEC("socket")
int count_socket(struct __sk_buff *skb)
{
	bump(XDPC_SOCKET);
	return 0; /* the host's packet socket needs no copy */
}

char LICENSE[] SEC("license") = "GPL";
