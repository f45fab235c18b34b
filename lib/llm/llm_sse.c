/* llm_sse: an incremental parser of server-sent events.
 *
 * Follows the "event stream interpretation" of the WHATWG HTML standard
 * (section 9.2.6): lines end in CRLF, LF or CR; an empty line dispatches the
 * event; "data:" lines are joined with "\n"; "event:" names the event; lines
 * starting with ':' are comments; one space after the colon is dropped; a
 * leading byte-order mark is ignored. Bytes may arrive split anywhere, a CRLF
 * included. Both LLM APIs stream this way; llm_stream.c reads the events.
 */
#include <string.h>

#include "llm_internal.h"

void llm_sse_init(struct llm_sse *p, size_t max_bytes, llm_sse_event_fn fn, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->line.max = max_bytes;
	p->data.max = max_bytes;
	p->on_event = fn;
	p->ctx = ctx;
}

void llm_sse_free(struct llm_sse *p)
{
	llm_buf_free(&p->line);
	llm_buf_free(&p->data);
}

static int dispatch(struct llm_sse *p)
{
	int rc = LLM_OK;
	/* An event with no data: line is not dispatched. */
	if (p->data.len) {
		/* Every data line appended "\n"; the last one is dropped. */
		p->data.len--;
		p->data.p[p->data.len] = '\0';
		rc = p->on_event(p->ctx, p->event[0] ? p->event : "message", p->data.p,
				 p->data.len);
	}
	p->data.len = 0;
	p->event[0] = '\0';
	return rc;
}

static int process_line(struct llm_sse *p, const char *line, size_t len)
{
	static const char bom[] = "\xEF\xBB\xBF";
	if (!p->started) {
		p->started = true;
		if (len >= 3 && memcmp(line, bom, 3) == 0) {
			line += 3;
			len -= 3;
		}
	}
	if (len == 0)
		return dispatch(p);
	if (line[0] == ':')
		return LLM_OK;
	const char *colon = memchr(line, ':', len);
	size_t flen = colon ? (size_t)(colon - line) : len;
	const char *value = colon ? colon + 1 : line + len;
	size_t vlen = (size_t)(line + len - value);
	if (vlen && value[0] == ' ') {
		value++;
		vlen--;
	}
	if (flen == 4 && memcmp(line, "data", 4) == 0) {
		int rc = llm_buf_append(&p->data, value, vlen);
		if (rc == LLM_OK)
			rc = llm_buf_append(&p->data, "\n", 1);
		return rc;
	}
	if (flen == 5 && memcmp(line, "event", 5) == 0) {
		size_t n = vlen < sizeof(p->event) - 1 ? vlen : sizeof(p->event) - 1;
		memcpy(p->event, value, n);
		p->event[n] = '\0';
		/* An event name with a NUL in it reads as the part before. */
		return LLM_OK;
	}
	/* "id", "retry" and unknown fields do not matter to a one-shot client. */
	return LLM_OK;
}

/* Ends the line in p->line (plus the len bytes at seg, not yet copied). */
static int end_line(struct llm_sse *p, const char *seg, size_t len)
{
	int rc;
	/* The same limit whether or not the line arrived in one piece. */
	if (len > p->line.max || p->line.len > p->line.max - len)
		return LLM_ERR_TOO_LARGE;
	if (p->line.len == 0)
		return process_line(p, seg, len);
	rc = llm_buf_append(&p->line, seg, len);
	if (rc != LLM_OK)
		return rc;
	rc = process_line(p, p->line.p, p->line.len);
	p->line.len = 0;
	return rc;
}

int llm_sse_feed(struct llm_sse *p, const char *buf, size_t n)
{
	size_t i = 0;
	if (n && p->pending_cr) {
		p->pending_cr = false;
		if (buf[0] == '\n')
			i = 1;
	}
	while (i < n) {
		size_t start = i;
		while (i < n && buf[i] != '\n' && buf[i] != '\r')
			i++;
		if (i == n) {
			/* No end of line in what is left: keep it for later. */
			if (i > start)
				return llm_buf_append(&p->line, buf + start, i - start);
			break;
		}
		int rc = end_line(p, buf + start, i - start);
		if (buf[i] == '\r') {
			if (i + 1 < n) {
				if (buf[i + 1] == '\n')
					i++;
			} else {
				p->pending_cr = true;
			}
		}
		i++;
		if (rc != LLM_OK)
			return rc;
	}
	return LLM_OK;
}

int llm_sse_finish(struct llm_sse *p)
{
	/* The standard: an event not ended by a blank line is dropped. */
	p->pending_cr = false;
	p->line.len = 0;
	p->data.len = 0;
	p->event[0] = '\0';
	return LLM_OK;
}
