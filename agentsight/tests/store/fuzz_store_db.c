/* fuzz_as_store_db: a store file from outside (a copied recording, a file
 * someone hands over) read by every reader: open, the session list, each
 * session's events, links and alerts, one event, and the report in both
 * forms. The input is the file's bytes; SQLite checks the file format, this
 * target checks that what the readers do with hostile rows stays bounded
 * and safe.
 */
#include "report.h"
#include "store.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void read_all(struct as_store *st)
{
	char err[256];
	json_t *list = NULL;
	if (as_store_list_sessions(st, &list, err, sizeof(err)) != 0)
		return;
	for (size_t i = 0; i < json_array_size(list) && i < 4; i++) {
		int64_t id = json_integer_value(json_object_get(json_array_get(list, i), "id"));
		json_t *j = NULL;
		bool more;
		if (as_store_load_events(st, id, 0, 64, &j, &more, err, sizeof(err)) == 0)
			json_decref(j);
		if (as_store_load_links(st, id, &j, err, sizeof(err)) == 0)
			json_decref(j);
		if (as_store_load_alerts(st, id, &j, err, sizeof(err)) == 0)
			json_decref(j);
		if (as_store_get_event(st, id, 1, &j, err, sizeof(err)) == 0)
			json_decref(j);
	}
	json_decref(list);
	FILE *null = fopen("/dev/null", "w");
	if (!null)
		return;
	struct as_report_opts o = {0};
	as_report_write(st, &o, null, err, sizeof(err));
	o.json = true;
	as_report_write(st, &o, null, err, sizeof(err));
	fclose(null);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	char path[64], side[80];
	snprintf(path, sizeof(path), "/tmp/fuzz_as_store_db.%d.db", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct as_store *st;
	char err[256];
	struct as_store_opts ro = {.read_only = true};
	if (as_store_open(&st, path, &ro, err, sizeof(err)) == 0) {
		read_all(st);
		as_store_close(st);
	}
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	return 0;
}
