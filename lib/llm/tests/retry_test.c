/* retry_test: failures and what the client does about them.
 *
 * 429 with Retry-After then success (the delay used is the server's, as the
 * log hook reports it), 500 twice then success, 500 until retries run out,
 * 408/409 retried, 400/401/404 not retried with the API's message in the
 * error and the key redacted, a Retry-After beyond the cap, a hang past the
 * timeout, malformed JSON, truncated and dropped streams (retried only when
 * no text reached the caller), a refused connection, an oversized body, and
 * cancelling while a request hangs and while waiting to retry. The server's
 * count of requests backs every retry claim.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_common.h"

static const char ok_json[] =
	"{\"id\":\"chatcmpl-ok\",\"object\":\"chat.completion\",\"model\":\"gpt-test\","
	"\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
	"\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34}}";

static const char rate_limited[] =
	"{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\","
	"\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
static const char server_error[] =
	"{\"error\":{\"message\":\"The server had an error while processing your request.\","
	"\"type\":\"server_error\"}}";
static const char bad_request[] =
	"{\"error\":{\"message\":\"Invalid value for 'temperature': must be <= 2.\","
	"\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":null}}";
static const char echo_key[] =
	"{\"error\":{\"message\":\"Incorrect API key provided: " TEST_KEY
	". You can find your API key at https://platform.openai.com/account/api-keys.\","
	"\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}";

static const char stream_full[] =
	"data: "
	"{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" "
	"world\"},\"finish_reason\":null}]}\n\n"
	"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34}}\n\n"
	"data: [DONE]\n\n";
/* Ends cleanly, but without [DONE]. */
static const char stream_cut[] =
	"data: "
	"{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" "
	"wor\"},\"finish_reason\":null}]}\n\n";

static const struct llm_message hello[] = {{.role = LLM_ROLE_USER, .content = "Hello?"}};

struct env {
	struct mock_server *m;
	struct llm_config cfg;
	struct llm_client *c;
	struct logbook log;
	char err[768];
	struct llm_result r;
};

/* Runs one call against a script with a fresh client built from e->cfg. */
static int run(struct env *e, const struct mock_reply *script, size_t n, struct llm_request *req)
{
	llm_client_free(e->c);
	e->c = NULL;
	int rc = llm_client_new(&e->cfg, &e->c, e->err, sizeof(e->err));
	TK_CHECK(rc == LLM_OK, "client: %s", e->err);
	if (rc != LLM_OK)
		return rc;
	pthread_mutex_lock(&e->log.lock);
	e->log.n = 0;
	pthread_mutex_unlock(&e->log.lock);
	llm_client_set_log(e->c, log_line, &e->log);
	mock_reset(e->m);
	mock_script(e->m, script, n);
	llm_result_free(&e->r);
	return llm_chat(e->c, req, &e->r, e->err, sizeof(e->err));
}

