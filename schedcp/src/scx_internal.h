/* scx_internal: the handle and the helpers that SchedCP's core modules
 * (repository, build, static checks, VM harness, verifier, deployment) share;
 * not part of the public API in scx.h.
 */
#ifndef SCX_INTERNAL_H
#define SCX_INTERNAL_H

#include "scx.h"

#include <sqlite3.h>
#include <stdarg.h>

struct scx {
	sqlite3 *db;
	char repo_path[1024];
	char cache_dir[1024];
	char key_path[1024];
	char share_dir[1024];
	unsigned boot_timeout_s;
	bool no_fetch;
	unsigned char key[32];
};

/* snprintf into err, ignoring a NULL or empty buffer. */
void scx_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* SCX_INTERNAL_H */
