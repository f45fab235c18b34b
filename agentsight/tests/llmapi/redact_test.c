/* as_llmapi_redact: credentials are masked in headers and bodies.
 *
 * The secrets have the documented shapes of each provider's keys (OpenAI
 * "sk-"/"sk-proj-", Anthropic "sk-ant-api03-", Google "AIza" + 35, AWS access
 * key ids with AWS's documented example AKIAIOSFODNN7EXAMPLE, GitHub "ghp_" +
 * 36 and "github_pat_", jwt.io's example token). After masking, no secret
 * may remain, bodies must keep their length and still parse as JSON, and a
 * second pass must find nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "redact.h"

static const char openai_proj[] = "sk-proj-Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4fGh7jKl0nOp3rSt6vWx9z";
static const char openai_old[] = "sk-4f8Kd9Lm2Nq7Rs1Tu6Vw3Xy8Za5Bc0De7Fg2Hi9Jk4Lm1No6";
static const char anthropic[] =
	"sk-ant-api03-R2D2c3poBB8Ahsoka1Tano2Mace3Windu4Qui5Gon6Jinn7Lando8C"
	"alrissian9Boba0Fett1Jango2Fett3Padme4Amidala5Obi6Wan7K-nobiAA";
static const char google[] = "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q";
static const char aws[] = "AKIAIOSFODNN7EXAMPLE";
static const char gh_classic[] = "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R";
static const char gh_fine[] = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
			      "KLMNOPQRSTUVWX0123456789abcd";
static const char jwt[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZ"
			  "SI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36P"
			  "Ok6yJV_adQssw5c";

static bool contains(const char *buf, size_t len, const char *needle)
{
	return memmem(buf, len, needle, strlen(needle)) != NULL;
}

/* The part of a secret that must be gone: all but its kept prefix. */
static const char *tail(const char *secret, size_t keep)
{
	return secret + keep;
}

static void shapes(void)
{
	/* The fixtures have the lengths the providers document. */
	FX_INT(strlen(google), 39);
	FX_INT(strlen(aws), 20);
	FX_INT(strlen(gh_classic), 40);
	FX_INT(strlen(jwt) > 100, 1);
}

