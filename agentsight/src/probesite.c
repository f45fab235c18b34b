/* probesite: the cheapest correct place for a uprobe at a function's start
 * (see probesite.h for why). A small decoder of the few x86-64 instructions
 * that compilers put before a function's first push, call or jump, enough
 * to follow where the arguments go; it never guesses: an instruction it
 * does not know ends the walk and the probe stays at the entry. */
#include "probesite.h"

#include <string.h>

#include "agentsight.h"

enum {
	REG_RSP = 4
};

/* The System V argument registers, in order: rdi, rsi, rdx, rcx, r8, r9. */
static const uint8_t abi_regs[AS_PROBE_MAX_ARGS] = {7, 6, 2, 1, 8, 9};

bool as_probe_insn_emulated(const uint8_t *c, size_t len)
{
	if (len < 1)
		return false;
	uint8_t b = c[0];
	if (b >= 0x50 && b <= 0x57) /* push %reg */
		return true;
	if (b == 0x41 && len >= 2 && c[1] >= 0x50 && c[1] <= 0x57) /* push %r8..%r15 */
		return true;
	if (b == 0x90) /* nop */
		return true;
	if (b == 0xe8 || b == 0xe9 || b == 0xeb) /* call, jmp */
		return true;
	if (b >= 0x70 && b <= 0x7f) /* jcc rel8 */
		return true;
	if (b == 0x0f && len >= 2 && c[1] >= 0x80 && c[1] <= 0x8f) /* jcc rel32 */
		return true;
	if (len >= 5 && memcmp(c, "\x0f\x1f\x44\x00\x00", 5) == 0) /* nop5 */
		return true;
	return false;
}

/* Length of a ModRM operand (ModRM byte, SIB, displacement) at c, or 0 when
 * it runs past the end. */
static size_t modrm_len(const uint8_t *c, size_t len)
{
	if (len < 1)
		return 0;
	uint8_t mod = c[0] >> 6, rm = c[0] & 7;
	size_t n = 1;
	if (mod != 3 && rm == 4) {
		if (len < 2)
			return 0;
		n++;
		if (mod == 0 && (c[1] & 7) == 5)
			n += 4; /* no base: disp32 */
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2)
		n += 4;
	else if (mod == 0 && rm == 5)
		n += 4; /* rip-relative */
	return n <= len ? n : 0;
}

/* holds[r]: the argument register r holds now, or -1. One step of the walk:
 * returns the instruction's length, or 0 when it is not one the walk may
 * pass (unknown, or it writes the stack pointer). */
static size_t step(const uint8_t *c, size_t len, int8_t holds[16])
{
	if (len >= 4 && memcmp(c, "\xf3\x0f\x1e\xfa", 4) == 0) /* endbr64 */
		return 4;
	size_t p = 0;
	uint8_t rex = 0;
	if (len >= 1 && (c[0] & 0xf0) == 0x40) {
		rex = c[0];
		p = 1;
	}
	if (p >= len)
		return 0;
	bool w = rex & 8;
	uint8_t op = c[p++];
	const uint8_t *m = c + p;
	size_t left = len - p;

	/* mov $imm, %reg */
	if (op >= 0xb8 && op <= 0xbf) {
		int r = (op & 7) | ((rex & 1) << 3);
		size_t imm = w ? 8 : 4;
		if (r == REG_RSP || left < imm)
			return 0;
		holds[r] = -1;
		return p + imm;
	}
	size_t ml = modrm_len(m, left);
	if (!ml)
		return 0;
	uint8_t mod = m[0] >> 6;
	int reg = ((m[0] >> 3) & 7) | ((rex & 4) << 1);
	int rm = (m[0] & 7) | ((rex & 1) << 3);
	switch (op) {
	case 0x89: /* mov %reg, r/m */
	case 0x8b: /* mov r/m, %reg */
	{
		int dst = op == 0x89 ? rm : reg;
		if (op == 0x89 && mod != 3)
			return p + ml; /* a store: no register changes */
		if (dst == REG_RSP)
			return 0;
		if (mod == 3 && w)
			holds[dst] = holds[op == 0x89 ? reg : rm];
		else
			holds[dst] = -1; /* a load, or a 32-bit move that cuts */
		return p + ml;
	}
	case 0x8d: /* lea */
		if (mod == 3 || reg == REG_RSP)
			return 0;
		holds[reg] = -1;
		return p + ml;
	case 0x31: /* xor %reg, r/m */
	case 0x33: /* xor r/m, %reg */
	{
		int dst = op == 0x31 ? rm : reg;
		if (mod != 3 || dst == REG_RSP)
			return 0;
		holds[dst] = -1;
		return p + ml;
	}
	case 0x84: /* test */
	case 0x85:
	case 0x38: /* cmp */
	case 0x39:
	case 0x3a:
	case 0x3b:
		return p + ml; /* flags only */
	case 0x80:	       /* cmp $imm8, r/m8 */
	case 0x83:	       /* cmp $imm8, r/m */
		if (((m[0] >> 3) & 7) != 7 || left < ml + 1)
			return 0;
		return p + ml + 1;
	case 0xf6: /* test $imm8, r/m8 */
		if (((m[0] >> 3) & 7) != 0 || left < ml + 1)
			return 0;
		return p + ml + 1;
	default:
		return 0;
	}
}

