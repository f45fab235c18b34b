/* Tests of jsonw (src/jsonw.c) against jansson itself: for each value,
 * as_json_write must give exactly the bytes of json_dumps(JSON_COMPACT |
 * JSON_ENSURE_ASCII), the reference the tracer's JSON lines used before.
 * Hand-picked cases (escapes, non-ASCII up to 4-byte UTF-8, reals at the
 * edges of %.17g), then 20,000 random nested values from a fixed seed. */
#include "jsonw.h"
#include "testkit.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int checked, mismatches;

static void same_as_jansson(const json_t *j)
{
	char *want = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
	struct as_jsonbuf b = {0};
	int rc = as_json_write(&b, j);
	checked++;
	if (!want || rc != 0 || strcmp(want, b.data) != 0) {
		if (mismatches++ < 5)
			fprintf(stderr, "jansson: %s\njsonw:   %s\n", want ? want : "(null)",
				b.data ? b.data : "(null)");
	}
	free(want);
	as_jsonbuf_free(&b);
}

/* A random valid UTF-8 string with escapes and every length of sequence. */
static json_t *random_string(void)
{
	char s[64] = {0};
	size_t n = 0, len = rnd(12);
	for (size_t i = 0; i < len && n + 4 < sizeof(s); i++) {
		switch (rnd(6)) {
		case 0:
			s[n++] = (char)(1 + rnd(0x1f));
			break; /* control */
		case 1:
			s[n++] = "\"\\/\x7f"[rnd(4)];
			break; /* specials */
		case 2:
			s[n++] = (char)(0xc2 + rnd(30)), s[n++] = (char)(0x80 + rnd(64));
			break;
		case 3:
			s[n++] = (char)0xe2, s[n++] = (char)(0x80 + rnd(64)),
			s[n++] = (char)(0x80 + rnd(64));
			break;
		case 4:
			s[n++] = (char)0xf0, s[n++] = (char)(0x90 + rnd(48)),
			s[n++] = (char)(0x80 + rnd(64)), s[n++] = (char)(0x80 + rnd(64));
			break;
		default:
			s[n++] = (char)(' ' + rnd(95));
			break;
		}
	}
	return json_stringn(s, n);
}

static double random_real(void)
{
	switch (rnd(5)) {
	case 0:
		return (double)(int)rnd(100000) - 50000; /* whole numbers: ".0" */
	case 1:
		return ldexp((double)rnd(1u << 30), (int)rnd(1980) - 1000); /* finite */
	case 2:
		return -ldexp((double)rnd(1u << 30), (int)rnd(200) - 100);
	case 3:
		return 1795809558.5720282 + rnd(1000) / 7.0; /* timestamps */
	default:
		return (double)rnd(1000) / (1 + rnd(1000));
	}
}

static json_t *random_value(int depth)
{
	unsigned k = depth > 4 ? rnd(6) : rnd(8);
	switch (k) {
	case 0:
		return json_null();
	case 1:
		return json_boolean(rnd(2));
	case 2:
		return json_integer(
			(json_int_t)(((unsigned long long)rnd(1u << 31) << 33) ^ rnd(1u << 31)) *
			(rnd(2) ? 1 : -1));
	case 3:
		return json_real(random_real());
	case 4:
	case 5:
		return random_string();
	case 6: {
		json_t *a = json_array();
		for (unsigned i = rnd(5); i > 0; i--)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (unsigned i = rnd(6); i > 0; i--) {
			json_t *key = random_string();
			json_object_setn_new(o, json_string_value(key), json_string_length(key),
					     random_value(depth + 1));
			json_decref(key);
		}
		return o;
	}
	}
}

int main(void)
{
	/* Hand-picked. */
	const char *texts[] = {
		"{\"a\":1,\"b\":[true,false,null],\"c\":\"x\\\"y\\\\z\\n\\t\\b\\f\\r\\u0001\"}",
		"[\"caf\\u00e9\",\"\\u20ac\",\"\\ud83d\\ude00\",\"/\",\"\\u007f\"]",
		"[0.1,1e300,-1e-300,5e-324,1.7976931348623157e308,123456789012345678,0.0,-0.0]",
		"[9223372036854775807,-9223372036854775808,0,-1]",
		"{\"z\":1,\"a\":2,\"m\":{\"\":[]}}",
		"[1e20,1e-5,1e21,100.0,1.5e-7]",
		"\"\"",
		"[[],{},[[]],{\"k\":{}}]",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_error_t e;
		json_t *j = json_loads(texts[i], JSON_DECODE_ANY, &e);
		TK_REQUIRE(j != NULL, "test case %zu does not parse: %s", i, e.text);
		same_as_jansson(j);
		json_decref(j);
	}
	/* Random values, fixed seed. */
	for (int i = 0; i < 20000; i++) {
		json_t *j = random_value(0);
		same_as_jansson(j);
		json_decref(j);
	}
	TK_CHECK(mismatches == 0, "%d of %d values differ from json_dumps", mismatches, checked);

	/* Appending: two values into one buffer, and a failed write leaves
	 * the buffer as it was. */
	struct as_jsonbuf b = {0};
	json_t *one = json_pack("{s:i}", "n", 1);
	TK_CHECK(as_json_write(&b, one) == 0 && as_jsonbuf_append(&b, "\n", 1) == 0 &&
			 as_json_write(&b, one) == 0,
		 "appending failed");
	TK_CHECK(b.data && strcmp(b.data, "{\"n\":1}\n{\"n\":1}") == 0, "appended text is '%s'",
		 b.data ? b.data : "");
	size_t before = b.len;
	json_t *deep = json_array(), *cur = deep;
	for (int i = 0; i < AS_JSONW_MAX_DEPTH + 10; i++) {
		json_t *next = json_array();
		json_array_append_new(cur, next);
		cur = next;
	}
	TK_CHECK(as_json_write(&b, deep) == -1, "a value nested too deep was written");
	TK_CHECK(b.len == before && strlen(b.data) == before, "a failed write changed the buffer");
	TK_CHECK(as_json_write(&b, NULL) == -1, "NULL was written");
	json_decref(deep);
	json_decref(one);
	as_jsonbuf_free(&b);
	printf("jsonw: %d values, %d differ from json_dumps\n", checked, mismatches);
	return tk_finish();
}
