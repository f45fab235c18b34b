/* Benchmark (make bench): makespan in the sched_ext VM under the default
 * scheduler and under the repository's policies, in one boot.
 *   long-tail batch: 20 short jobs (50 ms of CPU each) and one long job
 *     (1000 ms), all started at once on 2 CPUs; default vs ljf, 5 rounds;
 *   parallel build: 24 compile jobs of uneven size (20..80 ms); default vs
 *     each seed policy, the best one reported.
 * Each policy run is paired with a default run just before it in the same
 * boot (scx_guest --with-baseline), and the ratio policy/default is printed
 * (below 1: the policy is faster). Exit 1 when LJF does not beat the default
 * on the long tail.
 */
#include "scx_internal.h"
#include "scx_result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *seeds[] = {"fifo", "vtime", "latency", "ljf", "locality"};

int main(int argc, char **argv)
{
	char err[1024], objs[5][512];
	const char *files[5];
	scx_t *s = NULL;
	char repo[256];

	snprintf(repo, sizeof(repo), "/tmp/scx-bench-%d.db", (int)getpid());
	scx_config cfg = {
		.repo_path = repo, .cache_dir = argc > 1 ? argv[1] : NULL, .boot_timeout_s = 300};
	if (scx_open(&cfg, &s, err, sizeof(err)) || scx_env_prepare(s, err, sizeof(err))) {
		printf("SKIPPED: %s\n", err);
		scx_close(s);
		return 77;
	}
	for (int i = 0; i < 5; i++) {
		char path[512];
		unsigned char *src;
		size_t n;
		snprintf(path, sizeof(path), "%s/bpf/%s.bpf.c", SCX_SHARE_DIR, seeds[i]);
		snprintf(objs[i], sizeof(objs[i]), "%s/runs/bench-%s.bpf.o", SCX_DEFAULT_CACHE,
			 seeds[i]);
		if (scx_read_file(path, &src, &n, 1 << 20, err, sizeof(err)) ||
		    scx_compile(s, (char *)src, n, objs[i], NULL, err, sizeof(err))) {
			fprintf(stderr, "bench: %s: %s\n", seeds[i], err);
			return 1;
		}
		free(src);
		files[i] = objs[i];
	}
	char plan[4096];
	size_t o = 0;
	for (int r = 0; r < 5; r++)
		o += (size_t)snprintf(plan + o, sizeof(plan) - o,
				      "scx_guest run --label lt%d --policy \"$P/bench-ljf.bpf.o\" "
				      "--workload longtail --tasks 20 --work-ms 50 --long-ms 1000 "
				      "--deadline-ms 20000 --with-baseline 1\n",
				      r);
	for (int i = 0; i < 5; i++)
		o += (size_t)snprintf(
			plan + o, sizeof(plan) - o,
			"scx_guest run --label build-%s --policy \"$P/bench-%s.bpf.o\" "
			"--workload build --tasks 24 --work-ms 40 --deadline-ms 20000 "
			"--with-baseline 1\n",
			seeds[i], seeds[i]);
	json_t *res = scx_vm_run(s, plan, files, 5, err, sizeof(err));
	if (!res) {
		fprintf(stderr, "bench: %s\n", err);
		scx_close(s);
		return 1;
	}
	if (json_array_size(json_object_get(res, "steps")) != 10) {
		fprintf(stderr, "bench: the VM run ended after %zu of 10 steps (%s)\n",
			json_array_size(json_object_get(res, "steps")),
			json_string_value(json_object_get(res, "error")) ?: "no error reported");
		json_decref(res);
		scx_close(s);
		return 1;
	}
	double lt_def = 0, lt_ljf = 0;
	for (int r = 0; r < 5; r++) {
		char l[16];
		snprintf(l, sizeof(l), "lt%d", r);
		json_t *st = scx_result_step(res, l);
		double b = json_number_value(
			json_object_get(json_object_get(st, "baseline"), "makespan_ms"));
		double p = json_number_value(
			json_object_get(json_object_get(st, "workload"), "makespan_ms"));
		printf("long-tail round %d: default %.1f ms, ljf %.1f ms\n", r, b, p);
		lt_def += b;
		lt_ljf += p;
	}
	double best = 1e9;
	const char *best_name = "?";
	for (int i = 0; i < 5; i++) {
		char l[32];
		snprintf(l, sizeof(l), "build-%s", seeds[i]);
		json_t *st = scx_result_step(res, l);
		double b = json_number_value(
			json_object_get(json_object_get(st, "baseline"), "makespan_ms"));
		double p = json_number_value(
			json_object_get(json_object_get(st, "workload"), "makespan_ms"));
		double ratio = b > 0 ? p / b : 0;
		printf("parallel build: default %.1f ms, %s %.1f ms (ratio %.3f)\n", b, seeds[i], p,
		       ratio);
		if (ratio > 0 && ratio < best) {
			best = ratio;
			best_name = seeds[i];
		}
	}
	double ratio = lt_def > 0 ? lt_ljf / lt_def : 0;
	printf("long-tail makespan ratio ljf/default: %.3f (%s, kernel %s, VM boot+run %.1f s)\n",
	       ratio, json_string_value(json_object_get(res, "target")),
	       json_string_value(json_object_get(json_object_get(res, "boot"), "kernel")),
	       json_number_value(json_object_get(res, "wall_ms")) / 1000.0);
	printf("parallel build makespan ratio best(%s)/default: %.3f\n", best_name, best);
	json_decref(res);
	for (int i = 0; i < 5; i++)
		unlink(objs[i]);
	scx_close(s);
	unlink(repo);
	char key[300];
	snprintf(key, sizeof(key), "%s.key", repo);
	unlink(key);
	return ratio > 0 && ratio < 1.0 ? 0 : 1;
}
