/* bpfenv: what an eBPF tool needs from the machine before it loads programs.
 *
 * Loading BPF programs needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN);
 * attaching to tracepoints needs tracefs mounted, which minimal systems and
 * containers often lack. These helpers check and fix that, and route libbpf's
 * messages to a caller-chosen log function. Errors come back as -errno with a
 * message in the caller's buffer; nothing here prints or exits.
 */
#ifndef ISTHMUS_BPFENV_H
#define ISTHMUS_BPFENV_H

#include <stdbool.h>
#include <stddef.h>

/* Where tracefs lives on current kernels. */
#define BPFENV_TRACEFS_PATH "/sys/kernel/tracing"

/* 0 when this process may load and attach BPF programs, else -EPERM with the
 * missing capabilities named in err. */
int bpfenv_check_privileges(char *err, size_t errlen);

/* 0 when tracefs is mounted at BPFENV_TRACEFS_PATH, mounting it first when it
 * is not; else -errno with the reason in err. *mounted_now (may be NULL) tells
 * whether this call mounted it. */
int bpfenv_ensure_tracefs(bool *mounted_now, char *err, size_t errlen);

/* A log sink for libbpf's messages: level is 0 (warning), 1 (info), 2 (debug). */
typedef void (*bpfenv_log_fn)(int level, const char *msg, void *ctx);

/* Sends libbpf's messages up to max_level to fn (NULL: silence libbpf). The
 * setting is process-wide, as libbpf's own is. */
void bpfenv_set_libbpf_log(bpfenv_log_fn fn, int max_level, void *ctx);

/* A ready-made sink: writes "libbpf: msg" to stderr. */
void bpfenv_log_stderr(int level, const char *msg, void *ctx);

#endif /* ISTHMUS_BPFENV_H */
