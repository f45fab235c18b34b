/* agent_plan: the deterministic planner that stands in for an LLM, and the
 * source rewriting that turns a tuned value into a new policy version (see
 * agent_plan.h).
 */
#include "agent_plan.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scx_agent_decision_clear(struct scx_agent_decision *d)
{
	if (!d)
		return;
	json_decref(d->tunables);
	free(d->source);
	memset(d, 0, sizeof(*d));
}

static bool has_str(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *e;
	json_array_foreach(arr, i, e)
	{
		if (json_is_string(e) && !strcmp(json_string_value(e), s))
			return true;
	}
	return false;
}

/* Profile words (class, features) -> repository workload words, weighted. */
static const struct {
	const char *profile_word;
	const char *policy_word;
	int weight;
} fit_table[] = {
	{"long_tail", "long-tail", 6},
	{"long_tail", "batch", 2},
	{"latency_sensitive", "latency", 5},
	{"latency_sensitive", "interactive", 4},
	{"interactive", "interactive", 2},
	{"cpu_bound", "throughput", 2},
	{"cpu_bound", "batch", 2},
	{"batch", "batch", 1},
	{"parallel", "build", 2},
	{"parallel", "throughput", 1},
	{"io_bound", "throughput", 1},
	{"mixed", "mixed", 3},
	{"mixed", "fairness", 2},
	{"runq_contention", "fairness", 1},
};

int scx_agent_fit(const json_t *profile, const json_t *meta)
{
	const json_t *wl = json_object_get(meta, "workloads");
	const json_t *feat = json_object_get(profile, "features");
	const char *cls = json_string_value(json_object_get(profile, "class"));
	int score = 0;
	for (size_t i = 0; i < sizeof(fit_table) / sizeof(fit_table[0]); i++) {
		bool in_profile = (cls && !strcmp(cls, fit_table[i].profile_word)) ||
				  has_str(feat, fit_table[i].profile_word);
		if (in_profile && has_str(wl, fit_table[i].policy_word))
			score += fit_table[i].weight;
	}
	return score;
}

struct ranked {
	const json_t *p;
	int score;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	return strcmp(json_string_value(json_object_get(x->p, "name")),
		      json_string_value(json_object_get(y->p, "name")));
}

static bool tried(const struct scx_agent_iter *hist, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(hist[i].policy, name))
			return true;
	return false;
}

