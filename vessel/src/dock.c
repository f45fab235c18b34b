/* dock.c: the dock daemon (docs/vessels.md, "Docks"). It listens on TCP,
 * runs vessels and moves them to other docks.
 *
 *   dock [--listen HOST:PORT] [--token-file FILE] [--dir HOST::GUEST]...
 *        [--port-file FILE] [--slice N]
 *
 * Design: one thread per connection, one thread per vessel. A vessel's
 * thread runs it in fuel slices (--slice safe points, 200000 by default) and
 * between two slices, at a safe point, carries out what was asked of it:
 * checkpoint, kill, migrate, or hold (stop after N safe points and wait).
 * Only that thread touches the vessel's instance, so no lock is held while
 * it runs and nothing else reads its memory.
 *
 * Migration (dock to dock, the same protocol as the client's, proto.h):
 * stop-and-copy checkpoints the vessel, sends RESTORE with PENDING set,
 * and on the destination's OK sends COMMIT; only the COMMIT's OK makes the
 * source drop its copy. Any failure before it (refused token, connection
 * lost, destination killed, image refused) resumes the vessel at the source.
 * Pre-copy first sends memory pages in PAGES frames while the vessel runs
 * (one slice between batches), round after round on what changed, then
 * does the stop-and-copy with only the pages that changed since they were
 * sent. What changed comes from the runtime's dirty-page tracking
 * (wasm_state_track_dirty, wasm_state_dirty_pages), read between slices by
 * precopy_dirty().
 *
 * SIGTERM or SIGINT ends the dock (and the vessels it runs) with exit(0).
 *
 * Test hooks (environment): VSL_DOCK_DIE_AFTER=N makes the dock _exit(137)
 * once it has read N bytes on a connection from another dock (a dock killed
 * mid-transfer); VSL_DOCK_CORRUPT=1 flips one byte of every image it sends.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "wasm_state.h"
#include "image.h"
#include "pagestore.h"
#include "proto.h"

#define MAX_DIRS     64
#define MAX_ARGS     4096
#define MAX_PATH_LEN 4096
#define BATCH_PAGES  64u /* pages per PAGES frame */
#define MAX_ROUNDS   8u
#define DIRTY_STOP   16u /* stop-and-copy once a round finds this few */

enum vstate {
	V_PENDING,
	V_RUNNING,
	V_HELD,
	V_EXITED,
	V_TRAPPED,
	V_KILLED,
	V_MIGRATED
};
static const char *const state_names[] = {"pending", "running", "held",	   "exited",
					  "trapped", "killed",	"migrated"};
enum vreq {
	R_NONE,
	R_CHECKPOINT,
	R_KILL,
	R_MIGRATE
};

typedef struct vessel {
	uint64_t id;
	vsl_vessel *v;
	pthread_t th;
	enum vstate state;
	uint64_t steps, hold_at; /* safe points run; hold when steps reach it */
	int code;
	char *out_path, *err_path;
	char msg[512]; /* why it ended */
	void *owner;   /* the connection that restored it PENDING */
	/* a request, carried out by the vessel's thread */
	enum vreq req;
	bool req_done;
	int req_rc;
	char req_msg[512];
	char *req_addr;
	uint64_t req_hold;
	bool req_precopy;
	uint8_t *req_img;
	size_t req_len;
	uint64_t req_id; /* the id at the destination */
	struct vessel *next;
} vessel;

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	vessel *vessels;
	uint64_t next_id;
	uint8_t token[VSL_TOKEN_MAX];
	size_t token_len;
	wasi_preopen dirs[MAX_DIRS];
	vsl_dir_map maps[MAX_DIRS];
	uint32_t ndirs;
	uint64_t slice;
	uint64_t die_after;
	bool corrupt;
} D = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .next_id = 1};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "dock: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

/* ---- fault hook: a dock killed mid-transfer --------------------------------------- */

static _Thread_local bool t_armed;
static _Thread_local uint64_t t_read;

static ssize_t hooked_read(int fd, void *buf, size_t n)
{
	ssize_t r = read(fd, buf, n);
	if (r > 0 && t_armed && D.die_after) {
		t_read += (uint64_t)r;
		if (t_read >= D.die_after) {
			logf_("VSL_DOCK_DIE_AFTER: dying after %" PRIu64 " bytes", t_read);
			_exit(137);
		}
	}
	return r;
}

/* ---- replies ---------------------------------------------------------------------- */

static int reply_err(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reply_err(int fd, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_ERR);
	vsl_buf_add_str(&b, VSL_F_TEXT, text);
	return vsl_send_buf(fd, &b);
}

/* Sends b, then waits for OK (returned in *m and *payload) or ERR (its text in
 * err). Returns 0 on OK. */
static int call(int fd, vsl_buf *b, vsl_msg *m, uint8_t **payload, char *err, size_t errlen)
{
	if (vsl_send_buf(fd, b) < 0) {
		snprintf(err, errlen, "sending: %s", strerror(errno));
		return -1;
	}
	int rc = vsl_recv_msg(fd, VSL_MSG_MAX, NULL, m, payload, err, errlen);
	if (rc == 1)
		snprintf(err, errlen, "the peer closed the connection");
	if (rc != 0)
		return -1;
	if (m->type == VSL_MSG_OK)
		return 0;
	char *text = NULL;
	vsl_msg_str(m, VSL_F_TEXT, 4096, &text);
	snprintf(err, errlen, "refused: %s", text ? text : "(no reason given)");
	free(text);
	vsl_msg_clear(m);
	free(*payload);
	*payload = NULL;
	return -1;
}

