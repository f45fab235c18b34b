/* as_web_serve: the web UI's server over the scenario store, spoken to with
 * raw HTTP/1.1 so that paths reach it exactly as written.
 *
 * Proves: no token gives 401 and a wrong one 403 (in the query, a cookie or
 * a Bearer header, a prefix of the right one included); the right one gives
 * 200 and, from the query, an HttpOnly SameSite cookie; a foreign Host is
 * refused; every response carries a CSP without inline script, nosniff and
 * no CORS header; the JSON API's shapes (sessions, one session, pages of
 * events, the compact view, one event, 404s and 400s); path traversal in
 * its usual spellings never reaches a file; only GET; only 127.0.0.1 unless
 * allowed, and then only the address asked for; the CLI's run loop stops on
 * its flag and the port is closed after.
 */
#include "scenario.h"
#include "serve.h"
#include "testkit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOKEN "0123456789abcdef0123456789abcdef"
#define WRONG "0123456789abcdef0123456789abcdee"

struct resp {
	int status;
	char head[4096];
	char *body;
};

static int connect_to(const char *ip, uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	inet_pton(AF_INET, ip, &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Sends method target with extra header lines ("K: V\r\n..."); reads the
 * whole response (Connection: close). */
static int http(uint16_t port, const char *method, const char *target, const char *host,
		const char *headers, struct resp *r)
{
	memset(r, 0, sizeof(*r));
	int fd = connect_to("127.0.0.1", port);
	if (fd < 0)
		return -1;
	char req[2048];
	char hostbuf[64];
	if (!host) {
		snprintf(hostbuf, sizeof(hostbuf), "127.0.0.1:%u", port);
		host = hostbuf;
	}
	int n = snprintf(req, sizeof(req),
			 "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s\r\n", method,
			 target, host, headers ? headers : "");
	if (write(fd, req, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t k;
	while ((k = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)k;
		if (len + 1 == cap) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = 0;
	char *end = strstr(buf, "\r\n\r\n");
	if (!end || sscanf(buf, "HTTP/1.1 %d", &r->status) != 1) {
		free(buf);
		return -1;
	}
	size_t hl = (size_t)(end - buf);
	snprintf(r->head, sizeof(r->head), "%.*s",
		 (int)(hl < sizeof(r->head) ? hl : sizeof(r->head) - 1), buf);
	r->body = strdup(end + 4);
	free(buf);
	return 0;
}

/* The value of a header (case-insensitive name), or NULL. */
static const char *header(struct resp *r, const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name);
	for (char *p = r->head; (p = strstr(p, "\r\n")); p += 2) {
		if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') {
			const char *v = p + 3 + nl;
			while (*v == ' ')
				v++;
			size_t k = strcspn(v, "\r");
			snprintf(buf, len, "%.*s", (int)k, v);
			return buf;
		}
	}
	return NULL;
}

static void check_security_headers(struct resp *r, const char *what)
{
	char v[512];
	const char *csp = header(r, "Content-Security-Policy", v, sizeof(v));
	TK_CHECK(csp && strstr(csp, "script-src 'self'") && !strstr(csp, "unsafe-inline") &&
			 strstr(csp, "default-src 'none'"),
		 "%s: CSP without inline scripts: %s", what, csp ? csp : "(none)");
	TK_CHECK(header(r, "X-Content-Type-Options", v, sizeof(v)) && strcmp(v, "nosniff") == 0,
		 "%s: nosniff", what);
	TK_CHECK(header(r, "Referrer-Policy", v, sizeof(v)) && strcmp(v, "no-referrer") == 0,
		 "%s: no referrer (the token is in the URL)", what);
	TK_CHECK(!header(r, "Access-Control-Allow-Origin", v, sizeof(v)), "%s: no CORS", what);
}

static json_t *get_json(uint16_t port, const char *target, int want_status)
{
	struct resp r;
	if (http(port, "GET", target, NULL, "Authorization: Bearer " TOKEN "\r\n", &r) != 0) {
		TK_CHECK(0, "GET %s", target);
		return NULL;
	}
	char v[128];
	TK_CHECK(r.status == want_status, "GET %s: %d, want %d (%s)", target, r.status, want_status,
		 r.body);
	TK_CHECK(header(&r, "Content-Type", v, sizeof(v)) && strcmp(v, "application/json") == 0,
		 "GET %s is JSON", target);
	check_security_headers(&r, target);
	json_t *j = json_loads(r.body, 0, NULL);
	TK_CHECK(j != NULL, "GET %s: body parses", target);
	free(r.body);
	return j;
}

static int64_t iget(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

struct runner {
	struct as_serve_opts opts;
	volatile sig_atomic_t stop;
	int rc;
	char err[256];
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;
	r->rc = as_serve_run(&r->opts, &r->stop, r->err, sizeof(r->err));
	return NULL;
}

int main(void)
{
	/* Pure helpers first. */
	TK_CHECK(as_serve_token_equal(TOKEN, TOKEN), "equal tokens");
	TK_CHECK(!as_serve_token_equal(WRONG, TOKEN), "last digit differs");
	TK_CHECK(!as_serve_token_equal("0123456789abcdef", TOKEN), "a prefix");
	TK_CHECK(!as_serve_token_equal(TOKEN "0", TOKEN), "longer");
	TK_CHECK(!as_serve_token_equal("", TOKEN) && !as_serve_token_equal(NULL, TOKEN), "empty");
	char tb[40];
	TK_CHECK(as_serve_cookie_token("a=1; as_token=" TOKEN "; b=2", tb, sizeof(tb)) &&
			 strcmp(tb, TOKEN) == 0,
		 "cookie among others");
	TK_CHECK(!as_serve_cookie_token("xas_token=1", tb, sizeof(tb)), "a longer name is not it");
	TK_CHECK(!as_serve_cookie_token("as_token=" TOKEN "00000000", tb, sizeof(tb)),
		 "too long for the buffer");
	struct as_route rt = as_serve_route("/api/sessions/12/events/345");
	TK_CHECK(rt.kind == AS_ROUTE_EVENT && rt.session == 12 && rt.event == 345, "event route");
	TK_CHECK(as_serve_route("/api/sessions/1x").kind == AS_ROUTE_BAD, "bad id");
	TK_CHECK(as_serve_route("/api/sessions/-1").kind == AS_ROUTE_BAD, "negative id");
	TK_CHECK(as_serve_route("/api/sessions/1/events/2/x").kind == AS_ROUTE_BAD, "trailing");
	TK_CHECK(as_serve_route("/api/sessionsX").kind == AS_ROUTE_NONE, "not the API");
	TK_CHECK(as_serve_parse_id("1234567890123456789", 19) == -1, "19 digits refused");

	char dir[] = "/tmp/as_web_serve.XXXXXX";
	TK_REQUIRE(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	char db[128], err[512];
	snprintf(db, sizeof(db), "%s/s.db", dir);
	int64_t s1, s2;
	TK_REQUIRE(as_scenario_create(db, &s1, &s2, err, sizeof(err)) == 0, "scenario: %s", err);

	/* Bind addresses. */
	struct as_server *srv = NULL;
	const char *refused[] = {"0.0.0.0", "192.0.2.7", "127.0.0.2", "::1", "localhost"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct as_serve_opts o = {.db_path = db, .bind_addr = refused[i], .token = TOKEN};
		TK_CHECK(as_serve_start(&srv, &o, err, sizeof(err)) == -1 && !srv,
			 "bind %s refused", refused[i]);
	}
	struct as_serve_opts other = {
		.db_path = db, .bind_addr = "127.0.0.2", .allow_any_addr = true, .token = TOKEN};
	if (as_serve_start(&srv, &other, err, sizeof(err)) == 0) {
		int fd = connect_to("127.0.0.1", as_serve_port(srv));
		TK_CHECK(fd < 0, "bound to 127.0.0.2 only, not 127.0.0.1");
		if (fd >= 0)
			close(fd);
		as_serve_stop(srv);
		srv = NULL;
	} else {
		TK_CHECK(0, "an explicitly allowed address: %s", err);
	}
	struct as_serve_opts bad_db = {.db_path = "/nonexistent/x.db"};
	TK_CHECK(as_serve_start(&srv, &bad_db, err, sizeof(err)) == -1 && strstr(err, "x.db"),
		 "a missing store: %s", err);
	struct as_serve_opts bad_tok = {.db_path = db, .token = "short"};
	TK_CHECK(as_serve_start(&srv, &bad_tok, err, sizeof(err)) == -1, "a malformed fixed token");

	/* A random token: 32 hex digits, in the URL. */
	struct as_serve_opts ro = {.db_path = db};
	TK_REQUIRE(as_serve_start(&srv, &ro, err, sizeof(err)) == 0, "start: %s", err);
	const char *tok = as_serve_token(srv);
	TK_CHECK(strlen(tok) == 32 && strspn(tok, "0123456789abcdef") == 32, "random token %s",
		 tok);
	TK_CHECK(strstr(as_serve_url(srv), tok) &&
			 strncmp(as_serve_url(srv), "http://127.0.0.1:", 17) == 0,
		 "url %s", as_serve_url(srv));
	as_serve_stop(srv);

	struct as_serve_opts o = {.db_path = db, .token = TOKEN};
	TK_REQUIRE(as_serve_start(&srv, &o, err, sizeof(err)) == 0, "start: %s", err);
	uint16_t port = as_serve_port(srv);
	TK_CHECK(port != 0, "an ephemeral port");
	int fd2 = connect_to("127.0.0.2", port);
	TK_CHECK(fd2 < 0, "not reachable on 127.0.0.2: only 127.0.0.1");
	if (fd2 >= 0)
		close(fd2);

	/* Tokens. */
	struct resp r;
	char v[512];
	TK_REQUIRE(http(port, "GET", "/", NULL, NULL, &r) == 0, "GET /");
	TK_CHECK(r.status == 401, "no token: %d", r.status);
	check_security_headers(&r, "401");
	free(r.body);
	const char *wrong[][2] = {{"/?token=" WRONG, NULL},
				  {"/?token=0123456789abcdef", NULL},
				  {"/?token=", NULL},
				  {"/", "Cookie: as_token=" WRONG "\r\n"},
				  {"/", "Authorization: Bearer " WRONG "\r\n"},
				  {"/api/sessions", "Authorization: Bearer " TOKEN "x\r\n"}};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		TK_REQUIRE(http(port, "GET", wrong[i][0], NULL, wrong[i][1], &r) == 0, "GET");
		TK_CHECK(r.status == 403, "wrong token %zu: %d", i, r.status);
		TK_CHECK(!strstr(r.body, "<html") && !strstr(r.body, "\"sessions\""),
			 "nothing served with a wrong token");
		free(r.body);
	}
	TK_REQUIRE(http(port, "GET", "/?token=" TOKEN, NULL, NULL, &r) == 0, "GET /?token");
	TK_CHECK(r.status == 200, "right token in the query: %d", r.status);
	TK_CHECK(header(&r, "Set-Cookie", v, sizeof(v)) && strstr(v, "as_token=" TOKEN) &&
			 strstr(v, "HttpOnly") && strstr(v, "SameSite=Strict"),
		 "the query token becomes a cookie");
	TK_CHECK(header(&r, "Content-Type", v, sizeof(v)) && strncmp(v, "text/html", 9) == 0,
		 "index is HTML");
	TK_CHECK(strstr(r.body, "<script src=\"app.js\"") != NULL, "the page loads app.js");
	TK_CHECK(!strstr(r.body, "<script>") && !strstr(r.body, " onclick="),
		 "no inline script in the page");
	check_security_headers(&r, "index");
	free(r.body);
	TK_REQUIRE(http(port, "GET", "/app.js", NULL, "Cookie: x=1; as_token=" TOKEN "\r\n", &r) ==
			   0,
		   "GET app.js");
	TK_CHECK(r.status == 200 && header(&r, "Content-Type", v, sizeof(v)) &&
			 strncmp(v, "text/javascript", 15) == 0,
		 "app.js with the cookie: %d", r.status);
	TK_CHECK(!header(&r, "Set-Cookie", v, sizeof(v)), "no cookie set again");
	free(r.body);
	TK_REQUIRE(http(port, "GET", "/?token=" TOKEN, "evil.example", NULL, &r) == 0, "GET");
	TK_CHECK(r.status == 403, "a foreign Host (DNS rebinding): %d", r.status);
	free(r.body);
	char lh[64];
	snprintf(lh, sizeof(lh), "localhost:%u", port);
	TK_REQUIRE(http(port, "GET", "/?token=" TOKEN, lh, NULL, &r) == 0, "GET");
	TK_CHECK(r.status == 200, "Host localhost:port: %d", r.status);
	free(r.body);
	TK_REQUIRE(http(port, "POST", "/api/sessions", NULL,
			"Authorization: Bearer " TOKEN "\r\nContent-Length: 2\r\n\r\n{}", &r) == 0,
		   "POST");
	TK_CHECK(r.status == 405, "POST: %d", r.status);
	free(r.body);

	/* Path traversal, in its spellings: never a file, never 200. */
	const char *paths[] = {"/../../../../etc/passwd",
			       "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
			       "/..%2f..%2f..%2fetc%2fpasswd",
			       "/static/../../src/serve.c",
			       "//etc/passwd",
			       "/index.html/../app.js",
			       "/web/index.html",
			       "/%2fetc%2fpasswd",
			       "/..\\..\\etc\\passwd",
			       "/app.js%00.html",
			       "/api/sessions/1/../../../etc/passwd",
			       "/api/sessions/1/events/..%2f2"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		TK_REQUIRE(http(port, "GET", paths[i], NULL, "Authorization: Bearer " TOKEN "\r\n",
				&r) == 0,
			   "GET %s", paths[i]);
		TK_CHECK(r.status == 400 || r.status == 404, "%s: %d", paths[i], r.status);
		TK_CHECK(!strstr(r.body, "root:") && !strstr(r.body, "#include"), "%s: no file",
			 paths[i]);
		free(r.body);
	}

	/* The API. */
	json_t *j = get_json(port, "/api/sessions", 200);
	TK_CHECK(json_array_size(j) == 2, "two sessions");
	json_t *a = json_array_get(j, 0);
	TK_CHECK(iget(a, "id") == s1 && iget(a, "events") == 14 && iget(a, "llm_calls") == 3 &&
			 iget(a, "alerts") == 1,
		 "session 1 in the list");
	json_decref(j);
	char target[128];
	snprintf(target, sizeof(target), "/api/sessions/%lld", (long long)s1);
	j = get_json(port, target, 200);
	TK_CHECK(iget(json_object_get(j, "session"), "id") == s1, "session detail");
	TK_CHECK(json_array_size(json_object_get(j, "links")) == 7, "seven links");
	json_t *al = json_array_get(json_object_get(j, "alerts"), 0);
	TK_CHECK(al &&
			 strcmp(json_string_value(json_object_get(al, "kind")), "reasoning_loop") ==
				 0 &&
			 json_array_size(json_object_get(al, "evidence")) == 4,
		 "the alert with its evidence");
	json_decref(j);
	snprintf(target, sizeof(target), "/api/sessions/%lld/events?limit=5", (long long)s1);
	j = get_json(port, target, 200);
	TK_CHECK(json_array_size(json_object_get(j, "events")) == 5 &&
			 json_is_true(json_object_get(j, "more")) && iget(j, "next_after") == 5,
		 "first page");
	json_decref(j);
	snprintf(target, sizeof(target), "/api/sessions/%lld/events?after=5&limit=100&view=compact",
		 (long long)s1);
	j = get_json(port, target, 200);
	json_t *evs = json_object_get(j, "events");
	TK_CHECK(json_array_size(evs) == 9 && json_is_false(json_object_get(j, "more")) &&
			 iget(j, "next_after") == 14,
		 "second page, the rest");
	json_t *e8 = json_array_get(evs, 2); /* ids 6, 7, 8 */
	TK_CHECK(iget(e8, "id") == 8, "event 8 third");
	json_t *msgs = json_object_get(json_object_get(e8, "exchange"), "messages");
	TK_CHECK(iget(e8, "messages_total") == 4 && iget(e8, "messages_from") == 3 &&
			 json_array_size(msgs) == 1 &&
			 strcmp(json_string_value(json_object_get(json_array_get(msgs, 0), "role")),
				"tool") == 0,
		 "compact: only what is new after the last assistant message");
	TK_CHECK(json_object_get(e8, "cost_usd") != NULL, "compact: a cost (null when unpriced)");
	json_t *t8 = json_object_get(e8, "tokens");
	TK_CHECK(iget(t8, "input") == 1500 && iget(t8, "output") == 80 &&
			 json_is_false(json_object_get(t8, "estimated")),
		 "compact: reported tokens");
	/* Event 10 reports no usage: (12 + 3) / 4 = 3 in, 3 + 6 = 9 out (llmapi's rule). */
	json_t *t10 = json_object_get(json_array_get(evs, 4), "tokens");
	TK_CHECK(iget(t10, "input") == 3 && iget(t10, "output") == 9 &&
			 json_is_true(json_object_get(t10, "estimated")),
		 "compact: estimated tokens");
	json_decref(j);
	snprintf(target, sizeof(target), "/api/sessions/%lld/events/8", (long long)s1);
	j = get_json(port, target, 200);
	TK_CHECK(json_array_size(json_object_get(json_object_get(j, "exchange"), "messages")) == 4,
		 "one event, whole");
	json_decref(j);
	snprintf(target, sizeof(target), "/api/sessions/%lld/events/5", (long long)s1);
	j = get_json(port, target, 200);
	TK_CHECK(strcmp(json_string_value(json_object_get(j, "kind")), "exec") == 0 &&
			 strcmp(json_string_value(json_array_get(json_object_get(j, "argv"), 0)),
				"pytest") == 0,
		 "the exec event");
	json_decref(j);
	j = get_json(port, "/api/sessions/99", 404);
	json_decref(j);
	j = get_json(port, "/api/sessions/99/events", 404);
	json_decref(j);
	snprintf(target, sizeof(target), "/api/sessions/%lld/events/999", (long long)s1);
	json_decref(get_json(port, target, 404));
	const char *bad[] = {
		"/api/sessions/1/events?limit=0",   "/api/sessions/1/events?limit=abc",
		"/api/sessions/1/events?after=-1",  "/api/sessions/1/events?limit=10001",
		"/api/sessions/1/events?view=huge", "/api/sessions/abc"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		json_decref(get_json(port, bad[i], 400));
	json_decref(get_json(port, "/api/nothing", 404));

	as_serve_stop(srv);
	int fd = connect_to("127.0.0.1", port);
	TK_CHECK(fd < 0 && errno == ECONNREFUSED, "the port is closed after stop");
	if (fd >= 0)
		close(fd);

	/* The CLI's loop: prints the URL, serves, stops on the flag. */
	int p[2];
	TK_REQUIRE(pipe(p) == 0, "pipe");
	struct runner run = {.opts = {.db_path = db, .token = TOKEN, .out = fdopen(p[1], "w")}};
	pthread_t th;
	TK_REQUIRE(pthread_create(&th, NULL, run_thread, &run) == 0, "thread");
	FILE *in = fdopen(p[0], "r");
	char line[512] = "";
	TK_CHECK(fgets(line, sizeof(line), in) != NULL, "the URL is printed");
	unsigned rport = 0;
	const char *u = strstr(line, "http://127.0.0.1:");
	TK_CHECK(u && sscanf(u, "http://127.0.0.1:%u/?token=" TOKEN, &rport) == 1 &&
			 strstr(line, "?token=" TOKEN "\n"),
		 "the line: %s", line);
	TK_CHECK(strstr(line, db) != NULL, "the line names the store");
	if (rport) {
		TK_CHECK(http((uint16_t)rport, "GET", "/?token=" TOKEN, NULL, NULL, &r) == 0 &&
				 r.status == 200,
			 "the run loop serves");
		free(r.body);
	}
	run.stop = 1;
	pthread_join(th, NULL);
	TK_CHECK(run.rc == 0, "run returns 0: %s", run.err);
	fclose(in);
	fclose(run.opts.out);

	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	TK_CHECK(system(cmd) == 0, "cleanup");
	return tk_finish();
}
