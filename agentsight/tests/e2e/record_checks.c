/* record_checks: what `agentsight record` must have seen of one run of a
 * scripted agent against mockllm (tests/env/e2e_test.c runs both, with
 * --record).
 *
 * The truth comes from outside AgentSight: the scenario's specification
 * (texts, tool calls, token counts written here by hand), the server's log of
 * the requests it received, and the files in the agent's working directory.
 * Checked: one LLM event per request, with the prompt the server received, the
 * reply reassembled exactly (streamed or not), the token counts; the exec of
 * the tool's command with its argv; the file write with its size; causal
 * links from the first exchange to both; and for the loop and injection
 * scenarios, the detectors' alerts with their evidence.
 */
#include "record_checks.h"

#include "testkit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASIC_CMD  "echo agentsight-e2e-basic-output && touch agentsight-e2e-basic.marker"
#define BASIC_FILE "AgentSight e2e file\nsecond line with \"quotes\", a tab\tand caf\xc3\xa9\n"

struct rec {
	json_t *events; /* kind "event" lines, in order */
	json_t *links;
	json_t *alerts;
	json_t *stats;
};

static const char *s(const json_t *v)
{
	const char *p = json_string_value(v);
	return p ? p : "";
}

static json_t *get(const json_t *o, const char *path)
{
	/* "a.b.c": nested object keys. */
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *v = (json_t *)o;
	for (char *k = strtok(buf, "."); k && v; k = strtok(NULL, "."))
		v = json_object_get(v, k);
	return v;
}

static int load(const char *path, struct rec *r)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	r->events = json_array();
	r->links = json_array();
	r->alerts = json_array();
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		json_error_t jerr;
		json_t *j = json_loads(line, 0, &jerr);
		TK_CHECK(j != NULL, "agentsight wrote a line that is not JSON: %s", jerr.text);
		if (!j)
			continue;
		const char *type = s(json_object_get(j, "type"));
		if (!strcmp(type, "event"))
			json_array_append_new(r->events, j);
		else if (!strcmp(type, "link"))
			json_array_append_new(r->links, j);
		else if (!strcmp(type, "alert"))
			json_array_append_new(r->alerts, j);
		else if (!strcmp(type, "stats")) {
			json_decref(r->stats);
			r->stats = j;
		} else {
			TK_CHECK(false, "a line of unknown type '%s'", type);
			json_decref(j);
		}
	}
	free(line);
	fclose(f);
	return 0;
}

static json_t *llm_events(const struct rec *r)
{
	json_t *out = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(r->events, i, e)
	{
		if (!strcmp(s(json_object_get(e, "kind")), "llm"))
			json_array_append(out, e);
	}
	return out;
}

/* The first exec whose argv holds `arg` as one element. */
static json_t *exec_with_arg(const struct rec *r, const char *arg)
{
	size_t i, k;
	json_t *e, *a;
	json_array_foreach(r->events, i, e)
	{
		if (strcmp(s(json_object_get(e, "kind")), "exec") != 0)
			continue;
		json_array_foreach(json_object_get(e, "argv"), k, a)
		{
			if (!strcmp(s(a), arg))
				return e;
		}
	}
	return NULL;
}

static json_t *event_by_kind_path(const struct rec *r, const char *kind, const char *path)
{
	size_t i;
	json_t *e;
	json_array_foreach(r->events, i, e)
	{
		if (!strcmp(s(json_object_get(e, "kind")), kind) &&
		    !strcmp(s(json_object_get(e, "path")), path))
			return e;
	}
	return NULL;
}

static bool linked(const struct rec *r, json_int_t llm_id, json_int_t ev_id)
{
	size_t i;
	json_t *l;
	json_array_foreach(r->links, i, l)
	{
		if (json_integer_value(json_object_get(l, "llm_event")) == llm_id &&
		    json_integer_value(json_object_get(l, "event")) == ev_id)
			return true;
	}
	return false;
}

