/* scenario: the synthetic recording the store, report and web tests share
 * (see scenario.h). Times are given in milliseconds after the session's
 * start, so the expected report can be worked out by hand.
 */
#include "scenario.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define OFFSET_NS (AS_SCENARIO_START_NS - AS_SCENARIO_MONO0)

static char *dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void base(struct as_event *ev, enum as_event_kind kind, uint64_t id, int64_t at_ms, int pid,
		 int ppid, const char *comm)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = id;
	ev->kind = kind;
	ev->ts_ns = (uint64_t)(AS_SCENARIO_MONO0 + at_ms * 1000000);
	ev->pid = pid;
	ev->tid = pid;
	ev->ppid = ppid;
	strncpy(ev->comm, comm, sizeof(ev->comm) - 1);
}

void as_scenario_exec(struct as_event *ev, uint64_t id, int64_t at_ms, int pid, int ppid,
		      const char *comm, const char *filename, const char *const *argv)
{
	base(ev, AS_EV_EXEC, id, at_ms, pid, ppid, comm);
	ev->u.exec.filename = dup(filename);
	size_t n = 0;
	while (argv[n])
		n++;
	ev->u.exec.argv = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		ev->u.exec.argv[i] = dup(argv[i]);
	ev->u.exec.argc = n;
	ev->u.exec.uid = 1000;
}

struct as_llm_exchange *as_scenario_exchange(const char *model)
{
	struct as_llm_exchange *x = calloc(1, sizeof(*x));
	x->api = AS_LLM_API_OPENAI_CHAT;
	x->model = dup(model);
	x->http_status = 200;
	x->reply.role = AS_LLM_ROLE_ASSISTANT;
	x->response_complete = true;
	return x;
}

void as_scenario_add_message(struct as_llm_exchange *x, enum as_llm_role role, const char *text,
			     const char *tool_call_id)
{
	x->messages = realloc(x->messages, (x->n_messages + 1) * sizeof(*x->messages));
	struct as_llm_message *m = &x->messages[x->n_messages++];
	memset(m, 0, sizeof(*m));
	m->role = role;
	m->text = dup(text);
	m->tool_call_id = dup(tool_call_id);
}

void as_scenario_add_tool_call(struct as_llm_exchange *x, int reply, const char *id,
			       const char *name, const char *arguments)
{
	struct as_llm_message *m = reply ? &x->reply : &x->messages[x->n_messages - 1];
	m->tool_calls = realloc(m->tool_calls, (m->n_tool_calls + 1) * sizeof(*m->tool_calls));
	struct as_llm_tool_call *c = &m->tool_calls[m->n_tool_calls++];
	c->id = dup(id);
	c->name = dup(name);
	c->arguments = dup(arguments);
}

static void add_tools(struct as_llm_exchange *x)
{
	x->tool_names = calloc(2, sizeof(char *));
	x->tool_names[0] = dup("run_command");
	x->tool_names[1] = dup("write_file");
	x->n_tools = 2;
}

static void llm(struct as_event *ev, uint64_t id, int64_t at_ms, struct as_llm_exchange *x)
{
	base(ev, AS_EV_LLM, id, at_ms, 100, 1, "python3");
	ev->http.method = dup("POST");
	ev->http.host = dup("api.openai.com");
	ev->http.path = dup("/v1/chat/completions");
	ev->http.status = 200;
	ev->http.version = 11;
	ev->http.request_bytes = 800;
	ev->http.response_bytes = 1200;
	ev->http.conn = 0x5555deadbeefULL;
	ev->http.request_ts_ns = ev->ts_ns - 2000000000ULL;
	ev->llm = x;
}

static void file_write(struct as_event *ev, uint64_t id, int64_t at_ms, int pid, int ppid,
		       const char *comm, const char *path, uint64_t bytes, uint32_t writes)
{
	base(ev, AS_EV_FILE_WRITE, id, at_ms, pid, ppid, comm);
	ev->u.file.path = dup(path);
	ev->u.file.path_resolved = true;
	ev->u.file.ret = (int64_t)bytes;
	ev->u.file.bytes = bytes;
	ev->u.file.writes = writes;
}

static void net(struct as_event *ev, uint64_t id, int64_t at_ms, const char *addr, int port,
		int ret)
{
	base(ev, AS_EV_NET_CONNECT, id, at_ms, 100, 1, "python3");
	ev->u.net.family = AF_INET;
	strncpy(ev->u.net.addr, addr, sizeof(ev->u.net.addr) - 1);
	ev->u.net.port = port;
	ev->u.net.ret = ret;
}

