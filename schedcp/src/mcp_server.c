/* mcp_server: JSON-RPC 2.0 message handling and the MCP methods (see
 * mcp_server.h). A message is classified first (request, notification,
 * response, invalid), then dispatched by method. Batches (JSON arrays) were
 * removed from MCP in revision 2025-06-18 and are refused as invalid
 * requests.
 */
#include "mcp_server.h"
#include "mcp_schema.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOOLS     64
#define MAX_PROVIDERS 8

struct tool_entry {
	struct scx_mcp_tool t;
	char *name;
	json_t *input;	/* parsed inputSchema */
	json_t *output; /* parsed outputSchema */
};

struct provider {
	char *prefix;
	char *template_uri;
	char *template_name;
	scx_mcp_res_list_fn list;
	scx_mcp_res_read_fn read;
	void *ctx;
};

struct scx_mcp_server {
	struct scx_mcp_server_opts opts;
	char *name;
	char *version;
	char *instructions;
	struct tool_entry tools[MAX_TOOLS];
	size_t ntools;
	struct provider providers[MAX_PROVIDERS];
	size_t nproviders;
};

static const char *const supported_versions[] = {"2025-06-18", "2025-03-26", "2024-11-05"};

static int errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int errf(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

void scx_mcp_log(struct scx_mcp_server *srv, const char *fmt, ...)
{
	if (!srv || !srv->opts.log)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	srv->opts.log(srv->opts.log_ctx, msg);
}

int scx_mcp_server_new(const struct scx_mcp_server_opts *opts, struct scx_mcp_server **out,
		       char *err, size_t errlen)
{
	if (!out)
		return errf(err, errlen, -EINVAL, "scx_mcp_server_new: NULL out");
	struct scx_mcp_server *srv = calloc(1, sizeof(*srv));
	if (!srv)
		return errf(err, errlen, -ENOMEM, "out of memory");
	if (opts)
		srv->opts = *opts;
	srv->name = strdup(opts && opts->name ? opts->name : "schedcp");
	srv->version = strdup(opts && opts->version ? opts->version : "0.1.0");
	srv->instructions = opts && opts->instructions ? strdup(opts->instructions) : NULL;
	if (!srv->opts.max_message)
		srv->opts.max_message = SCX_MCP_DEFAULT_MAX_MESSAGE;
	if (!srv->name || !srv->version || (opts && opts->instructions && !srv->instructions)) {
		scx_mcp_server_free(srv);
		return errf(err, errlen, -ENOMEM, "out of memory");
	}
	srv->opts.name = srv->name;
	srv->opts.version = srv->version;
	srv->opts.instructions = srv->instructions;
	*out = srv;
	return 0;
}

void scx_mcp_server_free(struct scx_mcp_server *srv)
{
	if (!srv)
		return;
	for (size_t i = 0; i < srv->ntools; i++) {
		free(srv->tools[i].name);
		json_decref(srv->tools[i].input);
		json_decref(srv->tools[i].output);
	}
	for (size_t i = 0; i < srv->nproviders; i++) {
		free(srv->providers[i].prefix);
		free(srv->providers[i].template_uri);
		free(srv->providers[i].template_name);
	}
	free(srv->name);
	free(srv->version);
	free(srv->instructions);
	free(srv);
}

size_t scx_mcp_server_max_message(const struct scx_mcp_server *srv)
{
	return srv ? srv->opts.max_message : SCX_MCP_DEFAULT_MAX_MESSAGE;
}

static json_t *parse_schema(const char *text, const char *tool, const char *which, char *err,
			    size_t errlen)
{
	json_error_t je;
	json_t *s = json_loads(text ? text : "", 0, &je);
	if (!s) {
		errf(err, errlen, -EINVAL, "tool %s: %s is not JSON: %s (line %d)", tool, which,
		     je.text, je.line);
		return NULL;
	}
	char e[256];
	e[0] = '\0';
	const json_t *type = json_object_get(s, "type");
	if (scx_mcp_schema_check(s, e, sizeof(e)) || !json_is_string(type) ||
	    strcmp(json_string_value(type), "object") != 0) {
		json_decref(s);
		errf(err, errlen, -EINVAL, "tool %s: %s: %s", tool, which,
		     e[0] ? e : "the root must have type object");
		return NULL;
	}
	return s;
}

int scx_mcp_server_add_tool(struct scx_mcp_server *srv, const struct scx_mcp_tool *tool, char *err,
			    size_t errlen)
{
	if (!srv || !tool || !tool->name || !tool->fn)
		return errf(err, errlen, -EINVAL, "add_tool: NULL argument");
	if (srv->ntools >= MAX_TOOLS)
		return errf(err, errlen, -ENOSPC, "add_tool %s: more than %d tools", tool->name,
			    MAX_TOOLS);
	for (size_t i = 0; i < srv->ntools; i++)
		if (!strcmp(srv->tools[i].name, tool->name))
			return errf(err, errlen, -EEXIST, "add_tool %s: the name is taken",
				    tool->name);
	struct tool_entry *e = &srv->tools[srv->ntools];
	memset(e, 0, sizeof(*e));
	e->input = parse_schema(tool->input_schema, tool->name, "inputSchema", err, errlen);
	if (!e->input)
		return -EINVAL;
	e->output = parse_schema(tool->output_schema, tool->name, "outputSchema", err, errlen);
	if (!e->output) {
		json_decref(e->input);
		return -EINVAL;
	}
	e->name = strdup(tool->name);
	if (!e->name) {
		json_decref(e->input);
		json_decref(e->output);
		return errf(err, errlen, -ENOMEM, "out of memory");
	}
	e->t = *tool;
	e->t.name = e->name;
	srv->ntools++;
	return 0;
}

int scx_mcp_server_add_resources(struct scx_mcp_server *srv, const char *prefix,
				 const char *template_uri, const char *template_name,
				 scx_mcp_res_list_fn list, scx_mcp_res_read_fn read, void *ctx,
				 char *err, size_t errlen)
{
	if (!srv || !prefix || !list || !read)
		return errf(err, errlen, -EINVAL, "add_resources: NULL argument");
	if (srv->nproviders >= MAX_PROVIDERS)
		return errf(err, errlen, -ENOSPC, "add_resources %s: too many providers", prefix);
	struct provider *p = &srv->providers[srv->nproviders];
	memset(p, 0, sizeof(*p));
	p->prefix = strdup(prefix);
	p->template_uri = template_uri ? strdup(template_uri) : NULL;
	p->template_name = template_name ? strdup(template_name) : NULL;
	if (!p->prefix || (template_uri && !p->template_uri) ||
	    (template_name && !p->template_name)) {
		free(p->prefix);
		free(p->template_uri);
		free(p->template_name);
		return errf(err, errlen, -ENOMEM, "out of memory");
	}
	p->list = list;
	p->read = read;
	p->ctx = ctx;
	srv->nproviders++;
	return 0;
}

/* ---- sending ------------------------------------------------------------- */

static int send_json(scx_mcp_send_fn send, void *ctx, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(msg);
	if (!text)
		return -ENOMEM;
	int rc = send(ctx, text, strlen(text));
	free(text);
	return rc < 0 ? -EPIPE : 0;
}

static json_t *error_msg(const json_t *id, int code, const char *message)
{
	return json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
			 "error", "code", code, "message", message);
}

