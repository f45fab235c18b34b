/* llm_config: defaults, environment variables and "key=value" overrides.
 *
 * One table lists every setting once: its key (for llm_config_set and for
 * tools' command-line flags), its environment variable (ISTHMUS_LLM_ plus the
 * key in upper case) and how to parse it. llm_config_from_env and
 * llm_config_set both go through it, so a flag and a variable always mean the
 * same thing. The API key alone has two sources: ISTHMUS_LLM_API_KEY, or the
 * provider's usual variable (OPENAI_API_KEY, ANTHROPIC_API_KEY).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "llm_internal.h"

const struct llm_provider_ops *llm_provider_ops(enum llm_provider provider)
{
	return provider == LLM_PROVIDER_ANTHROPIC ? &llm_anthropic_ops : &llm_openai_ops;
}

const char *llm_provider_name(enum llm_provider provider)
{
	return llm_provider_ops(provider)->name;
}

int llm_provider_parse(const char *name, enum llm_provider *out)
{
	if (name && strcasecmp(name, "openai") == 0) {
		*out = LLM_PROVIDER_OPENAI;
		return LLM_OK;
	}
	if (name && strcasecmp(name, "anthropic") == 0) {
		*out = LLM_PROVIDER_ANTHROPIC;
		return LLM_OK;
	}
	return LLM_ERR_INVALID;
}

void llm_config_defaults(struct llm_config *cfg, enum llm_provider provider)
{
	const struct llm_provider_ops *ops = llm_provider_ops(provider);
	memset(cfg, 0, sizeof(*cfg));
	cfg->provider = ops->id;
	llm_strlcpy(cfg->base_url, ops->default_base_url, sizeof(cfg->base_url));
	llm_strlcpy(cfg->model, ops->default_model, sizeof(cfg->model));
	llm_strlcpy(cfg->user_agent, "isthmus-llm/0.1", sizeof(cfg->user_agent));
	cfg->max_output_tokens = ops->default_max_tokens;
	cfg->temperature = -1.0;
	cfg->connect_timeout_ms = 10000;
	cfg->timeout_ms = 600000;
	cfg->max_retries = 2;
	cfg->initial_backoff_ms = 500;
	cfg->max_backoff_ms = 30000;
	cfg->max_response_bytes = 16u << 20;
}

enum kind {
	K_PROVIDER,
	K_STRING,
	K_SECRET,
	K_U32,
	K_SIZE,
	K_DOUBLE
};

struct setting {
	const char *key;
	enum kind kind;
	size_t offset;
	size_t size; /* of the string field */
	double min, max;
};

#define STR(k, field, kind)                                           \
	{                                                             \
		k, kind, offsetof(struct llm_config, field),          \
			sizeof(((struct llm_config *)0)->field), 0, 0 \
	}
#define NUM(k, field, kind, lo, hi)                                    \
	{                                                              \
		k, kind, offsetof(struct llm_config, field), 0, lo, hi \
	}

static const struct setting settings[] = {
	{"provider", K_PROVIDER, 0, 0, 0, 0},
	STR("base_url", base_url, K_STRING),
	STR("model", model, K_STRING),
	STR("api_key", api_key, K_SECRET),
	STR("user_agent", user_agent, K_STRING),
	STR("ca_file", ca_file, K_STRING),
	NUM("max_tokens", max_output_tokens, K_U32, 0, 10000000),
	NUM("temperature", temperature, K_DOUBLE, -1, 2),
	NUM("timeout_ms", timeout_ms, K_U32, 1, 86400000),
	NUM("connect_timeout_ms", connect_timeout_ms, K_U32, 1, 3600000),
	NUM("max_retries", max_retries, K_U32, 0, 100),
	NUM("backoff_ms", initial_backoff_ms, K_U32, 0, 3600000),
	NUM("max_backoff_ms", max_backoff_ms, K_U32, 0, 3600000),
	NUM("price_in", price_input_per_mtok, K_DOUBLE, 0, 1e6),
	NUM("price_out", price_output_per_mtok, K_DOUBLE, 0, 1e6),
	NUM("max_response_bytes", max_response_bytes, K_SIZE, 1024, 1 << 30),
};

