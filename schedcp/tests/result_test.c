/* The serial-console parser (scx_result.c) on logs written by hand: firmware
 * escape codes before the first marker, \r\n line ends, broken and non-object
 * JSON, an oversized line, and a log with no markers at all.
 */
#include "scx_result.h"
#include "testkit.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	char err[256];
	const char *log =
		"\x1b[2J\x1b[?7lSCXBOOT {\"kernel\":\"7.3.4\",\"sched_ext\":\"disabled\"}\r\n"
		"random kernel noise SCXR not-a-marker\r\n"
		"[    2.1] SCXR {\"label\":\"a\",\"workload\":{\"jain\":0.5}}\r\n"
		"SCXR {\"label\":\"broken\",\r\n"
		"SCXR [1,2,3]\r\n"
		"SCXR {\"label\":\"b\",\"label\":\"dup\"}\n"
		"xSCXR {\"label\":\"c\"}\n"
		"SCXDONE {\"uptime\":\"5.1\"}";
	json_t *r = scx_result_parse(log, strlen(log), err, sizeof(err));

	TK_REQUIRE(r != NULL, "parse failed: %s", err);
	TK_CHECK(json_is_true(json_object_get(r, "booted")), "SCXBOOT after escapes not found");
	TK_CHECK(json_is_true(json_object_get(r, "completed")),
		 "SCXDONE without newline not found");
	TK_CHECK(!strcmp(json_string_value(json_object_get(json_object_get(r, "boot"), "kernel")),
			 "7.3.4"),
		 "boot kernel");
	json_t *steps = json_object_get(r, "steps");
	/* a and c; broken JSON, an array and duplicate keys are dropped */
	TK_CHECK(json_array_size(steps) == 2, "steps: %zu", json_array_size(steps));
	json_t *a = scx_result_step(r, "a");
	TK_CHECK(a && json_real_value(json_object_get(json_object_get(a, "workload"), "jain")) ==
				 0.5,
		 "step a");
	TK_CHECK(scx_result_step(r, "c") != NULL, "a marker inside a line is found");
	TK_CHECK(scx_result_step(r, "broken") == NULL, "broken JSON kept");
	json_decref(r);

	/* an oversized line is skipped, the next one kept */
	size_t big = SCX_RESULT_LINE_MAX + 100;
	char *buf = malloc(big + 64);
	TK_REQUIRE(buf != NULL, "malloc");
	static const char head[] = "SCXR {\"label\":\"", tail[] = "\"}\nSCXR {\"label\":\"z\"}\n";
	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, 'x', big - (sizeof(head) - 1));
	memcpy(buf + big, tail, sizeof(tail)); /* with its NUL */
	r = scx_result_parse(buf, strlen(buf), err, sizeof(err));
	TK_CHECK(r && json_array_size(json_object_get(r, "steps")) == 1 && scx_result_step(r, "z"),
		 "oversized line handling");
	json_decref(r);
	free(buf);

	r = scx_result_parse("", 0, err, sizeof(err));
	TK_CHECK(r && !json_is_true(json_object_get(r, "booted")), "empty log says booted");
	json_decref(r);
	return tk_finish();
}
