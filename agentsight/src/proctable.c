/* proctable: the process tree from fork/exec/exit events and /proc (see
 * proctable.h).
 *
 * Each entry is a node holding the public struct as_proc and the table's own
 * links: a chained hash by pid (the newest entry of a pid only), a list of
 * all entries in creation order (for eviction and iteration) and a list of
 * exited entries in exit order (evicted first). Children hang off their
 * parent as a doubly linked list so that removal is O(1).
 */
#include "proctable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_WALK       1024	  /* generations walked by relation and session */
#define MAX_ARGS       4096	  /* argv entries copied from one exec */
#define MAX_ARGV_BYTES (64 << 10) /* bytes of argv copied from one exec */

struct node {
	struct as_proc p;
	struct node *hnext;
	struct node *prev_sibling;
	struct node *all_prev, *all_next;
	struct node *ex_prev, *ex_next;
};

struct as_proctable {
	struct as_proctable_config cfg;
	struct node **buckets;
	size_t nbuckets;
	size_t count;
	size_t n_exited;
	struct node *all_head, *all_tail;
	struct node *ex_head, *ex_tail;
};

#define NODE(pp) ((struct node *)(pp))

void as_proctable_config_default(struct as_proctable_config *cfg)
{
	cfg->max_procs = 32768;
	cfg->max_exited = 4096;
}

struct as_proctable *as_proctable_new(const struct as_proctable_config *cfg)
{
	struct as_proctable *pt = calloc(1, sizeof(*pt));
	if (!pt)
		return NULL;
	as_proctable_config_default(&pt->cfg);
	if (cfg && cfg->max_procs)
		pt->cfg.max_procs = cfg->max_procs;
	if (cfg && cfg->max_exited)
		pt->cfg.max_exited = cfg->max_exited;
	if (pt->cfg.max_exited > pt->cfg.max_procs)
		pt->cfg.max_exited = pt->cfg.max_procs;
	pt->nbuckets = 256;
	pt->buckets = calloc(pt->nbuckets, sizeof(struct node *));
	if (!pt->buckets) {
		free(pt);
		return NULL;
	}
	return pt;
}

