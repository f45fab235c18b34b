/* What one uprobe hit costs on this machine, the floor under AgentSight's
 * TLS overhead: every SSL_read and SSL_write of a traced agent passes a
 * breakpoint, whatever the eBPF program behind it does.
 *
 * Three functions to probe: as_probe_plain starts as Debian's SSL_read
 * does, with an instruction the kernel single-steps out of line after the
 * int3 trap (a second trap); as_probe_push starts with a push, which the
 * kernel emulates (one trap: where src/probesite.c puts AgentSight's
 * probes); as_probe_nop5 starts with a 5-byte nop, which kernels since 6.18
 * turn into a call to a trampoline and a syscall instead of a trap (the
 * optimization made for USDT probes). overhead.sh puts a uprobe on each
 * through tracefs and runs this program:
 *
 *   uprobe_cost plain|push|nop5 CALLS  prints "NS_PER_CALL"
 *   uprobe_cost offsets                prints the file offsets of the probe
 *                                      points ("plain OFF\npush OFF\nnop5 OFF")
 */
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int as_probe_plain(int x);
int as_probe_push(int x);
int as_probe_nop5(int x);

#if defined(__x86_64__)
/* Both begin as OpenSSL 3's SSL_read and SSL_write do (`sub $0x18,%rsp`,
 * which the kernel single-steps out of line after the trap). */
__asm__(".text\n"
	".globl as_probe_plain\n.type as_probe_plain, @function\n"
	"as_probe_plain:\n"
	"	sub $0x18, %rsp\n"
	"	lea 1(%rdi,%rdi,2), %eax\n"
	"	add $0x18, %rsp\n"
	"	ret\n"
	".size as_probe_plain, . - as_probe_plain\n"
	".globl as_probe_push\n.type as_probe_push, @function\n"
	"as_probe_push:\n"
	"	push %rbx\n"
	"	lea 1(%rdi,%rdi,2), %eax\n"
	"	pop %rbx\n"
	"	ret\n"
	".size as_probe_push, . - as_probe_push\n"
	".globl as_probe_nop5\n.type as_probe_nop5, @function\n"
	"as_probe_nop5:\n"
	"	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"
	"	sub $0x18, %rsp\n"
	"	lea 1(%rdi,%rdi,2), %eax\n"
	"	add $0x18, %rsp\n"
	"	ret\n"
	".size as_probe_nop5, . - as_probe_nop5\n");
#else
__attribute__((noinline)) int as_probe_plain(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x * 3 + 1;
}

__attribute__((noinline)) int as_probe_push(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x * 3 + 1;
}

__attribute__((noinline)) int as_probe_nop5(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x * 3 + 1;
}
#endif

/* The file offset of code at `addr` in this executable: its address less
 * the load bias and the segment's address, plus the segment's offset. */
static int file_offset(const void *addr, unsigned long *off)
{
	Dl_info info;
	struct link_map *map = NULL;
	if (!dladdr1(addr, &info, (void **)&map, RTLD_DL_LINKMAP) || !map)
		return -1;
	uintptr_t rel = (uintptr_t)addr - map->l_addr;
	const ElfW(Ehdr) *eh = info.dli_fbase;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && rel >= ph[i].p_vaddr &&
		    rel < ph[i].p_vaddr + ph[i].p_memsz) {
			*off = rel - ph[i].p_vaddr + ph[i].p_offset;
			return 0;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "offsets") == 0) {
		unsigned long a, b, c;
		if (file_offset((const void *)as_probe_plain, &a) ||
		    file_offset((const void *)as_probe_push, &b) ||
		    file_offset((const void *)as_probe_nop5, &c)) {
			fprintf(stderr, "uprobe_cost: cannot find this program's code offsets\n");
			return 1;
		}
		printf("plain 0x%lx\npush 0x%lx\nnop5 0x%lx\n", a, b, c);
		return 0;
	}
	int (*fn)(int) = NULL;
	if (argc == 3 && strcmp(argv[1], "plain") == 0)
		fn = as_probe_plain;
	else if (argc == 3 && strcmp(argv[1], "push") == 0)
		fn = as_probe_push;
	else if (argc == 3 && strcmp(argv[1], "nop5") == 0)
		fn = as_probe_nop5;
	if (!fn) {
		fprintf(stderr, "usage: uprobe_cost plain|push|nop5 CALLS | uprobe_cost offsets\n");
		return 2;
	}
	long calls = strtol(argv[2], NULL, 10);
	if (calls <= 0) {
		fprintf(stderr, "uprobe_cost: CALLS must be a positive number\n");
		return 2;
	}
	volatile int sink = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < calls; i++)
		sink += fn((int)i);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	printf("%.1f\n", ns / (double)calls);
	return 0;
}
