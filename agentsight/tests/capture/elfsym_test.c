/* elfsym_test: the symbol and signature searches against an independent
 * truth, the symbol table of the same static binary before stripping.
 *
 *   elfsym_test LIBSSL_A STATIC_BINARY STRIPPED_BINARY
 *
 * Signatures are built from libssl.a; searched in the unstripped binary they
 * must land exactly where its symbols say, and in the stripped copy (no
 * symbols left) at the same offsets. The text form must round-trip, and bad
 * input must be refused with a message.
 */
#include "elfsym.h"
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_parse_error(const char *text, const char *expect)
{
	struct as_sigset set;
	char err[256] = "";
	int r = as_sigset_parse(&set, text, strlen(text), err, sizeof(err));
	TK_CHECK(r < 0, "parse of '%.40s' succeeded", text);
	TK_CHECK(strstr(err, expect) != NULL, "error '%s' lacks '%s'", err, expect);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: elfsym_test LIBSSL_A STATIC_BINARY STRIPPED_BINARY\n");
		return 2;
	}
	const char *archive = argv[1], *unstripped = argv[2], *stripped = argv[3];
	char err[512];
	size_t n = as_openssl_nfuncs;

	uint64_t truth[AS_SIG_MAX_FUNCS];
	int found = as_elf_find_funcs(unstripped, as_openssl_funcs, n, truth, err, sizeof(err));
	TK_REQUIRE(found == (int)n, "symbols in %s: %d of %zu (%s)", unstripped, found, n, err);

	uint64_t none[AS_SIG_MAX_FUNCS];
	found = as_elf_find_funcs(stripped, as_openssl_funcs, n, none, err, sizeof(err));
	TK_CHECK(found == 0, "the stripped binary still has %d of the symbols", found);

	struct as_sigset set;
	int nsig = as_sigset_from_archive(&set, archive, as_openssl_funcs, n, err, sizeof(err));
	TK_REQUIRE(nsig == (int)n, "signatures from %s: %d of %zu (%s)", archive, nsig, n, err);

	const char *targets[] = {unstripped, stripped};
	for (int t = 0; t < 2; t++) {
		uint64_t got[AS_SIG_MAX_FUNCS];
		int hits = as_sig_search(targets[t], &set, got, err, sizeof(err));
		TK_CHECK(hits == (int)n, "%s: %d of %zu functions found (%s)", targets[t], hits, n,
			 err);
		for (size_t i = 0; i < set.n; i++) {
			uint64_t want = 0;
			for (size_t k = 0; k < n; k++)
				if (strcmp(as_openssl_funcs[k], set.sigs[i].name) == 0)
					want = truth[k];
			TK_CHECK(got[i] == want, "%s: %s at 0x%llx, symbol says 0x%llx", targets[t],
				 set.sigs[i].name, (unsigned long long)got[i],
				 (unsigned long long)want);
		}
	}

	/* Text form round trip. */
	char *text = NULL;
	size_t textlen = 0;
	FILE *mem = open_memstream(&text, &textlen);
	TK_REQUIRE(mem && as_sigset_write(&set, mem) == 0, "writing signatures failed");
	fclose(mem);
	struct as_sigset back;
	int nback = as_sigset_parse(&back, text, textlen, err, sizeof(err));
	TK_CHECK(nback == nsig, "parsed %d of %d signatures back (%s)", nback, nsig, err);
	for (int i = 0; i < nback && i < nsig; i++) {
		const struct as_sig *a = &set.sigs[i], *b = &back.sigs[i];
		TK_CHECK(strcmp(a->name, b->name) == 0 && strcmp(a->member, b->member) == 0 &&
				 a->member_offset == b->member_offset && a->len == b->len &&
				 memcmp(a->bytes, b->bytes, a->len) == 0 &&
				 memcmp(a->mask, b->mask, a->len) == 0,
			 "signature %d (%s) changed in the round trip", i, a->name);
	}
	free(text);

	/* Bad input. */
	check_parse_error("sig SSL_write ssl_lib.o zz 00", "not hex");
	check_parse_error("sig SSL_write ssl_lib.o 10 0", "odd number");
	check_parse_error("sig SSL_write ssl_lib.o 10 f30f1efa", "fixed bytes");
	check_parse_error("# fine\nsignature x", "line 2");
	check_parse_error("sig SSL_write ssl_lib.o 10 gg", "bad pattern byte");
	static const char junk[] = "this is not an ELF file at all";
	uint64_t offs[AS_SIG_MAX_FUNCS];
	TK_CHECK(as_elf_find_funcs_mem(junk, sizeof(junk), as_openssl_funcs, n, offs, err,
				       sizeof(err)) < 0,
		 "garbage accepted as ELF");
	TK_CHECK(as_sig_search_mem(junk, sizeof(junk), &set, offs, err, sizeof(err)) < 0,
		 "garbage searched as ELF");
	TK_CHECK(as_sigset_from_archive_mem(&back, junk, sizeof(junk), as_openssl_funcs, n, err,
					    sizeof(err)) < 0,
		 "garbage accepted as an archive");
	TK_CHECK(as_elf_find_funcs("/nonexistent/x", as_openssl_funcs, n, offs, err, sizeof(err)) <
				 0 &&
			 strstr(err, "/nonexistent/x"),
		 "a missing file gave no error naming it: %s", err);
	return tk_finish();
}
