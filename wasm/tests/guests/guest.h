/* guest.h: what the guest programs share. Each guest is built twice, with
 * the host's gcc and for wasm32-wasi, and run_guest.sh checks that both
 * builds print the same bytes, leave the same files and exit the same way.
 *
 * Guests that touch files take their working directory as argv[1] and
 * chdir there (natively a fresh temporary folder; under WASI the same
 * folder preopened as /work), and print only paths relative to it. Error
 * numbers are printed by name, since glibc's and wasi-libc's strerror texts
 * differ.
 */
#ifndef GUEST_H
#define GUEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline const char *errname(int e)
{
	switch (e) {
	case 0:
		return "OK";
	case EACCES:
		return "EACCES";
	case EBADF:
		return "EBADF";
	case EEXIST:
		return "EEXIST";
	case EINVAL:
		return "EINVAL";
	case EISDIR:
		return "EISDIR";
	case ELOOP:
		return "ELOOP";
	case ENOENT:
		return "ENOENT";
	case ENOTDIR:
		return "ENOTDIR";
	case ENOTEMPTY:
		return "ENOTEMPTY";
	case EPERM:
		return "EPERM";
	case ESPIPE:
		return "ESPIPE";
	case EXDEV:
		return "EXDEV";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
#ifdef ENOTCAPABLE
	case ENOTCAPABLE:
		return "ENOTCAPABLE";
#endif
	default:
		return "E-other";
	}
}

/* Enters the working directory named by argv[1]; exits 100 without one. */
static inline void enter_workdir(int argc, char **argv)
{
	if (argc < 2 || chdir(argv[1]) != 0) {
		fprintf(stderr, "usage: %s WORKDIR (chdir failed)\n", argv[0]);
		exit(100);
	}
}

/* FNV-1a over a buffer: a checksum both builds compute alike. */
static inline uint32_t fnv1a(const void *p, size_t n, uint32_t h)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}
#define FNV_INIT 2166136261u

#endif /* GUEST_H */
