/* capture: the loader of agentsight.bpf.c and TLS library discovery (see
 * capture.h).
 */
#include "capture.h"

#include "agentsight.skel.h"
#include "bpfenv.h"
#include "elfsym.h"
#include "probesite.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TLS_FILES 64
#define MAX_TLS_LINKS 512
#define MAX_INSPECTED 256

struct tls_file {
	dev_t dev;
	ino_t ino;
	time_t mtime;
	enum as_tls_lib lib; /* inspected[]: the search that found nothing */
};

struct as_capture {
	struct agentsight_bpf *skel;
	struct ring_buffer *rb;
	struct as_capture_opts opts;
	struct tls_file files[MAX_TLS_FILES];
	size_t nfiles;
	/* Files searched in vain, so that the ELF of a program exec'd again and
	 * again (a build's compilers, a shell loop's cat) is read once. */
	struct tls_file inspected[MAX_INSPECTED];
	size_t ninspected;
	struct bpf_link *links[MAX_TLS_LINKS];
	size_t nlinks;
	uint64_t records;
	const struct as_sigset *sigs; /* keys mode: finds ssl_log_secret in libssl */
};

static void logf_(struct as_capture *cap, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(struct as_capture *cap, const char *fmt, ...)
{
	if (!cap->opts.on_log)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cap->opts.on_log(cap->opts.ctx, msg);
}

static int on_ring_record(void *ctx, void *data, size_t size)
{
	struct as_capture *cap = ctx;
	if (size < sizeof(struct as_rec_hdr))
		return 0;
	cap->records++;
	if (cap->opts.on_record)
		cap->opts.on_record(cap->opts.ctx, data, size);
	return 0;
}

/* Programs that user space attaches by hand, per TLS library. */
static void disable_autoattach(struct agentsight_bpf *skel)
{
	struct bpf_program *progs[] = {
		skel->progs.as_tls_write_enter,	    skel->progs.as_tls_read_enter,
		skel->progs.as_tls_rw_exit,	    skel->progs.as_tls_write_ex_enter,
		skel->progs.as_tls_read_ex_enter,   skel->progs.as_tls_rw_ex_exit,
		skel->progs.as_tls_handshake_enter, skel->progs.as_tls_handshake_exit,
		skel->progs.as_tls_close,	    skel->progs.as_tls_keylog,
	};
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		bpf_program__set_autoattach(progs[i], false);
}

/* Leaves out the programs whose section names contain any of parts. */
static void skip_programs(struct agentsight_bpf *skel, const char *const *parts, size_t n)
{
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj)
	{
		const char *sec = bpf_program__section_name(prog);
		for (size_t i = 0; i < n; i++)
			if (strstr(sec, parts[i]))
				bpf_program__set_autoload(prog, false);
	}
}

int as_capture_open(struct as_capture **out, const struct as_capture_opts *opts, char *err,
		    size_t errlen)
{
	*out = NULL;
	int rc = bpfenv_check_privileges(err, errlen);
	if (rc)
		return rc;
	bool mounted;
	rc = bpfenv_ensure_tracefs(&mounted, err, errlen);
	if (rc)
		return rc;

	struct as_capture *cap = calloc(1, sizeof(*cap));
	if (!cap) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	cap->opts = *opts;
	cap->skel = agentsight_bpf__open();
	if (!cap->skel) {
		rc = -errno;
		snprintf(err, errlen, "opening the BPF object failed: %s", strerror(-rc));
		free(cap);
		return rc;
	}
	struct agentsight_bpf *skel = cap->skel;
	skel->rodata->filter_mode = opts->filter_tracked ? AS_FILTER_TRACKED : AS_FILTER_ALL;
	skel->rodata->self_tgid = getpid();
	skel->rodata->trace_files = opts->trace_files;
	skel->rodata->trace_net = opts->trace_net;
	skel->rodata->keep_system_opens = opts->keep_system_opens;
	skel->rodata->tls_keys = opts->trace_tls && opts->tls_keys;
	if (opts->track_comm) {
		char comm[AS_COMM_LEN] = {0};
		strncpy(comm, opts->track_comm, AS_COMM_LEN - 1);
		memcpy((char *)skel->rodata->track_comm, comm, AS_COMM_LEN);
	}
	if (opts->ringbuf_bytes)
		bpf_map__set_max_entries(skel->maps.events, opts->ringbuf_bytes);
	disable_autoattach(skel);
	static const char *const file_progs[] = {"open", "sys_enter_write", "unlink", "rename"};
	static const char *const net_progs[] = {"connect", "accept", "bind"};
	static const char *const sock_progs[] = {"sys_exit_write", "sys_exit_read", "sendto",
						 "recvfrom", "writev"};
	if (!opts->trace_files)
		skip_programs(skel, file_progs, 4);
	if (!(opts->trace_tls && opts->tls_keys))
		skip_programs(skel, sock_progs, 5);
	if (!opts->trace_net)
		skip_programs(skel, net_progs, 3);

	rc = agentsight_bpf__load(skel);
	if (rc) {
		snprintf(err, errlen,
			 "loading the BPF programs failed: %s (run with -v for the verifier's log)",
			 strerror(-rc));
		goto fail;
	}
	rc = agentsight_bpf__attach(skel);
	if (rc) {
		snprintf(err, errlen, "attaching the tracepoints failed: %s", strerror(-rc));
		goto fail;
	}
	cap->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_ring_record, cap, NULL);
	if (!cap->rb) {
		rc = -errno;
		snprintf(err, errlen, "creating the ring buffer reader failed: %s", strerror(-rc));
		goto fail;
	}
	*out = cap;
	return 0;
