/* as_store_baddb: files that are not (good) stores are refused with a
 * message naming the file and the problem, never a crash: garbage, a text
 * file, another program's SQLite database, a store of a newer schema, a
 * store stamped by another program, a missing file, a directory, a store
 * cut in half; rows that do not read back (broken JSON, bytes that are not
 * UTF-8) are reported as such, and the report still runs.
 */
#include "report.h"
#include "scenario.h"
#include "testkit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/as_store_bad.XXXXXX";

static const char *file(const char *name)
{
	static char buf[4][160];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	TK_CHECK(f && fwrite(data, 1, len, f) == len && fclose(f) == 0, "write %s", path);
}

static void sql(const char *path, const char *text)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	TK_CHECK(sqlite3_open(path, &db) == SQLITE_OK &&
			 sqlite3_exec(db, text, NULL, NULL, &msg) == SQLITE_OK,
		 "sql on %s: %s", path, msg ? msg : "");
	sqlite3_free(msg);
	sqlite3_close(db);
}

/* Opening fails (read-write and read-only) with both fragments in the message. */
static void refused(const char *path, const char *frag, const char *frag2)
{
	for (int ro = 0; ro < 2; ro++) {
		struct as_store *st = (struct as_store *)1;
		char err[512] = "";
		struct as_store_opts o = {.read_only = ro};
		int rc = as_store_open(&st, path, &o, err, sizeof(err));
		TK_CHECK(rc == -1 && st == NULL, "%s (read_only %d) is refused", path, ro);
		TK_CHECK(strstr(err, path) != NULL, "the message names the file: %s", err);
		TK_CHECK(strstr(err, frag) != NULL, "the message says '%s': %s", frag, err);
		TK_CHECK(!frag2 || strstr(err, frag2) != NULL, "the message says '%s': %s", frag2,
			 err);
		if (rc == 0)
			as_store_close(st);
	}
}

