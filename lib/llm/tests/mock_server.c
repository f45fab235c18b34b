/* mock_server: the local OpenAI/Anthropic stand-in the llm tests talk to.
 * See mock_server.h for what it does; the checks follow the two APIs' public
 * references (required headers and body fields, allowed roles).
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mock_server.h"

#define MOCK_MAX_REQUESTS 128
#define MOCK_MAX_SCRIPT	  128
#define MOCK_MAX_BODY	  (1u << 20)

struct mock_server {
	struct MHD_Daemon *daemon;
	char url[64];
	char key[600];
	atomic_bool stopping;
	pthread_mutex_t lock;
	struct mock_reply script[MOCK_MAX_SCRIPT];
	size_t n_script, next;
	struct mock_request reqs[MOCK_MAX_REQUESTS];
	size_t n_reqs;
};

/* Per-request state while the body arrives. */
struct upload {
	char *body;
	size_t len;
	bool too_big;
};

/* Feeds an SSE body in chunks. */
struct feeder {
	const char *body;
	size_t len;
	size_t chunk;
	bool drop;
};

static void copy_header(struct MHD_Connection *conn, const char *name, char *dst, size_t n)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
	snprintf(dst, n, "%s", v ? v : "");
}

static void check_messages(const json_t *msgs, bool anthropic, char *problem, size_t n)
{
	if (!json_is_array(msgs) || json_array_size(msgs) == 0) {
		snprintf(problem, n, "messages: must be a non-empty array");
		return;
	}
	size_t i;
	const json_t *m;
	json_array_foreach(msgs, i, m)
	{
		const char *role = json_string_value(json_object_get(m, "role"));
		const json_t *content = json_object_get(m, "content");
		bool role_ok =
			role && (strcmp(role, "user") == 0 || strcmp(role, "assistant") == 0 ||
				 (!anthropic &&
				  (strcmp(role, "system") == 0 || strcmp(role, "tool") == 0)));
		if (!role_ok) {
			snprintf(problem, n, "messages.%zu.role: unexpected role %s", i,
				 role ? role : "(none)");
			return;
		}
		bool content_ok = json_is_string(content) ||
				  (anthropic && json_is_array(content)) ||
				  (!anthropic && json_is_null(content) &&
				   json_is_array(json_object_get(m, "tool_calls")));
		if (!content_ok) {
			snprintf(problem, n, "messages.%zu.content: missing or of the wrong type",
				 i);
			return;
		}
	}
}

/* The checks the real API makes that matter to the client under test. */
static void check_request(struct mock_server *m, struct mock_request *r)
{
	bool anthropic = strcmp(r->path, "/v1/messages") == 0;
	bool openai = strcmp(r->path, "/v1/chat/completions") == 0;
	char want[640];
	if (!anthropic && !openai) {
		snprintf(r->problem, sizeof(r->problem), "unknown path %s", r->path);
		return;
	}
	if (strncmp(r->content_type, "application/json", 16) != 0) {
		snprintf(r->problem, sizeof(r->problem), "content-type is not application/json");
		return;
	}
	if (openai) {
		snprintf(want, sizeof(want), "Bearer %s", m->key);
		if (strcmp(r->authorization, want) != 0) {
			snprintf(r->problem, sizeof(r->problem), "bad Authorization header");
			return;
		}
	} else {
		if (strcmp(r->x_api_key, m->key) != 0) {
			snprintf(r->problem, sizeof(r->problem), "bad x-api-key header");
			return;
		}
		if (strcmp(r->anthropic_version, "2023-06-01") != 0) {
			snprintf(r->problem, sizeof(r->problem),
				 "anthropic-version: missing or wrong");
			return;
		}
	}
	if (!json_is_object(r->json)) {
		snprintf(r->problem, sizeof(r->problem), "the body is not a JSON object");
		return;
	}
	const char *model = json_string_value(json_object_get(r->json, "model"));
	if (!model || !model[0]) {
		snprintf(r->problem, sizeof(r->problem), "model: Field required");
		return;
	}
	check_messages(json_object_get(r->json, "messages"), anthropic, r->problem,
		       sizeof(r->problem));
	if (r->problem[0])
		return;
	const json_t *stream = json_object_get(r->json, "stream");
	if (stream && !json_is_boolean(stream)) {
		snprintf(r->problem, sizeof(r->problem), "stream: must be a boolean");
		return;
	}
	if (anthropic) {
		const json_t *mt = json_object_get(r->json, "max_tokens");
		if (!json_is_integer(mt) || json_integer_value(mt) < 1) {
			snprintf(r->problem, sizeof(r->problem), "max_tokens: Field required");
			return;
		}
		const json_t *sys = json_object_get(r->json, "system");
		if (sys && !json_is_string(sys))
			snprintf(r->problem, sizeof(r->problem), "system: must be a string");
	} else if (json_is_true(stream)) {
		const json_t *so = json_object_get(r->json, "stream_options");
		if (!json_is_true(json_object_get(so, "include_usage")))
			snprintf(r->problem, sizeof(r->problem),
				 "stream_options.include_usage is not true");
	}
}

