/* schedcp: the command line over scx_core (scx.h): policy list|show|add,
 * verify FILE, deploy NAME, rollback, status, history.
 */
#include "scx.h"

#include <stdio.h>

int main(void)
{
	fprintf(stderr, "schedcp: not implemented yet\n");
	return 2;
}
