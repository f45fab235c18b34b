/* redact: masks credentials before AgentSight stores anything.
 *
 * Agents send API keys in headers and sometimes in bodies (a key pasted into a
 * prompt, a token in a tool's arguments, a config file read by a tool). The
 * capture keeps plaintext, so every header value and body goes through here
 * before it reaches the store or the exchange model.
 *
 * Masking is done in place and never makes a buffer longer. In bodies it keeps
 * the length, so offsets stay valid and JSON stays JSON: only characters inside
 * a string literal (or a bare token) are replaced, never quotes or
 * backslashes. A masked secret keeps its kind's prefix ("sk-proj-", "AKIA",
 * "Bearer ") and reads "[REDACTED]" followed by '*' up to its old length, or
 * only '*' when it is shorter than that marker. Masking is idempotent: masked
 * text has nothing left to mask.
 *
 * What counts as a secret in text:
 *   OpenAI keys       sk-..., sk-proj-..., sk-svcacct-..., sk-admin-... (20+ key
 *                     characters after "sk-", with a digit)
 *   Anthropic keys    sk-ant-... (20+ key characters)
 *   Google API keys   AIza + 35 key characters
 *   AWS key ids       AKIA or ASIA + 16 upper-case letters or digits
 *   GitHub tokens     ghp_, gho_, ghu_, ghs_, ghr_ + 20+ letters or digits;
 *                     github_pat_ + 20+ letters, digits or '_'
 *   JSON web tokens   eyJ... . eyJ... . ...
 *   Bearer tokens     "Bearer " + 8+ token characters, not all letters
 *   JSON fields       "<name>": "<value>", also escaped inside a JSON string
 *                     (\"<name>\": \"<value>\"), where <name> without '_' and
 *                     '-', lower-cased, ends in apikey, accesskey, secretkey,
 *                     privatekey, password, passwd, passphrase, secret, token,
 *                     authorization, cookie or credentials
 *   name=value        the same names before '=' (query strings, env files)
 */
#ifndef AGENTSIGHT_REDACT_H
#define AGENTSIGHT_REDACT_H

#include <stdbool.h>
#include <stddef.h>

/* The marker masked secrets carry. */
#define AS_REDACTED "[REDACTED]"

/* True when a header of this name carries credentials (case-insensitive):
 * Authorization, Proxy-Authorization, x-api-key, api-key, anthropic-api-key,
 * openai-api-key, x-goog-api-key, Cookie, Set-Cookie, and any name containing
 * "api-key", "apikey", "token", "secret", "password" or "session". */
bool as_redact_header_name(const char *name);

/* Masks a header value in place (a NUL-terminated string; it may get shorter,
 * never longer). For a credential header the whole value goes, except the
 * scheme word of Authorization-style values: "Bearer sk-..." becomes
 * "Bearer [REDACTED]" (a credential shorter than the marker becomes '*'s).
 * Other headers go through as_redact_text(). Returns true when something
 * was masked. */
bool as_redact_header(const char *name, char *value);

/* Masks the secrets in buf[0..len) in place, keeping its length; buf need not
 * be NUL-terminated. Returns the number of secrets masked. */
size_t as_redact_text(char *buf, size_t len);

#endif /* AGENTSIGHT_REDACT_H */
