/* llmapi_stream: assembles a streamed (SSE) reply from its events.
 *
 * Each event's data is parsed on its own and handed to the reader of the
 * exchange's API (guessed from the first event when the request was not
 * seen). The readers add text and tool-call fragments here: text goes into
 * one buffer (a new source, such as another content block, starts a new
 * "\n"-separated part), each tool call gets a slot keyed by its index (or
 * output item id) whose argument fragments are concatenated. The whole reply
 * is bounded by AS_LLM_MAX_REPLY_BYTES and each string by
 * AS_LLM_MAX_FIELD_BYTES; finish moves the result into the exchange.
 */
#include "llmapi_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct as_llm_stream *as_llm_stream_new(struct as_llm_exchange *ex)
{
	if (!ex)
		return NULL;
	struct as_llm_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->c.ex = ex;
	as_llmi_clear_response(ex);
	return s;
}

/* The limit for a buffer now holding `held` bytes: what the reply budget and
 * the field limit leave. */
static size_t limit_for(const struct as_llm_stream *s, size_t held)
{
	size_t left = s->reply_bytes < AS_LLM_MAX_REPLY_BYTES
			      ? AS_LLM_MAX_REPLY_BYTES - s->reply_bytes
			      : 0;
	size_t limit = held + left;
	return limit < AS_LLM_MAX_FIELD_BYTES ? limit : AS_LLM_MAX_FIELD_BYTES;
}

static void add_bounded(struct as_llm_stream *s, struct as_llmi_buf *b, const char *t, size_t n)
{
	size_t before = b->len;
	as_llmi_buf_add(&s->c, b, t, n, limit_for(s, b->len));
	s->reply_bytes += b->len - before;
}

void as_llmi_stream_text(struct as_llm_stream *s, int64_t key, const char *t, size_t n)
{
	if (n == 0)
		return;
	if (s->have_text_key && key != s->text_key && s->text.len > 0)
		add_bounded(s, &s->text, "\n", 1);
	s->text_key = key;
	s->have_text_key = true;
	add_bounded(s, &s->text, t, n);
}

struct as_llmi_slot *as_llmi_stream_slot(struct as_llm_stream *s, int64_t index,
					 const char *item_id, bool create)
{
	struct as_llmi_ctx *c = &s->c;
	for (size_t i = 0; i < s->n_slots; i++) {
		struct as_llmi_slot *slot = &s->slots[i];
		if (item_id && slot->item_id) {
			if (strcmp(item_id, slot->item_id) == 0)
				return slot;
		} else if (slot->index == index) {
			return slot;
		}
	}
	if (!create)
		return NULL;
	if (s->n_slots >= AS_LLM_MAX_TOOL_CALLS) {
		c->ex->capped = true;
		return NULL;
	}
	if (!as_llmi_grow(c, (void **)&s->slots, s->n_slots, sizeof(*s->slots)))
		return NULL;
	struct as_llmi_slot *slot = &s->slots[s->n_slots++];
	memset(slot, 0, sizeof(*slot));
	slot->index = index;
	if (item_id)
		slot->item_id = as_llmi_strndup(c, item_id, strlen(item_id));
	return slot;
}

void as_llmi_stream_args(struct as_llm_stream *s, struct as_llmi_slot *slot, const char *t,
			 size_t n, bool replace)
{
	if (replace) {
		s->reply_bytes -= slot->args.len;
		slot->args.len = 0;
		if (slot->args.p)
			slot->args.p[0] = '\0';
	}
	add_bounded(s, &slot->args, t, n);
}

