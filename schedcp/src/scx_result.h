/* scx_result: the parser of a sched_ext VM's serial console (scx_result.c). */
#ifndef SCX_RESULT_H
#define SCX_RESULT_H

#include <jansson.h>
#include <stddef.h>

#define SCX_RESULT_LINE_MAX  65536
#define SCX_RESULT_MAX_STEPS 64

/* {"booted": bool, "completed": bool, "boot": {...}, "done": {...},
 * "steps": [{"label", ...}, ...]} from the log's marker lines; NULL only when
 * out of memory. Lines that are not markers or whose JSON is broken are
 * skipped. */
json_t *scx_result_parse(const char *log, size_t len, char *err, size_t errlen);

/* The step with this label (borrowed), or NULL. */
json_t *scx_result_step(const json_t *res, const char *label);

#endif /* SCX_RESULT_H */
