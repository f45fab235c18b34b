/* llm: a small chat client for hosted LLM APIs, over libcurl and jansson.
 *
 * Two wire protocols are spoken: OpenAI-compatible chat completions
 * (POST {base}/chat/completions, "Authorization: Bearer") and Anthropic
 * messages (POST {base}/v1/messages, "x-api-key"). A caller fills a
 * struct llm_config (by hand, from the environment with llm_config_from_env,
 * and from "key=value" flags with llm_config_set), opens a client and sends
 * lists of messages with llm_chat, streamed (SSE, a callback per text delta)
 * or not. The client retries 408/409/429/5xx and broken connections with
 * exponential backoff and jitter, honouring Retry-After, and keeps token and
 * cost totals across calls. Nothing here prints or exits: errors are negative
 * enum llm_error values with a message in the caller's buffer, and API keys
 * never appear in those messages. See README.md in this folder for an example.
 */
#ifndef ISTHMUS_LLM_H
#define ISTHMUS_LLM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum llm_provider {
	LLM_PROVIDER_OPENAI = 0, /* OpenAI and compatible servers (vLLM, llama.cpp, ...) */
	LLM_PROVIDER_ANTHROPIC,
};

/* Every function returning int returns LLM_OK or one of these (negative). */
enum llm_error {
	LLM_OK = 0,
	LLM_ERR_INVALID = -1,	  /* a bad argument, config value or request */
	LLM_ERR_NOMEM = -2,	  /* out of memory */
	LLM_ERR_CONFIG = -3,	  /* configuration incomplete (no API key, no model) */
	LLM_ERR_HTTP = -4,	  /* the server answered with a non-2xx status */
	LLM_ERR_TIMEOUT = -5,	  /* connect or total timeout expired */
	LLM_ERR_CONNECT = -6,	  /* could not connect, or the connection broke */
	LLM_ERR_PARSE = -7,	  /* the response is not what the API documents */
	LLM_ERR_TRUNCATED = -8,	  /* a stream ended before its end marker */
	LLM_ERR_API = -9,	  /* the API reported an error inside a 2xx stream or body */
	LLM_ERR_TOO_LARGE = -10,  /* the response exceeded max_response_bytes */
	LLM_ERR_CANCELLED = -11,  /* the cancel flag was set or the delta callback said stop */
	LLM_ERR_TRANSPORT = -12,  /* another libcurl failure (TLS, protocol, ...) */
	LLM_ERR_UNSUPPORTED = -13 /* the request asks for something not implemented */
};

/* A short fixed description of an llm_error value ("HTTP error", ...). */
const char *llm_strerror(int err);

/* "openai" or "anthropic". */
const char *llm_provider_name(enum llm_provider provider);

/* Parses "openai" or "anthropic" (case-insensitive); LLM_ERR_INVALID otherwise. */
int llm_provider_parse(const char *name, enum llm_provider *out);

#define LLM_URL_MAX   512
#define LLM_KEY_MAX   512
#define LLM_MODEL_MAX 128
#define LLM_UA_MAX    128

/* Everything a client needs. Plain data: copy it freely. llm_config_defaults
 * gives every field a usable value except api_key. */
struct llm_config {
	enum llm_provider provider;
	char base_url[LLM_URL_MAX]; /* without the endpoint: "https://api.openai.com/v1" */
	char api_key[LLM_KEY_MAX];
	char model[LLM_MODEL_MAX];
	char user_agent[LLM_UA_MAX];
	char ca_file[LLM_URL_MAX];    /* PEM bundle to trust instead of the system's; "": system */
	uint32_t max_output_tokens;   /* 0: not sent (OpenAI); Anthropic needs > 0 */
	double temperature;	      /* < 0: not sent, the API's default applies */
	uint32_t connect_timeout_ms;  /* TCP + TLS connect, per attempt */
	uint32_t timeout_ms;	      /* a whole attempt, the full stream included */
	uint32_t max_retries;	      /* attempts after the first one */
	uint32_t initial_backoff_ms;  /* first retry delay; doubles each retry */
	uint32_t max_backoff_ms;      /* cap on a delay; a longer Retry-After gives up */
	double price_input_per_mtok;  /* USD per million input tokens; 0: cost unknown */
	double price_output_per_mtok; /* USD per million output tokens */
	size_t max_response_bytes;    /* a larger response body or stream is refused */
};

