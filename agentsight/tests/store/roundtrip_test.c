/* as_store_roundtrip: events of every kind, links and alerts written to a
 * store and read back equal, through each read path (one event, pages of
 * events, events as structs), compared by their JSON forms (event.h); and
 * the session list's counts, worked out by hand from the scenario.
 */
#include "scenario.h"
#include "testkit.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OFFSET_NS (AS_SCENARIO_START_NS - AS_SCENARIO_MONO0)

static void base(struct as_event *ev, enum as_event_kind kind, uint64_t id)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->id = id;
	ev->ts_ns = (uint64_t)AS_SCENARIO_MONO0 + id * 1000003;
	ev->pid = 4000 + (int)id;
	ev->tid = 5000 + (int)id;
	ev->ppid = 4000;
	snprintf(ev->comm, sizeof(ev->comm), "comm%llu", (unsigned long long)id);
}

/* One event of each kind, with every field set to something not zero. */
static size_t make_events(struct as_event *evs)
{
	size_t n = 0;
	base(&evs[n], AS_EV_FORK, n + 1);
	evs[n++].u.fork.child_pid = 4242;

	static const char *const argv[] = {"sh", "-c", "echo 'h\xc3\xa9' > /tmp/x", NULL};
	as_scenario_exec(&evs[n], n + 1, 0, 4002, 4000, "sh", "/bin/sh", argv);
	evs[n].u.exec.argv_truncated = true;
	evs[n].u.exec.uid = 1001;
	n++;

	base(&evs[n], AS_EV_EXIT, n + 1);
	evs[n].u.exit.code = 3;
	evs[n].u.exit.signal = 9;
	evs[n++].u.exit.duration_ns = 123456789;

	enum as_event_kind files[] = {AS_EV_FILE_OPEN, AS_EV_FILE_WRITE, AS_EV_FILE_UNLINK,
				      AS_EV_FILE_RENAME};
	for (size_t i = 0; i < 4; i++) {
		base(&evs[n], files[i], n + 1);
		evs[n].u.file.path = strdup("/srv/data/a file.txt");
		if (files[i] == AS_EV_FILE_RENAME)
			evs[n].u.file.path2 = strdup("/srv/data/b.txt");
		evs[n].u.file.path_resolved = i % 2 == 0;
		evs[n].u.file.ret = i == 2 ? -2 : 7;
		evs[n].u.file.bytes = 4096 * (i + 1);
		evs[n].u.file.flags = 0101;
		evs[n].u.file.writes = (uint32_t)i + 1;
		n++;
	}

	enum as_event_kind nets[] = {AS_EV_NET_CONNECT, AS_EV_NET_ACCEPT, AS_EV_NET_BIND};
	int fams[] = {AF_INET, AF_INET6, AF_UNIX};
	const char *addrs[] = {"192.0.2.1", "2001:db8::1", "/run/agent.sock"};
	for (size_t i = 0; i < 3; i++) {
		base(&evs[n], nets[i], n + 1);
		evs[n].u.net.family = fams[i];
		snprintf(evs[n].u.net.addr, sizeof(evs[n].u.net.addr), "%s", addrs[i]);
		evs[n].u.net.port = 443 + (int)i;
		evs[n].u.net.ret = i == 1 ? -111 : 0;
		n++;
	}

	base(&evs[n], AS_EV_HTTP, n + 1);
	evs[n].http.method = strdup("GET");
	evs[n].http.host = strdup("example.org");
	evs[n].http.path = strdup("/index.html?q=1");
	evs[n].http.status = 404;
	evs[n].http.version = 20;
	evs[n].http.request_bytes = 10;
	evs[n].http.response_bytes = 2000;
	evs[n].http.conn = 0x7f0011223344ULL;
	evs[n].http.request_ts_ns = evs[n].ts_ns - 5000;
	evs[n].http.truncated = true;
	n++;

	base(&evs[n], AS_EV_LLM, n + 1);
	evs[n].http.method = strdup("POST");
	evs[n].http.host = strdup("api.anthropic.com");
	evs[n].http.path = strdup("/v1/messages");
	evs[n].http.status = 200;
	evs[n].http.version = 11;
	struct as_llm_exchange *x = as_scenario_exchange("claude-test");
	x->api = AS_LLM_API_ANTHROPIC_MESSAGES;
	x->stream = true;
	as_scenario_add_message(x, AS_LLM_ROLE_SYSTEM, "Be brief.", NULL);
	as_scenario_add_message(x, AS_LLM_ROLE_USER, "List the files.\nThen stop.", NULL);
	as_scenario_add_message(x, AS_LLM_ROLE_ASSISTANT, NULL, NULL);
	as_scenario_add_tool_call(x, 0, "toolu_1", "bash", "{\"cmd\":\"ls\"}");
	as_scenario_add_message(x, AS_LLM_ROLE_TOOL, "a\nb\n", "toolu_1");
	x->reply.text = strdup("Two files: a and b.");
	as_scenario_add_tool_call(x, 1, "toolu_2", "stop", "{}");
	x->stop_reason = strdup("end_turn");
	x->response_id = strdup("msg_01");
	x->usage = (struct as_llm_usage){.reported = true,
					 .input_tokens = 100,
					 .output_tokens = 20,
					 .cache_read_tokens = 50,
					 .cache_write_tokens = 10,
					 .reasoning_tokens = 5};
	x->error = strdup("overloaded, retried");
	x->capped = true;
	x->parse_problems = 2;
	evs[n].llm = x;
	n++;
	return n;
}

