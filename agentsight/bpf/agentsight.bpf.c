// SPDX-License-Identifier: MIT OR GPL-2.0
/* agentsight.bpf.c: what AgentSight sees of an agent from the kernel.
 *
 * Hooks, all available without kprobes:
 * - uprobes and uretprobes on TLS libraries: OpenSSL's SSL_read/SSL_write and
 *   their _ex variants, SSL_do_handshake and SSL_free; GnuTLS's
 *   gnutls_record_recv/send, gnutls_handshake and gnutls_deinit. User space
 *   attaches them per library (shared, static by symbol, or found by byte
 *   signature) with a cookie naming the library. The plaintext is read at
 *   return, when the length is known, and sent in AS_TLS_CHUNK pieces.
 * - tp_btf sched_process_fork/exec/exit: the process tree, argv, exit codes.
 * - syscall tracepoints: openat/open, write, unlink(at), rename(at/at2),
 *   connect, accept(4), bind.
 *
 * Filtering happens here, first thing in every program: in AS_FILTER_TRACKED
 * mode only thread groups in the `tracked` map count, and a tracked process's
 * children are added at fork, so "a command and all its descendants" costs one
 * hash lookup per event for everyone else. Threads share their group's entry,
 * so an agent whose HTTP runs in a thread with another name is still seen.
 *
 * Every record is built in a per-CPU scratch buffer and sent with
 * bpf_ringbuf_output at its real size; records that do not fit are counted in
 * `stats`, never lost silently. Wake-ups are batched: the reader is woken
 * only once WAKEUP_BYTES are waiting (it also polls on a timer), so a busy
 * agent does not cost a context switch per record.
 *
 * Opens of devices under /dev (but /dev/shm) in any mode, and read-only opens
 * of system files (paths under /usr, /lib*, /proc, /sys and /etc/ld.so.*),
 * are dropped here, before any path is resolved, unless `keep_system_opens`
 * is set: every program start makes dozens of them.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "agentsight.h"

/* libbpf 1.1 names its uprobe argument macros after kprobes; they are the same. */

#define AT_FDCWD    -100
#define AF_UNIX	    1
#define AF_INET	    2
#define AF_INET6    10
#define S_IFMT	    00170000
#define S_IFREG	    0100000
#define S_IFSOCK    0140000
#define SOCK_STREAM 1

const volatile __u32 filter_mode = AS_FILTER_ALL;
const volatile __u32 self_tgid = 0;
/* Start tracking any process that execs a binary with this comm (empty: off). */
const volatile char track_comm[AS_COMM_LEN] = {};
const volatile __u8 trace_files = 1;
const volatile __u8 trace_net = 1;
const volatile __u8 keep_system_opens = 0;
/* Keys mode: TCP bytes of tracked processes and TLS secrets, instead of
 * plaintext at SSL_read/SSL_write (see "Keys mode" below). */
const volatile __u8 tls_keys = 0;

/* Bytes waiting in the ring buffer before the reader is woken. */
#define WAKEUP_BYTES (256 * 1024)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} events SEC(".maps");

/* Thread groups being watched; value: the tgid whose tracking it inherits. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u32);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AS_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* One scratch record per CPU, large enough for the largest record type. */
union as_scratch {
	struct as_rec_tls tls;
	struct as_rec_exec exec;
	struct as_rec_file file;
	struct as_rec_net net;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, union as_scratch);
} scratch SEC(".maps");

/* Path building space: components are written backwards from the middle. */
#define PATH_BUF   4096
#define PATH_HALF  (PATH_BUF / 2)
#define PATH_DEPTH 32
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[PATH_BUF]);
} pathbuf SEC(".maps");

/* A TLS call between entry and return, keyed by thread. */
struct tls_call {
	__u64 conn;
	__u64 buf;
	__u64 len_ptr; /* _ex variants: where the library stores the byte count */
	__u8 dir;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct tls_call);
} tls_calls SEC(".maps");

/* A syscall between entry and exit, keyed by thread. */
struct sys_call {
	__u64 args[4];
	__u32 nr; /* which hook saved it: enum as_rec_type of the record to send */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct sys_call);
} sys_calls SEC(".maps");

/* Open files a tracked process has written to: a file's first write carries
 * its resolved path; later writes only the fd. Key: (tgid << 32) ^ file. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u8);
} written_files SEC(".maps");

static __u64 call_counter;

static __always_inline void stat_add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		*v += n;
}

static __always_inline bool is_tracked(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (filter_mode == AS_FILTER_ALL)
		return true;
	return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

static __always_inline bool current_tracked(void)
{
	return is_tracked(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline void fill_hdr(struct as_rec_hdr *h, __u32 type)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	h->type = type;
	h->ts_ns = bpf_ktime_get_ns();
	h->pid = id >> 32;
	h->tid = (__u32)id;
	BPF_CORE_READ_STR_INTO(&h->comm, task, group_leader, comm);
}

/* Wake the reader only when enough is waiting; it polls on a timer too. */
static __always_inline __u64 wakeup_flags(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP
									     : BPF_RB_NO_WAKEUP;
}

static __always_inline void *get_scratch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void emit(void *rec, __u64 size)
{
	if (size > sizeof(union as_scratch))
		return;
	((struct as_rec_hdr *)rec)->size = size;
	if (bpf_ringbuf_output(&events, rec, size, wakeup_flags()) != 0)
		stat_add(AS_STAT_RINGBUF_DROPS, 1);
}

