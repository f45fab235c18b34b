/* scx_repo: the policy repository's internal interface (scx_repo.c), used by
 * the verifier and the deployment; the public half is in scx.h.
 */
#ifndef SCX_REPO_H
#define SCX_REPO_H

#include "scx_internal.h"

int scx_repo_init(scx_t *s, char *err, size_t errlen);

/* Validates policy metadata JSON (outside input); NULL with err when bad. */
json_t *scx_meta_parse(const char *meta_json, char *err, size_t errlen);

/* The row id (and number) of a version, 0 meaning the latest. */
int scx_repo_version_id(scx_t *s, const char *name, int version, int *out_version,
			sqlite3_int64 *id, char *err, size_t errlen);

int scx_repo_get_object(scx_t *s, sqlite3_int64 id, unsigned char **obj, size_t *len, char **source,
			json_t **verdict);
int scx_repo_set_object(scx_t *s, sqlite3_int64 id, const unsigned char *obj, size_t len,
			const char *sha, const json_t *verdict, bool verified);

json_t *scx_repo_state_get(scx_t *s, const char *key);
void scx_repo_state_set(scx_t *s, const char *key, const json_t *value);
void scx_repo_history_add(scx_t *s, const char *action, const char *name, int version,
			  const char *outcome, const char *reason, const json_t *detail);

#endif /* SCX_REPO_H */
