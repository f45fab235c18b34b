/* mockllm: a local HTTPS server that plays an LLM API from a scenario file,
 * for AgentSight's end-to-end tests.
 *
 *   mockllm --port 0 --cert C --key K --scenario FILE [--port-file F] [--log F]
 *           [--delay-ms N] [--bind ADDR]
 *
 * It listens on 127.0.0.1 (libmicrohttpd, HTTPS through GnuTLS, one thread per
 * connection so that keep-alive connections are served as clients send),
 * answers POST /v1/chat/completions (OpenAI) and POST /v1/messages
 * (Anthropic) through mock.c, and writes one JSON line per request to the log.
 * Streamed replies go out one SSE event per write with a pause between
 * writes, so each event leaves in its own TLS record. With --port 0 the
 * kernel picks the port, which is written (atomically) to the port file once
 * the server accepts connections. SIGTERM or SIGINT stops it cleanly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "mock.h"

struct server {
	struct as_env_mock *mock;
	FILE *log;
	pthread_mutex_t lock; /* guards log and seq */
	unsigned long seq;
	long delay_ms; /* -1: the scenario's */
};

/* Per request: the body as it arrives. */
struct request {
	char *body;
	size_t len, cap;
	bool too_large;
};

/* A streamed reply being written. */
struct stream {
	struct as_env_mock_reply reply;
	size_t piece; /* next piece to write */
	size_t off;   /* bytes of it already written */
	unsigned delay_ms;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mockllm --port N --cert PEM --key PEM --scenario FILE\n"
		   "               [--port-file F] [--log F] [--delay-ms N] [--bind ADDR]\n");
}

static char *read_file(const char *path, size_t *len, size_t limit)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		if (cap >= limit) {
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		cap *= 2;
		char *p = realloc(buf, cap + 1);
		if (!p) {
			free(buf);
			buf = NULL;
		}
		buf = p;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	(void)pos;
	if (s->piece >= s->reply.n_pieces)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* Pause before each new event but the first, so that events arrive
	 * apart; this thread belongs to this connection alone. */
	if (s->off == 0 && s->piece > 0 && s->delay_ms)
		sleep_ms(s->delay_ms);
	const char *p = s->reply.pieces[s->piece];
	size_t left = strlen(p) - s->off;
	size_t n = left < max ? left : max;
	memcpy(buf, p + s->off, n);
	s->off += n;
	if (s->off == strlen(p)) {
		s->piece++;
		s->off = 0;
	}
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	as_env_mock_reply_free(&s->reply);
	free(s);
}

static void log_request(struct server *srv, struct MHD_Connection *conn, const char *method,
			const char *url, const struct request *req, const char *api,
			const struct as_env_mock_reply *reply, unsigned long seq)
{
	if (!srv->log)
		return;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	int port = -1;
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_port);
	const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	const char *ua = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
	struct timeval tv;
	gettimeofday(&tv, NULL);

	json_t *line = json_pack("{sIsfssss}", "seq", (json_int_t)seq, "time",
				 (double)tv.tv_sec + (double)tv.tv_usec / 1e6, "method", method,
				 "path", url);
	if (!line)
		return;
	json_object_set_new(line, "client_port", json_integer(port));
	json_object_set_new(line, "transfer_encoding", te ? json_string(te) : json_null());
	json_object_set_new(line, "content_length", cl ? json_string(cl) : json_null());
	json_object_set_new(line, "user_agent", ua ? json_string(ua) : json_null());
	json_object_set_new(line, "body_bytes", json_integer(req ? (json_int_t)req->len : 0));
	json_object_set_new(line, "api", api ? json_string(api) : json_null());
	if (reply) {
		json_object_set_new(line, "status", json_integer(reply->status));
		json_object_set_new(line, "stream", json_boolean(reply->stream));
		json_object_set_new(line, "include_usage", json_boolean(reply->include_usage));
		json_object_set_new(line, "turn", json_integer(reply->conv_turn));
		json_object_set_new(line, "matched", json_integer(reply->matched));
		json_object_set_new(line, "pieces", json_integer((json_int_t)reply->n_pieces));
		if (reply->problem[0])
			json_object_set_new(line, "problem", json_string(reply->problem));
		json_object_set(line, "body", reply->request ? reply->request : json_null());
	}
	char *s = json_dumps(line, JSON_COMPACT);
	json_decref(line);
	if (!s)
		return;
	pthread_mutex_lock(&srv->lock);
	fprintf(srv->log, "%s\n", s);
	fflush(srv->log);
	pthread_mutex_unlock(&srv->lock);
	free(s);
}

