/* testkit: skip, check and summary helpers for tests (see testkit.h). */
#include "testkit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int failures;

void tk_skip(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	printf("SKIPPED: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(TK_EXIT_SKIP);
}

void tk_require_root(const char *why)
{
	if (geteuid() != 0)
		tk_skip("%s needs root (running as uid %u)", why, (unsigned)geteuid());
}

void tk_check_failed(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	failures++;
	fflush(stdout);
	fprintf(stderr, "%s:%d: check failed: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

int tk_failures(void)
{
	return failures;
}

int tk_finish(void)
{
	if (failures == 0)
		return 0;
	fprintf(stderr, "%d check%s failed\n", failures, failures == 1 ? "" : "s");
	return 1;
}
