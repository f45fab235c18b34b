/* mcp_http: the MCP server over streamable HTTP with libmicrohttpd (see
 * mcp_transport.h). Sessions live in a fixed table; a streamed call runs on
 * a worker thread that writes server-sent events into a pipe the response
 * reads from, so a client that hangs up mid-call makes the next write fail
 * (EPIPE, with SIGPIPE blocked on that thread) and the tool is cancelled.
 */
#include "mcp_transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SESSION_ID_LEN 32

struct session_slot {
	bool used;
	char id[SESSION_ID_LEN + 1];
	struct scx_mcp_session s;
	uint64_t last_used; /* a counter, for evicting the least recently used */
};

struct scx_mcp_http {
	struct scx_mcp_server *srv;
	struct MHD_Daemon *d;
	char token[SCX_MCP_TOKEN_MAX];
	uint16_t port;
	size_t max_sessions;
	struct session_slot *slots;
	pthread_mutex_t lock;	   /* sessions, workers */
	pthread_mutex_t call_lock; /* one tool call at a time */
	pthread_cond_t idle;
	int workers;
	uint64_t use_clock;
};

struct req {
	char *body;
	size_t len;
	bool too_large;
};

/* ---- helpers -------------------------------------------------------------- */

static bool const_time_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return d == 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype,
			     const char *body, const char *session_id)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		body ? strlen(body) : 0, (void *)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (ctype)
		MHD_add_response_header(r, "Content-Type", ctype);
	if (session_id)
		MHD_add_response_header(r, "Mcp-Session-Id", session_id);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "POST, DELETE");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_rpc_error(struct MHD_Connection *c, unsigned status, int code,
				       const char *msg)
{
	json_t *m = json_pack("{s:s, s:n, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", "error", "code",
			      code, "message", msg);
	char *text = m ? json_dumps(m, JSON_COMPACT) : NULL;
	json_decref(m);
	enum MHD_Result r = reply(c, status, "application/json", text ? text : "", NULL);
	free(text);
	return r;
}

static struct session_slot *find_session(struct scx_mcp_http *h, const char *id)
{
	for (size_t i = 0; id && i < h->max_sessions; i++)
		if (h->slots[i].used && !strcmp(h->slots[i].id, id)) {
			h->slots[i].last_used = ++h->use_clock;
			return &h->slots[i];
		}
	return NULL;
}

static struct session_slot *new_session(struct scx_mcp_http *h)
{
	/* A free slot, else the least recently used session gives way, so
	 * that clients that never DELETE cannot lock others out. */
	struct session_slot *lru = NULL;
	for (size_t i = 0; i < h->max_sessions; i++)
		if (!h->slots[i].used || !lru || h->slots[i].last_used < lru->last_used) {
			lru = &h->slots[i];
			if (!lru->used)
				break;
		}
	if (lru)
		lru->used = false;
	for (size_t i = 0; i < h->max_sessions; i++) {
		struct session_slot *s = &h->slots[i];
		if (s->used)
			continue;
		unsigned char rnd[SESSION_ID_LEN / 2];
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return NULL;
		for (size_t k = 0; k < sizeof(rnd); k++)
			snprintf(s->id + 2 * k, 3, "%02x", rnd[k]);
		memset(&s->s, 0, sizeof(s->s));
		s->used = true;
		s->last_used = ++h->use_clock;
		return s;
	}
	return NULL;
}

static bool origin_ok(const char *origin)
{
	/* DNS rebinding: a browser page elsewhere must not reach us. */
	if (!origin)
		return true;
	static const char *const ok[] = {"http://127.0.0.1", "http://localhost", "http://[::1]"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		size_t n = strlen(ok[i]);
		if (!strncmp(origin, ok[i], n) && (origin[n] == '\0' || origin[n] == ':'))
			return true;
	}
	return false;
}

/* ---- sending -------------------------------------------------------------- */

/* JSON mode: keep the last message (the response follows any progress). */
struct buf_ctx {
	char *text;
};

static int send_buf(void *ctx, const char *text, size_t len)
{
	struct buf_ctx *b = ctx;
	char *copy = strndup(text, len);
	if (!copy)
		return -1;
	free(b->text);
	b->text = copy;
	return 0;
}

