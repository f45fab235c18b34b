/* decode.c: the Wasm binary format to struct wasm_module.
 *
 * Reads the sections in their required order, checks everything that does
 * not need a function body's instructions (indices, limits, constant
 * expressions, export names, segment shapes), then hands each body to
 * compile.c, which validates and compiles it. Every count read from the input
 * is checked against the bytes left before anything is allocated for it, so
 * a hostile module cannot make us allocate more than a small multiple of its
 * own size. Error messages name the section, the byte offset and the problem,
 * using the vocabulary of the spec tests where there is one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_internal.h"

struct rd {
	const uint8_t *base, *p, *end;
	char *err;
	size_t errlen;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static void fail(struct rd *r, const char *fmt, ...)
{
	if (r->failed || !r->err || !r->errlen) {
		r->failed = true;
		return;
	}
	r->failed = true;
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	/* clang-analyzer 14 misses the va_start above */
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	snprintf(r->err, r->errlen, "%s (at byte %zu)", msg, (size_t)(r->p - r->base));
}

uint32_t wasm_read_leb_u32(const uint8_t **pp, const uint8_t *end, bool *ok)
{
	const uint8_t *p = *pp;
	uint32_t v = 0;
	for (int i = 0; i < 5; i++) {
		if (p >= end) {
			*ok = false;
			return 0;
		}
		uint8_t b = *p++;
		if (i == 4 && (b & 0xf0)) {
			*ok = false;
			return 0;
		}
		v |= (uint32_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*pp = p;
			return v;
		}
	}
	*ok = false;
	return 0;
}

static uint8_t u8(struct rd *r)
{
	if (r->p >= r->end) {
		fail(r, "unexpected end");
		return 0;
	}
	return *r->p++;
}

