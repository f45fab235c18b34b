/* Tests of the probe-site planner (src/probesite.c).
 *
 * The expected sites come from the assembler, not from the planner: each
 * case is a function written in assembly with a label where the probe must
 * go, so the distance is what GNU as encoded. The register each argument
 * ends in is read off the assembly by hand. Then, on this machine's real
 * libssl and libgnutls, every site the planner picks is disassembled with
 * objdump (an independent decoder) and must be an instruction the kernel
 * emulates: push, call, jmp, a conditional jump or a nop.
 *
 *   probesite_test [LIBSSL.so [LIBGNUTLS.so]]
 */
#include "elfsym.h"
#include "probesite.h"
#include "testkit.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CASE(name, body)                                                                 \
	".globl " #name "\n.type " #name ", @function\n" #name ":\n" body ".size " #name \
	", . - " #name "\n"

/* Each case: NAME, its body with the label NAME_site where the probe goes. */
__asm__(".text\n"
	/* ssl_log_secret as Debian's OpenSSL 3 compiles it: moves, then a tail
	 * jump to nss_keylog_int with the arguments shuffled. */
	CASE(ps_keylog, "mov %rdi,%rax\n mov %rdx,%r8\n mov %rsi,%rdi\n mov %rcx,%r9\n"
			" lea 0x160(%rax),%rdx\n mov $0x20,%ecx\n mov %rax,%rsi\n"
			"ps_keylog_site: jmp ps_target\n")
	/* SSL_free: a NULL check, then pushes. */
	CASE(ps_free, "test %rdi,%rdi\nps_free_site: je 1f\n push %r13\n pop %r13\n1: ret\n")
	/* A push first: the entry itself. */
	CASE(ps_push, "ps_push_site: push %r12\n pop %r12\n ret\n")
	/* gnutls_record_send: two zeroed registers, a tail jump. */
	CASE(ps_gnutls_send, "xor %r8d,%r8d\n xor %ecx,%ecx\nps_gnutls_send_site: jmp ps_target\n")
	/* endbr64, a compare with memory, a SIB lea, then a call. */
	CASE(ps_sib, "endbr64\n cmpq $0x0,0x30(%rdi)\n lea 0x8(%rdi,%rsi,2),%rax\n"
		     " testb $0x1,0x1168(%rdi)\nps_sib_site: call ps_target\n ret\n")
	/* SSL_read as Debian compiles it: the stack pointer moves first. */
	CASE(ps_sub, "sub $0x18,%rsp\n mov %rdi,%rax\n add $0x18,%rsp\n ret\n")
	/* The first argument is overwritten before the jump: no site. */
	CASE(ps_clobber, "xor %edi,%edi\n jmp ps_target\n")
	/* A 32-bit move cuts the argument: not the same value any more. */
	CASE(ps_cut, "mov %edi,%eax\n mov %rsi,%rdi\n jmp ps_target\n")
	/* A write of the stack pointer ends the walk. */
	CASE(ps_rsp, "mov %rdi,%rsp\n jmp ps_target\n")
	/* SSL_read_ex: a wrapper handing its arguments on. */
	CASE(ps_wrap, "sub $0x8,%rsp\n call ps_target\n add $0x8,%rsp\n ret\n")
		CASE(ps_wrap_cet,
		     "endbr64\n sub $0x8,%rsp\n call ps_target\n add $0x8,%rsp\n ret\n")
	/* SSL_read: calls the same function further in. */
	CASE(ps_caller, "sub $0x18,%rsp\n mov %rsp,%rcx\n movslq %edx,%rdx\n call ps_target\n"
			" add $0x18,%rsp\n ret\n") CASE(ps_target, "push %rbx\n pop %rbx\n ret\n"));

extern const uint8_t ps_keylog[], ps_keylog_site[], ps_free[], ps_free_site[], ps_push[],
	ps_push_site[], ps_gnutls_send[], ps_gnutls_send_site[], ps_sib[], ps_sib_site[], ps_sub[],
	ps_clobber[], ps_cut[], ps_rsp[], ps_wrap[], ps_wrap_cet[], ps_caller[], ps_target[];

enum {
	RAX = 0,
	RCX = 1,
	RDX = 2,
	RSI = 6,
	RDI = 7,
	R8 = 8,
	R9 = 9
};

