/* state.c: the execution state of a suspended exec in machine-independent
 * form (wasm_state.h): frames with their function, bytecode offset, locals
 * and typed operand stack, and the reverse, frames pushed onto an idle exec
 * to resume a checkpointed run.
 *
 * A frame's internal pc is mapped to a bytecode offset through its
 * function's safe-point table (compile.c); the operand types at that offset
 * are recomputed by running the compiler's pass again up to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_internal.h"

struct fview {
	wasm_func *fn;
	cell *pc;
	uint64_t *fp;
	bool innermost;
};

static uint32_t nframes(const wasm_exec *ex)
{
	if (!ex->suspended)
		return 0;
	return (uint32_t)(ex->ftop - ex->frames);
}

/* Frame i (0 outermost): frames[0] is the sentinel; frame i's own state is
 * saved in frames[i + 1] unless it is the innermost. */
static int view(const wasm_exec *ex, uint32_t i, struct fview *v)
{
	uint32_t n = nframes(ex);
	if (i >= n)
		return -1;
	if (i == n - 1) {
		v->fn = ex->fn;
		v->pc = ex->pc;
		v->fp = ex->fp;
		v->innermost = true;
	} else {
		v->fn = ex->frames[i + 1].fn;
		v->pc = ex->frames[i + 1].ret;
		v->fp = ex->frames[i + 1].fp;
		v->innermost = false;
	}
	return v->fn && v->fn->code ? 0 : -1;
}

static bool sp_indirect(const struct wasm_safepoint *s);

static const struct wasm_safepoint *find_sp(const struct wasm_code *c, uint32_t pcidx,
					    bool innermost, bool host_stopped, uint32_t *height)
{
	const struct wasm_safepoint *found = NULL;
	for (uint32_t k = 0; k < c->nsps; k++) {
		const struct wasm_safepoint *s = &c->sps[k];
		if (s->kind == SP_CALL) {
			if (!innermost && s->ret_pc == pcidx) {
				*height = s->height;
				return s;
			}
			if (innermost && host_stopped && s->pc == pcidx) {
				/* the arguments, and call_indirect's table index */
				*height = s->height + s->nargs + (sp_indirect(s) ? 1 : 0);
				return s;
			}
		} else if (innermost && !host_stopped && s->pc == pcidx) {
			/* a loop at the very start shares its pc with the entry:
			 * the later record (the loop) is the more precise */
			*height = s->height;
			found = s;
		}
	}
	return found;
}

/* A call safe point's call op: direct (CALL func argbase, CALL_DEF func
 * argbase code) or indirect (CALL_INDIRECT table argbase type idxslot). */
static bool sp_indirect(const struct wasm_safepoint *s)
{
	return s->ret_pc - s->pc == 5;
}

/* The function type a call safe point's callee must have. */
static const wasm_functype *sp_callee_type(const wasm_func *fn, const struct wasm_safepoint *s)
{
	const cell *op = fn->code->code + s->pc;
	if (sp_indirect(s))
		return op[3].p; /* the call's type (compile.c) */
	return fn->inst->funcs[op[1].u]->type;
}

/* The slot of operand-stack value k of a frame whose shown stack holds
 * nshown values: at a call_indirect to re-issue, the last one is the table
 * index, read from wherever the call op reads it. */
static uint64_t *stack_slot(const wasm_func *fn, uint64_t *fp, const struct wasm_safepoint *s,
			    uint32_t k, uint32_t nshown)
{
	if (s->kind == SP_CALL && sp_indirect(s) && nshown == s->height + s->nargs + 1 &&
	    k == nshown - 1)
		return &fp[fn->code->code[s->pc + 4].u];
	return &fp[fn->code->stack_base + k];
}

/* The safe point at a body offset (the later record when a loop shares
 * the entry's offset... offsets are distinct: the entry's is the first
 * instruction, a loop's its opcode). */
static const struct wasm_safepoint *sp_at(const struct wasm_code *c, uint32_t off)
{
	const struct wasm_safepoint *s = NULL;
	for (uint32_t k = 0; k < c->nsps; k++)
		if (c->sps[k].off == off)
			s = &c->sps[k];
	return s;
}

