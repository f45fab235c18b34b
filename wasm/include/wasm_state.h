/* wasm_state.h: the execution state of a stopped run, for checkpoint and
 * restore (Vessels, docs/vessels.md) and for debugging.
 *
 * When a run returns WASM_STOPPED or WASM_OUT_OF_FUEL its exec is suspended
 * at a safe point, and every Wasm frame on it can be read in a
 * machine-independent form: the function (instance and index in its function
 * index space), the bytecode offset, and the typed values of its locals and
 * operand stack. Frames are numbered from the outermost (0, the function the
 * embedder called) to the innermost.
 *
 * Safe points and offsets:
 *  - the innermost frame stands at function entry (offset of the first
 *    instruction of the body, after the local declarations) or at a `loop`
 *    instruction about to start an iteration (the offset of the `loop`
 *    opcode; the operand stack then holds the loop's parameters on top);
 *  - every other frame stands at a `call` or `call_indirect` instruction (its
 *    offset), its arguments already moved to the callee's locals: the
 *    operand stack shown excludes them, and on return the results are pushed
 *    and execution goes on after the call.
 * Offsets are counted in bytes from the start of the function's body (the
 * first byte after the body's size field, i.e. at its local declarations);
 * wasm_state_frame also gives the offset from the start of the module bytes.
 *
 * A host function that returned WASM_STOPPED is not a frame: its caller's
 * frame stands at the call, which is re-issued on resume; its operand stack
 * then holds the call's arguments on top (and, for call_indirect, the table
 * index above them, as in Wasm before the instruction).
 *
 * Restore: on an exec that is not running anything, push frames outermost
 * first with wasm_state_push_frame, then wasm_exec_resume. Each frame is
 * checked before the exec changes: a frame above another must be the
 * function that frame's call reaches (call_indirect: any function of the
 * call's type); a frame at a call without its arguments must get its callee
 * before resume; nothing goes above a frame at entry, at a loop, or at a
 * call with its arguments. The instance must
 * have been created from the same module bytes, with memories, tables and
 * globals restored by the embedder through the public API.
 */
#ifndef ISTHMUS_WASM_STATE_H
#define ISTHMUS_WASM_STATE_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One frame, as seen at a safe point. The arrays point into memory owned by
 * the exec and stay valid until it runs again or is freed. A v128 value
 * counts as one value here. */
typedef struct wasm_frame_info {
	wasm_instance *instance;
	uint32_t func_index;	/* in the instance's function index space */
	uint32_t body_offset;	/* from the start of the function body */
	uint32_t module_offset; /* from the start of the module bytes */
	uint32_t nlocals;	/* parameters first, then declared locals */
	uint32_t nstack;	/* operand stack height, bottom first */
	const uint8_t *local_types;
	const uint8_t *stack_types;
} wasm_frame_info;

/* Number of Wasm frames on a suspended exec (0 when it is not suspended). */
uint32_t wasm_state_frame_count(const wasm_exec *ex);

/* Describes frame i (0 = outermost). Returns 0, or -1 when i is out of range
 * or the exec is not suspended. */
int wasm_state_frame(wasm_exec *ex, uint32_t i, wasm_frame_info *out);

/* Copies frame i's locals and operand stack as typed values into arrays of
 * at least nlocals and nstack entries (either may be NULL to skip it). */
int wasm_state_frame_values(const wasm_exec *ex, uint32_t i, wasm_val *locals, wasm_val *stack);

/* Overwrites one local or operand stack value of frame i (same type). */
int wasm_state_set_local(wasm_exec *ex, uint32_t frame, uint32_t idx, wasm_val v);
int wasm_state_set_stack(wasm_exec *ex, uint32_t frame, uint32_t idx, wasm_val v);

/* Restore: pushes one frame onto an idle exec (outermost first). The offset
 * must be a safe point of that function as described above; the values must
 * have the types the validator gives at that point. The first frame pushed
 * is the outermost: the results wasm_exec_resume then returns are its
 * function's. Returns 0, or -1 with a message. */
int wasm_state_push_frame(wasm_exec *ex, wasm_instance *inst, uint32_t func_index,
			  uint32_t body_offset, const wasm_val *locals, uint32_t nlocals,
			  const wasm_val *stack, uint32_t nstack, char *err, size_t errlen);

/* Types of the operand stack at a safe point of a function of module m,
 * as the validator computes them: writes up to cap types and returns the
 * height, or -1 when the offset is not a safe point. */
int wasm_state_stack_types(const wasm_module *m, uint32_t func_index, uint32_t body_offset,
			   uint8_t *types, uint32_t cap);

/* ---- dirty pages, for pre-copy migration -------------------------------------
 *
 * A memory can record which of its 64 KiB pages (Wasm pages: the unit of
 * memory.grow and of the Vessels image) were written since the set was last
 * cleared. Writes are recorded from every path into the memory: the
 * interpreter's stores (a store straddling two pages marks both),
 * memory.fill, memory.copy and memory.init (their destination), memory.grow
 * and wasm_memory_grow (the new pages), active data segments at
 * instantiation, wasm_memory_write, and host functions' pointers from
 * wasm_exec_mem_ptr (counted as written whether or not the host writes:
 * conservative). Host code that writes through wasm_memory_data or
 * wasm_exec_memory reports its writes with wasm_memory_mark_dirty.
 *
 * Turning tracking on starts with an empty set: a pre-copy loop sends the
 * whole memory once after turning it on, then, round after round, the pages
 * that wasm_state_dirty_pages(..., clear=true) returns, and finally stops the
 * exec and sends the last dirty set. Tracking costs one byte per page of the
 * 4 GiB space (64 KiB) and, when off, one predictable branch per store.
 *
 * Neither call may run while Wasm code that uses the memory is running on
 * another thread: call them between runs (after WASM_STOPPED or
 * WASM_OUT_OF_FUEL, say) or from a host function of that exec. */

/* Turns tracking on (a no-op when on already: the set is kept) or off (the
 * set is dropped). Returns 0, or -1 when out of memory. */
int wasm_state_track_dirty(wasm_memory *mem, bool on);
/* True when mem tracks dirty pages. */
bool wasm_state_tracking_dirty(const wasm_memory *mem);
/* Writes the dirty set as a bitmap: bit (p % 8) of bitmap[p / 8] is set
 * when page p was written; bitmap_len must be at least
 * (wasm_memory_pages(mem) + 7) / 8 bytes (the rest is zeroed). With clear,
 * the set is emptied after it is read. Returns the number of dirty pages,
 * or -1 when tracking is off or the bitmap is too short (nothing cleared). */
int64_t wasm_state_dirty_pages(wasm_memory *mem, uint8_t *bitmap, size_t bitmap_len, bool clear);

#ifdef __cplusplus
}
#endif

#endif /* ISTHMUS_WASM_STATE_H */
