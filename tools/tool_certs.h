/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: certificates — reading files, what an NCA certificate
 * says (names, IIN, BIN, role), when it ends, and installing one next to
 * its key on the token. */
#ifndef TUMAR_TOOLS_TOOL_CERTS_H
#define TUMAR_TOOLS_TOOL_CERTS_H

#include <stdbool.h>
#include <time.h>

#include <openssl/x509.h>

#include "tools/tool.h"

/* A certificate file, PEM or DER; NULL (reported) when unreadable. */
X509 *tt_load_cert(const char *path);

/* The certificate's public key (free it), GOST keys with the NCA's OIDs
 * too, which OpenSSL alone does not read (apdu/gost.c); NULL when none
 * of them. */
EVP_PKEY *tt_cert_key(X509 *x);

/* Whole days from now to the certificate's end (negative: ended), and
 * the end as "YYYY-MM-DD HH:MM UTC". */
long tt_days_left(X509 *x, char *end, size_t end_size);

/* A time as RFC 3339 says, in UTC ("2027-03-01T09:30:00Z"), for --json;
 * "" when unreadable. */
void tt_rfc3339(const ASN1_TIME *t, char *out, size_t size);

/* The NCA's reminders: 30, 14, 10 and 7 days before the end. */
extern const int tt_nca_reminders[4];

/* The NCA roles and policies named by the OIDs in a certificate
 * (extended key usage and certificate policies); each name once, joined
 * by ", " into out; "" when none. */
void tt_nca_roles(X509 *x, char *out, size_t size);
void tt_nca_policies(X509 *x, char *out, size_t size);

/* One subject or issuer field as UTF-8 into out (prefix removed when
 * present, e.g. "IIN"); false when absent. */
bool tt_name_field(const X509_NAME *n, int nid, const char *prefix, char *out, size_t size);

/* Installs x on the token next to the key with the same public key (the
 * user logged in, R/W session).  replace: a different certificate the key
 * already has is replaced.  *label gets the key's label; *already is set
 * when the token has this very certificate (nothing done).  Returns TT_OK
 * or an exit code (reported). */
int tt_install(struct tt_token *t, X509 *x, bool replace, char *label, size_t label_size,
	       bool *already);
/* The same for a key already known: key is its key object (public or
 * private), whose label and ID the certificate takes; the certificate's
 * dates are not checked here. */
int tt_install_at(struct tt_token *t, X509 *x, CK_OBJECT_HANDLE key, bool replace, char *label,
		  size_t label_size, bool *already);

#endif
