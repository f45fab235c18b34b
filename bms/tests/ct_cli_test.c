/* ct_cli_test: `bms coretemp` end to end on a tiny problem (gen, train with a
 * C export, adapt, eval with the EKF and a plot, estimate) and its answers to
 * bad use: missing options (exit 2), unreadable, empty or wrong files (exit
 * 1), unknown commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#include "coretemp_cli.h"
#include "testkit.h"

static char dir[512];

static int run(const char *line)
{
	char buf[2048], *argv[40];
	int argc = 0;
	snprintf(buf, sizeof(buf), "coretemp %s", line);
	for (char *save, *t = strtok_r(buf, " ", &save); t && argc < 39;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	fflush(stdout);
	return bms_coretemp_main(argc, argv);
}

static long fsize(const char *name)
{
	char p[1024];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(dir, sizeof(dir), "%s/bms_ct_cli_XXXXXX", tmp);
	TK_REQUIRE(mkdtemp(dir) != NULL, "mkdtemp");
	TK_REQUIRE(chdir(dir) == 0, "chdir");
	if (run("gen --out s.ds --seqs 4 --len 600 --threads 2") != 0)
		tk_skip("cannot generate (cell tables missing?)");
	TK_CHECK(fsize("s.ds") == 32 + 4 * (24 + 600 * 7 * 4), "dataset size %ld", fsize("s.ds"));
	TK_CHECK(run("gen --out t.ds --seqs 2 --len 600 --target T3 --unlabeled --seed 9") == 0,
		 "gen target");
	TK_CHECK(run("gen --out l.ds --seqs 1 --len 600 --target T3 --seed 10 --thermal lumped "
		     "--profiles pulse,drive") == 0,
		 "gen labeled");
	TK_CHECK(run("train --data s.ds --out m.bin --epochs 2 --hidden 6 --export-c w.c") == 0,
		 "train");
	TK_CHECK(fsize("w.c") > 1000, "C export missing");
	TK_CHECK(run("adapt --model m.bin --source s.ds --target t.ds --out a.bin --method mmd "
		     "--epochs 1") == 0,
		 "adapt mmd");
	TK_CHECK(run("adapt --model m.bin --source s.ds --target t.ds --out c.bin --method coral "
		     "--epochs 1") == 0,
		 "adapt coral");
	TK_CHECK(run("eval --model a.bin --data l.ds --ekf --plot p.png") == 0, "eval");
	TK_CHECK(fsize("p.png") > 1000, "no PNG");
	TK_CHECK(run("eval --model a.bin --data l.ds --plot p.svg") == 0, "eval svg");
	TK_CHECK(fsize("p.svg") > 1000, "no SVG");
	TK_CHECK(run("estimate --model c.bin --data t.ds --out e.csv") == 0, "estimate");
	TK_CHECK(fsize("e.csv") > 2L * 600 * 20, "estimate output short: %ld", fsize("e.csv"));

	/* Bad use. */
	FILE *f = fopen("empty.ds", "w");
	TK_REQUIRE(f != NULL, "cannot write");
	fclose(f);
	TK_CHECK(run("eval --model m.bin --data empty.ds") == 1, "empty dataset accepted");
	TK_CHECK(run("eval --model s.ds --data l.ds") == 1, "dataset taken for a model");
	TK_CHECK(run("eval --model m.bin --data t.ds") == 1, "eval on unlabeled data accepted");
	TK_CHECK(run("eval --model nothere.bin --data l.ds") == 1, "missing model accepted");
	TK_CHECK(run("train --data s.ds") == 2, "train without --out");
	TK_CHECK(run("gen --out x.ds --seqs 0") == 2, "zero sequences accepted");
	TK_CHECK(run("gen --out x.ds --thermal cubic") == 2, "unknown thermal model accepted");
	TK_CHECK(run("gen --out x.ds --target T9") == 2, "unknown target accepted");
	TK_CHECK(run("adapt --model m.bin --source s.ds --target t.ds --out z --method dann") == 2,
		 "unknown method accepted");
	TK_CHECK(run("frobnicate") == 2, "unknown command accepted");
	TK_CHECK(run("eval --plot p.gif --model a.bin --data l.ds") == 1, "GIF plot accepted");
	TK_CHECK(run("--help") == 0, "--help");

	const char *files[] = {"s.ds",	"t.ds",	 "l.ds",  "m.bin", "w.c",     "a.bin",
			       "c.bin", "p.png", "p.svg", "e.csv", "empty.ds"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	TK_CHECK(chdir("/") == 0 && rmdir(dir) == 0, "cleanup of %s", dir);
	/* Drop cairo's and fontconfig's caches so that the leak checker sees
	 * only what this program leaks. */
	cairo_debug_reset_static_data();
	FcFini();
	return tk_finish();
}
