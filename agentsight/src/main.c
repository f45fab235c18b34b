/* agentsight: the command line.
 *
 * Subcommands: record (run a command and watch it), trace (watch running or
 * newly started processes), replay (run saved raw records through the
 * engine), report (a recorded session as text or JSON), serve (the web UI),
 * sigs (byte signatures of OpenSSL for stripped binaries).
 */
#include "analyze.h"
#include "elfsym.h"
#include "report.h"
#include "serve.h"
#include "session.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERSION "0.1.0"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: agentsight COMMAND [OPTIONS]\n"
		"\n"
		"Watch AI agents from outside: the plaintext of their LLM calls (eBPF uprobes on\n"
		"TLS libraries) and what they then do (processes, files, network), linked live.\n"
		"\n"
		"commands:\n"
		"  record [OPTIONS] -- CMD [ARGS...]   run CMD and watch it and its descendants\n"
		"  trace [OPTIONS] --pid PID           watch a running process and its "
		"descendants\n"
		"  trace [OPTIONS] --comm NAME         watch every process that runs NAME\n"
		"  replay [OPTIONS] FILE               run raw records saved with --save-raw\n"
		"  report [--db FILE] [--session ID] [--json]   show a recorded session\n"
		"  serve [--db FILE] [--port N]        web UI on 127.0.0.1, behind a random token\n"
		"  analyze [--db FILE] [--session ID] [--json] [--digest] [--llm KEY=VALUE]...\n"
		"                                      an LLM's second opinion on a session "
		"(optional;\n"
		"                                      configured by ISTHMUS_LLM_* or --llm, see\n"
		"                                      lib/llm/README.md)\n"
		"  sigs [--from LIBSSL_A] [-o FILE]    OpenSSL byte signatures for stripped "
		"binaries\n"
		"\n"
		"record, trace and replay options:\n"
		"  -o, --output FILE     JSON lines to FILE ('-': stdout, the default)\n"
		"      --db FILE         also store the session in the SQLite database FILE\n"
		"      --text            lines for people instead of JSON\n"
		"      --no-json         no JSON lines (with --db: only the store)\n"
		"      --ssl-binary PATH attach to OpenSSL linked into PATH (repeatable)\n"
		"      --sigs FILE       signatures for stripped binaries (default: made from the\n"
		"                        system's libssl.a when present)\n"
		"      --no-sigs         no signature search\n"
		"      --no-files        no file events    --no-net   no network events\n"
		"      --no-tls          no TLS capture    --http     also non-LLM HTTP exchanges\n"
		"      --all-opens       keep opens of devices and read-only opens of system\n"
		"                        files (/dev, /usr, /lib, ...)\n"
		"      --tls-keys        OpenSSL by its session keys: ciphertext taken at the\n"
		"                        socket and decrypted, one probe per handshake secret\n"
		"                        instead of two per request (see docs/agentsight.md)\n"
		"      --duration SECS   trace: stop after SECS\n"
		"      --ringbuf MIB     ring buffer size (default 16)\n"
		"      --save-raw FILE   keep the kernel's raw records for replay\n"
		"  -q, --quiet           no summary on stderr\n"
		"  -v, --verbose         libbpf's and the capture's messages\n"
		"\n"
		"record and trace need root (CAP_BPF and CAP_PERFMON). Events are JSON lines with\n"
		"a \"type\" of event, link, alert or stats; see docs/agentsight.md.\n");
}

enum {
	OPT_DB = 256,
	OPT_NO_JSON,
	OPT_SSL_BINARY,
	OPT_SIGS,
	OPT_NO_SIGS,
	OPT_NO_FILES,
	OPT_NO_NET,
	OPT_NO_TLS,
	OPT_HTTP,
	OPT_DURATION,
	OPT_RINGBUF,
	OPT_SAVE_RAW,
	OPT_PID,
	OPT_COMM,
	OPT_SESSION,
	OPT_JSON,
	OPT_PORT,
	OPT_FROM,
	OPT_ALL_OPENS,
	OPT_TLS_KEYS,
	OPT_DIGEST,
	OPT_TEXT,
	OPT_LLM,
};

