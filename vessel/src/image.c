/* image.c: encoding and decoding of vessel images (image.h,
 * docs/vessel-format.md).
 *
 * Every multi-byte field is written and read byte by byte in little-endian
 * order, so an image made on x86-64 reads the same on s390x. The reader
 * trusts nothing: it checks the header and each section's CRC before
 * decoding it, checks every count against the bytes that remain before
 * allocating for it, and range-checks sizes against the VSL_MAX_* limits.
 */
#include "image.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"

static const uint8_t vsl_magic[8] = {'V', 'S', 'L', 'I', 'M', 'G', '\r', '\n'};

#define HEADER_LEN	24
#define SECTION_HDR_LEN 16
#define MAX_MODULE_LEN	(UINT64_C(1) << 30)
#define MAX_SECTIONS	(1u << 20)

/* ---- writing ------------------------------------------------------------------ */

typedef struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
} wbuf;

static uint8_t *wb_reserve(wbuf *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (n > SIZE_MAX - b->len) {
		b->oom = true;
		return NULL;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap = cap > SIZE_MAX / 2 ? b->len + n : cap * 2;
		uint8_t *np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return NULL;
		}
		b->p = np;
		b->cap = cap;
	}
	uint8_t *r = b->p + b->len;
	b->len += n;
	return r;
}

static void wb_bytes(wbuf *b, const void *src, size_t n)
{
	uint8_t *d = wb_reserve(b, n);
	if (d && n)
		memcpy(d, src, n);
}

static void wb_u8(wbuf *b, uint8_t v)
{
	wb_bytes(b, &v, 1);
}

static void wb_u16(wbuf *b, uint16_t v)
{
	uint8_t *d = wb_reserve(b, 2);
	if (d)
		wasm_store_u16le(d, v);
}

static void wb_u32(wbuf *b, uint32_t v)
{
	uint8_t *d = wb_reserve(b, 4);
	if (d)
		wasm_store_u32le(d, v);
}

static void wb_u64(wbuf *b, uint64_t v)
{
	uint8_t *d = wb_reserve(b, 8);
	if (d)
		wasm_store_u64le(d, v);
}

static void wb_str(wbuf *b, const char *s)
{
	size_t n = strlen(s);
	wb_u32(b, (uint32_t)n);
	wb_bytes(b, s, n);
}

/* Starts a section: returns the offset of its header, patched by sec_end. */
static size_t sec_begin(wbuf *b, const char *tag, uint32_t *nsections)
{
	size_t at = b->len;
	wb_bytes(b, tag, 4);
	wb_u64(b, 0);
	wb_u32(b, 0);
	(*nsections)++;
	return at;
}

static void sec_end(wbuf *b, size_t at)
{
	if (b->oom)
		return;
	size_t start = at + SECTION_HDR_LEN;
	size_t n = b->len - start;
	wasm_store_u64le(b->p + at + 4, (uint64_t)n);
	wasm_store_u32le(b->p + at + 12, vsl_crc32(0, b->p + start, n));
}

static int value_ok(const vsl_value *v)
{
	switch (v->type) {
	case WASM_I32:
	case WASM_F32:
	case WASM_I64:
	case WASM_F64:
	case WASM_V128:
	case WASM_FUNCREF:
		return 1;
	case WASM_EXTERNREF:
		return v->lo == VSL_NULL_REF;
	default:
		return 0;
	}
}

static void wb_value(wbuf *b, const vsl_value *v)
{
	wb_u8(b, v->type);
	switch (v->type) {
	case WASM_I32:
	case WASM_F32:
		wb_u32(b, (uint32_t)v->lo);
		break;
	case WASM_I64:
	case WASM_F64:
		wb_u64(b, v->lo);
		break;
	case WASM_V128:
		wb_u64(b, v->lo);
		wb_u64(b, v->hi);
		break;
	default: /* references */
		wb_u32(b, (uint32_t)v->lo);
		break;
	}
}

