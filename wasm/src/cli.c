/* cli.c: the `vessel` command. `vessel run MODULE.wasm [ARGS...]` loads a
 * module, gives it WASI preview 1 (wasi.h) with the directories and
 * environment named on the command line, and runs its _start (or, with
 * --invoke, one export with arguments taken from the command line).
 *
 * The dock subcommands (docs/vessels.md, "Docks") are vslctl's dock client:
 * `vessel --dock HOST:PORT [--token-file FILE] COMMAND ...`, and
 * `vessel COMMAND --dock HOST:PORT [--token-file FILE] ...` for COMMAND
 * ps, checkpoint, restore, migrate, kill, wait (and run, which without
 * --dock runs locally), exec `vslctl` (next to this binary, else on PATH)
 * with the arguments in vslctl's order. vessel itself links no dock code.
 *
 * Exit status (docs/wasm-wasi.md):
 *   the guest's own code   proc_exit(n) or the return of main: n & 255
 *   134                    the guest trapped (message on stderr), like a
 *                          native program killed by SIGABRT
 *   152                    --fuel ran out, like SIGXCPU
 *   125                    vessel could not run the module: missing file,
 *                          malformed or invalid module, missing import,
 *                          no _start, bad --invoke arguments
 *   2                      usage error (unknown or malformed option)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi.h"
#include "wasm.h"

#define EXIT_USAGE	 2
#define EXIT_VESSEL	 125
#define EXIT_TRAP	 134
#define EXIT_FUEL	 152
/* Modules larger than this are refused before they are read. */
#define MAX_MODULE_BYTES (UINT64_C(1) << 30)

static const char usage_text[] =
	"usage: vessel run [OPTIONS] MODULE.wasm [ARGS...]\n"
	"       vessel --dock HOST:PORT [--token-file FILE] COMMAND [ARGS...]\n"
	"       vessel COMMAND --dock HOST:PORT [--token-file FILE] [ARGS...]\n"
	"\n"
	"Runs a WebAssembly module with WASI preview 1. Options come before the module;\n"
	"everything after it is passed to the guest as its arguments.\n"
	"\n"
	"  --dir HOST[::GUEST]   let the guest use directory HOST, named GUEST inside\n"
	"                        (default: the same name); repeatable\n"
	"  --env KEY=VALUE       set a variable of the guest's environment; repeatable\n"
	"  --invoke NAME         call export NAME instead of _start; ARGS are its\n"
	"                        arguments (integers or floats) and its results are printed\n"
	"  --max-memory SIZE     limit each linear memory to SIZE bytes (K, M, G suffixes;\n"
	"                        rounded up to 64 KiB pages)\n"
	"  --max-stack SIZE      size of the Wasm value and call stack (default 16M)\n"
	"  --max-call-depth N    most nested Wasm calls (default 20000)\n"
	"  --fuel N              stop after N safe points (calls and loop iterations)\n"
	"  -h, --help            print this help\n"
	"\n"
	"Exit status: the guest's exit code; 134 when it traps (the trap on stderr);\n"
	"152 when the fuel runs out; 125 when the module cannot be run; 2 on bad usage.\n"
	"\n"
	"With --dock, COMMAND goes to the dock daemon at HOST:PORT through the dock\n"
	"client `vslctl --dock` (found next to vessel, else on PATH):\n"
	"  run [--hold N] [--stdout PATH] [--stderr PATH] [--env K=V]... MODULE [ARGS...]\n"
	"  ps | checkpoint -o IMAGE ID | kill ID | wait ID\n"
	"  restore [--hold N] [--stdout PATH] [--stderr PATH] IMAGE\n"
	"  migrate [--precopy] [--hold N] ID HOST:PORT\n"
	"The token comes from --token-file or $VSL_DOCK_TOKEN. See docs/vessels.md.\n";

typedef struct options {
	const char *module;
	int nargs;
	char **args;
	const char *invoke;
	wasi_preopen *dirs;
	uint32_t ndirs;
	const char **env;
	uint32_t nenv;
	wasm_config cfg;
} options;

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vessel: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'vessel run --help'.\n");
	return EXIT_USAGE;
}

