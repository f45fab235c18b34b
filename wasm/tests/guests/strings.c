/* strings: the C string library: strlen, strcmp, strncpy, strstr, strchr,
 * strrchr, strtok, strspn, memmove on overlapping ranges, memcmp, snprintf
 * truncation, strtol and strtoul in several bases, sscanf, toupper. */
#include <ctype.h>
#include <string.h>

#include "guest.h"

int main(void)
{
	char s[64] = "the quick brown fox jumps over the lazy dog";
	printf("strlen=%zu strstr=%s strchr=%s strrchr=%s\n", strlen(s), strstr(s, "fox"),
	       strchr(s, 'q'), strrchr(s, 'o'));
	printf("strcmp: %d %d %d\n", strcmp("a", "b") < 0, strcmp("b", "a") > 0, strcmp("x", "x"));
	printf("strspn=%zu strcspn=%zu\n", strspn(s, "the "), strcspn(s, "xyz"));
	char copy[64];
	snprintf(copy, sizeof(copy), "%s", s);
	int n = 0;
	for (char *save, *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		printf("%stok%d=%s", n ? " " : "", n, t);
		n++;
	}
	printf("\n");
	char m[32] = "0123456789abcdef";
	memmove(m + 4, m, 10);
	printf("memmove right: %s\n", m);
	memmove(m, m + 6, 10);
	printf("memmove left: %s\n", m);
	printf("memcmp: %d\n", memcmp("abc", "abd", 3) < 0);
	char small[8];
	const char *volatile word = "truncated";
	int want = snprintf(small, sizeof(small), "%s-%d", word, 12345);
	printf("snprintf wants %d, got [%s]\n", want, small);
	char *end;
	printf("strtol: %ld %ld %ld %ld\n", strtol("  -123abc", &end, 10), strtol("ff", NULL, 16),
	       strtol("0x1F", NULL, 0), strtol("0777", NULL, 0));
	printf("strtol rest=[%s]\n", end);
	printf("strtoul: %lu %lu\n", strtoul("4294967295", NULL, 10), strtoul("101", NULL, 2));
	int a, b;
	char w[16];
	int got = sscanf("12 34 word", "%d %d %15s", &a, &b, w);
	printf("sscanf %d: %d %d %s\n", got, a, b, w);
	for (char *p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	printf("upper: %s\n", s);
	char buf[128];
	snprintf(buf, sizeof(buf), "%08.3f|%+d|% d|%#x|%#o|%e", 3.14159, 5, 5, 255, 8, 12345.678);
	printf("formats: %s\n", buf);
	return 0;
}