static ssize_t feed(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct feeder *f = cls;
	if (pos >= f->len)
		return f->drop ? MHD_CONTENT_READER_END_WITH_ERROR
			       : MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = f->len - (size_t)pos;
	if (n > f->chunk)
		n = f->chunk;
	if (n > max)
		n = max;
	memcpy(buf, f->body + pos, n);
	/* A short pause so that chunks tend to reach the client one by one. */
	struct timespec ts = {0, 200000};
	nanosleep(&ts, NULL);
	return (ssize_t)n;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, const char *body,
				 const char *ctype, const char *retry_after)
{
	/* MUST_COPY: MHD copies and never writes, but its parameter is not const. */
	char *copy = strdup(body);
	if (!copy)
		return MHD_NO;
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(strlen(copy), copy, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", ctype ? ctype : "application/json");
	if (retry_after)
		MHD_add_response_header(resp, "Retry-After", retry_after);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply(struct mock_server *m, struct MHD_Connection *conn,
			     const struct mock_request *r)
{
	if (r->problem[0]) {
		char body[512];
		bool anthropic = strcmp(r->path, "/v1/messages") == 0;
		json_t *e = anthropic ? json_pack("{s:s, s:{s:s, s:s}}", "type", "error", "error",
						  "type", "invalid_request_error", "message",
						  r->problem)
				      : json_pack("{s:{s:s, s:s}}", "error", "message", r->problem,
						  "type", "invalid_request_error");
		char *text = json_dumps(e, JSON_COMPACT);
		snprintf(body, sizeof(body), "%s", text ? text : "{}");
		free(text);
		json_decref(e);
		return send_json(conn, 400, body, NULL, NULL);
	}
	pthread_mutex_lock(&m->lock);
	struct mock_reply rep = {.kind = MOCK_JSON,
				 .status = 599,
				 .body = "{\"error\":{\"message\":\"mock script exhausted\"}}"};
	if (m->next < m->n_script)
		rep = m->script[m->next++];
	pthread_mutex_unlock(&m->lock);

	switch (rep.kind) {
	case MOCK_HANG:
		while (!atomic_load(&m->stopping)) {
			struct timespec ts = {0, 10000000};
			nanosleep(&ts, NULL);
		}
		return MHD_NO;
	case MOCK_SSE:
	case MOCK_DROP: {
		struct feeder *f = calloc(1, sizeof(*f));
		if (!f)
			return MHD_NO;
		f->body = rep.body;
		f->len = strlen(rep.body);
		f->chunk = rep.chunk_size ? rep.chunk_size : 5;
		f->drop = rep.kind == MOCK_DROP;
		struct MHD_Response *resp =
			MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, feed, f, free);
		MHD_add_response_header(resp, "Content-Type",
					rep.content_type ? rep.content_type : "text/event-stream");
		MHD_add_response_header(resp, "Cache-Control", "no-cache");
		enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
		MHD_destroy_response(resp);
		return ret;
	}
	case MOCK_JSON:
	default:
		return send_json(conn, rep.status ? rep.status : 200, rep.body, rep.content_type,
				 rep.retry_after);
	}
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct mock_server *m = cls;
	struct upload *up = *con_cls;
	if (!up) {
		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		*con_cls = up;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (up->len + *upload_data_size > MOCK_MAX_BODY) {
			up->too_big = true;
		} else {
			char *b = realloc(up->body, up->len + *upload_data_size + 1);
			if (!b)
				return MHD_NO;
			memcpy(b + up->len, upload_data, *upload_data_size);
			up->body = b;
			up->len += *upload_data_size;
			up->body[up->len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}

	struct mock_request r = {0};
	snprintf(r.path, sizeof(r.path), "%s", url);
	copy_header(conn, "Authorization", r.authorization, sizeof(r.authorization));
	copy_header(conn, "x-api-key", r.x_api_key, sizeof(r.x_api_key));
	copy_header(conn, "anthropic-version", r.anthropic_version, sizeof(r.anthropic_version));
	copy_header(conn, "Content-Type", r.content_type, sizeof(r.content_type));
	copy_header(conn, "Accept", r.accept, sizeof(r.accept));
	r.body = strdup(up->body ? up->body : "");
	r.json = up->body ? json_loads(up->body, 0, NULL) : NULL;
	if (strcmp(method, "POST") != 0)
		snprintf(r.problem, sizeof(r.problem), "method %s is not POST", method);
	else if (up->too_big)
		snprintf(r.problem, sizeof(r.problem), "the body is too large");
	else
		check_request(m, &r);

	pthread_mutex_lock(&m->lock);
	struct mock_request *slot = NULL;
	if (m->n_reqs < MOCK_MAX_REQUESTS) {
		slot = &m->reqs[m->n_reqs++];
		*slot = r;
	}
	pthread_mutex_unlock(&m->lock);
	if (!slot) {
		free(r.body);
		json_decref(r.json);
		snprintf(r.problem, sizeof(r.problem), "too many requests for the mock");
	}
	return reply(m, conn, &r);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct upload *up = *con_cls;
	if (up) {
		free(up->body);
		free(up);
		*con_cls = NULL;
	}
}

int mock_start(struct mock_server **out, const char *expected_key)
{
	struct mock_server *m = calloc(1, sizeof(*m));
	if (!m)
		return -1;
	snprintf(m->key, sizeof(m->key), "%s", expected_key);
	pthread_mutex_init(&m->lock, NULL);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	m->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
		handle, m, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_NOTIFY_COMPLETED, completed, m, MHD_OPTION_END);
	if (!m->daemon) {
		pthread_mutex_destroy(&m->lock);
		free(m);
		return -1;
	}
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(m->daemon, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(m->url, sizeof(m->url), "http://127.0.0.1:%u", info ? info->port : 0);
	*out = m;
	return 0;
}

const char *mock_url(const struct mock_server *m)
{
	return m->url;
}

void mock_script(struct mock_server *m, const struct mock_reply *replies, size_t n)
{
	pthread_mutex_lock(&m->lock);
	if (n > MOCK_MAX_SCRIPT)
		n = MOCK_MAX_SCRIPT;
	if (n)
		memcpy(m->script, replies, n * sizeof(*replies));
	m->n_script = n;
	m->next = 0;
	pthread_mutex_unlock(&m->lock);
}

size_t mock_pending(struct mock_server *m)
{
	pthread_mutex_lock(&m->lock);
	size_t n = m->n_script - m->next;
	pthread_mutex_unlock(&m->lock);
	return n;
}

size_t mock_count(struct mock_server *m)
{
	pthread_mutex_lock(&m->lock);
	size_t n = m->n_reqs;
	pthread_mutex_unlock(&m->lock);
	return n;
}

const struct mock_request *mock_request(struct mock_server *m, size_t i)
{
	pthread_mutex_lock(&m->lock);
	const struct mock_request *r = i < m->n_reqs ? &m->reqs[i] : NULL;
	pthread_mutex_unlock(&m->lock);
	return r;
}

void mock_reset(struct mock_server *m)
{
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n_reqs; i++) {
		free(m->reqs[i].body);
		json_decref(m->reqs[i].json);
	}
	m->n_reqs = 0;
	pthread_mutex_unlock(&m->lock);
}

void mock_stop(struct mock_server *m)
{
	if (!m)
		return;
	atomic_store(&m->stopping, true);
	MHD_stop_daemon(m->daemon);
	mock_reset(m);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
