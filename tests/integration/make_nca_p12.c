/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make-nca-p12: a GOST key store as the NCA hands them out, for the
 * import tests.  OpenSSL builds it (PKCS#12, SHA-1 MAC, the key bag
 * pbeWithSHA1And3-KeyTripleDES-CBC, the certificate bag RC2-40) from a
 * key gost-engine made; the key's PKCS#8 algorithm is then the NCA's OID
 * (1.2.398.3.10.1.1.2.x) with the NCA's parameter and hash OIDs, which
 * OpenSSL cannot write by itself (../shared/kz-gost.md).  And the
 * request the test CA needs for that key's certificate, with the NCA's
 * OIDs and signature layout, as KalkanCrypt makes them.
 *
 *   make-nca-p12 csr KEY.pem CN OUT.csr
 *   make-nca-p12 p12 KEY.pem CERT.pem PASSWORD raw|octet|integer OUT.p12
 *
 * raw|octet|integer: how the scalar is written (gost-engine's bare
 * little-endian bytes, an OCTET STRING of them, an INTEGER).
 */
/* gost-engine's keys are EC_KEYs reached through the deprecated API. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

#include "apdu/gost.h"
#include "apdu/rc.h"

static int fail(const char *what)
{
	fprintf(stderr, "make-nca-p12: %s\n", what);
	ERR_print_errors_fp(stderr);
	return 1;
}

static EVP_PKEY *load_key(const char *path, unsigned *bits)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k = f && tm_gost_available() ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;

	if (f)
		fclose(f);
	if (k && !tm_gost_is_gost(k, bits)) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

static int make_csr(EVP_PKEY *key, unsigned bits, const char *cn, const char *out)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_BIT_STRING *sig = ASN1_BIT_STRING_new();
	uint8_t digest[TM_GOST_MAX_BYTES], s[2 * TM_GOST_MAX_BYTES];
	size_t s_len = sizeof(s);
	unsigned char *tbs = NULL;
	int tbs_len, rc = 1;
	FILE *f;

	if (req && name && alg && sig &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
				       -1, 0) &&
	    X509_REQ_set_subject_name(req, name) && X509_REQ_set_version(req, 0) &&
	    tm_gost_x509_pubkey(key, true, X509_REQ_get_X509_PUBKEY(req)) == TM_OK &&
	    (tbs_len = i2d_re_X509_REQ_tbs(req, &tbs)) > 0 &&
	    tm_gost_digest(bits, tbs, (size_t)tbs_len, digest) == TM_OK &&
	    tm_gost_sign(key, digest, bits / 8, TM_GOST_NCA, s, &s_len) == TM_OK &&
	    X509_ALGOR_set0(alg, OBJ_txt2obj(tm_gost_oid(bits, true, TM_GOST_OID_SIG), 1),
			    V_ASN1_NULL, NULL) &&
	    ASN1_BIT_STRING_set(sig, s, (int)s_len) && X509_REQ_set1_signature_algo(req, alg)) {
		/* Every byte counts: without BITS_LEFT, OpenSSL drops trailing
		 * zero bytes from the DER (one request in 256 lost s's top byte). */
		sig->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
		sig->flags |= ASN1_STRING_FLAG_BITS_LEFT;
		X509_REQ_set0_signature(req, sig);
		sig = NULL;
		if ((f = fopen(out, "w")) != NULL) {
			rc = PEM_write_X509_REQ(f, req) ? 0 : 1;
			rc |= fclose(f) != 0;
		}
	}
	OPENSSL_free(tbs);
	ASN1_BIT_STRING_free(sig);
	X509_ALGOR_free(alg);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return rc ? fail("the request cannot be made") : 0;
}

/* DER of an OID given as text into p; its length. */
static int oid_der(const char *text, unsigned char *p)
{
	ASN1_OBJECT *o = OBJ_txt2obj(text, 1);
	int n = o ? i2d_ASN1_OBJECT(o, &p) : -1;

	ASN1_OBJECT_free(o);
	return n;
}

