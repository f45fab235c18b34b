/* poll: poll() on a regular file (always readable and writable) and on
 * nothing with a timeout, which waits at least that long (WASI poll_oneoff
 * with fd_read, fd_write and clock subscriptions). */
#include <fcntl.h>
#include <poll.h>
#include <time.h>

#include "guest.h"

static int64_t mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	enter_workdir(argc, argv);
	int fd = open("polled.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "0123456789", 10);
	lseek(fd, 0, SEEK_SET);
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = fd, .events = POLLOUT}};
	int n = poll(p, 2, 1000);
	printf("poll file: %d ready, in=%d out=%d\n", n, (p[0].revents & POLLIN) != 0,
	       (p[1].revents & POLLOUT) != 0);
	int64_t t0 = mono();
	n = poll(NULL, 0, 30);
	int64_t t1 = mono();
	printf("poll nothing 30ms: %d, waited at least 30ms: %s\n", n,
	       t1 - t0 >= 30000000 ? "yes" : "no");
	close(fd);
	return 0;
}