static const struct option record_opts[] = {
	{"output", required_argument, NULL, 'o'},
	{"db", required_argument, NULL, OPT_DB},
	{"no-json", no_argument, NULL, OPT_NO_JSON},
	{"text", no_argument, NULL, OPT_TEXT},
	{"ssl-binary", required_argument, NULL, OPT_SSL_BINARY},
	{"sigs", required_argument, NULL, OPT_SIGS},
	{"no-sigs", no_argument, NULL, OPT_NO_SIGS},
	{"no-files", no_argument, NULL, OPT_NO_FILES},
	{"no-net", no_argument, NULL, OPT_NO_NET},
	{"no-tls", no_argument, NULL, OPT_NO_TLS},
	{"http", no_argument, NULL, OPT_HTTP},
	{"all-opens", no_argument, NULL, OPT_ALL_OPENS},
	{"tls-keys", no_argument, NULL, OPT_TLS_KEYS},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"ringbuf", required_argument, NULL, OPT_RINGBUF},
	{"save-raw", required_argument, NULL, OPT_SAVE_RAW},
	{"pid", required_argument, NULL, OPT_PID},
	{"comm", required_argument, NULL, OPT_COMM},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{0},
};

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int cmd_record(const char *cmd, int argc, char **argv)
{
	struct as_session_opts o;
	as_session_opts_init(&o);
	const char *output = "-";
	bool no_json = false;
	long v;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:qvh", record_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case OPT_DB:
			o.db_path = optarg;
			break;
		case OPT_NO_JSON:
			no_json = true;
			break;
		case OPT_TEXT:
			o.text = true;
			break;
		case OPT_SSL_BINARY:
			if (o.n_ssl_binaries == AS_MAX_SSL_BINARIES) {
				fprintf(stderr, "agentsight: at most %d --ssl-binary\n",
					AS_MAX_SSL_BINARIES);
				return 2;
			}
			o.ssl_binaries[o.n_ssl_binaries++] = optarg;
			break;
		case OPT_SIGS:
			o.sigs_path = optarg;
			break;
		case OPT_NO_SIGS:
			o.no_sigs = true;
			break;
		case OPT_NO_FILES:
			o.files = false;
			break;
		case OPT_NO_NET:
			o.net = false;
			break;
		case OPT_NO_TLS:
			o.tls = false;
			break;
		case OPT_HTTP:
			o.http_events = true;
			break;
		case OPT_ALL_OPENS:
			o.all_opens = true;
			break;
		case OPT_TLS_KEYS:
			o.tls_keys = true;
			break;
		case OPT_DURATION: {
			char *end;
			o.duration_s = strtod(optarg, &end);
			if (*end || o.duration_s <= 0) {
				fprintf(stderr,
					"agentsight: --duration '%s' is not a positive number\n",
					optarg);
				return 2;
			}
			break;
		}
		case OPT_RINGBUF:
			if (!parse_long(optarg, 1, 1024, &v) || (v & (v - 1))) {
				fprintf(stderr,
					"agentsight: --ringbuf '%s': a power of two of MiB, 1 to "
					"1024\n",
					optarg);
				return 2;
			}
			o.ringbuf_bytes = (uint32_t)v << 20;
			break;
		case OPT_SAVE_RAW:
			o.raw_path = optarg;
			break;
		case OPT_PID:
			if (!parse_long(optarg, 1, 1 << 30, &v)) {
				fprintf(stderr, "agentsight: --pid '%s' is not a process id\n",
					optarg);
				return 2;
			}
			o.pid = (pid_t)v;
			break;
		case OPT_COMM:
			if (!*optarg || strlen(optarg) > 15) {
				fprintf(stderr,
					"agentsight: --comm '%s': a process name of 1 to 15 "
					"bytes\n",
					optarg);
				return 2;
			}
			o.comm = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "agentsight: try 'agentsight --help'\n");
			return 2;
		}
	}
	bool is_record = strcmp(cmd, "record") == 0, is_replay = strcmp(cmd, "replay") == 0;
	if (is_record) {
		if (optind >= argc) {
			fprintf(stderr,
				"agentsight: record needs a command: agentsight record -- CMD\n");
			return 2;
		}
		if (o.pid || o.comm) {
			fprintf(stderr,
				"agentsight: record takes a command, not --pid or --comm\n");
			return 2;
		}
		o.command = argv + optind;
	} else if (is_replay) {
		if (optind != argc - 1) {
			fprintf(stderr, "agentsight: replay needs one raw record file\n");
			return 2;
		}
		o.replay_path = argv[optind];
	} else {
		if (optind != argc || (!o.pid == !o.comm)) {
			fprintf(stderr, "agentsight: trace needs exactly one of --pid or --comm\n");
			return 2;
		}
	}

	FILE *out = NULL;
	if (!no_json) {
		out = strcmp(output, "-") == 0 ? stdout : fopen(output, "we");
		if (!out) {
			fprintf(stderr, "agentsight: cannot write %s: %s\n", output,
				strerror(errno));
			return 1;
		}
	}
	o.jsonl = out;
	install_signals();
	char err[512];
	int status = 0;
	int rc = as_session_run(&o, &stop_requested, &status, err, sizeof(err));
	if (out && out != stdout)
		fclose(out);
	if (rc != 0) {
		fprintf(stderr, "agentsight: %s\n", err);
		return 1;
	}
	return is_record ? status : 0;
}

static const char *default_db(void)
{
	const char *env = getenv("AGENTSIGHT_DB");
	return env && *env ? env : "agentsight.db";
}

static bool parse_session(const char *arg, long *session)
{
	if (parse_long(arg, 1, 1L << 62, session))
		return true;
	fprintf(stderr, "agentsight: --session '%s' is not a session id\n", arg);
	return false;
}

/* report and analyze read a store and never change it. */
static struct as_store *open_store_readonly(const char *cmd, const char *db)
{
	char err[512];
	struct as_store *st;
	struct as_store_opts sto = {.read_only = true};
	if (as_store_open(&st, db, &sto, err, sizeof(err)) != 0) {
		fprintf(stderr, "agentsight: %s: %s\n", cmd, err);
		return NULL;
	}
	return st;
}

