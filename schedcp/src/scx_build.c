/* scx_build: compiling policy source into a BPF object, in a sandbox, and the
 * process and file helpers the rest of scx_core uses.
 *
 * Policy source is untrusted (an LLM agent writes it), so compilation is
 * confined three ways: (1) a lexical pass allows only `#include` of the
 * project's own headers by name (no paths, no `..`, no #embed, no
 * __has_include, no computed includes); (2) clang runs with -nostdinc and an
 * include path holding only schedcp/bpf, the kernel's vmlinux.h and libbpf's
 * BPF headers, from a scratch folder that holds only the source, under a time
 * limit and an address-space limit; (3) the dependency list clang writes is
 * checked afterwards: every file it read must lie in those folders.
 */
#include "scx_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCX_SOURCE_MAX	      ((size_t)512 * 1024)
#define SCX_COMPILE_TIMEOUT_S 60

int scx_read_file(const char *path, unsigned char **data, size_t *len, size_t max, char *err,
		  size_t errlen)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0;

	*data = NULL;
	*len = 0;
	if (!f) {
		scx_err(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			unsigned char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				scx_err(err, errlen, "%s: out of memory", path);
				return -ENOMEM;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n > max) {
			free(buf);
			fclose(f);
			scx_err(err, errlen, "%s: larger than %zu bytes", path, max);
			return -EFBIG;
		}
		if (r == 0)
			break;
	}
	fclose(f);
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}

int scx_write_file(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		scx_err(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		scx_err(err, errlen, "%s: write failed", path);
		return -EIO;
	}
	return 0;
}

