/* files.c: a vessel test guest that writes files. It keeps a file open
 * under the preopened directory /sandbox across many writes (flushed each
 * time, so the host file offset moves), seeks back to patch a header, and
 * reads the file back: a restore must reopen the file at the same offset.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	FILE *f = fopen("/sandbox/log.txt", "w+");
	if (!f) {
		perror("open /sandbox/log.txt");
		return 1;
	}
	fprintf(f, "HEADER 00000000\n");
	uint32_t h = 5381;
	for (int i = 0; i < 1500; i++) {
		h = h * 33 + (uint32_t)i;
		fprintf(f, "line %04d value %08x\n", i, h);
		fflush(f);
	}
	fseek(f, 0, SEEK_SET);
	fprintf(f, "HEADER %08x\n", h);
	fflush(f);
	fseek(f, 0, SEEK_SET);
	char buf[64];
	uint32_t lines = 0, sum = 0;
	while (fgets(buf, sizeof(buf), f)) {
		lines++;
		for (size_t k = 0; buf[k]; k++)
			sum = sum * 31 + (unsigned char)buf[k];
	}
	fclose(f);
	FILE *g = fopen("/sandbox/summary.txt", "w");
	if (!g)
		return 1;
	fprintf(g, "%u lines, sum %08x\n", lines, sum);
	fclose(g);
	printf("wrote %u lines, sum %08x\n", lines, sum);
	return 0;
}