int vsl_image_write(const vsl_image *img, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	*out = NULL;
	*outlen = 0;
	/* values that cannot be encoded are refused before anything is built */
	for (uint32_t i = 0; i < img->nglobals; i++)
		if (!value_ok(&img->globals[i].value)) {
			snprintf(err, errlen, "global %u: value of type 0x%02x cannot be encoded",
				 i, img->globals[i].value.type);
			return -1;
		}
	for (uint32_t f = 0; f < img->nframes; f++) {
		const vsl_frame *fr = &img->frames[f];
		for (uint32_t i = 0; i < fr->nlocals + fr->nstack; i++) {
			const vsl_value *v =
				i < fr->nlocals ? &fr->locals[i] : &fr->stack[i - fr->nlocals];
			if (!value_ok(v)) {
				snprintf(err, errlen,
					 "frame %u: value %u of type 0x%02x cannot be encoded", f,
					 i, v->type);
				return -1;
			}
		}
	}
	for (uint32_t r = 0; r < img->nruns; r++) {
		const vsl_page_run *run = &img->runs[r];
		if (run->mem >= img->nmemories ||
		    (uint64_t)run->first + run->count > img->memories[run->mem].pages) {
			snprintf(err, errlen, "page run %u lies outside memory %u", r, run->mem);
			return -1;
		}
	}

	wbuf b = {0};
	uint32_t nsec = 0;
	wb_bytes(&b, vsl_magic, 8);
	wb_u16(&b, VSL_IMAGE_VERSION);
	wb_u16(&b, 0);
	wb_u32(&b, 0); /* section count, patched below */
	wb_u32(&b, 0);
	wb_u32(&b, 0); /* header CRC, patched below */

	size_t s = sec_begin(&b, VSL_TAG_MODULE, &nsec);
	wb_bytes(&b, img->module_sha256, VSL_SHA256_LEN);
	wb_u64(&b, img->module_len);
	wb_u8(&b, img->module_bytes ? 1 : 0);
	if (img->module_bytes)
		wb_bytes(&b, img->module_bytes, (size_t)img->module_len);
	sec_end(&b, s);

	s = sec_begin(&b, VSL_TAG_EXEC, &nsec);
	wb_str(&b, img->entry ? img->entry : "");
	wb_u32(&b, img->entry_nresults);
	sec_end(&b, s);

	s = sec_begin(&b, VSL_TAG_MEMS, &nsec);
	wb_u32(&b, img->nmemories);
	for (uint32_t i = 0; i < img->nmemories; i++) {
		const vsl_memory *m = &img->memories[i];
		wb_u32(&b, m->pages);
		wb_u32(&b, m->min);
		wb_u32(&b, m->max);
		wb_u8(&b, m->has_max ? 1 : 0);
	}
	sec_end(&b, s);

	for (uint32_t r = 0; r < img->nruns; r++) {
		const vsl_page_run *run = &img->runs[r];
		s = sec_begin(&b, VSL_TAG_PAGE, &nsec);
		wb_u32(&b, run->mem);
		wb_u32(&b, run->first);
		wb_u32(&b, run->count);
		wb_bytes(&b, run->data, (size_t)run->count * VSL_PAGE_SIZE);
		sec_end(&b, s);
	}

	s = sec_begin(&b, VSL_TAG_GLOBS, &nsec);
	wb_u32(&b, img->nglobals);
	for (uint32_t i = 0; i < img->nglobals; i++) {
		wb_u8(&b, img->globals[i].mutable_ ? 1 : 0);
		wb_value(&b, &img->globals[i].value);
	}
	sec_end(&b, s);

	s = sec_begin(&b, VSL_TAG_TABLES, &nsec);
	wb_u32(&b, img->ntables);
	for (uint32_t i = 0; i < img->ntables; i++) {
		const vsl_table *t = &img->tables[i];
		wb_u8(&b, t->elem_type);
		wb_u32(&b, t->size);
		for (uint32_t k = 0; k < t->size; k++)
			wb_u32(&b, t->elems[k]);
	}
	sec_end(&b, s);

	s = sec_begin(&b, VSL_TAG_FRAMES, &nsec);
	wb_u32(&b, img->nframes);
	for (uint32_t f = 0; f < img->nframes; f++) {
		const vsl_frame *fr = &img->frames[f];
		wb_u32(&b, fr->func_index);
		wb_u32(&b, fr->body_offset);
		wb_u32(&b, fr->nlocals);
		wb_u32(&b, fr->nstack);
		for (uint32_t i = 0; i < fr->nlocals; i++)
			wb_value(&b, &fr->locals[i]);
		for (uint32_t i = 0; i < fr->nstack; i++)
			wb_value(&b, &fr->stack[i]);
	}
	sec_end(&b, s);

	if (img->has_wasi) {
		const vsl_wasi *w = &img->wasi;
		s = sec_begin(&b, VSL_TAG_WASI, &nsec);
		wb_u32(&b, w->argc);
		for (uint32_t i = 0; i < w->argc; i++)
			wb_str(&b, w->argv[i]);
		wb_u32(&b, w->envc);
		for (uint32_t i = 0; i < w->envc; i++)
			wb_str(&b, w->envp[i]);
		wb_u32(&b, w->npreopens);
		for (uint32_t i = 0; i < w->npreopens; i++) {
			wb_str(&b, w->preopens[i].guest_path);
			wb_str(&b, w->preopens[i].host_path ? w->preopens[i].host_path : "");
		}
		wb_u32(&b, w->max_fds);
		wb_u32(&b, w->nfds);
		for (uint32_t i = 0; i < w->nfds; i++) {
			const vsl_wasi_fd *f = &w->fds[i];
			wb_u32(&b, f->fd);
			wb_u8(&b, f->filetype);
			wb_u16(&b, f->fdflags);
			wb_u16(&b, f->oflags);
			wb_u64(&b, f->rights_base);
			wb_u64(&b, f->rights_inheriting);
			wb_u32(&b, (uint32_t)f->preopen);
			wb_u8(&b, (uint8_t)((f->guest_path ? 1 : 0) | (f->has_offset ? 2 : 0)));
			if (f->guest_path)
				wb_str(&b, f->guest_path);
			if (f->has_offset)
				wb_u64(&b, f->offset);
		}
		wb_u64(&b, (uint64_t)w->monotonic_ns);
		wb_u64(&b, (uint64_t)w->realtime_offset_ns);
		sec_end(&b, s);
	}

	s = sec_begin(&b, VSL_TAG_END, &nsec);
	sec_end(&b, s);

	if (b.oom) {
		free(b.p);
		snprintf(err, errlen, "out of memory while encoding the image");
		return -1;
	}
	wasm_store_u32le(b.p + 12, nsec);
	wasm_store_u32le(b.p + 20, vsl_crc32(0, b.p, 20));
	*out = b.p;
	*outlen = b.len;
	return 0;
}

