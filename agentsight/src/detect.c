/* detect: the four detectors (see detect.h) over per-session state.
 *
 * A session (the process table's session of the LLM caller) holds: a ring
 * of the last loop_window exchanges' tool-call signatures and tokens, the
 * active loops, the injected instructions waiting for their action, the
 * fingerprints of texts already scanned (a conversation resends its whole
 * history each turn), the token and cost totals, the last prompts' hashes,
 * and the agents (processes that made LLM calls) watched for stalls. Each
 * alert lives in the state that raised it, so that an update goes out with
 * the same id.
 */
#include "detect.h"

#include "corr_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOOP_WINDOW 64
#define MAX_LOOPS	4
#define MAX_INJ		16
#define MAX_FPS		64
#define MAX_MODELS	16
#define MAX_PROMPTS	32
#define MAX_AGENTS	8
#define MAX_PENDING	16
#define MAX_STALL_PROCS 256
#define EXCERPT		300

struct loop_ent {
	uint64_t sig;
	uint64_t ev;
	int64_t in, out;
	bool est;
};

struct loop {
	bool used;
	uint64_t sig;
	struct as_alert al;
	unsigned count;
	int64_t in, out;
	bool est;
	char *tool;
	char *args;
};

struct inj {
	bool used;
	uint64_t request_id;
	uint64_t ts;
	struct as_alert al;
	bool acted;
	char *instruction;
	struct as_corr_artifacts *arts;
};

struct model_tot {
	char name[64];
	int64_t in, out;
	double usd;
	uint64_t calls, est_calls, unpriced;
};

struct prompt {
	uint64_t h;
	uint64_t ev;
	unsigned count;
	bool err;
};

struct waste {
	int64_t in, out;
	double usd;
	uint64_t calls, est_calls, unpriced;
	struct model_tot m[MAX_MODELS + 1]; /* the last one: "other" */
	size_t nm;
	struct as_alert tok, cost, resend, bigctx;
	int64_t tok_next;
	double cost_next;
	unsigned big_count;
	struct prompt prompts[MAX_PROMPTS];
	size_t np, pnext;
	/* What the resend and big-context alerts' details say, kept so that
	 * the details are built only when an update is sent (an agent that
	 * resends its prompt does so on every call). */
	unsigned resend_count;
	uint64_t resend_first;
	int64_t resend_in, big_in, big_out;
	bool big_est;
};

struct agent {
	int pid;
	uint64_t last_llm;
	uint64_t alerted_key;
};

struct dsess {
	int key;
	uint64_t last_ts;
	struct loop_ent ring[MAX_LOOP_WINDOW];
	size_t rn, rhead;
	struct loop loops[MAX_LOOPS];
	struct inj inj[MAX_INJ];
	uint64_t fps[MAX_FPS];
	size_t nfp, fpnext;
	struct waste w;
	struct agent agents[MAX_AGENTS];
	size_t na;
	uint64_t pair_key;
};

struct pending {
	bool used;
	uint64_t llm;
	size_t msg;
	uint64_t src_llm, src_event;
	char *tool, *call_id, *path, *url, *src_path;
};

struct as_detect {
	struct as_detect_config cfg;
	const struct as_proctable *pt;
	struct as_detect_sink sink;
	struct dsess *s;
	size_t ns;
	uint64_t next_id;
	struct pending pend[MAX_PENDING];
	struct as_detect_stats st;
	uint64_t now; /* the latest time seen */
};

/* ---- configuration ------------------------------------------------------------------ */

void as_detect_config_default(struct as_detect_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->injection = true;
	cfg->injection_ttl_ns = 1800ull * 1000000000ull;
	cfg->injection_match = 0.8;
	cfg->loops = true;
	cfg->loop_repeats = 5;
	cfg->loop_window = 10;
	cfg->waste = true;
	cfg->token_budget = 2000000;
	cfg->cost_budget_usd = 10.0;
	cfg->resend_repeats = 2;
	cfg->big_context_tokens = 50000;
	cfg->tiny_reply_tokens = 20;
	cfg->stalls = true;
	cfg->stall_ns = 120ull * 1000000000ull;
	cfg->max_sessions = 256;
	cfg->update_interval_ns = 1000000000ull;
}

static int num(const char *v, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || end == v || *end || !(d >= lo && d <= hi))
		return -1;
	*out = d;
	return 0;
}

