/* harness: see harness.h. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t s)
{
	void *p = calloc(n ? n : 1, s);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static void on_link(void *ctx, const struct as_link *l, const struct as_event *ev)
{
	struct harness *h = ctx;
	if (h->keep_links) {
		if (h->n_links == h->cap_links) {
			h->cap_links = h->cap_links ? h->cap_links * 2 : 64;
			h->links = realloc(h->links, h->cap_links * sizeof(*h->links));
			if (!h->links)
				abort();
		}
		h->links[h->n_links] = *l;
	}
	h->n_links++;
	as_detect_link(h->det, l, ev);
}

static void on_input(void *ctx, const struct as_corr_input *in, const struct as_event *ev)
{
	struct harness *h = ctx;
	if (h->n_inputs < sizeof(h->inputs) / sizeof(h->inputs[0])) {
		struct h_input *r = &h->inputs[h->n_inputs++];
		memset(r, 0, sizeof(*r));
		r->llm = in->llm_event_id;
		r->source_llm = in->source_llm_event_id;
		r->source_event = in->source_event_id;
		r->message_index = in->message_index;
		r->n_events = in->n_events;
		snprintf(r->tool, sizeof(r->tool), "%s", in->tool_name ? in->tool_name : "");
		snprintf(r->path, sizeof(r->path), "%s", in->path ? in->path : "");
	}
	as_detect_input(h->det, in, ev);
}

static void on_alert(void *ctx, const struct as_alert *al, bool update)
{
	struct harness *h = ctx;
	struct h_alert *a = NULL;
	for (size_t i = 0; i < h->n_alerts; i++)
		if (h->alerts[i].id == al->id)
			a = &h->alerts[i];
	if (update && !a)
		abort(); /* an update of an alert never raised */
	if (!update && a)
		abort(); /* an id raised twice */
	if (!a) {
		if (h->n_alerts == sizeof(h->alerts) / sizeof(h->alerts[0]))
			return;
		a = &h->alerts[h->n_alerts++];
		memset(a, 0, sizeof(*a));
	} else {
		a->updates++;
	}
	a->id = al->id;
	a->kind = al->kind;
	a->pid = al->pid;
	memcpy(a->severity, al->severity, sizeof(a->severity));
	free(a->summary);
	a->summary = xstrdup(al->summary);
	json_decref(a->details);
	a->details = al->details ? json_deep_copy(al->details) : NULL;
	memcpy(a->evidence, al->evidence, sizeof(a->evidence));
	a->n_evidence = al->n_evidence;
}

void h_init(struct harness *h, const struct as_corr_config *cc, const struct as_detect_config *dc,
	    const struct as_proctable_config *pc)
{
	memset(h, 0, sizeof(*h));
	h->keep_links = true;
	h->pt = as_proctable_new(pc);
	struct as_corr_sink cs = {.on_link = on_link, .on_input = on_input, .ctx = h};
	h->corr = as_corr_new(cc, h->pt, &cs);
	struct as_detect_sink ds = {.on_alert = on_alert, .ctx = h};
	h->det = as_detect_new(dc, h->pt, &ds);
	if (!h->pt || !h->corr || !h->det)
		abort();
}

void h_free(struct harness *h)
{
	as_detect_free(h->det);
	as_corr_free(h->corr);
	as_proctable_free(h->pt);
	free(h->links);
	for (size_t i = 0; i < h->n_alerts; i++) {
		free(h->alerts[i].summary);
		json_decref(h->alerts[i].details);
	}
	memset(h, 0, sizeof(*h));
}

uint64_t h_feed(struct harness *h, struct as_event *ev)
{
	ev->id = ++h->next_id;
	as_proctable_event(h->pt, ev);
	as_corr_event(h->corr, ev);
	as_detect_event(h->det, ev);
	uint64_t id = ev->id;
	as_event_clear(ev);
	return id;
}

void h_tick(struct harness *h, uint64_t now)
{
	as_corr_tick(h->corr, now);
	as_detect_tick(h->det, now);
}

const struct as_link *h_link(const struct harness *h, uint64_t event_id)
{
	for (size_t i = 0; i < h->n_links && h->keep_links; i++)
		if (h->links[i].event_id == event_id)
			return &h->links[i];
	return NULL;
}

size_t h_count_alerts(const struct harness *h, enum as_alert_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < h->n_alerts; i++)
		n += h->alerts[i].kind == kind;
	return n;
}

const struct h_alert *h_find_alert(const struct harness *h, enum as_alert_kind kind)
{
	for (size_t i = 0; i < h->n_alerts; i++)
		if (h->alerts[i].kind == kind)
			return &h->alerts[i];
	return NULL;
}

bool h_has_evidence(const struct h_alert *a, uint64_t id)
{
	for (size_t i = 0; a && i < a->n_evidence; i++)
		if (a->evidence[i] == id)
			return true;
	return false;
}

static void base(struct as_event *ev, enum as_event_kind kind, uint64_t ts, int pid)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ts_ns = ts;
	ev->pid = pid;
	ev->tid = pid;
	snprintf(ev->comm, sizeof(ev->comm), "p%d", pid);
}

