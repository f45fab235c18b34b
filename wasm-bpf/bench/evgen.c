/* evgen.c: the benchmark's event source: waits for the file named by its
 * first argument, then calls getppid() COUNT times. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	long n = strtol(argv[2], NULL, 10);
	struct timespec ts = {0, 1000000};
	while (access(argv[1], F_OK) != 0)
		nanosleep(&ts, NULL);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}
