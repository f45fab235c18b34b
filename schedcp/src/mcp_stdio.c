/* mcp_stdio: the MCP server over newline-delimited JSON on two descriptors
 * (see mcp_transport.h).
 *
 * A reader thread splits the input into lines while the main thread serves
 * them one at a time, so that a notifications/cancelled naming the request
 * in progress is seen while that request runs: it sets the session's cancel
 * flag, the tool stops at its next check, and no response is sent for it, as
 * the specification asks. Memory stays bounded: a line is kept only up to
 * the server's message limit (the rest of an oversized line is skipped and
 * answered with -32600), and at most QUEUE_MAX lines wait to be served.
 */
#include "mcp_transport.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUEUE_MAX 16

enum item_kind {
	ITEM_LINE,
	ITEM_TOO_LARGE,
	ITEM_EOF,
	ITEM_ERROR,
};

struct item {
	enum item_kind kind;
	char *line;
	size_t len;
	int err; /* ITEM_ERROR: errno */
};

struct stdio_ctx {
	struct scx_mcp_server *srv;
	int in_fd;
	int wake[2]; /* the main thread tells the reader to stop */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct item q[QUEUE_MAX];
	size_t head, count;
	bool stop;
	/* The request being served, to match notifications/cancelled. */
	json_t *current_id;
	atomic_bool cancel;
};

struct out_ctx {
	int fd;
	bool broken;
};

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_line(void *ctx, const char *text, size_t len)
{
	struct out_ctx *o = ctx;
	if (o->broken)
		return -1;
	/* One write per message when it fits, so that a reader never sees
	 * half a line from us. */
	char *buf = malloc(len + 1);
	int rc;
	if (buf) {
		memcpy(buf, text, len);
		buf[len] = '\n';
		rc = write_all(o->fd, buf, len + 1);
		free(buf);
	} else {
		rc = write_all(o->fd, text, len);
		if (!rc)
			rc = write_all(o->fd, "\n", 1);
	}
	if (rc) {
		o->broken = true;
		return -1;
	}
	return 0;
}

/* Queues an item, waiting while the queue is full; false when stopping. */
static bool push(struct stdio_ctx *c, struct item it)
{
	pthread_mutex_lock(&c->lock);
	while (c->count == QUEUE_MAX && !c->stop)
		pthread_cond_wait(&c->changed, &c->lock);
	bool ok = !c->stop;
	if (ok) {
		c->q[(c->head + c->count) % QUEUE_MAX] = it;
		c->count++;
		pthread_cond_broadcast(&c->changed);
	}
	pthread_mutex_unlock(&c->lock);
	if (!ok)
		free(it.line);
	return ok;
}

/* A notifications/cancelled for the request in progress sets its flag now. */
static void watch_cancel(struct stdio_ctx *c, const char *line, size_t len)
{
	if (!memmem(line, len, "notifications/cancelled", 23))
		return;
	json_t *m = json_loadb(line, len, 0, NULL);
	const json_t *meth = json_object_get(m, "method");
	const json_t *rid = json_object_get(json_object_get(m, "params"), "requestId");
	if (json_is_string(meth) && !strcmp(json_string_value(meth), "notifications/cancelled") &&
	    rid) {
		pthread_mutex_lock(&c->lock);
		if (c->current_id && json_equal(c->current_id, rid))
			atomic_store(&c->cancel, true);
		pthread_mutex_unlock(&c->lock);
	}
	json_decref(m);
}

