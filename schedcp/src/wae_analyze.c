/* wae_analyze: from the Workload Analysis Engine's raw per-task counts to a
 * profile, its class and summary, and the comparison of two profiles (see
 * wae_engine.h). Pure functions over memory: no BPF, no files.
 *
 * The class is decided on quantities per second of wall time, so that a
 * shell waiting on its children does not dilute the picture:
 *   demand   = (running + runnable task time) / wall: runnable tasks on average
 *   blocked  = D-state task time / wall: tasks waiting on I/O on average
 *   wake/s   = wakeups / wall, and the mean run burst = running time / runs
 * io_bound when blocked >= 0.3 and the tasks spent at least as long blocked
 * as running (not as running or runnable: on a busy machine an I/O job's
 * wait for a CPU after each completion inflates its demand); latency_sensitive
 * when wakeups are frequent (>= 1000/s) and bursts short (<= 200 us);
 * cpu_bound when demand >= 0.8; idle when demand and blocked are both tiny.
 */
#include "wae_engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP_EDGES 10

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The value below which q of the sorted values lie (nearest rank). */
static uint64_t quantile(const uint64_t *v, size_t n, double q)
{
	if (!n)
		return 0;
	size_t k = (size_t)ceil(q * (double)n);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

/* Upper bound, in microseconds, of histogram slot s (slot 0: up to 1 us). */
static uint64_t slot_le_us(unsigned s)
{
	return s >= 63 ? UINT64_MAX : (1ull << (s + 1)) - 1;
}

static double hist_quantile(const uint64_t *hist, uint64_t total, double q)
{
	if (!total)
		return 0;
	uint64_t want = (uint64_t)ceil(q * (double)total), seen = 0;
	if (!want)
		want = 1;
	for (unsigned s = 0; s < WAE_HIST_SLOTS; s++) {
		seen += hist[s];
		if (seen >= want)
			return (double)slot_le_us(s);
	}
	return (double)slot_le_us(WAE_HIST_SLOTS - 1);
}

static double r3(double v)
{
	if (!isfinite(v))
		return 0;
	return round(v * 1000.0) / 1000.0;
}

static const char *comm_of(const struct scx_wae_raw *raw, uint32_t tid, char *buf, size_t len)
{
	if (!tid) {
		snprintf(buf, len, "(outside)");
		return buf;
	}
	for (size_t i = 0; i < raw->ntasks; i++)
		if (raw->tasks[i].tid == tid) {
			snprintf(buf, len, "%.*s", WAE_COMM_LEN, raw->tasks[i].comm);
			return buf;
		}
	snprintf(buf, len, "?");
	return buf;
}

struct edge_ix {
	size_t i;
	uint64_t n;
};

static int cmp_edge(const void *a, const void *b)
{
	const struct edge_ix *x = a, *y = b;
	return x->n > y->n ? -1 : x->n < y->n;
}

json_t *scx_wae_analyze(const struct scx_wae_raw *raw, const char *label, const char *target)
{
	if (!raw)
		return NULL;
	double wall_s =
		raw->end_ns > raw->start_ns ? (double)(raw->end_ns - raw->start_ns) / 1e9 : 0;
	double wall_div = wall_s > 1e-6 ? wall_s : 1e-6;
	unsigned ncpus = raw->ncpus ? raw->ncpus : 1;

	uint64_t run = 0, runq = 0, slp = 0, blk = 0, nv = 0, niv = 0, wk = 0, sw = 0;
	uint64_t max_runq = 0;
	size_t nexited = 0, nproc = 0;
	uint64_t *life = calloc(raw->ntasks ? raw->ntasks : 1, sizeof(*life));
	if (!life)
		return NULL;
	for (size_t i = 0; i < raw->ntasks; i++) {
		const struct wae_task *t = &raw->tasks[i];
		run += t->run_ns;
		runq += t->runq_ns;
		slp += t->sleep_ns;
		blk += t->block_ns;
		nv += t->nvcsw;
		niv += t->nivcsw;
		wk += t->wakeups;
		sw += t->switches_in;
		if (t->max_runq_ns > max_runq)
			max_runq = t->max_runq_ns;
		if (t->tid == t->tgid)
			nproc++;
		if ((t->flags & WAE_F_EXITED) && t->exit_ns >= t->start_ns)
			life[nexited++] = t->exit_ns - t->start_ns;
	}
	qsort(life, nexited, sizeof(*life), cmp_u64);
	/* From here on in floating point. */
	const double f_run = (double)run, f_runq = (double)runq, f_slp = (double)slp;
	const double f_blk = (double)blk, f_wk = (double)wk, f_sw = (double)sw;
	const double f_nv = (double)nv, f_niv = (double)niv, f_maxrq = (double)max_runq;
	double total = f_run + f_runq + f_slp + f_blk;
	double tdiv = total > 0 ? total : 1;

	uint64_t hsum = 0;
	for (unsigned s = 0; s < WAE_HIST_SLOTS; s++)
		hsum += raw->hist[s];

	double demand = (f_run + f_runq) / 1e9 / wall_div;
	double blocked = f_blk / 1e9 / wall_div;
	double wake_rate = f_wk / wall_div;
	double burst_us = sw ? f_run / 1e3 / f_sw : 0;
	double p50_life = nexited ? (double)quantile(life, nexited, 0.5) / 1e6 : 0;
	double max_life = nexited ? (double)life[nexited - 1] / 1e6 : 0;
	double tail_ratio = p50_life > 0 ? max_life / p50_life : 0;

	json_t *features = json_array();
	json_t *reasons = json_array();
	const char *cls;
	char why[256];
	if (demand < 0.02 && blocked < 0.02) {
		cls = "idle";
		snprintf(why, sizeof(why), "demand %.3f and blocked %.3f tasks on average", demand,
			 blocked);
	} else if (blocked >= 0.3 && f_blk >= f_run) {
		cls = "io_bound";
		snprintf(why, sizeof(why),
			 "%.2f tasks blocked in D state on average, more time blocked than "
			 "running (%.2f tasks on a CPU on average)",
			 blocked, f_run / 1e9 / wall_div);
		json_array_append_new(features, json_string("io"));
	} else if (wake_rate >= 1000 && burst_us <= 200) {
		cls = "latency_sensitive";
		snprintf(why, sizeof(why), "%.0f wakeups/s with runs of %.1f us on average",
			 wake_rate, burst_us);
		json_array_append_new(features, json_string("interactive"));
		json_array_append_new(features, json_string("latency"));
	} else if (demand >= 0.8) {
		cls = "cpu_bound";
		snprintf(why, sizeof(why),
			 "%.2f tasks running or runnable on average, runs of %.0f us", demand,
			 burst_us);
		json_array_append_new(features, json_string("batch"));
		json_array_append_new(features, json_string("throughput"));
	} else {
		cls = "mixed";
		snprintf(why, sizeof(why), "demand %.2f, blocked %.2f, %.0f wakeups/s", demand,
			 blocked, wake_rate);
	}
	json_array_append_new(reasons, json_string(why));
	if (demand >= 1.5) {
		json_array_append_new(features, json_string("parallel"));
		snprintf(why, sizeof(why), "parallel: %.2f tasks runnable on average", demand);
		json_array_append_new(reasons, json_string(why));
	}
	if (nexited >= 8 && tail_ratio >= 4) {
		json_array_append_new(features, json_string("long_tail"));
		if (strcmp(cls, "cpu_bound") != 0)
			json_array_append_new(features, json_string("batch"));
		snprintf(why, sizeof(why),
			 "long tail: the longest of %zu tasks lived %.1fx the median (%.1f ms)",
			 nexited, tail_ratio, p50_life);
		json_array_append_new(reasons, json_string(why));
	}
	if (hsum && hist_quantile(raw->hist, hsum, 0.99) >= 10000) {
		json_array_append_new(features, json_string("runq_contention"));
		json_array_append_new(reasons,
				      json_string("run-queue waits reach 10 ms at the 99th "
						  "percentile"));
	}

	json_t *hist = json_array();
	for (unsigned s = 0; s < WAE_HIST_SLOTS; s++)
		if (raw->hist[s])
			json_array_append_new(hist, json_pack("{s:I, s:I}", "le_us",
							      (json_int_t)slot_le_us(s), "count",
							      (json_int_t)raw->hist[s]));

	/* The wakeup graph: the busiest edges, by count. */
	json_t *edges = json_array();
	struct edge_ix *ix = calloc(raw->nedges ? raw->nedges : 1, sizeof(*ix));
	if (ix) {
		for (size_t i = 0; i < raw->nedges; i++)
			ix[i] = (struct edge_ix){i, raw->edge_counts[i]};
		qsort(ix, raw->nedges, sizeof(*ix), cmp_edge);
		for (size_t k = 0; k < raw->nedges && k < TOP_EDGES; k++) {
			const struct wae_edge_key *e = &raw->edge_keys[ix[k].i];
			char a[32], b[32];
			json_array_append_new(
				edges,
				json_pack("{s:s, s:I, s:s, s:I, s:I}", "waker",
					  comm_of(raw, e->waker_tid, a, sizeof(a)), "waker_tid",
					  (json_int_t)e->waker_tid, "wakee",
					  comm_of(raw, e->wakee_tid, b, sizeof(b)), "wakee_tid",
					  (json_int_t)e->wakee_tid, "count", (json_int_t)ix[k].n));
		}
		free(ix);
	}

	json_t *p = json_object();
	json_object_set_new(p, "label", json_string(label ? label : ""));
	json_object_set_new(p, "target", json_string(target ? target : ""));
	json_object_set_new(p, "class", json_string(cls));
	json_object_set_new(p, "features", features);
	json_object_set_new(p, "reasons", reasons);
	json_object_set_new(p, "wall_s", json_real(r3(wall_s)));
	json_object_set_new(p, "ncpus", json_integer(ncpus));
	json_object_set_new(p, "exit_status", json_integer(raw->exit_status));
	json_object_set_new(p, "truncated", json_boolean(raw->truncated));
	json_object_set_new(p, "tasks",
			    json_pack("{s:I, s:I, s:I, s:I, s:{s:f, s:f, s:f, s:f}, s:f}", "count",
				      (json_int_t)raw->ntasks, "processes", (json_int_t)nproc,
				      "exited", (json_int_t)nexited, "dropped",
				      (json_int_t)raw->tasks_dropped, "lifetime_ms", "min",
				      r3(nexited ? (double)life[0] / 1e6 : 0), "p50", r3(p50_life),
				      "p90",
				      r3(nexited ? (double)quantile(life, nexited, 0.9) / 1e6 : 0),
				      "max", r3(max_life), "tail_ratio", r3(tail_ratio)));
	json_object_set_new(p, "cpu",
			    json_pack("{s:f, s:f, s:f, s:f}", "time_s", r3(f_run / 1e9),
				      "utilization", r3(f_run / 1e9 / wall_div / ncpus), "demand",
				      r3(demand), "blocked", r3(blocked)));
	json_object_set_new(p, "time_share",
			    json_pack("{s:f, s:f, s:f, s:f}", "running", r3(f_run / tdiv),
				      "runnable", r3(f_runq / tdiv), "sleeping", r3(f_slp / tdiv),
				      "blocked", r3(f_blk / tdiv)));
	json_object_set_new(p, "switches",
			    json_pack("{s:I, s:I, s:f, s:f}", "voluntary", (json_int_t)nv,
				      "involuntary", (json_int_t)niv, "per_s",
				      r3((f_nv + f_niv) / wall_div), "involuntary_share",
				      r3(nv + niv ? f_niv / (f_nv + f_niv) : 0)));
	json_object_set_new(p, "wakeups",
			    json_pack("{s:I, s:f, s:f}", "count", (json_int_t)wk, "per_s",
				      r3(wake_rate), "mean_burst_us", r3(burst_us)));
	json_object_set_new(p, "runq_latency_us",
			    json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:o}", "samples",
				      (json_int_t)hsum, "mean", r3(sw ? f_runq / 1e3 / f_sw : 0),
				      "p50", hist_quantile(raw->hist, hsum, 0.5), "p90",
				      hist_quantile(raw->hist, hsum, 0.9), "p99",
				      hist_quantile(raw->hist, hsum, 0.99), "max",
				      r3(f_maxrq / 1e3), "histogram", hist));
	json_object_set_new(
		p, "wakeup_graph",
		json_pack("{s:o, s:I}", "edges", edges, "dropped", (json_int_t)raw->edges_dropped));
	free(life);
	char *sum = scx_wae_summary(p);
	json_object_set_new(p, "summary", json_string(sum ? sum : ""));
	free(sum);
	return p;
}

