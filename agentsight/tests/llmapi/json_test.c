/* as_llmapi_json: the stored JSON form, token estimates and prices.
 *
 * The expected JSON is written out by hand from the shape documented in
 * llmapi.h and the values of Anthropic's tool-use example; key order is part
 * of the stable shape, so the texts are compared. Estimates follow the
 * documented rule (one token per 4 bytes, rounded up) on lengths counted
 * independently; costs are worked by hand from the price table's figures.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static const char expected_json[] =
	"{\"api\":\"anthropic_messages\",\"model\":\"claude-opus-4-1-20250805\",\"stream\":false,"
	"\"messages\":[{\"role\":\"user\",\"text\":\"What's the weather like in San Francisco?\","
	"\"tool_calls\":[],\"tool_call_id\":null}],"
	"\"tools\":[\"get_weather\"],\"status\":200,"
	"\"reply\":{\"role\":\"assistant\",\"text\":\"I'll check the current weather in San "
	"Francisco for you.\",\"tool_calls\":[{\"id\":\"toolu_01A09q90qw90lq917835lq9\",\"name\":"
	"\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"San Francisco, CA\\\",\\\"unit\\\":"
	"\\\"celsius\\\"}\"}],\"tool_call_id\":null},"
	"\"stop_reason\":\"tool_use\",\"response_id\":\"msg_01Aq9w938a90dw8q\","
	"\"usage\":{\"input\":0,\"output\":0,\"cache_read\":0,\"cache_write\":0,\"reasoning\":0,"
	"\"reported\":false},"
	"\"error\":null,\"complete\":true,\"capped\":false,\"parse_problems\":0}";

static void load_tools_exchange(struct as_llm_exchange *ex)
{
	TK_CHECK(fx_request(ex, AS_LLM_API_ANTHROPIC_MESSAGES, "anthropic_request_tools.json") == 0,
		 "request");
	TK_CHECK(fx_response(ex, 200, "anthropic_response_tools.json") == 0, "response");
}

static char *dump(const json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT) : NULL;
}

static void to_json(void)
{
	struct as_llm_exchange ex = {0};
	load_tools_exchange(&ex);
	json_t *j = as_llm_exchange_to_json(&ex);
	char *got = dump(j);
	FX_STR(got, expected_json);

	/* Read back, written again: the same text. */
	struct as_llm_exchange back = {0};
	char err[256] = "";
	FX_INT(as_llm_exchange_from_json(&back, j, err, sizeof(err)), 0);
	json_t *j2 = as_llm_exchange_to_json(&back);
	char *again = dump(j2);
	FX_STR(again, expected_json);
	FX_INT(back.api, AS_LLM_API_ANTHROPIC_MESSAGES);
	FX_INT(back.reply.role, AS_LLM_ROLE_ASSISTANT);
	FX_INT(back.n_messages, 1);
	free(got);
	free(again);
	json_decref(j);
	json_decref(j2);
	as_llm_exchange_clear(&back);
	as_llm_exchange_clear(&ex);

	/* A streamed exchange with usage, an error and capped set. */
	ex.api = AS_LLM_API_OPENAI_CHAT;
	ex.stream = true;
	fx_stream(&ex, "openai_chat_stream.sse", false, NULL);
	ex.error = strdup("x");
	ex.capped = true;
	j = as_llm_exchange_to_json(&ex);
	const json_t *u = json_object_get(j, "usage");
	FX_INT(json_integer_value(json_object_get(u, "input")), 9);
	FX_INT(json_integer_value(json_object_get(u, "output")), 9);
	TK_CHECK(json_is_true(json_object_get(u, "reported")), "reported");
	TK_CHECK(json_is_true(json_object_get(j, "stream")), "stream");
	TK_CHECK(json_is_true(json_object_get(j, "capped")), "capped");
	FX_STR(json_string_value(json_object_get(j, "error")), "x");
	FX_STR(json_string_value(json_object_get(j, "api")), "openai_chat");
	FX_INT(json_array_size(json_object_get(j, "messages")), 0);
	FX_STR(json_string_value(json_object_get(json_object_get(j, "reply"), "text")),
	       "Hello! How can I assist you today?");
	FX_INT(as_llm_exchange_from_json(&back, j, err, sizeof(err)), 0);
	TK_CHECK(back.usage.reported && back.usage.input_tokens == 9, "usage read back");
	TK_CHECK(back.capped && back.stream && back.response_complete, "flags read back");
	json_decref(j);
	as_llm_exchange_clear(&back);
	as_llm_exchange_clear(&ex);
}

