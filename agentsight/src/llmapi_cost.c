/* llmapi_cost: token estimates and prices of LLM calls.
 *
 * When an API reports no usage (a truncated stream, a server that omits it)
 * the report still wants a number, so tokens are estimated from text length.
 * Prices come from a small built-in table by model-name prefix, which a user
 * can override or extend (as_llm_prices_parse reads a table from text), since
 * prices change more often than this code.
 */
#include "llmapi_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t as_llm_estimate_tokens(const char *text)
{
	if (!text)
		return 0;
	size_t n = strlen(text);
	return (int64_t)((n + 3) / 4);
}

static int64_t message_estimate(const struct as_llm_message *m)
{
	int64_t n = as_llm_estimate_tokens(m->text);
	for (size_t i = 0; i < m->n_tool_calls; i++)
		n += as_llm_estimate_tokens(m->tool_calls[i].name) +
		     as_llm_estimate_tokens(m->tool_calls[i].arguments);
	return n;
}

void as_llm_estimate_usage(const struct as_llm_exchange *ex, struct as_llm_usage *out)
{
	memset(out, 0, sizeof(*out));
	if (!ex)
		return;
	for (size_t i = 0; i < ex->n_messages; i++)
		out->input_tokens += message_estimate(&ex->messages[i]);
	out->output_tokens = message_estimate(&ex->reply);
}

/* Built-in prices, USD per million tokens: input, output, cached input read,
 * cached input written. Source: the providers' pricing pages,
 * https://openai.com/api/pricing/ and https://www.anthropic.com/pricing#api
 * (standard tier; Anthropic's 5-minute cache writes), as they stood in
 * 2025 (Claude Opus 4.5 and the GPT-5 family included). OpenAI bills no
 * cache writes. Check them before relying on a figure; override with
 * as_llm_prices_parse() when they change. */
static const struct as_llm_price builtin_prices[] = {
	{"gpt-5", 1.25, 10.00, 0.125, 0},
	{"gpt-5-mini", 0.25, 2.00, 0.025, 0},
	{"gpt-5-nano", 0.05, 0.40, 0.005, 0},
	{"gpt-4.5", 75.00, 150.00, 37.50, 0},
	{"gpt-4.1", 2.00, 8.00, 0.50, 0},
	{"gpt-4.1-mini", 0.40, 1.60, 0.10, 0},
	{"gpt-4.1-nano", 0.10, 0.40, 0.025, 0},
	{"gpt-4o", 2.50, 10.00, 1.25, 0},
	{"gpt-4o-mini", 0.15, 0.60, 0.075, 0},
	{"gpt-4-turbo", 10.00, 30.00, 0, 0},
	{"gpt-4", 30.00, 60.00, 0, 0},
	{"gpt-3.5-turbo", 0.50, 1.50, 0, 0},
	{"o1", 15.00, 60.00, 7.50, 0},
	{"o1-mini", 1.10, 4.40, 0.55, 0},
	{"o3", 2.00, 8.00, 0.50, 0},
	{"o3-mini", 1.10, 4.40, 0.55, 0},
	{"o4-mini", 1.10, 4.40, 0.275, 0},
	{"claude-opus-4-5", 5.00, 25.00, 0.50, 6.25},
	{"claude-opus-4", 15.00, 75.00, 1.50, 18.75},
	{"claude-sonnet-4", 3.00, 15.00, 0.30, 3.75},
	{"claude-haiku-4-5", 1.00, 5.00, 0.10, 1.25},
	{"claude-3-7-sonnet", 3.00, 15.00, 0.30, 3.75},
	{"claude-3-5-sonnet", 3.00, 15.00, 0.30, 3.75},
	{"claude-3-5-haiku", 0.80, 4.00, 0.08, 1.00},
	{"claude-3-opus", 15.00, 75.00, 1.50, 18.75},
	{"claude-3-haiku", 0.25, 1.25, 0.03, 0.30},
};

static const struct as_llm_price *longest(const char *model, const struct as_llm_price *t, size_t n)
{
	const struct as_llm_price *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; t && i < n; i++) {
		size_t k = strnlen(t[i].model_prefix, sizeof(t[i].model_prefix));
		if (k > best_len && strncmp(model, t[i].model_prefix, k) == 0) {
			best = &t[i];
			best_len = k;
		}
	}
	return best;
}

static const struct as_llm_price *find(const char *model, const struct as_llm_price *override,
				       size_t n_override)
{
	const struct as_llm_price *p = longest(model, override, n_override);
	if (!p)
		p = longest(model, builtin_prices,
			    sizeof(builtin_prices) / sizeof(builtin_prices[0]));
	return p;
}

