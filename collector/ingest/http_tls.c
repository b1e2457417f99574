// SPDX-License-Identifier: BSD-2-Clause
/*
 * Client certificates: verification and identity; see http_tls.h.  The
 * CA itself is handed to libmicrohttpd (MHD_OPTION_HTTPS_MEM_TRUST), which
 * puts it in the credentials of every session and asks the client for a
 * certificate; GnuTLS does not refuse a handshake without one, so each
 * request is checked here before anything of its body is read.
 */
#include "collector/ingest/http_tls.h"

#include <errno.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>

int http_tls_code_of(const char *name, size_t len, const char *prefix,
		     code_t *code)
{
	size_t pl = strlen(prefix);
	char digits[CODE_STRLEN], err[CODE_ERR_MAX];

	if (len != pl + CODE_LEN || memcmp(name, prefix, pl) != 0)
		return -EINVAL;
	for (size_t i = 0; i < CODE_LEN; i++) {
		if (name[pl + i] < '0' || name[pl + i] > '9')
			return -EINVAL;
		digits[i] = name[pl + i];
	}
	digits[CODE_LEN] = '\0';
	return code_parse(digits, code, err, sizeof(err)) ? -EINVAL : 0;
}

int http_tls_identity(const void *der, size_t len, code_t *code)
{
	gnutls_datum_t d = {(unsigned char *)der, (unsigned)len};
	gnutls_x509_crt_t crt;
	bool found = false;
	char buf[256];
	int rc = 0;

	if (gnutls_x509_crt_init(&crt) < 0)
		return -ENOMEM;
	if (len > 65536 ||
	    gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		rc = -EINVAL;
		goto out;
	}
	for (unsigned i = 0;; i++) {
		size_t size = sizeof(buf);
		unsigned crit;
		code_t c;
		int t = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &size,
							     &crit);

		if (t == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (t == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue; /* longer than any name of ours */
		if (t < 0) {
			rc = -EINVAL;
			goto out;
		}
		if (t != GNUTLS_SAN_URI || size < strlen(HTTP_TLS_URN) ||
		    strncmp(buf, HTTP_TLS_URN, strlen(HTTP_TLS_URN)))
			continue;
		if (http_tls_code_of(buf, size, HTTP_TLS_URN, &c) ||
		    (found && c != *code)) {
			rc = -EINVAL;
			goto out;
		}
		*code = c;
		found = true;
	}
	if (!found) {
		size_t size = sizeof(buf);

		if (gnutls_x509_crt_get_dn_by_oid(crt,
						  GNUTLS_OID_X520_COMMON_NAME,
						  0, 0, buf, &size) < 0 ||
		    http_tls_code_of(buf, size, "", code))
			rc = -ENOENT;
	}
out:
	gnutls_x509_crt_deinit(crt);
	return rc;
}

int http_tls_check(gnutls_session_t session, bool *has_code, code_t *code,
		   enum http_reject *why, char *err, size_t errlen)
{
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};
	const gnutls_datum_t *peers;
	unsigned n = 0, status = 0;
	gnutls_datum_t text;
	int rc;

	*has_code = false;
	peers = session ? gnutls_certificate_get_peers(session, &n) : NULL;
	if (!peers || !n) {
		*why = HTTP_REJ_NO_CERT;
		snprintf(err, errlen, "no client certificate");
		return -EACCES;
	}
	rc = gnutls_certificate_verify_peers(session, &purpose, 1, &status);
	if (rc < 0 || status) {
		*why = HTTP_REJ_BAD_CERT;
		if (rc < 0)
			snprintf(err, errlen, "certificate not verified: %s",
				 gnutls_strerror(rc));
		else if (gnutls_certificate_verification_status_print(
				 status, GNUTLS_CRT_X509, &text, 0) == 0) {
			snprintf(err, errlen, "%s", (char *)text.data);
			gnutls_free(text.data);
		} else
			snprintf(err, errlen, "certificate not verified");
		return -EACCES;
	}
	rc = http_tls_identity(peers[0].data, peers[0].size, code);
	if (rc == -EINVAL) {
		*why = HTTP_REJ_BAD_CERT;
		snprintf(err, errlen, "the certificate names a node badly "
			 "(%s must be followed by 12 digits, once)",
			 HTTP_TLS_URN);
		return -EACCES;
	}
	*has_code = rc == 0;
	return 0;
}

int http_tls_tickets_init(struct http_tls_tickets *t, unsigned lifetime)
{
	memset(t, 0, sizeof(*t));
	if (!lifetime)
		return -EINVAL;
	if (gnutls_session_ticket_key_generate(&t->key) < 0) {
		t->key.data = NULL;
		return -EIO;
	}
	t->lifetime = lifetime;
	return 0;
}

void http_tls_tickets_free(struct http_tls_tickets *t)
{
	if (t->key.data) {
		gnutls_memset(t->key.data, 0, t->key.size);
		gnutls_free(t->key.data);
	}
	memset(t, 0, sizeof(*t));
}

int http_tls_session_setup(gnutls_session_t session,
			   const struct http_tls_tickets *t)
{
	if (!t || !t->key.data)
		return 0; /* GnuTLS gives no ticket without a key */
	/* the period of the key's rotation and the oldest ticket taken */
	gnutls_db_set_cache_expiration(session, (int)t->lifetime);
	return gnutls_session_ticket_enable_server(session, &t->key) < 0
		       ? -EINVAL
		       : 0;
}

int http_tls_check_pair(const char *cert_pem, const char *key_pem, char *err,
			size_t errlen)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t c = {(unsigned char *)cert_pem,
			    (unsigned)strlen(cert_pem)},
		       k = {(unsigned char *)key_pem, (unsigned)strlen(key_pem)};
	int rc;

	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return -ENOMEM;
	rc = gnutls_certificate_set_x509_key_mem(cred, &c, &k,
						 GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (rc < 0) {
		snprintf(err, errlen, "certificate and key: %s",
			 gnutls_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

int http_tls_check_ca(const char *ca_pem, char *err, size_t errlen)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t c = {(unsigned char *)ca_pem, (unsigned)strlen(ca_pem)};
	int rc;

	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return -ENOMEM;
	rc = gnutls_certificate_set_x509_trust_mem(cred, &c,
						   GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (rc <= 0) {
		snprintf(err, errlen, "%s", rc < 0 ? gnutls_strerror(rc)
						   : "no certificate in it");
		return -EINVAL;
	}
	return 0;
}
