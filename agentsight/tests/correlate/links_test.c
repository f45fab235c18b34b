/* as_correlate_links: the correlation engine links exactly the events an LLM
 * reply caused. The scenarios are written here by hand; which events are
 * effects of which reply is what the scenario says it is (an agent runs its
 * tool calls), not what the engine computed.
 */
#include "harness.h"
#include "testkit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#define AGENT 100
#define OTHER 200

struct ids {
	uint64_t e0, e1, early_fork, early_exec, fork, exec_sh, ldso, open_out, write_out, exit_sh;
	uint64_t open_notes, write_notes, other_fork, other_exec, other_write, other_connect;
	uint64_t late_fork, late_exec, other_exact;
};

/* The agent (100) asks for a command and a file; other processes do other
 * things. other_exact: an unrelated tree running exactly the command. */
static void scenario(struct harness *h, struct ids *id, bool other_runs_exact)
{
	struct as_event ev;
	const char *agent_argv[] = {"python3", "agent.py", NULL};
	ev_exec(&ev, SEC(1), AGENT, 1, agent_argv);
	h_feed(h, &ev);
	const char *bash_argv[] = {"bash", NULL};
	ev_exec(&ev, SEC(2), OTHER, 1, bash_argv);
	h_feed(h, &ev);

	struct as_llm_exchange *x = ev_llm(&ev, SEC(5), AGENT, "gpt-4o");
	x_msg(x, AS_LLM_ROLE_USER, "Look around first.", NULL);
	x_reply_text(x, "Let me think about it.");
	x_usage(x, 20, 6);
	id->e0 = h_feed(h, &ev);

	/* Before the reply below ended: not its effect. */
	ev_fork(&ev, SEC(9.4), AGENT, 150);
	id->early_fork = h_feed(h, &ev);
	const char *early[] = {"/bin/sh", "-c", "echo agentsight-e2e > /tmp/x/out.txt", NULL};
	ev_exec(&ev, SEC(9.5), 150, AGENT, early);
	id->early_exec = h_feed(h, &ev);
	ev_exit(&ev, SEC(9.6), 150, 0);
	h_feed(h, &ev);

	x = ev_llm(&ev, SEC(10), AGENT, "gpt-4o");
	x_msg(x, AS_LLM_ROLE_USER, "Write the marker and the notes.", NULL);
	x_reply_call(x, "call_1", "run_command",
		     "{\"command\":\"echo agentsight-e2e > /tmp/x/out.txt\"}");
	x_reply_call(x, "call_2", "write_file",
		     "{\"path\":\"/tmp/x/notes.txt\",\"content\":\"hello\\nworld\\n\"}");
	x_usage(x, 101, 21);
	id->e1 = h_feed(h, &ev);

	ev_fork(&ev, SEC(10.05), AGENT, 101);
	id->fork = h_feed(h, &ev);
	const char *sh[] = {"/bin/sh", "-c", "echo agentsight-e2e > /tmp/x/out.txt", NULL};
	ev_exec(&ev, SEC(10.06), 101, AGENT, sh);
	id->exec_sh = h_feed(h, &ev);
	ev_file(&ev, AS_EV_FILE_OPEN, SEC(10.061), 101, "/etc/ld.so.cache", O_RDONLY | O_CLOEXEC);
	id->ldso = h_feed(h, &ev);
	ev_file(&ev, AS_EV_FILE_OPEN, SEC(10.07), 101, "/tmp/x/out.txt",
		O_WRONLY | O_CREAT | O_TRUNC);
	id->open_out = h_feed(h, &ev);
	ev_file(&ev, AS_EV_FILE_WRITE, SEC(10.08), 101, "/tmp/x/out.txt", 0);
	id->write_out = h_feed(h, &ev);
	ev_exit(&ev, SEC(10.09), 101, 0);
	id->exit_sh = h_feed(h, &ev);

	/* Another tree, at the same time. */
	ev_fork(&ev, SEC(10.1), OTHER, 201);
	id->other_fork = h_feed(h, &ev);
	const char *make[] = {"make", "all", NULL};
	ev_exec(&ev, SEC(10.11), 201, OTHER, make);
	id->other_exec = h_feed(h, &ev);
	ev_file(&ev, AS_EV_FILE_WRITE, SEC(10.12), 201, "/tmp/other/build.log", 0);
	id->other_write = h_feed(h, &ev);
	if (other_runs_exact) {
		ev_exec(&ev, SEC(10.13), 202, OTHER, sh);
		id->other_exact = h_feed(h, &ev);
	}

	ev_file(&ev, AS_EV_FILE_OPEN, SEC(10.2), AGENT, "/tmp/x/notes.txt", O_WRONLY | O_CREAT);
	id->open_notes = h_feed(h, &ev);
	ev_file(&ev, AS_EV_FILE_WRITE, SEC(10.21), AGENT, "/tmp/x/notes.txt", 0);
	id->write_notes = h_feed(h, &ev);

	ev_connect(&ev, SEC(10.3), OTHER, AF_INET, "93.184.216.34", 443);
	id->other_connect = h_feed(h, &ev);

	/* Far outside the window: the same command again, 70 s later. */
	ev_fork(&ev, SEC(80), AGENT, 102);
	id->late_fork = h_feed(h, &ev);
	ev_exec(&ev, SEC(80.01), 102, AGENT, sh);
	id->late_exec = h_feed(h, &ev);
}

