/* llm: the client. HTTP through libcurl, retries, cancelling and accounting.
 *
 * llm_chat builds the request body once with the provider's ops, then makes
 * up to 1 + max_retries attempts, each a fresh libcurl transfer sharing one
 * connection cache per client. Bytes of a 2xx event-stream go to llm_stream
 * as they arrive; any other body is kept (bounded) and parsed at the end.
 * 408, 409, 429, 5xx, timeouts and broken connections are retried after an
 * exponential backoff with jitter, or after the server's Retry-After; nothing
 * is retried once text reached the caller's delta callback. Errors name the
 * endpoint and the cause; the API key is redacted from them.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "llm_internal.h"

struct llm_client {
	struct llm_config cfg;
	const struct llm_provider_ops *ops;
	char url[LLM_URL_MAX + 32];
	pthread_mutex_t lock; /* totals and the log hook */
	struct llm_totals totals;
	llm_log_fn log;
	void *log_ctx;
	CURLSH *share; /* connections and DNS, reused across calls */
	pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
	(void)h;
	(void)access;
	struct llm_client *c = ud;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_lock(&c->share_lock[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	(void)h;
	struct llm_client *c = ud;
	if ((unsigned)data < CURL_LOCK_DATA_LAST)
		pthread_mutex_unlock(&c->share_lock[data]);
}

int llm_client_new(const struct llm_config *cfg, struct llm_client **out, char *err, size_t errlen)
{
	if (!out)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "llm_client_new: NULL out");
	*out = NULL;
	int rc = llm_config_check(cfg, err, errlen);
	if (rc != LLM_OK)
		return rc;
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return llm_errf(err, errlen, LLM_ERR_TRANSPORT, "libcurl initialisation failed: %s",
				curl_easy_strerror(curl_init_rc));
	struct llm_client *c = calloc(1, sizeof(*c));
	if (!c)
		return llm_errf(err, errlen, LLM_ERR_NOMEM, "out of memory");
	c->cfg = *cfg;
	c->ops = llm_provider_ops(cfg->provider);
	size_t blen = strlen(cfg->base_url);
	while (blen && cfg->base_url[blen - 1] == '/')
		blen--;
	snprintf(c->url, sizeof(c->url), "%.*s%s", (int)blen, cfg->base_url, c->ops->path);
	pthread_mutex_init(&c->lock, NULL);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&c->share_lock[i], NULL);
	c->share = curl_share_init();
	if (!c->share) {
		llm_client_free(c);
		return llm_errf(err, errlen, LLM_ERR_NOMEM, "curl_share_init failed");
	}
	curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	*out = c;
	return LLM_OK;
}

void llm_client_free(struct llm_client *c)
{
	if (!c)
		return;
	if (c->share)
		curl_share_cleanup(c->share);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&c->share_lock[i]);
	pthread_mutex_destroy(&c->lock);
	explicit_bzero(c->cfg.api_key, sizeof(c->cfg.api_key));
	free(c);
}

void llm_client_set_log(struct llm_client *c, llm_log_fn fn, void *ctx)
{
	pthread_mutex_lock(&c->lock);
	c->log = fn;
	c->log_ctx = ctx;
	pthread_mutex_unlock(&c->lock);
}

void llm_client_totals(struct llm_client *c, struct llm_totals *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->totals;
	pthread_mutex_unlock(&c->lock);
}

