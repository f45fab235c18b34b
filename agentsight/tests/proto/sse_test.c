/* sse_test: the SSE parser on the examples of the WHATWG HTML standard's
 * server-sent events section (9.2), on line endings (CR, LF, CRLF, with the
 * CR and LF of one line end in different pieces), the BOM, every split of a
 * stream into two pieces and into single bytes, the event size limit, UTF-8
 * repair, and streams cut inside an event.
 */
#include "rec.h"
#include "sse.h"
#include "testkit.h"

#define MAX_EVENTS 64

struct ev {
	char type[64];
	char data[512];
	size_t data_len;
	char id[64];
	bool truncated;
};

struct evlog {
	struct ev e[MAX_EVENTS];
	size_t n;
};

static void on_event(void *ctx, const struct as_sse_event *e)
{
	struct evlog *l = ctx;
	if (l->n == MAX_EVENTS)
		return;
	struct ev *v = &l->e[l->n++];
	snprintf(v->type, sizeof(v->type), "%s", e->type);
	size_t n = e->data_len < sizeof(v->data) - 1 ? e->data_len : sizeof(v->data) - 1;
	memcpy(v->data, e->data, n);
	v->data[n] = 0;
	v->data_len = e->data_len;
	TK_CHECK(e->data[e->data_len] == 0, "data is not NUL-terminated");
	snprintf(v->id, sizeof(v->id), "%s", e->id);
	v->truncated = e->truncated;
}

/* Runs s through a fresh parser in the given pieces; returns finish()'s answer. */
static bool run(const char *s, size_t len, const size_t *cuts, size_t ncuts, size_t max,
		struct evlog *l)
{
	memset(l, 0, sizeof(*l));
	struct as_sse *p = as_sse_new(max, on_event, l);
	if (!p)
		return false;
	size_t at = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = cuts && i < ncuts ? cuts[i] : len;
		/* an exact copy of each piece, so that ASan sees overreads */
		uint8_t *piece = malloc(end - at + 1);
		memcpy(piece, s + at, end - at);
		as_sse_feed(p, piece, end - at);
		free(piece);
		at = end;
	}
	bool partial = as_sse_finish(p);
	as_sse_free(p);
	return partial;
}

static bool same(const struct evlog *a, const struct evlog *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->e[i].type, b->e[i].type) != 0 ||
		    a->e[i].data_len != b->e[i].data_len ||
		    memcmp(a->e[i].data, b->e[i].data, a->e[i].data_len) != 0 ||
		    strcmp(a->e[i].id, b->e[i].id) != 0 || a->e[i].truncated != b->e[i].truncated)
			return false;
	return true;
}

/* Every split into two pieces and the byte-by-byte feed give what the
 * whole feed gives. */
static void check_splits(const char *label, const char *s, size_t len)
{
	struct evlog whole, other;
	bool pw = run(s, len, NULL, 0, 0, &whole);
	for (size_t cut = 0; cut <= len; cut++) {
		bool po = run(s, len, &cut, 1, 0, &other);
		TK_CHECK(same(&whole, &other) && po == pw, "%s: split at %zu differs", label, cut);
	}
	size_t *cuts = calloc(len + 1, sizeof(*cuts));
	for (size_t i = 0; i < len; i++)
		cuts[i] = i + 1;
	bool pb = run(s, len, cuts, len ? len - 1 : 0, 0, &other);
	TK_CHECK(same(&whole, &other) && pb == pw, "%s: byte-by-byte feed differs", label);
	free(cuts);
}

#define RUN(str, l) run(str, sizeof(str) - 1, NULL, 0, 0, l)