static void from_json_errors(void)
{
	static const struct {
		const char *json;
		const char *key; /* named in the message */
	} bad[] = {
		{"{\"messages\":\"x\"}", "messages"},
		{"{\"model\":5}", "model"},
		{"{\"usage\":{\"input\":\"1\"}}", "input"},
		{"{\"usage\":[]}", "usage"},
		{"{\"reply\":{\"tool_calls\":[1]}}", "tool_calls"},
		{"{\"reply\":7}", "reply"},
		{"{\"status\":-1}", "status"},
		{"{\"messages\":[{\"role\":\"user\",\"text\":3}]}", "text"},
		{"{\"tools\":[1]}", "tools"},
		{"{\"complete\":\"yes\"}", "complete"},
		{"{\"parse_problems\":5000000000}", "parse_problems"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct as_llm_exchange ex = {0};
		char err[256] = "";
		json_t *j = json_loads(bad[i].json, 0, NULL);
		TK_CHECK(as_llm_exchange_from_json(&ex, j, err, sizeof(err)) == -1, "%s refused",
			 bad[i].json);
		TK_CHECK(strstr(err, bad[i].key) != NULL, "%s: err names %s: %s", bad[i].json,
			 bad[i].key, err);
		TK_CHECK(ex.messages == NULL && ex.model == NULL && ex.reply.tool_calls == NULL,
			 "%s: cleared after the error", bad[i].json);
		json_decref(j);
	}
	struct as_llm_exchange ex = {0};
	char err[256];
	json_t *arr = json_array();
	FX_INT(as_llm_exchange_from_json(&ex, arr, err, sizeof(err)), -1);
	json_decref(arr);
	json_t *empty = json_object();
	FX_INT(as_llm_exchange_from_json(&ex, empty, err, sizeof(err)), 0);
	FX_INT(ex.api, AS_LLM_API_UNKNOWN);
	FX_INT(ex.reply.role, AS_LLM_ROLE_ASSISTANT);
	FX_INT(ex.n_messages, 0);
	json_decref(empty);
	as_llm_exchange_clear(&ex);
}

static void estimates(void)
{
	FX_INT(as_llm_estimate_tokens(NULL), 0);
	FX_INT(as_llm_estimate_tokens(""), 0);
	FX_INT(as_llm_estimate_tokens("abcd"), 1);
	FX_INT(as_llm_estimate_tokens("abcde"), 2);

	struct as_llm_exchange ex = {0};
	struct as_llm_usage u;
	load_tools_exchange(&ex);
	as_llm_estimate_usage(&ex, &u);
	TK_CHECK(!u.reported, "an estimate is not reported usage");
	/* 41 bytes of user text -> 11 */
	FX_INT(u.input_tokens, 11);
	/* reply: 56 bytes of text -> 14, name 11 -> 3, arguments 49 -> 13 */
	FX_INT(u.output_tokens, 30);
	as_llm_exchange_clear(&ex);
}

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-12 + 1e-9 * fabs(b);
}