static void logf_(struct llm_client *c, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logf_(struct llm_client *c, int level, const char *fmt, ...)
{
	pthread_mutex_lock(&c->lock);
	llm_log_fn fn = c->log;
	void *ctx = c->log_ctx;
	pthread_mutex_unlock(&c->lock);
	if (!fn)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	llm_redact(msg, sizeof(msg), c->cfg.api_key);
	fn(level, msg, ctx);
}

/* ---- one attempt ---- */

struct xfer {
	struct llm_client *c;
	const struct llm_config *cfg;
	const struct llm_request *req;
	struct llm_result *res;
	CURL *h;
	double t0;	 /* start of the call */
	bool mode_known; /* the first body bytes were seen */
	bool streaming;	 /* they go to the stream parser */
	bool delivered;	 /* text reached the caller's on_delta */
	struct llm_buf body;
	struct llm_stream stream;
	int cb_rc; /* an error raised inside a libcurl callback */
	char cb_err[512];
};

static bool cancelled(const struct llm_request *req)
{
	return req->cancel && atomic_load(req->cancel);
}

static int on_delta(const char *text, size_t len, void *ctx)
{
	struct xfer *x = ctx;
	if (x->res->first_delta_ms == 0)
		x->res->first_delta_ms = now_ms() - x->t0;
	if (cancelled(x->req))
		return 1;
	if (!x->req->on_delta)
		return 0;
	x->delivered = true;
	return x->req->on_delta(text, len, x->req->delta_ctx);
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (!x->mode_known) {
		long status = 0;
		const char *ctype = NULL;
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ctype);
		x->streaming = x->req->stream && status >= 200 && status < 300 && ctype &&
			       strncasecmp(ctype, "text/event-stream", 17) == 0;
		x->mode_known = true;
	}
	if (cancelled(x->req)) {
		x->cb_rc = llm_errf(x->cb_err, sizeof(x->cb_err), LLM_ERR_CANCELLED, "cancelled");
		return 0;
	}
	if (x->streaming) {
		int rc = llm_stream_feed(&x->stream, ptr, n, x->cb_err, sizeof(x->cb_err));
		if (rc != LLM_OK) {
			x->cb_rc = rc;
			return 0;
		}
		return n;
	}
	int rc = llm_buf_append(&x->body, ptr, n);
	if (rc != LLM_OK) {
		x->cb_rc = llm_errf(x->cb_err, sizeof(x->cb_err), rc,
				    "the response body exceeds %zu bytes", x->body.max);
		return 0;
	}
	return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	struct xfer *x = ud;
	if (cancelled(x->req)) {
		x->cb_rc = llm_errf(x->cb_err, sizeof(x->cb_err), LLM_ERR_CANCELLED, "cancelled");
		return 1;
	}
	return 0;
}

/* Retry-After (delay-seconds or an HTTP date) or retry-after-ms, in ms; -1 if none. */
static long retry_after_ms(CURL *h)
{
	struct curl_header *hh = NULL;
	if (curl_easy_header(h, "retry-after-ms", 0, CURLH_HEADER, -1, &hh) == CURLHE_OK) {
		char *end;
		double v = strtod(hh->value, &end);
		if (end != hh->value && v >= 0 && v < 1e9)
			return (long)v;
	}
	if (curl_easy_header(h, "retry-after", 0, CURLH_HEADER, -1, &hh) != CURLHE_OK)
		return -1;
	char *end;
	unsigned long v = strtoul(hh->value, &end, 10);
	if (end != hh->value && *end == '\0' && hh->value[0] >= '0' && hh->value[0] <= '9')
		return v > 1000000 ? 1000000000L : (long)v * 1000;
	time_t when = curl_getdate(hh->value, NULL);
	if (when == -1)
		return -1;
	time_t now = time(NULL);
	return when > now ? (long)(when - now) * 1000 : 0;
}

static bool retryable_status(long status)
{
	return status == 408 || status == 409 || status == 429 || status >= 500;
}

