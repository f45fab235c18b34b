/* h1client: a small HTTP/1.1 client over any byte transport, for the test
 * agents that bring their own TLS (agent_gnutls over GnuTLS records,
 * agent_static over statically linked OpenSSL).
 *
 * It writes one request (body with Content-Length, or chunked in several
 * pieces) and reads one response: the status line, the headers, and the body
 * framed by Content-Length, chunked transfer coding or the end of the
 * connection. The transport is two functions, so the parser can be fed
 * from memory in tests and by the fuzzer. Header and body sizes are bounded.
 */
#ifndef AGENTSIGHT_ENV_H1CLIENT_H
#define AGENTSIGHT_ENV_H1CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define AS_ENV_H1_MAX_HEAD (64u << 10)
#define AS_ENV_H1_MAX_BODY (16u << 20)

struct as_env_h1_io {
	void *ctx;
	/* Both return bytes moved, 0 at the end of the stream (recv), or -1. */
	ssize_t (*send)(void *ctx, const void *buf, size_t len);
	ssize_t (*recv)(void *ctx, void *buf, size_t len);
};

struct as_env_h1_response {
	int status;
	bool keep_alive; /* the connection may carry another request */
	bool chunked;	 /* the body came with chunked transfer coding */
	char content_type[128];
	char *body; /* malloc'd, NUL-terminated; body_len excludes the NUL */
	size_t body_len;
	unsigned long reads; /* recv calls that returned data */
};

/* Sends a request. `headers` are NULL-terminated "Name: value" strings (no
 * Host, Content-Length or Transfer-Encoding: those are added). With
 * `chunked`, the body goes out as several chunks. Returns 0 or -1 with a
 * message in err. */
int as_env_h1_send(const struct as_env_h1_io *io, const char *method, const char *host,
		   const char *target, const char *const *headers, const char *body, size_t len,
		   bool chunked, char *err, size_t errlen);

/* Reads one response (1xx responses are skipped). Returns 0, or -1 with a
 * message in err; in both cases free `resp` with as_env_h1_response_free.
 * `got_any` (may be NULL) tells whether any byte arrived, so a caller can
 * retry a request on a fresh connection when a kept-alive one was closed. */
int as_env_h1_recv(const struct as_env_h1_io *io, bool head_request,
		   struct as_env_h1_response *resp, bool *got_any, char *err, size_t errlen);

void as_env_h1_response_free(struct as_env_h1_response *resp);

/* A kept-alive connection that a TLS agent fills in: its transport, and how
 * to open and close it. as_env_h1_post opens it when needed, sends one
 * POST, reads the response and closes the connection when the server does
 * not keep it; a request that finds a kept-alive connection closed by the
 * server is retried once on a new one. */
struct as_env_h1_conn {
	struct as_env_h1_io io;
	int (*open)(void *ctx, char *err, size_t errlen);
	void (*close)(void *ctx);
	const char *host; /* the Host header: "host:port" */
	bool chunked;	  /* send bodies chunked */
	bool is_open;
	unsigned long connections; /* opened so far */
};

/* Has the shape of agent_core's as_env_post_fn; `conn` is a struct
 * as_env_h1_conn. */
int as_env_h1_post(void *conn, const char *path, const char *const *headers, const char *body,
		   size_t len, int *status, char **resp, size_t *resp_len, unsigned long *reads,
		   char *err, size_t errlen);

/* Closes the connection if it is open. */
void as_env_h1_conn_close(struct as_env_h1_conn *conn);

#endif /* AGENTSIGHT_ENV_H1CLIENT_H */
