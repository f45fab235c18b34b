/* hostile: climbs out of the include path */
#include "../../../../../../etc/passwd"