static void test_whatwg_examples(void)
{
	struct evlog l;
	bool partial;

	/* "data: This is the first message." ... three message events. */
	static const char ex1[] = "data: This is the first message.\n"
				  "\n"
				  "data: This is the second message, it\n"
				  "data: has two lines.\n"
				  "\n"
				  "data: This is the third message.\n\n";
	partial = RUN(ex1, &l);
	TK_CHECK(l.n == 3 && !partial, "ex1: %zu events", l.n);
	if (l.n == 3) {
		TK_CHECK(strcmp(l.e[0].data, "This is the first message.") == 0, "ex1[0] %s",
			 l.e[0].data);
		TK_CHECK(strcmp(l.e[1].data, "This is the second message, it\nhas two lines.") == 0,
			 "ex1[1] %s", l.e[1].data);
		TK_CHECK(strcmp(l.e[2].type, "message") == 0, "ex1 type %s", l.e[2].type);
	}
	check_splits("ex1", ex1, sizeof(ex1) - 1);

	/* Event types: add / remove / add. */
	static const char ex2[] = "event: add\ndata: 73857293\n\n"
				  "event: remove\ndata: 2153\n\n"
				  "event: add\ndata: 113411\n\n";
	RUN(ex2, &l);
	TK_CHECK(l.n == 3, "ex2: %zu events", l.n);
	if (l.n == 3) {
		TK_CHECK(strcmp(l.e[0].type, "add") == 0 && strcmp(l.e[0].data, "73857293") == 0,
			 "ex2[0]");
		TK_CHECK(strcmp(l.e[1].type, "remove") == 0 && strcmp(l.e[1].data, "2153") == 0,
			 "ex2[1]");
		TK_CHECK(strcmp(l.e[2].type, "add") == 0 && strcmp(l.e[2].data, "113411") == 0,
			 "ex2[2]");
	}

	/* "YHOO +2 10": one event, data "YHOO\n+2\n10". */
	static const char ex3[] = "data: YHOO\ndata: +2\ndata: 10\n\n";
	RUN(ex3, &l);
	TK_CHECK(l.n == 1 && strcmp(l.e[0].data, "YHOO\n+2\n10") == 0, "ex3");

	/* Comment, ids, no space after the colon, one space removed only; the
	 * last block has no blank line and is not dispatched. */
	static const char ex4[] = ": test stream\n"
				  "\n"
				  "data: first event\n"
				  "id: 1\n"
				  "\n"
				  "data:second event\n"
				  "id\n"
				  "\n"
				  "data:  third event\n";
	partial = RUN(ex4, &l);
	TK_CHECK(l.n == 2, "ex4: %zu events", l.n);
	if (l.n == 2) {
		TK_CHECK(strcmp(l.e[0].data, "first event") == 0 && strcmp(l.e[0].id, "1") == 0,
			 "ex4[0] %s id %s", l.e[0].data, l.e[0].id);
		TK_CHECK(strcmp(l.e[1].data, "second event") == 0 && strcmp(l.e[1].id, "") == 0,
			 "ex4[1] %s id '%s' (the id field without value resets it)", l.e[1].data,
			 l.e[1].id);
	}
	TK_CHECK(partial, "ex4: the unfinished third event was not reported");
	/* ... and with the blank line, the third keeps its leading space. */
	static const char ex4b[] = "data:  third event\n\n";
	RUN(ex4b, &l);
	TK_CHECK(l.n == 1 && strcmp(l.e[0].data, " third event") == 0, "ex4b '%s'",
		 l.n ? l.e[0].data : "");
	check_splits("ex4", ex4, sizeof(ex4) - 1);

	/* "data\n\ndata\ndata\n\ndata:": empty data, then a single newline, then
	 * the last block discarded. */
	static const char ex5[] = "data\n\ndata\ndata\n\ndata:";
	partial = RUN(ex5, &l);
	TK_CHECK(l.n == 2, "ex5: %zu events", l.n);
	if (l.n == 2) {
		TK_CHECK(l.e[0].data_len == 0, "ex5[0] has %zu bytes", l.e[0].data_len);
		TK_CHECK(strcmp(l.e[1].data, "\n") == 0, "ex5[1] is not one newline");
	}
	TK_CHECK(partial, "ex5: the last block was not reported discarded");

	/* "data:test" and "data: test" are the same. */
	static const char ex6[] = "data:test\n\ndata: test\n\n";
	RUN(ex6, &l);
	TK_CHECK(l.n == 2 && strcmp(l.e[0].data, "test") == 0 && strcmp(l.e[1].data, "test") == 0,
		 "ex6");
}

