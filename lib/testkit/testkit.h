/* testkit: the few helpers that Isthmus tests share.
 *
 * A test is a plain program registered with CTest (isthmus_add_test): it
 * exits 0 when every check held, 1 when one failed, and TK_EXIT_SKIP (77)
 * after printing "SKIPPED: <reason>" when it cannot run on this machine, which
 * CTest then reports as skipped. Checks print the file, line, the condition
 * and a message, and let the test go on so that one run shows every failure.
 */
#ifndef ISTHMUS_TESTKIT_H
#define ISTHMUS_TESTKIT_H

#include <stdbool.h>
#include <stdlib.h>

#define TK_EXIT_SKIP 77

/* Prints "SKIPPED: <reason>" and exits with TK_EXIT_SKIP. */
_Noreturn void tk_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Skips the test unless it runs as root; `why` says what needs root. */
void tk_require_root(const char *why);

/* Records one failed check; use TK_CHECK and TK_REQUIRE instead. */
void tk_check_failed(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Number of failed checks so far. */
int tk_failures(void);

/* The exit status for main: 0 if no check failed, else 1 (with a summary). */
int tk_finish(void);

/* TK_CHECK(cond, fmt, ...): on failure, report and go on. */
#define TK_CHECK(cond, ...)                                                      \
	do {                                                                     \
		if (!(cond))                                                     \
			tk_check_failed(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

/* TK_REQUIRE(cond, fmt, ...): on failure, report and end the test now (from
 * any function: it exits with tk_finish()'s status). */
#define TK_REQUIRE(cond, ...)                                                    \
	do {                                                                     \
		if (!(cond)) {                                                   \
			tk_check_failed(__FILE__, __LINE__, #cond, __VA_ARGS__); \
			exit(tk_finish());                                       \
		}                                                                \
	} while (0)

#endif /* ISTHMUS_TESTKIT_H */