static int send_error(scx_mcp_send_fn send, void *ctx, const json_t *id, int code,
		      const char *message)
{
	json_t *m = error_msg(id, code, message);
	if (!m)
		return -ENOMEM;
	return send_json(send, ctx, m);
}

static int send_result(scx_mcp_send_fn send, void *ctx, const json_t *id, json_t *result)
{
	json_t *m = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result);
	if (!m)
		return -ENOMEM;
	return send_json(send, ctx, m);
}

int scx_mcp_send_too_large(struct scx_mcp_server *srv, size_t limit, scx_mcp_send_fn send,
			   void *send_ctx)
{
	(void)srv;
	char msg[128];
	snprintf(msg, sizeof(msg), "Invalid Request: message exceeds %zu bytes", limit);
	return send_error(send, send_ctx, NULL, SCX_RPC_INVALID_REQUEST, msg);
}

bool scx_mcp_call_cancelled(const struct scx_mcp_call *call)
{
	return call && (atomic_load(&call->cancelled) ||
			(call->client_cancel && atomic_load(call->client_cancel)));
}

int scx_mcp_progress(struct scx_mcp_call *call, double progress, double total, const char *message)
{
	if (!call || scx_mcp_call_cancelled(call))
		return -1;
	if (!call->progress_token || !call->send)
		return 0;
	if (progress <= call->last_progress)
		return 0; /* progress must increase */
	call->last_progress = progress;
	json_t *params = json_pack("{s:O, s:f}", "progressToken", call->progress_token, "progress",
				   progress);
	if (!params)
		return 0;
	if (total > 0)
		json_object_set_new(params, "total", json_real(total));
	if (message)
		json_object_set_new(params, "message", json_string(message));
	json_t *m = json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method",
			      "notifications/progress", "params", params);
	if (!m)
		return 0;
	if (send_json(call->send, call->send_ctx, m) < 0) {
		atomic_store(&call->cancelled, true);
		return -1;
	}
	return 0;
}

