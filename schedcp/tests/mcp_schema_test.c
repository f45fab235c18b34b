/* mcp_schema_test: the MCP server's JSON Schema validator on cases whose
 * expected outcome comes from the JSON Schema specification (draft 2020-12,
 * the dialect MCP 2025-06-18 names) as its official test suite
 * (json-schema-org/JSON-Schema-Test-Suite) exercises it: an integer-valued
 * float is an integer, boundaries of minimum and maximum are inclusive,
 * string lengths count code points, additionalProperties applies only to
 * names not in properties, required names a missing property; and on the
 * meta-check that every tool's declared schema passes.
 */
#include "mcp_schema.h"
#include "testkit.h"

#include <string.h>

static void expect(const char *schema, const char *instance, bool valid, const char *word)
{
	json_error_t je;
	json_t *s = json_loads(schema, JSON_DECODE_ANY, &je);
	json_t *v = json_loads(instance, JSON_DECODE_ANY, &je);
	TK_REQUIRE(s && v, "bad test JSON: %s / %s", schema, instance);
	char err[256] = "";
	int rc = scx_mcp_schema_validate(s, v, "x", err, sizeof(err));
	TK_CHECK((rc == 0) == valid, "%s against %s: %s (%s)", instance, schema,
		 rc ? "invalid" : "valid", err);
	if (!valid && word)
		TK_CHECK(strstr(err, word) != NULL, "message '%s' lacks '%s'", err, word);
	json_decref(s);
	json_decref(v);
}

static void check(const char *schema, bool ok)
{
	json_t *s = json_loads(schema, JSON_DECODE_ANY, NULL);
	TK_REQUIRE(s, "bad test JSON: %s", schema);
	char err[256] = "";
	int rc = scx_mcp_schema_check(s, err, sizeof(err));
	TK_CHECK((rc == 0) == ok, "schema %s: %s (%s)", schema, rc ? "refused" : "accepted", err);
	json_decref(s);
}

int main(void)
{
	/* type (suite: type.json) */
	expect("{\"type\":\"integer\"}", "1", true, NULL);
	expect("{\"type\":\"integer\"}", "1.0", true,
	       NULL); /* "a float with zero fractional part" */
	expect("{\"type\":\"integer\"}", "1.1", false, "integer");
	expect("{\"type\":\"integer\"}", "\"1\"", false, "integer");
	expect("{\"type\":\"number\"}", "1", true, NULL);
	expect("{\"type\":\"string\"}", "1", false, NULL);
	expect("{\"type\":\"boolean\"}", "0", false, NULL);
	expect("{\"type\":\"null\"}", "false", false, NULL);
	expect("{\"type\":[\"integer\",\"string\"]}", "\"foo\"", true, NULL);
	expect("{\"type\":[\"integer\",\"string\"]}", "1.5", false, NULL);
	/* minimum / maximum are inclusive (minimum.json, maximum.json) */
	expect("{\"minimum\":1.1}", "1.1", true, NULL);
	expect("{\"minimum\":1.1}", "0.6", false, "minimum");
	expect("{\"maximum\":3.0}", "3.0", true, NULL);
	expect("{\"maximum\":3.0}", "3.5", false, "maximum");
	expect("{\"minimum\":1.1}", "\"x\"", true, NULL); /* ignores non-numbers */
	/* lengths count code points (maxLength.json: two supplementary chars) */
	expect("{\"maxLength\":2}", "\"\\ud83d\\udca9\\ud83d\\udca9\"", true, NULL);
	expect("{\"maxLength\":2}", "\"foo\"", false, "longer");
	expect("{\"minLength\":2}", "\"\\ud83d\\udca9\"", false, "shorter");
	/* items, minItems, maxItems */
	expect("{\"items\":{\"type\":\"integer\"}}", "[1,2,3]", true, NULL);
	expect("{\"items\":{\"type\":\"integer\"}}", "[1,\"x\"]", false, "x[1]");
	expect("{\"maxItems\":2}", "[1,2,3]", false, "more than");
	expect("{\"minItems\":1}", "[]", false, "fewer than");
	/* enum (enum.json) */
	expect("{\"enum\":[1,2,3]}", "1", true, NULL);
	expect("{\"enum\":[1,2,3]}", "4", false, "allowed");
	expect("{\"enum\":[6,\"foo\",[],true,{\"foo\":12}]}", "{\"foo\":12}", true, NULL);
	expect("{\"enum\":[6,\"foo\",[],true,{\"foo\":12}]}", "{\"foo\":false}", false, NULL);
	/* required, properties, additionalProperties (additionalProperties.json) */
	const char *ap = "{\"properties\":{\"foo\":{},\"bar\":{}},\"additionalProperties\":false}";
	expect(ap, "{\"foo\":1}", true, NULL);
	expect(ap, "{\"foo\":1,\"bar\":2,\"quux\":\"boom\"}", false, "x.quux");
	expect(ap, "[1,2,3]", true, NULL); /* ignores arrays */
	const char *aps = "{\"properties\":{\"foo\":{}},\"additionalProperties\":{\"type\":"
			  "\"boolean\"}}";
	expect(aps, "{\"foo\":1,\"bar\":true}", true, NULL);
	expect(aps, "{\"foo\":1,\"bar\":1}", false, "x.bar");
	expect("{\"properties\":{\"foo\":{},\"bar\":{}},\"required\":[\"foo\"]}", "{\"bar\":1}",
	       false, "x.foo: is required");
	expect("{\"properties\":{\"foo\":{\"type\":\"integer\"}}}", "{\"foo\":[]}", false, "x.foo");
	expect("{\"properties\":{\"foo\":{\"type\":\"integer\"}}}", "{}", true, NULL);
	/* boolean schemas */
	expect("true", "{\"a\":1}", true, NULL);
	expect("false", "1", false, NULL);

	/* The meta-check: the subset, well formed. */
	check("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":"
	      "[\"a\"],\"additionalProperties\":false}",
	      true);
	check("{\"type\":\"strin\"}", false);
	check("{\"type\":[]}", false);
	check("{\"required\":[\"a\"]}", false); /* names a property not declared */
	check("{\"minimum\":\"1\"}", false);
	check("{\"maxLength\":-1}", false);
	check("{\"pattern\":\"^a\"}", false); /* outside the subset: refused, not ignored */
	check("{\"properties\":{\"a\":{\"items\":{\"type\":\"nope\"}}}}", false);
	check("[]", false);

	/* Depth is bounded: 40 nested arrays against nested items schemas. */
	char deep_s[2048] = "", deep_v[256] = "";
	size_t ns = 0, nv = 0;
	for (int i = 0; i < 40; i++)
		ns += (size_t)snprintf(deep_s + ns, sizeof(deep_s) - ns, "{\"items\":");
	ns += (size_t)snprintf(deep_s + ns, sizeof(deep_s) - ns, "true");
	for (int i = 0; i < 40; i++)
		ns += (size_t)snprintf(deep_s + ns, sizeof(deep_s) - ns, "}");
	for (int i = 0; i < 40; i++)
		deep_v[nv++] = '[';
	for (int i = 0; i < 40; i++)
		deep_v[nv++] = ']';
	deep_v[nv] = '\0';
	json_t *s = json_loads(deep_s, 0, NULL), *v = json_loads(deep_v, 0, NULL);
	TK_REQUIRE(s && v, "deep JSON");
	char err[256];
	TK_CHECK(scx_mcp_schema_check(s, err, sizeof(err)) != 0 && strstr(err, "deeper"),
		 "a 40-level schema was accepted: %s", err);
	json_decref(s);
	json_decref(v);
	return tk_finish();
}
