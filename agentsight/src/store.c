/* store: the SQLite side of AgentSight's recordings (see store.h).
 *
 * Schema (version 1):
 *   as_schema(version, app)             one row: which program and schema wrote the file
 *   sessions(id, started_ns, ended_ns, command, host, walltime_offset_ns, stats)
 *   events(session, id, kind, mono_ns, ts, pid, ppid, comm, model, tokens_in,
 *          tokens_out, json)            PRIMARY KEY (session, id)
 *   links(session, llm_event, event, score, reasons)
 *   alerts(session, id, kind, mono_ns, pid, severity, summary, json)
 * Times: *_ns columns are Unix nanoseconds, except mono_ns (CLOCK_MONOTONIC,
 * as in the event); ts is Unix seconds (REAL) for people querying by hand.
 * events and alerts keep their rowids: their JSON can be large (an LLM
 * exchange holds the whole prompt), which WITHOUT ROWID tables store badly.
 * A migration is a list of SQL statements taking version n to n + 1;
 * migrations[0] creates the first schema from an empty file.
 */
#include "store.h"

#include "llmapi.h"

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define APP_NAME "agentsight"

static const char *const migration_v1[] = {
	"CREATE TABLE as_schema(version INTEGER NOT NULL, app TEXT NOT NULL)",
	"INSERT INTO as_schema(version, app) VALUES (1, '" APP_NAME "')",
	"CREATE TABLE sessions("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" started_ns INTEGER NOT NULL,"
	" ended_ns INTEGER,"
	" command TEXT,"
	" host TEXT,"
	" walltime_offset_ns INTEGER NOT NULL DEFAULT 0,"
	" stats TEXT)",
	"CREATE TABLE events("
	" session INTEGER NOT NULL REFERENCES sessions(id),"
	" id INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" mono_ns INTEGER NOT NULL,"
	" ts REAL NOT NULL,"
	" pid INTEGER NOT NULL,"
	" ppid INTEGER NOT NULL,"
	" comm TEXT,"
	" model TEXT,"
	" tokens_in INTEGER,"
	" tokens_out INTEGER,"
	" json TEXT NOT NULL,"
	" PRIMARY KEY (session, id))",
	"CREATE INDEX events_by_kind ON events(session, kind)",
	"CREATE INDEX events_by_time ON events(session, mono_ns)",
	"CREATE INDEX events_by_pid ON events(session, pid)",
	"CREATE TABLE links("
	" session INTEGER NOT NULL REFERENCES sessions(id),"
	" llm_event INTEGER NOT NULL,"
	" event INTEGER NOT NULL,"
	" score REAL NOT NULL,"
	" reasons TEXT,"
	" PRIMARY KEY (session, llm_event, event)) WITHOUT ROWID",
	"CREATE INDEX links_by_event ON links(session, event)",
	"CREATE TABLE alerts("
	" session INTEGER NOT NULL REFERENCES sessions(id),"
	" id INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" mono_ns INTEGER NOT NULL,"
	" pid INTEGER NOT NULL,"
	" severity TEXT,"
	" summary TEXT,"
	" json TEXT NOT NULL,"
	" PRIMARY KEY (session, id))",
	NULL,
};

static const char *const *const migrations[] = {migration_v1};
#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))
_Static_assert(N_MIGRATIONS == AS_STORE_SCHEMA_VERSION, "one migration per schema version");

enum stmt_id {
	S_BEGIN,
	S_COMMIT,
	S_ADD_EVENT,
	S_ADD_LINK,
	S_ADD_ALERT,
	S_OFFSET,
	N_STMTS,
};

static const char *const stmt_sql[N_STMTS] = {
	[S_BEGIN] = "BEGIN",
	[S_COMMIT] = "COMMIT",
	[S_ADD_EVENT] = "INSERT OR REPLACE INTO events(session, id, kind, mono_ns, ts, pid, ppid,"
			" comm, model, tokens_in, tokens_out, json)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_ADD_LINK] = "INSERT OR REPLACE INTO links(session, llm_event, event, score, reasons)"
		       " VALUES (?, ?, ?, ?, ?)",
	[S_ADD_ALERT] = "INSERT OR REPLACE INTO alerts(session, id, kind, mono_ns, pid, severity,"
			" summary, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[S_OFFSET] = "SELECT walltime_offset_ns FROM sessions WHERE id = ?",
};

