/* agent_mcp: a small MCP client, the way sched-agent (and the protocol
 * tests) reach the SchedCP server: through the protocol, never by calling
 * the server's functions.
 *
 * Two transports: stdio (the server is spawned as a child, one JSON message
 * per line each way) and streamable HTTP (libcurl; POST /mcp with the bearer
 * token, Mcp-Session-Id after initialize, responses as JSON or as
 * server-sent events). Requests are synchronous; notifications that arrive
 * before a response (notifications/progress) go to a callback.
 */
#ifndef SCX_AGENT_MCP_H
#define SCX_AGENT_MCP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct scx_agent_mcp;

/* Called for each notification received while waiting for a response. */
typedef void (*scx_agent_notify_fn)(void *ctx, const json_t *msg);

/* Spawns argv (argv[0] is looked up in PATH) with pipes on its stdin and
 * stdout; its stderr is inherited. */
int scx_agent_mcp_spawn(char *const argv[], struct scx_agent_mcp **out, char *err, size_t errlen);

/* A client of http://127.0.0.1:PORT/mcp (url given whole) with a token. */
int scx_agent_mcp_http(const char *url, const char *token, struct scx_agent_mcp **out, char *err,
		       size_t errlen);

/* Closes the connection (stdio: closes the child's stdin and waits for it;
 * *exit_status, may be NULL, receives its wait status). HTTP: DELETE the
 * session. */
void scx_agent_mcp_close(struct scx_agent_mcp *c, int *exit_status);

void scx_agent_mcp_set_notify(struct scx_agent_mcp *c, scx_agent_notify_fn fn, void *ctx);

/* Sends one raw message (text need not be valid JSON) and reads what comes
 * back: the response (or NULL when none is due, e.g. a notification) into
 * *reply. HTTP: *http_status (may be NULL) receives the status. Returns 0,
 * or -errno when the transport failed. For tests of malformed input. */
int scx_agent_mcp_raw(struct scx_agent_mcp *c, const char *text, size_t len, bool expect_reply,
		      json_t **reply, long *http_status, char *err, size_t errlen);

/* A request: params is stolen (may be NULL). On a result, *result (a new
 * reference) and 0; on a JSON-RPC error, -EPROTO with *rpc_code and the
 * server's message in err. */
int scx_agent_mcp_request(struct scx_agent_mcp *c, const char *method, json_t *params,
			  json_t **result, int *rpc_code, char *err, size_t errlen);

/* initialize (revision 2025-06-18) and notifications/initialized. */
int scx_agent_mcp_initialize(struct scx_agent_mcp *c, json_t **server_result, char *err,
			     size_t errlen);

/* tools/call: args stolen; with_progress asks for progress notifications.
 * *structured receives structuredContent (a new reference, NULL if none),
 * *is_error the result's isError, and text (may be NULL) the first text
 * content. Returns 0 when a result came back (even isError), else as
 * scx_agent_mcp_request. */
int scx_agent_mcp_call_tool(struct scx_agent_mcp *c, const char *name, json_t *args,
			    bool with_progress, json_t **structured, bool *is_error, char *text,
			    size_t textlen, char *err, size_t errlen);

/* stdio only: waits for the next message of any kind (a notification too)
 * and returns it in *msg; for tests that need to act between a request and
 * its response. -ENOTSUP over HTTP. */
int scx_agent_mcp_read_one(struct scx_agent_mcp *c, json_t **msg, char *err, size_t errlen);

/* Bytes sent and received so far (the protocol's cost on the wire). */
void scx_agent_mcp_bytes(const struct scx_agent_mcp *c, size_t *sent, size_t *received);

#endif /* SCX_AGENT_MCP_H */