static int dial_dock(const char *addr, char *err, size_t errlen)
{
	int fd = vsl_dial(addr, err, errlen);
	if (fd < 0)
		return -1;
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_HELLO);
	vsl_buf_add(&b, VSL_F_TOKEN, D.token, D.token_len);
	vsl_buf_add_str(&b, VSL_F_TEXT, "dock");
	vsl_msg m;
	uint8_t *p;
	char why[400];
	if (call(fd, &b, &m, &p, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%.100s: %s", addr, why);
		close(fd);
		return -1;
	}
	vsl_msg_clear(&m);
	free(p);
	return fd;
}

/* ---- pre-copy: dirty pages (the runtime's tracking, wasm_state.h) --------------- */

typedef struct precopy {
	wasm_instance *inst;
	bool started; /* tracking turned on */
	uint8_t *bitmap;
	size_t bitmap_len;
} precopy;

typedef struct page_ref {
	uint32_t mem, page;
} page_ref;

static void precopy_end(precopy *pc)
{
	if (pc->started)
		for (uint32_t m = 0; m < wasm_instance_memory_count(pc->inst); m++)
			wasm_state_track_dirty(wasm_instance_memory(pc->inst, m), false);
	free(pc->bitmap);
	memset(pc, 0, sizeof(*pc));
}

static bool zero_page(const uint8_t *p)
{
	uint64_t acc = 0;
	for (size_t i = 0; i < VSL_PAGE_SIZE; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	return acc == 0;
}

/* The pages to send next ("dirty pages since the last round"): on the
 * first call every non-zero page, with the runtime's dirty tracking turned
 * on at that moment (its set starts empty); afterwards the pages the
 * runtime saw written since the previous call (read and cleared). Called
 * only between two runs of the vessel. */
static int precopy_dirty(precopy *pc, page_ref **out, uint32_t *nout, char *err, size_t errlen)
{
	uint32_t nmem = wasm_instance_memory_count(pc->inst);
	size_t total = 0;
	for (uint32_t m = 0; m < nmem; m++)
		total += wasm_memory_pages(wasm_instance_memory(pc->inst, m));
	page_ref *r = malloc((total ? total : 1) * sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	uint32_t n = 0;
	for (uint32_t m = 0; m < nmem; m++) {
		wasm_memory *mem = wasm_instance_memory(pc->inst, m);
		uint32_t pages = wasm_memory_pages(mem);
		if (!pc->started) {
			if (wasm_state_track_dirty(mem, true) < 0) {
				snprintf(err, errlen, "memory %u: cannot track dirty pages", m);
				goto fail;
			}
			const uint8_t *base = wasm_memory_data(mem);
			for (uint32_t p = 0; p < pages; p++)
				if (!zero_page(base + (size_t)p * VSL_PAGE_SIZE))
					r[n++] = (page_ref){m, p};
			continue;
		}
		size_t need = ((size_t)pages + 7) / 8;
		if (!pc->bitmap || need > pc->bitmap_len) {
			need = need ? need : 1;
			uint8_t *bm = realloc(pc->bitmap, need);
			if (!bm) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			pc->bitmap = bm;
			pc->bitmap_len = need;
		}
		if (wasm_state_dirty_pages(mem, pc->bitmap, pc->bitmap_len, true) < 0) {
			snprintf(err, errlen, "memory %u: no dirty set", m);
			goto fail;
		}
		const uint8_t *bits = pc->bitmap;
		for (uint32_t p = 0; bits && p < pages; p++)
			if (bits[p / 8] & (1u << (p % 8)))
				r[n++] = (page_ref){m, p};
	}
	pc->started = true;
	*out = r;
	*nout = n;
	return 0;
fail:
	pc->started = true; /* precopy_end turns off what was turned on */
	free(r);
	return -1;
}

/* ---- migration (in the vessel's thread, the vessel stopped) ----------------------- */

typedef struct mig_stats {
	double total, downtime;
	uint64_t image_bytes, precopy_bytes;
	uint32_t rounds;
	uint64_t id;
} mig_stats;

static int send_restore(int fd, vessel *vs, const uint8_t *img, size_t len, bool precopy,
			uint64_t hold, mig_stats *st, char *err, size_t errlen)
{
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_RESTORE);
	vsl_buf_add(&b, VSL_F_IMAGE, img, len);
	if (D.corrupt && b.p && !b.failed)
		b.p[b.len - len / 2 - 1] ^= 0x5a; /* test hook: inside the image */
	if (vs->out_path)
		vsl_buf_add_str(&b, VSL_F_STDOUT, vs->out_path);
	if (vs->err_path)
		vsl_buf_add_str(&b, VSL_F_STDERR, vs->err_path);
	if (hold)
		vsl_buf_add_u64(&b, VSL_F_HOLD, hold);
	if (precopy)
		vsl_buf_add_u64(&b, VSL_F_PRECOPY, 1);
	vsl_buf_add_u64(&b, VSL_F_PENDING, 1);
	vsl_msg m;
	uint8_t *p;
	if (call(fd, &b, &m, &p, err, errlen) < 0)
		return -1;
	int rc = vsl_msg_u64(&m, VSL_F_ID, 0, &st->id);
	vsl_msg_clear(&m);
	free(p);
	if (rc < 0 || st->id == 0) {
		snprintf(err, errlen, "the destination's reply has no vessel id");
		return -1;
	}
	vsl_buf_begin(&b, VSL_MSG_COMMIT);
	vsl_buf_add_u64(&b, VSL_F_ID, st->id);
	if (call(fd, &b, &m, &p, err, errlen) < 0)
		return -1;
	vsl_msg_clear(&m);
	free(p);
	return 0;
}

static int send_pages(int fd, wasm_instance *inst, const page_ref *r, uint32_t n, uint64_t *bytes,
		      char *err, size_t errlen)
{
	/* one frame per memory run of the batch */
	uint32_t i = 0;
	while (i < n) {
		uint32_t m = r[i].mem, j = i;
		while (j < n && r[j].mem == m)
			j++;
		vsl_buf b;
		vsl_buf_begin(&b, VSL_MSG_PAGES);
		size_t at = vsl_buf_open_field(&b, VSL_F_PAGES);
		uint8_t h[8] = {(uint8_t)m,
				(uint8_t)(m >> 8),
				(uint8_t)(m >> 16),
				(uint8_t)(m >> 24),
				(uint8_t)(j - i),
				(uint8_t)((j - i) >> 8),
				(uint8_t)((j - i) >> 16),
				(uint8_t)((j - i) >> 24)};
		vsl_buf_raw(&b, h, sizeof(h));
		const uint8_t *base = wasm_memory_data(wasm_instance_memory(inst, m));
		for (uint32_t k = i; k < j; k++) {
			uint32_t pg = r[k].page;
			uint8_t ph[4] = {(uint8_t)pg, (uint8_t)(pg >> 8), (uint8_t)(pg >> 16),
					 (uint8_t)(pg >> 24)};
			vsl_buf_raw(&b, ph, 4);
			vsl_buf_raw(&b, base + (size_t)pg * VSL_PAGE_SIZE, VSL_PAGE_SIZE);
		}
		vsl_buf_close_field(&b, at);
		*bytes += (uint64_t)(j - i) * VSL_PAGE_SIZE;
		vsl_msg msg;
		uint8_t *p;
		if (call(fd, &b, &msg, &p, err, errlen) < 0)
			return -1;
		vsl_msg_clear(&msg);
		free(p);
		i = j;
	}
	return 0;
}

/* The final image of a pre-copy: the vessel's state with only the pages
 * that precopy_dirty reports (zero pages included: the destination's copy
 * of them is stale). */
static int precopy_image(vsl_vessel *v, const page_ref *r, uint32_t n, uint8_t **out,
			 size_t *outlen, char *err, size_t errlen)
{
	size_t mlen;
	const uint8_t *mod = vsl_vessel_module(v, &mlen);
	vsl_image img;
	wasm_instance *inst = vsl_vessel_instance(v);
	int rc = vsl_capture(inst, vsl_vessel_exec(v), vsl_vessel_wasi(v), mod, mlen, true,
			     vsl_vessel_entry(v), &img, err, errlen);
	if (rc == 0) {
		vsl_page_run *runs = malloc((n ? n : 1) * sizeof(*runs));
		if (!runs) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		} else {
			for (uint32_t i = 0; i < n; i++)
				runs[i] = (vsl_page_run){
					.mem = r[i].mem,
					.first = r[i].page,
					.count = 1,
					.data = wasm_memory_data(
							wasm_instance_memory(inst, r[i].mem)) +
						(size_t)r[i].page * VSL_PAGE_SIZE};
			free(img.runs);
			img.runs = runs;
			img.nruns = n;
			rc = vsl_image_write(&img, out, outlen, err, errlen);
		}
	}
	img.module_bytes = NULL;
	img.owned = NULL;
	vsl_image_clear(&img);
	return rc;
}

