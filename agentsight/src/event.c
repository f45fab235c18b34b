/* event: names, freeing and the JSON forms of events, links and alerts (see
 * event.h). The JSON shapes are documented in docs/agentsight.md; from_json
 * accepts what to_json writes, checking every type, since the store is read
 * back from disk.
 */
#include "event.h"

#include "llmapi.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *const kind_names[] = {
	[AS_EV_FORK] = "fork",
	[AS_EV_EXEC] = "exec",
	[AS_EV_EXIT] = "exit",
	[AS_EV_FILE_OPEN] = "file_open",
	[AS_EV_FILE_WRITE] = "file_write",
	[AS_EV_FILE_UNLINK] = "file_unlink",
	[AS_EV_FILE_RENAME] = "file_rename",
	[AS_EV_NET_CONNECT] = "net_connect",
	[AS_EV_NET_ACCEPT] = "net_accept",
	[AS_EV_NET_BIND] = "net_bind",
	[AS_EV_HTTP] = "http",
	[AS_EV_LLM] = "llm",
};
#define N_KINDS (sizeof(kind_names) / sizeof(kind_names[0]))

const char *as_event_kind_name(enum as_event_kind kind)
{
	if ((size_t)kind < N_KINDS && kind_names[kind])
		return kind_names[kind];
	return "unknown";
}

enum as_event_kind as_event_kind_from_name(const char *name)
{
	for (size_t i = 1; name && i < N_KINDS; i++)
		if (kind_names[i] && strcmp(kind_names[i], name) == 0)
			return (enum as_event_kind)i;
	return 0;
}

const char *as_alert_kind_name(enum as_alert_kind kind)
{
	switch (kind) {
	case AS_ALERT_PROMPT_INJECTION:
		return "prompt_injection";
	case AS_ALERT_REASONING_LOOP:
		return "reasoning_loop";
	case AS_ALERT_RESOURCE_WASTE:
		return "resource_waste";
	case AS_ALERT_COORDINATION_STALL:
		return "coordination_stall";
	default:
		return "unknown";
	}
}

static void free_argv(struct as_event_exec *x)
{
	for (size_t i = 0; x->argv && i < x->argc; i++)
		free(x->argv[i]);
	free(x->argv);
	x->argv = NULL;
	x->argc = 0;
}

void as_event_clear(struct as_event *ev)
{
	switch (ev->kind) {
	case AS_EV_EXEC:
		free(ev->u.exec.filename);
		free_argv(&ev->u.exec);
		break;
	case AS_EV_FILE_OPEN:
	case AS_EV_FILE_WRITE:
	case AS_EV_FILE_UNLINK:
	case AS_EV_FILE_RENAME:
		free(ev->u.file.path);
		free(ev->u.file.path2);
		break;
	default:
		break;
	}
	free(ev->http.method);
	free(ev->http.host);
	free(ev->http.path);
	if (ev->llm) {
		as_llm_exchange_clear(ev->llm);
		free(ev->llm);
	}
	memset(ev, 0, sizeof(*ev));
}

void as_alert_clear(struct as_alert *al)
{
	free(al->summary);
	json_decref(al->details);
	memset(al, 0, sizeof(*al));
}

static const char *family_name(int family)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	case AF_UNIX:
		return "unix";
	default:
		return "other";
	}
}

static int family_from_name(const char *s)
{
	if (!s)
		return 0;
	if (strcmp(s, "inet") == 0)
		return AF_INET;
	if (strcmp(s, "inet6") == 0)
		return AF_INET6;
	if (strcmp(s, "unix") == 0)
		return AF_UNIX;
	return 0;
}

/* json_string of a possibly NULL, possibly non-UTF-8 C string. */
static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (!j) {
		/* Not UTF-8 (paths can be anything): keep the bytes, replace bad ones. */
		size_t n = strlen(s);
		char *copy = malloc(n + 1);
		if (!copy)
			return json_null();
		memcpy(copy, s, n + 1);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)copy[i] >= 0x80)
				copy[i] = '?';
		j = json_string(copy);
		free(copy);
	}
	return j ? j : json_null();
}

static double unix_seconds(uint64_t mono_ns, int64_t offset_ns)
{
	return (double)((int64_t)mono_ns + offset_ns) / 1e9;
}

