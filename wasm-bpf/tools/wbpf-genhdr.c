/* wbpf-genhdr.c: writes the wasm32 guest's copy of kernel-side event structs
 * from the BTF of a compiled eBPF object (docs/wasm-bpf.md, "Generated
 * headers"). For each struct named on the command line it emits a C struct in
 * which every field sits at the kernel's offset: fixed-width types only
 * (pointers, long and enums become integers of the kernel's size), explicit
 * padding arrays between fields and at the end, the struct packed and aligned
 * to the kernel's alignment, and _Static_assert on the size and on every
 * named field's offset. Named structs and unions used as fields are emitted
 * first, the same way. wbpf_add_tool(... GEN_HEADER s1 s2) runs it after the
 * object is built.
 *
 * usage: wbpf-genhdr OBJ.bpf.o OUT.h STRUCT...
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TYPES 256
#define MAX_DEPTH 16

struct gen {
	const struct btf *btf;
	FILE *out;
	const char *obj;
	__u32 done[MAX_TYPES]; /* named composite types already emitted */
	int ndone;
	int npad;
	char err[512];
};

static int fail(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->err, sizeof(g->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* Follows typedefs and qualifiers to the type that gives the layout. */
static __u32 resolve(const struct btf *btf, __u32 id)
{
	for (int i = 0; i < 64 && id; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!t)
			return 0;
		int k = btf_kind(t);
		if (k != BTF_KIND_TYPEDEF && k != BTF_KIND_CONST && k != BTF_KIND_VOLATILE &&
		    k != BTF_KIND_RESTRICT && k != BTF_KIND_TYPE_TAG)
			return id;
		id = t->type;
	}
	return 0;
}

static int is_composite(const struct btf_type *t)
{
	return btf_is_struct(t) || btf_is_union(t);
}

static int emit_composite(struct gen *g, __u32 id, int depth);

/* Emits every named struct or union that type id (a field's type) uses. */
static int emit_deps(struct gen *g, __u32 id, int depth)
{
	id = resolve(g->btf, id);
	const struct btf_type *t = btf__type_by_id(g->btf, id);
	if (!t)
		return fail(g, "%s: BTF type %u is missing", g->obj, id);
	if (btf_is_array(t))
		return emit_deps(g, btf_array(t)->type, depth);
	if (!is_composite(t))
		return 0;
	if (t->name_off)
		return emit_composite(g, id, depth + 1);
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++)
		if (emit_deps(g, m[i].type, depth + 1))
			return -1;
	return 0;
}

/* The C spelling of a scalar of size bytes. */
static const char *int_name(__u32 size, int is_signed)
{
	switch (size) {
	case 1:
		return is_signed ? "int8_t" : "uint8_t";
	case 2:
		return is_signed ? "int16_t" : "uint16_t";
	case 4:
		return is_signed ? "int32_t" : "uint32_t";
	case 8:
		return is_signed ? "int64_t" : "uint64_t";
	}
	return NULL;
}

static int emit_body(struct gen *g, const struct btf_type *t, int indent, int depth);

/* Emits "TYPE NAME[dims];" for a field; arrays become C arrays. */
static int emit_field(struct gen *g, __u32 type, const char *name, int indent, int depth)
{
	char dims[128] = "";
	size_t dl = 0;
	__u32 id = resolve(g->btf, type);
	const struct btf_type *t = btf__type_by_id(g->btf, id);
	while (t && btf_is_array(t)) {
		int n = snprintf(dims + dl, sizeof(dims) - dl, "[%u]", btf_array(t)->nelems);
		if (n < 0 || (size_t)n >= sizeof(dims) - dl)
			return fail(g, "%s: field %s has too many dimensions", g->obj, name);
		dl += (size_t)n;
		id = resolve(g->btf, btf_array(t)->type);
		t = btf__type_by_id(g->btf, id);
	}
	if (!t)
		return fail(g, "%s: field %s has a missing BTF type", g->obj, name);
	fprintf(g->out, "%*s", indent, "");
	const char *tn = NULL;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		__u8 enc = btf_int_encoding(t);
		const char *in = btf__name_by_offset(g->btf, t->name_off);
		if (t->size == 1 && ((enc & BTF_INT_CHAR) || (in && !strcmp(in, "char"))))
			tn = "char";
		else
			tn = int_name(t->size, enc & BTF_INT_SIGNED);
		break;
	}
	case BTF_KIND_PTR:
		tn = "uint64_t"; /* a kernel pointer: 8 bytes, kept as a number */
		break;
	case BTF_KIND_ENUM:
		tn = int_name(t->size, 0);
		break;
	case BTF_KIND_FLOAT:
		tn = t->size == 4 ? "float" : t->size == 8 ? "double" : NULL;
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (t->name_off) {
			fprintf(g->out, "%s %s %s%s;\n", btf_is_struct(t) ? "struct" : "union",
				btf__name_by_offset(g->btf, t->name_off), name, dims);
			return 0;
		}
		fprintf(g->out, "%s {\n", btf_is_struct(t) ? "struct" : "union");
		if (emit_body(g, t, indent + 8, depth + 1))
			return -1;
		fprintf(g->out, "%*s} __attribute__((packed)) %s%s;\n", indent, "", name, dims);
		return 0;
	default:
		break;
	}
	if (!tn)
		return fail(g,
			    "%s: field %s has a type (BTF kind %d, size %u) with no guest spelling",
			    g->obj, name, btf_kind(t), t->size);
	fprintf(g->out, "%s %s%s;\n", tn, name, dims);
	return 0;
}

static void emit_pad(struct gen *g, __u32 n, int indent)
{
	if (n)
		fprintf(g->out, "%*suint8_t __wbpf_pad%d[%u];\n", indent, "", g->npad++, n);
}

