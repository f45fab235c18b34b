/* detect: AgentSight's detectors, fed the events and the correlation
 * engine's links and tool-result inputs, raising alerts with their evidence
 * (event ids) and details (JSON).
 *
 *   prompt injection   Text that reached the model from outside (a tool
 *                      result; a file, page or document quoted in a user
 *                      message) carries an instruction that tries to take
 *                      over (as_detect_scan_injection lists the patterns).
 *                      Seen alone: medium. When a later event linked to the
 *                      exchange that carried the text (or a later one of
 *                      the session) does what it says (runs its command,
 *                      writes its path, reaches its URL), the alert is
 *                      updated to high with that event as evidence. The
 *                      source is named: the tool call that produced the
 *                      result, its path or URL, and the event that read it.
 *   reasoning loop     The same tool calls (names and arguments, JSON
 *                      normalised) in loop_repeats exchanges among the last
 *                      loop_window of a session: one alert per loop, updated
 *                      while it goes on, with the count and the tokens
 *                      those exchanges used (estimated when the API
 *                      reported none, and then flagged).
 *   resource waste     Tokens and cost per session and per model (prices
 *                      from llmapi's table, overridable); an alert when the
 *                      token or cost budget is passed (updated at each
 *                      doubling), when the same full prompt is sent again
 *                      (not counting retries after an error), and when a
 *                      huge prompt gets a tiny reply.
 *   coordination stall An agent (a process that made LLM calls) is alive
 *                      and silent for stall time while every live process
 *                      it started is silent too; or two agents of a
 *                      session are both alive and silent that long (each
 *                      waiting on the other, approximately). One alert per
 *                      episode; as_detect_tick() drives it.
 *
 * Feed order, per event: as_proctable_event(), then as_corr_event() (whose
 * sink passes links to as_detect_link() and inputs to as_detect_input()),
 * then as_detect_event(); call as_detect_tick() now and then (every second
 * or so) with the current CLOCK_MONOTONIC time.
 *
 * Alerts reach the sink when raised (update false) and each time they
 * change (update true, same id). Memory is bounded per session and in the
 * number of sessions.
 */
#ifndef AGENTSIGHT_DETECT_H
#define AGENTSIGHT_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correlate.h"
#include "event.h"
#include "llmapi.h"
#include "proctable.h"

struct as_detect_config {
	bool injection;		    /* true */
	uint64_t injection_ttl_ns;  /* 1800 s: how long a seen instruction waits for its action */
	double injection_match;	    /* 0.8: command/path/URL match that counts as doing it */
	bool loops;		    /* true */
	unsigned loop_repeats;	    /* 5 */
	unsigned loop_window;	    /* 10 exchanges (at least loop_repeats; at most 64) */
	bool waste;		    /* true */
	int64_t token_budget;	    /* 2000000 tokens per session (input + output); 0: off */
	double cost_budget_usd;	    /* 10.0 per session; 0: off */
	unsigned resend_repeats;    /* 2: the same full prompt sent this many times */
	int64_t big_context_tokens; /* 50000: a prompt this large ... */
	int64_t tiny_reply_tokens;  /* 20: ... with a reply this small is waste */
	const struct as_llm_price *prices; /* overrides of llmapi's table; may be NULL */
	size_t n_prices;
	bool stalls;	     /* true */
	uint64_t stall_ns;   /* 120 s */
	size_t max_sessions; /* 256 */
	/* 1 s: an alert that grows (a loop going on, a prompt sent again) is
	 * sent again at most this often; the last state always goes out. */
	uint64_t update_interval_ns;
};

void as_detect_config_default(struct as_detect_config *cfg);

/* Sets one key from text:
 *   detect.injection, detect.injection.ttl_s, detect.injection.match,
 *   detect.loop, detect.loop.repeats, detect.loop.window,
 *   detect.waste, detect.waste.token_budget, detect.waste.cost_budget_usd,
 *   detect.waste.resend_repeats, detect.waste.big_context_tokens,
 *   detect.waste.tiny_reply_tokens,
 *   detect.stall, detect.stall.after_s, detect.max_sessions,
 *   detect.update_interval_s
 * Returns 0, or -EINVAL with a message naming the key and the problem. */
int as_detect_config_set(struct as_detect_config *cfg, const char *key, const char *value,
			 char *err, size_t errlen);

struct as_detect_sink {
	void (*on_alert)(void *ctx, const struct as_alert *al, bool update);
	void *ctx;
};

struct as_detect;

/* cfg NULL: defaults. pt is read (sessions, activity) and must outlive d. */
struct as_detect *as_detect_new(const struct as_detect_config *cfg, const struct as_proctable *pt,
				const struct as_detect_sink *sink);
void as_detect_free(struct as_detect *d);

/* Feeds one event (after the process table and the correlation engine).
 * Returns 0, or -ENOMEM when its state could not be recorded. */
int as_detect_event(struct as_detect *d, const struct as_event *ev);
/* A link from the correlation engine; ev is the linked event. */
void as_detect_link(struct as_detect *d, const struct as_link *link, const struct as_event *ev);
/* A tool result's origin from the correlation engine; ev is the LLM event. */
void as_detect_input(struct as_detect *d, const struct as_corr_input *in,
		     const struct as_event *ev);
/* Time-driven detectors (stalls) as of now_ns; also expires old state. */
void as_detect_tick(struct as_detect *d, uint64_t now_ns);

struct as_detect_stats {
	size_t sessions;
	size_t injections_pending; /* instructions seen, waiting for an action */
	size_t loops_active;
	uint64_t alerts;  /* alerts raised */
	uint64_t updates; /* updates sent */
};
/* Sends every alert update still held back by update_interval_ns (at the
 * end of a run). */
void as_detect_flush(struct as_detect *d);

void as_detect_get_stats(const struct as_detect *d, struct as_detect_stats *st);

/* ---- the injection scanner -------------------------------------------------- */

/* Pattern classes, as bits of as_injection_scan.patterns. */
#define AS_INJ_OVERRIDE (1u << 0) /* ignore/disregard/forget (all) previous instructions... */
#define AS_INJ_ROLE	(1u << 1) /* you are now / from now on / pretend to be / new instructions */
#define AS_INJ_MUST	(1u << 2) /* you must now / your new task / do not tell the user */
#define AS_INJ_MARKER	(1u << 3) /* a fake role marker: <|im_start|>, [INST], "system:" lines */
#define AS_INJ_PIPE_SH	(1u << 4) /* curl/wget ... | sh/bash/python */
#define AS_INJ_ACTION	(1u << 5) /* run: / execute: / run the following (command) */

struct as_injection_scan {
	bool found;	      /* an instruction: any class but ACTION alone */
	unsigned patterns;    /* AS_INJ_* bits seen */
	const char *names[8]; /* the patterns seen, as phrases */
	size_t n_names;
	size_t offset;	       /* where the first strong pattern starts in the text */
	char instruction[512]; /* the command it asks for ("" when none named) */
};

/* Scans text (NUL-terminated, read up to 1 MiB) for an injected
 * instruction. Case-insensitive; whitespace and punctuation between words
 * are free. Returns out->found. */
bool as_detect_scan_injection(const char *text, struct as_injection_scan *out);

#endif /* AGENTSIGHT_DETECT_H */
