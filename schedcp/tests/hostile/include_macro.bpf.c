/* hostile: a computed include */
#define F "/etc/shadow"
#include F