/* ---- reading ------------------------------------------------------------------ */

typedef struct rd {
	const uint8_t *p; /* the section's payload */
	size_t len, pos;
	const char *tag; /* section being read, for messages */
	size_t base;	 /* its payload's offset in the image */
	char *err;
	size_t errlen;
	bool failed;
} rd;

static void rd_fail(rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rd_fail(rd *r, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = true;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "section %.4s at offset %zu: %s", r->tag,
		 r->base - SECTION_HDR_LEN, msg);
}

static const uint8_t *rd_take(rd *r, size_t n)
{
	if (r->failed)
		return NULL;
	if (n > r->len - r->pos) {
		rd_fail(r, "truncated: needs %zu more bytes at payload offset %zu, has %zu", n,
			r->pos, r->len - r->pos);
		return NULL;
	}
	const uint8_t *q = r->p + r->pos;
	r->pos += n;
	return q;
}

static uint8_t rd_u8(rd *r)
{
	const uint8_t *q = rd_take(r, 1);
	return q ? q[0] : 0;
}

static uint16_t rd_u16(rd *r)
{
	const uint8_t *q = rd_take(r, 2);
	return q ? wasm_load_u16le(q) : 0;
}

static uint32_t rd_u32(rd *r)
{
	const uint8_t *q = rd_take(r, 4);
	return q ? wasm_load_u32le(q) : 0;
}

static uint64_t rd_u64(rd *r)
{
	const uint8_t *q = rd_take(r, 8);
	return q ? wasm_load_u64le(q) : 0;
}

/* A count of items each at least min_bytes long: checked against max and
 * against the bytes left, so that allocating for it is bounded by the
 * input. */
