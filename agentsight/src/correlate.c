/* correlate: the live correlation engine (see correlate.h for the score).
 *
 * Per session a short list of records, one per LLM exchange: its id, when
 * its response ended, the calling process, the artifacts of its reply, its
 * tool calls (id, name, arguments, main path or URL) and the first events
 * linked to it. An event is scored against every record of its session
 * still in the window (and the record its process is attributed to), and
 * linked to the best when the score reaches the threshold.
 */
#include "correlate.h"

#include "corr_internal.h"
#include "llmapi.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define REC_MAX_LINKED 32

struct tool_ref {
	char *id;
	char *name;
	char *args;
	const char *path; /* into the record's artifacts */
	const char *url;
};

struct linked {
	uint64_t id;
	enum as_event_kind kind;
	int tool;
	char *path;
};

struct rec {
	uint64_t id;
	uint64_t ts;
	int pid;
	struct as_corr_artifacts *arts;
	struct tool_ref *tools;
	size_t n_tools;
	struct linked linked[REC_MAX_LINKED];
	size_t n_linked;
	size_t bytes;
};

struct session {
	int key;
	struct rec **recs; /* oldest first */
	size_t n;
	uint64_t last_ts;
};

struct as_corr {
	struct as_corr_config cfg;
	struct as_proctable *pt;
	struct as_corr_sink sink;
	struct session *s;
	size_t n_sessions;
	struct as_corr_stats st;
};

void as_corr_config_default(struct as_corr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->window_ns = 60ull * 1000000000ull;
	cfg->half_life_ns = 2ull * 1000000000ull;
	cfg->w_temporal = 0.3;
	cfg->w_lineage = 0.3;
	cfg->w_args = 0.4;
	cfg->threshold = 0.5;
	cfg->text_factor = 0.8;
	cfg->max_llm_per_session = 16;
	cfg->llm_ttl_ns = 1800ull * 1000000000ull;
	cfg->max_sessions = 256;
	cfg->attribute = true;
	cfg->link_system_files = false;
}

static int parse_double(const char *v, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || end == v || *end || !(d >= lo && d <= hi))
		return -1;
	*out = d;
	return 0;
}