/* 0: migrated; -1: failed, the vessel is intact here; 1: it ended during
 * pre-copy (its result is in *res). */
static int migrate_out(vessel *vs, const char *addr, bool precopy_on, uint64_t hold, mig_stats *st,
		       wasm_result *res, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	double t0 = now_s();
	int fd = dial_dock(addr, err, errlen);
	if (fd < 0)
		return -1;
	uint8_t *img = NULL;
	size_t len = 0;
	int rc = -1;
	precopy pc = {.inst = vsl_vessel_instance(vs->v)};
	page_ref *dirty = NULL;
	uint32_t ndirty = 0, prev_dirty = UINT32_MAX;
	wasm_instance *inst = vsl_vessel_instance(vs->v);
	if (precopy_on) {
		for (;;) {
			free(dirty);
			dirty = NULL;
			if (precopy_dirty(&pc, &dirty, &ndirty, err, errlen) < 0)
				goto out;
			/* stop when few pages changed, or when a round no longer
			   shrinks the set (the hot set is being rewritten as fast
			   as it is sent) */
			if (st->rounds >= MAX_ROUNDS ||
			    (st->rounds > 0 && (ndirty <= DIRTY_STOP || ndirty >= prev_dirty)))
				break;
			prev_dirty = ndirty;
			st->rounds++;
			for (uint32_t i = 0; i < ndirty; i += BATCH_PAGES) {
				uint32_t k = ndirty - i < BATCH_PAGES ? ndirty - i : BATCH_PAGES;
				if (send_pages(fd, inst, dirty + i, k, &st->precopy_bytes, err,
					       errlen) < 0)
					goto out;
				/* the vessel runs between batches */
				wasm_result r = vsl_vessel_run(vs->v, D.slice);
				uint64_t left = wasm_exec_fuel(vsl_vessel_exec(vs->v));
				vs->steps += r == WASM_OUT_OF_FUEL ? D.slice : D.slice - left;
				if (r != WASM_OUT_OF_FUEL) {
					*res = r;
					rc = 1;
					snprintf(err, errlen, "the vessel ended during pre-copy");
					goto out;
				}
			}
		}
	}
	double tstop = now_s();
	if (precopy_on)
		rc = precopy_image(vs->v, dirty, ndirty, &img, &len, err, errlen);
	else
		rc = vsl_vessel_checkpoint(vs->v, VSL_WITH_MODULE, &img, &len, err, errlen);
	if (rc < 0)
		goto out;
	st->image_bytes = len;
	rc = send_restore(fd, vs, img, len, precopy_on, hold, st, err, errlen);
	double t1 = now_s();
	st->downtime = t1 - tstop;
	st->total = t1 - t0;
out:
	free(img);
	free(dirty);
	precopy_end(&pc);
	close(fd);
	return rc;
}

