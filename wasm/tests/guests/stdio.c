/* stdio: output through every path of stdio: printf, puts, putchar, fwrite
 * of a large block, unbuffered stderr, fflush between the two streams, and
 * writes straight to fd 1 (WASI fd_write on fds 1 and 2). */
#include <string.h>

#include "guest.h"

int main(void)
{
	printf("int %d %5d %-5d| %05d %x %X %o %lld %llu\n", -42, 7, 7, 42, 255u, 255u, 8u,
	       -9000000000000LL, 18446744073709551615ULL);
	printf("str [%s] [%10s] [%-10s] [%.3s] char %c%%\n", "abc", "right", "left", "truncate",
	       'Z');
	puts("puts line");
	for (int c = 'a'; c <= 'z'; c++)
		putchar(c);
	putchar('\n');
	fflush(stdout);
	fprintf(stderr, "to stderr %d\n", 1);
	static char big[200000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i % 23);
	big[sizeof(big) - 1] = '\n';
	size_t w = fwrite(big, 1, sizeof(big), stdout);
	printf("fwrite wrote %zu\n", w);
	fflush(stdout);
	const char raw[] = "raw write to fd 1\n";
	ssize_t r = write(1, raw, strlen(raw));
	printf("write returned %zd\n", r);
	fprintf(stderr, "to stderr %d\n", 2);
	return 0;
}
