/* mcp_stdio: the MCP server over newline-delimited JSON on two descriptors
 * (see mcp_transport.h). Memory stays bounded: a line is kept only up to the
 * server's message limit; the rest of an oversized line is skipped.
 */
#include "mcp_transport.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int scx_mcp_serve_stdio(struct scx_mcp_server *srv, int in_fd, int out_fd, char *err, size_t errlen)
{
	size_t max = scx_mcp_server_max_message(srv);
	char *line = malloc(max + 1);
	if (!line) {
		snprintf(err, errlen, "out of memory for a %zu-byte line buffer", max);
		return -ENOMEM;
	}
	struct scx_mcp_session sess = {0};
	struct out_ctx out = {.fd = out_fd};
	size_t len = 0;
	bool skipping = false; /* inside a line already found too long */
	char chunk[65536];
	int rc = 0;
	for (;;) {
		ssize_t n = read(in_fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			snprintf(err, errlen, "reading requests: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			char c = chunk[i];
			if (c == '\n') {
				if (!skipping) {
					size_t l = len;
					if (l && line[l - 1] == '\r')
						l--;
					/* Blank lines between messages are tolerated. */
					bool blank = true;
					for (size_t k = 0; k < l && blank; k++)
						blank = line[k] == ' ' || line[k] == '\t';
					if (!blank &&
					    scx_mcp_handle(srv, &sess, line, l, send_line, &out,
							   NULL) < 0 &&
					    out.broken) {
						rc = -EPIPE;
						snprintf(err, errlen, "the client closed its end");
						goto done;
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
				if (scx_mcp_send_too_large(srv, max, send_line, &out) < 0) {
					rc = -EPIPE;
					snprintf(err, errlen, "the client closed its end");
					goto done;
				}
				continue;
			}
			line[len++] = c;
		}
	}
	/* A last message without its newline is still a message. */
	if (!rc && !skipping && len)
		scx_mcp_handle(srv, &sess, line, len, send_line, &out, NULL);
done:
	free(line);
	return rc;
}
