/* files: creating, writing, reading, appending, seeking, positioned reads
 * and writes, truncation and growth of regular files (WASI path_open,
 * fd_read/write, fd_pread/pwrite, fd_seek, fd_tell, fd_filestat_set_size). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "guest.h"

static void show(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("show %s: %s\n", path, errname(errno));
		return;
	}
	char buf[256];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	printf("show %s: %zu bytes [", path, n);
	for (size_t i = 0; i < n; i++)
		putchar(buf[i] >= 32 && buf[i] < 127 ? buf[i] : '.');
	printf("]\n");
}

int main(int argc, char **argv)
{
	enter_workdir(argc, argv);
	FILE *f = fopen("a.txt", "w");
	if (!f)
		return 1;
	fprintf(f, "hello, file\nsecond line %d\n", 2);
	fclose(f);
	show("a.txt");

	f = fopen("a.txt", "a");
	fputs("appended\n", f);
	fclose(f);
	show("a.txt");

	int fd = open("b.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	printf("open b.bin: %s\n", fd >= 0 ? "ok" : errname(errno));
	char data[100];
	for (int i = 0; i < 100; i++)
		data[i] = (char)('0' + i % 10);
	printf("write %zd\n", write(fd, data, sizeof(data)));
	printf("tell %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	printf("seek set 10 -> %lld\n", (long long)lseek(fd, 10, SEEK_SET));
	char r[16] = {0};
	printf("read %zd [%.5s]\n", read(fd, r, 5), r);
	printf("seek cur -3 -> %lld\n", (long long)lseek(fd, -3, SEEK_CUR));
	printf("seek end -4 -> %lld\n", (long long)lseek(fd, -4, SEEK_END));
	printf("pwrite %zd\n", pwrite(fd, "XYZ", 3, 50));
	memset(r, 0, sizeof(r));
	printf("pread %zd [%.8s]\n", pread(fd, r, 8, 48), r);
	printf("tell after pread %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	printf("ftruncate 20: %d\n", ftruncate(fd, 20));
	struct stat st;
	fstat(fd, &st);
	printf("size %lld\n", (long long)st.st_size);
	printf("ftruncate 4096: %d\n", ftruncate(fd, 4096));
	fstat(fd, &st);
	printf("size %lld\n", (long long)st.st_size);
	printf("read at eof: %zd\n", (lseek(fd, 0, SEEK_END), read(fd, r, 4)));
	long long sk = (long long)lseek(fd, -1, SEEK_SET);
	printf("seek negative: %lld %s\n", sk, errname(errno));
	close(fd);
	int cl = close(fd);
	printf("close twice: %d %s\n", cl, errname(errno));

	fd = open("missing.txt", O_RDONLY);
	int err = errno;
	printf("open missing: %d %s\n", fd, errname(err));
	fd = open("a.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
	err = errno;
	printf("create exclusive existing: %d %s\n", fd, errname(err));

	/* Many small writes through stdio, read back in other chunk sizes. */
	f = fopen("c.dat", "wb");
	uint32_t h = FNV_INIT;
	for (int i = 0; i < 50000; i++) {
		unsigned char b = (unsigned char)(i * 7 + (i >> 8));
		fputc(b, f);
		h = fnv1a(&b, 1, h);
	}
	fclose(f);
	f = fopen("c.dat", "rb");
	uint32_t h2 = FNV_INIT;
	unsigned char chunk[777];
	size_t n, total = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		h2 = fnv1a(chunk, n, h2);
		total += n;
	}
	fclose(f);
	printf("c.dat %zu bytes, checksums %s\n", total, h == h2 ? "match" : "DIFFER");
	printf("remove c.dat: %d\n", remove("c.dat"));
	return 0;
}
