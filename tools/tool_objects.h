/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: finding objects on the token and reading them into OpenSSL
 * types (public keys, certificates). */
#ifndef TUMAR_TOOLS_TOOL_OBJECTS_H
#define TUMAR_TOOLS_TOOL_OBJECTS_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tools/tool.h"

#define TT_MAX_OBJECTS 128

/* Objects of a class, optionally with a label (NULL: any) and an ID
 * (NULL: any).  Returns the count (up to max), or -1 (reported). */
int tt_find(struct tt_token *t, CK_OBJECT_CLASS cls, const char *label, const unsigned char *id,
	    size_t id_len, CK_OBJECT_HANDLE *out, int max);

/* An attribute's value, malloc'ed (free it); NULL when absent (*len 0). */
unsigned char *tt_attr(struct tt_token *t, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, size_t *len);
/* CKA_LABEL as a string into out (empty when none). */
void tt_label(struct tt_token *t, CK_OBJECT_HANDLE h, char *out, size_t out_size);

/* A public-key object as an EVP_PKEY (RSA, EC or GOST), or NULL. */
EVP_PKEY *tt_pubkey(struct tt_token *t, CK_OBJECT_HANDLE pub);
/* A certificate object as an X509, or NULL. */
X509 *tt_cert(struct tt_token *t, CK_OBJECT_HANDLE cert);

/* The key pair a request is for: the private key labelled label (or with
 * the ID id), preferring one that has no certificate yet (after a
 * re-issue the old key keeps its label).  Sets *priv and *pub (free it).
 * Returns TT_OK or an exit code (reported). */
int tt_key_pair(struct tt_token *t, const char *label, const unsigned char *id, size_t id_len,
		CK_OBJECT_HANDLE *priv, EVP_PKEY **pub);

/* Lower-case hex of an ID into out (2*len+1). */
void tt_hex(char *out, const unsigned char *id, size_t len);

#endif
