/* exec_probe_test: loads exec_probe.bpf.c through its skeleton and checks that
 * it reports the exec of a child this test starts, and not the exec of a
 * grandchild (which the in-kernel parent filter must drop).
 */
#include "exec_probe.h"
#include "exec_probe.skel.h"
#include "testkit.h"
#include "testkit_bpf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILD_PATH	"/bin/true"
#define GRANDCHILD_PATH "/bin/false"

struct seen {
	int child_pid;
	int child_events;
	int other_events;
	struct exec_probe_event child;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	const struct exec_probe_event *e = data;

	if (size < sizeof(*e))
		return 0;
	printf("exec pid=%d old_pid=%d ppid=%d filename=%s\n", e->pid, e->old_pid, e->ppid,
	       e->filename);
	if (e->pid == s->child_pid) {
		s->child_events++;
		s->child = *e;
	} else {
		s->other_events++;
	}
	return 0;
}

/* Forks a child that execs path; returns its pid (or -1). */
static int spawn(const char *path)
{
	int pid = fork();
	if (pid == 0) {
		execl(path, path, "isthmus-exec-probe", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int wait_exit_code(int pid)
{
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	tk_require_bpf();

	struct exec_probe_bpf *skel = exec_probe_bpf__open();
	TK_REQUIRE(skel != NULL, "open exec_probe: %s", strerror(errno));
	skel->rodata->parent_tgid = getpid();
	int err = exec_probe_bpf__load(skel);
	TK_REQUIRE(err == 0, "load exec_probe: %s", strerror(-err));
	err = exec_probe_bpf__attach(skel);
	TK_REQUIRE(err == 0, "attach handle_exec to sched/sched_process_exec: %s", strerror(-err));

	struct seen seen = {0};
	struct ring_buffer *rb =
		ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &seen, NULL);
	TK_REQUIRE(rb != NULL, "ring buffer on map 'events': %s", strerror(errno));

	/* A grandchild's exec: its real parent is the middle process, not us. */
	int middle = fork();
	if (middle == 0) {
		int g = spawn(GRANDCHILD_PATH);
		_exit(g > 0 && wait_exit_code(g) == 1 ? 0 : 1);
	}
	TK_REQUIRE(middle > 0, "fork: %s", strerror(errno));
	TK_CHECK(wait_exit_code(middle) == 0, "grandchild did not run %s", GRANDCHILD_PATH);

	seen.child_pid = spawn(CHILD_PATH);
	TK_REQUIRE(seen.child_pid > 0, "fork: %s", strerror(errno));
	TK_CHECK(wait_exit_code(seen.child_pid) == 0, "child %s did not exit 0", CHILD_PATH);

	/* Events may trail the exit by a little; poll for up to five seconds. */
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		ring_buffer__poll(rb, 100);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (seen.child_events == 0 && now.tv_sec - start.tv_sec < 5);
	ring_buffer__consume(rb);

	TK_CHECK(seen.child_events == 1, "expected 1 exec event for child %d, got %d",
		 seen.child_pid, seen.child_events);
	if (seen.child_events > 0) {
		TK_CHECK(strcmp(seen.child.filename, CHILD_PATH) == 0, "filename '%s', want '%s'",
			 seen.child.filename, CHILD_PATH);
		TK_CHECK(seen.child.filename_len == strlen(CHILD_PATH) + 1, "filename_len %u",
			 seen.child.filename_len);
		TK_CHECK(seen.child.ppid == getpid(), "ppid %d, want %d", seen.child.ppid,
			 getpid());
		TK_CHECK(seen.child.old_pid == seen.child_pid, "old_pid %d, want %d",
			 seen.child.old_pid, seen.child_pid);
	}
	TK_CHECK(seen.other_events == 0,
		 "%d exec events passed the parent filter (the middle "
		 "process's child exec'd %s)",
		 seen.other_events, GRANDCHILD_PATH);

	ring_buffer__free(rb);
	exec_probe_bpf__destroy(skel);
	return tk_finish();
}
