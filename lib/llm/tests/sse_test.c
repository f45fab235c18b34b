/* sse_test: the server-sent-events parser against the examples of the WHATWG
 * HTML standard (section "Server-sent events", event stream interpretation),
 * fed whole, byte by byte and split at every position, with LF, CRLF and CR
 * line ends; plus the limits (line and event size) and callback stops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm_internal.h"
#include "testkit.h"

#define MAX_EVENTS 16

struct seen {
	size_t n;
	char event[MAX_EVENTS][64];
	char data[MAX_EVENTS][128];
	size_t len[MAX_EVENTS];
	int stop_after; /* return non-zero after this many events; 0: never */
};

static int on_event(void *ctx, const char *event, const char *data, size_t len)
{
	struct seen *s = ctx;
	if (s->n < MAX_EVENTS) {
		snprintf(s->event[s->n], sizeof(s->event[0]), "%s", event);
		snprintf(s->data[s->n], sizeof(s->data[0]), "%.*s", (int)len, data);
		s->len[s->n] = len;
	}
	s->n++;
	if (s->stop_after && s->n >= (size_t)s->stop_after)
		return 42;
	return 0;
}

/* Parses text split at the given positions (ascending, < len). */
static int parse_split(const char *text, size_t len, const size_t *cuts, size_t ncuts,
		       struct seen *out)
{
	struct llm_sse p;
	memset(out, 0, sizeof(*out));
	llm_sse_init(&p, 1 << 16, on_event, out);
	size_t from = 0;
	int rc = LLM_OK;
	for (size_t i = 0; i <= ncuts && rc == LLM_OK; i++) {
		size_t to = cuts && i < ncuts ? cuts[i] : len;
		rc = llm_sse_feed(&p, text + from, to - from);
		from = to;
	}
	if (rc == LLM_OK)
		rc = llm_sse_finish(&p);
	llm_sse_free(&p);
	return rc;
}

static bool same(const struct seen *a, const struct seen *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n && i < MAX_EVENTS; i++) {
		if (strcmp(a->event[i], b->event[i]) != 0 || a->len[i] != b->len[i] ||
		    memcmp(a->data[i], b->data[i], a->len[i]) != 0)
			return false;
	}
	return true;
}

/* The events expected for one input, however it is split or its lines end. */
struct example {
	const char *name;
	const char *text; /* with \n line ends */
	size_t n;
	const char *data[4];
	const char *event[4];
};

/* Replaces each "\n" by eol. */
static char *with_eol(const char *text, const char *eol)
{
	size_t n = strlen(text), el = strlen(eol);
	char *out = malloc(n * el + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\n') {
			memcpy(out + o, eol, el);
			o += el;
		} else {
			out[o++] = text[i];
		}
	}
	out[o] = '\0';
	return out;
}

static void check_example(const struct example *ex)
{
	static const char *eols[] = {"\n", "\r\n", "\r"};
	for (size_t e = 0; e < 3; e++) {
		char *text = with_eol(ex->text, eols[e]);
		size_t len = strlen(text);
		struct seen whole;
		TK_CHECK(parse_split(text, len, NULL, 0, &whole) == LLM_OK, "%s: parse failed",
			 ex->name);
		TK_CHECK(whole.n == ex->n, "%s (eol %zu): %zu events, expected %zu", ex->name, e,
			 whole.n, ex->n);
		for (size_t i = 0; i < ex->n && i < whole.n; i++) {
			TK_CHECK(strcmp(whole.data[i], ex->data[i]) == 0,
				 "%s (eol %zu): event %zu data \"%s\", expected \"%s\"", ex->name,
				 e, i, whole.data[i], ex->data[i]);
			const char *want = ex->event[i] ? ex->event[i] : "message";
			TK_CHECK(strcmp(whole.event[i], want) == 0,
				 "%s: event %zu type \"%s\", expected \"%s\"", ex->name, i,
				 whole.event[i], want);
		}
		/* Every single split point, then every byte on its own. */
		for (size_t cut = 1; cut < len; cut++) {
			struct seen part;
			parse_split(text, len, &cut, 1, &part);
			TK_CHECK(same(&whole, &part), "%s (eol %zu): split at %zu differs",
				 ex->name, e, cut);
		}
		size_t *cuts = malloc(len * sizeof(*cuts));
		for (size_t i = 0; i + 1 < len; i++)
			cuts[i] = i + 1;
		struct seen bytes;
		parse_split(text, len, cuts, len ? len - 1 : 0, &bytes);
		TK_CHECK(same(&whole, &bytes), "%s (eol %zu): byte-by-byte differs", ex->name, e);
		free(cuts);
		free(text);
	}
}

