/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: PKCS#10 requests signed on the token (tools/tool_keys.h).
 * OpenSSL builds and encodes the request; only the signature over its
 * to-be-signed part comes from the card. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "apdu/gost.h"
#include "apdu/rc.h"
#include "tools/tool_certs.h"
#include "tools/tool_keys.h"
#include "tools/tool_out.h"

static bool add_name(X509_NAME *n, int nid, const char *prefix, const char *value)
{
	char buf[256];

	if (value == NULL || *value == '\0')
		return true;
	snprintf(buf, sizeof(buf), "%s%s", prefix, value);
	return X509_NAME_add_entry_by_NID(n, nid, MBSTRING_UTF8, (unsigned char *)buf, -1, -1, 0) == 1;
}

/* The subject in the order of an NCA certificate. */
static X509_NAME *nca_name(const struct tt_subject *s)
{
	X509_NAME *n = X509_NAME_new();

	if (n == NULL || !add_name(n, NID_commonName, "", s->cn) ||
	    !add_name(n, NID_surname, "", s->surname) ||
	    !add_name(n, NID_serialNumber, "IIN", s->iin) ||
	    !add_name(n, NID_countryName, "", "KZ") ||
	    !add_name(n, NID_organizationName, "", s->org) ||
	    !add_name(n, NID_organizationalUnitName, "BIN", s->bin) ||
	    !add_name(n, NID_givenName, "", s->given_name) ||
	    !add_name(n, NID_pkcs9_emailAddress, "", s->email)) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

static bool add_ext(STACK_OF(X509_EXTENSION) *exts, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, NULL, nid, value);

	if (e == NULL || !sk_X509_EXTENSION_push(exts, e)) {
		X509_EXTENSION_free(e);
		return false;
	}
	return true;
}

/* Key usage by purpose, as the NCA issues them.  An EC or GOST key
 * cannot encipher keys (RFC 5480 §3; GOST keys here only sign): its
 * authentication request asks for keyAgreement instead of
 * keyEncipherment. */