static uint32_t rd_count(rd *r, const char *what, uint32_t max, size_t min_bytes)
{
	uint32_t n = rd_u32(r);
	if (r->failed)
		return 0;
	if (n > max) {
		rd_fail(r, "%u %s, more than the limit of %u", n, what, max);
		return 0;
	}
	if ((uint64_t)n * min_bytes > r->len - r->pos) {
		rd_fail(r, "%u %s cannot fit in the %zu bytes left", n, what, r->len - r->pos);
		return 0;
	}
	return n;
}

static char *rd_str(rd *r, const char *what)
{
	uint32_t n = rd_u32(r);
	if (r->failed)
		return NULL;
	if (n > VSL_MAX_STRING) {
		rd_fail(r, "%s of %u bytes, more than the limit of %u", what, n, VSL_MAX_STRING);
		return NULL;
	}
	const uint8_t *q = rd_take(r, n);
	if (!q)
		return NULL;
	if (memchr(q, 0, n)) {
		rd_fail(r, "%s contains a NUL byte", what);
		return NULL;
	}
	char *s = malloc((size_t)n + 1);
	if (!s) {
		rd_fail(r, "out of memory");
		return NULL;
	}
	memcpy(s, q, n);
	s[n] = '\0';
	return s;
}

static void rd_value(rd *r, vsl_value *v, const char *what, uint32_t idx)
{
	memset(v, 0, sizeof(*v));
	v->type = rd_u8(r);
	if (r->failed)
		return;
	switch (v->type) {
	case WASM_I32:
	case WASM_F32:
		v->lo = rd_u32(r);
		break;
	case WASM_I64:
	case WASM_F64:
		v->lo = rd_u64(r);
		break;
	case WASM_V128:
		v->lo = rd_u64(r);
		v->hi = rd_u64(r);
		break;
	case WASM_FUNCREF:
		v->lo = rd_u32(r);
		break;
	case WASM_EXTERNREF:
		v->lo = rd_u32(r);
		if (!r->failed && v->lo != VSL_NULL_REF)
			rd_fail(r, "%s %u: a non-null externref cannot be restored", what, idx);
		break;
	default:
		rd_fail(r, "%s %u has unknown value type 0x%02x", what, idx, v->type);
		break;
	}
}

static void rd_values(rd *r, vsl_value **out, uint32_t n, const char *what)
{
	*out = NULL;
	if (r->failed || n == 0)
		return;
	/* n was bounded by the bytes left (5 per value at least) */
	*out = calloc(n, sizeof(**out));
	if (!*out) {
		rd_fail(r, "out of memory");
		return;
	}
	for (uint32_t i = 0; i < n && !r->failed; i++)
		rd_value(r, &(*out)[i], what, i);
}

static void read_module(rd *r, vsl_image *img)
{
	const uint8_t *h = rd_take(r, VSL_SHA256_LEN);
	if (h)
		memcpy(img->module_sha256, h, VSL_SHA256_LEN);
	img->module_len = rd_u64(r);
	uint8_t has = rd_u8(r);
	if (r->failed)
		return;
	if (img->module_len > MAX_MODULE_LEN) {
		rd_fail(r, "module of %llu bytes, more than the limit of 1 GiB",
			(unsigned long long)img->module_len);
		return;
	}
	if (has > 1) {
		rd_fail(r, "bad module-bytes flag %u", has);
		return;
	}
	if (has) {
		const uint8_t *m = rd_take(r, (size_t)img->module_len);
		if (!m)
			return;
		uint8_t d[VSL_SHA256_LEN];
		vsl_sha256_buf(m, (size_t)img->module_len, d);
		if (memcmp(d, img->module_sha256, VSL_SHA256_LEN) != 0) {
			rd_fail(r, "the module bytes do not match the module's SHA-256");
			return;
		}
		img->module_bytes = m;
	}
}

static void read_exec(rd *r, vsl_image *img)
{
	img->entry = rd_str(r, "entry name");
	if (!r->failed && strlen(img->entry) > VSL_MAX_ENTRY)
		rd_fail(r, "entry name longer than %u bytes", VSL_MAX_ENTRY);
	img->entry_nresults = rd_u32(r);
	if (!r->failed && img->entry_nresults > 1000)
		rd_fail(r, "entry with %u results", img->entry_nresults);
}