/* ---- methods ------------------------------------------------------------- */

static json_t *do_initialize(struct scx_mcp_server *srv, struct scx_mcp_session *sess,
			     const json_t *params, int *code, char *msg, size_t msglen)
{
	const json_t *pv = json_object_get(params, "protocolVersion");
	if (!json_is_string(pv)) {
		*code = SCX_RPC_INVALID_PARAMS;
		snprintf(msg, msglen, "Invalid params: params.protocolVersion must be a string");
		return NULL;
	}
	const json_t *caps = json_object_get(params, "capabilities");
	if (caps && !json_is_object(caps)) {
		*code = SCX_RPC_INVALID_PARAMS;
		snprintf(msg, msglen, "Invalid params: params.capabilities must be an object");
		return NULL;
	}
	/* Echo the client's revision when we speak it, else offer our latest:
	 * the client then decides whether to go on. */
	const char *chosen = SCX_MCP_PROTOCOL_VERSION;
	for (size_t i = 0; i < sizeof(supported_versions) / sizeof(supported_versions[0]); i++)
		if (!strcmp(json_string_value(pv), supported_versions[i]))
			chosen = supported_versions[i];
	snprintf(sess->protocol, sizeof(sess->protocol), "%s", chosen);
	const json_t *ci = json_object_get(params, "clientInfo");
	const json_t *cn = json_object_get(ci, "name");
	snprintf(sess->client_name, sizeof(sess->client_name), "%s",
		 json_is_string(cn) ? json_string_value(cn) : "");
	sess->initialized = true;

	json_t *res =
		json_pack("{s:s, s:{s:{s:b}, s:{s:b, s:b}}, s:{s:s, s:s, s:s}}", "protocolVersion",
			  chosen, "capabilities", "tools", "listChanged", 0, "resources",
			  "subscribe", 0, "listChanged", 0, "serverInfo", "name", srv->name,
			  "title", "SchedCP control plane", "version", srv->version);
	if (res && srv->instructions)
		json_object_set_new(res, "instructions", json_string(srv->instructions));
	return res;
}

json_t *scx_mcp_server_tools_json(struct scx_mcp_server *srv)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < srv->ntools; i++) {
		struct tool_entry *e = &srv->tools[i];
		json_t *t = json_pack("{s:s, s:O, s:O, s:{s:b, s:b}}", "name", e->name,
				      "inputSchema", e->input, "outputSchema", e->output,
				      "annotations", "readOnlyHint", e->t.read_only,
				      "destructiveHint", e->t.destructive);
		if (!t)
			continue;
		if (e->t.title)
			json_object_set_new(t, "title", json_string(e->t.title));
		if (e->t.description)
			json_object_set_new(t, "description", json_string(e->t.description));
		json_array_append_new(arr, t);
	}
	return json_pack("{s:o}", "tools", arr);
}

