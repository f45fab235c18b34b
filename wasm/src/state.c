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
				*height = s->height + s->nargs;
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

uint32_t wasm_state_frame_count(const wasm_exec *ex)
{
	return nframes(ex);
}

int wasm_state_frame(wasm_exec *ex, uint32_t i, wasm_frame_info *out)
{
	struct fview v;
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
		/* argument types come from the callee's signature */
		wasm_func *callee = NULL;
		/* the call op's operands: CALL func-index argbase */
		if (s->ret_pc - s->pc == 3)
			callee = v.fn->inst->funcs[c->code[s->pc + 1].u];
		else {
			wasm_table *t = v.fn->inst->tables[c->code[s->pc + 1].u];
			uint32_t idx = (uint32_t)v.fp[c->code[s->pc + 4].u];
			if (idx < t->size)
				callee = slot_ptr(t->elems[idx]);
		}
		if (callee)
			memcpy(ex->types_buf + n, callee->type->params,
			       callee->type->nparams < h - n ? callee->type->nparams : h - n);
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
	struct fview v;
	view(ex, i, &v);
	if (locals)
		for (uint32_t k = 0; k < fi.nlocals; k++)
			locals[k] = wasm_val_from_slot((wasm_valtype)fi.local_types[k], v.fp[k]);
	if (stack)
		for (uint32_t k = 0; k < fi.nstack; k++)
			stack[k] = wasm_val_from_slot((wasm_valtype)fi.stack_types[k],
						      v.fp[v.fn->code->stack_base + k]);
	return 0;
}

static int set_value(wasm_exec *ex, uint32_t frame, uint32_t idx, wasm_val val, bool local)
{
	wasm_frame_info fi;
	if (wasm_state_frame(ex, frame, &fi) < 0)
		return -1;
	struct fview v;
	view(ex, frame, &v);
	if (local) {
		if (idx >= fi.nlocals || fi.local_types[idx] != val.type)
			return -1;
		v.fp[idx] = wasm_val_to_slot(&val);
	} else {
		if (idx >= fi.nstack || fi.stack_types[idx] != val.type)
			return -1;
		v.fp[v.fn->code->stack_base + idx] = wasm_val_to_slot(&val);
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
	if (func_index >= inst->m->nfuncs || func_index < inst->m->nfunc_imports) {
		snprintf(err, errlen, "function %u is not a defined function", func_index);
		return -1;
	}
	wasm_func *f = inst->funcs[func_index];
	const struct wasm_code *c = f->code;
	/* the frame below (if any) must stand at a call: make it an outer frame */
	uint64_t *fp;
	if (!ex->suspended || ex->ftop == ex->frames) {
		ex->ftop = ex->frames;
		ex->frames[0].ret = NULL;
		ex->frames[0].fp = NULL;
		ex->frames[0].fn = NULL;
		ex->ftop = ex->frames + 1;
		fp = ex->stack;
		ex->entry_fn = f;
		ex->frames[0].ret = wasm_exit_cell();
	} else {
		/* the current innermost frame becomes an outer frame at its call */
		const struct wasm_code *pc_code = ex->fn->code;
		uint32_t pcidx = (uint32_t)(ex->pc - pc_code->code);
		const struct wasm_safepoint *s = NULL;
		for (uint32_t k = 0; k < pc_code->nsps; k++)
			if (pc_code->sps[k].kind == SP_CALL && pc_code->sps[k].pc == pcidx)
				s = &pc_code->sps[k];
		if (!s) {
			snprintf(err, errlen, "the frame below does not stand at a call");
			return -1;
		}
		if (ex->ftop >= ex->frames_end) {
			snprintf(err, errlen, "call stack exhausted");
			return -1;
		}
		ex->ftop->ret = pc_code->code + s->ret_pc;
		ex->ftop->fp = ex->fp;
		ex->ftop->fn = ex->fn;
		ex->ftop++;
		fp = ex->fp + pc_code->stack_base + s->height;
	}
	/* find the safe point */
	const struct wasm_safepoint *s = NULL;
	for (uint32_t k = 0; k < c->nsps; k++)
		if (c->sps[k].off == body_offset)
			s = &c->sps[k];
	if (!s) {
		snprintf(err, errlen, "offset %u of function %u is not a safe point", body_offset,
			 func_index);
		goto bad;
	}
	/* at a call: with its arguments (re-issued on resume) or without them
	 * (an outer frame: the next frame pushed is the callee) */
	uint32_t h = s->height + (s->kind == SP_CALL ? s->nargs : 0);
	if (s->kind == SP_CALL && nstack == s->height)
		h = s->height;
	if (nlocals != c->nlocals || nstack != h) {
		snprintf(err, errlen,
			 "function %u at %u has %u locals and %u stack values, not %u and %u",
			 func_index, body_offset, c->nlocals, h, nlocals, nstack);
		goto bad;
	}
	if (fp + c->frame_slots > ex->stack_end) {
		snprintf(err, errlen, "call stack exhausted");
		goto bad;
	}
	for (uint32_t k = 0; k < nlocals; k++) {
		if (locals[k].type != c->local_types[k]) {
			snprintf(err, errlen, "local %u has the wrong type", k);
			goto bad;
		}
		fp[k] = wasm_val_to_slot(&locals[k]);
	}
	uint8_t *types = NULL;
	uint32_t n = 0;
	if (s->height > 0 && wasm_probe_types(inst->m, func_index - inst->m->nfunc_imports,
					      body_offset, &types, &n) < 0) {
		snprintf(err, errlen, "cannot recompute the stack types");
		goto bad;
	}
	for (uint32_t k = 0; k < nstack; k++) {
		if (k < n && stack[k].type != types[k]) {
			free(types);
			snprintf(err, errlen, "stack value %u has the wrong type", k);
			goto bad;
		}
		fp[c->stack_base + k] = wasm_val_to_slot(&stack[k]);
	}
	free(types);
	if (c->npool)
		memcpy(fp + c->nlocals, c->pool, (size_t)c->npool * 8);
	ex->fn = f;
	ex->fp = fp;
	ex->pc = c->code + s->pc;
	ex->suspended = true;
	ex->host_stopped = false;
	return 0;
bad:
	if (ex->ftop > ex->frames + 1)
		ex->ftop--;
	return -1;
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
	(void)mem;
	(void)on;
	return -1;
}
