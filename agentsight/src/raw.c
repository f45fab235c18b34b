/* raw: writing and reading raw record files (see raw.h). */
#include "raw.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* No record type is larger than a TLS chunk record. */
#define RAW_MAX_RECORD sizeof(struct as_rec_tls)

int as_raw_write_header(FILE *f)
{
	return fwrite(AS_RAW_MAGIC, 1, strlen(AS_RAW_MAGIC), f) == strlen(AS_RAW_MAGIC) ? 0 : -1;
}

long as_raw_read(FILE *f, const char *name, as_raw_record_fn fn, void *ctx, char *err,
		 size_t errlen)
{
	char magic[sizeof(AS_RAW_MAGIC) - 1];
	if (fread(magic, 1, sizeof(magic), f) != sizeof(magic) ||
	    memcmp(magic, AS_RAW_MAGIC, sizeof(magic)) != 0) {
		snprintf(err, errlen, "%s is not a raw record file (no \"ASRAW1\" header)", name);
		return -1;
	}
	/* 8-byte aligned, as the ring buffer hands records out. */
	uint64_t *buf = malloc(RAW_MAX_RECORD + 8);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	long n = 0;
	for (;; n++) {
		struct as_rec_hdr h;
		size_t got = fread(&h, 1, sizeof(h), f);
		if (got == 0)
			break;
		if (got != sizeof(h)) {
			snprintf(err, errlen, "%s: record %ld: the file ends inside its header",
				 name, n);
			n = -1;
			break;
		}
		if (h.size < sizeof(h) || h.size > RAW_MAX_RECORD) {
			snprintf(err, errlen, "%s: record %ld: impossible size %u (%zu to %zu)",
				 name, n, h.size, sizeof(h), RAW_MAX_RECORD);
			n = -1;
			break;
		}
		memcpy(buf, &h, sizeof(h));
		size_t rest = h.size - sizeof(h);
		if (fread((char *)buf + sizeof(h), 1, rest, f) != rest) {
			snprintf(err, errlen, "%s: record %ld: the file ends inside it", name, n);
			n = -1;
			break;
		}
		fn(ctx, (const struct as_rec_hdr *)buf, h.size);
	}
	free(buf);
	return n;
}