static void check_linked(const struct harness *h, uint64_t ev, uint64_t llm, const char *name,
			 const char *reason)
{
	const struct as_link *l = h_link(h, ev);
	TK_CHECK(l != NULL, "%s (event %llu) is not linked", name, (unsigned long long)ev);
	if (!l)
		return;
	TK_CHECK(l->llm_event_id == llm, "%s linked to %llu, not %llu", name,
		 (unsigned long long)l->llm_event_id, (unsigned long long)llm);
	TK_CHECK(l->score >= 0.5 && l->score <= 1.0, "%s: score %f", name, l->score);
	if (reason)
		TK_CHECK(strstr(l->reasons, reason) != NULL, "%s: reasons '%s' lack '%s'", name,
			 l->reasons, reason);
}

static void check_unlinked(const struct harness *h, uint64_t ev, const char *name)
{
	const struct as_link *l = h_link(h, ev);
	TK_CHECK(l == NULL, "%s (event %llu) linked: %s", name, (unsigned long long)ev,
		 l ? l->reasons : "");
}

static void test_basic(void)
{
	struct harness h;
	h_init(&h, NULL, NULL, NULL);
	struct ids id = {0};
	scenario(&h, &id, false);
	check_linked(&h, id.fork, id.e1, "fork of the agent", "the caller itself");
	check_linked(&h, id.exec_sh, id.e1, "sh -c exec", "run_command");
	check_linked(&h, id.exec_sh, id.e1, "sh -c exec", "a shell runs the command");
	check_linked(&h, id.open_out, id.e1, "open of out.txt", "run_command");
	check_linked(&h, id.write_out, id.e1, "write of out.txt", NULL);
	check_linked(&h, id.open_notes, id.e1, "open of notes.txt", "write_file");
	check_linked(&h, id.write_notes, id.e1, "write of notes.txt", "write_file");
	check_unlinked(&h, id.early_fork, "fork before the response");
	check_unlinked(&h, id.early_exec, "exec before the response");
	check_unlinked(&h, id.ldso, "loader's open of ld.so.cache");
	check_unlinked(&h, id.exit_sh, "exit");
	check_unlinked(&h, id.other_fork, "fork in another tree");
	check_unlinked(&h, id.other_exec, "exec in another tree");
	check_unlinked(&h, id.other_write, "write in another tree");
	check_unlinked(&h, id.other_connect, "connect in another tree");
	check_unlinked(&h, id.late_fork, "fork outside the window");
	check_unlinked(&h, id.late_exec, "exec outside the window");
	TK_CHECK(h.n_links == 6, "expected exactly 6 links, got %zu", h.n_links);
	/* The exec's score: everything agrees; the ld.so open has none. */
	const struct as_link *l = h_link(&h, id.exec_sh);
	TK_CHECK(l && l->score > 0.95, "exec score %f", l ? l->score : -1);
	const struct as_proc *p = as_proctable_get(h.pt, 101);
	TK_CHECK(p && p->cause_llm_id == id.e1 && p->cause_tool == 0,
		 "the sh process is not attributed to call 0 of the exchange");
	h_free(&h);
}

