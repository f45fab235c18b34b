/* engine_test: the engine fed hand-built kernel records, as the capture
 * would deliver them, checked against what those records say.
 *
 * The HTTP and SSE bytes in these records follow the documented wire formats
 * of the OpenAI chat-completions API (streamed and whole); the expected reply
 * text, tool calls and token counts are the ones written into them here.
 */
#include "engine.h"
#include "testkit.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <zlib.h>

#define MAX_EVENTS 64

struct seen {
	json_t *events[MAX_EVENTS];
	int n;
};

static void on_event(void *ctx, const struct as_event *ev)
{
	struct seen *s = ctx;
	if (s->n < MAX_EVENTS)
		s->events[s->n++] = as_event_to_json(ev, 0);
}

static void seen_clear(struct seen *s)
{
	for (int i = 0; i < s->n; i++)
		json_decref(s->events[i]);
	s->n = 0;
}

static json_t *find_kind(struct seen *s, const char *kind, int nth)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(json_string_value(json_object_get(s->events[i], "kind")), kind) == 0 &&
		    nth-- == 0)
			return s->events[i];
	return NULL;
}

static uint64_t clock_ns = 1000000000ull;
static uint64_t next_call = 1;

static void hdr(struct as_rec_hdr *h, uint32_t type, uint32_t size, int pid, const char *comm)
{
	h->type = type;
	h->size = size;
	h->ts_ns = (clock_ns += 1000000);
	h->pid = pid;
	h->tid = pid;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
}

/* One SSL_read or SSL_write of len bytes, delivered in chunks of `chunk`;
 * `lose` chunk index (or -1) is dropped as the ring buffer would. */
static void tls_call(struct as_engine *e, int pid, uint64_t conn, int dir, const void *data,
		     size_t len, size_t chunk, int lose)
{
	uint64_t call = next_call++;
	size_t nchunks = (len + chunk - 1) / chunk;
	for (size_t i = 0; i < nchunks; i++) {
		size_t off = i * chunk, n = len - off < chunk ? len - off : chunk;
		size_t size = offsetof(struct as_rec_tls, data) + n;
		struct as_rec_tls *r = calloc(1, sizeof(*r)); /* whole: only size is sent */
		hdr(&r->h, AS_REC_TLS_DATA, (uint32_t)size, pid, "agent");
		r->conn = conn;
		r->call_id = call;
		r->total_len = (uint32_t)len;
		r->offset = (uint32_t)off;
		r->len = (uint32_t)n;
		r->dir = (uint8_t)dir;
		r->lib = AS_TLS_LIB_OPENSSL;
		r->flags = i + 1 == nchunks ? AS_TLS_LAST_CHUNK : 0;
		memcpy(r->data, (const char *)data + off, n);
		if ((int)i != lose)
			as_engine_record(e, &r->h, size);
		free(r);
	}
}

static void tls_str(struct as_engine *e, int pid, uint64_t conn, int dir, const char *s,
		    size_t chunk)
{
	tls_call(e, pid, conn, dir, s, strlen(s), chunk, -1);
}

static void tls_close(struct as_engine *e, int pid, uint64_t conn)
{
	struct as_rec_tls_event r = {0};
	hdr(&r.h, AS_REC_TLS_CLOSE, sizeof(r), pid, "agent");
	r.conn = conn;
	as_engine_record(e, &r.h, sizeof(r));
}

static const char *REQ_BODY =
	"{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
	"\"messages\":[{\"role\":\"system\",\"content\":\"You are a shell agent.\"},"
	"{\"role\":\"user\",\"content\":\"Create notes.txt; my key is "
	"sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD\"}],"
	"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"run_command\"}}]}";

static char *request(const char *body, const char *path)
{
	char *r;
	if (asprintf(&r,
		     "POST %s HTTP/1.1\r\nHost: api.example.test\r\n"
		     "Authorization: Bearer sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD\r\n"
		     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		     path, strlen(body), body) < 0)
		abort();
	return r;
}

