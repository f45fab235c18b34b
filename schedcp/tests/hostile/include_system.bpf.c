/* hostile: a system header (not part of a policy's API) */
#include <stdio.h>
