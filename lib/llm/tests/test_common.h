/* test_common: set-up shared by the llm tests that talk to the mock server:
 * start it (or skip the test when loopback HTTP is impossible here), keep
 * proxies out of the way, make a config pointing at it, and collect deltas
 * and log lines.
 */
#ifndef LLM_TEST_COMMON_H
#define LLM_TEST_COMMON_H

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm.h"
#include "mock_server.h"
#include "testkit.h"

#define TEST_KEY "sk-test-0123456789abcdefXYZ"

/* TK_REQUIRE for functions that return nothing. */
#define REQUIRE_VOID(cond, ...)                                                  \
	do {                                                                     \
		if (!(cond)) {                                                   \
			tk_check_failed(__FILE__, __LINE__, #cond, __VA_ARGS__); \
			return;                                                  \
		}                                                                \
	} while (0)

static inline struct mock_server *test_mock(void)
{
	/* libcurl honours proxy variables; the mock is local. */
	static const char *const proxies[] = {"http_proxy", "https_proxy", "HTTPS_PROXY",
					      "ALL_PROXY", "all_proxy"};
	for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
		unsetenv(proxies[i]);
	setenv("NO_PROXY", "127.0.0.1", 1);
	struct mock_server *m = NULL;
	if (mock_start(&m, TEST_KEY) != 0)
		tk_skip("cannot start an HTTP server on 127.0.0.1");
	return m;
}

/* A config for provider p at the mock, quick retries, $3/$15 per Mtok. */
static inline void test_config(struct llm_config *cfg, enum llm_provider p,
			       const struct mock_server *m)
{
	llm_config_defaults(cfg, p);
	snprintf(cfg->base_url, sizeof(cfg->base_url), "%s%s", mock_url(m),
		 p == LLM_PROVIDER_OPENAI ? "/v1" : "");
	snprintf(cfg->api_key, sizeof(cfg->api_key), "%s", TEST_KEY);
	snprintf(cfg->model, sizeof(cfg->model), "%s",
		 p == LLM_PROVIDER_OPENAI ? "gpt-test" : "claude-test");
	cfg->max_output_tokens = p == LLM_PROVIDER_OPENAI ? 0 : 256;
	cfg->timeout_ms = 20000;
	cfg->connect_timeout_ms = 5000;
	cfg->max_retries = 2;
	cfg->initial_backoff_ms = 5;
	cfg->max_backoff_ms = 2000;
	cfg->price_input_per_mtok = 3.0;
	cfg->price_output_per_mtok = 15.0;
}

/* Costs are sums of products of small integers and prices; compare closely. */
static inline bool same_cost(double a, double b)
{
	return fabs(a - b) <= 1e-12;
}

struct deltas {
	char text[1024];
	size_t n;
	int stop_after; /* return non-zero at this call; 0: never */
};

static inline int collect_delta(const char *text, size_t len, void *ctx)
{
	struct deltas *d = ctx;
	size_t have = strlen(d->text);
	snprintf(d->text + have, sizeof(d->text) - have, "%.*s", (int)len, text);
	d->n++;
	return d->stop_after && d->n >= (size_t)d->stop_after;
}

struct logbook {
	pthread_mutex_t lock;
	char lines[8][512];
	size_t n;
	atomic_bool *cancel_on_log; /* set this flag when a line arrives */
};

static inline void log_line(int level, const char *msg, void *ctx)
{
	(void)level;
	struct logbook *b = ctx;
	pthread_mutex_lock(&b->lock);
	if (b->n < 8)
		snprintf(b->lines[b->n], sizeof(b->lines[0]), "%s", msg);
	b->n++;
	pthread_mutex_unlock(&b->lock);
	if (b->cancel_on_log)
		atomic_store(b->cancel_on_log, true);
}

#endif /* LLM_TEST_COMMON_H */
