/* textfmt: event, link and alert lines for people (see textfmt.h). */
#include "textfmt.h"

#include "llmapi.h"

#include <string.h>

void as_text_quote(FILE *f, const char *s, size_t max)
{
	if (!s) {
		fputs("(none)", f);
		return;
	}
	size_t n = strlen(s), shown = n > max ? max : n;
	while (shown > 0 && shown < n && ((unsigned char)s[shown] & 0xc0) == 0x80)
		shown--;
	fputc('"', f);
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)s[i];
		fputc(c == '\n' || c == '\r' || c == '\t' ? ' ' : c < 0x20 ? '?' : c, f);
	}
	fputc('"', f);
	if (shown < n)
		fprintf(f, " (+%zu bytes)", n - shown);
}

static const struct as_llm_message *last_prompt(const struct as_llm_exchange *x)
{
	for (size_t i = x->n_messages; i > 0; i--) {
		const struct as_llm_message *m = &x->messages[i - 1];
		if (m->role == AS_LLM_ROLE_USER || m->role == AS_LLM_ROLE_TOOL)
			return m;
	}
	return NULL;
}

static void llm_lines(FILE *f, const struct as_event *ev, size_t max_text)
{
	const struct as_llm_exchange *x = ev->llm;
	fprintf(f, "LLM %s model %s, tokens %lld in / %lld out, HTTP %d%s", as_llm_api_name(x->api),
		x->model ? x->model : "?", (long long)x->usage.input_tokens,
		(long long)x->usage.output_tokens, ev->http.status,
		x->response_complete ? "" : ", response incomplete");
	const struct as_llm_message *p = last_prompt(x);
	if (p) {
		fprintf(f, "\n  %s: ", p->role == AS_LLM_ROLE_TOOL ? "tool result" : "prompt");
		as_text_quote(f, p->text, max_text);
	}
	fputs("\n  reply: ", f);
	as_text_quote(f, x->reply.text, max_text);
	for (size_t i = 0; i < x->reply.n_tool_calls; i++) {
		fprintf(f, "\n  tool call %s ",
			x->reply.tool_calls[i].name ? x->reply.tool_calls[i].name : "?");
		as_text_quote(f, x->reply.tool_calls[i].arguments, max_text);
	}
	if (x->error) {
		fputs("\n  error: ", f);
		as_text_quote(f, x->error, max_text);
	}
}

void as_text_event(FILE *f, const struct as_event *ev, uint64_t t0_ns, size_t max_text)
{
	double t = ev->ts_ns >= t0_ns ? (double)(ev->ts_ns - t0_ns) / 1e9 : 0;
	fprintf(f, "#%llu t+%.3fs pid %d (%s) ", (unsigned long long)ev->id, t, ev->pid, ev->comm);
	const char *path = ev->u.file.path ? ev->u.file.path : "?";
	switch (ev->kind) {
	case AS_EV_LLM:
		if (ev->llm)
			llm_lines(f, ev, max_text);
		else
			fputs("LLM call (unread)", f);
		break;
	case AS_EV_EXEC:
		fputs("exec", f);
		for (size_t i = 0; i < ev->u.exec.argc; i++) {
			fputc(' ', f);
			as_text_quote(f, ev->u.exec.argv[i], max_text);
		}
		break;
	case AS_EV_FORK:
		fprintf(f, "fork -> pid %d", ev->u.fork.child_pid);
		break;
	case AS_EV_EXIT:
		if (ev->u.exit.signal)
			fprintf(f, "exit by signal %d after %.3fs", ev->u.exit.signal,
				(double)ev->u.exit.duration_ns / 1e9);
		else
			fprintf(f, "exit %d after %.3fs", ev->u.exit.code,
				(double)ev->u.exit.duration_ns / 1e9);
		break;
	case AS_EV_FILE_WRITE:
		fprintf(f, "wrote %llu bytes to %s", (unsigned long long)ev->u.file.bytes, path);
		break;
	case AS_EV_FILE_OPEN:
		fprintf(f, "opened %s%s", path, ev->u.file.ret < 0 ? " (failed)" : "");
		break;
	case AS_EV_FILE_UNLINK:
		fprintf(f, "removed %s%s", path, ev->u.file.ret < 0 ? " (failed)" : "");
		break;
	case AS_EV_FILE_RENAME:
		fprintf(f, "renamed %s to %s", path, ev->u.file.path2 ? ev->u.file.path2 : "?");
		break;
	case AS_EV_NET_CONNECT:
	case AS_EV_NET_ACCEPT:
	case AS_EV_NET_BIND:
		fprintf(f, "%s %s:%d", as_event_kind_name(ev->kind), ev->u.net.addr,
			ev->u.net.port);
		break;
	case AS_EV_HTTP:
		fprintf(f, "HTTP/%s %s %s%s -> %d", ev->http.version == 20 ? "2" : "1.1",
			ev->http.method ? ev->http.method : "?", ev->http.host ? ev->http.host : "",
			ev->http.path ? ev->http.path : "", ev->http.status);
		break;
	default:
		fputs(as_event_kind_name(ev->kind), f);
		break;
	}
}

void as_text_end_line(FILE *f)
{
	fputc('\n', f);
}

void as_text_link(FILE *f, const struct as_link *l)
{
	fprintf(f, "  -> #%llu caused by #%llu (score %.2f: %s)\n", (unsigned long long)l->event_id,
		(unsigned long long)l->llm_event_id, l->score, l->reasons);
}

void as_text_alert(FILE *f, const struct as_alert *al, int update)
{
	fprintf(f, "!! %s #%llu %s [%s] %s (evidence:", update ? "UPDATED ALERT" : "ALERT",
		(unsigned long long)al->id, as_alert_kind_name(al->kind), al->severity,
		al->summary ? al->summary : "");
	for (size_t i = 0; i < al->n_evidence; i++)
		fprintf(f, " #%llu", (unsigned long long)al->evidence[i]);
	fputs(")\n", f);
}
