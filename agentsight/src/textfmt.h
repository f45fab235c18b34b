/* textfmt: events, links and alerts as lines for people.
 *
 * `agentsight record --text` prints these as a recording goes; `agentsight
 * analyze` builds its digest for the model from the same lines. An event is
 * one line ("#ID t+SECONDS pid PID (COMM) what"); an LLM event adds indented
 * lines for its latest prompt, its reply and each tool call. Long texts are
 * cut (on a UTF-8 boundary) and kept on one line.
 */
#ifndef AGENTSIGHT_TEXTFMT_H
#define AGENTSIGHT_TEXTFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"

/* Writes ev; t0_ns is the time shown as t+0. The last line is left without
 * its newline so that a caller can append to it ("[caused by ...]"); call
 * as_text_end_line() after. Exits and forks are written too (callers that
 * want them left out filter first). */
void as_text_event(FILE *f, const struct as_event *ev, uint64_t t0_ns, size_t max_text);
void as_text_end_line(FILE *f);

/* "  -> #EVENT caused by #LLM (score 0.93: reasons)" */
void as_text_link(FILE *f, const struct as_link *l);

/* "!! ALERT #ID kind [severity] summary (evidence: #a #b)" */
void as_text_alert(FILE *f, const struct as_alert *al, int update);

/* s quoted, cut to max bytes on a UTF-8 boundary, newlines as spaces. */
void as_text_quote(FILE *f, const char *s, size_t max);

#endif /* AGENTSIGHT_TEXTFMT_H */
