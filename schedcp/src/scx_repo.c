/* scx_repo: the Scheduler Policy Repository, in SQLite. A policy has
 * versions; each version holds its source, the compiled object, metadata
 * (description, algorithm, target workloads, tunables with types and
 * ranges), its parent (lineage), the signed verdict of its verification, and
 * numeric performance history per workload (one row per metric). The
 * deployment history and the current/previous deployed versions live here
 * too (scx_deploy.c). Search is by text (name, description, algorithm) and
 * by workload feature.
 */
#include "scx_repo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *schema =
	"PRAGMA foreign_keys=ON;"
	"CREATE TABLE IF NOT EXISTS version("
	" id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL,"
	" parent_id INTEGER REFERENCES version(id), source TEXT NOT NULL, object BLOB,"
	" object_sha256 TEXT, meta TEXT NOT NULL, description TEXT, algorithm TEXT,"
	" workloads TEXT, verdict TEXT, verified INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER NOT NULL, UNIQUE(name, version));"
	"CREATE TABLE IF NOT EXISTS perf("
	" id INTEGER PRIMARY KEY, version_id INTEGER NOT NULL REFERENCES version(id),"
	" workload TEXT NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL, at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS deployment("
	" id INTEGER PRIMARY KEY, at INTEGER NOT NULL, action TEXT NOT NULL, name TEXT,"
	" version INTEGER, outcome TEXT NOT NULL, reason TEXT, detail TEXT);"
	"CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT);";

int scx_repo_init(scx_t *s, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		scx_err(err, errlen, "%s: schema: %s", s->repo_path, msg ? msg : "?");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static int db_err(scx_t *s, char *err, size_t errlen, const char *what)
{
	scx_err(err, errlen, "%s: %s: %s", s->repo_path, what, sqlite3_errmsg(s->db));
	return -EIO;
}

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

int scx_tunable_args(const json_t *meta, char *out, size_t outlen, char *err, size_t errlen)
{
	size_t i, n = 0;
	json_t *t;

	out[0] = 0;
	json_array_foreach(json_object_get(meta, "tunables"), i, t)
	{
		const char *name = json_string_value(json_object_get(t, "name"));
		json_t *def = json_object_get(t, "default");
		json_t *mn = json_object_get(t, "min"), *mx = json_object_get(t, "max");
		if (!def)
			continue;
		bool ok = name && *name && strlen(name) < 64 && json_is_integer(def);
		for (const char *c = name; ok && *c; c++)
			ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			     (*c >= '0' && *c <= '9') || *c == '_';
		json_int_t v = json_integer_value(def);
		if (ok && ((mn && (double)v < json_number_value(mn)) ||
			   (mx && (double)v > json_number_value(mx))))
			ok = false;
		if (!ok) {
			scx_err(err, errlen,
				"metadata: tunables[%zu] (%s): default must be an integer within "
				"[min, max] and the name an identifier",
				i, name ? name : "?");
			return -EINVAL;
		}
		int w = snprintf(out + n, outlen - n, "%s--set %s=%lld", n ? " " : "", name,
				 (long long)v);
		if (w < 0 || (size_t)w >= outlen - n) {
			scx_err(err, errlen, "metadata: too many tunables");
			return -EINVAL;
		}
		n += (size_t)w;
	}
	return 0;
}

json_t *scx_meta_parse(const char *meta_json, char *err, size_t errlen)
{
	json_error_t je;
	json_t *m;

	if (!meta_json || !*meta_json)
		return json_object();
	if (strlen(meta_json) > (size_t)64 * 1024) {
		scx_err(err, errlen, "metadata: larger than 64 KiB");
		return NULL;
	}
	m = json_loads(meta_json, JSON_REJECT_DUPLICATES, &je);
	if (!m || !json_is_object(m)) {
		scx_err(err, errlen, "metadata: not a JSON object (%s at line %d)", je.text,
			je.line);
		json_decref(m);
		return NULL;
	}
	const char *strs[] = {"description", "algorithm", "parent"};
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(m, strs[i]);
		if (v && !json_is_string(v)) {
			scx_err(err, errlen, "metadata: \"%s\" must be a string", strs[i]);
			json_decref(m);
			return NULL;
		}
	}
	json_t *w = json_object_get(m, "workloads");
	size_t i;
	json_t *v;
	if (w && !json_is_array(w)) {
		scx_err(err, errlen, "metadata: \"workloads\" must be an array of strings");
		json_decref(m);
		return NULL;
	}
	json_array_foreach(w, i, v)
	{
		if (!json_is_string(v)) {
			scx_err(err, errlen, "metadata: workloads[%zu] is not a string", i);
			json_decref(m);
			return NULL;
		}
	}
	json_t *t = json_object_get(m, "tunables");
	if (t && !json_is_array(t)) {
		scx_err(err, errlen, "metadata: \"tunables\" must be an array");
		json_decref(m);
		return NULL;
	}
	json_array_foreach(t, i, v)
	{
		const char *tn = json_string_value(json_object_get(v, "name"));
		const char *ty = json_string_value(json_object_get(v, "type"));
		json_t *mn = json_object_get(v, "min"), *mx = json_object_get(v, "max");
		if (!json_is_object(v) || !tn || !ty ||
		    (strcmp(ty, "u64") != 0 && strcmp(ty, "s64") != 0 && strcmp(ty, "u32") != 0 &&
		     strcmp(ty, "s32") != 0 && strcmp(ty, "bool") != 0)) {
			scx_err(err, errlen,
				"metadata: tunables[%zu] needs \"name\" and \"type\" "
				"(u64|s64|u32|s32|bool)",
				i);
			json_decref(m);
			return NULL;
		}
		if ((mn && !json_is_number(mn)) || (mx && !json_is_number(mx)) ||
		    (mn && mx && json_number_value(mn) > json_number_value(mx))) {
			scx_err(err, errlen, "metadata: tunables[%zu] (%s): bad min/max", i, tn);
			json_decref(m);
			return NULL;
		}
	}
	return m;
}

