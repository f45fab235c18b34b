/* instance.c: imports objects, instances, and the memories, tables, globals
 * and functions they are made of.
 *
 * Memories, tables and globals are reference-counted objects shared by the
 * instances and imports objects that name them. Instances are counted too:
 * an instance importing another's function holds a reference on it. When
 * instantiation fails in segment initialisation, the functions already
 * written into imported tables stay callable (the spec requires it): such a
 * table keeps the failed instance alive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_internal.h"

/* ---- values ------------------------------------------------------------------ */

uint64_t wasm_val_to_slot(const wasm_val *v)
{
	switch (v->type) {
	case WASM_I32:
	case WASM_F32:
		return v->of.f32_bits;
	case WASM_I64:
	case WASM_F64:
		return v->of.f64_bits;
	case WASM_FUNCREF:
		return (uint64_t)(uintptr_t)v->of.func;
	case WASM_EXTERNREF:
		return (uint64_t)(uintptr_t)v->of.ref;
	default:
		return 0;
	}
}

wasm_val wasm_val_from_slot(wasm_valtype t, uint64_t s)
{
	wasm_val v;
	memset(&v, 0, sizeof(v));
	v.type = (uint8_t)t;
	switch (t) {
	case WASM_I32:
	case WASM_F32:
		v.of.f32_bits = (uint32_t)s;
		break;
	case WASM_FUNCREF:
		v.of.func = slot_ptr(s);
		break;
	case WASM_EXTERNREF:
		v.of.ref = slot_ptr(s);
		break;
	default:
		v.of.f64_bits = s;
		break;
	}
	return v;
}

bool wasm_functype_eq(const wasm_functype *a, const wasm_functype *b)
{
	return a->nparams == b->nparams && a->nresults == b->nresults &&
	       (!a->nparams || !memcmp(a->params, b->params, a->nparams)) &&
	       (!a->nresults || !memcmp(a->results, b->results, a->nresults));
}

/* ---- memories ---------------------------------------------------------------- */

static wasm_memory g_empty_memory = {.refcount = 1};

wasm_memory *wasm_memory_new(wasm_limits l, uint32_t max_pages)
{
	if (!max_pages || max_pages > WASM_MAX_PAGES)
		max_pages = WASM_MAX_PAGES;
	if (l.min > max_pages || (l.has_max && l.min > l.max))
		return NULL;
	wasm_memory *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->refcount = 1;
	m->pages = l.min;
	m->size = (uint64_t)l.min * WASM_PAGE;
	m->has_max = l.has_max;
	m->decl_max = l.max;
	m->decl_min = l.min;
	m->max = l.has_max ? (l.max < max_pages ? l.max : max_pages) : max_pages;
	if (m->size) {
		m->data = calloc(1, m->size);
		if (!m->data) {
			free(m);
			return NULL;
		}
	}
	return m;
}

void wasm_memory_free(wasm_memory *m)
{
	if (!m || m == &g_empty_memory || --m->refcount > 0)
		return;
	free(m->data);
	free(m->dirty);
	free(m);
}

uint8_t *wasm_memory_data(const wasm_memory *m)
{
	return m->data;
}

uint64_t wasm_memory_size(const wasm_memory *m)
{
	return m->size;
}

uint32_t wasm_memory_pages(const wasm_memory *m)
{
	return m->pages;
}

int64_t wasm_memory_grow(wasm_memory *m, uint32_t delta)
{
	uint32_t old = m->pages;
	if (delta == 0)
		return old;
	if ((uint64_t)old + delta > m->max || m == &g_empty_memory)
		return -1;
	uint64_t nsize = (uint64_t)(old + delta) * WASM_PAGE;
	if (nsize > SIZE_MAX)
		return -1;
	uint8_t *nd = realloc(m->data, (size_t)nsize);
	if (!nd)
		return -1;
	memset(nd + m->size, 0, (size_t)(nsize - m->size));
	m->data = nd;
	/* the new pages exist now: a receiver that has not seen them must */
	wasm_mem_dirty(m, m->size, nsize - m->size);
	m->size = nsize;
	m->pages = old + delta;
	return old;
}

