/* malformed_test: hostile and broken modules get errors that name the
 * problem, never crashes, and never allocations beyond a small multiple of
 * their size: counts larger than their section, a function declaring four
 * billion locals, 100,000 nested blocks, out-of-range indices, huge
 * declared memories and tables against the configured limits, every prefix
 * and every single-byte mutation of a valid module.
 *
 * The expected messages are the vocabulary of the spec tests
 * (assert_malformed / assert_invalid texts).
 *
 * Usage: wasm_malformed_test [API.wasm]  (the mutation part uses it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testkit.h"
#include "wasm.h"

struct buf {
	uint8_t *b;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->b = realloc(b->b, b->cap);
		TK_REQUIRE(b->b, "out of memory");
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void byte(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void leb(struct buf *b, uint64_t v)
{
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		byte(b, (uint8_t)(c | (v ? 0x80 : 0)));
	} while (v);
}

static void header(struct buf *b)
{
	put(b, "\0asm\1\0\0\0", 8);
}

static void section(struct buf *b, uint8_t id, const struct buf *content)
{
	byte(b, id);
	leb(b, content->n);
	put(b, content->b, content->n);
}

/* Expects wasm_module_new to fail with a message containing `want`. */
static void expect_error(const struct buf *b, const char *want, const char *what)
{
	char err[256] = "";
	wasm_module *m = wasm_module_new(b->b, b->n, err, sizeof(err));
	TK_CHECK(m == NULL, "%s: accepted", what);
	TK_CHECK(strstr(err, want) != NULL, "%s: message \"%s\" lacks \"%s\"", what, err, want);
	wasm_module_free(m);
}

