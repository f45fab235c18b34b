/* tlsdec_test: keys mode's decryption (src/tlsdec.c) against TLS sessions
 * made by an independent implementation, the openssl command.
 *
 *   tlsdec_test CERT KEY TMPDIR
 *
 * For each protocol version and cipher: `openssl s_server -rev` (it answers
 * each line reversed) and `openssl s_client -keylogfile` talk through a
 * relay in this process, which keeps the bytes of both directions in the
 * order they passed; the key log is OpenSSL's own. The test then feeds the
 * secrets and the bytes (in random slices) to tlsdec as keys mode would,
 * keys first and keys last, and checks that what comes out is exactly the
 * line sent and the line reversed, with no failure. A tampered record must
 * fail to open and yield nothing; a CBC suite must be counted as
 * undecryptable; garbage must not disturb it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testkit.h"
#include "tlsdec.h"

#define LINE	 "hello keys mode, with enough text to be more than a few bytes\n"
#define REVERSED "setyb wef a naht erom eb ot txet hguone htiw ,edom syek olleh\n"

struct chunk {
	int dir; /* AS_TLS_DIR_WRITE: client to server (the client is the traced process) */
	size_t off, len;
};

struct capture {
	uint8_t *bytes;
	size_t len, cap;
	struct chunk chunks[4096];
	size_t nchunks;
};

static void cap_add(struct capture *c, int dir, const uint8_t *p, size_t n)
{
	if (c->len + n > c->cap) {
		c->cap = (c->len + n) * 2;
		c->bytes = realloc(c->bytes, c->cap);
		TK_REQUIRE(c->bytes, "out of memory");
	}
	memcpy(c->bytes + c->len, p, n);
	TK_REQUIRE(c->nchunks < 4096, "too many chunks");
	c->chunks[c->nchunks++] = (struct chunk){dir, c->len, n};
	c->len += n;
}

static pid_t spawn(char *const argv[], int stdin_fd, const char *out_path)
{
	pid_t pid = fork();
	TK_REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (out < 0)
			_exit(127);
		dup2(out, 1);
		dup2(out, 2);
		if (stdin_fd >= 0)
			dup2(stdin_fd, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* The port s_server printed ("ACCEPT [::]:PORT"), waiting up to 5 s. */
static int server_port(const char *out_path)
{
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(out_path, "r");
		char line[512];
		while (f && fgets(line, sizeof(line), f)) {
			char *p = strstr(line, "ACCEPT");
			char *colon = p ? strrchr(p, ':') : NULL;
			if (colon) {
				fclose(f);
				return atoi(colon + 1);
			}
		}
		if (f)
			fclose(f);
		usleep(10000);
	}
	return -1;
}

static int listen_local(int *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	TK_REQUIRE(s >= 0 && bind(s, (void *)&a, sizeof(a)) == 0 && listen(s, 1) == 0 &&
			   getsockname(s, (void *)&a, &alen) == 0,
		   "listening socket: %s", strerror(errno));
	*port = ntohs(a.sin_port);
	return s;
}

static int connect_local(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons((uint16_t)port)};
	TK_REQUIRE(s >= 0 && connect(s, (void *)&a, sizeof(a)) == 0, "connect to s_server: %s",
		   strerror(errno));
	return s;
}