static uint32_t u32(struct rd *r)
{
	uint32_t v = 0;
	for (int i = 0; i < 5; i++) {
		if (r->p >= r->end) {
			fail(r, "unexpected end");
			return 0;
		}
		uint8_t b = *r->p++;
		if (i == 4 && (b & 0x80)) {
			fail(r, "integer representation too long");
			return 0;
		}
		if (i == 4 && (b & 0x70)) {
			fail(r, "integer too large");
			return 0;
		}
		v |= (uint32_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return v;
	}
	return v;
}

/* A count of items that take at least `min` bytes each. */
static uint32_t count(struct rd *r, size_t min, const char *what)
{
	uint32_t n = u32(r);
	if (!r->failed && (uint64_t)n * min > (uint64_t)(r->end - r->p))
		fail(r, "%s count %u is more than the section can hold", what, n);
	return r->failed ? 0 : n;
}

static bool valtype_ok(uint8_t t)
{
	return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64 ||
	       t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

static uint8_t valtype(struct rd *r)
{
	uint8_t t = u8(r);
	if (!r->failed && !valtype_ok(t))
		fail(r, "malformed value type 0x%02x", t);
	return t;
}

static uint8_t reftype(struct rd *r)
{
	uint8_t t = u8(r);
	if (!r->failed && t != WASM_FUNCREF && t != WASM_EXTERNREF)
		fail(r, "malformed reference type 0x%02x", t);
	return t;
}

static void limits(struct rd *r, wasm_limits *l, uint32_t cap, const char *what)
{
	uint8_t f = u8(r);
	if (r->failed)
		return;
	if (f > 1) {
		fail(r, "integer too large: limits flag 0x%02x", f);
		return;
	}
	l->min = u32(r);
	l->has_max = f == 1;
	l->max = l->has_max ? u32(r) : 0;
	if (r->failed)
		return;
	if (cap && (l->min > cap || (l->has_max && l->max > cap)))
		fail(r, "%s size must be at most %u pages (4GiB)", what, cap);
	else if (l->has_max && l->min > l->max)
		fail(r, "size minimum must not be greater than maximum");
}

static char *name(struct rd *r, uint32_t *len)
{
	uint32_t n = u32(r);
	if (len)
		*len = n;
	if (r->failed)
		return NULL;
	if (n > (size_t)(r->end - r->p)) {
		fail(r, "length out of bounds: name of %u bytes", n);
		return NULL;
	}
	/* UTF-8 check */
	const uint8_t *s = r->p, *e = r->p + n;
	while (s < e) {
		uint8_t c = *s;
		int k;
		uint32_t cp;
		if (c < 0x80) {
			s++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			cp = c & 0x07;
		} else {
			fail(r, "malformed UTF-8 encoding");
			return NULL;
		}
		if (e - s <= k) {
			fail(r, "malformed UTF-8 encoding");
			return NULL;
		}
		for (int j = 1; j <= k; j++) {
			if ((s[j] & 0xc0) != 0x80) {
				fail(r, "malformed UTF-8 encoding");
				return NULL;
			}
			cp = cp << 6 | (s[j] & 0x3f);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) {
			fail(r, "malformed UTF-8 encoding");
			return NULL;
		}
		s += k + 1;
	}
	char *out = malloc((size_t)n + 1);
	if (!out) {
		fail(r, "out of memory");
		return NULL;
	}
	memcpy(out, r->p, n);
	out[n] = 0;
	r->p += n;
	return out;
}

static uint8_t global_type_of(const wasm_module *m, uint32_t i, bool *mut)
{
	*mut = m->globals[i].mut;
	return m->globals[i].type;
}

int wasm_validate_cexpr(const wasm_module *m, const uint8_t **pp, const uint8_t *end, uint8_t type,
			uint32_t nglobals_visible, struct wasm_cexpr *out, char *err, size_t errlen)
{
	const uint8_t *p = *pp;
	bool ok = true;
	uint8_t got = 0;
	int n = 0;
	const char *msg = NULL;
	for (;;) {
		if (p >= end) {
			msg = "unexpected end of section or function";
			break;
		}
		uint8_t op = *p++;
		if (op == 0x0b) {
			if (n == 0)
				msg = "type mismatch: constant expression is empty";
			else if (got != type)
				msg = "type mismatch in constant expression";
			break;
		}
		if (n++) {
			msg = "type mismatch: constant expression has more than one value";
			break;
		}
		out->op = op;
		switch (op) {
		case 0x41: { /* i32.const, signed LEB */
			int64_t v = 0;
			int shift = 0;
			uint8_t b;
			do {
				if (p >= end || shift >= 35) {
					msg = p >= end ? "unexpected end"
						       : "integer representation too long";
					goto done;
				}
				b = *p++;
				v |= (int64_t)(b & 0x7f) << shift;
				shift += 7;
			} while (b & 0x80);
			if (shift == 35) {
				uint8_t top = b & 0x78;
				if (top != 0 && top != 0x78) {
					msg = "integer too large";
					goto done;
				}
			}
			if (shift < 64 && (b & 0x40))
				v |= (int64_t)((uint64_t)-1 << shift);
			out->v = (uint32_t)v;
			got = WASM_I32;
			break;
		}
		case 0x42: {
			uint64_t v = 0;
			int shift = 0;
			uint8_t b;
			do {
				if (p >= end || shift >= 70) {
					msg = p >= end ? "unexpected end"
						       : "integer representation too long";
					goto done;
				}
				b = *p++;
				if (shift < 64)
					v |= (uint64_t)(b & 0x7f) << shift;
				shift += 7;
			} while (b & 0x80);
			if (shift == 70) {
				uint8_t top = b & 0x7f;
				if (top != 0 && top != 0x7f) {
					msg = "integer too large";
					goto done;
				}
			}
			if (shift < 64 && (b & 0x40))
				v |= (uint64_t)-1 << shift;
			out->v = v;
			got = WASM_I64;
			break;
		}
		case 0x43:
			if (end - p < 4) {
				msg = "unexpected end";
				goto done;
			}
			out->v = wasm_load_u32le(p);
			p += 4;
			got = WASM_F32;
			break;
		case 0x44:
			if (end - p < 8) {
				msg = "unexpected end";
				goto done;
			}
			out->v = wasm_load_u64le(p);
			p += 8;
			got = WASM_F64;
			break;
		case 0x23: {
			uint32_t g = wasm_read_leb_u32(&p, end, &ok);
			if (!ok) {
				msg = "malformed global index";
				goto done;
			}
			if (g >= nglobals_visible) {
				msg = "unknown global";
				goto done;
			}
			bool mut;
			got = global_type_of(m, g, &mut);
			if (mut) {
				msg = "constant expression required";
				goto done;
			}
			out->v = g;
			break;
		}
		case 0xd0:
			if (p >= end) {
				msg = "unexpected end";
				goto done;
			}
			got = *p++;
			if (got != WASM_FUNCREF && got != WASM_EXTERNREF) {
				msg = "malformed reference type";
				goto done;
			}
			out->v = 0;
			break;
		case 0xd2: {
			uint32_t f = wasm_read_leb_u32(&p, end, &ok);
			if (!ok) {
				msg = "malformed function index";
				goto done;
			}
			if (f >= m->nfuncs) {
				msg = "unknown function";
				goto done;
			}
			out->v = f;
			got = WASM_FUNCREF;
			break;
		}
		default:
			msg = "constant expression required";
			goto done;
		}
	}
done:
	if (msg) {
		snprintf(err, errlen, "%s (at byte %zu)", msg, (size_t)(p - (*pp)));
		return -1;
	}
	*pp = p;
	return 0;
}

static void cexpr(struct rd *r, wasm_module *m, uint8_t type, uint32_t nvis, struct wasm_cexpr *out)
{
	if (r->failed)
		return;
	char e[200];
	const uint8_t *start = r->p;
	if (wasm_validate_cexpr(m, &r->p, r->end, type, nvis, out, e, sizeof(e)) < 0) {
		r->p = start;
		fail(r, "%s", e);
	}
}

void wasm_module_free(wasm_module *m)
{
	if (!m || --m->refcount > 0)
		return;
	for (uint32_t i = 0; i < m->ntypes; i++)
		free(m->types[i].buf);
	free(m->types);
	for (uint32_t i = 0; i < m->nimports; i++) {
		free(m->imports[i].module);
		free(m->imports[i].name);
	}
	free(m->imports);
	free(m->func_types);
	if (m->codes) {
		for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++) {
			free(m->codes[i].code);
			free(m->codes[i].local_types);
			free(m->codes[i].sps);
			free(m->codes[i].pool);
		}
	}
	free(m->codes);
	free(m->table_types);
	free(m->table_limits);
	free(m->mem_limits);
	free(m->globals);
	for (uint32_t i = 0; i < m->nexports; i++)
		free(m->exports[i].name);
	free(m->exports);
	for (uint32_t i = 0; i < m->nelems; i++)
		free(m->elems[i].items);
	free(m->elems);
	free(m->datas);
	free(m->declared_funcs);
	free(m->bytes);
	free(m);
}

static void *grow_array(struct rd *r, void *p, uint32_t n, size_t size)
{
	void *q = realloc(p, (size_t)(n ? n : 1) * size);
	if (!q)
		fail(r, "out of memory");
	return q;
}

static void sec_types(struct rd *r, wasm_module *m)
{
	uint32_t n = count(r, 3, "type");
	m->types = calloc(n ? n : 1, sizeof(*m->types));
	if (!m->types)
		return fail(r, "out of memory");
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		if (u8(r) != 0x60 && !r->failed)
			return fail(r, "integer representation too long: malformed function type");
		uint32_t np = count(r, 1, "parameter");
		const uint8_t *ps = r->p;
		for (uint32_t j = 0; j < np && !r->failed; j++)
			valtype(r);
		uint32_t nr = count(r, 1, "result");
		if (!r->failed && nr > 1 && m->features == WASM_FEATURES_1_0)
			return fail(r, "invalid result arity (multiple results need Wasm 2.0)");
		const uint8_t *rs = r->p;
		for (uint32_t j = 0; j < nr && !r->failed; j++)
			valtype(r);
		if (r->failed)
			return;
		struct wasm_type *t = &m->types[i];
		t->buf = malloc((size_t)np + nr + 1);
		if (!t->buf)
			return fail(r, "out of memory");
		memcpy(t->buf, ps, np);
		memcpy(t->buf + np, rs, nr);
		t->ft.nparams = np;
		t->ft.nresults = nr;
		t->ft.params = t->buf;
		t->ft.results = t->buf + np;
		m->ntypes = i + 1;
	}
}

