/* wae_classify_test: the Workload Analysis Engine on this host tells a
 * CPU-bound parallel job, an I/O-bound job (O_DIRECT reads: D state) and a
 * wakeup-heavy latency-sensitive job (pipe ping-pong) apart, and its numbers
 * agree with independent sources: the kernel's own context-switch counters
 * and CPU time for the profiled children (getrusage RUSAGE_CHILDREN, since the profiler
 * reaps the command it ran in this process), the number of rounds the
 * ping-pong made, and the lengths the long-tail job was built with.
 *
 * usage: wae_classify_test WORKLOAD_BINARY TMPDIR
 */
#include "testkit.h"
#include "testkit_bpf.h"
#include "wae_engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

static double num(const json_t *p, const char *a, const char *b)
{
	const json_t *v = json_object_get(p, a);
	if (b)
		v = json_object_get(v, b);
	return json_is_number(v) ? json_number_value(v) : -1;
}

static bool has_feature(const json_t *p, const char *f)
{
	size_t i;
	const json_t *e;
	json_array_foreach(json_object_get(p, "features"), i, e)
	{
		if (json_is_string(e) && !strcmp(json_string_value(e), f))
			return true;
	}
	return false;
}

struct ru {
	long nv, niv;
	double cpu_s;
};

static struct ru children_ru(void)
{
	struct rusage r;
	getrusage(RUSAGE_CHILDREN, &r);
	return (struct ru){r.ru_nvcsw, r.ru_nivcsw,
			   (double)r.ru_utime.tv_sec + (double)r.ru_utime.tv_usec / 1e6 +
				   (double)r.ru_stime.tv_sec + (double)r.ru_stime.tv_usec / 1e6};
}

static json_t *profile(char **argv, const char *label, struct ru *delta)
{
	struct ru before = children_ru();
	json_t *p = NULL;
	char err[512];
	struct scx_wae_opts o = {.argv = argv, .label = label, .max_duration_s = 60};
	int rc = scx_wae_profile(&o, &p, err, sizeof(err));
	TK_REQUIRE(rc == 0 && p, "profiling %s: %s", label, err);
	struct ru after = children_ru();
	delta->nv = after.nv - before.nv;
	delta->niv = after.niv - before.niv;
	delta->cpu_s = after.cpu_s - before.cpu_s;
	char *s = json_dumps(p, JSON_INDENT(1));
	printf("--- %s ---\n%s\n", label, s);
	free(s);
	return p;
}

/* Our counts against the kernel's: the command's first switch-out (blocked
 * on the release pipe, before tracking began) is the one we cannot see. */