/* ---- vessel threads ---------------------------------------------------------------- */

static bool ended(enum vstate s)
{
	return s >= V_EXITED;
}

static void finish_run(vessel *vs, wasm_result r)
{
	if (r == WASM_OK || r == WASM_EXIT) {
		vs->state = V_EXITED;
		vs->code = r == WASM_EXIT ? vsl_vessel_exit_code(vs->v) : 0;
		snprintf(vs->msg, sizeof(vs->msg), "exited %d", vs->code);
	} else {
		vs->state = V_TRAPPED;
		vs->code = 134;
		const char *m = wasm_exec_message(vsl_vessel_exec(vs->v));
		snprintf(vs->msg, sizeof(vs->msg), "%s: %s", wasm_result_name(r), m ? m : "");
	}
}

/* Carries out vs->req (the lock held on entry and exit, dropped while
 * working). Returns true when the vessel is gone from this dock. */
static bool serve_request(vessel *vs)
{
	enum vreq req = vs->req;
	char *addr = vs->req_addr;
	uint64_t hold = vs->req_hold;
	bool pre = vs->req_precopy;
	bool gone = false;
	pthread_mutex_unlock(&D.mu);
	int rc = 0;
	char msg[512] = "";
	uint8_t *img = NULL;
	size_t len = 0;
	mig_stats st = {0};
	wasm_result res = WASM_OK;
	if (req == R_CHECKPOINT)
		rc = vsl_vessel_checkpoint(vs->v, VSL_WITH_MODULE, &img, &len, msg, sizeof(msg));
	else if (req == R_MIGRATE)
		rc = migrate_out(vs, addr, pre, hold, &st, &res, msg, sizeof(msg));
	pthread_mutex_lock(&D.mu);
	if (req == R_KILL) {
		vs->state = V_KILLED;
		vs->code = 137;
		snprintf(vs->msg, sizeof(vs->msg), "killed");
		gone = true;
	} else if (req == R_MIGRATE && rc == 0) {
		vs->state = V_MIGRATED;
		snprintf(vs->msg, sizeof(vs->msg), "migrated to %s as %" PRIu64, addr, st.id);
		snprintf(msg, sizeof(msg),
			 "%s %" PRIu64 " total_ms=%.3f downtime_ms=%.3f image_bytes=%" PRIu64
			 " precopy_bytes=%" PRIu64 " rounds=%u",
			 addr, st.id, st.total * 1e3, st.downtime * 1e3, st.image_bytes,
			 st.precopy_bytes, st.rounds);
		vs->req_id = st.id;
		gone = true;
	} else if (req == R_MIGRATE) {
		/* failed: the vessel goes on here (a hold is lifted) */
		logf_("vessel %" PRIu64 ": migration to %s failed, it runs on here: %s", vs->id,
		      addr, msg);
		if (vs->state == V_HELD)
			vs->state = V_RUNNING;
		vs->hold_at = 0;
		if (rc == 1) {
			finish_run(vs, res);
			gone = true;
		}
		rc = -1;
	}
	vs->req_rc = rc;
	snprintf(vs->req_msg, sizeof(vs->req_msg), "%s", msg);
	vs->req_img = img;
	vs->req_len = len;
	vs->req_done = true;
	pthread_cond_broadcast(&D.cv);
	return gone;
}