struct worker {
	struct scx_mcp_http *h;
	struct scx_mcp_session sess;
	char *body;
	size_t len;
	int fd;
};

static int send_sse(void *ctx, const char *text, size_t len)
{
	struct worker *w = ctx;
	size_t n = len + 32;
	char *buf = malloc(n);
	if (!buf)
		return -1;
	int k = snprintf(buf, n, "event: message\ndata: %.*s\n\n", (int)len, text);
	const char *p = buf;
	size_t left = (size_t)k;
	int rc = 0;
	while (left) {
		ssize_t wr = write(w->fd, p, left);
		if (wr < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		p += wr;
		left -= (size_t)wr;
	}
	free(buf);
	if (rc) {
		/* Consume the SIGPIPE this write raised (blocked on this thread). */
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
		struct timespec zero = {0, 0};
		while (sigtimedwait(&set, NULL, &zero) > 0)
			;
	}
	return rc;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	pthread_mutex_lock(&w->h->call_lock);
	int rc = scx_mcp_handle(w->h->srv, &w->sess, w->body, w->len, send_sse, w, NULL);
	pthread_mutex_unlock(&w->h->call_lock);
	if (rc < 0)
		scx_mcp_log(w->h->srv, "http: the client left during a streamed call");
	close(w->fd);
	free(w->body);
	struct scx_mcp_http *h = w->h;
	free(w);
	pthread_mutex_lock(&h->lock);
	h->workers--;
	pthread_cond_broadcast(&h->idle);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* ---- the handler ------------------------------------------------------------ */

static enum MHD_Result handle_post(struct scx_mcp_http *h, struct MHD_Connection *c, struct req *r)
{
	if (r->too_large) {
		char m[96];
		snprintf(m, sizeof(m), "Invalid Request: body exceeds %zu bytes",
			 scx_mcp_server_max_message(h->srv));
		json_t *j = json_pack("{s:s, s:n, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", "error",
				      "code", SCX_RPC_INVALID_REQUEST, "message", m);
		char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		enum MHD_Result ret = reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "application/json",
					    text ? text : "", NULL);
		free(text);
		return ret;
	}
	const char *pv = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "MCP-Protocol-Version");
	if (pv && strcmp(pv, "2025-06-18") != 0 && strcmp(pv, "2025-03-26") != 0 &&
	    strcmp(pv, "2024-11-05") != 0)
		return reply_rpc_error(c, MHD_HTTP_BAD_REQUEST, SCX_RPC_INVALID_REQUEST,
				       "Bad Request: unsupported MCP-Protocol-Version");

	char method[64];
	bool wants_progress = false;
	if (scx_mcp_peek(r->body ? r->body : "", r->len, method, sizeof(method), &wants_progress) <
	    0) {
		/* Let the core word the parse error. */
		struct scx_mcp_session tmp = {0};
		struct buf_ctx b = {0};
		scx_mcp_handle(h->srv, &tmp, r->body ? r->body : "", r->len, send_buf, &b, NULL);
		enum MHD_Result ret = reply(c, MHD_HTTP_BAD_REQUEST, "application/json",
					    b.text ? b.text : "", NULL);
		free(b.text);
		return ret;
	}

	const char *sid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Mcp-Session-Id");
	struct scx_mcp_session sess;
	char new_id[SESSION_ID_LEN + 1] = "";
	pthread_mutex_lock(&h->lock);
	if (!strcmp(method, "initialize")) {
		struct session_slot *s = new_session(h);
		if (!s) {
			pthread_mutex_unlock(&h->lock);
			return reply_rpc_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
					       SCX_RPC_INTERNAL_ERROR, "too many sessions");
		}
		snprintf(new_id, sizeof(new_id), "%s", s->id);
		sess = s->s;
	} else if (!sid) {
		pthread_mutex_unlock(&h->lock);
		return reply_rpc_error(c, MHD_HTTP_BAD_REQUEST, SCX_RPC_INVALID_REQUEST,
				       "Bad Request: Mcp-Session-Id header required");
	} else {
		struct session_slot *s = find_session(h, sid);
		if (!s) {
			pthread_mutex_unlock(&h->lock);
			return reply_rpc_error(c, MHD_HTTP_NOT_FOUND, SCX_RPC_INVALID_REQUEST,
					       "Not Found: unknown or ended session");
		}
		sess = s->s;
	}
	pthread_mutex_unlock(&h->lock);

	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	bool sse = wants_progress && accept && strstr(accept, "text/event-stream") &&
		   strcmp(method, "initialize") != 0;
	if (sse) {
		int fds[2];
		if (pipe2(fds, O_CLOEXEC))
			return reply_rpc_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
					       SCX_RPC_INTERNAL_ERROR, "Internal error: pipe");
		struct worker *w = calloc(1, sizeof(*w));
		struct MHD_Response *resp = w ? MHD_create_response_from_pipe(fds[0]) : NULL;
		if (!resp) {
			free(w);
			close(fds[0]);
			close(fds[1]);
			return reply_rpc_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
					       SCX_RPC_INTERNAL_ERROR, "Internal error: response");
		}
		w->h = h;
		w->sess = sess;
		w->body = r->body;
		w->len = r->len;
		w->fd = fds[1];
		r->body = NULL;
		pthread_mutex_lock(&h->lock);
		h->workers++;
		pthread_mutex_unlock(&h->lock);
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, worker_main, w)) {
			pthread_attr_destroy(&attr);
			pthread_mutex_lock(&h->lock);
			h->workers--;
			pthread_mutex_unlock(&h->lock);
			r->body = w->body;
			close(fds[1]);
			free(w);
			MHD_destroy_response(resp); /* closes fds[0] */
			return reply_rpc_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
					       SCX_RPC_INTERNAL_ERROR, "Internal error: thread");
		}
		pthread_attr_destroy(&attr);
		MHD_add_response_header(resp, "Content-Type", "text/event-stream");
		MHD_add_response_header(resp, "Cache-Control", "no-cache");
		enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
		MHD_destroy_response(resp);
		return ret;
	}

	struct buf_ctx b = {0};
	bool was_request = false;
	bool is_init = !strcmp(method, "initialize");
	if (!is_init)
		pthread_mutex_lock(&h->call_lock);
	scx_mcp_handle(h->srv, &sess, r->body ? r->body : "", r->len, send_buf, &b, &was_request);
	if (!is_init)
		pthread_mutex_unlock(&h->call_lock);

	/* Keep what the message changed in the session (initialized, ...). */
	pthread_mutex_lock(&h->lock);
	struct session_slot *s = find_session(h, new_id[0] ? new_id : sid);
	if (s)
		s->s = sess;
	pthread_mutex_unlock(&h->lock);

	enum MHD_Result ret;
	if (!was_request)
		ret = reply(c, MHD_HTTP_ACCEPTED, NULL, "", NULL);
	else
		ret = reply(c, MHD_HTTP_OK, "application/json", b.text ? b.text : "",
			    new_id[0] ? new_id : NULL);
	free(b.text);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	(void)version;
	struct scx_mcp_http *h = cls;
	struct req *r = *con_cls;
	if (!r) {
		if (strcmp(url, "/mcp") != 0)
			return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found\n", NULL);
		const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
		if (!origin_ok(origin))
			return reply(c, MHD_HTTP_FORBIDDEN, "text/plain", "origin refused\n", NULL);
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
		if (!auth || strncmp(auth, "Bearer ", 7) != 0 || !const_time_eq(auth + 7, h->token))
			return reply(c, MHD_HTTP_UNAUTHORIZED, "text/plain",
				     "a valid bearer token is required\n", NULL);
		if (!strcmp(method, "DELETE")) {
			const char *sid =
				MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Mcp-Session-Id");
			pthread_mutex_lock(&h->lock);
			struct session_slot *s = find_session(h, sid);
			if (s)
				s->used = false;
			pthread_mutex_unlock(&h->lock);
			return reply(c, s ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, NULL, "", NULL);
		}
		if (strcmp(method, "POST") != 0)
			return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
				     "POST or DELETE\n", NULL);
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > scx_mcp_server_max_message(h->srv)) {
			/* Refused before the body is read. */
			struct req big = {.too_large = true};
			return handle_post(h, c, &big);
		}
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t max = scx_mcp_server_max_message(h->srv);
		if (!r->too_large && r->len + *upload_size > max) {
			r->too_large = true;
			free(r->body);
			r->body = NULL;
			r->len = 0;
		}
		if (!r->too_large) {
			char *nb = realloc(r->body, r->len + *upload_size + 1);
			if (!nb)
				return MHD_NO;
			memcpy(nb + r->len, upload, *upload_size);
			r->len += *upload_size;
			nb[r->len] = '\0';
			r->body = nb;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return handle_post(h, c, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct req *r = *con_cls;
	if (r) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct scx_mcp_http *h = cls;
	char msg[256];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	scx_mcp_log(h->srv, "http: %s", msg);
}

int scx_mcp_http_start(struct scx_mcp_server *srv, const struct scx_mcp_http_opts *opts,
		       struct scx_mcp_http **out, char *err, size_t errlen)
{
	if (!srv || !opts || !out) {
		snprintf(err, errlen, "scx_mcp_http_start: NULL argument");
		return -EINVAL;
	}
	if (!opts->token || strlen(opts->token) < 16 || strlen(opts->token) >= SCX_MCP_TOKEN_MAX) {
		snprintf(err, errlen,
			 "HTTP transport: a bearer token of 16 to %d characters is "
			 "required",
			 SCX_MCP_TOKEN_MAX - 1);
		return -EINVAL;
	}
	struct scx_mcp_http *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h->srv = srv;
	snprintf(h->token, sizeof(h->token), "%s", opts->token);
	h->max_sessions = opts->max_sessions ? opts->max_sessions : 64;
	h->slots = calloc(h->max_sessions, sizeof(*h->slots));
	if (!h->slots) {
		free(h);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->call_lock, NULL);
	pthread_cond_init(&h->idle, NULL);

	struct sockaddr_in sin = {0};
	sin.sin_family = AF_INET;
	sin.sin_port = htons(opts->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
					MHD_USE_ERROR_LOG,
				opts->port, NULL, NULL, handler, h, MHD_OPTION_EXTERNAL_LOGGER,
				mhd_log, h, MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)32, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
				MHD_OPTION_NOTIFY_COMPLETED, completed, h, MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "HTTP transport: cannot listen on 127.0.0.1:%u",
			 (unsigned)opts->port);
		scx_mcp_http_stop(h);
		return -EADDRINUSE;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : opts->port;
	*out = h;
	return 0;
}

