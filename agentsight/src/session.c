/* session: a recording's run loop and outputs (see session.h).
 *
 * The loop polls the ring buffer in 100 ms steps, ticks the engine (write
 * bursts), the store (batched commits) and the analysis, and checks whether
 * the command or the duration has ended. After the command exits, records
 * still in flight are drained until the ring buffer stays quiet.
 *
 * Raw record files (--save-raw, replay) are described in raw.h.
 */
#include "session.h"

#include "bpfenv.h"
#include "capture.h"
#include "correlate.h"
#include "detect.h"
#include "elfsym.h"
#include "engine.h"
#include "event.h"
#include "hmap.h"
#include "jsonw.h"
#include "proctable.h"
#include "raw.h"
#include "store.h"
#include "textfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS	       100
#define DRAIN_QUIET_MS 300

struct run {
	const struct as_session_opts *o;
	struct as_capture *cap;
	struct as_engine *engine;
	struct as_store *store;
	int64_t session_id;
	int64_t walltime_offset_ns;
	FILE *raw;
	struct as_sigset sigs;
	bool have_sigs;
	struct as_hmap discovered; /* pids whose TLS libraries were looked at */
	struct as_proctable *procs;
	struct as_corr *corr;
	struct as_detect *detect;
	bool have_root;
	uint64_t t0; /* the first event's time, for --text */
	uint64_t last_analysis_tick;
	uint64_t events, llm_calls, tokens_in, tokens_out, links, alerts;
	bool store_failed;
	struct as_jsonbuf line; /* the JSON line being written, reused */
};

