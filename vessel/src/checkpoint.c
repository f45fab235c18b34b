/* checkpoint.c: from a stopped run to a vsl_image and back (checkpoint.h).
 *
 * Capture reads everything through the runtime's public API (wasm.h) and its
 * state API (wasm_state.h): memories page by page (zero pages are left out),
 * globals, tables, and each frame's function, bytecode offset and typed
 * values. Function references become indices in the instance's function
 * index space. Restore goes the other way on a fresh instance of the same
 * module: memories are grown, cleared and written, mutable globals and
 * tables set, and the frames pushed outermost first, so that
 * wasm_exec_resume continues exactly where the run stopped.
 *
 * The WASI part records the fd table by guest path and reopens files beneath
 * their preopened directory through the WASI sandbox's own resolver, so a
 * hostile image cannot name a file outside it.
 */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wasi_internal.h"
#include "wasm_state.h"

#define RUN_MAX_PAGES 256u /* pages per PAGE section (16 MiB) */

/* ---- values ------------------------------------------------------------------------ */

static int func_to_index(wasm_instance *inst, const wasm_func *f, uint32_t *idx)
{
	if (!f) {
		*idx = VSL_NULL_REF;
		return 0;
	}
	if (wasm_func_instance(f) == inst && wasm_instance_func_at(inst, wasm_func_index(f)) == f) {
		*idx = wasm_func_index(f);
		return 0;
	}
	uint32_t n = wasm_instance_func_count(inst);
	for (uint32_t i = 0; i < n; i++)
		if (wasm_instance_func_at(inst, i) == f) {
			*idx = i;
			return 0;
		}
	return -1;
}

static int val_to_image(wasm_instance *inst, const wasm_val *v, vsl_value *out)
{
	memset(out, 0, sizeof(*out));
	out->type = v->type;
	switch (v->type) {
	case WASM_I32:
		out->lo = (uint32_t)v->of.i32;
		return 0;
	case WASM_F32:
		out->lo = v->of.f32_bits;
		return 0;
	case WASM_I64:
		out->lo = (uint64_t)v->of.i64;
		return 0;
	case WASM_F64:
		out->lo = v->of.f64_bits;
		return 0;
	case WASM_V128:
		out->lo = wasm_load_u64le(v->of.v128);
		out->hi = wasm_load_u64le(v->of.v128 + 8);
		return 0;
	case WASM_FUNCREF: {
		uint32_t idx;
		if (func_to_index(inst, v->of.func, &idx) < 0)
			return -1;
		out->lo = idx;
		return 0;
	}
	case WASM_EXTERNREF:
		out->lo = VSL_NULL_REF;
		return v->of.ref ? -1 : 0;
	default:
		return -1;
	}
}

static int val_from_image(wasm_instance *inst, const vsl_value *v, wasm_val *out)
{
	memset(out, 0, sizeof(*out));
	out->type = v->type;
	switch (v->type) {
	case WASM_I32:
		out->of.i32 = (int32_t)(uint32_t)v->lo;
		return 0;
	case WASM_F32:
		out->of.f32_bits = (uint32_t)v->lo;
		return 0;
	case WASM_I64:
		out->of.i64 = (int64_t)v->lo;
		return 0;
	case WASM_F64:
		out->of.f64_bits = v->lo;
		return 0;
	case WASM_V128:
		wasm_store_u64le(out->of.v128, v->lo);
		wasm_store_u64le(out->of.v128 + 8, v->hi);
		return 0;
	case WASM_FUNCREF:
		if (v->lo == VSL_NULL_REF)
			return 0;
		out->of.func = wasm_instance_func_at(inst, (uint32_t)v->lo);
		return out->of.func ? 0 : -1;
	case WASM_EXTERNREF:
		return v->lo == VSL_NULL_REF ? 0 : -1;
	default:
		return -1;
	}
}

/* ---- capture ----------------------------------------------------------------------- */

static bool page_is_zero(const uint8_t *p)
{
	static const uint8_t zero[4096];
	for (uint32_t o = 0; o < VSL_PAGE_SIZE; o += sizeof(zero))
		if (memcmp(p + o, zero, sizeof(zero)) != 0)
			return false;
	return true;
}

/* Declared limits of memory i, known when the module exports it. */
static void memory_limits(wasm_instance *inst, uint32_t i, vsl_memory *out)
{
	const wasm_module *m = wasm_instance_module(inst);
	wasm_memory *mem = wasm_instance_memory(inst, i);
	uint32_t n = wasm_module_export_count(m);
	for (uint32_t k = 0; k < n; k++) {
		const char *name;
		wasm_externtype t;
		if (wasm_module_export(m, k, &name, &t) == 0 && t.kind == WASM_EXTERN_MEMORY &&
		    wasm_instance_export_memory(inst, name) == mem) {
			out->min = t.limits.min;
			out->max = t.limits.max;
			out->has_max = t.limits.has_max;
			return;
		}
	}
	out->min = 0;
	out->max = 0;
	out->has_max = false;
}

