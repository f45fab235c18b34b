/* harness: builds synthetic AgentSight events for the correlation and
 * detector tests, and runs them through the process table, the correlation
 * engine and the detectors in the documented order, recording the links,
 * tool-result inputs and alerts that come out.
 */
#ifndef AS_CORRELATE_HARNESS_H
#define AS_CORRELATE_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correlate.h"
#include "detect.h"
#include "proctable.h"

#define SEC(x) ((uint64_t)((x)*1e9))

struct h_alert {
	uint64_t id;
	enum as_alert_kind kind;
	char severity[8];
	char *summary;
	json_t *details;
	uint64_t evidence[AS_ALERT_MAX_EVIDENCE];
	size_t n_evidence;
	unsigned updates;
	int pid;
};

struct h_input {
	uint64_t llm, source_llm, source_event;
	size_t message_index, n_events;
	char tool[64];
	char path[256];
};

struct harness {
	struct as_proctable *pt;
	struct as_corr *corr;
	struct as_detect *det;
	uint64_t next_id;
	struct as_link *links;
	size_t n_links, cap_links;
	struct h_input inputs[64];
	size_t n_inputs;
	struct h_alert alerts[256];
	size_t n_alerts;
	bool keep_links; /* false: only count them (bounded tests) */
};

/* cc, dc, pc may be NULL (defaults). */
void h_init(struct harness *h, const struct as_corr_config *cc, const struct as_detect_config *dc,
	    const struct as_proctable_config *pc);
void h_free(struct harness *h);

/* Gives ev the next id, feeds it through the pipeline, clears it; returns the id. */
uint64_t h_feed(struct harness *h, struct as_event *ev);
void h_tick(struct harness *h, uint64_t now);

/* The link of an event, or NULL when it was not linked. */
const struct as_link *h_link(const struct harness *h, uint64_t event_id);
size_t h_count_alerts(const struct harness *h, enum as_alert_kind kind);
const struct h_alert *h_find_alert(const struct harness *h, enum as_alert_kind kind);
bool h_has_evidence(const struct h_alert *a, uint64_t id);

/* Event builders (fill *ev; strings are copied). */
void ev_fork(struct as_event *ev, uint64_t ts, int parent, int child);
/* argv NULL-terminated. */
void ev_exec(struct as_event *ev, uint64_t ts, int pid, int ppid, const char *const *argv);
void ev_exit(struct as_event *ev, uint64_t ts, int pid, int code);
void ev_file(struct as_event *ev, enum as_event_kind kind, uint64_t ts, int pid, const char *path,
	     uint32_t flags);
void ev_connect(struct as_event *ev, uint64_t ts, int pid, int family, const char *addr, int port);
void ev_http(struct as_event *ev, uint64_t ts, int pid, const char *host, const char *path);

/* An LLM event; build its exchange with the x_* helpers. */
struct as_llm_exchange *ev_llm(struct as_event *ev, uint64_t ts, int pid, const char *model);
void x_msg(struct as_llm_exchange *x, enum as_llm_role role, const char *text,
	   const char *tool_call_id);
/* An assistant message in the request (history) with one tool call. */
void x_msg_call(struct as_llm_exchange *x, const char *id, const char *name, const char *args);
void x_reply_text(struct as_llm_exchange *x, const char *text);
void x_reply_call(struct as_llm_exchange *x, const char *id, const char *name, const char *args);
void x_usage(struct as_llm_exchange *x, int64_t in, int64_t out);

#endif