json_t *as_event_to_json(const struct as_event *ev, int64_t walltime_offset_ns)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	json_object_set_new(j, "id", json_integer((json_int_t)ev->id));
	json_object_set_new(j, "kind", json_string(as_event_kind_name(ev->kind)));
	json_object_set_new(j, "ts", json_real(unix_seconds(ev->ts_ns, walltime_offset_ns)));
	json_object_set_new(j, "mono_ns", json_integer((json_int_t)ev->ts_ns));
	json_object_set_new(j, "pid", json_integer(ev->pid));
	json_object_set_new(j, "tid", json_integer(ev->tid));
	json_object_set_new(j, "ppid", json_integer(ev->ppid));
	char comm[sizeof(ev->comm) + 1];
	memcpy(comm, ev->comm, sizeof(ev->comm));
	comm[sizeof(ev->comm)] = 0;
	json_object_set_new(j, "comm", jstr(comm));

	switch (ev->kind) {
	case AS_EV_FORK:
		json_object_set_new(j, "child_pid", json_integer(ev->u.fork.child_pid));
		break;
	case AS_EV_EXEC: {
		json_object_set_new(j, "filename", jstr(ev->u.exec.filename));
		json_t *argv = json_array();
		for (size_t i = 0; argv && i < ev->u.exec.argc; i++)
			json_array_append_new(argv, jstr(ev->u.exec.argv[i]));
		json_object_set_new(j, "argv", argv ? argv : json_null());
		json_object_set_new(j, "argv_truncated", json_boolean(ev->u.exec.argv_truncated));
		json_object_set_new(j, "uid", json_integer(ev->u.exec.uid));
		break;
	}
	case AS_EV_EXIT:
		json_object_set_new(j, "code", json_integer(ev->u.exit.code));
		json_object_set_new(j, "signal", json_integer(ev->u.exit.signal));
		json_object_set_new(j, "duration_ns",
				    json_integer((json_int_t)ev->u.exit.duration_ns));
		break;
	case AS_EV_FILE_OPEN:
	case AS_EV_FILE_WRITE:
	case AS_EV_FILE_UNLINK:
	case AS_EV_FILE_RENAME:
		json_object_set_new(j, "path", jstr(ev->u.file.path));
		json_object_set_new(j, "path2", jstr(ev->u.file.path2));
		json_object_set_new(j, "resolved", json_boolean(ev->u.file.path_resolved));
		json_object_set_new(j, "ret", json_integer((json_int_t)ev->u.file.ret));
		json_object_set_new(j, "bytes", json_integer((json_int_t)ev->u.file.bytes));
		json_object_set_new(j, "flags", json_integer(ev->u.file.flags));
		json_object_set_new(j, "writes", json_integer(ev->u.file.writes));
		break;
	case AS_EV_NET_CONNECT:
	case AS_EV_NET_ACCEPT:
	case AS_EV_NET_BIND:
		json_object_set_new(j, "family", json_string(family_name(ev->u.net.family)));
		json_object_set_new(j, "addr", jstr(ev->u.net.addr));
		json_object_set_new(j, "port", json_integer(ev->u.net.port));
		json_object_set_new(j, "ret", json_integer(ev->u.net.ret));
		break;
	default: /* AS_EV_HTTP and AS_EV_LLM carry their fields below */
		break;
	}
	if (ev->kind == AS_EV_HTTP || ev->kind == AS_EV_LLM) {
		const struct as_event_http *h = &ev->http;
		json_t *hj = json_object();
		if (hj) {
			json_object_set_new(hj, "method", jstr(h->method));
			json_object_set_new(hj, "host", jstr(h->host));
			json_object_set_new(hj, "path", jstr(h->path));
			json_object_set_new(hj, "status", json_integer(h->status));
			json_object_set_new(hj, "version", json_integer(h->version));
			json_object_set_new(hj, "request_bytes",
					    json_integer((json_int_t)h->request_bytes));
			json_object_set_new(hj, "response_bytes",
					    json_integer((json_int_t)h->response_bytes));
			json_object_set_new(hj, "conn", json_integer((json_int_t)h->conn));
			json_object_set_new(hj, "request_mono_ns",
					    json_integer((json_int_t)h->request_ts_ns));
			json_object_set_new(hj, "truncated", json_boolean(h->truncated));
			json_object_set_new(j, "http", hj);
		}
	}
	if (ev->kind == AS_EV_LLM && ev->llm) {
		json_t *x = as_llm_exchange_to_json(ev->llm);
		json_object_set_new(j, "exchange", x ? x : json_null());
	}
	return j;
}

