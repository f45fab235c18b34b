/* as_store_crash: what survives when a recording stops without closing.
 *
 * A child process writes 1050 events in batches of 100 and dies with
 * _exit() (no close, no end_session): every full batch is on disk, the file
 * passes SQLite's integrity check, the events read back are exactly ids 1..k
 * with k a multiple of the batch, and the session reads as not ended. A
 * store closed without ending its session reopens with that session open
 * and takes new sessions. Until a batch is committed another connection does
 * not see it; after as_store_flush() it does.
 */
#include "scenario.h"
#include "testkit.h"

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void fork_event(struct as_event *ev, uint64_t id)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = AS_EV_FORK;
	ev->id = id;
	ev->ts_ns = (uint64_t)AS_SCENARIO_MONO0 + id;
	ev->pid = 10;
	ev->u.fork.child_pid = (int)(1000 + id);
}

static int64_t count_events(struct as_store *st, int64_t s, uint64_t *max_id)
{
	json_t *list = NULL;
	char err[256];
	if (as_store_get_session(st, s, &list, err, sizeof(err)) != 0)
		return -1;
	int64_t n = json_integer_value(json_object_get(list, "events"));
	json_decref(list);
	*max_id = 0;
	uint64_t after = 0;
	bool more = true;
	int64_t seen = 0;
	while (more) {
		json_t *page = NULL;
		if (as_store_load_events(st, s, after, 0, &page, &more, err, sizeof(err)) != 0)
			return -1;
		for (size_t i = 0; i < json_array_size(page); i++) {
			uint64_t id = (uint64_t)json_integer_value(
				json_object_get(json_array_get(page, i), "id"));
			if (id != (uint64_t)seen + 1)
				return -2; /* a hole */
			seen++;
			*max_id = after = id;
		}
		json_decref(page);
	}
	return seen == n ? n : -3;
}

int main(void)
{
	char dir[] = "/tmp/as_store_crash.XXXXXX";
	TK_REQUIRE(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	char path[128], err[512];
	snprintf(path, sizeof(path), "%s/crash.db", dir);

	/* 1. A writer that dies. batch_ms is large so that only the count
	 * commits (the test does not depend on timing). */
	pid_t child = fork();
	TK_REQUIRE(child >= 0, "fork: %s", strerror(errno));
	if (child == 0) {
		struct as_store *st;
		struct as_store_opts o = {.batch_records = 100, .batch_ms = 3600000};
		int64_t s;
		if (as_store_open(&st, path, &o, err, sizeof(err)) != 0 ||
		    as_store_begin_session(st, &(struct as_session_meta){.command = "dies"}, &s,
					   err, sizeof(err)) != 0)
			_exit(2);
		for (uint64_t id = 1; id <= 1050; id++) {
			struct as_event ev;
			fork_event(&ev, id);
			if (as_store_add_event(st, s, &ev, err, sizeof(err)) != 0)
				_exit(3);
		}
		_exit(0); /* no close: the last 50 events are lost */
	}
	int status = 0;
	TK_REQUIRE(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
			   WEXITSTATUS(status) == 0,
		   "the writer ran (status %d)", status);

	sqlite3 *db = NULL;
	TK_REQUIRE(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK,
		   "sqlite opens it");
	sqlite3_stmt *q = NULL;
	TK_CHECK(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK &&
			 sqlite3_step(q) == SQLITE_ROW &&
			 strcmp((const char *)sqlite3_column_text(q, 0), "ok") == 0,
		 "integrity check passes");
	sqlite3_finalize(q);
	sqlite3_close(db);

	struct as_store *st;
	TK_REQUIRE(as_store_open(&st, path, NULL, err, sizeof(err)) == 0, "reopen: %s", err);
	int64_t s1 = 0;
	TK_REQUIRE(as_store_latest_session(st, &s1, err, sizeof(err)) == 0, "latest: %s", err);
	uint64_t max_id;
	int64_t n = count_events(st, s1, &max_id);
	TK_CHECK(n == 1000, "the ten full batches survive, the partial one is lost: %lld",
		 (long long)n);
	json_t *info = NULL;
	TK_CHECK(as_store_get_session(st, s1, &info, err, sizeof(err)) == 0 &&
			 json_is_null(json_object_get(info, "ended")),
		 "the dead session reads as not ended");
	json_decref(info);

	/* 2. Close without ending, reopen, go on. */
	int64_t s2;
	TK_REQUIRE(as_store_begin_session(st, &(struct as_session_meta){.command = "closed"}, &s2,
					  err, sizeof(err)) == 0,
		   "begin: %s", err);
	for (uint64_t id = 1; id <= 10; id++) {
		struct as_event ev;
		fork_event(&ev, id);
		TK_CHECK(as_store_add_event(st, s2, &ev, err, sizeof(err)) == 0, "add: %s", err);
	}
	as_store_close(st);
	TK_REQUIRE(as_store_open(&st, path, NULL, err, sizeof(err)) == 0, "reopen: %s", err);
	TK_CHECK(count_events(st, s2, &max_id) == 10 && max_id == 10, "close committed all ten");
	int64_t s3;
	TK_CHECK(as_store_begin_session(st, &(struct as_session_meta){.command = "after"}, &s3, err,
					sizeof(err)) == 0 &&
			 s3 > s2,
		 "a new session after a crash: %s", err);

	/* 3. Batches are invisible to another connection until committed. */
	as_store_close(st);
	struct as_store_opts big = {.batch_records = 1000, .batch_ms = 3600000};
	TK_REQUIRE(as_store_open(&st, path, &big, err, sizeof(err)) == 0, "open: %s", err);
	struct as_store *reader;
	struct as_store_opts ro = {.read_only = true};
	TK_REQUIRE(as_store_open(&reader, path, &ro, err, sizeof(err)) == 0, "reader: %s", err);
	for (uint64_t id = 1; id <= 5; id++) {
		struct as_event ev;
		fork_event(&ev, id);
		TK_CHECK(as_store_add_event(st, s3, &ev, err, sizeof(err)) == 0, "add: %s", err);
	}
	TK_CHECK(count_events(reader, s3, &max_id) == 0, "the open batch is not visible yet");
	TK_CHECK(as_store_tick(st, err, sizeof(err)) == 0, "tick: %s", err);
	TK_CHECK(count_events(reader, s3, &max_id) == 0, "a young batch survives a tick");
	TK_CHECK(as_store_flush(st, err, sizeof(err)) == 0, "flush: %s", err);
	TK_CHECK(count_events(reader, s3, &max_id) == 5, "flushed events are visible");
	as_store_close(reader);
	as_store_close(st);

	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	TK_CHECK(system(cmd) == 0, "cleanup");
	return tk_finish();
}