/* The key as PKCS#8 with the NCA's OIDs: parameters SEQUENCE { set, hash }. */
static PKCS8_PRIV_KEY_INFO *nca_p8(EVP_PKEY *key, unsigned bits, const char *form)
{
	unsigned char params[64], *pk = NULL;
	uint8_t be[TM_GOST_MAX_BYTES], le[TM_GOST_MAX_BYTES];
	const EC_KEY *ec = EVP_PKEY_get0(key);
	const BIGNUM *d = ec ? EC_KEY_get0_private_key(ec) : NULL;
	size_t n = bits / 8;
	int a, b, pk_len = -1;

	a = oid_der(tm_gost_oid(bits, true, TM_GOST_OID_PARAMS), params + 2);
	b = oid_der(tm_gost_oid(bits, true, TM_GOST_OID_HASH), params + 2 + (a > 0 ? a : 0));
	if (d == NULL || a <= 0 || b <= 0 || BN_bn2binpad(d, be, (int)n) != (int)n)
		return NULL;
	params[0] = 0x30;
	params[1] = (unsigned char)(a + b);
	tm_gost_sig_convert(be, n, le);
	if (strcmp(form, "raw") == 0) {
		if ((pk = OPENSSL_malloc(n)) != NULL)
			memcpy(pk, le, n);
		pk_len = (int)n;
	} else if (strcmp(form, "octet") == 0) {
		ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
		if (os && ASN1_OCTET_STRING_set(os, le, (int)n))
			pk_len = i2d_ASN1_OCTET_STRING(os, &pk);
		ASN1_OCTET_STRING_free(os);
	} else if (strcmp(form, "integer") == 0) {
		ASN1_INTEGER *i = BN_to_ASN1_INTEGER(d, NULL);
		if (i)
			pk_len = i2d_ASN1_INTEGER(i, &pk);
		ASN1_INTEGER_free(i);
	}
	ASN1_STRING *ps = ASN1_STRING_new();
	PKCS8_PRIV_KEY_INFO *p8 = PKCS8_PRIV_KEY_INFO_new();
	if (pk_len <= 0 || ps == NULL || p8 == NULL ||
	    !ASN1_STRING_set(ps, params, 2 + a + b) ||
	    !PKCS8_pkey_set0(p8, OBJ_txt2obj(tm_gost_oid(bits, true, TM_GOST_OID_KEY), 1), 0,
			     V_ASN1_SEQUENCE, ps, pk, pk_len)) {
		ASN1_STRING_free(ps);
		PKCS8_PRIV_KEY_INFO_free(p8);
		OPENSSL_free(pk);
		return NULL;
	}
	return p8;
}

static int make_p12(EVP_PKEY *key, unsigned bits, const char *cert_path, const char *pw,
		    const char *form, const char *out)
{
	STACK_OF(PKCS12_SAFEBAG) *kbags = sk_PKCS12_SAFEBAG_new_null(), *cbags = sk_PKCS12_SAFEBAG_new_null();
	STACK_OF(PKCS7) *safes = sk_PKCS7_new_null();
	PKCS8_PRIV_KEY_INFO *p8 = nca_p8(key, bits, form);
	FILE *f = fopen(cert_path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	unsigned char id[4] = {'K', 'E', 'Y', '1'};
	PKCS12_SAFEBAG *kb = NULL, *cb = NULL;
	PKCS7 *kp7 = NULL, *cp7 = NULL;
	PKCS12 *p12 = NULL;
	int rc = 1;

	if (f)
		fclose(f);
	if (x && p8 && kbags && cbags && safes && OSSL_PROVIDER_try_load(NULL, "legacy", 1) &&
	    (kb = PKCS12_SAFEBAG_create_pkcs8_encrypt_ex(NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
							  pw, -1, NULL, 0, 2048, p8, NULL, NULL)) &&
	    PKCS12_add_localkeyid(kb, id, sizeof(id)) && sk_PKCS12_SAFEBAG_push(kbags, kb) &&
	    (cb = PKCS12_SAFEBAG_create_cert(x)) && PKCS12_add_localkeyid(cb, id, sizeof(id)) &&
	    sk_PKCS12_SAFEBAG_push(cbags, cb) &&
	    (cp7 = PKCS12_pack_p7encdata(NID_pbe_WithSHA1And40BitRC2_CBC, pw, -1, NULL, 0, 2048,
					 cbags)) && sk_PKCS7_push(safes, cp7) &&
	    (kp7 = PKCS12_pack_p7data(kbags)) && sk_PKCS7_push(safes, kp7) &&
	    (p12 = PKCS12_add_safes(safes, 0)) &&
	    PKCS12_set_mac(p12, pw, -1, NULL, 0, 2048, EVP_sha1()) && (f = fopen(out, "wb"))) {
		rc = i2d_PKCS12_fp(f, p12) ? 0 : 1;
		rc |= fclose(f) != 0;
	}
	PKCS12_free(p12);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	sk_PKCS12_SAFEBAG_pop_free(kbags, PKCS12_SAFEBAG_free);
	sk_PKCS12_SAFEBAG_pop_free(cbags, PKCS12_SAFEBAG_free);
	PKCS8_PRIV_KEY_INFO_free(p8);
	X509_free(x);
	return rc ? fail("the key store cannot be made") : 0;
}

int main(int argc, char **argv)
{
	unsigned bits;
	EVP_PKEY *key;
	int rc;

	if (argc < 3 || !((strcmp(argv[1], "csr") == 0 && argc == 5) ||
			  (strcmp(argv[1], "p12") == 0 && argc == 7)))
		return fail("usage: csr KEY.pem CN OUT.csr | p12 KEY.pem CERT.pem PASSWORD "
			    "raw|octet|integer OUT.p12");
	if ((key = load_key(argv[2], &bits)) == NULL)
		return fail("KEY.pem: not a GOST key gost-engine reads");
	rc = argv[1][0] == 'c' ? make_csr(key, bits, argv[3], argv[4])
			       : make_p12(key, bits, argv[3], argv[4], argv[5], argv[6]);
	EVP_PKEY_free(key);
	return rc;
}
