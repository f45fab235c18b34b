/* env: reads its environment (WASI environ_get, environ_sizes_get): every
 * variable sorted, getenv of present and absent names, setenv and unsetenv
 * (which stay inside the guest). */
#include <stdlib.h>
#include <string.h>

#include "guest.h"

extern char **environ;

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **v = malloc((n + 1) * sizeof(*v));
	if (!v)
		return 1;
	memcpy(v, environ, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp);
	printf("count=%zu\n", n);
	for (size_t i = 0; i < n; i++)
		printf("env %s\n", v[i]);
	free(v);
	const char *g = getenv("GUEST_GREETING");
	printf("GUEST_GREETING=%s\n", g ? g : "(unset)");
	printf("NOT_SET=%s\n", getenv("GUEST_NOT_SET") ? "set" : "(unset)");
	setenv("GUEST_NEW", "42", 1);
	printf("after setenv GUEST_NEW=%s\n", getenv("GUEST_NEW"));
	unsetenv("GUEST_GREETING");
	printf("after unsetenv GUEST_GREETING=%s\n", getenv("GUEST_GREETING") ? "set" : "(unset)");
	return 0;
}