/* An SSE response, chunk-encoded, with a tool call split over deltas. */
static char *sse_response(void)
{
	const char *events[] = {
		"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":"
		"\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
		"\"content\":\"I will \"}}]}\n\n",
		"data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
		"\"write it.\"}}]}\n\n",
		"data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
		"[{\"index\":0,\"id\":\"call_7\",\"type\":\"function\",\"function\":{\"name\":"
		"\"run_command\",\"arguments\":\"{\\\"command\\\": \\\"echo hi \"}}]}}]}\n\n",
		"data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
		"[{\"index\":0,\"function\":{\"arguments\":\"> notes.txt\\\"}\"}}]}}]}\n\n",
		"data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{},"
		"\"finish_reason\":\"tool_calls\"}]}\n\n",
		"data: {\"id\":\"chatcmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":57,"
		"\"completion_tokens\":21,\"total_tokens\":78}}\n\n",
		"data: [DONE]\n\n",
	};
	size_t cap = 8192, len = 0;
	char *out = malloc(cap);
	len += (size_t)snprintf(out, cap,
				"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
				"Transfer-Encoding: chunked\r\n\r\n");
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		len += (size_t)snprintf(out + len, cap - len, "%zx\r\n%s\r\n", strlen(events[i]),
					events[i]);
	snprintf(out + len, cap - len, "0\r\n\r\n");
	return out;
}

static const char *reply_text(json_t *ev)
{
	return json_string_value(
		json_object_get(json_object_get(json_object_get(ev, "exchange"), "reply"), "text"));
}

static void test_streamed_llm_call(void)
{
	struct seen s = {0};
	struct as_engine_sink sink = {.ctx = &s, .on_event = on_event};
	struct as_engine *e = as_engine_new(NULL, &sink);
	char *req = request(REQ_BODY, "/v1/chat/completions");
	char *resp = sse_response();

	/* The request in two SSL_write calls, the response in many small reads
	 * whose pieces cut through chunk sizes, SSE lines and JSON. */
	size_t rl = strlen(req);
	tls_call(e, 100, 0xabc, AS_TLS_DIR_WRITE, req, rl / 3, 64, -1);
	tls_call(e, 100, 0xabc, AS_TLS_DIR_WRITE, req + rl / 3, rl - rl / 3, 100, -1);
	size_t pl = strlen(resp);
	for (size_t off = 0; off < pl; off += 37)
		tls_call(e, 100, 0xabc, AS_TLS_DIR_READ, resp + off, pl - off < 37 ? pl - off : 37,
			 16, -1);
	uint64_t last_ts = clock_ns;

	json_t *ev = find_kind(&s, "llm", 0);
	TK_REQUIRE(ev != NULL, "no llm event after a complete streamed response (%d events)", s.n);
	json_t *x = json_object_get(ev, "exchange");
	TK_CHECK(strcmp(json_string_value(json_object_get(x, "model")), "gpt-4o") == 0, "model %s",
		 json_string_value(json_object_get(x, "model")));
	TK_CHECK(json_is_true(json_object_get(x, "stream")), "stream flag lost");
	TK_CHECK(reply_text(ev) && strcmp(reply_text(ev), "I will write it.") == 0,
		 "reply text '%s'", reply_text(ev));
	json_t *calls = json_object_get(json_object_get(x, "reply"), "tool_calls");
	TK_CHECK(json_array_size(calls) == 1, "%zu tool calls", json_array_size(calls));
	json_t *call = json_array_get(calls, 0);
	TK_CHECK(call && strcmp(json_string_value(json_object_get(call, "name")), "run_command") ==
				 0,
		 "tool name");
	const char *args = json_string_value(json_object_get(call, "arguments"));
	TK_CHECK(args && strcmp(args, "{\"command\": \"echo hi > notes.txt\"}") == 0,
		 "arguments '%s'", args);
	json_t *usage = json_object_get(x, "usage");
	TK_CHECK(json_integer_value(json_object_get(usage, "input")) == 57 &&
			 json_integer_value(json_object_get(usage, "output")) == 21,
		 "usage in/out %lld/%lld", json_integer_value(json_object_get(usage, "input")),
		 json_integer_value(json_object_get(usage, "output")));
	TK_CHECK(json_is_true(json_object_get(x, "complete")), "exchange not complete");
	json_t *http = json_object_get(ev, "http");
	TK_CHECK(strcmp(json_string_value(json_object_get(http, "method")), "POST") == 0 &&
			 strcmp(json_string_value(json_object_get(http, "host")),
				"api.example.test") == 0 &&
			 json_integer_value(json_object_get(http, "status")) == 200,
		 "http fields");
	TK_CHECK((uint64_t)json_integer_value(json_object_get(ev, "mono_ns")) == last_ts,
		 "the event is not stamped with the response's end");
	TK_CHECK(json_integer_value(json_object_get(ev, "pid")) == 100, "pid");

	/* No secret survives: not from the body, and headers are never kept. */
	char *dump = json_dumps(ev, 0);
	TK_CHECK(dump && !strstr(dump, "abcdefghijklmnopqrstuvwxyz0123456789"),
		 "the API key reached the event: %s", dump);
	free(dump);

	as_engine_finish(e);
	TK_CHECK(s.n == 1, "%d events, want the one llm event", s.n);
	struct as_engine_stats st;
	as_engine_get_stats(e, &st);
	TK_CHECK(st.llm_exchanges == 1 && st.tls_bytes_lost == 0 && st.http_errors == 0,
		 "stats: %llu exchanges, %llu lost, %llu errors",
		 (unsigned long long)st.llm_exchanges, (unsigned long long)st.tls_bytes_lost,
		 (unsigned long long)st.http_errors);
	as_engine_free(e);
	seen_clear(&s);
	free(req);
	free(resp);
}

