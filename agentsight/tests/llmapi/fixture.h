/* fixture: reading the llmapi test fixtures (tests/llmapi/data).
 *
 * Bodies are JSON files; streamed responses are .sse files in the wire form
 * of server-sent events ("event:" and "data:" lines, a blank line after each
 * event), which fx_feed_sse splits with a deliberately small reader of its
 * own, so that these tests do not depend on AgentSight's SSE parser.
 */
#ifndef AS_LLMAPI_TEST_FIXTURE_H
#define AS_LLMAPI_TEST_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "llmapi.h"
#include "testkit.h"

/* Sets the folder fixtures are read from (argv[1] of the test). */
void fx_init(int argc, char **argv);

/* The file's contents, NUL-terminated, or NULL (reported as a failed check). */
char *fx_read(const char *name, size_t *len);

/* Parses fixture `name` as a request of api into ex; returns the parser's rc. */
int fx_request(struct as_llm_exchange *ex, enum as_llm_api api, const char *name);
/* Parses fixture `name` as a whole response; returns the parser's rc. */
int fx_response(struct as_llm_exchange *ex, int status, const char *name);

/* Feeds each event of an SSE text to s. Returns the number of events fed;
 * *bad (may be NULL) gets how many the stream refused (rc < 0). */
int fx_feed_sse(struct as_llm_stream *s, const char *text, size_t len, int *bad);
/* Reads fixture `name` (SSE) into ex as a streamed response and finishes it. */
int fx_stream(struct as_llm_exchange *ex, const char *name, bool truncated, int *bad);

/* NULL-safe string equality. */
bool fx_eq(const char *a, const char *b);

/* Checks that report both values on failure. */
#define FX_STR(got, want)                                                                        \
	do {                                                                                     \
		const char *g_ = (got), *w_ = (want);                                            \
		TK_CHECK(fx_eq(g_, w_), "%s: got \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)", \
			 w_ ? w_ : "(null)");                                                    \
	} while (0)
#define FX_INT(got, want)                                                    \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		TK_CHECK(g_ == w_, "%s: got %lld, want %lld", #got, g_, w_); \
	} while (0)

#endif /* AS_LLMAPI_TEST_FIXTURE_H */