/* With sessions: the other tree is another session and never a candidate,
 * even when it runs exactly the command; without sessions the argument
 * match alone links it (agents run tools in containers, elsewhere). */
static void test_sessions(void)
{
	struct harness h;
	h_init(&h, NULL, NULL, NULL);
	struct ids id = {0};
	as_proctable_set_root(h.pt, AGENT);
	as_proctable_set_root(h.pt, OTHER);
	scenario(&h, &id, true);
	check_unlinked(&h, id.other_exact, "exact command in another session");
	check_linked(&h, id.exec_sh, id.e1, "sh -c exec", NULL);
	TK_CHECK(h.n_links == 6, "expected 6 links with sessions, got %zu", h.n_links);
	h_free(&h);

	h_init(&h, NULL, NULL, NULL);
	memset(&id, 0, sizeof(id));
	scenario(&h, &id, true);
	check_linked(&h, id.other_exact, id.e1, "exact command, no sessions", "not of the caller");
	h_free(&h);
}

/* Children of the shell: each simple command of the command line. */
static void test_children(void)
{
	struct harness h;
	h_init(&h, NULL, NULL, NULL);
	struct as_event ev;
	const char *a[] = {"node", "agent.js", NULL};
	ev_exec(&ev, SEC(1), AGENT, 1, a);
	h_feed(&h, &ev);
	struct as_llm_exchange *x = ev_llm(&ev, SEC(10), AGENT, "claude-sonnet-4-5");
	x_reply_call(x, "toolu_1", "Bash",
		     "{\"command\":\"cd /tmp/x && ls -la | wc -l\",\"description\":\"count\"}");
	uint64_t e = h_feed(&h, &ev);
	ev_fork(&ev, SEC(10.1), AGENT, 110);
	h_feed(&h, &ev);
	const char *sh[] = {"/bin/bash", "-c", "cd /tmp/x && ls -la | wc -l", NULL};
	ev_exec(&ev, SEC(10.11), 110, AGENT, sh);
	uint64_t esh = h_feed(&h, &ev);
	ev_fork(&ev, SEC(10.12), 110, 111);
	h_feed(&h, &ev);
	ev_fork(&ev, SEC(10.12), 110, 112);
	h_feed(&h, &ev);
	const char *ls[] = {"/usr/bin/ls", "-la", NULL};
	ev_exec(&ev, SEC(10.13), 111, 110, ls);
	uint64_t els = h_feed(&h, &ev);
	const char *wc[] = {"wc", "-l", NULL};
	ev_exec(&ev, SEC(10.13), 112, 110, wc);
	uint64_t ewc = h_feed(&h, &ev);
	/* 90 s later, a grandchild of the attributed shell writes: still the tool's. */
	ev_file(&ev, AS_EV_FILE_WRITE, SEC(100), 111, "/tmp/x/late.log", 0);
	uint64_t elate = h_feed(&h, &ev);
	/* And the agent itself, 90 s later, is not attributed. */
	ev_file(&ev, AS_EV_FILE_WRITE, SEC(100.5), AGENT, "/tmp/x/agent.log", 0);
	uint64_t eagent = h_feed(&h, &ev);
	check_linked(&h, esh, e, "bash -c", "a shell runs the command");
	check_linked(&h, els, e, "ls child", "one simple command");
	check_linked(&h, ewc, e, "wc child", "one simple command");
	check_linked(&h, elate, e, "late write by the tool's process", "started for its tool call");
	check_unlinked(&h, eagent, "late write by the agent");
	h_free(&h);
}

