/* fuzz_dock_msg.c: libFuzzer target for everything a dock parses from a
 * socket: the frame header (vsl_msg_header), the payload's fields
 * (vsl_msg_parse), the typed getters, and pre-copied PAGES fields
 * (vsl_store_pages). The input is one frame, header included. Seeds:
 * vessel/tests/corpus/dockmsg (written by vessel_proto_test --write-seeds).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "pagestore.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	uint8_t type;
	uint32_t len;
	if (size < VSL_MSG_HDR ||
	    vsl_msg_header(data, VSL_MSG_MAX, &type, &len, err, sizeof(err)) < 0)
		return 0;
	if (len > size - VSL_MSG_HDR)
		return 0;
	vsl_msg m;
	if (vsl_msg_parse(type, data + VSL_MSG_HDR, len, &m, err, sizeof(err)) == 0) {
		uint64_t v;
		char *s;
		vsl_msg_u64(&m, VSL_F_ID, 0, &v);
		vsl_msg_u64(&m, VSL_F_HOLD, 0, &v);
		if (vsl_msg_str(&m, VSL_F_STDOUT, 4096, &s) == 0)
			free(s);
		vsl_page_store st = {0};
		for (uint32_t i = 0; i < m.nfields; i++)
			if (m.fields[i].tag == VSL_F_PAGES &&
			    vsl_store_pages(&st, &m.fields[i], err, sizeof(err)) < 0)
				break;
		vsl_store_free(&st);
	}
	vsl_msg_clear(&m);
	return 0;
}
