/* as_web_fixture: serves the scenario (tests/store/scenario.h) for the
 * browser test. Writes the store into the folder given, starts the server
 * on an ephemeral port with a random token, prints its URL on stdout, and
 * stops cleanly when stdin closes or on SIGINT/SIGTERM.
 *
 *   as_web_fixture DIR
 */
#include "scenario.h"
#include "serve.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	char db[4096], err[512];
	snprintf(db, sizeof(db), "%s/ui.db", argv[1]);
	unlink(db);
	int64_t s1, s2;
	if (as_scenario_create(db, &s1, &s2, err, sizeof(err)) != 0) {
		fprintf(stderr, "as_web_fixture: %s\n", err);
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct as_server *srv;
	struct as_serve_opts o = {.db_path = db, .out = stdout};
	if (as_serve_start(&srv, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "as_web_fixture: %s\n", err);
		return 1;
	}
	while (!stop) {
		struct pollfd p = {.fd = 0, .events = POLLIN};
		int n = poll(&p, 1, 200);
		if (n > 0) {
			char buf[64];
			if (read(0, buf, sizeof(buf)) <= 0)
				break;
		} else if (n < 0 && errno != EINTR) {
			break;
		}
	}
	as_serve_stop(srv);
	printf("as_web_fixture: stopped\n");
	return 0;
}
