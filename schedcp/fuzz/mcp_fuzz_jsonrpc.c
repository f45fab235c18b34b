/* mcp_fuzz_jsonrpc: libFuzzer target for SchedCP's JSON-RPC / MCP layer.
 *
 * Each input is one message handed to scx_mcp_handle on an initialized
 * session of a server with one tool whose input schema uses every keyword
 * of the validator's subset; the tool echoes its arguments. An input whose
 * first byte is '#' is instead taken as a JSON Schema: it is checked with
 * scx_mcp_schema_check and, when accepted, used to validate a fixed value.
 * Nothing may crash, leak or answer with anything but one JSON object.
 */
#include "mcp_server.h"
#include "mcp_schema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char in_schema[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"n\":{\"type\":\"integer\",\"minimum\":-5,\"maximum\":5},"
	"\"x\":{\"type\":[\"number\",\"null\"]},"
	"\"s\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":8,\"enum\":[\"a\",\"bb\"]},"
	"\"l\":{\"type\":\"array\",\"minItems\":0,\"maxItems\":3,\"items\":{\"type\":\"object\","
	"\"properties\":{\"k\":{\"type\":\"boolean\"}},\"required\":[\"k\"],"
	"\"additionalProperties\":false}},"
	"\"m\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"number\"}}},"
	"\"required\":[\"n\"],\"additionalProperties\":false}";
static const char out_schema[] = "{\"type\":\"object\"}";

static int echo(struct scx_mcp_call *call, const json_t *args, void *ctx, json_t **result,
		char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	scx_mcp_progress(call, 1, 2, "half");
	*result = json_deep_copy(args);
	return 0;
}

static int sink(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	json_t *m = json_loadb(text, len, 0, NULL);
	if (!json_is_object(m))
		abort(); /* the server must always send one JSON object */
	json_decref(m);
	return 0;
}

static struct scx_mcp_server *srv;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!srv) {
		struct scx_mcp_server_opts o = {.max_message = 65536};
		char err[256];
		if (scx_mcp_server_new(&o, &srv, err, sizeof(err)))
			abort();
		struct scx_mcp_tool t = {.name = "echo",
					 .input_schema = in_schema,
					 .output_schema = out_schema,
					 .fn = echo};
		if (scx_mcp_server_add_tool(srv, &t, err, sizeof(err)))
			abort();
	}
	if (size && data[0] == '#') {
		json_t *s = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, NULL);
		char err[256];
		if (s && !scx_mcp_schema_check(s, err, sizeof(err))) {
			json_t *v = json_pack("{s:i, s:[s, {s:b}], s:s}", "n", 3, "l", "x", "k", 1,
					      "s", "bb");
			scx_mcp_schema_validate(s, v, "v", err, sizeof(err));
			json_decref(v);
		}
		json_decref(s);
		return 0;
	}
	struct scx_mcp_session sess = {.initialized = true};
	scx_mcp_handle(srv, &sess, (const char *)data, size, sink, NULL, NULL);
	return 0;
}
