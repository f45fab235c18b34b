/* args: prints its arguments, their lengths and checksums (WASI args_get,
 * args_sizes_get). argv[0] differs between the builds and is not printed. */
#include <string.h>

#include "guest.h"

int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=\"%s\" len=%zu fnv=%08x\n", i, argv[i], strlen(argv[i]),
		       (unsigned)fnv1a(argv[i], strlen(argv[i]), FNV_INIT));
	return argc > 1 ? 0 : 1;
}
