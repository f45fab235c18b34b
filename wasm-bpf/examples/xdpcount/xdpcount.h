/* xdpcount.h: the counters of xdpcount, shared by kernel and guest: the
 * array map "counts" holds a __u64 per key below. The UDP port to count is
 * key 0 of the array map "tool_config" (written by the guest). */
#ifndef XDPCOUNT_H
#define XDPCOUNT_H

#include "wbpf_types.h"

/* XDPC_SOCKET: packets seen by the socket filter on the same interface. */
enum {
	XDPC_ALL = 0,
	XDPC_IPV4 = 1,
	XDPC_UDP_PORT = 2,
	XDPC_SOCKET = 3,
	XDPC_KEYS = 4
};

struct xdpc_config {
	__u16 udp_port; /* host order */
	__u16 pad1;
	__u32 pad2;
};
WBPF_LAYOUT(struct xdpc_config, 8);

#endif
