/* dirs: directories: mkdir (nested, existing), readdir (sorted, with
 * types), rename of files and directories, rmdir of full and empty
 * directories, unlink, chdir, getcwd relative parts (WASI
 * path_create_directory, fd_readdir, path_rename, path_remove_directory,
 * path_unlink_file). */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "guest.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		printf("opendir %s: %s\n", path, errname(errno));
		return;
	}
	char *names[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		char buf[300];
		/* Not every WASI host lists "." and "..": leave them out. */
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		const char *t = e->d_type == DT_DIR   ? "dir"
				: e->d_type == DT_REG ? "file"
						      : "other";
		snprintf(buf, sizeof(buf), "%s(%s)", e->d_name, t);
		names[n++] = strdup(buf);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp);
	printf("ls %s:", path);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void touch(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		printf("touch %s: %s\n", path, errname(errno));
		return;
	}
	fputs(text, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	enter_workdir(argc, argv);
	printf("mkdir top: %s\n", mkdir("top", 0755) ? errname(errno) : "ok");
	printf("mkdir top again: %s\n", mkdir("top", 0755) ? errname(errno) : "ok");
	printf("mkdir top/a/b (no a): %s\n", mkdir("top/a/b", 0755) ? errname(errno) : "ok");
	printf("mkdir top/a: %s\n", mkdir("top/a", 0755) ? errname(errno) : "ok");
	printf("mkdir top/a/b: %s\n", mkdir("top/a/b", 0755) ? errname(errno) : "ok");
	touch("top/one.txt", "1");
	touch("top/two.txt", "22");
	touch("top/a/b/deep.txt", "deep");
	list("top");
	list("top/a/b");
	list("top/one.txt");

	/* Many entries: readdir must page through fd_readdir's buffer. */
	mkdir("many", 0755);
	for (int i = 0; i < 150; i++) {
		char p[64];
		snprintf(p, sizeof(p), "many/entry-with-a-long-name-%03d", i);
		touch(p, "");
	}
	DIR *d = opendir("many");
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		count += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	printf("many: %d entries\n", count);

	printf("rename file: %s\n", rename("top/one.txt", "top/a/uno.txt") ? errname(errno) : "ok");
	printf("rename dir: %s\n", rename("top/a/b", "top/bee") ? errname(errno) : "ok");
	printf("rename missing: %s\n", rename("top/nope", "top/x") ? errname(errno) : "ok");
	list("top");
	list("top/a");
	printf("rmdir non-empty: %s\n", rmdir("top/bee") ? errname(errno) : "ok");
	printf("unlink deep: %s\n", unlink("top/bee/deep.txt") ? errname(errno) : "ok");
	printf("rmdir now empty: %s\n", rmdir("top/bee") ? errname(errno) : "ok");
	printf("unlink dir: %s\n", unlink("top/a") ? "fails" : "ok");
	printf("rmdir file: %s\n", rmdir("top/two.txt") ? errname(errno) : "ok");
	printf("unlink missing: %s\n", unlink("top/none") ? errname(errno) : "ok");

	printf("chdir top/a: %s\n", chdir("top/a") ? errname(errno) : "ok");
	FILE *f = fopen("uno.txt", "r");
	char buf[8] = {0};
	if (f) {
		fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	printf("read uno.txt relative: [%s]\n", buf);
	touch("../made-from-a.txt", "up");
	printf("chdir ..: %s\n", chdir("..") ? errname(errno) : "ok");
	list(".");
	return 0;
}