static void test_retry_after(struct env *e)
{
	const struct mock_reply s[] = {
		{.kind = MOCK_JSON, .status = 429, .body = rate_limited, .retry_after = "1"},
		{.kind = MOCK_JSON, .body = ok_json}};
	struct llm_request req = {.messages = hello, .n_messages = 1};
	int rc = run(e, s, 2, &req);
	TK_CHECK(rc == LLM_OK, "429 then ok: %d %s", rc, e->err);
	TK_CHECK(e->r.attempts == 2 && mock_count(e->m) == 2, "attempts %u, server saw %zu",
		 e->r.attempts, mock_count(e->m));
	TK_CHECK(strcmp(e->r.text, "ok") == 0, "text %s", e->r.text);
	TK_CHECK(same_cost(e->r.cost_usd, 0.000546), "cost counts the successful attempt only");
	TK_CHECK(e->log.n == 1 && strstr(e->log.lines[0], "retrying in 1000 ms (Retry-After)") &&
			 strstr(e->log.lines[0], "HTTP 429"),
		 "log: %zu \"%s\"", e->log.n, e->log.lines[0]);
	/* Retry-After as an HTTP date (RFC 9110); one in the past means now. */
	const struct mock_reply dated[] = {{.kind = MOCK_JSON,
					    .status = 503,
					    .body = server_error,
					    .retry_after = "Wed, 21 Oct 2015 07:28:00 GMT"},
					   {.kind = MOCK_JSON, .body = ok_json}};
	rc = run(e, dated, 2, &req);
	TK_CHECK(rc == LLM_OK && e->r.attempts == 2, "dated Retry-After: %d %s", rc, e->err);
	TK_CHECK(e->log.n == 1 && strstr(e->log.lines[0], "retrying in 0 ms (Retry-After)"),
		 "dated log: %s", e->log.lines[0]);
	rc = run(e, s, 2, &req); /* the first script again, for the checks below */
	TK_CHECK(rc == LLM_OK, "429 then ok again: %s", e->err);

	/* Both requests were the same, and both were good. */
	const struct mock_request *a = mock_request(e->m, 0), *b = mock_request(e->m, 1);
	TK_CHECK(a && b && strcmp(a->body, b->body) == 0 && !a->problem[0] && !b->problem[0],
		 "retried request differs");
}

static void test_server_errors(struct env *e)
{
	const struct mock_reply twice[] = {{.kind = MOCK_JSON, .status = 500, .body = server_error},
					   {.kind = MOCK_JSON,
					    .status = 502,
					    .body = "<html>Bad Gateway</html>",
					    .content_type = "text/html"},
					   {.kind = MOCK_JSON, .body = ok_json}};
	struct llm_request req = {.messages = hello, .n_messages = 1};
	int rc = run(e, twice, 3, &req);
	TK_CHECK(rc == LLM_OK && e->r.attempts == 3 && mock_count(e->m) == 3,
		 "5xx twice: rc %d attempts %u", rc, e->r.attempts);
	TK_CHECK(e->log.n == 2 && strstr(e->log.lines[0], "(backoff)") &&
			 strstr(e->log.lines[1], "HTTP 502"),
		 "log %zu: %s", e->log.n, e->log.lines[0]);

	const struct mock_reply always[] = {
		{.kind = MOCK_JSON, .status = 500, .body = server_error},
		{.kind = MOCK_JSON, .status = 503, .body = server_error},
		{.kind = MOCK_JSON, .status = 500, .body = server_error},
		{.kind = MOCK_JSON, .body = ok_json}};
	rc = run(e, always, 4, &req);
	TK_CHECK(rc == LLM_ERR_HTTP && e->r.attempts == 3 && mock_pending(e->m) == 1,
		 "retries exhausted: rc %d attempts %u", rc, e->r.attempts);
	TK_CHECK(e->r.http_status == 500, "status %d", e->r.http_status);
	TK_CHECK(strstr(e->err, "HTTP 500: server_error: The server had an error") &&
			 strstr(e->err, "gave up after 3 attempts"),
		 "message: %s", e->err);

	const struct mock_reply conflict[] = {{.kind = MOCK_JSON, .status = 408, .body = "{}"},
					      {.kind = MOCK_JSON, .status = 409, .body = "{}"},
					      {.kind = MOCK_JSON, .body = ok_json}};
	rc = run(e, conflict, 3, &req);
	TK_CHECK(rc == LLM_OK && e->r.attempts == 3, "408/409 retried: rc %d attempts %u", rc,
		 e->r.attempts);
}

