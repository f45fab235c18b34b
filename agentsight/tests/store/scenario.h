/* scenario: a synthetic recorded agent run for the store, report and web
 * tests, written through the store's own API as the engine would.
 *
 * Session 1 ("python3 agent.py --task fix-tests" on host "devbox", from
 * 2025-01-15 10:00:00 UTC for 30 s): three LLM calls of model "test-model"
 * (the first two with reported usage, the third without), the commands and
 * file writes they caused (linked), a failed connection nothing caused, and
 * a reasoning-loop alert whose evidence is the two identical pytest runs
 * and the calls that asked for them. Session 2 ("sh -c true", from 11:00:00
 * UTC) has one exec and was never ended. tests/store/data/report.txt
 * describes the scenario event by event.
 */
#ifndef AS_TEST_SCENARIO_H
#define AS_TEST_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Session 1 starts at this Unix time; its events' mono_ns are
 * AS_SCENARIO_MONO0 + (offset from the start). */
#define AS_SCENARIO_START_NS 1736935200000000000LL /* 2025-01-15 10:00:00 UTC */
#define AS_SCENARIO_MONO0    1000000000000LL	   /* 1000 s of uptime */

/* Event ids of interest. */
enum {
	AS_SCENARIO_EV_LLM1 = 3,
	AS_SCENARIO_EV_PYTEST1 = 5,
	AS_SCENARIO_EV_LLM2 = 8,
	AS_SCENARIO_EV_LLM3 = 10,
	AS_SCENARIO_EV_PYTEST2 = 11,
	AS_SCENARIO_N_EVENTS = 14,
};

/* Writes both sessions; their ids into s1 and s2. Returns 0 or -1 with err. */
int as_scenario_write(struct as_store *st, int64_t *s1, int64_t *s2, char *err, size_t errlen);

/* Creates a new store at path holding the scenario (path must not exist). */
int as_scenario_create(const char *path, int64_t *s1, int64_t *s2, char *err, size_t errlen);

/* Helpers to build events (strings are copied). */
void as_scenario_exec(struct as_event *ev, uint64_t id, int64_t at_ms, int pid, int ppid,
		      const char *comm, const char *filename, const char *const *argv);
struct as_llm_exchange *as_scenario_exchange(const char *model);
void as_scenario_add_message(struct as_llm_exchange *x, enum as_llm_role role, const char *text,
			     const char *tool_call_id);
/* Adds a tool call to the last message, or to the reply when reply is set. */
void as_scenario_add_tool_call(struct as_llm_exchange *x, int reply, const char *id,
			       const char *name, const char *arguments);

#endif /* AS_TEST_SCENARIO_H */
