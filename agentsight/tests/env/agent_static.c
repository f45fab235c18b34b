/* agent_static: a scripted test agent linked with OpenSSL statically.
 *
 * AgentSight finds SSL_write and SSL_read in libssl.so by their symbols; a
 * program with OpenSSL linked in and its symbols stripped has neither the
 * library nor the names, which is the case AgentSight's byte-pattern
 * (symbol-less) probing must handle. The build links libssl.a and
 * libcrypto.a into agent_static and strips a copy into
 * agent_static_stripped. HTTP/1.1 is h1client.c's; the connection is kept
 * alive; the tool loop is agent_core's.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "agent_core.h"
#include "h1client.h"
#include "tcp.h"

struct otls {
	const struct as_env_agent_opts *opts;
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
};

static ssize_t o_send(void *ctx, const void *buf, size_t len)
{
	struct otls *o = ctx;
	size_t n = 0;
	if (SSL_write_ex(o->ssl, buf, len, &n) != 1)
		return -1;
	return (ssize_t)n;
}

static ssize_t o_recv(void *ctx, void *buf, size_t len)
{
	struct otls *o = ctx;
	size_t n = 0;
	if (SSL_read_ex(o->ssl, buf, len, &n) == 1)
		return (ssize_t)n;
	int e = SSL_get_error(o->ssl, 0);
	return e == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

static void o_close(void *ctx)
{
	struct otls *o = ctx;
	if (o->ssl) {
		SSL_shutdown(o->ssl);
		SSL_free(o->ssl);
		o->ssl = NULL;
	}
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

static int o_open(void *ctx, char *err, size_t errlen)
{
	struct otls *o = ctx;
	const char *host = o->opts->host;
	unsigned char ip[16];

	o->fd = as_env_tcp_connect(host, o->opts->port, err, errlen);
	if (o->fd < 0)
		return -1;
	o->ssl = SSL_new(o->ctx);
	if (!o->ssl || !SSL_set_fd(o->ssl, o->fd))
		goto fail;
	X509_VERIFY_PARAM *vp = SSL_get0_param(o->ssl);
	if (inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1) {
		if (!X509_VERIFY_PARAM_set1_ip_asc(vp, host))
			goto fail;
	} else if (!SSL_set_tlsext_host_name(o->ssl, host) || !SSL_set1_host(o->ssl, host)) {
		goto fail;
	}
	if (SSL_connect(o->ssl) != 1)
		goto fail;
	return 0;
fail : {
	unsigned long e = ERR_get_error();
	long v = o->ssl ? SSL_get_verify_result(o->ssl) : X509_V_OK;
	snprintf(err, errlen, "TLS with %s:%s: %s%s%s", host, o->opts->port,
		 e ? ERR_reason_error_string(e) : "handshake failed", v != X509_V_OK ? ": " : "",
		 v != X509_V_OK ? X509_verify_cert_error_string(v) : "");
	ERR_clear_error();
	o_close(o);
	return -1;
}
}

int main(int argc, char **argv)
{
	struct as_env_agent_opts opts = {.chunked = false};
	struct otls o = {.opts = &opts, .fd = -1};
	char err[512], hostport[300];
	int rc = as_env_agent_args(argc, argv, &opts, err, sizeof(err));

	if (rc) {
		if (rc < 0)
			fprintf(stderr, "agent_static: %s\n", err);
		as_env_agent_usage(rc < 0 ? stderr : stdout, "agent_static");
		return rc < 0 ? 2 : 0;
	}
	o.ctx = SSL_CTX_new(TLS_client_method());
	if (!o.ctx) {
		fprintf(stderr, "agent_static: cannot start OpenSSL\n");
		return 1;
	}
	SSL_CTX_set_verify(o.ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_options(o.ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if ((opts.cacert ? SSL_CTX_load_verify_locations(o.ctx, opts.cacert, NULL)
			 : SSL_CTX_set_default_verify_paths(o.ctx)) != 1) {
		fprintf(stderr, "agent_static: cannot load CA certificates from %s\n",
			opts.cacert ? opts.cacert : "the default paths");
		SSL_CTX_free(o.ctx);
		return 1;
	}
	snprintf(hostport, sizeof(hostport), "%s:%s", opts.host, opts.port);
	struct as_env_h1_conn conn = {
		.io = {.ctx = &o, .send = o_send, .recv = o_recv},
		.open = o_open,
		.close = o_close,
		.host = hostport,
		.chunked = opts.chunked,
	};
	rc = as_env_agent_loop(&opts, as_env_h1_post, &conn, stdout, stderr);
	fprintf(stderr, "agent: %lu TLS connection(s)\n", conn.connections);
	as_env_h1_conn_close(&conn);
	SSL_CTX_free(o.ctx);
	return rc;
}