/* One session through the relay; the key log goes to keylog. */
static void run_session(const char *cert, const char *key, const char *tmp, char *const *vflags,
			const char *keylog, struct capture *c)
{
	char srv_out[4200], cli_out[4200];
	snprintf(srv_out, sizeof(srv_out), "%s/s_server.out", tmp);
	snprintf(cli_out, sizeof(cli_out), "%s/s_client.out", tmp);
	char *sargv[24] = {"openssl", "s_server",  "-accept", "0",	  "-cert", (char *)cert,
			   "-key",    (char *)key, "-rev",    "-naccept", "1"};
	int n = 11;
	for (int i = 0; vflags[i]; i++)
		sargv[n++] = vflags[i];
	/* s_server ends at EOF on its stdin: give it one that stays open. */
	unlink(srv_out); /* not the port of the last session's server */
	int hold[2];
	TK_REQUIRE(pipe2(hold, O_CLOEXEC) == 0, "pipe");
	pid_t srv = spawn(sargv, hold[0], srv_out);
	close(hold[0]);
	int sport = server_port(srv_out);
	TK_REQUIRE(sport > 0, "s_server did not start (see %s)", srv_out);

	int rport;
	int lsock = listen_local(&rport);
	char connect_to[64];
	snprintf(connect_to, sizeof(connect_to), "127.0.0.1:%d", rport);
	int in[2];
	TK_REQUIRE(pipe2(in, O_CLOEXEC) == 0, "pipe");
	char *cargv[24] = {"openssl",	  "s_client",	  "-connect", connect_to,
			   "-keylogfile", (char *)keylog, "-quiet"};
	n = 7;
	for (int i = 0; vflags[i]; i++)
		cargv[n++] = vflags[i];
	unlink(keylog);
	pid_t cli = spawn(cargv, in[0], cli_out);
	close(in[0]);

	struct pollfd lp = {.fd = lsock, .events = POLLIN};
	TK_REQUIRE(poll(&lp, 1, 5000) == 1, "s_client did not connect");
	int from_client = accept(lsock, NULL, NULL);
	int to_server = connect_local(sport);
	TK_REQUIRE(write(in[1], LINE, strlen(LINE)) == (ssize_t)strlen(LINE), "write to s_client");
	close(in[1]);

	/* Relay until the reply has passed and both sides are quiet. */
	struct pollfd p[2] = {{.fd = from_client, .events = POLLIN},
			      {.fd = to_server, .events = POLLIN}};
	size_t down = 0;
	for (;;) {
		int r = poll(p, 2, down > 0 ? 700 : 5000);
		if (r <= 0)
			break;
		uint8_t buf[65536];
		bool closed = false;
		for (int k = 0; k < 2; k++) {
			if (!(p[k].revents & (POLLIN | POLLHUP)))
				continue;
			ssize_t got = read(p[k].fd, buf, sizeof(buf));
			if (got <= 0) {
				closed = true;
				continue;
			}
			int dir = k == 0 ? AS_TLS_DIR_WRITE : AS_TLS_DIR_READ;
			cap_add(c, dir, buf, (size_t)got);
			if (dir == AS_TLS_DIR_READ)
				down += (size_t)got;
			if (write(p[1 - k].fd, buf, (size_t)got) != got)
				closed = true;
		}
		if (closed)
			break;
	}
	close(from_client);
	close(to_server);
	close(lsock);
	close(hold[1]);
	kill(cli, SIGTERM);
	kill(srv, SIGTERM);
	waitpid(cli, NULL, 0);
	waitpid(srv, NULL, 0);
	if (c->nchunks < 4) { /* say why */
		char cmd[9000];
		snprintf(cmd, sizeof(cmd), "cat '%s' '%s' >&2", srv_out, cli_out);
		if (system(cmd) != 0)
			fprintf(stderr, "(no output of openssl)\n");
	}
}

/* ---- feeding tlsdec ---------------------------------------------------------- */

struct out {
	char text[2][4096];
	size_t len[2];
	int resets;
};

static void on_plain(void *ctx, const struct as_rec_hdr *origin, uint32_t fd, int dir,
		     const uint8_t *data, size_t len)
{
	struct out *o = ctx;
	(void)origin;
	TK_CHECK(fd == 7, "plaintext for fd %u, want 7", fd);
	if (dir < 0 || dir > 1 || o->len[dir] + len >= sizeof(o->text[0]))
		return;
	memcpy(o->text[dir] + o->len[dir], data, len);
	o->len[dir] += len;
}

static void on_reset(void *ctx, const struct as_rec_hdr *origin, uint32_t fd)
{
	(void)origin;
	(void)fd;
	((struct out *)ctx)->resets++;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Two hex digits of OpenSSL's key log as a byte. */
static uint8_t hexbyte(const char *p)
{
	int hi = hexval(p[0]), lo = hexval(p[1]);
	TK_REQUIRE(hi >= 0 && lo >= 0, "not hex in the key log: '%.2s'", p);
	return (uint8_t)(hi * 16 + lo);
}

static void feed_keys(struct as_tlsdec *d, const char *keylog)
{
	FILE *f = fopen(keylog, "r");
	TK_REQUIRE(f, "no key log %s", keylog);
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		char label[128], random[130], secret[260];
		if (line[0] == '#' || sscanf(line, "%127s %129s %259s", label, random, secret) != 3)
			continue;
		struct as_rec_tls_key k = {0};
		k.h.type = AS_REC_TLS_KEY;
		k.h.size = sizeof(k);
		k.h.pid = 4242;
		k.conn = 0x5555aaaa0000ULL;
		TK_REQUIRE(strlen(label) < sizeof(k.label), "label too long in %s", keylog);
		memcpy(k.label, label, strlen(label));
		size_t sl = strlen(secret) / 2;
		TK_REQUIRE(sl <= AS_KEY_SECRET_MAX, "secret too long in %s", keylog);
		for (size_t i = 0; i < sl; i++)
			k.secret[i] = hexbyte(secret + 2 * i);
		k.secret_len = (uint32_t)sl;
		as_tlsdec_key(d, &k);
	}
	fclose(f);
}