static void test_line_endings(void)
{
	struct evlog l;
	static const char crlf[] = "event: a\r\ndata: 1\r\ndata: 2\r\n\r\n";
	static const char cr[] = "event: a\rdata: 1\rdata: 2\r\r";
	static const char mixed[] = "event: a\r\ndata: 1\rdata: 2\n\r\n";
	const char *all[] = {crlf, cr, mixed};
	size_t lens[] = {sizeof(crlf) - 1, sizeof(cr) - 1, sizeof(mixed) - 1};
	for (int i = 0; i < 3; i++) {
		run(all[i], lens[i], NULL, 0, 0, &l);
		TK_CHECK(l.n == 1 && strcmp(l.e[0].type, "a") == 0 &&
				 strcmp(l.e[0].data, "1\n2") == 0,
			 "line endings %d: %zu events", i, l.n);
		check_splits("line endings", all[i], lens[i]);
	}
	/* CR at the end of one piece, LF at the start of the next: one line end,
	 * so no extra blank line dispatches early. */
	static const char s[] = "data: x\r\ndata: y\r\n\r\n";
	size_t cut = 8; /* after the first CR */
	run(s, sizeof(s) - 1, &cut, 1, 0, &l);
	TK_CHECK(l.n == 1 && strcmp(l.e[0].data, "x\ny") == 0, "CR|LF across pieces: %zu events",
		 l.n);
	/* Two CRs are two line ends: a blank line. */
	static const char crcr[] = "data: x\r\rdata: y\r\r";
	run(crcr, sizeof(crcr) - 1, NULL, 0, 0, &l);
	TK_CHECK(l.n == 2, "CR CR gave %zu events", l.n);
}

static void test_bom(void)
{
	struct evlog l;
	static const char bom[] = "\xef\xbb\xbf"
				  "data: after bom\n\n";
	RUN(bom, &l);
	TK_CHECK(l.n == 1 && strcmp(l.e[0].data, "after bom") == 0, "BOM not skipped");
	check_splits("bom", bom, sizeof(bom) - 1);
	/* Only one BOM is skipped: a second one makes the first field name
	 * "\ufeffdata", which is ignored. */
	static const char two[] = "\xef\xbb\xbf\xef\xbb\xbf"
				  "data: x\n\ndata: y\n\n";
	RUN(two, &l);
	TK_CHECK(l.n == 1 && strcmp(l.e[0].data, "y") == 0, "two BOMs: %zu events", l.n);
	/* A BOM later in the stream is content. */
	static const char late[] = "data: a\xef\xbb\xbf\n\n";
	RUN(late, &l);
	TK_CHECK(l.n == 1 && strcmp(l.e[0].data, "a\xef\xbb\xbf") == 0, "late BOM");
	/* Bytes that start like a BOM but are not one are kept. */
	static const char fake[] = "\xef\xbb"
				   "data: z\n\n";
	RUN(fake, &l);
	TK_CHECK(l.n == 0, "a broken BOM made a data field: %zu events", l.n);
}

static void test_fields(void)
{
	struct evlog l;
	struct as_sse *p;
	/* id persists across events; an id with NUL is ignored; retry needs digits. */
	static const char s[] = "id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\n"
				"retry: 1500\nretry: 12a\n:comment\nunknown: q\ndata: d\n\n";
	memset(&l, 0, sizeof(l));
	p = as_sse_new(0, on_event, &l);
	TK_REQUIRE(p != NULL, "as_sse_new");
	as_sse_feed(p, (const uint8_t *)s, sizeof(s) - 1);
	TK_CHECK(l.n == 4, "%zu events", l.n);
	if (l.n == 4) {
		TK_CHECK(strcmp(l.e[0].id, "7") == 0 && strcmp(l.e[1].id, "7") == 0,
			 "id did not persist");
		TK_CHECK(strcmp(l.e[2].id, "7") == 0, "an id with NUL was taken: %s", l.e[2].id);
	}
	TK_CHECK(as_sse_retry_ms(p) == 1500, "retry %lld", (long long)as_sse_retry_ms(p));
	TK_CHECK(as_sse_stats(p)->comments == 1, "comments %llu",
		 (unsigned long long)as_sse_stats(p)->comments);
	TK_CHECK(!as_sse_finish(p), "a clean end reported a partial event");
	as_sse_free(p);

	/* A field with no colon has an empty value; "event" alone resets to message. */
	static const char t[] = "event\ndata: q\n\n";
	RUN(t, &l);
	TK_CHECK(l.n == 1 && strcmp(l.e[0].type, "message") == 0, "empty event type");
	/* Only data dispatches: an event with type but no data fires nothing and
	 * its type does not leak into the next event. */
	static const char u[] = "event: lone\n\ndata: next\n\n";
	RUN(u, &l);
	TK_CHECK(l.n == 1 && strcmp(l.e[0].type, "message") == 0, "type leaked: %s",
		 l.n ? l.e[0].type : "");
}