/* The value of tunable `name` in an iteration (its default when not set). */
static double value_in(const struct scx_agent_iter *it, const char *name, double dflt)
{
	const json_t *v = json_object_get(it->tunables, name);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

static const json_t *policy_by_name(const json_t *policies, const char *name)
{
	size_t i;
	const json_t *p;
	json_array_foreach(policies, i, p)
	{
		if (!strcmp(json_string_value(json_object_get(p, "name")), name))
			return p;
	}
	return NULL;
}

int scx_agent_plan_offline(const json_t *profile, const json_t *policies,
			   const struct scx_agent_iter *hist, size_t nhist,
			   struct scx_agent_decision *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	size_t n = json_array_size(policies);
	if (!n) {
		snprintf(err, errlen, "no candidate policies");
		return -ENOENT;
	}
	struct ranked *r = calloc(n, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		r[i].p = json_array_get(policies, i);
		r[i].score = scx_agent_fit(profile, json_object_get(r[i].p, "meta"));
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	const char *cls = json_string_value(json_object_get(profile, "class"));
	bool wants_short = cls && !strcmp(cls, "latency_sensitive");

	/* The best measured iteration so far, and the last one. */
	const struct scx_agent_iter *best = NULL, *last = nhist ? &hist[nhist - 1] : NULL;
	for (size_t i = 0; i < nhist; i++)
		if (hist[i].measured && (!best || hist[i].ratio < best->ratio))
			best = &hist[i];

	if (best && best->ratio < 1.0) {
		/* Tune the winner's first tunable. */
		const json_t *p = policy_by_name(policies, best->policy);
		const json_t *t0 =
			json_array_get(json_object_get(json_object_get(p, "meta"), "tunables"), 0);
		const char *tn = json_string_value(json_object_get(t0, "name"));
		if (p && tn) {
			double dflt = json_number_value(json_object_get(t0, "default"));
			double mn = json_number_value(json_object_get(t0, "min"));
			double mx = json_number_value(json_object_get(t0, "max"));
			double cur = value_in(best, tn, dflt);
			double next;
			const char *why;
			bool last_worse =
				last && last != best && !strcmp(last->policy, best->policy);
			if (last_worse) {
				/* The last step went the wrong way: try between the best
				 * value and the other side. */
				double lv = value_in(last, tn, dflt);
				next = lv > cur ? cur / 1.6 : cur * 1.6;
				why = last->measured ? "the last change made the result worse; "
						       "stepping the other way"
						     : "the last change was rejected or failed; "
						       "stepping the other way";
			} else {
				next = wants_short ? cur / 2.0 : cur * 2.5;
				why = wants_short
					      ? "shorter slices for wakeup latency"
					      : "longer slices so that the long job keeps its CPU "
						"and is preempted less";
			}
			if (mx > 0 && next > mx)
				next = mx;
			if (next < mn)
				next = mn;
			next = floor(next);
			bool seen = false;
			for (size_t i = 0; i < nhist; i++)
				if (!strcmp(hist[i].policy, best->policy) &&
				    fabs(value_in(&hist[i], tn, dflt) - next) < 1)
					seen = true;
			if (!seen) {
				snprintf(out->policy, sizeof(out->policy), "%s", best->policy);
				out->tunables = json_pack("{s:I}", tn, (json_int_t)next);
				snprintf(out->rationale, sizeof(out->rationale),
					 "%s beat the default (ratio %.3f); tune %s %.0f -> %.0f: "
					 "%s",
					 best->policy, best->ratio, tn, cur, next, why);
				free(r);
				return 0;
			}
		}
	}
	/* The verifier refused the last try for a task that waited too long:
	 * the same policy with half the slice, so runnable tasks get a CPU
	 * sooner (learning from the verifier's report, not only from
	 * measurements). */
	if (last && !last->verified &&
	    (strstr(last->error, "starv") || strstr(last->error, "wait"))) {
		const json_t *p = policy_by_name(policies, last->policy);
		const json_t *t0 =
			json_array_get(json_object_get(json_object_get(p, "meta"), "tunables"), 0);
		const char *tn = json_string_value(json_object_get(t0, "name"));
		if (p && tn && strstr(tn, "slice")) {
			double dflt = json_number_value(json_object_get(t0, "default"));
			double mn = json_number_value(json_object_get(t0, "min"));
			double cur = value_in(last, tn, dflt);
			double next = floor(cur / 2.0);
			if (next < mn)
				next = mn;
			bool seen = false;
			for (size_t i = 0; i < nhist; i++)
				if (!strcmp(hist[i].policy, last->policy) &&
				    fabs(value_in(&hist[i], tn, dflt) - next) < 1)
					seen = true;
			if (!seen && next < cur) {
				snprintf(out->policy, sizeof(out->policy), "%s", last->policy);
				out->tunables = json_pack("{s:I}", tn, (json_int_t)next);
				snprintf(out->rationale, sizeof(out->rationale),
					 "the verifier refused %s (a task waited too long); halve "
					 "%s %.0f -> %.0f so that runnable tasks get a CPU sooner",
					 last->policy, tn, cur, next);
				free(r);
				return 0;
			}
		}
	}
	/* A candidate not tried yet, best fit first. */
	for (size_t i = 0; i < n; i++) {
		const char *name = json_string_value(json_object_get(r[i].p, "name"));
		if (!name || tried(hist, nhist, name))
			continue;
		snprintf(out->policy, sizeof(out->policy), "%s", name);
		out->tunables = json_object();
		if (!nhist)
			snprintf(out->rationale, sizeof(out->rationale),
				 "profile class %s; %s fits best (score %d) by its declared "
				 "workloads; start at its defaults",
				 cls ? cls : "?", name, r[i].score);
		else
			snprintf(out->rationale, sizeof(out->rationale),
				 "%s; next candidate %s (score %d) at its defaults",
				 best ? "nothing left to tune on the best policy"
				      : "no policy has beaten the default yet",
				 name, r[i].score);
		free(r);
		return 0;
	}
	free(r);
	snprintf(err, errlen, "every candidate has been tried");
	return -ENOENT;
}

char *scx_agent_set_tunable(const char *source, const char *name, long long value, char *err,
			    size_t errlen)
{
	size_t nlen = strlen(name);
	for (const char *p = strstr(source, "const volatile"); p;
	     p = strstr(p + 1, "const volatile")) {
		const char *eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		const char *q = p + 14;
		/* the type, then the name as a whole word, then "=" */
		while (q < eol && isspace((unsigned char)*q))
			q++;
		while (q < eol && (isalnum((unsigned char)*q) || *q == '_'))
			q++;
		while (q < eol && isspace((unsigned char)*q))
			q++;
		if ((size_t)(eol - q) < nlen || strncmp(q, name, nlen) != 0 ||
		    (isalnum((unsigned char)q[nlen]) || q[nlen] == '_'))
			continue;
		const char *eq = q + nlen;
		while (eq < eol && isspace((unsigned char)*eq))
			eq++;
		if (eq >= eol || *eq != '=')
			continue;
		const char *semi = memchr(eq, ';', (size_t)(eol - eq));
		if (!semi)
			continue;
		char *out = NULL;
		if (asprintf(&out, "%.*s= %lld%s", (int)(eq - source), source, value, semi) < 0) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		return out;
	}
	snprintf(err, errlen, "no 'const volatile ... %s = ...;' declaration in the source", name);
	return NULL;
}
