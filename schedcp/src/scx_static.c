/* scx_static: the Execution Verifier's static checks on a compiled policy
 * object, before anything reaches a kernel.
 *
 * With libelf (our own reading of the ELF, no libbpf): the object is a BPF
 * ELF; every program lies in a struct_ops section (no kprobes, tracepoints or
 * other attach points); the ops table (.struct_ops.link, detached when the
 * loader's link closes) exists, names `enqueue`, and wires every program it
 * holds; every external symbol is one of the kfuncs scx_common.bpf.h
 * declares; every helper call is to an allowed helper (map access, time,
 * reading kernel memory, ring buffers, bpf_loop; never probe_write_user,
 * send_signal, override_return, ...); no indirect calls.
 * With libbpf 1.5 (scx_guest inspect, which only opens the object): maps are
 * of allowed types and bounded in size, each and in total.
 */
#include "scx_internal.h"
#include "scx_result.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCX_MAP_BYTES_MAX   (16ULL << 20)
#define SCX_MAPS_BYTES_MAX  (64ULL << 20)
#define SCX_MAP_ENTRIES_MAX (1U << 20)

/* Keep in step with schedcp/bpf/scx_common.bpf.h. */
static const char *const allowed_kfuncs[] = {
	"scx_bpf_dsq_insert",
	"scx_bpf_dsq_insert_vtime",
	"scx_bpf_dsq_move_to_local",
	"scx_bpf_create_dsq",
	"scx_bpf_dsq_nr_queued",
	"scx_bpf_select_cpu_dfl",
	"scx_bpf_pick_idle_cpu",
	"scx_bpf_test_and_clear_cpu_idle",
	"scx_bpf_kick_cpu",
	"scx_bpf_task_cpu",
	"scx_bpf_task_running",
	"scx_bpf_nr_cpu_ids",
	"scx_bpf_now",
	"scx_bpf_error_bstr",
	"scx_bpf_exit_bstr",
};

static const struct {
	int id;
	const char *name;
} allowed_helpers[] = {
	{1, "map_lookup_elem"},
	{2, "map_update_elem"},
	{3, "map_delete_elem"},
	{5, "ktime_get_ns"},
	{7, "get_prandom_u32"},
	{8, "get_smp_processor_id"},
	{14, "get_current_pid_tgid"},
	{16, "get_current_comm"},
	{93, "spin_lock"},
	{94, "spin_unlock"},
	{113, "probe_read_kernel"},
	{115, "probe_read_kernel_str"},
	{125, "ktime_get_boot_ns"},
	{130, "ringbuf_output"},
	{131, "ringbuf_reserve"},
	{132, "ringbuf_submit"},
	{133, "ringbuf_discard"},
	{156, "task_storage_get"},
	{157, "task_storage_delete"},
	{158, "get_current_task_btf"},
	{160, "ktime_get_coarse_ns"},
	{164, "for_each_map_elem"},
	{181, "loop"},
};

/* BPF_MAP_TYPE_*: hash 1, array 2, percpu hash 5, percpu array 6, lru hash 9,
 * lru percpu hash 10, struct_ops 26, ringbuf 27, task storage 29. */
static const int allowed_map_types[] = {1, 2, 5, 6, 9, 10, 26, 27, 29};

static const char *helper_name(int id)
{
	for (size_t i = 0; i < sizeof(allowed_helpers) / sizeof(allowed_helpers[0]); i++)
		if (allowed_helpers[i].id == id)
			return allowed_helpers[i].name;
	return NULL;
}

static bool kfunc_allowed(const char *name)
{
	for (size_t i = 0; i < sizeof(allowed_kfuncs) / sizeof(allowed_kfuncs[0]); i++)
		if (!strcmp(name, allowed_kfuncs[i]))
			return true;
	return false;
}

static bool starts(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static void add_unique(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), s)) return;
	json_array_append_new(arr, json_string(s));
}

#define FAIL(...)                                  \
	do {                                       \
		scx_err(err, errlen, __VA_ARGS__); \
		rc = -EPERM;                       \
		goto out;                          \
	} while (0)