int main(void)
{
	TK_REQUIRE(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	char err[512];

	/* Garbage: deterministic pseudo-random bytes. */
	unsigned char junk[8192];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	write_file(file("garbage.db"), junk, sizeof(junk));
	refused(file("garbage.db"), "not an AgentSight store", "not a database");
	static const char text[] = "just some notes\nnot a database at all\n";
	write_file(file("notes.txt"), text, sizeof(text) - 1);
	refused(file("notes.txt"), "not an AgentSight store", NULL);

	/* Another program's database: named with its tables, and left untouched. */
	sql(file("other.db"), "CREATE TABLE users(id INTEGER, name TEXT);"
			      "CREATE TABLE orders(id INTEGER);");
	struct stat before, after;
	TK_CHECK(stat(file("other.db"), &before) == 0, "stat");
	refused(file("other.db"), "not an AgentSight store", "users");
	TK_CHECK(stat(file("other.db"), &after) == 0 && after.st_size == before.st_size &&
			 after.st_mtime == before.st_mtime,
		 "a foreign database is not written to");

	/* A newer schema, and a stamp of another program. */
	int64_t s1, s2;
	TK_REQUIRE(as_scenario_create(file("newer.db"), &s1, &s2, err, sizeof(err)) == 0, "%s",
		   err);
	sql(file("newer.db"), "UPDATE as_schema SET version = 99");
	refused(file("newer.db"), "newer", "99");
	TK_REQUIRE(as_scenario_create(file("stamp.db"), &s1, &s2, err, sizeof(err)) == 0, "%s",
		   err);
	sql(file("stamp.db"), "UPDATE as_schema SET app = 'someone-else'");
	refused(file("stamp.db"), "not an AgentSight store", NULL);
	TK_REQUIRE(as_scenario_create(file("norow.db"), &s1, &s2, err, sizeof(err)) == 0, "%s",
		   err);
	sql(file("norow.db"), "DELETE FROM as_schema");
	refused(file("norow.db"), "not an AgentSight store", NULL);

	/* Missing files and folders. */
	struct as_store *st;
	struct as_store_opts ro = {.read_only = true};
	TK_CHECK(as_store_open(&st, file("absent.db"), &ro, err, sizeof(err)) == -1 &&
			 strstr(err, "absent.db") && strstr(err, "No such file"),
		 "a missing file, read-only: %s", err);
	TK_CHECK(as_store_open(&st, file("no/such/dir.db"), NULL, err, sizeof(err)) == -1 &&
			 strstr(err, "no/such/dir.db"),
		 "a missing folder: %s", err);
	TK_CHECK(as_store_open(&st, dir, NULL, err, sizeof(err)) == -1 && strstr(err, dir),
		 "a folder: %s", err);
	TK_CHECK(as_store_open(&st, "", NULL, err, sizeof(err)) == -1, "an empty path");

	/* An empty file becomes a store when written, and is refused read-only. */
	write_file(file("empty.db"), "", 0);
	TK_CHECK(as_store_open(&st, file("empty.db"), &ro, err, sizeof(err)) == -1 &&
			 strstr(err, "empty"),
		 "empty, read-only: %s", err);
	TK_CHECK(as_store_open(&st, file("empty.db"), NULL, err, sizeof(err)) == 0,
		 "empty, read-write: %s", err);
	as_store_close(st);

	/* Rows that do not read back. */
	TK_REQUIRE(as_scenario_create(file("rows.db"), &s1, &s2, err, sizeof(err)) == 0, "%s", err);
	sql(file("rows.db"), "UPDATE events SET json = '{broken' WHERE id = 5 AND session = 1;"
			     "UPDATE events SET json = '[1,2]' WHERE id = 6 AND session = 1;"
			     "UPDATE events SET json = '{\"kind\":\"exec\",\"argv\":7}'"
			     " WHERE id = 7 AND session = 1;"
			     "UPDATE sessions SET command = CAST(x'fffe41' AS TEXT) WHERE id = 2;"
			     "UPDATE sessions SET stats = 'not json' WHERE id = 1;");
	TK_REQUIRE(as_store_open(&st, file("rows.db"), &ro, err, sizeof(err)) == 0, "open: %s",
		   err);
	json_t *ev = NULL;
	TK_CHECK(as_store_get_event(st, 1, 5, &ev, err, sizeof(err)) == 0 &&
			 json_is_true(json_object_get(ev, "corrupt")) &&
			 json_integer_value(json_object_get(ev, "id")) == 5,
		 "a broken row reads as corrupt, with its id");
	json_decref(ev);
	size_t skipped = 0, seen = 0;
	int count(const struct as_event *e, void *ctx);
	TK_CHECK(as_store_each_event(st, 1, count, &seen, &skipped, err, sizeof(err)) == 0,
		 "walk: %s", err);
	TK_CHECK(skipped == 3 && seen == 11, "three rows skipped (%zu), eleven read (%zu)", skipped,
		 seen);
	json_t *list = NULL;
	TK_CHECK(as_store_list_sessions(st, &list, err, sizeof(err)) == 0, "list: %s", err);
	TK_CHECK(json_is_null(json_object_get(json_array_get(list, 0), "stats")),
		 "unreadable stats read as null");
	const char *cmd2 = json_string_value(json_object_get(json_array_get(list, 1), "command"));
	TK_CHECK(cmd2 && strcmp(cmd2, "(not UTF-8)") == 0, "a non-UTF-8 command: %s",
		 cmd2 ? cmd2 : "(null)");
	json_decref(list);
	FILE *out = tmpfile();
	TK_REQUIRE(out, "tmpfile");
	struct as_report_opts opts = {0};
	TK_CHECK(as_report_write(st, &opts, out, err, sizeof(err)) == 0, "report: %s", err);
	rewind(out);
	char buf[16384];
	size_t n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = 0;
	TK_CHECK(strstr(buf, "#5  (unreadable in the store)") ||
			 strstr(buf, "(unreadable in the store)"),
		 "the report marks the broken row");
	fclose(out);
	as_store_close(st);

	/* A store cut in half: whatever opens must read or fail cleanly. */
	TK_REQUIRE(as_scenario_create(file("cut.db"), &s1, &s2, err, sizeof(err)) == 0, "%s", err);
	struct stat sb;
	TK_CHECK(stat(file("cut.db"), &sb) == 0 && truncate(file("cut.db"), sb.st_size / 2) == 0,
		 "truncate");
	if (as_store_open(&st, file("cut.db"), &ro, err, sizeof(err)) == 0) {
		json_t *l = NULL;
		int rc = as_store_list_sessions(st, &l, err, sizeof(err));
		TK_CHECK(rc == 0 || strstr(err, "cut.db"), "a cut store: %s", err);
		json_decref(l);
		FILE *nul = fopen("/dev/null", "w");
		rc = as_report_write(st, &opts, nul, err, sizeof(err));
		TK_CHECK(rc == 0 || strlen(err) > 0, "the report fails with a message");
		fclose(nul);
		as_store_close(st);
	} else {
		TK_CHECK(strstr(err, "cut.db") != NULL, "a cut store: %s", err);
	}

	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	TK_CHECK(system(cmd) == 0, "cleanup");
	return tk_finish();
}

int count(const struct as_event *e, void *ctx)
{
	(void)e;
	(*(size_t *)ctx)++;
	return 0;
}