static void *vessel_main(void *arg)
{
	vessel *vs = arg;
	pthread_mutex_lock(&D.mu);
	for (;;) {
		if (vs->req != R_NONE && !vs->req_done) {
			if (serve_request(vs))
				break;
			continue;
		}
		if (ended(vs->state))
			break;
		if (vs->state == V_RUNNING && vs->hold_at && vs->steps >= vs->hold_at) {
			vs->state = V_HELD;
			vs->hold_at = 0;
			pthread_cond_broadcast(&D.cv);
		}
		if (vs->state != V_RUNNING) {
			pthread_cond_wait(&D.cv, &D.mu);
			continue;
		}
		uint64_t slice = D.slice;
		if (vs->hold_at && vs->hold_at - vs->steps < slice)
			slice = vs->hold_at - vs->steps;
		pthread_mutex_unlock(&D.mu);
		wasm_result r = vsl_vessel_run(vs->v, slice);
		uint64_t left = wasm_exec_fuel(vsl_vessel_exec(vs->v));
		pthread_mutex_lock(&D.mu);
		vs->steps += r == WASM_OUT_OF_FUEL ? slice : slice - left;
		if (r != WASM_OUT_OF_FUEL) {
			finish_run(vs, r);
			break;
		}
	}
	if (vs->req != R_NONE && !vs->req_done) {
		vs->req_rc = -1;
		snprintf(vs->req_msg, sizeof(vs->req_msg), "the vessel has ended (%.400s)",
			 vs->msg);
		vs->req_done = true;
	}
	pthread_cond_broadcast(&D.cv);
	vsl_vessel *v = vs->v;
	vs->v = NULL;
	pthread_mutex_unlock(&D.mu);
	vsl_vessel_free(v);
	return NULL;
}

/* Registers v and starts its thread; returns its id or 0. */
static uint64_t vessel_add(vsl_vessel *v, enum vstate st, uint64_t hold, const char *out,
			   const char *errp, void *owner)
{
	vessel *vs = calloc(1, sizeof(*vs));
	if (!vs)
		return 0;
	vs->v = v;
	vs->state = st;
	vs->hold_at = hold;
	vs->owner = owner;
	vs->out_path = out ? strdup(out) : NULL;
	vs->err_path = errp ? strdup(errp) : NULL;
	pthread_mutex_lock(&D.mu);
	vs->id = D.next_id++;
	vs->next = D.vessels;
	D.vessels = vs;
	uint64_t id = vs->id;
	if (pthread_create(&vs->th, NULL, vessel_main, vs) != 0) {
		D.vessels = vs->next;
		pthread_mutex_unlock(&D.mu);
		free(vs->out_path);
		free(vs->err_path);
		free(vs);
		return 0;
	}
	pthread_detach(vs->th);
	pthread_mutex_unlock(&D.mu);
	return id;
}

static vessel *find_locked(uint64_t id)
{
	for (vessel *vs = D.vessels; vs; vs = vs->next)
		if (vs->id == id)
			return vs;
	return NULL;
}

/* ---- requests ---------------------------------------------------------------------- */

typedef struct conn {
	int fd;
	bool from_dock;
	vsl_page_store store;
} conn;

static int open_out(const char *path, int def)
{
	if (!path)
		return dup(def);
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static int do_run(conn *c, const vsl_msg *m)
{
	const vsl_field *mod = vsl_msg_get(m, VSL_F_MODULE);
	if (!mod)
		return reply_err(c->fd, "RUN without a module");
	char *argv[MAX_ARGS] = {0}, *envp[MAX_ARGS] = {0};
	uint32_t argc = 0, envc = 0;
	char *out = NULL, *errp = NULL;
	uint64_t hold;
	int fds[3] = {-1, -1, -1}, rc;
	char why[1024] = "";
	bool bad = false;
	for (uint32_t i = 0; i < m->nfields && !bad; i++) {
		const vsl_field *f = &m->fields[i];
		if (f->tag == VSL_F_ARG || f->tag == VSL_F_ENV) {
			uint32_t *n = f->tag == VSL_F_ARG ? &argc : &envc;
			char **a = f->tag == VSL_F_ARG ? argv : envp;
			if (*n == MAX_ARGS || vsl_field_str(f, 65536, &a[*n]) < 0)
				bad = true;
			else
				(*n)++;
		}
	}
	if (bad || vsl_msg_str(m, VSL_F_STDOUT, MAX_PATH_LEN, &out) < 0 ||
	    vsl_msg_str(m, VSL_F_STDERR, MAX_PATH_LEN, &errp) < 0 ||
	    vsl_msg_u64(m, VSL_F_HOLD, 0, &hold) < 0) {
		rc = reply_err(c->fd, "RUN: a malformed argument, environment, path or hold");
		goto done;
	}
	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = open_out(out, 1);
	fds[2] = open_out(errp, 2);
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0) {
		rc = reply_err(c->fd, "RUN: cannot open the output files: %s", strerror(errno));
		goto done;
	}
	wasi_config wc;
	wasi_config_init(&wc);
	const char *def_argv[1] = {"guest"};
	wc.argc = argc ? argc : 1;
	wc.argv = argc ? (const char *const *)argv : def_argv;
	wc.envc = envc;
	wc.envp = (const char *const *)envp;
	wc.npreopens = D.ndirs;
	wc.preopens = D.dirs;
	memcpy(wc.stdio, fds, sizeof(fds));
	vsl_vessel *v = vsl_vessel_new(mod->data, mod->len, &wc, NULL, NULL, why, sizeof(why));
	if (!v) {
		rc = reply_err(c->fd, "RUN: %s", why);
		goto done;
	}
	uint64_t id = vessel_add(v, V_RUNNING, hold, out, errp, NULL);
	if (!id) {
		vsl_vessel_free(v);
		rc = reply_err(c->fd, "RUN: cannot start a thread");
		goto done;
	}
	logf_("vessel %" PRIu64 ": started", id);
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_OK);
	vsl_buf_add_u64(&b, VSL_F_ID, id);
	rc = vsl_send_buf(c->fd, &b);