static int parse_u64(const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (!*v || *v == '-' || *v == '+')
		return -1;
	char *end;
	errno = 0;
	unsigned long long u = strtoull(v, &end, 10);
	if (errno || *end || u < lo || u > hi)
		return -1;
	*out = u;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

int as_corr_config_set(struct as_corr_config *cfg, const char *key, const char *value, char *err,
		       size_t errlen)
{
	if (!key || !value) {
		snprintf(err, errlen, "correlate config: key and value are required");
		return -EINVAL;
	}
	uint64_t u = 0;
	int rc = 0;
	const char *want = "";
	if (strcmp(key, "correlate.window_ms") == 0) {
		want = "milliseconds from 1 to 86400000";
		rc = parse_u64(value, 1, 86400000, &u);
		if (!rc)
			cfg->window_ns = u * 1000000ull;
	} else if (strcmp(key, "correlate.half_life_ms") == 0) {
		want = "milliseconds from 1 to 86400000";
		rc = parse_u64(value, 1, 86400000, &u);
		if (!rc)
			cfg->half_life_ns = u * 1000000ull;
	} else if (strcmp(key, "correlate.weight.temporal") == 0) {
		want = "a number from 0 to 1";
		rc = parse_double(value, 0, 1, &cfg->w_temporal);
	} else if (strcmp(key, "correlate.weight.lineage") == 0) {
		want = "a number from 0 to 1";
		rc = parse_double(value, 0, 1, &cfg->w_lineage);
	} else if (strcmp(key, "correlate.weight.args") == 0) {
		want = "a number from 0 to 1";
		rc = parse_double(value, 0, 1, &cfg->w_args);
	} else if (strcmp(key, "correlate.threshold") == 0) {
		want = "a number from 0 to 1";
		rc = parse_double(value, 0, 1, &cfg->threshold);
	} else if (strcmp(key, "correlate.text_factor") == 0) {
		want = "a number from 0 to 1";
		rc = parse_double(value, 0, 1, &cfg->text_factor);
	} else if (strcmp(key, "correlate.max_llm_per_session") == 0) {
		want = "a count from 1 to 1024";
		rc = parse_u64(value, 1, 1024, &u);
		if (!rc)
			cfg->max_llm_per_session = (size_t)u;
	} else if (strcmp(key, "correlate.ttl_s") == 0) {
		want = "seconds from 1 to 604800";
		rc = parse_u64(value, 1, 604800, &u);
		if (!rc)
			cfg->llm_ttl_ns = u * 1000000000ull;
	} else if (strcmp(key, "correlate.max_sessions") == 0) {
		want = "a count from 1 to 65536";
		rc = parse_u64(value, 1, 65536, &u);
		if (!rc)
			cfg->max_sessions = (size_t)u;
	} else if (strcmp(key, "correlate.attribute") == 0) {
		want = "true or false";
		rc = parse_bool(value, &cfg->attribute);
	} else if (strcmp(key, "correlate.link_system_files") == 0) {
		want = "true or false";
		rc = parse_bool(value, &cfg->link_system_files);
	} else {
		snprintf(err, errlen, "correlate config: unknown key '%s'", key);
		return -EINVAL;
	}
	if (rc) {
		snprintf(err, errlen, "correlate config: %s='%s' is not %s", key, value, want);
		return -EINVAL;
	}
	return 0;
}

/* ---- records ---------------------------------------------------------------------- */

static void rec_free(struct rec *r)
{
	if (!r)
		return;
	as_corr_artifacts_free(r->arts);
	for (size_t i = 0; i < r->n_tools; i++) {
		free(r->tools[i].id);
		free(r->tools[i].name);
		free(r->tools[i].args);
	}
	free(r->tools);
	for (size_t i = 0; i < r->n_linked; i++)
		free(r->linked[i].path);
	free(r);
}

static char *dup_bounded(const char *s, size_t max, bool *oom)
{
	if (!s)
		return NULL;
	char *d = strndup(s, max);
	if (!d)
		*oom = true;
	return d;
}

static struct rec *rec_new(const struct as_event *ev)
{
	struct rec *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->id = ev->id;
	r->ts = ev->ts_ns;
	r->pid = ev->pid;
	const struct as_llm_message *reply = &ev->llm->reply;
	r->arts = as_corr_extract(reply);
	if (!r->arts)
		goto fail;
	r->bytes = sizeof(*r) + r->arts->bytes;
	size_t nt = reply->n_tool_calls < AS_LLM_MAX_TOOL_CALLS ? reply->n_tool_calls
								: AS_LLM_MAX_TOOL_CALLS;
	if (nt) {
		r->tools = calloc(nt, sizeof(*r->tools));
		if (!r->tools)
			goto fail;
		r->n_tools = nt;
	}
	bool oom = false;
	for (size_t i = 0; i < nt; i++) {
		const struct as_llm_tool_call *tc = &reply->tool_calls[i];
		struct tool_ref *t = &r->tools[i];
		t->id = dup_bounded(tc->id, 256, &oom);
		t->name = dup_bounded(tc->name, 256, &oom);
		t->args = dup_bounded(tc->arguments, CORR_MAX_TEXT, &oom);
		r->bytes += (t->args ? strlen(t->args) : 0) + 64;
		for (size_t k = 0; k < r->arts->n; k++) {
			const struct corr_art *a = &r->arts->v[k];
			if (a->pub.tool_index != (int)i || a->pub.from_text)
				continue;
			if (!t->path && a->pub.kind == AS_CORR_ART_PATH)
				t->path = a->text;
			if (!t->url && a->pub.kind == AS_CORR_ART_URL)
				t->url = a->text;
		}
	}
	if (oom)
		goto fail;
	return r;
fail:
	rec_free(r);
	return NULL;
}

static void session_drop_oldest(struct session *s)
{
	if (!s->n)
		return;
	rec_free(s->recs[0]);
	memmove(s->recs, s->recs + 1, (s->n - 1) * sizeof(struct rec *));
	s->n--;
}

static void session_expire(const struct as_corr *c, struct session *s, uint64_t now)
{
	while (s->n && s->recs[0]->ts + c->cfg.llm_ttl_ns < now)
		session_drop_oldest(s);
}

static void session_clear(struct session *s)
{
	while (s->n)
		session_drop_oldest(s);
	free(s->recs);
	memset(s, 0, sizeof(*s));
}

static struct session *session_find(struct as_corr *c, int key)
{
	for (size_t i = 0; i < c->n_sessions; i++)
		if (c->s[i].key == key)
			return &c->s[i];
	return NULL;
}

static struct session *session_get(struct as_corr *c, int key, uint64_t ts)
{
	struct session *s = session_find(c, key);
	if (s)
		return s;
	if (c->n_sessions == c->cfg.max_sessions) {
		/* Evict the least recently used. */
		size_t lru = 0;
		for (size_t i = 1; i < c->n_sessions; i++)
			if (c->s[i].last_ts < c->s[lru].last_ts)
				lru = i;
		session_clear(&c->s[lru]);
		c->s[lru] = c->s[--c->n_sessions];
	}
	s = &c->s[c->n_sessions];
	memset(s, 0, sizeof(*s));
	s->recs = calloc(c->cfg.max_llm_per_session, sizeof(struct rec *));
	if (!s->recs)
		return NULL;
	s->key = key;
	s->last_ts = ts;
	c->n_sessions++;
	return s;
}

/* ---- engine ---------------------------------------------------------------------- */

struct as_corr *as_corr_new(const struct as_corr_config *cfg, struct as_proctable *pt,
			    const struct as_corr_sink *sink)
{
	struct as_corr *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (cfg)
		c->cfg = *cfg;
	else
		as_corr_config_default(&c->cfg);
	if (!c->cfg.max_sessions)
		c->cfg.max_sessions = 1;
	if (!c->cfg.max_llm_per_session)
		c->cfg.max_llm_per_session = 1;
	if (!c->cfg.half_life_ns)
		c->cfg.half_life_ns = 1;
	c->pt = pt;
	if (sink)
		c->sink = *sink;
	c->s = calloc(c->cfg.max_sessions, sizeof(*c->s));
	if (!c->s) {
		free(c);
		return NULL;
	}
	return c;
}

void as_corr_free(struct as_corr *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_sessions; i++)
		session_clear(&c->s[i]);
	free(c->s);
	free(c);
}