static void feed_bytes(struct as_tlsdec *d, const struct capture *c, unsigned *seed)
{
	struct as_rec_hdr h = {.type = AS_REC_SOCK_DATA, .pid = 4242, .tid = 4242};
	for (size_t i = 0; i < c->nchunks; i++) {
		const struct chunk *ch = &c->chunks[i];
		size_t done = 0;
		while (done < ch->len) {
			size_t n = 1 + (size_t)rand_r(seed) % 700;
			if (n > ch->len - done)
				n = ch->len - done;
			as_tlsdec_bytes(d, &h, 7, ch->dir, c->bytes + ch->off + done, n);
			done += n;
		}
	}
}

static struct as_tlsdec *decoder(struct out *o)
{
	memset(o, 0, sizeof(*o));
	struct as_tlsdec_sink sink = {.plain = on_plain, .reset = on_reset, .ctx = o};
	struct as_tlsdec *d = as_tlsdec_new(&sink);
	TK_REQUIRE(d, "as_tlsdec_new");
	return d;
}

static void check_case(const char *name, const struct capture *c, const char *keylog)
{
	unsigned seed = 12345;
	for (int keys_last = 0; keys_last < 2; keys_last++) {
		struct out o;
		struct as_tlsdec *d = decoder(&o);
		if (!keys_last)
			feed_keys(d, keylog);
		feed_bytes(d, c, &seed);
		if (keys_last)
			feed_keys(d, keylog);
		struct as_tlsdec_stats st;
		as_tlsdec_get_stats(d, &st);
		const char *how = keys_last ? "keys last" : "keys first";
		TK_CHECK(o.len[0] == strlen(LINE) && !memcmp(o.text[0], LINE, o.len[0]),
			 "%s, %s: client to server gave %zu bytes '%.*s'", name, how, o.len[0],
			 (int)o.len[0], o.text[0]);
		TK_CHECK(o.len[1] == strlen(REVERSED) && !memcmp(o.text[1], REVERSED, o.len[1]),
			 "%s, %s: server to client gave %zu bytes '%.*s'", name, how, o.len[1],
			 (int)o.len[1], o.text[1]);
		TK_CHECK(st.failures == 0 && st.undecryptable == 0 && st.gaps == 0,
			 "%s, %s: %llu failures, %llu undecryptable, %llu gaps", name, how,
			 (unsigned long long)st.failures, (unsigned long long)st.undecryptable,
			 (unsigned long long)st.gaps);
		TK_CHECK(st.records >= 4, "%s, %s: only %llu records decrypted", name, how,
			 (unsigned long long)st.records);
		as_tlsdec_free(d);
	}

	/* A flipped bit in the server's last record: it must not open, and
	 * nothing of it may come out. */
	struct capture t = *c;
	t.bytes = malloc(c->len);
	TK_REQUIRE(t.bytes, "out of memory");
	memcpy(t.bytes, c->bytes, c->len);
	size_t last = 0;
	for (size_t i = 0; i < t.nchunks; i++)
		if (t.chunks[i].dir == AS_TLS_DIR_READ)
			last = t.chunks[i].off + t.chunks[i].len - 1;
	t.bytes[last - 20] ^= 0x10;
	struct out o;
	struct as_tlsdec *d = decoder(&o);
	feed_keys(d, keylog);
	feed_bytes(d, &t, &seed);
	struct as_tlsdec_stats st;
	as_tlsdec_get_stats(d, &st);
	TK_CHECK(st.failures >= 1, "%s: a tampered record opened", name);
	/* What came out, if anything, is the true reply's beginning: no
	 * byte of the tampered record. */
	TK_CHECK(o.len[1] <= strlen(REVERSED) && memcmp(o.text[1], REVERSED, o.len[1]) == 0,
		 "%s: tampered data came out: '%.*s'", name, (int)o.len[1], o.text[1]);
	as_tlsdec_free(d);
	free(t.bytes);
}