uint16_t scx_mcp_http_port(const struct scx_mcp_http *h)
{
	return h ? h->port : 0;
}

void scx_mcp_http_stop(struct scx_mcp_http *h)
{
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d);
	pthread_mutex_lock(&h->lock);
	while (h->workers > 0)
		pthread_cond_wait(&h->idle, &h->lock);
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->call_lock);
	pthread_cond_destroy(&h->idle);
	free(h->slots);
	free(h);
}

int scx_mcp_load_token(const char *path, char *out, size_t outlen, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "token file %s: %s", path, strerror(errno));
		return -errno;
	}
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errlen, "token file %s: not a regular file", path);
		return -EINVAL;
	}
	if (st.st_mode & 077) {
		close(fd);
		snprintf(err, errlen, "token file %s: mode %03o lets others read it; chmod 600",
			 path, (unsigned)(st.st_mode & 0777));
		return -EPERM;
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		snprintf(err, errlen, "token file %s: owned by another user", path);
		return -EPERM;
	}
	char buf[SCX_MCP_TOKEN_MAX + 2];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "token file %s: %s", path, strerror(errno));
		return -EIO;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	size_t len = strlen(buf);
	for (size_t i = 0; i < len; i++)
		if (buf[i] <= ' ' || buf[i] > '~') {
			snprintf(err, errlen, "token file %s: non-printable character", path);
			return -EINVAL;
		}
	if (len < 16 || len >= SCX_MCP_TOKEN_MAX || len >= outlen) {
		snprintf(err, errlen, "token file %s: the token must be 16 to %d characters", path,
			 SCX_MCP_TOKEN_MAX - 1);
		return -EINVAL;
	}
	memcpy(out, buf, len + 1);
	return 0;
}
