/* fuzz_wasi_path: the WASI path sandbox on arbitrary guest paths. The input
 * is a path a guest could pass; wasi_path_resolve resolves it beneath a
 * fixed sandbox folder salted with links that point out (to the parent, to
 * an absolute path), a link loop, links within and a chain 40 levels deep. Whatever the input, the
 * directory it resolves to must lie beneath the sandbox: the fuzzer checks
 * it through /proc/self/fd and aborts on an escape or a leaked fd.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

static char sandbox[256];
static int base = -1;

static void setup(void)
{
	char root[] = "/tmp/fuzz-wasi-path-XXXXXX";
	if (!mkdtemp(root))
		abort();
	char p[512];
	snprintf(sandbox, sizeof(sandbox), "%s/sandbox", root);
	if (mkdir(sandbox, 0755))
		abort();
	snprintf(p, sizeof(p), "%s/sub", sandbox);
	if (mkdir(p, 0755))
		abort();
	snprintf(p, sizeof(p), "%s/sub/deeper", sandbox);
	if (mkdir(p, 0755))
		abort();
	/* A chain 40 levels deep ("c/c/..."), so that walks go past the levels
	 * at which the resolver keeps fds, with a link at level 20 back up 3. */
	size_t len = (size_t)snprintf(p, sizeof(p), "%s", sandbox);
	for (int i = 0; i < 40; i++) {
		len += (size_t)snprintf(p + len, sizeof(p) - len, "/c");
		if (mkdir(p, 0755))
			abort();
		if (i == 19) {
			char l[600];
			snprintf(l, sizeof(l), "%s/up3", p);
			if (symlink("../../..", l))
				abort();
		}
	}
	const char *links[][2] = {{"..", "up"},	 {"/etc", "abs"},    {"loop", "loop"},
				  {"sub", "in"}, {"../..", "sub/x"}, {"deeper/..", "sub/y"}};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", sandbox, links[i][1]);
		if (symlink(links[i][0], p))
			abort();
	}
	base = open(sandbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char real[PATH_MAX];
	if (base < 0 || !realpath(sandbox, real) || strlen(real) >= sizeof(sandbox))
		abort();
	memcpy(sandbox, real, strlen(real) + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (base < 0)
		setup();
	/* The lowest free fd now; a leaked fd would take it. */
	int lowest = dup(0);
	close(lowest);
	wasi_resolved r;
	int e = wasi_path_resolve(base, (const char *)data, size, size & 1, &r);
	if (e == 0) {
		char link[64], where[PATH_MAX];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", r.dirfd);
		ssize_t n = readlink(link, where, sizeof(where) - 1);
		if (n < 0)
			abort();
		where[n] = '\0';
		size_t sl = strlen(sandbox);
		if (strncmp(where, sandbox, sl) != 0 || (where[sl] != '\0' && where[sl] != '/')) {
			fprintf(stderr, "escape: resolved to %s\n", where);
			abort();
		}
		if (strchr(r.name, '/') || (strcmp(r.name, "..") == 0))
			abort(); /* the last component must be one name, never ".." */
		wasi_path_release(&r);
	} else if (r.dirfd != -1) {
		abort();
	}
	/* No fd may leak. */
	int after = dup(0);
	close(after);
	if (after != lowest)
		abort();
	return 0;
}