static int capture_memories(wasm_instance *inst, vsl_image *img, char *err, size_t errlen)
{
	uint32_t n = wasm_instance_memory_count(inst);
	if (n > VSL_MAX_MEMORIES) {
		snprintf(err, errlen, "%u memories, more than an image holds", n);
		return -1;
	}
	img->memories = calloc(n + 1, sizeof(*img->memories));
	if (!img->memories)
		goto oom;
	img->nmemories = n;
	uint32_t cap = 0;
	for (uint32_t i = 0; i < n; i++) {
		wasm_memory *mem = wasm_instance_memory(inst, i);
		vsl_memory *d = &img->memories[i];
		d->pages = wasm_memory_pages(mem);
		memory_limits(inst, i, d);
		if (d->min > d->pages)
			d->min = d->pages;
		const uint8_t *base = wasm_memory_data(mem);
		for (uint32_t p = 0; p < d->pages;) {
			if (page_is_zero(base + (size_t)p * VSL_PAGE_SIZE)) {
				p++;
				continue;
			}
			uint32_t first = p;
			while (p < d->pages && p - first < RUN_MAX_PAGES &&
			       !page_is_zero(base + (size_t)p * VSL_PAGE_SIZE))
				p++;
			if (img->nruns == cap) {
				cap = cap ? cap * 2 : 16;
				vsl_page_run *r = realloc(img->runs, cap * sizeof(*r));
				if (!r)
					goto oom;
				img->runs = r;
			}
			img->runs[img->nruns++] = (vsl_page_run){
				.mem = i,
				.first = first,
				.count = p - first,
				.data = base + (size_t)first * VSL_PAGE_SIZE,
			};
		}
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int capture_globals(wasm_instance *inst, vsl_image *img, char *err, size_t errlen)
{
	uint32_t n = wasm_instance_global_count(inst);
	img->globals = calloc(n + 1, sizeof(*img->globals));
	if (!img->globals) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	img->nglobals = n;
	for (uint32_t i = 0; i < n; i++) {
		wasm_global *g = wasm_instance_global(inst, i);
		wasm_val v = wasm_global_get(g);
		img->globals[i].mutable_ = wasm_global_mutable(g);
		if (val_to_image(inst, &v, &img->globals[i].value) < 0) {
			snprintf(err, errlen, "global %u holds a reference that cannot travel", i);
			return -1;
		}
	}
	return 0;
}

static int capture_tables(wasm_instance *inst, vsl_image *img, char *err, size_t errlen)
{
	uint32_t n = wasm_instance_table_count(inst);
	img->tables = calloc(n + 1, sizeof(*img->tables));
	if (!img->tables) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	img->ntables = n;
	for (uint32_t i = 0; i < n; i++) {
		wasm_table *t = wasm_instance_table(inst, i);
		vsl_table *d = &img->tables[i];
		d->elem_type = wasm_table_elem_type(t);
		d->size = wasm_table_size(t);
		d->elems = calloc((size_t)d->size + 1, sizeof(*d->elems));
		if (!d->elems) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (uint32_t k = 0; k < d->size; k++) {
			wasm_val v;
			vsl_value iv;
			if (wasm_table_get(t, k, &v) < 0 || val_to_image(inst, &v, &iv) < 0) {
				snprintf(err, errlen,
					 "table %u element %u holds a reference that cannot travel",
					 i, k);
				return -1;
			}
			d->elems[k] = (uint32_t)iv.lo;
		}
	}
	return 0;
}

static int capture_frames(wasm_instance *inst, wasm_exec *ex, vsl_image *img, char *err,
			  size_t errlen)
{
	uint32_t n = wasm_state_frame_count(ex);
	if (n == 0)
		return 0;
	img->frames = calloc(n, sizeof(*img->frames));
	if (!img->frames)
		goto oom;
	img->nframes = n;
	for (uint32_t i = 0; i < n; i++) {
		wasm_frame_info fi;
		if (wasm_state_frame(ex, i, &fi) < 0) {
			snprintf(err, errlen, "frame %u of %u cannot be read", i, n);
			return -1;
		}
		if (fi.instance != inst) {
			snprintf(err, errlen, "frame %u belongs to another instance", i);
			return -1;
		}
		vsl_frame *fr = &img->frames[i];
		fr->func_index = fi.func_index;
		fr->body_offset = fi.body_offset;
		wasm_val *vals = calloc((size_t)fi.nlocals + fi.nstack + 1, sizeof(*vals));
		fr->locals = calloc((size_t)fi.nlocals + 1, sizeof(*fr->locals));
		fr->stack = calloc((size_t)fi.nstack + 1, sizeof(*fr->stack));
		if (!vals || !fr->locals || !fr->stack) {
			free(vals);
			goto oom;
		}
		if (wasm_state_frame_values(ex, i, vals, vals + fi.nlocals) < 0) {
			free(vals);
			snprintf(err, errlen, "the values of frame %u cannot be read", i);
			return -1;
		}
		fr->nlocals = fi.nlocals;
		fr->nstack = fi.nstack;
		for (uint32_t k = 0; k < fi.nlocals + fi.nstack; k++) {
			vsl_value *d = k < fi.nlocals ? &fr->locals[k] : &fr->stack[k - fi.nlocals];
			if (val_to_image(inst, &vals[k], d) < 0) {
				free(vals);
				snprintf(err, errlen,
					 "frame %u value %u is a reference that cannot travel", i,
					 k);
				return -1;
			}
		}
		free(vals);
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int64_t monotonic_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char *dup_str(const char *s)
{
	return strdup(s ? s : "");
}

int vsl_wasi_capture(const wasi_ctx *w, vsl_wasi *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->argv = calloc((size_t)w->argc + 1, sizeof(char *));
	out->envp = calloc((size_t)w->envc + 1, sizeof(char *));
	out->preopens = calloc((size_t)w->npreopens + 1, sizeof(*out->preopens));
	out->fds = calloc((size_t)w->nfds + 1, sizeof(*out->fds));
	if (!out->argv || !out->envp || !out->preopens || !out->fds)
		goto oom;
	for (uint32_t i = 0; i < w->argc; i++, out->argc++)
		if (!(out->argv[i] = dup_str(w->argv[i])))
			goto oom;
	for (uint32_t i = 0; i < w->envc; i++, out->envc++)
		if (!(out->envp[i] = dup_str(w->envp[i])))
			goto oom;
	for (uint32_t i = 0; i < w->npreopens; i++, out->npreopens++) {
		out->preopens[i].guest_path = dup_str(w->preopens[i].guest_path);
		out->preopens[i].host_path = dup_str(w->preopens[i].host_path);
		if (!out->preopens[i].guest_path || !out->preopens[i].host_path)
			goto oom;
	}
	for (uint32_t i = 0; i < w->nfds; i++) {
		const wasi_fd *f = &w->fds[i];
		if (f->host_fd < 0)
			continue;
		vsl_wasi_fd *d = &out->fds[out->nfds++];
		d->fd = i;
		d->filetype = f->filetype;
		d->fdflags = f->fdflags;
		d->oflags = f->oflags;
		d->rights_base = f->rights_base;
		d->rights_inheriting = f->rights_inheriting;
		d->preopen = f->preopen;
		if (f->guest_path && !(d->guest_path = strdup(f->guest_path)))
			goto oom;
		uint64_t off;
		if (f->filetype == WASI_FILETYPE_REGULAR_FILE && wasi_fd_offset(w, i, &off) == 0) {
			d->has_offset = true;
			d->offset = off;
		}
		if (i > 2 && f->preopen < 0 && !f->guest_path) {
			snprintf(err, errlen,
				 "fd %u has no recorded guest path: it cannot be reopened", i);
			return -1;
		}
	}
	out->max_fds = w->max_fds;
	out->monotonic_ns = monotonic_now_ns() + w->monotonic_offset_ns;
	out->realtime_offset_ns = w->realtime_offset_ns;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int vsl_capture(wasm_instance *inst, wasm_exec *ex, const wasi_ctx *wasi, const uint8_t *module,
		size_t len, bool with_module, const char *entry, vsl_image *img, char *err,
		size_t errlen)
{
	memset(img, 0, sizeof(*img));
	if (wasm_state_frame_count(ex) == 0 && wasm_exec_suspended(ex)) {
		snprintf(err, errlen, "the exec is suspended with no frames");
		return -1;
	}
	vsl_sha256_buf(module, len, img->module_sha256);
	img->module_len = len;
	img->module_bytes = with_module ? module : NULL;
	img->entry = strdup(entry ? entry : "_start");
	if (!img->entry) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	wasm_func *ef = wasm_instance_func(inst, img->entry);
	img->entry_nresults = ef ? wasm_func_type(ef)->nresults : 0;
	if (capture_memories(inst, img, err, errlen) < 0 ||
	    capture_globals(inst, img, err, errlen) < 0 ||
	    capture_tables(inst, img, err, errlen) < 0 ||
	    capture_frames(inst, ex, img, err, errlen) < 0)
		return -1;
	if (wasi) {
		img->has_wasi = true;
		if (vsl_wasi_capture(wasi, &img->wasi, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* ---- checking call arguments ------------------------------------------------------ */

/* An unsigned LEB128 of at most 32 bits at b[*pos..len). */
static int leb_u32(const uint8_t *b, size_t len, size_t *pos, uint32_t *out)
{
	uint32_t v = 0;
	for (unsigned shift = 0; shift < 35; shift += 7) {
		if (*pos >= len)
			return -1;
		uint8_t c = b[(*pos)++];
		v |= (uint32_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* Where the body of defined function `defined` starts and ends in the module
 * bytes (after its size field): the code section, read just far enough. */
static int body_range(const uint8_t *b, size_t len, uint32_t defined, size_t *start, size_t *end)
{
	size_t pos = 8;
	while (pos < len) {
		uint8_t id = b[pos++];
		uint32_t size;
		if (leb_u32(b, len, &pos, &size) < 0 || size > len - pos)
			return -1;
		size_t sec_end = pos + size;
		if (id != 10) {
			pos = sec_end;
			continue;
		}
		uint32_t count;
		if (leb_u32(b, sec_end, &pos, &count) < 0 || defined >= count)
			return -1;
		for (uint32_t i = 0;; i++) {
			uint32_t bsize;
			if (leb_u32(b, sec_end, &pos, &bsize) < 0 || bsize > sec_end - pos)
				return -1;
			if (i == defined) {
				*start = pos;
				*end = pos + bsize;
				return 0;
			}
			pos += bsize;
		}
	}
	return -1;
}

static uint32_t imported_funcs(const wasm_module *m)
{
	uint32_t n = 0, k = wasm_module_import_count(m);
	for (uint32_t i = 0; i < k; i++) {
		const char *mod, *name;
		wasm_externtype t;
		if (wasm_module_import(m, i, &mod, &name, &t) == 0 && t.kind == WASM_EXTERN_FUNC)
			n++;
	}
	return n;
}

/* The innermost frame may stand at a call with its arguments still on its
 * stack (a host call to re-issue). wasm_state_push_frame checks the types of
 * the values below them only, so the arguments are checked here against
 * the callee's parameters: a hostile image must not hand a function a value
 * of another type (an i32 where a funcref is expected would become a
 * pointer). module/len are the bytes inst was made from. */
static int check_call_args(const vsl_frame *fr, wasm_instance *inst, const uint8_t *module,
			   size_t len, char *err, size_t errlen)
{
	const wasm_module *m = wasm_instance_module(inst);
	uint8_t *types = malloc((size_t)fr->nstack + 1);
	if (!types) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int h = wasm_state_stack_types(m, fr->func_index, fr->body_offset, types, fr->nstack + 1);
	free(types);
	if (h < 0 || (uint32_t)h >= fr->nstack)
		return 0; /* no arguments; push_frame checks the rest */
	uint32_t nargs = fr->nstack - (uint32_t)h;
	const vsl_value *args = fr->stack + h;
	uint32_t nimp = imported_funcs(m);
	size_t start, end, pos;
	if (!module || fr->func_index < nimp ||
	    body_range(module, len, fr->func_index - nimp, &start, &end) < 0 ||
	    fr->body_offset >= end - start) {
		snprintf(err, errlen, "the call at offset %u of function %u cannot be found",
			 fr->body_offset, fr->func_index);
		return -1;
	}
	pos = start + fr->body_offset;
	uint8_t op = module[pos++];
	const wasm_functype *ft = NULL;
	uint32_t idx, table;
	if (op == 0x10 && leb_u32(module, end, &pos, &idx) == 0) {
		wasm_func *callee = wasm_instance_func_at(inst, idx);
		ft = callee ? wasm_func_type(callee) : NULL;
	} else if (op == 0x11 && leb_u32(module, end, &pos, &idx) == 0 &&
		   leb_u32(module, end, &pos, &table) == 0) {
		/* the last argument is the table index; the runtime checks the
		 * element's type against the call's before passing the rest, so
		 * the element's parameters are what the rest must be */
		if (args[nargs - 1].type != WASM_I32) {
			snprintf(err, errlen,
				 "frame at call_indirect: the table index is not an i32");
			return -1;
		}
		wasm_table *t = wasm_instance_table(inst, table);
		wasm_val e;
		if (t && wasm_table_get(t, (uint32_t)args[nargs - 1].lo, &e) == 0 &&
		    e.type == WASM_FUNCREF && e.of.func) {
			ft = wasm_func_type(e.of.func);
			if (ft->nparams != nargs - 1)
				return 0; /* the call traps on the type mismatch */
		} else {
			return 0; /* the call traps: null or out of range */
		}
		nargs--;
	}
	if (!ft) {
		snprintf(err, errlen, "offset %u of function %u is not a call", fr->body_offset,
			 fr->func_index);
		return -1;
	}
	if (ft->nparams != nargs) {
		snprintf(err, errlen,
			 "the call at offset %u of function %u takes %u arguments, not %u",
			 fr->body_offset, fr->func_index, ft->nparams, nargs);
		return -1;
	}
	for (uint32_t k = 0; k < nargs; k++)
		if (args[k].type != ft->params[k]) {
			snprintf(
				err, errlen,
				"argument %u of the call at offset %u of function %u has the wrong "
				"type",
				k, fr->body_offset, fr->func_index);
			return -1;
		}
	return 0;
}

/* Function type typeidx of the module: parameter and result types point
 * into the module bytes (one byte each in Wasm 2.0). */
static int module_type(const uint8_t *b, size_t len, uint32_t typeidx, wasm_functype *out)
{
	size_t pos = 8;
	while (pos < len) {
		uint8_t id = b[pos++];
		uint32_t size;
		if (leb_u32(b, len, &pos, &size) < 0 || size > len - pos)
			return -1;
		size_t sec_end = pos + size;
		if (id != 1) {
			pos = sec_end;
			continue;
		}
		uint32_t count;
		if (leb_u32(b, sec_end, &pos, &count) < 0 || typeidx >= count)
			return -1;
		for (uint32_t i = 0; i <= typeidx; i++) {
			if (pos >= sec_end || b[pos++] != 0x60)
				return -1;
			uint32_t np, nr;
			if (leb_u32(b, sec_end, &pos, &np) < 0 || np > sec_end - pos)
				return -1;
			out->params = b + pos;
			out->nparams = np;
			pos += np;
			if (leb_u32(b, sec_end, &pos, &nr) < 0 || nr > sec_end - pos)
				return -1;
			out->results = b + pos;
			out->nresults = nr;
			pos += nr;
		}
		return 0;
	}
	return -1;
}

static bool same_type(const wasm_functype *a, const wasm_functype *b)
{
	return a->nparams == b->nparams && a->nresults == b->nresults &&
	       memcmp(a->params, b->params, a->nparams) == 0 &&
	       memcmp(a->results, b->results, a->nresults) == 0;
}

/* Frame `inner` must be what the call its caller `outer` stands at calls:
 * that function for `call`, a function of the call's type for
 * call_indirect; otherwise its results would land where the caller expects
 * values of other types (a funcref made of an i32). */
static int check_callee(const vsl_frame *outer, const vsl_frame *inner, wasm_instance *inst,
			const uint8_t *module, size_t len, char *err, size_t errlen)
{
	const wasm_module *m = wasm_instance_module(inst);
	uint32_t nimp = imported_funcs(m);
	size_t start, end, pos;
	wasm_func *callee = wasm_instance_func_at(inst, inner->func_index);
	if (!callee || outer->func_index < nimp ||
	    body_range(module, len, outer->func_index - nimp, &start, &end) < 0 ||
	    outer->body_offset >= end - start) {
		snprintf(err, errlen, "the call at offset %u of function %u cannot be found",
			 outer->body_offset, outer->func_index);
		return -1;
	}
	pos = start + outer->body_offset;
	uint8_t op = module[pos++];
	uint32_t idx, table;
	if (op == 0x10 && leb_u32(module, end, &pos, &idx) == 0) {
		if (idx == inner->func_index)
			return 0;
	} else if (op == 0x11 && leb_u32(module, end, &pos, &idx) == 0 &&
		   leb_u32(module, end, &pos, &table) == 0) {
		wasm_functype t;
		if (module_type(module, len, idx, &t) == 0 && same_type(&t, wasm_func_type(callee)))
			return 0;
	} else {
		snprintf(err, errlen, "offset %u of function %u is not a call", outer->body_offset,
			 outer->func_index);
		return -1;
	}
	snprintf(err, errlen, "function %u is not what the call at offset %u of function %u calls",
		 inner->func_index, outer->body_offset, outer->func_index);
	return -1;
}

/* ---- restore ----------------------------------------------------------------------- */

int vsl_restore_state(const vsl_image *img, const uint8_t *module, size_t len, wasm_instance *inst,
		      wasm_exec *ex, char *err, size_t errlen)
{
	uint8_t digest[VSL_SHA256_LEN];
	vsl_sha256_buf(module, len, digest);
	if (len != img->module_len || memcmp(digest, img->module_sha256, sizeof(digest)) != 0) {
		snprintf(err, errlen, "the module is not the image's (SHA-256 differs)");
		return -1;
	}
	if (wasm_instance_memory_count(inst) != img->nmemories ||
	    wasm_instance_global_count(inst) != img->nglobals ||
	    wasm_instance_table_count(inst) != img->ntables) {
		snprintf(err, errlen,
			 "the image (%u memories, %u globals, %u tables) does not fit the "
			 "instance (%u, %u, %u)",
			 img->nmemories, img->nglobals, img->ntables,
			 wasm_instance_memory_count(inst), wasm_instance_global_count(inst),
			 wasm_instance_table_count(inst));
		return -1;
	}
	for (uint32_t i = 0; i < img->nmemories; i++) {
		wasm_memory *mem = wasm_instance_memory(inst, i);
		uint32_t cur = wasm_memory_pages(mem), want = img->memories[i].pages;
		if (want < cur) {
			snprintf(err, errlen, "memory %u: %u pages in the image, %u at least", i,
				 want, cur);
			return -1;
		}
		if (want > cur && wasm_memory_grow(mem, want - cur) < 0) {
			snprintf(err, errlen, "memory %u cannot grow to %u pages (limit)", i, want);
			return -1;
		}
		/* pages from before the grow may hold data segments; grown ones
		   are zero already (memory.grow's semantics), and touching them
		   here would cost a pass over the whole memory */
		memset(wasm_memory_data(mem), 0, (size_t)cur * VSL_PAGE_SIZE);
	}
	for (uint32_t r = 0; r < img->nruns; r++) {
		const vsl_page_run *run = &img->runs[r];
		wasm_memory *mem = wasm_instance_memory(inst, run->mem);
		if (!mem || wasm_memory_write(mem, (uint64_t)run->first * VSL_PAGE_SIZE, run->data,
					      (size_t)run->count * VSL_PAGE_SIZE) < 0) {
			snprintf(err, errlen, "page run %u lies outside memory %u", r, run->mem);
			return -1;
		}
	}
	for (uint32_t i = 0; i < img->nglobals; i++) {
		wasm_global *g = wasm_instance_global(inst, i);
		const vsl_global *s = &img->globals[i];
		if (wasm_global_type(g) != s->value.type || wasm_global_mutable(g) != s->mutable_) {
			snprintf(err, errlen, "global %u: its type differs from the instance's", i);
			return -1;
		}
		if (!s->mutable_)
			continue;
		wasm_val v;
		if (val_from_image(inst, &s->value, &v) < 0 || wasm_global_set(g, v) < 0) {
			snprintf(err, errlen, "global %u: its value cannot be restored", i);
			return -1;
		}
	}
	for (uint32_t i = 0; i < img->ntables; i++) {
		wasm_table *t = wasm_instance_table(inst, i);
		const vsl_table *s = &img->tables[i];
		if (wasm_table_elem_type(t) != s->elem_type) {
			snprintf(err, errlen, "table %u: its element type differs", i);
			return -1;
		}
		uint32_t cur = wasm_table_size(t);
		wasm_val null = {.type = s->elem_type};
		if (s->size < cur ||
		    (s->size > cur && wasm_table_grow(t, s->size - cur, null) < 0)) {
			snprintf(err, errlen, "table %u cannot take %u elements", i, s->size);
			return -1;
		}
		for (uint32_t k = 0; k < s->size; k++) {
			vsl_value iv = {.type = s->elem_type, .lo = s->elems[k]};
			wasm_val v;
			if (val_from_image(inst, &iv, &v) < 0 || wasm_table_set(t, k, v) < 0) {
				snprintf(err, errlen,
					 "table %u element %u: function %u does not exist", i, k,
					 s->elems[k]);
				return -1;
			}
		}
	}
	if (img->nframes) {
		/* the outermost frame is the function the run entered */
		wasm_func *entry = wasm_instance_func(inst, img->entry);
		if (!entry || wasm_instance_func_at(inst, img->frames[0].func_index) != entry ||
		    wasm_func_type(entry)->nresults != img->entry_nresults) {
			snprintf(err, errlen,
				 "the outermost frame (function %u) is not the entry '%s'",
				 img->frames[0].func_index, img->entry);
			return -1;
		}
	}
	for (uint32_t f = 0; f < img->nframes; f++) {
		const vsl_frame *fr = &img->frames[f];
		size_t n = (size_t)fr->nlocals + fr->nstack;
		wasm_val *vals = calloc(n + 1, sizeof(*vals));
		if (!vals) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (size_t k = 0; k < n; k++) {
			const vsl_value *s =
				k < fr->nlocals ? &fr->locals[k] : &fr->stack[k - fr->nlocals];
			if (val_from_image(inst, s, &vals[k]) < 0) {
				free(vals);
				snprintf(err, errlen, "frame %u value %zu: no such function", f, k);
				return -1;
			}
		}
		if ((f > 0 &&
		     check_callee(&img->frames[f - 1], fr, inst, module, len, err, errlen) < 0) ||
		    (f == img->nframes - 1 &&
		     check_call_args(fr, inst, module, len, err, errlen) < 0)) {
			free(vals);
			return -1;
		}
		char why[256];
		int rc = wasm_state_push_frame(ex, inst, fr->func_index, fr->body_offset, vals,
					       fr->nlocals, vals + fr->nlocals, fr->nstack, why,
					       sizeof(why));
		free(vals);
		if (rc < 0) {
			snprintf(err, errlen, "frame %u (function %u at offset %u): %s", f,
				 fr->func_index, fr->body_offset, why);
			return -1;
		}
	}
	return 0;
}

/* Host open flags for a reopened fd, as path_open derives them. */
static int open_flags(const vsl_wasi_fd *f)
{
	int fl = O_CLOEXEC | O_NOFOLLOW;
	bool dir = f->filetype == WASI_FILETYPE_DIRECTORY || (f->oflags & WASI_OFLAG_DIRECTORY);
	bool rd = f->rights_base & (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
	bool wr = f->rights_base & (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_WRITE |
				    WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_SET_SIZE);
	if (dir) {
		fl |= O_DIRECTORY;
		wr = false;
	}
	fl |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
	if (f->fdflags & WASI_FDFLAG_APPEND)
		fl |= O_APPEND;
	if (f->fdflags & WASI_FDFLAG_DSYNC)
		fl |= O_DSYNC;
	if (f->fdflags & WASI_FDFLAG_NONBLOCK)
		fl |= O_NONBLOCK;
	if (f->fdflags & WASI_FDFLAG_RSYNC)
		fl |= O_RSYNC;
	if (f->fdflags & WASI_FDFLAG_SYNC)
		fl |= O_SYNC;
	return fl;
}

/* The preopen whose guest path is the longest prefix (at a component
 * boundary) of path; *rest is what follows it. */
static int find_preopen(const vsl_wasi *s, const char *path, const char **rest)
{
	int best = -1;
	size_t best_len = 0;
	for (uint32_t i = 0; i < s->npreopens; i++) {
		const char *g = s->preopens[i].guest_path;
		size_t n = strlen(g);
		if (strncmp(path, g, n) != 0)
			continue;
		if (path[n] != '/' && path[n] != '\0' && !(n > 0 && g[n - 1] == '/'))
			continue;
		if (best < 0 || n > best_len) {
			best = (int)i;
			best_len = n;
		}
	}
	if (best >= 0) {
		*rest = path + best_len;
		while (**rest == '/')
			(*rest)++;
	}
	return best;
}

static int reopen_fd(wasi_ctx *w, const vsl_wasi *s, const vsl_wasi_fd *f, char *err, size_t errlen)
{
	const char *rest;
	int p = f->guest_path ? find_preopen(s, f->guest_path, &rest) : -1;
	if (p < 0) {
		snprintf(err, errlen, "fd %u (%s) lies under no preopened directory", f->fd,
			 f->guest_path ? f->guest_path : "no path");
		return -1;
	}
	const wasi_fd *base = (uint32_t)(3 + p) < w->nfds ? &w->fds[3 + p] : NULL;
	if (!base || base->host_fd < 0 || base->preopen != p) {
		snprintf(err, errlen, "fd %u: its preopened directory %s is not open", f->fd,
			 s->preopens[p].guest_path);
		return -1;
	}
	if (!*rest)
		rest = ".";
	wasi_resolved res;
	int e = wasi_path_resolve(base->host_fd, rest, strlen(rest), true, &res);
	if (e) {
		snprintf(err, errlen, "fd %u: cannot resolve %s: %s", f->fd, f->guest_path,
			 wasi_errno_name((uint16_t)e));
		return -1;
	}
	int h = openat(res.dirfd, res.name, open_flags(f));
	int oe = errno;
	wasi_path_release(&res);
	if (h < 0) {
		snprintf(err, errlen, "fd %u: cannot reopen %s: %s", f->fd, f->guest_path,
			 strerror(oe));
		return -1;
	}
	if (f->has_offset && !(f->fdflags & WASI_FDFLAG_APPEND) &&
	    lseek(h, (off_t)f->offset, SEEK_SET) < 0) {
		snprintf(err, errlen, "fd %u: cannot seek %s to %llu: %s", f->fd, f->guest_path,
			 (unsigned long long)f->offset, strerror(errno));
		close(h);
		return -1;
	}
	wasi_fd meta = {.filetype = f->filetype,
			.fdflags = f->fdflags,
			.rights_base = f->rights_base,
			.rights_inheriting = f->rights_inheriting,
			.preopen = -1,
			.guest_path = f->guest_path,
			.oflags = f->oflags};
	e = wasi_fd_install(w, f->fd, h, &meta);
	if (e) {
		close(h);
		snprintf(err, errlen, "fd %u: cannot install: %s", f->fd,
			 wasi_errno_name((uint16_t)e));
		return -1;
	}
	return 0;
}

wasi_ctx *vsl_wasi_restore(const vsl_wasi *s, const vsl_restore_opts *o, char *err, size_t errlen)
{
	wasi_config wc;
	wasi_config_init(&wc);
	wasi_preopen *pre = calloc((size_t)s->npreopens + 1, sizeof(*pre));
	if (!pre) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (uint32_t i = 0; i < s->npreopens; i++) {
		pre[i].guest_path = s->preopens[i].guest_path;
		pre[i].host_path = o && o->require_dir_map ? NULL : s->preopens[i].host_path;
		for (uint32_t k = 0; o && k < o->ndirs; k++)
			if (strcmp(o->dirs[k].guest_path, pre[i].guest_path) == 0)
				pre[i].host_path = o->dirs[k].host_path;
		if (!pre[i].host_path || !pre[i].host_path[0]) {
			snprintf(err, errlen, "preopened directory %s has no host directory",
				 pre[i].guest_path);
			free(pre);
			return NULL;
		}
	}
	wc.argc = s->argc;
	wc.argv = (const char *const *)s->argv;
	wc.envc = s->envc;
	wc.envp = (const char *const *)s->envp;
	wc.npreopens = s->npreopens;
	wc.preopens = pre;
	if (o)
		memcpy(wc.stdio, o->stdio, sizeof(wc.stdio));
	if (s->max_fds)
		wc.max_fds = s->max_fds;
	wasi_ctx *w = wasi_new(&wc, err, errlen);
	free(pre);
	if (!w)
		return NULL;
	/* close what the image does not have open (the guest closed it) */
	uint32_t k = 0;
	for (uint32_t fd = 0; fd < w->nfds; fd++) {
		while (k < s->nfds && s->fds[k].fd < fd)
			k++;
		bool open_in_image = k < s->nfds && s->fds[k].fd == fd;
		wasi_fd *f = &w->fds[fd];
		if (!open_in_image && f->host_fd >= 0) {
			close(f->host_fd);
			free(f->guest_path);
			f->guest_path = NULL;
			f->host_fd = -1;
			f->preopen = -1;
		}
	}
	for (uint32_t i = 0; i < s->nfds; i++) {
		const vsl_wasi_fd *f = &s->fds[i];
		if (f->fd <= 2) {
			if (f->fd < w->nfds && w->fds[f->fd].host_fd >= 0) {
				w->fds[f->fd].fdflags = f->fdflags;
				w->fds[f->fd].rights_base &= f->rights_base;
				w->fds[f->fd].rights_inheriting &= f->rights_inheriting;
			}
			continue;
		}
		if (f->preopen >= 0) {
			if (f->fd != 3 + (uint32_t)f->preopen) {
				snprintf(err, errlen,
					 "fd %u: preopen %d was renumbered; not supported", f->fd,
					 f->preopen);
				goto fail;
			}
			continue;
		}
		if (reopen_fd(w, s, f, err, errlen) < 0)
			goto fail;
	}
	w->monotonic_offset_ns = s->monotonic_ns - monotonic_now_ns();
	w->realtime_offset_ns = s->realtime_offset_ns;
	return w;
fail:
	wasi_free(w);
	return NULL;
}

/* ---- vessels ------------------------------------------------------------------------ */

struct vsl_vessel {
	uint8_t *module_bytes;
	size_t module_len;
	wasm_module *module;
	wasi_ctx *wasi;
	wasm_imports *imports;
	wasm_instance *inst;
	wasm_exec *ex;
	wasm_func *entry;
	char *entry_name;
	bool started;
	int exit_code;
};

void vsl_vessel_free(vsl_vessel *v)
{
	if (!v)
		return;
	wasm_exec_free(v->ex);
	wasm_instance_free(v->inst);
	wasm_imports_free(v->imports);
	wasi_free(v->wasi);
	wasm_module_free(v->module);
	free(v->module_bytes);
	free(v->entry_name);
	free(v);
}

/* Module, imports, instance and exec around an existing WASI context. */
static int vessel_build(vsl_vessel *v, const wasm_config *cfg, char *err, size_t errlen)
{
	char why[512];
	v->module = wasm_module_new(v->module_bytes, v->module_len, why, sizeof(why));
	if (!v->module) {
		snprintf(err, errlen, "invalid module: %s", why);
		return -1;
	}
	v->imports = wasm_imports_new();
	if (!v->imports || wasi_add_imports(v->wasi, v->imports, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", v->imports ? why : "out of memory");
		return -1;
	}
	v->inst = wasm_instance_new(v->module, v->imports, cfg, why, sizeof(why));
	if (!v->inst) {
		snprintf(err, errlen, "cannot instantiate: %s", why);
		return -1;
	}
	wasm_instance_set_user(v->inst, v->wasi);
	v->ex = wasm_exec_new(cfg);
	if (!v->ex) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	v->entry = wasm_instance_func(v->inst, v->entry_name);
	if (!v->entry) {
		snprintf(err, errlen, "the module exports no function '%s'", v->entry_name);
		return -1;
	}
	if (wasm_func_type(v->entry)->nparams != 0) {
		snprintf(err, errlen, "entry '%s' takes parameters", v->entry_name);
		return -1;
	}
	return 0;
}

vsl_vessel *vsl_vessel_new(const uint8_t *module, size_t len, const wasi_config *wc,
			   const wasm_config *cfg, const char *entry, char *err, size_t errlen)
{
	vsl_vessel *v = calloc(1, sizeof(*v));
	if (!v || !(v->module_bytes = malloc(len ? len : 1)) ||
	    !(v->entry_name = strdup(entry ? entry : "_start"))) {
		snprintf(err, errlen, "out of memory");
		vsl_vessel_free(v);
		return NULL;
	}
	memcpy(v->module_bytes, module, len);
	v->module_len = len;
	v->wasi = wasi_new(wc, err, errlen);
	if (!v->wasi || vessel_build(v, cfg, err, errlen) < 0) {
		vsl_vessel_free(v);
		return NULL;
	}
	wasm_result r = wasm_instance_start(v->inst, v->ex);
	if (r != WASM_OK) {
		snprintf(err, errlen, "start function: %s %s", wasm_result_name(r),
			 wasm_exec_message(v->ex) ? wasm_exec_message(v->ex) : "");
		vsl_vessel_free(v);
		return NULL;
	}
	return v;
}

vsl_vessel *vsl_vessel_restore(const uint8_t *image, size_t len, const vsl_restore_opts *o,
			       char *err, size_t errlen)
{
	vsl_image img;
	vsl_vessel *v = NULL;
	if (vsl_image_read(image, len, &img, err, errlen) == 0)
		v = vsl_vessel_restore_image(&img, o, err, errlen);
	vsl_image_clear(&img);
	return v;
}

vsl_vessel *vsl_vessel_restore_image(const vsl_image *imgp, const vsl_restore_opts *o, char *err,
				     size_t errlen)
{
	const vsl_image img = *imgp;
	vsl_vessel *v = NULL;
	const uint8_t *mod = img.module_bytes;
	if (o && o->module) {
		uint8_t d[VSL_SHA256_LEN];
		vsl_sha256_buf(o->module, o->module_len, d);
		if (o->module_len != img.module_len ||
		    memcmp(d, img.module_sha256, sizeof(d)) != 0) {
			snprintf(err, errlen,
				 "the module given is not the image's (SHA-256 differs)");
			goto fail;
		}
		mod = o->module;
	}
	if (!mod) {
		snprintf(err, errlen, "the image does not carry its module: give the module bytes");
		goto fail;
	}
	if (!img.has_wasi) {
		snprintf(err, errlen, "the image has no WASI section: not a vessel");
		goto fail;
	}
	v = calloc(1, sizeof(*v));
	if (!v || !(v->module_bytes = malloc(img.module_len ? img.module_len : 1)) ||
	    !(v->entry_name = strdup(img.entry))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	memcpy(v->module_bytes, mod, img.module_len);
	v->module_len = img.module_len;
	v->wasi = vsl_wasi_restore(&img.wasi, o, err, errlen);
	if (!v->wasi || vessel_build(v, o ? o->cfg : NULL, err, errlen) < 0)
		goto fail;
	if (wasm_func_type(v->entry)->nresults != img.entry_nresults) {
		snprintf(err, errlen, "entry '%s' has %u results, the image says %u", img.entry,
			 wasm_func_type(v->entry)->nresults, img.entry_nresults);
		goto fail;
	}
	if (img.nframes && img.frames[0].func_index != wasm_func_index(v->entry)) {
		snprintf(err, errlen, "the outermost frame (function %u) is not the entry '%s'",
			 img.frames[0].func_index, img.entry);
		goto fail;
	}
	if (vsl_restore_state(&img, v->module_bytes, v->module_len, v->inst, v->ex, err, errlen) <
	    0)
		goto fail;
	v->started = img.nframes > 0;
	return v;
fail:
	vsl_vessel_free(v);
	return NULL;
}

wasm_result vsl_vessel_run(vsl_vessel *v, uint64_t fuel)
{
	if (fuel)
		wasm_exec_set_fuel(v->ex, fuel);
	else
		wasm_exec_disable_fuel(v->ex);
	uint32_t nres = wasm_func_type(v->entry)->nresults;
	wasm_val res[16];
	if (nres > 16)
		return WASM_ERROR;
	wasm_result r;
	if (v->started) {
		r = wasm_exec_resume(v->ex, res, nres);
	} else {
		v->started = true;
		r = wasm_call(v->ex, v->entry, NULL, 0, res, nres);
	}
	if (r == WASM_EXIT)
		v->exit_code = wasm_exec_exit_code(v->ex);
	return r;
}

int vsl_vessel_checkpoint(vsl_vessel *v, unsigned flags, uint8_t **out, size_t *outlen, char *err,
			  size_t errlen)
{
	if (v->started && !wasm_exec_suspended(v->ex)) {
		snprintf(err, errlen, "the vessel is not stopped at a safe point");
		return -1;
	}
	vsl_image img;
	int rc = vsl_capture(v->inst, v->ex, v->wasi, v->module_bytes, v->module_len,
			     flags & VSL_WITH_MODULE, v->entry_name, &img, err, errlen);
	if (rc == 0)
		rc = vsl_image_write(&img, out, outlen, err, errlen);
	img.module_bytes = NULL; /* not owned */
	img.owned = NULL;
	vsl_image_clear(&img);
	return rc;
}

int vsl_vessel_exit_code(const vsl_vessel *v)
{
	return v->exit_code;
}

wasm_exec *vsl_vessel_exec(const vsl_vessel *v)
{
	return v->ex;
}

wasm_instance *vsl_vessel_instance(const vsl_vessel *v)
{
	return v->inst;
}

wasi_ctx *vsl_vessel_wasi(const vsl_vessel *v)
{
	return v->wasi;
}

const uint8_t *vsl_vessel_module(const vsl_vessel *v, size_t *len)
{
	*len = v->module_len;
	return v->module_bytes;
}

const char *vsl_vessel_entry(const vsl_vessel *v)
{
	return v->entry_name;
}
