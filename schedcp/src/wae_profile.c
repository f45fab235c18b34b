/* wae_profile: the loader of bpf/wae_sched.bpf.c and the profiling run (see
 * wae_engine.h). A command is forked held on a pipe, its pid put in the
 * task table, the programs attached, and only then released to exec, so
 * that nothing it does escapes the profile; a running pid has each of its
 * threads put in the table, with the state /proc reports. When the window
 * ends the tables are read back and handed to scx_wae_analyze.
 */
#include "wae_engine.h"

#include "bpfenv.h"
#include "wae_sched.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int seed_task(struct wae_sched_bpf *skel, uint32_t tid, uint32_t tgid, uint32_t state,
		     uint64_t now)
{
	struct wae_task t = {0};
	t.tid = tid;
	t.tgid = tgid;
	t.state = state;
	t.start_ns = now;
	t.last_ns = now;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", tgid, tid);
	FILE *f = fopen(path, "re");
	if (f) {
		if (fgets(t.comm, sizeof(t.comm), f))
			t.comm[strcspn(t.comm, "\n")] = '\0';
		fclose(f);
	}
	return bpf_map_update_elem(bpf_map__fd(skel->maps.tasks), &tid, &t, BPF_ANY);
}

/* The state letter of /proc/PID/task/TID/stat as a wae_state. */
static uint32_t proc_state(pid_t pid, uint32_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/task/%u/stat", pid, tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return WAE_ST_SLEEP;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return WAE_ST_SLEEP;
	switch (p[2]) {
	case 'R':
		return WAE_ST_RUNNABLE;
	case 'D':
		return WAE_ST_BLOCK;
	default:
		return WAE_ST_SLEEP;
	}
}

static int seed_pid(struct wae_sched_bpf *skel, pid_t pid, uint64_t now, char *err, size_t errlen)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "pid %d: %s", pid, strerror(errno));
		return -ESRCH;
	}
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d))) {
		char *end;
		unsigned long tid = strtoul(de->d_name, &end, 10);
		if (*end || !tid)
			continue;
		if (!seed_task(skel, (uint32_t)tid, (uint32_t)pid, proc_state(pid, (uint32_t)tid),
			       now))
			n++;
	}
	closedir(d);
	if (!n) {
		snprintf(err, errlen, "pid %d: no thread could be tracked", pid);
		return -ESRCH;
	}
	return 0;
}

/* Reads the tables back into raw (arrays allocated here). */
static int collect(struct wae_sched_bpf *skel, struct scx_wae_raw *raw, uint64_t end_ns)
{
	int fd = bpf_map__fd(skel->maps.tasks);
	struct wae_task *tasks = calloc(WAE_MAX_TASKS, sizeof(*tasks));
	struct wae_edge_key *ek = calloc(WAE_MAX_EDGES, sizeof(*ek));
	uint64_t *ec = calloc(WAE_MAX_EDGES, sizeof(*ec));
	if (!tasks || !ek || !ec) {
		free(tasks);
		free(ek);
		free(ec);
		return -ENOMEM;
	}
	uint32_t key, next;
	size_t n = 0;
	void *prev = NULL;
	while (n < WAE_MAX_TASKS && !bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &tasks[n])) {
			struct wae_task *t = &tasks[n];
			/* Close the state a live task is still in at the window's end. */
			uint64_t stop = (t->flags & WAE_F_EXITED) ? t->exit_ns : end_ns;
			if (stop > t->last_ns && !(t->flags & WAE_F_EXITED)) {
				uint64_t d = stop - t->last_ns;
				switch (t->state) {
				case WAE_ST_RUNNING:
					t->run_ns += d;
					break;
				case WAE_ST_RUNNABLE:
					t->runq_ns += d;
					break;
				case WAE_ST_SLEEP:
					t->sleep_ns += d;
					break;
				default:
					t->block_ns += d;
					break;
				}
			}
			n++;
		}
		key = next;
		prev = &key;
	}
	raw->tasks = tasks;
	raw->ntasks = n;

	int efd = bpf_map__fd(skel->maps.edges);
	struct wae_edge_key k, nk;
	void *pk = NULL;
	size_t m = 0;
	while (m < WAE_MAX_EDGES && !bpf_map_get_next_key(efd, pk, &nk)) {
		if (!bpf_map_lookup_elem(efd, &nk, &ec[m])) {
			ek[m] = nk;
			m++;
		}
		k = nk;
		pk = &k;
	}
	raw->edge_keys = ek;
	raw->edge_counts = ec;
	raw->nedges = m;

	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals = calloc(ncpu > 0 ? (size_t)ncpu : 1, sizeof(uint64_t));
	if (vals && ncpu > 0) {
		for (uint32_t s = 0; s < WAE_HIST_SLOTS; s++) {
			if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.runq_hist), &s, vals))
				continue;
			for (int c = 0; c < ncpu; c++)
				raw->hist[s] += vals[c];
		}
		for (uint32_t s = 0; s < WAE_CNT_MAX; s++) {
			if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters), &s, vals))
				continue;
			uint64_t sum = 0;
			for (int c = 0; c < ncpu; c++)
				sum += vals[c];
			if (s == WAE_CNT_TASKS_DROPPED)
				raw->tasks_dropped = sum;
			else if (s == WAE_CNT_EDGES_DROPPED)
				raw->edges_dropped = sum;
		}
	}
	free(vals);
	return 0;
}

static void free_raw(struct scx_wae_raw *raw)
{
	free((void *)raw->tasks);
	free((void *)raw->edge_keys);
	free((void *)raw->edge_counts);
}

