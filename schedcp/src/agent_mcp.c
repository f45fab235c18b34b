/* agent_mcp: the MCP client of sched-agent and the protocol tests (see
 * agent_mcp.h). stdio reads the child's lines with getline, bounded to
 * MAX_LINE; HTTP goes through libcurl, with the response body capped too.
 */
#include "agent_mcp.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LINE (64u << 20)

struct scx_agent_mcp {
	bool http;
	/* stdio */
	pid_t child;
	int to_fd;
	FILE *from;
	/* http */
	CURL *curl;
	char url[512];
	char auth[300];
	char session[80];
	/* both */
	long next_id;
	scx_agent_notify_fn notify;
	void *notify_ctx;
	size_t sent, received;
};

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

int scx_agent_mcp_spawn(char *const argv[], struct scx_agent_mcp **out, char *err, size_t errlen)
{
	int in[2], outp[2];
	if (pipe2(in, O_CLOEXEC))
		return errf(err, errlen, -errno, "pipe: %s", strerror(errno));
	if (pipe2(outp, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return errf(err, errlen, -errno, "pipe: %s", strerror(errno));
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		return errf(err, errlen, -e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	struct scx_agent_mcp *c = calloc(1, sizeof(*c));
	FILE *f = fdopen(outp[0], "r");
	if (!c || !f) {
		free(c);
		if (f)
			fclose(f);
		else
			close(outp[0]);
		close(in[1]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return errf(err, errlen, -ENOMEM, "out of memory");
	}
	c->child = pid;
	c->to_fd = in[1];
	c->from = f;
	c->next_id = 1;
	*out = c;
	return 0;
}

int scx_agent_mcp_http(const char *url, const char *token, struct scx_agent_mcp **out, char *err,
		       size_t errlen)
{
	struct scx_agent_mcp *c = calloc(1, sizeof(*c));
	if (!c)
		return errf(err, errlen, -ENOMEM, "out of memory");
	c->http = true;
	c->child = -1;
	c->to_fd = -1;
	c->next_id = 1;
	snprintf(c->url, sizeof(c->url), "%s", url);
	snprintf(c->auth, sizeof(c->auth), "Authorization: Bearer %s", token ? token : "");
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		return errf(err, errlen, -ENOMEM, "curl_easy_init failed");
	}
	*out = c;
	return 0;
}

void scx_agent_mcp_set_notify(struct scx_agent_mcp *c, scx_agent_notify_fn fn, void *ctx)
{
	c->notify = fn;
	c->notify_ctx = ctx;
}

void scx_agent_mcp_bytes(const struct scx_agent_mcp *c, size_t *sent, size_t *received)
{
	if (sent)
		*sent = c->sent;
	if (received)
		*received = c->received;
}

/* ---- HTTP ------------------------------------------------------------------ */

struct body {
	char *p;
	size_t n;
	bool over;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct body *b = ud;
	size_t n = size * nmemb;
	if (b->n + n > MAX_LINE) {
		b->over = true;
		return 0;
	}
	char *np = realloc(b->p, b->n + n + 1);
	if (!np)
		return 0;
	memcpy(np + b->n, ptr, n);
	b->n += n;
	np[b->n] = '\0';
	b->p = np;
	return n;
}

struct hdrs {
	char session[80];
	char ctype[80];
};

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct hdrs *h = ud;
	size_t n = size * nitems;
	char line[256];
	snprintf(line, sizeof(line), "%.*s", (int)(n < 255 ? n : 255), buf);
	line[strcspn(line, "\r\n")] = '\0';
	if (!strncasecmp(line, "Mcp-Session-Id:", 15)) {
		const char *v = line + 15;
		while (*v == ' ')
			v++;
		snprintf(h->session, sizeof(h->session), "%.79s", v);
	} else if (!strncasecmp(line, "Content-Type:", 13)) {
		const char *v = line + 13;
		while (*v == ' ')
			v++;
		snprintf(h->ctype, sizeof(h->ctype), "%.79s", v);
	}
	return n;
}

/* Dispatches one received message: notifications to the callback, the
 * response (anything with an id, or an error) into *reply. */
static void take_message(struct scx_agent_mcp *c, json_t *m, json_t **reply)
{
	if (json_object_get(m, "method") && !json_object_get(m, "id")) {
		if (c->notify)
			c->notify(c->notify_ctx, m);
		json_decref(m);
		return;
	}
	if (*reply)
		json_decref(*reply);
	*reply = m;
}

static int http_post(struct scx_agent_mcp *c, const char *method, const char *text, size_t len,
		     json_t **reply, long *status, char *err, size_t errlen)
{
	struct body b = {0};
	struct hdrs h = {0};
	struct curl_slist *hl = NULL;
	char sess[128];
	hl = curl_slist_append(hl, c->auth);
	hl = curl_slist_append(hl, "Content-Type: application/json");
	hl = curl_slist_append(hl, "Accept: application/json, text/event-stream");
	hl = curl_slist_append(hl, "MCP-Protocol-Version: 2025-06-18");
	if (c->session[0]) {
		snprintf(sess, sizeof(sess), "Mcp-Session-Id: %s", c->session);
		hl = curl_slist_append(hl, sess);
	}
	CURL *k = c->curl;
	curl_easy_reset(k);
	curl_easy_setopt(k, CURLOPT_URL, c->url);
	curl_easy_setopt(k, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(k, CURLOPT_TIMEOUT, 900L);
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(k, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(k, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(k, CURLOPT_HEADERDATA, &h);
	if (!strcmp(method, "DELETE")) {
		curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, "DELETE");
	} else {
		curl_easy_setopt(k, CURLOPT_POST, 1L);
		curl_easy_setopt(k, CURLOPT_POSTFIELDS, text);
		curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	CURLcode cc = curl_easy_perform(k);
	curl_slist_free_all(hl);
	c->sent += len;
	if (cc != CURLE_OK) {
		free(b.p);
		return errf(err, errlen, -ECONNRESET, "POST %s: %s", c->url,
			    curl_easy_strerror(cc));
	}
	long code = 0;
	curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &code);
	if (status)
		*status = code;
	if (h.session[0])
		snprintf(c->session, sizeof(c->session), "%s", h.session);
	c->received += b.n;
	if (b.p && b.n) {
		if (!strncmp(h.ctype, "text/event-stream", 17)) {
			/* Events: "data:" lines, one JSON message per event. */
			char *save = NULL;
			for (char *line = strtok_r(b.p, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				if (strncmp(line, "data:", 5) != 0)
					continue;
				json_t *m = json_loads(line + 5 + (line[5] == ' '), 0, NULL);
				if (m)
					take_message(c, m, reply);
			}
		} else {
			json_t *m = json_loadb(b.p, b.n, 0, NULL);
			if (m)
				take_message(c, m, reply);
		}
	}
	free(b.p);
	return 0;
}

/* ---- stdio ----------------------------------------------------------------- */

static int stdio_send(struct scx_agent_mcp *c, const char *text, size_t len, char *err,
		      size_t errlen)
{
	const char *p = text;
	size_t left = len;
	while (left) {
		ssize_t w = write(c->to_fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errf(err, errlen, -errno, "writing to the server: %s",
				    strerror(errno));
		}
		p += w;
		left -= (size_t)w;
	}
	if (write(c->to_fd, "\n", 1) != 1)
		return errf(err, errlen, -EPIPE, "writing to the server: %s", strerror(errno));
	c->sent += len + 1;
	return 0;
}

/* The server's next message on stdio (lines that are not JSON skipped: not
 * ours to judge here; the tests check replies). */
static int stdio_read_json(struct scx_agent_mcp *c, json_t **msg, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	*msg = NULL;
	while (!*msg) {
		ssize_t n = getline(&line, &cap, c->from);
		if (n < 0) {
			free(line);
			return errf(err, errlen, -ECONNRESET, "the server closed its output");
		}
		c->received += (size_t)n;
		*msg = json_loadb(line, (size_t)n, 0, NULL);
	}
	free(line);
	return 0;
}

static int stdio_wait_reply(struct scx_agent_mcp *c, json_t **reply, char *err, size_t errlen)
{
	while (!*reply) {
		json_t *m;
		int rc = stdio_read_json(c, &m, err, errlen);
		if (rc < 0)
			return rc;
		take_message(c, m, reply);
	}
	return 0;
}

int scx_agent_mcp_read_one(struct scx_agent_mcp *c, json_t **msg, char *err, size_t errlen)
{
	*msg = NULL;
	if (c->http)
		return errf(err, errlen, -ENOTSUP, "read_one: stdio only");
	return stdio_read_json(c, msg, err, errlen);
}

int scx_agent_mcp_raw(struct scx_agent_mcp *c, const char *text, size_t len, bool expect_reply,
		      json_t **reply, long *http_status, char *err, size_t errlen)
{
	*reply = NULL;
	if (c->http)
		return http_post(c, "POST", text, len, reply, http_status, err, errlen);
	int rc = stdio_send(c, text, len, err, errlen);
	if (rc || !expect_reply)
		return rc;
	return stdio_wait_reply(c, reply, err, errlen);
}

int scx_agent_mcp_request(struct scx_agent_mcp *c, const char *method, json_t *params,
			  json_t **result, int *rpc_code, char *err, size_t errlen)
{
	*result = NULL;
	if (rpc_code)
		*rpc_code = 0;
	long id = c->next_id++;
	json_t *m = json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id", (json_int_t)id, "method",
			      method);
	if (!m) {
		json_decref(params);
		return errf(err, errlen, -ENOMEM, "out of memory");
	}
	if (params)
		json_object_set_new(m, "params", params);
	char *text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (!text)
		return errf(err, errlen, -ENOMEM, "out of memory");
	json_t *reply = NULL;
	int rc = scx_agent_mcp_raw(c, text, strlen(text), true, &reply, NULL, err, errlen);
	free(text);
	if (rc)
		return rc;
	if (!reply)
		return errf(err, errlen, -EPROTO, "%s: no response", method);
	const json_t *e = json_object_get(reply, "error");
	if (e) {
		if (rpc_code)
			*rpc_code = (int)json_integer_value(json_object_get(e, "code"));
		errf(err, errlen, -EPROTO, "%s: %s (%lld)", method,
		     json_string_value(json_object_get(e, "message")),
		     (long long)json_integer_value(json_object_get(e, "code")));
		json_decref(reply);
		return -EPROTO;
	}
	const json_t *rid = json_object_get(reply, "id");
	json_t *res = json_object_get(reply, "result");
	if (!json_is_integer(rid) || json_integer_value(rid) != id || !res) {
		json_decref(reply);
		return errf(err, errlen, -EPROTO, "%s: a response with the wrong id or no result",
			    method);
	}
	*result = json_incref(res);
	json_decref(reply);
	return 0;
}

int scx_agent_mcp_initialize(struct scx_agent_mcp *c, json_t **server_result, char *err,
			     size_t errlen)
{
	json_t *params =
		json_pack("{s:s, s:{}, s:{s:s, s:s}}", "protocolVersion", "2025-06-18",
			  "capabilities", "clientInfo", "name", "sched-agent", "version", "0.1.0");
	json_t *res = NULL;
	int rc = scx_agent_mcp_request(c, "initialize", params, &res, NULL, err, errlen);
	if (rc)
		return rc;
	const char *note = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
	json_t *none = NULL;
	rc = scx_agent_mcp_raw(c, note, strlen(note), false, &none, NULL, err, errlen);
	json_decref(none);
	if (server_result)
		*server_result = res;
	else
		json_decref(res);
	return rc;
}

int scx_agent_mcp_call_tool(struct scx_agent_mcp *c, const char *name, json_t *args,
			    bool with_progress, json_t **structured, bool *is_error, char *text,
			    size_t textlen, char *err, size_t errlen)
{
	if (structured)
		*structured = NULL;
	if (is_error)
		*is_error = false;
	if (text && textlen)
		text[0] = '\0';
	json_t *params =
		json_pack("{s:s, s:o}", "name", name, "arguments", args ? args : json_object());
	if (!params)
		return errf(err, errlen, -ENOMEM, "out of memory");
	if (with_progress) {
		char tok[32];
		snprintf(tok, sizeof(tok), "p%ld", c->next_id);
		json_object_set_new(params, "_meta", json_pack("{s:s}", "progressToken", tok));
	}
	json_t *res = NULL;
	int rc = scx_agent_mcp_request(c, "tools/call", params, &res, NULL, err, errlen);
	if (rc)
		return rc;
	if (is_error)
		*is_error = json_is_true(json_object_get(res, "isError"));
	const json_t *sc = json_object_get(res, "structuredContent");
	if (structured && sc)
		*structured = json_incref((json_t *)sc);
	const json_t *t =
		json_object_get(json_array_get(json_object_get(res, "content"), 0), "text");
	if (text && textlen && json_is_string(t))
		snprintf(text, textlen, "%s", json_string_value(t));
	json_decref(res);
	return 0;
}

void scx_agent_mcp_close(struct scx_agent_mcp *c, int *exit_status)
{
	if (!c)
		return;
	if (c->http) {
		if (c->session[0]) {
			json_t *none = NULL;
			http_post(c, "DELETE", "", 0, &none, NULL, NULL, 0);
			json_decref(none);
		}
		curl_easy_cleanup(c->curl);
	} else {
		close(c->to_fd);
		fclose(c->from);
		int st = 0;
		waitpid(c->child, &st, 0);
		if (exit_status)
			*exit_status = st;
	}
	free(c);
}
