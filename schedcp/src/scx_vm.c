/* scx_vm: the client side of SchedCP's sched_ext VM harness. It makes sure
 * the cache holds the kernel and the toolchain (schedcp/vm/fetch.sh) and the
 * guest program (schedcp/vm/build-guest.sh), then runs a plan: shell lines
 * calling scx_guest, with the policy objects under $P. In a VM (boot.sh:
 * qemu with TCG, bounded by boot_timeout_s) when this host has no sched_ext,
 * else directly on the host, with the same guest program. What the plan
 * printed is parsed by scx_result.c.
 */
#include "scx_internal.h"
#include "scx_result.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SCX_LOG_MAX (4 << 20)

bool scx_host_has_sched_ext(void)
{
	const char *t = getenv("SCX_TARGET");

	if (t && !strcmp(t, "vm"))
		return false;
	return access("/sys/kernel/sched_ext/state", R_OK) == 0;
}

static bool file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

int scx_env_prepare(scx_t *s, char *err, size_t errlen)
{
	char ready[PATH_MAX], script[PATH_MAX], vmdir[PATH_MAX];
	char *out = NULL;
	int st;

	scx_path(ready, sizeof(ready), "%s/ready", s->cache_dir);
	scx_path(vmdir, sizeof(vmdir), "%s/vm", s->share_dir);
	if (!file_exists(ready)) {
		if (s->no_fetch) {
			scx_err(err, errlen,
				"no sched_ext kernel in %s and fetching is off (run "
				"schedcp/vm/fetch.sh %s)",
				s->cache_dir, s->cache_dir);
			return -ENOENT;
		}
		scx_path(script, sizeof(script), "%s/fetch.sh", vmdir);
		char *argv[] = {"sh", script, s->cache_dir, NULL};
		st = scx_run_cmd(argv, NULL, 900, &out, 16384);
		if (st != 0) {
			scx_err(err, errlen, "fetching the sched_ext kernel failed (exit %d): %s",
				st, out ? out : "");
			free(out);
			return st == 4 ? -ENOTSUP : -ENOENT;
		}
		free(out);
		out = NULL;
	}
	scx_path(script, sizeof(script), "%s/build-guest.sh", vmdir);
	char *argv[] = {"sh", script, s->cache_dir, vmdir, NULL};
	st = scx_run_cmd(argv, NULL, 300, &out, 16384);
	if (st != 0) {
		scx_err(err, errlen,
			"building scx_guest against libbpf 1.5 failed (exit %d): %.400s", st,
			out ? out : "");
		free(out);
		return -EIO;
	}
	free(out);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	unsigned char *d;
	size_t n;
	int rc = scx_read_file(from, &d, &n, 256 << 20, err, errlen);

	if (rc)
		return rc;
	rc = scx_write_file(to, d, n, err, errlen);
	free(d);
	return rc;
}

static void rm_tree(const char *dir)
{
	char *argv[] = {"rm", "-rf", (char *)dir, NULL};

	scx_run_cmd(argv, NULL, 60, NULL, 0);
}

