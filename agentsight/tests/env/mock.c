/* mock: the scripted model behind mockllm (see mock.h).
 *
 * The scenario is kept as the parsed JSON tree, validated once at load, so
 * that answering a request is a walk over it. Replies are built as jansson
 * objects and serialised compactly; streamed replies cut text and tool
 * arguments into small pieces (never inside a UTF-8 sequence) so that a
 * client sees many small events, as with a real model.
 */
#include "mock.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TURNS	   1000
#define MAX_CALLS	   64
#define PIECE_BYTES	   16 /* text and argument bytes per streamed delta */
#define DEFAULT_DELAY_MS   10
#define DEFAULT_IN_TOKENS  10
#define DEFAULT_OUT_TOKENS 5
#define CAPTURE_VAR	   "${after}"

struct as_env_mock {
	json_t *root;
	json_t *turns; /* borrowed from root */
	const char *model;
	json_int_t in_tokens, out_tokens;
	unsigned delay_ms;
};

/* A growable string; `oom` sticks once an allocation failed. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->oom)
		return;
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 64;
		while (cap < sb->len + n + 1)
			cap *= 2;
		char *p = realloc(sb->p, cap);
		if (!p) {
			sb->oom = true;
			return;
		}
		sb->p = p;
		sb->cap = cap;
	}
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

static void sb_adds(struct sbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool is_token_count(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0 &&
	       json_integer_value(v) <= 1000000000;
}

static int check_usage(const json_t *usage, const char *where, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	if (!json_is_object(usage)) {
		set_err(err, errlen, "%s: usage must be an object", where);
		return -1;
	}
	json_object_foreach((json_t *)usage, key, v)
	{
		if (strcmp(key, "input_tokens") != 0 && strcmp(key, "output_tokens") != 0) {
			set_err(err, errlen, "%s: usage has unknown key \"%s\"", where, key);
			return -1;
		}
		if (!is_token_count(v)) {
			set_err(err, errlen, "%s: usage.%s must be an integer 0..1e9", where, key);
			return -1;
		}
	}
	return 0;
}

static int check_match(const json_t *match, const char *where, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	if (!json_is_object(match)) {
		set_err(err, errlen, "%s: match must be an object", where);
		return -1;
	}
	json_object_foreach((json_t *)match, key, v)
	{
		if (!strcmp(key, "turn")) {
			if (json_is_integer(v) && json_integer_value(v) >= 0)
				continue;
			if (json_is_array(v) && json_array_size(v) == 2 &&
			    json_is_integer(json_array_get(v, 0)) &&
			    json_is_integer(json_array_get(v, 1)) &&
			    json_integer_value(json_array_get(v, 0)) >= 0 &&
			    json_integer_value(json_array_get(v, 0)) <=
				    json_integer_value(json_array_get(v, 1)))
				continue;
			set_err(err, errlen,
				"%s: match.turn must be an integer >= 0 or [first, last]", where);
			return -1;
		}
		if (!strcmp(key, "last_message_contains")) {
			if (json_is_string(v) && json_string_length(v) > 0)
				continue;
			set_err(err, errlen,
				"%s: match.last_message_contains must be a non-empty string",
				where);
			return -1;
		}
		set_err(err, errlen, "%s: match has unknown key \"%s\"", where, key);
		return -1;
	}
	return 0;
}

static int check_call(const json_t *call, const char *where, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	if (!json_is_object(call)) {
		set_err(err, errlen, "%s: a tool call must be an object", where);
		return -1;
	}
	json_object_foreach((json_t *)call, key, v)
	{
		if (!strcmp(key, "name") || !strcmp(key, "id")) {
			if (json_is_string(v) && json_string_length(v) > 0 &&
			    json_string_length(v) < 256)
				continue;
			set_err(err, errlen, "%s: tool call %s must be a string of 1..255 bytes",
				where, key);
			return -1;
		}
		if (!strcmp(key, "arguments")) {
			if (json_is_object(v))
				continue;
			set_err(err, errlen, "%s: tool call arguments must be an object", where);
			return -1;
		}
		set_err(err, errlen, "%s: tool call has unknown key \"%s\"", where, key);
		return -1;
	}
	if (!json_object_get(call, "name") || !json_object_get(call, "arguments")) {
		set_err(err, errlen, "%s: a tool call needs name and arguments", where);
		return -1;
	}
	return 0;
}

static int check_turn(const json_t *turn, const char *where, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	if (!json_is_object(turn)) {
		set_err(err, errlen, "%s: must be an object", where);
		return -1;
	}
	json_object_foreach((json_t *)turn, key, v)
	{
		if (!strcmp(key, "match")) {
			if (check_match(v, where, err, errlen))
				return -1;
		} else if (!strcmp(key, "text") || !strcmp(key, "comment")) {
			if (!json_is_string(v)) {
				set_err(err, errlen, "%s: %s must be a string", where, key);
				return -1;
			}
		} else if (!strcmp(key, "usage")) {
			if (check_usage(v, where, err, errlen))
				return -1;
		} else if (!strcmp(key, "tool_calls")) {
			size_t i;
			json_t *c;
			if (!json_is_array(v) || json_array_size(v) > MAX_CALLS) {
				set_err(err, errlen,
					"%s: tool_calls must be an array of at most %d", where,
					MAX_CALLS);
				return -1;
			}
			json_array_foreach(v, i, c)
			{
				if (check_call(c, where, err, errlen))
					return -1;
			}
		} else {
			set_err(err, errlen, "%s: unknown key \"%s\"", where, key);
			return -1;
		}
	}
	if (!json_object_get(turn, "text") &&
	    !json_array_size(json_object_get(turn, "tool_calls"))) {
		set_err(err, errlen, "%s: a turn needs text or tool_calls", where);
		return -1;
	}
	return 0;
}

int as_env_mock_load(const char *text, size_t len, const char *name, struct as_env_mock **out,
		     char *err, size_t errlen)
{
	json_error_t jerr;
	const char *key;
	json_t *v;
	size_t i;
	struct as_env_mock *m;

	*out = NULL;
	if (!name)
		name = "scenario";
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		set_err(err, errlen, "%s: not JSON: line %d: %s", name, jerr.line, jerr.text);
		return -1;
	}
	if (!json_is_object(root)) {
		set_err(err, errlen, "%s: the top level must be an object", name);
		goto fail;
	}
	json_object_foreach(root, key, v)
	{
		if (!strcmp(key, "description")) {
			if (!json_is_string(v))
				goto bad_type;
		} else if (!strcmp(key, "model")) {
			if (!json_is_string(v) || !json_string_length(v))
				goto bad_type;
		} else if (!strcmp(key, "chunk_delay_ms")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 10000)
				goto bad_type;
		} else if (!strcmp(key, "usage")) {
			if (check_usage(v, name, err, errlen))
				goto fail;
		} else if (!strcmp(key, "turns")) {
			if (!json_is_array(v) || !json_array_size(v) ||
			    json_array_size(v) > MAX_TURNS)
				goto bad_type;
		} else {
			set_err(err, errlen, "%s: unknown key \"%s\"", name, key);
			goto fail;
		}
		continue;
bad_type:
		set_err(err, errlen, "%s: \"%s\" has the wrong type or range (see README.md)", name,
			key);
		goto fail;
	}
	json_t *turns = json_object_get(root, "turns");
	if (!turns) {
		set_err(err, errlen, "%s: no \"turns\"", name);
		goto fail;
	}
	json_array_foreach(turns, i, v)
	{
		char where[300];
		snprintf(where, sizeof(where), "%s: turns[%zu]", name, i);
		if (check_turn(v, where, err, errlen))
			goto fail;
	}

	m = calloc(1, sizeof(*m));
	if (!m) {
		set_err(err, errlen, "%s: out of memory", name);
		goto fail;
	}
	m->root = root;
	m->turns = turns;
	m->model = json_string_value(json_object_get(root, "model"));
	m->in_tokens = DEFAULT_IN_TOKENS;
	m->out_tokens = DEFAULT_OUT_TOKENS;
	json_t *usage = json_object_get(root, "usage");
	if (json_object_get(usage, "input_tokens"))
		m->in_tokens = json_integer_value(json_object_get(usage, "input_tokens"));
	if (json_object_get(usage, "output_tokens"))
		m->out_tokens = json_integer_value(json_object_get(usage, "output_tokens"));
	m->delay_ms = DEFAULT_DELAY_MS;
	if (json_object_get(root, "chunk_delay_ms"))
		m->delay_ms = (unsigned)json_integer_value(json_object_get(root, "chunk_delay_ms"));
	*out = m;
	return 0;
fail:
	json_decref(root);
	return -1;
}

void as_env_mock_free(struct as_env_mock *mock)
{
	if (!mock)
		return;
	json_decref(mock->root);
	free(mock);
}

unsigned as_env_mock_delay_ms(const struct as_env_mock *mock)
{
	return mock->delay_ms;
}

/* --- reading the request ------------------------------------------------ */