static enum MHD_Result queue_pieces(struct MHD_Connection *conn, struct as_env_mock_reply *reply,
				    unsigned delay_ms)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (reply->stream && reply->status == 200) {
		struct stream *s = calloc(1, sizeof(*s));
		if (!s)
			return MHD_NO;
		s->reply = *reply;
		memset(reply, 0, sizeof(*reply));
		s->delay_ms = delay_ms;
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s,
							 stream_free);
		if (!resp) {
			stream_free(s);
			return MHD_NO;
		}
		MHD_add_response_header(resp, "Cache-Control", "no-cache");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
		ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
		MHD_destroy_response(resp);
		return ret;
	}
	const char *body = reply->n_pieces ? reply->pieces[0] : "";
	resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				reply->content_type ? reply->content_type : "application/json");
	ret = MHD_queue_response(conn, (unsigned)reply->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct request *req = *con_cls;
	(void)version;

	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (req->too_large || req->len + n > AS_ENV_MOCK_MAX_BODY) {
			req->too_large = true;
			return MHD_YES;
		}
		if (req->len + n + 1 > req->cap) {
			size_t cap = req->cap ? req->cap : 4096;
			while (cap < req->len + n + 1)
				cap *= 2;
			char *p = realloc(req->body, cap);
			if (!p)
				return MHD_NO;
			req->body = p;
			req->cap = cap;
		}
		memcpy(req->body + req->len, upload_data, n);
		req->len += n;
		req->body[req->len] = '\0';
		return MHD_YES;
	}

	/* The whole request is here. */
	pthread_mutex_lock(&srv->lock);
	unsigned long seq = ++srv->seq;
	pthread_mutex_unlock(&srv->lock);

	enum as_env_api api;
	const char *api_name = NULL;
	struct as_env_mock_reply reply;
	memset(&reply, 0, sizeof(reply));
	int rc;
	if (!strcmp(url, AS_ENV_PATH_OPENAI)) {
		api = AS_ENV_API_OPENAI;
		api_name = "openai";
	} else if (!strcmp(url, AS_ENV_PATH_ANTHROPIC)) {
		api = AS_ENV_API_ANTHROPIC;
		api_name = "anthropic";
	} else {
		rc = as_env_mock_error_reply(AS_ENV_API_OPENAI, 404, "no such path", &reply);
		goto answer;
	}
	if (strcmp(method, "POST") != 0) {
		rc = as_env_mock_error_reply(api, 405, "only POST is served", &reply);
		goto answer;
	}
	if (req->too_large) {
		rc = as_env_mock_error_reply(api, 413, "request body is too large", &reply);
		goto answer;
	}
	rc = as_env_mock_respond(srv->mock, api, req->body ? req->body : "", req->len, seq, &reply);
answer:
	if (rc) {
		as_env_mock_reply_free(&reply);
		return MHD_NO;
	}
	log_request(srv, conn, method, url, req, api_name, &reply, seq);
	unsigned delay =
		srv->delay_ms >= 0 ? (unsigned)srv->delay_ms : as_env_mock_delay_ms(srv->mock);
	enum MHD_Result ret = queue_pieces(conn, &reply, delay);
	as_env_mock_reply_free(&reply);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct request *req = *con_cls;
	(void)cls;
	(void)conn;
	(void)toe;
	if (req) {
		free(req->body);
		free(req);
		*con_cls = NULL;
	}
}