/* ---- TLS ------------------------------------------------------------------ */

/* The value of x86 register number r (rax 0, rcx 1, rdx 2, rbx 3, rsp 4,
 * rbp 5, rsi 6, rdi 7, r8..r15). */
static __always_inline __u64 reg_value(struct pt_regs *ctx, __u64 r)
{
#if defined(__TARGET_ARCH_x86)
	/* Copied out first: the verifier refuses a context read at a computed
	 * offset, which is what the compiler makes of a switch here. */
	__u64 regs[16] = {ctx->ax,  ctx->cx,  ctx->dx,	ctx->bx, 0,	   ctx->bp,
			  ctx->si,  ctx->di,  ctx->r8,	ctx->r9, ctx->r10, ctx->r11,
			  ctx->r12, ctx->r13, ctx->r14, ctx->r15};
	return regs[r & 15];
#else
	return 0;
#endif
}

/* Argument i (0-3) of the probed function: from where the ABI puts it, or,
 * when the probe sits past register moves (src/probesite.c), from the
 * register the attach cookie names. */
static __always_inline __u64 tls_arg(struct pt_regs *ctx, __u64 cookie, int i)
{
	if (cookie & AS_COOKIE_REMAP)
		return reg_value(ctx, (cookie >> (AS_COOKIE_ARG_SHIFT + 4 * i)) & 15);
	switch (i) {
	case 0:
		return PT_REGS_PARM1(ctx);
	case 1:
		return PT_REGS_PARM2(ctx);
	case 2:
		return PT_REGS_PARM3(ctx);
	default:
		return PT_REGS_PARM4(ctx);
	}
}

static __always_inline __u8 tls_lib(struct pt_regs *ctx)
{
	return bpf_get_attach_cookie(ctx) & AS_COOKIE_LIB_MASK;
}

static __always_inline int tls_enter(__u64 conn, __u64 buf, __u64 len_ptr, __u8 dir)
{
	if (!current_tracked())
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call c = {.conn = conn, .buf = buf, .len_ptr = len_ptr, .dir = dir};
	bpf_map_update_elem(&tls_calls, &id, &c, BPF_ANY);
	return 0;
}

struct chunk_ctx {
	__u64 buf;
	__u32 sendable;
};

/* bpf_loop callback: sends chunk i of the call whose header is in scratch. */
static long send_chunk(__u32 i, struct chunk_ctx *cc)
{
	struct as_rec_tls *rec = get_scratch();
	if (!rec)
		return 1;
	__u32 off = i * AS_TLS_CHUNK;

	if (off >= cc->sendable)
		return 1;
	__u32 n = cc->sendable - off;
	if (n > AS_TLS_CHUNK)
		n = AS_TLS_CHUNK;
	rec->offset = off;
	rec->len = n;
	rec->flags = 0;
	if (off + n >= cc->sendable)
		rec->flags |= AS_TLS_LAST_CHUNK;
	if (bpf_probe_read_user(rec->data, n, (void *)(cc->buf + off)) != 0) {
		rec->flags |= AS_TLS_READ_FAULT;
		stat_add(AS_STAT_READ_FAULTS, 1);
	}
	__u64 size = offsetof(struct as_rec_tls, data) + n;
	rec->h.size = size;
	if (bpf_ringbuf_output(&events, rec, size, wakeup_flags()) != 0) {
		stat_add(AS_STAT_RINGBUF_DROPS, 1);
		stat_add(AS_STAT_TLS_BYTES_LOST, n);
	}
	return 0;
}

/* Sends total bytes from the user buffer buf as chunk records, behind the
 * header and connection fields already filled in rec (the scratch record). */
static __always_inline void send_chunks(struct as_rec_tls *rec, __u64 buf, __u64 total)
{
	if (total > 0xffffffffULL)
		total = 0xffffffffULL;
	rec->call_id = __sync_fetch_and_add(&call_counter, 1);
	rec->total_len = total;
	__u64 limit = (__u64)AS_TLS_CHUNK * AS_TLS_MAX_CHUNKS;
	__u32 sendable = total > limit ? limit : total;
	rec->lost = total - sendable;
	if (rec->lost)
		stat_add(AS_STAT_TLS_BYTES_LOST, rec->lost);
	struct chunk_ctx cc = {.buf = buf, .sendable = sendable};
	bpf_loop(AS_TLS_MAX_CHUNKS, send_chunk, &cc, 0);
}

static __always_inline int tls_exit(struct pt_regs *ctx, bool ex_variant)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call *c = bpf_map_lookup_elem(&tls_calls, &id);
	if (!c)
		return 0;
	struct tls_call call = *c;
	bpf_map_delete_elem(&tls_calls, &id);

	/* OpenSSL returns int: the upper half of rax is undefined, so take the
	 * low 32 bits, sign-extended. GnuTLS's ssize_t counts never exceed
	 * what a record holds, so the same cast is exact for it too. */
	long ret = (int)PT_REGS_RC(ctx);
	__u64 total = 0;
	if (ex_variant) {
		/* SSL_read_ex/SSL_write_ex return 1 on success, OpenSSL 3's
		 * ssl_read_internal and ssl_write_internal more than 0; both
		 * store the count. */
		if (ret <= 0 || !call.len_ptr)
			return 0;
		bpf_probe_read_user(&total, sizeof(total), (void *)call.len_ptr);
	} else {
		if (ret <= 0)
			return 0;
		total = ret;
	}
	if (total == 0)
		return 0;

	struct as_rec_tls *rec = get_scratch();
	if (!rec)
		return 0;
	fill_hdr(&rec->h, AS_REC_TLS_DATA);
	rec->conn = call.conn;
	rec->dir = call.dir;
	rec->lib = tls_lib(ctx);
	send_chunks(rec, call.buf, total);
	return 0;
}

