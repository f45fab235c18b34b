/* elfsym: TLS functions in ELF files, by symbol and by byte signature (see
 * elfsym.h). ELF parsing goes through elfutils' libelf; every offset and size
 * read from a file is checked against the file's bounds before use.
 */
#include "elfsym.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const as_openssl_funcs[] = {
	"SSL_write",	    "SSL_read", "SSL_write_ex",	  "SSL_read_ex",
	"SSL_do_handshake", "SSL_free", "ssl_log_secret",
};
const size_t as_openssl_nfuncs = sizeof(as_openssl_funcs) / sizeof(as_openssl_funcs[0]);

const char *const as_gnutls_funcs[] = {
	"gnutls_record_send",
	"gnutls_record_recv",
	"gnutls_handshake",
	"gnutls_deinit",
};
const size_t as_gnutls_nfuncs = sizeof(as_gnutls_funcs) / sizeof(as_gnutls_funcs[0]);

static void set_err(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a ? a : "", b ? b : "");
}

static bool libelf_ready(void)
{
	static int ready = -1;
	if (ready < 0)
		ready = elf_version(EV_CURRENT) != EV_NONE;
	return ready;
}

/* A read-only view of a whole file, private so libelf may scribble on it. */
struct file_map {
	void *buf;
	size_t len;
};

static int map_file(const char *path, struct file_map *m, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		set_err(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		set_err(err, errlen, "%s%s is not a non-empty regular file", path, "");
		close(fd);
		return -1;
	}
	m->len = (size_t)st.st_size;
	m->buf = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->buf == MAP_FAILED) {
		int e = errno;
		set_err(err, errlen, "cannot map %s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}

static void unmap_file(struct file_map *m)
{
	munmap(m->buf, m->len);
}

static Elf *open_mem(const void *buf, size_t len, char *err, size_t errlen)
{
	if (!libelf_ready()) {
		set_err(err, errlen, "libelf: %s%s", elf_errmsg(-1), "");
		return NULL;
	}
	/* libelf wants a writable pointer; it does not write when reading a
	 * file of the host's byte order, and callers pass private memory. */
	Elf *e = elf_memory((char *)buf, len);
	if (!e)
		set_err(err, errlen, "not an ELF file: %s%s", elf_errmsg(-1), "");
	return e;
}

/* Converts a virtual address to a file offset through the program headers
 * (executables, shared objects); 0 when no loaded segment holds it. */
static uint64_t vaddr_to_offset(Elf *e, uint64_t vaddr, size_t file_len)
{
	size_t nph;
	if (elf_getphdrnum(e, &nph) != 0)
		return 0;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz) {
			uint64_t off = vaddr - ph.p_vaddr + ph.p_offset;
			return off < file_len ? off : 0;
		}
	}
	return 0;
}

/* Looks names up in one symbol table section; fills offsets still 0. */
static void scan_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, const char *const *names,
			size_t n, uint64_t *offsets, size_t file_len)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || sh->sh_entsize == 0)
		return;
	size_t count = data->d_size / sh->sh_entsize;
	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			break;
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
		    sym.st_value == 0)
			continue;
		const char *name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!name)
			continue;
		for (size_t k = 0; k < n; k++) {
			if (offsets[k] == 0 && strcmp(name, names[k]) == 0)
				offsets[k] = vaddr_to_offset(e, sym.st_value, file_len);
		}
	}
}

int as_elf_find_funcs_mem(const void *buf, size_t len, const char *const *names, size_t n,
			  uint64_t *offsets, char *err, size_t errlen)
{
	for (size_t k = 0; k < n; k++)
		offsets[k] = 0;
	Elf *e = open_mem(buf, len, err, errlen);
	if (!e)
		return -1;
	if (elf_kind(e) != ELF_K_ELF) {
		set_err(err, errlen, "not an ELF executable or library%s%s", "", "");
		elf_end(e);
		return -1;
	}
	/* .symtab first (complete when present), then .dynsym. */
	for (int pass = 0; pass < 2; pass++) {
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(e, scn)) != NULL) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh))
				continue;
			if (sh.sh_type == (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM))
				scan_symtab(e, scn, &sh, names, n, offsets, len);
		}
	}
	elf_end(e);
	int found = 0;
	for (size_t k = 0; k < n; k++)
		found += offsets[k] != 0;
	return found;
}