static bool add_usage(X509_REQ *req, enum tt_purpose p, bool ec)
{
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	bool ok = exts != NULL;

	if (p == TT_SIGN)
		ok = ok && add_ext(exts, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
		     add_ext(exts, NID_ext_key_usage, "emailProtection");
	else
		ok = ok && add_ext(exts, NID_key_usage, ec ? "critical,digitalSignature,keyAgreement"
							   : "critical,digitalSignature,keyEncipherment") &&
		     add_ext(exts, NID_ext_key_usage, "clientAuth");
	ok = ok && X509_REQ_add_extensions(req, exts) == 1;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return ok;
}

/* The signature algorithm of a request: OpenSSL's for RSA and EC; for
 * GOST the NCA's OID with a NULL parameter, as KalkanCrypt writes it. */
static bool set_sig_alg(X509_ALGOR *alg, enum tt_alg a)
{
	if (!tt_alg_is_gost(a))
		return X509_ALGOR_set0(alg, OBJ_nid2obj(a == TT_EC_P256 ? NID_ecdsa_with_SHA256
									: NID_sha256WithRSAEncryption),
				       a == TT_EC_P256 ? V_ASN1_UNDEF : V_ASN1_NULL, NULL) == 1;
	ASN1_OBJECT *o = OBJ_txt2obj(tm_gost_oid(a == TT_GOST512 ? 512 : 256, true, TM_GOST_OID_SIG), 1);
	if (o == NULL || X509_ALGOR_set0(alg, o, V_ASN1_NULL, NULL) != 1) {
		ASN1_OBJECT_free(o);
		return false;
	}
	return true;
}

/* Signs the request's to-be-signed part on the card and sets the
 * signature and its algorithm. */
static bool card_sign(struct tt_token *t, CK_OBJECT_HANDLE priv, X509_REQ *req, enum tt_alg a)
{
	unsigned char *tbs = NULL, *sig = NULL;
	int tbs_len = i2d_re_X509_REQ_tbs(req, &tbs), sig_len = 0;
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();
	bool ok = false;

	if (tbs_len <= 0 || alg == NULL || bits == NULL)
		goto out;
	if (tt_sign_begin(t, priv, a) != TT_OK || tt_sign_update(t, tbs, (size_t)tbs_len) != TT_OK ||
	    tt_sign_finish(t, a, true, &sig, &sig_len) != TT_OK)
		goto out;
	if (!set_sig_alg(alg, a) || ASN1_BIT_STRING_set(bits, sig, sig_len) != 1)
		goto out;
	/* A signature is a whole number of bytes: no unused bits. */
	bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
	bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	if (X509_REQ_set1_signature_algo(req, alg) != 1)
		goto out;
	X509_REQ_set0_signature(req, bits);
	bits = NULL;
	ok = true;
out:
	ASN1_BIT_STRING_free(bits);
	X509_ALGOR_free(alg);
	OPENSSL_free(tbs);
	OPENSSL_free(sig);
	return ok;
}

/* The request's public key: OpenSSL's encoding, or for GOST the NCA's
 * OIDs as KalkanCrypt writes them (apdu/gost.h). */
static bool set_pubkey(X509_REQ *req, EVP_PKEY *pub, enum tt_alg a)
{
	if (!tt_alg_is_gost(a))
		return X509_REQ_set_pubkey(req, pub) == 1;
	return tm_gost_x509_pubkey(pub, true, X509_REQ_get_X509_PUBKEY(req)) == TM_OK;
}

/* The token's signature checked with the request's key: by OpenSSL, or
 * for GOST (whose NCA OIDs OpenSSL does not know) over the Streebog of
 * the to-be-signed part, in the NCA's layout, by gost-engine. */
static bool request_verifies(X509_REQ *req, EVP_PKEY *pub, enum tt_alg a)
{
	if (!tt_alg_is_gost(a))
		return X509_REQ_verify(req, pub) == 1;
	unsigned bits = a == TT_GOST512 ? 512 : 256;
	unsigned char *tbs = NULL;
	uint8_t digest[TM_GOST_MAX_BYTES];
	const ASN1_BIT_STRING *sig = NULL;
	int n = i2d_re_X509_REQ_tbs(req, &tbs);
	X509_REQ_get0_signature(req, &sig, NULL);
	bool ok = n > 0 && sig != NULL &&
		  tm_gost_digest(bits, tbs, (size_t)n, digest) == TM_OK &&
		  tm_gost_verify(pub, digest, bits / 8, TM_GOST_NCA, ASN1_STRING_get0_data(sig),
				 (size_t)ASN1_STRING_length(sig)) == TM_OK;
	OPENSSL_free(tbs);
	return ok;
}

X509_REQ *tt_make_request(struct tt_token *t, CK_OBJECT_HANDLE priv, EVP_PKEY *pub,
			  const struct tt_subject *s, enum tt_purpose p)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = nca_name(s);
	enum tt_alg a = tt_key_alg(pub);

	if (req == NULL || name == NULL || X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 ||
	    X509_REQ_set_subject_name(req, name) != 1 || !set_pubkey(req, pub, a) ||
	    !add_usage(req, p, a != TT_RSA2048)) {
		tt_err("could not build the request (a subject field too long?)");
		goto fail;
	}
	if (!card_sign(t, priv, req, a))
		goto fail;
	/* The token signed with the key whose public half is in the request:
	 * check it, so a wrong key never reaches the CA. */
	if (!request_verifies(req, pub, a)) {
		tt_err("the token's signature on the request does not verify; not written");
		goto fail;
	}
	X509_NAME_free(name);
	return req;
fail:
	X509_NAME_free(name);
	X509_REQ_free(req);
	return NULL;
}

static const char *entry(X509_NAME *n, int nid, const char *prefix, char **buf, size_t *left)
{
	char *out = *buf;

	if (*left < 2 || !tt_name_field(n, nid, prefix, out, *left))
		return NULL;
	*buf += strlen(out) + 1;
	*left -= strlen(out) + 1;
	return out;
}

bool tt_subject_of(X509 *x, struct tt_subject *s, char *buf, size_t size)
{
	X509_NAME *n = X509_get_subject_name(x);

	memset(s, 0, sizeof(*s));
	s->cn = entry(n, NID_commonName, "", &buf, &size);
	s->surname = entry(n, NID_surname, "", &buf, &size);
	s->given_name = entry(n, NID_givenName, "", &buf, &size);
	s->iin = entry(n, NID_serialNumber, "IIN", &buf, &size);
	s->email = entry(n, NID_pkcs9_emailAddress, "", &buf, &size);
	s->org = entry(n, NID_organizationName, "", &buf, &size);
	s->bin = entry(n, NID_organizationalUnitName, "BIN", &buf, &size);
	return s->cn != NULL;
}

bool tt_write_request(X509_REQ *req, struct tt_out *out)
{
	if (PEM_write_X509_REQ(out->f, req) != 1) {
		tt_err("%s: could not write the request", out->path);
		tt_out_abort(out);
		return false;
	}
	return tt_out_commit(out);
}