static const struct setting *find_setting(const char *key, size_t len)
{
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		if (strlen(settings[i].key) == len && strncmp(settings[i].key, key, len) == 0)
			return &settings[i];
	}
	return NULL;
}

static void set_provider(struct llm_config *cfg, enum llm_provider p)
{
	const struct llm_provider_ops *old = llm_provider_ops(cfg->provider);
	const struct llm_provider_ops *ops = llm_provider_ops(p);
	if (strcmp(cfg->base_url, old->default_base_url) == 0)
		llm_strlcpy(cfg->base_url, ops->default_base_url, sizeof(cfg->base_url));
	if (strcmp(cfg->model, old->default_model) == 0)
		llm_strlcpy(cfg->model, ops->default_model, sizeof(cfg->model));
	if (cfg->max_output_tokens == old->default_max_tokens)
		cfg->max_output_tokens = ops->default_max_tokens;
	cfg->provider = p;
}

/* Applies one setting; `what` names its source in errors (a key or a variable). */
static int apply(struct llm_config *cfg, const struct setting *s, const char *value,
		 const char *what, char *err, size_t errlen)
{
	char *field = (char *)cfg + s->offset;
	switch (s->kind) {
	case K_PROVIDER: {
		enum llm_provider p;
		if (llm_provider_parse(value, &p) != LLM_OK)
			return llm_errf(err, errlen, LLM_ERR_INVALID,
					"%s: unknown provider \"%.40s\" (openai or anthropic)",
					what, value);
		set_provider(cfg, p);
		return LLM_OK;
	}
	case K_STRING:
	case K_SECRET:
		if (strlen(value) >= s->size) {
			return llm_errf(err, errlen, LLM_ERR_INVALID, "%s: longer than %zu bytes",
					what, s->size - 1);
		}
		llm_strlcpy(field, value, s->size);
		return LLM_OK;
	case K_U32:
	case K_SIZE: {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(value, &end, 10);
		if (!isdigit((unsigned char)value[0]) || *end || errno ||
		    v < (unsigned long long)s->min || v > (unsigned long long)s->max)
			return llm_errf(err, errlen, LLM_ERR_INVALID,
					"%s: \"%.40s\" is not an integer from %.0f to %.0f", what,
					value, s->min, s->max);
		if (s->kind == K_U32)
			*(uint32_t *)(void *)field = (uint32_t)v;
		else
			*(size_t *)(void *)field = (size_t)v;
		return LLM_OK;
	}
	case K_DOUBLE: {
		char *end;
		errno = 0;
		double v = strtod(value, &end);
		if (end == value || *end || errno || !isfinite(v) || v < s->min || v > s->max)
			return llm_errf(err, errlen, LLM_ERR_INVALID,
					"%s: \"%.40s\" is not a number from %g to %g", what, value,
					s->min, s->max);
		*(double *)(void *)field = v;
		return LLM_OK;
	}
	default:
		return LLM_ERR_INVALID;
	}
}

int llm_config_set(struct llm_config *cfg, const char *key_value, char *err, size_t errlen)
{
	if (!cfg || !key_value)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "llm_config_set: NULL argument");
	const char *eq = strchr(key_value, '=');
	if (!eq)
		return llm_errf(err, errlen, LLM_ERR_INVALID,
				"setting \"%.40s\" is not of the form key=value", key_value);
	size_t klen = (size_t)(eq - key_value);
	const struct setting *s = find_setting(key_value, klen);
	if (!s)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "unknown setting \"%.*s\"",
				(int)(klen < 40 ? klen : 40), key_value);
	return apply(cfg, s, eq + 1, s->key, err, errlen);
}