struct as_store {
	sqlite3 *db;
	char *path;
	bool read_only;
	unsigned batch_records;
	unsigned batch_ms;
	sqlite3_stmt *stmt[N_STMTS];
	bool in_tx;
	unsigned pending;
	uint64_t tx_started_ms;
	/* The walltime offset of the last session written to (the JSON forms need it). */
	int64_t offset_session;
	int64_t offset_ns;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int64_t now_unix_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t measure_offset_ns(void)
{
	struct timespec rt, mono;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((int64_t)rt.tv_sec - (int64_t)mono.tv_sec) * 1000000000 +
	       ((int64_t)rt.tv_nsec - (int64_t)mono.tv_nsec);
}

static int db_fail(struct as_store *st, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return -1;
}

static int exec_sql(struct as_store *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Runs a one-value query; *val is 0 when it returns no row. */
static int query_int(struct as_store *st, const char *sql, int64_t *val, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	*val = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "cannot read it", err, errlen);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*val = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, "cannot read it", err, errlen);
	return 0;
}

/* Names the tables of a database that is not a store, for the error. */
static void list_tables(struct as_store *st, char *buf, size_t len)
{
	sqlite3_stmt *s = NULL;
	buf[0] = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
			       " LIMIT 6",
			       -1, &s, NULL) != SQLITE_OK)
		return;
	size_t used = 0;
	int n = 0;
	while (sqlite3_step(s) == SQLITE_ROW && used + 1 < len) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		int w = snprintf(buf + used, len - used, "%s%s", n ? ", " : "",
				 n == 5 ? "..." : (name ? name : "?"));
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
		n++;
	}
	sqlite3_finalize(s);
}

static int migrate(struct as_store *st, int64_t from, char *err, size_t errlen)
{
	if (exec_sql(st, "BEGIN IMMEDIATE", err, errlen) != 0)
		return -1;
	for (int64_t v = from; v < AS_STORE_SCHEMA_VERSION; v++) {
		for (const char *const *sql = migrations[v]; *sql; sql++) {
			if (exec_sql(st, *sql, err, errlen) != 0) {
				exec_sql(st, "ROLLBACK", NULL, 0);
				return -1;
			}
		}
		if (v > 0) {
			char up[80];
			snprintf(up, sizeof(up), "UPDATE as_schema SET version = %lld",
				 (long long)v + 1);
			if (exec_sql(st, up, err, errlen) != 0) {
				exec_sql(st, "ROLLBACK", NULL, 0);
				return -1;
			}
		}
	}
	return exec_sql(st, "COMMIT", err, errlen);
}

/* Checks what the file is; creates or migrates the schema when allowed. */
static int check_schema(struct as_store *st, char *err, size_t errlen)
{
	int64_t n_tables = 0;
	/* The first read of the file: garbage fails here ("file is not a database"). */
	if (query_int(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", &n_tables, err,
		      errlen) != 0) {
		snprintf(err, errlen, "%s: not an AgentSight store: %s", st->path,
			 sqlite3_errmsg(st->db));
		return -1;
	}
	if (n_tables == 0) {
		if (st->read_only) {
			snprintf(err, errlen, "%s: not an AgentSight store (an empty database)",
				 st->path);
			return -1;
		}
		return migrate(st, 0, err, errlen);
	}
	int64_t has_schema = 0;
	if (query_int(st,
		      "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
		      " AND name = 'as_schema'",
		      &has_schema, err, errlen) != 0)
		return -1;
	char tables[200];
	if (!has_schema) {
		list_tables(st, tables, sizeof(tables));
		snprintf(err, errlen,
			 "%s: an SQLite database but not an AgentSight store (its tables: %s)",
			 st->path, tables);
		return -1;
	}
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT version, app FROM as_schema", -1, &s, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: not an AgentSight store (unreadable as_schema: %s)",
			 st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	int rc = sqlite3_step(s);
	bool ok = rc == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_INTEGER &&
		  sqlite3_column_type(s, 1) == SQLITE_TEXT &&
		  strcmp((const char *)sqlite3_column_text(s, 1), APP_NAME) == 0;
	int64_t version = ok ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (!ok || version < 1) {
		snprintf(err, errlen, "%s: not an AgentSight store (as_schema has no valid row)",
			 st->path);
		return -1;
	}
	if (version > AS_STORE_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "%s: written by a newer agentsight (store schema version %lld; this one "
			 "reads up to %d): use a newer agentsight",
			 st->path, (long long)version, AS_STORE_SCHEMA_VERSION);
		return -1;
	}
	if (version < AS_STORE_SCHEMA_VERSION) {
		if (st->read_only) {
			snprintf(err, errlen,
				 "%s: store schema version %lld needs migrating to %d; open it "
				 "for writing once (agentsight record or report without "
				 "read-only)",
				 st->path, (long long)version, AS_STORE_SCHEMA_VERSION);
			return -1;
		}
		return migrate(st, version, err, errlen);
	}
	return 0;
}

