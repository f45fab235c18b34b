/* mcp_schema: validation of JSON values against the schema subset that the
 * MCP tools declare (see mcp_schema.h). Recursion is bounded by
 * SCHEMA_MAX_DEPTH; paths in messages are cut to fit the caller's buffer.
 */
#include "mcp_schema.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SCHEMA_MAX_DEPTH 32
#define PATH_MAX_LEN	 256

static int fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	if (err && errlen) {
		char msg[256];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		snprintf(err, errlen, "%s: %s", path, msg);
	}
	return -EINVAL;
}

static bool is_integral(const json_t *v)
{
	if (json_is_integer(v))
		return true;
	if (json_is_real(v)) {
		double d = json_real_value(v);
		return isfinite(d) && floor(d) == d;
	}
	return false;
}

static bool type_matches(const char *type, const json_t *v)
{
	if (!strcmp(type, "object"))
		return json_is_object(v);
	if (!strcmp(type, "array"))
		return json_is_array(v);
	if (!strcmp(type, "string"))
		return json_is_string(v);
	if (!strcmp(type, "integer"))
		return is_integral(v);
	if (!strcmp(type, "number"))
		return json_is_number(v);
	if (!strcmp(type, "boolean"))
		return json_is_boolean(v);
	if (!strcmp(type, "null"))
		return json_is_null(v);
	return false;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
		return "null";
	default:
		return "unknown";
	}
}

static void sub_path(char *out, size_t outlen, const char *path, const char *key)
{
	/* A path cut short still names where the problem is. */
	if (snprintf(out, outlen, "%s.%.*s", path, 64, key) >= (int)outlen && outlen > 4)
		memcpy(out + outlen - 4, "...", 4);
}

