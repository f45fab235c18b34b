/* agent_gnutls: a scripted test agent whose HTTPS goes through GnuTLS.
 *
 * It speaks HTTP/1.1 itself (h1client.c) over a GnuTLS session, with
 * gnutls_record_send and gnutls_record_recv, so that AgentSight's GnuTLS
 * uprobes have a client to watch. Request bodies go out chunked unless
 * --no-chunked is given, and the connection is kept alive across turns. The
 * tool loop is agent_core's; see README.md for the command line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "agent_core.h"
#include "h1client.h"
#include "tcp.h"

struct gtls {
	const struct as_env_agent_opts *opts;
	gnutls_certificate_credentials_t cred;
	gnutls_session_t session;
	int fd;
};

static ssize_t g_send(void *ctx, const void *buf, size_t len)
{
	struct gtls *g = ctx;
	ssize_t n;
	do
		n = gnutls_record_send(g->session, buf, len);
	while (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN);
	return n < 0 ? -1 : n;
}

static ssize_t g_recv(void *ctx, void *buf, size_t len)
{
	struct gtls *g = ctx;
	ssize_t n;
	do
		n = gnutls_record_recv(g->session, buf, len);
	while (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN);
	if (n == GNUTLS_E_PREMATURE_TERMINATION)
		return 0; /* the peer closed without close_notify: the end all the same */
	return n < 0 ? -1 : n;
}

static void g_close(void *ctx)
{
	struct gtls *g = ctx;
	if (g->session) {
		gnutls_bye(g->session, GNUTLS_SHUT_WR);
		gnutls_deinit(g->session);
		g->session = NULL;
	}
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

static int g_open(void *ctx, char *err, size_t errlen)
{
	struct gtls *g = ctx;
	const char *host = g->opts->host;
	unsigned char ip[16];
	int rc;

	g->fd = as_env_tcp_connect(host, g->opts->port, err, errlen);
	if (g->fd < 0)
		return -1;
	if ((rc = gnutls_init(&g->session, GNUTLS_CLIENT)) ||
	    (rc = gnutls_set_default_priority(g->session)) ||
	    (rc = gnutls_credentials_set(g->session, GNUTLS_CRD_CERTIFICATE, g->cred)))
		goto fail;
	/* SNI carries names only; an IP address is checked against the IP SAN. */
	if (inet_pton(AF_INET, host, ip) != 1 && inet_pton(AF_INET6, host, ip) != 1 &&
	    (rc = gnutls_server_name_set(g->session, GNUTLS_NAME_DNS, host, strlen(host))))
		goto fail;
	gnutls_session_set_verify_cert(g->session, host, 0);
	gnutls_transport_set_int(g->session, g->fd);
	gnutls_handshake_set_timeout(g->session, GNUTLS_DEFAULT_HANDSHAKE_TIMEOUT);
	do
		rc = gnutls_handshake(g->session);
	while (rc < 0 && !gnutls_error_is_fatal(rc));
	if (rc < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "TLS with %s:%s: %s", host, g->opts->port, gnutls_strerror(rc));
	if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR && g->session) {
		gnutls_datum_t out;
		unsigned status = gnutls_session_get_verify_cert_status(g->session);
		if (!gnutls_certificate_verification_status_print(
			    status, gnutls_certificate_type_get(g->session), &out, 0)) {
			size_t n = strlen(err);
			snprintf(err + n, errlen - n, " (%s)", out.data);
			gnutls_free(out.data);
		}
	}
	g_close(g);
	return -1;
}

int main(int argc, char **argv)
{
	struct as_env_agent_opts opts = {.chunked = true};
	struct gtls g = {.opts = &opts, .fd = -1};
	char err[512], hostport[300];
	int rc = as_env_agent_args(argc, argv, &opts, err, sizeof(err));

	if (rc) {
		if (rc < 0)
			fprintf(stderr, "agent_gnutls: %s\n", err);
		as_env_agent_usage(rc < 0 ? stderr : stdout, "agent_gnutls");
		return rc < 0 ? 2 : 0;
	}
	if (gnutls_global_init() < 0 || gnutls_certificate_allocate_credentials(&g.cred) < 0) {
		fprintf(stderr, "agent_gnutls: cannot start GnuTLS\n");
		return 1;
	}
	rc = opts.cacert ? gnutls_certificate_set_x509_trust_file(g.cred, opts.cacert,
								  GNUTLS_X509_FMT_PEM)
			 : gnutls_certificate_set_x509_system_trust(g.cred);
	if (rc <= 0) {
		fprintf(stderr, "agent_gnutls: no CA certificate loaded from %s: %s\n",
			opts.cacert ? opts.cacert : "the system store",
			rc < 0 ? gnutls_strerror(rc) : "none found");
		gnutls_certificate_free_credentials(g.cred);
		gnutls_global_deinit();
		return 1;
	}
	snprintf(hostport, sizeof(hostport), "%s:%s", opts.host, opts.port);
	struct as_env_h1_conn conn = {
		.io = {.ctx = &g, .send = g_send, .recv = g_recv},
		.open = g_open,
		.close = g_close,
		.host = hostport,
		.chunked = opts.chunked,
	};
	rc = as_env_agent_loop(&opts, as_env_h1_post, &conn, stdout, stderr);
	fprintf(stderr, "agent: %lu TLS connection(s)\n", conn.connections);
	as_env_h1_conn_close(&conn);
	gnutls_certificate_free_credentials(g.cred);
	gnutls_global_deinit();
	return rc;
}