/* The text of the first user message of a request body as the server logged
 * it: a string, or the text blocks of an array. */
static const char *first_user_text(const json_t *body, char *buf, size_t len)
{
	size_t i, k;
	json_t *m, *b;
	buf[0] = 0;
	json_array_foreach(json_object_get(body, "messages"), i, m)
	{
		if (strcmp(s(json_object_get(m, "role")), "user") != 0)
			continue;
		json_t *c = json_object_get(m, "content");
		if (json_is_string(c)) {
			snprintf(buf, len, "%s", s(c));
			return buf;
		}
		json_array_foreach(c, k, b)
		{
			if (!strcmp(s(json_object_get(b, "type")), "text")) {
				snprintf(buf, len, "%s", s(json_object_get(b, "text")));
				return buf;
			}
		}
	}
	return buf;
}

/* Does the exchange's prompt hold a user message with exactly this text? */
static bool prompt_has(const json_t *ev, const char *text)
{
	size_t i;
	json_t *m;
	json_array_foreach(get(ev, "exchange.messages"), i, m)
	{
		if (!strcmp(s(json_object_get(m, "role")), "user") &&
		    !strcmp(s(json_object_get(m, "text")), text))
			return true;
	}
	return false;
}

/* Tool call i of the reply: its name, and its arguments parsed. */
static json_t *reply_call(const json_t *ev, size_t i, const char **name)
{
	json_t *c = json_array_get(get(ev, "exchange.reply.tool_calls"), i);
	*name = s(json_object_get(c, "name"));
	const char *a = json_string_value(json_object_get(c, "arguments"));
	return a ? json_loads(a, 0, NULL) : NULL;
}

static void check_usage(const json_t *ev, int idx, json_int_t in, json_int_t out)
{
	json_int_t gi = json_integer_value(get(ev, "exchange.usage.input"));
	json_int_t go = json_integer_value(get(ev, "exchange.usage.output"));
	TK_CHECK(gi == in && go == out,
		 "LLM call %d: usage %lld in / %lld out, the scenario says %lld / %lld", idx,
		 (long long)gi, (long long)go, (long long)in, (long long)out);
}

static void check_basic(const struct rec *r, json_t *llm, const char *work)
{
	json_t *ev0 = json_array_get(llm, 0);
	TK_CHECK(!strcmp(s(get(ev0, "exchange.reply.text")),
			 "I will run the command and write the file."),
		 "reply 1 text '%s'", s(get(ev0, "exchange.reply.text")));
	TK_CHECK(json_array_size(get(ev0, "exchange.reply.tool_calls")) == 2,
		 "reply 1 has %zu tool calls, not 2",
		 json_array_size(get(ev0, "exchange.reply.tool_calls")));
	const char *name;
	json_t *args = reply_call(ev0, 0, &name);
	TK_CHECK(!strcmp(name, "run_command") &&
			 !strcmp(s(json_object_get(args, "command")), BASIC_CMD),
		 "tool call 1 is %s %s", name, s(json_object_get(args, "command")));
	json_decref(args);
	args = reply_call(ev0, 1, &name);
	TK_CHECK(!strcmp(name, "write_file") &&
			 !strcmp(s(json_object_get(args, "path")), "agentsight-e2e-basic.txt") &&
			 !strcmp(s(json_object_get(args, "content")), BASIC_FILE),
		 "tool call 2 is %s (path %s)", name, s(json_object_get(args, "path")));
	json_decref(args);
	check_usage(ev0, 1, 101, 21);
	check_usage(json_array_get(llm, 1), 2, 202, 12);
	TK_CHECK(!strcmp(s(get(json_array_get(llm, 1), "exchange.reply.text")),
			 "Done: the command ran and the file is written."),
		 "reply 2 text '%s'", s(get(json_array_get(llm, 1), "exchange.reply.text")));

	json_t *exec = exec_with_arg(r, BASIC_CMD);
	TK_CHECK(exec != NULL, "no exec whose argv holds the tool's command '%s'", BASIC_CMD);
	char real[PATH_MAX], path[PATH_MAX + 64];
	if (!realpath(work, real))
		snprintf(real, sizeof(real), "%s", work);
	snprintf(path, sizeof(path), "%s/agentsight-e2e-basic.txt", real);
	json_t *wr = event_by_kind_path(r, "file_write", path);
	TK_CHECK(wr != NULL, "no file_write event for %s", path);
	if (wr)
		TK_CHECK(json_integer_value(json_object_get(wr, "bytes")) == 63,
			 "the write of %s counts %lld bytes, the file has 63", path,
			 (long long)json_integer_value(json_object_get(wr, "bytes")));
	json_int_t llm_id = json_integer_value(json_object_get(ev0, "id"));
	if (exec)
		TK_CHECK(linked(r, llm_id, json_integer_value(json_object_get(exec, "id"))),
			 "no link from LLM call 1 (event %lld) to the exec (event %lld)",
			 (long long)llm_id,
			 (long long)json_integer_value(json_object_get(exec, "id")));
	if (wr)
		TK_CHECK(linked(r, llm_id, json_integer_value(json_object_get(wr, "id"))),
			 "no link from LLM call 1 (event %lld) to the write (event %lld)",
			 (long long)llm_id,
			 (long long)json_integer_value(json_object_get(wr, "id")));
}