static void sec_imports(struct rd *r, wasm_module *m)
{
	uint32_t n = count(r, 4, "import");
	m->imports = calloc(n ? n : 1, sizeof(*m->imports));
	if (!m->imports)
		return fail(r, "out of memory");
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		struct wasm_import *im = &m->imports[i];
		im->module = name(r, &im->module_len);
		m->nimports = i + 1;
		im->name = name(r, &im->name_len);
		uint8_t kind = u8(r);
		if (r->failed)
			return;
		im->type.kind = (wasm_extern_kind)kind;
		switch (kind) {
		case 0: {
			uint32_t t = u32(r);
			if (r->failed)
				return;
			if (t >= m->ntypes)
				return fail(r, "unknown type %u", t);
			im->type_idx = t;
			im->type.func = m->types[t].ft;
			m->nfuncs++;
			m->nfunc_imports++;
			break;
		}
		case 1:
			im->type.table_elem = reftype(r);
			limits(r, &im->type.limits, 0, "table");
			m->ntables++;
			m->ntable_imports++;
			break;
		case 2:
			limits(r, &im->type.limits, WASM_MAX_PAGES, "memory");
			m->nmems++;
			m->nmem_imports++;
			break;
		case 3: {
			im->type.global_type = valtype(r);
			uint8_t mut = u8(r);
			if (!r->failed && mut > 1)
				return fail(r, "malformed mutability");
			im->type.global_mutable = mut;
			m->nglobals++;
			m->nglobal_imports++;
			break;
		}
		default:
			return fail(r, "malformed import kind %u", kind);
		}
	}
	if (m->nmems > 1)
		fail(r, "multiple memories");
	else if (m->ntables > 1 && m->features == WASM_FEATURES_1_0)
		fail(r, "multiple tables");
}

