/* testkit_bpf: the environment an eBPF test needs, or a clear skip.
 *
 * Kept apart from testkit so that tests without eBPF do not link libbpf.
 */
#ifndef ISTHMUS_TESTKIT_BPF_H
#define ISTHMUS_TESTKIT_BPF_H

/* Skips the test (SKIPPED + exit 77) unless the process may load BPF
 * programs and tracefs is mounted; mounts tracefs when it is absent. Routes
 * libbpf's warnings to stderr so that a failing load says why. */
void tk_require_bpf(void);

#endif /* ISTHMUS_TESTKIT_BPF_H */