static int boolean(const char *v, bool *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

static bool integral(double d)
{
	return d == (double)(int64_t)d;
}

int as_detect_config_set(struct as_detect_config *cfg, const char *key, const char *value,
			 char *err, size_t errlen)
{
	if (!key || !value) {
		snprintf(err, errlen, "detect config: key and value are required");
		return -EINVAL;
	}
	double d = 0;
	int rc;
	const char *want;
	if (strcmp(key, "detect.injection") == 0) {
		want = "true or false";
		rc = boolean(value, &cfg->injection);
	} else if (strcmp(key, "detect.loop") == 0) {
		want = "true or false";
		rc = boolean(value, &cfg->loops);
	} else if (strcmp(key, "detect.waste") == 0) {
		want = "true or false";
		rc = boolean(value, &cfg->waste);
	} else if (strcmp(key, "detect.stall") == 0) {
		want = "true or false";
		rc = boolean(value, &cfg->stalls);
	} else if (strcmp(key, "detect.injection.ttl_s") == 0) {
		want = "whole seconds from 1 to 604800";
		rc = num(value, 1, 604800, &d) || !integral(d);
		if (!rc)
			cfg->injection_ttl_ns = (uint64_t)d * 1000000000ull;
	} else if (strcmp(key, "detect.injection.match") == 0) {
		want = "a number from 0 to 1";
		rc = num(value, 0, 1, &cfg->injection_match);
	} else if (strcmp(key, "detect.loop.repeats") == 0) {
		want = "a whole number from 2 to 64";
		rc = num(value, 2, 64, &d) || !integral(d);
		if (!rc)
			cfg->loop_repeats = (unsigned)d;
	} else if (strcmp(key, "detect.loop.window") == 0) {
		want = "a whole number from 2 to 64";
		rc = num(value, 2, 64, &d) || !integral(d);
		if (!rc)
			cfg->loop_window = (unsigned)d;
	} else if (strcmp(key, "detect.update_interval_s") == 0) {
		want = "seconds from 0 (every update) to 3600";
		rc = num(value, 0, 3600, &d);
		if (!rc)
			cfg->update_interval_ns = (uint64_t)(d * 1e9);
	} else if (strcmp(key, "detect.waste.token_budget") == 0) {
		want = "a whole number of tokens from 0 (off) to 1e15";
		rc = num(value, 0, 1e15, &d) || !integral(d);
		if (!rc)
			cfg->token_budget = (int64_t)d;
	} else if (strcmp(key, "detect.waste.cost_budget_usd") == 0) {
		want = "US dollars from 0 (off) to 1e9";
		rc = num(value, 0, 1e9, &cfg->cost_budget_usd);
	} else if (strcmp(key, "detect.waste.resend_repeats") == 0) {
		want = "a whole number from 2 to 1000";
		rc = num(value, 2, 1000, &d) || !integral(d);
		if (!rc)
			cfg->resend_repeats = (unsigned)d;
	} else if (strcmp(key, "detect.waste.big_context_tokens") == 0) {
		want = "a whole number from 1 to 1e12";
		rc = num(value, 1, 1e12, &d) || !integral(d);
		if (!rc)
			cfg->big_context_tokens = (int64_t)d;
	} else if (strcmp(key, "detect.waste.tiny_reply_tokens") == 0) {
		want = "a whole number from 0 to 1e9";
		rc = num(value, 0, 1e9, &d) || !integral(d);
		if (!rc)
			cfg->tiny_reply_tokens = (int64_t)d;
	} else if (strcmp(key, "detect.stall.after_s") == 0) {
		want = "whole seconds from 1 to 604800";
		rc = num(value, 1, 604800, &d) || !integral(d);
		if (!rc)
			cfg->stall_ns = (uint64_t)d * 1000000000ull;
	} else if (strcmp(key, "detect.max_sessions") == 0) {
		want = "a whole number from 1 to 65536";
		rc = num(value, 1, 65536, &d) || !integral(d);
		if (!rc)
			cfg->max_sessions = (size_t)d;
	} else {
		snprintf(err, errlen, "detect config: unknown key '%s'", key);
		return -EINVAL;
	}
	if (rc) {
		snprintf(err, errlen, "detect config: %s='%s' is not %s", key, value, want);
		return -EINVAL;
	}
	return 0;
}

/* ---- alerts ------------------------------------------------------------------------- */

static void alert_start(struct as_detect *d, struct as_alert *al, enum as_alert_kind kind,
			uint64_t ts, int pid, const char *severity)
{
	as_alert_clear(al);
	al->id = ++d->next_id;
	al->kind = kind;
	al->ts_ns = ts;
	al->pid = pid;
	snprintf(al->severity, sizeof(al->severity), "%s", severity);
}

__attribute__((format(printf, 2, 3))) static void alert_summary(struct as_alert *al,
								const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	char *s = strdup(buf);
	if (s) {
		free(al->summary);
		al->summary = s;
	}
}

static void alert_details(struct as_alert *al, json_t *j)
{
	if (!j)
		return;
	json_decref(al->details);
	al->details = j;
}

static void evidence(struct as_alert *al, uint64_t id)
{
	if (!id)
		return;
	for (size_t i = 0; i < al->n_evidence; i++)
		if (al->evidence[i] == id)
			return;
	if (al->n_evidence < AS_ALERT_MAX_EVIDENCE)
		al->evidence[al->n_evidence++] = id;
	else
		al->evidence[AS_ALERT_MAX_EVIDENCE - 1] = id; /* keep the first and the latest */
}

static void send(struct as_detect *d, struct as_alert *al, bool update)
{
	if (update)
		d->st.updates++;
	else
		d->st.alerts++;
	al->emitted_ns = d->now ? d->now : 1;
	al->pending = false;
	memcpy(al->sent_severity, al->severity, sizeof(al->sent_severity));
	if (d->sink.on_alert)
		d->sink.on_alert(d->sink.ctx, al, update);
}

/* A new alert goes out at once, and so does a change of severity (an
 * injection acted on); other updates of an alert sent less than
 * update_interval_ns ago wait (flush_session, as_detect_flush). */
/* An update within the update interval of the last one, at the same
 * severity, waits (see detect.update_interval_s). */
static bool throttled(const struct as_detect *d, const struct as_alert *al, bool update)
{
	return update && d->cfg.update_interval_ns && al->emitted_ns &&
	       d->now < al->emitted_ns + d->cfg.update_interval_ns &&
	       strncmp(al->severity, al->sent_severity, sizeof(al->severity)) == 0;
}

static void emit(struct as_detect *d, struct as_alert *al, bool update)
{
	if (throttled(d, al, update)) {
		al->pending = true;
		return;
	}
	send(d, al, update);
}

static bool flush_due(const struct as_detect *d, const struct as_alert *al, bool force)
{
	return al->pending && al->id &&
	       (force || d->now >= al->emitted_ns + d->cfg.update_interval_ns);
}

static void flush_alert(struct as_detect *d, struct as_alert *al, bool force)
{
	if (flush_due(d, al, force))
		send(d, al, true);
}

static void waste_refresh(struct waste *w, struct as_alert *al);

static void flush_session(struct as_detect *d, struct dsess *s, bool force)
{
	for (size_t i = 0; i < MAX_LOOPS; i++)
		flush_alert(d, &s->loops[i].al, force);
	for (size_t i = 0; i < MAX_INJ; i++)
		flush_alert(d, &s->inj[i].al, force);
	flush_alert(d, &s->w.tok, force);
	flush_alert(d, &s->w.cost, force);
	struct as_alert *lazy[] = {&s->w.resend, &s->w.bigctx};
	for (size_t i = 0; i < 2; i++) {
		if (flush_due(d, lazy[i], force)) {
			waste_refresh(&s->w, lazy[i]);
			send(d, lazy[i], true);
		}
	}
}

static json_t *jstr_n(const char *s, size_t max)
{
	if (!s)
		return json_null();
	size_t n = strnlen(s, max);
	json_t *j = json_stringn(s, n);
	if (!j) {
		/* Not UTF-8, or cut inside a character: keep the ASCII. */
		char *copy = strndup(s, n);
		if (!copy)
			return json_null();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)copy[i] >= 0x80)
				copy[i] = '?';
		j = json_stringn(copy, n);
		free(copy);
	}
	return j ? j : json_null();
}

/* ---- sessions ----------------------------------------------------------------------- */

static void loop_clear(struct loop *l)
{
	as_alert_clear(&l->al);
	free(l->tool);
	free(l->args);
	memset(l, 0, sizeof(*l));
}

static void inj_clear(struct inj *r)
{
	as_alert_clear(&r->al);
	free(r->instruction);
	as_corr_artifacts_free(r->arts);
	memset(r, 0, sizeof(*r));
}

static void sess_clear(struct dsess *s)
{
	for (size_t i = 0; i < MAX_LOOPS; i++)
		loop_clear(&s->loops[i]);
	for (size_t i = 0; i < MAX_INJ; i++)
		inj_clear(&s->inj[i]);
	as_alert_clear(&s->w.tok);
	as_alert_clear(&s->w.cost);
	as_alert_clear(&s->w.resend);
	as_alert_clear(&s->w.bigctx);
	memset(s, 0, sizeof(*s));
}