uint32_t wasm_state_frame_count(const wasm_exec *ex)
{
	return nframes(ex);
}

int wasm_state_frame(wasm_exec *ex, uint32_t i, wasm_frame_info *out)
{
	struct fview v = {0};
	if (view(ex, i, &v) < 0)
		return -1;
	const struct wasm_code *c = v.fn->code;
	uint32_t pcidx = (uint32_t)(v.pc - c->code);
	uint32_t h;
	const struct wasm_safepoint *s =
		find_sp(c, pcidx, v.innermost, v.innermost && ex->host_stopped, &h);
	if (!s)
		return -1;
	const wasm_module *m = v.fn->inst->m;
	uint8_t *types = NULL;
	uint32_t n = 0;
	uint32_t defined = v.fn->index - m->nfunc_imports;
	if (s->height > 0 && wasm_probe_types(m, defined, s->off, &types, &n) < 0)
		return -1;
	size_t need = (size_t)h + 1;
	if (ex->types_cap < need) {
		uint8_t *nb = realloc(ex->types_buf, need);
		if (!nb) {
			free(types);
			return -1;
		}
		ex->types_buf = nb;
		ex->types_cap = need;
	}
	memset(ex->types_buf, 0, need);
	if (types)
		memcpy(ex->types_buf, types, n < h ? n : h);
	free(types);
	if (v.innermost && ex->host_stopped && h > n) {
		/* the arguments' types come from the call's signature, and
		 * call_indirect's table index is an i32 */
		const wasm_functype *ft = sp_callee_type(v.fn, s);
		uint32_t na = ft->nparams < h - n ? ft->nparams : h - n;
		memcpy(ex->types_buf + n, ft->params, na);
		if (sp_indirect(s) && n + na < h)
			ex->types_buf[n + na] = WASM_I32;
	}
	out->instance = v.fn->inst;
	out->func_index = v.fn->index;
	out->body_offset = s->off;
	out->module_offset = c->body_start + s->off;
	out->nlocals = c->nlocals;
	out->nstack = h;
	out->local_types = c->local_types;
	out->stack_types = ex->types_buf;
	return 0;
}

int wasm_state_frame_values(const wasm_exec *ex, uint32_t i, wasm_val *locals, wasm_val *stack)
{
	wasm_frame_info fi;
	if (wasm_state_frame((wasm_exec *)ex, i, &fi) < 0)
		return -1;
	struct fview v = {0};
	if (view(ex, i, &v) < 0)
		return -1;
	if (locals)
		for (uint32_t k = 0; k < fi.nlocals; k++)
			locals[k] = wasm_val_from_slot((wasm_valtype)fi.local_types[k], v.fp[k]);
	const struct wasm_safepoint *s = sp_at(v.fn->code, fi.body_offset);
	if (stack)
		for (uint32_t k = 0; k < fi.nstack; k++)
			stack[k] = wasm_val_from_slot((wasm_valtype)fi.stack_types[k],
						      *stack_slot(v.fn, v.fp, s, k, fi.nstack));
	return 0;
}

static int set_value(wasm_exec *ex, uint32_t frame, uint32_t idx, wasm_val val, bool local)
{
	wasm_frame_info fi;
	if (wasm_state_frame(ex, frame, &fi) < 0)
		return -1;
	struct fview v = {0};
	if (view(ex, frame, &v) < 0)
		return -1;
	if (local) {
		if (idx >= fi.nlocals || fi.local_types[idx] != val.type)
			return -1;
		v.fp[idx] = wasm_val_to_slot(&val);
	} else {
		if (idx >= fi.nstack || fi.stack_types[idx] != val.type)
			return -1;
		*stack_slot(v.fn, v.fp, sp_at(v.fn->code, fi.body_offset), idx, fi.nstack) =
			wasm_val_to_slot(&val);
	}
	return 0;
}

int wasm_state_set_local(wasm_exec *ex, uint32_t frame, uint32_t idx, wasm_val v)
{
	return set_value(ex, frame, idx, v, true);
}

int wasm_state_set_stack(wasm_exec *ex, uint32_t frame, uint32_t idx, wasm_val v)
{
	return set_value(ex, frame, idx, v, false);
}

