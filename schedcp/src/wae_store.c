/* wae_store: workload profiles kept in SQLite (see wae_engine.h), by default
 * in a file next to the policy repository, so that an agent can compare a
 * workload before and after a policy change.
 */
#include "wae_engine.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct scx_wae_store {
	sqlite3 *db;
};

static const char schema_sql[] = "CREATE TABLE IF NOT EXISTS wae_profiles ("
				 " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
				 " id TEXT UNIQUE NOT NULL,"
				 " label TEXT NOT NULL,"
				 " class TEXT NOT NULL,"
				 " created INTEGER NOT NULL,"
				 " json TEXT NOT NULL);";

int scx_wae_store_open(const char *path, struct scx_wae_store **out, char *err, size_t errlen)
{
	struct scx_wae_store *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "profile store %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "cannot open");
		sqlite3_close(st->db);
		free(st);
		return -EIO;
	}
	sqlite3_busy_timeout(st->db, 5000);
	char *e = NULL;
	if (sqlite3_exec(st->db, schema_sql, NULL, NULL, &e) != SQLITE_OK) {
		snprintf(err, errlen, "profile store %s: %s", path, e ? e : "schema failed");
		sqlite3_free(e);
		sqlite3_close(st->db);
		free(st);
		return -EIO;
	}
	*out = st;
	return 0;
}

void scx_wae_store_close(struct scx_wae_store *st)
{
	if (!st)
		return;
	sqlite3_close(st->db);
	free(st);
}

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

int scx_wae_store_put(struct scx_wae_store *st, json_t *profile, char *id, size_t idlen, char *err,
		      size_t errlen)
{
	if (!st || !json_is_object(profile)) {
		snprintf(err, errlen, "store_put: no store or no profile");
		return -EINVAL;
	}
	sqlite3_int64 seq = 1;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "SELECT COALESCE(MAX(seq),0)+1 FROM wae_profiles", -1, &q,
			       NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			seq = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	char pid[32];
	snprintf(pid, sizeof(pid), "wp-%lld", (long long)seq);
	time_t now = time(NULL);
	json_object_set_new(profile, "id", json_string(pid));
	json_object_set_new(profile, "created", json_integer((json_int_t)now));
	char *text = json_dumps(profile, JSON_COMPACT);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	int rc = -EIO;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO wae_profiles(id,label,class,created,json) "
			       "VALUES(?,?,?,?,?)",
			       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, pid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, jstr(profile, "label"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 3, jstr(profile, "class"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 4, (sqlite3_int64)now);
		sqlite3_bind_text(q, 5, text, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(q) == SQLITE_DONE)
			rc = 0;
		sqlite3_finalize(q);
	}
	free(text);
	if (rc) {
		snprintf(err, errlen, "storing profile %s: %s", pid, sqlite3_errmsg(st->db));
		return rc;
	}
	if (id && idlen)
		snprintf(id, idlen, "%s", pid);
	return 0;
}

json_t *scx_wae_store_get(struct scx_wae_store *st, const char *id, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (!st || !id ||
	    sqlite3_prepare_v2(st->db, "SELECT json FROM wae_profiles WHERE id=?", -1, &q, NULL) !=
		    SQLITE_OK) {
		snprintf(err, errlen, "profile %s: store unavailable", id ? id : "(null)");
		return NULL;
	}
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	json_t *p = NULL;
	if (sqlite3_step(q) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(q, 0);
		p = text ? json_loads(text, 0, NULL) : NULL;
		if (!p)
			snprintf(err, errlen, "profile %s: stored JSON is damaged", id);
	} else {
		snprintf(err, errlen, "profile %.64s: no such profile", id);
	}
	sqlite3_finalize(q);
	return p;
}

json_t *scx_wae_store_list(struct scx_wae_store *st, int limit, char *err, size_t errlen)
{
	sqlite3_stmt *q;
	if (!st || sqlite3_prepare_v2(st->db,
				      "SELECT id,label,class,created,json FROM wae_profiles "
				      "ORDER BY seq DESC LIMIT ?",
				      -1, &q, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "profile store unavailable");
		return NULL;
	}
	sqlite3_bind_int(q, 1, limit > 0 ? limit : 50);
	json_t *arr = json_array();
	while (arr && sqlite3_step(q) == SQLITE_ROW) {
		json_t *full = json_loads((const char *)sqlite3_column_text(q, 4), 0, NULL);
		const json_t *sum = json_object_get(full, "summary");
		json_array_append_new(arr,
				      json_pack("{s:s, s:s, s:s, s:I, s:s}", "id",
						(const char *)sqlite3_column_text(q, 0), "label",
						(const char *)sqlite3_column_text(q, 1), "class",
						(const char *)sqlite3_column_text(q, 2), "created",
						(json_int_t)sqlite3_column_int64(q, 3), "summary",
						json_is_string(sum) ? json_string_value(sum) : ""));
		json_decref(full);
	}
	sqlite3_finalize(q);
	return arr;
}