static void sec_funcs(struct rd *r, wasm_module *m, uint32_t *nbodies)
{
	uint32_t n = count(r, 1, "function");
	*nbodies = n;
	m->func_types = calloc((size_t)m->nfuncs + n + 1, sizeof(uint32_t));
	if (!m->func_types)
		return fail(r, "out of memory");
	uint32_t k = 0;
	for (uint32_t i = 0; i < m->nimports; i++)
		if (m->imports[i].type.kind == WASM_EXTERN_FUNC)
			m->func_types[k++] = m->imports[i].type_idx;
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		uint32_t t = u32(r);
		if (!r->failed && t >= m->ntypes)
			return fail(r, "unknown type %u", t);
		m->func_types[k++] = t;
	}
	m->nfuncs += n;
}

static void fill_import_func_types(struct rd *r, wasm_module *m)
{
	if (m->func_types)
		return;
	m->func_types = calloc((size_t)m->nfuncs + 1, sizeof(uint32_t));
	if (!m->func_types)
		return fail(r, "out of memory");
	uint32_t k = 0;
	for (uint32_t i = 0; i < m->nimports; i++)
		if (m->imports[i].type.kind == WASM_EXTERN_FUNC)
			m->func_types[k++] = m->imports[i].type_idx;
}

static void import_tables_mems(struct rd *r, wasm_module *m)
{
	/* copy imported table and memory types to the front of the arrays */
	m->table_types = calloc(m->ntables + 1, 1);
	m->table_limits = calloc(m->ntables + 1, sizeof(wasm_limits));
	m->mem_limits = calloc(m->nmems + 1, sizeof(wasm_limits));
	m->globals = calloc(m->nglobals + 1, sizeof(*m->globals));
	if (!m->table_types || !m->table_limits || !m->mem_limits || !m->globals)
		return fail(r, "out of memory");
	uint32_t t = 0, me = 0, g = 0;
	for (uint32_t i = 0; i < m->nimports; i++) {
		struct wasm_import *im = &m->imports[i];
		if (im->type.kind == WASM_EXTERN_TABLE) {
			m->table_types[t] = im->type.table_elem;
			m->table_limits[t++] = im->type.limits;
		} else if (im->type.kind == WASM_EXTERN_MEMORY) {
			m->mem_limits[me++] = im->type.limits;
		} else if (im->type.kind == WASM_EXTERN_GLOBAL) {
			m->globals[g].type = im->type.global_type;
			m->globals[g++].mut = im->type.global_mutable;
		}
	}
}