int wasm_memory_read(const wasm_memory *m, uint64_t off, void *dst, size_t len)
{
	if (!wasm_bounds_ok(m->size, off, len))
		return -1;
	if (len)
		memcpy(dst, m->data + off, len);
	return 0;
}

int wasm_memory_write(wasm_memory *m, uint64_t off, const void *src, size_t len)
{
	if (!wasm_bounds_ok(m->size, off, len))
		return -1;
	if (len)
		memcpy(m->data + off, src, len);
	wasm_mem_dirty(m, off, len);
	return 0;
}

wasm_limits wasm_memory_limits(const wasm_memory *m)
{
	return (wasm_limits){
		.min = m->decl_min, .max = m->has_max ? m->decl_max : 0, .has_max = m->has_max};
}

uint32_t wasm_memory_max_pages(const wasm_memory *m)
{
	return m->max;
}

int wasm_memory_mark_dirty(wasm_memory *m, uint64_t off, uint64_t len)
{
	if (!wasm_bounds_ok(m->size, off, len))
		return -1;
	wasm_mem_dirty(m, off, len);
	return 0;
}

/* ---- tables ------------------------------------------------------------------ */

struct table_keep {
	wasm_table t;
	wasm_instance **keep;
	uint32_t nkeep;
};

wasm_table *wasm_table_new(uint8_t elem, wasm_limits l, uint32_t max_elems)
{
	if (!max_elems)
		max_elems = WASM_MAX_TABLE_DEFAULT;
	if ((elem != WASM_FUNCREF && elem != WASM_EXTERNREF) || l.min > max_elems ||
	    (l.has_max && l.min > l.max))
		return NULL;
	struct table_keep *tk = calloc(1, sizeof(*tk));
	if (!tk)
		return NULL;
	wasm_table *t = &tk->t;
	t->refcount = 1;
	t->elem = elem;
	t->size = l.min;
	t->has_max = l.has_max;
	t->max = l.has_max ? (l.max < max_elems ? l.max : max_elems) : max_elems;
	t->elems = calloc(l.min ? l.min : 1, 8);
	if (!t->elems) {
		free(tk);
		return NULL;
	}
	return t;
}

void wasm_table_free(wasm_table *t)
{
	if (!t || --t->refcount > 0)
		return;
	struct table_keep *tk = (struct table_keep *)t;
	free(t->elems);
	for (uint32_t i = 0; i < tk->nkeep; i++)
		wasm_instance_free(tk->keep[i]);
	free(tk->keep);
	free(tk);
}

static int table_keep(wasm_table *t, wasm_instance *inst)
{
	struct table_keep *tk = (struct table_keep *)t;
	wasm_instance **nk = realloc(tk->keep, (tk->nkeep + 1) * sizeof(void *));
	if (!nk)
		return -1;
	tk->keep = nk;
	tk->keep[tk->nkeep++] = inst;
	inst->refcount++;
	return 0;
}

uint32_t wasm_table_size(const wasm_table *t)
{
	return t->size;
}

uint8_t wasm_table_elem_type(const wasm_table *t)
{
	return t->elem;
}

int wasm_table_get(const wasm_table *t, uint32_t i, wasm_val *out)
{
	if (i >= t->size)
		return -1;
	*out = wasm_val_from_slot((wasm_valtype)t->elem, t->elems[i]);
	return 0;
}

int wasm_table_set(wasm_table *t, uint32_t i, wasm_val v)
{
	if (i >= t->size || v.type != t->elem)
		return -1;
	t->elems[i] = wasm_val_to_slot(&v);
	return 0;
}

int wasm_table_grow_raw(wasm_table *t, uint32_t delta, uint64_t init, uint32_t limit)
{
	(void)limit;
	uint32_t old = t->size;
	if ((uint64_t)old + delta > t->max)
		return -1;
	if (delta == 0)
		return (int)old;
	uint64_t *ne = realloc(t->elems, ((size_t)old + delta) * 8);
	if (!ne)
		return -1;
	for (uint32_t i = 0; i < delta; i++)
		ne[old + i] = init;
	t->elems = ne;
	t->size = old + delta;
	return (int)old;
}