static struct dsess *sess_find(struct as_detect *d, int key)
{
	for (size_t i = 0; i < d->ns; i++)
		if (d->s[i].key == key)
			return &d->s[i];
	return NULL;
}

static struct dsess *sess_get(struct as_detect *d, int key, uint64_t ts)
{
	struct dsess *s = sess_find(d, key);
	if (s)
		return s;
	if (d->ns == d->cfg.max_sessions) {
		size_t lru = 0;
		for (size_t i = 1; i < d->ns; i++)
			if (d->s[i].last_ts < d->s[lru].last_ts)
				lru = i;
		flush_session(d, &d->s[lru], true);
		sess_clear(&d->s[lru]);
		d->s[lru] = d->s[--d->ns];
		memset(&d->s[d->ns], 0, sizeof(d->s[0]));
	}
	s = &d->s[d->ns++];
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->last_ts = ts;
	return s;
}

struct as_detect *as_detect_new(const struct as_detect_config *cfg, const struct as_proctable *pt,
				const struct as_detect_sink *sink)
{
	struct as_detect *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	if (cfg)
		d->cfg = *cfg;
	else
		as_detect_config_default(&d->cfg);
	if (d->cfg.loop_repeats < 2)
		d->cfg.loop_repeats = 2;
	if (d->cfg.loop_repeats > MAX_LOOP_WINDOW)
		d->cfg.loop_repeats = MAX_LOOP_WINDOW;
	if (d->cfg.loop_window < d->cfg.loop_repeats)
		d->cfg.loop_window = d->cfg.loop_repeats;
	if (d->cfg.loop_window > MAX_LOOP_WINDOW)
		d->cfg.loop_window = MAX_LOOP_WINDOW;
	if (d->cfg.resend_repeats < 2)
		d->cfg.resend_repeats = 2;
	if (!d->cfg.max_sessions)
		d->cfg.max_sessions = 1;
	d->pt = pt;
	if (sink)
		d->sink = *sink;
	d->s = calloc(d->cfg.max_sessions, sizeof(*d->s));
	if (!d->s) {
		free(d);
		return NULL;
	}
	return d;
}

static void pending_clear(struct pending *p)
{
	free(p->tool);
	free(p->call_id);
	free(p->path);
	free(p->url);
	free(p->src_path);
	memset(p, 0, sizeof(*p));
}

void as_detect_free(struct as_detect *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->ns; i++)
		sess_clear(&d->s[i]);
	for (size_t i = 0; i < MAX_PENDING; i++)
		pending_clear(&d->pend[i]);
	free(d->s);
	free(d);
}

/* ---- exchanges' tokens and signatures ------------------------------------------------- */

static void tokens_of(const struct as_llm_exchange *x, int64_t *in, int64_t *out, bool *est)
{
	if (x->usage.reported) {
		*in = x->usage.input_tokens;
		*out = x->usage.output_tokens;
		*est = false;
		return;
	}
	struct as_llm_usage u;
	as_llm_estimate_usage(x, &u);
	*in = u.input_tokens;
	*out = u.output_tokens;
	*est = true;
}

/* Arguments as compact JSON with sorted keys, or whitespace-collapsed text. */
static char *normalise_args(const char *args)
{
	if (!args)
		return strdup("");
	size_t n = strnlen(args, AS_LLM_MAX_FIELD_BYTES);
	json_error_t e;
	json_t *j = json_loadb(args, n, JSON_DECODE_ANY, &e);
	if (j) {
		char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(j);
		if (s)
			return s;
	}
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	size_t o = 0;
	bool space = false;
	for (size_t i = 0; i < n; i++) {
		if (args[i] == ' ' || args[i] == '\t' || args[i] == '\n' || args[i] == '\r') {
			space = o > 0;
			continue;
		}
		if (space)
			s[o++] = ' ';
		space = false;
		s[o++] = args[i];
	}
	s[o] = 0;
	return s;
}

/* The signature of a reply's tool calls (0 when it has none); the first
 * call's name and normalised arguments into *tool and *args (may be NULL). */
static uint64_t reply_sig(const struct as_llm_message *r, char **tool, char **args)
{
	if (tool)
		*tool = NULL;
	if (args)
		*args = NULL;
	if (!r->n_tool_calls)
		return 0;
	uint64_t h = CORR_HASH_INIT;
	for (size_t i = 0; i < r->n_tool_calls && i < AS_LLM_MAX_TOOL_CALLS; i++) {
		const struct as_llm_tool_call *tc = &r->tool_calls[i];
		const char *name = tc->name ? tc->name : "";
		h = corr_hash(h, name, strlen(name) + 1);
		char *na = normalise_args(tc->arguments);
		if (na)
			h = corr_hash(h, na, strlen(na) + 1);
		if (i == 0 && tool && args) {
			*tool = strdup(name);
			*args = na;
			na = NULL;
		}
		free(na);
	}
	return h ? h : 1;
}

/* ---- reasoning loops ----------------------------------------------------------------- */

static json_t *loop_details(const struct as_detect *d, const struct loop *l)
{
	return json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:b, s:I, s:I}", "tool",
			 jstr_n(l->tool, 256), "arguments", jstr_n(l->args, 512), "count",
			 (json_int_t)l->count, "tokens", (json_int_t)l->in + (json_int_t)l->out,
			 "input_tokens", (json_int_t)l->in, "output_tokens", (json_int_t)l->out,
			 "tokens_estimated", l->est, "repeats", (json_int_t)d->cfg.loop_repeats,
			 "window", (json_int_t)d->cfg.loop_window);
}

static void loop_summary(struct loop *l)
{
	alert_summary(&l->al, "%.64s called %u times with the same arguments (%lld tokens%s)",
		      l->tool ? l->tool : "?", l->count, (long long)l->in + (long long)l->out,
		      l->est ? ", estimated" : "");
}

