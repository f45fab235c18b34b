/* dockclient.c: vslctl's client of a dock (docs/vessels.md, "Docks"):
 *
 *   vslctl --dock HOST:PORT [--token-file FILE] COMMAND ...
 *     run [--hold N] [--stdout PATH] [--stderr PATH] [--env K=V]... MODULE [ARGS...]
 *     ps
 *     checkpoint -o IMAGE ID
 *     restore [--hold N] [--stdout PATH] [--stderr PATH] IMAGE
 *     migrate [--precopy] [--hold N] ID HOST:PORT
 *     kill ID
 *     wait ID
 *
 * The token is read from --token-file or $VSL_DOCK_TOKEN. PATHs are paths on
 * the dock's host (made absolute here, for docks on this host). run and
 * restore print the new vessel's id; migrate prints "HOST:PORT ID" and the
 * timings; wait exits with the vessel's exit code (134 after a trap, 137
 * when killed). 125: the dock refused or could not be reached; 2: usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dockclient.h"
#include "proto.h"

#define EXIT_USAGE 2
#define EXIT_VSL   125

static int cusage(const char *msg)
{
	fprintf(stderr,
		"vslctl --dock: %s\n"
		"usage: vslctl --dock HOST:PORT [--token-file FILE] COMMAND ...\n"
		"  run [--hold N] [--stdout PATH] [--stderr PATH] [--env K=V]... MODULE [ARGS...]\n"
		"  ps | checkpoint -o IMAGE ID | kill ID | wait ID\n"
		"  restore [--hold N] [--stdout PATH] [--stderr PATH] IMAGE\n"
		"  migrate [--precopy] [--hold N] ID HOST:PORT\n",
		msg);
	return EXIT_USAGE;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "vslctl: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, n = 0;
	uint8_t *b = malloc(cap);
	while (b) {
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		if (cap >= VSL_MSG_MAX) {
			free(b);
			b = NULL;
			break;
		}
		uint8_t *q = realloc(b, cap * 2);
		if (!q) {
			free(b);
			b = NULL;
			break;
		}
		b = q;
		cap *= 2;
	}
	bool bad = ferror(f);
	fclose(f);
	if (!b || bad) {
		fprintf(stderr, "vslctl: cannot read %s (or over 1 GiB)\n", path);
		free(b);
		return NULL;
	}
	*len = n;
	return b;
}

static char *absolute(const char *p)
{
	if (p[0] == '/')
		return strdup(p);
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	size_t n = strlen(cwd) + strlen(p) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s/%s", cwd, p);
	return s;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || !*s || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

/* Sends b and prints the dock's refusal. 0: OK in *m. */
static int roundtrip(int fd, vsl_buf *b, vsl_msg *m, uint8_t **p)
{
	char err[512];
	if (vsl_send_buf(fd, b) < 0) {
		fprintf(stderr, "vslctl: sending to the dock: %s\n", strerror(errno));
		return -1;
	}
	int rc = vsl_recv_msg(fd, VSL_MSG_MAX, NULL, m, p, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "vslctl: %s\n", rc == 1 ? "the dock closed the connection" : err);
		return -1;
	}
	if (m->type == VSL_MSG_OK)
		return 0;
	char *text = NULL;
	vsl_msg_str(m, VSL_F_TEXT, 4096, &text);
	fprintf(stderr, "vslctl: the dock refused: %s\n", text ? text : "(no reason)");
	free(text);
	vsl_msg_clear(m);
	free(*p);
	*p = NULL;
	return -1;
}

static int print_text(const vsl_msg *m)
{
	const vsl_field *t = vsl_msg_get(m, VSL_F_TEXT);
	if (t && t->len)
		printf("%.*s%s", (int)t->len, (const char *)t->data,
		       t->data[t->len - 1] == '\n' ? "" : "\n");
	return 0;
}

typedef struct copts {
	uint64_t hold;
	bool precopy;
	char *out, *err;
	const char *image_out;
	const char *env[256];
	uint32_t nenv;
	int first;
} copts;