static void sec_tables(struct rd *r, wasm_module *m)
{
	uint32_t n = count(r, 3, "table");
	m->table_types = grow_array(r, m->table_types, m->ntables + n, 1);
	m->table_limits = grow_array(r, m->table_limits, m->ntables + n, sizeof(wasm_limits));
	if (r->failed)
		return;
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		m->table_types[m->ntables] = reftype(r);
		limits(r, &m->table_limits[m->ntables], 0, "table");
		m->ntables++;
	}
	if (!r->failed && m->ntables > 1 && m->features == WASM_FEATURES_1_0)
		fail(r, "multiple tables");
}

static void sec_mems(struct rd *r, wasm_module *m)
{
	uint32_t n = count(r, 2, "memory");
	m->mem_limits = grow_array(r, m->mem_limits, m->nmems + n, sizeof(wasm_limits));
	if (r->failed)
		return;
	for (uint32_t i = 0; i < n && !r->failed; i++)
		limits(r, &m->mem_limits[m->nmems++], WASM_MAX_PAGES, "memory");
	if (!r->failed && m->nmems > 1)
		fail(r, "multiple memories");
}

static void sec_globals(struct rd *r, wasm_module *m)
{
	uint32_t n = count(r, 4, "global");
	uint32_t nimp = m->nglobals;
	m->globals = grow_array(r, m->globals, nimp + n, sizeof(*m->globals));
	if (r->failed)
		return;
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		struct wasm_globaldef *g = &m->globals[nimp + i];
		g->type = valtype(r);
		uint8_t mut = u8(r);
		if (!r->failed && mut > 1)
			return fail(r, "malformed mutability");
		g->mut = mut;
		m->nglobals = nimp + i + 1;
		cexpr(r, m, g->type, m->nglobal_imports, &g->init);
		if (!r->failed && g->init.op == 0xd2)
			m->declared_funcs[g->init.v] = 1;
	}
}

static void sec_exports(struct rd *r, wasm_module *m)
{
	uint32_t n = count(r, 3, "export");
	m->exports = calloc(n ? n : 1, sizeof(*m->exports));
	if (!m->exports)
		return fail(r, "out of memory");
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		struct wasm_export *e = &m->exports[i];
		e->name = name(r, &e->name_len);
		m->nexports = i + 1;
		uint8_t kind = u8(r);
		e->idx = u32(r);
		if (r->failed)
			return;
		e->kind = (wasm_extern_kind)kind;
		uint32_t lim;
		switch (kind) {
		case 0:
			lim = m->nfuncs;
			break;
		case 1:
			lim = m->ntables;
			break;
		case 2:
			lim = m->nmems;
			break;
		case 3:
			lim = m->nglobals;
			break;
		default:
			return fail(r, "malformed export kind %u", kind);
		}
		if (e->idx >= lim) {
			static const char *const what[] = {"function", "table", "memory", "global"};
			return fail(r, "unknown %s %u", what[kind], e->idx);
		}
		if (kind == 0)
			m->declared_funcs[e->idx] = 1;
		for (uint32_t j = 0; j < i; j++)
			if (m->exports[j].name_len == e->name_len &&
			    !memcmp(m->exports[j].name, e->name, e->name_len))
				return fail(r, "duplicate export name \"%s\"", e->name);
	}
}

