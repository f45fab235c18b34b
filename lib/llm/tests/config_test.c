/* config_test: defaults, environment variables, key=value overrides and the
 * configuration check: every variable reaches its field, bad values are
 * refused with the variable or key named, a missing key names the variable to
 * set, and no error message ever repeats an API key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm.h"
#include "testkit.h"

static const char *const vars[] = {
	"ISTHMUS_LLM_PROVIDER",	   "ISTHMUS_LLM_BASE_URL",   "ISTHMUS_LLM_MODEL",
	"ISTHMUS_LLM_API_KEY",	   "ISTHMUS_LLM_USER_AGENT", "ISTHMUS_LLM_MAX_TOKENS",
	"ISTHMUS_LLM_TEMPERATURE", "ISTHMUS_LLM_TIMEOUT_MS", "ISTHMUS_LLM_CONNECT_TIMEOUT_MS",
	"ISTHMUS_LLM_MAX_RETRIES", "ISTHMUS_LLM_BACKOFF_MS", "ISTHMUS_LLM_MAX_BACKOFF_MS",
	"ISTHMUS_LLM_PRICE_IN",	   "ISTHMUS_LLM_PRICE_OUT",  "ISTHMUS_LLM_MAX_RESPONSE_BYTES",
	"OPENAI_API_KEY",	   "ANTHROPIC_API_KEY",
};

static void clear_env(void)
{
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

int main(void)
{
	struct llm_config cfg;
	char err[256];

	/* Defaults: the public endpoints as the two API references give them. */
	llm_config_defaults(&cfg, LLM_PROVIDER_OPENAI);
	TK_CHECK(strcmp(cfg.base_url, "https://api.openai.com/v1") == 0, "openai url %s",
		 cfg.base_url);
	TK_CHECK(cfg.max_output_tokens == 0 && cfg.temperature < 0, "openai sends neither");
	llm_config_defaults(&cfg, LLM_PROVIDER_ANTHROPIC);
	TK_CHECK(strcmp(cfg.base_url, "https://api.anthropic.com") == 0, "anthropic url %s",
		 cfg.base_url);
	TK_CHECK(cfg.max_output_tokens > 0, "anthropic needs max_tokens");
	TK_CHECK(cfg.api_key[0] == '\0', "a default key");

	/* No key anywhere: the error names the provider's variable. */
	clear_env();
	int rc = llm_config_from_env(&cfg, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_CONFIG, "no key: rc %d", rc);
	TK_CHECK(strstr(err, "OPENAI_API_KEY") != NULL, "no key: \"%s\"", err);
	TK_CHECK(strcmp(cfg.model, "gpt-4o-mini") == 0, "the rest is still filled: %s", cfg.model);
	setenv("ISTHMUS_LLM_PROVIDER", "Anthropic", 1);
	rc = llm_config_from_env(&cfg, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_CONFIG && strstr(err, "ANTHROPIC_API_KEY"), "anthropic: %s", err);
	TK_CHECK(cfg.provider == LLM_PROVIDER_ANTHROPIC, "provider not set");
	TK_CHECK(strcmp(cfg.base_url, "https://api.anthropic.com") == 0, "url %s", cfg.base_url);
	setenv("OPENAI_API_KEY", "sk-openai-0123456789", 1);
	rc = llm_config_from_env(&cfg, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_CONFIG, "the other provider's key was taken");

	/* Every variable. */
	clear_env();
	setenv("ISTHMUS_LLM_PROVIDER", "anthropic", 1);
	setenv("ISTHMUS_LLM_BASE_URL", "http://127.0.0.1:9/", 1);
	setenv("ISTHMUS_LLM_MODEL", "claude-test", 1);
	setenv("ANTHROPIC_API_KEY", "sk-ant-0123456789abcdef", 1);
	setenv("ISTHMUS_LLM_USER_AGENT", "tool/1.0", 1);
	setenv("ISTHMUS_LLM_MAX_TOKENS", "321", 1);
	setenv("ISTHMUS_LLM_TEMPERATURE", "0.25", 1);
	setenv("ISTHMUS_LLM_TIMEOUT_MS", "4000", 1);
	setenv("ISTHMUS_LLM_CONNECT_TIMEOUT_MS", "700", 1);
	setenv("ISTHMUS_LLM_MAX_RETRIES", "5", 1);
	setenv("ISTHMUS_LLM_BACKOFF_MS", "20", 1);
	setenv("ISTHMUS_LLM_MAX_BACKOFF_MS", "900", 1);
	setenv("ISTHMUS_LLM_PRICE_IN", "3", 1);
	setenv("ISTHMUS_LLM_PRICE_OUT", "15", 1);
	setenv("ISTHMUS_LLM_MAX_RESPONSE_BYTES", "65536", 1);
	rc = llm_config_from_env(&cfg, err, sizeof(err));
	TK_CHECK(rc == LLM_OK, "full env: %d %s", rc, err);
	TK_CHECK(cfg.provider == LLM_PROVIDER_ANTHROPIC, "provider");
	TK_CHECK(strcmp(cfg.base_url, "http://127.0.0.1:9/") == 0, "base_url %s", cfg.base_url);
	TK_CHECK(strcmp(cfg.model, "claude-test") == 0, "model %s", cfg.model);
	TK_CHECK(strcmp(cfg.api_key, "sk-ant-0123456789abcdef") == 0, "key not taken");
	TK_CHECK(strcmp(cfg.user_agent, "tool/1.0") == 0, "user agent %s", cfg.user_agent);
	TK_CHECK(cfg.max_output_tokens == 321, "max tokens %u", cfg.max_output_tokens);
	TK_CHECK(cfg.temperature == 0.25, "temperature %g", cfg.temperature);
	TK_CHECK(cfg.timeout_ms == 4000 && cfg.connect_timeout_ms == 700, "timeouts %u %u",
		 cfg.timeout_ms, cfg.connect_timeout_ms);
	TK_CHECK(cfg.max_retries == 5 && cfg.initial_backoff_ms == 20 && cfg.max_backoff_ms == 900,
		 "retries %u %u %u", cfg.max_retries, cfg.initial_backoff_ms, cfg.max_backoff_ms);
	TK_CHECK(cfg.price_input_per_mtok == 3 && cfg.price_output_per_mtok == 15, "prices");
	TK_CHECK(cfg.max_response_bytes == 65536, "max response %zu", cfg.max_response_bytes);
	TK_CHECK(llm_config_check(&cfg, err, sizeof(err)) == LLM_OK, "check: %s", err);

	/* ISTHMUS_LLM_API_KEY wins over the provider's variable. */
	setenv("ISTHMUS_LLM_API_KEY", "sk-generic-99999999", 1);
	rc = llm_config_from_env(&cfg, err, sizeof(err));
	TK_CHECK(rc == LLM_OK && strcmp(cfg.api_key, "sk-generic-99999999") == 0,
		 "ISTHMUS_LLM_API_KEY not preferred");

	/* Malformed values name their variable. */
	static const struct {
		const char *var, *value;
	} bad[] = {
		{"ISTHMUS_LLM_TIMEOUT_MS", "abc"},  {"ISTHMUS_LLM_TIMEOUT_MS", "0"},
		{"ISTHMUS_LLM_MAX_RETRIES", "-1"},  {"ISTHMUS_LLM_TEMPERATURE", "3"},
		{"ISTHMUS_LLM_TEMPERATURE", "nan"}, {"ISTHMUS_LLM_PROVIDER", "gemini"},
		{"ISTHMUS_LLM_MAX_TOKENS", "12x"},  {"ISTHMUS_LLM_PRICE_IN", ""},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *cur = getenv(bad[i].var);
		char *old = cur ? strdup(cur) : NULL;
		setenv(bad[i].var, bad[i].value, 1);
		err[0] = '\0';
		rc = llm_config_from_env(&cfg, err, sizeof(err));
		TK_CHECK(rc == LLM_ERR_INVALID, "%s=%s: rc %d", bad[i].var, bad[i].value, rc);
		TK_CHECK(strstr(err, bad[i].var) != NULL, "%s=%s: \"%s\"", bad[i].var, bad[i].value,
			 err);
		if (old)
			setenv(bad[i].var, old, 1);
		else
			unsetenv(bad[i].var);
		free(old);
	}

	/* key=value overrides. */
	llm_config_defaults(&cfg, LLM_PROVIDER_OPENAI);
	TK_CHECK(llm_config_set(&cfg, "model=gpt-x", err, sizeof(err)) == LLM_OK, "%s", err);
	TK_CHECK(strcmp(cfg.model, "gpt-x") == 0, "model %s", cfg.model);
	TK_CHECK(llm_config_set(&cfg, "max_retries=0", err, sizeof(err)) == LLM_OK, "%s", err);
	TK_CHECK(cfg.max_retries == 0, "max_retries %u", cfg.max_retries);
	TK_CHECK(llm_config_set(&cfg, "price_out=0.6", err, sizeof(err)) == LLM_OK, "%s", err);
	TK_CHECK(cfg.price_output_per_mtok == 0.6, "price_out %g", cfg.price_output_per_mtok);
	/* A provider switch moves default fields along but keeps chosen ones. */
	TK_CHECK(llm_config_set(&cfg, "provider=anthropic", err, sizeof(err)) == LLM_OK, "%s", err);
	TK_CHECK(strcmp(cfg.base_url, "https://api.anthropic.com") == 0, "url %s", cfg.base_url);
	TK_CHECK(strcmp(cfg.model, "gpt-x") == 0, "chosen model lost: %s", cfg.model);
	TK_CHECK(cfg.max_output_tokens == 1024, "max tokens %u", cfg.max_output_tokens);
	TK_CHECK(llm_config_set(&cfg, "bogus=1", err, sizeof(err)) == LLM_ERR_INVALID &&
			 strstr(err, "bogus"),
		 "unknown key: %s", err);
	TK_CHECK(llm_config_set(&cfg, "model", err, sizeof(err)) == LLM_ERR_INVALID &&
			 strstr(err, "key=value"),
		 "no '=': %s", err);
	TK_CHECK(llm_config_set(&cfg, "connect_timeout_ms=99999999999", err, sizeof(err)) ==
				 LLM_ERR_INVALID &&
			 strstr(err, "connect_timeout_ms"),
		 "overflow: %s", err);

	/* A key that is too long is refused without being repeated. */
	char kv[700] = "api_key=";
	memset(kv + 8, 'K', sizeof(kv) - 9);
	kv[sizeof(kv) - 1] = '\0';
	rc = llm_config_set(&cfg, kv, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_INVALID && strstr(err, "api_key") && !strstr(err, "KKKK"),
		 "long key: %d \"%s\"", rc, err);

	/* The check before a client opens. */
	llm_config_defaults(&cfg, LLM_PROVIDER_ANTHROPIC);
	rc = llm_config_check(&cfg, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_CONFIG && strstr(err, "ANTHROPIC_API_KEY"), "no key: %s", err);
	struct llm_client *client = NULL;
	rc = llm_client_new(&cfg, &client, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_CONFIG && client == NULL && strstr(err, "ANTHROPIC_API_KEY"),
		 "client without key: %d %s", rc, err);
	llm_config_set(&cfg, "api_key=sk-ant-secret-1234567", err, sizeof(err));
	cfg.max_output_tokens = 0;
	rc = llm_config_check(&cfg, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_INVALID && strstr(err, "max_tokens"), "anthropic max 0: %s", err);
	cfg.max_output_tokens = 10;
	llm_config_set(&cfg, "base_url=ftp://example.org", err, sizeof(err));
	rc = llm_config_check(&cfg, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_INVALID && strstr(err, "ftp://example.org"), "ftp url: %s", err);
	llm_config_set(&cfg, "base_url=http://127.0.0.1:1", err, sizeof(err));
	llm_config_set(&cfg, "api_key=sk-ant-secret\r\nX-Evil: 1", err, sizeof(err));
	rc = llm_config_check(&cfg, err, sizeof(err));
	TK_CHECK(rc == LLM_ERR_INVALID && !strstr(err, "secret"), "key with CRLF: %s", err);
	llm_config_set(&cfg, "api_key=sk-ant-secret-1234567", err, sizeof(err));
	TK_CHECK(llm_config_check(&cfg, err, sizeof(err)) == LLM_OK, "good config: %s", err);

	/* Names both ways. */
	enum llm_provider p;
	TK_CHECK(llm_provider_parse("OPENAI", &p) == LLM_OK && p == LLM_PROVIDER_OPENAI, "parse");
	TK_CHECK(llm_provider_parse("claude", &p) == LLM_ERR_INVALID, "claude is not a provider");
	TK_CHECK(strcmp(llm_provider_name(LLM_PROVIDER_ANTHROPIC), "anthropic") == 0, "name");
	TK_CHECK(strcmp(llm_strerror(LLM_ERR_TIMEOUT), "timed out") == 0, "strerror");
	return tk_finish();
}