const struct as_llm_price *as_llm_price_find(const char *model, const struct as_llm_price *override,
					     size_t n_override)
{
	if (!model)
		return NULL;
	const struct as_llm_price *p = find(model, override, n_override);
	const char *slash = strrchr(model, '/');
	if (!p && slash)
		p = find(slash + 1, override, n_override);
	return p;
}

int as_llm_cost_usd(const struct as_llm_exchange *ex, const struct as_llm_price *override,
		    size_t n_override, double *usd)
{
	*usd = 0;
	if (!ex)
		return -1;
	const struct as_llm_price *p = as_llm_price_find(ex->model, override, n_override);
	if (!p)
		return -1;
	struct as_llm_usage u = ex->usage;
	int rc = 0;
	if (!u.reported) {
		as_llm_estimate_usage(ex, &u);
		rc = 1;
	}
	double cached_read = (double)u.cache_read_tokens;
	double cached_write = (double)u.cache_write_tokens;
	double uncached = (double)u.input_tokens - cached_read - cached_write;
	if (uncached < 0)
		uncached = 0;
	double read_price =
		p->cache_read_usd_per_mtok > 0 ? p->cache_read_usd_per_mtok : p->input_usd_per_mtok;
	double write_price = p->cache_write_usd_per_mtok > 0 ? p->cache_write_usd_per_mtok
							     : p->input_usd_per_mtok;
	*usd = (uncached * p->input_usd_per_mtok + cached_read * read_price +
		cached_write * write_price + (double)u.output_tokens * p->output_usd_per_mtok) /
	       1e6;
	return rc;
}

/* One number of a price line; false when it is not a non-negative number. */
static bool price_field(char **cur, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(*cur, &end);
	if (end == *cur || errno || v < 0 || v != v || (*end && !isspace((unsigned char)*end)))
		return false;
	*out = v;
	*cur = end;
	return true;
}

int as_llm_prices_parse(const char *text, struct as_llm_price **out, size_t *n_out, char *err,
			size_t errlen)
{
	struct as_llm_price *t = NULL;
	size_t n = 0, cap = 0;
	unsigned line_no = 0;
	char line[512];

	*out = NULL;
	*n_out = 0;
	if (!text) {
		as_llmi_set_err(err, errlen, "prices: no text");
		return -1;
	}
	const char *p = text;
	while (*p) {
		size_t len = strcspn(p, "\n");
		line_no++;
		if (len >= sizeof(line)) {
			as_llmi_set_err(err, errlen, "prices: line %u: longer than %zu bytes",
					line_no, sizeof(line) - 1);
			goto fail;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (p[len] == '\n');
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *cur = line;
		while (isspace((unsigned char)*cur))
			cur++;
		if (!*cur)
			continue;
		struct as_llm_price e = {0};
		size_t k = 0;
		while (cur[k] && !isspace((unsigned char)cur[k]))
			k++;
		if (k >= sizeof(e.model_prefix)) {
			as_llmi_set_err(err, errlen,
					"prices: line %u: model prefix longer than %zu bytes",
					line_no, sizeof(e.model_prefix) - 1);
			goto fail;
		}
		memcpy(e.model_prefix, cur, k);
		cur += k;
		double *fields[] = {&e.input_usd_per_mtok, &e.output_usd_per_mtok,
				    &e.cache_read_usd_per_mtok, &e.cache_write_usd_per_mtok};
		size_t got = 0;
		for (;;) {
			while (isspace((unsigned char)*cur))
				cur++;
			if (!*cur)
				break;
			if (got == 4 || !price_field(&cur, fields[got])) {
				as_llmi_set_err(
					err, errlen,
					"prices: line %u: expected <prefix> <input> <output> "
					"[<cache-read> [<cache-write>]] as non-negative numbers",
					line_no);
				goto fail;
			}
			got++;
		}
		if (got < 2) {
			as_llmi_set_err(err, errlen,
					"prices: line %u: needs an input and an output price",
					line_no);
			goto fail;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			struct as_llm_price *nt = realloc(t, cap * sizeof(*t));
			if (!nt) {
				as_llmi_set_err(err, errlen, "prices: out of memory");
				goto fail;
			}
			t = nt;
		}
		t[n++] = e;
	}
	*out = t;
	*n_out = n;
	return 0;
fail:
	free(t);
	return -1;
}