/* Defaults for a provider: its public base URL, a default model, no key,
 * max_output_tokens 0 (OpenAI) or 1024 (Anthropic), temperature -1 (not
 * sent), 10 s connect, 600 s total, 2 retries from 500 ms up to 30 s, prices 0,
 * 16 MiB response limit. */
void llm_config_defaults(struct llm_config *cfg, enum llm_provider provider);

/* Fills cfg from the environment: llm_config_defaults for
 * ISTHMUS_LLM_PROVIDER (default openai), then each variable that is set:
 *
 *   ISTHMUS_LLM_PROVIDER            openai | anthropic
 *   ISTHMUS_LLM_BASE_URL            base URL (e.g. http://127.0.0.1:8000/v1)
 *   ISTHMUS_LLM_MODEL               model name
 *   ISTHMUS_LLM_API_KEY             the key, for either provider; else
 *   OPENAI_API_KEY / ANTHROPIC_API_KEY  (the one matching the provider)
 *   ISTHMUS_LLM_MAX_TOKENS          max output tokens
 *   ISTHMUS_LLM_TEMPERATURE         0..2, or -1 for the API default
 *   ISTHMUS_LLM_TIMEOUT_MS          total timeout of one attempt
 *   ISTHMUS_LLM_CONNECT_TIMEOUT_MS  connect timeout
 *   ISTHMUS_LLM_MAX_RETRIES         retries after the first attempt
 *   ISTHMUS_LLM_BACKOFF_MS          first retry delay
 *   ISTHMUS_LLM_MAX_BACKOFF_MS      longest retry delay
 *   ISTHMUS_LLM_PRICE_IN            USD per million input tokens
 *   ISTHMUS_LLM_PRICE_OUT           USD per million output tokens
 *   ISTHMUS_LLM_USER_AGENT          User-Agent header
 *   ISTHMUS_LLM_CA_FILE             CA bundle (PEM) for a private endpoint
 *   ISTHMUS_LLM_MAX_RESPONSE_BYTES  response size limit
 *
 * A malformed value gives LLM_ERR_INVALID naming the variable. When no key
 * is found the rest of cfg is still filled and LLM_ERR_CONFIG names the
 * variables to set, so a caller may still supply the key another way. */
int llm_config_from_env(struct llm_config *cfg, char *err, size_t errlen);

/* Applies one "key=value" setting, for command-line flags. Keys are the
 * variable names above without ISTHMUS_LLM_, in lower case (provider,
 * base_url, model, api_key, max_tokens, temperature, timeout_ms,
 * connect_timeout_ms, max_retries, backoff_ms, max_backoff_ms, price_in,
 * price_out, user_agent, ca_file, max_response_bytes). Changing the provider also
 * changes base_url and model when they still hold the old provider's
 * defaults. LLM_ERR_INVALID names the key and what is wrong; the error never
 * repeats an api_key value. */
int llm_config_set(struct llm_config *cfg, const char *key_value, char *err, size_t errlen);

/* LLM_OK when cfg can be used: a key, a model, an http(s) base URL, a
 * positive max_output_tokens for Anthropic, timeouts > 0. */
int llm_config_check(const struct llm_config *cfg, char *err, size_t errlen);

enum llm_role {
	LLM_ROLE_SYSTEM = 0,
	LLM_ROLE_USER,
	LLM_ROLE_ASSISTANT,
	LLM_ROLE_TOOL, /* the result of a tool call, answering tool_call_id */
};

/* A tool the model may call. */
struct llm_tool {
	const char *name;
	const char *description;     /* may be NULL */
	const char *parameters_json; /* a JSON Schema object as text; NULL: {"type":"object"} */
};

/* A tool call made by the model. In results every field is heap-allocated
 * (freed by llm_result_free); arguments_json is a JSON object as text. */
struct llm_tool_call {
	char *id;
	char *name;
	char *arguments_json;
};