fail:
	agentsight_bpf__destroy(skel);
	free(cap);
	return rc;
}

void as_capture_set_sigs(struct as_capture *cap, const struct as_sigset *sigs)
{
	cap->sigs = sigs;
}

int as_capture_track_pid(struct as_capture *cap, pid_t pid)
{
	__u32 key = pid, val = pid;
	if (bpf_map__update_elem(cap->skel->maps.tracked, &key, sizeof(key), &val, sizeof(val),
				 BPF_ANY) != 0)
		return -errno;
	return 0;
}

struct probe_spec {
	const char *func;
	struct bpf_program *enter;
	struct bpf_program *exit;
	unsigned nargs; /* arguments the programs read */
};

/* The probes for each hooked function, in the order of as_openssl_funcs
 * or as_gnutls_funcs. */
static void openssl_specs(struct agentsight_bpf *s, struct probe_spec *spec)
{
	struct probe_spec v[] = {
		{"SSL_write", s->progs.as_tls_write_enter, s->progs.as_tls_rw_exit, 2},
		{"SSL_read", s->progs.as_tls_read_enter, s->progs.as_tls_rw_exit, 2},
		{"SSL_write_ex", s->progs.as_tls_write_ex_enter, s->progs.as_tls_rw_ex_exit, 4},
		{"SSL_read_ex", s->progs.as_tls_read_ex_enter, s->progs.as_tls_rw_ex_exit, 4},
		{"SSL_do_handshake", s->progs.as_tls_handshake_enter,
		 s->progs.as_tls_handshake_exit, 1},
		{"SSL_free", s->progs.as_tls_close, NULL, 1},
		{"ssl_log_secret", s->progs.as_tls_keylog, NULL, 4},
	};
	memcpy(spec, v, sizeof(v));
}

static void gnutls_specs(struct agentsight_bpf *s, struct probe_spec *spec)
{
	struct probe_spec v[] = {
		{"gnutls_record_send", s->progs.as_tls_write_enter, s->progs.as_tls_rw_exit, 2},
		{"gnutls_record_recv", s->progs.as_tls_read_enter, s->progs.as_tls_rw_exit, 2},
		{"gnutls_handshake", s->progs.as_tls_handshake_enter,
		 s->progs.as_tls_handshake_exit, 1},
		{"gnutls_deinit", s->progs.as_tls_close, NULL, 1},
	};
	memcpy(spec, v, sizeof(v));
}

static int attach_one(struct as_capture *cap, struct bpf_program *prog, const char *path,
		      uint64_t offset, bool ret, uint64_t cookie)
{
	if (cap->nlinks >= MAX_TLS_LINKS)
		return -ENOSPC;
	LIBBPF_OPTS(bpf_uprobe_opts, o, .retprobe = ret, .bpf_cookie = cookie);
	struct bpf_link *l = bpf_program__attach_uprobe_opts(prog, -1, path, offset, &o);
	if (!l)
		return -errno;
	cap->links[cap->nlinks++] = l;
	return 0;
}

/* The first bytes of code at file offset off, for the probe-site planner;
 * how many were read (0 on error). */
static size_t read_code(int fd, uint64_t off, uint8_t *buf, size_t n)
{
	if (fd < 0 || off == 0)
		return 0;
	ssize_t got = pread(fd, buf, n, (off_t)off);
	return got > 0 ? (size_t)got : 0;
}