int wasm_state_push_frame(wasm_exec *ex, wasm_instance *inst, uint32_t func_index,
			  uint32_t body_offset, const wasm_val *locals, uint32_t nlocals,
			  const wasm_val *stack, uint32_t nstack, char *err, size_t errlen)
{
	if (ex->nested) {
		snprintf(err, errlen, "cannot restore frames inside a host function");
		return -1;
	}
	if (!inst || func_index >= inst->m->nfuncs || func_index < inst->m->nfunc_imports) {
		snprintf(err, errlen, "function %u is not a defined function", func_index);
		return -1;
	}
	if ((nlocals && !locals) || (nstack && !stack)) {
		snprintf(err, errlen, "values missing");
		return -1;
	}
	wasm_func *f = inst->funcs[func_index];
	const struct wasm_code *c = f->code;
	bool first = !ex->suspended || ex->ftop == ex->frames;
	if (!first && !ex->restore_need_callee && !ex->restore_can_callee) {
		snprintf(err, errlen,
			 "the frame below does not stand at a call without its arguments");
		return -1;
	}
	/* find the safe point (checked before anything changes) */
	const struct wasm_safepoint *s = sp_at(c, body_offset);
	if (!s) {
		snprintf(err, errlen, "offset %u of function %u is not a safe point", body_offset,
			 func_index);
		return -1;
	}
	/* at a call: with its arguments (and call_indirect's table index), to
	 * re-issue on resume, or without them (an outer frame: the next frame
	 * pushed is the callee) */
	bool at_call = s->kind == SP_CALL;
	uint32_t with_args = s->height + (at_call ? s->nargs + (sp_indirect(s) ? 1 : 0) : 0);
	bool outer = at_call && nstack == s->height;
	if (nlocals != c->nlocals || (nstack != with_args && !outer)) {
		snprintf(err, errlen,
			 "function %u at %u has %u locals and %u stack values, not %u and %u",
			 func_index, body_offset, c->nlocals, with_args, nlocals, nstack);
		return -1;
	}
	for (uint32_t k = 0; k < nlocals; k++)
		if (locals[k].type != c->local_types[k]) {
			snprintf(err, errlen, "local %u has the wrong type", k);
			return -1;
		}
	uint8_t *types = NULL;
	uint32_t n = 0;
	if (s->height > 0 && wasm_probe_types(inst->m, func_index - inst->m->nfunc_imports,
					      body_offset, &types, &n) < 0) {
		snprintf(err, errlen, "cannot recompute the stack types");
		return -1;
	}
	if (n != s->height) {
		free(types);
		snprintf(err, errlen, "the stack types at %u do not match the safe point",
			 body_offset);
		return -1;
	}
	const wasm_functype *callee_ft = at_call ? sp_callee_type(f, s) : NULL;
	for (uint32_t k = 0; k < nstack; k++) {
		uint8_t want;
		if (k < n)
			want = types[k];
		else if (k - n < callee_ft->nparams)
			want = callee_ft->params[k - n];
		else
			want = WASM_I32; /* call_indirect's table index */
		if (stack[k].type != want) {
			free(types);
			snprintf(err, errlen, "stack value %u has the wrong type", k);
			return -1;
		}
	}
	free(types);
	/* the frame below (if any) stands at a call: this must be the function
	 * its call reaches (direct) or may reach (call_indirect: same type) */
	uint64_t *fp;
	const struct wasm_safepoint *below = NULL;
	if (!first) {
		const struct wasm_code *pc_code = ex->fn->code;
		uint32_t pcidx = (uint32_t)(ex->pc - pc_code->code);
		for (uint32_t k = 0; k < pc_code->nsps; k++)
			if (pc_code->sps[k].kind == SP_CALL && pc_code->sps[k].pc == pcidx)
				below = &pc_code->sps[k];
		if (!below) {
			snprintf(err, errlen, "the frame below does not stand at a call");
			return -1;
		}
		const cell *op = pc_code->code + below->pc;
		if (sp_indirect(below) ? !wasm_functype_eq(f->type, sp_callee_type(ex->fn, below))
				       : ex->fn->inst->funcs[op[1].u] != f) {
			snprintf(err, errlen,
				 "function %u is not what the call of the frame below reaches",
				 func_index);
			return -1;
		}
		if (ex->ftop >= ex->frames_end) {
			snprintf(err, errlen, "call stack exhausted");
			return -1;
		}
		fp = ex->fp + pc_code->stack_base + below->height;
	} else {
		fp = ex->stack;
	}
	if (fp + c->frame_slots > ex->stack_end) {
		snprintf(err, errlen, "call stack exhausted");
		return -1;
	}
	/* checked: now change the exec */
	if (first) {
		ex->frames[0].ret = wasm_exit_cell();
		ex->frames[0].fp = NULL;
		ex->frames[0].fn = NULL;
		ex->ftop = ex->frames + 1;
		ex->entry_fn = f;
	} else {
		ex->ftop->ret = ex->fn->code->code + below->ret_pc;
		ex->ftop->fp = ex->fp;
		ex->ftop->fn = ex->fn;
		ex->ftop++;
	}
	for (uint32_t k = 0; k < nlocals; k++)
		fp[k] = wasm_val_to_slot(&locals[k]);
	if (c->npool)
		memcpy(fp + c->nlocals, c->pool, (size_t)c->npool * 8);
	for (uint32_t k = 0; k < nstack; k++)
		*stack_slot(f, fp, s, k, nstack) = wasm_val_to_slot(&stack[k]);
	ex->fn = f;
	ex->fp = fp;
	ex->pc = c->code + s->pc;
	ex->suspended = true;
	/* a frame at a call with its arguments re-issues it, as after a host
	 * function's WASM_STOPPED (and reads back the same way) */
	ex->host_stopped = at_call;
	ex->restore_need_callee = outer && s->nargs > 0;
	ex->restore_can_callee = outer;
	return 0;
}

