/* checkpoint_test.c: Vessels acceptance 1 at the library level. Each guest
 * (a wasm32-wasi program, run through WASI) is first run uninterrupted to
 * record its output, the files it writes and the number of safe points it
 * passes. Then, at 20 points drawn from a seeded PRNG, a fresh vessel runs
 * to that point on fuel, is checkpointed to image bytes and freed, and a new
 * vessel restored from the bytes finishes the run; a run stops, saves
 * and restores at 10 points in a row; and a run is stopped three times by
 * wasm_exec_request_stop from another thread (where the stop lands depends
 * on timing, what must hold does not). Every run must end with the same exit
 * status, the same stdout and the same files as the uninterrupted one.
 *
 * Usage: vessel_checkpoint_test NAME=GUEST.wasm...   (VSL_SEED=n to replay)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "image.h"
#include "testkit.h"

#define TRIALS	    20
#define CHAIN_STOPS 10

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *b = malloc(cap);
	size_t got;
	while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			uint8_t *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(f);
	*len = n;
	return b;
}

/* The outcome of one run: status, stdout and the sandbox's files. */
typedef struct outcome {
	int status; /* exit code, or -1 - wasm_result for other ends */
	uint8_t *out;
	size_t outlen;
	char files[2048]; /* "name:len:fnv;" for each file, sorted by readdir */
} outcome;

static void outcome_free(outcome *o)
{
	free(o->out);
	memset(o, 0, sizeof(*o));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void describe_dir(const char *dir, char *out, size_t cap)
{
	out[0] = '\0';
	DIR *d = opendir(dir);
	if (!d)
		return;
	char *names[64] = {0};
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	size_t used = 0;
	for (int i = 0; i < n; i++) {
		char path[4608];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		size_t len = 0;
		uint8_t *b = read_file(path, &len);
		uint32_t h = 2166136261u;
		for (size_t k = 0; b && k < len; k++)
			h = (h ^ b[k]) * 16777619u;
		free(b);
		int w = snprintf(out + used, cap - used, "%s:%zu:%08x;", names[i], len, h);
		if (w > 0 && (size_t)w < cap - used)
			used += (size_t)w;
		free(names[i]);
	}
}

/* Empties dir (and its subdirectories), creating it if needed. */
static void clean_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
				char path[4608];
				snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
				struct stat st;
				if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
				    strlen(path) < 4096) {
					clean_dir(path);
					rmdir(path);
				} else {
					unlink(path);
				}
			}
		closedir(d);
	}
	mkdir(dir, 0755);
}

typedef struct guest {
	const char *name;
	uint8_t *bytes;
	size_t len;
} guest;

static char workdir[1024], sandbox[2048], outpath[2048];

static const char *const guest_env[] = {"VSL_GUEST=restored-env-ok"};