static void free_exec(struct as_proc *p)
{
	for (size_t i = 0; p->argv && i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
	free(p->filename);
	p->argv = NULL;
	p->filename = NULL;
	p->argc = 0;
}

void as_proctable_free(struct as_proctable *pt)
{
	if (!pt)
		return;
	struct node *n = pt->all_head;
	while (n) {
		struct node *next = n->all_next;
		free_exec(&n->p);
		free(n);
		n = next;
	}
	free(pt->buckets);
	free(pt);
}

static size_t bucket_of(const struct as_proctable *pt, int pid)
{
	uint32_t h = (uint32_t)pid * 2654435761u;
	return (size_t)(h >> 8) & (pt->nbuckets - 1);
}

static struct node *lookup(const struct as_proctable *pt, int pid)
{
	for (struct node *n = pt->buckets[bucket_of(pt, pid)]; n; n = n->hnext)
		if (n->p.pid == pid)
			return n;
	return NULL;
}

static void hash_remove(struct as_proctable *pt, struct node *n)
{
	struct node **pp = &pt->buckets[bucket_of(pt, n->p.pid)];
	while (*pp && *pp != n)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = n->hnext;
	n->hnext = NULL;
}

static void grow(struct as_proctable *pt)
{
	if (pt->count < pt->nbuckets || pt->nbuckets >= (1u << 22))
		return;
	size_t nb = pt->nbuckets * 2;
	struct node **b = calloc(nb, sizeof(struct node *));
	if (!b)
		return; /* chains get longer; still correct */
	struct node **old = pt->buckets;
	size_t oldn = pt->nbuckets;
	pt->buckets = b;
	pt->nbuckets = nb;
	for (size_t i = 0; i < oldn; i++) {
		struct node *n = old[i];
		while (n) {
			struct node *next = n->hnext;
			size_t k = bucket_of(pt, n->p.pid);
			n->hnext = b[k];
			b[k] = n;
			n = next;
		}
	}
	free(old);
}

static void child_add(struct node *parent, struct node *c)
{
	c->p.parent = &parent->p;
	c->prev_sibling = NULL;
	c->p.next_sibling = parent->p.first_child;
	if (parent->p.first_child)
		NODE(parent->p.first_child)->prev_sibling = c;
	parent->p.first_child = &c->p;
}

static void child_remove(struct node *c)
{
	struct node *parent = NODE(c->p.parent);
	if (!parent)
		return;
	if (c->prev_sibling)
		c->prev_sibling->p.next_sibling = c->p.next_sibling;
	else
		parent->p.first_child = c->p.next_sibling;
	if (c->p.next_sibling)
		NODE(c->p.next_sibling)->prev_sibling = c->prev_sibling;
	c->p.parent = NULL;
	c->p.next_sibling = NULL;
	c->prev_sibling = NULL;
}

static void exited_remove(struct as_proctable *pt, struct node *n)
{
	if (!n->ex_prev && pt->ex_head != n)
		return; /* not in the list */
	if (pt->ex_head == n)
		pt->ex_head = n->ex_next;
	if (pt->ex_tail == n)
		pt->ex_tail = n->ex_prev;
	if (n->ex_prev)
		n->ex_prev->ex_next = n->ex_next;
	if (n->ex_next)
		n->ex_next->ex_prev = n->ex_prev;
	n->ex_prev = n->ex_next = NULL;
	pt->n_exited--;
}

/* Removes n from the table. Its children move up to its parent (or become
 * roots of the table) with the lost generation counted in parent_gap. */
static void evict(struct as_proctable *pt, struct node *n)
{
	exited_remove(pt, n);
	struct node *parent = NODE(n->p.parent);
	while (n->p.first_child) {
		struct node *c = NODE(n->p.first_child);
		child_remove(c);
		if (parent) {
			c->p.parent_gap += 1 + n->p.parent_gap;
			child_add(parent, c);
		}
	}
	child_remove(n);
	if (lookup(pt, n->p.pid) == n)
		hash_remove(pt, n);
	if (pt->all_head == n)
		pt->all_head = n->all_next;
	if (pt->all_tail == n)
		pt->all_tail = n->all_prev;
	if (n->all_prev)
		n->all_prev->all_next = n->all_next;
	if (n->all_next)
		n->all_next->all_prev = n->all_prev;
	pt->count--;
	free_exec(&n->p);
	free(n);
}

static void enforce_bounds(struct as_proctable *pt, const struct node *keep)
{
	while (pt->n_exited > pt->cfg.max_exited && pt->ex_head && pt->ex_head != keep)
		evict(pt, pt->ex_head);
	while (pt->count > pt->cfg.max_procs) {
		struct node *victim = pt->ex_head;
		if (!victim || victim == keep)
			victim = pt->all_head;
		if (victim == keep)
			victim = victim->all_next;
		if (!victim)
			break;
		evict(pt, victim);
	}
}

static void set_comm(char *dst, const char *src)
{
	size_t n = strnlen(src, 15);
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* A new entry for pid, child of the entry for ppid when there is one that
 * started no later than ts. Replaces the current entry of pid, if any. */
static struct node *create(struct as_proctable *pt, int pid, int ppid, uint64_t ts)
{
	struct node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	struct node *old = lookup(pt, pid);
	if (old)
		hash_remove(pt, old);
	n->p.pid = pid;
	n->p.ppid = ppid;
	n->p.cause_tool = -1;
	struct node *parent = ppid > 0 && ppid != pid ? lookup(pt, ppid) : NULL;
	if (parent && ts && parent->p.start_ns > ts)
		parent = NULL; /* a later process with a reused pid */
	if (parent) {
		child_add(parent, n);
		n->p.root = parent->p.root;
	}
	size_t k = bucket_of(pt, pid);
	n->hnext = pt->buckets[k];
	pt->buckets[k] = n;
	n->all_prev = pt->all_tail;
	if (pt->all_tail)
		pt->all_tail->all_next = n;
	else
		pt->all_head = n;
	pt->all_tail = n;
	pt->count++;
	grow(pt);
	return n;
}

static void mark_exited(struct as_proctable *pt, struct node *n, uint64_t ts)
{
	if (n->p.exited)
		return;
	n->p.exited = true;
	n->p.exit_ns = ts;
	n->ex_prev = pt->ex_tail;
	n->ex_next = NULL;
	if (pt->ex_tail)
		pt->ex_tail->ex_next = n;
	else
		pt->ex_head = n;
	pt->ex_tail = n;
	pt->n_exited++;
}

/* Copies argv, bounded; returns 0 or -ENOMEM. */
static int copy_exec(struct as_proc *p, const char *filename, char *const *argv, size_t argc)
{
	free_exec(p);
	if (filename) {
		p->filename = strndup(filename, MAX_ARGV_BYTES);
		if (!p->filename)
			return -ENOMEM;
	}
	if (argc > MAX_ARGS)
		argc = MAX_ARGS;
	p->argv = calloc(argc + 1, sizeof(char *));
	if (!p->argv)
		return -ENOMEM;
	size_t budget = MAX_ARGV_BYTES;
	for (size_t i = 0; argv && i < argc && argv[i]; i++) {
		size_t len = strnlen(argv[i], budget);
		p->argv[i] = strndup(argv[i], len);
		if (!p->argv[i])
			return -ENOMEM;
		p->argc = i + 1;
		budget -= len;
		if (budget == 0)
			break;
	}
	return 0;
}

/* The live entry of pid for an event at ts; creates it when unknown. With
 * replace_exited, an exited entry is a reused pid and gets replaced. */
static struct node *ensure(struct as_proctable *pt, const struct as_event *ev, bool replace_exited)
{
	struct node *n = lookup(pt, ev->pid);
	if (n && !(replace_exited && n->p.exited)) {
		if (!n->p.parent && ev->ppid > 0 && ev->ppid != n->p.ppid) {
			struct node *parent = lookup(pt, ev->ppid);
			n->p.ppid = ev->ppid;
			if (parent && parent != n &&
			    !(parent->p.start_ns > n->p.start_ns && n->p.start_ns)) {
				/* Refuse a cycle: parent must not descend from n. */
				const struct as_proc *a = &parent->p;
				int steps = 0;
				while (a && a != &n->p && steps++ < MAX_WALK)
					a = a->parent;
				if (!a) {
					child_add(parent, n);
					if (!n->p.root)
						n->p.root = parent->p.root;
				}
			}
		}
		return n;
	}
	n = create(pt, ev->pid, ev->ppid, ev->ts_ns);
	if (n)
		set_comm(n->p.comm, ev->comm);
	return n;
}

int as_proctable_event(struct as_proctable *pt, const struct as_event *ev)
{
	if (!pt || !ev || ev->pid <= 0)
		return 0;
	struct node *n = NULL;
	int rc = 0;
	switch (ev->kind) {
	case AS_EV_FORK: {
		struct node *parent = ensure(pt, ev, false);
		if (!parent)
			return -ENOMEM;
		int cpid = ev->u.fork.child_pid;
		if (cpid <= 0 || cpid == ev->pid)
			break;
		struct node *old = lookup(pt, cpid);
		if (old && !old->p.exited && &parent->p == old->p.parent && !old->p.start_ns) {
			/* Its events arrived before the fork: adopt, don't replace. */
			old->p.start_ns = ev->ts_ns;
			break;
		}
		if (old && !old->p.exited)
			mark_exited(pt, old, ev->ts_ns); /* its exit was missed */
		struct node *c = create(pt, cpid, ev->pid, ev->ts_ns);
		if (!c)
			return -ENOMEM;
		/* create() looked up the parent by pid; make sure it is this one. */
		if (c->p.parent != &parent->p) {
			child_remove(c);
			child_add(parent, c);
		}
		c->p.root = parent->p.root;
		c->p.start_ns = ev->ts_ns;
		memcpy(c->p.comm, parent->p.comm, sizeof(c->p.comm));
		enforce_bounds(pt, c);
		break;
	}
	case AS_EV_EXEC:
		n = ensure(pt, ev, true);
		if (!n)
			return -ENOMEM;
		rc = copy_exec(&n->p, ev->u.exec.filename, ev->u.exec.argv, ev->u.exec.argc);
		set_comm(n->p.comm, ev->comm);
		n->p.exec_ns = ev->ts_ns;
		break;
	case AS_EV_EXIT:
		n = ensure(pt, ev, false);
		if (!n)
			return -ENOMEM;
		n->p.exit_code = ev->u.exit.code;
		n->p.exit_signal = ev->u.exit.signal;
		if (!n->p.start_ns && ev->u.exit.duration_ns && ev->u.exit.duration_ns <= ev->ts_ns)
			n->p.start_ns = ev->ts_ns - ev->u.exit.duration_ns;
		mark_exited(pt, n, ev->ts_ns);
		break;
	default:
		n = ensure(pt, ev, false);
		if (!n)
			return -ENOMEM;
		break;
	}
	n = lookup(pt, ev->pid);
	if (n) {
		if (ev->ts_ns >= n->p.last_event_ns) {
			n->p.last_event_ns = ev->ts_ns;
			n->p.last_event_id = ev->id;
		}
		n->p.n_events++;
	}
	enforce_bounds(pt, n);
	return rc;
}

void as_proctable_touch(struct as_proctable *pt, int pid, uint64_t ts_ns)
{
	struct node *n = pt ? lookup(pt, pid) : NULL;
	if (n && ts_ns > n->p.last_event_ns)
		n->p.last_event_ns = ts_ns;
}

static void set_root_subtree(struct as_proc *top, int root)
{
	/* Iterative pre-order walk, bounded by the table's size. */
	struct as_proc *p = top;
	while (p) {
		p->root = root;
		if (p->first_child) {
			p = p->first_child;
			continue;
		}
		while (p && p != top && !p->next_sibling)
			p = p->parent;
		if (!p || p == top)
			break;
		p = p->next_sibling;
	}
}

int as_proctable_set_root(struct as_proctable *pt, int pid)
{
	if (!pt || pid <= 0)
		return 0;
	struct node *n = lookup(pt, pid);
	if (!n) {
		n = create(pt, pid, 0, 0);
		if (!n)
			return -ENOMEM;
		enforce_bounds(pt, n);
	}
	n->p.is_root = true;
	/* The topmost root wins: find one above. */
	int above = 0;
	int steps = 0;
	for (const struct as_proc *a = n->p.parent; a && steps < MAX_WALK; a = a->parent, steps++)
		if (a->is_root)
			above = a->pid;
	set_root_subtree(&n->p, above ? above : pid);
	return 0;
}

int as_proctable_session(const struct as_proctable *pt, int pid)
{
	const struct node *n = pt ? lookup(pt, pid) : NULL;
	return n ? n->p.root : 0;
}

const struct as_proc *as_proctable_get(const struct as_proctable *pt, int pid)
{
	const struct node *n = pt ? lookup(pt, pid) : NULL;
	return n ? &n->p : NULL;
}

void as_proctable_set_cause(struct as_proctable *pt, int pid, uint64_t llm_id, int tool)
{
	struct node *n = pt ? lookup(pt, pid) : NULL;
	if (n) {
		n->p.cause_llm_id = llm_id;
		n->p.cause_tool = tool;
	}
}

/* Distance from d up to ancestor a (counting dropped generations), or 0
 * when a is not an ancestor of d. */
static unsigned up_distance(const struct as_proc *a, const struct as_proc *d)
{
	unsigned dist = 0;
	int steps = 0;
	for (const struct as_proc *p = d; p->parent && steps < MAX_WALK; steps++) {
		dist += 1 + p->parent_gap;
		p = p->parent;
		if (p == a)
			return dist;
	}
	return 0;
}

enum as_proc_rel as_proc_relation(const struct as_proctable *pt, int a, int b,
				  unsigned *generations)
{
	unsigned dummy;
	if (!generations)
		generations = &dummy;
	*generations = 0;
	if (a <= 0 || b <= 0)
		return AS_REL_NONE;
	if (a == b)
		return AS_REL_SAME;
	const struct node *na = pt ? lookup(pt, a) : NULL;
	const struct node *nb = pt ? lookup(pt, b) : NULL;
	if (na && nb) {
		unsigned d = up_distance(&na->p, &nb->p);
		if (d) {
			*generations = d;
			return AS_REL_ANCESTOR;
		}
		d = up_distance(&nb->p, &na->p);
		if (d) {
			*generations = d;
			return AS_REL_DESCENDANT;
		}
		if (na->p.parent && na->p.parent == nb->p.parent) {
			*generations = 1;
			return AS_REL_SIBLING;
		}
	}
	/* Parents the table never saw: fall back on the pid numbers. */
	int pa = na ? na->p.ppid : 0, pb = nb ? nb->p.ppid : 0;
	if (nb && !nb->p.parent && pb == a) {
		*generations = 1;
		return AS_REL_ANCESTOR;
	}
	if (na && !na->p.parent && pa == b) {
		*generations = 1;
		return AS_REL_DESCENDANT;
	}
	if (na && nb && !na->p.parent && !nb->p.parent && pa > 0 && pa == pb) {
		*generations = 1;
		return AS_REL_SIBLING;
	}
	return AS_REL_NONE;
}

const char *as_proc_rel_name(enum as_proc_rel rel)
{
	switch (rel) {
	case AS_REL_SAME:
		return "same";
	case AS_REL_ANCESTOR:
		return "ancestor";
	case AS_REL_DESCENDANT:
		return "descendant";
	case AS_REL_SIBLING:
		return "sibling";
	case AS_REL_NONE:
	default:
		return "none";
	}
}

void as_proctable_foreach(const struct as_proctable *pt,
			  void (*fn)(void *ctx, const struct as_proc *p), void *ctx)
{
	for (const struct node *n = pt ? pt->all_head : NULL; n; n = n->all_next)
		fn(ctx, &n->p);
}

size_t as_proctable_count(const struct as_proctable *pt, size_t *exited)
{
	if (exited)
		*exited = pt ? pt->n_exited : 0;
	return pt ? pt->count : 0;
}

/* ---- /proc ----------------------------------------------------------------- */

int as_proc_parse_stat(const char *buf, size_t len, struct as_proc_stat *out)
{
	memset(out, 0, sizeof(*out));
	const char *open = memchr(buf, '(', len);
	const char *close = NULL;
	for (size_t i = len; i > 0; i--)
		if (buf[i - 1] == ')') {
			close = buf + i - 1;
			break;
		}
	if (!open || !close || close < open)
		return -EINVAL;
	/* pid before the comm. */
	long long pid = 0;
	const char *p = buf;
	while (p < open && *p == ' ')
		p++;
	if (p == open)
		return -EINVAL;
	for (; p < open && *p != ' '; p++) {
		if (*p < '0' || *p > '9' || pid > 0x7fffffff)
			return -EINVAL;
		pid = pid * 10 + (*p - '0');
	}
	if (pid <= 0 || pid > 0x7fffffff)
		return -EINVAL;
	out->pid = (int)pid;
	size_t clen = (size_t)(close - open - 1);
	if (clen > 15)
		clen = 15;
	memcpy(out->comm, open + 1, clen);
	out->comm[clen] = 0;
	/* Fields after the comm, numbered from 3 (state). */
	const char *end = buf + len;
	p = close + 1;
	int field = 2;
	while (p < end && field < 22) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			break;
		field++;
		const char *tok = p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		size_t tlen = (size_t)(p - tok);
		if (field == 3) {
			if (tlen != 1)
				return -EINVAL;
			out->state = tok[0];
		} else if (field == 4 || field == 22) {
			unsigned long long v = 0;
			bool neg = tlen > 0 && tok[0] == '-';
			for (size_t i = neg; i < tlen; i++) {
				if (tok[i] < '0' || tok[i] > '9' || v > (UINT64_MAX - 9) / 10)
					return -EINVAL;
				v = v * 10 + (unsigned)(tok[i] - '0');
			}
			if (tlen == (size_t)neg)
				return -EINVAL;
			if (field == 4) {
				if (neg || v > 0x7fffffff)
					return -EINVAL;
				out->ppid = (int)v;
			} else {
				out->starttime_ticks = neg ? 0 : v;
			}
		}
		if (p < end && *p == '\n')
			break;
	}
	return field >= 4 ? 0 : -EINVAL;
}

/* Reads up to cap-1 bytes of a file into buf (NUL-terminated); returns the
 * length or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	while (got + 1 < cap) {
		ssize_t r = read(fd, buf + got, cap - 1 - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = 0;
	return (ssize_t)got;
}

static uint64_t boot_to_mono_offset_ns(void)
{
	struct timespec b, m;
	if (clock_gettime(CLOCK_BOOTTIME, &b) != 0 || clock_gettime(CLOCK_MONOTONIC, &m) != 0)
		return 0;
	int64_t bn = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
	int64_t mn = (int64_t)m.tv_sec * 1000000000 + m.tv_nsec;
	return bn > mn ? (uint64_t)(bn - mn) : 0;
}

/* Fills a fresh entry's argv from a cmdline (NUL-separated) buffer. */
static int set_cmdline(struct as_proc *p, const char *buf, size_t len, const char *exe)
{
	size_t argc = 0;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == 0)
			argc++;
	if (len && buf[len - 1] != 0)
		argc++;
	if (argc > MAX_ARGS)
		argc = MAX_ARGS;
	char **argv = calloc(argc + 1, sizeof(char *));
	if (!argv)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < len && k < argc;) {
		size_t l = strnlen(buf + i, len - i);
		argv[k++] = (char *)buf + i;
		i += l + 1;
	}
	int rc = copy_exec(p, exe, argv, k);
	free(argv);
	return rc;
}

