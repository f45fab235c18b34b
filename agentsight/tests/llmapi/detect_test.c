/* as_llmapi_detect: the API of a request from its method, target and host.
 *
 * Paths are those of the providers' API references: OpenAI's
 * /v1/chat/completions and /v1/responses, Azure OpenAI's
 * /openai/deployments/{deployment-id}/chat/completions?api-version=...,
 * Groq's /openai/v1/chat/completions, Anthropic's /v1/messages; and paths
 * that must not match (/v1/messages/count_tokens, the Assistants API's
 * /v1/threads/{id}/messages, GET requests, /v1/completions).
 */
#include "fixture.h"

static void expect(const char *method, const char *target, const char *host, enum as_llm_api want)
{
	enum as_llm_api got = as_llm_api_detect(method, target, host);
	TK_CHECK(got == want, "%s %s (host %s): got %s, want %s", method ? method : "(null)",
		 target ? target : "(null)", host ? host : "(null)", as_llm_api_name(got),
		 as_llm_api_name(want));
}

int main(void)
{
	expect("POST", "/v1/chat/completions", "api.openai.com", AS_LLM_API_OPENAI_CHAT);
	expect("POST", "/chat/completions", NULL, AS_LLM_API_OPENAI_CHAT);
	expect("POST", "/openai/v1/chat/completions", "api.groq.com", AS_LLM_API_OPENAI_CHAT);
	expect("POST", "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21",
	       "myres.openai.azure.com", AS_LLM_API_OPENAI_CHAT);
	expect("POST", "/v1/chat/completions/", NULL, AS_LLM_API_OPENAI_CHAT);
	expect("POST", "https://api.openai.com/v1/chat/completions", NULL, AS_LLM_API_OPENAI_CHAT);
	expect("POST", "/v1/responses", "api.openai.com", AS_LLM_API_OPENAI_RESPONSES);
	expect("POST", "/openai/v1/responses?api-version=preview", NULL,
	       AS_LLM_API_OPENAI_RESPONSES);
	expect("POST", "/v1/messages", "api.anthropic.com", AS_LLM_API_ANTHROPIC_MESSAGES);
	expect("POST", "/v1/messages?beta=true", "api.anthropic.com",
	       AS_LLM_API_ANTHROPIC_MESSAGES);
	expect("POST", "/anthropic/v1/messages", "proxy.internal", AS_LLM_API_ANTHROPIC_MESSAGES);
	expect("POST", "/messages", "api.anthropic.com:443", AS_LLM_API_ANTHROPIC_MESSAGES);

	expect("GET", "/v1/chat/completions", NULL, AS_LLM_API_UNKNOWN);
	expect("POST", "/v1/completions", NULL, AS_LLM_API_UNKNOWN);
	expect("POST", "/v1/messages/count_tokens", "api.anthropic.com", AS_LLM_API_UNKNOWN);
	expect("POST", "/v1/threads/thread_abc123/messages", "api.openai.com", AS_LLM_API_UNKNOWN);
	expect("POST", "/messages", "notanthropic.com", AS_LLM_API_UNKNOWN);
	expect("POST", "/v1/responses/resp_123/cancel", NULL, AS_LLM_API_UNKNOWN);
	expect("POST", "/v1/embeddings", NULL, AS_LLM_API_UNKNOWN);
	expect("POST", "/x?path=/v1/chat/completions", NULL, AS_LLM_API_UNKNOWN);
	expect(NULL, "/v1/chat/completions", NULL, AS_LLM_API_UNKNOWN);
	expect("POST", NULL, NULL, AS_LLM_API_UNKNOWN);
	expect("POST", "", NULL, AS_LLM_API_UNKNOWN);

	/* Names and their inverses. */
	for (int a = AS_LLM_API_UNKNOWN; a <= AS_LLM_API_ANTHROPIC_MESSAGES; a++)
		FX_INT(as_llm_api_from_name(as_llm_api_name((enum as_llm_api)a)), a);
	FX_STR(as_llm_api_name(AS_LLM_API_OPENAI_CHAT), "openai_chat");
	FX_STR(as_llm_api_name(AS_LLM_API_ANTHROPIC_MESSAGES), "anthropic_messages");
	FX_INT(as_llm_api_from_name("bogus"), AS_LLM_API_UNKNOWN);
	FX_STR(as_llm_role_name(AS_LLM_ROLE_TOOL), "tool");
	FX_INT(as_llm_role_from_name("assistant"), AS_LLM_ROLE_ASSISTANT);
	FX_INT(as_llm_role_from_name(NULL), AS_LLM_ROLE_OTHER);
	return tk_finish();
}