int scx_policy_add(scx_t *s, const char *name, const char *source, const char *meta_json,
		   int *version, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t *meta;
	int v = 1, rc = 0;
	sqlite3_int64 parent = 0;

	if (!name_ok(name)) {
		scx_err(err, errlen, "policy name '%.64s': use 1-64 of [A-Za-z0-9_.-]",
			name ? name : "");
		return -EINVAL;
	}
	if (!source || strlen(source) > (size_t)512 * 1024) {
		scx_err(err, errlen, "policy %s: source missing or larger than 512 KiB", name);
		return -EINVAL;
	}
	meta = scx_meta_parse(meta_json, err, errlen);
	if (!meta)
		return -EINVAL;
	/* the next version; its parent is the latest version or "parent" */
	sqlite3_prepare_v2(
		s->db, "SELECT id, version FROM version WHERE name=? ORDER BY version DESC LIMIT 1",
		-1, &st, NULL);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		parent = sqlite3_column_int64(st, 0);
		v = sqlite3_column_int(st, 1) + 1;
	}
	sqlite3_finalize(st);
	const char *pname = json_string_value(json_object_get(meta, "parent"));
	if (pname && strcmp(pname, name) != 0) {
		sqlite3_prepare_v2(
			s->db, "SELECT id FROM version WHERE name=? ORDER BY version DESC LIMIT 1",
			-1, &st, NULL);
		sqlite3_bind_text(st, 1, pname, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			parent = sqlite3_column_int64(st, 0);
		else {
			sqlite3_finalize(st);
			scx_err(err, errlen, "policy %s: parent '%s' is not in the repository",
				name, pname);
			json_decref(meta);
			return -ENOENT;
		}
		sqlite3_finalize(st);
	}
	char *metas = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *wla = json_object_get(meta, "workloads");
	char *wl = wla ? json_dumps(wla, JSON_COMPACT) : strdup("[]");
	if (sqlite3_prepare_v2(
		    s->db,
		    "INSERT INTO version(name, version, parent_id, source, meta, "
		    "description, algorithm, workloads, created) VALUES(?,?,?,?,?,?,?,?,?)",
		    -1, &st, NULL) != SQLITE_OK) {
		rc = db_err(s, err, errlen, "insert");
		goto out;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, v);
	if (parent)
		sqlite3_bind_int64(st, 3, parent);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, metas, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, json_string_value(json_object_get(meta, "description")), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, json_string_value(json_object_get(meta, "algorithm")), -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, wl, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_err(s, err, errlen, "insert");
	else if (version)
		*version = v;
out:
	sqlite3_finalize(st);
	free(metas);
	free(wl);
	json_decref(meta);
	return rc;
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	json_t *j = t ? json_loads((const char *)t, 0, NULL) : NULL;

	return j ? j : json_null();
}

static json_t *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? json_string((const char *)t) : json_null();
}

