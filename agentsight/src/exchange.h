/* exchange: one LLM API call (request and response) as AgentSight models it.
 *
 * The llmapi parsers fill it from the HTTP bodies of OpenAI chat-completions,
 * OpenAI responses and Anthropic messages calls, streamed or not; the
 * correlation engine, the detectors, the store and the report read it. Every
 * string is owned by the exchange (heap, NUL-terminated) and freed by
 * as_llm_exchange_clear(). Secrets never reach it: bodies are redacted first.
 */
#ifndef AGENTSIGHT_EXCHANGE_H
#define AGENTSIGHT_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum as_llm_api {
	AS_LLM_API_UNKNOWN = 0,
	AS_LLM_API_OPENAI_CHAT,	       /* POST .../chat/completions */
	AS_LLM_API_OPENAI_RESPONSES,   /* POST .../responses */
	AS_LLM_API_ANTHROPIC_MESSAGES, /* POST .../messages */
};

enum as_llm_role {
	AS_LLM_ROLE_OTHER = 0,
	AS_LLM_ROLE_SYSTEM, /* system and developer instructions */
	AS_LLM_ROLE_USER,
	AS_LLM_ROLE_ASSISTANT,
	AS_LLM_ROLE_TOOL, /* a tool result sent back to the model */
};

struct as_llm_tool_call {
	char *id;	 /* "call_..." / "toolu_..." as the API gives it; NULL if none */
	char *name;	 /* the function or tool name */
	char *arguments; /* the arguments as JSON text, reassembled from stream deltas */
};

struct as_llm_message {
	enum as_llm_role role;
	char *text; /* all text parts joined with "\n"; NULL if none */
	struct as_llm_tool_call *tool_calls;
	size_t n_tool_calls;
	char *tool_call_id; /* AS_LLM_ROLE_TOOL: the call this result answers */
};

/* Token counts, the same meaning whatever the API. input_tokens counts every
 * prompt token, cached or not: OpenAI's prompt_tokens/input_tokens already
 * include cached tokens, while Anthropic reports input_tokens without the
 * cache reads and writes, so for Anthropic input_tokens is the sum of its
 * input_tokens, cache_read_input_tokens and cache_creation_input_tokens.
 * cache_read_tokens and cache_write_tokens are parts of input_tokens;
 * reasoning_tokens is a part of output_tokens. */
struct as_llm_usage {
	bool reported; /* the API reported usage; otherwise the counts are 0 */
	int64_t input_tokens;
	int64_t output_tokens;
	int64_t cache_read_tokens;
	int64_t cache_write_tokens;
	int64_t reasoning_tokens;
};

struct as_llm_exchange {
	enum as_llm_api api;
	char *model; /* the request's model; the response's when the request names none */
	bool stream; /* the request asked for a streamed (SSE) response */

	/* Request: the prompt as sent, system instructions first. */
	struct as_llm_message *messages;
	size_t n_messages;
	char **tool_names; /* tools offered to the model */
	size_t n_tools;

	/* Response. */
	int http_status;	     /* 0 until the response head is seen */
	struct as_llm_message reply; /* role ASSISTANT: text and tool calls */
	char *stop_reason;	     /* finish_reason / stop_reason / status */
	char *response_id;
	struct as_llm_usage usage;
	char *error;		/* the API's error message, for error responses */
	bool response_complete; /* the response's end was seen ([DONE], message_stop, whole JSON) */

	/* What the parsers had to leave out (added by llmapi). */
	bool capped;		 /* a string was cut at a size limit (see llmapi.h) */
	uint32_t parse_problems; /* parts skipped as malformed: wrong JSON types, bad stream events
				  */
};

#endif /* AGENTSIGHT_EXCHANGE_H */