static double num(const json_t *p, const char *a, const char *b)
{
	const json_t *v = json_object_get(p, a);
	if (b)
		v = json_object_get(v, b);
	return json_is_number(v) ? json_number_value(v) : 0;
}

static const char *str(const json_t *p, const char *k)
{
	const json_t *v = json_object_get(p, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

char *scx_wae_summary(const json_t *p)
{
	char feat[128] = "";
	const json_t *f = json_object_get(p, "features");
	size_t i;
	const json_t *e;
	json_array_foreach(f, i, e)
	{
		if (!json_is_string(e))
			continue;
		size_t n = strlen(feat);
		snprintf(feat + n, sizeof(feat) - n, "%s%s", n ? ", " : "", json_string_value(e));
	}
	const char *cls = str(p, "class");
	const char *advice = "no particular scheduling need";
	if (!strcmp(cls, "cpu_bound"))
		advice = "favour throughput: long slices, few preemptions";
	else if (!strcmp(cls, "io_bound"))
		advice = "the CPU scheduler matters little; I/O dominates";
	else if (!strcmp(cls, "latency_sensitive"))
		advice = "favour fast wakeups: short slices, run woken tasks first";
	if (strstr(feat, "long_tail"))
		advice = "start the longest tasks first to cut the makespan";
	char *out = NULL;
	if (asprintf(&out,
		     "%s workload (%s): %.0f tasks over %.2f s wall on %.0f CPUs; %.2f tasks "
		     "running or runnable and %.2f blocked in D on average (CPU %.0f%% of the "
		     "machine); time running %.0f%%, runnable %.0f%%, sleeping %.0f%%, blocked "
		     "%.0f%%; %.0f wakeups/s, runs of %.0f us; run-queue wait p50 <= %.0f us, "
		     "p99 <= %.0f us; %.0f voluntary and %.0f involuntary switches; task "
		     "lifetime median %.1f ms, max %.1f ms. Suggests: %s.",
		     cls, feat[0] ? feat : "no features", num(p, "tasks", "count"),
		     num(p, "wall_s", NULL), num(p, "ncpus", NULL), num(p, "cpu", "demand"),
		     num(p, "cpu", "blocked"), 100 * num(p, "cpu", "utilization"),
		     100 * num(p, "time_share", "running"), 100 * num(p, "time_share", "runnable"),
		     100 * num(p, "time_share", "sleeping"), 100 * num(p, "time_share", "blocked"),
		     num(p, "wakeups", "per_s"), num(p, "wakeups", "mean_burst_us"),
		     num(p, "runq_latency_us", "p50"), num(p, "runq_latency_us", "p99"),
		     num(p, "switches", "voluntary"), num(p, "switches", "involuntary"),
		     num(json_object_get(p, "tasks"), "lifetime_ms", "p50"),
		     num(json_object_get(p, "tasks"), "lifetime_ms", "max"), advice) < 0)
		return NULL;
	return out;
}

static const struct {
	const char *a, *b, *name;
} compared[] = {
	{"wall_s", NULL, "wall_s"},
	{"cpu", "utilization", "cpu.utilization"},
	{"cpu", "demand", "cpu.demand"},
	{"cpu", "blocked", "cpu.blocked"},
	{"time_share", "running", "time_share.running"},
	{"time_share", "runnable", "time_share.runnable"},
	{"time_share", "sleeping", "time_share.sleeping"},
	{"time_share", "blocked", "time_share.blocked"},
	{"switches", "per_s", "switches.per_s"},
	{"switches", "involuntary_share", "switches.involuntary_share"},
	{"wakeups", "per_s", "wakeups.per_s"},
	{"wakeups", "mean_burst_us", "wakeups.mean_burst_us"},
	{"runq_latency_us", "mean", "runq_latency_us.mean"},
	{"runq_latency_us", "p50", "runq_latency_us.p50"},
	{"runq_latency_us", "p99", "runq_latency_us.p99"},
	{"runq_latency_us", "max", "runq_latency_us.max"},
	{"tasks", "count", "tasks.count"},
};

json_t *scx_wae_compare(const json_t *a, const json_t *b)
{
	if (!json_is_object(a) || !json_is_object(b))
		return NULL;
	json_t *diffs = json_array();
	char summary[1024];
	int n = snprintf(summary, sizeof(summary), "class %s -> %s", str(a, "class"),
			 str(b, "class"));
	for (size_t i = 0; i < sizeof(compared) / sizeof(compared[0]); i++) {
		double x = num(a, compared[i].a, compared[i].b);
		double y = num(b, compared[i].a, compared[i].b);
		double m = fmax(fabs(x), fabs(y));
		if (m == 0 || fabs(x - y) < 0.1 * m)
			continue;
		json_t *d =
			json_pack("{s:s, s:f, s:f}", "metric", compared[i].name, "a", x, "b", y);
		json_object_set_new(d, "ratio", x != 0 ? json_real(r3(y / x)) : json_null());
		json_array_append_new(diffs, d);
		if (n > 0 && (size_t)n < sizeof(summary))
			n += snprintf(summary + n, sizeof(summary) - (size_t)n, "; %s %g -> %g",
				      compared[i].name, x, y);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "a", str(a, "id"), "b", str(b, "id"),
			 "class_a", str(a, "class"), "class_b", str(b, "class"), "differences",
			 diffs, "summary", summary);
}
