/* fuzz_as_correlate: model output and kernel data through the correlation
 * engine and the detectors. The input is split at NUL bytes into: reply
 * text, tool-call arguments, a tool result, a shell script run with sh -c,
 * a file path, and /proc/PID/stat text; a small agent session is built from
 * them and run through the whole pipeline, and each reader is also called
 * on its own. Nothing may crash, hang, leak or trip a sanitizer.
 */
#include "correlate.h"
#include "detect.h"
#include "proctable.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
	struct as_detect *det;
	size_t n;
};

static void on_link(void *c, const struct as_link *l, const struct as_event *ev)
{
	struct ctx *x = c;
	x->n++;
	as_detect_link(x->det, l, ev);
}

static void on_input(void *c, const struct as_corr_input *in, const struct as_event *ev)
{
	as_detect_input(((struct ctx *)c)->det, in, ev);
}

static void on_alert(void *c, const struct as_alert *al, bool update)
{
	(void)update;
	((struct ctx *)c)->n += al->n_evidence;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static void llm(struct as_event *ev, uint64_t id, uint64_t ts, const char *reply, const char *args,
		const char *result)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = id;
	ev->kind = AS_EV_LLM;
	ev->ts_ns = ts;
	ev->pid = 100;
	ev->llm = calloc(1, sizeof(*ev->llm));
	if (!ev->llm)
		return;
	struct as_llm_exchange *x = ev->llm;
	x->model = strdup("gpt-4o");
	x->n_messages = result ? 3 : 1;
	x->messages = calloc(x->n_messages, sizeof(*x->messages));
	if (x->messages) {
		x->messages[0].role = AS_LLM_ROLE_USER;
		x->messages[0].text = dup_or_empty(reply);
		if (result) {
			x->messages[1].role = AS_LLM_ROLE_ASSISTANT;
			x->messages[2].role = AS_LLM_ROLE_TOOL;
			x->messages[2].text = dup_or_empty(result);
			x->messages[2].tool_call_id = strdup("c1");
		}
	} else {
		x->n_messages = 0;
	}
	x->reply.role = AS_LLM_ROLE_ASSISTANT;
	x->reply.text = dup_or_empty(reply);
	x->reply.tool_calls = calloc(2, sizeof(*x->reply.tool_calls));
	if (x->reply.tool_calls) {
		x->reply.n_tool_calls = 2;
		x->reply.tool_calls[0].id = strdup("c1");
		x->reply.tool_calls[0].name = strdup("run_command");
		x->reply.tool_calls[0].arguments = dup_or_empty(args);
		x->reply.tool_calls[1].id = strdup("c2");
		x->reply.tool_calls[1].name = strdup("read_file");
		x->reply.tool_calls[1].arguments = dup_or_empty(args);
	}
}

static void run(struct as_proctable *pt, struct as_corr *c, struct as_detect *d,
		struct as_event *ev)
{
	as_proctable_event(pt, ev);
	as_corr_event(c, ev);
	as_detect_event(d, ev);
	as_event_clear(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 16))
		return 0;
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	const char *part[6] = {"", "", "", "", "", ""};
	size_t np = 0, start = 0;
	for (size_t i = 0; i <= size && np < 6; i++)
		if (i == size || buf[i] == 0) {
			part[np++] = buf + start;
			start = i + 1;
		}

	/* The readers on their own. */
	struct as_proc_stat st;
	as_proc_parse_stat(part[5], strlen(part[5]), &st);
	as_proc_parse_stat(buf, size, &st);
	struct as_injection_scan sc;
	as_detect_scan_injection(part[2], &sc);
	const char *argv[] = {"sh", "-c", part[3], NULL};
	as_corr_match_command(part[0], argv, 3, NULL, 0);
	as_corr_match_command(part[3], argv + 2, 1, NULL, 0);
	as_corr_match_path(part[4], part[1]);
	struct as_corr_artifacts *a = as_corr_extract_text(part[0]);
	as_corr_artifacts_free(a);
	struct as_corr_config cc;
	as_corr_config_default(&cc);
	as_corr_config_set(&cc, part[0], part[1], NULL, 0);
	struct as_detect_config dc;
	as_detect_config_default(&dc);
	as_detect_config_set(&dc, part[0], part[1], NULL, 0);

	/* A session. */
	struct ctx x = {0};
	struct as_proctable *pt = as_proctable_new(NULL);
	as_corr_config_default(&cc);
	struct as_corr_sink cs = {.on_link = on_link, .on_input = on_input, .ctx = &x};
	struct as_corr *c = as_corr_new(&cc, pt, &cs);
	as_detect_config_default(&dc);
	dc.loop_repeats = 2;
	dc.token_budget = 10;
	struct as_detect_sink ds = {.on_alert = on_alert, .ctx = &x};
	x.det = as_detect_new(&dc, pt, &ds);
	if (pt && c && x.det) {
		as_proctable_set_root(pt, 100);
		struct as_event ev;
		llm(&ev, 1, 1000000000, part[0], part[1], NULL);
		run(pt, c, x.det, &ev);
		memset(&ev, 0, sizeof(ev));
		ev.id = 2;
		ev.kind = AS_EV_FORK;
		ev.ts_ns = 1010000000;
		ev.pid = 100;
		ev.u.fork.child_pid = 101;
		run(pt, c, x.det, &ev);
		memset(&ev, 0, sizeof(ev));
		ev.id = 3;
		ev.kind = AS_EV_EXEC;
		ev.ts_ns = 1020000000;
		ev.pid = 101;
		ev.ppid = 100;
		ev.u.exec.filename = strdup("/bin/sh");
		ev.u.exec.argv = calloc(4, sizeof(char *));
		if (ev.u.exec.argv) {
			ev.u.exec.argv[0] = strdup("sh");
			ev.u.exec.argv[1] = strdup("-c");
			ev.u.exec.argv[2] = strdup(part[3]);
			ev.u.exec.argc = 3;
		}
		run(pt, c, x.det, &ev);
		memset(&ev, 0, sizeof(ev));
		ev.id = 4;
		ev.kind = AS_EV_FILE_OPEN;
		ev.ts_ns = 1030000000;
		ev.pid = 101;
		ev.u.file.path = strdup(part[4]);
		ev.u.file.flags = 1;
		run(pt, c, x.det, &ev);
		llm(&ev, 5, 2000000000, part[0], part[1], part[2]);
		run(pt, c, x.det, &ev);
		llm(&ev, 6, 3000000000, part[2], part[1], part[2]);
		run(pt, c, x.det, &ev);
		memset(&ev, 0, sizeof(ev));
		ev.id = 7;
		ev.kind = AS_EV_HTTP;
		ev.ts_ns = 3100000000;
		ev.pid = 101;
		ev.http.host = strdup(part[4]);
		ev.http.path = strdup(part[1]);
		run(pt, c, x.det, &ev);
		as_corr_tick(c, 500000000000ull);
		as_detect_tick(x.det, 500000000000ull);
	}
	as_detect_free(x.det);
	as_corr_free(c);
	as_proctable_free(pt);
	free(buf);
	return 0;
}