static __always_inline int tls_event(struct pt_regs *ctx, __u32 type, __u64 conn, long ret)
{
	if (!current_tracked())
		return 0;
	struct as_rec_tls_event rec = {};
	fill_hdr(&rec.h, type);
	rec.conn = conn;
	rec.ret = ret;
	rec.lib = tls_lib(ctx);
	emit(&rec, sizeof(rec));
	return 0;
}

/* int SSL_write(SSL *ssl, const void *buf, int num), and gnutls_record_send's
 * (session, data, size): the same three arguments. */
SEC("uprobe")
int as_tls_write_enter(struct pt_regs *ctx)
{
	__u64 ck = bpf_get_attach_cookie(ctx);
	return tls_enter(tls_arg(ctx, ck, 0), tls_arg(ctx, ck, 1), 0, AS_TLS_DIR_WRITE);
}

SEC("uprobe")
int as_tls_read_enter(struct pt_regs *ctx)
{
	__u64 ck = bpf_get_attach_cookie(ctx);
	return tls_enter(tls_arg(ctx, ck, 0), tls_arg(ctx, ck, 1), 0, AS_TLS_DIR_READ);
}

SEC("uretprobe")
int BPF_KRETPROBE(as_tls_rw_exit)
{
	return tls_exit(ctx, false);
}

/* int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written),
 * and OpenSSL 3's ssl_write_internal behind it and SSL_write, which takes
 * the same arguments and returns more than 0 on success. */
SEC("uprobe")
int as_tls_write_ex_enter(struct pt_regs *ctx)
{
	__u64 ck = bpf_get_attach_cookie(ctx);
	return tls_enter(tls_arg(ctx, ck, 0), tls_arg(ctx, ck, 1), tls_arg(ctx, ck, 3),
			 AS_TLS_DIR_WRITE);
}

/* int SSL_read_ex(SSL *s, void *buf, size_t num, size_t *readbytes), and
 * ssl_read_internal the same way. */
SEC("uprobe")
int as_tls_read_ex_enter(struct pt_regs *ctx)
{
	__u64 ck = bpf_get_attach_cookie(ctx);
	return tls_enter(tls_arg(ctx, ck, 0), tls_arg(ctx, ck, 1), tls_arg(ctx, ck, 3),
			 AS_TLS_DIR_READ);
}

SEC("uretprobe")
int BPF_KRETPROBE(as_tls_rw_ex_exit)
{
	return tls_exit(ctx, true);
}

/* SSL_do_handshake(SSL *) / gnutls_handshake(session): reported at return. */
SEC("uprobe")
int as_tls_handshake_enter(struct pt_regs *ctx)
{
	return tls_enter(tls_arg(ctx, bpf_get_attach_cookie(ctx), 0), 0, 0, 0xff);
}

SEC("uretprobe")
int BPF_KRETPROBE(as_tls_handshake_exit, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tls_call *c = bpf_map_lookup_elem(&tls_calls, &id);
	if (!c)
		return 0;
	__u64 conn = c->conn;
	bpf_map_delete_elem(&tls_calls, &id);
	return tls_event(ctx, AS_REC_TLS_HANDSHAKE, conn, ret);
}

/* SSL_free(SSL *) / gnutls_deinit(session): the connection is gone; its
 * pointer may be reused for the next one. */
SEC("uprobe")
int as_tls_close(struct pt_regs *ctx)
{
	return tls_event(ctx, AS_REC_TLS_CLOSE, tls_arg(ctx, bpf_get_attach_cookie(ctx), 0), 0);
}

/* ---- processes ------------------------------------------------------------ */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(as_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);

	if (ctgid == ptgid)
		return 0; /* a new thread, not a new process */
	if (!is_tracked(ptgid))
		return 0;
	if (filter_mode == AS_FILTER_TRACKED) {
		__u32 *root = bpf_map_lookup_elem(&tracked, &ptgid);
		__u32 r = root ? *root : ptgid;
		if (bpf_map_update_elem(&tracked, &ctgid, &r, BPF_ANY) != 0)
			stat_add(AS_STAT_TRACKED_FULL, 1);
	}
	struct as_rec_fork rec = {};
	fill_hdr(&rec.h, AS_REC_FORK);
	rec.parent_pid = ptgid;
	rec.child_pid = ctgid;
	emit(&rec, sizeof(rec));
	return 0;
}

