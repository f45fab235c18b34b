/* llm_stream: gathers a streamed reply from raw response bytes.
 *
 * Bytes go through the SSE parser (llm_sse.c); each event goes to the
 * provider's stream_event, which adds text (passed on to the caller's delta
 * callback), tool-call pieces, usage and the stop reason. The stream keeps the
 * first error it meets and refuses more input after it. At the end the text
 * and tool calls move into the result, also when the stream broke, so that a
 * caller can see what arrived.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm_internal.h"

static int on_event(void *ctx, const char *event, const char *data, size_t len)
{
	struct llm_stream *s = ctx;
	if (s->done)
		return LLM_OK; /* anything after the end marker is ignored */
	return s->ops->stream_event(s, event, data, len);
}

void llm_stream_init(struct llm_stream *s, enum llm_provider provider, struct llm_result *res,
		     size_t max_bytes, llm_delta_fn on_delta, void *delta_ctx)
{
	memset(s, 0, sizeof(*s));
	s->ops = llm_provider_ops(provider);
	s->res = res;
	s->max_bytes = max_bytes;
	s->text.max = max_bytes;
	s->on_delta = on_delta;
	s->delta_ctx = delta_ctx;
	llm_sse_init(&s->sse, max_bytes, on_event, s);
}

void llm_stream_free(struct llm_stream *s)
{
	llm_sse_free(&s->sse);
	llm_buf_free(&s->text);
	for (size_t i = 0; i < s->n_tools; i++) {
		free(s->tools[i].id);
		free(s->tools[i].name);
		llm_buf_free(&s->tools[i].args);
	}
	free(s->tools);
	s->tools = NULL;
	s->n_tools = 0;
}

int llm_stream_fail(struct llm_stream *s, int code, const char *fmt, ...)
{
	if (s->err == LLM_OK) {
		s->err = code;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int llm_stream_text(struct llm_stream *s, const char *text, size_t len)
{
	if (!len)
		return LLM_OK;
	int rc = llm_buf_append(&s->text, text, len);
	if (rc == LLM_ERR_TOO_LARGE)
		return llm_stream_fail(s, rc, "the streamed reply exceeds %zu bytes", s->max_bytes);
	if (rc != LLM_OK)
		return llm_stream_fail(s, rc, "out of memory");
	if (s->on_delta) {
		s->delivered = true;
		if (s->on_delta(text, len, s->delta_ctx) != 0)
			return llm_stream_fail(s, LLM_ERR_CANCELLED,
					       "the delta callback asked to stop");
	}
	return LLM_OK;
}

struct llm_stream_tool *llm_stream_tool(struct llm_stream *s, long index, bool create)
{
	for (size_t i = 0; i < s->n_tools; i++) {
		if (s->tools[i].index == index)
			return &s->tools[i];
	}
	if (!create)
		return NULL;
	if (s->n_tools >= LLM_STREAM_MAX_TOOLS) {
		llm_stream_fail(s, LLM_ERR_TOO_LARGE, "more than %d tool calls in one reply",
				LLM_STREAM_MAX_TOOLS);
		return NULL;
	}
	struct llm_stream_tool *t = realloc(s->tools, (s->n_tools + 1) * sizeof(*t));
	if (!t) {
		llm_stream_fail(s, LLM_ERR_NOMEM, "out of memory");
		return NULL;
	}
	s->tools = t;
	t = &s->tools[s->n_tools++];
	memset(t, 0, sizeof(*t));
	t->index = index;
	t->args.max = s->max_bytes;
	return t;
}

int llm_stream_feed(struct llm_stream *s, const char *buf, size_t n, char *err, size_t errlen)
{
	if (s->err == LLM_OK) {
		int rc = llm_sse_feed(&s->sse, buf, n);
		if (rc == LLM_ERR_TOO_LARGE)
			llm_stream_fail(s, rc, "a server-sent event exceeds %zu bytes",
					s->max_bytes);
		else if (rc != LLM_OK)
			llm_stream_fail(s, rc, "%s", llm_strerror(rc));
	}
	if (s->err != LLM_OK)
		return llm_errf(err, errlen, s->err, "%s", s->errmsg);
	return LLM_OK;
}

/* Moves what was gathered into the result. */
static int hand_over(struct llm_stream *s)
{
	struct llm_result *res = s->res;
	free(res->text);
	res->text = llm_buf_take(&s->text, &res->text_len);
	if (!res->text)
		return LLM_ERR_NOMEM;
	for (size_t i = 0; i < s->n_tools; i++) {
		struct llm_stream_tool *t = &s->tools[i];
		int rc = llm_result_add_tool_call(res, t->id, t->name, t->args.p, t->args.len);
		if (rc != LLM_OK)
			return rc;
	}
	return LLM_OK;
}

int llm_stream_finish(struct llm_stream *s, char *err, size_t errlen)
{
	if (s->err == LLM_OK) {
		int rc = llm_sse_finish(&s->sse);
		if (rc != LLM_OK && s->err == LLM_OK)
			llm_stream_fail(s, rc, "%s", llm_strerror(rc));
	}
	int rc = hand_over(s);
	if (rc != LLM_OK && s->err == LLM_OK)
		llm_stream_fail(s, rc, "out of memory");
	if (s->err != LLM_OK)
		return llm_errf(err, errlen, s->err, "%s", s->errmsg);
	if (!s->done)
		return llm_errf(err, errlen, LLM_ERR_TRUNCATED,
				"the stream ended before its end marker (%s)",
				s->ops->id == LLM_PROVIDER_OPENAI ? "data: [DONE]"
								  : "event: message_stop");
	return LLM_OK;
}