int as_elf_find_funcs(const char *path, const char *const *names, size_t n, uint64_t *offsets,
		      char *err, size_t errlen)
{
	struct file_map m;
	if (map_file(path, &m, err, errlen) != 0)
		return -1;
	int r = as_elf_find_funcs_mem(m.buf, m.len, names, n, offsets, err, errlen);
	if (r < 0 && err && errlen) {
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	unmap_file(&m);
	return r;
}

/* ---- signatures from a static archive ---------------------------------- */

/* How many bytes around a relocation the linker may change. */
static void reloc_span(uint32_t type, int *before, int *size)
{
	*before = 0;
	switch (type) {
	case R_X86_64_64:
	case R_X86_64_PC64:
	case R_X86_64_GOTOFF64:
		*size = 8;
		break;
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
	case R_X86_64_GOTTPOFF:
	case R_X86_64_TLSGD:
	case R_X86_64_TLSLD:
		/* GOT loads may be relaxed to lea or mov-immediate: the REX,
		 * opcode and ModRM bytes before the field change too. */
		*before = 3;
		*size = 4;
		break;
	default:
		*size = 4;
		break;
	}
}

/* Signs the functions of one relocatable object that are still missing. */
static void sign_object(Elf *obj, const char *member, const char *const *names, size_t n,
			struct as_sigset *set)
{
	size_t shnum;
	if (elf_getshdrnum(obj, &shnum) != 0)
		return;
	Elf_Scn *symscn = NULL;
	GElf_Shdr symsh;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(obj, scn)) != NULL) {
		if (gelf_getshdr(scn, &symsh) && symsh.sh_type == SHT_SYMTAB) {
			symscn = scn;
			break;
		}
	}
	if (!symscn || symsh.sh_entsize == 0)
		return;
	Elf_Data *syms = elf_getdata(symscn, NULL);
	if (!syms)
		return;
	size_t nsyms = syms->d_size / symsh.sh_entsize;

	for (size_t i = 0; i < nsyms && set->n < AS_SIG_MAX_FUNCS; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(syms, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= shnum || sym.st_size == 0)
			continue;
		const char *name = elf_strptr(obj, symsh.sh_link, sym.st_name);
		if (!name)
			continue;
		bool wanted = false;
		for (size_t k = 0; k < n; k++)
			wanted |= strcmp(name, names[k]) == 0;
		for (size_t k = 0; k < set->n; k++)
			wanted &= strcmp(name, set->sigs[k].name) != 0;
		if (!wanted || strlen(name) >= AS_SIG_NAME_MAX)
			continue;

		Elf_Scn *text = elf_getscn(obj, sym.st_shndx);
		GElf_Shdr tsh;
		Elf_Data *td = text ? elf_getdata(text, NULL) : NULL;
		if (!td || !gelf_getshdr(text, &tsh) || tsh.sh_type != SHT_PROGBITS || !td->d_buf ||
		    sym.st_value >= td->d_size)
			continue;
		struct as_sig *sig = &set->sigs[set->n];
		memset(sig, 0, sizeof(*sig));
		snprintf(sig->name, sizeof(sig->name), "%s", name);
		snprintf(sig->member, sizeof(sig->member), "%s", member);
		sig->member_offset = sym.st_value;
		uint64_t avail = td->d_size - sym.st_value;
		uint64_t len = sym.st_size < avail ? sym.st_size : avail;
		sig->len = len < AS_SIG_MAX_BYTES ? (uint32_t)len : AS_SIG_MAX_BYTES;
		memcpy(sig->bytes, (const uint8_t *)td->d_buf + sym.st_value, sig->len);
		memset(sig->mask, 0xff, sig->len);

		/* Wildcard what relocations against this section will rewrite. */
		Elf_Scn *rs = NULL;
		while ((rs = elf_nextscn(obj, rs)) != NULL) {
			GElf_Shdr rsh;
			if (!gelf_getshdr(rs, &rsh) || rsh.sh_type != SHT_RELA ||
			    rsh.sh_info != sym.st_shndx || rsh.sh_entsize == 0)
				continue;
			Elf_Data *rd = elf_getdata(rs, NULL);
			if (!rd)
				continue;
			size_t nrel = rd->d_size / rsh.sh_entsize;
			for (size_t r = 0; r < nrel; r++) {
				GElf_Rela rel;
				if (!gelf_getrela(rd, (int)r, &rel))
					break;
				int before, size;
				reloc_span(GELF_R_TYPE(rel.r_info), &before, &size);
				int64_t from =
					(int64_t)rel.r_offset - (int64_t)sym.st_value - before;
				int64_t to = (int64_t)rel.r_offset - (int64_t)sym.st_value + size;
				for (int64_t b = from; b < to; b++)
					if (b >= 0 && b < sig->len)
						sig->mask[b] = 0;
			}
		}
		for (uint32_t b = 0; b < sig->len; b++)
			sig->bytes[b] &= sig->mask[b];
		unsigned fixed = 0;
		for (uint32_t b = 0; b < sig->len; b++)
			fixed += sig->mask[b] != 0;
		if (fixed >= AS_SIG_MIN_FIXED)
			set->n++;
	}
}