done:
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (uint32_t i = 0; i < argc; i++)
		free(argv[i]);
	for (uint32_t i = 0; i < envc; i++)
		free(envp[i]);
	free(out);
	free(errp);
	return rc;
}

static int do_restore(conn *c, const vsl_msg *m)
{
	const vsl_field *imf = vsl_msg_get(m, VSL_F_IMAGE);
	if (!imf)
		return reply_err(c->fd, "RESTORE without an image");
	char *out = NULL, *errp = NULL, why[1024] = "";
	uint64_t hold, pre, pending;
	int fds[3] = {-1, -1, -1}, rc;
	vsl_image img;
	memset(&img, 0, sizeof(img));
	if (vsl_msg_str(m, VSL_F_STDOUT, MAX_PATH_LEN, &out) < 0 ||
	    vsl_msg_str(m, VSL_F_STDERR, MAX_PATH_LEN, &errp) < 0 ||
	    vsl_msg_u64(m, VSL_F_HOLD, 0, &hold) < 0 ||
	    vsl_msg_u64(m, VSL_F_PRECOPY, 0, &pre) < 0 ||
	    vsl_msg_u64(m, VSL_F_PENDING, 0, &pending) < 0) {
		rc = reply_err(c->fd, "RESTORE: a malformed path, hold or flag");
		goto done;
	}
	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = open_out(out, 1);
	fds[2] = open_out(errp, 2);
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0) {
		rc = reply_err(c->fd, "RESTORE: cannot open the output files: %s", strerror(errno));
		goto done;
	}
	vsl_restore_opts o = {.ndirs = D.ndirs, .dirs = D.maps, .require_dir_map = true};
	memcpy(o.stdio, fds, sizeof(fds));
	vsl_vessel *v = NULL;
	if (vsl_image_read(imf->data, imf->len, &img, why, sizeof(why)) == 0 &&
	    (!pre || vsl_store_merge(&c->store, &img, why, sizeof(why)) == 0))
		v = vsl_vessel_restore_image(&img, &o, why, sizeof(why));
	vsl_store_free(&c->store);
	if (!v) {
		logf_("restore refused: %s", why);
		rc = reply_err(c->fd, "image refused: %s", why);
		goto done;
	}
	uint64_t id =
		vessel_add(v, pending ? V_PENDING : V_RUNNING, hold, out, errp, pending ? c : NULL);
	if (!id) {
		vsl_vessel_free(v);
		rc = reply_err(c->fd, "RESTORE: cannot start a thread");
		goto done;
	}
	logf_("vessel %" PRIu64 ": restored%s", id, pending ? " (pending)" : "");
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_OK);
	vsl_buf_add_u64(&b, VSL_F_ID, id);
	rc = vsl_send_buf(c->fd, &b);
done:
	vsl_image_clear(&img);
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(out);
	free(errp);
	return rc;
}

static int do_ps(conn *c)
{
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_OK);
	size_t at = vsl_buf_open_field(&b, VSL_F_TEXT);
	pthread_mutex_lock(&D.mu);
	for (vessel *vs = D.vessels; vs; vs = vs->next) {
		char line[700];
		int n = snprintf(line, sizeof(line), "%" PRIu64 " %s %" PRIu64 " %s\n", vs->id,
				 state_names[vs->state], vs->steps, vs->msg);
		vsl_buf_raw(&b, line, n > 0 ? (size_t)n : 0);
	}
	pthread_mutex_unlock(&D.mu);
	vsl_buf_close_field(&b, at);
	return vsl_send_buf(c->fd, &b);
}

/* CHECKPOINT, KILL, MIGRATE: handed to the vessel's thread. */
static int do_request(conn *c, const vsl_msg *m)
{
	uint64_t id, hold = 0, pre = 0;
	char *addr = NULL;
	if (vsl_msg_u64(m, VSL_F_ID, 0, &id) < 0 || vsl_msg_u64(m, VSL_F_HOLD, 0, &hold) < 0 ||
	    vsl_msg_u64(m, VSL_F_PRECOPY, 0, &pre) < 0 ||
	    vsl_msg_str(m, VSL_F_ADDR, 300, &addr) < 0) {
		free(addr);
		return reply_err(c->fd, "malformed request");
	}
	if (m->type == VSL_MSG_MIGRATE && !addr)
		return reply_err(c->fd, "MIGRATE without a destination");
	pthread_mutex_lock(&D.mu);
	vessel *vs = find_locked(id);
	const char *why = !vs			   ? "no such vessel"
			  : ended(vs->state)	   ? "the vessel has ended"
			  : vs->state == V_PENDING ? "the vessel is pending a migration"
			  : vs->req != R_NONE	   ? "the vessel is busy with another request"
						   : NULL;
	if (why) {
		pthread_mutex_unlock(&D.mu);
		free(addr);
		return reply_err(c->fd, "vessel %" PRIu64 ": %s", id, why);
	}
	vs->req = m->type == VSL_MSG_CHECKPOINT ? R_CHECKPOINT
		  : m->type == VSL_MSG_KILL	? R_KILL
						: R_MIGRATE;
	vs->req_addr = addr;
	vs->req_hold = hold;
	vs->req_precopy = pre != 0;
	vs->req_done = false;
	pthread_cond_broadcast(&D.cv);
	while (!vs->req_done)
		pthread_cond_wait(&D.cv, &D.mu);
	int rc = vs->req_rc;
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", vs->req_msg);
	uint8_t *img = vs->req_img;
	size_t len = vs->req_len;
	uint64_t nid = vs->req_id;
	vs->req_img = NULL;
	vs->req_addr = NULL;
	vs->req = R_NONE;
	vs->req_done = false;
	pthread_cond_broadcast(&D.cv);
	pthread_mutex_unlock(&D.mu);
	free(addr);
	if (rc != 0) {
		free(img);
		return reply_err(c->fd, "vessel %" PRIu64 ": %s", id, msg);
	}
	if (m->type == VSL_MSG_MIGRATE)
		logf_("vessel %" PRIu64 ": migrated: %s", id, msg);
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_OK);
	if (img)
		vsl_buf_add(&b, VSL_F_IMAGE, img, len);
	if (nid)
		vsl_buf_add_u64(&b, VSL_F_ID, nid);
	vsl_buf_add_str(&b, VSL_F_TEXT, msg);
	free(img);
	return vsl_send_buf(c->fd, &b);
}

