/* stack_overflow: unbounded recursion. The runtime's call-depth or stack
 * limit turns it into a trap (natively the C stack overflows: SIGSEGV). */
#include "guest.h"

static volatile int sink;
static int down(int n);
/* Called through a volatile pointer, so that no compiler turns the
 * recursion into a loop. */
static int (*volatile self)(int) = down;

static int down(int n)
{
	sink = n;
	return self(n + 1) + 1;
}

int main(void)
{
	printf("recursing forever\n");
	fflush(stdout);
	return down(0);
}