/* Lineage: sibling, grandchild and distant descendants. */
static void test_lineage(void)
{
	struct harness h;
	h_init(&h, NULL, NULL, NULL);
	struct as_event ev;
	/* 399 runs two children: 400 talks to the model, 401 executes. */
	const char *sup[] = {"supervisor", NULL};
	ev_exec(&ev, SEC(1), 399, 1, sup);
	h_feed(&h, &ev);
	ev_fork(&ev, SEC(1.1), 399, 400);
	h_feed(&h, &ev);
	ev_fork(&ev, SEC(1.2), 399, 401);
	h_feed(&h, &ev);
	struct as_llm_exchange *x = ev_llm(&ev, SEC(10), 400, "gpt-4o");
	x_reply_call(x, "c1", "shell", "{\"cmd\":[\"pytest\",\"-q\",\"tests/\"]}");
	uint64_t e = h_feed(&h, &ev);
	const char *date[] = {"date", NULL};
	ev_exec(&ev, SEC(10.1), 401, 399, date);
	uint64_t esib_noargs = h_feed(&h, &ev);
	const char *pytest[] = {"pytest", "-q", "tests/", NULL};
	ev_exec(&ev, SEC(10.2), 401, 399, pytest);
	uint64_t esib_args = h_feed(&h, &ev);
	/* A chain below 400: 402 -> 403 -> 404 -> 405 -> 406 -> 407. */
	int prev = 400;
	for (int p = 402; p <= 407; p++) {
		ev_fork(&ev, SEC(10.3), prev, p);
		h_feed(&h, &ev);
		prev = p;
	}
	ev_file(&ev, AS_EV_FILE_OPEN, SEC(10.4), 403, "/tmp/y/a", O_WRONLY);
	uint64_t egrand = h_feed(&h, &ev);
	ev_file(&ev, AS_EV_FILE_OPEN, SEC(10.4), 407, "/tmp/y/b", O_WRONLY);
	uint64_t edistant = h_feed(&h, &ev);
	check_unlinked(&h, esib_noargs, "sibling without an argument match");
	check_linked(&h, esib_args, e, "sibling running the argv", "a sibling of the caller");
	check_linked(&h, egrand, e, "grandchild", "2 generations");
	check_unlinked(&h, edistant, "a descendant 6 generations down, no arguments");

	unsigned g = 0;
	TK_CHECK(as_proc_relation(h.pt, 400, 407, &g) == AS_REL_ANCESTOR && g == 6,
		 "400 -> 407 should be ancestor at 6 generations, got %u", g);
	TK_CHECK(as_proc_relation(h.pt, 400, 401, &g) == AS_REL_SIBLING, "400/401 siblings");
	h_free(&h);
}

static bool same_config(const struct as_corr_config *a, const struct as_corr_config *b)
{
	return a->window_ns == b->window_ns && a->half_life_ns == b->half_life_ns &&
	       a->w_temporal == b->w_temporal && a->w_lineage == b->w_lineage &&
	       a->w_args == b->w_args && a->threshold == b->threshold &&
	       a->text_factor == b->text_factor &&
	       a->max_llm_per_session == b->max_llm_per_session && a->llm_ttl_ns == b->llm_ttl_ns &&
	       a->max_sessions == b->max_sessions && a->attribute == b->attribute &&
	       a->link_system_files == b->link_system_files;
}

