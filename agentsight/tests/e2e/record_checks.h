/* record_checks: the checks of an `agentsight record` run in the end-to-end
 * harness (tests/env/e2e_test.c --record). */
#ifndef AGENTSIGHT_RECORD_CHECKS_H
#define AGENTSIGHT_RECORD_CHECKS_H

#include <jansson.h>
#include <stdbool.h>

/* Checks the JSON lines agentsight wrote against the scenario, the server's
 * request log (an array of its JSON lines) and the agent's working folder;
 * failures are reported through testkit. */
void as_e2e_check_recording(const char *jsonl, const char *scenario, bool stream,
			    const json_t *server_log, const char *work);

#endif /* AGENTSIGHT_RECORD_CHECKS_H */