int as_store_open(struct as_store **out, const char *path, const struct as_store_opts *opts,
		  char *err, size_t errlen)
{
	*out = NULL;
	if (!path || !*path) {
		snprintf(err, errlen, "store: no database path given");
		return -1;
	}
	struct as_store *st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(path))) {
		free(st);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	st->read_only = opts && opts->read_only;
	st->batch_records = opts && opts->batch_records ? opts->batch_records : 512;
	st->batch_ms = opts && opts->batch_ms ? opts->batch_ms : 250;
	st->offset_session = -1;

	int flags =
		st->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	flags |= SQLITE_OPEN_NOMUTEX;
	if (st->read_only && access(path, F_OK) != 0) {
		snprintf(err, errlen, "%s: cannot open the store: %s", path, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the store: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	/* Hostile files: no triggers or views of theirs run code we did not write. */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (check_schema(st, err, errlen) != 0)
		goto fail;
	if (!st->read_only) {
		if (exec_sql(st, "PRAGMA journal_mode = WAL", err, errlen) != 0 ||
		    exec_sql(st, "PRAGMA synchronous = NORMAL", err, errlen) != 0)
			goto fail;
	}
	for (int i = 0; i < N_STMTS; i++) {
		if (st->read_only && i != S_OFFSET)
			continue;
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[i], NULL) != SQLITE_OK) {
			db_fail(st, "not a usable AgentSight store", err, errlen);
			goto fail;
		}
	}
	*out = st;
	return 0;
fail:
	for (int i = 0; i < N_STMTS; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
	return -1;
}

static int step_done(struct as_store *st, sqlite3_stmt *s, const char *what, char *err,
		     size_t errlen)
{
	int rc = sqlite3_step(s);
	int ret = 0;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = db_fail(st, what, err, errlen);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return ret;
}

int as_store_flush(struct as_store *st, char *err, size_t errlen)
{
	if (!st->in_tx)
		return 0;
	if (step_done(st, st->stmt[S_COMMIT], "cannot commit", err, errlen) != 0) {
		/* A failed COMMIT may leave the transaction open: roll it back so the
		 * next batch starts clean. The batch is lost, as the error says. */
		if (!sqlite3_get_autocommit(st->db))
			exec_sql(st, "ROLLBACK", NULL, 0);
		st->in_tx = false;
		st->pending = 0;
		return -1;
	}
	st->in_tx = false;
	st->pending = 0;
	return 0;
}

int as_store_tick(struct as_store *st, char *err, size_t errlen)
{
	if (st->in_tx && now_ms() - st->tx_started_ms >= st->batch_ms)
		return as_store_flush(st, err, errlen);
	return 0;
}

void as_store_close(struct as_store *st)
{
	if (!st)
		return;
	char err[256];
	if (st->in_tx)
		as_store_flush(st, err, sizeof(err)); /* nowhere to report it: close anyway */
	for (int i = 0; i < N_STMTS; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

static int check_writable(struct as_store *st, char *err, size_t errlen)
{
	if (st->read_only) {
		snprintf(err, errlen, "%s: the store was opened read-only", st->path);
		return -1;
	}
	return 0;
}

/* Opens the batch transaction when none is open. */
static int write_begin(struct as_store *st, char *err, size_t errlen)
{
	if (check_writable(st, err, errlen) != 0)
		return -1;
	if (st->in_tx)
		return 0;
	if (step_done(st, st->stmt[S_BEGIN], "cannot begin a transaction", err, errlen) != 0)
		return -1;
	st->in_tx = true;
	st->pending = 0;
	st->tx_started_ms = now_ms();
	return 0;
}

/* One record written: commit when the batch is full or old. */
static int write_end(struct as_store *st, char *err, size_t errlen)
{
	st->pending++;
	if (st->pending >= st->batch_records || now_ms() - st->tx_started_ms >= st->batch_ms)
		return as_store_flush(st, err, errlen);
	return 0;
}

static int session_offset(struct as_store *st, int64_t session, int64_t *offset, char *err,
			  size_t errlen)
{
	if (st->offset_session == session) {
		*offset = st->offset_ns;
		return 0;
	}
	sqlite3_stmt *s = st->stmt[S_OFFSET];
	sqlite3_bind_int64(s, 1, session);
	int rc = sqlite3_step(s);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		*offset = sqlite3_column_int64(s, 0);
		st->offset_session = session;
		st->offset_ns = *offset;
	} else if (rc == SQLITE_DONE) {
		snprintf(err, errlen, "%s: no session %lld", st->path, (long long)session);
		ret = -ENOENT;
	} else {
		ret = db_fail(st, "cannot read the session", err, errlen);
	}
	sqlite3_reset(s);
	return ret;
}

int as_store_begin_session(struct as_store *st, const struct as_session_meta *meta,
			   int64_t *session_id, char *err, size_t errlen)
{
	if (check_writable(st, err, errlen) != 0 || as_store_flush(st, err, errlen) != 0)
		return -1;
	char host[256] = "";
	const char *h = meta ? meta->host : NULL;
	if (!h) {
		if (gethostname(host, sizeof(host) - 1) != 0)
			host[0] = 0;
		h = host;
	}
	int64_t started = meta && meta->started_unix_ns ? meta->started_unix_ns : now_unix_ns();
	int64_t offset =
		meta && meta->walltime_offset_ns ? meta->walltime_offset_ns : measure_offset_ns();
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO sessions(started_ns, command, host, walltime_offset_ns)"
			       " VALUES (?, ?, ?, ?)",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "cannot add a session", err, errlen);
	sqlite3_bind_int64(s, 1, started);
	if (meta && meta->command)
		sqlite3_bind_text(s, 2, meta->command, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, h, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, offset);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, "cannot add a session", err, errlen);
	*session_id = sqlite3_last_insert_rowid(st->db);
	st->offset_session = *session_id;
	st->offset_ns = offset;
	return 0;
}

