/* does not compile */
#include "scx_common.bpf.h"
int f(void)
{
	return undeclared_thing + ;
}