int wasm_state_stack_types(const wasm_module *m, uint32_t func_index, uint32_t body_offset,
			   uint8_t *types, uint32_t cap)
{
	if (func_index < m->nfunc_imports || func_index >= m->nfuncs)
		return -1;
	const struct wasm_code *c = &m->codes[func_index - m->nfunc_imports];
	const struct wasm_safepoint *s = NULL;
	for (uint32_t k = 0; k < c->nsps; k++)
		if (c->sps[k].off == body_offset)
			s = &c->sps[k];
	if (!s)
		return -1;
	if (s->height == 0)
		return 0;
	uint8_t *t = NULL;
	uint32_t n = 0;
	if (wasm_probe_types(m, func_index - m->nfunc_imports, body_offset, &t, &n) < 0)
		return -1;
	memcpy(types, t, n < cap ? n : cap);
	free(t);
	return (int)n;
}

int wasm_state_track_dirty(wasm_memory *mem, bool on)
{
	if (!mem)
		return -1;
	if (!on) {
		free(mem->dirty);
		mem->dirty = NULL;
		return 0;
	}
	if (!mem->dirty) {
		/* one byte per page of the whole address space (64 KiB): the map
		 * never moves while the memory grows, and the store path writes a
		 * byte with no read-modify-write */
		mem->dirty = calloc(WASM_MAX_PAGES, 1);
		if (!mem->dirty)
			return -1;
	}
	return 0;
}

bool wasm_state_tracking_dirty(const wasm_memory *mem)
{
	return mem && mem->dirty;
}

int64_t wasm_state_dirty_pages(wasm_memory *mem, uint8_t *bitmap, size_t bitmap_len, bool clear)
{
	if (!mem || !mem->dirty)
		return -1;
	uint32_t pages = mem->pages;
	if (bitmap_len < ((size_t)pages + 7) / 8)
		return -1;
	if (bitmap_len)
		memset(bitmap, 0, bitmap_len);
	int64_t n = 0;
	for (uint32_t p = 0; p < pages; p++) {
		if (mem->dirty[p]) {
			bitmap[p >> 3] |= (uint8_t)(1u << (p & 7));
			n++;
		}
	}
	/* pages beyond the size can only be marked by a shrink, which Wasm has
	 * not: clearing the used range clears all */
	if (clear)
		memset(mem->dirty, 0, pages);
	return n;
}