int as_store_end_session(struct as_store *st, int64_t session_id, int64_t ended_unix_ns,
			 const json_t *stats, char *err, size_t errlen)
{
	if (check_writable(st, err, errlen) != 0 || as_store_flush(st, err, errlen) != 0)
		return -1;
	char *stats_text = NULL;
	if (stats) {
		stats_text = json_dumps(stats, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!stats_text) {
			snprintf(err, errlen, "%s: session %lld: stats cannot be written as JSON",
				 st->path, (long long)session_id);
			return -1;
		}
	}
	sqlite3_stmt *s = NULL;
	int ret = 0;
	if (sqlite3_prepare_v2(st->db, "UPDATE sessions SET ended_ns = ?, stats = ? WHERE id = ?",
			       -1, &s, NULL) != SQLITE_OK) {
		free(stats_text);
		return db_fail(st, "cannot end the session", err, errlen);
	}
	sqlite3_bind_int64(s, 1, ended_unix_ns ? ended_unix_ns : now_unix_ns());
	if (stats_text)
		sqlite3_bind_text(s, 2, stats_text, -1, free);
	sqlite3_bind_int64(s, 3, session_id);
	if (sqlite3_step(s) != SQLITE_DONE)
		ret = db_fail(st, "cannot end the session", err, errlen);
	else if (sqlite3_changes(st->db) == 0) {
		snprintf(err, errlen, "%s: no session %lld to end", st->path,
			 (long long)session_id);
		ret = -ENOENT;
	}
	sqlite3_finalize(s);
	return ret;
}

/* Binds a JSON value as text; the text is freed by SQLite. */
static int bind_json(struct as_store *st, sqlite3_stmt *s, int col, json_t *j, const char *what,
		     char *err, size_t errlen)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text) {
		snprintf(err, errlen, "%s: %s cannot be written as JSON", st->path, what);
		return -1;
	}
	sqlite3_bind_text(s, col, text, -1, free);
	return 0;
}