int as_sigset_from_archive_mem(struct as_sigset *set, const void *buf, size_t len,
			       const char *const *names, size_t n, char *err, size_t errlen)
{
	memset(set, 0, sizeof(*set));
	Elf *ar = open_mem(buf, len, err, errlen);
	if (!ar)
		return -1;
	if (elf_kind(ar) == ELF_K_ELF) {
		GElf_Ehdr eh;
		if (!gelf_getehdr(ar, &eh) || eh.e_type != ET_REL || eh.e_machine != EM_X86_64) {
			set_err(err, errlen, "not an x86-64 relocatable object or archive%s%s", "",
				"");
			elf_end(ar);
			return -1;
		}
		sign_object(ar, "object", names, n, set);
		elf_end(ar);
		return (int)set->n;
	}
	if (elf_kind(ar) != ELF_K_AR) {
		set_err(err, errlen, "not a static archive or object file%s%s", "", "");
		elf_end(ar);
		return -1;
	}
	Elf *member;
	/* Members of a memory image must be read with the command elf_memory used. */
	Elf_Cmd cmd = ELF_C_READ_MMAP;
	unsigned guard = 0;
	while ((member = elf_begin(-1, cmd, ar)) != NULL && guard++ < 100000) {
		Elf_Arhdr *ah = elf_getarhdr(member);
		GElf_Ehdr eh;
		if (ah && ah->ar_name && elf_kind(member) == ELF_K_ELF &&
		    gelf_getehdr(member, &eh) && eh.e_type == ET_REL && eh.e_machine == EM_X86_64)
			sign_object(member, ah->ar_name, names, n, set);
		cmd = elf_next(member);
		elf_end(member);
		if (cmd == ELF_C_NULL)
			break;
	}
	elf_end(ar);
	return (int)set->n;
}

int as_sigset_from_archive(struct as_sigset *set, const char *path, const char *const *names,
			   size_t n, char *err, size_t errlen)
{
	struct file_map m;
	if (map_file(path, &m, err, errlen) != 0)
		return -1;
	int r = as_sigset_from_archive_mem(set, m.buf, m.len, names, n, err, errlen);
	unmap_file(&m);
	return r;
}

/* ---- text form ------------------------------------------------------------ */

