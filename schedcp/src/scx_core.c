/* scx_core: opening and closing the SchedCP handle (scx.h): the defaults for
 * the repository, the cache and the key, the key file (32 random bytes,
 * created 0600, refused when others can read it), the seed policies, and the
 * shared error helper.
 */
#include "scx_internal.h"
#include "scx_repo.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SCX_DEFAULT_CACHE
#define SCX_DEFAULT_CACHE "schedcp-cache"
#endif
#ifndef SCX_SHARE_DIR
#define SCX_SHARE_DIR "schedcp"
#endif

void scx_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void scx_path(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, n, fmt, ap);
	va_end(ap);
}

static int load_key(scx_t *s, char *err, size_t errlen)
{
	int fd = open(s->key_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;

	if (fd < 0 && errno == ENOENT) {
		unsigned char k[32];
		if (RAND_bytes(k, sizeof(k)) != 1) {
			scx_err(err, errlen, "key %s: no randomness", s->key_path);
			return -EIO;
		}
		fd = open(s->key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, k, sizeof(k)) != (ssize_t)sizeof(k)) {
			scx_err(err, errlen, "key %s: %s", s->key_path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -EIO;
		}
		close(fd);
		fd = open(s->key_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		scx_err(err, errlen, "key %s: %s", s->key_path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &sb) || (sb.st_mode & 077)) {
		close(fd);
		scx_err(err, errlen, "key %s: readable by others (mode %o); it must be 0600",
			s->key_path, (unsigned)(sb.st_mode & 0777));
		return -EPERM;
	}
	if (read(fd, s->key, sizeof(s->key)) != (ssize_t)sizeof(s->key)) {
		close(fd);
		scx_err(err, errlen, "key %s: shorter than 32 bytes", s->key_path);
		return -EINVAL;
	}
	close(fd);
	return 0;
}

int scx_open(const scx_config *cfg, scx_t **out, char *err, size_t errlen)
{
	scx_config none = {0};
	scx_t *s;
	int rc;

	*out = NULL;
	if (!cfg)
		cfg = &none;
	s = calloc(1, sizeof(*s));
	if (!s) {
		scx_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(s->repo_path, sizeof(s->repo_path), "%s",
		 cfg->repo_path ? cfg->repo_path : "schedcp.db");
	snprintf(s->cache_dir, sizeof(s->cache_dir), "%s",
		 cfg->cache_dir ? cfg->cache_dir : SCX_DEFAULT_CACHE);
	snprintf(s->share_dir, sizeof(s->share_dir), "%s",
		 cfg->share_dir ? cfg->share_dir : SCX_SHARE_DIR);
	if (cfg->key_path)
		snprintf(s->key_path, sizeof(s->key_path), "%s", cfg->key_path);
	else
		snprintf(s->key_path, sizeof(s->key_path), "%s.key", s->repo_path);
	if (cfg->kernel_path)
		snprintf(s->kernel_path, sizeof(s->kernel_path), "%s", cfg->kernel_path);
	s->boot_timeout_s = cfg->boot_timeout_s ? cfg->boot_timeout_s : 120;
	s->no_fetch = cfg->no_fetch;
	mkdir(s->cache_dir, 0755);
	if (sqlite3_open(s->repo_path, &s->db) != SQLITE_OK) {
		scx_err(err, errlen, "%s: %s", s->repo_path,
			s->db ? sqlite3_errmsg(s->db) : "cannot open");
		scx_close(s);
		return -EIO;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if ((rc = scx_repo_init(s, err, errlen)) || (rc = load_key(s, err, errlen))) {
		scx_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void scx_close(scx_t *s)
{
	if (!s)
		return;
	if (s->db)
		sqlite3_close(s->db);
	memset(s->key, 0, sizeof(s->key));
	free(s);
}

static const struct {
	const char *name, *meta;
} seeds[] = {
	{"fifo", "{\"description\":\"global FIFO: one shared queue in arrival order, fixed "
		 "slice\",\"algorithm\":\"fifo\",\"workloads\":[\"throughput\",\"batch\"],"
		 "\"tunables\":[{\"name\":\"slice_ns\",\"type\":\"u64\",\"min\":100000,"
		 "\"max\":100000000,\"default\":5000000}]}"},
	{"vtime", "{\"description\":\"weighted virtual-time fair sharing\",\"algorithm\":"
		  "\"weighted-vtime\",\"workloads\":[\"fairness\",\"mixed\",\"server\"],"
		  "\"tunables\":[{\"name\":\"slice_ns\",\"type\":\"u64\",\"min\":100000,"
		  "\"max\":100000000,\"default\":5000000}]}"},
	{"latency", "{\"description\":\"latency-first: woken tasks run before CPU hogs\","
		    "\"algorithm\":\"wakeup-priority\",\"workloads\":[\"interactive\","
		    "\"latency\"],\"tunables\":[{\"name\":\"wake_slice_ns\",\"type\":\"u64\","
		    "\"min\":50000,\"max\":20000000,\"default\":1000000},{\"name\":"
		    "\"batch_slice_ns\",\"type\":\"u64\",\"min\":1000000,\"max\":200000000,"
		    "\"default\":20000000}]}"},
	{"ljf", "{\"description\":\"longest-job-first by name@ms hints, for long-tail batch "
		"makespan\",\"algorithm\":\"longest-job-first\",\"workloads\":[\"batch\","
		"\"long-tail\",\"build\"],\"tunables\":[{\"name\":\"slice_ns\",\"type\":"
		"\"u64\",\"min\":1000000,\"max\":200000000,\"default\":20000000}]}"},
	{"locality", "{\"description\":\"cache locality: per-CPU queues, stealing only on "
		     "imbalance\",\"algorithm\":\"per-cpu-affinity\",\"workloads\":[\"cache\","
		     "\"throughput\",\"server\"],\"tunables\":[{\"name\":\"slice_ns\",\"type\":"
		     "\"u64\",\"min\":1000000,\"max\":100000000,\"default\":10000000},{\"name\":"
		     "\"steal_min\",\"type\":\"s32\",\"min\":0,\"max\":16,\"default\":1}]}"},
};

int scx_seed(scx_t *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		sqlite3_int64 id;
		char path[PATH_MAX];
		unsigned char *src;
		size_t n;
		int rc;

		if (scx_repo_version_id(s, seeds[i].name, 0, NULL, &id, NULL, 0) == 0)
			continue;
		scx_path(path, sizeof(path), "%s/bpf/%s.bpf.c", s->share_dir, seeds[i].name);
		if ((rc = scx_read_file(path, &src, &n, (size_t)512 * 1024, err, errlen)))
			return rc;
		rc = scx_policy_add(s, seeds[i].name, (const char *)src, seeds[i].meta, NULL, err,
				    errlen);
		free(src);
		if (rc)
			return rc;
	}
	return 0;
}