static void loops_event(struct as_detect *d, struct dsess *s, const struct as_event *ev)
{
	const struct as_llm_exchange *x = ev->llm;
	struct loop_ent e = {.ev = ev->id};
	char *tool = NULL, *args = NULL;
	e.sig = reply_sig(&x->reply, &tool, &args);
	tokens_of(x, &e.in, &e.out, &e.est);
	size_t W = d->cfg.loop_window;
	s->ring[s->rhead] = e;
	s->rhead = (s->rhead + 1) % W;
	if (s->rn < W)
		s->rn++;
	/* Loops whose calls left the window are over. */
	for (size_t i = 0; i < MAX_LOOPS; i++) {
		struct loop *l = &s->loops[i];
		if (!l->used)
			continue;
		bool present = false;
		for (size_t k = 0; k < s->rn && !present; k++)
			present = s->ring[k].sig == l->sig;
		if (!present) {
			flush_alert(d, &l->al, true);
			loop_clear(l);
		}
	}
	if (!e.sig)
		goto out;
	struct loop *active = NULL;
	for (size_t i = 0; i < MAX_LOOPS; i++)
		if (s->loops[i].used && s->loops[i].sig == e.sig)
			active = &s->loops[i];
	if (active) {
		active->count++;
		active->in += e.in;
		active->out += e.out;
		active->est |= e.est;
		evidence(&active->al, ev->id);
		if (active->count >= 2 * d->cfg.loop_repeats)
			snprintf(active->al.severity, sizeof(active->al.severity), "high");
		loop_summary(active);
		alert_details(&active->al, loop_details(d, active));
		emit(d, &active->al, true);
		goto out;
	}
	unsigned count = 0;
	for (size_t k = 0; k < s->rn; k++)
		count += s->ring[k].sig == e.sig;
	if (count < d->cfg.loop_repeats)
		goto out;
	struct loop *l = NULL;
	for (size_t i = 0; i < MAX_LOOPS && !l; i++)
		if (!s->loops[i].used)
			l = &s->loops[i];
	if (!l) {
		l = &s->loops[0];
		flush_alert(d, &l->al, true);
		loop_clear(l);
	}
	l->used = true;
	l->sig = e.sig;
	l->tool = tool;
	l->args = args;
	tool = args = NULL;
	alert_start(d, &l->al, AS_ALERT_REASONING_LOOP, ev->ts_ns, ev->pid, "medium");
	/* Oldest first: walk the ring from its oldest entry. */
	size_t oldest = s->rn < W ? 0 : s->rhead;
	for (size_t k = 0; k < s->rn; k++) {
		const struct loop_ent *r = &s->ring[(oldest + k) % W];
		if (r->sig != e.sig)
			continue;
		l->count++;
		l->in += r->in;
		l->out += r->out;
		l->est |= r->est;
		evidence(&l->al, r->ev);
	}
	loop_summary(l);
	alert_details(&l->al, loop_details(d, l));
	emit(d, &l->al, false);
out:
	free(tool);
	free(args);
}

/* ---- resource waste ------------------------------------------------------------------ */

static json_t *waste_totals(const struct waste *w)
{
	json_t *models = json_object();
	for (size_t i = 0; models && i < w->nm; i++) {
		const struct model_tot *m = &w->m[i];
		json_object_set_new(models, m->name,
				    json_pack("{s:I, s:I, s:f, s:I, s:I, s:I}", "input_tokens",
					      (json_int_t)m->in, "output_tokens",
					      (json_int_t)m->out, "cost_usd", m->usd, "calls",
					      (json_int_t)m->calls, "estimated_calls",
					      (json_int_t)m->est_calls, "unpriced_calls",
					      (json_int_t)m->unpriced));
	}
	return json_pack("{s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:o}", "input_tokens",
			 (json_int_t)w->in, "output_tokens", (json_int_t)w->out, "tokens",
			 (json_int_t)w->in + (json_int_t)w->out, "cost_usd", w->usd, "calls",
			 (json_int_t)w->calls, "estimated_calls", (json_int_t)w->est_calls,
			 "unpriced_calls", (json_int_t)w->unpriced, "models",
			 models ? models : json_object());
}

static json_t *waste_details(const struct waste *w, const char *reason, json_t *extra)
{
	json_t *j = json_pack("{s:s, s:o}", "reason", reason, "totals", waste_totals(w));
	if (j && extra)
		json_object_update(j, extra);
	json_decref(extra);
	return j;
}

/* The details of the resend or big-context alert from what waste_event
 * kept. */
static void waste_refresh(struct waste *w, struct as_alert *al)
{
	if (al == &w->resend)
		alert_details(al,
			      waste_details(w, "prompt_resent",
					    json_pack("{s:I, s:I, s:I}", "count",
						      (json_int_t)w->resend_count, "first_event",
						      (json_int_t)w->resend_first, "input_tokens",
						      (json_int_t)w->resend_in)));
	else if (al == &w->bigctx)
		alert_details(al, waste_details(w, "big_context_tiny_reply",
						json_pack("{s:I, s:I, s:I, s:b}", "count",
							  (json_int_t)w->big_count, "input_tokens",
							  (json_int_t)w->big_in, "output_tokens",
							  (json_int_t)w->big_out,
							  "tokens_estimated", w->big_est)));
}

/* emit() for those two: the details are built only when sent. */
static void waste_emit(struct as_detect *d, struct waste *w, struct as_alert *al, bool update)
{
	if (throttled(d, al, update)) {
		al->pending = true;
		return;
	}
	waste_refresh(w, al);
	send(d, al, update);
}

static uint64_t prompt_hash(const struct as_llm_exchange *x)
{
	uint64_t h = CORR_HASH_INIT;
	const char *model = x->model ? x->model : "";
	h = corr_hash(h, model, strlen(model) + 1);
	for (size_t i = 0; i < x->n_messages; i++) {
		const struct as_llm_message *m = &x->messages[i];
		unsigned char role = (unsigned char)m->role;
		h = corr_hash(h, &role, 1);
		if (m->text)
			h = corr_hash(h, m->text, strlen(m->text));
		h = corr_hash(h, "\0", 1);
		for (size_t k = 0; k < m->n_tool_calls; k++) {
			const struct as_llm_tool_call *tc = &m->tool_calls[k];
			if (tc->name)
				h = corr_hash(h, tc->name, strlen(tc->name) + 1);
			if (tc->arguments)
				h = corr_hash(h, tc->arguments, strlen(tc->arguments) + 1);
		}
		if (m->tool_call_id)
			h = corr_hash(h, m->tool_call_id, strlen(m->tool_call_id) + 1);
	}
	return h;
}

