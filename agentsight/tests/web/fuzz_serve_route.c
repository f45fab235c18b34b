/* fuzz_as_serve_route: the parts of the web server that read a request
 * (the path router, the id parser, the cookie reader and the token compare)
 * on arbitrary input. Input: the path, a newline, the Cookie header. Besides
 * memory safety it checks the router's promise: a path served as a file
 * names an embedded file exactly and holds no "..".
 */
#include "serve.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	char *cookie = strchr(buf, '\n');
	if (cookie)
		*cookie++ = 0;
	struct as_route r = as_serve_route(buf);
	if (r.kind == AS_ROUTE_STATIC) {
		if (r.file >= as_web_n_files || strstr(buf, ".."))
			abort();
		const char *name = buf[1] ? buf + 1 : "index.html";
		if (strcmp(name, as_web_files[r.file].name) != 0)
			abort();
	}
	if ((r.kind == AS_ROUTE_SESSION || r.kind == AS_ROUTE_EVENTS || r.kind == AS_ROUTE_EVENT) &&
	    r.session < 0)
		abort();
	as_serve_parse_id(buf, strlen(buf));
	char tok[AS_SERVE_TOKEN_HEX + 2];
	if (as_serve_cookie_token(cookie, tok, sizeof(tok))) {
		if (strlen(tok) >= sizeof(tok))
			abort();
		as_serve_token_equal(tok, "0123456789abcdef0123456789abcdef");
	}
	free(buf);
	return 0;
}