int as_sigset_write(const struct as_sigset *set, FILE *out)
{
	if (fprintf(out, "# agentsight TLS function signatures, v1\n"
			 "# sig NAME MEMBER OFFSET PATTERN (hex bytes, '..' = any byte)\n") < 0)
		return -1;
	for (size_t i = 0; i < set->n; i++) {
		const struct as_sig *s = &set->sigs[i];
		if (fprintf(out, "sig %s %s %llx ", s->name, s->member,
			    (unsigned long long)s->member_offset) < 0)
			return -1;
		for (uint32_t b = 0; b < s->len; b++)
			if (s->mask[b] ? fprintf(out, "%02x", s->bytes[b]) < 0
				       : fputs("..", out) == EOF)
				return -1;
		if (fputc('\n', out) == EOF)
			return -1;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Copies the next space-delimited word of [*p, end) into out; false if none
 * or it does not fit. */
static bool next_word(const char **p, const char *end, char *out, size_t outlen)
{
	const char *s = *p;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	const char *w = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	size_t n = (size_t)(s - w);
	*p = s;
	if (n == 0 || n >= outlen)
		return false;
	memcpy(out, w, n);
	out[n] = 0;
	return true;
}

static int parse_line(struct as_sig *sig, const char *p, const char *end, char *why, size_t whylen)
{
	char word[2 * AS_SIG_MAX_BYTES + 2];
	memset(sig, 0, sizeof(*sig));
	if (!next_word(&p, end, word, sizeof(word)) || strcmp(word, "sig") != 0)
		return snprintf(why, whylen, "expected 'sig'"), -1;
	if (!next_word(&p, end, sig->name, sizeof(sig->name)))
		return snprintf(why, whylen, "missing or overlong function name"), -1;
	if (!next_word(&p, end, sig->member, sizeof(sig->member)))
		return snprintf(why, whylen, "missing or overlong member name"), -1;
	if (!next_word(&p, end, word, 17))
		return snprintf(why, whylen, "missing or overlong offset"), -1;
	char *stop;
	errno = 0;
	sig->member_offset = strtoull(word, &stop, 16);
	if (*stop || errno)
		return snprintf(why, whylen, "offset '%s' is not hex", word), -1;
	if (!next_word(&p, end, word, sizeof(word)))
		return snprintf(why, whylen, "missing pattern or longer than %d bytes",
				AS_SIG_MAX_BYTES),
		       -1;
	size_t wl = strlen(word);
	if (wl % 2)
		return snprintf(why, whylen, "pattern has an odd number of digits"), -1;
	for (size_t i = 0; i < wl; i += 2) {
		if (word[i] == '.' && word[i + 1] == '.') {
			sig->mask[i / 2] = 0;
			continue;
		}
		int hi = hexval(word[i]), lo = hexval(word[i + 1]);
		if (hi < 0 || lo < 0)
			return snprintf(why, whylen, "bad pattern byte '%c%c'", word[i],
					word[i + 1]),
			       -1;
		sig->bytes[i / 2] = (uint8_t)(hi << 4 | lo);
		sig->mask[i / 2] = 0xff;
	}
	sig->len = (uint32_t)(wl / 2);
	unsigned fixed = 0;
	for (uint32_t b = 0; b < sig->len; b++)
		fixed += sig->mask[b] != 0;
	if (fixed < AS_SIG_MIN_FIXED)
		return snprintf(why, whylen, "pattern has %u fixed bytes; at least %d needed",
				fixed, AS_SIG_MIN_FIXED),
		       -1;
	if (next_word(&p, end, word, sizeof(word)))
		return snprintf(why, whylen, "unexpected text after the pattern"), -1;
	return 0;
}

int as_sigset_parse(struct as_sigset *set, const char *text, size_t len, char *err, size_t errlen)
{
	memset(set, 0, sizeof(*set));
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		lineno++;
		const char *s = p;
		while (s < le && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		const char *e = le;
		while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (s < e && *s != '#') {
			if (set->n >= AS_SIG_MAX_FUNCS) {
				snprintf(err, errlen, "line %u: more than %d signatures", lineno,
					 AS_SIG_MAX_FUNCS);
				return -1;
			}
			char why[128];
			if (parse_line(&set->sigs[set->n], s, e, why, sizeof(why)) != 0) {
				snprintf(err, errlen, "line %u: %s", lineno, why);
				return -1;
			}
			set->n++;
		}
		p = eol ? eol + 1 : end;
	}
	return (int)set->n;
}

int as_sigset_load(struct as_sigset *set, const char *path, char *err, size_t errlen)
{
	struct file_map m;
	if (map_file(path, &m, err, errlen) != 0)
		return -1;
	char inner[256];
	int r = as_sigset_parse(set, m.buf, m.len, inner, sizeof(inner));
	if (r < 0)
		snprintf(err, errlen, "%s: %s", path, inner);
	unmap_file(&m);
	return r;
}

/* ---- search --------------------------------------------------------------- */

static bool match_at(const uint8_t *p, const struct as_sig *s)
{
	for (uint32_t b = 0; b < s->len; b++)
		if ((p[b] & s->mask[b]) != s->bytes[b])
			return false;
	return true;
}

/* First fixed byte of a pattern, to skip quickly with memchr. */
static int anchor_byte(const struct as_sig *s, uint32_t *at)
{
	for (uint32_t b = 0; b < s->len; b++)
		if (s->mask[b]) {
			*at = b;
			return s->bytes[b];
		}
	return -1;
}

int as_sig_search_mem(const void *buf, size_t len, const struct as_sigset *set, uint64_t *offsets,
		      char *err, size_t errlen)
{
	uint32_t hits[AS_SIG_MAX_FUNCS] = {0};
	uint64_t first[AS_SIG_MAX_FUNCS] = {0};

	for (size_t i = 0; i < set->n; i++)
		offsets[i] = 0;
	Elf *e = open_mem(buf, len, err, errlen);
	if (!e)
		return -1;
	size_t nph;
	if (elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &nph) != 0) {
		set_err(err, errlen, "not an ELF executable or library%s%s", "", "");
		elf_end(e);
		return -1;
	}
	const uint8_t *base = buf;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
			continue;
		if (ph.p_offset >= len)
			continue;
		uint64_t seg_len =
			ph.p_filesz < len - ph.p_offset ? ph.p_filesz : len - ph.p_offset;
		const uint8_t *seg = base + ph.p_offset;
		for (size_t k = 0; k < set->n; k++) {
			const struct as_sig *s = &set->sigs[k];
			uint32_t at;
			int a = anchor_byte(s, &at);
			if (a < 0 || seg_len < s->len)
				continue;
			const uint8_t *p = seg, *last = seg + seg_len - s->len;
			while (p <= last) {
				const uint8_t *q = memchr(p + at, a, (size_t)(last - p) + 1);
				if (!q)
					break;
				const uint8_t *cand = q - at;
				if (match_at(cand, s) && hits[k]++ == 0)
					first[k] = (uint64_t)(cand - base);
				p = cand + 1;
			}
		}
	}
	elf_end(e);

	/* Unique matches stand; ambiguous ones are settled by the distance to
	 * a uniquely found function of the same object file. */
	for (size_t k = 0; k < set->n; k++)
		if (hits[k] == 1)
			offsets[k] = first[k];
	for (size_t k = 0; k < set->n; k++) {
		if (offsets[k])
			continue;
		const struct as_sig *s = &set->sigs[k];
		for (size_t j = 0; j < set->n && !offsets[k]; j++) {
			const struct as_sig *anchor = &set->sigs[j];
			if (hits[j] != 1 || strcmp(anchor->member, s->member) != 0)
				continue;
			int64_t delta = (int64_t)s->member_offset - (int64_t)anchor->member_offset;
			int64_t cand = (int64_t)offsets[j] + delta;
			if (cand > 0 && (uint64_t)cand + s->len <= len && match_at(base + cand, s))
				offsets[k] = (uint64_t)cand;
		}
	}
	int found = 0;
	for (size_t k = 0; k < set->n; k++)
		found += offsets[k] != 0;
	return found;
}

int as_sig_search(const char *path, const struct as_sigset *set, uint64_t *offsets, char *err,
		  size_t errlen)
{
	struct file_map m;
	if (map_file(path, &m, err, errlen) != 0)
		return -1;
	int r = as_sig_search_mem(m.buf, m.len, set, offsets, err, errlen);
	unmap_file(&m);
	return r;
}