static int cparse(int argc, char **argv, int i, copts *o)
{
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-')
			break;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--precopy") == 0) {
			o->precopy = true;
			continue;
		}
		if (i + 1 >= argc)
			return cusage("an option needs a value");
		const char *val = argv[++i];
		if (strcmp(a, "--hold") == 0) {
			if (parse_u64(val, &o->hold) < 0)
				return cusage("--hold: expected a number of safe points");
		} else if (strcmp(a, "--stdout") == 0) {
			free(o->out);
			o->out = absolute(val);
		} else if (strcmp(a, "--stderr") == 0) {
			free(o->err);
			o->err = absolute(val);
		} else if (strcmp(a, "--env") == 0) {
			if (o->nenv == 256 || !strchr(val, '='))
				return cusage("--env: expected KEY=VALUE");
			o->env[o->nenv++] = val;
		} else if (strcmp(a, "-o") == 0) {
			o->image_out = val;
		} else {
			return cusage("unknown option");
		}
	}
	o->first = i;
	return -1;
}

static int command(int fd, int argc, char **argv, int i)
{
	const char *cmd = argv[i++];
	copts o;
	memset(&o, 0, sizeof(o));
	int rc = cparse(argc, argv, i, &o);
	if (rc >= 0)
		goto done;
	i = o.first;
	int nargs = argc - i;
	vsl_buf b;
	vsl_msg m = {0};
	uint8_t *p = NULL;
	uint64_t id = 0;
	rc = EXIT_VSL;
	if (strcmp(cmd, "run") == 0 || strcmp(cmd, "restore") == 0) {
		bool run = cmd[1] == 'u';
		if (nargs < 1 || (!run && nargs != 1)) {
			rc = cusage(run ? "run needs a MODULE" : "restore needs one IMAGE");
			goto done;
		}
		size_t len;
		uint8_t *data = slurp(argv[i], &len);
		if (!data)
			goto done;
		vsl_buf_begin(&b, run ? VSL_MSG_RUN : VSL_MSG_RESTORE);
		vsl_buf_add(&b, run ? VSL_F_MODULE : VSL_F_IMAGE, data, len);
		free(data);
		if (run) /* argv[0] is MODULE as given, as for vslctl run */
			for (int k = i; k < argc; k++)
				vsl_buf_add_str(&b, VSL_F_ARG, argv[k]);
		for (uint32_t k = 0; k < o.nenv; k++)
			vsl_buf_add_str(&b, VSL_F_ENV, o.env[k]);
		if (o.out)
			vsl_buf_add_str(&b, VSL_F_STDOUT, o.out);
		if (o.err)
			vsl_buf_add_str(&b, VSL_F_STDERR, o.err);
		if (o.hold)
			vsl_buf_add_u64(&b, VSL_F_HOLD, o.hold);
		if (roundtrip(fd, &b, &m, &p) < 0)
			goto done;
		vsl_msg_u64(&m, VSL_F_ID, 0, &id);
		printf("%" PRIu64 "\n", id);
		rc = 0;
	} else if (strcmp(cmd, "ps") == 0) {
		vsl_buf_begin(&b, VSL_MSG_PS);
		if (roundtrip(fd, &b, &m, &p) < 0)
			goto done;
		printf("ID STATE SAFEPOINTS NOTE\n");
		print_text(&m);
		rc = 0;
	} else {
		bool mig = strcmp(cmd, "migrate") == 0;
		uint8_t type = mig				? VSL_MSG_MIGRATE
			       : strcmp(cmd, "checkpoint") == 0 ? VSL_MSG_CHECKPOINT
			       : strcmp(cmd, "kill") == 0	? VSL_MSG_KILL
			       : strcmp(cmd, "wait") == 0	? VSL_MSG_WAIT
								: 0;
		if (!type) {
			rc = cusage("unknown command");
			goto done;
		}
		if (nargs != (mig ? 2 : 1) || parse_u64(argv[i], &id) < 0) {
			rc = cusage(mig ? "migrate needs ID HOST:PORT" : "expected one vessel ID");
			goto done;
		}
		if (type == VSL_MSG_CHECKPOINT && !o.image_out) {
			rc = cusage("checkpoint needs -o IMAGE");
			goto done;
		}
		vsl_buf_begin(&b, type);
		vsl_buf_add_u64(&b, VSL_F_ID, id);
		if (mig) {
			vsl_buf_add_str(&b, VSL_F_ADDR, argv[i + 1]);
			if (o.hold)
				vsl_buf_add_u64(&b, VSL_F_HOLD, o.hold);
			if (o.precopy)
				vsl_buf_add_u64(&b, VSL_F_PRECOPY, 1);
		}
		if (roundtrip(fd, &b, &m, &p) < 0)
			goto done;
		rc = 0;
		if (type == VSL_MSG_CHECKPOINT) {
			const vsl_field *f = vsl_msg_get(&m, VSL_F_IMAGE);
			FILE *out = fopen(o.image_out, "wb");
			if (!f || !out || fwrite(f->data, 1, f->len, out) != f->len) {
				fprintf(stderr, "vslctl: cannot write %s\n", o.image_out);
				rc = EXIT_VSL;
			}
			if (out && fclose(out) != 0)
				rc = EXIT_VSL;
		} else if (type == VSL_MSG_WAIT) {
			uint64_t code = 0;
			vsl_msg_u64(&m, VSL_F_CODE, 0, &code);
			const vsl_field *t = vsl_msg_get(&m, VSL_F_TEXT);
			if (t)
				fprintf(stderr, "vslctl: vessel %" PRIu64 ": %.*s\n", id,
					(int)t->len, (const char *)t->data);
			rc = (int)(code & 0xff);
		} else {
			print_text(&m);
		}
	}
	vsl_msg_clear(&m);
	free(p);
done:
	free(o.out);
	free(o.err);
	fflush(stdout);
	return rc;
}

