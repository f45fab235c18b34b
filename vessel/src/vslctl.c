/* vslctl.c: checkpoint and resume vessels from the command line, one process
 * per step, so that a run can move between machines and ISAs as an image
 * file (the dock daemon, dock.c, does this over TCP; `vslctl --dock` is
 * its client).
 *
 *   vslctl run [--count] [OPTIONS] MODULE [ARGS...]
 *   vslctl checkpoint [OPTIONS] --fuel N -o IMAGE MODULE [ARGS...]
 *   vslctl resume [--fuel N -o IMAGE] [--dir HOST::GUEST] [--module MODULE] IMAGE
 *   vslctl inspect IMAGE
 *   vslctl --dock HOST:PORT [--token-file FILE] COMMAND ...   (dockclient.c)
 *
 * The guest's stdout and stderr are vslctl's. With --fuel, the run stops
 * after N safe points and the image is written (atomically, through a
 * temporary file); if the guest finishes first, no image is written and
 * vslctl exits with the guest's status. So a script knows which happened by
 * whether the image exists.
 *
 * Exit status: the guest's exit code; 0 after writing an image; 134 on a
 * trap; 125 when vslctl cannot do its job (bad module or image, I/O);
 * 2 on bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "dockclient.h"
#include "image.h"

#define EXIT_USAGE 2
#define EXIT_VSL   125
#define EXIT_TRAP  134
#define MAX_FILE   (UINT64_C(1) << 33)

static const char usage_text[] =
	"usage: vslctl run [--count] [OPTIONS] MODULE [ARGS...]\n"
	"       vslctl checkpoint [OPTIONS] --fuel N -o IMAGE MODULE [ARGS...]\n"
	"       vslctl resume [--fuel N -o IMAGE] [--dir HOST::GUEST] [--module MODULE] IMAGE\n"
	"       vslctl inspect IMAGE\n"
	"       vslctl --dock HOST:PORT [--token-file FILE] "
	"run|ps|checkpoint|restore|migrate|kill|wait ...\n"
	"\n"
	"  --dir HOST[::GUEST]  preopen directory HOST as GUEST (resume: where GUEST is now)\n"
	"  --env KEY=VALUE      guest environment variable\n"
	"  --fuel N             stop after N safe points and write the image given by -o\n"
	"  -o IMAGE             image file to write\n"
	"  --no-module          do not carry the module bytes in the image\n"
	"  --count              run: print the number of safe points passed on stderr\n"
	"  --module MODULE      resume: the module, when the image does not carry it\n";

static int usage(const char *msg, const char *arg)
{
	fprintf(stderr, "vslctl: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\n%s", usage_text);
	return EXIT_USAGE;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "vslctl: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE) {
		fprintf(stderr, "vslctl: %s is not a regular file of at most 8 GiB\n", path);
		fclose(f);
		return NULL;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *b = malloc(n ? n : 1);
	if (!b || fread(b, 1, n, f) != n) {
		fprintf(stderr, "vslctl: cannot read %s\n", path);
		free(b);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return b;
}

static int write_all(const char *path, const uint8_t *b, size_t n)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return -1;
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return -1;
	bool ok = fwrite(b, 1, n, f) == n;
	ok = (fflush(f) == 0) && ok;
	ok = (fsync(fileno(f)) == 0) && ok;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

typedef struct opts {
	wasi_preopen dirs[64];
	vsl_dir_map maps[64];
	uint32_t ndirs;
	const char *env[256];
	uint32_t nenv;
	uint64_t fuel;
	const char *out;
	const char *module;
	bool no_module;
	bool count;
	int first; /* index of the first operand */
} opts;

