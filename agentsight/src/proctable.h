/* proctable: the process tree AgentSight watches, built from its events.
 *
 * Fork, exec and exit events build a table of processes (pid, parent, comm,
 * the argv of the last exec, start and exit times, exit status, children);
 * every other event marks its process active. Processes that existed before
 * tracing began are seeded from /proc (as_proctable_seed_proc), a separate
 * entry point so that tests can build a table from events alone. The
 * correlation engine asks how two processes are related (same, ancestor,
 * descendant, sibling), the detectors ask which session a process belongs to
 * and when it was last active, and the UI walks the tree.
 *
 * A session is the process tree under a tracked root (as_proctable_set_root):
 * a process's session is the topmost root it descends from, the same rule the
 * capture's in-kernel filter uses (a child joins its parent's root). With no
 * root set, every process is in session 0.
 *
 * Memory is bounded: exited processes are kept (for lineage, the UI and late
 * events) up to max_exited, oldest dropped first, and the table never holds
 * more than max_procs entries (past that the oldest entry goes, exited or
 * not). When a process in the middle of a chain is dropped its children are
 * re-attached to its parent, and parent_gap keeps the generation distance
 * right. A pid reused by the kernel (a fork or exec naming a pid whose entry
 * has exited) replaces the old entry.
 *
 * Pointers returned by the table are valid until its next change (an event,
 * a seed, set_root or free).
 */
#ifndef AGENTSIGHT_PROCTABLE_H
#define AGENTSIGHT_PROCTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct as_proc {
	int pid;
	int ppid; /* as last known (fork, exec, /proc, any event's ppid); 0 when unknown */
	char comm[16];
	char *filename; /* the last exec's filename; NULL until the process execs */
	char **argv;	/* the last exec's argv, NULL-terminated; NULL until it execs */
	size_t argc;
	uint64_t
		start_ns; /* fork time (CLOCK_MONOTONIC); /proc start time when seeded; 0 unknown */
	uint64_t exec_ns; /* the last exec; 0 if none seen */
	uint64_t exit_ns;
	bool exited;
	int exit_code;	 /* 0..255 */
	int exit_signal; /* 0 when it exited normally */
	bool seeded;	 /* learnt from /proc rather than from events */
	bool is_root;	 /* marked by as_proctable_set_root */
	int root;	 /* the session: the topmost root it descends from (or is); 0 none */

	/* Activity: the last event of this process (any kind), and how many. */
	uint64_t last_event_ns;
	uint64_t last_event_id;
	uint64_t n_events;

	/* The LLM exchange (event id) whose tool call started this process, set
	 * by the correlation engine; 0 when none. cause_tool is the index of
	 * that tool call in the exchange's reply, -1 when from its text. */
	uint64_t cause_llm_id;
	int cause_tool;

	/* The tree, owned by the table (read only). parent_gap counts the
	 * generations between this process and parent beyond the first, when
	 * processes in between were dropped. */
	struct as_proc *parent;
	struct as_proc *first_child;
	struct as_proc *next_sibling;
	unsigned parent_gap;
};

struct as_proctable_config {
	size_t max_procs;  /* entries in all; default 32768 */
	size_t max_exited; /* exited entries kept; default 4096 */
};

void as_proctable_config_default(struct as_proctable_config *cfg);

struct as_proctable;

/* A new, empty table; cfg NULL takes the defaults, zero fields too. NULL
 * when memory ran out. */
struct as_proctable *as_proctable_new(const struct as_proctable_config *cfg);
void as_proctable_free(struct as_proctable *pt);

/* Feeds one event (any kind, in time order). Fork adds the child, exec
 * records its program and argv, exit marks it exited; every event creates its
 * process when unknown (parent from ev->ppid) and updates its activity.
 * Returns 0, or -ENOMEM (the table is left consistent, the event unrecorded). */
int as_proctable_event(struct as_proctable *pt, const struct as_event *ev);

/* Records activity of pid at ts_ns without an event (for example TLS
 * traffic the engine saw before an LLM exchange was complete). Unknown pids
 * are ignored. */
void as_proctable_touch(struct as_proctable *pt, int pid, uint64_t ts_ns);

/* Marks pid as a tracked root (creating an entry when unknown); it and its
 * descendants join its session unless a root above it already holds them.
 * Returns 0 or -ENOMEM. */
int as_proctable_set_root(struct as_proctable *pt, int pid);

/* The session root of pid (see above), 0 when none or pid is unknown. */
int as_proctable_session(const struct as_proctable *pt, int pid);

/* The entry for pid (the newest one), NULL when unknown. */
const struct as_proc *as_proctable_get(const struct as_proctable *pt, int pid);

/* Sets the cause fields of pid (see struct as_proc); no-op when unknown. */
void as_proctable_set_cause(struct as_proctable *pt, int pid, uint64_t llm_id, int tool);

enum as_proc_rel {
	AS_REL_NONE = 0,   /* unrelated, or a relation the table cannot see */
	AS_REL_SAME,	   /* the same process */
	AS_REL_ANCESTOR,   /* a is an ancestor of b */
	AS_REL_DESCENDANT, /* a is a descendant of b */
	AS_REL_SIBLING,	   /* a and b have the same parent */
};

/* How a relates to b. *generations (may be NULL) receives the distance:
 * 0 for SAME, 1 for parent/child, 2 for grandparent/grandchild..., 1 for
 * SIBLING, 0 for NONE. Walks at most 1024 generations. */
enum as_proc_rel as_proc_relation(const struct as_proctable *pt, int a, int b,
				  unsigned *generations);
const char *as_proc_rel_name(enum as_proc_rel rel);

/* Calls fn for every entry, oldest first; fn must not change the table.
 * Children of one process are reachable from first_child/next_sibling,
 * youngest first. */
void as_proctable_foreach(const struct as_proctable *pt,
			  void (*fn)(void *ctx, const struct as_proc *p), void *ctx);

/* Entries in the table; *exited (may be NULL) receives how many have exited. */
size_t as_proctable_count(const struct as_proctable *pt, size_t *exited);

/* ---- seeding from /proc ---------------------------------------------------- */

/* What AgentSight reads from /proc/PID/stat. */
struct as_proc_stat {
	int pid;
	char comm[16];
	char state;
	int ppid;
	uint64_t starttime_ticks; /* field 22: clock ticks after boot */
};

/* Parses the text of /proc/PID/stat (len bytes, need not be NUL-terminated).
 * The comm may hold spaces and parentheses: it runs from the first '(' to the
 * last ')'. Returns 0, or -EINVAL when the text is not in that form. */
int as_proc_parse_stat(const char *buf, size_t len, struct as_proc_stat *out);

/* Adds pid and its ancestors, as they are now, from proc_root (NULL: "/proc";
 * tests pass a folder laid out the same way): PID/stat, PID/cmdline and
 * PID/exe when readable. Entries already in the table are kept. Start times
 * are converted from boot time to CLOCK_MONOTONIC with the clocks' current
 * difference. Returns 0, or -errno with a message naming the file when pid
 * itself cannot be read (an unreadable ancestor only ends the walk). */
int as_proctable_seed_proc(struct as_proctable *pt, int pid, const char *proc_root, char *err,
			   size_t errlen);

#endif /* AGENTSIGHT_PROCTABLE_H */