int vsl_dock_client_main(int argc, char **argv)
{
	/* argv[1] is "--dock" */
	if (argc < 4)
		return cusage("missing HOST:PORT or COMMAND");
	const char *addr = argv[2];
	int i = 3;
	uint8_t token[VSL_TOKEN_MAX];
	size_t tlen = 0;
	const char *t;
	if (strcmp(argv[i], "--token-file") == 0) {
		if (i + 2 >= argc)
			return cusage("--token-file needs a FILE and a COMMAND follows");
		FILE *f = fopen(argv[i + 1], "rb");
		if (!f) {
			fprintf(stderr, "vslctl: cannot open %s: %s\n", argv[i + 1],
				strerror(errno));
			return EXIT_VSL;
		}
		tlen = fread(token, 1, sizeof(token), f);
		fclose(f);
		while (tlen && (token[tlen - 1] == '\n' || token[tlen - 1] == '\r'))
			tlen--;
		i += 2;
	} else if ((t = getenv("VSL_DOCK_TOKEN")) != NULL) {
		tlen = strlen(t) < sizeof(token) ? strlen(t) : sizeof(token);
		memcpy(token, t, tlen);
	}
	if (!tlen)
		return cusage("no token: give --token-file FILE or set VSL_DOCK_TOKEN");
	char err[512];
	int fd = vsl_dial(addr, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "vslctl: %s\n", err);
		return EXIT_VSL;
	}
	vsl_buf b;
	vsl_buf_begin(&b, VSL_MSG_HELLO);
	vsl_buf_add(&b, VSL_F_TOKEN, token, tlen);
	vsl_msg m;
	uint8_t *p;
	int rc = EXIT_VSL;
	if (roundtrip(fd, &b, &m, &p) == 0) {
		vsl_msg_clear(&m);
		free(p);
		rc = command(fd, argc, argv, i);
	}
	close(fd);
	return rc;
}