/* A whole JSON response, gzip-encoded, on a keep-alive connection that then
 * carries a second request, and a non-LLM request before them. */
static void test_gzip_keepalive(void)
{
	struct seen s = {0};
	struct as_engine_cfg cfg = {.http_events = true};
	struct as_engine_sink sink = {.ctx = &s, .on_event = on_event};
	struct as_engine *e = as_engine_new(&cfg, &sink);

	tls_str(e, 7, 1, AS_TLS_DIR_WRITE, "GET /index.html HTTP/1.1\r\nHost: docs.test\r\n\r\n",
		512);
	tls_str(e, 7, 1, AS_TLS_DIR_READ,
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/html\r\n\r\nhello",
		512);

	const char *json = "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"model\":\"m\","
			   "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
			   "\"content\":\"Done: 42\"},\"finish_reason\":\"stop\"}],"
			   "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}";
	uint8_t gz[1024] = {0};
	z_stream z = {0};
	deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)json;
	z.avail_in = (uInt)strlen(json);
	z.next_out = gz;
	z.avail_out = sizeof(gz);
	deflate(&z, Z_FINISH);
	size_t gzlen = sizeof(gz) - z.avail_out;
	deflateEnd(&z);

	for (int round = 0; round < 2; round++) {
		char *req = request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
				    "\"add\"}]}",
				    "/v1/chat/completions");
		tls_str(e, 7, 1, AS_TLS_DIR_WRITE, req, 1000);
		free(req);
		char head[256];
		int hl = snprintf(head, sizeof(head),
				  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				  "Content-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
				  gzlen);
		uint8_t msg[2048];
		memcpy(msg, head, (size_t)hl);
		memcpy(msg + hl, gz, gzlen);
		tls_call(e, 7, 1, AS_TLS_DIR_READ, msg, (size_t)hl + gzlen, 10, -1);
	}
	TK_CHECK(find_kind(&s, "http", 0) != NULL, "the non-LLM request gave no http event");
	for (int i = 0; i < 2; i++) {
		json_t *ev = find_kind(&s, "llm", i);
		TK_CHECK(ev && reply_text(ev) && strcmp(reply_text(ev), "Done: 42") == 0,
			 "llm event %d: reply '%s'", i, ev ? reply_text(ev) : "(none)");
	}
	as_engine_free(e);
	seen_clear(&s);
}

