/* agent_json: agent_core's conversation logic as a command, for the shell
 * agent agent_curl.sh, which sends requests with the curl CLI (OpenSSL
 * through libssl.so) and runs tools itself, but leaves JSON to this helper.
 *
 *   agent_json init --api A --stream|--no-stream [--model M] [--prompt P] STATE
 *       writes the first request body to STATE
 *   agent_json reply --api A STATE RESPONSE CALLS
 *       parses the reply in RESPONSE (streamed if STATE asks for a stream),
 *       appends it to STATE and describes it in the folder CALLS: files
 *       count, text, usage ("INPUT OUTPUT") and, for each tool call i,
 *       i/id, i/name and one file per string argument (i/command, i/path,
 *       i/content), holding its exact bytes
 *   agent_json result --api A [--error] STATE CALL_ID OUTPUT
 *       appends the tool result read from the file OUTPUT to STATE
 *
 * Exits 0, 1 with a message on stderr, or 2 for a bad command line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent_core.h"

#define MAX_FILE (32u << 20)

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap || cap >= MAX_FILE)
			break;
		cap *= 2;
		char *p = realloc(buf, cap + 1);
		if (!p)
			free(buf);
		buf = p;
	}
	bool bad = ferror(f) || (buf && n == cap);
	fclose(f);
	if (bad) {
		free(buf);
		errno = bad && buf ? EFBIG : EIO;
		return NULL;
	}
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static int spit(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "agent_json: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t n = fwrite(data, 1, len, f);
	if (fclose(f) || n != len) {
		fprintf(stderr, "agent_json: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static int save(const struct as_env_conv *conv, const char *path)
{
	char *s = as_env_conv_dump(conv);
	if (!s) {
		fprintf(stderr, "agent_json: out of memory\n");
		return -1;
	}
	int rc = spit(path, s, strlen(s));
	free(s);
	return rc;
}

static int load(struct as_env_conv *conv, enum as_env_api api, const char *path)
{
	char err[256];
	size_t len;
	char *text = slurp(path, &len);
	if (!text) {
		fprintf(stderr, "agent_json: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = as_env_conv_load(conv, api, text, len, err, sizeof(err));
	free(text);
	if (rc)
		fprintf(stderr, "agent_json: %s: %s\n", path, err);
	return rc;
}

static int describe(const struct as_env_reply *r, const char *dir)
{
	char path[4096], buf[64];
	int n = snprintf(buf, sizeof(buf), "%zu\n", r->n_calls);
	snprintf(path, sizeof(path), "%s/count", dir);
	if (spit(path, buf, (size_t)n))
		return -1;
	n = snprintf(buf, sizeof(buf), "%lld %lld\n", r->input_tokens, r->output_tokens);
	snprintf(path, sizeof(path), "%s/usage", dir);
	if (spit(path, buf, (size_t)n))
		return -1;
	snprintf(path, sizeof(path), "%s/text", dir);
	if (spit(path, r->text, strlen(r->text)))
		return -1;
	for (size_t i = 0; i < r->n_calls; i++) {
		const struct as_env_tool_call *c = &r->calls[i];
		const char *key;
		json_t *v;
		snprintf(path, sizeof(path), "%s/%zu", dir, i);
		if (mkdir(path, 0755) && errno != EEXIST) {
			fprintf(stderr, "agent_json: cannot make %s: %s\n", path, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%zu/id", dir, i);
		if (spit(path, c->id, strlen(c->id)))
			return -1;
		snprintf(path, sizeof(path), "%s/%zu/name", dir, i);
		if (spit(path, c->name, strlen(c->name)))
			return -1;
		json_object_foreach(c->args, key, v)
		{
			/* Only plain argument names become files. */
			if (!json_is_string(v) || !key[0] ||
			    strspn(key, "abcdefghijklmnopqrstuvwxyz_") != strlen(key))
				continue;
			snprintf(path, sizeof(path), "%s/%zu/%s", dir, i, key);
			if (spit(path, json_string_value(v), json_string_length(v)))
				return -1;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: agent_json init --api A --stream|--no-stream [--model M] "
			"[--prompt P] STATE\n"
			"       agent_json reply --api A STATE RESPONSE CALLS\n"
			"       agent_json result --api A [--error] STATE CALL_ID OUTPUT\n");
}

int main(int argc, char **argv)
{
	enum as_env_api api = AS_ENV_API_OPENAI;
	bool stream = true, is_error = false;
	const char *model = NULL, *prompt = NULL;
	const char *pos[4];
	int npos = 0;
	char err[512];

	if (argc < 2) {
		usage();
		return 2;
	}
	const char *cmd = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--stream")) {
			stream = true;
		} else if (!strcmp(a, "--no-stream")) {
			stream = false;
		} else if (!strcmp(a, "--error")) {
			is_error = true;
		} else if (!strcmp(a, "--api") && i + 1 < argc) {
			const char *v = argv[++i];
			if (!strcmp(v, "openai")) {
				api = AS_ENV_API_OPENAI;
			} else if (!strcmp(v, "anthropic")) {
				api = AS_ENV_API_ANTHROPIC;
			} else {
				fprintf(stderr, "agent_json: --api %s: openai or anthropic\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--model") && i + 1 < argc) {
			model = argv[++i];
		} else if (!strcmp(a, "--prompt") && i + 1 < argc) {
			prompt = argv[++i];
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "agent_json: unknown option %s\n", a);
			usage();
			return 2;
		} else if (npos < 4) {
			pos[npos++] = a;
		} else {
			usage();
			return 2;
		}
	}

	struct as_env_conv conv = {0};
	int rc = 1;
	if (!strcmp(cmd, "init") && npos == 1) {
		if (as_env_conv_init(&conv, api, stream, model, prompt)) {
			fprintf(stderr, "agent_json: out of memory\n");
			return 1;
		}
		rc = save(&conv, pos[0]) ? 1 : 0;
	} else if (!strcmp(cmd, "reply") && npos == 3) {
		struct as_env_reply reply;
		size_t len;
		if (load(&conv, api, pos[0]))
			return 1;
		char *body = slurp(pos[1], &len);
		if (!body) {
			fprintf(stderr, "agent_json: cannot read %s: %s\n", pos[1],
				strerror(errno));
			goto out;
		}
		stream = json_is_true(json_object_get(conv.body, "stream"));
		int prc = as_env_reply_parse(api, stream, body, len, &reply, err, sizeof(err));
		free(body);
		if (prc) {
			fprintf(stderr, "agent_json: %s: %s\n", pos[1], err);
		} else if (as_env_conv_add_reply(&conv, &reply)) {
			fprintf(stderr, "agent_json: out of memory\n");
		} else if (!describe(&reply, pos[2]) && !save(&conv, pos[0])) {
			rc = 0;
		}
		as_env_reply_free(&reply);
	} else if (!strcmp(cmd, "result") && npos == 3) {
		size_t len;
		if (load(&conv, api, pos[0]))
			return 1;
		char *output = slurp(pos[2], &len);
		if (!output) {
			fprintf(stderr, "agent_json: cannot read %s: %s\n", pos[2],
				strerror(errno));
			goto out;
		}
		if (as_env_conv_add_result(&conv, pos[1], output, is_error))
			fprintf(stderr, "agent_json: out of memory\n");
		else
			rc = save(&conv, pos[0]) ? 1 : 0;
		free(output);
	} else {
		usage();
		return 2;
	}
out:
	as_env_conv_free(&conv);
	return rc;
}