/* Typed getters for from_json: a missing key gives the zero value, a key of
 * the wrong type is an error. */
struct reader {
	const json_t *obj;
	char *err;
	size_t errlen;
	bool failed;
};

static void bad(struct reader *r, const char *key, const char *want)
{
	if (!r->failed)
		snprintf(r->err, r->errlen, "event field '%s' is not %s", key, want);
	r->failed = true;
}

static int64_t get_int(struct reader *r, const char *key)
{
	json_t *v = json_object_get(r->obj, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v)) {
		bad(r, key, "an integer");
		return 0;
	}
	return json_integer_value(v);
}

static bool get_bool(struct reader *r, const char *key)
{
	json_t *v = json_object_get(r->obj, key);
	if (!v || json_is_null(v))
		return false;
	if (!json_is_boolean(v)) {
		bad(r, key, "a boolean");
		return false;
	}
	return json_is_true(v);
}

static char *get_str(struct reader *r, const char *key)
{
	json_t *v = json_object_get(r->obj, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		bad(r, key, "a string");
		return NULL;
	}
	char *s = strdup(json_string_value(v));
	if (!s)
		bad(r, key, "allocatable");
	return s;
}

int as_event_from_json(struct as_event *ev, const json_t *j, int64_t walltime_offset_ns, char *err,
		       size_t errlen)
{
	(void)walltime_offset_ns;
	memset(ev, 0, sizeof(*ev));
	if (!json_is_object(j)) {
		snprintf(err, errlen, "event is not a JSON object");
		return -1;
	}
	struct reader r = {.obj = j, .err = err, .errlen = errlen};
	const char *kind = json_string_value(json_object_get(j, "kind"));
	ev->kind = as_event_kind_from_name(kind);
	if (!ev->kind) {
		snprintf(err, errlen, "event kind '%s' is unknown", kind ? kind : "(none)");
		return -1;
	}
	ev->id = (uint64_t)get_int(&r, "id");
	ev->ts_ns = (uint64_t)get_int(&r, "mono_ns");
	ev->pid = (int)get_int(&r, "pid");
	ev->tid = (int)get_int(&r, "tid");
	ev->ppid = (int)get_int(&r, "ppid");
	char *comm = get_str(&r, "comm");
	if (comm) {
		strncpy(ev->comm, comm, sizeof(ev->comm) - 1);
		free(comm);
	}
	switch (ev->kind) {
	case AS_EV_FORK:
		ev->u.fork.child_pid = (int)get_int(&r, "child_pid");
		break;
	case AS_EV_EXEC: {
		ev->u.exec.filename = get_str(&r, "filename");
		ev->u.exec.argv_truncated = get_bool(&r, "argv_truncated");
		ev->u.exec.uid = (uint32_t)get_int(&r, "uid");
		json_t *argv = json_object_get(j, "argv");
		if (argv && !json_is_null(argv)) {
			if (!json_is_array(argv)) {
				bad(&r, "argv", "an array");
				break;
			}
			size_t n = json_array_size(argv);
			ev->u.exec.argv = calloc(n + 1, sizeof(char *));
			if (!ev->u.exec.argv) {
				bad(&r, "argv", "allocatable");
				break;
			}
			for (size_t i = 0; i < n; i++) {
				const char *a = json_string_value(json_array_get(argv, i));
				if (!a) {
					bad(&r, "argv", "an array of strings");
					break;
				}
				ev->u.exec.argv[i] = strdup(a);
				ev->u.exec.argc = i + 1;
			}
		}
		break;
	}
	case AS_EV_EXIT:
		ev->u.exit.code = (int)get_int(&r, "code");
		ev->u.exit.signal = (int)get_int(&r, "signal");
		ev->u.exit.duration_ns = (uint64_t)get_int(&r, "duration_ns");
		break;
	case AS_EV_FILE_OPEN:
	case AS_EV_FILE_WRITE:
	case AS_EV_FILE_UNLINK:
	case AS_EV_FILE_RENAME:
		ev->u.file.path = get_str(&r, "path");
		ev->u.file.path2 = get_str(&r, "path2");
		ev->u.file.path_resolved = get_bool(&r, "resolved");
		ev->u.file.ret = get_int(&r, "ret");
		ev->u.file.bytes = (uint64_t)get_int(&r, "bytes");
		ev->u.file.flags = (uint32_t)get_int(&r, "flags");
		ev->u.file.writes = (uint32_t)get_int(&r, "writes");
		break;
	case AS_EV_NET_CONNECT:
	case AS_EV_NET_ACCEPT:
	case AS_EV_NET_BIND: {
		char *fam = get_str(&r, "family");
		ev->u.net.family = family_from_name(fam);
		free(fam);
		char *addr = get_str(&r, "addr");
		if (addr) {
			strncpy(ev->u.net.addr, addr, sizeof(ev->u.net.addr) - 1);
			free(addr);
		}
		ev->u.net.port = (int)get_int(&r, "port");
		ev->u.net.ret = (int)get_int(&r, "ret");
		break;
	}
	default:
		break;
	}
	if (!r.failed && (ev->kind == AS_EV_HTTP || ev->kind == AS_EV_LLM)) {
		json_t *hj = json_object_get(j, "http");
		if (hj && !json_is_object(hj)) {
			bad(&r, "http", "an object");
		} else if (hj) {
			struct reader hr = {.obj = hj, .err = err, .errlen = errlen};
			ev->http.method = get_str(&hr, "method");
			ev->http.host = get_str(&hr, "host");
			ev->http.path = get_str(&hr, "path");
			ev->http.status = (int)get_int(&hr, "status");
			ev->http.version = (int)get_int(&hr, "version");
			ev->http.request_bytes = (uint64_t)get_int(&hr, "request_bytes");
			ev->http.response_bytes = (uint64_t)get_int(&hr, "response_bytes");
			ev->http.conn = (uint64_t)get_int(&hr, "conn");
			ev->http.request_ts_ns = (uint64_t)get_int(&hr, "request_mono_ns");
			ev->http.truncated = get_bool(&hr, "truncated");
			r.failed |= hr.failed;
		}
	}
	if (!r.failed && ev->kind == AS_EV_LLM) {
		json_t *x = json_object_get(j, "exchange");
		if (x && !json_is_null(x)) {
			ev->llm = calloc(1, sizeof(*ev->llm));
			if (!ev->llm) {
				bad(&r, "exchange", "allocatable");
			} else {
				char inner[200];
				if (as_llm_exchange_from_json(ev->llm, x, inner, sizeof(inner)) !=
				    0) {
					snprintf(err, errlen, "event exchange: %s", inner);
					r.failed = true;
				}
			}
		}
	}
	if (r.failed) {
		as_event_clear(ev);
		return -1;
	}
	return 0;
}