static void waste_event(struct as_detect *d, struct dsess *s, const struct as_event *ev)
{
	const struct as_llm_exchange *x = ev->llm;
	struct waste *w = &s->w;
	int64_t in, out;
	bool est;
	tokens_of(x, &in, &out, &est);
	double usd = 0;
	int priced = as_llm_cost_usd(x, d->cfg.prices, d->cfg.n_prices, &usd);
	w->in += in;
	w->out += out;
	w->calls++;
	w->est_calls += est;
	if (priced >= 0)
		w->usd += usd;
	else
		w->unpriced++;
	const char *model = x->model ? x->model : "(unknown)";
	struct model_tot *m = NULL;
	char name[sizeof(w->m[0].name)];
	snprintf(name, sizeof(name), "%s", model);
	for (size_t i = 0; i < w->nm && i < MAX_MODELS && !m; i++)
		if (strcmp(w->m[i].name, name) == 0)
			m = &w->m[i];
	if (!m && w->nm < MAX_MODELS) {
		m = &w->m[w->nm++];
		memcpy(m->name, name, sizeof(name));
	} else if (!m) {
		m = &w->m[MAX_MODELS];
		snprintf(m->name, sizeof(m->name), "(other models)");
		if (w->nm == MAX_MODELS)
			w->nm++;
	}
	m->in += in;
	m->out += out;
	m->calls++;
	m->est_calls += est;
	if (priced >= 0)
		m->usd += usd;
	else
		m->unpriced++;

	int64_t total = w->in + w->out;
	if (d->cfg.token_budget > 0 && total > d->cfg.token_budget &&
	    (!w->tok.id || total >= w->tok_next)) {
		bool update = w->tok.id != 0;
		if (!update)
			alert_start(d, &w->tok, AS_ALERT_RESOURCE_WASTE, ev->ts_ns, ev->pid,
				    "medium");
		w->tok_next = total * 2;
		evidence(&w->tok, ev->id);
		alert_summary(&w->tok, "session used %lld tokens, over its budget of %lld",
			      (long long)total, (long long)d->cfg.token_budget);
		alert_details(&w->tok, waste_details(w, "token_budget",
						     json_pack("{s:I}", "budget",
							       (json_int_t)d->cfg.token_budget)));
		emit(d, &w->tok, update);
	}
	if (d->cfg.cost_budget_usd > 0 && w->usd > d->cfg.cost_budget_usd &&
	    (!w->cost.id || w->usd >= w->cost_next)) {
		bool update = w->cost.id != 0;
		if (!update)
			alert_start(d, &w->cost, AS_ALERT_RESOURCE_WASTE, ev->ts_ns, ev->pid,
				    "medium");
		w->cost_next = w->usd * 2;
		evidence(&w->cost, ev->id);
		alert_summary(&w->cost, "session cost $%.2f, over its budget of $%.2f", w->usd,
			      d->cfg.cost_budget_usd);
		alert_details(&w->cost, waste_details(w, "cost_budget",
						      json_pack("{s:f}", "budget_usd",
								d->cfg.cost_budget_usd)));
		emit(d, &w->cost, update);
	}

	/* The same full prompt again (a retry after an error is not waste). */
	uint64_t h = prompt_hash(x);
	bool err = x->http_status >= 400 || x->error;
	struct prompt *p = NULL;
	for (size_t i = 0; i < w->np && !p; i++)
		if (w->prompts[i].h == h)
			p = &w->prompts[i];
	if (p && !p->err) {
		p->count++;
		p->err = err;
		if (p->count >= d->cfg.resend_repeats) {
			bool update = w->resend.id != 0;
			if (!update)
				alert_start(d, &w->resend, AS_ALERT_RESOURCE_WASTE, ev->ts_ns,
					    ev->pid, "low");
			evidence(&w->resend, p->ev);
			evidence(&w->resend, ev->id);
			alert_summary(
				&w->resend,
				"the same full prompt was sent %u times (%lld input tokens each)",
				p->count, (long long)in);
			w->resend_count = p->count;
			w->resend_first = p->ev;
			w->resend_in = in;
			waste_emit(d, w, &w->resend, update);
		}
	} else if (p) {
		p->err = err; /* the retry of a failed call: start counting again */
		p->count = 1;
		p->ev = ev->id;
	} else {
		p = &w->prompts[w->pnext];
		w->pnext = (w->pnext + 1) % MAX_PROMPTS;
		if (w->np < MAX_PROMPTS)
			w->np++;
		*p = (struct prompt){.h = h, .ev = ev->id, .count = 1, .err = err};
	}

	/* A huge prompt for a tiny reply. */
	if (in >= d->cfg.big_context_tokens && out <= d->cfg.tiny_reply_tokens && !err) {
		w->big_count++;
		bool update = w->bigctx.id != 0;
		if (!update)
			alert_start(d, &w->bigctx, AS_ALERT_RESOURCE_WASTE, ev->ts_ns, ev->pid,
				    "low");
		evidence(&w->bigctx, ev->id);
		alert_summary(&w->bigctx,
			      "%u calls sent a prompt of %lld tokens or more for a reply of %lld "
			      "or fewer",
			      w->big_count, (long long)d->cfg.big_context_tokens,
			      (long long)d->cfg.tiny_reply_tokens);
		w->big_in = in;
		w->big_out = out;
		w->big_est = est;
		waste_emit(d, w, &w->bigctx, update);
	}
}

/* ---- prompt injection ---------------------------------------------------------------- */

void as_detect_input(struct as_detect *d, const struct as_corr_input *in, const struct as_event *ev)
{
	(void)ev;
	if (!d || !in || !d->cfg.injection)
		return;
	/* Inputs of an older exchange are stale. */
	for (size_t i = 0; i < MAX_PENDING; i++)
		if (d->pend[i].used && d->pend[i].llm != in->llm_event_id)
			pending_clear(&d->pend[i]);
	struct pending *p = NULL;
	for (size_t i = 0; i < MAX_PENDING && !p; i++)
		if (!d->pend[i].used)
			p = &d->pend[i];
	if (!p)
		return;
	p->used = true;
	p->llm = in->llm_event_id;
	p->msg = in->message_index;
	p->src_llm = in->source_llm_event_id;
	p->src_event = in->source_event_id;
	p->tool = in->tool_name ? strndup(in->tool_name, 256) : NULL;
	p->call_id = in->tool_call_id ? strndup(in->tool_call_id, 256) : NULL;
	p->path = in->path ? strndup(in->path, CORR_MAX_TEXT) : NULL;
	p->url = in->url ? strndup(in->url, CORR_MAX_TEXT) : NULL;
	p->src_path = in->source_event_path ? strndup(in->source_event_path, CORR_MAX_TEXT) : NULL;
}

static const struct pending *pending_for(const struct as_detect *d, uint64_t llm, size_t msg)
{
	for (size_t i = 0; i < MAX_PENDING; i++)
		if (d->pend[i].used && d->pend[i].llm == llm && d->pend[i].msg == msg)
			return &d->pend[i];
	return NULL;
}

/* The parts of a user message that quote something else: fenced blocks,
 * "> " lines, and <document>/<file>/<webpage> elements. */
static char *quoted_parts(const char *text)
{
	size_t len = strnlen(text, AS_LLM_MAX_FIELD_BYTES);
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	bool fence = false;
	int tag = 0;
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t le = nl ? (size_t)(nl - text) : len;
		const char *line = text + i;
		size_t n = le - i;
		i = nl ? le + 1 : len;
		size_t a = 0;
		while (a < n && line[a] == ' ')
			a++;
		if (n - a >= 3 &&
		    (memcmp(line + a, "```", 3) == 0 || memcmp(line + a, "~~~", 3) == 0)) {
			fence = !fence;
			continue;
		}
		bool open = false, close = false;
		static const char *const tags[] = {"document", "file",		"webpage",
						   "web_page", "search_result", NULL};
		for (size_t t = 0; tags[t]; t++) {
			char o1[32], c1[32];
			snprintf(o1, sizeof(o1), "<%s", tags[t]);
			snprintf(c1, sizeof(c1), "</%s>", tags[t]);
			if (memmem(line, n, o1, strlen(o1)))
				open = true;
			if (memmem(line, n, c1, strlen(c1)))
				close = true;
		}
		if (open)
			tag++;
		bool quote = a < n && line[a] == '>';
		if (fence || tag > 0 || quote) {
			memcpy(out + o, line, n);
			o += n;
			out[o++] = '\n';
		}
		if (close && tag > 0)
			tag--;
	}
	if (o > len)
		o = len;
	out[o] = 0;
	return out;
}