static void read_mems(rd *r, vsl_image *img)
{
	uint32_t n = rd_count(r, "memories", VSL_MAX_MEMORIES, 13);
	if (r->failed || n == 0)
		return;
	img->memories = calloc(n, sizeof(*img->memories));
	if (!img->memories) {
		rd_fail(r, "out of memory");
		return;
	}
	img->nmemories = n;
	for (uint32_t i = 0; i < n; i++) {
		vsl_memory *m = &img->memories[i];
		m->pages = rd_u32(r);
		m->min = rd_u32(r);
		m->max = rd_u32(r);
		uint8_t hm = rd_u8(r);
		if (r->failed)
			return;
		m->has_max = hm == 1;
		if (hm > 1)
			rd_fail(r, "memory %u: bad has-max flag %u", i, hm);
		else if (m->pages > VSL_MAX_PAGES || m->min > VSL_MAX_PAGES ||
			 (m->has_max && m->max > VSL_MAX_PAGES))
			rd_fail(r, "memory %u: %u pages, more than the limit of %u", i, m->pages,
				VSL_MAX_PAGES);
		else if (m->pages < m->min ||
			 (m->has_max && (m->pages > m->max || m->min > m->max)))
			rd_fail(r, "memory %u: %u pages outside its limits %u..%u", i, m->pages,
				m->min, m->has_max ? m->max : VSL_MAX_PAGES);
	}
}

static void read_page(rd *r, vsl_image *img, uint32_t cap_runs)
{
	uint32_t mem = rd_u32(r), first = rd_u32(r), count = rd_u32(r);
	if (r->failed)
		return;
	if (mem >= img->nmemories) {
		rd_fail(r, "pages of memory %u, but the image has %u memories", mem,
			img->nmemories);
		return;
	}
	if ((uint64_t)first + count > img->memories[mem].pages) {
		rd_fail(r, "pages %u..%llu beyond the %u pages of memory %u", first,
			(unsigned long long)first + count, img->memories[mem].pages, mem);
		return;
	}
	const uint8_t *d = rd_take(r, (size_t)count * VSL_PAGE_SIZE);
	if (!d)
		return;
	if (img->nruns >= cap_runs) {
		rd_fail(r, "more page runs than sections");
		return;
	}
	vsl_page_run *run = &img->runs[img->nruns++];
	run->mem = mem;
	run->first = first;
	run->count = count;
	run->data = d;
}

static void read_globals(rd *r, vsl_image *img)
{
	uint32_t n = rd_count(r, "globals", VSL_MAX_GLOBALS, 6);
	if (r->failed || n == 0)
		return;
	img->globals = calloc(n, sizeof(*img->globals));
	if (!img->globals) {
		rd_fail(r, "out of memory");
		return;
	}
	img->nglobals = n;
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		uint8_t mut = rd_u8(r);
		if (!r->failed && mut > 1)
			rd_fail(r, "global %u: bad mutability flag %u", i, mut);
		img->globals[i].mutable_ = mut == 1;
		rd_value(r, &img->globals[i].value, "global", i);
	}
}

static void read_tables(rd *r, vsl_image *img)
{
	uint32_t n = rd_count(r, "tables", VSL_MAX_TABLES, 5);
	if (r->failed || n == 0)
		return;
	img->tables = calloc(n, sizeof(*img->tables));
	if (!img->tables) {
		rd_fail(r, "out of memory");
		return;
	}
	img->ntables = n;
	for (uint32_t i = 0; i < n && !r->failed; i++) {
		vsl_table *t = &img->tables[i];
		t->elem_type = rd_u8(r);
		if (r->failed)
			return;
		if (t->elem_type != WASM_FUNCREF && t->elem_type != WASM_EXTERNREF) {
			rd_fail(r, "table %u has unknown element type 0x%02x", i, t->elem_type);
			return;
		}
		uint32_t size = rd_count(r, "table elements", VSL_MAX_TABLE_LEN, 4);
		if (r->failed || size == 0)
			continue;
		t->elems = calloc(size, sizeof(*t->elems));
		if (!t->elems) {
			rd_fail(r, "out of memory");
			return;
		}
		t->size = size;
		for (uint32_t k = 0; k < size; k++) {
			t->elems[k] = rd_u32(r);
			if (!r->failed && t->elem_type == WASM_EXTERNREF &&
			    t->elems[k] != VSL_NULL_REF) {
				rd_fail(r,
					"table %u element %u: a non-null externref cannot be "
					"restored",
					i, k);
				return;
			}
		}
	}
}