static int elf_checks(const char *path, json_t *rep, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e = NULL;
	int rc = 0;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf_Data *symdata = NULL;
	size_t symcount = 0, symstr = 0;
	json_t *kfuncs = json_array(), *helpers = json_array(), *ops = json_array();
	json_t *wired = json_array();
	bool has_link = false;

	json_object_set_new(rep, "kfuncs", kfuncs);
	json_object_set_new(rep, "helpers", helpers);
	json_object_set_new(rep, "ops", ops);
	if (fd < 0) {
		scx_err(err, errlen, "%s: %s", path, strerror(errno));
		json_decref(wired);
		return -errno;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh))
		FAIL("%s: not an ELF object", path);
	if (eh.e_machine != EM_BPF)
		FAIL("%s: not a BPF object (e_machine %u)", path, eh.e_machine);
	if (elf_getshdrstrndx(e, &shstrndx))
		FAIL("%s: no section names", path);

	/* the symbol table first: external symbols must be allowed kfuncs */
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			FAIL("%s: bad section header", path);
		if (sh.sh_type == SHT_SYMTAB) {
			symdata = elf_getdata(scn, NULL);
			symcount = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
			symstr = sh.sh_link;
		}
	}
	if (!symdata)
		FAIL("%s: no symbol table", path);
	for (size_t i = 1; i < symcount; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(symdata, (int)i, &sym))
			continue;
		const char *name = elf_strptr(e, symstr, sym.st_name);
		if (sym.st_shndx != SHN_UNDEF || !name || !*name)
			continue;
		if (!kfunc_allowed(name))
			FAIL("%s: calls '%s', which is not an allowed kfunc (see "
			     "scx_common.bpf.h)",
			     path, name);
		add_unique(kfuncs, name);
	}

	scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		const char *name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, ".struct_ops.link"))
			has_link = true;
		if (!strcmp(name, ".struct_ops"))
			FAIL("%s: the ops table is in .struct_ops; use SCX_OPS_DEFINE "
			     "(.struct_ops.link), so that it detaches with the loader",
			     path);
		if (sh.sh_type == SHT_REL && !strcmp(name, ".rel.struct_ops.link")) {
			Elf_Data *d = elf_getdata(scn, NULL);
			size_t n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
			for (size_t i = 0; d && i < n; i++) {
				GElf_Rel r;
				GElf_Sym sym;
				if (!gelf_getrel(d, (int)i, &r) ||
				    !gelf_getsym(symdata, (int)GELF_R_SYM(r.r_info), &sym))
					continue;
				const char *sn = elf_strptr(e, symstr, sym.st_name);
				if (sn)
					add_unique(wired, sn);
			}
		}
		if (!(sh.sh_flags & SHF_EXECINSTR) || sh.sh_size == 0)
			continue;
		if (strcmp(name, ".text") != 0 && !starts(name, "struct_ops/") &&
		    !starts(name, "struct_ops.s/"))
			FAIL("%s: program section '%s' is not a sched_ext op (only struct_ops "
			     "programs are allowed)",
			     path, name);
		if (starts(name, "struct_ops"))
			add_unique(ops, strchr(name, '/') + 1);
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || d->d_size % 8)
			FAIL("%s: section '%s' is not whole instructions", path, name);
		const unsigned char *ins = d->d_buf;
		for (size_t off = 0; off + 8 <= d->d_size; off += 8) {
			unsigned char code = ins[off], regs = ins[off + 1];
			int32_t imm;
			memcpy(&imm, ins + off + 4, 4);
			if (code == 0x8d)
				FAIL("%s: indirect call in '%s' at insn %zu", path, name, off / 8);
			if (code != 0x85)
				continue;
			int src = (regs >> 4) & 0xf;
			if (src == 0) {
				const char *hn = helper_name(imm);
				if (!hn)
					FAIL("%s: '%s' calls BPF helper #%d, which is not allowed "
					     "in "
					     "a policy",
					     path, name, imm);
				char full[64];
				snprintf(full, sizeof(full), "bpf_%s", hn);
				add_unique(helpers, full);
			}
		}
	}
	if (!has_link)
		FAIL("%s: no ops table (.struct_ops.link section: SCX_OPS_DEFINE)", path);
	size_t i;
	json_t *v;
	bool has_enqueue = false;
	json_array_foreach(ops, i, v) if (!strcmp(json_string_value(v), "enqueue")) has_enqueue =
		true;
	if (!has_enqueue)
		FAIL("%s: required op 'enqueue' is missing", path);
	/* every struct_ops program must be in the table */
	for (size_t k = 1; k < symcount; k++) {
		GElf_Sym sym;
		if (!gelf_getsym(symdata, (int)k, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		Elf_Scn *ps = elf_getscn(e, sym.st_shndx);
		GElf_Shdr psh;
		if (!ps || !gelf_getshdr(ps, &psh))
			continue;
		const char *sec = elf_strptr(e, shstrndx, psh.sh_name);
		const char *fn = elf_strptr(e, symstr, sym.st_name);
		if (!sec || !fn || !starts(sec, "struct_ops"))
			continue;
		bool found = false;
		json_array_foreach(wired, i, v) if (!strcmp(json_string_value(v), fn)) found = true;
		if (!found)
			FAIL("%s: program '%s' (%s) is not in the ops table", path, fn, sec);
	}
out:
	json_decref(wired);
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

static int map_checks(scx_t *s, const char *path, json_t *rep, char *err, size_t errlen)
{
	char guest[PATH_MAX];
	char *out = NULL;
	int rc = 0;
	json_t *res = NULL;

	scx_path(guest, sizeof(guest), "%s/tools/scx_guest", s->cache_dir);
	char *argv[] = {guest, "inspect", (char *)path, NULL};
	int st = scx_run_cmd(argv, NULL, 60, &out, 1 << 20);
	res = out ? scx_result_parse(out, strlen(out), err, errlen) : NULL;
	json_t *step = res ? json_array_get(json_object_get(res, "steps"), 0) : NULL;
	json_t *maps = json_object_get(step, "maps");
	if (st != 0 || !json_is_array(maps)) {
		const char *e = json_string_value(json_object_get(step, "error"));
		scx_err(err, errlen, "%s: libbpf cannot open the object (%s)", path,
			e ? e : (out ? out : "no output"));
		rc = -EPERM;
		goto out;
	}
	json_object_set(rep, "maps", maps);
	unsigned long long total = 0;
	size_t i;
	json_t *m;
	int nstruct = 0;
	json_array_foreach(maps, i, m)
	{
		const char *name = json_string_value(json_object_get(m, "name"));
		json_int_t type = json_integer_value(json_object_get(m, "type"));
		unsigned long long ks =
			(unsigned long long)json_integer_value(json_object_get(m, "key_size"));
		unsigned long long vs =
			(unsigned long long)json_integer_value(json_object_get(m, "value_size"));
		unsigned long long ne =
			(unsigned long long)json_integer_value(json_object_get(m, "max_entries"));
		bool ok = false;
		for (size_t k = 0; k < sizeof(allowed_map_types) / sizeof(allowed_map_types[0]);
		     k++)
			ok |= allowed_map_types[k] == type;
		if (!ok) {
			scx_err(err, errlen, "%s: map '%s' has type %lld, not allowed in a policy",
				path, name ? name : "?", (long long)type);
			rc = -EPERM;
			goto out;
		}
		if (type == 26) {
			nstruct++;
			continue;
		}
		/* a ring buffer's max_entries is its size in bytes */
		unsigned long long bytes = type == 27 ? ne : (ks + vs) * ne;
		if ((type != 27 && ne > SCX_MAP_ENTRIES_MAX) || bytes > SCX_MAP_BYTES_MAX) {
			scx_err(err, errlen,
				"%s: map '%s' is too large (%llu entries, %llu bytes; the limit is "
				"%u entries and %llu bytes)",
				path, name ? name : "?", ne, bytes, SCX_MAP_ENTRIES_MAX,
				SCX_MAP_BYTES_MAX);
			rc = -EPERM;
			goto out;
		}
		total += bytes;
	}
	if (total > SCX_MAPS_BYTES_MAX) {
		scx_err(err, errlen, "%s: maps hold %llu bytes in all, more than %llu", path, total,
			SCX_MAPS_BYTES_MAX);
		rc = -EPERM;
		goto out;
	}
	if (nstruct != 1) {
		scx_err(err, errlen, "%s: %d ops tables; a policy has exactly one", path, nstruct);
		rc = -EPERM;
	}
out:
	json_decref(res);
	free(out);
	return rc;
}

int scx_static_check(scx_t *s, const char *obj_path, json_t **report, char *err, size_t errlen)
{
	json_t *rep = json_object();
	int rc = elf_checks(obj_path, rep, err, errlen);

	if (rc == 0)
		rc = map_checks(s, obj_path, rep, err, errlen);
	json_object_set_new(rep, "passed", json_boolean(rc == 0));
	if (rc)
		json_object_set_new(rep, "error", json_string(err ? err : ""));
	if (report)
		*report = rep;
	else
		json_decref(rep);
	return rc;
}
