/* event: what AgentSight records, after decoding, as one model for the
 * engine, the correlation engine, the detectors, the store and the outputs.
 *
 * An event is one observation: a process starting, exec'ing or exiting, a
 * file opened, written, removed or renamed, a connection, an HTTP message
 * that is not an LLM call, or one LLM exchange (request and response). Each
 * has a session-unique id, a timestamp, and the process it happened in. Links
 * (an LLM exchange caused an event) and alerts (a detector's finding, with
 * the ids of its evidence) refer to events by id.
 *
 * Strings are owned by the event (heap) and freed by as_event_free().
 */
#ifndef AGENTSIGHT_EVENT_H
#define AGENTSIGHT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exchange.h"

struct json_t;

enum as_event_kind {
	AS_EV_FORK = 1,
	AS_EV_EXEC,
	AS_EV_EXIT,
	AS_EV_FILE_OPEN,
	AS_EV_FILE_WRITE,
	AS_EV_FILE_UNLINK,
	AS_EV_FILE_RENAME,
	AS_EV_NET_CONNECT,
	AS_EV_NET_ACCEPT,
	AS_EV_NET_BIND,
	AS_EV_HTTP, /* an HTTP exchange over TLS that is not an LLM API call */
	AS_EV_LLM,  /* an LLM API exchange */
};

struct as_event_exec {
	char *filename; /* the path passed to execve */
	char **argv;	/* NULL-terminated */
	size_t argc;
	bool argv_truncated;
	uint32_t uid;
};

struct as_event_exit {
	int code;   /* exit status, 0..255 */
	int signal; /* terminating signal, 0 if none */
	uint64_t duration_ns;
};

struct as_event_fork {
	int child_pid;
};

struct as_event_file {
	char *path;  /* absolute when resolved (see path_resolved) */
	char *path2; /* rename: the new name */
	bool path_resolved;
	int64_t ret;	 /* fd, bytes, or -errno */
	uint64_t bytes;	 /* write: bytes requested; for a file, the total so far */
	uint32_t flags;	 /* open flags */
	uint32_t writes; /* write: how many writes this event stands for */
};

struct as_event_net {
	int family;    /* AF_INET, AF_INET6, AF_UNIX */
	char addr[64]; /* numeric address, or the unix socket path (truncated) */
	int port;
	int ret;
};

/* An HTTP request/response pair (non-LLM) or the HTTP side of an LLM call. */
struct as_event_http {
	char *method;
	char *host; /* Host / :authority */
	char *path;
	int status;
	int version;		/* 11 or 20 */
	uint64_t request_bytes; /* decoded body bytes */
	uint64_t response_bytes;
	uint64_t conn;		/* the TLS connection (SSL* in the process) */
	uint64_t request_ts_ns; /* when the request ended */
	bool truncated;		/* the response did not arrive whole */
};

struct as_event {
	uint64_t id; /* unique in a session, increasing */
	enum as_event_kind kind;
	uint64_t ts_ns; /* CLOCK_MONOTONIC: when it happened (for LLM: response end) */
	int pid;
	int tid;
	int ppid; /* 0 when unknown */
	char comm[16];
	union {
		struct as_event_fork fork;
		struct as_event_exec exec;
		struct as_event_exit exit;
		struct as_event_file file;
		struct as_event_net net;
	} u;
	/* AS_EV_HTTP and AS_EV_LLM. */
	struct as_event_http http;
	/* AS_EV_LLM: the exchange, owned by the event. */
	struct as_llm_exchange *llm;
};

/* A link from an LLM exchange to an event it is judged to have caused. */
struct as_link {
	uint64_t llm_event_id;
	uint64_t event_id;
	double score;	   /* 0..1 */
	char reasons[256]; /* e.g. "descendant; 0.4s after; argv matches tool call run_command" */
};

enum as_alert_kind {
	AS_ALERT_PROMPT_INJECTION = 1,
	AS_ALERT_REASONING_LOOP,
	AS_ALERT_RESOURCE_WASTE,
	AS_ALERT_COORDINATION_STALL,
};

#define AS_ALERT_MAX_EVIDENCE 32

struct as_alert {
	uint64_t id;
	enum as_alert_kind kind;
	uint64_t ts_ns;
	int pid;		/* the agent (session root or the process concerned) */
	char severity[8];	/* "low", "medium", "high" */
	char *summary;		/* one line for people */
	struct json_t *details; /* detector-specific facts (tokens, counts, texts); may be NULL */
	uint64_t evidence[AS_ALERT_MAX_EVIDENCE]; /* event ids */
	size_t n_evidence;
	/* the detectors' bookkeeping of updates (not output) */
	uint64_t emitted_ns;   /* when it was last sent */
	bool pending;	       /* changed since, not sent yet */
	char sent_severity[8]; /* the severity it was last sent with */
};

const char *as_event_kind_name(enum as_event_kind kind);
/* Parses a name back; 0 when unknown. */
enum as_event_kind as_event_kind_from_name(const char *name);
const char *as_alert_kind_name(enum as_alert_kind kind);

/* Frees what the event owns (not the event itself). */
void as_event_clear(struct as_event *ev);
void as_alert_clear(struct as_alert *al);

/* JSON forms (documented in docs/agentsight.md), and back. The walltime
 * offset converts ts_ns to Unix time: unix_ns = ts_ns + offset. */
struct json_t *as_event_to_json(const struct as_event *ev, int64_t walltime_offset_ns);
int as_event_from_json(struct as_event *ev, const struct json_t *j, int64_t walltime_offset_ns,
		       char *err, size_t errlen);
struct json_t *as_link_to_json(const struct as_link *l);
struct json_t *as_alert_to_json(const struct as_alert *al, int64_t walltime_offset_ns);

#endif /* AGENTSIGHT_EVENT_H */
