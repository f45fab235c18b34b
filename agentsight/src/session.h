/* session: one recording, from the kernel (or a saved file of raw records)
 * through the engine to the outputs.
 *
 * `agentsight record` starts a command and follows it and its descendants;
 * `agentsight trace` follows a running process and its descendants, or every
 * process that execs a given name; `agentsight replay` reads raw records saved
 * by an earlier recording (--save-raw) and runs them through the same engine,
 * without root. Events, links and alerts go to JSON lines and, when asked, to
 * a SQLite store; a summary for people goes to stderr at the end.
 */
#ifndef AGENTSIGHT_SESSION_H
#define AGENTSIGHT_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "correlate.h"
#include "detect.h"

#define AS_MAX_SSL_BINARIES 16

struct as_session_opts {
	/* What to follow: exactly one of these. */
	char *const *command;	 /* record: argv, NULL-terminated */
	pid_t pid;		 /* trace --pid */
	const char *comm;	 /* trace --comm */
	const char *replay_path; /* replay: a file written with raw_path */

	/* Capture. */
	bool files, net, tls;
	bool http_events; /* also emit non-LLM HTTP exchanges */
	bool all_opens;	  /* keep read-only opens of system files */
	bool tls_keys;	  /* OpenSSL by keys: ciphertext at the socket, decrypted */
	const char *ssl_binaries[AS_MAX_SSL_BINARIES];
	size_t n_ssl_binaries;
	const char *sigs_path; /* signatures file; NULL: made from the system's libssl.a */
	bool no_sigs;
	uint32_t ringbuf_bytes;
	double duration_s; /* trace: stop after this long (0: until SIGINT) */

	/* Analysis: the correlation engine's and the detectors' settings. */
	struct as_corr_config corr;
	struct as_detect_config detect;

	/* Outputs. */
	FILE *jsonl;	      /* JSON lines, or text with `text` (NULL: none) */
	bool text;	      /* lines for people instead of JSON (textfmt.h) */
	const char *db_path;  /* SQLite store (NULL: none) */
	const char *raw_path; /* save the raw records here (NULL: no) */
	bool verbose;	      /* libbpf's and the capture's messages */
	bool quiet;	      /* no summary on stderr */
};

/* Sets the defaults: files, net and TLS on, analysis defaults. */
void as_session_opts_init(struct as_session_opts *o);

/* Runs a recording until the command exits (record), the duration passes or
 * *stop becomes non-zero (trace), or the file ends (replay). *exit_status gets
 * the recorded command's exit status (record), else 0. Returns 0, or -1 with
 * a message in err. */
int as_session_run(const struct as_session_opts *o, volatile sig_atomic_t *stop, int *exit_status,
		   char *err, size_t errlen);

#endif /* AGENTSIGHT_SESSION_H */