static struct inj *inj_slot(struct as_detect *d, struct dsess *s)
{
	struct inj *oldest = &s->inj[0];
	for (size_t i = 0; i < MAX_INJ; i++) {
		if (!s->inj[i].used)
			return &s->inj[i];
		if (s->inj[i].ts < oldest->ts)
			oldest = &s->inj[i];
	}
	flush_alert(d, &oldest->al, true);
	inj_clear(oldest);
	return oldest;
}

static bool fp_seen(struct dsess *s, uint64_t fp)
{
	for (size_t i = 0; i < s->nfp; i++)
		if (s->fps[i] == fp)
			return true;
	s->fps[s->fpnext] = fp;
	s->fpnext = (s->fpnext + 1) % MAX_FPS;
	if (s->nfp < MAX_FPS)
		s->nfp++;
	return false;
}

static void inj_raise(struct as_detect *d, struct dsess *s, const struct as_event *ev, size_t msg,
		      const char *text, const struct as_injection_scan *sc, bool from_tool)
{
	const struct pending *p = from_tool ? pending_for(d, ev->id, msg) : NULL;
	struct inj *r = inj_slot(d, s);
	r->used = true;
	r->request_id = ev->id;
	r->ts = ev->ts_ns;
	r->instruction = strdup(sc->instruction);
	/* What the instruction names: its command, and the paths and URLs near it. */
	size_t len = strlen(text);
	size_t from = sc->offset < len ? sc->offset : 0;
	size_t wl = len - from < 2048 ? len - from : 2048;
	size_t il = strlen(sc->instruction);
	char *win = malloc(wl + il + 4);
	if (win) {
		memcpy(win, text + from, wl);
		size_t o = wl;
		if (il) {
			memcpy(win + o, "\n$ ", 3);
			memcpy(win + o + 3, sc->instruction, il);
			o += 3 + il;
		}
		win[o] = 0;
		r->arts = as_corr_extract_text(win);
		free(win);
	}
	if (!r->instruction || !r->arts) {
		flush_alert(d, &r->al, true);
		inj_clear(r);
		return;
	}
	alert_start(d, &r->al, AS_ALERT_PROMPT_INJECTION, ev->ts_ns, ev->pid, "medium");
	if (p) {
		evidence(&r->al, p->src_event);
		evidence(&r->al, p->src_llm);
	}
	evidence(&r->al, ev->id);

	json_t *names = json_array();
	for (size_t i = 0; names && i < sc->n_names; i++)
		json_array_append_new(names, json_string(sc->names[i]));
	size_t ex0 = sc->offset > 60 ? sc->offset - 60 : 0;
	json_t *source;
	const char *where;
	if (p) {
		const char *path = p->src_path ? p->src_path : p->path;
		source = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "type",
				   "tool_result", "tool", jstr_n(p->tool, 256), "tool_call_id",
				   jstr_n(p->call_id, 256), "path", jstr_n(path, CORR_MAX_TEXT),
				   "requested_path", jstr_n(p->path, CORR_MAX_TEXT), "url",
				   jstr_n(p->url, CORR_MAX_TEXT), "event", (json_int_t)p->src_event,
				   "llm_event", (json_int_t)p->src_llm);
		where = path ? path : p->url ? p->url : p->tool ? p->tool : "a tool result";
	} else {
		source = json_pack("{s:s}", "type",
				   from_tool ? "tool_result" : "user_message_quote");
		where = from_tool ? "a tool result" : "a quoted document";
	}
	/* Does the reply to this request already ask for it? */
	json_t *asks = json_null();
	for (size_t i = 0; sc->instruction[0] && i < ev->llm->reply.n_tool_calls; i++) {
		const struct as_llm_tool_call *tc = &ev->llm->reply.tool_calls[i];
		bool hit = false;
		for (size_t k = 0; k < r->arts->n && !hit; k++) {
			const struct corr_art *a = &r->arts->v[k];
			hit = a->pub.kind == AS_CORR_ART_COMMAND && tc->arguments &&
			      strstr(tc->arguments, a->text);
		}
		if (hit) {
			json_decref(asks);
			asks = jstr_n(tc->name, 256);
			break;
		}
	}
	json_t *det = json_pack("{s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:n}", "source",
				source ? source : json_null(), "request_event", (json_int_t)ev->id,
				"message_index", (json_int_t)msg, "patterns",
				names ? names : json_array(), "instruction",
				jstr_n(sc->instruction, sizeof(sc->instruction)), "excerpt",
				jstr_n(text + ex0, EXCERPT), "reply_asks", asks, "action");
	alert_details(&r->al, det);
	alert_summary(&r->al, "instructions injected through %.200s%s%.200s", where,
		      sc->instruction[0] ? ": " : "", sc->instruction);
	emit(d, &r->al, false);
}

static void injection_event(struct as_detect *d, struct dsess *s, const struct as_event *ev)
{
	const struct as_llm_exchange *x = ev->llm;
	size_t first = 0;
	for (size_t i = 0; i < x->n_messages; i++)
		if (x->messages[i].role == AS_LLM_ROLE_ASSISTANT)
			first = i + 1;
	for (size_t i = first; i < x->n_messages; i++) {
		const struct as_llm_message *m = &x->messages[i];
		if (!m->text || (m->role != AS_LLM_ROLE_TOOL && m->role != AS_LLM_ROLE_USER))
			continue;
		unsigned char role = (unsigned char)m->role;
		uint64_t fp = corr_hash(corr_hash(CORR_HASH_INIT, &role, 1), m->text,
					strnlen(m->text, AS_LLM_MAX_FIELD_BYTES));
		if (fp_seen(s, fp))
			continue;
		char *quoted = NULL;
		const char *text = m->text;
		if (m->role == AS_LLM_ROLE_USER) {
			quoted = quoted_parts(m->text);
			if (!quoted)
				continue;
			text = quoted;
		}
		struct as_injection_scan sc;
		if (as_detect_scan_injection(text, &sc))
			inj_raise(d, s, ev, i, text, &sc, m->role == AS_LLM_ROLE_TOOL);
		free(quoted);
	}
}