static __always_inline bool comm_matches(const char *comm)
{
	if (track_comm[0] == 0)
		return false;
	for (int i = 0; i < AS_COMM_LEN; i++) {
		if (comm[i] != track_comm[i])
			return false;
		if (comm[i] == 0)
			return true;
	}
	return true;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(as_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (tgid == self_tgid)
		return 0;
	if (filter_mode == AS_FILTER_TRACKED && !bpf_map_lookup_elem(&tracked, &tgid)) {
		char comm[AS_COMM_LEN];
		BPF_CORE_READ_STR_INTO(&comm, p, comm);
		if (!comm_matches(comm))
			return 0;
		if (bpf_map_update_elem(&tracked, &tgid, &tgid, BPF_ANY) != 0) {
			stat_add(AS_STAT_TRACKED_FULL, 1);
			return 0;
		}
	}

	struct as_rec_exec *rec = get_scratch();
	if (!rec)
		return 0;
	fill_hdr(&rec->h, AS_REC_EXEC);
	rec->ppid = BPF_CORE_READ(p, real_parent, tgid);
	rec->old_pid = old_pid;
	rec->uid = BPF_CORE_READ(p, cred, uid.val);
	long n = bpf_probe_read_kernel_str(rec->filename, sizeof(rec->filename),
					   BPF_CORE_READ(bprm, filename));
	rec->filename_len = n > 0 ? n : 0;

	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	__u64 start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
	__u64 len = end > start ? end - start : 0;
	rec->argv_truncated = len > AS_ARGV_MAX;
	if (len > AS_ARGV_MAX)
		len = AS_ARGV_MAX;
	if (len && bpf_probe_read_user(rec->argv, len, (void *)start) != 0) {
		stat_add(AS_STAT_READ_FAULTS, 1);
		len = 0;
	}
	rec->argv_len = len;
	emit(rec, offsetof(struct as_rec_exec, argv) + len);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(as_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (!is_tracked(tgid))
		return 0;
	/* Threads exit one by one; report the process when the last one goes. */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;

	struct as_rec_exit rec = {};
	fill_hdr(&rec.h, AS_REC_EXIT);
	rec.h.pid = tgid;
	rec.ppid = BPF_CORE_READ(p, real_parent, tgid);
	int code = BPF_CORE_READ(p, exit_code);
	rec.exit_code = (code >> 8) & 0xff;
	rec.signal = code & 0x7f;
	rec.duration_ns = bpf_ktime_get_ns() - BPF_CORE_READ(p, start_time);
	emit(&rec, sizeof(rec));
	if (filter_mode == AS_FILTER_TRACKED)
		bpf_map_delete_elem(&tracked, &tgid);
	return 0;
}

/* ---- paths ----------------------------------------------------------------- */

struct path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	__u32 pos; /* start of what is written so far, in buf[0..PATH_HALF] */
	bool ok;
};

/* bpf_loop callback: prepends one path component, or crosses a mount. */
static long path_step(__u32 i, struct path_walk *w)
{
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&pathbuf, &zero);
	if (!buf)
		return 1;
	/* Locals, not w->...: CO-RE relocations must name kernel types only. */
	struct dentry *d = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	struct dentry *root = BPF_CORE_READ(vfsmnt, mnt_root);

	if (d == root) {
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
		if (parent == mnt) {
			w->ok = true; /* the root of the whole tree */
			return 1;
		}
		/* Cross to the mount point in the parent mount. */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = parent;
		w->vfsmnt = &parent->mnt;
		return 0;
	}
	struct dentry *up = BPF_CORE_READ(d, d_parent);
	if (up == d) {
		w->ok = true;
		return 1;
	}
	struct qstr name = BPF_CORE_READ(d, d_name);
	__u32 len = name.len;
	if (len == 0 || len >= PATH_HALF / 2 || len + 1 > w->pos)
		return 1; /* too long: leave ok false */
	__u32 pos = w->pos - len - 1;
	if (pos >= PATH_HALF)
		return 1;
	bpf_probe_read_kernel(buf + pos + 1, len & (PATH_HALF / 2 - 1), name.name);
	buf[pos & (PATH_BUF - 1)] = '/';
	w->pos = pos;
	w->dentry = up;
	return 0;
}

/* Writes the absolute path of `path` into out (NUL-terminated); returns its
 * length with the NUL, or 0 when it could not be resolved. */
static __always_inline __u32 resolve_path(const struct path *path, char *out)
{
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&pathbuf, &zero);
	if (!buf)
		return 0;
	struct path_walk w = {.pos = PATH_HALF, .ok = false};
	w.dentry = BPF_CORE_READ(path, dentry);
	w.vfsmnt = BPF_CORE_READ(path, mnt);
	w.mnt = container_of(w.vfsmnt, struct mount, mnt);
	bpf_loop(PATH_DEPTH, path_step, &w, 0);
	if (!w.ok)
		return 0;
	__u32 pos = w.pos;
	if (pos == PATH_HALF) {
		out[0] = '/';
		out[1] = 0;
		return 2;
	}
	if (pos >= PATH_HALF)
		return 0;
	__u32 len = PATH_HALF - pos;
	if (len >= AS_PATH_MAX)
		return 0;
	bpf_probe_read_kernel(out, len & (AS_PATH_MAX - 1), buf + (pos & (PATH_HALF - 1)));
	out[len & (AS_PATH_MAX - 1)] = 0;
	return len + 1;
}

/* The struct file behind a descriptor of the current process, or NULL. */
static __always_inline struct file *current_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct files_struct *files = BPF_CORE_READ(task, files);
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* The registers the task entered the kernel with: at a syscall's exit
 * tracepoint they still hold its arguments, so one exit program can do the
 * work of an entry and an exit program and their per-thread map. */