static void read_frames(rd *r, vsl_image *img)
{
	uint32_t n = rd_count(r, "frames", VSL_MAX_FRAMES, 16);
	if (r->failed || n == 0)
		return;
	img->frames = calloc(n, sizeof(*img->frames));
	if (!img->frames) {
		rd_fail(r, "out of memory");
		return;
	}
	img->nframes = n;
	for (uint32_t f = 0; f < n && !r->failed; f++) {
		vsl_frame *fr = &img->frames[f];
		fr->func_index = rd_u32(r);
		fr->body_offset = rd_u32(r);
		uint32_t nl = rd_count(r, "locals", UINT32_MAX, 5);
		uint32_t ns = rd_count(r, "stack values", UINT32_MAX, 5);
		if (r->failed)
			return;
		if ((uint64_t)nl * 5 + (uint64_t)ns * 5 > r->len - r->pos) {
			rd_fail(r, "frame %u: %u locals and %u stack values cannot fit", f, nl, ns);
			return;
		}
		rd_values(r, &fr->locals, nl, "local");
		if (!r->failed)
			fr->nlocals = nl;
		rd_values(r, &fr->stack, ns, "stack value");
		if (!r->failed)
			fr->nstack = ns;
	}
}

static char **rd_strings(rd *r, uint32_t *count, const char *what)
{
	uint32_t n = rd_count(r, what, UINT32_MAX, 4);
	if (r->failed)
		return NULL;
	char **v = calloc((size_t)n + 1, sizeof(*v));
	if (!v) {
		rd_fail(r, "out of memory");
		return NULL;
	}
	*count = n;
	for (uint32_t i = 0; i < n && !r->failed; i++)
		v[i] = rd_str(r, what);
	return v;
}

static void read_wasi(rd *r, vsl_image *img)
{
	vsl_wasi *w = &img->wasi;
	img->has_wasi = true;
	w->argv = rd_strings(r, &w->argc, "args");
	w->envp = rd_strings(r, &w->envc, "environment entries");
	uint32_t np = rd_count(r, "preopens", VSL_MAX_FDS, 8);
	if (r->failed)
		return;
	w->preopens = calloc((size_t)np + 1, sizeof(*w->preopens));
	if (!w->preopens) {
		rd_fail(r, "out of memory");
		return;
	}
	w->npreopens = np;
	for (uint32_t i = 0; i < np && !r->failed; i++) {
		w->preopens[i].guest_path = rd_str(r, "preopen guest path");
		w->preopens[i].host_path = rd_str(r, "preopen host path");
		if (!r->failed && !w->preopens[i].guest_path[0])
			rd_fail(r, "preopen %u has an empty guest path", i);
	}
	w->max_fds = rd_u32(r);
	uint32_t nf = rd_count(r, "fds", VSL_MAX_FDS, 30);
	if (r->failed)
		return;
	if (w->max_fds > VSL_MAX_FDS) {
		rd_fail(r, "fd table limit %u, more than %u", w->max_fds, VSL_MAX_FDS);
		return;
	}
	w->fds = calloc((size_t)nf + 1, sizeof(*w->fds));
	if (!w->fds) {
		rd_fail(r, "out of memory");
		return;
	}
	w->nfds = nf;
	for (uint32_t i = 0; i < nf && !r->failed; i++) {
		vsl_wasi_fd *f = &w->fds[i];
		f->fd = rd_u32(r);
		f->filetype = rd_u8(r);
		f->fdflags = rd_u16(r);
		f->oflags = rd_u16(r);
		f->rights_base = rd_u64(r);
		f->rights_inheriting = rd_u64(r);
		f->preopen = (int32_t)rd_u32(r);
		uint8_t fl = rd_u8(r);
		if (r->failed)
			return;
		if (fl > 3 || f->filetype > 7 || f->fd >= VSL_MAX_FDS ||
		    (f->preopen < -1 || (f->preopen >= 0 && (uint32_t)f->preopen >= np))) {
			rd_fail(r, "fd entry %u (fd %u) is malformed", i, f->fd);
			return;
		}
		if (i > 0 && f->fd <= w->fds[i - 1].fd) {
			rd_fail(r, "fd entries are not in increasing order at fd %u", f->fd);
			return;
		}
		if (fl & 1)
			f->guest_path = rd_str(r, "fd guest path");
		f->has_offset = fl & 2;
		if (f->has_offset)
			f->offset = rd_u64(r);
		if (!r->failed && f->has_offset && f->offset > INT64_MAX)
			rd_fail(r, "fd %u: offset out of range", f->fd);
	}
	w->monotonic_ns = (int64_t)rd_u64(r);
	w->realtime_offset_ns = (int64_t)rd_u64(r);
}

