/* as_store_report: `agentsight report` of the scenario compared with
 * data/report.txt, which was written by hand from the scenario (scenario.c)
 * and the format (report.h), not by running the report: prices are given as
 * 2 and 8 US dollars per million tokens in and out, so the costs are
 * 1200 * 2e-6 + 300 * 8e-6 = 0.0048, 1500 * 2e-6 + 80 * 8e-6 = 0.00364, and
 * for the third call, which reports no usage, llmapi's documented estimate
 * of (bytes + 3) / 4 tokens: 3 in, 9 out, 0.000078. Also: one session
 * alone, the JSON form's facts, shortening (on UTF-8 boundaries), and a
 * session that does not exist.
 */
#include "report.h"
#include "scenario.h"
#include "testkit.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *run(struct as_store *st, const struct as_report_opts *o, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char err[512] = "";
	*rc = as_report_write(st, o, f, err, sizeof(err));
	fclose(f);
	if (*rc != 0)
		fprintf(stderr, "report: %s\n", err);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Prints the first differing line of two texts. */
static void diff(const char *want, const char *got)
{
	int line = 1;
	while (*want && *got && *want == *got) {
		if (*want == '\n')
			line++;
		want++;
		got++;
	}
	const char *we = strchr(want, '\n'), *ge = strchr(got, '\n');
	fprintf(stderr, "first difference on line %d:\n  want: %.*s\n  got:  %.*s\n", line,
		we ? (int)(we - want) : (int)strlen(want), want,
		ge ? (int)(ge - got) : (int)strlen(got), got);
}