/* SIZE with an optional K, M or G suffix (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		return -1;
	}
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Parses the options of `run`; returns -1 to go on, else an exit status. */
static int parse_run(int argc, char **argv, options *o)
{
	int i = 0;
	for (; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
		bool takes = strcmp(a, "--dir") == 0 || strcmp(a, "--env") == 0 ||
			     strcmp(a, "--invoke") == 0 || strcmp(a, "--max-memory") == 0 ||
			     strcmp(a, "--max-stack") == 0 || strcmp(a, "--max-call-depth") == 0 ||
			     strcmp(a, "--fuel") == 0;
		if (!takes)
			return usage_error("unknown option '%s'", a);
		if (!val)
			return usage_error("option '%s' needs a value", a);
		i++;
		uint64_t n;
		if (strcmp(a, "--dir") == 0) {
			char *sep = strstr(argv[i], "::");
			if (sep == argv[i] || (sep && !sep[2]) || !*argv[i])
				return usage_error("--dir '%s': expected HOST or HOST::GUEST", val);
			const char *host = argv[i], *guest = argv[i];
			if (sep) {
				*sep = '\0';
				guest = sep + 2;
			}
			o->dirs[o->ndirs].host_path = host;
			o->dirs[o->ndirs].guest_path = guest;
			o->ndirs++;
		} else if (strcmp(a, "--env") == 0) {
			if (!strchr(val, '=') || val[0] == '=')
				return usage_error("--env '%s': expected KEY=VALUE", val);
			o->env[o->nenv++] = val;
		} else if (strcmp(a, "--invoke") == 0) {
			o->invoke = val;
		} else if (strcmp(a, "--max-memory") == 0) {
			if (parse_size(val, &n) || n == 0 || n > (UINT64_C(1) << 32))
				return usage_error(
					"--max-memory '%s': expected a size from 1 to 4G", val);
			o->cfg.max_memory_pages = (uint32_t)((n + 65535) / 65536);
		} else if (strcmp(a, "--max-stack") == 0) {
			if (parse_size(val, &n) || n < 4096 || n > (UINT64_C(1) << 32))
				return usage_error(
					"--max-stack '%s': expected a size from 4K to 4G", val);
			o->cfg.stack_bytes = (size_t)n;
		} else if (strcmp(a, "--max-call-depth") == 0) {
			if (parse_u64(val, &n) || n == 0 || n > UINT32_MAX)
				return usage_error(
					"--max-call-depth '%s': expected a positive integer", val);
			o->cfg.max_call_depth = (uint32_t)n;
		} else {
			if (parse_u64(val, &n) || n == 0)
				return usage_error("--fuel '%s': expected a positive integer", val);
			o->cfg.fuel_enabled = true;
			o->cfg.fuel = n;
		}
	}
	if (i >= argc)
		return usage_error("%s", "no module given");
	o->module = argv[i];
	o->args = argv + i;
	o->nargs = argc - i;
	return -1;
}