static int do_wait(conn *c, const vsl_msg *m)
{
	uint64_t id;
	if (vsl_msg_u64(m, VSL_F_ID, 0, &id) < 0)
		return reply_err(c->fd, "malformed WAIT");
	pthread_mutex_lock(&D.mu);
	vessel *vs = find_locked(id);
	if (!vs) {
		pthread_mutex_unlock(&D.mu);
		return reply_err(c->fd, "vessel %" PRIu64 ": no such vessel", id);
	}
	while (!ended(vs->state) || vs->v)
		pthread_cond_wait(&D.cv, &D.mu);
	char msg[600];
	snprintf(msg, sizeof(msg), "%s", vs->msg);
	int code = vs->code;
	pthread_mutex_unlock(&D.mu);
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_OK);
	vsl_buf_add_u64(&b, VSL_F_CODE, (uint64_t)code);
	vsl_buf_add_str(&b, VSL_F_TEXT, msg);
	return vsl_send_buf(c->fd, &b);
}

static int do_commit(conn *c, const vsl_msg *m)
{
	uint64_t id;
	if (vsl_msg_u64(m, VSL_F_ID, 0, &id) < 0)
		return reply_err(c->fd, "malformed COMMIT");
	pthread_mutex_lock(&D.mu);
	vessel *vs = find_locked(id);
	bool ok = vs && vs->owner == c && vs->state == V_PENDING;
	if (ok) {
		vs->state = V_RUNNING;
		vs->owner = NULL;
		pthread_cond_broadcast(&D.cv);
	}
	pthread_mutex_unlock(&D.mu);
	if (!ok)
		return reply_err(c->fd, "vessel %" PRIu64 ": not pending on this connection", id);
	logf_("vessel %" PRIu64 ": committed, running", id);
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_OK);
	return vsl_send_buf(c->fd, &b);
}

static int do_pages(conn *c, const vsl_msg *m)
{
	char why[256];
	for (uint32_t i = 0; i < m->nfields; i++)
		if (m->fields[i].tag == VSL_F_PAGES &&
		    vsl_store_pages(&c->store, &m->fields[i], why, sizeof(why)) < 0)
			return reply_err(c->fd, "%s", why);
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_OK);
	return vsl_send_buf(c->fd, &b);
}

static void *conn_main(void *arg)
{
	conn *c = arg;
	char err[512];
	vsl_msg m;
	uint8_t *p;
	/* HELLO first, small, with the token */
	int rc = vsl_recv_msg(c->fd, VSL_MSG_MAX_HELLO, NULL, &m, &p, err, sizeof(err));
	if (rc == 0) {
		const vsl_field *t = vsl_msg_get(&m, VSL_F_TOKEN);
		bool ok = m.type == VSL_MSG_HELLO && t &&
			  vsl_token_equal(t->data, t->len, D.token, D.token_len);
		const vsl_field *role = vsl_msg_get(&m, VSL_F_TEXT);
		c->from_dock = role && role->len == 4 && memcmp(role->data, "dock", 4) == 0;
		vsl_msg_clear(&m);
		free(p);
		if (!ok) {
			logf_("connection refused: wrong token or no HELLO");
			reply_err(c->fd, "authentication failed: wrong token");
			goto out;
		}
		vsl_buf b;
		vsl_buf_begin(&b, VSL_MSG_OK);
		if (vsl_send_buf(c->fd, &b) < 0)
			goto out;
	} else {
		if (rc < 0) {
			logf_("connection dropped: %s", err);
			reply_err(c->fd, "%s", err);
		}
		goto out;
	}
	t_armed = c->from_dock;
	t_read = 0;
	for (;;) {
		rc = vsl_recv_msg(c->fd, VSL_MSG_MAX, hooked_read, &m, &p, err, sizeof(err));
		if (rc == 1)
			break;
		if (rc < 0) {
			logf_("connection dropped: %s", err);
			reply_err(c->fd, "%s", err);
			break;
		}
		switch (m.type) {
		case VSL_MSG_RUN:
			rc = do_run(c, &m);
			break;
		case VSL_MSG_PS:
			rc = do_ps(c);
			break;
		case VSL_MSG_RESTORE:
			rc = do_restore(c, &m);
			break;
		case VSL_MSG_CHECKPOINT:
		case VSL_MSG_KILL:
		case VSL_MSG_MIGRATE:
			rc = do_request(c, &m);
			break;
		case VSL_MSG_WAIT:
			rc = do_wait(c, &m);
			break;
		case VSL_MSG_PAGES:
			rc = do_pages(c, &m);
			break;
		case VSL_MSG_COMMIT:
			rc = do_commit(c, &m);
			break;
		default:
			rc = reply_err(c->fd, "unexpected frame type %u", m.type);
		}
		vsl_msg_clear(&m);
		free(p);
		if (rc < 0)
			break;
	}
out:
	/* vessels restored PENDING on this connection and never committed:
	 * the source still has them */
	pthread_mutex_lock(&D.mu);
	for (vessel *vs = D.vessels; vs; vs = vs->next)
		if (vs->owner == c && vs->state == V_PENDING) {
			vs->state = V_KILLED;
			vs->owner = NULL;
			snprintf(vs->msg, sizeof(vs->msg), "discarded: never committed");
		}
	pthread_cond_broadcast(&D.cv);
	pthread_mutex_unlock(&D.mu);
	vsl_store_free(&c->store);
	close(c->fd);
	free(c);
	return NULL;
}