static json_t *tool_error_result(const char *text)
{
	return json_pack("{s:[{s:s, s:s}], s:b}", "content", "type", "text", "text", text,
			 "isError", 1);
}

static json_t *do_tools_call(struct scx_mcp_server *srv, struct scx_mcp_session *sess,
			     const json_t *params, scx_mcp_send_fn send, void *send_ctx, int *code,
			     char *msg, size_t msglen, bool *peer_gone)
{
	const json_t *name = json_object_get(params, "name");
	if (!json_is_string(name)) {
		*code = SCX_RPC_INVALID_PARAMS;
		snprintf(msg, msglen, "Invalid params: params.name must be a string");
		return NULL;
	}
	struct tool_entry *e = NULL;
	for (size_t i = 0; i < srv->ntools; i++)
		if (!strcmp(srv->tools[i].name, json_string_value(name)))
			e = &srv->tools[i];
	if (!e) {
		*code = SCX_RPC_INVALID_PARAMS;
		snprintf(msg, msglen, "Unknown tool: %.64s", json_string_value(name));
		return NULL;
	}
	json_t *args = json_object_get(params, "arguments");
	json_t *empty = NULL;
	if (!args)
		args = empty = json_object();
	char e_msg[384];
	if (scx_mcp_schema_validate(e->input, args, "arguments", e_msg, sizeof(e_msg))) {
		json_decref(empty);
		*code = SCX_RPC_INVALID_PARAMS;
		snprintf(msg, msglen, "Invalid params for %s: %s", e->name, e_msg);
		return NULL;
	}

	struct scx_mcp_call call = {
		.srv = srv, .send = send, .send_ctx = send_ctx, .client_cancel = sess->cancel};
	atomic_init(&call.cancelled, false);
	const json_t *meta = json_object_get(params, "_meta");
	json_t *token = json_object_get(meta, "progressToken");
	if (json_is_string(token) || json_is_integer(token))
		call.progress_token = token;

	json_t *result = NULL;
	char terr[1024] = "";
	int rc = e->t.fn(&call, args, e->t.ctx, &result, terr, sizeof(terr));
	json_decref(empty);
	/* Gone, or cancelled by the client: either way, no response. */
	if (scx_mcp_call_cancelled(&call))
		*peer_gone = true;
	if (rc < 0) {
		json_decref(result);
		return tool_error_result(terr[0] ? terr : "the tool failed");
	}
	if (!json_is_object(result)) {
		json_decref(result);
		*code = SCX_RPC_INTERNAL_ERROR;
		snprintf(msg, msglen, "Internal error: tool %s returned no object", e->name);
		return NULL;
	}
	if (scx_mcp_schema_validate(e->output, result, "structuredContent", e_msg, sizeof(e_msg))) {
		scx_mcp_log(srv, "tool %s: result fails its outputSchema: %s", e->name, e_msg);
		json_decref(result);
		*code = SCX_RPC_INTERNAL_ERROR;
		snprintf(msg, msglen,
			 "Internal error: tool %s produced a result outside its "
			 "outputSchema: %s",
			 e->name, e_msg);
		return NULL;
	}
	char *text = e->t.summarize ? e->t.summarize(result) : NULL;
	if (!text)
		text = json_dumps(result, JSON_COMPACT);
	json_t *res = json_pack("{s:[{s:s, s:s}], s:o, s:b}", "content", "type", "text", "text",
				text ? text : "", "structuredContent", result, "isError", 0);
	free(text);
	return res;
}

static json_t *do_resources_list(struct scx_mcp_server *srv, int *code, char *msg, size_t msglen)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < srv->nproviders; i++) {
		char e[256] = "";
		if (srv->providers[i].list(srv->providers[i].ctx, arr, e, sizeof(e)) < 0) {
			json_decref(arr);
			*code = SCX_RPC_INTERNAL_ERROR;
			snprintf(msg, msglen, "Internal error: listing %s: %s",
				 srv->providers[i].prefix, e);
			return NULL;
		}
	}
	return json_pack("{s:o}", "resources", arr);
}