static __always_inline struct pt_regs *syscall_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* Whether an open file is a TCP socket (an AF_INET or AF_INET6 stream). */
static __always_inline bool tcp_socket(struct file *f)
{
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return false;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return false;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 type = BPF_CORE_READ(sk, sk_type);
	return (family == AF_INET || family == AF_INET6) && type == SOCK_STREAM;
}

/* Copies a user path, made absolute when it is relative to AT_FDCWD or to a
 * directory descriptor. Returns the length with the NUL; *abs says whether it
 * is absolute. */
static __always_inline __u32 read_user_path(char *out, int dirfd, const char *upath, __u8 *abs)
{
	char first = 0;
	bpf_probe_read_user(&first, 1, upath);
	*abs = 0;
	if (first != '/') {
		struct path base;
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		if (dirfd == AT_FDCWD) {
			base = BPF_CORE_READ(task, fs, pwd);
		} else {
			struct file *f = current_file(dirfd);
			if (!f)
				goto as_given;
			base = BPF_CORE_READ(f, f_path);
		}
		__u32 n = resolve_path(&base, out);
		if (n < 2 || n >= AS_PATH_MAX / 2)
			goto as_given;
		__u32 at = n - 1; /* over the NUL */
		if (!(at == 1 && out[0] == '/')) {
			out[at & (AS_PATH_MAX / 2 - 1)] = '/';
			at++;
		}
		long m = bpf_probe_read_user_str(out + (at & (AS_PATH_MAX / 2 - 1)),
						 AS_PATH_MAX / 2, upath);
		if (m <= 0)
			goto as_given;
		*abs = 1;
		return at + m;
	}
as_given:;
	long m = bpf_probe_read_user_str(out, AS_PATH_MAX, upath);
	if (m <= 0) {
		stat_add(AS_STAT_READ_FAULTS, 1);
		out[0] = 0;
		return 1;
	}
	*abs = first == '/';
	return m;
}

/* ---- files ------------------------------------------------------------------ */

static __always_inline int save_call(__u32 type, __u64 a0, __u64 a1, __u64 a2, __u64 a3)
{
	if (!current_tracked())
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	struct sys_call c = {.args = {a0, a1, a2, a3}, .nr = type};
	bpf_map_update_elem(&sys_calls, &id, &c, BPF_ANY);
	return 0;
}

static __always_inline struct sys_call *take_call(__u32 type, struct sys_call *copy)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sys_call *c = bpf_map_lookup_elem(&sys_calls, &id);
	if (!c || c->nr != type)
		return NULL;
	*copy = *c;
	bpf_map_delete_elem(&sys_calls, &id);
	return copy;
}

/* Sends only as much of the paths as there is: the second path (rename)
 * sits at a fixed offset, so a record that has one is sent whole. */
static __always_inline __u64 file_rec_size(struct as_rec_file *rec)
{
	if (rec->path2_len)
		return sizeof(*rec);
	__u32 n = rec->path_len;
	if (n > AS_PATH_MAX)
		n = AS_PATH_MAX;
	return offsetof(struct as_rec_file, path) + n;
}

#define O_ACCMODE 00000003
#define O_RDONLY  00000000
#define O_CREAT	  00000100

static __always_inline bool prefix(const char *s, const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

/* A read-only open of a file that belongs to the system (see the top). */
static __always_inline bool system_open(const char *upath, __u64 flags)
{
	if (keep_system_opens)
		return false;
	char p[12] = {};
	bpf_probe_read_user(p, sizeof(p) - 1, upath);
	/* Devices in any mode (a shell's `> /dev/null`), but not /dev/shm,
	 * where programs keep real files. */
	if (prefix(p, "/dev/", 5) && !prefix(p, "/dev/shm/", 9))
		return true;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT))
		return false;
	return prefix(p, "/usr/", 5) || prefix(p, "/lib/", 5) || prefix(p, "/lib64/", 7) ||
	       prefix(p, "/lib32/", 7) || prefix(p, "/proc/", 6) || prefix(p, "/sys/", 5) ||
	       prefix(p, "/etc/ld.so.", 11);
}

/* open and openat, at their return: the arguments come from the saved
 * registers (see syscall_regs), so there is no entry program. */