int main(void)
{
	/* The standard's examples. The first: a multi-line data field. */
	static const struct example ex_stock = {
		"stock", "data: YHOO\ndata: +2\ndata: 10\n\n", 1, {"YHOO\n+2\n10"}, {NULL}};
	/* Comments, id fields, no space after the colon, two spaces (one kept). */
	static const struct example ex_three = {
		"three",
		": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\n"
		"data:  third event\n\n",
		3,
		{"first event", "second event", " third event"},
		{NULL}};
	/* Empty data fields: "data" alone is a field with an empty value; the last
	 * block has no blank line after it and is dropped. */
	static const struct example ex_empty = {
		"empty", "data\n\ndata\ndata\n\ndata:", 2, {"", "\n"}, {NULL}};
	/* The same event with and without the optional space. */
	static const struct example ex_space = {
		"space", "data:test\n\ndata: test\n\n", 2, {"test", "test"}, {NULL}};
	/* Named events, as Anthropic sends them; event names reset after dispatch. */
	static const struct example ex_named = {
		"named",
		"event: message_start\ndata: {\"a\":1}\n\nevent: ping\ndata: {}\n\ndata: x\n\n",
		3,
		{"{\"a\":1}", "{}", "x"},
		{"message_start", "ping", NULL}};
	/* An event with no data field is not dispatched, but its name is forgotten. */
	static const struct example ex_nodata = {
		"nodata", "event: lonely\n\ndata: after\n\n", 1, {"after"}, {NULL}};
	/* A leading byte-order mark is skipped; fields are case-sensitive. */
	static const struct example ex_bom = {"bom",
					      "\xEF\xBB\xBF"
					      "data: a\nDATA: b\n\n",
					      1,
					      {"a"},
					      {NULL}};
	const struct example *all[] = {&ex_stock, &ex_three,  &ex_empty, &ex_space,
				       &ex_named, &ex_nodata, &ex_bom};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		check_example(all[i]);

	/* A CR at the end of one chunk and LF at the start of the next are one line end. */
	{
		struct seen s;
		const char text[] = "data: a\r\n\r\ndata: b\r\n\r\n";
		size_t cuts[] = {8, 10};
		TK_CHECK(parse_split(text, strlen(text), cuts, 2, &s) == LLM_OK, "CRLF split");
		TK_CHECK(s.n == 2 && strcmp(s.data[0], "a") == 0 && strcmp(s.data[1], "b") == 0,
			 "CRLF across chunks: %zu events", s.n);
	}

	/* A line longer than the limit is refused, not grown without bound. */
	{
		struct seen s = {0};
		struct llm_sse p;
		llm_sse_init(&p, 64, on_event, &s);
		char big[100];
		memset(big, 'x', sizeof(big));
		int rc = llm_sse_feed(&p, "data: ", 6);
		TK_CHECK(rc == LLM_OK, "prefix: %d", rc);
		rc = llm_sse_feed(&p, big, sizeof(big));
		TK_CHECK(rc == LLM_ERR_TOO_LARGE, "long line: rc %d", rc);
		llm_sse_free(&p);
	}
	/* So is an event whose data lines add up past the limit. */
	{
		struct seen s = {0};
		struct llm_sse p;
		llm_sse_init(&p, 64, on_event, &s);
		int rc = LLM_OK;
		for (int i = 0; i < 20 && rc == LLM_OK; i++)
			rc = llm_sse_feed(&p, "data: 0123456789\n", 17);
		TK_CHECK(rc == LLM_ERR_TOO_LARGE, "large event: rc %d", rc);
		TK_CHECK(s.n == 0, "large event was dispatched");
		llm_sse_free(&p);
	}
	/* A callback's non-zero return stops parsing and comes back unchanged. */
	{
		struct seen s = {.stop_after = 1};
		struct llm_sse p;
		memset(&s, 0, sizeof(s));
		s.stop_after = 1;
		llm_sse_init(&p, 1024, on_event, &s);
		const char text[] = "data: 1\n\ndata: 2\n\n";
		int rc = llm_sse_feed(&p, text, strlen(text));
		TK_CHECK(rc == 42, "callback stop: rc %d", rc);
		TK_CHECK(s.n == 1, "events after the stop: %zu", s.n);
		llm_sse_free(&p);
	}
	/* NUL bytes inside data pass through with their length. */
	{
		struct seen s;
		const char text[] = "data: a\0b\n\n";
		TK_CHECK(parse_split(text, sizeof(text) - 1, NULL, 0, &s) == LLM_OK, "NUL");
		TK_CHECK(s.n == 1 && s.len[0] == 3, "NUL data: %zu events, len %zu", s.n, s.len[0]);
	}
	return tk_finish();
}
