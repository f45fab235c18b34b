/* fuzz_replay: a main() for libFuzzer targets in ordinary builds.
 *
 * A fuzz target defines LLVMFuzzerTestOneInput. Built with -fsanitize=fuzzer
 * (make fuzz) libFuzzer drives it; otherwise this file links in and feeds it
 * each file named on the command line, or each file in each named folder, so
 * that make test replays the seed corpus (and, under SAN=1, checks it with the
 * sanitizers).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are refused rather than replayed: a corpus file of
 * this size is a mistake, not a test case. */
#define REPLAY_MAX_INPUT (64u << 20)

static int replay_file(const char *path, unsigned *count)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_replay: cannot open %s\n", path);
		return -1;
	}
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > REPLAY_MAX_INPUT) {
				fprintf(stderr, "fuzz_replay: %s is over %u bytes\n", path,
					REPLAY_MAX_INPUT);
				free(buf);
				fclose(f);
				return -1;
			}
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	/* Hand the target an exactly sized copy so that ASan sees overreads. */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	(*count)++;
	return 0;
}

static int replay_path(const char *path, unsigned *count)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz_replay: %s does not exist\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);

	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "fuzz_replay: cannot list %s\n", path);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char child[4096];
		if (names[i]->d_name[0] != '.' &&
		    snprintf(child, sizeof(child), "%s/%s", path, names[i]->d_name) <
			    (int)sizeof(child) &&
		    stat(child, &st) == 0 && S_ISREG(st.st_mode) && replay_file(child, count) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			rc = 1;
	printf("fuzz_replay: %u input%s replayed without a crash\n", count, count == 1 ? "" : "s");
	if (count == 0) {
		fprintf(stderr, "fuzz_replay: no inputs found\n");
		return 1;
	}
	return rc;
}