static void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("agentsight: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int64_t measure_walltime_offset(void)
{
	struct timespec wall, mono;
	clock_gettime(CLOCK_REALTIME, &wall);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((int64_t)wall.tv_sec - (int64_t)mono.tv_sec) * 1000000000ll +
	       ((int64_t)wall.tv_nsec - (int64_t)mono.tv_nsec);
}

void as_session_opts_init(struct as_session_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->files = o->net = o->tls = true;
	as_corr_config_default(&o->corr);
	as_detect_config_default(&o->detect);
}

/* ---- outputs ----------------------------------------------------------------- */

static void write_jsonl(struct run *r, json_t *j, const char *type)
{
	if (!j)
		return;
	if (r->o->jsonl && !r->o->text) {
		json_object_set_new(j, "type", json_string(type));
		/* The tracer shares the CPUs with the agents it watches: jsonw
		 * writes what json_dumps would, several times faster, into one
		 * buffer reused from line to line, then one fwrite. */
		r->line.len = 0;
		if (as_json_write(&r->line, j) == 0 && as_jsonbuf_append(&r->line, "\n", 1) == 0)
			fwrite(r->line.data, 1, r->line.len, r->o->jsonl); /* flushed by tick() */
	}
	json_decref(j);
}

static void store_error(struct run *r, const char *what, const char *err)
{
	if (!r->store_failed)
		warnf("store: %s: %s (no more store errors will be shown)", what, err);
	r->store_failed = true;
}

/* Looks for TLS code in a process's executable and libraries, once per pid,
 * when it execs or first connects (its libraries are mapped by then). */
static void discover(struct run *r, int pid)
{
	if (!r->cap || !r->o->tls || pid <= 0)
		return;
	if (as_hmap_get(&r->discovered, (uint64_t)pid))
		return;
	as_hmap_put(&r->discovered, (uint64_t)pid, (void *)1);
	char err[256];
	int n = as_capture_discover(r->cap, pid, r->have_sigs ? &r->sigs : NULL, err, sizeof(err));
	if (n < 0 && r->o->verbose)
		warnf("TLS discovery in pid %d: %s", pid, err);
}

static void on_event(void *ctx, const struct as_event *ev)
{
	struct run *r = ctx;
	r->events++;
	if (ev->kind == AS_EV_EXEC) {
		as_hmap_del(&r->discovered, (uint64_t)ev->pid); /* a new image */
		discover(r, ev->pid);
	} else if (ev->kind == AS_EV_NET_CONNECT) {
		discover(r, ev->pid);
	} else if (ev->kind == AS_EV_EXIT) {
		as_hmap_del(&r->discovered, (uint64_t)ev->pid);
	} else if (ev->kind == AS_EV_LLM && ev->llm) {
		r->llm_calls++;
		r->tokens_in += (uint64_t)ev->llm->usage.input_tokens;
		r->tokens_out += (uint64_t)ev->llm->usage.output_tokens;
	}
	if (r->store && !r->store_failed) {
		char err[256];
		if (as_store_add_event(r->store, r->session_id, ev, err, sizeof(err)) != 0)
			store_error(r, "adding an event", err);
	}
	if (r->o->text && r->o->jsonl) {
		if (!r->t0)
			r->t0 = ev->ts_ns;
		if (ev->kind != AS_EV_FORK) {
			as_text_event(r->o->jsonl, ev, r->t0, 160);
			as_text_end_line(r->o->jsonl);
		}
	} else {
		write_jsonl(r, as_event_to_json(ev, r->walltime_offset_ns), "event");
	}

	/* Analysis, in the order its modules expect: the process tree, the
	 * correlation engine (links and tool inputs reach the detectors through
	 * its sink), the detectors. */
	if (!r->have_root && (r->o->replay_path || r->o->comm)) {
		/* Replay: the first process seen is the recorded one. --comm: each
		 * process that runs the name starts a session. */
		bool root = r->o->replay_path ||
			    (ev->kind == AS_EV_EXEC && strncmp(ev->comm, r->o->comm, 15) == 0);
		if (root && as_proctable_set_root(r->procs, ev->pid) == 0)
			r->have_root = r->o->replay_path != NULL;
	}
	as_proctable_event(r->procs, ev);
	as_corr_event(r->corr, ev);
	as_detect_event(r->detect, ev);
}

static void on_link(void *ctx, const struct as_link *link, const struct as_event *ev)
{
	struct run *r = ctx;
	r->links++;
	if (r->store && !r->store_failed) {
		char err[256];
		if (as_store_add_link(r->store, r->session_id, link, err, sizeof(err)) != 0)
			store_error(r, "adding a link", err);
	}
	if (r->o->text && r->o->jsonl) {
		if (ev->kind != AS_EV_FORK) /* forks are not shown as text */
			as_text_link(r->o->jsonl, link);
	} else
		write_jsonl(r, as_link_to_json(link), "link");
	as_detect_link(r->detect, link, ev);
}

static void on_input(void *ctx, const struct as_corr_input *in, const struct as_event *ev)
{
	struct run *r = ctx;
	as_detect_input(r->detect, in, ev);
}

static void on_alert(void *ctx, const struct as_alert *al, bool update)
{
	struct run *r = ctx;
	if (!update)
		r->alerts++;
	if (r->store && !r->store_failed) {
		char err[256];
		if (as_store_add_alert(r->store, r->session_id, al, err, sizeof(err)) != 0)
			store_error(r, "adding an alert", err);
	}
	if (r->o->text && r->o->jsonl) {
		as_text_alert(r->o->jsonl, al, update);
	} else {
		json_t *j = as_alert_to_json(al, r->walltime_offset_ns);
		if (j)
			json_object_set_new(j, "update", json_boolean(update));
		write_jsonl(r, j, "alert");
	}
	if (!update && !r->o->quiet)
		warnf("alert: %s: %s", as_alert_kind_name(al->kind),
		      al->summary ? al->summary : "");
}

/* The correlation engine and detectors keep time with the records; once a
 * second is enough for their timers. */
static void analysis_tick(struct run *r, uint64_t now_ns)
{
	if (now_ns - r->last_analysis_tick < 1000000000ull)
		return;
	r->last_analysis_tick = now_ns;
	as_corr_tick(r->corr, now_ns);
	as_detect_tick(r->detect, now_ns);
}

static void on_engine_log(void *ctx, const char *msg)
{
	struct run *r = ctx;
	if (r->o->verbose)
		warnf("%s", msg);
}

static void on_capture_log(void *ctx, const char *msg)
{
	struct run *r = ctx;
	if (r->o->verbose)
		warnf("%s", msg);
}

static void on_record(void *ctx, const struct as_rec_hdr *rec, size_t size)
{
	struct run *r = ctx;
	if (r->raw && fwrite(rec, 1, size, r->raw) != size) {
		warnf("writing raw records failed: %s; no longer saving them", strerror(errno));
		fclose(r->raw);
		r->raw = NULL;
	}
	as_engine_record(r->engine, rec, size);
}

static void tick(struct run *r)
{
	uint64_t now = mono_ns();
	as_engine_tick(r->engine, now);
	analysis_tick(r, now);
	if (r->o->jsonl)
		fflush(r->o->jsonl);
	if (r->store && !r->store_failed) {
		char err[256];
		if (as_store_tick(r->store, err, sizeof(err)) != 0)
			store_error(r, "committing", err);
	}
}

/* ---- setup ------------------------------------------------------------------- */

/* The file execvp would run for name, or NULL. */
static char *which(const char *name)
{
	if (strchr(name, '/'))
		return realpath(name, NULL);
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	const char *p = path;
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char cand[PATH_MAX];
		if (n &&
		    (size_t)snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, p, name) <
			    sizeof(cand) &&
		    access(cand, X_OK) == 0)
			return realpath(cand, NULL);
		p = colon ? colon + 1 : p + n;
	}
	return NULL;
}

