/* mcp_server: SchedCP's Model Context Protocol server core (JSON-RPC 2.0,
 * MCP revision 2025-06-18), independent of the transport.
 *
 * A server holds a table of tools (name, JSON Schemas for input and output,
 * a handler) and of resource providers (a URI prefix with list and read
 * functions). scx_mcp_handle takes one message as received (a line on
 * stdio, a POST body over HTTP), answers initialize, ping, tools/list,
 * tools/call, resources/list, resources/templates/list and resources/read,
 * and hands every outgoing message (progress notifications, then the
 * response) to the transport's send function. Arguments are checked
 * against the tool's inputSchema (-32602 naming the field) and results
 * against its outputSchema before they leave. Tool failures are results
 * with isError true, as the specification asks; protocol failures are
 * JSON-RPC errors. Nothing here prints or exits. The transports are
 * mcp_stdio.c and mcp_http.c.
 */
#ifndef SCX_MCP_SERVER_H
#define SCX_MCP_SERVER_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define SCX_MCP_PROTOCOL_VERSION "2025-06-18"

/* JSON-RPC 2.0 error codes. */
#define SCX_RPC_PARSE_ERROR	   -32700
#define SCX_RPC_INVALID_REQUEST	   -32600
#define SCX_RPC_METHOD_NOT_FOUND   -32601
#define SCX_RPC_INVALID_PARAMS	   -32602
#define SCX_RPC_INTERNAL_ERROR	   -32603
/* MCP: a resource URI that names nothing. */
#define SCX_RPC_RESOURCE_NOT_FOUND -32002

/* Default limit on one message, in bytes. */
#define SCX_MCP_DEFAULT_MAX_MESSAGE (1u << 20)

struct scx_mcp_server;

/* Where outgoing messages go: text is one JSON value (no newline). A
 * negative return means the peer is gone; the call in progress is then
 * marked cancelled. */
typedef int (*scx_mcp_send_fn)(void *ctx, const char *text, size_t len);

/* What a tool handler gets about the call it serves. */
struct scx_mcp_call {
	struct scx_mcp_server *srv;
	json_t *progress_token; /* borrowed; NULL when the client sent none */
	scx_mcp_send_fn send;
	void *send_ctx;
	atomic_bool cancelled; /* the peer went away: stop early */
	double last_progress;
	const atomic_bool *client_cancel; /* notifications/cancelled (the session's) */
};

/* A tool handler: *result receives a JSON object conforming to the tool's
 * outputSchema (reference owned by the caller afterwards). A negative return
 * with err filled becomes a result with isError true. */
typedef int (*scx_mcp_tool_fn)(struct scx_mcp_call *call, const json_t *args, void *ctx,
			       json_t **result, char *err, size_t errlen);

struct scx_mcp_tool {
	const char *name;
	const char *title;
	const char *description;
	const char *input_schema;  /* JSON text */
	const char *output_schema; /* JSON text */
	bool read_only;		   /* annotations.readOnlyHint */
	bool destructive;	   /* annotations.destructiveHint */
	scx_mcp_tool_fn fn;
	void *ctx;
	/* A short natural-language text for the result's text content; NULL:
	 * the structured result serialised. Returns a heap string. */
	char *(*summarize)(const json_t *result);
};

/* Resources: list appends {uri, name, mimeType, description} objects to
 * out; read returns {uri, mimeType, text} in *contents or
 * SCX_RPC_RESOURCE_NOT_FOUND / another negative value with err. */
typedef int (*scx_mcp_res_list_fn)(void *ctx, json_t *out, char *err, size_t errlen);
typedef int (*scx_mcp_res_read_fn)(void *ctx, const char *uri, json_t **contents, char *err,
				   size_t errlen);

struct scx_mcp_server_opts {
	const char *name;    /* serverInfo.name */
	const char *version; /* serverInfo.version */
	const char *instructions;
	size_t max_message; /* 0: SCX_MCP_DEFAULT_MAX_MESSAGE */
	/* Log hook for the server's own messages (a bad result, a dropped
	 * peer); NULL: silent. */
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
};

/* One client's state: stdio has one, HTTP one per Mcp-Session-Id. */
struct scx_mcp_session {
	bool initialized;  /* initialize answered */
	bool client_ready; /* notifications/initialized received */
	char protocol[16]; /* the negotiated revision */
	char client_name[64];
	/* Set by a transport that can see notifications/cancelled while a
	 * request runs: when it becomes true, the tool in progress is asked to
	 * stop (scx_mcp_call_cancelled) and no response is sent. May be NULL. */
	const atomic_bool *cancel;
};

int scx_mcp_server_new(const struct scx_mcp_server_opts *opts, struct scx_mcp_server **out,
		       char *err, size_t errlen);
void scx_mcp_server_free(struct scx_mcp_server *srv);

/* Adds a tool; its schemas are parsed and checked (scx_mcp_schema_check).
 * -EINVAL names the tool and the problem; -EEXIST for a duplicate name. */
int scx_mcp_server_add_tool(struct scx_mcp_server *srv, const struct scx_mcp_tool *tool, char *err,
			    size_t errlen);

/* Adds a resource provider for URIs starting with prefix; template (may be
 * NULL) is listed by resources/templates/list. */
int scx_mcp_server_add_resources(struct scx_mcp_server *srv, const char *prefix,
				 const char *template_uri, const char *template_name,
				 scx_mcp_res_list_fn list, scx_mcp_res_read_fn read, void *ctx,
				 char *err, size_t errlen);

size_t scx_mcp_server_max_message(const struct scx_mcp_server *srv);

/* Handles one incoming message of len bytes. Sends zero or more messages
 * through send (nothing for notifications and responses from the client).
 * Returns 0, or a negative value when send failed (the peer is gone).
 * *was_request (may be NULL) tells whether the message was a request that
 * got a response. */
int scx_mcp_handle(struct scx_mcp_server *srv, struct scx_mcp_session *sess, const char *msg,
		   size_t len, scx_mcp_send_fn send, void *send_ctx, bool *was_request);

/* Sends the JSON-RPC error for a message that was too large (id null). */
int scx_mcp_send_too_large(struct scx_mcp_server *srv, size_t limit, scx_mcp_send_fn send,
			   void *send_ctx);

/* Inspects a message without handling it: its method (copied, "" if
 * none), whether it is an initialize request, and whether it asks for
 * progress (params._meta.progressToken). Returns -1 for unparsable text. */
int scx_mcp_peek(const char *msg, size_t len, char *method, size_t method_len,
		 bool *wants_progress);

/* For tool handlers: sends notifications/progress when the client asked for
 * it (a progress token); progress must grow. Returns 0, or -1 when the
 * peer is gone (call->cancelled is then set). */
int scx_mcp_progress(struct scx_mcp_call *call, double progress, double total, const char *message);

/* For tool handlers: true when the call should stop early, because the
 * client went away or cancelled the request. */
bool scx_mcp_call_cancelled(const struct scx_mcp_call *call);

/* The server's tools as a tools/list result (a new reference). */
json_t *scx_mcp_server_tools_json(struct scx_mcp_server *srv);

/* Logs through the server's hook. */
void scx_mcp_log(struct scx_mcp_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* SCX_MCP_SERVER_H */
