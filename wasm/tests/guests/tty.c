/* tty: isatty() on stdin, stdout and stderr, and the buffering stdio chose
 * for stdout. wasi-libc decides from fd_fdstat_get (a character device
 * without seek and tell rights), glibc from the kernel: they must agree for
 * a file, for /dev/null (a character device that is no terminal) and, in
 * the vessel command's test, for a pseudo-terminal. */
#include "guest.h"

int main(void)
{
	printf("isatty: stdin=%d stdout=%d stderr=%d\n", isatty(0), isatty(1), isatty(2));
	return 0;
}