static int write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%u\n", port);
	if (fclose(f))
		return -1;
	return rename(tmp, path);
}

int main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *scenario = NULL, *port_file = NULL, *log = NULL;
	const char *bind_addr = "127.0.0.1";
	long port = -1;
	struct server srv = {.delay_ms = -1};
	char err[512];
	int status = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			fprintf(stderr, "mockllm: %s needs a value\n", a);
			usage(stderr);
			return 2;
		}
		i++;
		char *end;
		if (!strcmp(a, "--port")) {
			port = strtol(v, &end, 10);
			if (*end || port < 0 || port > 65535) {
				fprintf(stderr, "mockllm: bad --port %s\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--delay-ms")) {
			srv.delay_ms = strtol(v, &end, 10);
			if (*end || srv.delay_ms < 0 || srv.delay_ms > 10000) {
				fprintf(stderr, "mockllm: bad --delay-ms %s\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--cert")) {
			cert = v;
		} else if (!strcmp(a, "--key")) {
			key = v;
		} else if (!strcmp(a, "--scenario")) {
			scenario = v;
		} else if (!strcmp(a, "--port-file")) {
			port_file = v;
		} else if (!strcmp(a, "--log")) {
			log = v;
		} else if (!strcmp(a, "--bind")) {
			bind_addr = v;
		} else {
			fprintf(stderr, "mockllm: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (port < 0 || !cert || !key || !scenario) {
		usage(stderr);
		return 2;
	}

	size_t len;
	char *text = read_file(scenario, &len, 16u << 20);
	if (!text) {
		fprintf(stderr, "mockllm: cannot read scenario %s: %s\n", scenario,
			strerror(errno));
		return 1;
	}
	int rc = as_env_mock_load(text, len, scenario, &srv.mock, err, sizeof(err));
	free(text);
	if (rc) {
		fprintf(stderr, "mockllm: %s\n", err);
		return 1;
	}
	char *cert_pem = read_file(cert, &len, 1u << 20);
	char *key_pem = read_file(key, &len, 1u << 20);
	if (!cert_pem || !key_pem) {
		fprintf(stderr, "mockllm: cannot read %s: %s\n", cert_pem ? key : cert,
			strerror(errno));
		goto out;
	}
	if (log) {
		srv.log = fopen(log, "a");
		if (!srv.log) {
			fprintf(stderr, "mockllm: cannot open log %s: %s\n", log, strerror(errno));
			goto out;
		}
	}
	pthread_mutex_init(&srv.lock, NULL);

	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "mockllm: bad --bind %s (an IPv4 address)\n", bind_addr);
		goto out;
	}

	/* Signals go to the thread that waits for them, not to MHD's threads,
	 * which inherit this mask. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_TLS | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			MHD_USE_ERROR_LOG,
		0, NULL, NULL, handle, &srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_HTTPS_MEM_CERT, cert_pem, MHD_OPTION_HTTPS_MEM_KEY, key_pem,
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)60, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "mockllm: cannot start the HTTPS server on %s:%ld\n", bind_addr,
			port);
		goto out;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned real_port = di ? di->port : 0;
	if (!real_port) {
		fprintf(stderr, "mockllm: cannot tell which port it listens on\n");
		MHD_stop_daemon(d);
		goto out;
	}
	fprintf(stderr, "mockllm: listening on https://%s:%u (scenario %s)\n", bind_addr, real_port,
		scenario);
	if (port_file && write_port_file(port_file, real_port)) {
		fprintf(stderr, "mockllm: cannot write port file %s: %s\n", port_file,
			strerror(errno));
		MHD_stop_daemon(d);
		goto out;
	}

	int sig = 0;
	while (sigwait(&sigs, &sig))
		;
	fprintf(stderr, "mockllm: signal %d, stopping\n", sig);
	MHD_stop_daemon(d);
	status = 0;
out:
	if (srv.log)
		fclose(srv.log);
	free(cert_pem);
	free(key_pem);
	as_env_mock_free(srv.mock);
	return status;
}
