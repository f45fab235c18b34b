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
		"  --max-profile SECS   longest profile (default 120)\n"
		"  --tools-markdown     print the tool reference (from the schemas) and exit\n",
		SCX_MCP_DEFAULT_MAX_MESSAGE);
}

static void log_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "schedcp-mcp: %s\n", msg);
}

static void schema_type(const json_t *s, char *out, size_t len)
{
	const json_t *t = json_object_get(s, "type");
	if (json_is_string(t)) {
		snprintf(out, len, "%s", json_string_value(t));
	} else if (json_is_array(t)) {
		size_t n = 0, i;
		const json_t *e;
		out[0] = '\0';
		json_array_foreach(t, i, e)
		{
			n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%s%s",
					      i ? " or " : "", json_string_value(e));
		}
	} else {
		snprintf(out, len, "any");
	}
	if (!strcmp(out, "array")) {
		char it[64];
		schema_type(json_object_get(s, "items"), it, sizeof(it));
		snprintf(out, len, "array of %s", it);
	}
}

static void schema_limits(const json_t *s, char *out, size_t len)
{
	size_t n = 0;
	out[0] = '\0';
	static const char *const kw[] = {"minimum",   "maximum",  "minLength",
					 "maxLength", "minItems", "maxItems"};
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++) {
		const json_t *v = json_object_get(s, kw[i]);
		if (json_is_number(v) && n < len)
			n += (size_t)snprintf(out + n, len - n, "%s%s %.15g", n ? ", " : "", kw[i],
					      json_number_value(v));
	}
	const json_t *en = json_object_get(s, "enum");
	if (json_is_array(en) && n < len) {
		char *e = json_dumps(en, JSON_COMPACT | JSON_ENCODE_ANY);
		snprintf(out + n, len - n, "%sone of %s", n ? ", " : "", e ? e : "");
		free(e);
	}
}

static void print_props(const json_t *schema)
{
	const json_t *props = json_object_get(schema, "properties");
	const json_t *req = json_object_get(schema, "required");
	if (!json_object_size(props)) {
		printf("(no fields)\n\n");
		return;
	}
	printf("| field | type | required | limits | description |\n|---|---|---|---|---|\n");
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)props, k, v)
	{
		char type[96], lim[256];
		schema_type(v, type, sizeof(type));
		schema_limits(v, lim, sizeof(lim));
		bool r = false;
		size_t i;
		const json_t *e;
		json_array_foreach(req, i, e)
		{
			if (!strcmp(json_string_value(e), k))
				r = true;
		}
		const char *d = json_string_value(json_object_get(v, "description"));
		printf("| `%s` | %s | %s | %s | %s |\n", k, type, r ? "yes" : "", lim, d ? d : "");
	}
	printf("\n");
}

/* The tool reference, generated from the registered schemas. */
static void print_tools_markdown(const json_t *tools)
{
	size_t i;
	const json_t *t;
	json_array_foreach(tools, i, t)
	{
		const json_t *ann = json_object_get(t, "annotations");
		bool ro = json_is_true(json_object_get(ann, "readOnlyHint"));
		bool de = json_is_true(json_object_get(ann, "destructiveHint"));
		printf("### `%s`: %s\n\n%s%s%s\n\nInput:\n\n",
		       json_string_value(json_object_get(t, "name")),
		       json_string_value(json_object_get(t, "title")),
		       json_string_value(json_object_get(t, "description")),
		       ro ? " Read-only." : "", de ? " Changes the running scheduler." : "");
		print_props(json_object_get(t, "inputSchema"));
		printf("Output (structuredContent):\n\n");
		print_props(json_object_get(t, "outputSchema"));
	}
}

static char *profiles_beside(const char *repo)
{
	if (!repo)
		return NULL;
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
		O_MAXPROF,
		O_TOOLSMD
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
		{"tools-markdown", no_argument, NULL, O_TOOLSMD},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	long http_port = -1;
	const char *token_file = NULL, *port_file = NULL, *repo = "schedcp.db";
	const char *profiles = NULL, *cache = NULL;
	bool no_fetch = false, no_core = false, no_exec = false, tools_md = false;
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
		case O_TOOLSMD:
			tools_md = true;
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

	if (tools_md) {
		json_t *tl = scx_mcp_server_tools_json(srv);
		print_tools_markdown(json_object_get(tl, "tools"));
		json_decref(tl);
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