static void load_sigs(struct run *r)
{
	char err[256];
	if (r->o->no_sigs)
		return;
	if (r->o->sigs_path) {
		if (as_sigset_load(&r->sigs, r->o->sigs_path, err, sizeof(err)) > 0)
			r->have_sigs = true;
		else
			warnf("signatures: %s", err);
		return;
	}
	/* Default: signatures of the system's own static OpenSSL, which is what
	 * a program statically linked on this machine carries. */
	static const char *const archives[] = {
		"/usr/lib/x86_64-linux-gnu/libssl.a",
		"/usr/lib64/libssl.a",
		"/usr/lib/libssl.a",
	};
	for (size_t i = 0; i < sizeof(archives) / sizeof(archives[0]); i++) {
		if (access(archives[i], R_OK) != 0)
			continue;
		if (as_sigset_from_archive(&r->sigs, archives[i], as_openssl_funcs,
					   as_openssl_nfuncs, err, sizeof(err)) > 0) {
			r->have_sigs = true;
			if (r->o->verbose)
				warnf("signatures: %zu functions from %s", r->sigs.n, archives[i]);
		}
		return;
	}
}

static int attach_tls(struct run *r, const char *exe_path, char *err, size_t errlen)
{
	int rc = as_capture_attach_system_tls(r->cap, err, errlen);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < r->o->n_ssl_binaries; i++) {
		const char *bin = r->o->ssl_binaries[i];
		rc = as_capture_attach_tls(r->cap, bin, AS_TLS_LIB_STATIC_OPENSSL, NULL, err,
					   errlen);
		if (rc == 0 && r->have_sigs)
			rc = as_capture_attach_tls(r->cap, bin, AS_TLS_LIB_SIGNATURE, &r->sigs, err,
						   errlen);
		if (rc < 0)
			return rc;
		if (rc == 0)
			warnf("--ssl-binary %s: no OpenSSL functions found (by symbol%s)", bin,
			      r->have_sigs ? " or signature" : "");
	}
	/* The recorded command's own binary, before it starts, so that its
	 * first TLS call is seen. */
	if (exe_path) {
		char inner[256];
		rc = as_capture_attach_tls(r->cap, exe_path, AS_TLS_LIB_STATIC_OPENSSL, NULL, inner,
					   sizeof(inner));
		if (rc == 0 && r->have_sigs)
			as_capture_attach_tls(r->cap, exe_path, AS_TLS_LIB_SIGNATURE, &r->sigs,
					      inner, sizeof(inner));
	}
	return 0;
}