static bool connection_error(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

struct outcome {
	int rc;
	bool retry;	     /* worth another attempt */
	long retry_after_ms; /* the server's wish, or -1 */
	char msg[1024];
};

static void attempt(struct llm_client *c, const struct llm_config *cfg,
		    const struct llm_request *req, CURL *h, struct llm_result *res, double t0,
		    struct outcome *o)
{
	struct xfer x = {.c = c, .cfg = cfg, .req = req, .res = res, .h = h, .t0 = t0};
	char curl_err[CURL_ERROR_SIZE] = "";
	x.body.max = cfg->max_response_bytes;
	llm_stream_init(&x.stream, cfg->provider, res, cfg->max_response_bytes, on_delta, &x);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);

	CURLcode cc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	res->http_status = (int)status;
	o->retry = false;
	o->retry_after_ms = -1;
	o->msg[0] = '\0';

	/* A stream hands over what it gathered even when it broke. */
	int stream_rc = LLM_OK;
	char stream_err[512] = "";
	if (x.streaming)
		stream_rc = llm_stream_finish(&x.stream, stream_err, sizeof(stream_err));
	llm_redact(stream_err, sizeof(stream_err), cfg->api_key);
	llm_redact(x.cb_err, sizeof(x.cb_err), cfg->api_key);
	bool may_retry = !x.delivered && !cancelled(req);

	if (cc != CURLE_OK) {
		const char *why = curl_err[0] ? curl_err : curl_easy_strerror(cc);
		if (x.cb_rc != LLM_OK) {
			o->rc = x.cb_rc;
			snprintf(o->msg, sizeof(o->msg), "%s", x.cb_err);
		} else if (cc == CURLE_ABORTED_BY_CALLBACK) {
			o->rc = LLM_ERR_CANCELLED;
			snprintf(o->msg, sizeof(o->msg), "cancelled");
		} else if (cc == CURLE_OPERATION_TIMEDOUT) {
			o->rc = LLM_ERR_TIMEOUT;
			snprintf(o->msg, sizeof(o->msg),
				 "timed out (connect %u ms, total %u ms): %s",
				 cfg->connect_timeout_ms, cfg->timeout_ms, why);
			o->retry = may_retry;
		} else if (connection_error(cc)) {
			o->rc = x.streaming ? LLM_ERR_TRUNCATED : LLM_ERR_CONNECT;
			snprintf(o->msg, sizeof(o->msg), "%s: %s",
				 x.streaming ? "the stream broke" : "connection failed", why);
			o->retry = may_retry;
		} else {
			o->rc = LLM_ERR_TRANSPORT;
			snprintf(o->msg, sizeof(o->msg), "%s", why);
		}
	} else if (status >= 200 && status < 300) {
		if (x.streaming) {
			o->rc = stream_rc;
			snprintf(o->msg, sizeof(o->msg), "%s", stream_err);
			o->retry = stream_rc == LLM_ERR_TRUNCATED && may_retry;
		} else {
			o->rc = llm_parse_response(cfg->provider, x.body.p, x.body.len, res, o->msg,
						   sizeof(o->msg));
			/* Asked to stream, got one JSON body: still one delta. */
			if (o->rc == LLM_OK && req->stream && res->text_len &&
			    on_delta(res->text, res->text_len, &x) != 0) {
				o->rc = LLM_ERR_CANCELLED;
				snprintf(o->msg, sizeof(o->msg),
					 "the delta callback asked to stop");
			}
		}
	} else {
		char api[768];
		llm_describe_error_body(x.body.p, x.body.len, api, sizeof(api));
		llm_redact(api, sizeof(api), cfg->api_key);
		o->rc = LLM_ERR_HTTP;
		snprintf(o->msg, sizeof(o->msg), "HTTP %ld: %s", status, api);
		o->retry = retryable_status(status) && may_retry;
		o->retry_after_ms = retry_after_ms(h);
	}
	if (o->rc != LLM_OK && !o->msg[0])
		snprintf(o->msg, sizeof(o->msg), "%s", llm_strerror(o->rc));
	llm_redact(o->msg, sizeof(o->msg), cfg->api_key);
	llm_stream_free(&x.stream);
	llm_buf_free(&x.body);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
}

/* Sleeps ms milliseconds in short steps; false when cancelled meanwhile. */
static bool wait_ms(const struct llm_request *req, long ms)
{
	double end = now_ms() + (double)ms;
	for (;;) {
		if (cancelled(req))
			return false;
		double left = end - now_ms();
		if (left <= 0)
			return true;
		if (left > 50)
			left = 50;
		struct timespec ts = {0, (long)(left * 1e6)};
		nanosleep(&ts, NULL);
	}
}

/* The delay before retry number n (1, 2, ...): initial * 2^(n-1), capped,
 * then a random point in its upper half, so that clients spread out. */
static long backoff_ms(const struct llm_config *cfg, uint32_t n)
{
	uint64_t d = cfg->initial_backoff_ms;
	for (uint32_t i = 1; i < n && d < cfg->max_backoff_ms; i++)
		d *= 2;
	if (d > cfg->max_backoff_ms)
		d = cfg->max_backoff_ms;
	uint64_t half = d / 2;
	return (long)(d - half + (half ? arc4random_uniform((uint32_t)half + 1) : 0));
}