int vsl_image_read(const uint8_t *buf, size_t len, vsl_image *img, char *err, size_t errlen)
{
	memset(img, 0, sizeof(*img));
	if (len < HEADER_LEN) {
		snprintf(err, errlen, "image of %zu bytes is shorter than its %d-byte header", len,
			 HEADER_LEN);
		return -1;
	}
	if (memcmp(buf, vsl_magic, 8) != 0) {
		snprintf(err, errlen, "not a vessel image (bad magic)");
		return -1;
	}
	if (vsl_crc32(0, buf, 20) != wasm_load_u32le(buf + 20)) {
		snprintf(err, errlen, "header CRC-32 mismatch");
		return -1;
	}
	uint16_t version = wasm_load_u16le(buf + 8);
	if (version != VSL_IMAGE_VERSION) {
		snprintf(err, errlen, "image version %u is not supported (this reader knows %u)",
			 version, (unsigned)VSL_IMAGE_VERSION);
		return -1;
	}
	if (wasm_load_u16le(buf + 10) != 0 || wasm_load_u32le(buf + 16) != 0) {
		snprintf(err, errlen, "header flags or reserved field not zero");
		return -1;
	}
	uint32_t nsec = wasm_load_u32le(buf + 12);
	if (nsec < 7 || nsec > MAX_SECTIONS) {
		snprintf(err, errlen, "header claims %u sections, an impossible count", nsec);
		return -1;
	}
	if ((uint64_t)nsec * SECTION_HDR_LEN > len - HEADER_LEN) {
		snprintf(err, errlen, "truncated: %u sections cannot fit in %zu bytes", nsec, len);
		return -1;
	}
	/* one copy of the input: page data and module bytes point into it */
	img->owned = malloc(len);
	if (!img->owned) {
		snprintf(err, errlen, "out of memory (image of %zu bytes)", len);
		return -1;
	}
	memcpy(img->owned, buf, len);
	img->runs = calloc(nsec, sizeof(*img->runs));
	if (!img->runs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}

	/* Sections in order: MODL EXEC MEMS PAGE* GLBL TABL FRMS [WASI] END!;
	 * tags beginning with a lowercase letter are optional and skipped. */
	static const char *const order[] = {VSL_TAG_MODULE, VSL_TAG_EXEC,  VSL_TAG_MEMS,
					    VSL_TAG_PAGE,   VSL_TAG_GLOBS, VSL_TAG_TABLES,
					    VSL_TAG_FRAMES, VSL_TAG_WASI,  VSL_TAG_END};
	int stage = -1; /* index in order of the last section read */
	size_t pos = HEADER_LEN;
	const uint8_t *p = img->owned;
	for (uint32_t i = 0; i < nsec; i++) {
		if (len - pos < SECTION_HDR_LEN) {
			snprintf(err, errlen,
				 "truncated: section %u of %u has no header at offset %zu", i, nsec,
				 pos);
			return -1;
		}
		const uint8_t *h = p + pos;
		char tag[5];
		memcpy(tag, h, 4);
		tag[4] = '\0';
		uint64_t slen = wasm_load_u64le(h + 4);
		uint32_t crc = wasm_load_u32le(h + 12);
		size_t payload = pos + SECTION_HDR_LEN;
		if (slen > len - payload) {
			snprintf(
				err, errlen,
				"truncated: section %.4s at offset %zu claims %llu bytes, %zu left",
				tag, pos, (unsigned long long)slen, len - payload);
			return -1;
		}
		if (vsl_crc32(0, p + payload, (size_t)slen) != crc) {
			snprintf(err, errlen, "section %.4s at offset %zu: CRC-32 mismatch", tag,
				 pos);
			return -1;
		}
		rd r = {.p = p + payload,
			.len = (size_t)slen,
			.tag = "",
			.base = payload,
			.err = err,
			.errlen = errlen};
		pos = payload + (size_t)slen;
		if (tag[0] >= 'a' && tag[0] <= 'z')
			continue;
		int k = -1;
		for (int j = 0; j < (int)(sizeof(order) / sizeof(order[0])); j++)
			if (memcmp(tag, order[j], 4) == 0)
				k = j;
		if (k < 0) {
			snprintf(err, errlen, "unknown section tag '%.4s' at offset %zu",
				 (const char *)h, payload - SECTION_HDR_LEN);
			for (char *c = err; *c; c++)
				if ((unsigned char)*c < 32 || (unsigned char)*c > 126)
					*c = '?';
			return -1;
		}
		/* later than the last one (PAGE may repeat), skipping only the
		 * optional PAGE and WASI */
		bool ok = k > stage || (k == 3 && stage == 3);
		for (int j = stage + 1; j < k; j++)
			if (j != 3 && j != 7)
				ok = false;
		if (!ok) {
			snprintf(err, errlen,
				 "section %.4s at offset %zu is out of order or a required "
				 "section before it is missing",
				 tag, payload - SECTION_HDR_LEN);
			return -1;
		}
		stage = k;
		r.tag = order[k];
		switch (k) {
		case 0:
			read_module(&r, img);
			break;
		case 1:
			read_exec(&r, img);
			break;
		case 2:
			read_mems(&r, img);
			break;
		case 3:
			read_page(&r, img, nsec);
			break;
		case 4:
			read_globals(&r, img);
			break;
		case 5:
			read_tables(&r, img);
			break;
		case 6:
			read_frames(&r, img);
			break;
		case 7:
			read_wasi(&r, img);
			break;
		default: /* END! */
			if (slen != 0)
				rd_fail(&r, "the end section must be empty");
			else if (i != nsec - 1)
				rd_fail(&r, "the end section is not the last of %u", nsec);
			break;
		}
		if (r.failed)
			return -1;
		if (r.pos != r.len) {
			rd_fail(&r, "%zu bytes left over after the section's contents",
				r.len - r.pos);
			return -1;
		}
	}
	if (stage != 8) {
		snprintf(err, errlen, "the image has no end section");
		return -1;
	}
	if (pos != len) {
		snprintf(err, errlen, "%zu bytes after the end section", len - pos);
		return -1;
	}
	return 0;
}

void vsl_image_clear(vsl_image *img)
{
	free(img->entry);
	free(img->memories);
	free(img->runs);
	free(img->globals);
	for (uint32_t i = 0; i < img->ntables; i++)
		free(img->tables[i].elems);
	free(img->tables);
	for (uint32_t i = 0; i < img->nframes; i++) {
		free(img->frames[i].locals);
		free(img->frames[i].stack);
	}
	free(img->frames);
	vsl_wasi *w = &img->wasi;
	if (w->argv)
		for (uint32_t i = 0; i < w->argc; i++)
			free(w->argv[i]);
	free(w->argv);
	if (w->envp)
		for (uint32_t i = 0; i < w->envc; i++)
			free(w->envp[i]);
	free(w->envp);
	if (w->preopens)
		for (uint32_t i = 0; i < w->npreopens; i++) {
			free(w->preopens[i].guest_path);
			free(w->preopens[i].host_path);
		}
	free(w->preopens);
	if (w->fds)
		for (uint32_t i = 0; i < w->nfds; i++)
			free(w->fds[i].guest_path);
	free(w->fds);
	free(img->owned);
	memset(img, 0, sizeof(*img));
}