static void check_switches(const json_t *p, struct ru k, const char *label)
{
	double v = num(p, "switches", "voluntary");
	double iv = num(p, "switches", "involuntary");
	TK_CHECK(v >= k.nv * 0.9 - 5 && v <= k.nv * 1.1 + 5,
		 "%s: %.0f voluntary switches counted, the kernel says %ld", label, v, k.nv);
	TK_CHECK(iv >= k.niv * 0.9 - 5 && iv <= k.niv * 1.1 + 5,
		 "%s: %.0f involuntary switches counted, the kernel says %ld", label, iv, k.niv);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s WORKLOAD TMPDIR\n", argv[0]);
		return 2;
	}
	tk_require_bpf();
	mkdir(argv[2], 0700);
	char *wl = argv[1];
	struct ru k;

	/* CPU-bound, parallel: two spinners for 1.5 s each. */
	char *cpu[] = {wl, "cpu", "2", "1.5", NULL};
	json_t *p = profile(cpu, "cpu", &k);
	TK_CHECK(!strcmp(json_string_value(json_object_get(p, "class")), "cpu_bound"),
		 "cpu job classed %s", json_string_value(json_object_get(p, "class")));
	TK_CHECK(has_feature(p, "parallel"), "two spinners should be parallel");
	TK_CHECK(num(p, "tasks", "count") >= 3, "cpu: %.0f tasks, want the parent and 2 children",
		 num(p, "tasks", "count"));
	TK_CHECK(num(p, "tasks", "exited") >= 3, "cpu: %.0f tasks exited",
		 num(p, "tasks", "exited"));
	/* CPU time against the kernel's account of the children (rusage),
	 * whatever else the machine is doing. */
	TK_CHECK(fabs(num(p, "cpu", "time_s") - k.cpu_s) <= 0.1 * k.cpu_s + 0.05,
		 "cpu: %.3f s of CPU time counted, the kernel says %.3f s", num(p, "cpu", "time_s"),
		 k.cpu_s);
	TK_CHECK(num(p, "time_share", "blocked") < 0.05, "cpu: blocked share %.3f",
		 num(p, "time_share", "blocked"));
	check_switches(p, k, "cpu");
	json_decref(p);

	/* I/O-bound: O_DIRECT reads of 256 KiB and fdatasync for 1.5 s. */
	char *io[] = {wl, "io", "1.5", argv[2], NULL};
	p = profile(io, "io", &k);
	TK_CHECK(!strcmp(json_string_value(json_object_get(p, "class")), "io_bound"),
		 "io job classed %s", json_string_value(json_object_get(p, "class")));
	TK_CHECK(num(p, "time_share", "blocked") > num(p, "time_share", "running"),
		 "io: blocked %.3f should exceed running %.3f", num(p, "time_share", "blocked"),
		 num(p, "time_share", "running"));
	TK_CHECK(num(p, "cpu", "blocked") >= 0.3, "io: %.3f tasks blocked on average",
		 num(p, "cpu", "blocked"));
	check_switches(p, k, "io");
	json_decref(p);

	/* Wakeup-heavy: 20000 round trips over two pipes. */
	const long rounds = 20000;
	char *pp[] = {wl, "pingpong", "20000", NULL};
	p = profile(pp, "pingpong", &k);
	TK_CHECK(!strcmp(json_string_value(json_object_get(p, "class")), "latency_sensitive"),
		 "pingpong job classed %s", json_string_value(json_object_get(p, "class")));
	TK_CHECK(num(p, "wakeups", "count") >= rounds, "pingpong: %.0f wakeups for %ld rounds",
		 num(p, "wakeups", "count"), rounds);
	TK_CHECK(num(p, "wakeups", "mean_burst_us") <= 200, "pingpong: runs of %.1f us",
		 num(p, "wakeups", "mean_burst_us"));
	/* The two busiest edges are the two processes waking each other. */
	const json_t *edges = json_object_get(json_object_get(p, "wakeup_graph"), "edges");
	TK_REQUIRE(json_array_size(edges) >= 2, "pingpong: %zu wakeup edges",
		   json_array_size(edges));
	const json_t *e0 = json_array_get(edges, 0), *e1 = json_array_get(edges, 1);
	json_int_t w0 = json_integer_value(json_object_get(e0, "waker_tid"));
	json_int_t k0 = json_integer_value(json_object_get(e0, "wakee_tid"));
	json_int_t w1 = json_integer_value(json_object_get(e1, "waker_tid"));
	json_int_t k1 = json_integer_value(json_object_get(e1, "wakee_tid"));
	TK_CHECK(w0 && k0 && w0 == k1 && k0 == w1, "pingpong: top edges %lld->%lld, %lld->%lld",
		 (long long)w0, (long long)k0, (long long)w1, (long long)k1);
	TK_CHECK(json_integer_value(json_object_get(e1, "count")) >= rounds / 2,
		 "pingpong: second edge only %lld wakeups",
		 (long long)json_integer_value(json_object_get(e1, "count")));
	check_switches(p, k, "pingpong");
	json_decref(p);

	/* Long tail: 10 tasks of 20 ms and one of 600 ms. */
	char *lt[] = {wl, "longtail", "10", "20", "600", NULL};
	p = profile(lt, "longtail", &k);
	TK_CHECK(has_feature(p, "long_tail"), "longtail: no long_tail feature");
	const json_t *life = json_object_get(json_object_get(p, "tasks"), "lifetime_ms");
	TK_CHECK(num(life, "max", NULL) >= 600, "longtail: longest task lived %.1f ms",
		 num(life, "max", NULL));
	TK_CHECK(num(life, "p50", NULL) >= 20 && num(life, "p50", NULL) < 600,
		 "longtail: median lifetime %.1f ms", num(life, "p50", NULL));
	TK_CHECK(num(p, "tasks", "exited") >= 12, "longtail: %.0f exited",
		 num(p, "tasks", "exited"));
	json_decref(p);

	/* A pid that does not exist is an error, not a crash. */
	struct scx_wae_opts bad = {.pid = 0x3fffffff, .duration_s = 0.1};
	json_t *none = NULL;
	char err[256];
	TK_CHECK(scx_wae_profile(&bad, &none, err, sizeof(err)) < 0 && !none,
		 "profiling a missing pid succeeded");
	return tk_finish();
}