/* Lost chunks, a process that exits mid-response, and garbage. */
static void test_losses_and_garbage(void)
{
	struct seen s = {0};
	struct as_engine_sink sink = {.ctx = &s, .on_event = on_event};
	struct as_engine *e = as_engine_new(NULL, &sink);
	char *req = request(REQ_BODY, "/v1/chat/completions");
	char *resp = sse_response();

	tls_str(e, 300, 9, AS_TLS_DIR_WRITE, req, 4096);
	/* Half the response, with one chunk lost on the way. */
	tls_call(e, 300, 9, AS_TLS_DIR_READ, resp, strlen(resp) / 2, 32, 3);
	struct as_rec_exit x = {0};
	hdr(&x.h, AS_REC_EXIT, sizeof(x), 300, "agent");
	x.exit_code = 1;
	as_engine_record(e, &x.h, sizeof(x));

	json_t *ev = find_kind(&s, "llm", 0);
	TK_REQUIRE(ev != NULL, "no llm event for a response cut by the process's exit");
	TK_CHECK(json_is_true(json_object_get(json_object_get(ev, "http"), "truncated")),
		 "not marked truncated");
	TK_CHECK(!json_is_true(json_object_get(json_object_get(ev, "exchange"), "complete")),
		 "a cut response is marked complete");
	TK_CHECK(find_kind(&s, "exit", 0) != NULL, "no exit event");
	struct as_engine_stats st;
	as_engine_get_stats(e, &st);
	TK_CHECK(st.tls_bytes_lost == 32, "lost %llu bytes, want one 32-byte chunk",
		 (unsigned long long)st.tls_bytes_lost);

	/* Binary garbage on another connection: counted, nothing emitted. */
	uint8_t junk[3000];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	int before = s.n;
	tls_call(e, 301, 10, AS_TLS_DIR_WRITE, junk, sizeof(junk), 1000, -1);
	tls_call(e, 301, 10, AS_TLS_DIR_READ, junk, sizeof(junk), 1000, -1);
	as_engine_finish(e);
	as_engine_get_stats(e, &st);
	TK_CHECK(s.n == before, "garbage produced %d events", s.n - before);
	TK_CHECK(st.non_http_bytes == 2 * sizeof(junk), "non-HTTP bytes %llu",
		 (unsigned long long)st.non_http_bytes);

	/* Records too short for their type, or lying about their size. */
	struct as_rec_hdr h;
	hdr(&h, AS_REC_EXEC, sizeof(h), 5, "x");
	as_engine_record(e, &h, sizeof(h));
	hdr(&h, AS_REC_TLS_DATA, 4096, 5, "x");
	as_engine_record(e, &h, sizeof(h));
	hdr(&h, 999, sizeof(h), 5, "x");
	as_engine_record(e, &h, sizeof(h));
	uint64_t bad = st.bad_records;
	as_engine_get_stats(e, &st);
	TK_CHECK(st.bad_records == bad + 3, "bad records %llu, want %llu",
		 (unsigned long long)st.bad_records, (unsigned long long)bad + 3);
	as_engine_free(e);
	seen_clear(&s);
	free(req);
	free(resp);
}