static void sec_elems(struct rd *r, wasm_module *m)
{
	uint32_t n = count(r, 2, "element segment");
	m->elems = calloc(n ? n : 1, sizeof(*m->elems));
	if (!m->elems)
		return fail(r, "out of memory");
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		struct wasm_elemseg *s = &m->elems[i];
		m->nelems = i + 1;
		uint32_t flags = u32(r);
		if (r->failed)
			return;
		if (flags > 7)
			return fail(r, "malformed elements segment kind %u", flags);
		s->mode = (flags & 1) ? ((flags & 2) ? 2 : 1) : 0;
		s->type = WASM_FUNCREF;
		if (flags & 2 && !(flags & 1))
			s->table = u32(r);
		if (s->mode == 0) {
			if (s->table >= m->ntables && !r->failed)
				return fail(r, "unknown table %u", s->table);
			cexpr(r, m, WASM_I32, m->nglobal_imports, &s->offset);
		}
		bool exprs = flags & 4;
		if (flags & 3) {
			if (exprs) {
				s->type = reftype(r);
			} else {
				uint8_t k = u8(r);
				if (!r->failed && k != 0)
					return fail(r, "malformed element kind 0x%02x", k);
			}
		}
		s->n = count(r, 1, "element");
		if (r->failed)
			return;
		s->items = calloc(s->n ? s->n : 1, sizeof(*s->items));
		if (!s->items)
			return fail(r, "out of memory");
		for (uint32_t j = 0; j < s->n && !r->failed; j++) {
			if (exprs) {
				cexpr(r, m, s->type, m->nglobal_imports, &s->items[j]);
			} else {
				uint32_t f = u32(r);
				if (!r->failed && f >= m->nfuncs)
					return fail(r, "unknown function %u", f);
				s->items[j].op = 0xd2;
				s->items[j].v = f;
			}
			if (!r->failed && s->items[j].op == 0xd2)
				m->declared_funcs[s->items[j].v] = 1;
		}
		if (!r->failed && s->mode == 0 && m->table_types[s->table] != s->type)
			return fail(r, "type mismatch: element segment of type 0x%02x for table %u",
				    s->type, s->table);
	}
}

static void sec_datas(struct rd *r, wasm_module *m)
{
	uint32_t n = count(r, 1, "data segment");
	if (r->failed)
		return;
	if (m->has_datacount && n != m->datacount)
		return fail(r, "data count and data section have inconsistent lengths");
	m->datas = calloc(n ? n : 1, sizeof(*m->datas));
	if (!m->datas)
		return fail(r, "out of memory");
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		struct wasm_dataseg *s = &m->datas[i];
		m->ndatas = i + 1;
		uint32_t flags = u32(r);
		if (r->failed)
			return;
		if (flags > 2)
			return fail(r, "malformed data segment kind %u", flags);
		s->mode = flags == 1;
		if (flags == 2)
			s->mem = u32(r);
		if (s->mode == 0) {
			if (!r->failed && s->mem >= m->nmems)
				return fail(r, "unknown memory %u", s->mem);
			cexpr(r, m, WASM_I32, m->nglobal_imports, &s->offset);
		}
		s->len = u32(r);
		if (r->failed)
			return;
		if (s->len > (size_t)(r->end - r->p))
			return fail(
				r,
				"unexpected end of section or function: data segment of %u bytes",
				s->len);
		s->off_in_module = (uint32_t)(r->p - r->base);
		r->p += s->len;
	}
}

