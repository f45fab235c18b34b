/* scx_core: opening and closing the SchedCP handle (scx.h): the defaults for
 * the repository, the cache and the key, and the shared error helper.
 */
#include "scx_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scx_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int scx_open(const scx_config *cfg, scx_t **out, char *err, size_t errlen)
{
	(void)cfg;
	*out = NULL;
	scx_err(err, errlen, "scx_open: not implemented yet");
	return -ENOSYS;
}

void scx_close(scx_t *s)
{
	free(s);
}