int as_store_add_event(struct as_store *st, int64_t session_id, const struct as_event *ev,
		       char *err, size_t errlen)
{
	int64_t offset;
	int rc = check_writable(st, err, errlen);
	if (rc == 0)
		rc = session_offset(st, session_id, &offset, err, errlen);
	if (rc != 0)
		return rc;
	if (write_begin(st, err, errlen) != 0)
		return -1;
	sqlite3_stmt *s = st->stmt[S_ADD_EVENT];
	char what[64];
	snprintf(what, sizeof(what), "event %llu", (unsigned long long)ev->id);
	if (bind_json(st, s, 12, as_event_to_json(ev, offset), what, err, errlen) != 0) {
		sqlite3_clear_bindings(s);
		return -1;
	}
	char comm[sizeof(ev->comm) + 1];
	memcpy(comm, ev->comm, sizeof(ev->comm));
	comm[sizeof(ev->comm)] = 0;
	sqlite3_bind_int64(s, 1, session_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)ev->id);
	sqlite3_bind_text(s, 3, as_event_kind_name(ev->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)ev->ts_ns);
	sqlite3_bind_double(s, 5, (double)((int64_t)ev->ts_ns + offset) / 1e9);
	sqlite3_bind_int(s, 6, ev->pid);
	sqlite3_bind_int(s, 7, ev->ppid);
	sqlite3_bind_text(s, 8, comm, -1, SQLITE_TRANSIENT);
	if (ev->kind == AS_EV_LLM && ev->llm) {
		struct as_llm_usage u = ev->llm->usage;
		if (!u.reported)
			as_llm_estimate_usage(ev->llm, &u);
		if (ev->llm->model)
			sqlite3_bind_text(s, 9, ev->llm->model, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 10, u.input_tokens);
		sqlite3_bind_int64(s, 11, u.output_tokens);
	}
	snprintf(what, sizeof(what), "cannot add event %llu", (unsigned long long)ev->id);
	if (step_done(st, s, what, err, errlen) != 0)
		return -1;
	return write_end(st, err, errlen);
}

int as_store_add_link(struct as_store *st, int64_t session_id, const struct as_link *l, char *err,
		      size_t errlen)
{
	if (write_begin(st, err, errlen) != 0)
		return -1;
	sqlite3_stmt *s = st->stmt[S_ADD_LINK];
	char reasons[sizeof(l->reasons) + 1];
	memcpy(reasons, l->reasons, sizeof(l->reasons));
	reasons[sizeof(l->reasons)] = 0;
	sqlite3_bind_int64(s, 1, session_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)l->llm_event_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)l->event_id);
	sqlite3_bind_double(s, 4, l->score);
	sqlite3_bind_text(s, 5, reasons, -1, SQLITE_TRANSIENT);
	if (step_done(st, s, "cannot add a link", err, errlen) != 0)
		return -1;
	return write_end(st, err, errlen);
}

int as_store_add_alert(struct as_store *st, int64_t session_id, const struct as_alert *al,
		       char *err, size_t errlen)
{
	int64_t offset;
	int rc = check_writable(st, err, errlen);
	if (rc == 0)
		rc = session_offset(st, session_id, &offset, err, errlen);
	if (rc != 0)
		return rc;
	if (write_begin(st, err, errlen) != 0)
		return -1;
	sqlite3_stmt *s = st->stmt[S_ADD_ALERT];
	if (bind_json(st, s, 8, as_alert_to_json(al, offset), "an alert", err, errlen) != 0) {
		sqlite3_clear_bindings(s);
		return -1;
	}
	char sev[sizeof(al->severity) + 1];
	memcpy(sev, al->severity, sizeof(al->severity));
	sev[sizeof(al->severity)] = 0;
	sqlite3_bind_int64(s, 1, session_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)al->id);
	sqlite3_bind_text(s, 3, as_alert_kind_name(al->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)al->ts_ns);
	sqlite3_bind_int(s, 5, al->pid);
	sqlite3_bind_text(s, 6, sev, -1, SQLITE_TRANSIENT);
	if (al->summary)
		sqlite3_bind_text(s, 7, al->summary, -1, SQLITE_TRANSIENT);
	if (step_done(st, s, "cannot add an alert", err, errlen) != 0)
		return -1;
	return write_end(st, err, errlen);
}

