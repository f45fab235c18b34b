/* trap_div: integer division by zero. Natively SIGFPE; in Wasm the
 * i32.div_s instruction traps. Prints a line first, which must come out. */
#include "guest.h"

int main(void)
{
	volatile int zero = 0, x = 42;
	printf("before the division\n");
	fflush(stdout);
	printf("result %d\n", x / zero); // NOLINT(clang-analyzer-core.DivideZero): the point
	return 0;
}
