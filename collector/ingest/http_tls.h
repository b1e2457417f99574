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

/* PEM text that GnuTLS takes as a certificate chain and key (0) or not. */
int http_tls_check_pair(const char *cert_pem, const char *key_pem, char *err,
			size_t errlen);
/* PEM text holding at least one CA certificate (0) or not. */
int http_tls_check_ca(const char *ca_pem, char *err, size_t errlen);

#endif
