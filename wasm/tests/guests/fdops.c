/* fdops: file descriptor operations: many files open at once (the fd
 * table grows), O_APPEND writes, fcntl flags, fsync and fdatasync,
 * posix_fallocate and posix_fadvise, lseek past the end making a hole, and
 * reading a directory fd (WASI fd_fdstat_get/set_flags, fd_sync,
 * fd_datasync, fd_allocate, fd_advise). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "guest.h"

int main(int argc, char **argv)
{
	enter_workdir(argc, argv);
	enum {
		FILES = 200
	};
	int fds[FILES];
	for (int i = 0; i < FILES; i++) {
		char name[32];
		snprintf(name, sizeof(name), "f%03d", i);
		fds[i] = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fds[i] < 0) {
			printf("open %s: %s\n", name, errname(errno));
			return 1;
		}
	}
	int distinct = 1;
	for (int i = 1; i < FILES; i++)
		distinct &= fds[i] != fds[i - 1];
	for (int i = 0; i < FILES; i++) {
		char line[32];
		int n = snprintf(line, sizeof(line), "file %d\n", i);
		write(fds[i], line, (size_t)n);
	}
	for (int i = 0; i < FILES; i++)
		close(fds[i]);
	printf("%d files open at once, distinct fds: %d\n", FILES, distinct);

	int fd = open("log.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);
	write(fd, "one\n", 4);
	lseek(fd, 0, SEEK_SET);
	write(fd, "two\n", 4);
	int fl = fcntl(fd, F_GETFL);
	printf("O_APPEND in flags: %d, access write-only: %d\n", (fl & O_APPEND) != 0,
	       (fl & O_ACCMODE) == O_WRONLY);
	printf("clear O_APPEND: %d\n", fcntl(fd, F_SETFL, fl & ~O_APPEND));
	printf("O_APPEND now: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
	printf("fsync=%d fdatasync=%d\n", fsync(fd), fdatasync(fd));
	close(fd);
	char buf[64] = {0};
	fd = open("log.txt", O_RDONLY);
	read(fd, buf, sizeof(buf) - 1);
	close(fd);
	printf("log.txt: [%s]\n", buf);

	fd = open("sparse.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	printf("posix_fallocate: %d\n", posix_fallocate(fd, 0, 8192));
	printf("posix_fadvise: %d\n", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
	printf("seek past end: %lld\n", (long long)lseek(fd, 100000, SEEK_SET));
	write(fd, "end", 3);
	struct stat st;
	fstat(fd, &st);
	printf("size with hole: %lld\n", (long long)st.st_size);
	pread(fd, buf, 4, 50000);
	printf("hole reads zeros: %s\n", !buf[0] && !buf[1] && !buf[2] && !buf[3] ? "yes" : "no");
	close(fd);

	mkdir("sub", 0755);
	fd = open("sub", O_RDONLY | O_DIRECTORY);
	printf("open dir: %s, read from it: ", fd >= 0 ? "ok" : errname(errno));
	ssize_t r = read(fd, buf, 4);
	printf("%s\n", r < 0 ? "fails" : "data?");
	close(fd);
	printf("open dir for writing: %s\n", open("sub", O_WRONLY) < 0 ? errname(errno) : "opened");
	return 0;
}