static void costs(void)
{
	struct as_llm_exchange ex = {0};
	double usd = -1;

	ex.model = strdup("gpt-4o");
	ex.usage = (struct as_llm_usage){
		.reported = true, .input_tokens = 1000000, .output_tokens = 1000000};
	FX_INT(as_llm_cost_usd(&ex, NULL, 0, &usd), 0);
	TK_CHECK(near(usd, 12.5), "gpt-4o 1M in + 1M out: %.9f", usd);
	as_llm_exchange_clear(&ex);

	/* OpenAI: cached tokens are part of prompt_tokens. 86 uncached at
	 * $2.50, 1920 cached at $1.25, 300 out at $10 per million. */
	ex.api = AS_LLM_API_OPENAI_CHAT;
	fx_response(&ex, 200, "openai_chat_response_cached.json");
	FX_INT(as_llm_cost_usd(&ex, NULL, 0, &usd), 0);
	TK_CHECK(near(usd, 0.005615), "cached gpt-4o call: %.9f", usd);
	as_llm_exchange_clear(&ex);

	/* Anthropic: 21 at $3, 188086 cache writes at $3.75, 393 out at $15. */
	fx_request(&ex, AS_LLM_API_ANTHROPIC_MESSAGES, "anthropic_request_system_cache.json");
	fx_response(&ex, 200, "anthropic_response_cache.json");
	FX_INT(as_llm_cost_usd(&ex, NULL, 0, &usd), 0);
	TK_CHECK(near(usd, 0.7112805), "claude-sonnet-4 cache write: %.9f", usd);
	as_llm_exchange_clear(&ex);

	/* No usage reported: priced from the estimate, and said so. */
	load_tools_exchange(&ex);
	FX_INT(as_llm_cost_usd(&ex, NULL, 0, &usd), 1);
	/* claude-opus-4: 11 in at $15, 30 out at $75 per million */
	TK_CHECK(near(usd, (11 * 15.0 + 30 * 75.0) / 1e6), "estimated: %.9f", usd);
	as_llm_exchange_clear(&ex);

	/* Prefixes: longest wins; routers' "provider/" is looked through. */
	const struct as_llm_price *p = as_llm_price_find("gpt-4o-mini-2024-07-18", NULL, 0);
	TK_CHECK(p && strcmp(p->model_prefix, "gpt-4o-mini") == 0, "gpt-4o-mini");
	p = as_llm_price_find("openai/gpt-4.1-nano", NULL, 0);
	TK_CHECK(p && strcmp(p->model_prefix, "gpt-4.1-nano") == 0, "openai/gpt-4.1-nano");
	p = as_llm_price_find("claude-opus-4-5-20251101", NULL, 0);
	TK_CHECK(p && p->input_usd_per_mtok == 5.0, "claude-opus-4-5");
	p = as_llm_price_find("claude-opus-4-1-20250805", NULL, 0);
	TK_CHECK(p && p->input_usd_per_mtok == 15.0, "claude-opus-4-1");
	TK_CHECK(as_llm_price_find("llama-3.1-70b", NULL, 0) == NULL, "unknown model");
	TK_CHECK(as_llm_price_find(NULL, NULL, 0) == NULL, "no model");

	/* Overrides from text. */
	struct as_llm_price *t = NULL;
	size_t n = 0;
	char err[256] = "";
	const char *text = "# local prices\n\nllama-3 0.5 1.5\ngpt-4o 1 2 0.5   # cheaper\n"
			   "claude 1 2 0.1 1.25";
	FX_INT(as_llm_prices_parse(text, &t, &n, err, sizeof(err)), 0);
	FX_INT(n, 3);
	if (n == 3 && t) {
		FX_STR(t[0].model_prefix, "llama-3");
		TK_CHECK(t[0].input_usd_per_mtok == 0.5 && t[0].output_usd_per_mtok == 1.5 &&
				 t[0].cache_read_usd_per_mtok == 0 &&
				 t[0].cache_write_usd_per_mtok == 0,
			 "llama-3 prices");
		TK_CHECK(t[1].cache_read_usd_per_mtok == 0.5, "gpt-4o cache read");
		TK_CHECK(t[2].cache_write_usd_per_mtok == 1.25, "claude cache write");
	}
	ex.model = strdup("llama-3.1-70b");
	ex.usage = (struct as_llm_usage){.reported = true,
					 .input_tokens = 2000000,
					 .cache_read_tokens = 1000000,
					 .output_tokens = 1000000};
	/* No cache price: cached tokens cost the input price. */
	FX_INT(as_llm_cost_usd(&ex, t, n, &usd), 0);
	TK_CHECK(near(usd, 2 * 0.5 + 1.5), "llama override: %.9f", usd);
	free(ex.model);
	ex.model = strdup("gpt-4o-mini");
	p = as_llm_price_find(ex.model, t, n);
	TK_CHECK(p == &t[1], "an override prefix beats a longer built-in one");
	as_llm_exchange_clear(&ex);
	FX_INT(as_llm_cost_usd(&ex, t, n, &usd), -1); /* no model */
	TK_CHECK(usd == 0, "no price, no cost");
	free(t);

	static const char *const bad[] = {"gpt 1\n", "x -1 2\n", "x 1 2 3 4 5\n", "x 1 two\n",
					  "x 1 2e\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = (struct as_llm_price *)1;
		FX_INT(as_llm_prices_parse(bad[i], &t, &n, err, sizeof(err)), -1);
		TK_CHECK(t == NULL && n == 0, "nothing returned for %s", bad[i]);
		TK_CHECK(strstr(err, "line 1") != NULL, "err names the line: %s", err);
	}
	FX_INT(as_llm_prices_parse("ok 1 2\nbad\n", &t, &n, err, sizeof(err)), -1);
	TK_CHECK(strstr(err, "line 2") != NULL, "err names line 2: %s", err);
}

int main(int argc, char **argv)
{
	fx_init(argc, argv);
	to_json();
	from_json_errors();
	estimates();
	costs();
	return tk_finish();
}
