/* fuzz_replay: a raw record file (as --save-raw writes and replay reads) run
 * through the reader and the engine: headers, record sizes, TLS reassembly,
 * protocol detection, the HTTP/SSE/LLM parsers behind them, and the event
 * JSON the engine's events turn into. */
#include "engine.h"
#include "raw.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_event(void *ctx, const struct as_event *ev)
{
	(void)ctx;
	json_t *j = as_event_to_json(ev, 0);
	char *s = json_dumps(j, JSON_COMPACT);
	free(s);
	json_decref(j);
}

static void on_record(void *ctx, const struct as_rec_hdr *rec, size_t size)
{
	as_engine_record(ctx, rec, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	struct as_engine_sink sink = {.on_event = on_event};
	struct as_engine_cfg cfg = {.http_events = true, .max_body_bytes = 1 << 20};
	struct as_engine *e = as_engine_new(&cfg, &sink);
	char err[256];
	as_raw_read(f, "fuzz", on_record, e, err, sizeof(err));
	as_engine_finish(e);
	as_engine_free(e);
	fclose(f);
	return 0;
}