static void test_sites(void)
{
	struct as_probe_site s;

	TK_CHECK(as_probe_site_find(ps_keylog, 64, 4, &s),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(s.delta == (uint32_t)(ps_keylog_site - ps_keylog),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(s.remapped, "the planner disagrees with the assembler or objdump");
	TK_CHECK(s.argreg[0] == RAX || s.argreg[0] == RSI,
		 "the planner disagrees with the assembler or objdump"); /* ssl: both hold it */
	TK_CHECK(s.argreg[1] == RDI,
		 "the planner disagrees with the assembler or objdump"); /* label */
	TK_CHECK(s.argreg[2] == R8,
		 "the planner disagrees with the assembler or objdump"); /* secret */
	TK_CHECK(s.argreg[3] == R9,
		 "the planner disagrees with the assembler or objdump"); /* its length */

	TK_CHECK(as_probe_site_find(ps_free, 32, 1, &s),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(s.delta == (uint32_t)(ps_free_site - ps_free),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(!s.remapped && s.argreg[0] == RDI,
		 "the planner disagrees with the assembler or objdump");

	TK_CHECK(as_probe_site_find(ps_push, 32, 2, &s),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(s.delta == 0 && s.emulated && !s.remapped,
		 "the planner disagrees with the assembler or objdump");

	TK_CHECK(as_probe_site_find(ps_gnutls_send, 32, 3, &s),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(s.delta == (uint32_t)(ps_gnutls_send_site - ps_gnutls_send),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(!s.remapped, "the planner disagrees with the assembler or objdump");
	/* Asked for four arguments, the fourth (rcx) is zeroed on the way. */
	TK_CHECK(!as_probe_site_find(ps_gnutls_send, 32, 4, &s),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(s.delta == 0 && !s.emulated,
		 "the planner disagrees with the assembler or objdump");

	TK_CHECK(as_probe_site_find(ps_sib, 64, 2, &s),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(s.delta == (uint32_t)(ps_sib_site - ps_sib),
		 "the planner disagrees with the assembler or objdump");

	/* No cheaper site: the entry, with the arguments where the ABI has them. */
	const uint8_t *none[] = {ps_sub, ps_clobber, ps_cut, ps_rsp};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		TK_CHECK(!as_probe_site_find(none[i], 32, 2, &s),
			 "the planner disagrees with the assembler or objdump");
		TK_CHECK(s.delta == 0 && !s.emulated && !s.remapped,
			 "the planner disagrees with the assembler or objdump");
		TK_CHECK(s.argreg[0] == RDI && s.argreg[1] == RSI && s.argreg[3] == RCX,
			 "the planner disagrees with the assembler or objdump");
	}
	/* ps_cut keeps the second argument but not the first. */
	TK_CHECK(!as_probe_site_find(ps_cut, 32, 1, &s),
		 "the planner disagrees with the assembler or objdump");

	/* Cut short: never reads past len, finds nothing. */
	for (size_t len = 0; len < 23; len++)
		TK_CHECK(!as_probe_site_find(ps_keylog, len, 4, &s) && s.delta == 0,
			 "the planner disagrees with the assembler or objdump");
	/* The cookie carries the library and, remapped, the registers. */
	TK_CHECK(as_probe_site_find(ps_keylog, 64, 4, &s),
		 "the planner disagrees with the assembler or objdump");
	uint64_t c = as_probe_cookie(&s, 4);
	TK_CHECK((c & 0xff) == 4 && (c >> 32 & 1),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(((c >> 12) & 15) == RDI && ((c >> 16) & 15) == R8 && ((c >> 20) & 15) == R9,
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(as_probe_site_find(ps_push, 32, 2, &s),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(as_probe_cookie(&s, 2) == 2,
		 "the planner disagrees with the assembler or objdump");
}

static void test_wrappers(void)
{
	int64_t t = 0;
	TK_CHECK(as_probe_wrapper_target(ps_wrap, 32, &t),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(t == ps_target - ps_wrap, "the planner disagrees with the assembler or objdump");
	TK_CHECK(as_probe_wrapper_target(ps_wrap_cet, 32, &t),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(t == ps_target - ps_wrap_cet,
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(!as_probe_wrapper_target(ps_caller, 32, &t),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(!as_probe_wrapper_target(ps_wrap, 8, &t),
		 "the planner disagrees with the assembler or objdump"); /* the call is cut off */
	TK_CHECK(as_probe_calls(ps_caller, 32, ps_target - ps_caller),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(!as_probe_calls(ps_caller, 32, ps_target - ps_caller + 1),
		 "the planner disagrees with the assembler or objdump");
	TK_CHECK(!as_probe_calls(ps_sub, 16, ps_target - ps_sub),
		 "the planner disagrees with the assembler or objdump");
}

/* objdump's mnemonic for the instruction at file offset off of path. */
static int objdump_mnemonic(const char *path, uint64_t off, char *out, size_t outlen)
{
	char cmd[1024];
	/* A shared library's text is mapped at its file offset; start there. */
	snprintf(cmd, sizeof(cmd),
		 "objdump -d --no-show-raw-insn --start-address=0x%llx --stop-address=0x%llx "
		 "'%s' 2>/dev/null",
		 (unsigned long long)off, (unsigned long long)off + 16, path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char line[512];
	int found = -1;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long a;
		char mn[64];
		if (found < 0 && sscanf(line, " %llx: %63s", &a, mn) == 2 && a == off) {
			snprintf(out, outlen, "%s", mn);
			found = 0;
		}
	}
	pclose(p);
	return found;
}

static bool emulated_mnemonic(const char *m)
{
	return strncmp(m, "push", 4) == 0 || strncmp(m, "call", 4) == 0 ||
	       strncmp(m, "jmp", 3) == 0 || m[0] == 'j' || strncmp(m, "nop", 3) == 0;
}

/* Every function the planner moves or keeps: its site is, per objdump, an
 * instruction the kernel emulates, whenever the planner says so. */
static void test_library(const char *path, const char *const *names, size_t n, unsigned nargs)
{
	uint64_t offs[AS_SIG_MAX_FUNCS] = {0};
	char err[256];
	int found = as_elf_find_funcs(path, names, n, offs, err, sizeof(err));
	TK_REQUIRE(found > 0, "the planner disagrees with the assembler or objdump");
	int fd = open(path, O_RDONLY);
	TK_REQUIRE(fd >= 0, "the planner disagrees with the assembler or objdump");
	int cheap = 0;
	for (size_t i = 0; i < n; i++) {
		if (!offs[i])
			continue;
		uint8_t code[64];
		TK_REQUIRE(pread(fd, code, sizeof(code), (off_t)offs[i]) == (ssize_t)sizeof(code),
			   "the planner disagrees with the assembler or objdump");
		struct as_probe_site s;
		if (!as_probe_site_find(code, sizeof(code), nargs, &s))
			continue;
		char mn[64] = "";
		TK_CHECK(objdump_mnemonic(path, offs[i] + s.delta, mn, sizeof(mn)) == 0,
			 "the planner disagrees with the assembler or objdump");
		TK_CHECK(emulated_mnemonic(mn),
			 "the planner disagrees with the assembler or objdump");
		if (!emulated_mnemonic(mn))
			fprintf(stderr, "%s: %s +%u is '%s'\n", path, names[i], s.delta, mn);
		cheap++;
	}
	printf("%s: %d of %d functions at an emulated instruction\n", path, cheap, found);
	close(fd);
}

int main(int argc, char **argv)
{
	test_sites();
	test_wrappers();
	if (argc > 1) {
		/* ssl_log_secret is internal: not in libssl.so's symbols. */
		test_library(argv[1], as_openssl_funcs, AS_OPENSSL_KEYLOG, 1);
		/* SSL_read_ex's wrapper target, per objdump, starts with a push. */
		uint64_t offs[4] = {0};
		char err[256];
		const char *ex[] = {"SSL_read_ex"};
		if (as_elf_find_funcs(argv[1], ex, 1, offs, err, sizeof(err)) == 1) {
			int fd = open(argv[1], O_RDONLY);
			uint8_t code[32];
			int64_t t;
			if (fd >= 0 && pread(fd, code, sizeof(code), (off_t)offs[0]) == 32 &&
			    as_probe_wrapper_target(code, sizeof(code), &t)) {
				char mn[64] = "";
				TK_CHECK(objdump_mnemonic(argv[1], offs[0] + (uint64_t)t, mn,
							  sizeof(mn)) == 0,
					 "the planner disagrees with the assembler or objdump");
				TK_CHECK(strncmp(mn, "push", 4) == 0,
					 "the planner disagrees with the assembler or objdump");
				printf("SSL_read_ex hands over to 0x%llx (%s)\n",
				       (unsigned long long)(offs[0] + (uint64_t)t), mn);
			}
			if (fd >= 0)
				close(fd);
		}
	}
	if (argc > 2)
		test_library(argv[2], as_gnutls_funcs, as_gnutls_nfuncs, 1);
	return tk_finish();
}