int as_proctable_seed_proc(struct as_proctable *pt, int pid, const char *proc_root, char *err,
			   size_t errlen)
{
	if (!proc_root)
		proc_root = "/proc";
	if (pid <= 0) {
		snprintf(err, errlen, "seed: pid %d is not a process id", pid);
		return -EINVAL;
	}
	struct as_proc_stat chain[128];
	size_t n = 0;
	char path[4096];
	char buf[4096] = "";
	for (int cur = pid; cur > 0 && n < 128;) {
		snprintf(path, sizeof(path), "%s/%d/stat", proc_root, cur);
		ssize_t len = read_small(path, buf, sizeof(buf));
		if (len < 0 || as_proc_parse_stat(buf, (size_t)len, &chain[n]) != 0) {
			if (cur == pid) {
				int e = len < 0 ? (int)-len : EINVAL;
				snprintf(err, errlen, "seed: %s: %s", path,
					 len < 0 ? strerror(e)
						 : "not in the form of /proc/PID/stat");
				return -e;
			}
			break;
		}
		chain[n].pid = cur; /* trust the folder's name over its contents */
		int next = chain[n].ppid;
		n++;
		bool cycle = false;
		for (size_t i = 0; i < n; i++)
			if (chain[i].pid == next)
				cycle = true;
		if (cycle || next == cur)
			break;
		cur = next;
	}
	long tck = sysconf(_SC_CLK_TCK);
	if (tck <= 0)
		tck = 100;
	uint64_t off = boot_to_mono_offset_ns();
	char *cmd = calloc(1, MAX_ARGV_BYTES + 1);
	if (!cmd) {
		snprintf(err, errlen, "seed: out of memory");
		return -ENOMEM;
	}
	int rc = 0;
	/* Oldest first, so that each finds its parent already in the table. */
	for (size_t i = n; i-- > 0;) {
		const struct as_proc_stat *s = &chain[i];
		struct node *have = lookup(pt, s->pid);
		if (have && !have->p.exited)
			continue;
		uint64_t start = s->starttime_ticks * (1000000000ull / (uint64_t)tck);
		start = start > off ? start - off : 0;
		struct node *nd = create(pt, s->pid, s->ppid, 0);
		if (!nd) {
			rc = -ENOMEM;
			break;
		}
		nd->p.seeded = true;
		nd->p.start_ns = start;
		set_comm(nd->p.comm, s->comm);
		snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root, s->pid);
		ssize_t clen = read_small(path, cmd, MAX_ARGV_BYTES + 1);
		char exe[4096];
		snprintf(path, sizeof(path), "%s/%d/exe", proc_root, s->pid);
		ssize_t elen = readlink(path, exe, sizeof(exe) - 1);
		if (elen >= 0)
			exe[elen] = 0;
		if (clen > 0 &&
		    set_cmdline(&nd->p, cmd, (size_t)clen, elen >= 0 ? exe : NULL) != 0) {
			rc = -ENOMEM;
			break;
		}
		enforce_bounds(pt, nd);
	}
	free(cmd);
	if (rc)
		snprintf(err, errlen, "seed: out of memory");
	return rc;
}
