/* sqlrun: the driver of the SQLite workload, built natively and for
 * wasm32-wasi from the amalgamation that better-sqlite3 ships.
 *
 *   sqlrun WORKDIR DATABASE [N] < SCRIPT.sql
 *
 * Enters WORKDIR (natively a temporary folder, under WASI a preopened one),
 * opens (or creates) DATABASE there, defines the table temp.params(n) holding
 * N (default 1000), then runs every statement of the script read from stdin
 * in turn and prints each
 * result row as its columns' text joined by '|'. SQLite formats numbers
 * itself, so the native and the Wasm builds are expected to print the same
 * bytes. Temporary tables and sort spills stay in memory (WASI has no /tmp
 * for SQLite's temporary files), natively too, so both builds do the same
 * work. Exits 1 with the statement and SQLite's message on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sqlite3.h"

static char *read_all(FILE *f)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

static int run_script(sqlite3 *db, const char *sql)
{
	const char *tail = sql;
	while (*tail) {
		sqlite3_stmt *st = NULL;
		const char *start = tail;
		if (sqlite3_prepare_v2(db, start, -1, &st, &tail) != SQLITE_OK) {
			fprintf(stderr, "sqlrun: %s\n  near: %.60s\n", sqlite3_errmsg(db), start);
			return -1;
		}
		if (!st)
			continue; /* whitespace or a comment */
		int rc, cols = sqlite3_column_count(st);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			for (int i = 0; i < cols; i++) {
				const unsigned char *t = sqlite3_column_text(st, i);
				printf("%s%s", i ? "|" : "", t ? (const char *)t : "NULL");
			}
			putchar('\n');
		}
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "sqlrun: %s\n  in: %.60s\n", sqlite3_errmsg(db), start);
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_finalize(st);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: sqlrun WORKDIR DATABASE [N] < SCRIPT.sql\n");
		return 2;
	}
	if (chdir(argv[1]) != 0) {
		fprintf(stderr, "sqlrun: cannot enter %s\n", argv[1]);
		return 1;
	}
	long n = argc > 3 ? strtol(argv[3], NULL, 10) : 1000;
	char *script = read_all(stdin);
	if (!script) {
		fprintf(stderr, "sqlrun: cannot read the script from stdin\n");
		return 1;
	}
	sqlite3 *db;
	if (sqlite3_open(argv[2], &db) != SQLITE_OK) {
		fprintf(stderr, "sqlrun: cannot open %s: %s\n", argv[2], sqlite3_errmsg(db));
		sqlite3_close(db);
		free(script);
		return 1;
	}
	char params[128];
	snprintf(params, sizeof(params),
		 "PRAGMA temp_store = MEMORY;"
		 "CREATE TEMP TABLE params(n INTEGER); INSERT INTO params VALUES (%ld);",
		 n);
	int rc = run_script(db, params) || run_script(db, script);
	sqlite3_close(db);
	free(script);
	return rc ? 1 : 0;
}
