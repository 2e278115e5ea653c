/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: the key pairs an NCA owner has — for signing and for
 * authentication, RSA-2048 (labels RSA, AUTH_RSA) or GOST R 34.10-2015
 * (GOST512, AUTH_GOST512, ...) — made on the token, and the requests for
 * them. */
#ifndef TUMAR_TOOLS_TOOL_KEYS_H
#define TUMAR_TOOLS_TOOL_KEYS_H

#include <stdbool.h>

#include <openssl/x509.h>

#include "tools/tool.h"

enum tt_purpose { TT_SIGN, TT_AUTH };
enum tt_alg { TT_RSA2048, TT_EC_P256, TT_GOST512, TT_GOST256 };
#define TT_N_ALGS 4

bool tt_purpose_parse(const char *s, enum tt_purpose *p);
bool tt_alg_parse(const char *s, enum tt_alg *a);
/* "rsa2048", "ec-p256", "gost512", "gost256"; and as people read it,
 * "RSA-2048", "EC P-256", "GOST R 34.10-2015 512". */
const char *tt_alg_name(enum tt_alg a);
const char *tt_alg_title(enum tt_alg a);
/* The label of a purpose's key: the NCA's "RSA" or "AUTH_RSA" for RSA
 * (and EC), "GOST512" / "AUTH_GOST512" and "GOST256" / "AUTH_GOST256"
 * for GOST. */
const char *tt_key_label(enum tt_purpose p, enum tt_alg a);
/* The NCA's label for a purpose's RSA key: "RSA" or "AUTH_RSA". */
const char *tt_purpose_label(enum tt_purpose p);
/* The algorithm of a public key (RSA taken as RSA-2048). */
enum tt_alg tt_key_alg(EVP_PKEY *pub);
bool tt_alg_is_gost(enum tt_alg a);
/* Whether the token makes keys of a (its mechanisms say so). */
bool tt_token_makes(struct tt_token *t, enum tt_alg a);

struct tt_new_key {
	CK_OBJECT_HANDLE pub, priv;
	unsigned char id[64];
	size_t id_len;
	double seconds;
};

/* Generates a key pair on the token (the user logged in), showing
 * progress on a terminal.  Returns TT_OK or an exit code (reported). */
int tt_generate(struct tt_token *t, enum tt_purpose p, enum tt_alg alg, const char *label,
		bool progress, struct tt_new_key *k);

/* The subject of an NCA request. */
struct tt_subject {
	const char *cn, *surname, *given_name, *iin, *email, *org, *bin;
};

/* A PKCS#10 request for the private key priv (its public key pub) with
 * the subject and the key usage of the purpose: OpenSSL builds it, the
 * token signs it, OpenSSL checks the signature.  NULL on failure
 * (reported). */
X509_REQ *tt_make_request(struct tt_token *t, CK_OBJECT_HANDLE priv, EVP_PKEY *pub,
			  const struct tt_subject *s, enum tt_purpose p);
/* The subject of a certificate, for a request that keeps it; the strings
 * live in buf. */
bool tt_subject_of(X509 *x, struct tt_subject *s, char *buf, size_t size);

/* A signature by priv on the token: SHA-256 with RSA PKCS#1 v1.5, ECDSA
 * with SHA-256, or GOST R 34.10-2015 with Streebog of the key's size,
 * the data in one or more updates.  finish gives the signature as X.509
 * and `openssl dgst -verify` take it (ECDSA as DER; GOST in the NCA's
 * layout, r || s little-endian, with nca, else RFC 4491's),
 * OPENSSL_malloc'ed.  Each returns TT_OK or an exit code (reported). */
int tt_sign_begin(struct tt_token *t, CK_OBJECT_HANDLE priv, enum tt_alg alg);
int tt_sign_update(struct tt_token *t, unsigned char *data, size_t len);
int tt_sign_finish(struct tt_token *t, enum tt_alg alg, bool nca, unsigned char **sig,
		   int *sig_len);

struct tt_out;
/* Writes a request as PEM to an output opened before the token was
 * touched, and puts it in place; false (reported) on error. */
bool tt_write_request(X509_REQ *req, struct tt_out *out);

#endif