static void check_equal(json_t *want, json_t *got, const char *what, uint64_t id)
{
	if (!json_equal(want, got)) {
		char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
		char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		TK_CHECK(0, "%s %llu differs:\n  wrote %s\n  read  %s", what,
			 (unsigned long long)id, w, g);
		free(w);
		free(g);
	}
}

struct walk {
	json_t *want; /* array of the written events' JSON */
	size_t seen;
};

static int on_event(const struct as_event *ev, void *ctx)
{
	struct walk *w = ctx;
	json_t *got = as_event_to_json(ev, OFFSET_NS);
	check_equal(json_array_get(w->want, w->seen), got, "event (as struct)", ev->id);
	json_decref(got);
	w->seen++;
	return 0;
}

static int64_t get_int(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

int main(void)
{
	char dir[] = "/tmp/as_store_rt.XXXXXX";
	TK_REQUIRE(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	char path[128];
	snprintf(path, sizeof(path), "%s/rt.db", dir);
	char err[512];
	struct as_store *st;
	TK_REQUIRE(as_store_open(&st, path, NULL, err, sizeof(err)) == 0, "open: %s", err);

	/* Session 1: every kind. */
	struct as_session_meta meta = {.command = "agent --all-kinds",
				       .host = "h\xc3\xb4te",
				       .started_unix_ns = AS_SCENARIO_START_NS,
				       .walltime_offset_ns = OFFSET_NS};
	int64_t s;
	TK_REQUIRE(as_store_begin_session(st, &meta, &s, err, sizeof(err)) == 0, "begin: %s", err);
	struct as_event evs[16];
	size_t n = make_events(evs);
	TK_CHECK(n == 12, "one event per kind: %zu", n);
	json_t *want = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(want, as_event_to_json(&evs[i], OFFSET_NS));
		TK_CHECK(as_store_add_event(st, s, &evs[i], err, sizeof(err)) == 0, "add: %s", err);
	}
	struct as_link link = {.llm_event_id = n, .event_id = 2, .score = 0.625};
	snprintf(link.reasons, sizeof(link.reasons), "descendant; argv matches tool call bash");
	TK_CHECK(as_store_add_link(st, s, &link, err, sizeof(err)) == 0, "link: %s", err);
	struct as_alert al = {
		.id = 7,
		.kind = AS_ALERT_PROMPT_INJECTION,
		.ts_ns = (uint64_t)AS_SCENARIO_MONO0 + 999,
		.pid = 4002,
		.severity = "high",
		.summary = strdup("Tool output told the agent to run curl | sh"),
		.details = json_pack("{s:s,s:[i,i]}", "pattern", "curl | sh", "at", 10, 20),
		.evidence = {2, 12},
		.n_evidence = 2};
	TK_CHECK(as_store_add_alert(st, s, &al, err, sizeof(err)) == 0, "alert: %s", err);
	json_t *want_link = as_link_to_json(&link);
	json_t *want_alert = as_alert_to_json(&al, OFFSET_NS);

	/* Replacing an event by id (the engine updates aggregated writes). */
	evs[4].u.file.bytes = 99999;
	json_array_set_new(want, 4, as_event_to_json(&evs[4], OFFSET_NS));
	TK_CHECK(as_store_add_event(st, s, &evs[4], err, sizeof(err)) == 0, "replace: %s", err);
	for (size_t i = 0; i < n; i++)
		as_event_clear(&evs[i]);
	as_alert_clear(&al);

	/* Unknown sessions are refused, not silently created. */
	struct as_event stray;
	memset(&stray, 0, sizeof(stray));
	stray.kind = AS_EV_FORK;
	stray.id = 1;
	TK_CHECK(as_store_add_event(st, s + 100, &stray, err, sizeof(err)) == -ENOENT,
		 "an event of an unknown session is refused");
	TK_CHECK(strstr(err, path) != NULL, "the error names the file: %s", err);

	/* The scenario as sessions 2 and 3, then close and read from a fresh handle. */
	int64_t s2, s3;
	TK_REQUIRE(as_scenario_write(st, &s2, &s3, err, sizeof(err)) == 0, "scenario: %s", err);
	as_store_close(st);
	struct as_store_opts ro = {.read_only = true};
	TK_REQUIRE(as_store_open(&st, path, &ro, err, sizeof(err)) == 0, "reopen: %s", err);

	for (size_t i = 0; i < n; i++) {
		json_t *got = NULL;
		TK_CHECK(as_store_get_event(st, s, i + 1, &got, err, sizeof(err)) == 0, "get: %s",
			 err);
		check_equal(json_array_get(want, i), got, "event", i + 1);
		json_decref(got);
	}
	json_t *none = NULL;
	TK_CHECK(as_store_get_event(st, s, 999, &none, err, sizeof(err)) == -ENOENT && !none,
		 "a missing event is -ENOENT");

	/* Pages of 5: 5, 5, 2, in id order, the last without more. */
	uint64_t after = 0;
	size_t pages = 0, total = 0;
	bool more = true;
	while (more && pages < 10) {
		json_t *page = NULL;
		TK_REQUIRE(as_store_load_events(st, s, after, 5, &page, &more, err, sizeof(err)) ==
				   0,
			   "page: %s", err);
		size_t k = json_array_size(page);
		TK_CHECK(k == (pages < 2 ? 5u : 2u), "page %zu has %zu events", pages, k);
		TK_CHECK(more == (pages < 2), "page %zu: more is %d", pages, more);
		for (size_t i = 0; i < k; i++)
			check_equal(json_array_get(want, total + i), json_array_get(page, i),
				    "paged event", total + i + 1);
		total += k;
		if (k)
			after = (uint64_t)get_int(json_array_get(page, k - 1), "id");
		json_decref(page);
		pages++;
	}
	TK_CHECK(total == n && pages == 3, "%zu events in %zu pages", total, pages);

	struct walk w = {.want = want};
	size_t skipped = 99;
	TK_CHECK(as_store_each_event(st, s, on_event, &w, &skipped, err, sizeof(err)) == 0,
		 "each: %s", err);
	TK_CHECK(w.seen == n && skipped == 0, "walked %zu events, skipped %zu", w.seen, skipped);

	json_t *links = NULL, *alerts = NULL;
	TK_CHECK(as_store_load_links(st, s, &links, err, sizeof(err)) == 0, "links: %s", err);
	TK_CHECK(json_array_size(links) == 1, "one link");
	check_equal(want_link, json_array_get(links, 0), "link", 0);
	TK_CHECK(as_store_load_alerts(st, s, &alerts, err, sizeof(err)) == 0, "alerts: %s", err);
	TK_CHECK(json_array_size(alerts) == 1, "one alert");
	check_equal(want_alert, json_array_get(alerts, 0), "alert", 7);
	json_decref(links);
	json_decref(alerts);

	/* The list: counts of the scenario's first session, by hand: 14 events,
	 * 3 LLM calls, tokens 1200 + 1500 + 3 in (the third call's estimate:
	 * "Check again." is 12 bytes, (12 + 3) / 4 = 3) and 300 + 80 + 9 out
	 * ("run_command" 11 bytes -> 3, {"command":"pytest -q"} 23 bytes -> 6),
	 * one alert, pids 100, 101, 102. */
	json_t *list = NULL;
	TK_REQUIRE(as_store_list_sessions(st, &list, err, sizeof(err)) == 0, "list: %s", err);
	TK_CHECK(json_array_size(list) == 3, "three sessions: %zu", json_array_size(list));
	json_t *a = json_array_get(list, 0), *b = json_array_get(list, 1),
	       *c = json_array_get(list, 2);
	TK_CHECK(get_int(a, "id") == s && get_int(b, "id") == s2 && get_int(c, "id") == s3,
		 "sessions in id order");
	TK_CHECK(get_int(a, "events") == 12 && get_int(a, "llm_calls") == 1 &&
			 get_int(a, "alerts") == 1 && get_int(a, "tokens_in") == 100,
		 "session 1 counts");
	TK_CHECK(strcmp(json_string_value(json_object_get(a, "host")), "h\xc3\xb4te") == 0,
		 "host kept");
	TK_CHECK(get_int(b, "events") == 14, "scenario events: %lld",
		 (long long)get_int(b, "events"));
	TK_CHECK(get_int(b, "llm_calls") == 3, "scenario LLM calls");
	TK_CHECK(get_int(b, "tokens_in") == 2703, "scenario tokens in: %lld",
		 (long long)get_int(b, "tokens_in"));
	TK_CHECK(get_int(b, "tokens_out") == 389, "scenario tokens out: %lld",
		 (long long)get_int(b, "tokens_out"));
	TK_CHECK(get_int(b, "alerts") == 1 && get_int(b, "processes") == 3, "alerts, processes");
	TK_CHECK(strcmp(json_string_value(json_object_get(b, "command")),
			"python3 agent.py --task fix-tests") == 0,
		 "command");
	TK_CHECK(json_number_value(json_object_get(b, "started")) == 1736935200.0, "started");
	TK_CHECK(json_number_value(json_object_get(b, "ended")) == 1736935230.0, "ended");
	TK_CHECK(json_number_value(json_object_get(b, "last_event")) == 1736935229.0,
		 "last event at +29 s");
	TK_CHECK(get_int(json_object_get(b, "stats"), "dropped") == 0 &&
			 json_object_get(json_object_get(b, "stats"), "dropped"),
		 "stats kept");
	TK_CHECK(json_is_null(json_object_get(c, "ended")), "session 3 not ended");
	json_decref(list);

	int64_t latest = 0;
	TK_CHECK(as_store_latest_session(st, &latest, err, sizeof(err)) == 0 && latest == s3,
		 "latest session");
	json_t *one = NULL;
	TK_CHECK(as_store_get_session(st, 12345, &one, err, sizeof(err)) == -ENOENT && !one,
		 "missing session is -ENOENT");

	/* A read-only handle refuses writes with a message. */
	TK_CHECK(as_store_begin_session(st, &meta, &s, err, sizeof(err)) != 0 &&
			 strstr(err, "read-only"),
		 "read-only refuses writes: %s", err);
	as_store_close(st);

	json_decref(want);
	json_decref(want_link);
	json_decref(want_alert);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	TK_CHECK(system(cmd) == 0, "cleanup");
	return tk_finish();
}