/* Appends the text of a message's content: a string, or an array of parts
 * (OpenAI {"type":"text","text"}, Anthropic text and tool_result blocks). */
static void content_text(const json_t *content, struct sbuf *sb, int depth)
{
	size_t i;
	json_t *part;

	if (depth > 4)
		return;
	if (json_is_string(content)) {
		sb_add(sb, json_string_value(content), json_string_length(content));
		return;
	}
	if (!json_is_array(content))
		return;
	json_array_foreach(content, i, part)
	{
		if (sb->len)
			sb_adds(sb, "\n");
		if (json_is_string(part)) {
			content_text(part, sb, depth + 1);
		} else if (json_is_object(part)) {
			json_t *t = json_object_get(part, "text");
			if (json_is_string(t))
				content_text(t, sb, depth + 1);
			else
				content_text(json_object_get(part, "content"), sb, depth + 1);
		}
	}
}

static const char *role_of(const json_t *msg)
{
	const char *r = json_string_value(json_object_get(msg, "role"));
	return r ? r : "";
}

/* --- building the reply ------------------------------------------------- */

static int add_piece(struct as_env_mock_reply *r, char *piece)
{
	if (!piece)
		return -1;
	char **p = realloc(r->pieces, (r->n_pieces + 1) * sizeof(*p));
	if (!p) {
		free(piece);
		return -1;
	}
	r->pieces = p;
	r->pieces[r->n_pieces++] = piece;
	return 0;
}