/* ---- main -------------------------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr,
		"usage: dock [--listen HOST:PORT] [--token-file FILE] [--dir HOST::GUEST]...\n"
		"            [--port-file FILE] [--slice N]\n"
		"  The token comes from --token-file or $VSL_DOCK_TOKEN.\n");
	return 2;
}

static int read_token(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "dock: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t n = fread(D.token, 1, sizeof(D.token), f);
	fclose(f);
	while (n && (D.token[n - 1] == '\n' || D.token[n - 1] == '\r'))
		n--;
	D.token_len = n;
	return 0;
}

int main(int argc, char **argv)
{
	const char *listen_addr = "127.0.0.1:7070", *port_file = NULL, *token_file = NULL;
	D.slice = 200000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			return usage();
		char *val = argv[++i];
		if (strcmp(a, "--listen") == 0) {
			listen_addr = val;
		} else if (strcmp(a, "--token-file") == 0) {
			token_file = val;
		} else if (strcmp(a, "--port-file") == 0) {
			port_file = val;
		} else if (strcmp(a, "--slice") == 0) {
			D.slice = strtoull(val, NULL, 10);
			if (!D.slice)
				return usage();
		} else if (strcmp(a, "--dir") == 0) {
			if (D.ndirs == MAX_DIRS)
				return usage();
			char *sep = strstr(val, "::");
			if (!sep || sep == val || !sep[2])
				return usage();
			*sep = '\0';
			D.dirs[D.ndirs] = (wasi_preopen){.host_path = val, .guest_path = sep + 2};
			D.maps[D.ndirs] = (vsl_dir_map){.host_path = val, .guest_path = sep + 2};
			D.ndirs++;
		} else {
			return usage();
		}
	}
	const char *env_token = getenv("VSL_DOCK_TOKEN");
	const char *die = getenv("VSL_DOCK_DIE_AFTER"), *corrupt = getenv("VSL_DOCK_CORRUPT");
	if (token_file) {
		if (read_token(token_file) < 0)
			return 1;
	} else if (env_token) {
		const char *t = env_token;
		D.token_len = strlen(t) < sizeof(D.token) ? strlen(t) : sizeof(D.token);
		memcpy(D.token, t, D.token_len);
	}
	if (!D.token_len) {
		fprintf(stderr, "dock: no token (--token-file or VSL_DOCK_TOKEN)\n");
		return 2;
	}
	if (die)
		D.die_after = strtoull(die, NULL, 10);
	D.corrupt = corrupt && strcmp(corrupt, "1") == 0;
	signal(SIGPIPE, SIG_IGN);
	/* SIGTERM and SIGINT end the dock through exit() (so that a leak
	   checker runs), read from a signalfd by this thread only: blocked
	   here before any thread starts, so no other thread takes them */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	int sfd = signalfd(-1, &stop, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "dock: signalfd: %s\n", strerror(errno));
		return 1;
	}
	char err[512];
	uint16_t port = 0;
	int lfd = vsl_listen(listen_addr, &port, err, sizeof(err));
	if (lfd < 0) {
		fprintf(stderr, "dock: %s\n", err);
		return 1;
	}
	logf_("listening on %s (port %u)", listen_addr, port);
	if (port_file) {
		char tmp[MAX_PATH_LEN + 16];
		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		FILE *f = fopen(tmp, "w");
		if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 ||
		    rename(tmp, port_file) != 0) {
			fprintf(stderr, "dock: cannot write %s\n", port_file);
			return 1;
		}
	}
	for (;;) {
		struct pollfd pf[2] = {{.fd = lfd, .events = POLLIN},
				       {.fd = sfd, .events = POLLIN}};
		if (poll(pf, 2, -1) < 0 && errno != EINTR) {
			fprintf(stderr, "dock: poll: %s\n", strerror(errno));
			return 1;
		}
		if (pf[1].revents) {
			logf_("stopping on a signal");
			exit(0);
		}
		if (!(pf[0].revents & POLLIN))
			continue;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
				continue;
			fprintf(stderr, "dock: accept: %s\n", strerror(errno));
			return 1;
		}
		conn *c = calloc(1, sizeof(*c));
		pthread_t th;
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		if (pthread_create(&th, NULL, conn_main, c) != 0) {
			close(fd);
			free(c);
			continue;
		}
		pthread_detach(th);
	}
}