static int want_stop(const struct scx_wae_opts *o, double elapsed, double total)
{
	if (o->cancel && atomic_load(o->cancel))
		return 1;
	if (o->progress && o->progress(o->progress_ctx, elapsed, total))
		return 1;
	return 0;
}

static void target_text(const struct scx_wae_opts *o, char *buf, size_t len)
{
	if (!o->argv) {
		snprintf(buf, len, "pid %d", (int)o->pid);
		return;
	}
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; o->argv[i] && n + 1 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "", o->argv[i]);
}

int scx_wae_profile(const struct scx_wae_opts *o, json_t **profile, char *err, size_t errlen)
{
	if (!o || !profile || (!o->argv && o->pid <= 0) || (o->argv && !o->argv[0])) {
		snprintf(err, errlen, "profile: a command or a pid is required");
		return -EINVAL;
	}
	*profile = NULL;
	int rc = bpfenv_check_privileges(err, errlen);
	if (rc)
		return rc;
	rc = bpfenv_ensure_tracefs(NULL, err, errlen);
	if (rc)
		return rc;

	struct wae_sched_bpf *skel = wae_sched_bpf__open_and_load();
	if (!skel) {
		rc = -errno;
		snprintf(err, errlen, "loading wae_sched.bpf.o: %s", strerror(errno));
		return rc ? rc : -EINVAL;
	}
	int go[2] = {-1, -1};
	pid_t child = -1;
	struct scx_wae_raw raw = {0};
	raw.ncpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	raw.exit_status = -1;

	if (o->argv) {
		if (pipe2(go, O_CLOEXEC)) {
			rc = -errno;
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			goto out;
		}
		child = fork();
		if (child < 0) {
			rc = -errno;
			snprintf(err, errlen, "fork: %s", strerror(errno));
			goto out;
		}
		if (child == 0) {
			char c;
			setpgid(0, 0);
			int null = open("/dev/null", O_RDWR);
			if (null >= 0) {
				dup2(null, 0);
				dup2(null, 1);
				dup2(null, 2);
			}
			if (read(go[0], &c, 1) != 1)
				_exit(126);
			execvp(o->argv[0], o->argv);
			_exit(127);
		}
		setpgid(child, child);
		close(go[0]);
		go[0] = -1;
		uint64_t now = mono_ns();
		if (seed_task(skel, (uint32_t)child, (uint32_t)child, WAE_ST_SLEEP, now)) {
			rc = -errno;
			snprintf(err, errlen, "tracking pid %d: %s", child, strerror(errno));
			goto out;
		}
	} else {
		rc = seed_pid(skel, o->pid, mono_ns(), err, errlen);
		if (rc)
			goto out;
	}
	if (wae_sched_bpf__attach(skel)) {
		rc = -errno;
		snprintf(err, errlen, "attaching the wae_sched programs: %s", strerror(errno));
		goto out;
	}
	raw.start_ns = mono_ns();
	if (o->argv) {
		raw.root_tid = (uint32_t)child;
		if (write(go[1], "g", 1) != 1) {
			rc = -EIO;
			snprintf(err, errlen, "releasing the command: %s", strerror(errno));
			goto out;
		}
		close(go[1]);
		go[1] = -1;
		double max_s = o->max_duration_s > 0 ? o->max_duration_s : 120;
		double until = o->duration_s > 0 ? o->duration_s : max_s;
		double last_progress = 0;
		for (;;) {
			int status;
			pid_t w = waitpid(child, &status, WNOHANG);
			if (w == child) {
				raw.end_ns = mono_ns();
				raw.exit_status = WIFEXITED(status) ? WEXITSTATUS(status)
								    : 128 + WTERMSIG(status);
				child = -1;
				break;
			}
			double el = (double)(mono_ns() - raw.start_ns) / 1e9;
			bool stop = el >= until;
			if (el - last_progress >= 0.25) {
				last_progress = el;
				if (want_stop(o, el, o->duration_s))
					stop = true;
			}
			if (stop) {
				raw.end_ns = mono_ns();
				raw.truncated = true;
				kill(-child, SIGKILL);
				kill(child, SIGKILL);
				waitpid(child, &status, 0);
				raw.exit_status = 128 + SIGKILL;
				child = -1;
				break;
			}
			sleep_ms(10);
		}
	} else {
		raw.root_tid = (uint32_t)o->pid;
		double total = o->duration_s > 0 ? o->duration_s : 5;
		for (;;) {
			double el = (double)(mono_ns() - raw.start_ns) / 1e9;
			if (el >= total || want_stop(o, el, total))
				break;
			if (kill(o->pid, 0) && errno == ESRCH)
				break;
			sleep_ms(total - el > 0.25 ? 250 : (unsigned)((total - el) * 1000) + 1);
		}
		raw.end_ns = mono_ns();
	}
	wae_sched_bpf__detach(skel);
	rc = collect(skel, &raw, raw.end_ns);
	if (rc) {
		snprintf(err, errlen, "reading the wae_sched tables: out of memory");
		goto out;
	}
	char target[512];
	target_text(o, target, sizeof(target));
	*profile = scx_wae_analyze(&raw, o->label, target);
	free_raw(&raw);
	if (!*profile) {
		rc = -ENOMEM;
		snprintf(err, errlen, "building the profile: out of memory");
	}
out:
	if (child > 0) {
		kill(-child, SIGKILL);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (go[0] >= 0)
		close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
	wae_sched_bpf__destroy(skel);
	return rc;
}