static void test_client_errors(struct env *e)
{
	struct llm_request req = {.messages = hello, .n_messages = 1};
	const struct mock_reply bad[] = {{.kind = MOCK_JSON, .status = 400, .body = bad_request},
					 {.kind = MOCK_JSON, .body = ok_json}};
	int rc = run(e, bad, 2, &req);
	TK_CHECK(rc == LLM_ERR_HTTP && e->r.attempts == 1 && mock_pending(e->m) == 1,
		 "400 retried: rc %d attempts %u", rc, e->r.attempts);
	TK_CHECK(strstr(e->err, "HTTP 400: invalid_request_error: Invalid value for "
				"'temperature': must be <= 2.") != NULL,
		 "400 message: %s", e->err);
	TK_CHECK(strstr(e->err, "/v1/chat/completions") != NULL, "endpoint not named: %s", e->err);
	TK_CHECK(e->log.n == 0, "a retry was logged");

	/* A server that echoes the key in its message. */
	const struct mock_reply unauth[] = {{.kind = MOCK_JSON, .status = 401, .body = echo_key}};
	rc = run(e, unauth, 1, &req);
	TK_CHECK(rc == LLM_ERR_HTTP && e->r.attempts == 1, "401: rc %d", rc);
	TK_CHECK(strstr(e->err, "Incorrect API key provided: [redacted].") != NULL, "401: %s",
		 e->err);
	TK_CHECK(strstr(e->err, TEST_KEY) == NULL && strstr(e->err, "0123456789") == NULL,
		 "the key leaked: %s", e->err);
	/* Even into a buffer too small for the whole message. */
	char small[72];
	const struct mock_reply unauth2[] = {{.kind = MOCK_JSON, .status = 401, .body = echo_key}};
	mock_reset(e->m);
	mock_script(e->m, unauth2, 1);
	llm_result_free(&e->r);
	llm_chat(e->c, &req, &e->r, small, sizeof(small));
	TK_CHECK(strstr(small, "sk-test-0") == NULL, "the key leaked into a small buffer: %s",
		 small);

	const struct mock_reply missing[] = {{.kind = MOCK_JSON,
					      .status = 404,
					      .body = "not here",
					      .content_type = "text/plain"},
					     {.kind = MOCK_JSON, .body = ok_json}};
	rc = run(e, missing, 2, &req);
	TK_CHECK(rc == LLM_ERR_HTTP && e->r.attempts == 1 &&
			 strstr(e->err, "HTTP 404: body \"not here\""),
		 "404: %d %s", rc, e->err);

	/* Retry-After beyond max_backoff_ms: give up now rather than wait or hammer. */
	const struct mock_reply long_wait[] = {
		{.kind = MOCK_JSON, .status = 429, .body = rate_limited, .retry_after = "3600"},
		{.kind = MOCK_JSON, .body = ok_json}};
	rc = run(e, long_wait, 2, &req);
	TK_CHECK(rc == LLM_ERR_HTTP && e->r.attempts == 1 && mock_pending(e->m) == 1,
		 "long Retry-After: rc %d attempts %u", rc, e->r.attempts);
	TK_CHECK(strstr(e->err, "retry after 3600000 ms") != NULL, "long wait: %s", e->err);
}

