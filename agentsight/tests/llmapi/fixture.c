/* fixture: reading the llmapi test fixtures (see fixture.h). */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit.h"

static const char *data_dir = ".";

void fx_init(int argc, char **argv)
{
	if (argc > 1)
		data_dir = argv[1];
}

char *fx_read(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		tk_check_failed(__FILE__, __LINE__, "fopen", "cannot open fixture %s", path);
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fclose(f);
			tk_check_failed(__FILE__, __LINE__, "malloc", "out of memory reading %s",
					path);
			return NULL;
		}
		if (n + 1 >= cap) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger)
				free(buf);
			buf = bigger;
			cap *= 2;
			continue;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		if (got == 0)
			break;
		n += got;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int fx_request(struct as_llm_exchange *ex, enum as_llm_api api, const char *name)
{
	size_t len;
	char err[256] = "";
	char *body = fx_read(name, &len);
	if (!body)
		return -1;
	int rc = as_llm_parse_request(ex, api, body, len, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", name, err);
	free(body);
	return rc;
}

int fx_response(struct as_llm_exchange *ex, int status, const char *name)
{
	size_t len;
	char err[256] = "";
	char *body = fx_read(name, &len);
	if (!body)
		return -1;
	int rc = as_llm_parse_response(ex, status, body, len, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", name, err);
	free(body);
	return rc;
}

/* One event: "event:" sets the name, "data:" lines are joined with "\n". */
static int feed_one(struct as_llm_stream *s, const char *ev, size_t n, int *bad)
{
	char name[128] = "";
	char *data = malloc(n + 1);
	size_t dlen = 0;
	bool have_data = false;
	const char *p = ev, *end = ev + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ll >= 6 && memcmp(p, "event:", 6) == 0) {
			size_t k = ll - 6;
			const char *v = p + 6;
			if (k && *v == ' ') {
				v++;
				k--;
			}
			if (k >= sizeof(name))
				k = sizeof(name) - 1;
			memcpy(name, v, k);
			name[k] = '\0';
		} else if (ll >= 5 && memcmp(p, "data:", 5) == 0) {
			size_t k = ll - 5;
			const char *v = p + 5;
			if (k && *v == ' ') {
				v++;
				k--;
			}
			if (have_data)
				data[dlen++] = '\n';
			memcpy(data + dlen, v, k);
			dlen += k;
			have_data = true;
		}
		p += ll + 1;
	}
	int fed = 0;
	if (have_data) {
		int rc = as_llm_stream_event(s, name[0] ? name : NULL, data, dlen);
		if (rc < 0 && bad)
			(*bad)++;
		fed = 1;
	}
	free(data);
	return fed;
}

int fx_feed_sse(struct as_llm_stream *s, const char *text, size_t len, int *bad)
{
	int events = 0;
	size_t start = 0;
	if (bad)
		*bad = 0;
	for (size_t i = 0; i + 1 < len; i++) {
		if (text[i] == '\n' && text[i + 1] == '\n') {
			events += feed_one(s, text + start, i - start, bad);
			start = i + 2;
			i++;
		}
	}
	if (start < len)
		events += feed_one(s, text + start, len - start, bad);
	return events;
}

int fx_stream(struct as_llm_exchange *ex, const char *name, bool truncated, int *bad)
{
	size_t len;
	char *text = fx_read(name, &len);
	if (!text)
		return -1;
	struct as_llm_stream *s = as_llm_stream_new(ex);
	int events = fx_feed_sse(s, text, len, bad);
	as_llm_stream_finish(s, truncated);
	as_llm_stream_free(s);
	free(text);
	return events;
}

bool fx_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}
