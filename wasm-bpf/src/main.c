/* main.c: the `wasm-bpf` command (docs/wasm-bpf.md): runs an eBPF tool
 * packaged as a Wasm module on the Isthmus runtime, with WASI preview 1 for
 * its printf, args and clocks and the host functions of wbpf.h for its eBPF
 * object.
 *
 *   wasm-bpf [-v] MODULE.wasm [ARGS...]
 *
 * SIGINT or SIGTERM asks the guest to stop at its next safe point (polls
 * return within 100 ms); the command then detaches and closes every eBPF
 * object the guest still holds and exits 0. Exit status: the guest's own exit
 * code, 0 after a stop, 1 on a trap or a load error, 2 on bad usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfenv.h"
#include "wasi.h"
#include "wasm.h"
#include "wbpf.h"

static const char usage_text[] =
	"usage: wasm-bpf [-v] MODULE.wasm [ARGS...]\n"
	"\n"
	"Runs an eBPF tool packaged as a Wasm module: the module carries its eBPF\n"
	"object and loads, attaches and reads it through the host functions of\n"
	"import module \"wasm_bpf\" (the eunomia-bpf/wasm-bpf ABI). ARGS are the\n"
	"guest's arguments. Needs root (CAP_BPF and CAP_PERFMON).\n"
	"\n"
	"  -v          pass libbpf's debug messages to stderr\n"
	"  -h, --help  this text\n"
	"\n"
	"SIGINT detaches every program and exits 0.\n";

static volatile sig_atomic_t stop_flag;
static wasm_exec *volatile running_exec;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
	wasm_exec *ex = running_exec;
	if (ex)
		wasm_exec_request_stop(ex);
}

static void log_line(const char *line, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "wasm-bpf: %s\n", line);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "wasm-bpf: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				fprintf(stderr, "wasm-bpf: %s: out of memory\n", path);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "wasm-bpf: %s: read error\n", path);
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static int run(const char *path, int argc, char **argv)
{
	char err[512];
	size_t len = 0;
	uint8_t *bytes = read_file(path, &len);
	if (!bytes)
		return 1;
	wasm_module *m = wasm_module_new(bytes, len, err, sizeof(err));
	free(bytes);
	if (!m) {
		fprintf(stderr, "wasm-bpf: %s: invalid module: %s\n", path, err);
		return 1;
	}
	int rc = 1;
	wasm_imports *im = NULL;
	wasm_instance *inst = NULL;
	wasm_exec *ex = NULL;
	wbpf_host *h = NULL;
	wasi_config wc;
	wasi_config_init(&wc);
	wc.argc = (uint32_t)argc;
	wc.argv = (const char *const *)argv;
	wasi_ctx *w = wasi_new(&wc, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "wasm-bpf: %s\n", err);
		goto out;
	}
	if (!(h = wbpf_host_new(log_line, NULL)) || !(im = wasm_imports_new())) {
		fprintf(stderr, "wasm-bpf: out of memory\n");
		goto out;
	}
	wbpf_host_set_stop_flag(h, &stop_flag);
	if (wasi_add_imports(w, im, err, sizeof(err)) != 0 ||
	    wbpf_add_imports(h, im, err, sizeof(err)) != 0) {
		fprintf(stderr, "wasm-bpf: %s\n", err);
		goto out;
	}
	inst = wasm_instance_new(m, im, NULL, err, sizeof(err));
	if (!inst) {
		fprintf(stderr, "wasm-bpf: %s: cannot instantiate: %s\n", path, err);
		goto out;
	}
	wasm_instance_set_user(inst, w);
	wasm_func *start = wasm_instance_func(inst, "_start");
	if (!start || wasm_func_type(start)->nparams || wasm_func_type(start)->nresults) {
		fprintf(stderr, "wasm-bpf: %s exports no _start function () -> ()\n", path);
		goto out;
	}
	if (!(ex = wasm_exec_new(NULL))) {
		fprintf(stderr, "wasm-bpf: out of memory\n");
		goto out;
	}
	running_exec = ex;
	if (stop_flag)
		wasm_exec_request_stop(ex);
	wasm_result res = wasm_instance_start(inst, ex);
	if (res == WASM_OK)
		res = wasm_call(ex, start, NULL, 0, NULL, 0);
	running_exec = NULL;
	switch (res) {
	case WASM_OK:
		rc = 0;
		break;
	case WASM_EXIT:
		rc = wasm_exec_exit_code(ex) & 0xff;
		break;
	case WASM_STOPPED: {
		wasm_exec_abandon(ex);
		int n = wbpf_host_close_all(h);
		fprintf(stderr, "wasm-bpf: stopped; detached %d eBPF object%s\n", n,
			n == 1 ? "" : "s");
		rc = 0;
		break;
	}
	case WASM_TRAP:
		fprintf(stderr, "wasm-bpf: %s: trap: %s\n", path, wasm_exec_message(ex));
		rc = 1;
		break;
	default:
		fprintf(stderr, "wasm-bpf: %s: %s\n", path, wasm_result_name(res));
		rc = 1;
		break;
	}
out:
	fflush(stdout);
	wbpf_host_free(h);
	wasm_exec_free(ex);
	wasm_instance_free(inst);
	wasm_imports_free(im);
	wasi_free(w);
	wasm_module_free(m);
	return rc;
}

static void libbpf_log(int level, const char *msg, void *ctx)
{
	(void)level;
	(void)ctx;
	fprintf(stderr, "libbpf: %s", msg);
}

int main(int argc, char **argv)
{
	int i = 1;
	int verbose = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "wasm-bpf: unknown option '%s'\n%s", argv[i], usage_text);
			return 2;
		}
	}
	if (i >= argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	char err[256];
	int pe = bpfenv_check_privileges(err, sizeof(err));
	if (pe == 0)
		pe = bpfenv_ensure_tracefs(NULL, err, sizeof(err));
	if (pe != 0)
		fprintf(stderr, "wasm-bpf: warning: %s\n", err);
	bpfenv_set_libbpf_log(libbpf_log, verbose ? 2 : 0, NULL);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return run(argv[i], argc - i, argv + i);
}
