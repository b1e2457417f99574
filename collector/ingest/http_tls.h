/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The client certificate of a TLS connection: verified against the
 * server's CA (GnuTLS, with the time and the clientAuth purpose checked),
 * and the node it names.  Nothing here logs; reasons go to the caller's
 * buffer.
 */
#ifndef EGNET_HTTP_TLS_H
#define EGNET_HTTP_TLS_H

#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>

#include "collector/ingest/http_stats.h"
#include "common/code.h"

#define HTTP_TLS_URN "urn:egnet:node:"

/*
 * Check the peer of @session.  0 when its certificate is there and
 * verified, with *@has_code and *@code the node it names (see
 * http_tls_identity); -EACCES with *@why HTTP_REJ_NO_CERT or
 * HTTP_REJ_BAD_CERT and the reason in @err otherwise.
 *
 * A resumed session (a session ticket) sends no certificate: GnuTLS gives
 * the chain the full handshake verified, sealed in the ticket, and it is
 * verified again here as if it were new, against today's CA and clock, so
 * a certificate that expired, or a CA that was replaced, since the ticket
 * was given is refused all the same.  What a resumption proves is
 * possession of the ticket and its secret, not of the certificate's key:
 * see docs/design.md, "Session tickets".
 */
int http_tls_check(gnutls_session_t session, bool *has_code, code_t *code,
		   enum http_reject *why, char *err, size_t errlen);

/*
 * The node a certificate (DER) names: its SAN URI urn:egnet:node:CODE, or
 * else its CN when that is 12 digits.  0 with *@code; -ENOENT when it
 * names none; -EINVAL when it is not a certificate, or names a node badly
 * (a urn:egnet:node: URI that is not 12 digits, two different ones).
 */
int http_tls_identity(const void *der, size_t len, code_t *code);

/*
 * A name as a certificate gives it: @prefix (may be "") then exactly 12
 * digits.  0 with *@code, -EINVAL otherwise.
 */
int http_tls_code_of(const char *name, size_t len, const char *prefix,
		     code_t *code);

/*
 * Session tickets (RFC 5077, RFC 8446 4.6.1): the ticket key of a server.
 * One random master key made at start and kept in memory only (a restart
 * makes every ticket given before it useless); GnuTLS derives from it the
 * key that seals tickets, rotated every @lifetime seconds, and accepts a
 * ticket only while it is younger than @lifetime (TLS 1.3 ticket_lifetime,
 * checked by the server, not trusted from the client) and sealed by the
 * key of this or the previous period.
 */
struct http_tls_tickets {
	gnutls_datum_t key; /* NULL data: tickets off */
	unsigned lifetime;  /* s */
};

/* Make the key.  0, or a negative errno (-ENOMEM, -EIO: no randomness). */
int http_tls_tickets_init(struct http_tls_tickets *t, unsigned lifetime);
/* Wipe and free the key (a zeroed struct is fine). */
void http_tls_tickets_free(struct http_tls_tickets *t);

/*
 * Set up a new server @session before its handshake: with @t's key when
 * tickets are on (@t may be NULL or keyless: no ticket is given nor
 * taken).  0, or a negative errno.
 */
int http_tls_session_setup(gnutls_session_t session,
			   const struct http_tls_tickets *t);

/* PEM text that GnuTLS takes as a certificate chain and key (0) or not. */
int http_tls_check_pair(const char *cert_pem, const char *key_pem, char *err,
			size_t errlen);
/* PEM text holding at least one CA certificate (0) or not. */
int http_tls_check_ca(const char *ca_pem, char *err, size_t errlen);

#endif
