/* fuzz_elfsym: ELF symbol lookup, signature search, the signature text
 * parser and the probe-site planner's instruction walk on arbitrary bytes.
 * The first byte picks which. */
#include "elfsym.h"
#include "probesite.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char err[256];
	uint64_t offs[AS_SIG_MAX_FUNCS];
	/* libelf gets a private, writable, exactly sized copy. */
	uint8_t *copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	switch (data[0] % 5) {
	case 0:
		as_elf_find_funcs_mem(copy, size - 1, as_openssl_funcs, as_openssl_nfuncs, offs,
				      err, sizeof(err));
		break;
	case 1: {
		struct as_sigset set;
		as_sigset_from_archive_mem(&set, copy, size - 1, as_openssl_funcs,
					   as_openssl_nfuncs, err, sizeof(err));
		break;
	}
	case 2: {
		static const char sigs[] =
			"sig SSL_write ssl_lib.o 0 f30f1efa41574156415541544989fc5553"
			"4883ec18........4889e5\n";
		struct as_sigset set;
		if (as_sigset_parse(&set, sigs, sizeof(sigs) - 1, err, sizeof(err)) > 0)
			as_sig_search_mem(copy, size - 1, &set, offs, err, sizeof(err));
		break;
	}
	case 3: {
		struct as_probe_site site;
		int64_t target;
		as_probe_site_find(copy, size - 1, data[0] % AS_PROBE_MAX_ARGS + 1, &site);
		as_probe_wrapper_target(copy, size - 1, &target);
		as_probe_calls(copy, size - 1, (int64_t)(size / 2));
		break;
	}
	default: {
		struct as_sigset set;
		as_sigset_parse(&set, (const char *)copy, size - 1, err, sizeof(err));
		break;
	}
	}
	free(copy);
	return 0;
}