/* Debian's OpenSSL 3 begins SSL_read, SSL_read_ex and their write twins with
 * `sub $N,%rsp`, which the kernel single-steps after the trap (the costly
 * kind of uprobe hit, see probesite.h). SSL_read_ex is `sub; call
 * ssl_read_internal` with its arguments untouched, SSL_read calls the same
 * function with a count pointer of its own, and ssl_read_internal begins
 * with a push, which the kernel emulates. So one probe pair there, with
 * SSL_read_ex's programs, sees every call of both at a fraction of the cost.
 * Applied only when all of that is found in the bytes; otherwise the public
 * functions are probed as they are. */
static void funnel_openssl(struct as_capture *cap, int fd, const char *path, uint64_t *offsets)
{
	static const struct {
		int ex, plain;
		const char *what;
	} pairs[] = {{3, 1, "read"}, {2, 0, "write"}};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		uint8_t ex[64], inner[16], plain[64];
		uint64_t exoff = offsets[pairs[i].ex];
		size_t n = read_code(fd, exoff, ex, sizeof(ex));
		int64_t delta;
		if (!n || as_probe_insn_emulated(ex, n) || !as_probe_wrapper_target(ex, n, &delta))
			continue;
		if ((int64_t)exoff + delta <= 0)
			continue;
		uint64_t target = (uint64_t)((int64_t)exoff + delta);
		size_t m = read_code(fd, target, inner, sizeof(inner));
		if (!m || !as_probe_insn_emulated(inner, m))
			continue;
		uint64_t poff = offsets[pairs[i].plain];
		size_t k = read_code(fd, poff, plain, sizeof(plain));
		bool covers_plain = k && as_probe_calls(plain, k, (int64_t)target - (int64_t)poff);
		offsets[pairs[i].ex] = target;
		if (covers_plain)
			offsets[pairs[i].plain] = 0;
		logf_(cap, "tls: SSL_%s_ex%s%s probed at ssl_%s_internal (0x%llx) in %s",
		      pairs[i].what, covers_plain ? " and SSL_" : "",
		      covers_plain ? pairs[i].what : "", pairs[i].what, (unsigned long long)target,
		      path);
	}
}

static bool already_attached(struct as_capture *cap, const struct stat *st)
{
	for (size_t i = 0; i < cap->nfiles; i++)
		if (cap->files[i].dev == st->st_dev && cap->files[i].ino == st->st_ino)
			return true;
	return false;
}

static bool inspected_in_vain(struct as_capture *cap, const struct stat *st, enum as_tls_lib lib)
{
	size_t n = cap->ninspected < MAX_INSPECTED ? cap->ninspected : MAX_INSPECTED;
	for (size_t i = 0; i < n; i++) {
		const struct tls_file *f = &cap->inspected[i];
		if (f->dev == st->st_dev && f->ino == st->st_ino && f->mtime == st->st_mtime &&
		    f->lib == lib)
			return true;
	}
	return false;
}

static void remember_in_vain(struct as_capture *cap, const struct stat *st, enum as_tls_lib lib)
{
	/* Full: overwrite the oldest entry. */
	struct tls_file *f = &cap->inspected[cap->ninspected++ % MAX_INSPECTED];
	*f = (struct tls_file){
		.dev = st->st_dev, .ino = st->st_ino, .mtime = st->st_mtime, .lib = lib};
}

static const char *lib_name(enum as_tls_lib lib)
{
	switch (lib) {
	case AS_TLS_LIB_OPENSSL:
		return "openssl";
	case AS_TLS_LIB_GNUTLS:
		return "gnutls";
	case AS_TLS_LIB_STATIC_OPENSSL:
		return "static-openssl";
	case AS_TLS_LIB_SIGNATURE:
		return "openssl-by-signature";
	default:
		return "unknown";
	}
}