static const struct tool_ref *find_tool_by_id(const struct session *s, const char *id,
					      const struct rec **rec, size_t *index)
{
	for (size_t i = s->n; i-- > 0;) {
		const struct rec *r = s->recs[i];
		for (size_t t = 0; t < r->n_tools; t++)
			if (r->tools[t].id && strcmp(r->tools[t].id, id) == 0) {
				*rec = r;
				*index = t;
				return &r->tools[t];
			}
	}
	return NULL;
}

static void emit_inputs(struct as_corr *c, struct session *s, const struct as_event *ev)
{
	const struct as_llm_exchange *x = ev->llm;
	size_t first = 0;
	for (size_t i = 0; i < x->n_messages; i++)
		if (x->messages[i].role == AS_LLM_ROLE_ASSISTANT)
			first = i + 1;
	size_t k = 0;
	for (size_t i = first; i < x->n_messages; i++) {
		const struct as_llm_message *m = &x->messages[i];
		if (m->role != AS_LLM_ROLE_TOOL)
			continue;
		const struct rec *r = NULL;
		size_t t = 0;
		const struct tool_ref *tr = NULL;
		if (m->tool_call_id) {
			tr = find_tool_by_id(s, m->tool_call_id, &r, &t);
		} else {
			/* No ids: the k-th result answers the k-th call of the last reply with
			 * calls. */
			for (size_t j = s->n; j-- > 0 && !tr;)
				if (s->recs[j]->n_tools) {
					r = s->recs[j];
					t = k;
					tr = k < r->n_tools ? &r->tools[k] : NULL;
				}
		}
		k++;
		if (!tr)
			continue;
		uint64_t ids[REC_MAX_LINKED];
		enum as_event_kind kinds[REC_MAX_LINKED];
		size_t n = 0;
		uint64_t source = 0;
		const char *source_path = NULL;
		int rank = 0; /* 3: file open of the path, 2: other file/net match, 1: exec */
		for (size_t l = 0; l < r->n_linked; l++) {
			const struct linked *lk = &r->linked[l];
			if (lk->tool != (int)t)
				continue;
			ids[n] = lk->id;
			kinds[n++] = lk->kind;
			int rk = 0;
			bool file = lk->kind >= AS_EV_FILE_OPEN && lk->kind <= AS_EV_FILE_RENAME;
			if (tr->path && file && lk->path &&
			    as_corr_match_path(lk->path, tr->path) >= 0.8)
				rk = lk->kind == AS_EV_FILE_OPEN ? 3 : 2;
			else if (tr->url &&
				 (lk->kind == AS_EV_HTTP || lk->kind == AS_EV_NET_CONNECT))
				rk = 2;
			else if (lk->kind == AS_EV_EXEC)
				rk = 1;
			if (rk > rank) {
				rank = rk;
				source = lk->id;
				source_path = file ? lk->path : NULL;
			}
		}
		struct as_corr_input in = {
			.llm_event_id = ev->id,
			.message_index = i,
			.source_llm_event_id = r->id,
			.tool_call_id = tr->id,
			.tool_name = tr->name,
			.tool_arguments = tr->args,
			.path = tr->path,
			.url = tr->url,
			.event_ids = ids,
			.event_kinds = kinds,
			.n_events = n,
			.source_event_id = source,
			.source_event_path = source_path,
		};
		c->st.inputs++;
		if (c->sink.on_input)
			c->sink.on_input(c->sink.ctx, &in, ev);
	}
}

