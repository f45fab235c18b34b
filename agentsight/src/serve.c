/* serve: the web UI's HTTP server (see serve.h).
 *
 * One libmicrohttpd daemon with one internal polling thread: every request is
 * handled on that thread, so the store connection (opened read-only, used
 * only there) needs no lock. The listening socket is made here, so a refused
 * bind reports its errno and port 0 can be read back. Requests are checked in
 * this order: method (GET/HEAD), Host (when on loopback, against DNS
 * rebinding), token, then the route; the UI's files come from memory and are
 * found by exact name, so no request path ever reaches the file system.
 */
#include "serve.h"

#include "llmapi.h"
#include "store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PAGE 2000

struct as_server {
	struct MHD_Daemon *daemon;
	struct as_store *store;
	int listen_fd;
	uint16_t port;
	bool loopback;
	char token[AS_SERVE_TOKEN_HEX + 1];
	char url[128];
	char host_ip[64];   /* "127.0.0.1:<port>" */
	char host_name[64]; /* "localhost:<port>" */
};

/* ---- Pure helpers (tested and fuzzed apart from HTTP) ---- */

int64_t as_serve_parse_id(const char *s, size_t len)
{
	if (!s || len == 0 || len > 18)
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static const char *path_segment(const char *p, size_t *len)
{
	const char *slash = strchr(p, '/');
	*len = slash ? (size_t)(slash - p) : strlen(p);
	return p;
}

struct as_route as_serve_route(const char *path)
{
	struct as_route r = {.kind = AS_ROUTE_NONE};
	if (!path || path[0] != '/') {
		r.kind = AS_ROUTE_BAD;
		return r;
	}
	/* No dot segments, backslashes or control bytes anywhere. */
	if (strstr(path, "..") || strchr(path, '\\') || strstr(path, "//")) {
		r.kind = AS_ROUTE_BAD;
		return r;
	}
	for (const char *c = path; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			r.kind = AS_ROUTE_BAD;
			return r;
		}
	}
	const char *name = path + 1;
	if (!*name)
		name = "index.html";
	static const char api[] = "api/sessions";
	if (strncmp(name, api, sizeof(api) - 1) == 0 &&
	    (name[sizeof(api) - 1] == 0 || name[sizeof(api) - 1] == '/')) {
		const char *p = name + sizeof(api) - 1;
		if (!*p || strcmp(p, "/") == 0) {
			r.kind = AS_ROUTE_SESSIONS;
			return r;
		}
		p++;
		size_t len;
		path_segment(p, &len);
		r.session = as_serve_parse_id(p, len);
		if (r.session < 0) {
			r.kind = AS_ROUTE_BAD;
			return r;
		}
		p += len;
		if (!*p) {
			r.kind = AS_ROUTE_SESSION;
			return r;
		}
		if (strcmp(p, "/events") == 0) {
			r.kind = AS_ROUTE_EVENTS;
			return r;
		}
		if (strncmp(p, "/events/", 8) == 0) {
			p += 8;
			path_segment(p, &len);
			int64_t ev = as_serve_parse_id(p, len);
			if (ev < 0 || p[len]) {
				r.kind = AS_ROUTE_BAD;
				return r;
			}
			r.kind = AS_ROUTE_EVENT;
			r.event = (uint64_t)ev;
			return r;
		}
		return r;
	}
	for (size_t i = 0; i < as_web_n_files; i++) {
		if (strcmp(name, as_web_files[i].name) == 0) {
			r.kind = AS_ROUTE_STATIC;
			r.file = i;
			return r;
		}
	}
	return r;
}

bool as_serve_cookie_token(const char *cookie, char *buf, size_t len)
{
	static const char key[] = "as_token=";
	if (!cookie || len == 0)
		return false;
	const char *p = cookie;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n >= sizeof(key) - 1 && memcmp(p, key, sizeof(key) - 1) == 0) {
			size_t v = n - (sizeof(key) - 1);
			while (v > 0 && (p[sizeof(key) - 1 + v - 1] == ' ' ||
					 p[sizeof(key) - 1 + v - 1] == '\t'))
				v--;
			if (v >= len)
				return false;
			memcpy(buf, p + sizeof(key) - 1, v);
			buf[v] = 0;
			return true;
		}
		p += n;
	}
	return false;
}

bool as_serve_token_equal(const char *given, const char *expected)
{
	if (!given || !expected)
		return false;
	size_t n = strlen(expected);
	size_t g = strnlen(given, n + 1);
	/* Every byte of expected is compared whatever the given one holds. */
	unsigned char diff = (unsigned char)(g != n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = i < g ? (unsigned char)given[i] : 0;
		diff |= c ^ (unsigned char)expected[i];
	}
	return diff == 0;
}

