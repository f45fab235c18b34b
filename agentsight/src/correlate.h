/* correlate: links what an agent's LLM asked for to what its processes did.
 *
 * Fed every event in time order (after the process table has seen it), the
 * engine keeps, per session, the last few LLM exchanges and what each reply
 * asks for (its artifacts: commands, paths, URLs, from tool calls and from
 * the reply text). Every later event that an LLM could cause (fork, exec,
 * file open/write/unlink/rename, connect/accept/bind, HTTP) is scored against
 * the recent exchanges of its session, and linked to the best one when the
 * score reaches the threshold:
 *
 *   score = w_temporal * T + w_lineage * L + w_args * A          (each 0..1)
 *
 *   T = 2^(-dt / half_life), dt = event time - response end; exchanges
 *       whose response ended after the event, or more than window before
 *       it, are not candidates at all.
 *   L = how the event's process relates to the process that made the call:
 *       same 1.0, descendant 1.0 (child) minus 0.1 per generation below
 *       (at least 0.5), sibling 0.5, otherwise 0.
 *   A = the best match of the event's arguments against the artifacts:
 *       exec argv against commands (1.0 when a shell runs exactly the
 *       command or argv is exactly it, 0.9 when argv is one simple command
 *       of it or a shell runs a script containing it, 0.5..0.8 for the same
 *       program with some arguments in common, 0.5 when argv names a path of
 *       the reply); file paths against paths (1.0 equal, 0.9 the event's
 *       absolute path ends with the relative path asked for, 0.5 inside a
 *       folder asked for, 0.4 same file name); connect/bind addresses and
 *       HTTP hosts against URLs (1.0 same address and port / same host and
 *       path, 0.8 same HTTP host, 0.6 same address, other port, 0.3 same port
 *       of a named host, which the kernel never sees). Artifacts found only
 *       in the reply's text count 0.8 of those from tool calls.
 *
 * A process whose exec was linked with an argument match is attributed to
 * that exchange (as_proc.cause_llm_id), and so are the processes it forks:
 * their later events are candidates of that exchange beyond the window,
 * with T = L = 1 (a long build keeps its link to the call that started it).
 * Opens of system files (/usr/lib, /etc/ld.so.*, /proc, ...) and failed
 * calls are linked only with an argument match, so that a loader's library
 * opens do not bury the tool's own effects.
 *
 * When an LLM request carries tool results, the engine also reports where
 * they came from (as_corr_input): the earlier tool call each result answers
 * and the events linked to that call (the file opened, the command run).
 *
 * Memory is bounded: at most max_sessions sessions, max_llm_per_session
 * exchanges each (the oldest dropped), exchanges expire llm_ttl after their
 * response, and each keeps a bounded number of artifacts and linked events.
 */
#ifndef AGENTSIGHT_CORRELATE_H
#define AGENTSIGHT_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "proctable.h"

struct as_corr_config {
	uint64_t window_ns;	    /* 60 s: later than this after a response, not its effect */
	uint64_t half_life_ns;	    /* 2 s: T halves every half_life */
	double w_temporal;	    /* 0.3 */
	double w_lineage;	    /* 0.3 */
	double w_args;		    /* 0.4 */
	double threshold;	    /* 0.5: link when score >= threshold */
	double text_factor;	    /* 0.8: weight of artifacts found only in reply text */
	size_t max_llm_per_session; /* 16 */
	uint64_t llm_ttl_ns;	    /* 1800 s: exchanges forgotten this long after their response */
	size_t max_sessions;	    /* 256 */
	bool attribute;		    /* true: processes started for a tool call stay linked to it */
	bool link_system_files;	    /* false: system file opens need an argument match */
};

/* Fills cfg with the defaults above. */
void as_corr_config_default(struct as_corr_config *cfg);

/* Sets one key from text (for config files and the command line):
 *   correlate.window_ms, correlate.half_life_ms, correlate.weight.temporal,
 *   correlate.weight.lineage, correlate.weight.args, correlate.threshold,
 *   correlate.text_factor, correlate.max_llm_per_session, correlate.ttl_s,
 *   correlate.max_sessions, correlate.attribute, correlate.link_system_files
 * Numbers are decimal; booleans are true/false/1/0. Returns 0, or -EINVAL
 * with a message naming the key and the problem. */
int as_corr_config_set(struct as_corr_config *cfg, const char *key, const char *value, char *err,
		       size_t errlen);