static vsl_vessel *start(const guest *g, int outfd, char *err, size_t errlen)
{
	static const char *argv0[2];
	argv0[0] = g->name;
	argv0[1] = "arg-one";
	wasi_preopen pre = {.host_path = sandbox, .guest_path = "/sandbox"};
	wasi_config wc;
	wasi_config_init(&wc);
	wc.argc = 2;
	wc.argv = argv0;
	wc.envc = 1;
	wc.envp = guest_env;
	wc.npreopens = 1;
	wc.preopens = &pre;
	wc.stdio[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	wc.stdio[1] = outfd;
	vsl_vessel *v = vsl_vessel_new(g->bytes, g->len, &wc, NULL, "_start", err, errlen);
	close(wc.stdio[0]);
	return v;
}

static int status_of(vsl_vessel *v, wasm_result r)
{
	if (r == WASM_OK)
		return 0;
	if (r == WASM_EXIT)
		return vsl_vessel_exit_code(v);
	return -1 - (int)r;
}

static int open_out(void)
{
	return open(outpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

static void finish_outcome(outcome *o, int status)
{
	o->status = status;
	o->out = read_file(outpath, &o->outlen);
	describe_dir(sandbox, o->files, sizeof(o->files));
}

/* Checkpoints v to bytes, frees it, restores a new vessel from the bytes.
 * Also checks that decoding and re-encoding gives the same bytes. */
static const uint64_t big = UINT64_C(1) << 62;

static vsl_vessel *migrate(const guest *g, vsl_vessel *v, int outfd, size_t *imglen)
{
	char err[512];
	uint8_t *img = NULL;
	size_t len = 0;
	int rc = vsl_vessel_checkpoint(v, 0, &img, &len, err, sizeof(err));
	vsl_vessel_free(v);
	TK_CHECK(rc == 0, "%s: checkpoint failed: %s", g->name, err);
	if (rc)
		return NULL;
	vsl_image im;
	if (vsl_image_read(img, len, &im, err, sizeof(err)) == 0) {
		TK_CHECK(im.nframes > 0 && im.has_wasi, "%s: image without frames or WASI",
			 g->name);
		uint8_t *again = NULL;
		size_t alen = 0;
		TK_CHECK(vsl_image_write(&im, &again, &alen, err, sizeof(err)) == 0 &&
				 alen == len && memcmp(again, img, len) == 0,
			 "%s: image does not re-encode to the same bytes", g->name);
		free(again);
	} else {
		TK_CHECK(0, "%s: own image refused: %s", g->name, err);
	}
	vsl_image_clear(&im);
	vsl_dir_map map = {.guest_path = "/sandbox", .host_path = sandbox};
	vsl_restore_opts o = {.stdio = {STDIN_FILENO, outfd, STDERR_FILENO},
			      .ndirs = 1,
			      .dirs = &map,
			      .require_dir_map = true,
			      .module = g->bytes,
			      .module_len = g->len};
	static bool refused_once;
	if (!refused_once) {
		/* an image must not choose host directories when told not to */
		vsl_restore_opts strict = o;
		strict.ndirs = 0;
		vsl_vessel *bad = vsl_vessel_restore(img, len, &strict, err, sizeof(err));
		TK_CHECK(!bad && strstr(err, "no host directory"),
			 "%s: restored without a directory map: %s", g->name, err);
		vsl_vessel_free(bad);
		refused_once = true;
	}
	vsl_vessel *nv = vsl_vessel_restore(img, len, &o, err, sizeof(err));
	free(img);
	TK_CHECK(nv != NULL, "%s: restore failed: %s", g->name, err);
	*imglen = len;
	return nv;
}

static void same(const guest *g, const char *what, const outcome *ref, const outcome *got)
{
	TK_CHECK(got->status == ref->status, "%s %s: status %d, uninterrupted %d", g->name, what,
		 got->status, ref->status);
	TK_CHECK(got->outlen == ref->outlen && memcmp(got->out, ref->out, ref->outlen) == 0,
		 "%s %s: stdout differs (%zu bytes, uninterrupted %zu)", g->name, what, got->outlen,
		 ref->outlen);
	TK_CHECK(strcmp(got->files, ref->files) == 0, "%s %s: files differ: %s vs %s", g->name,
		 what, got->files, ref->files);
}

/* Stops a running exec from another thread after a short random delay. */
typedef struct stopper {
	wasm_exec *ex;
	long delay_us;
	atomic_bool running;
} stopper;

static void *stop_thread(void *arg)
{
	stopper *s = arg;
	while (!atomic_load(&s->running))
		sched_yield();
	struct timespec ts = {.tv_sec = 0, .tv_nsec = s->delay_us * 1000};
	nanosleep(&ts, NULL);
	wasm_exec_request_stop(s->ex);
	return NULL;
}

/* Runs v without fuel while another thread asks it to stop. */
static wasm_result run_until_stopped(vsl_vessel *v, long delay_us)
{
	stopper s = {.ex = vsl_vessel_exec(v), .delay_us = delay_us};
	atomic_init(&s.running, false);
	pthread_t t;
	if (pthread_create(&t, NULL, stop_thread, &s) != 0)
		return WASM_ERROR;
	atomic_store(&s.running, true);
	wasm_result r = vsl_vessel_run(v, 0);
	pthread_join(t, NULL);
	return r;
}

static void test_guest(const guest *g)
{
	char err[512];
	/* the uninterrupted run, counting safe points */
	clean_dir(sandbox);
	int fd = open_out();
	vsl_vessel *v = start(g, fd, err, sizeof(err));
	TK_REQUIRE(v != NULL, "%s: %s", g->name, err);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wasm_result r = vsl_vessel_run(v, big);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* only to spread the stop requests below over the run, never checked */
	long run_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
	uint64_t total = big - wasm_exec_fuel(vsl_vessel_exec(v));
	outcome ref = {0};
	finish_outcome(&ref, status_of(v, r));
	vsl_vessel_free(v);
	close(fd);
	TK_REQUIRE(r == WASM_OK || r == WASM_EXIT, "%s: uninterrupted run ended with %s", g->name,
		   wasm_result_name(r));
	TK_REQUIRE(total > 100, "%s passes only %" PRIu64 " safe points", g->name, total);
	TK_CHECK(ref.outlen > 0, "%s printed nothing", g->name);
	printf("%s: %" PRIu64 " safe points, %zu bytes of output, files %s\n", g->name, total,
	       ref.outlen, ref.files[0] ? ref.files : "(none)");

	size_t max_img = 0;
	for (int t = 0; t < TRIALS; t++) {
		uint64_t at = 1 + rng() % (total - 1);
		clean_dir(sandbox);
		fd = open_out();
		v = start(g, fd, err, sizeof(err));
		TK_REQUIRE(v != NULL, "%s: %s", g->name, err);
		r = vsl_vessel_run(v, at);
		TK_CHECK(r == WASM_OUT_OF_FUEL, "%s: run to %" PRIu64 " ended with %s", g->name, at,
			 wasm_result_name(r));
		size_t ilen = 0;
		v = r == WASM_OUT_OF_FUEL ? migrate(g, v, fd, &ilen) : v;
		if (ilen > max_img)
			max_img = ilen;
		outcome got = {0};
		if (v) {
			/* the restored vessel runs only the rest, no restart. A
			 * stop and its resume count the safe point they meet at
			 * once less than a run that passes it (in-process
			 * wasm_exec_resume does the same) */
			r = vsl_vessel_run(v, big);
			uint64_t rest = big - wasm_exec_fuel(vsl_vessel_exec(v));
			TK_CHECK(at + rest + 1 == total,
				 "%s: %" PRIu64 " safe points before the checkpoint and %" PRIu64
				 " after, %" PRIu64 " uninterrupted",
				 g->name, at, rest, total);
			finish_outcome(&got, status_of(v, r));
			char what[64];
			snprintf(what, sizeof(what), "restored at %" PRIu64, at);
			same(g, what, &ref, &got);
			vsl_vessel_free(v);
		}
		outcome_free(&got);
		close(fd);
	}

	/* one run stopped and restored again and again */
	clean_dir(sandbox);
	fd = open_out();
	v = start(g, fd, err, sizeof(err));
	TK_REQUIRE(v != NULL, "%s: %s", g->name, err);
	int stops = 0;
	uint64_t step = total / (CHAIN_STOPS + 1), used = 0;
	for (;;) {
		uint64_t n = stops < CHAIN_STOPS ? 1 + rng() % (2 * step) : big;
		r = vsl_vessel_run(v, n);
		used += n - wasm_exec_fuel(vsl_vessel_exec(v));
		if (r != WASM_OUT_OF_FUEL)
			break;
		size_t ilen;
		v = migrate(g, v, fd, &ilen);
		if (!v)
			break;
		stops++;
	}
	if (v) {
		outcome got = {0};
		finish_outcome(&got, status_of(v, r));
		same(g, "after a chain of restores", &ref, &got);
		TK_CHECK(used + (uint64_t)stops == total,
			 "%s: the chain passed %" PRIu64 " safe points in %d stops, not %" PRIu64,
			 g->name, used, stops, total);
		outcome_free(&got);
		vsl_vessel_free(v);
	}
	close(fd);
	printf("%s: %d single restores and a chain of %d, largest image %zu bytes\n", g->name,
	       TRIALS, stops, max_img);

	/* stop requests from another thread */
	clean_dir(sandbox);
	fd = open_out();
	v = start(g, fd, err, sizeof(err));
	TK_REQUIRE(v != NULL, "%s: %s", g->name, err);
	int requested = 0;
	for (;;) {
		r = run_until_stopped(v, (long)(rng() % (uint64_t)(run_us / 4 + 1)));
		if (r != WASM_STOPPED || requested == 3)
			break;
		size_t ilen;
		v = migrate(g, v, fd, &ilen);
		if (!v)
			break;
		requested++;
	}
	if (v && r == WASM_STOPPED) /* the last request landed: finish */
		r = vsl_vessel_run(v, 0);
	if (v) {
		outcome got = {0};
		finish_outcome(&got, status_of(v, r));
		same(g, "after stop requests", &ref, &got);
		outcome_free(&got);
		vsl_vessel_free(v);
	}
	close(fd);
	printf("%s: stopped by request and restored %d times\n", g->name, requested);
	outcome_free(&ref);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s NAME=GUEST.wasm...\n", argv[0]);
		return 2;
	}
	const char *s = getenv("VSL_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : UINT64_C(20261127);
	rng_state = seed;
	printf("seed %" PRIu64 " (replay with VSL_SEED=%" PRIu64 ")\n", seed, seed);
	const char *tmp = getenv("TMPDIR");
	if (tmp && strlen(tmp) > 900)
		tmp = NULL;
	snprintf(workdir, sizeof(workdir), "%s/vsl-ckpt-XXXXXX", tmp ? tmp : "/tmp");
	TK_REQUIRE(mkdtemp(workdir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(sandbox, sizeof(sandbox), "%s/sandbox", workdir);
	snprintf(outpath, sizeof(outpath), "%s/stdout", workdir);
	for (int i = 1; i < argc; i++) {
		guest g;
		char *eq = strchr(argv[i], '=');
		TK_REQUIRE(eq != NULL, "argument %s is not NAME=FILE", argv[i]);
		*eq = '\0';
		g.name = argv[i];
		g.bytes = read_file(eq + 1, &g.len);
		TK_REQUIRE(g.bytes != NULL && g.len > 0, "cannot read %s", eq + 1);
		test_guest(&g);
		free(g.bytes);
	}
	clean_dir(sandbox);
	rmdir(sandbox);
	unlink(outpath);
	rmdir(workdir);
	return tk_finish();
}