/* A module of one function () -> () with the given body (locals included). */
static void one_func(struct buf *out, const struct buf *body)
{
	struct buf s = {0};
	header(out);
	byte(&s, 1); /* one type */
	put(&s, "\x60\0\0", 3);
	section(out, 1, &s);
	s.n = 0;
	put(&s, "\1\0", 2); /* one function of type 0 */
	section(out, 3, &s);
	s.n = 0;
	byte(&s, 1);
	leb(&s, body->n);
	put(&s, body->b, body->n);
	section(out, 10, &s);
	free(s.b);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *b = malloc(1 << 20);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

static wasm_result host_nop(wasm_exec *ex, void *env, const uint64_t *a, uint64_t *r)
{
	(void)ex;
	(void)env;
	(void)a;
	(void)r;
	return WASM_OK;
}

/* Decodes, and when valid instantiates, a mutated module: only the absence
 * of crashes and leaks is checked here (ASan), plus a message on failure. */
static int try_module(const uint8_t *p, size_t n, wasm_imports *im)
{
	char err[256] = "";
	wasm_module *m = wasm_module_new(p, n, err, sizeof(err));
	if (!m) {
		TK_CHECK(err[0] != 0, "a rejection without a message");
		return 0;
	}
	wasm_config cfg = {.max_memory_pages = 16, .max_table_elems = 1000};
	wasm_instance *in = wasm_instance_new(m, im, &cfg, err, sizeof(err));
	if (in)
		wasm_instance_free(in);
	else
		TK_CHECK(err[0] != 0, "an instantiation failure without a message");
	wasm_module_free(m);
	return 1;
}

int main(int argc, char **argv)
{
	struct buf b = {0}, s = {0}, body = {0};
	char err[256];

	/* headers */
	TK_CHECK(wasm_module_new((const uint8_t *)"", 0, err, sizeof(err)) == NULL &&
			 strstr(err, "magic header not detected"),
		 "empty input: %s", err);
	TK_CHECK(wasm_module_new((const uint8_t *)"\0asm\2\0\0\0", 8, err, sizeof(err)) == NULL &&
			 strstr(err, "unknown binary version"),
		 "version 2: %s", err);
	TK_CHECK(wasm_module_new((const uint8_t *)"\0asm\1\0\0", 7, err, sizeof(err)) == NULL,
		 "truncated version accepted");

	/* a count far beyond its section: refused before any allocation */
	header(&b);
	leb(&s, 0xffffffffu);
	section(&b, 1, &s);
	expect_error(&b, "more than the section can hold", "4G types");

	/* a section longer than the input */
	b.n = s.n = 0;
	header(&b);
	put(&b, "\1\xff\xff\xff\xff\x0f", 6);
	expect_error(&b, "length out of bounds", "section of 4 GiB");

	/* four billion locals (in two groups that overflow 32 bits) */
	b.n = body.n = 0;
	byte(&body, 2);
	leb(&body, 0xffffffffu);
	byte(&body, 0x7f);
	leb(&body, 0xffffffffu);
	byte(&body, 0x7e);
	byte(&body, 0x0b);
	one_func(&b, &body);
	expect_error(&b, "too many locals", "4G locals");

	/* 100,000 nested blocks: valid, compiled without recursion */
	b.n = body.n = 0;
	byte(&body, 0);
	for (int i = 0; i < 100000; i++)
		put(&body, "\x02\x40", 2);
	for (int i = 0; i < 100000; i++)
		byte(&body, 0x0b);
	byte(&body, 0x0b);
	one_func(&b, &body);
	wasm_module *m = wasm_module_new(b.b, b.n, err, sizeof(err));
	TK_CHECK(m != NULL, "deep nesting refused: %s", err);
	wasm_module_free(m);
	/* ... and unbalanced: one end missing */
	b.n = 0;
	body.n--;
	one_func(&b, &body);
	expect_error(&b, "unexpected end", "unbalanced nesting");

	/* out-of-range indices */
	b.n = body.n = 0;
	put(&body, "\0\x10\xe8\x07\x0b", 5); /* call 1000 */
	one_func(&b, &body);
	expect_error(&b, "unknown function", "call 1000");
	b.n = body.n = 0;
	put(&body, "\0\x20\x05\x1a\x0b", 5); /* local.get 5 */
	one_func(&b, &body);
	expect_error(&b, "unknown local", "local.get 5");
	b.n = body.n = 0;
	put(&body, "\0\x0c\x03\x0b", 4); /* br 3 */
	one_func(&b, &body);
	expect_error(&b, "unknown label", "br 3");
	b.n = body.n = 0;
	put(&body, "\0\x41\x00\x28\x02\x00\x1a\x0b", 8); /* i32.load without memory */
	one_func(&b, &body);
	expect_error(&b, "unknown memory", "load without memory");
	/* br_table claiming four billion labels */
	b.n = body.n = 0;
	put(&body, "\0\x41\x00\x0e\xff\xff\xff\xff\x0f\x00\x0b", 11);
	one_func(&b, &body);
	expect_error(&b, "unexpected end", "br_table of 4G labels");
	/* type errors */
	b.n = body.n = 0;
	put(&body, "\0\x41\x00\x42\x00\x6a\x1a\x0b", 8); /* i32.add (i32, i64) */
	one_func(&b, &body);
	expect_error(&b, "type mismatch", "i32.add of an i64");

	/* memories: more than 4 GiB declared is malformed; 4 GiB is valid but
	 * over the configured limit at instantiation, with nothing allocated */
	b.n = s.n = 0;
	header(&b);
	put(&s, "\1\0\x81\x80\x04", 5); /* min 65537 */
	section(&b, 5, &s);
	expect_error(&b, "memory size must be at most", "memory of 65537 pages");
	b.n = s.n = 0;
	header(&b);
	put(&s, "\1\0\x80\x80\x04", 5); /* min 65536 */
	section(&b, 5, &s);
	m = wasm_module_new(b.b, b.n, err, sizeof(err));
	TK_REQUIRE(m != NULL, "memory of 65536 pages: %s", err);
	wasm_config cfg = {.max_memory_pages = 16};
	wasm_instance *in = wasm_instance_new(m, NULL, &cfg, err, sizeof(err));
	TK_CHECK(in == NULL && strstr(err, "over the limit"), "4 GiB memory: %s", err);
	wasm_module_free(m);

	/* a table of four billion elements */
	b.n = s.n = 0;
	header(&b);
	put(&s, "\1\x70\0\xff\xff\xff\xff\x0f", 8);
	section(&b, 4, &s);
	m = wasm_module_new(b.b, b.n, err, sizeof(err));
	TK_REQUIRE(m != NULL, "table of 4G elements: %s", err);
	in = wasm_instance_new(m, NULL, NULL, err, sizeof(err));
	TK_CHECK(in == NULL && strstr(err, "over the limit"), "4G-element table: %s", err);
	wasm_module_free(m);

	/* a data segment longer than its section */
	b.n = s.n = 0;
	header(&b);
	put(&s, "\1\0\1", 3);
	section(&b, 5, &s);
	s.n = 0;
	put(&s, "\1\0\x41\0\x0b\xff\xff\x03", 8);
	section(&b, 11, &s);
	expect_error(&b, "data segment", "data of 64 KiB in 8 bytes");

	/* every prefix and every byte mutation of a real module */
	size_t n = 0;
	uint8_t *orig = argc > 1 ? read_file(argv[1], &n) : NULL;
	if (!orig)
		printf("note: no module to mutate (%s), prefixes and mutations not run\n",
		       argc > 1 ? argv[1] : "none given");
	if (orig) {
		wasm_imports *im = wasm_imports_new();
		wasm_imports_add_func_sig(im, "env", "add", "ii:i", host_nop, NULL);
		wasm_imports_add_func_sig(im, "env", "sum_bytes", "ii:i", host_nop, NULL);
		wasm_imports_add_func_sig(im, "env", "fail", "i:", host_nop, NULL);
		wasm_imports_add_func_sig(im, "env", "quit", "i:", host_nop, NULL);
		wasm_imports_add_func_sig(im, "env", "apply", "ii:i", host_nop, NULL);
		wasm_imports_add_func_sig(im, "env", "slow_double", "i:i", host_nop, NULL);
		wasm_global *g = wasm_global_new(wasm_val_i32(0), true);
		wasm_imports_add_global(im, "env", "counter", g);
		wasm_global_free(g);
		TK_CHECK(try_module(orig, n, im) == 1, "the original module is refused");
		int accepted = 0;
		for (size_t k = 0; k < n; k++)
			accepted += try_module(orig, k, im);
		/* prefixes ending on a section boundary are valid modules */
		TK_CHECK(accepted < 20, "%d prefixes accepted", accepted);
		uint8_t *mut = malloc(n);
		static const uint8_t vals[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x0b, 0x10};
		for (size_t k = 8; k < n; k++) {
			for (size_t v = 0; v < sizeof(vals); v++) {
				memcpy(mut, orig, n);
				mut[k] = vals[v];
				try_module(mut, n, im);
			}
		}
		free(mut);
		free(orig);
		wasm_imports_free(im);
	}

	free(b.b);
	free(s.b);
	free(body.b);
	return tk_finish();
}
