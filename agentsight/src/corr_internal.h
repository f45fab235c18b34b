/* corr_internal: what correlate.c, corr_match.c and detect*.c share but the
 * rest of AgentSight need not see: the shell-command reader, parsed
 * artifacts, and the scorers of one event against one artifact.
 */
#ifndef AGENTSIGHT_CORR_INTERNAL_H
#define AGENTSIGHT_CORR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correlate.h"

#define CORR_MAX_TEXT	  4096u	 /* one artifact's text */
#define CORR_MAX_SCRIPT	  65536u /* bytes of one command line parsed */
#define CORR_MAX_WORDS	  2048u	 /* words of one parsed command line */
#define CORR_MAX_COMMANDS 64u	 /* artifacts per exchange, by kind */
#define CORR_MAX_PATHS	  128u
#define CORR_MAX_URLS	  32u

/* One simple command of a shell command line: its words (quotes removed)
 * and the targets of its redirections. derived: found inside another
 * (sh -c '...', $(...), a wrapper such as env/sudo/timeout removed). */
struct corr_simple {
	char **w;
	size_t nw, capw;
	char **r;
	size_t nr, capr;
	bool derived;
};

struct corr_shell {
	struct corr_simple *c;
	size_t n, cap;
	size_t words; /* all words and targets, bounded by CORR_MAX_WORDS */
	bool oom;
};

/* Reads a shell command line into simple commands (a POSIX-shell-like
 * reading good enough for matching: quotes, escapes, operators, comments,
 * redirections, here-documents, $(...) and `...`, sh -c, wrappers).
 * Never fails on odd input; sh->oom tells when memory ran out. */
void corr_shell_parse(struct corr_shell *sh, const char *s, size_t len);
void corr_shell_free(struct corr_shell *sh);
/* The top-level simple commands as one string (words and redirections,
 * separators normalised), for equality; NULL when none or no memory. */
char *corr_shell_canon(const struct corr_shell *sh);

/* The script of `sh -c SCRIPT` style argv (sh, bash, dash, zsh, ksh, ash),
 * or NULL. */
const char *corr_shell_script(const char *const *argv, size_t argc);

struct corr_art {
	struct as_corr_artifact pub; /* pub.text points at text */
	char *text;
	/* COMMAND */
	struct corr_shell sh;
	char *canon;
	/* PATH: normalised */
	char *npath;
	/* URL */
	char host[256];
	int port; /* 0 when unknown */
	char *upath;
	int ipfam; /* AF_INET/AF_INET6 when host is a literal address (or localhost) */
	unsigned char ip[16];
	bool localhost;
};

struct as_corr_artifacts {
	struct corr_art *v;
	size_t n, cap;
	size_t n_cmd, n_path, n_url;
	size_t bytes;
	bool oom;
};

/* An exec's argv, with its sh -c script read once for all artifacts. */
struct corr_exec {
	const char *const *argv;
	size_t argc;
	const char *filename;
	const char *script; /* of sh -c SCRIPT, or NULL */
	struct corr_shell ps;
	char *canon;
	const char *code; /* of python -c CODE and the like, or NULL */
	const char *prog; /* the basename of argv[0] (or of filename) */
	char *paths[8];	  /* path-like words of argv and filename, normalised */
	size_t n_paths;
};
void corr_exec_prepare(struct corr_exec *x, const char *const *argv, size_t argc,
		       const char *filename);
void corr_exec_free(struct corr_exec *x);

/* Scores (0..1) of one event against one artifact; what (may be NULL)
 * receives a short phrase naming the match. */
double corr_score_exec(const struct corr_art *a, const struct corr_exec *x, const char **what);
/* npath: the event's path, normalised with corr_norm_path(). */
double corr_score_path(const struct corr_art *a, const char *npath, const char **what);
double corr_score_net(const struct corr_art *a, int family, const char *addr, int port,
		      enum as_event_kind kind, const char **what);
double corr_score_http(const struct corr_art *a, const char *host, const char *path,
		       const char **what);

/* Normalises a path for comparison into out (cap bytes): "./" and "~/"
 * prefixes dropped, "//" and "/./" collapsed, a trailing "/" removed. */
void corr_norm_path(const char *in, char *out, size_t cap);

/* The file name part of a path. */
const char *corr_basename(const char *p);

/* Whether a word looks like a file path: strict (rooted, ./, ../, ~/, a
 * slash, or name.ext) on words without spaces. */
bool corr_looks_like_path(const char *s, size_t len);

/* A 64-bit FNV-1a hash, chainable. */
uint64_t corr_hash(uint64_t h, const void *data, size_t len);
#define CORR_HASH_INIT 0xcbf29ce484222325ull

#endif /* AGENTSIGHT_CORR_INTERNAL_H */