/* ---- Reading ---- */

/* Every read sees what this handle wrote. */
static int read_begin(struct as_store *st, char *err, size_t errlen)
{
	return st->in_tx ? as_store_flush(st, err, errlen) : 0;
}

static json_t *col_text_json(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	const char *t = (const char *)sqlite3_column_text(s, col);
	json_t *j = t ? json_string(t) : NULL;
	if (!j && t) {
		/* Not UTF-8 (a foreign writer): say so rather than fail the whole list. */
		j = json_string("(not UTF-8)");
	}
	return j ? j : json_null();
}

/* Unix seconds of Unix nanoseconds, whole seconds kept exact. */
static json_t *seconds(int64_t ns)
{
	int64_t whole = ns / 1000000000, part = ns % 1000000000;
	return json_real((double)whole + (double)part / 1e9);
}

static json_t *ns_to_seconds(sqlite3_stmt *s, int col)
{
	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return json_null();
	return seconds(sqlite3_column_int64(s, col));
}

static const char session_select[] =
	"SELECT s.id, s.command, s.host, s.started_ns, s.ended_ns, s.walltime_offset_ns,"
	" s.stats,"
	" (SELECT count(*) FROM events e WHERE e.session = s.id),"
	" (SELECT count(*) FROM events e WHERE e.session = s.id AND e.kind = 'llm'),"
	" (SELECT total(tokens_in) FROM events e WHERE e.session = s.id AND e.kind = 'llm'),"
	" (SELECT total(tokens_out) FROM events e WHERE e.session = s.id AND e.kind = 'llm'),"
	" (SELECT count(*) FROM alerts a WHERE a.session = s.id),"
	" (SELECT count(DISTINCT pid) FROM events e WHERE e.session = s.id),"
	" (SELECT max(mono_ns) FROM events e WHERE e.session = s.id)"
	" FROM sessions s";

static json_t *session_row(sqlite3_stmt *s)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	int64_t offset = sqlite3_column_int64(s, 5);
	json_object_set_new(j, "id", json_integer(sqlite3_column_int64(s, 0)));
	json_object_set_new(j, "command", col_text_json(s, 1));
	json_object_set_new(j, "host", col_text_json(s, 2));
	json_object_set_new(j, "started", ns_to_seconds(s, 3));
	json_object_set_new(j, "ended", ns_to_seconds(s, 4));
	if (sqlite3_column_type(s, 13) == SQLITE_NULL)
		json_object_set_new(j, "last_event", json_null());
	else
		json_object_set_new(j, "last_event", seconds(sqlite3_column_int64(s, 13) + offset));
	json_object_set_new(j, "walltime_offset_ns", json_integer(offset));
	json_t *stats = NULL;
	if (sqlite3_column_type(s, 6) == SQLITE_TEXT)
		stats = json_loads((const char *)sqlite3_column_text(s, 6), JSON_DECODE_ANY, NULL);
	json_object_set_new(j, "stats", stats ? stats : json_null());
	json_object_set_new(j, "events", json_integer(sqlite3_column_int64(s, 7)));
	json_object_set_new(j, "llm_calls", json_integer(sqlite3_column_int64(s, 8)));
	json_object_set_new(j, "tokens_in", json_integer((json_int_t)sqlite3_column_double(s, 9)));
	json_object_set_new(j, "tokens_out",
			    json_integer((json_int_t)sqlite3_column_double(s, 10)));
	json_object_set_new(j, "alerts", json_integer(sqlite3_column_int64(s, 11)));
	json_object_set_new(j, "processes", json_integer(sqlite3_column_int64(s, 12)));
	return j;
}

static int oom(struct as_store *st, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: out of memory", st->path);
	return -1;
}

