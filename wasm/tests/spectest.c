/* spectest: runs one WebAssembly spec test file, as converted by wabt's
 * wast2json (a JSON list of commands beside the .wasm modules it names),
 * against the Isthmus runtime.
 *
 * Every command is executed: module, register, action, assert_return (with
 * nan:canonical / nan:arithmetic and references), assert_trap,
 * assert_exhaustion, assert_invalid, assert_malformed, assert_unlinkable and
 * assert_uninstantiable. Modules given only as text (.wat) cannot be loaded
 * by a binary runtime: they are counted as skipped. The host module
 * `spectest` (print functions, globals, a table and a memory) is provided as
 * the spec's reference interpreter does.
 *
 * Usage: wasm_spectest FILE.json [--wasm-1.0]  (the 1.0 set is run with
 * the runtime's 1.0 feature level; prints passes/fails/skips; exit 0 only
 * when nothing failed; 77 with SKIPPED when the file could not be made).
 */
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"

struct named {
	char *name;
	wasm_instance *inst;
};

struct run {
	const char *dir;
	const char *file;
	wasm_imports *im;
	wasm_exec *ex;
	wasm_instance *cur;
	struct named *names;
	size_t nnames;
	wasm_instance **all;
	size_t nall;
	wasm_module **mods;
	size_t nmods;
	int pass, fail, skip;
	bool verbose;
	int features;
};