static json_t *do_templates_list(struct scx_mcp_server *srv)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < srv->nproviders; i++) {
		struct provider *p = &srv->providers[i];
		if (!p->template_uri)
			continue;
		json_array_append_new(
			arr, json_pack("{s:s, s:s}", "uriTemplate", p->template_uri, "name",
				       p->template_name ? p->template_name : p->template_uri));
	}
	return json_pack("{s:o}", "resourceTemplates", arr);
}

static json_t *do_resources_read(struct scx_mcp_server *srv, const json_t *params, int *code,
				 char *msg, size_t msglen)
{
	const json_t *uri = json_object_get(params, "uri");
	if (!json_is_string(uri)) {
		*code = SCX_RPC_INVALID_PARAMS;
		snprintf(msg, msglen, "Invalid params: params.uri must be a string");
		return NULL;
	}
	const char *u = json_string_value(uri);
	for (size_t i = 0; i < srv->nproviders; i++) {
		struct provider *p = &srv->providers[i];
		if (strncmp(u, p->prefix, strlen(p->prefix)) != 0)
			continue;
		json_t *contents = NULL;
		char e[256] = "";
		int rc = p->read(p->ctx, u, &contents, e, sizeof(e));
		if (rc < 0) {
			json_decref(contents);
			*code = rc == SCX_RPC_RESOURCE_NOT_FOUND ? SCX_RPC_RESOURCE_NOT_FOUND
								 : SCX_RPC_INTERNAL_ERROR;
			snprintf(msg, msglen, "%s: %s",
				 rc == SCX_RPC_RESOURCE_NOT_FOUND ? "Resource not found"
								  : "Internal error",
				 e[0] ? e : u);
			return NULL;
		}
		return json_pack("{s:[o]}", "contents", contents);
	}
	*code = SCX_RPC_RESOURCE_NOT_FOUND;
	snprintf(msg, msglen, "Resource not found: %.200s", u);
	return NULL;
}

/* ---- dispatch ------------------------------------------------------------ */

static bool valid_id(const json_t *id)
{
	/* MCP: a string or an integer, never null. */
	return json_is_string(id) || json_is_integer(id);
}

int scx_mcp_peek(const char *msg, size_t len, char *method, size_t method_len, bool *wants_progress)
{
	if (method && method_len)
		method[0] = '\0';
	if (wants_progress)
		*wants_progress = false;
	json_t *root = json_loadb(msg, len, JSON_DECODE_ANY, NULL);
	if (!root)
		return -1;
	const json_t *m = json_object_get(root, "method");
	if (json_is_string(m) && method)
		snprintf(method, method_len, "%s", json_string_value(m));
	const json_t *tok = json_object_get(
		json_object_get(json_object_get(root, "params"), "_meta"), "progressToken");
	if (wants_progress)
		*wants_progress = json_is_string(tok) || json_is_integer(tok);
	json_decref(root);
	return 0;
}