static void *reader_main(void *arg)
{
	struct stdio_ctx *c = arg;
	size_t max = scx_mcp_server_max_message(c->srv);
	char *line = malloc(max + 1);
	size_t len = 0;
	bool skipping = false;
	char chunk[65536];
	if (!line) {
		push(c, (struct item){.kind = ITEM_ERROR, .err = ENOMEM});
		return NULL;
	}
	for (;;) {
		struct pollfd pf[2] = {{.fd = c->in_fd, .events = POLLIN},
				       {.fd = c->wake[0], .events = POLLIN}};
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			push(c, (struct item){.kind = ITEM_ERROR, .err = errno});
			break;
		}
		if (pf[1].revents)
			break;
		ssize_t n = read(c->in_fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			push(c, (struct item){.kind = ITEM_ERROR, .err = errno});
			break;
		}
		if (n == 0) {
			/* A last message without its newline is still a message. */
			if (!skipping && len) {
				char *l = malloc(len);
				if (l) {
					memcpy(l, line, len);
					push(c, (struct item){
							.kind = ITEM_LINE, .line = l, .len = len});
				}
			}
			push(c, (struct item){.kind = ITEM_EOF});
			break;
		}
		bool stopping = false;
		for (ssize_t i = 0; i < n && !stopping; i++) {
			char ch = chunk[i];
			if (ch == '\n') {
				if (!skipping && len) {
					size_t l = len;
					if (line[l - 1] == '\r')
						l--;
					watch_cancel(c, line, l);
					char *copy = malloc(l ? l : 1);
					if (copy) {
						memcpy(copy, line, l);
						stopping = !push(c, (struct item){.kind = ITEM_LINE,
										  .line = copy,
										  .len = l});
					}
				}
				skipping = false;
				len = 0;
				continue;
			}
			if (skipping)
				continue;
			if (len >= max) {
				skipping = true;
				len = 0;
				stopping = !push(c, (struct item){.kind = ITEM_TOO_LARGE});
				continue;
			}
			line[len++] = ch;
		}
		if (stopping)
			break;
	}
	free(line);
	return NULL;
}

static struct item pop(struct stdio_ctx *c)
{
	pthread_mutex_lock(&c->lock);
	while (!c->count)
		pthread_cond_wait(&c->changed, &c->lock);
	struct item it = c->q[c->head];
	c->head = (c->head + 1) % QUEUE_MAX;
	c->count--;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	return it;
}

static bool blank(const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r')
			return false;
	return true;
}

/* The id of a request (a new reference), for matching cancellations. */
static json_t *request_id(const char *line, size_t len)
{
	json_t *m = json_loadb(line, len, 0, NULL);
	json_t *id = json_object_get(m, "id");
	json_t *out = id ? json_deep_copy(id) : NULL;
	json_decref(m);
	return out;
}

int scx_mcp_serve_stdio(struct scx_mcp_server *srv, int in_fd, int out_fd, char *err, size_t errlen)
{
	struct stdio_ctx c = {.srv = srv, .in_fd = in_fd};
	if (pipe(c.wake)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -errno;
	}
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.changed, NULL);
	atomic_init(&c.cancel, false);
	pthread_t reader;
	if (pthread_create(&reader, NULL, reader_main, &c)) {
		close(c.wake[0]);
		close(c.wake[1]);
		pthread_mutex_destroy(&c.lock);
		pthread_cond_destroy(&c.changed);
		snprintf(err, errlen, "cannot start the reader thread");
		return -EAGAIN;
	}
	struct scx_mcp_session sess = {.cancel = &c.cancel};
	struct out_ctx out = {.fd = out_fd};
	int rc = 0;
	for (;;) {
		struct item it = pop(&c);
		if (it.kind == ITEM_EOF)
			break;
		if (it.kind == ITEM_ERROR) {
			rc = -it.err;
			snprintf(err, errlen, "reading requests: %s", strerror(it.err));
			break;
		}
		int hr = 0;
		if (it.kind == ITEM_TOO_LARGE) {
			hr = scx_mcp_send_too_large(srv, scx_mcp_server_max_message(srv), send_line,
						    &out);
		} else if (!blank(it.line, it.len)) {
			json_t *id = request_id(it.line, it.len);
			pthread_mutex_lock(&c.lock);
			c.current_id = id;
			atomic_store(&c.cancel, false);
			pthread_mutex_unlock(&c.lock);
			hr = scx_mcp_handle(srv, &sess, it.line, it.len, send_line, &out, NULL);
			pthread_mutex_lock(&c.lock);
			c.current_id = NULL;
			pthread_mutex_unlock(&c.lock);
			json_decref(id);
		}
		free(it.line);
		if (hr < 0 && out.broken) {
			rc = -EPIPE;
			snprintf(err, errlen, "the client closed its end");
			break;
		}
	}
	/* Stop the reader (it may be waiting on input or on a full queue). */
	pthread_mutex_lock(&c.lock);
	c.stop = true;
	pthread_cond_broadcast(&c.changed);
	pthread_mutex_unlock(&c.lock);
	if (write(c.wake[1], "x", 1) < 0) {
		/* the reader also stops at end of input */
	}
	pthread_join(reader, NULL);
	for (size_t i = 0; i < c.count; i++)
		free(c.q[(c.head + i) % QUEUE_MAX].line);
	close(c.wake[0]);
	close(c.wake[1]);
	pthread_mutex_destroy(&c.lock);
	pthread_cond_destroy(&c.changed);
	return rc;
}