static uint8_t *read_module(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "vessel: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "vessel: %s is not a regular file\n", path);
		fclose(f);
		return NULL;
	}
	if ((uint64_t)st.st_size > MAX_MODULE_BYTES) {
		fprintf(stderr, "vessel: %s is larger than 1 GiB\n", path);
		fclose(f);
		return NULL;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf || fread(buf, 1, n, f) != n) {
		fprintf(stderr, "vessel: cannot read %s\n", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* One argument of --invoke, as the parameter's type says. */
static int parse_value(const char *s, uint8_t type, wasm_val *v)
{
	char *end;
	errno = 0;
	v->type = type;
	switch (type) {
	case WASM_I32:
	case WASM_I64: {
		long long x;
		if (s[0] == '-') {
			x = strtoll(s, &end, 0);
		} else {
			unsigned long long u = strtoull(s, &end, 0);
			if (type == WASM_I32 && u > UINT32_MAX)
				return -1;
			x = (long long)u;
		}
		if (errno || end == s || *end)
			return -1;
		if (type == WASM_I32) {
			if (x < INT32_MIN)
				return -1;
			v->of.i32 = (int32_t)(uint32_t)x;
		} else {
			v->of.i64 = x;
		}
		return 0;
	}
	case WASM_F32:
		v->of.f32 = strtof(s, &end);
		return end == s || *end ? -1 : 0;
	case WASM_F64:
		v->of.f64 = strtod(s, &end);
		return end == s || *end ? -1 : 0;
	default:
		return -1;
	}
}

static const char *type_name(uint8_t t)
{
	switch (t) {
	case WASM_I32:
		return "i32";
	case WASM_I64:
		return "i64";
	case WASM_F32:
		return "f32";
	case WASM_F64:
		return "f64";
	case WASM_V128:
		return "v128";
	case WASM_FUNCREF:
		return "funcref";
	case WASM_EXTERNREF:
		return "externref";
	default:
		return "?";
	}
}

static void print_value(const wasm_val *v)
{
	switch (v->type) {
	case WASM_I32:
		printf("%" PRId32 "\n", v->of.i32);
		break;
	case WASM_I64:
		printf("%" PRId64 "\n", v->of.i64);
		break;
	case WASM_F32:
		printf("%.9g\n", (double)v->of.f32);
		break;
	case WASM_F64:
		printf("%.17g\n", v->of.f64);
		break;
	default:
		printf("%s:%s\n", type_name(v->type), v->of.ref ? "ref" : "null");
		break;
	}
}

static int report(wasm_result res, wasm_exec *ex, const char *module)
{
	switch (res) {
	case WASM_OK:
		return 0;
	case WASM_EXIT:
		return wasm_exec_exit_code(ex) & 0xff;
	case WASM_TRAP:
		fflush(stdout);
		fprintf(stderr, "vessel: %s: trap: %s\n", module, wasm_exec_message(ex));
		return EXIT_TRAP;
	case WASM_OUT_OF_FUEL:
		fflush(stdout);
		fprintf(stderr, "vessel: %s: out of fuel\n", module);
		return EXIT_FUEL;
	default:
		fprintf(stderr, "vessel: %s: run ended with %s: %s\n", module,
			wasm_result_name(res), wasm_exec_message(ex) ? wasm_exec_message(ex) : "");
		return EXIT_VESSEL;
	}
}

static int invoke(options *o, wasm_instance *inst, wasm_exec *ex)
{
	wasm_func *f = wasm_instance_func(inst, o->invoke);
	if (!f) {
		fprintf(stderr, "vessel: %s exports no function named '%s'\n", o->module,
			o->invoke);
		return EXIT_VESSEL;
	}
	const wasm_functype *t = wasm_func_type(f);
	uint32_t given = (uint32_t)(o->nargs - 1);
	if (given != t->nparams) {
		fprintf(stderr, "vessel: '%s' takes %u argument%s, %u given\n", o->invoke,
			t->nparams, t->nparams == 1 ? "" : "s", given);
		return EXIT_VESSEL;
	}
	wasm_val *args = calloc(t->nparams + 1, sizeof(*args));
	wasm_val *results = calloc(t->nresults + 1, sizeof(*results));
	int rc = EXIT_VESSEL;
	if (!args || !results) {
		fprintf(stderr, "vessel: out of memory\n");
		goto out;
	}
	for (uint32_t i = 0; i < t->nparams; i++) {
		if (parse_value(o->args[i + 1], t->params[i], &args[i])) {
			fprintf(stderr, "vessel: argument %u of '%s': '%s' is not a valid %s\n",
				i + 1, o->invoke, o->args[i + 1], type_name(t->params[i]));
			goto out;
		}
	}
	wasm_result res = wasm_call(ex, f, args, t->nparams, results, t->nresults);
	rc = report(res, ex, o->module);
	if (res == WASM_OK)
		for (uint32_t i = 0; i < t->nresults; i++)
			print_value(&results[i]);
out:
	free(args);
	free(results);
	return rc;
}

static int run(options *o)
{
	char err[512];
	size_t len;
	uint8_t *bytes = read_module(o->module, &len);
	if (!bytes)
		return EXIT_VESSEL;
	wasm_module *m = wasm_module_new(bytes, len, err, sizeof(err));
	free(bytes);
	if (!m) {
		fprintf(stderr, "vessel: %s: invalid module: %s\n", o->module, err);
		return EXIT_VESSEL;
	}
	int rc = EXIT_VESSEL;
	wasm_imports *im = NULL;
	wasm_instance *inst = NULL;
	wasm_exec *ex = NULL;
	wasi_config wc;
	wasi_config_init(&wc);
	wc.argc = (uint32_t)o->nargs;
	wc.argv = (const char *const *)o->args;
	wc.envc = o->nenv;
	wc.envp = o->env;
	wc.npreopens = o->ndirs;
	wc.preopens = o->dirs;
	wasi_ctx *w = wasi_new(&wc, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "vessel: %s\n", err);
		goto out;
	}
	if (!(im = wasm_imports_new()) || wasi_add_imports(w, im, err, sizeof(err)) != 0) {
		fprintf(stderr, "vessel: %s\n", im ? err : "out of memory");
		goto out;
	}
	inst = wasm_instance_new(m, im, &o->cfg, err, sizeof(err));
	if (!inst) {
		fprintf(stderr, "vessel: %s: cannot instantiate: %s\n", o->module, err);
		goto out;
	}
	wasm_instance_set_user(inst, w);
	if (!(ex = wasm_exec_new(&o->cfg))) {
		fprintf(stderr, "vessel: out of memory\n");
		goto out;
	}
	wasm_result res = wasm_instance_start(inst, ex);
	if (res != WASM_OK) {
		rc = report(res, ex, o->module);
		goto out;
	}
	if (o->invoke) {
		wasm_func *init = wasm_instance_func(inst, "_initialize");
		if (init && wasm_func_type(init)->nparams == 0 &&
		    wasm_func_type(init)->nresults == 0) {
			res = wasm_call(ex, init, NULL, 0, NULL, 0);
			if (res != WASM_OK) {
				rc = report(res, ex, o->module);
				goto out;
			}
		}
		rc = invoke(o, inst, ex);
	} else {
		wasm_func *start = wasm_instance_func(inst, "_start");
		if (!start) {
			fprintf(stderr,
				"vessel: %s exports no _start function (use --invoke NAME)\n",
				o->module);
			goto out;
		}
		const wasm_functype *t = wasm_func_type(start);
		if (t->nparams || t->nresults) {
			fprintf(stderr, "vessel: %s: _start must take and return nothing\n",
				o->module);
			goto out;
		}
		rc = report(wasm_call(ex, start, NULL, 0, NULL, 0), ex, o->module);
	}
out:
	fflush(stdout);
	wasm_exec_free(ex);
	wasm_instance_free(inst);
	wasm_imports_free(im);
	wasi_free(w);
	wasm_module_free(m);
	return rc;
}

static int is_dock_command(const char *c)
{
	static const char *const cmds[] = {"ps",      "checkpoint", "restore",
					   "migrate", "kill",	    "wait"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(c, cmds[i]) == 0)
			return 1;
	return 0;
}

/* Replaces this process with vslctl ARGV: the one in this binary's folder,
 * else the first on PATH. Returns only on failure, with 125. */
static int exec_vslctl(char **args)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash && (size_t)(slash - self) + sizeof("/vslctl") <= sizeof(self)) {
			strcpy(slash, "/vslctl");
			if (access(self, X_OK) == 0) {
				execv(self, args);
				fprintf(stderr, "vessel: cannot run %s: %s\n", self,
					strerror(errno));
				return EXIT_VESSEL;
			}
		}
	}
	execvp("vslctl", args);
	fprintf(stderr,
		"vessel: the dock commands need the dock client vslctl, which is neither "
		"next to vessel nor on PATH (%s)\n",
		strerror(errno));
	return EXIT_VESSEL;
}