static void headers(void)
{
	char v[512];

	snprintf(v, sizeof(v), "Bearer %s", openai_proj);
	TK_CHECK(as_redact_header("Authorization", v), "authorization");
	FX_STR(v, "Bearer [REDACTED]");
	TK_CHECK(!as_redact_header("Authorization", v), "masked once only");
	FX_STR(v, "Bearer [REDACTED]");

	snprintf(v, sizeof(v), "%s", anthropic);
	TK_CHECK(as_redact_header("x-api-key", v), "x-api-key");
	FX_STR(v, "[REDACTED]");

	snprintf(v, sizeof(v), "0123456789abcdef0123456789abcdef"); /* Azure key, 32 hex */
	TK_CHECK(as_redact_header("api-key", v), "api-key");
	FX_STR(v, "[REDACTED]");

	snprintf(v, sizeof(v), "%s", anthropic);
	TK_CHECK(as_redact_header("anthropic-api-key", v), "anthropic-api-key");
	FX_STR(v, "[REDACTED]");
	snprintf(v, sizeof(v), "%s", openai_old);
	TK_CHECK(as_redact_header("OpenAI-Api-Key", v), "openai-api-key, any case");
	FX_STR(v, "[REDACTED]");
	snprintf(v, sizeof(v), "%s", google);
	TK_CHECK(as_redact_header("x-goog-api-key", v), "x-goog-api-key");
	FX_STR(v, "[REDACTED]");

	snprintf(v, sizeof(v), "__Secure-next-auth.session-token=abc123def456; theme=dark");
	TK_CHECK(as_redact_header("Cookie", v), "cookie");
	FX_STR(v, "[REDACTED]");
	snprintf(v, sizeof(v), "sid=31d4d96e407aad42; Path=/; Secure; HttpOnly");
	TK_CHECK(as_redact_header("set-cookie", v), "set-cookie");
	FX_STR(v, "[REDACTED]");

	snprintf(v, sizeof(v), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="); /* RFC 7617's example */
	TK_CHECK(as_redact_header("Proxy-Authorization", v), "proxy-authorization");
	FX_STR(v, "Basic [REDACTED]");
	snprintf(v, sizeof(v), "AUTHORIZATION-less");
	TK_CHECK(as_redact_header("AUTHORIZATION", v), "no scheme: all of it");
	FX_STR(v, "[REDACTED]");
	snprintf(v, sizeof(v), "Bearer abc");
	TK_CHECK(as_redact_header("authorization", v), "short credential");
	FX_STR(v, "Bearer ***");
	snprintf(v, sizeof(v), "x");
	TK_CHECK(as_redact_header("x-api-key", v), "one byte");
	FX_STR(v, "*");
	snprintf(v, sizeof(v), "%s", "");
	TK_CHECK(!as_redact_header("x-api-key", v), "empty: nothing to mask");

	/* Other headers: only secrets inside them. */
	snprintf(v, sizeof(v), "application/json");
	TK_CHECK(!as_redact_header("Content-Type", v), "content-type");
	FX_STR(v, "application/json");
	snprintf(v, sizeof(v), "https://example.com/cb?key=%s", google);
	TK_CHECK(as_redact_header("Referer", v), "a key inside another header");
	TK_CHECK(!strstr(v, google + 4), "key gone: %s", v);
	snprintf(v, sizeof(v), "claude-cli/1.0.83 (external, cli)");
	TK_CHECK(!as_redact_header("User-Agent", v), "user-agent");
	FX_STR(v, "claude-cli/1.0.83 (external, cli)");
	TK_CHECK(!as_redact_header("x-api-key", NULL), "NULL value");

	TK_CHECK(as_redact_header_name("X-Auth-Token"), "token in a name");
	TK_CHECK(as_redact_header_name("x-client-secret"), "secret in a name");
	TK_CHECK(!as_redact_header_name("anthropic-version"), "anthropic-version");
	TK_CHECK(!as_redact_header_name("x-request-id"), "x-request-id");
	TK_CHECK(!as_redact_header_name(NULL), "NULL name");
}

static void text_kinds(void)
{
	struct {
		const char *secret;
		size_t keep; /* prefix left in place */
	} kinds[] = {
		{openai_proj, 8}, {openai_old, 3}, {anthropic, 7}, {google, 4},
		{aws, 4},	  {gh_classic, 4}, {gh_fine, 11},  {jwt, 3},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char buf[512];
		int n = snprintf(buf, sizeof(buf), "export KEY_%zu=\"%s\" # keep this", i,
				 kinds[i].secret);
		size_t len = (size_t)n;
		FX_INT(as_redact_text(buf, len), 1);
		TK_CHECK(!contains(buf, len, tail(kinds[i].secret, kinds[i].keep)),
			 "secret %zu gone: %s", i, buf);
		char prefix[16];
		snprintf(prefix, sizeof(prefix), "%.*s%s", (int)kinds[i].keep, kinds[i].secret,
			 AS_REDACTED);
		TK_CHECK(contains(buf, len, prefix), "%zu keeps its prefix: %s", i, buf);
		TK_CHECK(contains(buf, len, "\" # keep this"), "the rest stays: %s", buf);
		FX_INT(strlen(buf), len);
		FX_INT(as_redact_text(buf, len), 0);
	}

	char bearer[] = "curl -H 'Authorization: Bearer 8f3a9c2e71d04b5fa6e2' https://x";
	FX_INT(as_redact_text(bearer, strlen(bearer)), 1);
	FX_STR(bearer, "curl -H 'Authorization: Bearer [REDACTED]**********' https://x");

	char query[] = "GET /v1/data?user=bob&api_key=abc123&page=2 and password=hunter2";
	FX_INT(as_redact_text(query, strlen(query)), 2);
	FX_STR(query, "GET /v1/data?user=bob&api_key=******&page=2 and password=*******");

	char env[] = "OPENAI_API_KEY=whatever-it-is\nDB_PASSWORD=$DB_PASS\n";
	FX_INT(as_redact_text(env, strlen(env)), 1); /* a $reference is no secret */
	FX_STR(env, "OPENAI_API_KEY=[REDACTED]****\nDB_PASSWORD=$DB_PASS\n");
}

static const char json_not_secrets[] =
	"{\"max_tokens\":1024,\"tokens\":5,\"token_count\":\"12\",\"description\":"
	"\"the user's password\",\"password\":{\"type\":\"string\"},\"secret\":\"\"}";

static void text_not_secrets(void)
{
	static const char *const keep[] = {
		"Use the task-manager-service-v2-production-build-123456 tool",
		"max_tokens=100 and input_tokens: 5",
		"Bearer tokens are short-lived credentials",
		"Bearer authentication is described in RFC 6750",
		"The AKIA prefix marks AWS keys; AKIAIOSFODNN7EXAMPLEX is too long",
		"sk-learn is a library; risk-free-rate-of-return-2024-annualised",
		json_not_secrets,
		"https://example.com/?page=2&sort=asc",
		"if token==expected: ok",
	};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		char *b = strdup(keep[i]);
		FX_INT(as_redact_text(b, strlen(b)), 0);
		FX_STR(b, keep[i]);
		free(b);
	}
	FX_INT(as_redact_text(NULL, 5), 0);
}

/* A request body as an agent sends it, with secrets in the prompt, in a
 * tool call's arguments (JSON inside a JSON string) and in fields. */