static void failf(struct run *r, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void failf(struct run *r, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL %s:%d: ", r->file, line);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	r->fail++;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* ---- the spectest host module -------------------------------------------------- */

static wasm_result host_print(wasm_exec *ex, void *env, const uint64_t *args, uint64_t *res)
{
	(void)ex;
	(void)env;
	(void)args;
	(void)res;
	return WASM_OK;
}

static void add_spectest(wasm_imports *im)
{
	static const struct {
		const char *name, *sig;
	} prints[] = {
		{"print", ":"},		  {"print_i32", "i:"}, {"print_i64", "I:"},
		{"print_f32", "f:"},	  {"print_f64", "F:"}, {"print_i32_f32", "if:"},
		{"print_f64_f64", "FF:"},
	};
	for (size_t i = 0; i < sizeof(prints) / sizeof(prints[0]); i++)
		wasm_imports_add_func_sig(im, "spectest", prints[i].name, prints[i].sig, host_print,
					  NULL);
	wasm_global *g;
	g = wasm_global_new(wasm_val_i32(666), false);
	wasm_imports_add_global(im, "spectest", "global_i32", g);
	wasm_global_free(g);
	g = wasm_global_new(wasm_val_i64(666), false);
	wasm_imports_add_global(im, "spectest", "global_i64", g);
	wasm_global_free(g);
	g = wasm_global_new(wasm_val_f32(666.6f), false);
	wasm_imports_add_global(im, "spectest", "global_f32", g);
	wasm_global_free(g);
	g = wasm_global_new(wasm_val_f64(666.6), false);
	wasm_imports_add_global(im, "spectest", "global_f64", g);
	wasm_global_free(g);
	wasm_table *t = wasm_table_new(WASM_FUNCREF, (wasm_limits){10, 20, true}, 0);
	wasm_imports_add_table(im, "spectest", "table", t);
	wasm_table_free(t);
	wasm_memory *m = wasm_memory_new((wasm_limits){1, 2, true}, 0);
	wasm_imports_add_memory(im, "spectest", "memory", m);
	wasm_memory_free(m);
}

/* ---- values ------------------------------------------------------------------- */

/* The host reference `ref.extern n` of the spec tests, as a non-null pointer. */
static void *hostref(unsigned long long n)
{
	return (void *)(uintptr_t)(n + 1); // NOLINT(performance-no-int-to-ptr)
}

static uint8_t type_of(const char *t)
{
	if (!strcmp(t, "i32"))
		return WASM_I32;
	if (!strcmp(t, "i64"))
		return WASM_I64;
	if (!strcmp(t, "f32"))
		return WASM_F32;
	if (!strcmp(t, "f64"))
		return WASM_F64;
	if (!strcmp(t, "funcref"))
		return WASM_FUNCREF;
	if (!strcmp(t, "externref"))
		return WASM_EXTERNREF;
	if (!strcmp(t, "v128"))
		return WASM_V128;
	return 0;
}

/* An argument; returns -1 when it cannot be expressed (v128). */
static int parse_val(json_t *j, wasm_val *v)
{
	const char *t = json_string_value(json_object_get(j, "type"));
	const char *s = json_string_value(json_object_get(j, "value"));
	if (!t)
		return -1;
	memset(v, 0, sizeof(*v));
	v->type = type_of(t);
	switch (v->type) {
	case WASM_I32:
	case WASM_F32:
		v->of.f32_bits = (uint32_t)strtoull(s ? s : "0", NULL, 10);
		return 0;
	case WASM_I64:
	case WASM_F64:
		v->of.f64_bits = strtoull(s ? s : "0", NULL, 10);
		return 0;
	case WASM_EXTERNREF:
		v->of.ref = (!s || !strcmp(s, "null")) ? NULL : hostref(strtoull(s, NULL, 10));
		return 0;
	case WASM_FUNCREF:
		v->of.func = NULL;
		return (!s || !strcmp(s, "null")) ? 0 : -1;
	default:
		return -1;
	}
}

static bool match(json_t *exp, const wasm_val *got, char *why, size_t wl)
{
	const char *t = json_string_value(json_object_get(exp, "type"));
	const char *s = json_string_value(json_object_get(exp, "value"));
	uint8_t ty = t ? type_of(t) : 0;
	if (ty != got->type) {
		snprintf(why, wl, "type %s expected, got 0x%02x", t ? t : "?", got->type);
		return false;
	}
	switch (ty) {
	case WASM_I32:
		if (got->of.f32_bits != (uint32_t)strtoull(s, NULL, 10)) {
			snprintf(why, wl, "i32 %s expected, got %u", s, got->of.f32_bits);
			return false;
		}
		return true;
	case WASM_I64:
		if (got->of.f64_bits != strtoull(s, NULL, 10)) {
			snprintf(why, wl, "i64 %s expected, got %llu", s,
				 (unsigned long long)got->of.f64_bits);
			return false;
		}
		return true;
	case WASM_F32: {
		uint32_t b = got->of.f32_bits;
		bool ok;
		if (!strcmp(s, "nan:canonical"))
			ok = (b & 0x7fffffffu) == 0x7fc00000u;
		else if (!strcmp(s, "nan:arithmetic"))
			ok = (b & 0x7fc00000u) == 0x7fc00000u;
		else
			ok = b == (uint32_t)strtoull(s, NULL, 10);
		if (!ok)
			snprintf(why, wl, "f32 %s expected, got bits %u", s, b);
		return ok;
	}
	case WASM_F64: {
		uint64_t b = got->of.f64_bits;
		bool ok;
		if (!strcmp(s, "nan:canonical"))
			ok = (b & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
		else if (!strcmp(s, "nan:arithmetic"))
			ok = (b & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
		else
			ok = b == strtoull(s, NULL, 10);
		if (!ok)
			snprintf(why, wl, "f64 %s expected, got bits %llu", s,
				 (unsigned long long)b);
		return ok;
	}
	case WASM_EXTERNREF: {
		void *want = (!s || !strcmp(s, "null")) ? NULL : hostref(strtoull(s, NULL, 10));
		if (got->of.ref != want) {
			snprintf(why, wl, "externref %s expected", s ? s : "?");
			return false;
		}
		return true;
	}
	case WASM_FUNCREF: {
		bool null = !s || !strcmp(s, "null");
		if (null != (got->of.func == NULL)) {
			snprintf(why, wl, "funcref %s expected", s ? s : "?");
			return false;
		}
		return true;
	}
	default:
		snprintf(why, wl, "unsupported type %s", t ? t : "?");
		return false;
	}
}

/* ---- modules and actions ------------------------------------------------------- */

static wasm_instance *find_inst(struct run *r, json_t *name)
{
	const char *n = json_string_value(name);
	if (!n)
		return r->cur;
	for (size_t i = r->nnames; i-- > 0;)
		if (!strcmp(r->names[i].name, n))
			return r->names[i].inst;
	return NULL;
}

static bool is_text(json_t *cmd)
{
	const char *mt = json_string_value(json_object_get(cmd, "module_type"));
	const char *fn = json_string_value(json_object_get(cmd, "filename"));
	if (mt && !strcmp(mt, "text"))
		return true;
	size_t l = fn ? strlen(fn) : 0;
	return l > 4 && !strcmp(fn + l - 4, ".wat");
}

static wasm_module *load(struct run *r, json_t *cmd, char *err, size_t errlen)
{
	const char *fn = json_string_value(json_object_get(cmd, "filename"));
	if (!fn) {
		snprintf(err, errlen, "no filename");
		return NULL;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", r->dir, fn);
	size_t len = 0;
	uint8_t *b = read_file(path, &len);
	if (!b) {
		snprintf(err, errlen, "cannot read %.200s: %s", fn, strerror(errno));
		return NULL;
	}
	wasm_module *m = wasm_module_new_features(b, len, r->features, err, errlen);
	free(b);
	return m;
}

static void keep_module(struct run *r, wasm_module *m)
{
	r->mods = realloc(r->mods, (r->nmods + 1) * sizeof(void *));
	r->mods[r->nmods++] = m;
}

static void keep_inst(struct run *r, wasm_instance *i)
{
	r->all = realloc(r->all, (r->nall + 1) * sizeof(void *));
	r->all[r->nall++] = i;
}

/* Instantiates and runs start; returns the instance, or NULL with *res the
 * failure (WASM_ERROR for a link error). */
static wasm_instance *instantiate(struct run *r, wasm_module *m, wasm_result *res, char *err,
				  size_t errlen)
{
	wasm_instance *inst = wasm_instance_new(m, r->im, NULL, err, errlen);
	if (!inst) {
		*res = WASM_ERROR;
		return NULL;
	}
	keep_inst(r, inst);
	*res = wasm_instance_start(inst, r->ex);
	if (*res != WASM_OK) {
		snprintf(err, errlen, "%s", wasm_exec_message(r->ex));
		return NULL;
	}
	return inst;
}

/* Runs an action; returns its result and fills results (at most 64). */
static wasm_result action(struct run *r, json_t *act, wasm_val *results, uint32_t *nres, char *why,
			  size_t wl)
{
	const char *type = json_string_value(json_object_get(act, "type"));
	const char *field = json_string_value(json_object_get(act, "field"));
	wasm_instance *inst = find_inst(r, json_object_get(act, "module"));
	*nres = 0;
	if (!inst || !field || !type) {
		snprintf(why, wl, "no such module");
		return WASM_ERROR;
	}
	size_t flen = json_string_length(json_object_get(act, "field"));
	wasm_extern x;
	bool found = wasm_instance_export_n(inst, field, flen, &x) == 0;
	if (!strcmp(type, "get")) {
		if (!found || x.kind != WASM_EXTERN_GLOBAL) {
			snprintf(why, wl, "no global %s", field);
			return WASM_ERROR;
		}
		results[0] = wasm_global_get(x.of.global);
		*nres = 1;
		return WASM_OK;
	}
	wasm_func *f = found && x.kind == WASM_EXTERN_FUNC ? x.of.func : NULL;
	if (!f) {
		snprintf(why, wl, "no function %s", field);
		return WASM_ERROR;
	}
	json_t *args = json_object_get(act, "args");
	size_t na = json_array_size(args);
	wasm_val av[64];
	if (na > 64) {
		snprintf(why, wl, "too many arguments");
		return WASM_ERROR;
	}
	for (size_t i = 0; i < na; i++) {
		if (parse_val(json_array_get(args, i), &av[i]) < 0) {
			snprintf(why, wl, "unsupported argument");
			return WASM_ERROR;
		}
	}
	const wasm_functype *ft = wasm_func_type(f);
	if (ft->nresults > 64) {
		snprintf(why, wl, "too many results");
		return WASM_ERROR;
	}
	wasm_result res = wasm_call(r->ex, f, av, (uint32_t)na, results, ft->nresults);
	*nres = ft->nresults;
	if (res != WASM_OK)
		snprintf(why, wl, "%s: %s", wasm_result_name(res), wasm_exec_message(r->ex));
	return res;
}

static bool has_v128(json_t *cmd)
{
	json_t *a;
	size_t i;
	json_array_foreach(json_object_get(cmd, "expected"), i, a)
	{
		const char *t = json_string_value(json_object_get(a, "type"));
		if (t && !strcmp(t, "v128"))
			return true;
	}
	json_array_foreach(json_object_get(json_object_get(cmd, "action"), "args"), i, a)
	{
		const char *t = json_string_value(json_object_get(a, "type"));
		if (t && !strcmp(t, "v128"))
			return true;
	}
	return false;
}

static void command(struct run *r, json_t *cmd)
{
	const char *type = json_string_value(json_object_get(cmd, "type"));
	int line = (int)json_integer_value(json_object_get(cmd, "line"));
	char err[512] = "";
	if (!type) {
		failf(r, line, "command without type");
		return;
	}
	if (!strcmp(type, "module")) {
		if (is_text(cmd)) {
			r->skip++;
			return;
		}
		wasm_module *m = load(r, cmd, err, sizeof(err));
		if (!m) {
			failf(r, line, "module did not load: %s", err);
			r->cur = NULL;
			return;
		}
		keep_module(r, m);
		wasm_result res;
		wasm_instance *inst = instantiate(r, m, &res, err, sizeof(err));
		if (!inst) {
			failf(r, line, "module did not instantiate: %s", err);
			r->cur = NULL;
			return;
		}
		r->cur = inst;
		const char *name = json_string_value(json_object_get(cmd, "name"));
		if (name) {
			r->names = realloc(r->names, (r->nnames + 1) * sizeof(*r->names));
			r->names[r->nnames].name = strdup(name);
			r->names[r->nnames++].inst = inst;
		}
		r->pass++;
	} else if (!strcmp(type, "register")) {
		wasm_instance *inst = find_inst(r, json_object_get(cmd, "name"));
		const char *as = json_string_value(json_object_get(cmd, "as"));
		if (!inst || !as || wasm_imports_add_instance(r->im, as, inst) < 0) {
			failf(r, line, "register failed");
			return;
		}
		r->pass++;
	} else if (!strcmp(type, "action") || !strcmp(type, "assert_return")) {
		if (has_v128(cmd)) {
			r->skip++;
			return;
		}
		wasm_val res[64];
		uint32_t n;
		wasm_result rc =
			action(r, json_object_get(cmd, "action"), res, &n, err, sizeof(err));
		if (rc != WASM_OK) {
			failf(r, line, "%s", err);
			return;
		}
		if (!strcmp(type, "action")) {
			r->pass++;
			return;
		}
		json_t *exp = json_object_get(cmd, "expected");
		if (json_array_size(exp) != n) {
			failf(r, line, "%zu results expected, got %u", json_array_size(exp), n);
			return;
		}
		for (uint32_t i = 0; i < n; i++) {
			json_t *e = json_array_get(exp, i);
			/* either of several values (not in these sets, but cheap) */
			json_t *either = json_object_get(e, "either");
			bool ok = false;
			if (either) {
				json_t *alt;
				size_t k;
				json_array_foreach(either, k, alt)
				{
					if (match(alt, &res[i], err, sizeof(err)))
						ok = true;
				}
			} else {
				ok = match(e, &res[i], err, sizeof(err));
			}
			if (!ok) {
				failf(r, line, "result %u: %s", i, err);
				return;
			}
		}
		r->pass++;
	} else if (!strcmp(type, "assert_trap") || !strcmp(type, "assert_exhaustion")) {
		if (has_v128(cmd)) {
			r->skip++;
			return;
		}
		const char *text = json_string_value(json_object_get(cmd, "text"));
		wasm_val res[64];
		uint32_t n;
		wasm_result rc =
			action(r, json_object_get(cmd, "action"), res, &n, err, sizeof(err));
		if (rc != WASM_TRAP) {
			failf(r, line, "trap \"%s\" expected, got %s", text ? text : "",
			      rc == WASM_OK ? "a result" : err);
			return;
		}
		const char *msg = wasm_exec_message(r->ex);
		if (text && !strstr(msg, text) && !strstr(text, msg)) {
			failf(r, line, "trap \"%s\" expected, got \"%s\"", text, msg);
			return;
		}
		r->pass++;
	} else if (!strcmp(type, "assert_invalid") || !strcmp(type, "assert_malformed")) {
		if (is_text(cmd)) {
			r->skip++;
			return;
		}
		wasm_module *m = load(r, cmd, err, sizeof(err));
		if (m) {
			failf(r, line, "%s module accepted (%s)", type + 7,
			      json_string_value(json_object_get(cmd, "text")));
			wasm_module_free(m);
			return;
		}
		if (r->verbose)
			printf("ok %s:%d: %s / %s\n", r->file, line,
			       json_string_value(json_object_get(cmd, "text")), err);
		r->pass++;
	} else if (!strcmp(type, "assert_unlinkable") || !strcmp(type, "assert_uninstantiable")) {
		if (is_text(cmd)) {
			r->skip++;
			return;
		}
		wasm_module *m = load(r, cmd, err, sizeof(err));
		if (!m) {
			failf(r, line, "module did not load: %s", err);
			return;
		}
		keep_module(r, m);
		wasm_result res;
		wasm_instance *inst = instantiate(r, m, &res, err, sizeof(err));
		if (inst) {
			failf(r, line, "%s module instantiated", type + 7);
			return;
		}
		bool link = !strcmp(type, "assert_unlinkable");
		if (link && res != WASM_ERROR) {
			failf(r, line, "link error expected, got %s", err);
			return;
		}
		r->pass++;
	} else {
		failf(r, line, "unknown command %s", type);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE.json [-v] [--wasm-1.0]\n", argv[0]);
		return 2;
	}
	json_error_t jerr;
	json_t *root = json_load_file(argv[1], JSON_ALLOW_NUL, &jerr);
	if (!root) {
		printf("SKIPPED: cannot read %s (%s): the spec data (../shared/data/wasm-spec) "
		       "or wast2json (Debian's wabt) is missing\n",
		       argv[1], jerr.text);
		return 77;
	}
	if (json_object_get(root, "skipped")) {
		printf("SKIPPED: %s\n", json_string_value(json_object_get(root, "skipped")));
		json_decref(root);
		return 77;
	}
	char *p1 = strdup(argv[1]), *p2 = strdup(argv[1]);
	struct run r = {0};
	r.dir = dirname(p1);
	r.file = basename(p2);
	r.features = WASM_FEATURES_2_0;
	for (int k = 2; k < argc; k++) {
		if (!strcmp(argv[k], "-v"))
			r.verbose = true;
		else if (!strcmp(argv[k], "--wasm-1.0"))
			r.features = WASM_FEATURES_1_0;
	}
	r.im = wasm_imports_new();
	add_spectest(r.im);
	wasm_config cfg = {.max_call_depth = 10000, .stack_bytes = 64u << 20};
	r.ex = wasm_exec_new(&cfg);
	json_t *cmds = json_object_get(root, "commands");
	json_t *cmd;
	size_t i;
	json_array_foreach(cmds, i, cmd) command(&r, cmd);
	printf("%s: %d passed, %d failed, %d skipped\n", r.file, r.pass, r.fail, r.skip);
	wasm_exec_free(r.ex);
	wasm_imports_free(r.im);
	for (size_t k = 0; k < r.nall; k++)
		wasm_instance_free(r.all[k]);
	for (size_t k = 0; k < r.nmods; k++)
		wasm_module_free(r.mods[k]);
	for (size_t k = 0; k < r.nnames; k++)
		free(r.names[k].name);
	free(r.names);
	free(r.all);
	free(r.mods);
	free(p1);
	free(p2);
	json_decref(root);
	return r.fail ? 1 : 0;
}