static int parse(int argc, char **argv, opts *o)
{
	int i = 2;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (strcmp(a, "--no-module") == 0) {
			o->no_module = true;
			continue;
		}
		if (strcmp(a, "--count") == 0) {
			o->count = true;
			continue;
		}
		if (i + 1 >= argc)
			return usage("option %s needs a value", a);
		char *val = argv[++i];
		if (strcmp(a, "--dir") == 0) {
			if (o->ndirs == 64)
				return usage("too many --dir options%s", "");
			char *sep = strstr(val, "::");
			const char *guest = val;
			if (sep) {
				*sep = '\0';
				guest = sep + 2;
			}
			if (!*val || !*guest)
				return usage("--dir %s: expected HOST or HOST::GUEST", val);
			o->dirs[o->ndirs] = (wasi_preopen){.host_path = val, .guest_path = guest};
			o->maps[o->ndirs] = (vsl_dir_map){.host_path = val, .guest_path = guest};
			o->ndirs++;
		} else if (strcmp(a, "--env") == 0) {
			if (o->nenv == 256 || !strchr(val, '='))
				return usage("--env %s: expected KEY=VALUE", val);
			o->env[o->nenv++] = val;
		} else if (strcmp(a, "--fuel") == 0) {
			char *end;
			errno = 0;
			unsigned long long n = strtoull(val, &end, 10);
			if (errno || *end || n == 0 || val[0] == '-')
				return usage("--fuel %s: expected a positive integer", val);
			o->fuel = n;
		} else if (strcmp(a, "-o") == 0) {
			o->out = val;
		} else if (strcmp(a, "--module") == 0) {
			o->module = val;
		} else {
			return usage("unknown option %s", a);
		}
	}
	if (i >= argc)
		return usage("%s", "missing operand");
	if ((o->fuel != 0) != (o->out != NULL))
		return usage("%s", "--fuel and -o go together");
	o->first = i;
	return -1;
}

/* Runs v; writes an image and returns 0 when the fuel ran out. */
static int drive(vsl_vessel *v, const opts *o, const char *name)
{
	fflush(stdout);
	const uint64_t big = UINT64_C(1) << 62;
	wasm_result r = vsl_vessel_run(v, o->count ? big : o->fuel);
	fflush(stdout);
	if (o->count)
		fprintf(stderr, "vslctl: %" PRIu64 " safe points\n",
			big - wasm_exec_fuel(vsl_vessel_exec(v)));
	switch (r) {
	case WASM_OK:
		return 0;
	case WASM_EXIT:
		return vsl_vessel_exit_code(v) & 0xff;
	case WASM_TRAP:
		fprintf(stderr, "vslctl: %s: trap: %s\n", name,
			wasm_exec_message(vsl_vessel_exec(v)));
		return EXIT_TRAP;
	case WASM_OUT_OF_FUEL:
	case WASM_STOPPED:
		break;
	default:
		fprintf(stderr, "vslctl: %s: run ended with %s\n", name, wasm_result_name(r));
		return EXIT_VSL;
	}
	if (!o->out) {
		fprintf(stderr, "vslctl: %s stopped with nowhere to write an image\n", name);
		return EXIT_VSL;
	}
	char err[512];
	uint8_t *img;
	size_t len;
	if (vsl_vessel_checkpoint(v, o->no_module ? 0 : VSL_WITH_MODULE, &img, &len, err,
				  sizeof(err)) < 0) {
		fprintf(stderr, "vslctl: %s: checkpoint: %s\n", name, err);
		return EXIT_VSL;
	}
	int rc = write_all(o->out, img, len);
	free(img);
	if (rc < 0) {
		fprintf(stderr, "vslctl: cannot write %s: %s\n", o->out, strerror(errno));
		return EXIT_VSL;
	}
	fprintf(stderr, "vslctl: %s stopped after %" PRIu64 " safe points: %s, %zu bytes\n", name,
		o->fuel, o->out, len);
	return 0;
}

static int cmd_start(int argc, char **argv, opts *o)
{
	const char *path = argv[o->first];
	size_t len;
	uint8_t *mod = read_all(path, &len);
	if (!mod)
		return EXIT_VSL;
	wasi_config wc;
	wasi_config_init(&wc);
	wc.argc = (uint32_t)(argc - o->first);
	wc.argv = (const char *const *)(argv + o->first);
	wc.envc = o->nenv;
	wc.envp = o->env;
	wc.npreopens = o->ndirs;
	wc.preopens = o->dirs;
	char err[512];
	vsl_vessel *v = vsl_vessel_new(mod, len, &wc, NULL, "_start", err, sizeof(err));
	free(mod);
	if (!v) {
		fprintf(stderr, "vslctl: %s: %s\n", path, err);
		return EXIT_VSL;
	}
	int rc = drive(v, o, path);
	vsl_vessel_free(v);
	return rc;
}