int as_capture_attach_tls(struct as_capture *cap, const char *path, enum as_tls_lib lib,
			  const struct as_sigset *sigs, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (already_attached(cap, &st) || inspected_in_vain(cap, &st, lib))
		return 0;
	if (cap->nfiles >= MAX_TLS_FILES) {
		snprintf(err, errlen, "%s: more than %d TLS files attached", path, MAX_TLS_FILES);
		return -ENOSPC;
	}

	struct probe_spec spec[AS_SIG_MAX_FUNCS];
	const char *const *names;
	size_t n;
	if (lib == AS_TLS_LIB_GNUTLS) {
		gnutls_specs(cap->skel, spec);
		names = as_gnutls_funcs;
		n = as_gnutls_nfuncs;
	} else {
		openssl_specs(cap->skel, spec);
		names = as_openssl_funcs;
		n = as_openssl_nfuncs;
	}

	uint64_t offsets[AS_SIG_MAX_FUNCS] = {0};
	int found;
	if (lib == AS_TLS_LIB_SIGNATURE) {
		if (!sigs) {
			snprintf(err, errlen, "%s: signature search needs signatures", path);
			return -EINVAL;
		}
		uint64_t sig_offsets[AS_SIG_MAX_FUNCS];
		found = as_sig_search(path, sigs, sig_offsets, err, errlen);
		if (found < 0)
			return -EINVAL;
		for (size_t k = 0; k < n; k++)
			for (size_t j = 0; j < sigs->n; j++)
				if (strcmp(sigs->sigs[j].name, names[k]) == 0)
					offsets[k] = sig_offsets[j];
	} else {
		found = as_elf_find_funcs(path, names, n, offsets, err, errlen);
		if (found < 0)
			return -EINVAL;
	}

	/* Keys mode needs ssl_log_secret: a shared libssl does not export it,
	 * so look for it by signature; without it, the plaintext probes. */
	bool keys = false, any = false;
	for (size_t k = 0; k < n; k++)
		any |= offsets[k] != 0;
	if (cap->opts.tls_keys && lib != AS_TLS_LIB_GNUTLS && any) {
		if (!offsets[AS_OPENSSL_KEYLOG] && cap->sigs && lib != AS_TLS_LIB_SIGNATURE) {
			uint64_t sig_offsets[AS_SIG_MAX_FUNCS];
			char inner[256];
			if (as_sig_search(path, cap->sigs, sig_offsets, inner, sizeof(inner)) > 0)
				for (size_t j = 0; j < cap->sigs->n; j++)
					if (strcmp(cap->sigs->sigs[j].name, "ssl_log_secret") == 0)
						offsets[AS_OPENSSL_KEYLOG] = sig_offsets[j];
		}
		keys = offsets[AS_OPENSSL_KEYLOG] != 0;
		if (!keys)
			logf_(cap, "tls: no ssl_log_secret in %s: plaintext probes there", path);
	}

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (lib != AS_TLS_LIB_GNUTLS && !keys)
		funnel_openssl(cap, fd, path, offsets);

	int attached = 0, cheap = 0;
	for (size_t k = 0; k < n; k++) {
		if (!offsets[k])
			continue;
		/* Keys mode: the key probe alone (its connections are sockets, which
		 * SSL_free does not name); else all but the key probe. */
		if (lib != AS_TLS_LIB_GNUTLS && (k == AS_OPENSSL_KEYLOG) != keys)
			continue;
		/* The cheapest site at or just after the entry (probesite.h). */
		uint8_t code[AS_PROBE_WALK_MAX + 16];
		size_t got = read_code(fd, offsets[k], code, sizeof(code));
		struct as_probe_site site;
		cheap += as_probe_site_find(code, got, spec[k].nargs, &site);
		uint64_t at = offsets[k] + site.delta, cookie = as_probe_cookie(&site, lib);
		int rc = attach_one(cap, spec[k].enter, path, at, false, cookie);
		if (!rc && spec[k].exit)
			rc = attach_one(cap, spec[k].exit, path, at, true, cookie);
		if (rc) {
			snprintf(err, errlen, "%s: attaching to %s at 0x%llx failed: %s", path,
				 names[k], (unsigned long long)at, strerror(-rc));
			if (fd >= 0)
				close(fd);
			return rc;
		}
		attached++;
	}
	if (fd >= 0)
		close(fd);
	if (attached) {
		cap->files[cap->nfiles].dev = st.st_dev;
		cap->files[cap->nfiles].ino = st.st_ino;
		cap->nfiles++;
		logf_(cap, "tls: attached %d %s functions in %s%s, %d at an emulated instruction",
		      attached, lib_name(lib), path, keys ? " (keys mode)" : "", cheap);
	} else {
		remember_in_vain(cap, &st, lib);
	}
	return attached;
}

/* The file a shared-library name resolves to through the linker cache's
 * usual folders. */
static bool find_system_lib(const char *soname, char *out, size_t outlen)
{
	static const char *const dirs[] = {
		"/lib/x86_64-linux-gnu",
		"/usr/lib/x86_64-linux-gnu",
		"/lib64",
		"/usr/lib64",
		"/lib",
		"/usr/lib",
		"/usr/local/lib",
	};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/%s", dirs[i], soname);
		if (realpath(p, out) && access(out, R_OK) == 0) {
			(void)outlen;
			return true;
		}
	}
	return false;
}

