/* bpfenv: privilege and tracefs checks, and the libbpf log hook (see bpfenv.h). */
#include "bpfenv.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool cap_is_set(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (UINT32_C(1) << (cap % 32));
}

int bpfenv_check_privileges(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0) {
		int e = errno;
		snprintf(err, errlen, "capget failed: %s", strerror(e));
		return -e;
	}
	if (cap_is_set(data, CAP_SYS_ADMIN))
		return 0;
	bool bpf = cap_is_set(data, CAP_BPF), perfmon = cap_is_set(data, CAP_PERFMON);
	if (bpf && perfmon)
		return 0;
	snprintf(err, errlen,
		 "loading eBPF programs needs root (or CAP_BPF and CAP_PERFMON); missing %s%s%s",
		 bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "",
		 perfmon ? "" : "CAP_PERFMON");
	return -EPERM;
}

static bool is_tracefs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == TRACEFS_MAGIC;
}

int bpfenv_ensure_tracefs(bool *mounted_now, char *err, size_t errlen)
{
	if (mounted_now)
		*mounted_now = false;
	if (is_tracefs(BPFENV_TRACEFS_PATH))
		return 0;

	struct stat st;
	if (stat(BPFENV_TRACEFS_PATH, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen,
			 "cannot mount tracefs: %s is not a directory (is sysfs mounted?)",
			 BPFENV_TRACEFS_PATH);
		return -ENOENT;
	}
	if (mount("nodev", BPFENV_TRACEFS_PATH, "tracefs", 0, NULL) != 0) {
		int e = errno;
		snprintf(err, errlen, "cannot mount tracefs on %s: %s%s", BPFENV_TRACEFS_PATH,
			 strerror(e), e == EPERM ? " (needs root)" : "");
		return -e;
	}
	if (!is_tracefs(BPFENV_TRACEFS_PATH)) {
		snprintf(err, errlen, "mounted tracefs on %s but it does not read back as tracefs",
			 BPFENV_TRACEFS_PATH);
		return -EIO;
	}
	if (mounted_now)
		*mounted_now = true;
	return 0;
}

static bpfenv_log_fn log_fn;
static int log_max_level;
static void *log_ctx;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char msg[1024];

	if (!log_fn || (int)level > log_max_level)
		return 0;
	int n = vsnprintf(msg, sizeof(msg), fmt, args);
	/* libbpf ends most messages with a newline; the sink gets lines without. */
	size_t len = strlen(msg);
	while (len > 0 && msg[len - 1] == '\n')
		msg[--len] = '\0';
	log_fn((int)level, msg, log_ctx);
	return n;
}

void bpfenv_set_libbpf_log(bpfenv_log_fn fn, int max_level, void *ctx)
{
	log_fn = fn;
	log_max_level = max_level;
	log_ctx = ctx;
	libbpf_set_print(libbpf_print);
}

void bpfenv_log_stderr(int level, const char *msg, void *ctx)
{
	(void)level;
	(void)ctx;
	fprintf(stderr, "libbpf: %s\n", msg);
}
