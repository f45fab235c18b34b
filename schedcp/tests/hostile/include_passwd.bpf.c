/* hostile: reads a host file through #include */
#include "scx_common.bpf.h"
#include "/etc/passwd"