int scx_mcp_handle(struct scx_mcp_server *srv, struct scx_mcp_session *sess, const char *msg,
		   size_t len, scx_mcp_send_fn send, void *send_ctx, bool *was_request)
{
	if (was_request)
		*was_request = false;
	if (!srv || !sess || !send)
		return -EINVAL;
	if (len > srv->opts.max_message) {
		if (was_request)
			*was_request = true;
		return scx_mcp_send_too_large(srv, srv->opts.max_message, send, send_ctx);
	}
	json_error_t je;
	json_t *root =
		json_loadb(msg ? msg : "", len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!root) {
		char m[256];
		snprintf(m, sizeof(m), "Parse error: %s (line %d, column %d)", je.text, je.line,
			 je.column);
		if (was_request)
			*was_request = true;
		return send_error(send, send_ctx, NULL, SCX_RPC_PARSE_ERROR, m);
	}
	int rc = 0;
	if (!json_is_object(root)) {
		if (was_request)
			*was_request = true;
		rc = send_error(send, send_ctx, NULL, SCX_RPC_INVALID_REQUEST,
				json_is_array(root) ? "Invalid Request: batches are not supported "
						      "(MCP 2025-06-18)"
						    : "Invalid Request: not a JSON object");
		json_decref(root);
		return rc;
	}
	const json_t *ver = json_object_get(root, "jsonrpc");
	const json_t *id = json_object_get(root, "id");
	const json_t *method = json_object_get(root, "method");
	const json_t *params = json_object_get(root, "params");
	bool has_id = id != NULL;

	if (!method && (json_object_get(root, "result") || json_object_get(root, "error"))) {
		/* A response from the client: we send no requests, so ignore it. */
		json_decref(root);
		return 0;
	}
	const json_t *reply_id = valid_id(id) ? id : NULL;
	if (!json_is_string(ver) || strcmp(json_string_value(ver), "2.0") != 0) {
		if (was_request)
			*was_request = true;
		rc = send_error(send, send_ctx, reply_id, SCX_RPC_INVALID_REQUEST,
				"Invalid Request: jsonrpc must be \"2.0\"");
		goto out;
	}
	if (!json_is_string(method)) {
		if (was_request)
			*was_request = true;
		rc = send_error(send, send_ctx, reply_id, SCX_RPC_INVALID_REQUEST,
				"Invalid Request: method must be a string");
		goto out;
	}
	if (has_id && !valid_id(id)) {
		if (was_request)
			*was_request = true;
		rc = send_error(send, send_ctx, NULL, SCX_RPC_INVALID_REQUEST,
				"Invalid Request: id must be a string or an integer");
		goto out;
	}
	const char *m = json_string_value(method);
	if (!has_id) {
		/* Notifications never get a response. */
		if (!strcmp(m, "notifications/initialized"))
			sess->client_ready = true;
		goto out;
	}
	if (was_request)
		*was_request = true;
	if (params && !json_is_object(params)) {
		rc = send_error(send, send_ctx, id, SCX_RPC_INVALID_PARAMS,
				"Invalid params: params must be an object");
		goto out;
	}

	int code = 0;
	char emsg[512] = "";
	json_t *result = NULL;
	bool peer_gone = false;
	if (!strcmp(m, "initialize")) {
		result = do_initialize(srv, sess, params, &code, emsg, sizeof(emsg));
	} else if (!strcmp(m, "ping")) {
		result = json_object();
	} else if (!sess->initialized) {
		code = SCX_RPC_INVALID_REQUEST;
		snprintf(emsg, sizeof(emsg), "Invalid Request: %s before initialize", m);
	} else if (!strcmp(m, "tools/list")) {
		const json_t *cursor = json_object_get(params, "cursor");
		if (cursor) {
			code = SCX_RPC_INVALID_PARAMS;
			snprintf(emsg, sizeof(emsg), "Invalid params: unknown cursor");
		} else {
			result = scx_mcp_server_tools_json(srv);
		}
	} else if (!strcmp(m, "tools/call")) {
		result = do_tools_call(srv, sess, params, send, send_ctx, &code, emsg, sizeof(emsg),
				       &peer_gone);
	} else if (!strcmp(m, "resources/list")) {
		result = do_resources_list(srv, &code, emsg, sizeof(emsg));
	} else if (!strcmp(m, "resources/templates/list")) {
		result = do_templates_list(srv);
	} else if (!strcmp(m, "resources/read")) {
		result = do_resources_read(srv, params, &code, emsg, sizeof(emsg));
	} else {
		code = SCX_RPC_METHOD_NOT_FOUND;
		snprintf(emsg, sizeof(emsg), "Method not found: %.128s", m);
	}
	if (peer_gone) {
		json_decref(result);
		/* A cancelled request gets no response; a vanished peer is an
		 * error the transport acts on. */
		rc = sess->cancel && atomic_load(sess->cancel) ? 0 : -EPIPE;
	} else if (result) {
		rc = send_result(send, send_ctx, id, result);
	} else {
		if (!code) {
			code = SCX_RPC_INTERNAL_ERROR;
			snprintf(emsg, sizeof(emsg), "Internal error: out of memory");
		}
		rc = send_error(send, send_ctx, id, code, emsg);
	}
out:
	json_decref(root);
	return rc;
}
