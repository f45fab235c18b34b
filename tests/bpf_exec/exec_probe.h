/* exec_probe: the event that exec_probe.bpf.c sends to exec_probe_test.c.
 * Fixed-width types only: both the BPF and the user side include this. */
#ifndef ISTHMUS_EXEC_PROBE_H
#define ISTHMUS_EXEC_PROBE_H

#define EXEC_PROBE_FILENAME_LEN 256

struct exec_probe_event {
	int pid;		   /* thread group of the task after exec */
	int old_pid;		   /* the pid before exec (differs when a thread exec'd) */
	int ppid;		   /* thread group id of its real parent */
	unsigned int filename_len; /* bytes copied, including the final NUL */
	char filename[EXEC_PROBE_FILENAME_LEN];
};

#endif /* ISTHMUS_EXEC_PROBE_H */
