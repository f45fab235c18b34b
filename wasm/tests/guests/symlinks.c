/* symlinks: symbolic links inside the sandbox: creating relative links,
 * readlink (also into a short buffer), lstat against stat, opening through a
 * link and through a link to a directory, dangling links, links in the
 * middle of a path (WASI path_symlink, path_readlink, the sandbox's link
 * resolution). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "guest.h"

int main(int argc, char **argv)
{
	enter_workdir(argc, argv);
	mkdir("dir", 0755);
	FILE *f = fopen("dir/target.txt", "w");
	fputs("through the link\n", f);
	fclose(f);
	printf("symlink file: %s\n", symlink("dir/target.txt", "lnk") ? errname(errno) : "ok");
	printf("symlink dir: %s\n", symlink("dir", "dlink") ? errname(errno) : "ok");
	printf("symlink dangling: %s\n", symlink("nowhere", "dangle") ? errname(errno) : "ok");
	printf("symlink up-and-back: %s\n",
	       symlink("../dir/target.txt", "dir/up") ? errname(errno) : "ok");
	printf("symlink existing: %s\n", symlink("x", "lnk") ? errname(errno) : "ok");
	char buf[64];
	ssize_t n = readlink("lnk", buf, sizeof(buf));
	printf("readlink lnk: %zd [%.*s]\n", n, (int)(n > 0 ? n : 0), buf);
	n = readlink("lnk", buf, 3);
	printf("readlink short: %zd [%.*s]\n", n, (int)(n > 0 ? n : 0), buf);
	n = readlink("dir/target.txt", buf, sizeof(buf));
	printf("readlink regular file: %zd %s\n", n, errname(errno));
	struct stat s;
	lstat("lnk", &s);
	printf("lstat lnk: %s\n", S_ISLNK(s.st_mode) ? "link" : "not a link");
	stat("lnk", &s);
	printf("stat lnk: %s size=%lld\n", S_ISREG(s.st_mode) ? "file" : "other",
	       (long long)s.st_size);
	const char *paths[] = {"lnk", "dlink/target.txt", "dir/up", "dangle"};
	for (int i = 0; i < 4; i++) {
		f = fopen(paths[i], "r");
		if (!f) {
			printf("open %s: %s\n", paths[i], errname(errno));
			continue;
		}
		char line[64] = {0};
		fgets(line, sizeof(line), f);
		fclose(f);
		printf("open %s: %s", paths[i], line);
	}
	int fd = open("lnk", O_RDONLY | O_NOFOLLOW);
	printf("open O_NOFOLLOW on a link: %s\n", fd >= 0 ? "opened" : errname(errno));
	printf("write through dangling link: ");
	f = fopen("dangle", "w");
	if (f) {
		fputs("created\n", f);
		fclose(f);
	}
	printf("%s\n", f ? "ok" : errname(errno));
	printf("nowhere exists now: %s\n", access("nowhere", F_OK) == 0 ? "yes" : "no");
	printf("unlink link keeps target: %s %s\n", unlink("lnk") ? errname(errno) : "ok",
	       access("dir/target.txt", F_OK) == 0 ? "target there" : "target gone");
	return 0;
}
