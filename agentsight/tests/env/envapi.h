/* envapi: what the mock LLM server and the scripted agents of AgentSight's
 * end-to-end test environment agree on.
 *
 * The environment speaks two API shapes: OpenAI's chat completions
 * (POST /v1/chat/completions) and Anthropic's messages (POST /v1/messages).
 * Both sides name the shape with this enum, and both sides know the same four
 * tools, whose JSON arguments are listed here once.
 */
#ifndef AGENTSIGHT_ENV_ENVAPI_H
#define AGENTSIGHT_ENV_ENVAPI_H

enum as_env_api {
	AS_ENV_API_OPENAI,
	AS_ENV_API_ANTHROPIC,
};

#define AS_ENV_PATH_OPENAI    "/v1/chat/completions"
#define AS_ENV_PATH_ANTHROPIC "/v1/messages"

/* Tools: run_command {"command"}, write_file {"path","content"},
 * read_file {"path"}. */
#define AS_ENV_TOOL_RUN	  "run_command"
#define AS_ENV_TOOL_WRITE "write_file"
#define AS_ENV_TOOL_READ  "read_file"

/* Returns "openai" or "anthropic". */
static inline const char *as_env_api_name(enum as_env_api api)
{
	return api == AS_ENV_API_ANTHROPIC ? "anthropic" : "openai";
}

#endif /* AGENTSIGHT_ENV_ENVAPI_H */
