/* mcp_schema: a JSON Schema validator for the subset SchedCP's MCP tools use.
 *
 * Every tool of the MCP server declares its input and output as JSON Schema
 * objects; tools/call arguments are checked here before a tool runs, so that
 * a bad argument comes back as JSON-RPC -32602 with a message naming the
 * field ("arguments.duration_s: 700 is above the maximum 600"). The subset:
 * type (a name or a list of names), properties, required, enum, minimum,
 * maximum, minLength, maxLength, minItems, maxItems, items,
 * additionalProperties (boolean or schema), and the annotations title,
 * description, default and $schema. Anything else is refused by
 * scx_mcp_schema_check, which the tests run over every declared schema.
 */
#ifndef SCX_MCP_SCHEMA_H
#define SCX_MCP_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

/* 0 when instance conforms to schema, else -EINVAL with the path from root
 * ("arguments" for tool input) and the problem in err. */
int scx_mcp_schema_validate(const json_t *schema, const json_t *instance, const char *root,
			    char *err, size_t errlen);

/* 0 when schema is a well-formed schema of the subset above (known keywords,
 * right value types, required names declared in properties), else -EINVAL
 * with the keyword's path in err. */
int scx_mcp_schema_check(const json_t *schema, char *err, size_t errlen);

#endif /* SCX_MCP_SCHEMA_H */