static json_t *alerts_of(const struct rec *r, const char *kind)
{
	json_t *out = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(r->alerts, i, a)
	{
		if (!strcmp(s(json_object_get(a, "kind")), kind))
			json_array_append(out, a);
	}
	return out;
}

static bool has_evidence(const json_t *alert, json_int_t id)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(alert, "evidence"), i, v)
	{
		if (json_integer_value(v) == id)
			return true;
	}
	return false;
}

static void check_loop(const struct rec *r, json_t *llm)
{
	/* Five identical calls of 50 in / 7 out, then the answer of 60 / 6. */
	for (int i = 0; i < 5; i++)
		check_usage(json_array_get(llm, (size_t)i), i + 1, 50, 7);
	json_t *loops = alerts_of(r, "reasoning_loop");
	TK_CHECK(json_array_size(loops) == 1, "%zu reasoning-loop alerts, want one",
		 json_array_size(loops));
	json_t *a = json_array_get(loops, 0);
	if (a) {
		json_t *d = json_object_get(a, "details");
		json_int_t count = json_integer_value(json_object_get(d, "count"));
		json_int_t tokens = json_integer_value(json_object_get(d, "tokens"));
		TK_CHECK(count == 5, "the loop alert counts %lld repetitions, want 5",
			 (long long)count);
		TK_CHECK(tokens == (json_int_t)5 * (50 + 7),
			 "the loop alert counts %lld tokens, want %d", (long long)tokens,
			 5 * (50 + 7));
		for (int i = 0; i < 5; i++)
			TK_CHECK(has_evidence(a, json_integer_value(json_object_get(
							 json_array_get(llm, (size_t)i), "id"))),
				 "LLM call %d is not in the loop alert's evidence", i + 1);
	}
	json_decref(loops);
	json_t *inj = alerts_of(r, "prompt_injection");
	TK_CHECK(json_array_size(inj) == 0, "a benign loop raised %zu injection alerts",
		 json_array_size(inj));
	json_decref(inj);
}

