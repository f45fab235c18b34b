/* trap_unreachable: __builtin_trap, which is `unreachable` in Wasm and ud2
 * (SIGILL) natively. */
#include "guest.h"

int main(int argc, char **argv)
{
	(void)argv;
	printf("before the trap\n");
	fflush(stdout);
	if (argc > 0)
		__builtin_trap();
	printf("not reached\n");
	return 0;
}