static char *describe(const struct as_session_opts *o)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	if (!f)
		return NULL;
	if (o->command) {
		for (char *const *a = o->command; *a; a++)
			fprintf(f, "%s%s", a == o->command ? "" : " ", *a);
	} else if (o->pid) {
		fprintf(f, "pid %d", (int)o->pid);
	} else if (o->comm) {
		fprintf(f, "comm %s", o->comm);
	} else if (o->replay_path) {
		fprintf(f, "replay %s", o->replay_path);
	}
	fclose(f);
	return s;
}

static int open_outputs(struct run *r, char *err, size_t errlen)
{
	const struct as_session_opts *o = r->o;
	r->walltime_offset_ns = measure_walltime_offset();
	if (o->raw_path) {
		r->raw = fopen(o->raw_path, "wbe");
		if (!r->raw || as_raw_write_header(r->raw) != 0) {
			snprintf(err, errlen, "cannot write raw records to %s: %s", o->raw_path,
				 strerror(errno));
			return -1;
		}
	}
	if (o->db_path) {
		char inner[256];
		if (as_store_open(&r->store, o->db_path, NULL, inner, sizeof(inner)) != 0) {
			snprintf(err, errlen, "%s", inner);
			return -1;
		}
		char *what = describe(o);
		struct as_session_meta meta = {.command = what,
					       .walltime_offset_ns = r->walltime_offset_ns};
		int rc = as_store_begin_session(r->store, &meta, &r->session_id, inner,
						sizeof(inner));
		free(what);
		if (rc != 0) {
			snprintf(err, errlen, "%s", inner);
			return -1;
		}
	}
	struct as_proctable_config pcfg;
	as_proctable_config_default(&pcfg);
	r->procs = as_proctable_new(&pcfg);
	struct as_corr_sink csink = {.on_link = on_link, .on_input = on_input, .ctx = r};
	r->corr = r->procs ? as_corr_new(&o->corr, r->procs, &csink) : NULL;
	struct as_detect_sink dsink = {.on_alert = on_alert, .ctx = r};
	r->detect = r->procs ? as_detect_new(&o->detect, r->procs, &dsink) : NULL;
	if (!r->corr || !r->detect) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct as_engine_cfg ecfg = {.http_events = o->http_events, .all_opens = o->all_opens};
	struct as_engine_sink sink = {.ctx = r, .on_event = on_event, .on_log = on_engine_log};
	r->engine = as_engine_new(&ecfg, &sink);
	if (!r->engine) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static json_t *stats_json(struct run *r)
{
	struct as_engine_stats es;
	as_engine_get_stats(r->engine, &es);
	json_t *j = json_pack(
		"{sI sI sI sI sI sI sI sI sI sI sI}", "records", (json_int_t)es.records, "events",
		(json_int_t)es.events, "llm_exchanges", (json_int_t)es.llm_exchanges, "tls_bytes",
		(json_int_t)es.tls_bytes, "tls_bytes_lost", (json_int_t)es.tls_bytes_lost,
		"non_http_bytes", (json_int_t)es.non_http_bytes, "body_bytes_dropped",
		(json_int_t)es.body_bytes_dropped, "http_errors", (json_int_t)es.http_errors,
		"bad_records", (json_int_t)es.bad_records, "opens_filtered",
		(json_int_t)es.opens_filtered, "decode_failures", (json_int_t)es.decode_failures);
	if (j && es.tls_keys) {
		json_object_set_new(j, "tls_keys", json_integer((json_int_t)es.tls_keys));
		json_object_set_new(j, "tls_records_decrypted",
				    json_integer((json_int_t)es.tls_records_decrypted));
		json_object_set_new(j, "tls_decrypt_failures",
				    json_integer((json_int_t)es.tls_decrypt_failures));
	}
	if (j && r->cap) {
		struct as_capture_stats cs;
		as_capture_get_stats(r->cap, &cs);
		json_object_set_new(j, "ringbuf_drops", json_integer((json_int_t)cs.ringbuf_drops));
		json_object_set_new(j, "kernel_tls_bytes_lost",
				    json_integer((json_int_t)cs.tls_bytes_lost));
		json_object_set_new(j, "read_faults", json_integer((json_int_t)cs.read_faults));
		json_object_set_new(j, "tls_files_attached",
				    json_integer((json_int_t)cs.tls_files_attached));
		json_object_set_new(j, "kernel_opens_filtered",
				    json_integer((json_int_t)cs.opens_filtered));
	}
	return j;
}

static void free_analysis(struct run *r)
{
	as_detect_free(r->detect);
	as_corr_free(r->corr);
	as_proctable_free(r->procs);
	r->detect = NULL;
	r->corr = NULL;
	r->procs = NULL;
}

static void close_outputs(struct run *r)
{
	as_engine_finish(r->engine);
	/* A last tick: timers that ran out while the recording ended. */
	r->last_analysis_tick = 0;
	analysis_tick(r, mono_ns());
	as_detect_flush(r->detect); /* the last state of every alert */
	json_t *stats = stats_json(r);
	if (r->store) {
		char err[256];
		if (as_store_end_session(r->store, r->session_id, 0, stats, err, sizeof(err)) != 0)
			store_error(r, "ending the session", err);
		as_store_close(r->store);
	}
	if (r->o->text && r->o->jsonl)
		fflush(r->o->jsonl);
	if (!r->o->quiet) {
		json_t *lost = json_object_get(stats, "tls_bytes_lost");
		json_t *drops = json_object_get(stats, "ringbuf_drops");
		fprintf(stderr,
			"agentsight: %llu events, %llu LLM calls (%llu tokens in, %llu out), "
			"%llu links, %llu alerts, %lld TLS bytes lost, %lld records dropped\n",
			(unsigned long long)r->events, (unsigned long long)r->llm_calls,
			(unsigned long long)r->tokens_in, (unsigned long long)r->tokens_out,
			(unsigned long long)r->links, (unsigned long long)r->alerts,
			lost ? (long long)json_integer_value(lost) : 0,
			drops ? (long long)json_integer_value(drops) : 0);
	}
	write_jsonl(r, stats, "stats");
	if (r->raw)
		fclose(r->raw);
	as_engine_free(r->engine);
	as_hmap_free(&r->discovered);
	free_analysis(r);
	as_jsonbuf_free(&r->line);
}

/* ---- replay ------------------------------------------------------------------ */

static void replay_record(void *ctx, const struct as_rec_hdr *rec, size_t size)
{
	struct run *r = ctx;
	as_engine_record(r->engine, rec, size);
	as_engine_tick(r->engine, rec->ts_ns);
	analysis_tick(r, rec->ts_ns);
}

static int replay(struct run *r, char *err, size_t errlen)
{
	FILE *f = fopen(r->o->replay_path, "rbe");
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", r->o->replay_path, strerror(errno));
		return -1;
	}
	long n = as_raw_read(f, r->o->replay_path, replay_record, r, err, errlen);
	fclose(f);
	return n < 0 ? -1 : 0;
}

