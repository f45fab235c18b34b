/* schedcp: the command line over scx_core (scx.h).
 *
 *   schedcp [--repo DB] [--cache DIR] [--key FILE] COMMAND ...
 *     seed                         add the five seed policies
 *     policy list [TEXT] [--workload W]
 *     policy show NAME [VERSION]
 *     policy add NAME FILE.bpf.c [META.json]
 *     policy verify NAME [VERSION] verify a repository policy, store the verdict
 *     verify FILE                  verify a .bpf.c or .o file (not stored)
 *     deploy NAME                  canary deployment with automatic rollback
 *     rollback                     back to the previous known-good policy
 *     status | history [N]
 *     perf NAME WORKLOAD JSON      record metrics for the latest version
 * Results are JSON on stdout; errors one line on stderr; exit 0 on success,
 * 1 on failure (a failed verification or a rolled-back deployment included),
 * 2 on bad usage.
 */
#include "scx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help_text[] =
	"usage: schedcp [--repo DB] [--cache DIR] [--key FILE] [--kernel VMLINUZ] COMMAND ...\n"
	"\n"
	"Verified, reversible deployment of sched_ext policies (docs/schedcp.md).\n"
	"\n"
	"commands:\n"
	"  seed                          add the five seed policies to the repository\n"
	"  policy list [TEXT] [--workload W]   search policies by text or workload\n"
	"  policy show NAME [VERSION]    a policy's source, metadata and history\n"
	"  policy add NAME FILE.bpf.c [META.json]   add a policy (a new version if it exists)\n"
	"  policy verify NAME [VERSION]  verify a repository policy and store the signed verdict\n"
	"  verify FILE                   verify a .bpf.c or .o file (not stored)\n"
	"  deploy NAME                   canary deployment with automatic rollback\n"
	"  rollback                      back to the previous known-good policy or the default\n"
	"  status                        the deployed policy\n"
	"  history [N]                   the last N deployments, rollbacks and refusals\n"
	"  perf NAME WORKLOAD JSON       record metrics for a policy's latest version\n"
	"\n"
	"options:\n"
	"  --repo DB       the policy repository (default: schedcp.db in this folder)\n"
	"  --key FILE      the verdict signing key (default: DB.key, created 0600)\n"
	"  --cache DIR     where the sched_ext kernel and libbpf are fetched and kept\n"
	"  --kernel FILE   boot this kernel instead of the fetched one\n"
	"\n"
	"Results are JSON on stdout; errors one line on stderr. Exit 0 on success, 1 on\n"
	"failure (a failed verification or a rolled-back deployment included), 2 on\n"
	"bad usage.\n";

static int usage(void)
{
	fputs(help_text, stderr);
	return 2;
}

static int print(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;

	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(j);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > (1 << 20) || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	fclose(f);
	return buf;
}

static int verdict_out(int rc, scx_verdict *v, const char *err)
{
	if (rc) {
		fprintf(stderr, "schedcp: %s\n", err);
		return 1;
	}
	print(json_incref(v->json));
	if (!v->passed)
		fprintf(stderr, "schedcp: rejected: %s\n", v->reason);
	scx_verdict_free(v);
	return v->passed ? 0 : 1;
}

int main(int argc, char **argv)
{
	scx_config cfg = {0};
	scx_t *s = NULL;
	char err[1024] = "";
	int i = 1, rc = 0;

	for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--repo"))
			cfg.repo_path = argv[i + 1];
		else if (!strcmp(argv[i], "--cache"))
			cfg.cache_dir = argv[i + 1];
		else if (!strcmp(argv[i], "--key"))
			cfg.key_path = argv[i + 1];
		else if (!strcmp(argv[i], "--kernel"))
			cfg.kernel_path = argv[i + 1];
		else
			return usage();
	}
	if (i >= argc)
		return usage();
	if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "help")) {
		fputs(help_text, stdout); /* before anything is opened or created */
		return 0;
	}
	if (scx_open(&cfg, &s, err, sizeof(err))) {
		fprintf(stderr, "schedcp: %s\n", err);
		return 1;
	}
	const char *cmd = argv[i];
	int n = argc - i - 1;
	char **a = argv + i + 1;
	json_t *j = NULL;
	scx_verdict v;

	if (!strcmp(cmd, "seed")) {
		rc = scx_seed(s, err, sizeof(err)) ? 1 : 0;
	} else if (!strcmp(cmd, "policy") && n >= 1 && !strcmp(a[0], "list")) {
		const char *text = NULL, *wl = NULL;
		for (int k = 1; k < n; k++) {
			if (!strcmp(a[k], "--workload") && k + 1 < n)
				wl = a[++k];
			else
				text = a[k];
		}
		j = scx_policy_list(s, text, wl, err, sizeof(err));
		rc = j ? print(j) : 1;
	} else if (!strcmp(cmd, "policy") && n >= 2 && !strcmp(a[0], "show")) {
		j = scx_policy_show(s, a[1], n > 2 ? atoi(a[2]) : 0, err, sizeof(err));
		rc = j ? print(j) : 1;
	} else if (!strcmp(cmd, "policy") && n >= 3 && !strcmp(a[0], "add")) {
		char *src = slurp(a[2]), *meta = n > 3 ? slurp(a[3]) : NULL;
		int ver = 0;
		if (!src) {
			snprintf(err, sizeof(err), "%s: cannot read (or larger than 1 MiB)", a[2]);
			rc = 1;
		} else if (n > 3 && !meta) {
			snprintf(err, sizeof(err), "%s: cannot read", a[3]);
			rc = 1;
		} else if (scx_policy_add(s, a[1], src, meta, &ver, err, sizeof(err))) {
			rc = 1;
		} else {
			print(json_pack("{s:s, s:i}", "name", a[1], "version", ver));
		}
		free(src);
		free(meta);
	} else if (!strcmp(cmd, "policy") && n >= 2 && !strcmp(a[0], "verify")) {
		rc = scx_verify_policy(s, a[1], n > 2 ? atoi(a[2]) : 0, &v, err, sizeof(err));
		rc = verdict_out(rc, &v, err);
		err[0] = 0;
	} else if (!strcmp(cmd, "verify") && n == 1) {
		rc = scx_verify_file(s, a[0], &v, err, sizeof(err));
		rc = verdict_out(rc, &v, err);
		err[0] = 0;
	} else if (!strcmp(cmd, "deploy") && n == 1) {
		if (scx_deploy(s, a[0], &j, err, sizeof(err))) {
			rc = 1;
		} else {
			const char *o = json_string_value(json_object_get(j, "outcome"));
			rc = o && !strcmp(o, "deployed") ? 0 : 1;
			print(j);
		}
	} else if (!strcmp(cmd, "rollback") && n == 0) {
		if (scx_rollback(s, &j, err, sizeof(err)))
			rc = 1;
		print(j);
	} else if (!strcmp(cmd, "status") && n == 0) {
		j = scx_status(s, err, sizeof(err));
		rc = j ? print(j) : 1;
	} else if (!strcmp(cmd, "history")) {
		j = scx_history(s, n > 0 ? atoi(a[0]) : 20, err, sizeof(err));
		rc = j ? print(j) : 1;
	} else if (!strcmp(cmd, "perf") && n == 3) {
		json_t *m = json_loads(a[2], 0, NULL);
		rc = scx_perf_record(s, a[0], 0, a[1], m, err, sizeof(err)) ? 1 : 0;
		json_decref(m);
	} else {
		scx_close(s);
		return usage();
	}
	if (rc && err[0])
		fprintf(stderr, "schedcp: %s\n", err);
	scx_close(s);
	return rc;
}