static int cmd_resume(opts *o, char **argv)
{
	const char *path = argv[o->first];
	size_t len, mlen = 0;
	uint8_t *img = read_all(path, &len), *mod = NULL;
	if (!img)
		return EXIT_VSL;
	if (o->module && !(mod = read_all(o->module, &mlen))) {
		free(img);
		return EXIT_VSL;
	}
	vsl_restore_opts ro = {.stdio = {0, 1, 2},
			       .ndirs = o->ndirs,
			       .dirs = o->maps,
			       .module = mod,
			       .module_len = mlen};
	char err[512];
	vsl_vessel *v = vsl_vessel_restore(img, len, &ro, err, sizeof(err));
	free(img);
	free(mod);
	if (!v) {
		fprintf(stderr, "vslctl: %s: %s\n", path, err);
		return EXIT_VSL;
	}
	int rc = drive(v, o, path);
	vsl_vessel_free(v);
	return rc;
}

static int cmd_inspect(const char *path)
{
	size_t len;
	uint8_t *b = read_all(path, &len);
	if (!b)
		return EXIT_VSL;
	vsl_image img;
	char err[512];
	int rc = vsl_image_read(b, len, &img, err, sizeof(err));
	free(b);
	if (rc < 0) {
		fprintf(stderr, "vslctl: %s: %s\n", path, err);
		vsl_image_clear(&img);
		return EXIT_VSL;
	}
	printf("image %s: %zu bytes, version %d\nmodule sha256 ", path, len, VSL_IMAGE_VERSION);
	for (int i = 0; i < VSL_SHA256_LEN; i++)
		printf("%02x", img.module_sha256[i]);
	printf(", %" PRIu64 " bytes%s\n", img.module_len,
	       img.module_bytes ? " (carried)" : " (not carried)");
	printf("entry %s\n", img.entry);
	uint64_t pages = 0;
	for (uint32_t r = 0; r < img.nruns; r++)
		pages += img.runs[r].count;
	for (uint32_t i = 0; i < img.nmemories; i++)
		printf("memory %u: %u pages\n", i, img.memories[i].pages);
	printf("%" PRIu64 " non-zero pages in %u runs\n", pages, img.nruns);
	printf("%u globals, %u tables, %u frames\n", img.nglobals, img.ntables, img.nframes);
	for (uint32_t f = 0; f < img.nframes && f < 8; f++)
		printf("  frame %u: function %u at offset %u, %u locals, %u stack values\n", f,
		       img.frames[f].func_index, img.frames[f].body_offset, img.frames[f].nlocals,
		       img.frames[f].nstack);
	if (img.nframes > 8)
		printf("  ... %u more frames\n", img.nframes - 8);
	if (img.has_wasi)
		printf("wasi: %u args, %u env, %u preopens, %u open fds\n", img.wasi.argc,
		       img.wasi.envc, img.wasi.npreopens, img.wasi.nfds);
	vsl_image_clear(&img);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "--dock") == 0)
		return vsl_dock_client_main(argc, argv);
	opts o;
	memset(&o, 0, sizeof(o));
	int rc = parse(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (strcmp(argv[1], "run") == 0) {
		if (o.fuel)
			return usage("%s", "run takes no --fuel (use checkpoint)");
		return cmd_start(argc, argv, &o);
	}
	if (strcmp(argv[1], "checkpoint") == 0) {
		if (!o.fuel)
			return usage("%s", "checkpoint needs --fuel N -o IMAGE");
		return cmd_start(argc, argv, &o);
	}
	if (strcmp(argv[1], "resume") == 0)
		return cmd_resume(&o, argv);
	if (strcmp(argv[1], "inspect") == 0)
		return cmd_inspect(argv[o.first]);
	return usage("unknown command %s", argv[1]);
}