/* ---- Responses ---- */

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
			  "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
			  "form-action 'none'; frame-ancestors 'none'";

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, struct MHD_Response *resp,
			       const char *type, const char *set_cookie)
{
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (set_cookie)
		MHD_add_response_header(resp, "Set-Cookie", set_cookie);
	enum MHD_Result r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *j,
				 const char *set_cookie)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text) {
		static const char oom[] = "{\"error\":\"out of memory\"}";
		return respond(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
			       MHD_create_response_from_buffer(sizeof(oom) - 1, (void *)oom,
							       MHD_RESPMEM_PERSISTENT),
			       "application/json", NULL);
	}
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(text);
	return respond(c, status, resp, "application/json", set_cookie);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	json_t *j = json_object();
	if (j)
		json_object_set_new(j, "error", json_string(msg));
	return send_json(c, status, j, NULL);
}

/* ---- The API ---- */

/* The compact form of an LLM event (see serve.h). Takes j. */
static json_t *compact_event(json_t *j)
{
	json_t *x = json_object_get(j, "exchange");
	if (!json_is_object(x))
		return j;
	struct as_llm_exchange ex = {0};
	char err[128];
	if (as_llm_exchange_from_json(&ex, x, err, sizeof(err)) == 0) {
		double usd = 0;
		int rc = as_llm_cost_usd(&ex, NULL, 0, &usd);
		json_object_set_new(j, "cost_usd", rc < 0 ? json_null() : json_real(usd));
		json_object_set_new(j, "cost_estimated", json_boolean(rc == 1));
		struct as_llm_usage u = ex.usage;
		if (!u.reported)
			as_llm_estimate_usage(&ex, &u);
		json_object_set_new(
			j, "tokens",
			json_pack("{s:I, s:I, s:b}", "input", (json_int_t)u.input_tokens, "output",
				  (json_int_t)u.output_tokens, "estimated", !ex.usage.reported));
		as_llm_exchange_clear(&ex);
	}
	json_t *msgs = json_object_get(x, "messages");
	if (!json_is_array(msgs))
		return j;
	size_t n = json_array_size(msgs), from = 0;
	for (size_t i = n; i > 0; i--) {
		const char *role =
			json_string_value(json_object_get(json_array_get(msgs, i - 1), "role"));
		if (role && strcmp(role, "assistant") == 0) {
			from = i;
			break;
		}
	}
	json_object_set_new(j, "messages_total", json_integer((json_int_t)n));
	json_object_set_new(j, "messages_from", json_integer((json_int_t)from));
	if (from > 0) {
		json_t *tail = json_array();
		for (size_t i = from; tail && i < n; i++)
			json_array_append(tail, json_array_get(msgs, i));
		if (tail)
			json_object_set_new(x, "messages", tail);
	}
	return j;
}

static bool query_id(struct MHD_Connection *c, const char *key, int64_t dflt, int64_t *out)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
	if (!v || !*v) {
		*out = dflt;
		return true;
	}
	*out = as_serve_parse_id(v, strlen(v));
	return *out >= 0;
}

static enum MHD_Result store_error(struct MHD_Connection *c, int rc, const char *err)
{
	return send_error(c, rc == -ENOENT ? MHD_HTTP_NOT_FOUND : MHD_HTTP_INTERNAL_SERVER_ERROR,
			  err);
}