int as_store_list_sessions(struct as_store *st, json_t **out, char *err, size_t errlen)
{
	*out = NULL;
	if (read_begin(st, err, errlen) != 0)
		return -1;
	char sql[sizeof(session_select) + 32];
	snprintf(sql, sizeof(sql), "%s ORDER BY s.id", session_select);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "cannot list sessions", err, errlen);
	json_t *arr = json_array();
	int rc;
	while (arr && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *row = session_row(s);
		if (!row || json_array_append_new(arr, row) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	if (!arr) {
		sqlite3_finalize(s);
		return oom(st, err, errlen);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_fail(st, "cannot list sessions", err, errlen);
	}
	*out = arr;
	return 0;
}

int as_store_get_session(struct as_store *st, int64_t session_id, json_t **out, char *err,
			 size_t errlen)
{
	*out = NULL;
	if (read_begin(st, err, errlen) != 0)
		return -1;
	char sql[sizeof(session_select) + 32];
	snprintf(sql, sizeof(sql), "%s WHERE s.id = ?", session_select);
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "cannot read the session", err, errlen);
	sqlite3_bind_int64(s, 1, session_id);
	int rc = sqlite3_step(s), ret = 0;
	if (rc == SQLITE_ROW) {
		*out = session_row(s);
		if (!*out)
			ret = oom(st, err, errlen);
	} else if (rc == SQLITE_DONE) {
		snprintf(err, errlen, "%s: no session %lld", st->path, (long long)session_id);
		ret = -ENOENT;
	} else {
		ret = db_fail(st, "cannot read the session", err, errlen);
	}
	sqlite3_finalize(s);
	return ret;
}

int as_store_latest_session(struct as_store *st, int64_t *session_id, char *err, size_t errlen)
{
	if (read_begin(st, err, errlen) != 0)
		return -1;
	int64_t id = 0;
	if (query_int(st, "SELECT max(id) FROM sessions", &id, err, errlen) != 0)
		return -1;
	if (id <= 0) {
		snprintf(err, errlen, "%s: the store holds no session", st->path);
		return -ENOENT;
	}
	*session_id = id;
	return 0;
}

/* The stored JSON of an event row (columns: id, kind, mono_ns, pid, comm, json). */
static json_t *event_row(sqlite3_stmt *s)
{
	json_t *j = NULL;
	if (sqlite3_column_type(s, 5) == SQLITE_TEXT)
		j = json_loadb((const char *)sqlite3_column_text(s, 5),
			       (size_t)sqlite3_column_bytes(s, 5), 0, NULL);
	if (j && json_is_object(j))
		return j;
	json_decref(j);
	j = json_object();
	if (!j)
		return NULL;
	json_object_set_new(j, "id", json_integer(sqlite3_column_int64(s, 0)));
	json_object_set_new(j, "kind", col_text_json(s, 1));
	json_object_set_new(j, "mono_ns", json_integer(sqlite3_column_int64(s, 2)));
	json_object_set_new(j, "pid", json_integer(sqlite3_column_int64(s, 3)));
	json_object_set_new(j, "comm", col_text_json(s, 4));
	json_object_set_new(j, "corrupt", json_true());
	return j;
}

int as_store_load_events(struct as_store *st, int64_t session_id, uint64_t after_id, size_t limit,
			 json_t **out, bool *more, char *err, size_t errlen)
{
	*out = NULL;
	*more = false;
	if (read_begin(st, err, errlen) != 0)
		return -1;
	if (limit == 0 || limit > AS_STORE_MAX_PAGE)
		limit = AS_STORE_MAX_PAGE;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, kind, mono_ns, pid, comm, json FROM events"
			       " WHERE session = ? AND id > ? ORDER BY id LIMIT ?",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "cannot read events", err, errlen);
	sqlite3_bind_int64(s, 1, session_id);
	/* Ids are stored as SQLite's signed integers; an id past INT64_MAX reads negative. */
	sqlite3_bind_int64(s, 2, after_id > INT64_MAX ? INT64_MAX : (sqlite3_int64)after_id);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)limit + 1);
	json_t *arr = json_array();
	int rc = SQLITE_DONE;
	size_t n = 0;
	while (arr && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == limit) {
			*more = true;
			rc = SQLITE_DONE;
			break;
		}
		json_t *row = event_row(s);
		if (!row || json_array_append_new(arr, row) != 0) {
			json_decref(arr);
			arr = NULL;
		}
		n++;
	}
	sqlite3_finalize(s);
	if (!arr)
		return oom(st, err, errlen);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_fail(st, "cannot read events", err, errlen);
	}
	*out = arr;
	return 0;
}

