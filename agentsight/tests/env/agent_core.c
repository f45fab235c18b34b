/* agent_core: the tool loop that AgentSight's scripted test agents share
 * (see agent_core.h).
 *
 * Replies are parsed into one struct whatever their shape: streamed bodies go
 * through a small server-sent-events splitter (lines ending in LF, CRLF or
 * CR; "data:" lines joined; a blank line ends an event) and each event
 * updates the text, the tool calls (by index: OpenAI's tool_calls[].index,
 * Anthropic's content block index) and the usage. Memory is bounded by the
 * body, which the transports bound.
 */
#include "agent_core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SYSTEM_PROMPT                                                               \
	"You are a scripted test agent. Use the tools run_command, write_file and " \
	"read_file to do what the user asks."
#define DEFAULT_PROMPT "Please do the task."
#define DEFAULT_MODEL  "mock-model"
#define MAX_BLOCKS     128 /* Anthropic content block indexes followed */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->oom)
		return;
	if (!sb->p || sb->len + n + 1 > sb->cap) {
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

/* --- replies ------------------------------------------------------------ */

/* Parser state shared by both shapes. */
struct rstate {
	enum as_env_api api;
	struct as_env_reply *r;
	struct sbuf text;
	struct sbuf args[AS_ENV_MAX_CALLS];
	int block_call[MAX_BLOCKS]; /* Anthropic block index -> call index + 1 */
	bool done;		    /* [DONE] or message_stop seen */
	char *err;
	size_t errlen;
};

static void set_stop(struct as_env_reply *r, const json_t *v)
{
	if (json_is_string(v))
		snprintf(r->stop_reason, sizeof(r->stop_reason), "%s", json_string_value(v));
}

static int set_str(char **dst, const json_t *v)
{
	if (!json_is_string(v))
		return 0;
	char *s = strdup(json_string_value(v));
	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

/* An error object in a body or event: {"error":{"message":...}} (OpenAI) or
 * {"type":"error","error":{"type","message"}} (Anthropic). */
static int api_error(struct rstate *st, const json_t *obj, const char *where)
{
	json_t *e = json_object_get(obj, "error");
	if (!e)
		return 0;
	const char *msg = json_string_value(json_object_get(e, "message"));
	if (!msg)
		msg = json_string_value(e);
	set_err(st->err, st->errlen, "%s: the API answered an error: %s", where,
		msg ? msg : "(no message)");
	return -1;
}

static int get_call(struct rstate *st, json_int_t index, struct as_env_tool_call **out)
{
	if (index < 0 || index >= AS_ENV_MAX_CALLS) {
		set_err(st->err, st->errlen, "tool call index %lld is out of range 0..%d",
			(long long)index, AS_ENV_MAX_CALLS - 1);
		return -1;
	}
	if ((size_t)index >= st->r->n_calls)
		st->r->n_calls = (size_t)index + 1;
	*out = &st->r->calls[index];
	return 0;
}

static void usage_openai(struct as_env_reply *r, const json_t *u)
{
	if (!json_is_object(u))
		return;
	r->has_usage = true;
	r->input_tokens = json_integer_value(json_object_get(u, "prompt_tokens"));
	r->output_tokens = json_integer_value(json_object_get(u, "completion_tokens"));
}

static void usage_anthropic(struct as_env_reply *r, const json_t *u)
{
	if (!json_is_object(u))
		return;
	r->has_usage = true;
	if (json_is_integer(json_object_get(u, "input_tokens")))
		r->input_tokens = json_integer_value(json_object_get(u, "input_tokens"));
	if (json_is_integer(json_object_get(u, "output_tokens")))
		r->output_tokens = json_integer_value(json_object_get(u, "output_tokens"));
}

static int openai_chunk(struct rstate *st, const json_t *c)
{
	size_t i, j;
	json_t *choice, *tc;

	if (api_error(st, c, "stream"))
		return -1;
	usage_openai(st->r, json_object_get(c, "usage"));
	json_array_foreach(json_object_get(c, "choices"), i, choice)
	{
		json_t *idx = json_object_get(choice, "index");
		if (json_is_integer(idx) && json_integer_value(idx) != 0)
			continue; /* only the first choice is followed */
		json_t *delta = json_object_get(choice, "delta");
		json_t *content = json_object_get(delta, "content");
		if (json_is_string(content))
			sb_add(&st->text, json_string_value(content), json_string_length(content));
		json_array_foreach(json_object_get(delta, "tool_calls"), j, tc)
		{
			struct as_env_tool_call *call;
			json_t *ti = json_object_get(tc, "index");
			if (get_call(st,
				     json_is_integer(ti) ? json_integer_value(ti) : (json_int_t)j,
				     &call))
				return -1;
			json_t *fn = json_object_get(tc, "function");
			json_t *a = json_object_get(fn, "arguments");
			if (set_str(&call->id, json_object_get(tc, "id")) ||
			    set_str(&call->name, json_object_get(fn, "name")))
				return -1;
			if (json_is_string(a))
				sb_add(&st->args[call - st->r->calls], json_string_value(a),
				       json_string_length(a));
		}
		set_stop(st->r, json_object_get(choice, "finish_reason"));
	}
	return 0;
}

static int anthropic_event(struct rstate *st, const json_t *ev)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	if (!type)
		type = "";
	if (api_error(st, ev, "stream"))
		return -1;
	if (!strcmp(type, "error")) {
		set_err(st->err, st->errlen, "stream: an error event without an error object");
		return -1;
	}
	if (!strcmp(type, "message_start")) {
		usage_anthropic(st->r, json_object_get(json_object_get(ev, "message"), "usage"));
		return 0;
	}
	if (!strcmp(type, "message_delta")) {
		set_stop(st->r, json_object_get(json_object_get(ev, "delta"), "stop_reason"));
		usage_anthropic(st->r, json_object_get(ev, "usage"));
		return 0;
	}
	if (!strcmp(type, "message_stop")) {
		st->done = true;
		return 0;
	}
	json_t *jidx = json_object_get(ev, "index");
	json_int_t index = json_integer_value(jidx);
	if (!strcmp(type, "content_block_start") || !strcmp(type, "content_block_delta")) {
		if (!json_is_integer(jidx) || index < 0 || index >= MAX_BLOCKS) {
			set_err(st->err, st->errlen,
				"%s: content block index is missing or out of range", type);
			return -1;
		}
	}
	if (!strcmp(type, "content_block_start")) {
		json_t *b = json_object_get(ev, "content_block");
		const char *bt = json_string_value(json_object_get(b, "type"));
		if (bt && !strcmp(bt, "text")) {
			json_t *t = json_object_get(b, "text");
			if (json_is_string(t))
				sb_add(&st->text, json_string_value(t), json_string_length(t));
		} else if (bt && !strcmp(bt, "tool_use")) {
			struct as_env_tool_call *call;
			if (get_call(st, (json_int_t)st->r->n_calls, &call))
				return -1;
			st->block_call[index] = (int)(call - st->r->calls) + 1;
			if (set_str(&call->id, json_object_get(b, "id")) ||
			    set_str(&call->name, json_object_get(b, "name")))
				return -1;
			/* A non-empty input here is the whole input (no deltas follow). */
			json_t *in = json_object_get(b, "input");
			if (json_is_object(in) && json_object_size(in)) {
				char *s = json_dumps(in, JSON_COMPACT);
				if (!s)
					return -1;
				sb_adds(&st->args[call - st->r->calls], s);
				free(s);
			}
		}
		return 0;
	}
	if (!strcmp(type, "content_block_delta")) {
		json_t *d = json_object_get(ev, "delta");
		const char *dt = json_string_value(json_object_get(d, "type"));
		if (dt && !strcmp(dt, "text_delta")) {
			json_t *t = json_object_get(d, "text");
			if (json_is_string(t))
				sb_add(&st->text, json_string_value(t), json_string_length(t));
		} else if (dt && !strcmp(dt, "input_json_delta")) {
			json_t *p = json_object_get(d, "partial_json");
			int c = st->block_call[index];
			if (!c) {
				set_err(st->err, st->errlen,
					"input_json_delta for block %lld, which is no tool_use",
					(long long)index);
				return -1;
			}
			if (json_is_string(p))
				sb_add(&st->args[c - 1], json_string_value(p),
				       json_string_length(p));
		}
		return 0;
	}
	return 0; /* ping, content_block_stop, and types added later */
}

static int dispatch(struct rstate *st, const char *data, size_t len)
{
	json_error_t jerr;
	st->r->events++;
	if (st->api == AS_ENV_API_OPENAI && len == 6 && !memcmp(data, "[DONE]", 6)) {
		st->done = true;
		return 0;
	}
	json_t *ev = json_loadb(data, len, JSON_ALLOW_NUL, &jerr);
	if (!json_is_object(ev)) {
		set_err(st->err, st->errlen, "event %lu: data is not a JSON object: %s",
			st->r->events, ev ? "" : jerr.text);
		json_decref(ev);
		return -1;
	}
	int rc = st->api == AS_ENV_API_OPENAI ? openai_chunk(st, ev) : anthropic_event(st, ev);
	json_decref(ev);
	return rc;
}

/* Splits an SSE body into events and dispatches each one's data. */
static int parse_sse(struct rstate *st, const char *body, size_t len)
{
	struct sbuf data = {0};
	bool have_data = false;
	size_t pos = 0;
	int rc = 0;

	while (pos <= len && !rc) {
		size_t end = pos;
		while (end < len && body[end] != '\n' && body[end] != '\r')
			end++;
		const char *line = body + pos;
		size_t n = end - pos;
		bool at_eof = end >= len;
		if (end < len && body[end] == '\r' && end + 1 < len && body[end + 1] == '\n')
			end++;
		pos = end + 1;
		if (at_eof && n == 0)
			break;
		if (n == 0) { /* end of an event */
			if (have_data)
				rc = dispatch(st, data.p ? data.p : "", data.len);
			data.len = 0;
			have_data = false;
			continue;
		}
		if (line[0] == ':')
			continue; /* comment */
		const char *colon = memchr(line, ':', n);
		size_t flen = colon ? (size_t)(colon - line) : n;
		const char *v = colon ? colon + 1 : line + n;
		size_t vlen = n - (size_t)(v - line);
		if (vlen && *v == ' ') {
			v++;
			vlen--;
		}
		if (flen == 4 && !memcmp(line, "data", 4)) {
			if (have_data)
				sb_adds(&data, "\n");
			sb_add(&data, v, vlen);
			sb_adds(&data, "");
			have_data = true;
		}
		/* "event", "id", "retry": the data says everything we need. */
		if (at_eof && have_data && !rc) /* a last event without its blank line */
			rc = dispatch(st, data.p, data.len);
		if (data.oom)
			rc = -1;
	}
	free(data.p);
	if (!rc && !st->done) {
		set_err(st->err, st->errlen, "the stream ended before %s",
			st->api == AS_ENV_API_OPENAI ? "data: [DONE]" : "message_stop");
		rc = -1;
	}
	return rc;
}

static int parse_whole(struct rstate *st, const char *body, size_t len)
{
	json_error_t jerr;
	size_t i;
	json_t *v;
	int rc = -1;

	json_t *root = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
	if (!json_is_object(root)) {
		set_err(st->err, st->errlen, "reply body is not a JSON object: %s",
			root ? "" : jerr.text);
		json_decref(root);
		return -1;
	}
	if (api_error(st, root, "reply"))
		goto out;
	if (st->api == AS_ENV_API_OPENAI) {
		json_t *choice = json_array_get(json_object_get(root, "choices"), 0);
		json_t *msg = json_object_get(choice, "message");
		if (!json_is_object(msg)) {
			set_err(st->err, st->errlen, "reply has no choices[0].message");
			goto out;
		}
		json_t *content = json_object_get(msg, "content");
		if (json_is_string(content))
			sb_add(&st->text, json_string_value(content), json_string_length(content));
		json_array_foreach(json_object_get(msg, "tool_calls"), i, v)
		{
			struct as_env_tool_call *call;
			json_t *fn = json_object_get(v, "function");
			json_t *a = json_object_get(fn, "arguments");
			if (get_call(st, (json_int_t)i, &call) ||
			    set_str(&call->id, json_object_get(v, "id")) ||
			    set_str(&call->name, json_object_get(fn, "name")))
				goto out;
			if (json_is_string(a))
				sb_add(&st->args[i], json_string_value(a), json_string_length(a));
		}
		set_stop(st->r, json_object_get(choice, "finish_reason"));
		usage_openai(st->r, json_object_get(root, "usage"));
	} else {
		json_t *content = json_object_get(root, "content");
		if (!json_is_array(content)) {
			set_err(st->err, st->errlen, "reply has no content array");
			goto out;
		}
		json_array_foreach(content, i, v)
		{
			const char *bt = json_string_value(json_object_get(v, "type"));
			if (bt && !strcmp(bt, "text")) {
				json_t *t = json_object_get(v, "text");
				if (json_is_string(t))
					sb_add(&st->text, json_string_value(t),
					       json_string_length(t));
			} else if (bt && !strcmp(bt, "tool_use")) {
				struct as_env_tool_call *call;
				if (get_call(st, (json_int_t)st->r->n_calls, &call) ||
				    set_str(&call->id, json_object_get(v, "id")) ||
				    set_str(&call->name, json_object_get(v, "name")))
					goto out;
				json_t *in = json_object_get(v, "input");
				if (in) {
					char *s = json_dumps(in, JSON_COMPACT | JSON_ENCODE_ANY);
					if (!s)
						goto out;
					sb_adds(&st->args[call - st->r->calls], s);
					free(s);
				}
			}
		}
		set_stop(st->r, json_object_get(root, "stop_reason"));
		usage_anthropic(st->r, json_object_get(root, "usage"));
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int as_env_reply_parse(enum as_env_api api, bool stream, const char *body, size_t len,
		       struct as_env_reply *out, char *err, size_t errlen)
{
	struct rstate st = {.api = api, .r = out, .err = err, .errlen = errlen};
	int rc;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	rc = stream ? parse_sse(&st, body, len) : parse_whole(&st, body, len);
	sb_adds(&st.text, "");
	if (st.text.oom)
		rc = -1;
	out->text = st.text.p;
	for (size_t i = 0; i < AS_ENV_MAX_CALLS; i++) {
		struct as_env_tool_call *c = &out->calls[i];
		if (i >= out->n_calls) {
			free(st.args[i].p);
			continue;
		}
		sb_adds(&st.args[i], "");
		c->args_text = st.args[i].p;
		if (!rc) {
			json_error_t jerr;
			if (st.args[i].oom) {
				rc = -1;
			} else if (!c->name || !c->name[0] || !c->id || !c->id[0]) {
				set_err(err, errlen, "tool call %zu has no %s", i,
					!c->name || !c->name[0] ? "name" : "id");
				rc = -1;
			} else if (st.args[i].len == 0) {
				c->args = json_object();
			} else {
				c->args = json_loadb(st.args[i].p, st.args[i].len, JSON_ALLOW_NUL,
						     &jerr);
				if (!json_is_object(c->args)) {
					set_err(err, errlen,
						"tool call %zu (%s): arguments are not a JSON "
						"object: %s",
						i, c->name, c->args ? "" : jerr.text);
					rc = -1;
				}
			}
		}
	}
	if (rc && err && errlen && !err[0])
		set_err(err, errlen, "out of memory");
	return rc;
}

void as_env_reply_free(struct as_env_reply *reply)
{
	if (!reply)
		return;
	free(reply->text);
	for (size_t i = 0; i < reply->n_calls && i < AS_ENV_MAX_CALLS; i++) {
		free(reply->calls[i].id);
		free(reply->calls[i].name);
		free(reply->calls[i].args_text);
		json_decref(reply->calls[i].args);
	}
	memset(reply, 0, sizeof(*reply));
}

/* --- the conversation --------------------------------------------------- */

static json_t *tool_schema(const char *const *props, size_t n)
{
	json_t *p = json_object(), *req = json_array();
	for (size_t i = 0; i < n; i++) {
		json_object_set_new(p, props[i], json_pack("{ss}", "type", "string"));
		json_array_append_new(req, json_string(props[i]));
	}
	return json_pack("{sssoso}", "type", "object", "properties", p, "required", req);
}

static json_t *tools_json(enum as_env_api api)
{
	static const char *const run[] = {"command"};
	static const char *const write[] = {"path", "content"};
	static const char *const read[] = {"path"};
	static const struct {
		const char *name, *desc;
		const char *const *props;
		size_t n;
	} tools[] = {
		{AS_ENV_TOOL_RUN, "Run a shell command; returns its output.", run, 1},
		{AS_ENV_TOOL_WRITE, "Write content to a file.", write, 2},
		{AS_ENV_TOOL_READ, "Read a file; returns its content.", read, 1},
	};
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < sizeof(tools) / sizeof(tools[0]); i++) {
		json_t *schema = tool_schema(tools[i].props, tools[i].n);
		json_t *t;
		if (api == AS_ENV_API_OPENAI)
			t = json_pack("{sss{sssssO}}", "type", "function", "function", "name",
				      tools[i].name, "description", tools[i].desc, "parameters",
				      schema);
		else
			t = json_pack("{sssssO}", "name", tools[i].name, "description",
				      tools[i].desc, "input_schema", schema);
		json_decref(schema);
		if (json_array_append_new(arr, t)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int as_env_conv_init(struct as_env_conv *conv, enum as_env_api api, bool stream, const char *model,
		     const char *prompt)
{
	conv->api = api;
	if (!model)
		model = DEFAULT_MODEL;
	if (!prompt)
		prompt = DEFAULT_PROMPT;
	if (api == AS_ENV_API_OPENAI) {
		conv->body =
			json_pack("{sss[{ssss}{ssss}]sosb}", "model", model, "messages", "role",
				  "system", "content", SYSTEM_PROMPT, "role", "user", "content",
				  prompt, "tools", tools_json(api), "stream", stream);
		if (conv->body && stream)
			json_object_set_new(conv->body, "stream_options",
					    json_pack("{sb}", "include_usage", 1));
	} else {
		conv->body =
			json_pack("{sssisss[{ssss}]sosb}", "model", model, "max_tokens", 1024,
				  "system", SYSTEM_PROMPT, "messages", "role", "user", "content",
				  prompt, "tools", tools_json(api), "stream", stream);
	}
	return conv->body ? 0 : -1;
}

int as_env_conv_load(struct as_env_conv *conv, enum as_env_api api, const char *text, size_t len,
		     char *err, size_t errlen)
{
	json_error_t jerr;
	conv->api = api;
	conv->body = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
	if (!json_is_object(conv->body) ||
	    !json_is_array(json_object_get(conv->body, "messages"))) {
		set_err(err, errlen, "saved conversation is not a request body with messages: %s",
			conv->body ? "" : jerr.text);
		json_decref(conv->body);
		conv->body = NULL;
		return -1;
	}
	return 0;
}

char *as_env_conv_dump(const struct as_env_conv *conv)
{
	return json_dumps(conv->body, JSON_COMPACT);
}

int as_env_conv_add_reply(struct as_env_conv *conv, const struct as_env_reply *reply)
{
	json_t *msgs = json_object_get(conv->body, "messages");
	json_t *msg;
	if (conv->api == AS_ENV_API_OPENAI) {
		msg = json_pack("{ss}", "role", "assistant");
		if (!msg)
			return -1;
		json_object_set_new(msg, "content",
				    reply->text && reply->text[0] ? json_string(reply->text)
								  : json_null());
		if (reply->n_calls) {
			json_t *calls = json_array();
			for (size_t i = 0; i < reply->n_calls; i++) {
				const struct as_env_tool_call *c = &reply->calls[i];
				json_array_append_new(
					calls,
					json_pack("{sssss{ssss}}", "id", c->id, "type", "function",
						  "function", "name", c->name, "arguments",
						  c->args_text && c->args_text[0] ? c->args_text
										  : "{}"));
			}
			json_object_set_new(msg, "tool_calls", calls);
		}
	} else {
		json_t *content = json_array();
		if (reply->text && reply->text[0])
			json_array_append_new(
				content, json_pack("{ssss}", "type", "text", "text", reply->text));
		for (size_t i = 0; i < reply->n_calls; i++) {
			const struct as_env_tool_call *c = &reply->calls[i];
			json_array_append_new(content,
					      json_pack("{sssssssO}", "type", "tool_use", "id",
							c->id, "name", c->name, "input", c->args));
		}
		msg = json_pack("{ssso}", "role", "assistant", "content", content);
	}
	return json_array_append_new(msgs, msg);
}

/* Text for JSON: invalid UTF-8 bytes and NULs become '?'. */
static void make_text(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		size_t n = *p < 0x80		 ? 1
			   : (*p & 0xe0) == 0xc0 ? 2
			   : (*p & 0xf0) == 0xe0 ? 3
			   : (*p & 0xf8) == 0xf0 ? 4
						 : 0;
		bool ok = n > 0;
		for (size_t i = 1; ok && i < n; i++)
			ok = (p[i] & 0xc0) == 0x80;
		if (ok && n == 2 && *p < 0xc2)
			ok = false; /* overlong */
		if (ok && n == 3) {
			unsigned cp =
				((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
			ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
		}
		if (ok && n == 4) {
			unsigned cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) |
				      ((p[2] & 0x3fu) << 6) | (p[3] & 0x3fu);
			ok = cp >= 0x10000 && cp <= 0x10ffff;
		}
		if (!ok) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

int as_env_conv_add_result(struct as_env_conv *conv, const char *call_id, const char *output,
			   bool is_error)
{
	json_t *msgs = json_object_get(conv->body, "messages");
	char *text = strdup(output ? output : "");
	if (!text)
		return -1;
	make_text(text);
	int rc = -1;
	if (conv->api == AS_ENV_API_OPENAI) {
		rc = json_array_append_new(msgs,
					   json_pack("{ssssss}", "role", "tool", "tool_call_id",
						     call_id, "content", text));
		free(text);
		return rc;
	}
	json_t *block = json_pack("{ssssss}", "type", "tool_result", "tool_use_id", call_id,
				  "content", text);
	free(text);
	if (!block)
		return -1;
	if (is_error)
		json_object_set_new(block, "is_error", json_true());
	json_t *last = json_array_get(msgs, json_array_size(msgs) - 1);
	json_t *content = json_object_get(last, "content");
	const char *role = json_string_value(json_object_get(last, "role"));
	const char *first = json_string_value(json_object_get(json_array_get(content, 0), "type"));
	if (role && !strcmp(role, "user") && first && !strcmp(first, "tool_result"))
		return json_array_append_new(content, block);
	return json_array_append_new(msgs, json_pack("{sss[o]}", "role", "user", "content", block));
}

void as_env_conv_free(struct as_env_conv *conv)
{
	json_decref(conv->body);
	conv->body = NULL;
}

/* --- tools -------------------------------------------------------------- */

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static const char *arg_str(const struct as_env_tool_call *call, const char *key)
{
	return json_string_value(json_object_get(call->args, key));
}

static char *run_command(const char *cmd, bool *is_error)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC)) {
		*is_error = true;
		return fmt("cannot make a pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		*is_error = true;
		return fmt("cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	struct sbuf out = {0};
	bool truncated = false;
	char buf[4096];
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t keep = (size_t)n;
		if (out.len + keep > AS_ENV_MAX_TOOL_OUTPUT) {
			keep = AS_ENV_MAX_TOOL_OUTPUT - out.len;
			truncated = true;
		}
		sb_add(&out, buf, keep);
	}
	close(fds[0]);
	int wstatus = 0;
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	sb_adds(&out, "");
	if (truncated)
		sb_adds(&out, "\n[output truncated]");
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus)) {
		char tail[48];
		snprintf(tail, sizeof(tail), "%s[exit status %d]",
			 out.len && out.p[out.len - 1] != '\n' ? "\n" : "", WEXITSTATUS(wstatus));
		sb_adds(&out, tail);
		*is_error = true;
	} else if (WIFSIGNALED(wstatus)) {
		char tail[48];
		snprintf(tail, sizeof(tail), "\n[killed by signal %d]", WTERMSIG(wstatus));
		sb_adds(&out, tail);
		*is_error = true;
	}
	if (out.oom) {
		free(out.p);
		return NULL;
	}
	return out.p;
}

static char *write_file(const json_t *path_j, const json_t *content_j, bool *is_error)
{
	const char *path = json_string_value(path_j);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		*is_error = true;
		return fmt("cannot open %s: %s", path, strerror(errno));
	}
	const char *p = json_string_value(content_j);
	size_t left = json_string_length(content_j), total = left;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			*is_error = true;
			return fmt("cannot write %s: %s", path, strerror(e));
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd)) {
		*is_error = true;
		return fmt("cannot write %s: %s", path, strerror(errno));
	}
	return fmt("wrote %zu bytes to %s", total, path);
}

static char *read_file(const char *path, bool *is_error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*is_error = true;
		return fmt("cannot open %s: %s", path, strerror(errno));
	}
	char *buf = malloc(AS_ENV_MAX_TOOL_OUTPUT + 1);
	size_t len = 0;
	while (buf && len < AS_ENV_MAX_TOOL_OUTPUT) {
		ssize_t n = read(fd, buf + len, AS_ENV_MAX_TOOL_OUTPUT - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			close(fd);
			*is_error = true;
			return fmt("cannot read %s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

int as_env_tool_run(const struct as_env_tool_call *call, char **output, bool *is_error)
{
	const char *name = call->name ? call->name : "";
	*is_error = false;
	*output = NULL;
	if (!strcmp(name, AS_ENV_TOOL_RUN)) {
		const char *cmd = arg_str(call, "command");
		if (!cmd) {
			*is_error = true;
			*output = fmt("run_command needs a string \"command\"");
		} else {
			*output = run_command(cmd, is_error);
		}
	} else if (!strcmp(name, AS_ENV_TOOL_WRITE)) {
		json_t *path = json_object_get(call->args, "path");
		json_t *content = json_object_get(call->args, "content");
		if (!json_is_string(path) || !json_is_string(content)) {
			*is_error = true;
			*output = fmt("write_file needs strings \"path\" and \"content\"");
		} else {
			*output = write_file(path, content, is_error);
		}
	} else if (!strcmp(name, AS_ENV_TOOL_READ)) {
		const char *path = arg_str(call, "path");
		if (!path) {
			*is_error = true;
			*output = fmt("read_file needs a string \"path\"");
		} else {
			*output = read_file(path, is_error);
		}
	} else {
		*is_error = true;
		*output = fmt("unknown tool %s", name);
	}
	return *output ? 0 : -1;
}

/* --- the agent ---------------------------------------------------------- */

void as_env_agent_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s --url https://HOST:PORT --workdir DIR [--api openai|anthropic]\n"
		"       [--stream|--no-stream] [--cacert PEM] [--prompt TEXT] [--model NAME]\n"
		"       [--max-turns N] [--chunked|--no-chunked]\n",
		prog);
}

static int parse_url(const char *url, struct as_env_agent_opts *o, char *err, size_t errlen)
{
	const char *p = url;
	if (strncmp(p, "https://", 8) != 0) {
		set_err(err, errlen, "--url %s: only https:// URLs are served", url);
		return -1;
	}
	p += 8;
	size_t hl = strcspn(p, ":/");
	if (!hl || hl >= sizeof(o->host)) {
		set_err(err, errlen, "--url %s: no host", url);
		return -1;
	}
	memcpy(o->host, p, hl);
	o->host[hl] = '\0';
	p += hl;
	snprintf(o->port, sizeof(o->port), "443");
	if (*p == ':') {
		p++;
		size_t pl = strspn(p, "0123456789");
		if (!pl || pl > 5 || (p[pl] && p[pl] != '/')) {
			set_err(err, errlen, "--url %s: bad port", url);
			return -1;
		}
		memcpy(o->port, p, pl);
		o->port[pl] = '\0';
		if (atoi(o->port) < 1 || atoi(o->port) > 65535) {
			set_err(err, errlen, "--url %s: port out of range", url);
			return -1;
		}
		p += pl;
	}
	size_t plen = strlen(p);
	while (plen && p[plen - 1] == '/')
		plen--;
	if (plen >= sizeof(o->prefix)) {
		set_err(err, errlen, "--url %s: path too long", url);
		return -1;
	}
	memcpy(o->prefix, p, plen);
	o->prefix[plen] = '\0';
	/* Accept a base URL that already ends in /v1, as SDKs take it. */
	if (plen >= 3 && !strcmp(o->prefix + plen - 3, "/v1"))
		o->prefix[plen - 3] = '\0';
	return 0;
}

int as_env_agent_args(int argc, char **argv, struct as_env_agent_opts *o, char *err, size_t errlen)
{
	bool have_url = false;
	o->api = AS_ENV_API_OPENAI;
	o->stream = true;
	o->max_turns = 20;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		if (!strcmp(a, "--stream")) {
			o->stream = true;
			continue;
		}
		if (!strcmp(a, "--no-stream")) {
			o->stream = false;
			continue;
		}
		if (!strcmp(a, "--chunked")) {
			o->chunked = true;
			continue;
		}
		if (!strcmp(a, "--no-chunked")) {
			o->chunked = false;
			continue;
		}
		if (i + 1 >= argc) {
			set_err(err, errlen, "%s needs a value (or is unknown)", a);
			return -1;
		}
		const char *v = argv[++i];
		if (!strcmp(a, "--url")) {
			if (parse_url(v, o, err, errlen))
				return -1;
			have_url = true;
		} else if (!strcmp(a, "--api")) {
			if (!strcmp(v, "openai")) {
				o->api = AS_ENV_API_OPENAI;
			} else if (!strcmp(v, "anthropic")) {
				o->api = AS_ENV_API_ANTHROPIC;
			} else {
				set_err(err, errlen, "--api %s: openai or anthropic", v);
				return -1;
			}
		} else if (!strcmp(a, "--workdir")) {
			o->workdir = v;
		} else if (!strcmp(a, "--cacert")) {
			o->cacert = v;
		} else if (!strcmp(a, "--prompt")) {
			o->prompt = v;
		} else if (!strcmp(a, "--model")) {
			o->model = v;
		} else if (!strcmp(a, "--max-turns")) {
			char *end;
			long n = strtol(v, &end, 10);
			if (*end || n < 1 || n > 1000) {
				set_err(err, errlen, "--max-turns %s: 1..1000", v);
				return -1;
			}
			o->max_turns = (int)n;
		} else {
			set_err(err, errlen, "unknown option %s", a);
			return -1;
		}
	}
	if (!have_url || !o->workdir) {
		set_err(err, errlen, "--url and --workdir are required");
		return -1;
	}
	return 0;
}

/* Arguments for the log, cut short. */
static void short_args(const struct as_env_tool_call *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s", c->args_text ? c->args_text : "");
	if (strlen(buf) + 1 >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

int as_env_agent_loop(const struct as_env_agent_opts *o, as_env_post_fn post, void *ctx, FILE *out,
		      FILE *log)
{
	struct as_env_conv conv = {0};
	char err[512], path[512];
	long long in_total = 0, out_total = 0;
	int status = 1;
	const char *openai_headers[] = {
		"Content-Type: application/json", "Authorization: Bearer mock-key",
		o->stream ? "Accept: text/event-stream" : "Accept: application/json", NULL};
	const char *anthropic_headers[] = {
		"Content-Type: application/json", "x-api-key: mock-key",
		"anthropic-version: 2023-06-01",
		o->stream ? "Accept: text/event-stream" : "Accept: application/json", NULL};
	const char *const *headers =
		o->api == AS_ENV_API_OPENAI ? openai_headers : anthropic_headers;

	if (chdir(o->workdir)) {
		fprintf(log, "agent: cannot enter working directory %s: %s\n", o->workdir,
			strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s%s", o->prefix,
		 o->api == AS_ENV_API_OPENAI ? AS_ENV_PATH_OPENAI : AS_ENV_PATH_ANTHROPIC);
	if (as_env_conv_init(&conv, o->api, o->stream, o->model, o->prompt)) {
		fprintf(log, "agent: out of memory\n");
		return 1;
	}
	for (int turn = 0; turn < o->max_turns; turn++) {
		struct as_env_reply reply;
		char *body = as_env_conv_dump(&conv), *resp = NULL;
		size_t resp_len = 0;
		unsigned long reads = 0;
		int http_status = 0;
		if (!body) {
			fprintf(log, "agent: out of memory\n");
			goto out;
		}
		int rc = post(ctx, path, headers, body, strlen(body), &http_status, &resp,
			      &resp_len, &reads, err, sizeof(err));
		free(body);
		if (rc) {
			fprintf(log, "agent: turn %d: POST %s failed: %s\n", turn, path, err);
			free(resp);
			goto out;
		}
		if (http_status != 200) {
			fprintf(log, "agent: turn %d: POST %s answered %d: %.300s\n", turn, path,
				http_status, resp ? resp : "");
			free(resp);
			goto out;
		}
		rc = as_env_reply_parse(o->api, o->stream, resp, resp_len, &reply, err,
					sizeof(err));
		free(resp);
		if (rc) {
			fprintf(log, "agent: turn %d: bad reply: %s\n", turn, err);
			as_env_reply_free(&reply);
			goto out;
		}
		in_total += reply.input_tokens;
		out_total += reply.output_tokens;
		fprintf(log,
			"agent: turn %d: %s stream=%d reads=%lu events=%lu tool_calls=%zu "
			"stop=%s usage input=%lld output=%lld\n",
			turn, path, o->stream, reads, reply.events, reply.n_calls,
			reply.stop_reason, reply.input_tokens, reply.output_tokens);
		if (as_env_conv_add_reply(&conv, &reply)) {
			as_env_reply_free(&reply);
			fprintf(log, "agent: out of memory\n");
			goto out;
		}
		if (!reply.n_calls) {
			fprintf(out, "%s\n", reply.text);
			fflush(out);
			fprintf(log,
				"agent: done after %d turns, usage input_tokens=%lld "
				"output_tokens=%lld\n",
				turn + 1, in_total, out_total);
			as_env_reply_free(&reply);
			status = 0;
			goto out;
		}
		for (size_t i = 0; i < reply.n_calls; i++) {
			char *output = NULL, shown[160];
			bool is_error = false;
			short_args(&reply.calls[i], shown, sizeof(shown));
			if (as_env_tool_run(&reply.calls[i], &output, &is_error) ||
			    as_env_conv_add_result(&conv, reply.calls[i].id, output, is_error)) {
				free(output);
				as_env_reply_free(&reply);
				fprintf(log, "agent: out of memory\n");
				goto out;
			}
			fprintf(log, "agent: tool %s %s -> %s, %zu bytes\n", reply.calls[i].name,
				shown, is_error ? "error" : "ok", strlen(output));
			free(output);
		}
		as_env_reply_free(&reply);
	}
	fprintf(log, "agent: still asked for tools after %d turns; giving up\n", o->max_turns);
out:
	as_env_conv_free(&conv);
	return status;
}