static void test_bad_bodies(struct env *e)
{
	struct llm_request req = {.messages = hello, .n_messages = 1};
	const struct mock_reply broken[] = {
		{.kind = MOCK_JSON,
		 .body = "{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":"},
		{.kind = MOCK_JSON, .body = ok_json}};
	int rc = run(e, broken, 2, &req);
	TK_CHECK(rc == LLM_ERR_PARSE && e->r.attempts == 1 && mock_pending(e->m) == 1,
		 "malformed JSON: rc %d attempts %u", rc, e->r.attempts);
	TK_CHECK(strstr(e->err, "not JSON") != NULL, "malformed: %s", e->err);

	/* Larger than max_response_bytes. */
	static char big[8192];
	memset(big, ' ', sizeof(big) - 3);
	memcpy(big + sizeof(big) - 3, "{}", 3);
	const struct mock_reply huge[] = {{.kind = MOCK_JSON, .body = big}};
	struct llm_config keep = e->cfg;
	e->cfg.max_response_bytes = 4096;
	rc = run(e, huge, 1, &req);
	e->cfg = keep;
	TK_CHECK(rc == LLM_ERR_TOO_LARGE && strstr(e->err, "4096"), "too large: %d %s", rc, e->err);
}

static void test_streams(struct env *e)
{
	/* Truncated after text reached the caller: an error, not retried. */
	struct deltas d = {0};
	struct llm_request req = {.messages = hello,
				  .n_messages = 1,
				  .stream = true,
				  .on_delta = collect_delta,
				  .delta_ctx = &d};
	const struct mock_reply cut[] = {{.kind = MOCK_SSE, .body = stream_cut, .chunk_size = 9},
					 {.kind = MOCK_SSE, .body = stream_full}};
	int rc = run(e, cut, 2, &req);
	TK_CHECK(rc == LLM_ERR_TRUNCATED && strstr(e->err, "[DONE]"), "cut: %d %s", rc, e->err);
	TK_CHECK(strcmp(d.text, "Hello wor") == 0 && strcmp(e->r.text, "Hello wor") == 0,
		 "cut text %s / %s", d.text, e->r.text);
	TK_CHECK(e->r.attempts == 1 && mock_pending(e->m) == 1, "cut stream was retried");

	/* Without a delta callback nothing reached the caller: retried. */
	struct llm_request quiet = {.messages = hello, .n_messages = 1, .stream = true};
	rc = run(e, cut, 2, &quiet);
	TK_CHECK(rc == LLM_OK && e->r.attempts == 2 && strcmp(e->r.text, "Hello world") == 0,
		 "quiet cut: rc %d attempts %u text %s", rc, e->r.attempts, e->r.text);
	TK_CHECK(e->r.input_tokens == 12 && e->r.output_tokens == 34, "usage of the good attempt");

	/* The connection drops in the middle of the stream. */
	memset(&d, 0, sizeof(d));
	const struct mock_reply drop[] = {{.kind = MOCK_DROP, .body = stream_cut, .chunk_size = 9}};
	rc = run(e, drop, 1, &req);
	TK_CHECK(rc == LLM_ERR_TRUNCATED && strstr(e->err, "the stream broke"), "drop: %d %s", rc,
		 e->err);
	TK_CHECK(strcmp(d.text, "Hello wor") == 0, "drop text %s", d.text);

	/* A 429 before any stream starts is retried like any other. */
	memset(&d, 0, sizeof(d));
	const struct mock_reply limited[] = {
		{.kind = MOCK_JSON, .status = 429, .body = rate_limited, .retry_after = "0"},
		{.kind = MOCK_SSE, .body = stream_full, .chunk_size = 11}};
	rc = run(e, limited, 2, &req);
	TK_CHECK(rc == LLM_OK && e->r.attempts == 2 && strcmp(d.text, "Hello world") == 0,
		 "stream after 429: rc %d %s", rc, e->err);
}

static void test_timeouts(struct env *e)
{
	struct llm_request req = {.messages = hello, .n_messages = 1};
	const struct mock_reply hang[] = {{.kind = MOCK_HANG}, {.kind = MOCK_HANG}};
	struct llm_config keep = e->cfg;
	e->cfg.timeout_ms = 300;
	e->cfg.max_retries = 1;
	int rc = run(e, hang, 2, &req);
	e->cfg = keep;
	TK_CHECK(rc == LLM_ERR_TIMEOUT && strstr(e->err, "timed out"), "hang: %d %s", rc, e->err);
	TK_CHECK(e->r.attempts == 2 && mock_count(e->m) == 2, "hang attempts %u, seen %zu",
		 e->r.attempts, mock_count(e->m));
	TK_CHECK(e->r.http_status == 0, "status %d without a response", e->r.http_status);

	/* Nothing listens: connection refused, retried, then reported. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(a);
	REQUIRE_VOID(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
			     getsockname(fd, (struct sockaddr *)&a, &alen) == 0,
		     "cannot find a free port");
	close(fd); /* bound, never listened: the port refuses connections */
	snprintf(e->cfg.base_url, sizeof(e->cfg.base_url), "http://127.0.0.1:%u/v1",
		 ntohs(a.sin_port));
	rc = run(e, NULL, 0, &req);
	e->cfg = keep;
	TK_CHECK(rc == LLM_ERR_CONNECT && e->r.attempts == 3, "refused: %d attempts %u %s", rc,
		 e->r.attempts, e->err);
	TK_CHECK(strstr(e->err, "connection failed") != NULL, "refused: %s", e->err);
}

struct canceller {
	struct mock_server *m;
	atomic_bool *flag;
};

/* Sets the flag once the server has the request, so the call is mid-flight. */
static void *cancel_when_seen(void *arg)
{
	struct canceller *k = arg;
	while (mock_count(k->m) == 0) {
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	atomic_store(k->flag, true);
	return NULL;
}

static void test_cancel(struct env *e)
{
	atomic_bool flag = false;
	struct llm_request req = {.messages = hello, .n_messages = 1, .cancel = &flag};
	const struct mock_reply hang[] = {{.kind = MOCK_HANG}};
	mock_reset(e->m);
	struct canceller k = {.m = e->m, .flag = &flag};
	pthread_t th;
	/* The thread waits for the request that run() is about to make. */
	pthread_create(&th, NULL, cancel_when_seen, &k);
	int rc = run(e, hang, 1, &req);
	pthread_join(th, NULL);
	TK_CHECK(rc == LLM_ERR_CANCELLED && e->r.attempts == 1, "cancel in flight: %d %s", rc,
		 e->err);

	/* Cancelled while waiting to retry: the log line comes just before the wait. */
	atomic_store(&flag, false);
	e->log.cancel_on_log = &flag;
	const struct mock_reply limited[] = {
		{.kind = MOCK_JSON, .status = 429, .body = rate_limited, .retry_after = "1"},
		{.kind = MOCK_JSON, .body = ok_json}};
	rc = run(e, limited, 2, &req);
	e->log.cancel_on_log = NULL;
	TK_CHECK(rc == LLM_ERR_CANCELLED && e->r.attempts == 1 && mock_pending(e->m) == 1,
		 "cancel in backoff: %d attempts %u %s", rc, e->r.attempts, e->err);
	TK_CHECK(strstr(e->err, "waiting to retry") != NULL, "cancel in backoff: %s", e->err);

	/* Already cancelled: no request at all. */
	atomic_store(&flag, true);
	rc = run(e, limited, 2, &req);
	TK_CHECK(rc == LLM_ERR_CANCELLED && mock_count(e->m) == 0, "pre-cancelled: %d", rc);
}

int main(void)
{
	struct env e = {0};
	pthread_mutex_init(&e.log.lock, NULL);
	e.m = test_mock();
	test_config(&e.cfg, LLM_PROVIDER_OPENAI, e.m);

	test_retry_after(&e);
	test_server_errors(&e);
	test_client_errors(&e);
	test_bad_bodies(&e);
	test_streams(&e);
	test_timeouts(&e);
	test_cancel(&e);

	/* Failed calls and their attempts count in the totals. */
	const struct mock_reply fail[] = {{.kind = MOCK_JSON, .status = 500, .body = server_error},
					  {.kind = MOCK_JSON, .status = 500, .body = server_error},
					  {.kind = MOCK_JSON, .status = 500, .body = server_error}};
	struct llm_request req = {.messages = hello, .n_messages = 1};
	run(&e, fail, 3, &req);
	struct llm_totals t;
	llm_client_totals(e.c, &t);
	TK_CHECK(t.calls == 1 && t.failed_calls == 1 && t.attempts == 3 && t.input_tokens == 0,
		 "totals after a failure: %llu %llu %llu", (unsigned long long)t.calls,
		 (unsigned long long)t.failed_calls, (unsigned long long)t.attempts);

	llm_result_free(&e.r);
	llm_client_free(e.c);
	mock_stop(e.m);
	pthread_mutex_destroy(&e.log.lock);
	return tk_finish();
}