/* The members of a struct or union, each at its kernel offset. */
static int emit_body(struct gen *g, const struct btf_type *t, int indent, int depth)
{
	if (depth > MAX_DEPTH)
		return fail(g, "%s: structs nested deeper than %d", g->obj, MAX_DEPTH);
	const struct btf_member *m = btf_members(t);
	__u32 cur = 0;
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(g->btf, m[i].name_off);
		if (btf_member_bitfield_size(t, i))
			return fail(g, "%s: field %s is a bitfield (not supported)", g->obj, name);
		__u32 off = btf_member_bit_offset(t, i);
		if (off % 8)
			return fail(g, "%s: field %s is not byte-aligned", g->obj, name);
		off /= 8;
		__s64 sz = btf__resolve_size(g->btf, m[i].type);
		if (sz < 0)
			return fail(g, "%s: field %s has no size", g->obj, name);
		if (btf_is_struct(t)) {
			if (off < cur)
				return fail(g, "%s: field %s overlaps the one before", g->obj,
					    name);
			emit_pad(g, off - cur, indent);
			cur = off + (__u32)sz;
		} else if ((__u32)sz > cur) {
			cur = (__u32)sz;
		}
		if (emit_field(g, m[i].type, name && *name ? name : "", indent, depth))
			return -1;
	}
	if (btf_is_union(t)) {
		if (t->size > cur)
			fprintf(g->out, "%*suint8_t __wbpf_size%d[%u];\n", indent, "", g->npad++,
				t->size);
	} else {
		if (cur > t->size)
			return fail(g, "%s: fields run past the struct's size", g->obj);
		emit_pad(g, t->size - cur, indent);
	}
	return 0;
}

/* Offset asserts for the named fields of a top-level composite. */
static void emit_asserts(struct gen *g, const struct btf_type *t, const char *kw, const char *tname)
{
	fprintf(g->out, "_Static_assert(sizeof(%s %s) == %u, \"%s %s: kernel size\");\n", kw, tname,
		t->size, kw, tname);
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(g->btf, m[i].name_off);
		if (!name || !*name)
			continue;
		fprintf(g->out,
			"_Static_assert(__builtin_offsetof(%s %s, %s) == %u, \"%s %s.%s: kernel "
			"offset\");\n",
			kw, tname, name, btf_member_bit_offset(t, i) / 8, kw, tname, name);
	}
}

static int emit_composite(struct gen *g, __u32 id, int depth)
{
	for (int i = 0; i < g->ndone; i++)
		if (g->done[i] == id)
			return 0;
	if (depth > MAX_DEPTH)
		return fail(g, "%s: structs nested deeper than %d", g->obj, MAX_DEPTH);
	if (g->ndone >= MAX_TYPES)
		return fail(g, "%s: more than %d structs", g->obj, MAX_TYPES);
	g->done[g->ndone++] = id; /* before the fields: a cycle through a pointer stops here */
	const struct btf_type *t = btf__type_by_id(g->btf, id);
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++)
		if (emit_deps(g, m[i].type, depth))
			return -1;
	const char *kw = btf_is_struct(t) ? "struct" : "union";
	const char *tname = btf__name_by_offset(g->btf, t->name_off);
	int align = btf__align_of(g->btf, id);
	if (align <= 0)
		return fail(g, "%s: %s %s has no alignment", g->obj, kw, tname);
	fprintf(g->out, "%s %s {\n", kw, tname);
	if (emit_body(g, t, 8, depth))
		return -1;
	fprintf(g->out, "} __attribute__((packed, aligned(%d)));\n", align);
	emit_asserts(g, t, kw, tname);
	fprintf(g->out, "\n");
	return 0;
}

static int gen_struct(struct gen *g, const char *name)
{
	__s32 id = btf__find_by_name_kind(g->btf, name, BTF_KIND_STRUCT);
	if (id < 0)
		id = btf__find_by_name_kind(g->btf, name, BTF_KIND_UNION);
	if (id < 0)
		return fail(g,
			    "%s: no struct %s in its BTF (a struct used only through local "
			    "variables needs a typed global in the .bpf.c to be kept)",
			    g->obj, name);
	return emit_composite(g, (__u32)id, 0);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: wbpf-genhdr OBJ.bpf.o OUT.h STRUCT...\n");
		return 2;
	}
	struct gen g = {.obj = argv[1]};
	struct btf *btf = btf__parse(argv[1], NULL);
	if (!btf) {
		fprintf(stderr, "wbpf-genhdr: %s: cannot read its BTF: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	g.btf = btf;
	size_t tl = strlen(argv[2]) + 5;
	char *tmp = malloc(tl);
	if (!tmp) {
		btf__free(btf);
		return 1;
	}
	snprintf(tmp, tl, "%s.tmp", argv[2]);
	g.out = fopen(tmp, "w");
	if (!g.out) {
		fprintf(stderr, "wbpf-genhdr: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		btf__free(btf);
		return 1;
	}
	fprintf(g.out,
		"/* Generated by wbpf-genhdr from the BTF of %s: the kernel's layout of\n"
		" * its event structs for the wasm32 guest. Do not edit. */\n"
		"#pragma once\n#include <stdint.h>\n\n",
		argv[1]);
	int rc = 0;
	for (int i = 3; i < argc && !rc; i++)
		rc = gen_struct(&g, argv[i]);
	if (fclose(g.out) && !rc)
		rc = fail(&g, "%s: write error", tmp);
	if (!rc && rename(tmp, argv[2]))
		rc = fail(&g, "%s: %s", argv[2], strerror(errno));
	if (rc) {
		fprintf(stderr, "wbpf-genhdr: %s\n", g.err);
		remove(tmp);
	}
	free(tmp);
	btf__free(btf);
	return rc ? 1 : 0;
}
