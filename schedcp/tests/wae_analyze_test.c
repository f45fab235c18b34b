/* wae_analyze_test: the Workload Analysis Engine's analysis, comparison and
 * store on synthetic per-task records, without BPF or root.
 *
 * Each case is built so that its expected numbers follow by hand from the
 * definitions in docs/schedcp-mcp.md: shares are task time over all task
 * time, demand is (running + runnable) / wall, percentiles are nearest-rank
 * over log2 buckets reported by the bucket's upper bound (2^(s+1) - 1 us),
 * the class thresholds are the documented ones.
 *
 * usage: wae_analyze_test TMPDIR
 */
#include "testkit.h"
#include "wae_engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MS 1000000ull
#define S  1000000000ull

static double num(const json_t *p, const char *a, const char *b)
{
	const json_t *v = json_object_get(p, a);
	if (b)
		v = json_object_get(v, b);
	return json_is_number(v) ? json_number_value(v) : -1;
}

static const char *cls(const json_t *p)
{
	const char *s = json_string_value(json_object_get(p, "class"));
	return s ? s : "";
}

static bool has_feature(const json_t *p, const char *f)
{
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(p, "features"), i, e)
	{
		if (!strcmp(json_string_value(e), f))
			return true;
	}
	return false;
}

static struct wae_task task(uint32_t tid, uint64_t run, uint64_t runq, uint64_t slp, uint64_t blk,
			    uint64_t sw)
{
	struct wae_task t = {0};
	t.tid = tid;
	t.tgid = tid;
	snprintf(t.comm, sizeof(t.comm), "t%u", tid);
	t.run_ns = run;
	t.runq_ns = runq;
	t.sleep_ns = slp;
	t.block_ns = blk;
	t.switches_in = sw;
	return t;
}

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-3 * fmax(1, fabs(b));
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s TMPDIR\n", argv[0]);
		return 2;
	}
	/* A: two CPU hogs, 1.9 s running and 0.1 s runnable each, over 2 s. */
	struct wae_task a[2] = {task(10, 19 * S / 10, S / 10, 0, 0, 200),
				task(11, 19 * S / 10, S / 10, 0, 0, 200)};
	a[0].nivcsw = a[1].nivcsw = 199;
	a[0].nvcsw = a[1].nvcsw = 1;
	struct scx_wae_raw ra = {.tasks = a,
				 .ntasks = 2,
				 .start_ns = S,
				 .end_ns = 3 * S,
				 .ncpus = 2,
				 .exit_status = 0};
	ra.hist[3] = 300;  /* 8..15 us */
	ra.hist[10] = 100; /* 1024..2047 us */
	json_t *pa = scx_wae_analyze(&ra, "hogs", "cmd");
	TK_REQUIRE(pa, "analyze A");
	TK_CHECK(!strcmp(cls(pa), "cpu_bound") && has_feature(pa, "parallel"), "A: %s", cls(pa));
	TK_CHECK(near(num(pa, "cpu", "demand"), 2.0), "A demand %g", num(pa, "cpu", "demand"));
	TK_CHECK(near(num(pa, "cpu", "utilization"), 0.95), "A utilization %g",
		 num(pa, "cpu", "utilization"));
	TK_CHECK(near(num(pa, "time_share", "running"), 0.95), "A running share");
	TK_CHECK(num(pa, "runq_latency_us", "p50") == 15 &&
			 num(pa, "runq_latency_us", "p90") == 2047 &&
			 num(pa, "runq_latency_us", "samples") == 400,
		 "A percentiles p50 %g p90 %g", num(pa, "runq_latency_us", "p50"),
		 num(pa, "runq_latency_us", "p90"));
	/* mean run-queue wait: 0.2 s over 400 runs = 500 us; runs of 9.5 ms */
	TK_CHECK(near(num(pa, "runq_latency_us", "mean"), 500), "A mean wait");
	TK_CHECK(near(num(pa, "wakeups", "mean_burst_us"), 9500), "A burst");
	TK_CHECK(num(pa, "switches", "involuntary") == 398 && num(pa, "switches", "voluntary") == 2,
		 "A switches");

	/* B: one task, 0.1 s running, 1.5 s in D, 0.4 s asleep, over 2 s. */
	struct wae_task b[1] = {task(20, S / 10, 0, 4 * S / 10, 15 * S / 10, 1000)};
	struct scx_wae_raw rb = {
		.tasks = b, .ntasks = 1, .start_ns = 0, .end_ns = 2 * S, .ncpus = 2};
	json_t *pb = scx_wae_analyze(&rb, "io", "cmd");
	TK_CHECK(!strcmp(cls(pb), "io_bound"), "B: %s", cls(pb));
	TK_CHECK(near(num(pb, "cpu", "blocked"), 0.75) &&
			 near(num(pb, "time_share", "blocked"), 0.75),
		 "B blocked %g", num(pb, "cpu", "blocked"));

	/* B2: the same kind of job on a busy machine: 1.4 s of its 2 s spent
	 * runnable, waiting for a CPU after each completion; still I/O-bound. */
	struct wae_task b2[1] = {task(21, S / 10, 14 * S / 10, 0, 7 * S / 10, 1000)};
	struct scx_wae_raw rb2 = {
		.tasks = b2, .ntasks = 1, .start_ns = 0, .end_ns = 2 * S, .ncpus = 2};
	json_t *pb2 = scx_wae_analyze(&rb2, "io-busy", "cmd");
	TK_CHECK(!strcmp(cls(pb2), "io_bound"), "B2: %s", cls(pb2));
	json_decref(pb2);

	/* C: ping-pong, 20000 wakeups and runs each, 0.3 s running each, 2 s. */
	struct wae_task c[2] = {task(30, 3 * S / 10, S / 10, 16 * S / 10, 0, 20000),
				task(31, 3 * S / 10, S / 10, 16 * S / 10, 0, 20000)};
	c[0].wakeups = c[1].wakeups = 20000;
	struct wae_edge_key ek[3] = {{30, 31}, {31, 30}, {0, 30}};
	uint64_t ec[3] = {19000, 20000, 5};
	struct scx_wae_raw rc = {.tasks = c,
				 .ntasks = 2,
				 .edge_keys = ek,
				 .edge_counts = ec,
				 .nedges = 3,
				 .start_ns = 0,
				 .end_ns = 2 * S,
				 .ncpus = 2};
	json_t *pc = scx_wae_analyze(&rc, "pp", "cmd");
	TK_CHECK(!strcmp(cls(pc), "latency_sensitive"), "C: %s", cls(pc));
	TK_CHECK(near(num(pc, "wakeups", "per_s"), 20000) &&
			 near(num(pc, "wakeups", "mean_burst_us"), 15),
		 "C wake rate %g burst %g", num(pc, "wakeups", "per_s"),
		 num(pc, "wakeups", "mean_burst_us"));
	const json_t *edges = json_object_get(json_object_get(pc, "wakeup_graph"), "edges");
	const json_t *e0 = json_array_get(edges, 0), *e2 = json_array_get(edges, 2);
	TK_CHECK(json_array_size(edges) == 3 &&
			 json_integer_value(json_object_get(e0, "count")) == 20000 &&
			 !strcmp(json_string_value(json_object_get(e0, "waker")), "t31") &&
			 !strcmp(json_string_value(json_object_get(e2, "waker")), "(outside)"),
		 "C edges out of order");

	/* D: 10 short tasks (10..19 ms) and a long one (200 ms), all exited. */
	struct wae_task d[11];
	for (int i = 0; i < 11; i++) {
		d[i] = task(40 + (uint32_t)i, 5 * MS, 0, 0, 0, 1);
		d[i].start_ns = S;
		d[i].exit_ns = S + (i < 10 ? (10 + (uint64_t)i) * MS : 200 * MS);
		d[i].flags = WAE_F_EXITED;
	}
	struct scx_wae_raw rd = {
		.tasks = d, .ntasks = 11, .start_ns = S, .end_ns = S + 200 * MS, .ncpus = 2};
	json_t *pd = scx_wae_analyze(&rd, "lt", "cmd");
	const json_t *life = json_object_get(json_object_get(pd, "tasks"), "lifetime_ms");
	/* nearest rank: the 6th of 11 sorted lifetimes is 15 ms */
	TK_CHECK(near(num(life, "p50", NULL), 15) && near(num(life, "max", NULL), 200) &&
			 near(num(life, "min", NULL), 10),
		 "D lifetimes p50 %g max %g", num(life, "p50", NULL), num(life, "max", NULL));
	TK_CHECK(has_feature(pd, "long_tail"), "D: no long_tail");

	/* E: nothing but sleep. */
	struct wae_task e[1] = {task(50, 0, 0, 2 * S, 0, 0)};
	struct scx_wae_raw re = {
		.tasks = e, .ntasks = 1, .start_ns = 0, .end_ns = 2 * S, .ncpus = 2};
	json_t *pe = scx_wae_analyze(&re, "idle", "cmd");
	TK_CHECK(!strcmp(cls(pe), "idle"), "E: %s", cls(pe));
	/* An empty window does not divide by zero. */
	struct scx_wae_raw rz = {0};
	json_t *pz = scx_wae_analyze(&rz, NULL, NULL);
	TK_CHECK(pz && !strcmp(cls(pz), "idle"), "empty: %s", pz ? cls(pz) : "NULL");
	json_decref(pz);

	/* The summary names the class and the numbers. */
	const char *sum = json_string_value(json_object_get(pa, "summary"));
	TK_CHECK(sum && strstr(sum, "cpu_bound") && strstr(sum, "2.00 tasks running"),
		 "summary: %s", sum ? sum : "(none)");

	/* Store and compare. */
	char path[512];
	mkdir(argv[1], 0700);
	snprintf(path, sizeof(path), "%s/profiles.db", argv[1]);
	unlink(path);
	struct scx_wae_store *st = NULL;
	char err[256], ida[32], idb[32];
	TK_REQUIRE(scx_wae_store_open(path, &st, err, sizeof(err)) == 0, "%s", err);
	TK_CHECK(scx_wae_store_put(st, pa, ida, sizeof(ida), err, sizeof(err)) == 0 &&
			 !strcmp(ida, "wp-1"),
		 "put A: %s %s", ida, err);
	TK_CHECK(scx_wae_store_put(st, pb, idb, sizeof(idb), err, sizeof(err)) == 0 &&
			 !strcmp(idb, "wp-2"),
		 "put B: %s %s", idb, err);
	json_t *ga = scx_wae_store_get(st, "wp-1", err, sizeof(err));
	TK_CHECK(ga && json_equal(ga, pa), "stored A differs");
	TK_CHECK(!scx_wae_store_get(st, "wp-9", err, sizeof(err)) && strstr(err, "no such"),
		 "a missing id: %s", err);
	json_t *list = scx_wae_store_list(st, 10, err, sizeof(err));
	TK_CHECK(json_array_size(list) == 2 &&
			 !strcmp(json_string_value(json_object_get(json_array_get(list, 0), "id")),
				 "wp-2"),
		 "list not newest first");
	json_decref(list);
	json_t *cmp = scx_wae_compare(ga, pb);
	TK_REQUIRE(cmp, "compare");
	bool found = false;
	size_t i;
	const json_t *df;
	json_array_foreach(json_object_get(cmp, "differences"), i, df)
	{
		if (!strcmp(json_string_value(json_object_get(df, "metric")), "cpu.demand")) {
			found = near(json_number_value(json_object_get(df, "a")), 2.0) &&
				near(json_number_value(json_object_get(df, "ratio")), 0.025);
		}
		TK_CHECK(strcmp(json_string_value(json_object_get(df, "metric")), "wall_s"),
			 "equal walls listed as a difference");
	}
	TK_CHECK(found, "cpu.demand 2.0 -> 0.05 (ratio 0.025) not in the differences");
	TK_CHECK(!strcmp(json_string_value(json_object_get(cmp, "class_a")), "cpu_bound") &&
			 !strcmp(json_string_value(json_object_get(cmp, "class_b")), "io_bound"),
		 "compare classes");
	json_decref(cmp);
	json_decref(ga);
	scx_wae_store_close(st);
	json_decref(pa);
	json_decref(pb);
	json_decref(pc);
	json_decref(pd);
	json_decref(pe);
	return tk_finish();
}
