/* engine: kernel records to events (see engine.h).
 *
 * Tables: processes (pid -> parent, for the ppid of every event), TLS
 * connections ((pid, SSL pointer) -> reassembly and parsers) and write
 * bursts ((pid, fd) -> the file and its totals).
 */
#include "engine.h"
#include "tlsdec.h"

#include "hmap.h"
#include "http1.h"
#include "http2.h"
#include "llmapi.h"
#include "redact.h"
#include "sse.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define DEFAULT_MAX_BODY      (16ull << 20)
#define DEFAULT_WRITE_IDLE_NS 1000000000ull
#define DEFAULT_MAX_CONNS     4096
#define DETECT_BYTES	      64	  /* bytes the protocol guess may need */
#define HOLD_MAX	      (64u << 10) /* bytes held per direction until the guess */
#define SSE_MAX_EVENT	      (4u << 20)  /* one server-sent event */

/* A growable byte buffer with a cap; what goes past the cap is counted. */
struct buf {
	uint8_t *data;
	size_t len, cap;
	uint64_t dropped;
};

static void buf_append(struct buf *b, const uint8_t *p, size_t n, uint64_t limit)
{
	if (b->len + n > limit) {
		size_t room = b->len < limit ? (size_t)(limit - b->len) : 0;
		b->dropped += n - room;
		n = room;
	}
	if (!n)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		uint8_t *d = realloc(b->data, cap);
		if (!d) {
			b->dropped += n;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0; /* always a C string too, for the JSON parsers */
}

static void buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* One request and its response. */
struct pending {
	struct pending *next;
	uint32_t stream_id;
	char *method, *target, *host;
	int version;
	enum as_llm_api api;
	struct buf req_body, resp_body;
	bool req_done, resp_started;
	uint64_t req_end_ns;
	int status;
	struct as_llm_exchange *ex;
	struct as_sse *sse;
	struct as_llm_stream *llm_stream;
	uint64_t req_bytes, resp_bytes;
	struct as_engine *engine; /* for the SSE callback */
};

enum conn_proto {
	PROTO_UNKNOWN,
	PROTO_H1,
	PROTO_H2,
	PROTO_OTHER
};

/* Reassembly of one direction: the chunks of one call arrive in order. */
struct direction {
	uint64_t call_id;
	uint32_t next_off, total;
	bool in_call;
	struct buf hold; /* bytes before the protocol is known */
};

struct conn {
	int pid, tid;
	char comm[AS_COMM_LEN];
	uint64_t ptr;
	uint8_t lib;
	enum conn_proto proto;
	bool server;		/* the traced process answers requests (reads them) */
	struct as_http1 *h1[2]; /* by direction: [AS_TLS_DIR_WRITE], [AS_TLS_DIR_READ] */
	struct as_http2 *h2;
	struct direction dir[2];
	struct pending *queue; /* HTTP/1.1: requests in order; HTTP/2: by stream id */
	struct as_engine *engine;
};

struct write_burst {
	int pid, tid, ppid;
	char comm[AS_COMM_LEN];
	uint32_t fd;
	char *path;
	bool resolved;
	uint64_t first_ns, last_ns, bytes;
	uint32_t writes;
};

struct as_engine {
	struct as_engine_cfg cfg;
	struct as_engine_sink sink;
	struct as_engine_stats stats;
	uint64_t next_id;
	uint64_t now_ns;
	struct as_hmap ppid;   /* pid -> (ppid + 1) cast to a pointer */
	struct as_hmap conns;  /* (pid, low bits of ptr) -> struct conn (chained by exact ptr) */
	struct as_hmap writes; /* (pid, fd) -> struct write_burst */
	/* keys mode (see tlsdec.h): created with the first record that needs it */
	struct as_tlsdec *tlsdec;
	struct as_hmap socks;	  /* (pid, fd * 2 + dir) -> struct sock_pos */
	struct as_rec_tls *synth; /* a plaintext record made from decrypted bytes */
	uint64_t synth_calls;
};

/* Where a socket direction's chunked syscall stands, to see lost chunks. */
struct sock_pos {
	uint64_t call_id;
	uint32_t next_off, total;
	bool in_call;
};

static void logf_(struct as_engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(struct as_engine *e, const char *fmt, ...)
{
	if (!e->sink.on_log)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->sink.on_log(e->sink.ctx, msg);
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static char *dup_s(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int ppid_of(struct as_engine *e, int pid)
{
	uintptr_t v = (uintptr_t)as_hmap_get(&e->ppid, (uint64_t)pid);
	return v ? (int)(v - 1) : 0;
}

static void set_ppid(struct as_engine *e, int pid, int ppid)
{
	/* The map holds ppid + 1 in the pointer itself (never NULL), so a
	 * process costs no allocation; ppid_of() undoes it. */
	if (pid > 0 && ppid >= 0)
		as_hmap_put(&e->ppid, (uint64_t)pid,
			    (void *)(uintptr_t)(ppid + 1)); // NOLINT(performance-no-int-to-ptr)
}

/* Sends an event and frees what it owns. */
static void emit(struct as_engine *e, struct as_event *ev)
{
	ev->id = ++e->next_id;
	e->stats.events++;
	if (e->sink.on_event)
		e->sink.on_event(e->sink.ctx, ev);
	as_event_clear(ev);
}

static void init_event(struct as_engine *e, struct as_event *ev, enum as_event_kind kind,
		       const struct as_rec_hdr *h)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ts_ns = h->ts_ns;
	ev->pid = (int)h->pid;
	ev->tid = (int)h->tid;
	ev->ppid = ppid_of(e, ev->pid);
	memcpy(ev->comm, h->comm, sizeof(ev->comm));
	ev->comm[sizeof(ev->comm) - 1] = 0;
}

/* ---- write bursts ----------------------------------------------------------- */

static void flush_write(struct as_engine *e, uint64_t key)
{
	struct write_burst *w = as_hmap_del(&e->writes, key);
	if (!w)
		return;
	struct as_event ev = {0};
	ev.kind = AS_EV_FILE_WRITE;
	ev.ts_ns = w->first_ns;
	ev.pid = w->pid;
	ev.tid = w->tid;
	ev.ppid = w->ppid;
	memcpy(ev.comm, w->comm, sizeof(ev.comm));
	ev.u.file.path = w->path; /* the event takes it */
	ev.u.file.path_resolved = w->resolved;
	ev.u.file.bytes = w->bytes;
	ev.u.file.writes = w->writes;
	ev.u.file.ret = (int64_t)w->bytes;
	free(w);
	emit(e, &ev);
}

static void flush_writes_where(struct as_engine *e, int pid, uint64_t idle_before_ns)
{
	uint64_t keys[256];
	for (;;) {
		size_t n = 0, pos = 0;
		uint64_t k;
		void *v;
		while (n < 256 && as_hmap_next(&e->writes, &pos, &k, &v)) {
			struct write_burst *w = v;
			if ((pid && w->pid == pid) || (!pid && w->last_ns < idle_before_ns))
				keys[n++] = k;
		}
		if (!n)
			return;
		for (size_t i = 0; i < n; i++)
			flush_write(e, keys[i]);
	}
}

static void on_write(struct as_engine *e, const struct as_rec_file *r, size_t size)
{
	uint64_t key = as_hmap_key2((uint32_t)r->h.pid, r->fd);
	struct write_burst *w = as_hmap_get(&e->writes, key);
	if (w && r->first_write) {
		flush_write(e, key); /* the fd now names another file */
		w = NULL;
	}
	if (!w) {
		w = calloc(1, sizeof(*w));
		if (!w)
			return;
		w->pid = (int)r->h.pid;
		w->tid = (int)r->h.tid;
		w->ppid = ppid_of(e, w->pid);
		memcpy(w->comm, r->h.comm, sizeof(w->comm));
		w->fd = r->fd;
		w->first_ns = r->h.ts_ns;
		size_t off = offsetof(struct as_rec_file, path);
		if (r->path_len > 1 && size >= off + r->path_len) {
			w->path = dup_n(r->path, strnlen(r->path, r->path_len));
			w->resolved = r->path_abs & 1;
		} else {
			char fdname[32];
			snprintf(fdname, sizeof(fdname), "fd:%u", r->fd);
			w->path = strdup(fdname);
		}
		if (as_hmap_put(&e->writes, key, w) == w) {
			free(w->path);
			free(w);
			return;
		}
	}
	w->last_ns = r->h.ts_ns;
	w->bytes += r->bytes;
	w->writes++;
}

/* ---- process, file and network records --------------------------------------- */

static void parse_argv(struct as_event_exec *x, const char *blob, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += blob[i] == 0;
	if (len && blob[len - 1] != 0)
		n++;
	x->argv = calloc(n + 1, sizeof(char *));
	if (!x->argv)
		return;
	size_t start = 0;
	for (size_t i = 0; i <= len && x->argc < n; i++) {
		if (i == len || blob[i] == 0) {
			if (i > start || i < len)
				x->argv[x->argc++] = dup_n(blob + start, i - start);
			start = i + 1;
		}
	}
}

static bool rec_fits(const struct as_rec_hdr *h, size_t size, size_t need)
{
	return size >= need && h->size <= size;
}

/* A read-only open of a file that belongs to the system, not to the work. */
static bool system_read(const struct as_rec_file *r)
{
	static const char *const prefixes[] = {
		"/usr/", "/lib/", "/lib64/", "/lib32/", "/proc/", "/sys/", "/dev/", "/etc/ld.so.",
	};
	if ((r->flags & O_ACCMODE) != O_RDONLY || (r->flags & O_CREAT))
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(r->path, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

static void on_file(struct as_engine *e, const struct as_rec_file *r, size_t size,
		    enum as_event_kind kind)
{
	if (kind == AS_EV_FILE_OPEN && r->ret >= 0)
		flush_write(e, as_hmap_key2(r->h.pid, (uint32_t)r->ret)); /* fd reused */
	if (kind == AS_EV_FILE_OPEN && !e->cfg.all_opens && r->path_len &&
	    size >= offsetof(struct as_rec_file, path) + r->path_len &&
	    memchr(r->path, 0, r->path_len) && system_read(r)) {
		e->stats.opens_filtered++;
		return;
	}
	struct as_event ev;
	init_event(e, &ev, kind, &r->h);
	size_t off = offsetof(struct as_rec_file, path);
	if (r->path_len && size >= off + (r->path_len < AS_PATH_MAX ? r->path_len : AS_PATH_MAX))
		ev.u.file.path = dup_n(r->path, strnlen(r->path, r->path_len));
	if (r->path2_len > 1 && size >= sizeof(*r))
		ev.u.file.path2 = dup_n(r->path2, strnlen(r->path2, r->path2_len));
	ev.u.file.path_resolved = r->path_abs & 1;
	ev.u.file.ret = r->ret;
	ev.u.file.flags = r->flags;
	emit(e, &ev);
}

static void on_net(struct as_engine *e, const struct as_rec_net *r, enum as_event_kind kind)
{
	struct as_event ev;
	init_event(e, &ev, kind, &r->h);
	ev.u.net.family = r->family;
	ev.u.net.port = r->port;
	ev.u.net.ret = r->ret;
	if (r->family == AF_INET)
		inet_ntop(AF_INET, r->addr, ev.u.net.addr, sizeof(ev.u.net.addr));
	else if (r->family == AF_INET6)
		inet_ntop(AF_INET6, r->addr, ev.u.net.addr, sizeof(ev.u.net.addr));
	else if (r->family == AF_UNIX)
		snprintf(ev.u.net.addr, sizeof(ev.u.net.addr), "%.*s",
			 (int)strnlen(r->unix_path, sizeof(r->unix_path)), r->unix_path);
	emit(e, &ev);
}

static void close_conns_of(struct as_engine *e, int pid);
static void forget_socks(struct as_engine *e, uint32_t pid);

static void on_proc(struct as_engine *e, const struct as_rec_hdr *h, size_t size)
{
	struct as_event ev;
	switch (h->type) {
	case AS_REC_FORK: {
		const struct as_rec_fork *r = (const void *)h;
		if (!rec_fits(h, size, sizeof(*r)))
			goto bad;
		set_ppid(e, (int)r->child_pid, (int)r->parent_pid);
		init_event(e, &ev, AS_EV_FORK, h);
		ev.u.fork.child_pid = (int)r->child_pid;
		emit(e, &ev);
		return;
	}
	case AS_REC_EXEC: {
		const struct as_rec_exec *r = (const void *)h;
		size_t fixed = offsetof(struct as_rec_exec, argv);
		if (!rec_fits(h, size, fixed) || r->argv_len > AS_ARGV_MAX ||
		    size < fixed + r->argv_len)
			goto bad;
		set_ppid(e, (int)r->h.pid, (int)r->ppid);
		init_event(e, &ev, AS_EV_EXEC, h);
		ev.u.exec.filename = dup_n(r->filename, strnlen(r->filename, sizeof(r->filename)));
		parse_argv(&ev.u.exec, r->argv, r->argv_len);
		ev.u.exec.argv_truncated = r->argv_truncated;
		ev.u.exec.uid = r->uid;
		emit(e, &ev);
		return;
	}
	case AS_REC_EXIT: {
		const struct as_rec_exit *r = (const void *)h;
		if (!rec_fits(h, size, sizeof(*r)))
			goto bad;
		flush_writes_where(e, (int)h->pid, 0);
		close_conns_of(e, (int)h->pid);
		forget_socks(e, h->pid);
		init_event(e, &ev, AS_EV_EXIT, h);
		ev.ppid = (int)r->ppid;
		ev.u.exit.code = r->exit_code;
		ev.u.exit.signal = (int)r->signal;
		ev.u.exit.duration_ns = r->duration_ns;
		emit(e, &ev);
		as_hmap_del(&e->ppid, h->pid);
		return;
	}
	default:
		break;
	}
bad:
	e->stats.bad_records++;
}

/* ---- HTTP messages to events ------------------------------------------------- */

static void pending_free(struct pending *p)
{
	free(p->method);
	free(p->target);
	free(p->host);
	buf_free(&p->req_body);
	buf_free(&p->resp_body);
	as_sse_free(p->sse);
	as_llm_stream_free(p->llm_stream);
	if (p->ex) {
		as_llm_exchange_clear(p->ex);
		free(p->ex);
	}
	free(p);
}

/* Turns a finished (or abandoned) request/response into an event. */
static void finish_pending(struct conn *c, struct pending *p, bool truncated)
{
	struct as_engine *e = c->engine;
	if (p->sse) {
		as_sse_finish(p->sse);
		as_sse_free(p->sse);
		p->sse = NULL;
	}
	if (p->llm_stream) {
		as_llm_stream_finish(p->llm_stream, truncated);
		as_llm_stream_free(p->llm_stream);
		p->llm_stream = NULL;
	} else if (p->ex && p->resp_started) {
		char err[256];
		if (as_llm_parse_response(p->ex, p->status, (const char *)p->resp_body.data,
					  p->resp_body.len, err, sizeof(err)) != 0)
			logf_(e, "pid %d: LLM response not read: %s", c->pid, err);
	}
	e->stats.body_bytes_dropped += p->req_body.dropped + p->resp_body.dropped;

	if (!p->ex && !e->cfg.http_events) {
		pending_free(p);
		return;
	}
	struct as_event ev = {0};
	ev.kind = p->ex ? AS_EV_LLM : AS_EV_HTTP;
	ev.ts_ns = e->now_ns;
	ev.pid = c->pid;
	ev.tid = c->tid;
	ev.ppid = ppid_of(e, c->pid);
	memcpy(ev.comm, c->comm, sizeof(ev.comm));
	ev.http.method = p->method;
	ev.http.host = p->host;
	ev.http.path = p->target;
	p->method = p->host = p->target = NULL;
	ev.http.status = p->status;
	ev.http.version = p->version;
	ev.http.request_bytes = p->req_bytes;
	ev.http.response_bytes = p->resp_bytes;
	ev.http.conn = c->ptr;
	ev.http.request_ts_ns = p->req_end_ns;
	ev.http.truncated = truncated || !p->resp_started;
	if (p->ex) {
		if (!p->ex->http_status)
			p->ex->http_status = p->status;
		ev.llm = p->ex;
		p->ex = NULL;
		e->stats.llm_exchanges++;
	}
	pending_free(p);
	emit(e, &ev);
}

static void unlink_pending(struct conn *c, struct pending *p)
{
	for (struct pending **pp = &c->queue; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			return;
		}
}

static struct pending *find_by_stream(struct conn *c, uint32_t stream_id)
{
	for (struct pending *p = c->queue; p; p = p->next)
		if (p->stream_id == stream_id)
			return p;
	return NULL;
}

/* The request a response belongs to: HTTP/2 by stream, HTTP/1.1 the oldest
 * one not yet answered. */
static struct pending *match_response(struct conn *c, uint32_t stream_id)
{
	if (c->proto == PROTO_H2)
		return find_by_stream(c, stream_id);
	for (struct pending *p = c->queue; p; p = p->next)
		if (!p->resp_started)
			return p;
	return NULL;
}

static void on_sse_event(void *ctx, const struct as_sse_event *sev)
{
	struct pending *p = ctx;
	if (p->llm_stream)
		as_llm_stream_event(p->llm_stream,
				    strcmp(sev->type, "message") == 0 ? NULL : sev->type, sev->data,
				    sev->data_len);
}

/* What the parsers bounded or could not decode, for the stats line. */
static void count_body(struct as_engine *e, const struct as_http_body_stats *stats)
{
	if (!stats)
		return;
	e->stats.body_bytes_dropped += stats->dropped_bytes;
	if (stats->decode_failed)
		e->stats.decode_failures++;
}

static void req_head(void *ctx, uint32_t stream_id, const struct as_http_head *head)
{
	struct conn *c = ctx;
	struct pending *p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->engine = c->engine;
	p->stream_id = stream_id;
	p->method = dup_s(head->method);
	p->target = dup_s(head->target);
	p->host = dup_s(head->authority);
	p->version = head->version;
	p->api = as_llm_api_detect(head->method, head->target, head->authority);
	struct pending **tail = &c->queue;
	while (*tail)
		tail = &(*tail)->next;
	*tail = p;
	if (c->proto == PROTO_H1) {
		int resp_dir = c->server ? AS_TLS_DIR_WRITE : AS_TLS_DIR_READ;
		if (c->h1[resp_dir])
			as_http1_expect_response(c->h1[resp_dir], head->method);
	}
}

static struct pending *request_of(struct conn *c, uint32_t stream_id)
{
	if (c->proto == PROTO_H2)
		return find_by_stream(c, stream_id);
	/* HTTP/1.1: the newest request is the one whose body is arriving. */
	struct pending *last = NULL;
	for (struct pending *p = c->queue; p; p = p->next)
		last = p;
	return last && !last->req_done ? last : NULL;
}

static void req_body(void *ctx, uint32_t stream_id, const uint8_t *data, size_t len)
{
	struct conn *c = ctx;
	struct pending *p = request_of(c, stream_id);
	if (!p)
		return;
	p->req_bytes += len;
	/* Only LLM bodies are kept: others are counted. */
	if (p->api != AS_LLM_API_UNKNOWN)
		buf_append(&p->req_body, data, len, c->engine->cfg.max_body_bytes);
}

static void req_end(void *ctx, uint32_t stream_id, enum as_http_end how,
		    const struct as_http_body_stats *stats)
{
	(void)how;
	struct conn *c = ctx;
	count_body(c->engine, stats);
	struct pending *p = request_of(c, stream_id);
	if (!p)
		return;
	p->req_done = true;
	p->req_end_ns = c->engine->now_ns;
	if (p->api == AS_LLM_API_UNKNOWN)
		return;
	p->ex = calloc(1, sizeof(*p->ex));
	if (!p->ex)
		return;
	if (p->req_body.data)
		as_redact_text((char *)p->req_body.data, p->req_body.len);
	char err[256];
	if (as_llm_parse_request(p->ex, p->api, (const char *)p->req_body.data, p->req_body.len,
				 err, sizeof(err)) != 0)
		logf_(c->engine, "pid %d: LLM request to %s not read: %s", c->pid,
		      p->target ? p->target : "?", err);
	buf_free(&p->req_body);
}

static void http_error(void *ctx, uint32_t stream_id, const char *msg)
{
	struct conn *c = ctx;
	c->engine->stats.http_errors++;
	logf_(c->engine, "pid %d conn %#llx stream %u: %s", c->pid, (unsigned long long)c->ptr,
	      stream_id, msg);
}

static void resp_head(void *ctx, uint32_t stream_id, const struct as_http_head *head)
{
	struct conn *c = ctx;
	if (head->status >= 100 && head->status < 200)
		return; /* interim: the real response follows */
	struct pending *p = match_response(c, stream_id);
	if (!p) {
		/* A response to a request the capture did not see. */
		p = calloc(1, sizeof(*p));
		if (!p)
			return;
		p->engine = c->engine;
		p->stream_id = stream_id;
		p->req_done = true;
		p->next = c->queue;
		c->queue = p;
	}
	p->resp_started = true;
	p->status = head->status;
	if (!p->version)
		p->version = head->version;
	if (p->ex) {
		p->ex->http_status = head->status;
		if (head->content_type && strstr(head->content_type, "text/event-stream")) {
			p->sse = as_sse_new(SSE_MAX_EVENT, on_sse_event, p);
			p->llm_stream = as_llm_stream_new(p->ex);
		}
	}
}

static struct pending *response_in_progress(struct conn *c, uint32_t stream_id);

static void resp_body(void *ctx, uint32_t stream_id, const uint8_t *data, size_t len)
{
	struct conn *c = ctx;
	struct pending *p = response_in_progress(c, stream_id);
	if (!p)
		return;
	p->resp_bytes += len;
	if (p->sse)
		as_sse_feed(p->sse, data, len);
	else if (p->ex)
		buf_append(&p->resp_body, data, len, c->engine->cfg.max_body_bytes);
}

/* The response being received: HTTP/2 by stream; HTTP/1.1 the oldest request
 * whose response has started (responses come in request order). */
static struct pending *response_in_progress(struct conn *c, uint32_t stream_id)
{
	if (c->proto == PROTO_H2)
		return find_by_stream(c, stream_id);
	for (struct pending *q = c->queue; q; q = q->next)
		if (q->resp_started)
			return q;
	return NULL;
}

static void resp_end(void *ctx, uint32_t stream_id, enum as_http_end how,
		     const struct as_http_body_stats *stats)
{
	struct conn *c = ctx;
	count_body(c->engine, stats);
	struct pending *p = response_in_progress(c, stream_id);
	if (!p || !p->resp_started)
		return;
	unlink_pending(c, p);
	finish_pending(c, p, how != AS_HTTP_END_COMPLETE);
}

static const struct as_http_sink request_sink = {
	.on_head = req_head,
	.on_body = req_body,
	.on_end = req_end,
	.on_error = http_error,
};

static const struct as_http_sink response_sink = {
	.on_head = resp_head,
	.on_body = resp_body,
	.on_end = resp_end,
	.on_error = http_error,
};

/* ---- TLS connections ---------------------------------------------------------- */

static uint64_t conn_key(uint32_t pid, uint64_t ptr)
{
	return as_hmap_key2(pid, (uint32_t)(ptr ^ (ptr >> 32)));
}

static void conn_free(struct conn *c)
{
	for (int d = 0; d < 2; d++) {
		as_http1_free(c->h1[d]);
		buf_free(&c->dir[d].hold);
	}
	as_http2_free(c->h2);
	while (c->queue) {
		struct pending *p = c->queue;
		c->queue = p->next;
		pending_free(p);
	}
	free(c);
}

/* Ends a connection: parsers close (open messages end truncated), requests
 * never answered become events too. */
static void conn_close(struct as_engine *e, struct conn *c)
{
	as_hmap_del(&e->conns, conn_key((uint32_t)c->pid, c->ptr));
	for (int d = 0; d < 2; d++)
		if (c->h1[d])
			as_http1_close(c->h1[d]);
	if (c->h2)
		as_http2_close(c->h2);
	while (c->queue) {
		struct pending *p = c->queue;
		c->queue = p->next;
		if (p->req_done || p->resp_started)
			finish_pending(c, p, true);
		else
			pending_free(p);
	}
	conn_free(c);
}

static void close_conns_of(struct as_engine *e, int pid)
{
	for (;;) {
		struct conn *found = NULL;
		size_t pos = 0;
		uint64_t k;
		void *v;
		while (as_hmap_next(&e->conns, &pos, &k, &v)) {
			if (((struct conn *)v)->pid == pid) {
				found = v;
				break;
			}
		}
		if (!found)
			return;
		conn_close(e, found);
	}
}

static struct conn *conn_get(struct as_engine *e, const struct as_rec_hdr *h, uint64_t ptr,
			     uint8_t lib, bool create)
{
	uint64_t key = conn_key(h->pid, ptr);
	struct conn *c = as_hmap_get(&e->conns, key);
	if (c && c->ptr != ptr) {
		/* Two pointers folded to one key: the older connection ends. */
		conn_close(e, c);
		c = NULL;
	}
	if (c || !create)
		return c;
	if (e->conns.len >= e->cfg.max_connections) {
		e->stats.connections_dropped++;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->engine = e;
	c->pid = (int)h->pid;
	c->tid = (int)h->tid;
	memcpy(c->comm, h->comm, sizeof(c->comm));
	c->ptr = ptr;
	c->lib = lib;
	if (as_hmap_put(&e->conns, key, c) == c) {
		free(c);
		return NULL;
	}
	e->stats.connections++;
	return c;
}

static void feed_parser(struct conn *c, int dir, const uint8_t *data, size_t len)
{
	if (c->proto == PROTO_H1 && c->h1[dir])
		as_http1_feed(c->h1[dir], data, len);
	else if (c->proto == PROTO_H2 && c->h2)
		as_http2_feed(c->h2, (dir == AS_TLS_DIR_WRITE) != c->server, data, len);
}

static void gap_parser(struct conn *c, int dir, uint64_t n)
{
	c->engine->stats.tls_bytes_lost += n;
	if (c->proto == PROTO_H1 && c->h1[dir])
		as_http1_gap(c->h1[dir], n);
	else if (c->proto == PROTO_H2 && c->h2)
		as_http2_gap(c->h2, (dir == AS_TLS_DIR_WRITE) != c->server, n);
}

/* Picks the protocol from the first bytes either side sent; false while more
 * bytes are needed. */
static bool decide_proto(struct conn *c)
{
	struct as_engine *e = c->engine;
	for (int d = 0; d < 2; d++) {
		struct buf *b = &c->dir[d].hold;
		if (!b->len)
			continue;
		enum as_http_kind k = as_http_detect(b->data, b->len);
		if (k == AS_HTTP_KIND_NEED_MORE && b->len < DETECT_BYTES)
			return false;
		bool request = k == AS_HTTP_KIND_H1_REQUEST || k == AS_HTTP_KIND_H2_PREFACE;
		if (k == AS_HTTP_KIND_H1_REQUEST || k == AS_HTTP_KIND_H1_RESPONSE) {
			c->proto = PROTO_H1;
			/* Requests flow on the side that sent one. */
			c->server = request == (d == AS_TLS_DIR_READ);
		} else if (k == AS_HTTP_KIND_H2_PREFACE || k == AS_HTTP_KIND_H2_SETTINGS) {
			c->proto = PROTO_H2;
			c->server = request == (d == AS_TLS_DIR_READ);
		} else {
			c->proto = PROTO_OTHER;
		}
		break;
	}
	if (c->proto == PROTO_UNKNOWN)
		return false;
	struct as_http_limits limits = {.max_body_bytes = e->cfg.max_body_bytes};
	int req_dir = c->server ? AS_TLS_DIR_READ : AS_TLS_DIR_WRITE;
	struct as_http_sink rs = request_sink, ps = response_sink;
	rs.ctx = ps.ctx = c;
	if (c->proto == PROTO_H1) {
		c->h1[req_dir] = as_http1_new(&limits, &rs);
		c->h1[!req_dir] = as_http1_new(&limits, &ps);
	} else if (c->proto == PROTO_H2) {
		c->h2 = as_http2_new(&limits, &rs, &ps);
	}
	/* Replay what was held, requests first so responses find them. */
	for (int i = 0; i < 2; i++) {
		int d = i == 0 ? req_dir : !req_dir;
		struct buf *b = &c->dir[d].hold;
		if (c->proto == PROTO_OTHER)
			e->stats.non_http_bytes += b->len;
		else if (b->len)
			feed_parser(c, d, b->data, b->len);
		buf_free(b);
	}
	return true;
}

static void on_tls_data(struct as_engine *e, const struct as_rec_tls *r, size_t size)
{
	size_t fixed = offsetof(struct as_rec_tls, data);
	if (!rec_fits(&r->h, size, fixed) || r->len > AS_TLS_CHUNK || size < fixed + r->len ||
	    r->dir > 1) {
		e->stats.bad_records++;
		return;
	}
	struct conn *c = conn_get(e, &r->h, r->conn, r->lib, true);
	if (!c)
		return;
	c->tid = (int)r->h.tid;
	e->stats.tls_bytes += r->len;
	int d = r->dir;
	struct direction *dir = &c->dir[d];

	/* Reassembly: a new call, or the next chunk of the current one. */
	if (!dir->in_call || dir->call_id != r->call_id) {
		if (dir->in_call && dir->next_off < dir->total)
			gap_parser(c, d, dir->total - dir->next_off);
		dir->in_call = true;
		dir->call_id = r->call_id;
		dir->next_off = 0;
		dir->total = r->total_len;
	}
	if (r->offset > dir->next_off)
		gap_parser(c, d, r->offset - dir->next_off);
	if (r->offset < dir->next_off) {
		/* A chunk from before where we are: out of order, drop it. */
		e->stats.bad_records++;
		return;
	}
	const uint8_t *data = r->data;
	size_t len = r->len;
	if (r->flags & AS_TLS_READ_FAULT) {
		gap_parser(c, d, len);
		len = 0;
	}
	if (c->proto == PROTO_UNKNOWN) {
		buf_append(&dir->hold, data, len, HOLD_MAX);
		if (!decide_proto(c) && dir->hold.len >= HOLD_MAX) {
			c->proto = PROTO_OTHER;
			e->stats.non_http_bytes += dir->hold.len;
			buf_free(&dir->hold);
		}
	} else if (c->proto == PROTO_OTHER) {
		e->stats.non_http_bytes += len;
	} else {
		feed_parser(c, d, data, len);
	}
	dir->next_off = r->offset + r->len;
	if (r->flags & AS_TLS_LAST_CHUNK) {
		if (r->lost)
			gap_parser(c, d, r->lost);
		dir->in_call = false;
	}
}

static void on_tls_event(struct as_engine *e, const struct as_rec_tls_event *r, size_t size)
{
	if (!rec_fits(&r->h, size, sizeof(*r))) {
		e->stats.bad_records++;
		return;
	}
	struct conn *c = conn_get(e, &r->h, r->conn, r->lib, false);
	/* A handshake starts a connection; the pointer may have served an
	 * earlier one whose end the capture missed. Either way, end the old. */
	if (c && (r->h.type == AS_REC_TLS_CLOSE || c->proto != PROTO_UNKNOWN))
		conn_close(e, c);
}

/* ---- keys mode: decrypted socket bytes ----------------------------------------- */

/* The connection of a socket in keys mode: its fd, marked apart from the
 * SSL pointers of the probes. */
#define SOCK_CONN(fd) ((uint64_t)(fd) | (1ULL << 63))

static void on_plain(void *ctx, const struct as_rec_hdr *origin, uint32_t fd, int dir,
		     const uint8_t *data, size_t len)
{
	struct as_engine *e = ctx;
	struct as_rec_tls *r = e->synth;
	while (len) {
		size_t n = len < AS_TLS_CHUNK ? len : AS_TLS_CHUNK;
		r->h = *origin;
		r->h.type = AS_REC_TLS_DATA;
		r->h.size = (uint32_t)(offsetof(struct as_rec_tls, data) + n);
		r->conn = SOCK_CONN(fd);
		r->call_id = ++e->synth_calls;
		r->total_len = (uint32_t)n;
		r->offset = 0;
		r->len = (uint32_t)n;
		r->lost = 0;
		r->dir = (uint8_t)dir;
		r->lib = AS_TLS_LIB_SOCKET;
		r->flags = AS_TLS_LAST_CHUNK;
		memcpy(r->data, data, n);
		on_tls_data(e, r, r->h.size);
		data += n;
		len -= n;
	}
}

static void on_sock_reset(void *ctx, const struct as_rec_hdr *origin, uint32_t fd)
{
	struct as_engine *e = ctx;
	struct conn *c = conn_get(e, origin, SOCK_CONN(fd), AS_TLS_LIB_SOCKET, false);
	if (c)
		conn_close(e, c);
}

static bool tlsdec_ready(struct as_engine *e)
{
	if (e->tlsdec)
		return true;
	e->synth = malloc(sizeof(*e->synth));
	struct as_tlsdec_sink sink = {.plain = on_plain, .reset = on_sock_reset, .ctx = e};
	e->tlsdec = e->synth ? as_tlsdec_new(&sink) : NULL;
	if (!e->tlsdec) {
		free(e->synth);
		e->synth = NULL;
	}
	return e->tlsdec != NULL;
}

/* Ciphertext through a socket, chunked like plaintext records are. */
static void on_sock_data(struct as_engine *e, const struct as_rec_tls *r, size_t size)
{
	size_t fixed = offsetof(struct as_rec_tls, data);
	if (!rec_fits(&r->h, size, fixed) || r->len > AS_TLS_CHUNK || size < fixed + r->len ||
	    r->dir > 1 || r->conn > INT32_MAX) {
		e->stats.bad_records++;
		return;
	}
	if (!tlsdec_ready(e))
		return;
	uint32_t fd = (uint32_t)r->conn;
	uint64_t key = as_hmap_key2(r->h.pid, fd * 2 + r->dir);
	struct sock_pos *sp = as_hmap_get(&e->socks, key);
	if (!sp) {
		sp = calloc(1, sizeof(*sp));
		if (!sp || as_hmap_put(&e->socks, key, sp) == sp) {
			free(sp);
			return;
		}
	}
	bool gap = false;
	if (!sp->in_call || sp->call_id != r->call_id) {
		gap = sp->in_call && sp->next_off < sp->total; /* the last call's tail */
		sp->in_call = true;
		sp->call_id = r->call_id;
		sp->next_off = 0;
		sp->total = r->total_len;
	}
	if (r->offset != sp->next_off || (r->flags & AS_TLS_READ_FAULT))
		gap = true;
	if (gap) {
		e->stats.tls_bytes_lost += r->offset > sp->next_off ? r->offset - sp->next_off : 0;
		as_tlsdec_gap(e->tlsdec, r->h.pid, fd, r->dir);
	}
	if (!(r->flags & AS_TLS_READ_FAULT))
		as_tlsdec_bytes(e->tlsdec, &r->h, fd, r->dir, r->data, r->len);
	sp->next_off = r->offset + r->len;
	if (r->flags & AS_TLS_LAST_CHUNK) {
		sp->in_call = false;
		if (r->lost) {
			e->stats.tls_bytes_lost += r->lost;
			as_tlsdec_gap(e->tlsdec, r->h.pid, fd, r->dir);
		}
	}
}

static void on_tls_key(struct as_engine *e, const struct as_rec_tls_key *k, size_t size)
{
	if (!rec_fits(&k->h, size, sizeof(*k))) {
		e->stats.bad_records++;
		return;
	}
	if (tlsdec_ready(e))
		as_tlsdec_key(e->tlsdec, k);
}

/* A process is gone: its sockets' positions and its secrets go too. */
static void forget_socks(struct as_engine *e, uint32_t pid)
{
	if (!e->tlsdec)
		return;
	as_tlsdec_forget(e->tlsdec, pid);
	for (;;) {
		size_t pos = 0;
		uint64_t k;
		void *v;
		bool found = false;
		while (as_hmap_next(&e->socks, &pos, &k, &v)) {
			if ((uint32_t)(k >> 32) == pid) {
				free(as_hmap_del(&e->socks, k));
				found = true;
				break;
			}
		}
		if (!found)
			return;
	}
}

/* ---- the engine --------------------------------------------------------------- */

struct as_engine *as_engine_new(const struct as_engine_cfg *cfg, const struct as_engine_sink *sink)
{
	struct as_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (cfg)
		e->cfg = *cfg;
	if (!e->cfg.max_body_bytes)
		e->cfg.max_body_bytes = DEFAULT_MAX_BODY;
	if (!e->cfg.write_idle_ns)
		e->cfg.write_idle_ns = DEFAULT_WRITE_IDLE_NS;
	if (!e->cfg.max_connections)
		e->cfg.max_connections = DEFAULT_MAX_CONNS;
	if (sink)
		e->sink = *sink;
	return e;
}

void as_engine_record(struct as_engine *e, const struct as_rec_hdr *h, size_t size)
{
	e->stats.records++;
	if (size < sizeof(*h) || h->size > size || h->size < sizeof(*h)) {
		e->stats.bad_records++;
		return;
	}
	size = h->size;
	if (h->ts_ns > e->now_ns)
		e->now_ns = h->ts_ns;
	switch (h->type) {
	case AS_REC_TLS_DATA:
		on_tls_data(e, (const void *)h, size);
		break;
	case AS_REC_TLS_HANDSHAKE:
	case AS_REC_TLS_CLOSE:
		on_tls_event(e, (const void *)h, size);
		break;
	case AS_REC_SOCK_DATA:
		on_sock_data(e, (const void *)h, size);
		break;
	case AS_REC_TLS_KEY:
		on_tls_key(e, (const void *)h, size);
		break;
	case AS_REC_FORK:
	case AS_REC_EXEC:
	case AS_REC_EXIT:
		on_proc(e, h, size);
		break;
	case AS_REC_FILE_OPEN:
	case AS_REC_FILE_UNLINK:
	case AS_REC_FILE_RENAME:
	case AS_REC_FILE_WRITE: {
		const struct as_rec_file *r = (const void *)h;
		if (!rec_fits(h, size, offsetof(struct as_rec_file, path))) {
			e->stats.bad_records++;
			break;
		}
		if (h->type == AS_REC_FILE_WRITE)
			on_write(e, r, size);
		else
			on_file(e, r, size,
				h->type == AS_REC_FILE_OPEN	? AS_EV_FILE_OPEN
				: h->type == AS_REC_FILE_UNLINK ? AS_EV_FILE_UNLINK
								: AS_EV_FILE_RENAME);
		break;
	}
	case AS_REC_NET_CONNECT:
	case AS_REC_NET_ACCEPT:
	case AS_REC_NET_BIND: {
		const struct as_rec_net *r = (const void *)h;
		if (!rec_fits(h, size, sizeof(*r))) {
			e->stats.bad_records++;
			break;
		}
		on_net(e, r,
		       h->type == AS_REC_NET_CONNECT  ? AS_EV_NET_CONNECT
		       : h->type == AS_REC_NET_ACCEPT ? AS_EV_NET_ACCEPT
						      : AS_EV_NET_BIND);
		break;
	}
	default:
		e->stats.bad_records++;
		break;
	}
}

void as_engine_tick(struct as_engine *e, uint64_t now_ns)
{
	if (now_ns > e->now_ns)
		e->now_ns = now_ns;
	if (e->now_ns > e->cfg.write_idle_ns)
		flush_writes_where(e, 0, e->now_ns - e->cfg.write_idle_ns);
}

void as_engine_finish(struct as_engine *e)
{
	for (;;) {
		size_t pos = 0;
		uint64_t k;
		void *v;
		if (!as_hmap_next(&e->conns, &pos, &k, &v))
			break;
		conn_close(e, v);
	}
	flush_writes_where(e, 0, UINT64_MAX);
}

void as_engine_get_stats(const struct as_engine *e, struct as_engine_stats *st)
{
	*st = e->stats;
	if (e->tlsdec) {
		struct as_tlsdec_stats ts;
		as_tlsdec_get_stats(e->tlsdec, &ts);
		st->tls_keys = ts.keys;
		st->tls_records_decrypted = ts.records;
		st->tls_decrypt_failures = ts.failures + ts.undecryptable + ts.gaps;
		st->tls_bytes_lost += ts.pending_dropped;
	}
}

void as_engine_free(struct as_engine *e)
{
	if (!e)
		return;
	size_t pos = 0;
	uint64_t k;
	void *v;
	while (as_hmap_next(&e->conns, &pos, &k, &v))
		conn_free(v);
	pos = 0;
	while (as_hmap_next(&e->writes, &pos, &k, &v)) {
		free(((struct write_burst *)v)->path);
		free(v);
	}
	pos = 0;
	while (as_hmap_next(&e->socks, &pos, &k, &v))
		free(v);
	as_hmap_free(&e->socks);
	as_tlsdec_free(e->tlsdec);
	free(e->synth);
	as_hmap_free(&e->conns);
	as_hmap_free(&e->writes);
	as_hmap_free(&e->ppid);
	free(e);
}
