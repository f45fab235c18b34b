/* h1client_test: the test agents' HTTP/1.1 client on canned exchanges.
 *
 * Responses are fed through a fake transport a few bytes per read, so every
 * line and body crosses read boundaries. The chunked example is the one
 * Wikipedia and MDN give for chunked transfer coding ("Wikipedia in\r\n\r\n
 * chunks."); framing rules are RFC 9112's (no body for 204, 1xx skipped,
 * close-delimited bodies end the connection). Broken responses fail with a
 * message. Requests are checked byte for byte against what RFC 9112 frames:
 * request line, Host, Content-Length or chunks ending in "0\r\n\r\n". The
 * keep-alive layer reuses one connection and retries once on a fresh one
 * when the server closed the idle connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "h1client.h"
#include "testkit.h"

struct fake {
	const char *in; /* what the server sends, one connection's worth */
	size_t left, piece;
	char out[4096]; /* what the client sent */
	size_t out_len;
	int opens, closes;
	const char *const *conns; /* per-connection server bytes, for conn tests */
};

static ssize_t f_recv(void *ctx, void *buf, size_t len)
{
	struct fake *f = ctx;
	size_t n = f->left < f->piece ? f->left : f->piece;
	if (n > len)
		n = len;
	memcpy(buf, f->in, n);
	f->in += n;
	f->left -= n;
	return (ssize_t)n;
}

static ssize_t f_send(void *ctx, const void *buf, size_t len)
{
	struct fake *f = ctx;
	if (f->out_len + len > sizeof(f->out))
		return -1;
	memcpy(f->out + f->out_len, buf, len);
	f->out_len += len;
	return (ssize_t)len;
}

static int f_open(void *ctx, char *err, size_t errlen)
{
	struct fake *f = ctx;
	(void)err;
	(void)errlen;
	f->in = f->conns[f->opens++];
	f->left = strlen(f->in);
	return 0;
}

static void f_close(void *ctx)
{
	((struct fake *)ctx)->closes++;
}

static int recv_one(const char *in, size_t piece, struct as_env_h1_response *r, char *err,
		    size_t errlen)
{
	struct fake f = {.in = in, .left = strlen(in), .piece = piece};
	struct as_env_h1_io io = {&f, f_send, f_recv};
	return as_env_h1_recv(&io, false, r, NULL, err, errlen);
}