static __always_inline int open_exit(struct trace_event_raw_sys_exit *ctx, bool at)
{
	if (!trace_files || !current_tracked())
		return 0;
	struct pt_regs *regs = syscall_regs();
	/* The path and the flags first: most opens stop at the filter, and
	 * each register is one read. */
	const char *upath = (const char *)(at ? PT_REGS_PARM2_CORE_SYSCALL(regs)
					      : PT_REGS_PARM1_CORE_SYSCALL(regs));
	__u64 flags = at ? PT_REGS_PARM3_CORE_SYSCALL(regs) : PT_REGS_PARM2_CORE_SYSCALL(regs);
	if (system_open(upath, flags)) {
		stat_add(AS_STAT_OPENS_FILTERED, 1);
		return 0;
	}
	long dirfd = at ? (long)PT_REGS_PARM1_CORE_SYSCALL(regs) : AT_FDCWD;
	__u64 mode = at ? PT_REGS_PARM4_CORE_SYSCALL(regs) : PT_REGS_PARM3_CORE_SYSCALL(regs);
	struct as_rec_file *rec = get_scratch();
	if (!rec)
		return 0;
	fill_hdr(&rec->h, AS_REC_FILE_OPEN);
	rec->ret = ctx->ret;
	rec->flags = flags;
	rec->mode = mode;
	rec->bytes = 0;
	rec->fd = ctx->ret >= 0 ? ctx->ret : 0;
	rec->path2_len = 0;
	rec->first_write = 0;
	__u8 abs = 0;
	/* A successful open resolves through the file itself (symlinks followed). */
	struct file *f = ctx->ret >= 0 ? current_file(ctx->ret) : NULL;
	if (f) {
		/* A new open file: a struct file reused from a closed one must
		 * not inherit its "already written" mark. */
		__u64 key = ((__u64)rec->h.pid << 32) ^ (__u64)f;
		bpf_map_delete_elem(&written_files, &key);
	}
	__u32 n = 0;
	if (f) {
		struct path p = BPF_CORE_READ(f, f_path);
		n = resolve_path(&p, rec->path);
		abs = n > 0;
	}
	if (!n)
		n = read_user_path(rec->path, (int)dirfd, upath, &abs);
	rec->path_len = n;
	rec->path_abs = abs;
	emit(rec, file_rec_size(rec));
	return 0;
}

SEC("tp/syscalls/sys_exit_openat")
int as_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx, true);
}

SEC("tp/syscalls/sys_exit_open")
int as_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx, false);
}

SEC("tp/syscalls/sys_enter_write")
int as_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	if (!trace_files || !current_tracked())
		return 0;
	int fd = ctx->args[0];
	struct file *f = current_file(fd);
	if (!f)
		return 0;
	/* Only regular files: not pipes, sockets or terminals. */
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFREG)
		return 0;

	struct as_rec_file *rec = get_scratch();
	if (!rec)
		return 0;
	fill_hdr(&rec->h, AS_REC_FILE_WRITE);
	rec->ret = 0;
	rec->bytes = ctx->args[2];
	rec->fd = fd;
	rec->flags = 0;
	rec->mode = 0;
	rec->path2_len = 0;
	rec->path_abs = 0;
	rec->path_len = 0;
	__u64 key = ((__u64)rec->h.pid << 32) ^ (__u64)f;
	rec->first_write = bpf_map_lookup_elem(&written_files, &key) == NULL;
	if (rec->first_write) {
		__u8 one = 1;
		bpf_map_update_elem(&written_files, &key, &one, BPF_ANY);
		struct path p = BPF_CORE_READ(f, f_path);
		rec->path_len = resolve_path(&p, rec->path);
		rec->path_abs = rec->path_len > 0;
	}
	emit(rec, file_rec_size(rec));
	return 0;
}

SEC("tp/syscalls/sys_enter_unlinkat")
int as_enter_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
	if (!trace_files)
		return 0;
	return save_call(AS_REC_FILE_UNLINK, ctx->args[0], ctx->args[1], ctx->args[2], 0);
}

SEC("tp/syscalls/sys_enter_unlink")
int as_enter_unlink(struct trace_event_raw_sys_enter *ctx)
{
	if (!trace_files)
		return 0;
	return save_call(AS_REC_FILE_UNLINK, (__u64)(long)AT_FDCWD, ctx->args[0], 0, 0);
}

static __always_inline int unlink_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_call c;
	if (!take_call(AS_REC_FILE_UNLINK, &c))
		return 0;
	struct as_rec_file *rec = get_scratch();
	if (!rec)
		return 0;
	fill_hdr(&rec->h, AS_REC_FILE_UNLINK);
	rec->ret = ctx->ret;
	rec->bytes = 0;
	rec->fd = 0;
	rec->flags = c.args[2];
	rec->mode = 0;
	rec->path2_len = 0;
	rec->first_write = 0;
	/* Resolving happens after the fact: the directories are still there. */
	__u8 abs = 0;
	rec->path_len = read_user_path(rec->path, (int)c.args[0], (const char *)c.args[1], &abs);
	rec->path_abs = abs;
	emit(rec, file_rec_size(rec));
	return 0;
}

SEC("tp/syscalls/sys_exit_unlinkat")
int as_exit_unlinkat(struct trace_event_raw_sys_exit *ctx)
{
	return unlink_exit(ctx);
}

SEC("tp/syscalls/sys_exit_unlink")
int as_exit_unlink(struct trace_event_raw_sys_exit *ctx)
{
	return unlink_exit(ctx);
}

/* renameat2(olddirfd, oldpath, newdirfd, newpath, flags) and friends. The
 * saved args: olddirfd, oldpath, newdirfd, newpath. */
SEC("tp/syscalls/sys_enter_renameat2")
int as_enter_renameat2(struct trace_event_raw_sys_enter *ctx)
{
	if (!trace_files)
		return 0;
	return save_call(AS_REC_FILE_RENAME, ctx->args[0], ctx->args[1], ctx->args[2],
			 ctx->args[3]);
}

SEC("tp/syscalls/sys_enter_renameat")
int as_enter_renameat(struct trace_event_raw_sys_enter *ctx)
{
	if (!trace_files)
		return 0;
	return save_call(AS_REC_FILE_RENAME, ctx->args[0], ctx->args[1], ctx->args[2],
			 ctx->args[3]);
}

