/* mcp_transport: the two ways SchedCP's MCP server talks to clients.
 *
 * stdio: newline-delimited JSON-RPC messages on a pair of descriptors, as an
 * MCP client such as Claude Code spawns the server. A line longer than the
 * server's message limit is answered with -32600 and skipped; end of input
 * ends the loop; a peer that stops reading ends it as well.
 *
 * Streamable HTTP (MCP 2025-06-18): POST /mcp on 127.0.0.1 only, a bearer
 * token required on every request, Mcp-Session-Id given by initialize and
 * required afterwards, DELETE /mcp to end a session, 413 for a body over the
 * limit, 403 for a foreign Origin. A tools/call that carries a progress
 * token and accepts text/event-stream is answered as server-sent events: the
 * progress notifications as they happen, then the response. libmicrohttpd
 * serves each connection on its own thread; tool calls run one at a time.
 */
#ifndef SCX_MCP_TRANSPORT_H
#define SCX_MCP_TRANSPORT_H

#include "mcp_server.h"

#include <stddef.h>
#include <stdint.h>

/* Serves messages from in_fd, answers on out_fd, until end of input or a
 * closed out_fd. Returns 0 at end of input, -EPIPE when the peer went away,
 * another -errno on a read error. */
int scx_mcp_serve_stdio(struct scx_mcp_server *srv, int in_fd, int out_fd, char *err,
			size_t errlen);

#define SCX_MCP_TOKEN_MAX 256

struct scx_mcp_http_opts {
	uint16_t port;	     /* 0: any free port (see scx_mcp_http_port) */
	const char *token;   /* the bearer token clients must send; required */
	size_t max_sessions; /* 0: 64 */
};

struct scx_mcp_http;

int scx_mcp_http_start(struct scx_mcp_server *srv, const struct scx_mcp_http_opts *opts,
		       struct scx_mcp_http **out, char *err, size_t errlen);
uint16_t scx_mcp_http_port(const struct scx_mcp_http *h);
/* Stops the daemon, waits for calls in flight to end, frees h. */
void scx_mcp_http_stop(struct scx_mcp_http *h);

/* Reads a bearer token from path: a regular file owned by this user that
 * nobody else may read or write (mode 0600 or stricter); its first line,
 * 16 to SCX_MCP_TOKEN_MAX-1 printable characters. */
int scx_mcp_load_token(const char *path, char *out, size_t outlen, char *err, size_t errlen);

#endif /* SCX_MCP_TRANSPORT_H */
