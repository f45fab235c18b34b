/* store: AgentSight's recordings on disk, one SQLite database per file.
 *
 * The engine writes a session (one `agentsight record` run) as its events,
 * links and alerts arrive; `agentsight report` and `agentsight serve` read
 * them back. Events, links and alerts are kept in their JSON forms
 * (event.h), next to the columns the readers query by (session, id, kind,
 * time, pid), so the database and the web UI share one shape.
 *
 * Writes go into a transaction that is committed every batch_records records
 * or when a record arrives batch_ms after the transaction began, and on
 * as_store_flush(), as_store_end_session() and as_store_close(): a crash
 * loses at most one batch, and writing costs one fsync per batch. The
 * database is in WAL mode, so a reader (the web UI) can follow a recording
 * while it is written. A store handle is used by one thread at a time.
 *
 * Databases that are not AgentSight stores (garbage, another program's
 * SQLite file) and stores of a newer schema version are refused with a
 * message naming the file; an empty file becomes a new store.
 */
#ifndef AGENTSIGHT_STORE_H
#define AGENTSIGHT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct json_t;

/* The schema this code writes; older stores are migrated on open (read-write). */
#define AS_STORE_SCHEMA_VERSION 1

/* The most events one as_store_load_events() call returns. */
#define AS_STORE_MAX_PAGE 10000

struct as_store;

struct as_store_opts {
	bool read_only;		/* never create nor migrate; refuse a missing file */
	unsigned batch_records; /* commit after this many records; 0: 512 */
	unsigned batch_ms;	/* or when the open transaction is this old; 0: 250 */
};

/* Opens (creating when absent and not read-only) the store at path. opts may
 * be NULL. Returns 0 and the handle in *out, or -1 with a message naming the
 * path and the problem in err (*out is then NULL). */
int as_store_open(struct as_store **out, const char *path, const struct as_store_opts *opts,
		  char *err, size_t errlen);

/* Commits what is pending and closes; NULL is fine. Sessions not ended stay
 * open in the file (their "ended" is null), as after a crash. */
void as_store_close(struct as_store *st);

/* Commits what is pending. Returns 0 or -1 with err. */
int as_store_flush(struct as_store *st, char *err, size_t errlen);

/* Commits when the open transaction is older than batch_ms: for the engine's
 * idle loop, so that a quiet recording still reaches the disk. */
int as_store_tick(struct as_store *st, char *err, size_t errlen);

/* What a session is: the strings are copied. */
struct as_session_meta {
	const char *command;	    /* the command line recorded, or the target ("pid 4242") */
	const char *host;	    /* NULL: this machine's host name */
	int64_t started_unix_ns;    /* 0: now */
	int64_t walltime_offset_ns; /* unix_ns = mono_ns + offset; 0: measured now */
};

/* Starts a session; its id (> 0) in *session_id. Returns 0 or -1 with err. */
int as_store_begin_session(struct as_store *st, const struct as_session_meta *meta,
			   int64_t *session_id, char *err, size_t errlen);

/* Ends a session: records the end time (0: now) and stats (any JSON object the
 * engine keeps: drops, counts; may be NULL; not stolen), then commits. */
int as_store_end_session(struct as_store *st, int64_t session_id, int64_t ended_unix_ns,
			 const struct json_t *stats, char *err, size_t errlen);

/* Adds (or, when the session already has that id, replaces) one record. */
int as_store_add_event(struct as_store *st, int64_t session_id, const struct as_event *ev,
		       char *err, size_t errlen);
int as_store_add_link(struct as_store *st, int64_t session_id, const struct as_link *l, char *err,
		      size_t errlen);
int as_store_add_alert(struct as_store *st, int64_t session_id, const struct as_alert *al,
		       char *err, size_t errlen);

/* ---- Reading. Every JSON result is owned by the caller (json_decref). ---- */

/* Every session, oldest first, as an array of
 *   {"id": int, "command": str|null, "host": str|null,
 *    "started": unix seconds, "ended": unix seconds|null,
 *    "last_event": unix seconds|null (the latest event's time),
 *    "walltime_offset_ns": int, "stats": object|null,
 *    "events": int, "llm_calls": int, "tokens_in": int, "tokens_out": int,
 *    "alerts": int, "processes": int (distinct pids)}
 * Returns 0 or -1 with err. */
int as_store_list_sessions(struct as_store *st, struct json_t **out, char *err, size_t errlen);

/* One session in that shape. Returns 0, -ENOENT when there is none (with
 * err), or -1 with err. */
int as_store_get_session(struct as_store *st, int64_t session_id, struct json_t **out, char *err,
			 size_t errlen);

/* The newest session's id in *session_id, or -ENOENT when the store is empty. */
int as_store_latest_session(struct as_store *st, int64_t *session_id, char *err, size_t errlen);

/* A page of a session's events in their JSON form (as_event_to_json), by
 * increasing id: those with id > after_id, at most limit (1..AS_STORE_MAX_PAGE;
 * 0 means the maximum). *out is an array; *more is set when events remain
 * after the page. A row whose JSON cannot be read is returned as
 * {"id", "kind", "mono_ns", "pid", "comm", "corrupt": true}. */
int as_store_load_events(struct as_store *st, int64_t session_id, uint64_t after_id, size_t limit,
			 struct json_t **out, bool *more, char *err, size_t errlen);

/* One event's JSON form; -ENOENT when there is none. */
int as_store_get_event(struct as_store *st, int64_t session_id, uint64_t event_id,
		       struct json_t **out, char *err, size_t errlen);

/* Calls fn for each of the session's events, by increasing id, as structs
 * (valid only during the call). Rows that do not read back are skipped and
 * counted in *skipped (may be NULL). A non-zero return of fn stops the walk
 * and is returned. Returns 0 or -1 with err. */
int as_store_each_event(struct as_store *st, int64_t session_id,
			int (*fn)(const struct as_event *ev, void *ctx), void *ctx, size_t *skipped,
			char *err, size_t errlen);

/* A session's links (by llm_event, then event) and alerts (by id), as arrays
 * of as_link_to_json / as_alert_to_json objects. */
int as_store_load_links(struct as_store *st, int64_t session_id, struct json_t **out, char *err,
			size_t errlen);
int as_store_load_alerts(struct as_store *st, int64_t session_id, struct json_t **out, char *err,
			 size_t errlen);

#endif /* AGENTSIGHT_STORE_H */
