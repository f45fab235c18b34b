/* xdpcount.c: the guest of xdpcount. `xdpcount IFNAME PORT` writes PORT into
 * the tool_config map, attaches the XDP program and the socket filter to
 * IFNAME and prints the counters every 200 ms until stopped. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wbpf_sdk.h"
#include "xdpcount.h"

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3) {
		fprintf(stderr, "usage: xdpcount IFNAME UDP_PORT\n");
		return 2;
	}
	struct xdpc_config cfg = {.udp_port = (__u16)strtoul(argv[2], NULL, 10)};
	struct wbpf_object *o = wbpf_object_open(NULL, 0);
	__u32 zero = 0;
	int cfd, nfd, e = -1;
	if (o && !wbpf_object_load(o) && (cfd = wbpf_object_map_fd(o, "tool_config")) >= 0 &&
	    (nfd = wbpf_object_map_fd(o, "counts")) >= 0 &&
	    !wbpf_map_update(cfd, &zero, &cfg, WBPF_ANY))
		e = wbpf_object_attach(o, "count_frames", argv[1]);
	if (!e)
		e = wbpf_object_attach(o, "count_socket", argv[1]);
	if (e) {
		fprintf(stderr, "xdpcount: cannot attach to %s (%d)\n", argv[1], e);
		wbpf_object_destroy(o);
		return 1;
	}
	printf("READY xdpcount %s port %u\n", argv[1], cfg.udp_port);
	for (;;) {
		__u64 v[XDPC_KEYS] = {0};
		for (__u32 k = 0; k < XDPC_KEYS; k++)
			wbpf_map_lookup(nfd, &k, &v[k]);
		printf("COUNT all=%llu ipv4=%llu udp_port=%llu socket=%llu\n",
		       (unsigned long long)v[0], (unsigned long long)v[1], (unsigned long long)v[2],
		       (unsigned long long)v[3]);
		usleep(200000);
	}
	wbpf_object_destroy(o);
	return 0;
}