/* `vessel --dock ADDR ...` passes through; `vessel COMMAND --dock ADDR
 * [--token-file FILE] ARGS...` becomes `vslctl --dock ADDR [--token-file
 * FILE] COMMAND ARGS...`. */
static int dock_main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args) {
		fprintf(stderr, "vessel: out of memory\n");
		return EXIT_VESSEL;
	}
	int k = 0;
	args[k++] = "vslctl";
	if (strcmp(argv[1], "--dock") == 0) {
		for (int i = 1; i < argc; i++)
			args[k++] = argv[i];
	} else {
		if (argc < 4 || strcmp(argv[2], "--dock") != 0) {
			free(args);
			return usage_error("'%s' is a dock command: give --dock HOST:PORT after it",
					   argv[1]);
		}
		int i = 2;
		args[k++] = argv[i++];
		args[k++] = argv[i++];
		if (i + 1 < argc && strcmp(argv[i], "--token-file") == 0) {
			args[k++] = argv[i++];
			args[k++] = argv[i++];
		}
		args[k++] = argv[1];
		while (i < argc)
			args[k++] = argv[i++];
	}
	args[k] = NULL;
	int rc = exec_vslctl(args);
	free(args);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--dock") == 0 || is_dock_command(argv[1]) ||
	    (strcmp(argv[1], "run") == 0 && argc > 2 && strcmp(argv[2], "--dock") == 0))
		return dock_main(argc, argv);
	if (strcmp(argv[1], "run") != 0)
		return usage_error("unknown command '%s' (see 'vessel --help')", argv[1]);
	options o;
	memset(&o, 0, sizeof(o));
	/* Each option takes one value: argc bounds the count of each kind. */
	o.dirs = calloc((size_t)argc, sizeof(*o.dirs));
	o.env = calloc((size_t)argc, sizeof(*o.env));
	if (!o.dirs || !o.env) {
		fprintf(stderr, "vessel: out of memory\n");
		free(o.dirs);
		free(o.env);
		return EXIT_VESSEL;
	}
	int rc = parse_run(argc - 2, argv + 2, &o);
	if (rc < 0)
		rc = run(&o);
	free(o.dirs);
	free(o.env);
	return rc;
}
