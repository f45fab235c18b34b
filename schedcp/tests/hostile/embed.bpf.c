/* hostile: C23 #embed of a host file */
static const char data[] = {
#embed "/etc/passwd"
};