bool as_probe_site_find(const uint8_t *code, size_t len, unsigned nargs, struct as_probe_site *site)
{
	if (nargs > AS_PROBE_MAX_ARGS)
		nargs = AS_PROBE_MAX_ARGS;
	memset(site, 0, sizeof(*site));
	memcpy(site->argreg, abi_regs, sizeof(site->argreg));
	site->emulated = as_probe_insn_emulated(code, len);
	if (site->emulated)
		return true;

	int8_t holds[16];
	memset(holds, -1, sizeof(holds));
	for (unsigned i = 0; i < AS_PROBE_MAX_ARGS; i++)
		holds[abi_regs[i]] = (int8_t)i;
	size_t limit = len < AS_PROBE_WALK_MAX ? len : AS_PROBE_WALK_MAX;
	size_t p = 0;
	while (p < limit) {
		if (as_probe_insn_emulated(code + p, len - p))
			break;
		size_t n = step(code + p, limit - p, holds);
		if (!n)
			return false;
		p += n;
	}
	if (p >= limit)
		return false;

	struct as_probe_site s = {.delta = (uint32_t)p, .emulated = true};
	for (unsigned i = 0; i < AS_PROBE_MAX_ARGS; i++) {
		s.argreg[i] = abi_regs[i];
		if (i >= nargs || holds[abi_regs[i]] == (int8_t)i)
			continue;
		int found = -1;
		for (int r = 0; r < 16 && found < 0; r++)
			if (holds[r] == (int8_t)i)
				found = r;
		if (found < 0)
			return false; /* an argument is gone: stay at the entry */
		s.argreg[i] = (uint8_t)found;
		s.remapped = true;
	}
	*site = s;
	return true;
}

uint64_t as_probe_cookie(const struct as_probe_site *site, unsigned lib)
{
	uint64_t c = lib & AS_COOKIE_LIB_MASK;
	if (site && site->remapped) {
		c |= AS_COOKIE_REMAP;
		for (unsigned i = 0; i < AS_PROBE_MAX_ARGS; i++)
			c |= (uint64_t)(site->argreg[i] & 15) << (AS_COOKIE_ARG_SHIFT + 4 * i);
	}
	return c;
}

static int32_t rel32(const uint8_t *c)
{
	uint32_t v =
		(uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
	return (int32_t)v;
}

bool as_probe_wrapper_target(const uint8_t *code, size_t len, int64_t *target)
{
	size_t p = 0;
	if (len >= 4 && memcmp(code, "\xf3\x0f\x1e\xfa", 4) == 0)
		p = 4;
	if (len < p + 9 || memcmp(code + p, "\x48\x83\xec", 3) != 0 || code[p + 4] != 0xe8)
		return false;
	p += 4;
	*target = (int64_t)p + 5 + rel32(code + p + 1);
	return true;
}

bool as_probe_calls(const uint8_t *code, size_t len, int64_t target)
{
	for (size_t i = 0; i + 5 <= len; i++)
		if (code[i] == 0xe8 && (int64_t)i + 5 + rel32(code + i + 1) == target)
			return true;
	return false;
}