/* Process, file and network records. */
static void test_system_events(void)
{
	struct seen s = {0};
	struct as_engine_sink sink = {.ctx = &s, .on_event = on_event};
	struct as_engine *e = as_engine_new(NULL, &sink);

	struct as_rec_fork f = {0};
	hdr(&f.h, AS_REC_FORK, sizeof(f), 500, "agent");
	f.parent_pid = 500;
	f.child_pid = 501;
	as_engine_record(e, &f.h, sizeof(f));

	static const char argv[] = "/bin/sh\0-c\0echo hi > notes.txt";
	size_t esize = offsetof(struct as_rec_exec, argv) + sizeof(argv);
	struct as_rec_exec *x = calloc(1, sizeof(*x));
	hdr(&x->h, AS_REC_EXEC, (uint32_t)esize, 501, "sh");
	x->ppid = 500;
	snprintf(x->filename, sizeof(x->filename), "/bin/sh");
	x->filename_len = 8;
	memcpy(x->argv, argv, sizeof(argv));
	x->argv_len = sizeof(argv);
	as_engine_record(e, &x->h, esize);
	free(x);

	/* Three writes to one file make one event with the total. */
	for (int i = 0; i < 3; i++) {
		struct as_rec_file *w = calloc(1, sizeof(*w));
		const char *path = "/tmp/work/notes.txt";
		w->first_write = i == 0;
		w->path_len = i == 0 ? (uint16_t)(strlen(path) + 1) : 0;
		if (i == 0)
			memcpy(w->path, path, w->path_len);
		w->path_abs = i == 0;
		size_t wsize = offsetof(struct as_rec_file, path) + w->path_len;
		hdr(&w->h, AS_REC_FILE_WRITE, (uint32_t)wsize, 501, "sh");
		w->fd = 3;
		w->bytes = 100 + i;
		as_engine_record(e, &w->h, wsize);
		free(w);
	}
	TK_CHECK(find_kind(&s, "file_write", 0) == NULL, "a write burst was sent before it ended");

	struct as_rec_net n = {0};
	hdr(&n.h, AS_REC_NET_CONNECT, sizeof(n), 501, "sh");
	n.family = AF_INET;
	n.port = 443;
	inet_pton(AF_INET, "127.0.0.1", n.addr);
	as_engine_record(e, &n.h, sizeof(n));

	struct as_rec_exit ex = {0};
	hdr(&ex.h, AS_REC_EXIT, sizeof(ex), 501, "sh");
	ex.ppid = 500;
	ex.exit_code = 3;
	ex.duration_ns = 5000000;
	as_engine_record(e, &ex.h, sizeof(ex));

	json_t *exec = find_kind(&s, "exec", 0);
	TK_REQUIRE(exec != NULL, "no exec event");
	json_t *av = json_object_get(exec, "argv");
	TK_CHECK(json_array_size(av) == 3 && strcmp(json_string_value(json_array_get(av, 2)),
						    "echo hi > notes.txt") == 0,
		 "argv not split at NULs");
	TK_CHECK(json_integer_value(json_object_get(exec, "ppid")) == 500, "exec ppid");
	json_t *w = find_kind(&s, "file_write", 0);
	TK_REQUIRE(w != NULL, "the write burst was not sent at exit");
	TK_CHECK(json_integer_value(json_object_get(w, "bytes")) == 303 &&
			 json_integer_value(json_object_get(w, "writes")) == 3,
		 "write total %lld over %lld writes",
		 json_integer_value(json_object_get(w, "bytes")),
		 json_integer_value(json_object_get(w, "writes")));
	TK_CHECK(strcmp(json_string_value(json_object_get(w, "path")), "/tmp/work/notes.txt") == 0,
		 "write path");
	TK_CHECK(json_integer_value(json_object_get(w, "ppid")) == 500, "write ppid");
	json_t *c = find_kind(&s, "net_connect", 0);
	TK_CHECK(c && strcmp(json_string_value(json_object_get(c, "addr")), "127.0.0.1") == 0 &&
			 json_integer_value(json_object_get(c, "port")) == 443,
		 "connect address");
	json_t *xe = find_kind(&s, "exit", 0);
	TK_CHECK(xe && json_integer_value(json_object_get(xe, "code")) == 3, "exit code");
	/* Ids increase in the order events were sent. */
	for (int i = 1; i < s.n; i++)
		TK_CHECK(json_integer_value(json_object_get(s.events[i], "id")) >
				 json_integer_value(json_object_get(s.events[i - 1], "id")),
			 "ids not increasing");
	as_engine_free(e);
	seen_clear(&s);
}

