/* probesite: where to put a uprobe on a function so that a hit costs one
 * trap instead of two.
 *
 * On x86-64 a uprobe replaces an instruction with int3. After the trap the
 * kernel either emulates the instruction it displaced (push, jmp, call,
 * conditional jumps, nops) or single-steps a copy of it out of line, which
 * costs a second trap. On this project's machines (a Firecracker VM) the
 * second trap is the expensive part: a hit at `sub $0x18,%rsp` (how
 * Debian's SSL_read begins) costs about 11 us, at a `push` 0.7 to 0.9 us
 * (agentsight/bench/uprobe_cost.c measures both).
 *
 * So instead of the first instruction, the probe goes to the first emulated
 * one that every call reaches through straight-line code which only moves
 * values between registers: `mov %rdi,%rax`, `lea 0x160(%rax),%rdx`,
 * `xor %ecx,%ecx`, `mov $imm,%reg`, `test %reg,%reg`, `endbr64`. None of
 * them touches the stack pointer, so the return address is still at the
 * top of the stack there and a uretprobe at the same place works too.
 * Walking those instructions tracks which register holds each argument;
 * the eBPF programs then read the arguments from those registers (the map
 * travels in the attach cookie, see as_probe_cookie).
 *
 * Anything else stops the walk and the probe stays at the entry, as before.
 */
#ifndef AGENTSIGHT_PROBESITE_H
#define AGENTSIGHT_PROBESITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AS_PROBE_MAX_ARGS 6
#define AS_PROBE_WALK_MAX 48 /* bytes looked at after a function's entry */

struct as_probe_site {
	uint32_t delta;			   /* bytes after the entry where the probe goes */
	bool emulated;			   /* the instruction there is emulated: one trap */
	bool remapped;			   /* some argument moved to another register */
	uint8_t argreg[AS_PROBE_MAX_ARGS]; /* x86 register number of each argument */
};

/* Finds the site for a function whose first bytes are code[0..len), which
 * takes nargs arguments in registers (at most AS_PROBE_MAX_ARGS). Always
 * fills *site: at the entry, with the arguments where the ABI puts them, if
 * no cheaper site is proven. Returns true when the site is emulated. */
bool as_probe_site_find(const uint8_t *code, size_t len, unsigned nargs,
			struct as_probe_site *site);

/* True when code[0..len) begins with an instruction the kernel emulates. */
bool as_probe_insn_emulated(const uint8_t *code, size_t len);

/* The attach cookie for a site: the TLS library in bits 0-7; when the site
 * remapped arguments, bit 32 and a 4-bit register number per argument from
 * bit 8 (see AS_COOKIE_* in bpf/agentsight.h). */
uint64_t as_probe_cookie(const struct as_probe_site *site, unsigned lib);

/* A forwarding wrapper: code[0..len) is `[endbr64] sub $imm8,%rsp; call X`
 * (how OpenSSL 3's SSL_read_ex and SSL_write_ex hand their arguments on
 * unchanged). Stores X's distance from the function's entry in *target and
 * returns true. */
bool as_probe_wrapper_target(const uint8_t *code, size_t len, int64_t *target);

/* True when code[0..len) holds a `call rel32` to the function `target`
 * bytes from its entry (negative: before it). */
bool as_probe_calls(const uint8_t *code, size_t len, int64_t target);

#endif /* AGENTSIGHT_PROBESITE_H */
