/* scx_result: reads what a sched_ext VM boot (or a host run) printed: the
 * serial console log, whose lines carry markers (SCXBOOT, SCXR, SCXDONE)
 * followed by one JSON object each. Firmware escape codes and \r may precede
 * a marker, so markers are found anywhere in a line. The log is outside
 * input (a hostile policy can make the guest print anything), so the parser
 * bounds what it keeps: lines up to SCX_RESULT_LINE_MAX bytes, at most
 * SCX_RESULT_MAX_STEPS results, and only JSON objects.
 */
#include "scx_result.h"

#include "scx_internal.h"

#include <string.h>

static const char *find_marker(const char *line, size_t len, const char *marker)
{
	size_t ml = strlen(marker);

	for (size_t i = 0; i + ml < len; i++)
		if (!memcmp(line + i, marker, ml) && line[i + ml] == ' ')
			return line + i + ml + 1;
	return NULL;
}

json_t *scx_result_parse(const char *log, size_t len, char *err, size_t errlen)
{
	json_t *res = json_object(), *steps = json_array();
	const char *p = log, *end = log + len;
	bool booted = false, done = false;

	if (!res || !steps) {
		json_decref(res);
		json_decref(steps);
		scx_err(err, errlen, "serial log: out of memory");
		return NULL;
	}
	json_object_set_new(res, "steps", steps);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *next = nl ? nl + 1 : end;
		if (l > SCX_RESULT_LINE_MAX) {
			p = next;
			continue;
		}
		char line[SCX_RESULT_LINE_MAX + 1];
		size_t n = 0;
		for (size_t i = 0; i < l; i++)
			if (p[i] != '\r' && p[i] != '\0')
				line[n++] = p[i];
		line[n] = 0;
		const char *js;
		const char *kind = NULL;
		if ((js = find_marker(line, n, "SCXR")))
			kind = "step";
		else if ((js = find_marker(line, n, "SCXBOOT")))
			kind = "boot";
		else if ((js = find_marker(line, n, "SCXDONE")))
			kind = "done";
		if (kind) {
			json_error_t je;
			json_t *o = json_loads(js, JSON_REJECT_DUPLICATES, &je);
			if (o && json_is_object(o)) {
				if (!strcmp(kind, "step")) {
					if (json_array_size(steps) < SCX_RESULT_MAX_STEPS)
						json_array_append(steps, o);
				} else if (!strcmp(kind, "boot")) {
					booted = true;
					json_object_set(res, "boot", o);
				} else {
					done = true;
					json_object_set(res, "done", o);
				}
			}
			json_decref(o);
		}
		p = next;
	}
	json_object_set_new(res, "booted", json_boolean(booted));
	json_object_set_new(res, "completed", json_boolean(done));
	return res;
}

json_t *scx_result_step(const json_t *res, const char *label)
{
	size_t i;
	json_t *s;

	json_array_foreach(json_object_get(res, "steps"), i, s)
	{
		const char *l = json_string_value(json_object_get(s, "label"));
		if (l && !strcmp(l, label))
			return s;
	}
	return NULL;
}