static int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"session", required_argument, NULL, OPT_SESSION},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *db = default_db();
	long session = 0;
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case OPT_SESSION:
			if (!parse_session(optarg, &session))
				return 2;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	char err[512];
	struct as_store *st = open_store_readonly("report", db);
	if (!st)
		return 1;
	struct as_report_opts ro = {.session = session, .json = json};
	int rc = as_report_write(st, &ro, stdout, err, sizeof(err));
	as_store_close(st);
	if (rc != 0) {
		fprintf(stderr, "agentsight: report: %s\n", err);
		return 1;
	}
	return 0;
}

static int cmd_analyze(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"session", required_argument, NULL, OPT_SESSION},
		{"json", no_argument, NULL, OPT_JSON},
		{"digest", no_argument, NULL, OPT_DIGEST},
		{"llm", required_argument, NULL, OPT_LLM},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *db = default_db();
	struct as_analyze_opts ao = {0};
	const char *overrides[32];
	size_t n_overrides = 0;
	long session = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case OPT_SESSION:
			if (!parse_session(optarg, &session))
				return 2;
			break;
		case OPT_JSON:
			ao.json = true;
			break;
		case OPT_DIGEST:
			ao.digest_only = true;
			break;
		case OPT_LLM:
			if (n_overrides == sizeof(overrides) / sizeof(overrides[0])) {
				fprintf(stderr, "agentsight: too many --llm settings\n");
				return 2;
			}
			overrides[n_overrides++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	ao.session = session;
	char err[512];
	struct llm_config cfg;
	if (!ao.digest_only) {
		/* The environment, then the flags over it. A missing key is not
		 * fatal yet: a flag may give it (llm_config_check says if not). */
		int erc = llm_config_from_env(&cfg, err, sizeof(err));
		if (erc != 0 && erc != LLM_ERR_CONFIG) {
			fprintf(stderr, "agentsight: analyze: %s\n", err);
			return 1;
		}
		for (size_t i = 0; i < n_overrides; i++)
			if (llm_config_set(&cfg, overrides[i], err, sizeof(err)) != 0) {
				fprintf(stderr, "agentsight: --llm %s: %s\n", overrides[i], err);
				return 2;
			}
		if (llm_config_check(&cfg, err, sizeof(err)) != 0) {
			fprintf(stderr, "agentsight: analyze: %s\n", err);
			return 1;
		}
		ao.llm = &cfg;
	}
	struct as_store *st = open_store_readonly("analyze", db);
	if (!st)
		return 1;
	int rc = as_analyze_run(st, &ao, stdout, err, sizeof(err));
	as_store_close(st);
	if (rc != 0) {
		fprintf(stderr, "agentsight: analyze: %s\n", err);
		return 1;
	}
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"port", required_argument, NULL, OPT_PORT},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct as_serve_opts so = {.db_path = default_db(), .out = stdout};
	long port = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			so.db_path = optarg;
			break;
		case OPT_PORT:
			if (!parse_long(optarg, 0, 65535, &port)) {
				fprintf(stderr, "agentsight: --port '%s' is not a port\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	so.port = (uint16_t)port;
	install_signals();
	char err[512];
	if (as_serve_run(&so, &stop_requested, err, sizeof(err)) != 0) {
		fprintf(stderr, "agentsight: serve: %s\n", err);
		return 1;
	}
	return 0;
}

static int cmd_sigs(int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, OPT_FROM},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *from = "/usr/lib/x86_64-linux-gnu/libssl.a", *output = "-";
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM:
			from = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	struct as_sigset set;
	char err[512];
	int n = as_sigset_from_archive(&set, from, as_openssl_funcs, as_openssl_nfuncs, err,
				       sizeof(err));
	if (n < 0) {
		fprintf(stderr, "agentsight: sigs: %s\n", err);
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "agentsight: sigs: %s holds none of the OpenSSL functions hooked\n",
			from);
		return 1;
	}
	FILE *out = strcmp(output, "-") == 0 ? stdout : fopen(output, "we");
	if (!out) {
		fprintf(stderr, "agentsight: cannot write %s: %s\n", output, strerror(errno));
		return 1;
	}
	fprintf(out, "# from %s\n", from);
	int rc = as_sigset_write(&set, out);
	if (out != stdout && fclose(out) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf(stderr, "agentsight: writing %s failed\n", output);
		return 1;
	}
	fprintf(stderr, "agentsight: %d signatures written\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("agentsight %s\n", VERSION);
		return 0;
	}
	if (strcmp(cmd, "record") == 0 || strcmp(cmd, "trace") == 0 || strcmp(cmd, "replay") == 0)
		return cmd_record(cmd, argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(cmd, "sigs") == 0)
		return cmd_sigs(argc - 1, argv + 1);
	if (strcmp(cmd, "analyze") == 0)
		return cmd_analyze(argc - 1, argv + 1);
	fprintf(stderr, "agentsight: unknown command '%s' (try 'agentsight --help')\n", cmd);
	return 2;
}