SEC("tp/syscalls/sys_enter_rename")
int as_enter_rename(struct trace_event_raw_sys_enter *ctx)
{
	if (!trace_files)
		return 0;
	return save_call(AS_REC_FILE_RENAME, (__u64)(long)AT_FDCWD, ctx->args[0],
			 (__u64)(long)AT_FDCWD, ctx->args[1]);
}

static __always_inline int rename_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct sys_call c;
	if (!take_call(AS_REC_FILE_RENAME, &c))
		return 0;
	struct as_rec_file *rec = get_scratch();
	if (!rec)
		return 0;
	fill_hdr(&rec->h, AS_REC_FILE_RENAME);
	rec->ret = ctx->ret;
	rec->bytes = 0;
	rec->fd = 0;
	rec->flags = 0;
	rec->mode = 0;
	rec->first_write = 0;
	__u8 abs1 = 0, abs2 = 0;
	rec->path_len = read_user_path(rec->path, (int)c.args[0], (const char *)c.args[1], &abs1);
	rec->path2_len = read_user_path(rec->path2, (int)c.args[2], (const char *)c.args[3], &abs2);
	if (!rec->path2_len)
		rec->path2_len = 1;
	rec->path_abs = abs1 | (abs2 << 1);
	emit(rec, file_rec_size(rec));
	return 0;
}

SEC("tp/syscalls/sys_exit_renameat2")
int as_exit_renameat2(struct trace_event_raw_sys_exit *ctx)
{
	return rename_exit(ctx);
}

SEC("tp/syscalls/sys_exit_renameat")
int as_exit_renameat(struct trace_event_raw_sys_exit *ctx)
{
	return rename_exit(ctx);
}

SEC("tp/syscalls/sys_exit_rename")
int as_exit_rename(struct trace_event_raw_sys_exit *ctx)
{
	return rename_exit(ctx);
}

/* ---- network ---------------------------------------------------------------- */

static __always_inline void read_sockaddr(struct as_rec_net *rec, const void *uaddr)
{
	__u16 family = 0;
	bpf_probe_read_user(&family, sizeof(family), uaddr);
	rec->family = family;
	rec->port = 0;
	__builtin_memset(rec->addr, 0, sizeof(rec->addr));
	rec->unix_path[0] = 0;
	if (family == AF_INET) {
		struct sockaddr_in sin = {};
		bpf_probe_read_user(&sin, sizeof(sin), uaddr);
		rec->port = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(rec->addr, &sin.sin_addr, 4);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 sin6 = {};
		bpf_probe_read_user(&sin6, sizeof(sin6), uaddr);
		rec->port = bpf_ntohs(sin6.sin6_port);
		__builtin_memcpy(rec->addr, &sin6.sin6_addr, 16);
	} else if (family == AF_UNIX) {
		bpf_probe_read_user_str(rec->unix_path, sizeof(rec->unix_path),
					(const char *)uaddr + 2);
	}
}

SEC("tp/syscalls/sys_enter_connect")
int as_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	if (!trace_net)
		return 0;
	return save_call(AS_REC_NET_CONNECT, ctx->args[0], ctx->args[1], ctx->args[2], 0);
}

SEC("tp/syscalls/sys_enter_bind")
int as_enter_bind(struct trace_event_raw_sys_enter *ctx)
{
	if (!trace_net)
		return 0;
	return save_call(AS_REC_NET_BIND, ctx->args[0], ctx->args[1], ctx->args[2], 0);
}

SEC("tp/syscalls/sys_enter_accept4")
int as_enter_accept4(struct trace_event_raw_sys_enter *ctx)
{
	if (!trace_net)
		return 0;
	return save_call(AS_REC_NET_ACCEPT, ctx->args[0], ctx->args[1], ctx->args[2], 0);
}

SEC("tp/syscalls/sys_enter_accept")
int as_enter_accept(struct trace_event_raw_sys_enter *ctx)
{
	if (!trace_net)
		return 0;
	return save_call(AS_REC_NET_ACCEPT, ctx->args[0], ctx->args[1], ctx->args[2], 0);
}

static __always_inline int net_exit(struct trace_event_raw_sys_exit *ctx, __u32 type)
{
	struct sys_call c;
	if (!take_call(type, &c))
		return 0;
	struct as_rec_net *rec = get_scratch();
	if (!rec)
		return 0;
	fill_hdr(&rec->h, type);
	rec->ret = ctx->ret;
	rec->fd = type == AS_REC_NET_ACCEPT ? (ctx->ret >= 0 ? ctx->ret : 0) : c.args[0];
	if (c.args[1])
		read_sockaddr(rec, (const void *)c.args[1]);
	else
		rec->family = 0;
	emit(rec, sizeof(*rec));
	return 0;
}

SEC("tp/syscalls/sys_exit_connect")
int as_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	return net_exit(ctx, AS_REC_NET_CONNECT);
}

SEC("tp/syscalls/sys_exit_bind")
int as_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	return net_exit(ctx, AS_REC_NET_BIND);
}

SEC("tp/syscalls/sys_exit_accept4")
int as_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return net_exit(ctx, AS_REC_NET_ACCEPT);
}