int64_t wasm_table_grow(wasm_table *t, uint32_t delta, wasm_val init)
{
	if (init.type != t->elem)
		return -1;
	int r = wasm_table_grow_raw(t, delta, wasm_val_to_slot(&init), t->max);
	return r < 0 ? -1 : (int64_t)(uint32_t)r;
}

/* ---- globals ----------------------------------------------------------------- */

wasm_global *wasm_global_new(wasm_val init, bool mutable_)
{
	wasm_global *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->refcount = 1;
	g->type = init.type;
	g->mut = mutable_;
	g->val = wasm_val_to_slot(&init);
	return g;
}

void wasm_global_free(wasm_global *g)
{
	if (!g || --g->refcount > 0)
		return;
	free(g);
}

wasm_val wasm_global_get(const wasm_global *g)
{
	return wasm_val_from_slot((wasm_valtype)g->type, g->val);
}

int wasm_global_set(wasm_global *g, wasm_val v)
{
	if (!g->mut || v.type != g->type)
		return -1;
	g->val = wasm_val_to_slot(&v);
	return 0;
}

uint8_t wasm_global_type(const wasm_global *g)
{
	return g->type;
}

bool wasm_global_mutable(const wasm_global *g)
{
	return g->mut;
}

/* ---- functions --------------------------------------------------------------- */

const wasm_functype *wasm_func_type(const wasm_func *f)
{
	return f->type;
}

wasm_instance *wasm_func_instance(const wasm_func *f)
{
	return f->inst;
}

uint32_t wasm_func_index(const wasm_func *f)
{
	return f->index;
}

static void host_func_free(wasm_func *f)
{
	if (!f || --f->refcount > 0)
		return;
	free(f->own_type.buf);
	free(f);
}

/* ---- imports ----------------------------------------------------------------- */

struct imp_entry {
	char *module, *name;
	size_t module_len, name_len;
	wasm_extern ext;
};

struct wasm_imports {
	struct imp_entry *e;
	uint32_t n, cap;
};

wasm_imports *wasm_imports_new(void)
{
	return calloc(1, sizeof(wasm_imports));
}

static void extern_ref(const wasm_extern *x)
{
	switch (x->kind) {
	case WASM_EXTERN_FUNC:
		if (x->of.func->inst)
			x->of.func->inst->refcount++;
		else
			x->of.func->refcount++;
		break;
	case WASM_EXTERN_TABLE:
		x->of.table->refcount++;
		break;
	case WASM_EXTERN_MEMORY:
		if (x->of.memory != &g_empty_memory)
			x->of.memory->refcount++;
		break;
	case WASM_EXTERN_GLOBAL:
		x->of.global->refcount++;
		break;
	}
}

static void extern_unref(const wasm_extern *x)
{
	switch (x->kind) {
	case WASM_EXTERN_FUNC:
		if (x->of.func->inst)
			wasm_instance_free(x->of.func->inst);
		else
			host_func_free(x->of.func);
		break;
	case WASM_EXTERN_TABLE:
		wasm_table_free(x->of.table);
		break;
	case WASM_EXTERN_MEMORY:
		wasm_memory_free(x->of.memory);
		break;
	case WASM_EXTERN_GLOBAL:
		wasm_global_free(x->of.global);
		break;
	}
}