/* A TLS close ends the connection; the same pointer then serves a new one. */
static void test_close_and_reuse(void)
{
	struct seen s = {0};
	struct as_engine_sink sink = {.ctx = &s, .on_event = on_event};
	struct as_engine *e = as_engine_new(NULL, &sink);
	char *req = request(REQ_BODY, "/v1/chat/completions");
	tls_str(e, 42, 5, AS_TLS_DIR_WRITE, req, 4096);
	tls_close(e, 42, 5);
	TK_CHECK(find_kind(&s, "llm", 0) != NULL, "a request without response was not reported");
	json_t *ev = find_kind(&s, "llm", 0);
	TK_CHECK(ev && json_integer_value(json_object_get(json_object_get(ev, "http"), "status")) ==
				 0,
		 "status of an unanswered request");
	char *resp = sse_response();
	tls_str(e, 42, 5, AS_TLS_DIR_WRITE, req, 4096);
	tls_str(e, 42, 5, AS_TLS_DIR_READ, resp, 4096);
	ev = find_kind(&s, "llm", 1);
	TK_CHECK(ev && reply_text(ev) && strcmp(reply_text(ev), "I will write it.") == 0,
		 "the reused pointer's connection was not parsed afresh");
	as_engine_free(e);
	seen_clear(&s);
	free(req);
	free(resp);
}

static long max_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A gzip bomb: 256 MiB of zeros, about 256 KiB on the wire, as an LLM
 * response. Decoding must stop at the bound, count what it dropped, and the
 * process must not grow by anything like the bomb's size. */
static void test_gzip_bomb(void)
{
	struct seen s = {0};
	struct as_engine_cfg cfg = {.max_body_bytes = 1 << 20};
	struct as_engine_sink sink = {.ctx = &s, .on_event = on_event};
	struct as_engine *e = as_engine_new(&cfg, &sink);

	z_stream z = {0};
	deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
	static uint8_t zeros[1 << 16];
	size_t cap = 1 << 20, gzlen = 0;
	uint8_t *gz = malloc(cap);
	for (int i = 0; i < 4096; i++) {
		z.next_in = zeros;
		z.avail_in = sizeof(zeros);
		do {
			z.next_out = gz + gzlen;
			z.avail_out = (uInt)(cap - gzlen);
			deflate(&z, i == 4095 ? Z_FINISH : Z_NO_FLUSH);
			gzlen = cap - z.avail_out;
		} while (z.avail_in > 0);
	}
	deflateEnd(&z);

	char *req =
		request("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			"/v1/chat/completions");
	tls_str(e, 9, 77, AS_TLS_DIR_WRITE, req, 4096);
	free(req);
	char head[256];
	int hl = snprintf(head, sizeof(head),
			  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			  "Content-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
			  gzlen);
	long rss_before = max_rss_kb();
	tls_call(e, 9, 77, AS_TLS_DIR_READ, head, (size_t)hl, 4096, -1);
	for (size_t off = 0; off < gzlen; off += 16384)
		tls_call(e, 9, 77, AS_TLS_DIR_READ, gz + off,
			 gzlen - off < 16384 ? gzlen - off : 16384, 16384, -1);
	long grown_kb = max_rss_kb() - rss_before;
	free(gz);

	json_t *ev = find_kind(&s, "llm", 0);
	TK_CHECK(ev != NULL, "no llm event for the bomb's exchange");
	struct as_engine_stats st;
	as_engine_get_stats(e, &st);
	TK_CHECK(st.body_bytes_dropped > 0 || st.decode_failures > 0,
		 "the bomb was neither cut nor refused (dropped %llu, decode failures %llu)",
		 (unsigned long long)st.body_bytes_dropped, (unsigned long long)st.decode_failures);
	TK_CHECK(grown_kb < 64L * 1024, "memory grew by %ld KiB while a 256 MiB bomb went through",
		 grown_kb);
	as_engine_free(e);
	seen_clear(&s);
}

int main(void)
{
	test_streamed_llm_call();
	test_gzip_keepalive();
	test_losses_and_garbage();
	test_system_events();
	test_close_and_reuse();
	test_gzip_bomb();
	return tk_finish();
}