json_t *scx_policy_list(scx_t *s, const char *text, const char *workload, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	char like[300], wlike[300];

	snprintf(like, sizeof(like), "%%%s%%", text ? text : "");
	snprintf(wlike, sizeof(wlike), "%%\"%s%%", workload ? workload : "");
	if (sqlite3_prepare_v2(
		    s->db,
		    "SELECT v.name, v.version, v.description, v.algorithm, v.workloads, v.verified "
		    "FROM version v WHERE v.version = (SELECT MAX(version) FROM version w WHERE "
		    "w.name = v.name) AND (v.name LIKE ?1 OR IFNULL(v.description,'') LIKE ?1 OR "
		    "IFNULL(v.algorithm,'') LIKE ?1) AND (?3 = '' OR v.workloads LIKE ?2) "
		    "ORDER BY v.name",
		    -1, &st, NULL) != SQLITE_OK) {
		db_err(s, err, errlen, "list");
		json_decref(arr);
		return NULL;
	}
	sqlite3_bind_text(st, 1, like, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, wlike, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, workload ? workload : "", -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object();
		json_object_set_new(o, "name", col_str(st, 0));
		json_object_set_new(o, "version", json_integer(sqlite3_column_int(st, 1)));
		json_object_set_new(o, "description", col_str(st, 2));
		json_object_set_new(o, "algorithm", col_str(st, 3));
		json_object_set_new(o, "workloads", col_json(st, 4));
		json_object_set_new(o, "verified", json_boolean(sqlite3_column_int(st, 5)));
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

int scx_repo_version_id(scx_t *s, const char *name, int version, int *out_version,
			sqlite3_int64 *id, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -ENOENT;

	sqlite3_prepare_v2(
		s->db,
		"SELECT id, version FROM version WHERE name=?1 AND (?2 = 0 OR version=?2) "
		"ORDER BY version DESC LIMIT 1",
		-1, &st, NULL);
	sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, version);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		if (out_version)
			*out_version = sqlite3_column_int(st, 1);
		rc = 0;
	} else if (version) {
		scx_err(err, errlen, "policy %s version %d is not in the repository",
			name ? name : "", version);
	} else {
		scx_err(err, errlen, "policy %s is not in the repository", name ? name : "");
	}
	sqlite3_finalize(st);
	return rc;
}

json_t *scx_policy_show(scx_t *s, const char *name, int version, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 id;
	json_t *o;

	if (scx_repo_version_id(s, name, version, NULL, &id, err, errlen))
		return NULL;
	sqlite3_prepare_v2(
		s->db,
		"SELECT v.name, v.version, v.source, v.meta, v.object_sha256, v.verdict, "
		"v.verified, v.created, p.name, p.version FROM version v LEFT JOIN version p "
		"ON p.id = v.parent_id WHERE v.id=?",
		-1, &st, NULL);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		db_err(s, err, errlen, "show");
		return NULL;
	}
	o = json_object();
	json_object_set_new(o, "name", col_str(st, 0));
	json_object_set_new(o, "version", json_integer(sqlite3_column_int(st, 1)));
	json_object_set_new(o, "source", col_str(st, 2));
	json_object_set_new(o, "meta", col_json(st, 3));
	json_object_set_new(o, "object_sha256", col_str(st, 4));
	json_object_set_new(o, "verdict", col_json(st, 5));
	json_object_set_new(o, "verified", json_boolean(sqlite3_column_int(st, 6)));
	json_object_set_new(o, "created", json_integer(sqlite3_column_int64(st, 7)));
	if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
		json_t *p = json_object();
		json_object_set_new(p, "name", col_str(st, 8));
		json_object_set_new(p, "version", json_integer(sqlite3_column_int(st, 9)));
		json_object_set_new(o, "parent", p);
	} else {
		json_object_set_new(o, "parent", json_null());
	}
	sqlite3_finalize(st);
	/* performance history: {workload: [{metric, value, at}]} */
	json_t *perf = json_object();
	sqlite3_prepare_v2(
		s->db,
		"SELECT workload, metric, value, at FROM perf WHERE version_id=? ORDER BY id", -1,
		&st, NULL);
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *w = (const char *)sqlite3_column_text(st, 0);
		json_t *arr = json_object_get(perf, w);
		if (!arr) {
			arr = json_array();
			json_object_set_new(perf, w, arr);
		}
		json_t *r = json_object();
		json_object_set_new(r, "metric", col_str(st, 1));
		json_object_set_new(r, "value", json_real(sqlite3_column_double(st, 2)));
		json_object_set_new(r, "at", json_integer(sqlite3_column_int64(st, 3)));
		json_array_append_new(arr, r);
	}
	sqlite3_finalize(st);
	json_object_set_new(o, "performance", perf);
	return o;
}

