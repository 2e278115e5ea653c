/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: the keys of an NCA key store put on the token, each with
 * the certificate beside it (tools/p12_read.h reads the store). */
#ifndef TUMAR_TOOLS_TOOL_IMPORT_H
#define TUMAR_TOOLS_TOOL_IMPORT_H

#include <stdbool.h>

#include <openssl/x509.h>

#include "tools/p12_read.h"
#include "tools/tool.h"
#include "tools/tool_keys.h"

/* Whether two keys have the same public key (GOST keys by their point:
 * OpenSSL's comparison of a GOST key pair with a public key fails). */
bool tt_same_key(EVP_PKEY *a, EVP_PKEY *b);

/* The store's certificate for key k, or NULL. */
X509 *tt_store_cert(const struct tt_p12 *s, const struct tt_p12_key *k);

/* What a certificate's key is for, as the NCA issues them: a signing
 * certificate has non-repudiation; an authentication one has not. */
enum tt_purpose tt_cert_purpose(X509 *x);

/* The algorithm of a store's key. */
enum tt_alg tt_p12_key_alg(const struct tt_p12_key *k);

/* The CKA_ID the module gives a generated key, which import gives too:
 * SHA-1 of an RSA key's modulus, an EC key's point (uncompressed) or a
 * GOST key's CKA_VALUE (x || y little-endian).  False for another kind
 * of key. */
bool tt_key_id(EVP_PKEY *key, unsigned char id[20]);

/* The token's private key that is k (the user logged in), or 0. */
CK_OBJECT_HANDLE tt_token_key(struct tt_token *t, const struct tt_p12_key *k);

/* Puts k on the token (the user logged in) as a private key labelled
 * label, for purpose p, its subject cert's (may be NULL), its CKA_ID the
 * SHA-1 of its public key as the module gives generated keys.  The
 * template's key parts are wiped before this returns.  Returns TT_OK with
 * *priv and the ID in id (20 bytes), or an exit code (reported). */
int tt_import_key(struct tt_token *t, const struct tt_p12_key *k, enum tt_purpose p,
		  const char *label, X509 *cert, CK_OBJECT_HANDLE *priv, unsigned char id[20]);

#endif