int as_store_get_event(struct as_store *st, int64_t session_id, uint64_t event_id, json_t **out,
		       char *err, size_t errlen)
{
	*out = NULL;
	if (read_begin(st, err, errlen) != 0)
		return -1;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, kind, mono_ns, pid, comm, json FROM events"
			       " WHERE session = ? AND id = ?",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "cannot read the event", err, errlen);
	sqlite3_bind_int64(s, 1, session_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)event_id);
	int rc = sqlite3_step(s), ret = 0;
	if (rc == SQLITE_ROW) {
		*out = event_row(s);
		if (!*out)
			ret = oom(st, err, errlen);
	} else if (rc == SQLITE_DONE) {
		snprintf(err, errlen, "%s: session %lld has no event %llu", st->path,
			 (long long)session_id, (unsigned long long)event_id);
		ret = -ENOENT;
	} else {
		ret = db_fail(st, "cannot read the event", err, errlen);
	}
	sqlite3_finalize(s);
	return ret;
}

int as_store_each_event(struct as_store *st, int64_t session_id,
			int (*fn)(const struct as_event *ev, void *ctx), void *ctx, size_t *skipped,
			char *err, size_t errlen)
{
	if (skipped)
		*skipped = 0;
	if (read_begin(st, err, errlen) != 0)
		return -1;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT e.json, s.walltime_offset_ns FROM events e"
			       " JOIN sessions s ON s.id = e.session"
			       " WHERE e.session = ? ORDER BY e.id",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "cannot read events", err, errlen);
	sqlite3_bind_int64(s, 1, session_id);
	int rc, ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *j = NULL;
		if (sqlite3_column_type(s, 0) == SQLITE_TEXT)
			j = json_loadb((const char *)sqlite3_column_text(s, 0),
				       (size_t)sqlite3_column_bytes(s, 0), 0, NULL);
		struct as_event ev;
		char inner[128];
		if (!j || as_event_from_json(&ev, j, sqlite3_column_int64(s, 1), inner,
					     sizeof(inner)) != 0) {
			json_decref(j);
			if (skipped)
				(*skipped)++;
			continue;
		}
		json_decref(j);
		ret = fn(&ev, ctx);
		as_event_clear(&ev);
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(st, "cannot read events", err, errlen);
	sqlite3_finalize(s);
	return ret;
}

int as_store_load_links(struct as_store *st, int64_t session_id, json_t **out, char *err,
			size_t errlen)
{
	*out = NULL;
	if (read_begin(st, err, errlen) != 0)
		return -1;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT llm_event, event, score, reasons FROM links"
			       " WHERE session = ? ORDER BY llm_event, event",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "cannot read links", err, errlen);
	sqlite3_bind_int64(s, 1, session_id);
	json_t *arr = json_array();
	int rc = SQLITE_DONE;
	while (arr && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct as_link l = {
			.llm_event_id = (uint64_t)sqlite3_column_int64(s, 0),
			.event_id = (uint64_t)sqlite3_column_int64(s, 1),
			.score = sqlite3_column_double(s, 2),
		};
		const char *r = (const char *)sqlite3_column_text(s, 3);
		if (r)
			snprintf(l.reasons, sizeof(l.reasons), "%s", r);
		json_t *row = as_link_to_json(&l);
		if (!row || json_array_append_new(arr, row) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	sqlite3_finalize(s);
	if (!arr)
		return oom(st, err, errlen);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_fail(st, "cannot read links", err, errlen);
	}
	*out = arr;
	return 0;
}

int as_store_load_alerts(struct as_store *st, int64_t session_id, json_t **out, char *err,
			 size_t errlen)
{
	*out = NULL;
	if (read_begin(st, err, errlen) != 0)
		return -1;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, kind, mono_ns, pid, summary, json FROM alerts"
			       " WHERE session = ? ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "cannot read alerts", err, errlen);
	sqlite3_bind_int64(s, 1, session_id);
	json_t *arr = json_array();
	int rc = SQLITE_DONE;
	while (arr && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* Same columns as an event row: a broken alert reads as "corrupt". */
		json_t *row = event_row(s);
		if (row && json_object_get(row, "corrupt"))
			json_object_set_new(row, "summary", col_text_json(s, 4));
		if (!row || json_array_append_new(arr, row) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	sqlite3_finalize(s);
	if (!arr)
		return oom(st, err, errlen);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_fail(st, "cannot read alerts", err, errlen);
	}
	*out = arr;
	return 0;
}