json_t *as_link_to_json(const struct as_link *l)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	json_object_set_new(j, "llm_event", json_integer((json_int_t)l->llm_event_id));
	json_object_set_new(j, "event", json_integer((json_int_t)l->event_id));
	json_object_set_new(j, "score", json_real(l->score));
	json_object_set_new(j, "reasons", jstr(l->reasons));
	return j;
}

json_t *as_alert_to_json(const struct as_alert *al, int64_t walltime_offset_ns)
{
	json_t *j = json_object();
	if (!j)
		return NULL;
	json_object_set_new(j, "id", json_integer((json_int_t)al->id));
	json_object_set_new(j, "kind", json_string(as_alert_kind_name(al->kind)));
	json_object_set_new(j, "ts", json_real(unix_seconds(al->ts_ns, walltime_offset_ns)));
	json_object_set_new(j, "mono_ns", json_integer((json_int_t)al->ts_ns));
	json_object_set_new(j, "pid", json_integer(al->pid));
	json_object_set_new(j, "severity", jstr(al->severity));
	json_object_set_new(j, "summary", jstr(al->summary));
	json_object_set_new(j, "details", al->details ? json_incref(al->details) : json_null());
	json_t *ev = json_array();
	for (size_t i = 0; ev && i < al->n_evidence; i++)
		json_array_append_new(ev, json_integer((json_int_t)al->evidence[i]));
	json_object_set_new(j, "evidence", ev ? ev : json_null());
	return j;
}