/* ---- live --------------------------------------------------------------------- */

/* Polls until the ring buffer has been quiet for DRAIN_QUIET_MS. */
static void drain(struct run *r)
{
	uint64_t quiet_since = mono_ns();
	while (mono_ns() - quiet_since < DRAIN_QUIET_MS * 1000000ull) {
		int n = as_capture_poll(r->cap, 50);
		if (n > 0)
			quiet_since = mono_ns();
		else if (n < 0 && n != -EINTR)
			break;
	}
}

static pid_t start_command(struct run *r, int *go_fd, char *err, size_t errlen)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Wait until the parent tracks us, then become the command. */
		close(pipefd[1]);
		char c;
		if (read(pipefd[0], &c, 1) != 1)
			_exit(126);
		execvp(r->o->command[0], r->o->command);
		fprintf(stderr, "agentsight: cannot run %s: %s\n", r->o->command[0],
			strerror(errno));
		_exit(127);
	}
	close(pipefd[0]);
	*go_fd = pipefd[1];
	return pid;
}

static int live(struct run *r, volatile sig_atomic_t *stop, int *exit_status, char *err,
		size_t errlen)
{
	const struct as_session_opts *o = r->o;
	struct as_capture_opts copts = {
		.filter_tracked = true,
		.track_comm = o->comm,
		.trace_files = o->files,
		.trace_net = o->net,
		.trace_tls = o->tls,
		.keep_system_opens = o->all_opens,
		.tls_keys = o->tls_keys,
		.ringbuf_bytes = o->ringbuf_bytes,
		.on_record = on_record,
		.on_log = on_capture_log,
		.ctx = r,
	};
	if (as_capture_open(&r->cap, &copts, err, errlen) != 0)
		return -1;
	if (o->verbose)
		bpfenv_set_libbpf_log(bpfenv_log_stderr, 1, NULL);

	char *exe = o->command ? which(o->command[0]) : NULL;
	if (o->command && !exe) {
		snprintf(err, errlen, "%s: command not found", o->command[0]);
		return -1;
	}
	if (o->tls) {
		load_sigs(r);
		if (r->have_sigs)
			as_capture_set_sigs(r->cap, &r->sigs);
		if (attach_tls(r, exe, err, errlen) != 0) {
			free(exe);
			return -1;
		}
	}
	free(exe);

	pid_t child = 0;
	int go_fd = -1;
	if (o->command) {
		child = start_command(r, &go_fd, err, errlen);
		if (child < 0)
			return -1;
		as_capture_track_pid(r->cap, child);
		as_proctable_set_root(r->procs, child);
		if (write(go_fd, "g", 1) != 1) {
			snprintf(err, errlen, "starting the command failed: %s", strerror(errno));
			close(go_fd);
			return -1;
		}
		close(go_fd);
	} else if (o->pid) {
		if (kill(o->pid, 0) != 0 && errno == ESRCH) {
			snprintf(err, errlen, "no process %d", (int)o->pid);
			return -1;
		}
		as_capture_track_pid(r->cap, o->pid);
		char inner[256];
		if (as_proctable_seed_proc(r->procs, o->pid, NULL, inner, sizeof(inner)) != 0 &&
		    o->verbose)
			warnf("%s", inner);
		as_proctable_set_root(r->procs, o->pid);
		discover(r, o->pid);
	}

	uint64_t deadline = o->duration_s > 0 ? mono_ns() + (uint64_t)(o->duration_s * 1e9) : 0;
	bool child_done = false;
	while (!(stop && *stop)) {
		int n = as_capture_poll(r->cap, POLL_MS);
		if (n < 0 && n != -EINTR) {
			snprintf(err, errlen, "reading the ring buffer failed: %s", strerror(-n));
			return -1;
		}
		tick(r);
		if (child) {
			int status;
			pid_t w = waitpid(child, &status, WNOHANG);
			if (w == child) {
				*exit_status = WIFEXITED(status) ? WEXITSTATUS(status)
								 : 128 + WTERMSIG(status);
				child_done = true;
				break;
			}
		}
		if (deadline && mono_ns() >= deadline)
			break;
		if (o->pid && kill(o->pid, 0) != 0 && errno == ESRCH)
			break;
	}
	if (child && !child_done) {
		/* Interrupted: the command gets the signal too, then we wait. */
		kill(child, SIGTERM);
		int status;
		if (waitpid(child, &status, 0) == child)
			*exit_status =
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	drain(r);
	return 0;
}

int as_session_run(const struct as_session_opts *o, volatile sig_atomic_t *stop, int *exit_status,
		   char *err, size_t errlen)
{
	struct run r = {.o = o};
	*exit_status = 0;
	int modes = !!o->command + !!o->pid + !!o->comm + !!o->replay_path;
	if (modes != 1) {
		snprintf(err, errlen,
			 "give exactly one of a command, --pid, --comm or a replay file");
		return -1;
	}
	if (open_outputs(&r, err, errlen) != 0) {
		if (r.store)
			as_store_close(r.store);
		if (r.raw)
			fclose(r.raw);
		as_engine_free(r.engine);
		return -1;
	}
	int rc =
		o->replay_path ? replay(&r, err, errlen) : live(&r, stop, exit_status, err, errlen);
	close_outputs(&r);
	as_capture_close(r.cap);
	return rc;
}