static double action_match(const struct inj *r, const struct as_event *ev, const char **what)
{
	double best = 0;
	*what = NULL;
	struct corr_exec x = {0};
	if (ev->kind == AS_EV_EXEC)
		corr_exec_prepare(&x, (const char *const *)ev->u.exec.argv, ev->u.exec.argc,
				  ev->u.exec.filename);
	char np[CORR_MAX_TEXT], np2[CORR_MAX_TEXT];
	np[0] = np2[0] = 0;
	if (ev->kind >= AS_EV_FILE_OPEN && ev->kind <= AS_EV_FILE_RENAME) {
		if (ev->u.file.path)
			corr_norm_path(ev->u.file.path, np, sizeof(np));
		if (ev->u.file.path2)
			corr_norm_path(ev->u.file.path2, np2, sizeof(np2));
	}
	for (size_t k = 0; k < r->arts->n; k++) {
		const struct corr_art *a = &r->arts->v[k];
		const char *w = NULL;
		double sc = 0;
		switch (ev->kind) {
		case AS_EV_EXEC:
			if (a->pub.kind == AS_CORR_ART_COMMAND)
				sc = corr_score_exec(a, &x, &w);
			break;
		case AS_EV_FILE_OPEN:
			if ((ev->u.file.flags & O_ACCMODE) == O_RDONLY)
				break;
			/* fall through */
		case AS_EV_FILE_WRITE:
		case AS_EV_FILE_UNLINK:
		case AS_EV_FILE_RENAME:
			sc = corr_score_path(a, np, &w);
			if (np2[0]) {
				const char *w2 = NULL;
				double s2 = corr_score_path(a, np2, &w2);
				if (s2 > sc) {
					sc = s2;
					w = w2;
				}
			}
			break;
		case AS_EV_NET_CONNECT:
			sc = corr_score_net(a, ev->u.net.family, ev->u.net.addr, ev->u.net.port,
					    ev->kind, &w);
			break;
		case AS_EV_HTTP:
			sc = corr_score_http(a, ev->http.host, ev->http.path, &w);
			break;
		default:
			break;
		}
		if (sc > best) {
			best = sc;
			*what = w;
		}
	}
	corr_exec_free(&x);
	return best;
}

static json_t *action_json(const struct as_event *ev, const struct as_link *link, const char *what)
{
	json_t *j = json_pack("{s:I, s:s, s:I, s:I, s:o}", "event", (json_int_t)ev->id, "kind",
			      as_event_kind_name(ev->kind), "pid", (json_int_t)ev->pid, "llm_event",
			      (json_int_t)link->llm_event_id, "match", jstr_n(what, 128));
	if (!j)
		return NULL;
	if (ev->kind == AS_EV_EXEC) {
		json_t *argv = json_array();
		for (size_t i = 0; argv && i < ev->u.exec.argc && i < 64; i++)
			json_array_append_new(argv, jstr_n(ev->u.exec.argv[i], 1024));
		json_object_set_new(j, "argv", argv ? argv : json_null());
	} else if (ev->kind >= AS_EV_FILE_OPEN && ev->kind <= AS_EV_FILE_RENAME) {
		json_object_set_new(j, "path", jstr_n(ev->u.file.path, CORR_MAX_TEXT));
	} else if (ev->kind == AS_EV_NET_CONNECT) {
		json_object_set_new(j, "addr", jstr_n(ev->u.net.addr, sizeof(ev->u.net.addr)));
		json_object_set_new(j, "port", json_integer(ev->u.net.port));
	} else if (ev->kind == AS_EV_HTTP) {
		json_object_set_new(j, "host", jstr_n(ev->http.host, 256));
		json_object_set_new(j, "path", jstr_n(ev->http.path, 1024));
	}
	return j;
}

void as_detect_link(struct as_detect *d, const struct as_link *link, const struct as_event *ev)
{
	if (!d || !link || !ev || !d->cfg.injection)
		return;
	struct dsess *s = sess_find(d, as_proctable_session(d->pt, ev->pid));
	if (!s)
		return;
	for (size_t i = 0; i < MAX_INJ; i++) {
		struct inj *r = &s->inj[i];
		if (!r->used || link->llm_event_id < r->request_id ||
		    ev->ts_ns > r->ts + d->cfg.injection_ttl_ns)
			continue;
		const char *what = NULL;
		double m = action_match(r, ev, &what);
		if (m < d->cfg.injection_match)
			continue;
		bool first = !r->acted;
		r->acted = true;
		snprintf(r->al.severity, sizeof(r->al.severity), "high");
		evidence(&r->al, link->llm_event_id);
		evidence(&r->al, ev->id);
		if (r->al.details) {
			json_t *acts = json_object_get(r->al.details, "actions");
			if (!acts) {
				acts = json_array();
				json_object_set_new(r->al.details, "actions", acts);
			}
			json_t *a = action_json(ev, link, what);
			if (first && a)
				json_object_set(r->al.details, "action", a);
			if (a && json_array_size(acts) < 16)
				json_array_append(acts, a);
			json_decref(a);
		}
		const char *src = NULL;
		json_t *so = r->al.details ? json_object_get(r->al.details, "source") : NULL;
		if (so)
			src = json_string_value(json_object_get(so, "path"));
		if (!src && so)
			src = json_string_value(json_object_get(so, "url"));
		alert_summary(
			&r->al,
			"agent acted on instructions injected through %.200s: %s (event %llu)",
			src ? src : "a tool result", as_event_kind_name(ev->kind),
			(unsigned long long)ev->id);
		emit(d, &r->al, true);
	}
}

/* ---- stalls -------------------------------------------------------------------------- */

static void agent_note(struct dsess *s, const struct as_event *ev)
{
	for (size_t i = 0; i < s->na; i++)
		if (s->agents[i].pid == ev->pid) {
			s->agents[i].last_llm = ev->id;
			return;
		}
	size_t at = s->na < MAX_AGENTS ? s->na++ : MAX_AGENTS - 1;
	s->agents[at] = (struct agent){.pid = ev->pid, .last_llm = ev->id};
}

static bool is_agent(const struct dsess *s, int pid)
{
	for (size_t i = 0; i < s->na; i++)
		if (s->agents[i].pid == pid)
			return true;
	return false;
}

static uint64_t last_active(const struct as_proc *p)
{
	uint64_t t = p->last_event_ns;
	if (p->start_ns > t)
		t = p->start_ns;
	if (p->exec_ns > t)
		t = p->exec_ns;
	return t;
}