struct as_llmi_block *as_llmi_stream_block(struct as_llm_stream *s, int64_t index,
					   enum as_llmi_block_kind kind, bool create)
{
	for (size_t i = 0; i < s->n_blocks; i++) {
		if (s->blocks[i].index == index)
			return &s->blocks[i];
	}
	if (!create)
		return NULL;
	if (s->n_blocks >= AS_LLM_MAX_BLOCKS) {
		as_llmi_problem(&s->c);
		return NULL;
	}
	if (!as_llmi_grow(&s->c, (void **)&s->blocks, s->n_blocks, sizeof(*s->blocks)))
		return NULL;
	struct as_llmi_block *b = &s->blocks[s->n_blocks++];
	b->index = index;
	b->kind = kind;
	return b;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int as_llm_stream_event(struct as_llm_stream *s, const char *event_name, const char *data,
			size_t len)
{
	if (!s || s->finished)
		return -EINVAL;
	struct as_llmi_ctx *c = &s->c;
	struct as_llm_exchange *ex = c->ex;
	int rc = 0;

	if (!data)
		len = 0;
	while (len > 0 && is_space(data[0])) {
		data++;
		len--;
	}
	while (len > 0 && is_space(data[len - 1]))
		len--;
	if (len == 0)
		return 0; /* keep-alive */
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		if (ex->api == AS_LLM_API_UNKNOWN)
			ex->api = AS_LLM_API_OPENAI_CHAT;
		s->end_seen = true;
		return 0;
	}
	json_t *root = json_loadb(data, len, 0, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		as_llmi_problem(c);
		return -EINVAL;
	}
	if (ex->api == AS_LLM_API_UNKNOWN)
		ex->api = as_llmi_guess_api(root, event_name);
	const char *type = json_string_value(json_object_get(root, "type"));
	if (!type)
		type = event_name;
	switch (ex->api) {
	case AS_LLM_API_OPENAI_CHAT:
		rc = as_llmi_chat_event(s, root);
		break;
	case AS_LLM_API_OPENAI_RESPONSES:
		rc = as_llmi_responses_event(s, type, root);
		break;
	case AS_LLM_API_ANTHROPIC_MESSAGES:
		rc = as_llmi_anthropic_event(s, type, root);
		break;
	case AS_LLM_API_UNKNOWN:
	default:
		if (as_llmi_take_error(c, root))
			s->end_seen = true;
		break;
	}
	json_decref(root);
	if (c->oom) {
		c->oom = false;
		return -ENOMEM;
	}
	return rc;
}

void as_llm_stream_finish(struct as_llm_stream *s, bool truncated)
{
	if (!s || s->finished)
		return;
	s->finished = true;
	struct as_llmi_ctx *c = &s->c;
	struct as_llm_exchange *ex = c->ex;
	struct as_llm_message *r = &ex->reply;

	as_llmi_message_free(r);
	r->role = AS_LLM_ROLE_ASSISTANT;
	r->text = as_llmi_buf_take(&s->text);
	for (size_t i = 0; i < s->n_slots; i++) {
		struct as_llmi_slot *slot = &s->slots[i];
		if (!as_llmi_grow(c, (void **)&r->tool_calls, r->n_tool_calls,
				  sizeof(*r->tool_calls)))
			break;
		struct as_llm_tool_call *tc = &r->tool_calls[r->n_tool_calls++];
		tc->id = slot->id;
		tc->name = slot->name;
		tc->arguments = as_llmi_buf_take(&slot->args);
		if (!tc->arguments) {
			tc->arguments = slot->start_input;
			slot->start_input = NULL;
		}
		slot->id = slot->name = NULL;
	}
	ex->response_complete = s->end_seen || (!truncated && ex->stop_reason);
	as_llmi_redact_response(ex);
}

void as_llm_stream_free(struct as_llm_stream *s)
{
	if (!s)
		return;
	as_llm_stream_finish(s, true);
	for (size_t i = 0; i < s->n_slots; i++) {
		struct as_llmi_slot *slot = &s->slots[i];
		free(slot->item_id);
		free(slot->id);
		free(slot->name);
		free(slot->start_input);
		as_llmi_buf_free(&slot->args);
	}
	free(s->slots);
	free(s->blocks);
	as_llmi_buf_free(&s->text);
	free(s);
}
