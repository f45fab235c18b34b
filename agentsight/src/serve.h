/* serve: `agentsight serve`, the web UI over a store.
 *
 * A libmicrohttpd server on 127.0.0.1 (another address only when the caller
 * allows it) serves the UI (web/, embedded in the binary at build time) and a
 * read-only JSON API over one store file, opened read-only on its own
 * connection, so it can run beside a recording. Every request needs the
 * server's token: a random 128-bit value printed in the URL (?token=...);
 * the first page load turns it into a cookie, and API clients may send it
 * as "Authorization: Bearer <token>". A request without it gets 401, with a
 * wrong one 403.
 *
 * API (GET only; JSON; ids are decimal):
 *   /api/sessions                        as_store_list_sessions()
 *   /api/sessions/{s}                    {"session", "links", "alerts"}
 *   /api/sessions/{s}/events?after=&limit=&view=compact
 *                                        {"events": [...], "more": bool, "next_after": id}
 *   /api/sessions/{s}/events/{e}         one event, whole
 * view=compact trims each LLM request to the messages after its last
 * assistant message (what is new in that call) and adds "messages_total",
 * "messages_from", "cost_usd", "cost_estimated" and "tokens" ({"input",
 * "output", "estimated"}: the reported usage, or llmapi's estimate) to the
 * event, so that long agent runs,
 * whose every request repeats the conversation, load quickly.
 */
#ifndef AGENTSIGHT_SERVE_H
#define AGENTSIGHT_SERVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define AS_SERVE_TOKEN_HEX 32 /* 128 bits */

struct as_serve_opts {
	const char *db_path;
	const char *bind_addr; /* NULL: "127.0.0.1" (IPv4 only) */
	bool allow_any_addr;   /* allow a bind address other than 127.0.0.1 */
	uint16_t port;	       /* 0: an ephemeral port */
	FILE *out;	       /* where the URL (with the token) is printed; may be NULL */
	/* Tests: a fixed token of AS_SERVE_TOKEN_HEX lowercase hex digits
	 * instead of a random one. NULL in production. */
	const char *token;
};

struct as_server;

/* Opens the store and starts serving on a thread of libmicrohttpd's. Prints
 * "agentsight: serving <db> at <url>" to opts->out. Returns 0 and the server
 * in *out, or -1 with err (the bind address refused, the port taken, the
 * store unreadable). */
int as_serve_start(struct as_server **out, const struct as_serve_opts *opts, char *err,
		   size_t errlen);

uint16_t as_serve_port(const struct as_server *srv);
/* "http://127.0.0.1:<port>/?token=<token>" */
const char *as_serve_url(const struct as_server *srv);
const char *as_serve_token(const struct as_server *srv);

/* Stops the server (waits for its thread) and frees it; NULL is fine. */
void as_serve_stop(struct as_server *srv);

/* For the CLI: starts, then waits until *stop becomes non-zero (set it from
 * a SIGINT handler), then stops. Returns 0 or -1 with err. */
int as_serve_run(const struct as_serve_opts *opts, volatile sig_atomic_t *stop, char *err,
		 size_t errlen);

/* The request router, apart from HTTP for tests and fuzzing. */
enum as_route_kind {
	AS_ROUTE_NONE = 0, /* 404 */
	AS_ROUTE_BAD,	   /* 400: a malformed path (.., bad number) */
	AS_ROUTE_STATIC,   /* a file of the UI: file index */
	AS_ROUTE_SESSIONS, /* /api/sessions */
	AS_ROUTE_SESSION,  /* /api/sessions/{s} */
	AS_ROUTE_EVENTS,   /* /api/sessions/{s}/events */
	AS_ROUTE_EVENT,	   /* /api/sessions/{s}/events/{e} */
};

struct as_route {
	enum as_route_kind kind;
	size_t file; /* AS_ROUTE_STATIC: index in as_web_files */
	int64_t session;
	uint64_t event;
};

/* Routes a request path (already %-decoded by the HTTP layer). */
struct as_route as_serve_route(const char *path);

/* Parses a decimal id of at most 18 digits (no sign, no spaces); -1 if not. */
int64_t as_serve_parse_id(const char *s, size_t len);

/* Finds "as_token=<value>" in a Cookie header into buf (NUL-terminated);
 * false when absent or longer than len - 1. */
bool as_serve_cookie_token(const char *cookie, char *buf, size_t len);

/* Compares a token given by a client with the server's in time that does not
 * depend on where they differ. */
bool as_serve_token_equal(const char *given, const char *expected);

/* The UI's files, embedded by the build (web/ -> a generated C file). */
struct as_web_file {
	const char *name; /* "index.html", "app.js", ... */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t size;
};
extern const struct as_web_file as_web_files[];
extern const size_t as_web_n_files;

#endif /* AGENTSIGHT_SERVE_H */