void scx_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(out + (size_t)2 * i, 3, "%02x", md[i]);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int scx_run_cmd(char *const argv[], const char *cwd, unsigned timeout_s, char **output,
		size_t max_output)
{
	int fds[2];
	pid_t pid;
	char *buf = NULL;
	size_t n = 0;
	int status = 0;
	bool timed_out = false;

	if (output)
		*output = NULL;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		if (cwd && chdir(cwd))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);
	close(fds[1]);
	buf = malloc(max_output + 1);
	double deadline = mono_s() + timeout_s;
	for (;;) {
		struct pollfd pfd = {fds[0], POLLIN, 0};
		int left_ms = (int)((deadline - mono_s()) * 1000);
		if (left_ms <= 0) {
			timed_out = true;
			break;
		}
		int r = poll(&pfd, 1, left_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		char tmp[4096];
		ssize_t got = read(fds[0], tmp, sizeof(tmp));
		if (got <= 0)
			break;
		if (buf && n < max_output) {
			size_t k = (size_t)got < max_output - n ? (size_t)got : max_output - n;
			memcpy(buf + n, tmp, k);
			n += k;
		}
	}
	close(fds[0]);
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (buf) {
		buf[n] = 0;
		if (output)
			*output = buf;
		else
			free(buf);
	}
	if (timed_out)
		return 124;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* ---- the include allowlist ---- */

static const char *const allowed_includes[] = {
	"scx_common.bpf.h",  "vmlinux.h",	    "bpf/bpf_helpers.h",
	"bpf/bpf_tracing.h", "bpf/bpf_core_read.h", "bpf/bpf_helper_defs.h",
};

static bool include_allowed(const char *name)
{
	for (size_t i = 0; i < sizeof(allowed_includes) / sizeof(allowed_includes[0]); i++)
		if (!strcmp(name, allowed_includes[i]))
			return true;
	return false;
}

/* Directives that read files: only a literal #include of an allowed header. */
static int lexical_check(const char *src, size_t len, char *err, size_t errlen)
{
	int lineno = 1;
	const char *p = src, *end = src + len;

	if (memmem(src, len, "__has_include", 13) || memmem(src, len, "__has_embed", 11)) {
		scx_err(err, errlen,
			"source: __has_include/__has_embed are not allowed in policies");
		return -EPERM;
	}
	if (memchr(src, '\0', len)) {
		scx_err(err, errlen, "source: contains a NUL byte");
		return -EINVAL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *q = p;
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		/* a digraph %: also starts a directive */
		bool hash = q < le && *q == '#';
		if (!hash && q + 1 < le && q[0] == '%' && q[1] == ':') {
			hash = true;
			q++;
		}
		if (hash) {
			q++;
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			const char *w = q;
			while (q < le && ((*q >= 'a' && *q <= 'z') || *q == '_'))
				q++;
			size_t wl = (size_t)(q - w);
			if ((wl == 7 && !memcmp(w, "include", 7)) ||
			    (wl == 12 && !memcmp(w, "include_next", 12)) ||
			    (wl == 6 && !memcmp(w, "import", 6)) ||
			    (wl == 5 && !memcmp(w, "embed", 5))) {
				while (q < le && (*q == ' ' || *q == '\t'))
					q++;
				char name[128];
				char close = q < le && *q == '<' ? '>' : '"';
				size_t nl2 = 0;
				if (wl == 7 && q < le && (*q == '"' || *q == '<')) {
					q++;
					while (q < le && *q != close && nl2 + 1 < sizeof(name))
						name[nl2++] = *q++;
				}
				name[nl2] = 0;
				bool ok = wl == 7 && q < le && *q == close && include_allowed(name);
				/* nothing but space or a comment may follow */
				if (ok) {
					q++;
					while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
						q++;
					ok = q == le || (q + 1 < le && q[0] == '/' &&
							 (q[1] == '/' || q[1] == '*'));
				}
				if (!ok) {
					scx_err(err, errlen,
						"source line %d: '%.*s' is not allowed: policies "
						"may "
						"include only scx_common.bpf.h (and vmlinux.h, "
						"bpf/bpf_helpers.h, bpf/bpf_tracing.h)",
						lineno, (int)((le - p) > 80 ? 80 : (le - p)), p);
					return -EPERM;
				}
			}
		}
		/* a line continuation could hide a directive's name */
		if (le > p && le[-1] == '\\' && hash) {
			scx_err(err, errlen,
				"source line %d: continued preprocessor lines are not allowed",
				lineno);
			return -EPERM;
		}
		p = nl ? nl + 1 : end;
		lineno++;
	}
	return 0;
}

/* Every file in the depfile must lie under one of the allowed folders. */
static int deps_check(const char *depfile, const char *const dirs[], size_t ndirs,
		      const char *srcpath, char *err, size_t errlen)
{
	unsigned char *d;
	size_t len;
	char *save = NULL;

	if (scx_read_file(depfile, &d, &len, 1 << 22, err, errlen) || !d)
		return -EIO;
	char *colon = strchr((char *)d, ':');
	char *tok = strtok_r(colon ? colon + 1 : (char *)d, " \t\n\\", &save);
	for (; tok; tok = strtok_r(NULL, " \t\n\\", &save)) {
		char real[PATH_MAX];
		if (!realpath(tok, real)) {
			snprintf(real, sizeof(real), "%s", tok);
		}
		bool ok = !strcmp(real, srcpath);
		for (size_t i = 0; i < ndirs && !ok; i++) {
			size_t dl = strlen(dirs[i]);
			ok = !strncmp(real, dirs[i], dl) && real[dl] == '/';
		}
		if (!ok) {
			scx_err(err, errlen,
				"source: the compiler read '%s', outside the policy headers", tok);
			free(d);
			return -EPERM;
		}
	}
	free(d);
	return 0;
}

int scx_compile(scx_t *s, const char *source, size_t len, const char *obj, char **log, char *err,
		size_t errlen)
{
	char tmpl[] = "/tmp/scx-cc-XXXXXX";
	char src[PATH_MAX], dep[PATH_MAX], out[PATH_MAX], bpfdir[PATH_MAX], incdir[PATH_MAX];
	char incflag1[PATH_MAX + 2], incflag2[PATH_MAX + 2], rsrc[PATH_MAX];
	int rc;

	if (log)
		*log = NULL;
	if (len > SCX_SOURCE_MAX) {
		scx_err(err, errlen, "source: %zu bytes, more than the %zu allowed", len,
			SCX_SOURCE_MAX);
		return -EFBIG;
	}
	if ((rc = lexical_check(source, len, err, errlen)))
		return rc;
	if (!realpath(s->share_dir, bpfdir)) {
		scx_err(err, errlen, "share dir %s: %s", s->share_dir, strerror(errno));
		return -ENOENT;
	}
	strncat(bpfdir, "/bpf", sizeof(bpfdir) - strlen(bpfdir) - 1);
	scx_path(incdir, sizeof(incdir), "%s/inc", s->cache_dir);
	char rinc[PATH_MAX];
	if (!realpath(incdir, rinc)) {
		scx_err(err, errlen, "%s: %s (run scx_env_prepare first)", incdir, strerror(errno));
		return -ENOENT;
	}
	if (!mkdtemp(tmpl)) {
		scx_err(err, errlen, "mkdtemp: %s", strerror(errno));
		return -errno;
	}
	scx_path(src, sizeof(src), "%s/policy.bpf.c", tmpl);
	scx_path(dep, sizeof(dep), "%s/policy.d", tmpl);
	scx_path(out, sizeof(out), "%s/policy.o", tmpl);
	if ((rc = scx_write_file(src, source, len, err, errlen)))
		goto out;
	if (!realpath(src, rsrc))
		snprintf(rsrc, sizeof(rsrc), "%s", src);
	snprintf(incflag1, sizeof(incflag1), "-I%s", bpfdir);
	snprintf(incflag2, sizeof(incflag2), "-I%s", rinc);
	char *argv[] = {"prlimit",
			"--as=4294967296",
			"--fsize=67108864",
			"--",
			"clang-19",
			"-target",
			"bpf",
			"-mcpu=v3",
			"-g",
			"-O2",
			"-D__TARGET_ARCH_x86",
			"-fms-extensions",
			"-Wno-microsoft-anon-tag",
			"-Wall",
			"-nostdinc",
			"-fno-color-diagnostics",
			"-ferror-limit=20",
			incflag1,
			incflag2,
			"-MD",
			"-MF",
			dep,
			"-c",
			src,
			"-o",
			out,
			NULL};
	char *output = NULL;
	int st = scx_run_cmd(argv, tmpl, SCX_COMPILE_TIMEOUT_S, &output, (size_t)64 * 1024);
	if (st != 0) {
		scx_err(err, errlen, "source does not compile (clang-19 exit %d): %.300s", st,
			output ? output : "");
		if (log)
			*log = output;
		else
			free(output);
		rc = -EINVAL;
		goto out;
	}
	if (log)
		*log = output;
	else
		free(output);
	const char *dirs[] = {bpfdir, rinc};
	if ((rc = deps_check(dep, dirs, 2, rsrc, err, errlen)))
		goto out;
	unsigned char *o;
	size_t ol;
	if ((rc = scx_read_file(out, &o, &ol, 64 << 20, err, errlen)))
		goto out;
	rc = scx_write_file(obj, o, ol, err, errlen);
	free(o);
out:
	unlink(src);
	unlink(dep);
	unlink(out);
	rmdir(tmpl);
	return rc;
}