static enum MHD_Result api(struct as_server *srv, struct MHD_Connection *c,
			   const struct as_route *r, const char *cookie)
{
	char err[512];
	json_t *j = NULL;
	int rc;
	switch (r->kind) {
	case AS_ROUTE_SESSIONS:
		rc = as_store_list_sessions(srv->store, &j, err, sizeof(err));
		if (rc != 0)
			return store_error(c, rc, err);
		return send_json(c, MHD_HTTP_OK, j, cookie);
	case AS_ROUTE_SESSION: {
		json_t *links = NULL, *alerts = NULL;
		rc = as_store_get_session(srv->store, r->session, &j, err, sizeof(err));
		if (rc == 0)
			rc = as_store_load_links(srv->store, r->session, &links, err, sizeof(err));
		if (rc == 0)
			rc = as_store_load_alerts(srv->store, r->session, &alerts, err,
						  sizeof(err));
		if (rc != 0) {
			json_decref(j);
			json_decref(links);
			return store_error(c, rc, err);
		}
		json_t *o = json_object();
		if (o) {
			json_object_set_new(o, "session", j);
			json_object_set_new(o, "links", links);
			json_object_set_new(o, "alerts", alerts);
		} else {
			json_decref(j);
			json_decref(links);
			json_decref(alerts);
		}
		return send_json(c, MHD_HTTP_OK, o, cookie);
	}
	case AS_ROUTE_EVENTS: {
		int64_t after, limit;
		if (!query_id(c, "after", 0, &after) || !query_id(c, "limit", DEFAULT_PAGE, &limit))
			return send_error(c, MHD_HTTP_BAD_REQUEST,
					  "after and limit must be decimal numbers");
		if (limit < 1 || limit > AS_STORE_MAX_PAGE)
			return send_error(c, MHD_HTTP_BAD_REQUEST, "limit is out of range");
		const char *view = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "view");
		bool compact = false;
		if (view && strcmp(view, "compact") == 0)
			compact = true;
		else if (view && strcmp(view, "full") != 0)
			return send_error(c, MHD_HTTP_BAD_REQUEST, "view is compact or full");
		/* A session that does not exist is a 404, not an empty list. */
		rc = as_store_get_session(srv->store, r->session, &j, err, sizeof(err));
		json_decref(j);
		if (rc != 0)
			return store_error(c, rc, err);
		bool more = false;
		json_t *events = NULL;
		rc = as_store_load_events(srv->store, r->session, (uint64_t)after, (size_t)limit,
					  &events, &more, err, sizeof(err));
		if (rc != 0)
			return store_error(c, rc, err);
		json_int_t last = after;
		size_t n = json_array_size(events);
		for (size_t i = 0; i < n; i++) {
			json_t *ev = json_array_get(events, i);
			if (compact)
				compact_event(ev);
			if (i == n - 1)
				last = json_integer_value(json_object_get(ev, "id"));
		}
		json_t *o = json_object();
		if (!o) {
			json_decref(events);
			return send_json(c, MHD_HTTP_OK, NULL, cookie);
		}
		json_object_set_new(o, "events", events);
		json_object_set_new(o, "more", json_boolean(more));
		json_object_set_new(o, "next_after", json_integer(last));
		return send_json(c, MHD_HTTP_OK, o, cookie);
	}
	case AS_ROUTE_EVENT:
		rc = as_store_get_event(srv->store, r->session, r->event, &j, err, sizeof(err));
		if (rc != 0)
			return store_error(c, rc, err);
		return send_json(c, MHD_HTTP_OK, j, cookie);
	default:
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such page");
	}
}

/* The token the request carries, from the query, a Bearer header or the
 * cookie; *from_query says whether it came in the URL. */
static const char *request_token(struct MHD_Connection *c, char *buf, size_t len, bool *from_query)
{
	*from_query = false;
	const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	if (q) {
		*from_query = true;
		return q;
	}
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (auth && strncmp(auth, "Bearer ", 7) == 0)
		return auth + 7;
	const char *cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
	if (as_serve_cookie_token(cookie, buf, len))
		return buf;
	return NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls)
{
	struct as_server *srv = cls;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET is served");
	if (srv->loopback) {
		const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
		if (!host || (strcmp(host, srv->host_ip) != 0 && strcmp(host, srv->host_name) != 0))
			return send_error(c, MHD_HTTP_FORBIDDEN,
					  "the Host header is not this server's");
	}
	char buf[AS_SERVE_TOKEN_HEX + 2];
	bool from_query;
	const char *token = request_token(c, buf, sizeof(buf), &from_query);
	if (!token)
		return send_error(c, MHD_HTTP_UNAUTHORIZED,
				  "a token is needed: open the URL agentsight serve printed");
	if (!as_serve_token_equal(token, srv->token))
		return send_error(c, MHD_HTTP_FORBIDDEN, "wrong token");
	char cookie[96];
	snprintf(cookie, sizeof(cookie), "as_token=%s; Path=/; HttpOnly; SameSite=Strict",
		 srv->token);
	const char *set_cookie = from_query ? cookie : NULL;

	struct as_route r = as_serve_route(url);
	switch (r.kind) {
	case AS_ROUTE_BAD:
		return send_error(c, MHD_HTTP_BAD_REQUEST, "malformed path");
	case AS_ROUTE_NONE:
		return send_error(c, MHD_HTTP_NOT_FOUND, "no such page");
	case AS_ROUTE_STATIC: {
		const struct as_web_file *f = &as_web_files[r.file];
		return respond(c, MHD_HTTP_OK,
			       MHD_create_response_from_buffer(f->size, (void *)f->data,
							       MHD_RESPMEM_PERSISTENT),
			       f->type, set_cookie);
	}
	default:
		return api(srv, c, &r, set_cookie);
	}
}