wasm_module *wasm_module_new(const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
	return wasm_module_new_features(bytes, len, WASM_FEATURES_2_0, err, errlen);
}

wasm_module *wasm_module_new_features(const uint8_t *bytes, size_t len, int features, char *err,
				      size_t errlen)
{
	if (err && errlen)
		err[0] = 0;
	if (len > UINT32_MAX - 16) {
		snprintf(err, errlen, "module too large");
		return NULL;
	}
	wasm_module *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->refcount = 1;
	m->features = features == WASM_FEATURES_1_0 ? WASM_FEATURES_1_0 : WASM_FEATURES_2_0;
	m->bytes = malloc(len ? len : 1);
	if (!m->bytes) {
		free(m);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (len)
		memcpy(m->bytes, bytes, len);
	m->len = len;
	m->refcount = 1;
	struct rd r = {m->bytes, m->bytes, m->bytes + len, err, errlen, false};
	static const uint8_t magic[4] = {0, 'a', 's', 'm'};
	if (len < 4 || memcmp(bytes, magic, 4) != 0) {
		fail(&r, "magic header not detected");
		goto bad;
	}
	r.p += 4;
	if (len < 8) {
		fail(&r, "unexpected end: no version");
		goto bad;
	}
	if (wasm_load_u32le(r.p) != 1) {
		fail(&r, "unknown binary version");
		goto bad;
	}
	r.p += 4;
	int last = 0;
	/* section order: type, import, function, table, memory, global, export,
	 * start, element, datacount, code, data */
	static const int order[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
	uint32_t nbodies = 0;
	bool have_funcs = false, have_code = false, imports_done = false;
	while (r.p < r.end && !r.failed) {
		uint8_t id = u8(&r);
		uint32_t size = u32(&r);
		if (r.failed)
			break;
		if (size > (size_t)(r.end - r.p)) {
			fail(&r, "length out of bounds: section %u of %u bytes", id, size);
			break;
		}
		if (id > 12) {
			fail(&r, "malformed section id %u", id);
			break;
		}
		const uint8_t *sec_end = r.p + size;
		struct rd s = {r.base, r.p, sec_end, err, errlen, false};
		if (id != 0) {
			if (order[id] <= last) {
				fail(&s,
				     "unexpected content after last section: section %u out of "
				     "order",
				     id);
				r.failed = true;
				break;
			}
			last = order[id];
		}
		if (id > 2 && !imports_done) {
			imports_done = true;
			if (id != 3)
				fill_import_func_types(&s, m);
			import_tables_mems(&s, m);
		}
		if (id >= 6 && !m->declared_funcs) {
			if (!m->func_types)
				fill_import_func_types(&s, m);
			m->declared_funcs = calloc(m->nfuncs + 1, 1);
			if (!m->declared_funcs)
				fail(&s, "out of memory");
		}
		if (s.failed) {
			r.failed = true;
			break;
		}
		switch (id) {
		case 0: {
			char *nm = name(&s, NULL);
			free(nm);
			s.p = sec_end;
			break;
		}
		case 1:
			sec_types(&s, m);
			break;
		case 2:
			sec_imports(&s, m);
			break;
		case 3:
			sec_funcs(&s, m, &nbodies);
			have_funcs = true;
			break;
		case 4:
			sec_tables(&s, m);
			break;
		case 5:
			sec_mems(&s, m);
			break;
		case 6:
			sec_globals(&s, m);
			break;
		case 7:
			sec_exports(&s, m);
			break;
		case 8:
			m->start = u32(&s);
			m->has_start = true;
			if (!s.failed && m->start >= m->nfuncs)
				fail(&s, "unknown function %u", m->start);
			else if (!s.failed) {
				const wasm_functype *ft = &m->types[m->func_types[m->start]].ft;
				if (ft->nparams || ft->nresults)
					fail(&s, "start function must have type [] -> []");
			}
			break;
		case 9:
			sec_elems(&s, m);
			break;
		case 12:
			m->datacount = u32(&s);
			m->has_datacount = true;
			break;
		case 10: {
			uint32_t n = count(&s, 1, "code");
			have_code = true;
			if (s.failed)
				break;
			if (n != nbodies) {
				fail(&s, "function and code section have inconsistent lengths");
				break;
			}
			m->codes = calloc(n ? n : 1, sizeof(*m->codes));
			if (!m->codes) {
				fail(&s, "out of memory");
				break;
			}
			for (uint32_t i = 0; i < n && !s.failed; i++) {
				uint32_t bsize = u32(&s);
				if (s.failed)
					break;
				if (bsize > (size_t)(s.end - s.p)) {
					fail(&s, "unexpected end of section or function: body %u",
					     i);
					break;
				}
				m->codes[i].body_start = (uint32_t)(s.p - s.base);
				m->codes[i].body_len = bsize;
				s.p += bsize;
			}
			break;
		}
		case 11:
			sec_datas(&s, m);
			break;
		}
		if (s.failed) {
			r.failed = true;
			break;
		}
		if (s.p != sec_end) {
			fail(&s, "section size mismatch: section %u", id);
			r.failed = true;
			break;
		}
		r.p = sec_end;
	}
	if (r.failed)
		goto bad;
	if (!imports_done) {
		fill_import_func_types(&r, m);
		import_tables_mems(&r, m);
	}
	if (!m->func_types)
		fill_import_func_types(&r, m);
	if (!m->declared_funcs) {
		m->declared_funcs = calloc(m->nfuncs + 1, 1);
		if (!m->declared_funcs)
			fail(&r, "out of memory");
	}
	if (r.failed)
		goto bad;
	if (have_funcs != have_code && nbodies) {
		fail(&r, "function and code section have inconsistent lengths");
		goto bad;
	}
	if (!m->codes && m->nfuncs > m->nfunc_imports) {
		fail(&r, "function and code section have inconsistent lengths");
		goto bad;
	}
	if (!m->datas && m->has_datacount && m->datacount) {
		fail(&r, "data count and data section have inconsistent lengths");
		goto bad;
	}
	for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++) {
		if (wasm_compile_func(m, i, err, errlen) < 0) {
			/* compile wrote the message */
			wasm_module_free(m);
			return NULL;
		}
	}
	return m;
bad:
	wasm_module_free(m);
	return NULL;
}

uint32_t wasm_module_import_count(const wasm_module *m)
{
	return m->nimports;
}

uint32_t wasm_module_export_count(const wasm_module *m)
{
	return m->nexports;
}

int wasm_module_import(const wasm_module *m, uint32_t i, const char **module, const char **nm,
		       wasm_externtype *type)
{
	if (i >= m->nimports)
		return -1;
	if (module)
		*module = m->imports[i].module;
	if (nm)
		*nm = m->imports[i].name;
	if (type)
		*type = m->imports[i].type;
	return 0;
}

int wasm_module_export(const wasm_module *m, uint32_t i, const char **nm, wasm_externtype *type)
{
	if (i >= m->nexports)
		return -1;
	const struct wasm_export *e = &m->exports[i];
	if (nm)
		*nm = e->name;
	if (type) {
		memset(type, 0, sizeof(*type));
		type->kind = e->kind;
		switch (e->kind) {
		case WASM_EXTERN_FUNC:
			type->func = m->types[m->func_types[e->idx]].ft;
			break;
		case WASM_EXTERN_TABLE:
			type->table_elem = m->table_types[e->idx];
			type->limits = m->table_limits[e->idx];
			break;
		case WASM_EXTERN_MEMORY:
			type->limits = m->mem_limits[e->idx];
			break;
		case WASM_EXTERN_GLOBAL:
			type->global_type = m->globals[e->idx].type;
			type->global_mutable = m->globals[e->idx].mut;
			break;
		}
	}
	return 0;
}