SEC("tp/syscalls/sys_exit_accept")
int as_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return net_exit(ctx, AS_REC_NET_ACCEPT);
}

/* ---- keys mode ----------------------------------------------------------------
 *
 * Two uprobe traps per request (SSL_write's and SSL_read's entries) are the
 * floor of the plaintext mode, and a trap is slow on some machines (10 us in
 * a Firecracker VM). Keys mode traps once per secret instead, a handful per
 * handshake: ssl_log_secret, the function behind SSLKEYLOGFILE, which
 * OpenSSL calls for every secret whether or not a key log is configured.
 * The bytes themselves are taken at the socket syscalls, which pass the
 * syscall tracepoints with no trap, and user space decrypts them
 * (src/tlsdec.c). */

/* int ssl_log_secret(SSL *ssl, const char *label, const uint8_t *secret,
 *                    size_t secret_len) */
SEC("uprobe")
int as_tls_keylog(struct pt_regs *ctx)
{
	if (!current_tracked())
		return 0;
	__u64 ck = bpf_get_attach_cookie(ctx);
	__u64 ssl = tls_arg(ctx, ck, 0);
	const char *label = (const char *)tls_arg(ctx, ck, 1);
	const __u8 *secret = (const __u8 *)tls_arg(ctx, ck, 2);
	__u64 secret_len = tls_arg(ctx, ck, 3);
	struct as_rec_tls_key rec = {};
	fill_hdr(&rec.h, AS_REC_TLS_KEY);
	rec.conn = (__u64)ssl;
	__u32 n = secret_len > AS_KEY_SECRET_MAX ? AS_KEY_SECRET_MAX : secret_len;
	rec.secret_len = n;
	bpf_probe_read_user_str(rec.label, sizeof(rec.label), label);
	bpf_probe_read_user(rec.secret, n & (AS_KEY_SECRET_MAX * 2 - 1), secret);
	emit(&rec, sizeof(rec));
	return 0;
}

/* The scratch record with the header of socket bytes for fd. */
static __always_inline struct as_rec_tls *sock_scratch(long fd, __u8 dir)
{
	struct as_rec_tls *rec = get_scratch();
	if (!rec)
		return NULL;
	fill_hdr(&rec->h, AS_REC_SOCK_DATA);
	rec->conn = (__u32)fd;
	rec->dir = dir;
	rec->lib = AS_TLS_LIB_SOCKET;
	return rec;
}

/* The same, for a TCP socket only. */
static __always_inline struct as_rec_tls *sock_rec(long fd, __u8 dir)
{
	struct file *f = current_file((int)fd);
	if (!f || !tcp_socket(f))
		return NULL;
	return sock_scratch(fd, dir);
}

/* read, write, recvfrom, sendto: (fd, buf, len, ...) */
static __always_inline int sock_exit(struct trace_event_raw_sys_exit *ctx, __u8 dir)
{
	long ret = ctx->ret;
	if (ret <= 0 || !tls_keys || !current_tracked())
		return 0;
	struct pt_regs *regs = syscall_regs();
	long fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	__u64 buf = PT_REGS_PARM2_CORE_SYSCALL(regs);
	struct as_rec_tls *rec = sock_rec(fd, dir);
	if (rec)
		send_chunks(rec, buf, ret);
	return 0;
}

SEC("tp/syscalls/sys_exit_write")
int as_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	return sock_exit(ctx, AS_TLS_DIR_WRITE);
}

SEC("tp/syscalls/sys_exit_read")
int as_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return sock_exit(ctx, AS_TLS_DIR_READ);
}

SEC("tp/syscalls/sys_exit_sendto")
int as_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return sock_exit(ctx, AS_TLS_DIR_WRITE);
}

SEC("tp/syscalls/sys_exit_recvfrom")
int as_exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	return sock_exit(ctx, AS_TLS_DIR_READ);
}

/* writev (libuv's, for Node.js): each iovec as its own run of chunks, up to
 * AS_IOV_MAX of them; what lies beyond is counted as lost. */
#define AS_IOV_MAX 4
struct iov_entry {
	__u64 base;
	__u64 len;
};

SEC("tp/syscalls/sys_exit_writev")
int as_exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	long left = ctx->ret;
	if (left <= 0 || !tls_keys || !current_tracked())
		return 0;
	struct pt_regs *regs = syscall_regs();
	long fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	__u64 iov_ptr = PT_REGS_PARM2_CORE_SYSCALL(regs);
	__u64 iovcnt = PT_REGS_PARM3_CORE_SYSCALL(regs);
	struct file *f = current_file((int)fd);
	if (!f || !tcp_socket(f))
		return 0;
	for (int i = 0; i < AS_IOV_MAX; i++) {
		if (i >= iovcnt || left <= 0)
			break;
		struct iov_entry iov = {};
		bpf_probe_read_user(&iov, sizeof(iov), (void *)(iov_ptr + i * sizeof(iov)));
		__u64 n = iov.len < (__u64)left ? iov.len : (__u64)left;
		if (!n)
			continue;
		struct as_rec_tls *rec = sock_scratch(fd, AS_TLS_DIR_WRITE);
		if (!rec)
			return 0;
		send_chunks(rec, iov.base, n);
		left -= n;
	}
	if (left > 0)
		stat_add(AS_STAT_TLS_BYTES_LOST, left);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