void wasm_imports_free(wasm_imports *im)
{
	if (!im)
		return;
	for (uint32_t i = 0; i < im->n; i++) {
		free(im->e[i].module);
		free(im->e[i].name);
		extern_unref(&im->e[i].ext);
	}
	free(im->e);
	free(im);
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

/* Adds an entry holding a new reference on ext. */
static int add_extern_n(wasm_imports *im, const char *module, size_t mlen, const char *name,
			size_t nlen, const wasm_extern *ext)
{
	if (!im || !module || !name || !ext || !ext->of.func)
		return -1;
	if (im->n == im->cap) {
		uint32_t nc = im->cap ? im->cap * 2 : 16;
		struct imp_entry *ne = realloc(im->e, nc * sizeof(*ne));
		if (!ne)
			return -1;
		im->e = ne;
		im->cap = nc;
	}
	struct imp_entry *e = &im->e[im->n];
	e->module = dup_n(module, mlen);
	e->name = dup_n(name, nlen);
	e->module_len = mlen;
	e->name_len = nlen;
	if (!e->module || !e->name) {
		free(e->module);
		free(e->name);
		return -1;
	}
	e->ext = *ext;
	extern_ref(ext);
	im->n++;
	return 0;
}

int wasm_imports_add_extern(wasm_imports *im, const char *module, const char *name,
			    const wasm_extern *ext)
{
	if (!module || !name)
		return -1;
	return add_extern_n(im, module, strlen(module), name, strlen(name), ext);
}

int wasm_imports_add_func(wasm_imports *im, const char *module, const char *name,
			  const uint8_t *params, uint32_t np, const uint8_t *results, uint32_t nr,
			  wasm_host_fn fn, void *env)
{
	if (!fn)
		return -1;
	wasm_func *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->own_type.buf = malloc((size_t)np + nr + 1);
	if (!f->own_type.buf) {
		free(f);
		return -1;
	}
	if (np)
		memcpy(f->own_type.buf, params, np);
	if (nr)
		memcpy(f->own_type.buf + np, results, nr);
	f->own_type.ft.nparams = np;
	f->own_type.ft.nresults = nr;
	f->own_type.ft.params = f->own_type.buf;
	f->own_type.ft.results = f->own_type.buf + np;
	f->type = &f->own_type.ft;
	f->host = fn;
	f->env = env;
	f->refcount = 1;
	wasm_extern x = {.kind = WASM_EXTERN_FUNC, .of.func = f};
	int r = wasm_imports_add_extern(im, module, name, &x);
	host_func_free(f); /* the entry holds it now (or nobody) */
	return r;
}

int wasm_imports_add_func_sig(wasm_imports *im, const char *module, const char *name,
			      const char *sig, wasm_host_fn fn, void *env)
{
	const char *colon = sig ? strchr(sig, ':') : NULL;
	if (!colon)
		return -1;
	size_t n = strlen(sig);
	uint8_t *buf = malloc(n + 1);
	if (!buf)
		return -1;
	uint32_t np = 0, nr = 0;
	int r = 0;
	for (const char *s = sig; *s; s++) {
		if (s == colon)
			continue;
		uint8_t t;
		switch (*s) {
		case 'i':
			t = WASM_I32;
			break;
		case 'I':
			t = WASM_I64;
			break;
		case 'f':
			t = WASM_F32;
			break;
		case 'F':
			t = WASM_F64;
			break;
		case 'r':
			t = WASM_EXTERNREF;
			break;
		case 'R':
			t = WASM_FUNCREF;
			break;
		default:
			r = -1;
			t = 0;
			break;
		}
		buf[np + nr] = t;
		if (s < colon)
			np++;
		else
			nr++;
	}
	if (r == 0)
		r = wasm_imports_add_func(im, module, name, buf, np, buf + np, nr, fn, env);
	free(buf);
	return r;
}

int wasm_imports_add_memory(wasm_imports *im, const char *module, const char *name,
			    wasm_memory *mem)
{
	wasm_extern x = {.kind = WASM_EXTERN_MEMORY, .of.memory = mem};
	return wasm_imports_add_extern(im, module, name, &x);
}

int wasm_imports_add_table(wasm_imports *im, const char *module, const char *name, wasm_table *t)
{
	wasm_extern x = {.kind = WASM_EXTERN_TABLE, .of.table = t};
	return wasm_imports_add_extern(im, module, name, &x);
}

int wasm_imports_add_global(wasm_imports *im, const char *module, const char *name, wasm_global *g)
{
	wasm_extern x = {.kind = WASM_EXTERN_GLOBAL, .of.global = g};
	return wasm_imports_add_extern(im, module, name, &x);
}

int wasm_imports_add_instance(wasm_imports *im, const char *module, wasm_instance *inst)
{
	const wasm_module *m = inst->m;
	for (uint32_t i = 0; i < m->nexports; i++) {
		wasm_extern x;
		const struct wasm_export *e = &m->exports[i];
		if (wasm_instance_export_n(inst, e->name, e->name_len, &x) < 0)
			return -1;
		if (add_extern_n(im, module, strlen(module), e->name, e->name_len, &x) < 0)
			return -1;
	}
	return 0;
}

static const struct imp_entry *find_import(const wasm_imports *im, const struct wasm_import *imp)
{
	if (!im)
		return NULL;
	for (uint32_t i = im->n; i-- > 0;) {
		const struct imp_entry *e = &im->e[i];
		if (e->module_len == imp->module_len && e->name_len == imp->name_len &&
		    !memcmp(e->module, imp->module, e->module_len) &&
		    !memcmp(e->name, imp->name, e->name_len))
			return e;
	}
	return NULL;
}

/* ---- instances --------------------------------------------------------------- */

void wasm_instance_ref(wasm_instance *inst)
{
	inst->refcount++;
}

struct inst_extra {
	wasm_instance inst;
	uint8_t *weak_tables; /* tables not to release (failed instantiation) */
};

void wasm_instance_free(wasm_instance *inst)
{
	if (!inst || --inst->refcount > 0)
		return;
	struct inst_extra *x = (struct inst_extra *)inst;
	const wasm_module *m = inst->m;
	/* keep our own bookkeeping while dropping references to others */
	inst->refcount = 1 << 30;
	if (inst->mems)
		for (uint32_t i = 0; i < m->nmems; i++)
			wasm_memory_free(inst->mems[i]);
	if (inst->tables)
		for (uint32_t i = 0; i < m->ntables; i++)
			if (!(x->weak_tables && x->weak_tables[i]))
				wasm_table_free(inst->tables[i]);
	if (inst->globals)
		for (uint32_t i = 0; i < m->nglobals; i++)
			wasm_global_free(inst->globals[i]);
	for (uint32_t i = 0; i < inst->ndeps; i++)
		wasm_instance_free(inst->deps[i]);
	for (uint32_t i = 0; i < inst->nhost_refs; i++)
		host_func_free(inst->host_refs[i]);
	if (inst->elem_items)
		for (uint32_t i = 0; i < m->nelems; i++)
			free(inst->elem_items[i]);
	free(inst->elem_items);
	free(inst->deps);
	free(inst->host_refs);
	free(inst->funcs);
	free(inst->own);
	free(inst->mems);
	free(inst->tables);
	free(inst->globals);
	free(inst->elem_dropped);
	free(inst->data_dropped);
	free(x->weak_tables);
	free(inst);
	wasm_module_free((wasm_module *)m);
}

static uint64_t eval_cexpr(const wasm_instance *inst, const struct wasm_cexpr *e)
{
	switch (e->op) {
	case 0x23:
		return inst->globals[e->v]->val;
	case 0xd2:
		return (uint64_t)(uintptr_t)inst->funcs[e->v];
	default:
		return e->v;
	}
}

static bool limits_match(wasm_limits have, uint32_t cur, wasm_limits want)
{
	if (cur < want.min)
		return false;
	if (want.has_max) {
		if (!have.has_max || have.max > want.max)
			return false;
	}
	return true;
}

wasm_instance *wasm_instance_new(const wasm_module *m, const wasm_imports *im,
				 const wasm_config *cfg, char *err, size_t errlen)
{
	wasm_config d = {0};
	if (!cfg)
		cfg = &d;
	if (err && errlen)
		err[0] = 0;
	struct inst_extra *x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	wasm_instance *inst = &x->inst;
	inst->refcount = 1;
	inst->m = m;
	((wasm_module *)m)->refcount++;
	inst->max_pages = cfg->max_memory_pages ? cfg->max_memory_pages : WASM_MAX_PAGES;
	inst->max_elems = cfg->max_table_elems ? cfg->max_table_elems : WASM_MAX_TABLE_DEFAULT;
	uint32_t ndef = m->nfuncs - m->nfunc_imports;
	inst->funcs = calloc(m->nfuncs + 1, sizeof(void *)); /* an array of pointers */
	inst->own = calloc(ndef + 1, sizeof(*inst->own));
	inst->deps = calloc(m->nfunc_imports + 1, sizeof(void *));	/* an array of pointers */
	inst->host_refs = calloc(m->nfunc_imports + 1, sizeof(void *)); /* an array of pointers */
	inst->mems = calloc(m->nmems + 1, sizeof(void *));		/* an array of pointers */
	inst->tables = calloc(m->ntables + 1, sizeof(void *));		/* an array of pointers */
	inst->globals = calloc(m->nglobals + 1, sizeof(void *));	/* an array of pointers */
	inst->elem_dropped = calloc(m->nelems + 1, 1);
	inst->data_dropped = calloc(m->ndatas + 1, 1);
	inst->elem_items = calloc(m->nelems + 1, sizeof(void *)); /* an array of pointers */
	x->weak_tables = calloc(m->ntables + 1, 1);
	uint8_t *written = calloc(m->ntables + 1, 1);
	if (!inst->funcs || !inst->own || !inst->deps || !inst->host_refs || !inst->mems ||
	    !inst->tables || !inst->globals || !inst->elem_dropped || !inst->data_dropped ||
	    !inst->elem_items || !x->weak_tables || !written) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	inst->mem0 = &g_empty_memory;

	/* imports */
	uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
	for (uint32_t i = 0; i < m->nimports; i++) {
		const struct wasm_import *imp = &m->imports[i];
		const struct imp_entry *e = find_import(im, imp);
		if (!e) {
			snprintf(err, errlen, "unknown import %s.%s", imp->module, imp->name);
			goto fail;
		}
		if (e->ext.kind != imp->type.kind) {
			snprintf(err, errlen, "incompatible import type %s.%s: wrong kind",
				 imp->module, imp->name);
			goto fail;
		}
		switch (imp->type.kind) {
		case WASM_EXTERN_FUNC: {
			wasm_func *f = e->ext.of.func;
			if (!wasm_functype_eq(f->type, &imp->type.func)) {
				snprintf(err, errlen,
					 "incompatible import type %s.%s: function signature",
					 imp->module, imp->name);
				goto fail;
			}
			if (f->inst) {
				f->inst->refcount++;
				inst->deps[inst->ndeps++] = f->inst;
			} else {
				f->refcount++;
				inst->host_refs[inst->nhost_refs++] = f;
			}
			inst->funcs[nf++] = f;
			break;
		}
		case WASM_EXTERN_TABLE: {
			wasm_table *t = e->ext.of.table;
			wasm_limits have = {t->size, t->max, t->has_max};
			if (t->elem != imp->type.table_elem ||
			    !limits_match(have, t->size, imp->type.limits)) {
				snprintf(err, errlen, "incompatible import type %s.%s: table",
					 imp->module, imp->name);
				goto fail;
			}
			t->refcount++;
			inst->tables[nt++] = t;
			break;
		}
		case WASM_EXTERN_MEMORY: {
			wasm_memory *mem = e->ext.of.memory;
			wasm_limits have = {mem->pages, mem->max, mem->has_max};
			if (!limits_match(have, mem->pages, imp->type.limits)) {
				snprintf(err, errlen, "incompatible import type %s.%s: memory",
					 imp->module, imp->name);
				goto fail;
			}
			mem->refcount++;
			inst->mems[nm++] = mem;
			break;
		}
		case WASM_EXTERN_GLOBAL: {
			wasm_global *g = e->ext.of.global;
			if (g->type != imp->type.global_type ||
			    g->mut != imp->type.global_mutable) {
				snprintf(err, errlen, "incompatible import type %s.%s: global",
					 imp->module, imp->name);
				goto fail;
			}
			g->refcount++;
			inst->globals[ng++] = g;
			break;
		}
		}
	}
	/* defined functions */
	for (uint32_t i = 0; i < ndef; i++) {
		wasm_func *f = &inst->own[i];
		f->type = &m->types[m->func_types[m->nfunc_imports + i]].ft;
		f->inst = inst;
		f->index = m->nfunc_imports + i;
		f->code = &m->codes[i];
		inst->funcs[m->nfunc_imports + i] = f;
	}
	/* memories, tables, globals */
	for (uint32_t i = nm; i < m->nmems; i++) {
		if (m->mem_limits[i].min > inst->max_pages) {
			snprintf(err, errlen, "memory of %u pages is over the limit of %u pages",
				 m->mem_limits[i].min, inst->max_pages);
			goto fail;
		}
		inst->mems[i] = wasm_memory_new(m->mem_limits[i], inst->max_pages);
		if (!inst->mems[i]) {
			snprintf(err, errlen, "out of memory for a memory of %u pages",
				 m->mem_limits[i].min);
			goto fail;
		}
	}
	if (m->nmems)
		inst->mem0 = inst->mems[0];
	for (uint32_t i = nt; i < m->ntables; i++) {
		if (m->table_limits[i].min > inst->max_elems) {
			snprintf(err, errlen, "table of %u elements is over the limit of %u",
				 m->table_limits[i].min, inst->max_elems);
			goto fail;
		}
		inst->tables[i] =
			wasm_table_new(m->table_types[i], m->table_limits[i], inst->max_elems);
		if (!inst->tables[i]) {
			snprintf(err, errlen, "out of memory for a table");
			goto fail;
		}
	}
	for (uint32_t i = ng; i < m->nglobals; i++) {
		inst->globals[i] = calloc(1, sizeof(wasm_global));
		if (!inst->globals[i]) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		inst->globals[i]->refcount = 1;
		inst->globals[i]->type = m->globals[i].type;
		inst->globals[i]->mut = m->globals[i].mut;
		inst->globals[i]->val = eval_cexpr(inst, &m->globals[i].init);
	}
	/* element segments: resolve, then apply the active ones in order */
	for (uint32_t i = 0; i < m->nelems; i++) {
		const struct wasm_elemseg *s = &m->elems[i];
		inst->elem_items[i] = calloc(s->n + 1, 8);
		if (!inst->elem_items[i]) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		for (uint32_t j = 0; j < s->n; j++)
			inst->elem_items[i][j] = eval_cexpr(inst, &s->items[j]);
	}
	if (m->features == WASM_FEATURES_1_0) {
		/* Wasm 1.0: every segment is checked before any is written */
		for (uint32_t i = 0; i < m->nelems; i++) {
			const struct wasm_elemseg *s = &m->elems[i];
			uint64_t off = (uint32_t)eval_cexpr(inst, &s->offset);
			if (s->mode == 0 && off + s->n > inst->tables[s->table]->size) {
				snprintf(err, errlen, "out of bounds table access");
				goto fail;
			}
		}
		for (uint32_t i = 0; i < m->ndatas; i++) {
			const struct wasm_dataseg *s = &m->datas[i];
			uint64_t off = (uint32_t)eval_cexpr(inst, &s->offset);
			if (s->mode == 0 && off + s->len > inst->mems[s->mem]->size) {
				snprintf(err, errlen, "out of bounds memory access");
				goto fail;
			}
		}
	}
	for (uint32_t i = 0; i < m->nelems; i++) {
		const struct wasm_elemseg *s = &m->elems[i];
		if (s->mode == 0) {
			uint64_t off = (uint32_t)eval_cexpr(inst, &s->offset);
			wasm_table *t = inst->tables[s->table];
			if (off + s->n > t->size) {
				snprintf(err, errlen, "out of bounds table access");
				goto trapped;
			}
			if (s->n)
				memcpy(t->elems + off, inst->elem_items[i], (size_t)s->n * 8);
			if (s->n)
				written[s->table] = 1;
		}
		if (s->mode != 1)
			inst->elem_dropped[i] = 1;
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		const struct wasm_dataseg *s = &m->datas[i];
		if (s->mode == 0) {
			uint64_t off = (uint32_t)eval_cexpr(inst, &s->offset);
			wasm_memory *mem = inst->mems[s->mem];
			if (off + s->len > mem->size) {
				snprintf(err, errlen, "out of bounds memory access");
				goto trapped;
			}
			if (s->len)
				memcpy(mem->data + off, m->bytes + s->off_in_module, s->len);
			wasm_mem_dirty(mem, off, s->len);
			inst->data_dropped[i] = 1;
		}
	}
	free(written);
	return inst;
trapped:
	/* functions written into imported tables must stay callable */
	for (uint32_t i = 0; i < m->ntable_imports; i++) {
		if (written[i] && table_keep(inst->tables[i], inst) == 0) {
			x->weak_tables[i] = 1;
			wasm_table_free(inst->tables[i]);
		}
	}
fail:
	free(written);
	wasm_instance_free(inst);
	return NULL;
}

wasm_result wasm_instance_start(wasm_instance *inst, wasm_exec *ex)
{
	if (!inst->m->has_start)
		return WASM_OK;
	return wasm_call_raw(ex, inst->funcs[inst->m->start], NULL, NULL);
}

const wasm_module *wasm_instance_module(const wasm_instance *inst)
{
	return inst->m;
}

int wasm_instance_export(const wasm_instance *inst, const char *name, wasm_extern *out)
{
	return wasm_instance_export_n(inst, name, strlen(name), out);
}

int wasm_instance_export_n(const wasm_instance *inst, const char *name, size_t len,
			   wasm_extern *out)
{
	const wasm_module *m = inst->m;
	for (uint32_t i = 0; i < m->nexports; i++) {
		const struct wasm_export *e = &m->exports[i];
		if (e->name_len != len || memcmp(e->name, name, len) != 0)
			continue;
		out->kind = e->kind;
		switch (e->kind) {
		case WASM_EXTERN_FUNC:
			out->of.func = inst->funcs[e->idx];
			break;
		case WASM_EXTERN_TABLE:
			out->of.table = inst->tables[e->idx];
			break;
		case WASM_EXTERN_MEMORY:
			out->of.memory = inst->mems[e->idx];
			break;
		case WASM_EXTERN_GLOBAL:
			out->of.global = inst->globals[e->idx];
			break;
		}
		return 0;
	}
	return -1;
}

static void *export_of(const wasm_instance *inst, const char *name, wasm_extern_kind k)
{
	wasm_extern x;
	if (wasm_instance_export(inst, name, &x) < 0 || x.kind != k)
		return NULL;
	return x.of.func;
}

wasm_func *wasm_instance_func(const wasm_instance *inst, const char *name)
{
	return export_of(inst, name, WASM_EXTERN_FUNC);
}

wasm_memory *wasm_instance_export_memory(const wasm_instance *inst, const char *name)
{
	return export_of(inst, name, WASM_EXTERN_MEMORY);
}

wasm_global *wasm_instance_export_global(const wasm_instance *inst, const char *name)
{
	return export_of(inst, name, WASM_EXTERN_GLOBAL);
}

wasm_table *wasm_instance_export_table(const wasm_instance *inst, const char *name)
{
	return export_of(inst, name, WASM_EXTERN_TABLE);
}

wasm_func *wasm_instance_func_at(const wasm_instance *inst, uint32_t i)
{
	return i < inst->m->nfuncs ? inst->funcs[i] : NULL;
}

wasm_memory *wasm_instance_memory(const wasm_instance *inst, uint32_t i)
{
	return i < inst->m->nmems ? inst->mems[i] : NULL;
}

wasm_table *wasm_instance_table(const wasm_instance *inst, uint32_t i)
{
	return i < inst->m->ntables ? inst->tables[i] : NULL;
}

wasm_global *wasm_instance_global(const wasm_instance *inst, uint32_t i)
{
	return i < inst->m->nglobals ? inst->globals[i] : NULL;
}

uint32_t wasm_instance_func_count(const wasm_instance *inst)
{
	return inst->m->nfuncs;
}

uint32_t wasm_instance_memory_count(const wasm_instance *inst)
{
	return inst->m->nmems;
}

uint32_t wasm_instance_table_count(const wasm_instance *inst)
{
	return inst->m->ntables;
}

uint32_t wasm_instance_global_count(const wasm_instance *inst)
{
	return inst->m->nglobals;
}

void wasm_instance_set_user(wasm_instance *inst, void *user)
{
	inst->user = user;
}

void *wasm_instance_user(const wasm_instance *inst)
{
	return inst->user;
}