json_t *scx_vm_run(scx_t *s, const char *plan, const char *const *files, size_t nfiles, char *err,
		   size_t errlen)
{
	char work[PATH_MAX], fdir[PATH_MAX], path[PATH_MAX], vmdir[PATH_MAX];
	char *out = NULL;
	json_t *res = NULL;
	bool host = scx_host_has_sched_ext();
	int st;

	scx_path(vmdir, sizeof(vmdir), "%s/vm", s->share_dir);
	scx_path(work, sizeof(work), "%s/runs/run-XXXXXX", s->cache_dir);
	scx_path(path, sizeof(path), "%s/runs", s->cache_dir);
	mkdir(path, 0755);
	if (!mkdtemp(work)) {
		scx_err(err, errlen, "%s: %s", work, strerror(errno));
		return NULL;
	}
	scx_path(fdir, sizeof(fdir), "%s/files", work);
	mkdir(fdir, 0755);
	for (size_t i = 0; i < nfiles; i++) {
		const char *base = strrchr(files[i], '/');
		base = base ? base + 1 : files[i];
		scx_path(path, sizeof(path), "%s/%s", fdir, base);
		if (copy_file(files[i], path, err, errlen))
			goto out;
	}
	scx_path(path, sizeof(path), "%s/plan.sh", work);
	char *script = NULL;
	if (asprintf(&script, "#!/bin/sh\n%s\n", plan) < 0 ||
	    scx_write_file(path, script, strlen(script), err, errlen)) {
		free(script);
		goto out;
	}
	free(script);
	chmod(path, 0755);

	double t0 = now_ms();
	if (host) {
		/* the same plan on this host: scx_guest from the cache, $P = files */
		char *cmd = NULL;
		if (asprintf(
			    &cmd,
			    "export P='%s' PATH='%s/tools':\"$PATH\"; echo 'SCXBOOT "
			    "{\"kernel\":\"host\",\"sched_ext\":\"'$(cat "
			    "/sys/kernel/sched_ext/state)'\"}'; sh '%s/plan.sh'; echo 'SCXDONE {}'",
			    fdir, s->cache_dir, work) < 0)
			goto out;
		char *argv[] = {"sh", "-c", cmd, NULL};
		st = scx_run_cmd(argv, work, s->boot_timeout_s, &out, SCX_LOG_MAX);
		free(cmd);
	} else {
		char tmo[16];
		snprintf(tmo, sizeof(tmo), "%u", s->boot_timeout_s);
		scx_path(path, sizeof(path), "%s/boot.sh", vmdir);
		char *argv[] = {"sh",
				path,
				s->cache_dir,
				vmdir,
				work,
				tmo,
				s->kernel_path[0] ? s->kernel_path : NULL,
				NULL};
		st = scx_run_cmd(argv, NULL, s->boot_timeout_s + 30, &out, (size_t)64 * 1024);
		free(out);
		out = NULL;
		unsigned char *log = NULL;
		size_t ll = 0;
		scx_path(path, sizeof(path), "%s/serial.log", work);
		char e2[64];
		if (scx_read_file(path, &log, &ll, SCX_LOG_MAX, e2, sizeof(e2)) == 0)
			out = (char *)log;
	}
	double wall = now_ms() - t0;
	res = scx_result_parse(out ? out : "", out ? strlen(out) : 0, err, errlen);
	if (!res)
		goto out;
	json_object_set_new(res, "target", json_string(host ? "host" : "vm"));
	json_object_set_new(res, "exit", json_integer(st));
	json_object_set_new(res, "wall_ms", json_real(wall));
	if (!json_is_true(json_object_get(res, "booted"))) {
		const char *tail = out ? out : "";
		size_t tl = strlen(tail);
		scx_err(err, errlen, "the VM did not boot (%s, exit %d%s): %.300s",
			s->kernel_path[0] ? s->kernel_path : "cached kernel", st,
			st == 124 ? ", timed out" : "", tl > 300 ? tail + tl - 300 : tail);
		json_decref(res);
		res = NULL;
		goto out;
	}
	const char *sx =
		json_string_value(json_object_get(json_object_get(res, "boot"), "sched_ext"));
	if (!sx || !strcmp(sx, "absent")) {
		scx_err(err, errlen,
			"the kernel has no sched_ext (/sys/kernel/sched_ext missing in %s)",
			host ? "this host" : "the VM");
		json_decref(res);
		res = NULL;
		goto out;
	}
	if (json_array_size(json_object_get(res, "steps")) == 0 && out) {
		/* nothing came back from the plan: keep the end of the log */
		size_t ol = strlen(out);
		json_object_set_new(res, "log_tail",
				    json_string(ol > 1500 ? out + ol - 1500 : out));
	}
	if (!json_is_true(json_object_get(res, "completed")))
		json_object_set_new(
			res, "error",
			json_string(st == 124 ? "the run timed out" : "the run ended early"));
out:
	free(out);
	if (!getenv("SCX_KEEP_RUNS"))
		rm_tree(work);
	return res;
}