static char *secret_body(size_t *len)
{
	char *b = malloc(8192);
	int n = snprintf(
		b, 8192,
		"{\"model\":\"gpt-4.1\",\"api_key\":\"%s\",\"apiKey\":\"plain-value-1\","
		"\"messages\":["
		"{\"role\":\"user\",\"content\":\"My key is %s and AWS %s, github %s.\"},"
		"{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
		"\"type\":\"function\",\"function\":{\"name\":\"write_config\",\"arguments\":"
		"\"{\\\"password\\\": \\\"hunter2\\\", \\\"client_secret\\\":\\\"s3\\\\\\\"cr\\\","
		"\\\"path\\\":\\\"/etc/app.conf\\\"}\"}}]},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"ANTHROPIC_API_KEY=%"
		"s\\n"
		"GOOGLE=%s\\nTOKEN: Bearer %s\"},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"pat %s\"}]}],"
		"\"metadata\":{\"Password\":\"p\\u00e4ss "
		"\\\"quoted\\\"\",\"refresh_token\":\"r1\"}}",
		openai_old, openai_proj, aws, gh_classic, anthropic, google, jwt, gh_fine);
	*len = (size_t)n;
	return b;
}

static void bodies(void)
{
	size_t len;
	char *b = secret_body(&len);
	json_t *before = json_loadb(b, len, 0, NULL);
	TK_CHECK(before != NULL, "the test body is JSON");
	json_decref(before);

	/* api_key, apiKey, 5 in the user text... */
	size_t count = as_redact_text(b, len);
	/* api_key, apiKey, sk-proj, AKIA, ghp_, password, client_secret,
	 * ANTHROPIC_API_KEY=, AIza, Bearer, github_pat_, Password, refresh_token */
	FX_INT(count, 13);
	FX_INT(strlen(b), len);
	json_error_t je;
	json_t *after = json_loadb(b, len, 0, &je);
	TK_CHECK(after != NULL, "still JSON after masking: %s at %d", je.text, je.position);
	const char *gone[] = {
		openai_old + 3, openai_proj + 8, aws + 4,      gh_classic + 4, anthropic + 7,
		google + 4,	jwt + 3,	 gh_fine + 11, "hunter2",      "s3",
		"cr\\\"",	"plain-value-1", "\\u00e4ss",  "r1\""};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		TK_CHECK(!contains(b, len, gone[i]), "gone: %s", gone[i]);
	TK_CHECK(contains(b, len, "/etc/app.conf"), "other arguments kept");
	TK_CHECK(contains(b, len, "\"model\":\"gpt-4.1\""), "model kept");
	FX_INT(as_redact_text(b, len), 0);

	/* The arguments are still JSON once the body is decoded. */
	if (after) {
		const json_t *msgs = json_object_get(after, "messages");
		const json_t *tc =
			json_array_get(json_object_get(json_array_get(msgs, 1), "tool_calls"), 0);
		const char *args = json_string_value(
			json_object_get(json_object_get(tc, "function"), "arguments"));
		json_t *a = args ? json_loads(args, 0, NULL) : NULL;
		TK_CHECK(a != NULL, "arguments still JSON: %s", args ? args : "(none)");
		FX_STR(json_string_value(json_object_get(a, "password")), "*******");
		FX_STR(json_string_value(json_object_get(a, "path")), "/etc/app.conf");
		json_decref(a);
	}
	json_decref(after);
	free(b);
}

/* The parsers mask what they keep even when handed an unmasked body. */
static void exchange(void)
{
	size_t len;
	char *b = secret_body(&len);
	struct as_llm_exchange ex = {0};
	char err[256];
	FX_INT(as_llm_parse_request(&ex, AS_LLM_API_OPENAI_CHAT, b, len, err, sizeof(err)), 0);
	json_t *j = as_llm_exchange_to_json(&ex);
	char *s = json_dumps(j, 0);
	const char *gone[] = {openai_proj + 8, aws + 4, gh_classic + 4, anthropic + 7,
			      google + 4,      jwt + 3, gh_fine + 11,	"hunter2"};
	for (size_t i = 0; s && i < sizeof(gone) / sizeof(gone[0]); i++)
		TK_CHECK(!strstr(s, gone[i]), "not in the exchange: %s", gone[i]);
	TK_CHECK(s && strstr(s, "sk-proj-[REDACTED]"), "masked key in the exchange");
	FX_INT(as_llm_exchange_redact(&ex), 0);
	free(s);
	json_decref(j);
	as_llm_exchange_clear(&ex);

	static const char resp[] = "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"Set "
				   "GITHUB_TOKEN=ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R\"}}]}";
	ex.api = AS_LLM_API_OPENAI_CHAT;
	FX_INT(as_llm_parse_response(&ex, 200, resp, sizeof(resp) - 1, err, sizeof(err)), 0);
	FX_STR(ex.reply.text, "Set GITHUB_TOKEN=[REDACTED]******************************");
	as_llm_exchange_clear(&ex);
	free(b);
}

int main(int argc, char **argv)
{
	fx_init(argc, argv);
	shapes();
	headers();
	text_kinds();
	text_not_secrets();
	bodies();
	exchange();
	return tk_finish();
}