static void test_openai_stream(void)
{
	/* The shape of an OpenAI chat-completions stream, CRLF-free, ending in [DONE]. */
	static const char s[] =
		"data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
		"data: {\"id\":\"c1\",\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n"
		"data: [DONE]\n\n";
	struct evlog l;
	RUN(s, &l);
	TK_CHECK(l.n == 3 && strcmp(l.e[2].data, "[DONE]") == 0, "openai stream: %zu events", l.n);
	check_splits("openai", s, sizeof(s) - 1);
	/* Anthropic's: event lines naming the type. */
	static const char a[] = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
				"event: ping\ndata: {\"type\": \"ping\"}\n\n"
				"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
	RUN(a, &l);
	TK_CHECK(l.n == 3 && strcmp(l.e[0].type, "message_start") == 0 &&
			 strcmp(l.e[2].type, "message_stop") == 0,
		 "anthropic stream");
}

static void test_limits(void)
{
	struct evlog l;
	/* A 16-byte limit: an event with 40 bytes of data is cut and flagged. */
	static const char s[] = "data: 0123456789\ndata: abcdefghijklmnopqrstuvwxyz\n\n"
				"data: ok\n\n";
	run(s, sizeof(s) - 1, NULL, 0, 16, &l);
	TK_CHECK(l.n == 2, "%zu events", l.n);
	if (l.n == 2) {
		TK_CHECK(l.e[0].truncated && l.e[0].data_len <= 16, "not cut: %zu bytes",
			 l.e[0].data_len);
		TK_CHECK(strncmp(l.e[0].data, "0123456789\nabcd", 15) == 0, "cut data %s",
			 l.e[0].data);
		TK_CHECK(!l.e[1].truncated && strcmp(l.e[1].data, "ok") == 0,
			 "the next event suffered");
	}
	/* A single huge line (1 MiB) with a 1 KiB limit: bounded, flagged. */
	size_t big = 1 << 20;
	char *b = malloc(big + 16);
	put_bytes(b, "data: ", 6);
	memset(b + 6, 'x', big);
	put_bytes(b + 6 + big, "\n\n", 2);
	memset(&l, 0, sizeof(l));
	struct as_sse *p = as_sse_new(1024, on_event, &l);
	for (size_t at = 0; at < big + 8; at += 4096) {
		size_t n = big + 8 - at < 4096 ? big + 8 - at : 4096;
		as_sse_feed(p, (const uint8_t *)b + at, n);
	}
	TK_CHECK(l.n == 1 && l.e[0].truncated && l.e[0].data_len <= 1024,
		 "huge line: %zu events, %zu bytes", l.n, l.n ? l.e[0].data_len : 0);
	TK_CHECK(as_sse_stats(p)->truncated_events == 1, "truncation not counted");
	as_sse_free(p);
	free(b);
}

static void test_utf8(void)
{
	struct evlog l;
	/* Invalid bytes become U+FFFD; valid multi-byte characters pass. */
	static const char s[] = "data: caf\xc3\xa9 \xff \xe2\x82 \xf0\x9f\x98\x80\n\n";
	RUN(s, &l);
	TK_CHECK(l.n == 1 && strcmp(l.e[0].data, "caf\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd "
						 "\xf0\x9f\x98\x80") == 0,
		 "UTF-8 repair gave '%s'", l.n ? l.e[0].data : "");
	/* Overlong and surrogate encodings are invalid too. */
	static const char o[] = "data: \xc0\xaf|\xed\xa0\x80\n\n";
	RUN(o, &l);
	TK_CHECK(l.n == 1 && strcmp(l.e[0].data, "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd"
						 "\xef\xbf\xbd") == 0,
		 "overlong/surrogate repair gave '%s'", l.n ? l.e[0].data : "");
	check_splits("utf8", s, sizeof(s) - 1);
}

int main(void)
{
	test_whatwg_examples();
	test_line_endings();
	test_bom();
	test_fields();
	test_openai_stream();
	test_limits();
	test_utf8();
	return tk_finish();
}
