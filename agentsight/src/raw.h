/* raw: files of the kernel's raw records, for replay.
 *
 * `agentsight record --save-raw FILE` keeps the records exactly as the ring
 * buffer gave them, after a short header, so that `agentsight replay FILE`
 * can run them through the engine again, on any machine, without root. Each
 * record starts with struct as_rec_hdr, whose size field says how long it
 * is; the reader checks it against the largest record type and against what
 * is left of the file, so a damaged file ends with an error naming the
 * record, not with a crash.
 */
#ifndef AGENTSIGHT_RAW_H
#define AGENTSIGHT_RAW_H

#include <stddef.h>
#include <stdio.h>

#include "agentsight.h"

#define AS_RAW_MAGIC "ASRAW1\n"

/* Writes the header; 0 or -1 (errno set). */
int as_raw_write_header(FILE *f);

typedef void (*as_raw_record_fn)(void *ctx, const struct as_rec_hdr *rec, size_t size);

/* Checks the header, then calls fn for each record in order. Returns the
 * number of records read, or -1 with a message in err (records before the
 * damage have been delivered). `name` is used in messages. */
long as_raw_read(FILE *f, const char *name, as_raw_record_fn fn, void *ctx, char *err,
		 size_t errlen);

#endif /* AGENTSIGHT_RAW_H */