/* Configuration changes outcomes. */
static void test_config(void)
{
	struct as_corr_config cfg;
	as_corr_config_default(&cfg);
	TK_CHECK(cfg.window_ns == SEC(60) && cfg.w_temporal == 0.3 && cfg.w_lineage == 0.3 &&
			 cfg.w_args == 0.4 && cfg.threshold == 0.5,
		 "defaults are not the documented ones");

	/* A 150 ms window: the notes written at +200 ms fall out. */
	char err[200];
	TK_CHECK(as_corr_config_set(&cfg, "correlate.window_ms", "150", err, sizeof(err)) == 0,
		 "window_ms: %s", err);
	struct harness h;
	h_init(&h, &cfg, NULL, NULL);
	struct ids id = {0};
	scenario(&h, &id, true);
	check_linked(&h, id.exec_sh, id.e1, "sh -c exec (150 ms window)", NULL);
	check_linked(&h, id.other_exact, id.e1, "exact command elsewhere (150 ms window)", NULL);
	check_unlinked(&h, id.open_notes, "notes at +200 ms (150 ms window)");
	check_unlinked(&h, id.write_notes, "notes at +210 ms (150 ms window)");
	h_free(&h);

	/* No weight on arguments: the other tree's exact command no longer links;
	 * and a threshold of 0.8 drops the bare fork (time and lineage only). */
	as_corr_config_default(&cfg);
	TK_CHECK(as_corr_config_set(&cfg, "correlate.weight.args", "0", err, sizeof(err)) == 0,
		 "weight.args: %s", err);
	h_init(&h, &cfg, NULL, NULL);
	memset(&id, 0, sizeof(id));
	scenario(&h, &id, true);
	check_unlinked(&h, id.other_exact, "exact command elsewhere, args weight 0");
	check_linked(&h, id.exec_sh, id.e1, "sh -c exec, args weight 0", NULL);
	h_free(&h);

	as_corr_config_default(&cfg);
	TK_CHECK(as_corr_config_set(&cfg, "correlate.threshold", "0.8", err, sizeof(err)) == 0,
		 "threshold: %s", err);
	h_init(&h, &cfg, NULL, NULL);
	memset(&id, 0, sizeof(id));
	scenario(&h, &id, false);
	check_unlinked(&h, id.fork, "bare fork at threshold 0.8");
	check_linked(&h, id.exec_sh, id.e1, "sh -c exec at threshold 0.8", NULL);
	h_free(&h);

	/* Malformed settings are refused, naming the key. */
	struct as_corr_config before = cfg;
	static const char *const bad[][2] = {
		{"correlate.window_ms", "abc"},	  {"correlate.window_ms", "-5"},
		{"correlate.window_ms", ""},	  {"correlate.weight.args", "1.5"},
		{"correlate.weight.args", "nan"}, {"correlate.attribute", "yes"},
		{"correlate.nonsense", "1"},	  {"correlate.max_sessions", "0"},
		{"correlate.threshold", "0.5x"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		int rc = as_corr_config_set(&cfg, bad[i][0], bad[i][1], err, sizeof(err));
		TK_CHECK(rc == -EINVAL, "%s=%s accepted", bad[i][0], bad[i][1]);
		TK_CHECK(strstr(err, bad[i][0]) != NULL, "message '%s' does not name %s", err,
			 bad[i][0]);
	}
	TK_CHECK(same_config(&before, &cfg), "a refused setting changed the config");
	TK_CHECK(as_corr_config_set(&cfg, "correlate.attribute", "false", err, sizeof(err)) == 0 &&
			 !cfg.attribute,
		 "attribute=false not set");
}

/* Network and HTTP effects. */
static void test_network(void)
{
	struct harness h;
	h_init(&h, NULL, NULL, NULL);
	struct as_event ev;
	struct as_llm_exchange *x = ev_llm(&ev, SEC(10), AGENT, "gpt-4o");
	x_reply_call(x, "c1", "fetch", "{\"url\":\"http://127.0.0.1:8080/status\"}");
	x_reply_text(x, "I will also check `https://docs.example.org/guide` later.");
	uint64_t e = h_feed(&h, &ev);
	ev_connect(&ev, SEC(10.1), AGENT, AF_INET, "127.0.0.1", 8080);
	uint64_t c1 = h_feed(&h, &ev);
	ev_http(&ev, SEC(10.2), AGENT, "docs.example.org", "/guide");
	uint64_t h1 = h_feed(&h, &ev);
	/* An unrelated process reaching the same address: linked on arguments. */
	ev_connect(&ev, SEC(10.3), 900, AF_INET, "127.0.0.1", 8080);
	uint64_t c2 = h_feed(&h, &ev);
	/* ... but not another address. */
	ev_connect(&ev, SEC(10.4), 900, AF_INET, "10.0.0.1", 9999);
	uint64_t c3 = h_feed(&h, &ev);
	check_linked(&h, c1, e, "connect to the URL", "address and port");
	check_linked(&h, h1, e, "HTTP request to the URL in text", "reply text");
	check_linked(&h, c2, e, "unrelated connect to the URL", NULL);
	check_unlinked(&h, c3, "unrelated connect elsewhere");
	h_free(&h);
}

int main(void)
{
	test_basic();
	test_sessions();
	test_children();
	test_lineage();
	test_config();
	test_network();
	return tk_finish();
}