int as_capture_attach_system_tls(struct as_capture *cap, char *err, size_t errlen)
{
	static const struct {
		const char *soname;
		enum as_tls_lib lib;
	} libs[] = {
		{"libssl.so.3", AS_TLS_LIB_OPENSSL},
		{"libssl.so.1.1", AS_TLS_LIB_OPENSSL},
		{"libgnutls.so.30", AS_TLS_LIB_GNUTLS},
	};
	int files = 0;
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		char path[PATH_MAX];
		if (!find_system_lib(libs[i].soname, path, sizeof(path)))
			continue;
		int rc = as_capture_attach_tls(cap, path, libs[i].lib, NULL, err, errlen);
		if (rc < 0)
			return rc;
		files += rc > 0;
	}
	return files;
}

static enum as_tls_lib lib_of_mapping(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strncmp(base, "libssl.so", 9) == 0 || strncmp(base, "libssl-", 7) == 0)
		return AS_TLS_LIB_OPENSSL;
	if (strncmp(base, "libgnutls.so", 12) == 0)
		return AS_TLS_LIB_GNUTLS;
	return 0;
}

int as_capture_discover(struct as_capture *cap, pid_t pid, const struct as_sigset *sigs, char *err,
			size_t errlen)
{
	char exe[PATH_MAX], link[64];
	int files = 0;

	/* The executable: OpenSSL linked in, by symbol, else by signature. */
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(link, exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		/* Through /proc/PID/root so that the file is found even when the
		 * process runs in another mount namespace. */
		char via_root[PATH_MAX + 32];
		snprintf(via_root, sizeof(via_root), "/proc/%d/root%s", (int)pid, exe);
		char inner[256];
		int rc = as_capture_attach_tls(cap, via_root, AS_TLS_LIB_STATIC_OPENSSL, NULL,
					       inner, sizeof(inner));
		if (rc == 0 && sigs)
			rc = as_capture_attach_tls(cap, via_root, AS_TLS_LIB_SIGNATURE, sigs, inner,
						   sizeof(inner));
		if (rc > 0)
			files++;
		else if (rc < 0)
			logf_(cap, "tls: %s", inner);
	}

	/* Mapped libraries. */
	char maps[64];
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(maps, "re");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "cannot read %s: %s", maps, strerror(e));
		return files ? files : -e;
	}
	char line[PATH_MAX + 128];
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		enum as_tls_lib lib = lib_of_mapping(path);
		if (!lib)
			continue;
		char via_root[PATH_MAX + 32];
		snprintf(via_root, sizeof(via_root), "/proc/%d/root%s", (int)pid, path);
		char inner[256];
		int rc = as_capture_attach_tls(cap, via_root, lib, NULL, inner, sizeof(inner));
		if (rc > 0)
			files++;
		else if (rc < 0)
			logf_(cap, "tls: %s", inner);
	}
	fclose(f);
	return files;
}

int as_capture_poll(struct as_capture *cap, int timeout_ms)
{
	/* The kernel side wakes us only once a batch is waiting; whatever is
	 * there when the wait times out is read too. */
	int n = ring_buffer__poll(cap->rb, timeout_ms);
	if (n < 0)
		return n;
	int more = ring_buffer__consume(cap->rb);
	return more < 0 ? more : n + more;
}

void as_capture_get_stats(struct as_capture *cap, struct as_capture_stats *st)
{
	memset(st, 0, sizeof(*st));
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu > 0) {
		__u64 *vals = calloc((size_t)ncpu, sizeof(__u64));
		for (__u32 i = 0; vals && i < AS_STAT_COUNT; i++) {
			if (bpf_map__lookup_elem(cap->skel->maps.stats, &i, sizeof(i), vals,
						 sizeof(__u64) * ncpu, 0) != 0)
				continue;
			__u64 sum = 0;
			for (int c = 0; c < ncpu; c++)
				sum += vals[c];
			switch (i) {
			case AS_STAT_RINGBUF_DROPS:
				st->ringbuf_drops = sum;
				break;
			case AS_STAT_TLS_BYTES_LOST:
				st->tls_bytes_lost = sum;
				break;
			case AS_STAT_READ_FAULTS:
				st->read_faults = sum;
				break;
			case AS_STAT_TRACKED_FULL:
				st->tracked_full = sum;
				break;
			case AS_STAT_OPENS_FILTERED:
				st->opens_filtered = sum;
				break;
			default:
				break;
			}
		}
		free(vals);
	}
	st->records = cap->records;
	st->tls_files_attached = cap->nfiles;
}

void as_capture_close(struct as_capture *cap)
{
	if (!cap)
		return;
	ring_buffer__free(cap->rb);
	for (size_t i = 0; i < cap->nlinks; i++)
		bpf_link__destroy(cap->links[i]);
	agentsight_bpf__destroy(cap->skel);
	free(cap);
}
