/* mcp_main: schedcp-mcp, SchedCP's MCP server as a program.
 *
 * Over stdio by default (an MCP client spawns it), or over streamable HTTP
 * on 127.0.0.1 with --http PORT and a bearer token (--token-file, a 0600
 * file, or SCHEDCP_MCP_TOKEN). It opens the policy repository (scx.h) and the
 * profile store beside it, registers the tools of mcp_tools_*.c and serves
 * until end of input (stdio) or SIGINT/SIGTERM (HTTP). Diagnostics go to
 * stderr; stdout belongs to the protocol.
 */
#include "mcp_server.h"
#include "mcp_tools.h"
#include "mcp_transport.h"
#include "wae_engine.h"
#ifdef SCX_MCP_HAVE_CORE
#include "scx.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: schedcp-mcp [options]\n"
		"  --http PORT          serve streamable HTTP on 127.0.0.1:PORT (0: any) "
		"instead of stdio\n"
		"  --token-file FILE    bearer token for HTTP (mode 0600); or SCHEDCP_MCP_TOKEN\n"
		"  --port-file FILE     write the HTTP port there once listening\n"
		"  --repo PATH          policy repository (default schedcp.db)\n"
		"  --profiles PATH      profile store (default: beside the repository, "
		"schedcp-profiles.db)\n"
		"  --cache DIR          sched_ext kernel and toolchain cache\n"
		"  --no-fetch           never download the kernel\n"
		"  --no-core            serve only the workload tools (no repository, no VM)\n"
		"  --no-exec            workload_profile may watch pids but not run commands\n"
		"  --max-message BYTES  largest accepted message (default %u)\n"
		"  --max-profile SECS   longest profile (default 120)\n",
		SCX_MCP_DEFAULT_MAX_MESSAGE);
}

static void log_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "schedcp-mcp: %s\n", msg);
}

static char *profiles_beside(const char *repo)
{
	const char *slash = strrchr(repo, '/');
	char *out = NULL;
	if (asprintf(&out, "%.*sschedcp-profiles.db", slash ? (int)(slash - repo + 1) : 0, repo) <
	    0)
		return NULL;
	return out;
}

