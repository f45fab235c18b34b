/* hostile: probes the host's files */
#if __has_include("/root/.ssh/id_rsa")
int found;
#endif
