/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: a key store's keys on the token (tools/tool_import.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "apdu/gost.h"
#include "apdu/rc.h"
#include "driver/p11_gost.h"
#include "tools/tool_certs.h"
#include "tools/tool_import.h"
#include "tools/tool_objects.h"

bool tt_same_key(EVP_PKEY *a, EVP_PKEY *b)
{
	uint8_t ax[TM_GOST_MAX_BYTES], ay[TM_GOST_MAX_BYTES];
	uint8_t bx[TM_GOST_MAX_BYTES], by[TM_GOST_MAX_BYTES];
	unsigned abits, bbits;

	if (a == NULL || b == NULL)
		return false;
	if (tm_gost_is_gost(a, NULL) || tm_gost_is_gost(b, NULL))
		return tm_gost_point(a, ax, ay, &abits) == TM_OK &&
		       tm_gost_point(b, bx, by, &bbits) == TM_OK && abits == bbits &&
		       memcmp(ax, bx, abits / 8) == 0 && memcmp(ay, by, abits / 8) == 0;
	return EVP_PKEY_eq(a, b) == 1;
}

X509 *tt_store_cert(const struct tt_p12 *s, const struct tt_p12_key *k)
{
	X509 *found = NULL;

	for (int i = 0; i < sk_X509_num(s->certs) && found == NULL; i++) {
		X509 *x = sk_X509_value(s->certs, i);
		EVP_PKEY *pub = tt_cert_key(x);
		if (tt_same_key(pub, k->key))
			found = x;
		EVP_PKEY_free(pub);
	}
	return found;
}

enum tt_purpose tt_cert_purpose(X509 *x)
{
	uint32_t ku = X509_get_key_usage(x);

	return ku == UINT32_MAX || (ku & KU_NON_REPUDIATION) ? TT_SIGN : TT_AUTH;
}

enum tt_alg tt_p12_key_alg(const struct tt_p12_key *k)
{
	return k->gost_bits == 512 ? TT_GOST512 : k->gost_bits == 256 ? TT_GOST256 : TT_RSA2048;
}

bool tt_key_id(EVP_PKEY *key, unsigned char id[20])
{
	uint8_t buf[1024], x[TM_GOST_MAX_BYTES], y[TM_GOST_MAX_BYTES];
	BIGNUM *n = NULL;
	size_t len = 0;
	unsigned bits;

	if (tm_gost_is_gost(key, NULL)) {
		if (tm_gost_point(key, x, y, &bits) != TM_OK)
			return false;
		len = bits / 4;
		tm_gost_sig_convert(x, bits / 8, buf);
		tm_gost_sig_convert(y, bits / 8, buf + bits / 8);
	} else if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) &&
		   BN_num_bytes(n) <= (int)sizeof(buf)) {
		len = (size_t)BN_bn2bin(n, buf);
	} else if (EVP_PKEY_is_a(key, "EC") &&
		   !EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf),
						    &len)) {
		len = 0;
	}
	BN_free(n);
	return len && EVP_Digest(buf, len, id, NULL, EVP_sha1(), NULL);
}

/* The eight RSA parts into parts[i] (big-endian, as PKCS#11 takes them). */
#define TT_RSA_PART_MAX 512
static bool rsa_parts(EVP_PKEY *key, uint8_t parts[8][TT_RSA_PART_MAX], CK_ULONG len[8])
{
	static const char *const names[8] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
	bool ok = true;

	for (int i = 0; i < 8 && ok; i++) {
		BIGNUM *bn = NULL;
		ok = EVP_PKEY_get_bn_param(key, names[i], &bn) && BN_num_bytes(bn) <= TT_RSA_PART_MAX;
		if (ok)
			len[i] = (CK_ULONG)BN_bn2bin(bn, parts[i]);
		BN_clear_free(bn);
	}
	return ok;
}

