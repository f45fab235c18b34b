/* stat: file metadata: types and sizes by stat, fstat and lstat, hard links
 * and their link counts, times set with utimensat and futimens and read
 * back (WASI path_filestat_get, fd_filestat_get, path_filestat_set_times,
 * fd_filestat_set_times, path_link). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "guest.h"

static void st(const char *path)
{
	struct stat s;
	if (stat(path, &s) != 0) {
		printf("stat %s: %s\n", path, errname(errno));
		return;
	}
	printf("stat %s: %s size=%lld nlink=%lu\n", path,
	       S_ISDIR(s.st_mode)   ? "dir"
	       : S_ISREG(s.st_mode) ? "file"
				    : "other",
	       S_ISDIR(s.st_mode) ? 0LL : (long long)s.st_size, (unsigned long)s.st_nlink);
}

int main(int argc, char **argv)
{
	enter_workdir(argc, argv);
	FILE *f = fopen("f.txt", "w");
	fputs("twelve bytes", f);
	fclose(f);
	mkdir("d", 0755);
	st("f.txt");
	st("d");
	st("nope");
	st("f.txt/x");
	printf("link: %s\n", link("f.txt", "d/g.txt") ? errname(errno) : "ok");
	st("f.txt");
	st("d/g.txt");
	struct stat a, b;
	stat("f.txt", &a);
	stat("d/g.txt", &b);
	printf("same inode: %s\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev ? "yes" : "no");
	printf("link existing: %s\n", link("f.txt", "d/g.txt") ? errname(errno) : "ok");

	struct timespec ts[2] = {{.tv_sec = 1000000000, .tv_nsec = 0},
				 {.tv_sec = 1234567890, .tv_nsec = 500000000}};
	printf("utimensat: %s\n", utimensat(AT_FDCWD, "f.txt", ts, 0) ? errname(errno) : "ok");
	stat("f.txt", &a);
	printf("atime=%lld mtime=%lld.%09ld\n", (long long)a.st_atim.tv_sec,
	       (long long)a.st_mtim.tv_sec, a.st_mtim.tv_nsec);
	int fd = open("f.txt", O_RDWR);
	struct timespec t2[2] = {{.tv_sec = 0, .tv_nsec = UTIME_OMIT},
				 {.tv_sec = 1500000000, .tv_nsec = 0}};
	printf("futimens: %s\n", futimens(fd, t2) ? errname(errno) : "ok");
	fstat(fd, &a);
	printf("atime=%lld mtime=%lld\n", (long long)a.st_atim.tv_sec, (long long)a.st_mtim.tv_sec);
	/* No UTIME_NOW here: Debian's wasi-libc (2022) turns futimens with
	 * UTIME_NOW into no call at all, and utimensat(NULL) into time 0. The
	 * unit test checks fd_filestat_set_times with ATIM_NOW directly. */
	close(fd);
	printf("unlink f.txt: %s\n", unlink("f.txt") ? errname(errno) : "ok");
	st("d/g.txt");
	return 0;
}