/* Adds one SSE event whose data is `obj` (consumed); event names only for
 * Anthropic. */
static int add_event(struct as_env_mock_reply *r, const char *event, json_t *obj)
{
	if (!obj)
		return -1;
	char *data = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!data)
		return -1;
	struct sbuf sb = {0};
	if (event) {
		sb_adds(&sb, "event: ");
		sb_adds(&sb, event);
		sb_adds(&sb, "\n");
	}
	sb_adds(&sb, "data: ");
	sb_adds(&sb, data);
	sb_adds(&sb, "\n\n");
	free(data);
	if (sb.oom) {
		free(sb.p);
		return -1;
	}
	return add_piece(r, sb.p);
}

/* Length of the next piece of s (at most PIECE_BYTES, whole UTF-8 sequences). */
static size_t piece_len(const char *s, size_t left)
{
	size_t n = left < PIECE_BYTES ? left : PIECE_BYTES;
	if (n == left)
		return n;
	while (n > 1 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* Replaces ${after} in s with `after`; returns a new string or NULL. */
static char *substitute(const char *s, const char *after)
{
	struct sbuf sb = {0};
	const char *p;
	sb_adds(&sb, "");
	while ((p = strstr(s, CAPTURE_VAR)) != NULL) {
		sb_add(&sb, s, (size_t)(p - s));
		sb_adds(&sb, after ? after : "");
		s = p + strlen(CAPTURE_VAR);
	}
	sb_adds(&sb, s);
	if (sb.oom) {
		free(sb.p);
		return NULL;
	}
	return sb.p;
}

/* A deep copy of v with ${after} replaced in every string. */
static json_t *substitute_json(const json_t *v, const char *after, int depth)
{
	if (depth > 64)
		return NULL;
	if (json_is_string(v)) {
		char *s = substitute(json_string_value(v), after);
		json_t *out = s ? json_string(s) : NULL;
		free(s);
		return out;
	}
	if (json_is_object(v)) {
		json_t *out = json_object();
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)v, k, e)
		{
			if (!out ||
			    json_object_set_new(out, k, substitute_json(e, after, depth + 1))) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	if (json_is_array(v)) {
		json_t *out = json_array();
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			if (!out ||
			    json_array_append_new(out, substitute_json(e, after, depth + 1))) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	return json_deep_copy(v);
}

/* What one reply says, after matching and substitution. */
struct turn_out {
	char *text; /* NULL when the turn has no text */
	size_t n_calls;
	char *ids[MAX_CALLS];
	const char *names[MAX_CALLS];
	json_t *args[MAX_CALLS];
	char *args_text[MAX_CALLS]; /* compact JSON of args */
	json_int_t in_tokens, out_tokens;
	const char *model;
	char id[64];
	long created;
};

static void turn_out_free(struct turn_out *t)
{
	free(t->text);
	for (size_t i = 0; i < t->n_calls; i++) {
		free(t->ids[i]);
		json_decref(t->args[i]);
		free(t->args_text[i]);
	}
}

static json_t *openai_usage(const struct turn_out *t)
{
	return json_pack("{sIsIsI}", "prompt_tokens", t->in_tokens, "completion_tokens",
			 t->out_tokens, "total_tokens", t->in_tokens + t->out_tokens);
}

static int openai_whole(const struct turn_out *t, struct as_env_mock_reply *r)
{
	json_t *msg = json_pack("{ss}", "role", "assistant");
	if (!msg)
		return -1;
	json_object_set_new(msg, "content", t->text ? json_string(t->text) : json_null());
	if (t->n_calls) {
		json_t *calls = json_array();
		for (size_t i = 0; i < t->n_calls; i++)
			json_array_append_new(calls,
					      json_pack("{sssss{ssss}}", "id", t->ids[i], "type",
							"function", "function", "name", t->names[i],
							"arguments", t->args_text[i]));
		json_object_set_new(msg, "tool_calls", calls);
	}
	json_t *body = json_pack("{sssssisss[{sisOsnss}]so}", "id", t->id, "object",
				 "chat.completion", "created", (int)t->created, "model", t->model,
				 "choices", "index", 0, "message", msg, "logprobs", "finish_reason",
				 t->n_calls ? "tool_calls" : "stop", "usage", openai_usage(t));
	json_decref(msg);
	if (!body)
		return -1;
	char *s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return add_piece(r, s);
}

/* One chat.completion.chunk with `delta` (consumed) and finish_reason. */
static json_t *openai_chunk(const struct turn_out *t, json_t *delta, const char *finish,
			    bool include_usage)
{
	json_t *c = json_pack("{sssssiss}", "id", t->id, "object", "chat.completion.chunk",
			      "created", (int)t->created, "model", t->model);
	json_t *choice = json_pack("{sisosn}", "index", 0, "delta", delta, "logprobs");
	if (!c || !choice) {
		json_decref(c);
		json_decref(choice);
		return NULL;
	}
	json_object_set_new(choice, "finish_reason", finish ? json_string(finish) : json_null());
	json_object_set_new(c, "choices", json_pack("[o]", choice));
	if (include_usage)
		json_object_set_new(c, "usage", json_null());
	return c;
}

static int openai_stream(const struct turn_out *t, struct as_env_mock_reply *r)
{
	bool u = r->include_usage;
	if (add_event(r, NULL,
		      openai_chunk(t, json_pack("{ssss}", "role", "assistant", "content", ""), NULL,
				   u)))
		return -1;
	if (t->text) {
		const char *s = t->text;
		size_t left = strlen(s);
		while (left) {
			size_t n = piece_len(s, left);
			if (add_event(
				    r, NULL,
				    openai_chunk(t, json_pack("{ss%}", "content", s, n), NULL, u)))
				return -1;
			s += n;
			left -= n;
		}
	}
	for (size_t i = 0; i < t->n_calls; i++) {
		json_t *head = json_pack("{s[{sisssss{ssss}}]}", "tool_calls", "index", (int)i,
					 "id", t->ids[i], "type", "function", "function", "name",
					 t->names[i], "arguments", "");
		if (add_event(r, NULL, openai_chunk(t, head, NULL, u)))
			return -1;
		const char *s = t->args_text[i];
		size_t left = strlen(s);
		while (left) {
			size_t n = piece_len(s, left);
			json_t *d = json_pack("{s[{sis{ss%}}]}", "tool_calls", "index", (int)i,
					      "function", "arguments", s, n);
			if (add_event(r, NULL, openai_chunk(t, d, NULL, u)))
				return -1;
			s += n;
			left -= n;
		}
	}
	if (add_event(r, NULL,
		      openai_chunk(t, json_object(), t->n_calls ? "tool_calls" : "stop", u)))
		return -1;
	if (u) {
		json_t *c = json_pack("{sssssisss[]so}", "id", t->id, "object",
				      "chat.completion.chunk", "created", (int)t->created, "model",
				      t->model, "choices", "usage", openai_usage(t));
		if (add_event(r, NULL, c))
			return -1;
	}
	return add_piece(r, strdup("data: [DONE]\n\n"));
}

static json_t *anthropic_content(const struct turn_out *t)
{
	json_t *content = json_array();
	if (!content)
		return NULL;
	if (t->text)
		json_array_append_new(content,
				      json_pack("{ssss}", "type", "text", "text", t->text));
	for (size_t i = 0; i < t->n_calls; i++)
		json_array_append_new(content,
				      json_pack("{sssssssO}", "type", "tool_use", "id", t->ids[i],
						"name", t->names[i], "input", t->args[i]));
	return content;
}

static int anthropic_whole(const struct turn_out *t, struct as_env_mock_reply *r)
{
	json_t *body =
		json_pack("{sssssssosssssnsn}", "id", t->id, "type", "message", "role", "assistant",
			  "content", anthropic_content(t), "model", t->model, "stop_reason",
			  t->n_calls ? "tool_use" : "end_turn", "stop_sequence", "usage");
	if (!body)
		return -1;
	json_object_set_new(
		body, "usage",
		json_pack("{sIsI}", "input_tokens", t->in_tokens, "output_tokens", t->out_tokens));
	char *s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return add_piece(r, s);
}

static int anthropic_stream(const struct turn_out *t, struct as_env_mock_reply *r)
{
	int index = 0;
	json_t *msg =
		json_pack("{sssssss[]sssnsns{sIsi}}", "id", t->id, "type", "message", "role",
			  "assistant", "content", "model", t->model, "stop_reason", "stop_sequence",
			  "usage", "input_tokens", t->in_tokens, "output_tokens", 1);
	if (add_event(r, "message_start",
		      json_pack("{ssso}", "type", "message_start", "message", msg)))
		return -1;
	if (t->text) {
		if (add_event(r, "content_block_start",
			      json_pack("{sssis{ssss}}", "type", "content_block_start", "index",
					index, "content_block", "type", "text", "text", "")))
			return -1;
		if (add_event(r, "ping", json_pack("{ss}", "type", "ping")))
			return -1;
		const char *s = t->text;
		size_t left = strlen(s);
		while (left) {
			size_t n = piece_len(s, left);
			if (add_event(r, "content_block_delta",
				      json_pack("{sssis{ssss%}}", "type", "content_block_delta",
						"index", index, "delta", "type", "text_delta",
						"text", s, n)))
				return -1;
			s += n;
			left -= n;
		}
		if (add_event(r, "content_block_stop",
			      json_pack("{sssi}", "type", "content_block_stop", "index", index)))
			return -1;
		index++;
	}
	for (size_t i = 0; i < t->n_calls; i++, index++) {
		if (add_event(r, "content_block_start",
			      json_pack("{sssis{sssssss{}}}", "type", "content_block_start",
					"index", index, "content_block", "type", "tool_use", "id",
					t->ids[i], "name", t->names[i], "input")))
			return -1;
		const char *s = t->args_text[i];
		size_t left = strlen(s);
		while (left) {
			size_t n = piece_len(s, left);
			if (add_event(r, "content_block_delta",
				      json_pack("{sssis{ssss%}}", "type", "content_block_delta",
						"index", index, "delta", "type", "input_json_delta",
						"partial_json", s, n)))
				return -1;
			s += n;
			left -= n;
		}
		if (add_event(r, "content_block_stop",
			      json_pack("{sssi}", "type", "content_block_stop", "index", index)))
			return -1;
	}
	if (add_event(r, "message_delta",
		      json_pack("{sss{sssn}s{sI}}", "type", "message_delta", "delta", "stop_reason",
				t->n_calls ? "tool_use" : "end_turn", "stop_sequence", "usage",
				"output_tokens", t->out_tokens)))
		return -1;
	return add_event(r, "message_stop", json_pack("{ss}", "type", "message_stop"));
}

int as_env_mock_error_reply(enum as_env_api api, int status, const char *message,
			    struct as_env_mock_reply *out)
{
	const char *type = status == 404   ? "not_found_error"
			   : status == 413 ? "request_too_large"
			   : status >= 500 ? "api_error"
					   : "invalid_request_error";
	json_t *body;
	if (api == AS_ENV_API_ANTHROPIC)
		body = json_pack("{sss{ssss}}", "type", "error", "error", "type", type, "message",
				 message);
	else
		body = json_pack("{s{sssssnsn}}", "error", "message", message, "type", type,
				 "param", "code");
	out->status = status;
	out->content_type = "application/json";
	out->stream = false;
	snprintf(out->problem, sizeof(out->problem), "%s", message);
	if (!body)
		return -1;
	char *s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return add_piece(out, s);
}

/* Finds the first turn that matches; fills *after with the captured text
 * (malloc'd, may be NULL). */
static long find_turn(const struct as_env_mock *m, int conv_turn, const char *input, char **after)
{
	size_t i;
	json_t *turn;
	*after = NULL;
	json_array_foreach(m->turns, i, turn)
	{
		json_t *match = json_object_get(turn, "match");
		json_t *want = json_object_get(match, "turn");
		if (json_is_integer(want) && json_integer_value(want) != conv_turn)
			continue;
		if (json_is_array(want) &&
		    (conv_turn < json_integer_value(json_array_get(want, 0)) ||
		     conv_turn > json_integer_value(json_array_get(want, 1))))
			continue;
		const char *needle =
			json_string_value(json_object_get(match, "last_message_contains"));
		if (needle) {
			const char *at = strstr(input, needle);
			if (!at)
				continue;
			at += strlen(needle);
			size_t n = strcspn(at, "\r\n");
			while (n && (at[n - 1] == ' ' || at[n - 1] == '\t'))
				n--;
			*after = strndup(at, n);
		}
		return (long)i;
	}
	return -1;
}

int as_env_mock_respond(const struct as_env_mock *mock, enum as_env_api api, const char *body,
			size_t len, unsigned long seq, struct as_env_mock_reply *out)
{
	json_error_t jerr;
	char msg[256];
	struct turn_out t = {0};
	struct sbuf input = {0};
	char *after = NULL;
	size_t i;
	json_t *m;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->conv_turn = -1;
	out->matched = -1;
	out->delay_ms = mock->delay_ms;
	if (len > AS_ENV_MOCK_MAX_BODY)
		return as_env_mock_error_reply(api, 413, "request body is too large", out);
	out->request = json_loadb(body, len, 0, &jerr);
	if (!out->request) {
		snprintf(msg, sizeof(msg), "request body is not JSON: line %d: %s", jerr.line,
			 jerr.text);
		return as_env_mock_error_reply(api, 400, msg, out);
	}
	json_t *messages = json_object_get(out->request, "messages");
	if (!json_is_array(messages))
		return as_env_mock_error_reply(api, 400, "request has no \"messages\" array", out);
	out->stream = json_is_true(json_object_get(out->request, "stream"));
	if (api == AS_ENV_API_OPENAI)
		out->include_usage =
			out->stream &&
			json_is_true(json_object_get(
				json_object_get(out->request, "stream_options"), "include_usage"));

	/* The conversation so far: assistant replies, then what came after the last. */
	int conv_turn = 0;
	size_t last_reply = 0;
	json_array_foreach(messages, i, m)
	{
		if (!json_is_object(m))
			return as_env_mock_error_reply(api, 400, "a message is not an object", out);
		if (!strcmp(role_of(m), "assistant")) {
			conv_turn++;
			last_reply = i + 1;
		}
	}
	out->conv_turn = conv_turn;
	sb_adds(&input, "");
	for (i = last_reply; i < json_array_size(messages); i++) {
		if (input.len)
			sb_adds(&input, "\n");
		content_text(json_object_get(json_array_get(messages, i), "content"), &input, 0);
	}
	if (input.oom) {
		free(input.p);
		return -1;
	}

	long ti = find_turn(mock, conv_turn, input.p, &after);
	free(input.p);
	if (ti < 0) {
		snprintf(msg, sizeof(msg), "no scenario turn matches turn %d of the conversation",
			 conv_turn);
		return as_env_mock_error_reply(api, 500, msg, out);
	}
	out->matched = (int)ti;
	json_t *turn = json_array_get(mock->turns, (size_t)ti);

	/* What the model says this time. */
	const char *text = json_string_value(json_object_get(turn, "text"));
	if (text && !(t.text = substitute(text, after)))
		goto oom;
	json_t *calls = json_object_get(turn, "tool_calls");
	json_array_foreach(calls, i, m)
	{
		const char *id = json_string_value(json_object_get(m, "id"));
		char idbuf[64];
		if (!id) {
			snprintf(idbuf, sizeof(idbuf), "%s_mock_%d_%zu",
				 api == AS_ENV_API_ANTHROPIC ? "toolu" : "call", conv_turn, i);
			id = idbuf;
		}
		t.ids[i] = strdup(id);
		t.names[i] = json_string_value(json_object_get(m, "name"));
		t.args[i] = substitute_json(json_object_get(m, "arguments"), after, 0);
		t.n_calls = i + 1;
		if (!t.ids[i] || !t.args[i] ||
		    !(t.args_text[i] = json_dumps(t.args[i], JSON_COMPACT)))
			goto oom;
	}
	json_t *usage = json_object_get(turn, "usage");
	t.in_tokens = json_object_get(usage, "input_tokens")
			      ? json_integer_value(json_object_get(usage, "input_tokens"))
			      : mock->in_tokens;
	t.out_tokens = json_object_get(usage, "output_tokens")
			       ? json_integer_value(json_object_get(usage, "output_tokens"))
			       : mock->out_tokens;
	t.model = mock->model;
	if (!t.model)
		t.model = json_string_value(json_object_get(out->request, "model"));
	if (!t.model)
		t.model = "mock-model";
	snprintf(t.id, sizeof(t.id), "%s%lu",
		 api == AS_ENV_API_ANTHROPIC ? "msg_mock_" : "chatcmpl-mock-", seq);
	t.created = (long)time(NULL);

	out->status = 200;
	if (out->stream) {
		out->content_type = "text/event-stream";
		rc = api == AS_ENV_API_ANTHROPIC ? anthropic_stream(&t, out)
						 : openai_stream(&t, out);
	} else {
		out->content_type = "application/json";
		rc = api == AS_ENV_API_ANTHROPIC ? anthropic_whole(&t, out) : openai_whole(&t, out);
	}
	free(after);
	turn_out_free(&t);
	return rc;
oom:
	free(after);
	turn_out_free(&t);
	return -1;
}

void as_env_mock_reply_free(struct as_env_mock_reply *reply)
{
	if (!reply)
		return;
	for (size_t i = 0; i < reply->n_pieces; i++)
		free(reply->pieces[i]);
	free(reply->pieces);
	json_decref(reply->request);
	memset(reply, 0, sizeof(*reply));
}