struct llm_message {
	enum llm_role role;
	const char *content; /* may be NULL for an assistant message that only calls tools */
	/* LLM_ROLE_ASSISTANT: the tool calls it made, to send a conversation back. */
	const struct llm_tool_call *tool_calls;
	size_t n_tool_calls;
	const char *tool_call_id; /* LLM_ROLE_TOOL: the call this result answers */
};

/* Called for each piece of reply text as it arrives (streaming only). text is
 * not NUL-terminated. A non-zero return stops the call with LLM_ERR_CANCELLED. */
typedef int (*llm_delta_fn)(const char *text, size_t len, void *ctx);

/* One chat call. Zero-initialise and fill what you need. */
struct llm_request {
	const struct llm_message *messages;
	size_t n_messages;
	const struct llm_tool *tools; /* may be NULL */
	size_t n_tools;
	bool stream;	       /* ask for SSE; on_delta sees the text as it arrives */
	llm_delta_fn on_delta; /* may be NULL */
	void *delta_ctx;
	const atomic_bool *cancel;  /* when it becomes true the call ends (LLM_ERR_CANCELLED) */
	const char *model;	    /* NULL: the config's */
	uint32_t max_output_tokens; /* 0: the config's */
};

/* Why the model stopped, across providers. stop_reason keeps the API's word. */
enum llm_stop {
	LLM_STOP_UNKNOWN = 0,
	LLM_STOP_END,		/* "stop", "end_turn" */
	LLM_STOP_MAX_TOKENS,	/* "length", "max_tokens" */
	LLM_STOP_TOOL_USE,	/* "tool_calls", "tool_use" */
	LLM_STOP_STOP_SEQUENCE, /* "stop_sequence" */
	LLM_STOP_FILTERED,	/* "content_filter", "refusal" */
};

struct llm_result {
	char *text; /* the reply, NUL-terminated (empty when none); heap */
	size_t text_len;
	struct llm_tool_call *tool_calls;
	size_t n_tool_calls;
	enum llm_stop stop;
	char stop_reason[32];
	char model[LLM_MODEL_MAX]; /* as the response names it */
	char id[128];		   /* the response id */
	bool usage_reported;	   /* the API sent token counts */
	uint64_t input_tokens;
	uint64_t output_tokens;
	double cost_usd;       /* from the counts and the config's prices */
	double latency_ms;     /* the whole call, retries and waits included */
	double first_delta_ms; /* start to first text delta (streaming); 0 if none */
	uint32_t attempts;     /* HTTP requests made */
	int http_status;       /* of the last attempt; 0 if no response */
};

/* Frees what a result holds and zeroes it. Safe on a zeroed result. */
void llm_result_free(struct llm_result *res);

/* Totals over all calls of one client. */
struct llm_totals {
	uint64_t calls;
	uint64_t failed_calls;
	uint64_t attempts;
	uint64_t input_tokens;
	uint64_t output_tokens;
	double cost_usd;
};

struct llm_client;

/* Log hook: level 0 warning (a retry), 1 info, 2 debug. msg has no key. */
typedef void (*llm_log_fn)(int level, const char *msg, void *ctx);

/* Checks cfg (llm_config_check) and opens a client. The client may be used
 * by several threads at once. */
int llm_client_new(const struct llm_config *cfg, struct llm_client **out, char *err, size_t errlen);

void llm_client_free(struct llm_client *client);

/* Routes the client's messages (retries and their delays) to fn; NULL: none. */
void llm_client_set_log(struct llm_client *client, llm_log_fn fn, void *ctx);

/* Sends one chat request. res is overwritten (llm_result_free it after, on
 * success and on failure alike). On failure res still tells the attempts,
 * the latency, the last HTTP status and, for a broken stream, the partial text
 * and usage seen so far. Retries happen only before any text reached
 * on_delta. err names the endpoint and the problem: HTTP status and the API's
 * own message, timeout, bad JSON. */
int llm_chat(struct llm_client *client, const struct llm_request *req, struct llm_result *res,
	     char *err, size_t errlen);

/* A consistent snapshot of the client's totals. */
void llm_client_totals(struct llm_client *client, struct llm_totals *out);

#endif /* ISTHMUS_LLM_H */