static void test_responses(void)
{
	struct as_env_h1_response r;
	char err[256];
	for (size_t piece = 1; piece <= 7; piece += 3) {
		int rc = recv_one(
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: "
			"chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks."
			"\r\n0\r\n\r\n",
			piece, &r, err, sizeof(err));
		TK_CHECK(rc == 0 && r.status == 200 && r.chunked && r.keep_alive &&
				 r.body_len == 23 &&
				 !strcmp(r.body, "Wikipedia in\r\n\r\nchunks.") &&
				 !strcmp(r.content_type, "text/plain"),
			 "chunked (piece %zu): rc %d %s body \"%s\"", piece, rc, err,
			 r.body ? r.body : "");
		TK_CHECK(r.reads > 1, "piece %zu: %lu reads", piece, r.reads);
		as_env_h1_response_free(&r);
	}

	TK_CHECK(recv_one("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: "
			  "5\r\nConnection: close\r\n\r\nhello",
			  3, &r, err, sizeof(err)) == 0 &&
			 r.status == 201 && !strcmp(r.body, "hello") && !r.keep_alive,
		 "100 then 201 with close: %s", err);
	as_env_h1_response_free(&r);

	TK_CHECK(recv_one("HTTP/1.0 200 OK\r\n\r\nuntil the end", 4, &r, err, sizeof(err)) == 0 &&
			 !strcmp(r.body, "until the end") && !r.keep_alive,
		 "close-delimited: %s", err);
	as_env_h1_response_free(&r);

	TK_CHECK(recv_one("HTTP/1.1 204 No Content\r\n\r\n", 2, &r, err, sizeof(err)) == 0 &&
			 r.status == 204 && r.body_len == 0 && r.keep_alive,
		 "204: %s", err);
	as_env_h1_response_free(&r);

	TK_CHECK(recv_one("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=v\r\nabcde"
			  "\r\n0\r\nX-Trailer: t\r\n\r\n",
			  5, &r, err, sizeof(err)) == 0 &&
			 !strcmp(r.body, "abcde"),
		 "chunk extension and trailer: %s", err);
	as_env_h1_response_free(&r);

	TK_CHECK(recv_one("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", 1, &r, err, sizeof(err)) ==
				 0 &&
			 !strcmp(r.body, "ok"),
		 "bare LF line ends: %s", err);
	as_env_h1_response_free(&r);

	static const struct {
		const char *in, *want;
	} bad[] = {
		{"HTTP/1.1 20 OK\r\n\r\n", "status line"},
		{"SSH-2.0-OpenSSH\r\n\r\n", "status line"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234", "before the body's end"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		 "two different"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
		 "Content-Length"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n",
		 "chunk size"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
		 "longer than its size"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "Transfer-Encoding"},
		{"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "without a name"},
		{"HTTP/1.1 200 OK\r\nContent-Le", "closed in the header"},
		{"", "closed in the status line"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		int rc = recv_one(bad[i].in, 3, &r, err, sizeof(err));
		TK_CHECK(rc == -1 && strstr(err, bad[i].want),
			 "case %zu: rc %d, \"%s\" lacks \"%s\"", i, rc, err, bad[i].want);
		as_env_h1_response_free(&r);
	}

	/* A header section over the bound. */
	size_t big = AS_ENV_H1_MAX_HEAD + 100;
	char *huge = malloc(big + 64);
	if (huge) {
		static const char head[] = "HTTP/1.1 200 OK\r\nX-Big: ";
		size_t n = sizeof(head) - 1;
		memcpy(huge, head, n);
		memset(huge + n, 'a', big);
		memcpy(huge + n + big, "\r\n\r\n", sizeof("\r\n\r\n"));
		err[0] = '\0';
		TK_CHECK(recv_one(huge, 4096, &r, err, sizeof(err)) == -1 && strstr(err, "longer"),
			 "huge header: %s", err);
		as_env_h1_response_free(&r);
		free(huge);
	}
}

static void test_requests(void)
{
	struct fake f = {0};
	struct as_env_h1_io io = {&f, f_send, f_recv};
	const char *h[] = {"Content-Type: application/json", NULL};
	char err[256];
	TK_CHECK(as_env_h1_send(&io, "POST", "127.0.0.1:8443", "/v1/messages", h, "{\"a\":1}", 7,
				false, err, sizeof(err)) == 0,
		 "send: %s", err);
	f.out[f.out_len] = '\0';
	TK_CHECK(!strcmp(f.out,
			 "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1:8443\r\nContent-Type: "
			 "application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"),
		 "request: %s", f.out);

	f.out_len = 0;
	TK_CHECK(as_env_h1_send(&io, "POST", "h", "/p", NULL, "0123456789", 10, true, err,
				sizeof(err)) == 0,
		 "send chunked: %s", err);
	f.out[f.out_len] = '\0';
	TK_CHECK(!strcmp(f.out, "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
				"4\r\n0123\r\n4\r\n4567\r\n2\r\n89\r\n0\r\n\r\n"),
		 "chunked request: %s", f.out);
}

static void test_conn(void)
{
	/* Connection 1 answers twice then is found closed; connection 2 answers. */
	static const char *const conns[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb",
		NULL,
	};
	struct fake f = {.piece = 5, .conns = conns};
	struct as_env_h1_conn c = {
		.io = {&f, f_send, f_recv}, .open = f_open, .close = f_close, .host = "h"};
	char err[256], *body = NULL;
	size_t len;
	int status;
	unsigned long reads;
	TK_CHECK(as_env_h1_post(&c, "/p", NULL, "x", 1, &status, &body, &len, &reads, err,
				sizeof(err)) == 0 &&
			 status == 200 && !strcmp(body, "a") && c.is_open,
		 "first post: %s", err);
	free(body);
	body = NULL;
	f.out_len = 0;
	TK_CHECK(as_env_h1_post(&c, "/p", NULL, "x", 1, &status, &body, &len, &reads, err,
				sizeof(err)) == 0 &&
			 !strcmp(body ? body : "", "b") && c.connections == 2 && f.closes == 1,
		 "retry on a new connection: %s, %lu connections", err, c.connections);
	free(body);
	as_env_h1_conn_close(&c);
	TK_CHECK(f.closes == 2 && !c.is_open, "close");
}

int main(void)
{
	test_responses();
	test_requests();
	test_conn();
	return tk_finish();
}
