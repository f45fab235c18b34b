/* exit_code: exit(N) from deep inside the program after buffered output
 * (WASI proc_exit): atexit handlers run, stdio is flushed, and the status is
 * N (argv[1], default 3). */
#include "guest.h"

static void bye(void)
{
	printf("atexit handler ran\n");
}

static void __attribute__((noinline)) leave(int code)
{
	printf("leaving with %d\n", code);
	exit(code);
}

int main(int argc, char **argv)
{
	atexit(bye);
	printf("buffered, not flushed");
	putchar('\n');
	leave(argc > 1 ? atoi(argv[1]) : 3);
	return 0;
}