int main(int argc, char **argv)
{
	TK_REQUIRE(argc == 2, "usage: %s DATA_DIR", argv[0]);
	char path[512];
	snprintf(path, sizeof(path), "%s/report.txt", argv[1]);
	char *want = slurp(path);
	TK_REQUIRE(want, "cannot read %s", path);

	char dir[] = "/tmp/as_store_report.XXXXXX";
	TK_REQUIRE(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	char db[128], err[512];
	snprintf(db, sizeof(db), "%s/r.db", dir);
	int64_t s1, s2;
	TK_REQUIRE(as_scenario_create(db, &s1, &s2, err, sizeof(err)) == 0, "scenario: %s", err);
	struct as_store *st;
	struct as_store_opts ro = {.read_only = true};
	TK_REQUIRE(as_store_open(&st, db, &ro, err, sizeof(err)) == 0, "open: %s", err);

	struct as_llm_price prices[] = {{.model_prefix = "test-model",
					 .input_usd_per_mtok = 2.0,
					 .output_usd_per_mtok = 8.0}};
	struct as_report_opts o = {.prices = prices, .n_prices = 1};
	int rc;
	char *got = run(st, &o, &rc);
	TK_CHECK(rc == 0, "report runs");
	if (strcmp(want, got) != 0) {
		diff(want, got);
		TK_CHECK(0, "the report differs from %s", path);
	}
	free(got);

	/* One session alone: the expected text from "Session 2:" on. */
	o.session = s2;
	got = run(st, &o, &rc);
	const char *tail = strstr(want, "Session 2:");
	TK_CHECK(rc == 0 && tail && strcmp(got, tail) == 0, "session 2 alone");
	free(got);
	o.session = 77;
	got = run(st, &o, &rc);
	TK_CHECK(rc == -ENOENT && strlen(got) == 0,
		 "a missing session is -ENOENT, nothing written");
	free(got);

	/* Shortening: 20 bytes. */
	o.session = s1;
	o.max_text = 20;
	got = run(st, &o, &rc);
	TK_CHECK(strstr(got, "      prompt: Run the tests and fi...\n") != NULL,
		 "prompt cut at 20");
	TK_CHECK(strstr(got, "#1  exec  pid 100  python3 agent.py --t...\n") != NULL,
		 "argv cut at 20");
	free(got);
	o.max_text = 0;
	o.session = 0;

	/* The JSON form. */
	o.json = true;
	got = run(st, &o, &rc);
	json_error_t je;
	json_t *j = json_loads(got, 0, &je);
	TK_REQUIRE(rc == 0 && j, "the JSON report parses: %s", je.text);
	json_t *ses = json_array_get(json_object_get(j, "sessions"), 0);
	json_t *tot = json_object_get(ses, "totals");
	TK_CHECK(json_integer_value(json_object_get(tot, "tokens_in")) == 2703 &&
			 json_integer_value(json_object_get(tot, "tokens_out")) == 389,
		 "JSON totals");
	TK_CHECK(fabs(json_number_value(json_object_get(tot, "cost_usd")) - 0.008518) < 1e-12,
		 "JSON total cost: %.9f", json_number_value(json_object_get(tot, "cost_usd")));
	json_t *calls = json_object_get(ses, "llm_calls");
	TK_CHECK(json_array_size(calls) == 3, "three calls");
	json_t *c3 = json_array_get(calls, 2);
	TK_CHECK(json_is_true(json_object_get(c3, "tokens_estimated")) &&
			 json_is_true(json_object_get(c3, "cost_estimated")),
		 "the third call is estimated");
	TK_CHECK(strcmp(json_string_value(json_object_get(json_array_get(calls, 0), "prompt")),
			"Run the tests and fix what fails.") == 0,
		 "prompt in JSON");
	json_t *tl = json_object_get(ses, "timeline");
	TK_CHECK(json_array_size(tl) == 3 &&
			 json_array_size(json_object_get(json_array_get(tl, 0), "linked")) == 4 &&
			 json_array_size(json_object_get(json_array_get(tl, 1), "linked")) == 1 &&
			 json_array_size(json_object_get(json_array_get(tl, 2), "linked")) == 2,
		 "linked events under each call");
	json_t *un = json_object_get(ses, "unlinked");
	static const int unlinked[] = {1, 2, 13, 14};
	TK_CHECK(json_array_size(un) == 4, "four unlinked events");
	for (size_t i = 0; i < 4 && i < json_array_size(un); i++)
		TK_CHECK(json_integer_value(json_object_get(json_array_get(un, i), "event")) ==
				 unlinked[i],
			 "unlinked %zu", i);
	json_t *ev = json_object_get(json_array_get(json_object_get(ses, "alerts"), 0),
				     "evidence_events");
	TK_CHECK(json_array_size(ev) == 4 &&
			 strcmp(json_string_value(json_object_get(json_array_get(ev, 1), "text")),
				"pytest -q") == 0,
		 "alert evidence described");
	TK_CHECK(json_array_size(json_object_get(j, "sessions")) == 2, "two sessions");
	json_decref(j);
	free(got);
	as_store_close(st);

	/* UTF-8: "ééé" (6 bytes) cut at 5 keeps two whole characters. */
	snprintf(db, sizeof(db), "%s/u.db", dir);
	TK_REQUIRE(as_store_open(&st, db, NULL, err, sizeof(err)) == 0, "open: %s", err);
	int64_t s;
	struct as_session_meta meta = {
		.command = "x", .host = "h", .started_unix_ns = 1, .walltime_offset_ns = 1};
	TK_REQUIRE(as_store_begin_session(st, &meta, &s, err, sizeof(err)) == 0, "%s", err);
	struct as_event e = {.id = 1, .kind = AS_EV_LLM, .ts_ns = 5, .pid = 1};
	e.llm = as_scenario_exchange("m");
	as_scenario_add_message(e.llm, AS_LLM_ROLE_USER, "\xc3\xa9\xc3\xa9\xc3\xa9", NULL);
	TK_CHECK(as_store_add_event(st, s, &e, err, sizeof(err)) == 0, "%s", err);
	as_event_clear(&e);
	/* Recorded strings cannot forge lines or reach the terminal as escapes. */
	static const char *const evil_argv[] = {"echo", "\x1b[31mred", NULL};
	as_scenario_exec(&e, 2, 0, 7, 1, "echo", "/bin/echo", evil_argv);
	TK_CHECK(as_store_add_event(st, s, &e, err, sizeof(err)) == 0, "%s", err);
	as_event_clear(&e);
	struct as_event w = {.id = 3, .kind = AS_EV_FILE_WRITE, .ts_ns = 6, .pid = 7};
	w.u.file.path = strdup("/tmp/a\nAlerts: none\x07");
	w.u.file.bytes = 1;
	TK_CHECK(as_store_add_event(st, s, &w, err, sizeof(err)) == 0, "%s", err);
	as_event_clear(&w);
	o = (struct as_report_opts){.max_text = 0};
	got = run(st, &o, &rc);
	TK_CHECK(strstr(got, "  #2  exec  pid 7  echo ?[31mred\n") != NULL, "escape byte replaced");
	TK_CHECK(strstr(got, "/tmp/a\\nAlerts: none\\x07: 1 bytes\n") != NULL,
		 "line break and bell written as escapes");
	TK_CHECK(!strchr(got, '\x1b') && !strchr(got, '\x07'), "no control byte in the report");
	free(got);
	o = (struct as_report_opts){.max_text = 5};
	got = run(st, &o, &rc);
	TK_CHECK(strstr(got, "prompt: \xc3\xa9\xc3\xa9...\n") != NULL, "cut on a character");
	TK_CHECK(strstr(got, "m  ~2 in / ~0 out  cost unknown") != NULL,
		 "an unpriced model: (6 + 3) / 4 = 2 tokens in");
	TK_CHECK(strstr(got, "  LLM calls:  1 (~2 tokens in, ~0 out, cost unknown)\n") != NULL,
		 "no priced call: the total cost is unknown");
	free(got);
	as_store_close(st);

	free(want);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	TK_CHECK(system(cmd) == 0, "cleanup");
	return tk_finish();
}
