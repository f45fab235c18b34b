/* stdin_wc: reads all of stdin (WASI fd_read on fd 0) and prints counts of
 * lines, words and bytes, a checksum, and the lines in reverse order. */
#include <ctype.h>
#include <string.h>

#include "guest.h"

int main(void)
{
	size_t cap = 1024, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap) {
			char *g = realloc(buf, cap *= 2);
			if (!g) {
				free(buf);
				return 1;
			}
			buf = g;
		}
	}
	if (!buf || ferror(stdin))
		return 1;
	size_t lines = 0, words = 0;
	int inword = 0;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			lines++;
		if (isspace((unsigned char)buf[i]))
			inword = 0;
		else if (!inword) {
			inword = 1;
			words++;
		}
	}
	printf("lines=%zu words=%zu bytes=%zu fnv=%08x\n", lines, words, len,
	       (unsigned)fnv1a(buf, len, FNV_INIT));
	/* Lines in reverse order. */
	size_t end = len;
	while (end > 0) {
		size_t start = end - 1;
		while (start > 0 && buf[start - 1] != '\n')
			start--;
		size_t l = end - start;
		if (l && buf[start + l - 1] == '\n')
			l--;
		printf("< %.*s\n", (int)l, buf + start);
		end = start;
	}
	free(buf);
	return 0;
}
