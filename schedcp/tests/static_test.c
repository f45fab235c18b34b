/* The sandboxed compile and the static checks (no VM; the kernel's
 * vmlinux.h and libbpf 1.5 come from the cache, fetched on a first run):
 * the five seed policies compile and pass; hostile sources in tests/hostile
 * are refused with the reason, before or after compiling, as each case says.
 */
#include "scx_internal.h"
#include "scx_testenv.h"
#include "testkit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int compile(scx_t *s, const char *rel, char *obj, size_t olen, char *err, size_t errlen)
{
	char *src = scx_test_source(rel);
	int rc;

	if (!src) {
		snprintf(err, errlen, "cannot read %s", rel);
		return -ENOENT;
	}
	snprintf(obj, olen, "%s/out.o", scx_test_dir());
	unlink(obj);
	rc = scx_compile(s, src, strlen(src), obj, NULL, err, errlen);
	free(src);
	return rc;
}

int main(void)
{
	char err[1024], obj[512];
	scx_t *s = scx_test_open(true);
	const char *seeds[] = {"fifo", "vtime", "latency", "ljf", "locality"};

	for (int i = 0; i < 5; i++) {
		char rel[64];
		json_t *rep = NULL;
		snprintf(rel, sizeof(rel), "bpf/%s.bpf.c", seeds[i]);
		TK_CHECK(compile(s, rel, obj, sizeof(obj), err, sizeof(err)) == 0, "%s: %s", rel,
			 err);
		TK_CHECK(scx_static_check(s, obj, &rep, err, sizeof(err)) == 0, "%s static: %s",
			 rel, err);
		json_t *ops = json_object_get(rep, "ops");
		bool enq = false;
		size_t k;
		json_t *v;
		json_array_foreach(ops, k, v) enq |= !strcmp(json_string_value(v), "enqueue");
		TK_CHECK(enq, "%s: enqueue not among its ops", rel);
		json_decref(rep);
	}

	/* refused before or while compiling: nothing of the host is read */
	static const struct {
		const char *file, *want;
		int rc;
	} pre[] = {
		{"tests/hostile/include_passwd.bpf.c", "not allowed", -EPERM},
		{"tests/hostile/include_relative.bpf.c", "not allowed", -EPERM},
		{"tests/hostile/include_system.bpf.c", "not allowed", -EPERM},
		{"tests/hostile/include_macro.bpf.c", "not allowed", -EPERM},
		{"tests/hostile/embed.bpf.c", "not allowed", -EPERM},
		{"tests/hostile/has_include.bpf.c", "__has_include", -EPERM},
		{"tests/hostile/continued.bpf.c", "continued", -EPERM},
		{"tests/hostile/syntax.bpf.c", "does not compile", -EINVAL},
	};
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		int rc = compile(s, pre[i].file, obj, sizeof(obj), err, sizeof(err));
		TK_CHECK(rc == pre[i].rc && strstr(err, pre[i].want), "%s: rc %d, '%s'",
			 pre[i].file, rc, err);
		TK_CHECK(strstr(err, "root:x:0:0") == NULL, "%s: host file content leaked",
			 pre[i].file);
		TK_CHECK(access(obj, F_OK) != 0, "%s: an object was produced", pre[i].file);
	}

	/* compiled, then refused by our checks on the object */
	static const struct {
		const char *file, *want;
	} post[] = {
		{"tests/hostile/huge_map.bpf.c", "too large"},
		{"tests/hostile/kprobe.bpf.c", "not a sched_ext op"},
		{"tests/hostile/kfunc.bpf.c", "scx_bpf_cpuperf_set"},
		{"tests/hostile/helper.bpf.c", "helper #109"},
		{"tests/hostile/no_enqueue.bpf.c", "'enqueue' is missing"},
	};
	for (size_t i = 0; i < sizeof(post) / sizeof(post[0]); i++) {
		TK_CHECK(compile(s, post[i].file, obj, sizeof(obj), err, sizeof(err)) == 0,
			 "%s should compile: %s", post[i].file, err);
		int rc = scx_static_check(s, obj, NULL, err, sizeof(err));
		TK_CHECK(rc == -EPERM && strstr(err, post[i].want), "%s: rc %d, '%s'", post[i].file,
			 rc, err);
	}

	/* verify FILE stops at the first failed check, before any VM */
	scx_verdict v;
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/hostile/include_passwd.bpf.c", SCX_TEST_SHARE);
	TK_CHECK(scx_verify_file(s, path, &v, err, sizeof(err)) == -EPERM, "verify hostile: %s",
		 err);
	scx_verdict_free(&v);
	snprintf(path, sizeof(path), "%s/tests/hostile/helper.bpf.c", SCX_TEST_SHARE);
	TK_CHECK(scx_verify_file(s, path, &v, err, sizeof(err)) == 0 && !v.passed &&
			 strstr(v.reason, "static"),
		 "verify helper.bpf.c: %s / %s", err, v.reason);
	scx_verdict_free(&v);
	scx_close(s);
	return tk_finish();
}