/* %-decoding of paths and query values, as libmicrohttpd's own except that
 * %00 becomes a control byte that the router refuses, instead of cutting
 * the string short ("/app.js%00.html" would otherwise read as "/app.js"). */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	char *w = s;
	for (const char *r = s; *r; r++) {
		int hi, lo;
		if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0) {
			unsigned char byte = (unsigned char)(hi * 16 + lo);
			if (!byte)
				byte = 0x01;
			memcpy(w++, &byte, 1);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
	return (size_t)(w - s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	/* Library code does not print; the errors that matter are returned. */
	(void)cls;
	(void)fmt;
	(void)ap;
}

/* ---- Life cycle ---- */

static int make_token(char *out, char *err, size_t errlen)
{
	unsigned char raw[AS_SERVE_TOKEN_HEX / 2];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "serve: getrandom: %s", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[AS_SERVE_TOKEN_HEX] = 0;
	return 0;
}

static bool valid_token(const char *t)
{
	if (strlen(t) != AS_SERVE_TOKEN_HEX)
		return false;
	for (const char *p = t; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

int as_serve_start(struct as_server **out, const struct as_serve_opts *opts, char *err,
		   size_t errlen)
{
	*out = NULL;
	const char *addr = opts->bind_addr ? opts->bind_addr : "127.0.0.1";
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(opts->port)};
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "serve: bind address '%s' is not an IPv4 address", addr);
		return -1;
	}
	bool loopback = strcmp(addr, "127.0.0.1") == 0;
	if (!loopback && !opts->allow_any_addr) {
		snprintf(err, errlen,
			 "serve: refusing to listen on %s: the UI shows what agents did and "
			 "serves only 127.0.0.1 unless another address is explicitly allowed",
			 addr);
		return -1;
	}
	if (opts->token && !valid_token(opts->token)) {
		snprintf(err, errlen, "serve: a fixed token must be %d lowercase hex digits",
			 AS_SERVE_TOKEN_HEX);
		return -1;
	}
	struct as_server *srv = calloc(1, sizeof(*srv));
	if (!srv) {
		snprintf(err, errlen, "serve: out of memory");
		return -1;
	}
	srv->listen_fd = -1;
	srv->loopback = loopback;
	if (opts->token)
		memcpy(srv->token, opts->token, AS_SERVE_TOKEN_HEX + 1);
	else if (make_token(srv->token, err, errlen) != 0)
		goto fail;

	struct as_store_opts so = {.read_only = true};
	if (as_store_open(&srv->store, opts->db_path, &so, err, errlen) != 0)
		goto fail;

	srv->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (srv->listen_fd < 0 ||
	    setsockopt(srv->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(srv->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(srv->listen_fd, 64) != 0) {
		snprintf(err, errlen, "serve: cannot listen on %s:%u: %s", addr,
			 (unsigned)opts->port, strerror(errno));
		goto fail;
	}
	socklen_t sl = sizeof(sa);
	if (getsockname(srv->listen_fd, (struct sockaddr *)&sa, &sl) != 0) {
		snprintf(err, errlen, "serve: getsockname: %s", strerror(errno));
		goto fail;
	}
	srv->port = ntohs(sa.sin_port);
	snprintf(srv->host_ip, sizeof(srv->host_ip), "127.0.0.1:%u", (unsigned)srv->port);
	snprintf(srv->host_name, sizeof(srv->host_name), "localhost:%u", (unsigned)srv->port);
	snprintf(srv->url, sizeof(srv->url), "http://%s:%u/?token=%s", addr, (unsigned)srv->port,
		 srv->token);

	srv->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, handle, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_UNESCAPE_CALLBACK, unescape,
		NULL, MHD_OPTION_LISTEN_SOCKET, srv->listen_fd, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
	if (!srv->daemon) {
		snprintf(err, errlen, "serve: cannot start the HTTP server on %s:%u", addr,
			 (unsigned)srv->port);
		goto fail;
	}
	srv->listen_fd = -1; /* the daemon owns it now and closes it when stopped */
	if (opts->out) {
		fprintf(opts->out, "agentsight: serving %s at %s\n", opts->db_path, srv->url);
		fflush(opts->out);
	}
	*out = srv;
	return 0;
fail:
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	as_store_close(srv->store);
	free(srv);
	return -1;
}

uint16_t as_serve_port(const struct as_server *srv)
{
	return srv->port;
}

const char *as_serve_url(const struct as_server *srv)
{
	return srv->url;
}

const char *as_serve_token(const struct as_server *srv)
{
	return srv->token;
}

void as_serve_stop(struct as_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	as_store_close(srv->store);
	free(srv);
}

int as_serve_run(const struct as_serve_opts *opts, volatile sig_atomic_t *stop, char *err,
		 size_t errlen)
{
	struct as_server *srv;
	if (as_serve_start(&srv, opts, err, errlen) != 0)
		return -1;
	while (!*stop) {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000L};
		nanosleep(&ts, NULL);
	}
	as_serve_stop(srv);
	return 0;
}
