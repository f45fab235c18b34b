/* wae_workload: small workloads of known shape for the Workload Analysis
 * Engine's tests and sched-agent's runs on the host.
 *
 *   wae_workload cpu N SECONDS          N processes spinning for SECONDS each
 *   wae_workload io SECONDS DIR         O_DIRECT reads and fdatasync in a loop (D state)
 *   wae_workload pingpong ROUNDS        two processes bouncing a byte over pipes
 *   wae_workload longtail N SHORT_MS LONG_MS
 *                                       N spinning tasks of SHORT_MS and one of LONG_MS
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void spin(double seconds)
{
	volatile unsigned long x = 0;
	double end = now_s() + seconds;
	while (now_s() < end)
		for (int i = 0; i < 10000; i++)
			x += (unsigned long)i;
}

static int wait_all(void)
{
	int status, bad = 0;
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	return bad;
}

static int cpu(int n, double secs)
{
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0)
			return 1;
		if (!p) {
			spin(secs);
			_exit(0);
		}
	}
	return wait_all();
}

/* Reads with O_DIRECT from a file written and synced first: each read waits
 * for the device in D state, bypassing the page cache; an fdatasync after
 * a rewrite every 16 reads adds a journal wait. */
static int io(double secs, const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/wae_io.%d", dir, (int)getpid());
	const size_t file_len = 16u << 20, chunk = 256u << 10;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	void *buf = NULL;
	if (posix_memalign(&buf, 4096, chunk)) {
		close(fd);
		return 1;
	}
	memset(buf, 'x', chunk);
	for (size_t off = 0; off < file_len; off += chunk)
		if (pwrite(fd, buf, chunk, (off_t)off) != (ssize_t)chunk) {
			perror("write");
			break;
		}
	fsync(fd);
	close(fd);
	fd = open(path, O_RDWR | O_DIRECT);
	if (fd < 0) {
		perror(path);
		free(buf);
		unlink(path);
		return 1;
	}
	double end = now_s() + secs;
	unsigned long i = 0;
	while (now_s() < end) {
		off_t off = (off_t)((i * 7919u) % (file_len / chunk)) * (off_t)chunk;
		if (pread(fd, buf, chunk, off) != (ssize_t)chunk) {
			perror("read");
			break;
		}
		if (++i % 16 == 0 && (pwrite(fd, buf, 4096, 0) != 4096 || fdatasync(fd))) {
			perror("write");
			break;
		}
	}
	close(fd);
	free(buf);
	unlink(path);
	return 0;
}

static int pingpong(long rounds)
{
	int a[2], b[2];
	if (pipe(a) || pipe(b))
		return 1;
	pid_t p = fork();
	if (p < 0)
		return 1;
	char c = 'x';
	if (!p) {
		for (long i = 0; i < rounds; i++)
			if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (long i = 0; i < rounds; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			return 1;
	return wait_all();
}

static int longtail(int n, double short_ms, double long_ms)
{
	for (int i = 0; i <= n; i++) {
		pid_t p = fork();
		if (p < 0)
			return 1;
		if (!p) {
			spin((i == n ? long_ms : short_ms) / 1000.0);
			_exit(0);
		}
	}
	return wait_all();
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "cpu"))
		return cpu(atoi(argv[2]), atof(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "io"))
		return io(atof(argv[2]), argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "pingpong"))
		return pingpong(atol(argv[2]));
	if (argc >= 5 && !strcmp(argv[1], "longtail"))
		return longtail(atoi(argv[2]), atof(argv[3]), atof(argv[4]));
	fprintf(stderr,
		"usage: %s cpu N SECONDS | io SECONDS DIR | pingpong ROUNDS | "
		"longtail N SHORT_MS LONG_MS\n",
		argv[0]);
	return 2;
}