int llm_config_from_env(struct llm_config *cfg, char *err, size_t errlen)
{
	if (!cfg)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "llm_config_from_env: NULL config");
	llm_config_defaults(cfg, LLM_PROVIDER_OPENAI);
	int first_error = LLM_OK;
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		const struct setting *s = &settings[i];
		char var[64] = "ISTHMUS_LLM_";
		size_t n = strlen(var);
		for (const char *k = s->key; *k && n + 1 < sizeof(var); k++)
			var[n++] = (char)toupper((unsigned char)*k);
		var[n] = '\0';
		const char *value = getenv(var);
		if (!value)
			continue;
		int rc = apply(cfg, s, value, var, first_error ? NULL : err, errlen);
		if (rc != LLM_OK && first_error == LLM_OK)
			first_error = rc;
	}
	if (first_error != LLM_OK)
		return first_error;
	if (!cfg->api_key[0]) {
		const char *key_env = llm_provider_ops(cfg->provider)->key_env;
		const char *key = getenv(key_env);
		if (!key || !key[0])
			return llm_errf(err, errlen, LLM_ERR_CONFIG,
					"no API key for %s: set %s (or ISTHMUS_LLM_API_KEY)",
					llm_provider_name(cfg->provider), key_env);
		if (strlen(key) >= sizeof(cfg->api_key))
			return llm_errf(err, errlen, LLM_ERR_INVALID, "%s: longer than %zu bytes",
					key_env, sizeof(cfg->api_key) - 1);
		llm_strlcpy(cfg->api_key, key, sizeof(cfg->api_key));
	}
	return LLM_OK;
}

int llm_config_check(const struct llm_config *cfg, char *err, size_t errlen)
{
	if (!cfg)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "no configuration");
	if (cfg->provider != LLM_PROVIDER_OPENAI && cfg->provider != LLM_PROVIDER_ANTHROPIC)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "unknown provider %d",
				(int)cfg->provider);
	const struct llm_provider_ops *ops = llm_provider_ops(cfg->provider);
	if (!memchr(cfg->api_key, '\0', sizeof(cfg->api_key)) || !cfg->api_key[0])
		return llm_errf(err, errlen, LLM_ERR_CONFIG,
				"no API key for %s: set %s (or ISTHMUS_LLM_API_KEY)", ops->name,
				ops->key_env);
	if (strpbrk(cfg->api_key, "\r\n"))
		return llm_errf(err, errlen, LLM_ERR_INVALID, "the API key contains a line break");
	if (!memchr(cfg->model, '\0', sizeof(cfg->model)) || !cfg->model[0])
		return llm_errf(err, errlen, LLM_ERR_CONFIG,
				"no model: set ISTHMUS_LLM_MODEL or model=...");
	if (!memchr(cfg->base_url, '\0', sizeof(cfg->base_url)) ||
	    (strncasecmp(cfg->base_url, "http://", 7) != 0 &&
	     strncasecmp(cfg->base_url, "https://", 8) != 0))
		return llm_errf(err, errlen, LLM_ERR_INVALID,
				"base_url \"%.60s\" is not an http:// or https:// URL",
				cfg->base_url);
	if (!memchr(cfg->user_agent, '\0', sizeof(cfg->user_agent)) ||
	    strpbrk(cfg->user_agent, "\r\n"))
		return llm_errf(err, errlen, LLM_ERR_INVALID, "bad user_agent");
	if (cfg->provider == LLM_PROVIDER_ANTHROPIC && cfg->max_output_tokens == 0)
		return llm_errf(err, errlen, LLM_ERR_INVALID,
				"Anthropic requires max_tokens > 0 (ISTHMUS_LLM_MAX_TOKENS)");
	if (cfg->timeout_ms == 0 || cfg->connect_timeout_ms == 0)
		return llm_errf(err, errlen, LLM_ERR_INVALID, "timeouts must be > 0 ms");
	if (cfg->max_response_bytes < 1024)
		return llm_errf(err, errlen, LLM_ERR_INVALID,
				"max_response_bytes must be at least 1024");
	if (!(cfg->price_input_per_mtok >= 0) || !(cfg->price_output_per_mtok >= 0))
		return llm_errf(err, errlen, LLM_ERR_INVALID, "prices must be >= 0");
	return LLM_OK;
}