/* A seed for fuzz_tlsdec (its input format): the secrets, then the bytes. */
static void write_seed(const char *dir, size_t n, const struct capture *c, const char *keylog)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/session-%zu", dir, n);
	FILE *out = fopen(path, "wb");
	FILE *in = fopen(keylog, "r");
	TK_REQUIRE(out && in, "writing the seed %s", path);
	static const char *const labels[] = {"CLIENT_RANDOM", "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
					     "SERVER_HANDSHAKE_TRAFFIC_SECRET",
					     "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"};
	char line[1024], label[128], random[130], secret[260];
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, "%127s %129s %259s", label, random, secret) != 3)
			continue;
		for (int l = 0; l < 5; l++) {
			if (strcmp(label, labels[l]) != 0)
				continue;
			size_t sl = strlen(secret) / 2;
			fputc(0, out), fputc(l, out), fputc((int)sl, out);
			for (size_t i = 0; i < sl; i++)
				fputc(hexbyte(secret + 2 * i), out);
		}
	}
	for (size_t i = 0; i < c->nchunks; i++) {
		const struct chunk *ch = &c->chunks[i];
		for (size_t done = 0; done < ch->len;) {
			size_t m = ch->len - done < 65535 ? ch->len - done : 65535;
			fputc(ch->dir == AS_TLS_DIR_WRITE ? 1 : 2, out);
			fputc((int)(m >> 8), out), fputc((int)(m & 0xff), out);
			fwrite(c->bytes + ch->off + done, 1, m, out);
			done += m;
		}
	}
	fclose(in);
	fclose(out);
}

int main(int argc, char **argv)
{
	const char *seeds = NULL; /* --seeds DIR: write fuzz seeds there too */
	if (argc == 6 && strcmp(argv[4], "--seeds") == 0)
		seeds = argv[5];
	else if (argc != 4) {
		fprintf(stderr, "usage: tlsdec_test CERT KEY TMPDIR [--seeds DIR]\n");
		return 2;
	}
	if (system("openssl version >/dev/null 2>&1") != 0)
		tk_skip("the openssl command is not installed");
	signal(SIGPIPE, SIG_IGN);
	const char *cert = argv[1], *key = argv[2], *tmp = argv[3];
	TK_REQUIRE(mkdir(tmp, 0755) == 0 || errno == EEXIST, "%s: %s", tmp, strerror(errno));
	char keylog[4200];
	snprintf(keylog, sizeof(keylog), "%s/keys.log", tmp);
	static const struct {
		const char *name;
		char *flags[5];
	} cases[] = {
		{"TLS 1.3 AES-128-GCM", {"-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"}},
		{"TLS 1.3 AES-256-GCM", {"-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"}},
		{"TLS 1.3 ChaCha20-Poly1305",
		 {"-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"}},
		{"TLS 1.2 AES-128-GCM", {"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"}},
		{"TLS 1.2 AES-256-GCM", {"-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"}},
		{"TLS 1.2 ChaCha20-Poly1305",
		 {"-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c = {0};
		run_session(cert, key, tmp, cases[i].flags, keylog, &c);
		TK_CHECK(c.nchunks >= 4, "%s: the relay saw %zu chunks", cases[i].name, c.nchunks);
		check_case(cases[i].name, &c, keylog);
		if (seeds)
			write_seed(seeds, i, &c, keylog);
		free(c.bytes);
	}

	/* A CBC suite: counted as undecryptable, no plaintext, no failure. */
	{
		struct capture c = {0};
		char *flags[] = {"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256", NULL};
		run_session(cert, key, tmp, flags, keylog, &c);
		struct out o;
		struct as_tlsdec *d = decoder(&o);
		unsigned seed = 7;
		feed_keys(d, keylog);
		feed_bytes(d, &c, &seed);
		struct as_tlsdec_stats st;
		as_tlsdec_get_stats(d, &st);
		TK_CHECK(st.undecryptable == 1 && o.len[0] == 0 && o.len[1] == 0,
			 "CBC: %llu undecryptable, %zu + %zu plaintext bytes",
			 (unsigned long long)st.undecryptable, o.len[0], o.len[1]);
		as_tlsdec_free(d);
		free(c.bytes);
	}

	/* Garbage on a socket: the direction stops, nothing comes out. */
	{
		struct out o;
		struct as_tlsdec *d = decoder(&o);
		uint8_t junk[3000];
		unsigned seed = 99;
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)rand_r(&seed);
		junk[0] = 23, junk[1] = 3, junk[2] = 3, junk[3] = 0, junk[4] = 40;
		struct as_rec_hdr h = {.type = AS_REC_SOCK_DATA, .pid = 1};
		as_tlsdec_bytes(d, &h, 7, AS_TLS_DIR_READ, junk, sizeof(junk));
		as_tlsdec_gap(d, 1, 7, AS_TLS_DIR_READ);
		as_tlsdec_forget(d, 1);
		TK_CHECK(o.len[0] == 0 && o.len[1] == 0, "garbage gave plaintext");
		as_tlsdec_free(d);
	}
	return tk_finish();
}
