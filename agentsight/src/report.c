/* report: `agentsight report` (see report.h).
 *
 * The report is built from the store's JSON forms of events, links and
 * alerts (the contract in event.h and llmapi.h), one session at a time:
 * events are loaded by pages, indexed by id for links and evidence, sorted
 * by time for the timeline; each LLM exchange is read back into its struct
 * only to price it. The text and the JSON forms are written from the same
 * walk, so they always say the same things.
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A growing string. */
struct str {
	char *p;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void str_addf(struct str *s, const char *fmt, ...)
{
	if (s->oom)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		s->oom = true;
		return;
	}
	if (s->len + (size_t)n + 1 > s->cap) {
		size_t cap = (s->len + (size_t)n + 1) * 2;
		char *p = realloc(s->p, cap);
		if (!p) {
			s->oom = true;
			return;
		}
		s->p = p;
		s->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

static const char *str_get(struct str *s)
{
	return s->p && !s->oom ? s->p : "";
}

static void str_reset(struct str *s)
{
	s->len = 0;
	if (s->p)
		s->p[0] = 0;
}

/* Appends text with runs of white space made one space, cut at max bytes (on
 * a UTF-8 character boundary) with "..." when longer. max 0: no limit. */
static void add_short(struct str *s, const char *text, size_t max)
{
	if (!text)
		return;
	size_t start = s->len, used = 0;
	bool space = false, cut = false;
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
		if (ws) {
			space = true;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			/* Control bytes (escape sequences) are not written as such. */
			c = '?';
		}
		size_t need = (space ? 1 : 0) + 1;
		/* The bytes of one UTF-8 character stay together. */
		size_t clen = c < 0x80	       ? 1
			      : (c >> 5) == 6  ? 2
			      : (c >> 4) == 14 ? 3
			      : (c >> 3) == 30 ? 4
					       : 1;
		need += clen - 1;
		if (max && used + need > max) {
			cut = true;
			break;
		}
		if (space)
			str_addf(s, " ");
		space = false;
		size_t k = 0;
		while (k < clen && p[k])
			k++;
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			str_addf(s, "?");
		else
			str_addf(s, "%.*s", (int)k, p);
		used += need;
		p += k - 1;
	}
	if (cut)
		str_addf(s, "...");
	(void)start;
}

/* Appends text from outside (paths, commands, names) on one line: line
 * breaks are written as \n and \r, other control bytes as \xNN, so that a
 * recorded string can neither forge report lines nor send escape sequences
 * to the terminal. */
static void add_line(struct str *s, const char *text)
{
	for (const char *p = text ? text : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n')
			str_addf(s, "\\n");
		else if (c == '\r')
			str_addf(s, "\\r");
		else if (c < 0x20 || c == 0x7f)
			str_addf(s, "\\x%02x", c);
		else
			str_addf(s, "%c", c);
	}
}

/* ---- Reading JSON ---- */

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int64_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* ---- Times ---- */

/* "HH:MM:SS.mmm" (UTC) of a Unix time in milliseconds; with date, the date first. */
static void add_time(struct str *s, int64_t unix_ms, bool date)
{
	time_t t = (time_t)(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
	int ms = (int)(unix_ms - (int64_t)t * 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		str_addf(s, "?");
		return;
	}
	if (date)
		str_addf(s, "%04d-%02d-%02d ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	str_addf(s, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

static int64_t seconds_to_ms(const json_t *v)
{
	return (int64_t)llround(json_number_value(v) * 1000.0);
}

static void add_elapsed(struct str *s, int64_t ms)
{
	str_addf(s, "%s%lld.%03llds", ms < 0 ? "-" : "+", (long long)(llabs(ms) / 1000),
		 (long long)(llabs(ms) % 1000));
}

/* ---- One session ---- */

struct call {
	json_t *ev;
	int64_t in, out;
	bool estimated;
	int priced; /* as_llm_cost_usd: 0 reported, 1 estimated, -1 no price */
	double usd;
};

struct session {
	const struct as_report_opts *o;
	size_t max_text;
	json_t *info, *links, *alerts;
	json_t *events; /* by id, as the store returns them */
	json_t **by_time;
	size_t n;
	int64_t offset_ns, start_ms;
	struct call *calls; /* one per LLM event, by time */
	size_t n_calls;
	uint64_t *linked; /* ids of the events some link points to, sorted */
	size_t n_linked;
};

static json_t *find_event(const struct session *ss, uint64_t id)
{
	size_t lo = 0, hi = json_array_size(ss->events);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		json_t *ev = json_array_get(ss->events, mid);
		uint64_t v = (uint64_t)jint(ev, "id");
		if (v == id)
			return ev;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int by_time_cmp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	uint64_t tx = (uint64_t)jint(x, "mono_ns"), ty = (uint64_t)jint(y, "mono_ns");
	if (tx != ty)
		return tx < ty ? -1 : 1;
	uint64_t ix = (uint64_t)jint(x, "id"), iy = (uint64_t)jint(y, "id");
	return ix < iy ? -1 : ix > iy;
}

static int id_cmp(const void *a, const void *b);

static int64_t event_ms(const struct session *ss, const json_t *ev)
{
	int64_t ns = jint(ev, "mono_ns") + ss->offset_ns;
	return ns >= 0 ? ns / 1000000 : -((-ns + 999999) / 1000000);
}

static const json_t *exchange(const json_t *ev)
{
	const json_t *x = json_object_get(ev, "exchange");
	return json_is_object(x) ? x : NULL;
}

/* The last user message of the request; NULL if none. */
static const char *last_prompt(const json_t *x)
{
	const json_t *msgs = json_object_get(x, "messages");
	for (size_t i = json_array_size(msgs); i > 0; i--) {
		const json_t *m = json_array_get(msgs, i - 1);
		const char *role = jstr(m, "role");
		if (role && strcmp(role, "user") == 0 && jstr(m, "text"))
			return jstr(m, "text");
	}
	return NULL;
}

static void add_tokens(struct str *s, const struct call *c)
{
	const char *t = c->estimated ? "~" : "";
	str_addf(s, "%s%lld in / %s%lld out", t, (long long)c->in, t, (long long)c->out);
}

static void add_cost(struct str *s, double usd, int priced)
{
	if (priced < 0)
		str_addf(s, "cost unknown");
	else
		str_addf(s, "%s$%.4f", priced == 1 ? "~" : "", usd);
}

/* One line about an event, without time and id. */
static void describe(struct str *s, const struct session *ss, const json_t *ev)
{
	const char *kind = jstr(ev, "kind");
	kind = kind ? kind : "?";
	size_t max = ss->max_text;
	if (json_object_get(ev, "corrupt")) {
		str_addf(s, "(unreadable in the store)");
		return;
	}
	if (strcmp(kind, "exec") == 0) {
		const json_t *argv = json_object_get(ev, "argv");
		struct str a = {0};
		for (size_t i = 0; i < json_array_size(argv); i++)
			str_addf(&a, "%s%s", i ? " " : "",
				 json_string_value(json_array_get(argv, i)) ?: "");
		if (json_array_size(argv) == 0)
			str_addf(&a, "%s", jstr(ev, "filename") ?: "?");
		add_short(s, str_get(&a), max);
		if (json_is_true(json_object_get(ev, "argv_truncated")))
			str_addf(s, " (argv truncated)");
		free(a.p);
	} else if (strcmp(kind, "fork") == 0) {
		str_addf(s, "child %lld", (long long)jint(ev, "child_pid"));
	} else if (strcmp(kind, "exit") == 0) {
		if (jint(ev, "signal"))
			str_addf(s, "signal %lld", (long long)jint(ev, "signal"));
		else
			str_addf(s, "code %lld", (long long)jint(ev, "code"));
	} else if (strncmp(kind, "file_", 5) == 0) {
		add_line(s, jstr(ev, "path") ?: "?");
		if (strcmp(kind, "file_rename") == 0) {
			str_addf(s, " -> ");
			add_line(s, jstr(ev, "path2") ?: "?");
		}
		if (strcmp(kind, "file_write") == 0) {
			str_addf(s, ": %lld bytes", (long long)jint(ev, "bytes"));
			if (jint(ev, "writes") > 1)
				str_addf(s, " in %lld writes", (long long)jint(ev, "writes"));
		}
		if (jint(ev, "ret") < 0)
			str_addf(s, " (error %lld)", (long long)jint(ev, "ret"));
	} else if (strncmp(kind, "net_", 4) == 0) {
		const char *fam = jstr(ev, "family") ?: "";
		const char *addr = jstr(ev, "addr") ?: "?";
		bool unix_sock = strcmp(fam, "unix") == 0, v6 = strcmp(fam, "inet6") == 0;
		str_addf(s, "%s", unix_sock ? "unix " : v6 ? "[" : "");
		add_line(s, addr);
		if (!unix_sock)
			str_addf(s, "%s:%lld", v6 ? "]" : "", (long long)jint(ev, "port"));
		if (jint(ev, "ret") < 0)
			str_addf(s, " (error %lld)", (long long)jint(ev, "ret"));
	} else if (strcmp(kind, "http") == 0) {
		const json_t *h = json_object_get(ev, "http");
		add_line(s, jstr(h, "method") ?: "?");
		str_addf(s, " ");
		add_line(s, jstr(h, "host"));
		add_line(s, jstr(h, "path"));
		str_addf(s, " -> %lld", (long long)jint(h, "status"));
	} else if (strcmp(kind, "llm") == 0) {
		const json_t *x = exchange(ev);
		add_line(s, jstr(x, "model") ?: "(model unknown)");
		for (size_t i = 0; i < ss->n_calls; i++) {
			if (ss->calls[i].ev == ev) {
				str_addf(s, ": ");
				add_tokens(s, &ss->calls[i]);
			}
		}
		const json_t *tc = json_object_get(json_object_get(x, "reply"), "tool_calls");
		for (size_t i = 0; i < json_array_size(tc); i++) {
			str_addf(s, "%s", i ? ", " : " -> ");
			add_line(s, jstr(json_array_get(tc, i), "name") ?: "?");
		}
	} else {
		str_addf(s, "(");
		add_line(s, kind);
		str_addf(s, ")");
	}
}

/* "#id  kind  ..." for evidence and links. */
static void describe_ref(struct str *s, const struct session *ss, uint64_t id)
{
	const json_t *ev = find_event(ss, id);
	if (!ev) {
		str_addf(s, "#%llu  (not in the store)", (unsigned long long)id);
		return;
	}
	str_addf(s, "#%llu  ", (unsigned long long)id);
	add_line(s, jstr(ev, "kind") ?: "?");
	str_addf(s, "  ");
	describe(s, ss, ev);
}

static json_t *ref_json(const struct session *ss, uint64_t id, struct str *tmp)
{
	const json_t *ev = find_event(ss, id);
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "event", json_integer((json_int_t)id));
	if (!ev) {
		json_object_set_new(o, "missing", json_true());
		return o;
	}
	str_reset(tmp);
	describe(tmp, ss, ev);
	json_object_set_new(o, "kind", json_string(jstr(ev, "kind") ?: "?"));
	json_object_set_new(o, "ts", json_real((double)event_ms(ss, ev) / 1000.0));
	json_object_set_new(o, "pid", json_integer(jint(ev, "pid")));
	json_object_set_new(o, "text", json_string(str_get(tmp)));
	return o;
}

static int load(struct as_store *st, int64_t id, struct session *ss, char *err, size_t errlen)
{
	int rc = as_store_get_session(st, id, &ss->info, err, errlen);
	if (rc != 0)
		return rc;
	if (as_store_load_links(st, id, &ss->links, err, errlen) != 0 ||
	    as_store_load_alerts(st, id, &ss->alerts, err, errlen) != 0)
		return -1;
	ss->events = json_array();
	if (!ss->events)
		goto oom;
	uint64_t after = 0;
	bool more = true;
	while (more) {
		json_t *page = NULL;
		if (as_store_load_events(st, id, after, 0, &page, &more, err, errlen) != 0)
			return -1;
		size_t n = json_array_size(page);
		if (n)
			after = (uint64_t)jint(json_array_get(page, n - 1), "id");
		int e = json_array_extend(ss->events, page);
		json_decref(page);
		if (e != 0)
			goto oom;
		if (n == 0)
			break;
	}
	ss->n = json_array_size(ss->events);
	ss->by_time = calloc(ss->n + 1, sizeof(json_t *));
	ss->calls = calloc(ss->n + 1, sizeof(*ss->calls));
	if (!ss->by_time || !ss->calls)
		goto oom;
	for (size_t i = 0; i < ss->n; i++)
		ss->by_time[i] = json_array_get(ss->events, i);
	qsort(ss->by_time, ss->n, sizeof(json_t *), by_time_cmp);
	ss->n_linked = json_array_size(ss->links);
	ss->linked = calloc(ss->n_linked + 1, sizeof(*ss->linked));
	if (!ss->linked)
		goto oom;
	for (size_t i = 0; i < ss->n_linked; i++)
		ss->linked[i] = (uint64_t)jint(json_array_get(ss->links, i), "event");
	qsort(ss->linked, ss->n_linked, sizeof(*ss->linked), id_cmp);
	ss->offset_ns = jint(ss->info, "walltime_offset_ns");
	ss->start_ms = seconds_to_ms(json_object_get(ss->info, "started"));

	for (size_t i = 0; i < ss->n; i++) {
		json_t *ev = ss->by_time[i];
		const char *kind = jstr(ev, "kind");
		if (!kind || strcmp(kind, "llm") != 0)
			continue;
		struct call *c = &ss->calls[ss->n_calls++];
		c->ev = ev;
		c->priced = -1;
		const json_t *x = exchange(ev);
		struct as_llm_exchange ex = {0};
		char inner[128];
		if (!x || as_llm_exchange_from_json(&ex, x, inner, sizeof(inner)) != 0)
			continue;
		struct as_llm_usage u = ex.usage;
		if (!u.reported)
			as_llm_estimate_usage(&ex, &u);
		c->in = u.input_tokens;
		c->out = u.output_tokens;
		c->estimated = !ex.usage.reported;
		c->priced = as_llm_cost_usd(&ex, ss->o->prices, ss->o->n_prices, &c->usd);
		as_llm_exchange_clear(&ex);
	}
	return 0;
oom:
	snprintf(err, errlen, "report: out of memory");
	return -1;
}

static void unload(struct session *ss)
{
	json_decref(ss->info);
	json_decref(ss->links);
	json_decref(ss->alerts);
	json_decref(ss->events);
	free(ss->by_time);
	free(ss->calls);
	free(ss->linked);
	memset(ss, 0, sizeof(*ss));
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool is_linked(const struct session *ss, uint64_t id)
{
	return ss->n_linked && bsearch(&id, ss->linked, ss->n_linked, sizeof(id), id_cmp);
}

/* The links of one LLM event, their events sorted by time, into refs (of
 * size n links); returns how many. */
static size_t links_of(const struct session *ss, uint64_t llm_id, const json_t **refs,
		       const json_t **links)
{
	size_t k = 0;
	for (size_t i = 0; i < json_array_size(ss->links); i++) {
		const json_t *l = json_array_get(ss->links, i);
		if ((uint64_t)jint(l, "llm_event") != llm_id)
			continue;
		links[k] = l;
		refs[k] = find_event(ss, (uint64_t)jint(l, "event"));
		k++;
	}
	/* Insertion sort by the linked event's time (a missing event last). */
	for (size_t i = 1; i < k; i++) {
		for (size_t j = i; j > 0; j--) {
			const json_t *a = refs[j - 1], *b = refs[j];
			bool swap = (!a && b) || (a && b && by_time_cmp(&a, &b) > 0);
			if (!swap)
				break;
			refs[j - 1] = b;
			refs[j] = a;
			const json_t *t = links[j - 1];
			links[j - 1] = links[j];
			links[j] = t;
		}
	}
	return k;
}

static void summary_totals(const struct session *ss, int64_t *in, int64_t *out, double *usd,
			   bool *estimated, bool *complete)
{
	*in = *out = 0;
	*usd = 0;
	*estimated = false;
	*complete = true;
	for (size_t i = 0; i < ss->n_calls; i++) {
		const struct call *c = &ss->calls[i];
		*in += c->in;
		*out += c->out;
		if (c->priced < 0)
			*complete = false;
		else
			*usd += c->usd;
		if (c->priced == 1 || c->estimated)
			*estimated = true;
	}
}

static void text_session(struct str *s, struct session *ss)
{
	const json_t *info = ss->info;
	str_addf(s, "Session %lld: ", (long long)jint(info, "id"));
	add_line(s, jstr(info, "command") ?: "(no command recorded)");
	str_addf(s, "\n  host:       ");
	add_line(s, jstr(info, "host") ?: "?");
	str_addf(s, "\n");
	str_addf(s, "  started:    ");
	add_time(s, ss->start_ms, true);
	str_addf(s, " UTC\n");
	const json_t *ended = json_object_get(info, "ended");
	if (json_is_number(ended)) {
		int64_t end_ms = seconds_to_ms(ended);
		str_addf(s, "  ended:      ");
		add_time(s, end_ms, true);
		str_addf(s, " UTC (");
		int64_t d = end_ms - ss->start_ms;
		str_addf(s, "%lld.%03lld s)\n", (long long)(d / 1000), (long long)llabs(d % 1000));
	} else {
		str_addf(s, "  ended:      not recorded (the recording stopped without ending "
			    "the session)\n");
	}
	str_addf(s, "  processes:  %lld\n", (long long)jint(info, "processes"));
	str_addf(s, "  events:     %zu", ss->n);
	bool first = true;
	for (int k = AS_EV_FORK; k <= AS_EV_LLM; k++) {
		const char *name = as_event_kind_name((enum as_event_kind)k);
		size_t count = 0;
		for (size_t i = 0; i < ss->n; i++) {
			const char *kind = jstr(ss->by_time[i], "kind");
			count += kind && strcmp(kind, name) == 0;
		}
		if (count) {
			str_addf(s, "%s%zu %s", first ? " (" : ", ", count, name);
			first = false;
		}
	}
	str_addf(s, "%s\n", first ? "" : ")");
	int64_t in, out;
	double usd;
	bool est, complete;
	summary_totals(ss, &in, &out, &usd, &est, &complete);
	str_addf(s, "  LLM calls:  %zu", ss->n_calls);
	if (ss->n_calls) {
		str_addf(s, " (%s%lld tokens in, %s%lld out, ", est ? "~" : "", (long long)in,
			 est ? "~" : "", (long long)out);
		bool any_priced = false;
		for (size_t i = 0; i < ss->n_calls; i++)
			any_priced |= ss->calls[i].priced >= 0;
		add_cost(s, usd, !any_priced ? -1 : est ? 1 : 0);
		str_addf(s, "%s)", complete || !any_priced ? "" : " for the priced calls");
	}
	str_addf(s, "\n");
	str_addf(s, "  alerts:     %zu\n", json_array_size(ss->alerts));

	str_addf(s, "\nLLM calls:%s\n", ss->n_calls ? "" : " none");
	for (size_t i = 0; i < ss->n_calls; i++) {
		const struct call *c = &ss->calls[i];
		const json_t *ev = c->ev, *x = exchange(ev);
		str_addf(s, "  #%lld  ", (long long)jint(ev, "id"));
		add_time(s, event_ms(ss, ev), false);
		str_addf(s, "  pid %lld ", (long long)jint(ev, "pid"));
		add_line(s, jstr(ev, "comm") ?: "?");
		str_addf(s, "  ");
		add_line(s, jstr(x, "model") ?: "(model unknown)");
		str_addf(s, "  ");
		add_tokens(s, c);
		str_addf(s, "  ");
		add_cost(s, c->usd, c->priced);
		str_addf(s, "\n");
		const char *prompt = last_prompt(x);
		if (prompt) {
			str_addf(s, "      prompt: ");
			add_short(s, prompt, ss->max_text);
			str_addf(s, "\n");
		}
		const json_t *reply = json_object_get(x, "reply");
		if (jstr(reply, "text")) {
			str_addf(s, "      reply:  ");
			add_short(s, jstr(reply, "text"), ss->max_text);
			str_addf(s, "\n");
		}
		const json_t *tc = json_object_get(reply, "tool_calls");
		for (size_t t = 0; t < json_array_size(tc); t++) {
			const json_t *call = json_array_get(tc, t);
			str_addf(s, "      tool:   ");
			add_line(s, jstr(call, "name") ?: "?");
			str_addf(s, " ");
			add_short(s, jstr(call, "arguments") ?: "", ss->max_text);
			str_addf(s, "\n");
		}
		if (jstr(x, "error")) {
			str_addf(s, "      error:  ");
			add_line(s, jstr(x, "error"));
			str_addf(s, "\n");
		}
	}

	str_addf(s, "\nAlerts:%s\n", json_array_size(ss->alerts) ? "" : " none");
	for (size_t i = 0; i < json_array_size(ss->alerts); i++) {
		const json_t *al = json_array_get(ss->alerts, i);
		str_addf(s, "  #%lld  ", (long long)jint(al, "id"));
		add_line(s, jstr(al, "severity") ?: "?");
		str_addf(s, "  ");
		add_line(s, jstr(al, "kind") ?: "?");
		str_addf(s, "  ");
		add_time(s, (jint(al, "mono_ns") + ss->offset_ns) / 1000000, false);
		str_addf(s, "  pid %lld\n", (long long)jint(al, "pid"));
		if (jstr(al, "summary")) {
			str_addf(s, "      ");
			add_short(s, jstr(al, "summary"), 0);
			str_addf(s, "\n");
		}
		const json_t *evid = json_object_get(al, "evidence");
		for (size_t e = 0; e < json_array_size(evid); e++) {
			str_addf(s, "      evidence: ");
			describe_ref(s, ss, (uint64_t)json_integer_value(json_array_get(evid, e)));
			str_addf(s, "\n");
		}
	}

	size_t n_links = json_array_size(ss->links);
	const json_t **refs = calloc(n_links + 1, sizeof(const json_t *));
	const json_t **links = calloc(n_links + 1, sizeof(const json_t *));
	if (!refs || !links) {
		s->oom = true;
		free(refs);
		free(links);
		return;
	}
	str_addf(s, "\nTimeline:%s\n", ss->n_calls ? "" : " no LLM calls");
	for (size_t i = 0; i < ss->n_calls; i++) {
		const json_t *ev = ss->calls[i].ev;
		str_addf(s, "  ");
		add_time(s, event_ms(ss, ev), false);
		str_addf(s, "  ");
		add_elapsed(s, event_ms(ss, ev) - ss->start_ms);
		str_addf(s, "  #%lld  llm  pid %lld  ", (long long)jint(ev, "id"),
			 (long long)jint(ev, "pid"));
		describe(s, ss, ev);
		str_addf(s, "\n");
		size_t k = links_of(ss, (uint64_t)jint(ev, "id"), refs, links);
		for (size_t j = 0; j < k; j++) {
			str_addf(s, "      ");
			if (refs[j]) {
				add_time(s, event_ms(ss, refs[j]), false);
				str_addf(s, "  ");
				add_elapsed(s, event_ms(ss, refs[j]) - ss->start_ms);
				str_addf(s, "  #%lld  ", (long long)jint(refs[j], "id"));
				add_line(s, jstr(refs[j], "kind") ?: "?");
				str_addf(s, "  pid %lld  ", (long long)jint(refs[j], "pid"));
				describe(s, ss, refs[j]);
			} else {
				describe_ref(s, ss, (uint64_t)jint(links[j], "event"));
			}
			str_addf(s, "  [%.2f: ",
				 json_number_value(json_object_get(links[j], "score")));
			add_line(s, jstr(links[j], "reasons"));
			str_addf(s, "]\n");
		}
	}
	free(refs);
	free(links);

	str_addf(s, "\nNot linked to an LLM call:\n");
	bool any = false;
	for (size_t i = 0; i < ss->n; i++) {
		const json_t *ev = ss->by_time[i];
		const char *kind = jstr(ev, "kind");
		if ((kind && strcmp(kind, "llm") == 0) || is_linked(ss, (uint64_t)jint(ev, "id")))
			continue;
		any = true;
		str_addf(s, "  ");
		add_time(s, event_ms(ss, ev), false);
		str_addf(s, "  ");
		add_elapsed(s, event_ms(ss, ev) - ss->start_ms);
		str_addf(s, "  #%lld  ", (long long)jint(ev, "id"));
		add_line(s, kind ?: "?");
		str_addf(s, "  pid %lld  ", (long long)jint(ev, "pid"));
		describe(s, ss, ev);
		str_addf(s, "\n");
	}
	if (!any)
		str_addf(s, "  (none)\n");
}

static json_t *json_session(struct session *ss)
{
	json_t *o = json_object();
	struct str tmp = {0};
	if (!o)
		return NULL;
	json_object_set(o, "session", ss->info);

	int64_t in, out;
	double usd;
	bool est, complete;
	summary_totals(ss, &in, &out, &usd, &est, &complete);
	json_t *tot = json_object();
	json_object_set_new(tot, "events", json_integer((json_int_t)ss->n));
	json_object_set_new(tot, "llm_calls", json_integer((json_int_t)ss->n_calls));
	json_object_set_new(tot, "tokens_in", json_integer(in));
	json_object_set_new(tot, "tokens_out", json_integer(out));
	json_object_set_new(tot, "cost_usd", json_real(usd));
	json_object_set_new(tot, "estimated", json_boolean(est));
	json_object_set_new(tot, "all_priced", json_boolean(complete));
	json_object_set_new(o, "totals", tot);

	json_t *calls = json_array();
	for (size_t i = 0; i < ss->n_calls; i++) {
		const struct call *c = &ss->calls[i];
		const json_t *ev = c->ev, *x = exchange(ev);
		const json_t *reply = json_object_get(x, "reply");
		json_t *j = json_object();
		json_object_set_new(j, "event", json_integer(jint(ev, "id")));
		json_object_set_new(j, "ts", json_real((double)event_ms(ss, ev) / 1000.0));
		json_object_set_new(j, "pid", json_integer(jint(ev, "pid")));
		json_object_set_new(j, "comm", json_string(jstr(ev, "comm") ?: ""));
		json_object_set(j, "model", json_object_get(x, "model") ?: json_null());
		json_object_set_new(j, "tokens_in", json_integer(c->in));
		json_object_set_new(j, "tokens_out", json_integer(c->out));
		json_object_set_new(j, "tokens_estimated", json_boolean(c->estimated));
		json_object_set_new(j, "cost_usd", c->priced < 0 ? json_null() : json_real(c->usd));
		json_object_set_new(j, "cost_estimated", json_boolean(c->priced == 1));
		const char *p = last_prompt(x);
		json_object_set_new(j, "prompt", p ? json_string(p) : json_null());
		json_object_set(j, "reply", json_object_get(reply, "text") ?: json_null());
		json_t *tcs = json_array();
		const json_t *tc = json_object_get(reply, "tool_calls");
		for (size_t t = 0; t < json_array_size(tc); t++) {
			json_t *one = json_object();
			json_object_set(one, "name",
					json_object_get(json_array_get(tc, t), "name")
						?: json_null());
			json_object_set(one, "arguments",
					json_object_get(json_array_get(tc, t), "arguments")
						?: json_null());
			json_array_append_new(tcs, one);
		}
		json_object_set_new(j, "tool_calls", tcs);
		json_object_set(j, "error", json_object_get(x, "error") ?: json_null());
		json_array_append_new(calls, j);
	}
	json_object_set_new(o, "llm_calls", calls);

	json_t *alerts = json_array();
	for (size_t i = 0; i < json_array_size(ss->alerts); i++) {
		json_t *al = json_deep_copy(json_array_get(ss->alerts, i));
		json_t *refs = json_array();
		const json_t *evid = json_object_get(al, "evidence");
		for (size_t e = 0; e < json_array_size(evid); e++)
			json_array_append_new(
				refs,
				ref_json(ss, (uint64_t)json_integer_value(json_array_get(evid, e)),
					 &tmp));
		json_object_set_new(al, "evidence_events", refs);
		json_array_append_new(alerts, al);
	}
	json_object_set_new(o, "alerts", alerts);

	size_t n_links = json_array_size(ss->links);
	const json_t **refs = calloc(n_links + 1, sizeof(const json_t *));
	const json_t **links = calloc(n_links + 1, sizeof(const json_t *));
	json_t *timeline = json_array();
	for (size_t i = 0; refs && links && i < ss->n_calls; i++) {
		const json_t *ev = ss->calls[i].ev;
		json_t *row = ref_json(ss, (uint64_t)jint(ev, "id"), &tmp);
		json_t *linked = json_array();
		size_t k = links_of(ss, (uint64_t)jint(ev, "id"), refs, links);
		for (size_t j = 0; j < k; j++) {
			json_t *r = ref_json(ss, (uint64_t)jint(links[j], "event"), &tmp);
			json_object_set(r, "score", json_object_get(links[j], "score"));
			json_object_set(r, "reasons", json_object_get(links[j], "reasons"));
			json_array_append_new(linked, r);
		}
		json_object_set_new(row, "linked", linked);
		json_array_append_new(timeline, row);
	}
	free(refs);
	free(links);
	json_object_set_new(o, "timeline", timeline);

	json_t *unlinked = json_array();
	for (size_t i = 0; i < ss->n; i++) {
		const json_t *ev = ss->by_time[i];
		const char *kind = jstr(ev, "kind");
		if ((kind && strcmp(kind, "llm") == 0) || is_linked(ss, (uint64_t)jint(ev, "id")))
			continue;
		json_array_append_new(unlinked, ref_json(ss, (uint64_t)jint(ev, "id"), &tmp));
	}
	json_object_set_new(o, "unlinked", unlinked);
	free(tmp.p);
	return o;
}

int as_report_write(struct as_store *st, const struct as_report_opts *opts, FILE *out, char *err,
		    size_t errlen)
{
	json_t *ids = NULL;
	int rc = 0;
	if (opts->session) {
		json_t *one = NULL;
		rc = as_store_get_session(st, opts->session, &one, err, errlen);
		if (rc != 0)
			return rc;
		ids = json_array();
		json_array_append_new(ids, one);
	} else if (as_store_list_sessions(st, &ids, err, errlen) != 0) {
		return -1;
	}
	json_t *all = opts->json ? json_array() : NULL;
	struct str s = {0};
	for (size_t i = 0; rc == 0 && i < json_array_size(ids); i++) {
		struct session ss = {.o = opts, .max_text = opts->max_text ? opts->max_text : 100};
		rc = load(st, jint(json_array_get(ids, i), "id"), &ss, err, errlen);
		if (rc == 0 && opts->json) {
			json_t *j = json_session(&ss);
			if (!j || json_array_append_new(all, j) != 0)
				s.oom = true;
		} else if (rc == 0) {
			str_reset(&s);
			if (i > 0)
				str_addf(&s, "\n");
			text_session(&s, &ss);
			if (!s.oom && fputs(str_get(&s), out) == EOF) {
				snprintf(err, errlen, "report: cannot write: %s", strerror(errno));
				rc = -1;
			}
		}
		unload(&ss);
		if (s.oom && rc == 0) {
			snprintf(err, errlen, "report: out of memory");
			rc = -1;
		}
	}
	if (rc == 0 && opts->json) {
		json_t *top = json_object();
		if (top && json_object_set(top, "sessions", all) == 0 &&
		    json_dumpf(top, out, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) == 0) {
			fputc('\n', out);
		} else {
			snprintf(err, errlen, "report: cannot write the JSON report");
			rc = -1;
		}
		json_decref(top);
	}
	if (rc == 0 && fflush(out) != 0) {
		snprintf(err, errlen, "report: cannot write: %s", strerror(errno));
		rc = -1;
	}
	json_decref(all);
	json_decref(ids);
	free(s.p);
	return rc;
}
