/* tls_static_probe: a program with OpenSSL linked in statically, built twice
 * (with symbols, and stripped) as input for the signature search test. It
 * references every function AgentSight hooks so that the linker keeps them;
 * run without arguments it only creates and frees a context.
 */
#include <openssl/ssl.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;
	if (!ssl)
		return 1;
	if (argc > 1) {
		char buf[16];
		size_t n;
		SSL_write(ssl, "x", 1);
		SSL_read(ssl, buf, sizeof(buf));
		SSL_write_ex(ssl, "x", 1, &n);
		SSL_read_ex(ssl, buf, sizeof(buf), &n);
		SSL_do_handshake(ssl);
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	printf("%s: ok\n", argv[0]);
	return 0;
}
