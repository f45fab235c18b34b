/* trap_oob: a load far beyond the end of memory: an out-of-bounds trap in
 * Wasm, SIGSEGV natively. */
#include "guest.h"

int main(void)
{
	volatile uintptr_t addr = 0xfffffff0u;
	printf("before the load\n");
	fflush(stdout);
	printf("value %d\n", *(volatile int *)addr); // NOLINT(performance-no-int-to-ptr): the point
	return 0;
}