static json_t *proc_json(const struct as_proc *p, uint64_t now, bool agent)
{
	char argv[256] = "";
	size_t o = 0;
	for (size_t i = 0; p->argv && i < p->argc && o + 2 < sizeof(argv); i++)
		o += (size_t)snprintf(argv + o, sizeof(argv) - o, "%s%s", i ? " " : "", p->argv[i]);
	if (o >= sizeof(argv))
		o = sizeof(argv) - 1;
	argv[o] = 0;
	uint64_t la = last_active(p);
	return json_pack("{s:i, s:o, s:o, s:f, s:b, s:I}", "pid", p->pid, "comm",
			 jstr_n(p->comm, sizeof(p->comm)), "argv", jstr_n(argv, sizeof(argv)),
			 "silent_s", now > la ? (double)(now - la) / 1e9 : 0.0, "agent", agent,
			 "last_event", (json_int_t)p->last_event_id);
}

static void stall_alert(struct as_detect *d, const struct dsess *s, const struct agent *ag,
			const struct as_proc *p, const struct as_proc **live, size_t nlive,
			uint64_t now, const char *kind)
{
	struct as_alert al = {0};
	alert_start(d, &al, AS_ALERT_COORDINATION_STALL, now, p->pid, "medium");
	evidence(&al, ag ? ag->last_llm : 0);
	evidence(&al, p->last_event_id);
	json_t *procs = json_array();
	if (procs)
		json_array_append_new(procs, proc_json(p, now, true));
	bool agents = false;
	for (size_t i = 0; i < nlive; i++) {
		bool a = is_agent(s, live[i]->pid);
		agents |= a;
		evidence(&al, live[i]->last_event_id);
		if (procs && i < 31)
			json_array_append_new(procs, proc_json(live[i], now, a));
	}
	if (!kind)
		kind = agents ? "agents_wait_on_each_other" : "agent_waits_on_child";
	uint64_t silent = now - last_active(p);
	alert_details(&al, json_pack("{s:s, s:i, s:f, s:f, s:o}", "kind", kind, "agent_pid", p->pid,
				     "silent_s", (double)silent / 1e9, "threshold_s",
				     (double)d->cfg.stall_ns / 1e9, "processes",
				     procs ? procs : json_array()));
	alert_summary(&al, "%s: agent %d (%.16s) and %zu process%s silent for %.0f s", kind, p->pid,
		      p->comm, nlive, nlive == 1 ? "" : "es", (double)silent / 1e9);
	emit(d, &al, false);
	as_alert_clear(&al);
}

static void stalls_session(struct as_detect *d, struct dsess *s, uint64_t now)
{
	const uint64_t T = d->cfg.stall_ns;
	const struct as_proc *quiet_agents[MAX_AGENTS];
	size_t nq = 0;
	uint64_t pair_key = 0;
	for (size_t i = 0; i < s->na; i++) {
		struct agent *ag = &s->agents[i];
		const struct as_proc *p = as_proctable_get(d->pt, ag->pid);
		if (!p || p->exited)
			continue;
		if (now < last_active(p) + T) {
			ag->alerted_key = 0;
			continue;
		}
		quiet_agents[nq++] = p;
		pair_key = corr_hash(pair_key ? pair_key : CORR_HASH_INIT, &p->last_event_id,
				     sizeof(p->last_event_id));
		/* Its live descendants, all silent? */
		const struct as_proc *live[MAX_STALL_PROCS];
		size_t nlive = 0, visited = 0;
		bool busy = false;
		const struct as_proc *c = p->first_child;
		while (c && visited < MAX_STALL_PROCS && !busy) {
			visited++;
			if (!c->exited) {
				if (now < last_active(c) + T)
					busy = true;
				else if (nlive < MAX_STALL_PROCS)
					live[nlive++] = c;
			}
			if (c->first_child) {
				c = c->first_child;
				continue;
			}
			while (c && c != p && !c->next_sibling)
				c = c->parent;
			c = c && c != p ? c->next_sibling : NULL;
		}
		if (busy || nlive == 0 || ag->alerted_key == p->last_event_id + 1)
			continue;
		ag->alerted_key = p->last_event_id + 1;
		stall_alert(d, s, ag, p, live, nlive, now, NULL);
	}
	/* Two agents of the session, neither an ancestor of the other, both silent. */
	if (nq >= 2 && pair_key != s->pair_key) {
		unsigned gen;
		enum as_proc_rel rel =
			as_proc_relation(d->pt, quiet_agents[0]->pid, quiet_agents[1]->pid, &gen);
		if (rel != AS_REL_ANCESTOR && rel != AS_REL_DESCENDANT) {
			s->pair_key = pair_key;
			stall_alert(d, s, NULL, quiet_agents[0], quiet_agents + 1, nq - 1, now,
				    "agents_wait_on_each_other");
		}
	} else if (nq < 2) {
		s->pair_key = 0;
	}
}

/* ---- entry points ------------------------------------------------------------------- */

int as_detect_event(struct as_detect *d, const struct as_event *ev)
{
	if (d && ev && ev->ts_ns > d->now)
		d->now = ev->ts_ns;
	if (!d || !ev || ev->kind != AS_EV_LLM || !ev->llm)
		return 0;
	struct dsess *s = sess_get(d, as_proctable_session(d->pt, ev->pid), ev->ts_ns);
	if (!s)
		return -ENOMEM;
	s->last_ts = ev->ts_ns;
	agent_note(s, ev);
	if (d->cfg.injection)
		injection_event(d, s, ev);
	if (d->cfg.loops)
		loops_event(d, s, ev);
	if (d->cfg.waste)
		waste_event(d, s, ev);
	for (size_t i = 0; i < MAX_PENDING; i++)
		if (d->pend[i].used && d->pend[i].llm == ev->id)
			pending_clear(&d->pend[i]);
	return 0;
}

void as_detect_flush(struct as_detect *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->ns; i++)
		flush_session(d, &d->s[i], true);
}

void as_detect_tick(struct as_detect *d, uint64_t now_ns)
{
	if (!d)
		return;
	if (now_ns > d->now)
		d->now = now_ns;
	for (size_t i = 0; i < d->ns; i++) {
		struct dsess *s = &d->s[i];
		flush_session(d, s, false);
		for (size_t k = 0; k < MAX_INJ; k++) {
			if (s->inj[k].used && s->inj[k].ts + d->cfg.injection_ttl_ns < now_ns) {
				flush_alert(d, &s->inj[k].al, true);
				inj_clear(&s->inj[k]);
			}
		}
		if (d->cfg.stalls)
			stalls_session(d, s, now_ns);
	}
}

void as_detect_get_stats(const struct as_detect *d, struct as_detect_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!d)
		return;
	*st = d->st;
	st->sessions = d->ns;
	st->injections_pending = 0;
	st->loops_active = 0;
	for (size_t i = 0; i < d->ns; i++) {
		for (size_t k = 0; k < MAX_INJ; k++)
			st->injections_pending += d->s[i].inj[k].used && !d->s[i].inj[k].acted;
		for (size_t k = 0; k < MAX_LOOPS; k++)
			st->loops_active += d->s[i].loops[k].used;
	}
}