int tt_import_key(struct tt_token *t, const struct tt_p12_key *k, enum tt_purpose p,
		  const char *label, X509 *cert, CK_OBJECT_HANDLE *priv, unsigned char id[20])
{
	static const CK_ATTRIBUTE_TYPE rsa_types[8] = {
		CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
		CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT};
	uint8_t (*parts)[TT_RSA_PART_MAX] = OPENSSL_secure_zalloc(8 * TT_RSA_PART_MAX);
	uint8_t d_le[TM_GOST_MAX_BYTES], params[16], *subject = NULL;
	CK_ULONG len[8] = {0};
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = k->gost_bits == 512 ? CKK_GOSTR3410_512
			 : k->gost_bits == 256 ? CKK_GOSTR3410 : CKK_RSA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE, decrypt = p == TT_AUTH && !k->gost_bits;
	char lab[80];
	CK_ATTRIBUTE tmpl[20] = {
		{CKA_CLASS, &cls, sizeof(cls)},
		{CKA_KEY_TYPE, &kt, sizeof(kt)},
		{CKA_TOKEN, &yes, sizeof(yes)},
		{CKA_PRIVATE, &yes, sizeof(yes)},
		{CKA_SENSITIVE, &yes, sizeof(yes)},
		{CKA_EXTRACTABLE, &no, sizeof(no)},
		{CKA_SIGN, &yes, sizeof(yes)},
		{CKA_DECRYPT, &decrypt, sizeof(decrypt)},
		{CKA_LABEL, lab, tt_text(lab, sizeof(lab), label)},
		{CKA_ID, id, 20},
	};
	CK_ULONG n = 10;
	int rc = TT_OK, subject_len = cert ? i2d_X509_NAME(X509_get_subject_name(cert), &subject) : 0;
	CK_RV rv;

	if (subject_len > 0)
		tmpl[n++] = (CK_ATTRIBUTE){CKA_SUBJECT, subject, (CK_ULONG)subject_len};
	if (parts == NULL || !tt_key_id(k->key, id)) {
		rc = tt_fail("reading the store's key", CKR_HOST_MEMORY);
	} else if (k->gost_bits) {
		ASN1_OBJECT *set = OBJ_txt2obj(tm_gost_oid(k->gost_bits, false, TM_GOST_OID_PARAMS), 1);
		unsigned char *q = params;
		int pl = set && i2d_ASN1_OBJECT(set, NULL) <= (int)sizeof(params)
				 ? i2d_ASN1_OBJECT(set, &q) : -1;
		ASN1_OBJECT_free(set);
		if (pl <= 0)
			rc = tt_fail("naming the key's parameter set", CKR_GENERAL_ERROR);
		/* PKCS#11 takes a GOST scalar little-endian (2.40 §2.4.5). */
		tm_gost_sig_convert(k->gost_d, k->gost_bits / 8, d_le);
		tmpl[n++] = (CK_ATTRIBUTE){CKA_GOSTR3410_PARAMS, params, (CK_ULONG)pl};
		tmpl[n++] = (CK_ATTRIBUTE){CKA_VALUE, d_le, k->gost_bits / 8};
	} else if (!rsa_parts(k->key, parts, len)) {
		rc = tt_fail("reading the store's RSA key", CKR_GENERAL_ERROR);
	} else {
		for (int i = 0; i < 8; i++)
			tmpl[n++] = (CK_ATTRIBUTE){rsa_types[i], parts[i], len[i]};
	}
	if (rc == TT_OK) {
		rv = t->f->C_CreateObject(t->s, tmpl, n, priv);
		if (rv == CKR_TEMPLATE_INCONSISTENT) {
			tt_err("this token does not take %s keys from outside (it holds only keys "
			       "made on it, or none of this kind); nothing was written",
			       tt_alg_title(tt_p12_key_alg(k)));
			rc = TT_USAGE;
		} else if (rv != CKR_OK) {
			rc = tt_fail("writing the key to the token", rv);
		}
	}
	OPENSSL_cleanse(d_le, sizeof(d_le));
	OPENSSL_secure_clear_free(parts, 8 * TT_RSA_PART_MAX);
	OPENSSL_free(subject);
	return rc;
}

CK_OBJECT_HANDLE tt_token_key(struct tt_token *t, const struct tt_p12_key *k)
{
	CK_OBJECT_HANDLE h[TT_MAX_OBJECTS], found = 0;
	unsigned char id[20], *pub_id;
	size_t pub_id_len;
	int n;

	/* Imported keys have no public-key object: the ID (the SHA-1 of
	 * the public key) finds them; generated ones by their public key. */
	if (tt_key_id(k->key, id) && tt_find(t, CKO_PRIVATE_KEY, NULL, id, sizeof(id), h, 1) == 1)
		return h[0];
	n = tt_find(t, CKO_PUBLIC_KEY, NULL, NULL, 0, h, TT_MAX_OBJECTS);
	for (int i = 0; i < n && found == 0; i++) {
		EVP_PKEY *pub = tt_pubkey(t, h[i]);
		if (tt_same_key(pub, k->key) &&
		    (pub_id = tt_attr(t, h[i], CKA_ID, &pub_id_len)) != NULL) {
			CK_OBJECT_HANDLE priv;
			if (tt_find(t, CKO_PRIVATE_KEY, NULL, pub_id, pub_id_len, &priv, 1) == 1)
				found = priv;
			free(pub_id);
		}
		EVP_PKEY_free(pub);
	}
	return found;
}
