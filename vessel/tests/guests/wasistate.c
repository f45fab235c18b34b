/* wasistate.c: a vessel test guest that keeps WASI state open across its
 * run: a file read through a stdio buffer, a file opened for appending, a
 * directory listed one entry at a time (fd_readdir cookies), a hole in the
 * fd table, and the monotonic clock, which must not go back across a
 * restore. A checkpoint taken anywhere must bring all of it back.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	printf("argc %d, last arg %s\n", argc, argv[argc - 1]);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	FILE *w = fopen("/sandbox/input.txt", "w");
	if (!w)
		return 1;
	for (int i = 0; i < 600; i++)
		fprintf(w, "input line %d of the file\n", i);
	fclose(w);
	mkdir("/sandbox/dir", 0755);
	for (int i = 0; i < 12; i++) {
		char p[64];
		snprintf(p, sizeof(p), "/sandbox/dir/entry-%02d", i);
		FILE *e = fopen(p, "w");
		if (!e)
			return 1;
		fclose(e);
	}

	int hole = open("/sandbox/hole.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	FILE *in = fopen("/sandbox/input.txt", "r");
	int app = open("/sandbox/append.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);
	close(hole); /* leaves a free slot below the others */
	DIR *d = opendir("/sandbox/dir");
	if (!in || app < 0 || !d)
		return 1;

	char *names[32];
	int nnames = 0;
	char line[128];
	unsigned h = 17;
	int n = 0;
	while (fgets(line, sizeof(line), in)) {
		for (char *c = line; *c; c++)
			h = h * 131 + (unsigned char)*c;
		/* something to spread the safe points */
		for (int k = 0; k < 200; k++)
			h ^= h >> 3 ^ (unsigned)k;
		if (++n % 20 == 0) {
			char rec[64];
			int len = snprintf(rec, sizeof(rec), "record %d %08x\n", n, h);
			if (write(app, rec, (size_t)len) != len)
				return 1;
			struct dirent *e;
			while ((e = readdir(d)) && e->d_name[0] == '.')
				;
			if (e && nnames < 32)
				names[nnames++] = strdup(e->d_name);
		}
	}
	closedir(d);
	fclose(in);
	close(app);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int forward = t1.tv_sec > t0.tv_sec || (t1.tv_sec == t0.tv_sec && t1.tv_nsec >= t0.tv_nsec);
	printf("read %d lines, hash %08x\n", n, h);
	qsort(names, (size_t)nnames, sizeof(names[0]), cmp);
	printf("listed %d entries:", nnames);
	for (int i = 0; i < nnames; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\nmonotonic clock %s\n", forward ? "went forward" : "WENT BACK");
	unlink("/sandbox/hole.txt");
	return 0;
}