static CURL *new_handle(struct llm_client *c, const struct llm_config *cfg, const char *body,
			size_t len, struct curl_slist *headers)
{
	CURL *h = curl_easy_init();
	if (!h)
		return NULL;
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, cfg->user_agent);
	if (cfg->ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_SHARE, c->share);
	return h;
}

/* Request headers: JSON in, JSON or SSE out, the provider's own, and no
 * "Expect: 100-continue" round trip for large bodies. */
static struct curl_slist *new_headers(const struct llm_client *c, const struct llm_config *cfg,
				      bool stream)
{
	struct llm_headers ph = {.n = 0};
	c->ops->headers(cfg, &ph);
	const char *fixed[] = {
		"Content-Type: application/json",
		stream ? "Accept: text/event-stream" : "Accept: application/json",
		"Expect:",
	};
	struct curl_slist *list = NULL;
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		struct curl_slist *l = curl_slist_append(list, fixed[i]);
		ok = l != NULL;
		list = l ? l : list;
	}
	for (size_t i = 0; ok && i < ph.n; i++) {
		struct curl_slist *l = curl_slist_append(list, ph.line[i]);
		ok = l != NULL;
		list = l ? l : list;
	}
	explicit_bzero(&ph, sizeof(ph));
	if (!ok) {
		curl_slist_free_all(list);
		return NULL;
	}
	return list;
}

/* Frees the list, wiping the copies of the key it holds. */
static void free_headers(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

/* The config of one call: the client's, with the request's overrides. */
static int call_config(const struct llm_client *c, const struct llm_request *req,
		       struct llm_config *cfg, char *err, size_t errlen)
{
	*cfg = c->cfg;
	if (req->model) {
		if (!req->model[0] || strlen(req->model) >= sizeof(cfg->model))
			return llm_errf(err, errlen, LLM_ERR_INVALID,
					"request model is empty or longer than %zu bytes",
					sizeof(cfg->model) - 1);
		llm_strlcpy(cfg->model, req->model, sizeof(cfg->model));
	}
	if (req->max_output_tokens)
		cfg->max_output_tokens = req->max_output_tokens;
	return LLM_OK;
}

int llm_build_request(const struct llm_config *cfg, const struct llm_request *req, char **out,
		      char *err, size_t errlen)
{
	*out = NULL;
	if (!req->messages || !req->n_messages)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "the request has no messages");
	if (req->n_tools && !req->tools)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "n_tools is %zu but tools is NULL",
				req->n_tools);
	json_t *body = NULL;
	int rc = llm_provider_ops(cfg->provider)->build_body(cfg, req, &body, err, errlen);
	if (rc != LLM_OK)
		return rc;
	*out = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(body);
	if (!*out)
		return llm_errf(err, errlen, LLM_ERR_NOMEM, "cannot encode the request body");
	return LLM_OK;
}

int llm_parse_response(enum llm_provider provider, const char *body, size_t len,
		       struct llm_result *res, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	json_error_t jerr;
	json_t *root = json_loadb(body ? body : "", len, 0, &jerr);
	if (!root) {
		char ex[96];
		llm_excerpt(body, len, 60, ex, sizeof(ex));
		return llm_errf(err, errlen, LLM_ERR_PARSE,
				"the response is not JSON (%s at byte %d): %s", jerr.text,
				jerr.position, ex);
	}
	int rc;
	char msg[400];
	if (!json_is_object(root)) {
		rc = llm_errf(err, errlen, LLM_ERR_PARSE, "the response is not a JSON object");
	} else if (json_object_get(root, "error") &&
		   llm_describe_error_json(root, msg, sizeof(msg))) {
		rc = llm_errf(err, errlen, LLM_ERR_API, "the API returned an error: %s", msg);
	} else {
		rc = llm_provider_ops(provider)->parse_response(root, res, err, errlen);
		if (rc != LLM_OK && err && errlen && !err[0])
			llm_errf(err, errlen, rc, "%s", llm_strerror(rc));
	}
	json_decref(root);
	return rc;
}

/* Empties a result between attempts, keeping the call's bookkeeping. */
static void reset_result(struct llm_result *res)
{
	uint32_t attempts = res->attempts;
	llm_result_free(res);
	res->attempts = attempts;
}

