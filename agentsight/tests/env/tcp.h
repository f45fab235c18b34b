/* tcp: the TCP connect that the TLS test agents share (agent_gnutls,
 * agent_static). */
#ifndef AGENTSIGHT_ENV_TCP_H
#define AGENTSIGHT_ENV_TCP_H

#include <stddef.h>

/* Connects to host:port; returns the socket or -1 with a message in err. */
int as_env_tcp_connect(const char *host, const char *port, char *err, size_t errlen);

#endif /* AGENTSIGHT_ENV_TCP_H */