/* Where a tool result in an LLM request came from. */
struct as_corr_input {
	uint64_t llm_event_id;	      /* the exchange whose request carried the result */
	size_t message_index;	      /* the TOOL message in that request */
	uint64_t source_llm_event_id; /* the exchange whose reply asked for the call */
	const char *tool_call_id;     /* may be NULL */
	const char *tool_name;
	const char *tool_arguments; /* JSON text, may be NULL */
	const char *path;	    /* the call's main path argument, NULL if none */
	const char *url;	    /* the call's main URL argument, NULL if none */
	/* Events linked to that call, oldest first, and their kinds. */
	const uint64_t *event_ids;
	const enum as_event_kind *event_kinds;
	size_t n_events;
	/* The event most likely to have produced the result: the first file open
	 * of the path, HTTP exchange or connect for the URL, or exec; 0 if none. */
	uint64_t source_event_id;
	const char *source_event_path; /* that event's file path when it is a file event */
};

/* Receivers; any may be NULL. Pointers are valid during the call only. ev
 * is the event being fed (the one linked, or the LLM event whose request
 * carried the tool result). */
struct as_corr_sink {
	void (*on_link)(void *ctx, const struct as_link *link, const struct as_event *ev);
	void (*on_input)(void *ctx, const struct as_corr_input *in, const struct as_event *ev);
	void *ctx;
};

struct as_corr;

/* A new engine over pt (which the caller feeds first and keeps alive); cfg
 * NULL takes the defaults. NULL when memory ran out. */
struct as_corr *as_corr_new(const struct as_corr_config *cfg, struct as_proctable *pt,
			    const struct as_corr_sink *sink);
void as_corr_free(struct as_corr *c);

/* Feeds one event, after as_proctable_event() has seen it. Links and inputs
 * reach the sink before it returns. Returns 0, or -ENOMEM when the event
 * could not be recorded (the engine stays consistent). */
int as_corr_event(struct as_corr *c, const struct as_event *ev);

/* Expires exchanges and empty sessions as of now_ns. */
void as_corr_tick(struct as_corr *c, uint64_t now_ns);

struct as_corr_stats {
	size_t sessions;
	size_t llm_records;	/* exchanges held, all sessions */
	size_t artifacts;	/* artifacts held */
	size_t bytes;		/* approximate heap held by records */
	uint64_t links;		/* links emitted */
	uint64_t inputs;	/* inputs emitted */
	uint64_t events_scored; /* events scored against at least one exchange */
};
void as_corr_get_stats(const struct as_corr *c, struct as_corr_stats *st);

/* ---- artifacts and matching (used by the engine and the detectors) -------- */

enum as_corr_art_kind {
	AS_CORR_ART_COMMAND = 1, /* a shell command line or interpreter code */
	AS_CORR_ART_PATH,	 /* a file or folder path, absolute or relative */
	AS_CORR_ART_URL,	 /* a URL or host:port */
};

struct as_corr_artifact {
	enum as_corr_art_kind kind;
	const char *text;
	int tool_index; /* the reply's tool call it came from; -1: the reply's text */
	bool from_text; /* found in text (reply text, or prose in arguments) */
};

struct as_corr_artifacts;

/* What a reply asks for: tool calls' arguments (strings under keys named
 * like command/cmd/script/shell/bash/code/exec are commands, including argv
 * arrays; keys named like path/file/dir/src/dst/cwd are paths; URLs and
 * path-like strings anywhere) and its text (fenced shell code blocks, lines
 * starting with "$ ", `backticked` spans, and path- and URL-like words).
 * Paths named in commands (redirections, arguments) are added as paths.
 * Bounded: 64 commands, 128 paths, 32 URLs, strings cut at 4 KiB. NULL when
 * memory ran out. */
struct as_corr_artifacts *as_corr_extract(const struct as_llm_message *reply);
/* The same, from free text only (tool_index -1), e.g. an injected instruction. */
struct as_corr_artifacts *as_corr_extract_text(const char *text);
size_t as_corr_artifacts_count(const struct as_corr_artifacts *a);
const struct as_corr_artifact *as_corr_artifacts_get(const struct as_corr_artifacts *a, size_t i);
void as_corr_artifacts_free(struct as_corr_artifacts *a);

/* How well an exec's argv matches a command line (0..1, the A scale above);
 * why (may be NULL) receives a short phrase ("runs the command"). */
double as_corr_match_command(const char *command, const char *const *argv, size_t argc, char *why,
			     size_t whylen);

/* How well a file event's path matches a path asked for (0..1). */
double as_corr_match_path(const char *event_path, const char *path);

#endif /* AGENTSIGHT_CORRELATE_H */