int main(int argc, char **argv)
{
	enum {
		O_HTTP = 256,
		O_TOKEN,
		O_PORTFILE,
		O_REPO,
		O_PROFILES,
		O_CACHE,
		O_NOFETCH,
		O_NOCORE,
		O_NOEXEC,
		O_MAXMSG,
		O_MAXPROF
	};
	static const struct option opts[] = {
		{"http", required_argument, NULL, O_HTTP},
		{"token-file", required_argument, NULL, O_TOKEN},
		{"port-file", required_argument, NULL, O_PORTFILE},
		{"repo", required_argument, NULL, O_REPO},
		{"profiles", required_argument, NULL, O_PROFILES},
		{"cache", required_argument, NULL, O_CACHE},
		{"no-fetch", no_argument, NULL, O_NOFETCH},
		{"no-core", no_argument, NULL, O_NOCORE},
		{"no-exec", no_argument, NULL, O_NOEXEC},
		{"max-message", required_argument, NULL, O_MAXMSG},
		{"max-profile", required_argument, NULL, O_MAXPROF},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	long http_port = -1;
	const char *token_file = NULL, *port_file = NULL, *repo = "schedcp.db";
	const char *profiles = NULL, *cache = NULL;
	bool no_fetch = false, no_core = false, no_exec = false;
	size_t max_msg = 0;
	double max_prof = 120;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_HTTP:
			http_port = strtol(optarg, NULL, 10);
			if (http_port < 0 || http_port > 65535) {
				fprintf(stderr, "schedcp-mcp: --http %s: not a port\n", optarg);
				return 2;
			}
			break;
		case O_TOKEN:
			token_file = optarg;
			break;
		case O_PORTFILE:
			port_file = optarg;
			break;
		case O_REPO:
			repo = optarg;
			break;
		case O_PROFILES:
			profiles = optarg;
			break;
		case O_CACHE:
			cache = optarg;
			break;
		case O_NOFETCH:
			no_fetch = true;
			break;
		case O_NOCORE:
			no_core = true;
			break;
		case O_NOEXEC:
			no_exec = true;
			break;
		case O_MAXMSG:
			max_msg = strtoul(optarg, NULL, 10);
			if (max_msg < 1024 || max_msg > (64u << 20)) {
				fprintf(stderr, "schedcp-mcp: --max-message: 1024..64 MiB\n");
				return 2;
			}
			break;
		case O_MAXPROF:
			max_prof = strtod(optarg, NULL);
			if (!(max_prof > 0 && max_prof <= 3600)) {
				fprintf(stderr, "schedcp-mcp: --max-profile: 0..3600 s\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* A client that goes away must not kill us mid-write. */
	signal(SIGPIPE, SIG_IGN);

	char err[1024] = "";
	struct scx_mcp_ctx ctx = {.allow_exec = !no_exec, .max_profile_s = max_prof};
	char *prof_path = profiles ? strdup(profiles) : profiles_beside(repo);
	if (!prof_path || scx_wae_store_open(prof_path, &ctx.profiles, err, sizeof(err))) {
		fprintf(stderr, "schedcp-mcp: %s\n", err[0] ? err : "out of memory");
		free(prof_path);
		return 1;
	}
	free(prof_path);

	struct scx_mcp_server_opts so = {
		.name = "schedcp",
		.version = "0.1.0",
		.instructions =
			"SchedCP: profile a workload (workload_profile), find or write a sched_ext "
			"policy (policy_search, policy_get, policy_create), deploy it safely "
			"(policy_deploy; rollback is automatic on a stall or regression, or "
			"policy_rollback), and record what it achieved (history_record).",
		.max_message = max_msg,
		.log = log_stderr,
	};
	struct scx_mcp_server *srv = NULL;
	int rc = scx_mcp_server_new(&so, &srv, err, sizeof(err));
	if (!rc)
		rc = scx_mcp_register_wae_tools(srv, &ctx, err, sizeof(err));
#ifdef SCX_MCP_HAVE_CORE
	scx_t *core = NULL;
	if (!rc && !no_core) {
		scx_config cfg = {.repo_path = repo, .cache_dir = cache, .no_fetch = no_fetch};
		rc = scx_open(&cfg, &core, err, sizeof(err));
		if (!rc && scx_seed(core, err, sizeof(err)))
			fprintf(stderr, "schedcp-mcp: seeding the repository: %s\n", err);
		rc = rc ? rc : 0;
		if (!rc) {
			ctx.scx = core;
			rc = scx_mcp_register_scx_tools(srv, &ctx, err, sizeof(err));
			if (!rc)
				rc = scx_mcp_register_eval_tool(srv, &ctx, err, sizeof(err));
		}
	}
#else
	(void)cache;
	(void)no_fetch;
	(void)no_core;
#endif
	if (rc) {
		fprintf(stderr, "schedcp-mcp: %s\n", err);
		goto out;
	}

	if (http_port < 0) {
		rc = scx_mcp_serve_stdio(srv, 0, 1, err, sizeof(err));
		if (rc && rc != -EPIPE)
			fprintf(stderr, "schedcp-mcp: %s\n", err);
		rc = 0;
		goto out;
	}

	char token[SCX_MCP_TOKEN_MAX] = "";
	if (token_file) {
		rc = scx_mcp_load_token(token_file, token, sizeof(token), err, sizeof(err));
	} else if (getenv("SCHEDCP_MCP_TOKEN")) {
		snprintf(token, sizeof(token), "%s", getenv("SCHEDCP_MCP_TOKEN"));
	} else {
		snprintf(err, sizeof(err), "--http needs --token-file or SCHEDCP_MCP_TOKEN");
		rc = -EINVAL;
	}
	if (rc) {
		fprintf(stderr, "schedcp-mcp: %s\n", err);
		goto out;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* the daemon's threads inherit this */
	struct scx_mcp_http *h = NULL;
	struct scx_mcp_http_opts ho = {.port = (uint16_t)http_port, .token = token};
	rc = scx_mcp_http_start(srv, &ho, &h, err, sizeof(err));
	memset(token, 0, sizeof(token));
	if (rc) {
		fprintf(stderr, "schedcp-mcp: %s\n", err);
		goto out;
	}
	fprintf(stderr, "schedcp-mcp: listening on http://127.0.0.1:%u/mcp\n",
		scx_mcp_http_port(h));
	if (port_file) {
		FILE *f = fopen(port_file, "w");
		if (f) {
			fprintf(f, "%u\n", scx_mcp_http_port(h));
			fclose(f);
		}
	}
	int sig;
	sigwait(&set, &sig);
	scx_mcp_http_stop(h);
	rc = 0;
out:
	scx_mcp_server_free(srv);
	scx_wae_store_close(ctx.profiles);
#ifdef SCX_MCP_HAVE_CORE
	scx_close(core);
#endif
	return rc ? 1 : 0;
}
