/* agent_core: the tool loop that AgentSight's scripted test agents share.
 *
 * A scripted agent sends its conversation to an LLM API, runs the tool calls
 * of the reply for real (run_command forks /bin/sh -c, write_file and
 * read_file touch real files), appends the results and asks again, until a
 * reply has no tool calls; then it prints the reply's text. AgentSight
 * watches such agents from outside, so what matters is that they do real
 * TLS, real exec and real file I/O, each through a different TLS stack.
 *
 * This file holds everything but the transport: the conversation in OpenAI
 * or Anthropic shape (as_env_conv_*), the parser of replies, whole or
 * streamed as server-sent events (as_env_reply_parse), the tools
 * (as_env_tool_run), the command line every agent takes and the loop
 * itself (as_env_agent_main), which calls the agent's own `post` function
 * for each request. agent_gnutls.c and agent_static.c provide transports;
 * agent_json.c exposes the same conversation logic to the curl shell agent.
 */
#ifndef AGENTSIGHT_ENV_AGENT_CORE_H
#define AGENTSIGHT_ENV_AGENT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "envapi.h"

#define AS_ENV_MAX_CALLS       64
#define AS_ENV_MAX_TOOL_OUTPUT (64u << 10) /* bytes of a tool's output kept */

/* --- replies ------------------------------------------------------------ */

struct as_env_tool_call {
	char *id;
	char *name;
	char *args_text; /* the arguments as the model sent them (JSON text) */
	json_t *args;	 /* parsed; an empty object if args_text was empty */
};

struct as_env_reply {
	char *text; /* the reply's text, "" if none */
	struct as_env_tool_call calls[AS_ENV_MAX_CALLS];
	size_t n_calls;
	bool has_usage;
	long long input_tokens, output_tokens;
	char stop_reason[32]; /* finish_reason or stop_reason, "" if none was sent */
	unsigned long events; /* SSE events seen (streamed replies) */
};

/* Parses a reply body. Streamed bodies are SSE: OpenAI chunks ending with
 * "data: [DONE]", or Anthropic events ending with message_stop. Returns 0, or
 * -1 with a message in err (a body that is not a reply, an "error" object or
 * event, tool arguments that are not a JSON object, a stream that stops
 * early). Free with as_env_reply_free, also after a failure. */
int as_env_reply_parse(enum as_env_api api, bool stream, const char *body, size_t len,
		       struct as_env_reply *out, char *err, size_t errlen);
void as_env_reply_free(struct as_env_reply *reply);

/* --- the conversation --------------------------------------------------- */

struct as_env_conv {
	enum as_env_api api;
	json_t *body; /* the next request body: model, messages, tools, stream... */
};

/* A new conversation: the system prompt, the user's prompt and the four
 * tools. `model` may be NULL ("mock-model"). Returns 0 or -1 (no memory). */
int as_env_conv_init(struct as_env_conv *conv, enum as_env_api api, bool stream, const char *model,
		     const char *prompt);

/* A conversation from a request body saved earlier (agent_json). */
int as_env_conv_load(struct as_env_conv *conv, enum as_env_api api, const char *text, size_t len,
		     char *err, size_t errlen);

/* The request body as compact JSON (malloc'd), or NULL. */
char *as_env_conv_dump(const struct as_env_conv *conv);

/* Appends the assistant's reply (text and tool calls). */
int as_env_conv_add_reply(struct as_env_conv *conv, const struct as_env_reply *reply);

/* Appends one tool result; results of the same reply go together (Anthropic
 * wants them in one user message). */
int as_env_conv_add_result(struct as_env_conv *conv, const char *call_id, const char *output,
			   bool is_error);

void as_env_conv_free(struct as_env_conv *conv);

/* --- tools -------------------------------------------------------------- */

/* Runs one tool call in the current directory: run_command through
 * /bin/sh -c in a child (stdout and stderr captured, "[exit status N]"
 * appended when not 0), write_file, read_file. *output is malloc'd text for
 * the model; *is_error tells the model the tool failed. Returns 0, or -1 when
 * memory ran out. */
int as_env_tool_run(const struct as_env_tool_call *call, char **output, bool *is_error);

/* --- the agent ---------------------------------------------------------- */

struct as_env_agent_opts {
	char host[256]; /* from --url https://HOST:PORT[/prefix] */
	char port[8];
	char prefix[256]; /* path before /v1/..., "" usually */
	enum as_env_api api;
	bool stream;
	const char *workdir;
	const char *cacert;
	const char *prompt;
	const char *model;
	int max_turns;
	bool chunked; /* send request bodies with Transfer-Encoding: chunked */
};

/* One request to the API: POST `path` with `headers` (NULL-terminated
 * "Name: value" strings) and the JSON body; fills the status and the body
 * (malloc'd). `reads` counts the reads the transport made for the body, for
 * the agent's log (0 if the transport cannot tell). Returns 0, or -1 with a
 * message in err. */
typedef int (*as_env_post_fn)(void *ctx, const char *path, const char *const *headers,
			      const char *body, size_t len, int *status, char **resp,
			      size_t *resp_len, unsigned long *reads, char *err, size_t errlen);

/* Parses the command line every agent takes:
 *   --url https://HOST:PORT --api openai|anthropic --stream|--no-stream
 *   --workdir DIR [--cacert PEM] [--prompt TEXT] [--model NAME]
 *   [--max-turns N] [--chunked|--no-chunked]
 * `chunked` holds the agent's default. Returns 0, 1 for --help, or -1 with a
 * message in err. */
int as_env_agent_args(int argc, char **argv, struct as_env_agent_opts *opts, char *err,
		      size_t errlen);
void as_env_agent_usage(FILE *f, const char *prog);

/* The loop: changes into the working directory, then asks, runs tools and
 * asks again until a reply has no tool calls, whose text it prints to `out`.
 * Progress goes to `log` as lines "agent: ...". Returns the exit status: 0,
 * or 1 after an error (said on `log`). */
int as_env_agent_loop(const struct as_env_agent_opts *opts, as_env_post_fn post, void *ctx,
		      FILE *out, FILE *log);

#endif /* AGENTSIGHT_ENV_AGENT_CORE_H */