static void account(struct llm_client *c, struct llm_result *res, int rc)
{
	res->cost_usd = (double)res->input_tokens * c->cfg.price_input_per_mtok / 1e6 +
			(double)res->output_tokens * c->cfg.price_output_per_mtok / 1e6;
	pthread_mutex_lock(&c->lock);
	c->totals.calls++;
	if (rc != LLM_OK)
		c->totals.failed_calls++;
	c->totals.attempts += res->attempts;
	c->totals.input_tokens += res->input_tokens;
	c->totals.output_tokens += res->output_tokens;
	c->totals.cost_usd += res->cost_usd;
	pthread_mutex_unlock(&c->lock);
}

int llm_chat(struct llm_client *c, const struct llm_request *req, struct llm_result *res, char *err,
	     size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!c || !req || !res)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "llm_chat: NULL argument");
	memset(res, 0, sizeof(*res));
	double t0 = now_ms();
	struct llm_config cfg;
	char *body = NULL;
	int rc = call_config(c, req, &cfg, err, errlen);
	if (rc == LLM_OK)
		rc = llm_build_request(&cfg, req, &body, err, errlen);
	if (rc != LLM_OK || !body) {
		llm_redact(err, errlen, cfg.api_key);
		explicit_bzero(cfg.api_key, sizeof(cfg.api_key));
		return rc != LLM_OK ? rc : LLM_ERR_NOMEM;
	}
	struct curl_slist *headers = new_headers(c, &cfg, req->stream);
	CURL *h = headers ? new_handle(c, &cfg, body, strlen(body), headers) : NULL;
	if (!h) {
		free_headers(headers);
		free(body);
		explicit_bzero(cfg.api_key, sizeof(cfg.api_key));
		return llm_errf(err, errlen, LLM_ERR_NOMEM, "cannot set up the HTTP request");
	}

	struct outcome o = {.rc = LLM_OK};
	char wait_note[128] = "";
	for (;;) {
		if (cancelled(req)) {
			o.rc = LLM_ERR_CANCELLED;
			snprintf(o.msg, sizeof(o.msg), "cancelled");
			break;
		}
		reset_result(res);
		res->attempts++;
		attempt(c, &cfg, req, h, res, t0, &o);
		if (o.rc == LLM_OK || !o.retry)
			break;
		if (res->attempts > cfg.max_retries) {
			if (cfg.max_retries)
				snprintf(wait_note, sizeof(wait_note),
					 "; gave up after %u attempts", res->attempts);
			break;
		}
		long delay = backoff_ms(&cfg, res->attempts);
		const char *why = "backoff";
		if (o.retry_after_ms >= 0) {
			if (o.retry_after_ms > (long)cfg.max_backoff_ms) {
				snprintf(wait_note, sizeof(wait_note),
					 "; the server asks to retry after %ld ms, more than "
					 "max_backoff_ms (%u)",
					 o.retry_after_ms, cfg.max_backoff_ms);
				break;
			}
			delay = o.retry_after_ms;
			why = "Retry-After";
		}
		logf_(c, 0, "%s %s: %s; attempt %u of %u, retrying in %ld ms (%s)", c->ops->name,
		      c->url, o.msg, res->attempts, cfg.max_retries + 1, delay, why);
		if (!wait_ms(req, delay)) {
			o.rc = LLM_ERR_CANCELLED;
			snprintf(o.msg, sizeof(o.msg), "cancelled while waiting to retry");
			break;
		}
	}
	curl_easy_cleanup(h);
	free_headers(headers);
	free(body);

	if (!res->text && (res->text = calloc(1, 1)) == NULL && o.rc == LLM_OK) {
		o.rc = LLM_ERR_NOMEM;
		snprintf(o.msg, sizeof(o.msg), "out of memory");
	}
	res->latency_ms = now_ms() - t0;
	account(c, res, o.rc);
	if (o.rc != LLM_OK) {
		llm_errf(err, errlen, o.rc, "%s %s: %s%s", c->ops->name, c->url, o.msg, wait_note);
		llm_redact(err, errlen, cfg.api_key);
	}
	explicit_bzero(cfg.api_key, sizeof(cfg.api_key));
	return o.rc;
}
