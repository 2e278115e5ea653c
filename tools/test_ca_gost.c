/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tumar-test-ca-gost: what scripts/tumar-test-ca.sh cannot do with the
 * openssl command alone — issue a certificate for a GOST R 34.10-2015
 * request with the NCA's OIDs.  OpenSSL does not know those OIDs, so
 * `openssl ca` cannot read the request's key; here the request's
 * signature is checked (Streebog and the NCA's layout, through
 * gost-engine: apdu/gost.h) and its SubjectPublicKeyInfo is copied into
 * the certificate as it is, OIDs and all, as the NCA's certificates carry
 * it.  The test CA signs with its own (RSA) key.  A test tool: never a CA.
 *
 *   tumar-test-ca-gost CA.pem CA.key REQUEST.csr EXTFILE SERIAL OUT.pem DAYS
 *   tumar-test-ca-gost CA.pem CA.key REQUEST.csr EXTFILE SERIAL OUT.pem START END
 *
 * START and END are YYYYMMDDHHMMSSZ; EXTFILE is an openssl extension file
 * (its default section).  Exit 0, or 1 with the reason on stderr.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "apdu/gost.h"
#include "apdu/rc.h"

static int fail(const char *what)
{
	fprintf(stderr, "tumar-test-ca-gost: %s\n", what);
	ERR_print_errors_fp(stderr);
	return 1;
}

enum pem_kind { CERT, KEY, REQUEST };

static void *read_pem(const char *path, enum pem_kind kind)
{
	FILE *f = fopen(path, "r");
	void *v = NULL;

	if (f == NULL)
		return NULL;
	if (kind == CERT)
		v = PEM_read_X509(f, NULL, NULL, NULL);
	else if (kind == KEY)
		v = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	else
		v = PEM_read_X509_REQ(f, NULL, NULL, NULL);
	fclose(f);
	return v;
}

/* The request's signature, by its own key: the NCA's signature OID of the
 * key's size, r || s little-endian over Streebog of the request info. */
static bool request_verifies(X509_REQ *req, unsigned *bits)
{
	unsigned char *spki = NULL, *tbs = NULL;
	int spki_len = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(req), &spki);
	int tbs_len = i2d_re_X509_REQ_tbs(req, &tbs);
	const ASN1_BIT_STRING *sig = NULL;
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *oid = NULL;
	uint8_t digest[TM_GOST_MAX_BYTES];
	char text[64] = "";
	EVP_PKEY *key = NULL;
	bool ok = false;

	X509_REQ_get0_signature(req, &sig, &alg);
	X509_ALGOR_get0(&oid, NULL, NULL, alg);
	OBJ_obj2txt(text, sizeof(text), oid, 1);
	if (spki_len > 0 && tbs_len > 0 && sig != NULL &&
	    tm_gost_pubkey_from_spki(spki, (size_t)spki_len, &key, bits) == TM_OK &&
	    strcmp(text, tm_gost_oid(*bits, true, TM_GOST_OID_SIG)) == 0 &&
	    tm_gost_digest(*bits, tbs, (size_t)tbs_len, digest) == TM_OK)
		ok = tm_gost_verify(key, digest, *bits / 8, TM_GOST_NCA, ASN1_STRING_get0_data(sig),
				    (size_t)ASN1_STRING_length(sig)) == TM_OK;
	EVP_PKEY_free(key);
	OPENSSL_free(spki);
	OPENSSL_free(tbs);
	return ok;
}

/* The request's key, copied as it is (the NCA's OIDs stay). */
static bool copy_pubkey(X509_REQ *req, X509 *x)
{
	const ASN1_OBJECT *oid = NULL;
	const unsigned char *pk;
	int pk_len, ptype;
	const void *pval;
	X509_ALGOR *alg;

	if (X509_PUBKEY_get0_param(NULL, &pk, &pk_len, &alg, X509_REQ_get_X509_PUBKEY(req)) != 1)
		return false;
	X509_ALGOR_get0(&oid, &ptype, &pval, alg);
	ASN1_OBJECT *o = OBJ_dup(oid);
	ASN1_STRING *params = ptype == V_ASN1_SEQUENCE ? ASN1_STRING_dup(pval) : NULL;
	unsigned char *penc = OPENSSL_memdup(pk, (size_t)pk_len);
	if (o == NULL || params == NULL || penc == NULL ||
	    X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), o, V_ASN1_SEQUENCE, params, penc,
				   pk_len) != 1) {
		ASN1_OBJECT_free(o);
		ASN1_STRING_free(params);
		OPENSSL_free(penc);
		return false;
	}
	return true;
}

static bool set_validity(X509 *x, int argc, char **argv)
{
	if (argc == 8)
		return X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
		       X509_time_adj_ex(X509_getm_notAfter(x), atoi(argv[7]), 0, NULL);
	return ASN1_TIME_set_string_X509(X509_getm_notBefore(x), argv[7]) == 1 &&
	       ASN1_TIME_set_string_X509(X509_getm_notAfter(x), argv[8]) == 1;
}

static bool add_extensions(X509 *x, X509 *ca, const char *path)
{
	CONF *conf = NCONF_new(NULL);
	long line = 0;
	X509V3_CTX ctx;
	bool ok = conf != NULL && NCONF_load(conf, path, &line) > 0;

	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	X509V3_set_nconf(&ctx, conf);
	ok = ok && X509V3_EXT_add_nconf(conf, &ctx, "default", x) == 1;
	NCONF_free(conf);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 8 && argc != 9) {
		fprintf(stderr, "usage: tumar-test-ca-gost CA.pem CA.key REQUEST.csr EXTFILE SERIAL "
				"OUT.pem DAYS | START END\n");
		return 2;
	}
	X509 *ca = read_pem(argv[1], CERT);
	EVP_PKEY *ca_key = read_pem(argv[2], KEY);
	X509_REQ *req = read_pem(argv[3], REQUEST);
	X509 *x = X509_new();
	ASN1_INTEGER *serial = s2i_ASN1_INTEGER(NULL, argv[5]);
	unsigned bits = 0;
	int rc = 1;

	if (ca == NULL || ca_key == NULL || req == NULL || x == NULL || serial == NULL)
		rc = fail("cannot read the CA, its key, the request or the serial");
	else if (!request_verifies(req, &bits))
		rc = fail("the request is not a GOST request with the NCA's OIDs whose signature "
			  "verifies");
	else if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_serialNumber(x, serial) != 1 ||
		 X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1 ||
		 X509_set_subject_name(x, X509_REQ_get_subject_name(req)) != 1 ||
		 !set_validity(x, argc, argv) || !copy_pubkey(req, x))
		rc = fail("cannot build the certificate");
	else if (!add_extensions(x, ca, argv[4]))
		rc = fail("cannot add the extensions");
	else if (X509_sign(x, ca_key, EVP_sha256()) <= 0)
		rc = fail("cannot sign the certificate");
	else {
		FILE *f = fopen(argv[6], "w");
		rc = f && PEM_write_X509(f, x) == 1 && fclose(f) == 0 ? 0 : fail("cannot write it");
	}
	ASN1_INTEGER_free(serial);
	X509_free(x);
	X509_REQ_free(req);
	EVP_PKEY_free(ca_key);
	X509_free(ca);
	return rc;
}