/* The UTF-8 length of s in code points, as JSON Schema counts string length. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int validate(const json_t *schema, const json_t *v, const char *path, int depth, char *err,
		    size_t errlen)
{
	if (depth > SCHEMA_MAX_DEPTH)
		return fail(err, errlen, path, "nested deeper than %d levels", SCHEMA_MAX_DEPTH);
	if (json_is_true(schema))
		return 0;
	if (json_is_false(schema))
		return fail(err, errlen, path, "no value is allowed here");
	if (!json_is_object(schema))
		return fail(err, errlen, path, "schema is not an object");

	const json_t *type = json_object_get(schema, "type");
	if (json_is_string(type)) {
		if (!type_matches(json_string_value(type), v))
			return fail(err, errlen, path, "must be of type %s, not %s",
				    json_string_value(type), type_name(v));
	} else if (json_is_array(type)) {
		size_t i;
		const json_t *t;
		bool ok = false;
		json_array_foreach(type, i, t)
		{
			if (json_is_string(t) && type_matches(json_string_value(t), v))
				ok = true;
		}
		if (!ok)
			return fail(err, errlen, path, "has type %s, not one the schema allows",
				    type_name(v));
	}

	const json_t *en = json_object_get(schema, "enum");
	if (json_is_array(en)) {
		size_t i;
		const json_t *e;
		bool ok = false;
		json_array_foreach(en, i, e)
		{
			if (json_equal(e, v))
				ok = true;
		}
		if (!ok) {
			if (json_is_string(v))
				return fail(err, errlen, path,
					    "\"%.64s\" is not one of the allowed values",
					    json_string_value(v));
			return fail(err, errlen, path, "is not one of the allowed values");
		}
	}

	if (json_is_number(v)) {
		double d = json_number_value(v);
		const json_t *mn = json_object_get(schema, "minimum");
		const json_t *mx = json_object_get(schema, "maximum");
		if (json_is_number(mn) && d < json_number_value(mn))
			return fail(err, errlen, path, "%g is below the minimum %g", d,
				    json_number_value(mn));
		if (json_is_number(mx) && d > json_number_value(mx))
			return fail(err, errlen, path, "%g is above the maximum %g", d,
				    json_number_value(mx));
	}

	if (json_is_string(v)) {
		size_t len = utf8_len(json_string_value(v));
		const json_t *mn = json_object_get(schema, "minLength");
		const json_t *mx = json_object_get(schema, "maxLength");
		if (json_is_integer(mn) && (json_int_t)len < json_integer_value(mn))
			return fail(err, errlen, path, "is shorter than %lld characters",
				    (long long)json_integer_value(mn));
		if (json_is_integer(mx) && (json_int_t)len > json_integer_value(mx))
			return fail(err, errlen, path, "is longer than %lld characters",
				    (long long)json_integer_value(mx));
	}

	if (json_is_array(v)) {
		size_t n = json_array_size(v);
		const json_t *mn = json_object_get(schema, "minItems");
		const json_t *mx = json_object_get(schema, "maxItems");
		if (json_is_integer(mn) && (json_int_t)n < json_integer_value(mn))
			return fail(err, errlen, path, "has fewer than %lld items",
				    (long long)json_integer_value(mn));
		if (json_is_integer(mx) && (json_int_t)n > json_integer_value(mx))
			return fail(err, errlen, path, "has more than %lld items",
				    (long long)json_integer_value(mx));
		const json_t *items = json_object_get(schema, "items");
		if (items) {
			size_t i;
			const json_t *e;
			json_array_foreach(v, i, e)
			{
				char p[PATH_MAX_LEN];
				snprintf(p, sizeof(p), "%s[%zu]", path, i);
				int rc = validate(items, e, p, depth + 1, err, errlen);
				if (rc)
					return rc;
			}
		}
	}

	if (json_is_object(v)) {
		const json_t *props = json_object_get(schema, "properties");
		const json_t *req = json_object_get(schema, "required");
		const json_t *addl = json_object_get(schema, "additionalProperties");
		if (json_is_array(req)) {
			size_t i;
			const json_t *r;
			json_array_foreach(req, i, r)
			{
				if (json_is_string(r) &&
				    !json_object_get(v, json_string_value(r))) {
					char p[PATH_MAX_LEN];
					sub_path(p, sizeof(p), path, json_string_value(r));
					return fail(err, errlen, p, "is required");
				}
			}
		}
		const char *key;
		const json_t *val;
		json_object_foreach((json_t *)v, key, val)
		{
			char p[PATH_MAX_LEN];
			sub_path(p, sizeof(p), path, key);
			const json_t *ps =
				json_is_object(props) ? json_object_get(props, key) : NULL;
			int rc = 0;
			if (ps)
				rc = validate(ps, val, p, depth + 1, err, errlen);
			else if (json_is_false(addl))
				return fail(err, errlen, p, "is not a known property");
			else if (json_is_object(addl))
				rc = validate(addl, val, p, depth + 1, err, errlen);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int scx_mcp_schema_validate(const json_t *schema, const json_t *instance, const char *root,
			    char *err, size_t errlen)
{
	if (!schema || !instance)
		return fail(err, errlen, root ? root : "$", "no schema or no value");
	return validate(schema, instance, root ? root : "$", 0, err, errlen);
}

static const char *const known_types[] = {"object", "array",   "string", "integer",
					  "number", "boolean", "null"};

static bool known_type(const json_t *t)
{
	if (!json_is_string(t))
		return false;
	for (size_t i = 0; i < sizeof(known_types) / sizeof(known_types[0]); i++)
		if (!strcmp(json_string_value(t), known_types[i]))
			return true;
	return false;
}

static int check(const json_t *s, const char *path, int depth, char *err, size_t errlen)
{
	if (depth > SCHEMA_MAX_DEPTH)
		return fail(err, errlen, path, "nested deeper than %d levels", SCHEMA_MAX_DEPTH);
	if (json_is_boolean(s))
		return 0;
	if (!json_is_object(s))
		return fail(err, errlen, path, "a schema must be an object or a boolean");
	const char *key;
	const json_t *val;
	json_object_foreach((json_t *)s, key, val)
	{
		char p[PATH_MAX_LEN];
		sub_path(p, sizeof(p), path, key);
		if (!strcmp(key, "type")) {
			if (json_is_array(val)) {
				size_t i;
				const json_t *t;
				if (json_array_size(val) == 0)
					return fail(err, errlen, p, "an empty list of types");
				json_array_foreach(val, i, t)
				{
					if (!known_type(t))
						return fail(err, errlen, p, "unknown type name");
				}
			} else if (!known_type(val)) {
				return fail(err, errlen, p, "unknown type name");
			}
		} else if (!strcmp(key, "properties")) {
			if (!json_is_object(val))
				return fail(err, errlen, p, "must be an object");
			const char *pk;
			const json_t *pv;
			json_object_foreach((json_t *)val, pk, pv)
			{
				char pp[PATH_MAX_LEN];
				sub_path(pp, sizeof(pp), p, pk);
				int rc = check(pv, pp, depth + 1, err, errlen);
				if (rc)
					return rc;
			}
		} else if (!strcmp(key, "required")) {
			size_t i;
			const json_t *r;
			if (!json_is_array(val))
				return fail(err, errlen, p, "must be an array of names");
			const json_t *props = json_object_get(s, "properties");
			json_array_foreach(val, i, r)
			{
				if (!json_is_string(r))
					return fail(err, errlen, p, "holds a non-string");
				if (!json_is_object(props) ||
				    !json_object_get(props, json_string_value(r)))
					return fail(err, errlen, p,
						    "names \"%.64s\", not in properties",
						    json_string_value(r));
			}
		} else if (!strcmp(key, "enum")) {
			if (!json_is_array(val) || json_array_size(val) == 0)
				return fail(err, errlen, p, "must be a non-empty array");
		} else if (!strcmp(key, "minimum") || !strcmp(key, "maximum")) {
			if (!json_is_number(val))
				return fail(err, errlen, p, "must be a number");
		} else if (!strcmp(key, "minLength") || !strcmp(key, "maxLength") ||
			   !strcmp(key, "minItems") || !strcmp(key, "maxItems")) {
			if (!json_is_integer(val) || json_integer_value(val) < 0)
				return fail(err, errlen, p, "must be a non-negative integer");
		} else if (!strcmp(key, "items") || !strcmp(key, "additionalProperties")) {
			int rc = check(val, p, depth + 1, err, errlen);
			if (rc)
				return rc;
		} else if (!strcmp(key, "title") || !strcmp(key, "description") ||
			   !strcmp(key, "$schema")) {
			if (!json_is_string(val))
				return fail(err, errlen, p, "must be a string");
		} else if (!strcmp(key, "default")) {
			/* any value */
		} else {
			return fail(err, errlen, p, "keyword outside the supported subset");
		}
	}
	return 0;
}

int scx_mcp_schema_check(const json_t *schema, char *err, size_t errlen)
{
	if (!schema)
		return fail(err, errlen, "$", "no schema");
	return check(schema, "$", 0, err, errlen);
}