void ev_fork(struct as_event *ev, uint64_t ts, int parent, int child)
{
	base(ev, AS_EV_FORK, ts, parent);
	ev->u.fork.child_pid = child;
}

void ev_exec(struct as_event *ev, uint64_t ts, int pid, int ppid, const char *const *argv)
{
	base(ev, AS_EV_EXEC, ts, pid);
	ev->ppid = ppid;
	size_t n = 0;
	while (argv[n])
		n++;
	if (n == 0)
		abort(); /* a test must give a program */
	ev->u.exec.argv = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		ev->u.exec.argv[i] = xstrdup(argv[i]);
	ev->u.exec.argc = n;
	ev->u.exec.filename = xstrdup(argv[0]);
	const char *b = strrchr(argv[0], '/');
	snprintf(ev->comm, sizeof(ev->comm), "%s", b ? b + 1 : argv[0]);
}

void ev_exit(struct as_event *ev, uint64_t ts, int pid, int code)
{
	base(ev, AS_EV_EXIT, ts, pid);
	ev->u.exit.code = code;
}

void ev_file(struct as_event *ev, enum as_event_kind kind, uint64_t ts, int pid, const char *path,
	     uint32_t flags)
{
	base(ev, kind, ts, pid);
	ev->u.file.path = xstrdup(path);
	ev->u.file.path_resolved = path[0] == '/';
	ev->u.file.flags = flags;
	ev->u.file.ret = kind == AS_EV_FILE_OPEN ? 3 : 0;
}

void ev_connect(struct as_event *ev, uint64_t ts, int pid, int family, const char *addr, int port)
{
	base(ev, AS_EV_NET_CONNECT, ts, pid);
	ev->u.net.family = family;
	snprintf(ev->u.net.addr, sizeof(ev->u.net.addr), "%s", addr);
	ev->u.net.port = port;
}

void ev_http(struct as_event *ev, uint64_t ts, int pid, const char *host, const char *path)
{
	base(ev, AS_EV_HTTP, ts, pid);
	ev->http.method = xstrdup("GET");
	ev->http.host = xstrdup(host);
	ev->http.path = xstrdup(path);
	ev->http.status = 200;
	ev->http.version = 11;
}

struct as_llm_exchange *ev_llm(struct as_event *ev, uint64_t ts, int pid, const char *model)
{
	base(ev, AS_EV_LLM, ts, pid);
	ev->llm = xcalloc(1, sizeof(*ev->llm));
	ev->llm->api = AS_LLM_API_OPENAI_CHAT;
	ev->llm->model = xstrdup(model);
	ev->llm->http_status = 200;
	ev->llm->response_complete = true;
	ev->llm->reply.role = AS_LLM_ROLE_ASSISTANT;
	ev->http.method = xstrdup("POST");
	ev->http.host = xstrdup("api.openai.com");
	ev->http.path = xstrdup("/v1/chat/completions");
	ev->http.status = 200;
	ev->http.request_ts_ns = ts > SEC(1) ? ts - SEC(1) : 0;
	return ev->llm;
}

static struct as_llm_message *push_msg(struct as_llm_exchange *x)
{
	x->messages = realloc(x->messages, (x->n_messages + 1) * sizeof(*x->messages));
	if (!x->messages)
		abort();
	struct as_llm_message *m = &x->messages[x->n_messages++];
	memset(m, 0, sizeof(*m));
	return m;
}

void x_msg(struct as_llm_exchange *x, enum as_llm_role role, const char *text,
	   const char *tool_call_id)
{
	struct as_llm_message *m = push_msg(x);
	m->role = role;
	m->text = xstrdup(text);
	m->tool_call_id = xstrdup(tool_call_id);
}

static void add_call(struct as_llm_message *m, const char *id, const char *name, const char *args)
{
	m->tool_calls = realloc(m->tool_calls, (m->n_tool_calls + 1) * sizeof(*m->tool_calls));
	if (!m->tool_calls)
		abort();
	struct as_llm_tool_call *tc = &m->tool_calls[m->n_tool_calls++];
	tc->id = xstrdup(id);
	tc->name = xstrdup(name);
	tc->arguments = xstrdup(args);
}

void x_msg_call(struct as_llm_exchange *x, const char *id, const char *name, const char *args)
{
	struct as_llm_message *m = push_msg(x);
	m->role = AS_LLM_ROLE_ASSISTANT;
	add_call(m, id, name, args);
}

void x_reply_text(struct as_llm_exchange *x, const char *text)
{
	free(x->reply.text);
	x->reply.text = xstrdup(text);
}

void x_reply_call(struct as_llm_exchange *x, const char *id, const char *name, const char *args)
{
	add_call(&x->reply, id, name, args);
}

void x_usage(struct as_llm_exchange *x, int64_t in, int64_t out)
{
	x->usage.reported = true;
	x->usage.input_tokens = in;
	x->usage.output_tokens = out;
}
