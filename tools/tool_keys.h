/* tumar-tool: the key pairs an NCA owner has — RSA for signing, AUTH_RSA
 * for authentication — made on the token, and the requests for them. */
#ifndef TUMAR_TOOLS_TOOL_KEYS_H
#define TUMAR_TOOLS_TOOL_KEYS_H

#include <stdbool.h>

#include <openssl/x509.h>

#include "tools/tool.h"

enum tt_purpose { TT_SIGN, TT_AUTH };
enum tt_alg { TT_RSA2048, TT_EC_P256 };

bool tt_purpose_parse(const char *s, enum tt_purpose *p);
bool tt_alg_parse(const char *s, enum tt_alg *a);
/* The NCA's label for a purpose: "RSA" or "AUTH_RSA". */
const char *tt_purpose_label(enum tt_purpose p);

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

/* A signature by priv on the token: SHA-256 with RSA PKCS#1 v1.5, or
 * ECDSA with SHA-256 (ec), the data in one or more updates.  finish gives
 * the signature as X.509 and `openssl dgst -verify` take it (ECDSA as
 * DER), OPENSSL_malloc'ed.  Each returns TT_OK or an exit code (reported). */
int tt_sign_begin(struct tt_token *t, CK_OBJECT_HANDLE priv, bool ec);
int tt_sign_update(struct tt_token *t, unsigned char *data, size_t len);
int tt_sign_finish(struct tt_token *t, bool ec, unsigned char **sig, int *sig_len);

/* Writes a request as PEM to path ("-": stdout); false (reported) on error. */
bool tt_write_request(X509_REQ *req, const char *path);

#endif
