/* stop_reader: reads a line from stdin and echoes it, then sleeps 50 ms and
 * says done. wasi_stop_test runs it with stdin a pipe it keeps empty, stops
 * it while it waits, and resumes it after writing the line. */
#include <string.h>
#include <time.h>

#include "guest.h"

int main(void)
{
	char line[128];
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	printf("got: %s", line);
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 50000000};
	nanosleep(&ts, NULL);
	printf("done\n");
	return 0;
}