static void proc_exit(struct as_event *ev, uint64_t id, int64_t at_ms, int pid, int ppid,
		      const char *comm, int code)
{
	base(ev, AS_EV_EXIT, id, at_ms, pid, ppid, comm);
	ev->u.exit.code = code;
	ev->u.exit.duration_ns = 1000000000ULL;
}

static int put(struct as_store *st, int64_t s, struct as_event *ev, char *err, size_t errlen)
{
	int rc = as_store_add_event(st, s, ev, err, errlen);
	as_event_clear(ev);
	return rc;
}

static int link_to(struct as_store *st, int64_t s, uint64_t from, uint64_t to, double score,
		   const char *reasons, char *err, size_t errlen)
{
	struct as_link l = {.llm_event_id = from, .event_id = to, .score = score};
	strncpy(l.reasons, reasons, sizeof(l.reasons) - 1);
	return as_store_add_link(st, s, &l, err, errlen);
}

int as_scenario_write(struct as_store *st, int64_t *s1, int64_t *s2, char *err, size_t errlen)
{
	struct as_session_meta meta = {
		.command = "python3 agent.py --task fix-tests",
		.host = "devbox",
		.started_unix_ns = AS_SCENARIO_START_NS,
		.walltime_offset_ns = OFFSET_NS,
	};
	if (as_store_begin_session(st, &meta, s1, err, errlen) != 0)
		return -1;
	int64_t s = *s1;
	struct as_event ev;
	int rc = 0;

	static const char *const agent_argv[] = {"python3", "agent.py", "--task", "fix-tests",
						 NULL};
	as_scenario_exec(&ev, 1, 100, 100, 1, "python3", "/usr/bin/python3", agent_argv);
	rc |= put(st, s, &ev, err, errlen);
	net(&ev, 2, 500, "93.184.216.34", 443, 0);
	rc |= put(st, s, &ev, err, errlen);

	struct as_llm_exchange *x = as_scenario_exchange("test-model");
	as_scenario_add_message(x, AS_LLM_ROLE_SYSTEM, "You are a coding agent.", NULL);
	as_scenario_add_message(x, AS_LLM_ROLE_USER, "Run the tests and fix what fails.", NULL);
	add_tools(x);
	x->reply.text = dup("I will run the test suite first.");
	as_scenario_add_tool_call(x, 1, "call_1", "run_command", "{\"command\":\"pytest -q\"}");
	x->stop_reason = dup("tool_calls");
	x->response_id = dup("chatcmpl-1");
	x->usage =
		(struct as_llm_usage){.reported = true, .input_tokens = 1200, .output_tokens = 300};
	llm(&ev, 3, 5000, x);
	rc |= put(st, s, &ev, err, errlen);

	base(&ev, AS_EV_FORK, 4, 5100, 100, 1, "python3");
	ev.u.fork.child_pid = 101;
	rc |= put(st, s, &ev, err, errlen);
	static const char *const pytest_argv[] = {"pytest", "-q", NULL};
	as_scenario_exec(&ev, 5, 5200, 101, 100, "pytest", "/usr/bin/pytest", pytest_argv);
	rc |= put(st, s, &ev, err, errlen);
	file_write(&ev, 6, 6000, 101, 100, "pytest", "/work/repo/.pytest_cache/v/cache/lastfailed",
		   120, 2);
	rc |= put(st, s, &ev, err, errlen);
	proc_exit(&ev, 7, 6500, 101, 100, "pytest", 1);
	rc |= put(st, s, &ev, err, errlen);

	x = as_scenario_exchange("test-model");
	as_scenario_add_message(x, AS_LLM_ROLE_SYSTEM, "You are a coding agent.", NULL);
	as_scenario_add_message(x, AS_LLM_ROLE_USER, "Run the tests and fix what fails.", NULL);
	as_scenario_add_message(x, AS_LLM_ROLE_ASSISTANT, "I will run the test suite first.", NULL);
	as_scenario_add_tool_call(x, 0, "call_1", "run_command", "{\"command\":\"pytest -q\"}");
	as_scenario_add_message(x, AS_LLM_ROLE_TOOL, "1 failed: test_add", "call_1");
	add_tools(x);
	x->reply.text = dup("The add function subtracts; fixing it.");
	as_scenario_add_tool_call(
		x, 1, "call_2", "write_file",
		"{\"path\":\"calc.py\",\"content\":\"def add(a, b):\\n    return a + b\\n\"}");
	x->stop_reason = dup("tool_calls");
	x->response_id = dup("chatcmpl-2");
	x->usage =
		(struct as_llm_usage){.reported = true, .input_tokens = 1500, .output_tokens = 80};
	llm(&ev, 8, 10000, x);
	rc |= put(st, s, &ev, err, errlen);
	file_write(&ev, 9, 10200, 100, 1, "python3", "/work/repo/calc.py", 31, 1);
	rc |= put(st, s, &ev, err, errlen);

	/* The third call reports no usage: the report estimates it. */
	x = as_scenario_exchange("test-model");
	as_scenario_add_message(x, AS_LLM_ROLE_USER, "Check again.", NULL);
	as_scenario_add_tool_call(x, 1, "call_3", "run_command", "{\"command\":\"pytest -q\"}");
	x->stop_reason = dup("tool_calls");
	llm(&ev, 10, 15000, x);
	rc |= put(st, s, &ev, err, errlen);
	as_scenario_exec(&ev, 11, 15200, 102, 100, "pytest", "/usr/bin/pytest", pytest_argv);
	rc |= put(st, s, &ev, err, errlen);
	proc_exit(&ev, 12, 16000, 102, 100, "pytest", 0);
	rc |= put(st, s, &ev, err, errlen);
	net(&ev, 13, 20000, "10.0.0.5", 5432, -111);
	rc |= put(st, s, &ev, err, errlen);
	proc_exit(&ev, 14, 29000, 100, 1, "python3", 0);
	rc |= put(st, s, &ev, err, errlen);
	if (rc)
		return -1;

	rc |= link_to(st, s, 3, 4, 0.80, "descendant; 0.1s after", err, errlen);
	rc |= link_to(st, s, 3, 5, 0.95,
		      "descendant; 0.2s after; argv matches tool call run_command", err, errlen);
	rc |= link_to(st, s, 3, 6, 0.70, "descendant; 1.0s after", err, errlen);
	rc |= link_to(st, s, 3, 7, 0.60, "descendant; 1.5s after", err, errlen);
	rc |= link_to(st, s, 8, 9, 0.90,
		      "same process; 0.2s after; path matches tool call write_file", err, errlen);
	rc |= link_to(st, s, 10, 11, 0.95,
		      "descendant; 0.2s after; argv matches tool call run_command", err, errlen);
	rc |= link_to(st, s, 10, 12, 0.60, "descendant; 1.0s after", err, errlen);
	if (rc)
		return -1;

	struct as_alert al = {
		.id = 1,
		.kind = AS_ALERT_REASONING_LOOP,
		.ts_ns = (uint64_t)(AS_SCENARIO_MONO0 + 16500LL * 1000000),
		.pid = 100,
		.severity = "medium",
		.summary = dup("The agent ran run_command {\"command\":\"pytest -q\"} twice with "
			       "the same arguments"),
		.details = json_pack("{s:s, s:i}", "tool", "run_command", "repeats", 2),
		.evidence = {3, 5, 10, 11},
		.n_evidence = 4,
	};
	rc = as_store_add_alert(st, s, &al, err, errlen);
	as_alert_clear(&al);
	if (rc)
		return -1;
	json_t *stats = json_pack("{s:i}", "dropped", 0);
	rc = as_store_end_session(st, s, AS_SCENARIO_START_NS + 30000000000LL, stats, err, errlen);
	json_decref(stats);
	if (rc)
		return -1;

	/* Session 2: started an hour later, never ended. */
	meta = (struct as_session_meta){
		.command = "sh -c true",
		.host = "devbox",
		.started_unix_ns = AS_SCENARIO_START_NS + 3600000000000LL,
		.walltime_offset_ns = OFFSET_NS,
	};
	if (as_store_begin_session(st, &meta, s2, err, errlen) != 0)
		return -1;
	static const char *const sh_argv[] = {"sh", "-c", "true", NULL};
	as_scenario_exec(&ev, 1, 3600050, 200, 1, "sh", "/bin/sh", sh_argv);
	if (put(st, *s2, &ev, err, errlen) != 0)
		return -1;
	return as_store_flush(st, err, errlen);
}

int as_scenario_create(const char *path, int64_t *s1, int64_t *s2, char *err, size_t errlen)
{
	struct as_store *st;
	if (as_store_open(&st, path, NULL, err, errlen) != 0)
		return -1;
	int rc = as_scenario_write(st, s1, s2, err, errlen);
	as_store_close(st);
	return rc;
}