static int llm_event(struct as_corr *c, const struct as_event *ev)
{
	if (!ev->llm)
		return 0;
	int key = as_proctable_session(c->pt, ev->pid);
	struct session *s = session_get(c, key, ev->ts_ns);
	if (!s)
		return -ENOMEM;
	s->last_ts = ev->ts_ns;
	session_expire(c, s, ev->ts_ns);
	emit_inputs(c, s, ev);
	struct rec *r = rec_new(ev);
	if (!r)
		return -ENOMEM;
	if (s->n == c->cfg.max_llm_per_session)
		session_drop_oldest(s);
	s->recs[s->n++] = r;
	return 0;
}

static bool system_path(const char *p)
{
	static const char *const prefixes[] = {"/lib/",
					       "/lib64/",
					       "/usr/lib/",
					       "/usr/lib64/",
					       "/usr/local/lib/",
					       "/usr/libexec/",
					       "/usr/share/",
					       "/etc/ld.so.",
					       "/proc/",
					       "/sys/",
					       "/dev/",
					       "/etc/localtime",
					       "/etc/nsswitch.conf",
					       NULL};
	for (size_t i = 0; prefixes[i]; i++)
		if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* Events that link only with an argument match: failed calls and reads of
 * system files (a program's loader and locale opens). */
static bool needs_args(const struct as_corr *c, const struct as_event *ev)
{
	switch (ev->kind) {
	case AS_EV_FILE_OPEN:
	case AS_EV_FILE_WRITE:
	case AS_EV_FILE_UNLINK:
	case AS_EV_FILE_RENAME:
		if (ev->u.file.ret < 0)
			return true;
		return ev->kind == AS_EV_FILE_OPEN && !c->cfg.link_system_files &&
		       (ev->u.file.flags & O_ACCMODE) == O_RDONLY && ev->u.file.path &&
		       system_path(ev->u.file.path);
	case AS_EV_NET_CONNECT:
	case AS_EV_NET_ACCEPT:
	case AS_EV_NET_BIND:
		return ev->u.net.ret < 0 && ev->u.net.ret != -EINPROGRESS;
	default:
		return false;
	}
}

static bool linkable(enum as_event_kind k)
{
	switch (k) {
	case AS_EV_FORK:
	case AS_EV_EXEC:
	case AS_EV_FILE_OPEN:
	case AS_EV_FILE_WRITE:
	case AS_EV_FILE_UNLINK:
	case AS_EV_FILE_RENAME:
	case AS_EV_NET_CONNECT:
	case AS_EV_NET_ACCEPT:
	case AS_EV_NET_BIND:
	case AS_EV_HTTP:
		return true;
	default:
		return false;
	}
}

struct argmatch {
	double score;
	int tool;
	bool from_text;
	enum as_corr_art_kind kind;
	const char *what;
};

/* An event's arguments prepared once for all exchanges and artifacts. */
struct prepared {
	struct corr_exec x;	/* exec */
	char np[CORR_MAX_TEXT]; /* file path or unix socket path, normalised */
	char np2[CORR_MAX_TEXT];
};

static void prepare(struct prepared *p, const struct as_event *ev)
{
	memset(&p->x, 0, sizeof(p->x));
	p->np[0] = p->np2[0] = 0;
	if (ev->kind == AS_EV_EXEC) {
		corr_exec_prepare(&p->x, (const char *const *)ev->u.exec.argv, ev->u.exec.argc,
				  ev->u.exec.filename);
	} else if (ev->kind >= AS_EV_FILE_OPEN && ev->kind <= AS_EV_FILE_RENAME) {
		if (ev->u.file.path)
			corr_norm_path(ev->u.file.path, p->np, sizeof(p->np));
		if (ev->u.file.path2)
			corr_norm_path(ev->u.file.path2, p->np2, sizeof(p->np2));
	} else if (ev->kind >= AS_EV_NET_CONNECT && ev->kind <= AS_EV_NET_BIND &&
		   ev->u.net.family == AF_UNIX) {
		corr_norm_path(ev->u.net.addr, p->np, sizeof(p->np));
	}
}

static struct argmatch args_score(const struct as_corr *c, const struct rec *r,
				  const struct as_event *ev, const struct prepared *pp)
{
	struct argmatch best = {.tool = -1};
	if (!r)
		return best;
	const struct corr_exec *x = &pp->x;
	const char *np = pp->np, *np2 = pp->np2;
	for (size_t i = 0; i < r->arts->n; i++) {
		const struct corr_art *a = &r->arts->v[i];
		const char *what = NULL;
		double s = 0;
		switch (ev->kind) {
		case AS_EV_EXEC:
			s = corr_score_exec(a, x, &what);
			break;
		case AS_EV_FILE_OPEN:
		case AS_EV_FILE_WRITE:
		case AS_EV_FILE_UNLINK:
		case AS_EV_FILE_RENAME: {
			s = corr_score_path(a, np, &what);
			const char *w2 = NULL;
			double s2 = corr_score_path(a, np2, &w2);
			if (s2 > s) {
				s = s2;
				what = w2;
			}
			break;
		}
		case AS_EV_NET_CONNECT:
		case AS_EV_NET_ACCEPT:
		case AS_EV_NET_BIND:
			if (ev->u.net.family == AF_UNIX)
				s = corr_score_path(a, np, &what);
			else
				s = corr_score_net(a, ev->u.net.family, ev->u.net.addr,
						   ev->u.net.port, ev->kind, &what);
			break;
		case AS_EV_HTTP:
			s = corr_score_http(a, ev->http.host, ev->http.path, &what);
			break;
		default:
			break;
		}
		if (a->pub.from_text)
			s *= c->cfg.text_factor;
		if (s > best.score) {
			best.score = s;
			best.tool = a->pub.tool_index;
			best.from_text = a->pub.from_text;
			best.kind = a->pub.kind;
			best.what = what;
		}
	}
	return best;
}

static double lineage_score(enum as_proc_rel rel, unsigned gen)
{
	switch (rel) {
	case AS_REL_SAME:
		return 1.0;
	case AS_REL_ANCESTOR: {
		double l = 1.0 - 0.1 * (double)(gen > 0 ? gen - 1 : 0);
		return l < 0.5 ? 0.5 : l;
	}
	case AS_REL_SIBLING:
		return 0.5;
	case AS_REL_DESCENDANT:
	case AS_REL_NONE:
	default:
		return 0;
	}
}

struct cand {
	const struct rec *rec;
	uint64_t llm_id;
	double score, t, l;
	struct argmatch a;
	enum as_proc_rel rel;
	unsigned gen;
	bool attributed;
	uint64_t dt;
};

static void reasons(const struct cand *b, char *out, size_t n)
{
	char lin[64];
	if (b->attributed)
		snprintf(lin, sizeof(lin), "in a process started for its tool call");
	else if (b->rel == AS_REL_SAME)
		snprintf(lin, sizeof(lin), "the caller itself");
	else if (b->rel == AS_REL_ANCESTOR && b->gen == 1)
		snprintf(lin, sizeof(lin), "a child of the caller");
	else if (b->rel == AS_REL_ANCESTOR)
		snprintf(lin, sizeof(lin), "a descendant of the caller (%u generations)", b->gen);
	else if (b->rel == AS_REL_SIBLING)
		snprintf(lin, sizeof(lin), "a sibling of the caller");
	else
		snprintf(lin, sizeof(lin), "not of the caller's family");
	char arg[160];
	if (b->a.score > 0 && b->a.what) {
		const char *name = NULL;
		if (b->rec && b->a.tool >= 0 && (size_t)b->a.tool < b->rec->n_tools)
			name = b->rec->tools[b->a.tool].name;
		if (name && !b->a.from_text)
			snprintf(arg, sizeof(arg), "%s (tool call %.60s)", b->a.what, name);
		else
			snprintf(arg, sizeof(arg), "%s (reply text)", b->a.what);
	} else {
		snprintf(arg, sizeof(arg), "no argument match");
	}
	snprintf(out, n, "%s; %.3f s after the response; %s", lin, (double)b->dt / 1e9, arg);
}

static void record_link(struct rec *r, const struct as_event *ev, int tool)
{
	if (!r || r->n_linked >= REC_MAX_LINKED)
		return;
	struct linked *l = &r->linked[r->n_linked];
	l->id = ev->id;
	l->kind = ev->kind;
	l->tool = tool;
	l->path = NULL;
	if (ev->kind >= AS_EV_FILE_OPEN && ev->kind <= AS_EV_FILE_RENAME && ev->u.file.path) {
		l->path = strndup(ev->u.file.path, CORR_MAX_TEXT);
		r->bytes += l->path ? strlen(l->path) + 1 : 0;
	}
	r->n_linked++;
}

static void score_event(struct as_corr *c, const struct as_event *ev)
{
	if (ev->kind == AS_EV_FORK) {
		const struct as_proc *p = as_proctable_get(c->pt, ev->pid);
		if (p && p->cause_llm_id && c->cfg.attribute)
			as_proctable_set_cause(c->pt, ev->u.fork.child_pid, p->cause_llm_id,
					       p->cause_tool);
	}
	const struct as_proc *proc = as_proctable_get(c->pt, ev->pid);
	uint64_t cause = proc && c->cfg.attribute ? proc->cause_llm_id : 0;
	int key = as_proctable_session(c->pt, ev->pid);
	struct session *s = session_find(c, key);
	if (s) {
		s->last_ts = ev->ts_ns > s->last_ts ? ev->ts_ns : s->last_ts;
		session_expire(c, s, ev->ts_ns);
	}
	bool gated = needs_args(c, ev);
	struct prepared *pp = malloc(sizeof(*pp));
	if (!pp)
		return;
	prepare(pp, ev);
	struct cand best = {.score = -1};
	bool cause_seen = false;
	size_t n = s ? s->n : 0;
	for (size_t i = n; i-- > 0;) {
		const struct rec *r = s->recs[i];
		if (r->ts > ev->ts_ns)
			continue;
		struct cand k = {.rec = r, .llm_id = r->id, .dt = ev->ts_ns - r->ts};
		k.attributed = cause && cause == r->id;
		cause_seen |= k.attributed;
		if (!k.attributed && k.dt > c->cfg.window_ns)
			continue;
		k.rel = as_proc_relation(c->pt, r->pid, ev->pid, &k.gen);
		k.l = k.attributed ? 1.0 : lineage_score(k.rel, k.gen);
		k.t = k.attributed ? 1.0 : exp2(-(double)k.dt / (double)c->cfg.half_life_ns);
		k.a = args_score(c, r, ev, pp);
		if (gated && k.a.score <= 0)
			continue;
		k.score = c->cfg.w_temporal * k.t + c->cfg.w_lineage * k.l +
			  c->cfg.w_args * k.a.score;
		if (k.score > best.score)
			best = k;
	}
	if (cause && !cause_seen && !gated) {
		/* The exchange that started this process has been forgotten. */
		struct cand k = {
			.llm_id = cause, .attributed = true, .t = 1.0, .l = 1.0, .a = {.tool = -1}};
		k.score = c->cfg.w_temporal + c->cfg.w_lineage;
		if (k.score > best.score)
			best = k;
	}
	if (n)
		c->st.events_scored++;
	corr_exec_free(&pp->x);
	free(pp);
	if (best.score < 0 || best.score < c->cfg.threshold)
		return;
	struct as_link link = {.llm_event_id = best.llm_id,
			       .event_id = ev->id,
			       .score = best.score > 1.0 ? 1.0 : best.score};
	reasons(&best, link.reasons, sizeof(link.reasons));
	struct rec *r = (struct rec *)best.rec;
	int tool =
		best.a.score > 0 ? best.a.tool : (best.attributed && proc ? proc->cause_tool : -1);
	record_link(r, ev, tool);
	if (ev->kind == AS_EV_EXEC && c->cfg.attribute && r && best.rel != AS_REL_SAME &&
	    best.a.score > 0 && (best.a.kind == AS_CORR_ART_COMMAND || best.a.score >= 0.5))
		as_proctable_set_cause(c->pt, ev->pid, r->id, best.a.tool);
	c->st.links++;
	if (c->sink.on_link)
		c->sink.on_link(c->sink.ctx, &link, ev);
}

int as_corr_event(struct as_corr *c, const struct as_event *ev)
{
	if (!c || !ev)
		return 0;
	if (ev->kind == AS_EV_LLM)
		return llm_event(c, ev);
	if (linkable(ev->kind))
		score_event(c, ev);
	return 0;
}

void as_corr_tick(struct as_corr *c, uint64_t now_ns)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_sessions;) {
		struct session *s = &c->s[i];
		session_expire(c, s, now_ns);
		if (s->n == 0 && s->last_ts + c->cfg.llm_ttl_ns < now_ns) {
			session_clear(s);
			c->s[i] = c->s[--c->n_sessions];
			continue;
		}
		i++;
	}
}

void as_corr_get_stats(const struct as_corr *c, struct as_corr_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!c)
		return;
	*st = c->st;
	st->sessions = c->n_sessions;
	st->llm_records = 0;
	st->artifacts = 0;
	st->bytes = 0;
	for (size_t i = 0; i < c->n_sessions; i++)
		for (size_t k = 0; k < c->s[i].n; k++) {
			st->llm_records++;
			st->artifacts += c->s[i].recs[k]->arts->n;
			st->bytes += c->s[i].recs[k]->bytes;
		}
}