int scx_perf_record(scx_t *s, const char *name, int version, const char *workload,
		    const json_t *metrics, char *err, size_t errlen)
{
	sqlite3_int64 id;
	sqlite3_stmt *st = NULL;
	const char *k;
	json_t *v;
	int rc;

	if (!workload || !*workload || strlen(workload) > 128) {
		scx_err(err, errlen, "perf: workload name missing or longer than 128");
		return -EINVAL;
	}
	if (!json_is_object(metrics)) {
		scx_err(err, errlen, "perf: metrics must be an object of numbers");
		return -EINVAL;
	}
	json_object_foreach((json_t *)metrics, k, v)
	{
		if (!json_is_number(v)) {
			scx_err(err, errlen, "perf: metric '%s' is not a number", k);
			return -EINVAL;
		}
	}
	if ((rc = scx_repo_version_id(s, name, version, NULL, &id, err, errlen)))
		return rc;
	sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
	sqlite3_prepare_v2(
		s->db,
		"INSERT INTO perf(version_id, workload, metric, value, at) VALUES(?,?,?,?,?)", -1,
		&st, NULL);
	json_object_foreach((json_t *)metrics, k, v)
	{
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, workload, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, k, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 4, json_number_value(v));
		sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return db_err(s, err, errlen, "perf");
		}
	}
	sqlite3_finalize(st);
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return 0;
}

int scx_repo_get_object(scx_t *s, sqlite3_int64 id, unsigned char **obj, size_t *len, char **source,
			json_t **verdict)
{
	sqlite3_stmt *st = NULL;
	int rc = -ENOENT;

	*obj = NULL;
	*len = 0;
	if (source)
		*source = NULL;
	if (verdict)
		*verdict = NULL;
	sqlite3_prepare_v2(s->db, "SELECT object, source, verdict FROM version WHERE id=?", -1, &st,
			   NULL);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int n = sqlite3_column_bytes(st, 0);
		const void *b = sqlite3_column_blob(st, 0);
		if (b && n > 0) {
			*obj = malloc((size_t)n);
			if (*obj) {
				memcpy(*obj, b, (size_t)n);
				*len = (size_t)n;
			}
		}
		if (source && sqlite3_column_text(st, 1))
			*source = strdup((const char *)sqlite3_column_text(st, 1));
		if (verdict && sqlite3_column_text(st, 2))
			*verdict = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int scx_repo_set_object(scx_t *s, sqlite3_int64 id, const unsigned char *obj, size_t len,
			const char *sha, const json_t *verdict, bool verified)
{
	sqlite3_stmt *st = NULL;
	char *vs = verdict ? json_dumps(verdict, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc = 0;

	sqlite3_prepare_v2(
		s->db,
		"UPDATE version SET object=?, object_sha256=?, verdict=?, verified=? WHERE id=?",
		-1, &st, NULL);
	sqlite3_bind_blob(st, 1, obj, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, sha, -1, SQLITE_TRANSIENT);
	if (vs)
		sqlite3_bind_text(st, 3, vs, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int(st, 4, verified);
	sqlite3_bind_int64(st, 5, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(st);
	free(vs);
	return rc;
}

json_t *scx_repo_state_get(scx_t *s, const char *key)
{
	sqlite3_stmt *st = NULL;
	json_t *v = NULL;

	sqlite3_prepare_v2(s->db, "SELECT value FROM state WHERE key=?", -1, &st, NULL);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	sqlite3_finalize(st);
	return v;
}

void scx_repo_state_set(scx_t *s, const char *key, const json_t *value)
{
	sqlite3_stmt *st = NULL;
	char *vs = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO state(key, value) VALUES(?, ?)", -1, &st,
			   NULL);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (vs)
		sqlite3_bind_text(st, 2, vs, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_step(st);
	sqlite3_finalize(st);
	free(vs);
}

void scx_repo_history_add(scx_t *s, const char *action, const char *name, int version,
			  const char *outcome, const char *reason, const json_t *detail)
{
	sqlite3_stmt *st = NULL;
	char *ds = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	sqlite3_prepare_v2(
		s->db,
		"INSERT INTO deployment(at, action, name, version, outcome, reason, detail) "
		"VALUES(?,?,?,?,?,?,?)",
		-1, &st, NULL);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 2, action, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, version);
	sqlite3_bind_text(st, 5, outcome, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, reason, -1, SQLITE_TRANSIENT);
	if (ds)
		sqlite3_bind_text(st, 7, ds, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_step(st);
	sqlite3_finalize(st);
	free(ds);
}

json_t *scx_history(scx_t *s, int limit, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();

	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, at, action, name, version, outcome, reason, detail FROM "
			       "deployment ORDER BY id DESC LIMIT ?",
			       -1, &st, NULL) != SQLITE_OK) {
		db_err(s, err, errlen, "history");
		json_decref(arr);
		return NULL;
	}
	sqlite3_bind_int(st, 1, limit > 0 ? limit : 50);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(o, "at", json_integer(sqlite3_column_int64(st, 1)));
		json_object_set_new(o, "action", col_str(st, 2));
		json_object_set_new(o, "policy", col_str(st, 3));
		json_object_set_new(o, "version", json_integer(sqlite3_column_int(st, 4)));
		json_object_set_new(o, "outcome", col_str(st, 5));
		json_object_set_new(o, "reason", col_str(st, 6));
		json_object_set_new(o, "detail", col_json(st, 7));
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}