static void check_injection(const struct rec *r, const char *work)
{
	json_t *exec = exec_with_arg(r, "touch agentsight-e2e-pwned");
	if (!exec) {
		/* sh may exec touch itself: then the touch process has the argv. */
		exec = exec_with_arg(r, "agentsight-e2e-pwned");
	}
	TK_CHECK(exec != NULL, "no exec of the injected command");
	char real[PATH_MAX], notes[PATH_MAX + 16];
	if (!realpath(work, real))
		snprintf(real, sizeof(real), "%s", work);
	snprintf(notes, sizeof(notes), "%s/notes.txt", real);
	json_t *open = event_by_kind_path(r, "file_open", notes);
	TK_CHECK(open != NULL, "no open event for %s", notes);

	json_t *inj = alerts_of(r, "prompt_injection");
	TK_CHECK(json_array_size(inj) >= 1, "no prompt-injection alert");
	bool named = false, with_exec = false, with_open = false;
	size_t i;
	json_t *a;
	json_array_foreach(inj, i, a)
	{
		char *dump = json_dumps(a, 0);
		named |= dump && strstr(dump, "notes.txt") != NULL;
		free(dump);
		with_exec |=
			exec && has_evidence(a, json_integer_value(json_object_get(exec, "id")));
		with_open |=
			open && has_evidence(a, json_integer_value(json_object_get(open, "id")));
	}
	TK_CHECK(named, "the injection alert does not name notes.txt");
	TK_CHECK(with_exec,
		 "the injection alert's evidence lacks the exec of the injected command");
	TK_CHECK(with_open, "the injection alert's evidence lacks the open of notes.txt");
	json_decref(inj);
}

void as_e2e_check_recording(const char *jsonl, const char *scenario, bool stream,
			    const json_t *server_log, const char *work)
{
	struct rec r = {0};
	TK_REQUIRE(load(jsonl, &r) == 0, "agentsight wrote no JSON lines to %s", jsonl);
	TK_CHECK(r.stats != NULL, "no stats line at the end");
	if (r.stats) {
		TK_CHECK(json_integer_value(json_object_get(r.stats, "ringbuf_drops")) == 0 &&
				 json_integer_value(json_object_get(r.stats, "tls_bytes_lost")) ==
					 0,
			 "records dropped or TLS bytes lost");
		TK_CHECK(json_integer_value(json_object_get(r.stats, "http_errors")) == 0,
			 "HTTP parse errors: %lld",
			 (long long)json_integer_value(json_object_get(r.stats, "http_errors")));
	}

	/* One LLM event per request the server answered, in order, each with
	 * the prompt the server received and the stream flag it asked for. */
	json_t *llm = llm_events(&r);
	TK_CHECK(json_array_size(llm) == json_array_size(server_log),
		 "%zu LLM events, the server answered %zu requests", json_array_size(llm),
		 json_array_size(server_log));
	size_t i;
	json_t *req;
	json_array_foreach(server_log, i, req)
	{
		json_t *ev = json_array_get(llm, i);
		if (!ev)
			break;
		json_t *body = json_object_get(req, "body");
		char prompt[4096];
		first_user_text(body, prompt, sizeof(prompt));
		TK_CHECK(prompt[0] && prompt_has(ev, prompt), "LLM event %zu lacks the prompt '%s'",
			 i + 1, prompt);
		TK_CHECK(!strcmp(s(get(ev, "exchange.model")), s(json_object_get(body, "model"))),
			 "LLM event %zu: model '%s', the request said '%s'", i + 1,
			 s(get(ev, "exchange.model")), s(json_object_get(body, "model")));
		TK_CHECK(json_is_true(get(ev, "exchange.stream")) == stream,
			 "LLM event %zu: stream flag is not %d", i + 1, stream);
		TK_CHECK(json_is_true(get(ev, "exchange.complete")),
			 "LLM event %zu: the response is not complete", i + 1);
		TK_CHECK(json_integer_value(get(ev, "http.status")) == 200,
			 "LLM event %zu: status %lld", i + 1,
			 (long long)json_integer_value(get(ev, "http.status")));
	}

	if (!strcmp(scenario, "basic") && json_array_size(llm) >= 2)
		check_basic(&r, llm, work);
	else if (!strcmp(scenario, "loop") && json_array_size(llm) >= 6)
		check_loop(&r, llm);
	else if (!strcmp(scenario, "injection"))
		check_injection(&r, work);
	json_decref(llm);
	json_decref(r.events);
	json_decref(r.links);
	json_decref(r.alerts);
	json_decref(r.stats);
}
