/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: a key-store bag's private key (tools/p12_key.h). */
#include <config.h>

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "apdu/rc.h"
#include "tools/p12_key.h"

static int fail(const char **why, int rc, const char *text)
{
	if (why)
		*why = text;
	return rc;
}

/* Whether obj is the OID given as text. */
static bool is_oid(const ASN1_OBJECT *obj, const char *text)
{
	ASN1_OBJECT *want = text ? OBJ_txt2obj(text, 1) : NULL;
	bool same = want != NULL && OBJ_cmp(obj, want) == 0;

	ASN1_OBJECT_free(want);
	return same;
}

unsigned tt_gost_key_oid_bits(const ASN1_OBJECT *alg)
{
	static const unsigned sizes[] = {512, 256};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (int nca = 0; nca < 2; nca++)
			if (is_oid(alg, tm_gost_oid(sizes[i], nca, TM_GOST_OID_KEY)))
				return sizes[i];
	return 0;
}

/* The key's parameters: SEQUENCE { parameter set, [hash] } with set A
 * under either arc.  Absent parameters are taken as set A, the only one
 * Kazakh software uses: a key on another curve would not match its
 * certificate, which the importer checks. */
static bool params_ok(const X509_ALGOR *pa, unsigned bits)
{
	const void *pval;
	int ptype;
	bool ok = false;

	X509_ALGOR_get0(NULL, &ptype, &pval, pa);
	if (ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL)
		return true;
	if (ptype != V_ASN1_SEQUENCE)
		return false;
	const ASN1_STRING *seq = pval;
	const unsigned char *p = ASN1_STRING_get0_data(seq);
	int len = ASN1_STRING_length(seq);
	STACK_OF(ASN1_TYPE) *items = d2i_ASN1_SEQUENCE_ANY(NULL, &p, len);
	if (items != NULL && p == ASN1_STRING_get0_data(seq) + len &&
	    sk_ASN1_TYPE_num(items) >= 1 && sk_ASN1_TYPE_num(items) <= 3) {
		ASN1_TYPE *set = sk_ASN1_TYPE_value(items, 0);
		ok = ASN1_TYPE_get(set) == V_ASN1_OBJECT &&
		     (is_oid(set->value.object, tm_gost_oid(bits, true, TM_GOST_OID_PARAMS)) ||
		      is_oid(set->value.object, tm_gost_oid(bits, false, TM_GOST_OID_PARAMS)));
	}
	sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
	return ok;
}

/* The scalar, big-endian into d (n bytes, zero-padded): gost-engine
 * writes it bare, little-endian; others wrap it in an OCTET STRING
 * (little-endian) or write an INTEGER (big-endian). */
static int read_scalar(const unsigned char *pk, int pklen, unsigned n, uint8_t *d,
		       const char **why)
{
	uint8_t le[TM_GOST_MAX_BYTES];
	const unsigned char *p = pk;
	int rc = TM_OK;

	if (pklen == (int)n) {
		memcpy(le, pk, n);
	} else if (pklen > 0 && pk[0] == V_ASN1_OCTET_STRING) {
		ASN1_OCTET_STRING *os = d2i_ASN1_OCTET_STRING(NULL, &p, pklen);
		if (os == NULL || p != pk + pklen || ASN1_STRING_length(os) != (int)n)
			rc = fail(why, TM_ERR_MALFORMED, "the GOST private key is not of its size");
		else
			memcpy(le, ASN1_STRING_get0_data(os), n);
		ASN1_STRING_clear_free(os);
	} else if (pklen > 0 && pk[0] == V_ASN1_INTEGER) {
		ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, &p, pklen);
		BIGNUM *bn = i && p == pk + pklen ? ASN1_INTEGER_to_BN(i, BN_secure_new()) : NULL;
		if (bn == NULL || BN_is_negative(bn) || BN_bn2binpad(bn, d, (int)n) != (int)n)
			rc = fail(why, TM_ERR_MALFORMED, "the GOST private key is not of its size");
		BN_clear_free(bn);
		ASN1_STRING_clear_free(i);
		return rc;
	} else if (pklen > 0 && pk[0] == (V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED)) {
		return fail(why, TM_ERR_MALFORMED,
			    "the GOST private key is masked (CryptoPro's format), which Kazakh "
			    "key stores do not use and this tool does not read");
	} else {
		return fail(why, TM_ERR_MALFORMED, "the GOST private key is not of its size");
	}
	if (rc == TM_OK)
		tm_gost_sig_convert(le, n, d); /* the byte reversal: little- to big-endian */
	OPENSSL_cleanse(le, sizeof(le));
	return rc;
}

static int read_gost(const PKCS8_PRIV_KEY_INFO *p8, unsigned bits, struct tt_p12_key *k,
		     const char **why)
{
	const unsigned char *pk;
	const X509_ALGOR *pa;
	int pklen, rc;

	if (!tm_gost_available())
		return fail(why, TM_ERR_NOT_FOUND, "GOST keys need gost-engine "
			    "(Debian's libengine-gost-openssl)");
	if (!PKCS8_pkey_get0(NULL, &pk, &pklen, &pa, p8))
		return fail(why, TM_ERR_MALFORMED, "the private key cannot be read");
	if (!params_ok(pa, bits))
		return fail(why, TM_ERR_MALFORMED, "the GOST key is not on parameter set A "
			    "(the curve Kazakh keys use)");
	if ((rc = read_scalar(pk, pklen, bits / 8, k->gost_d, why)) != TM_OK)
		return rc;
	if (tm_gost_from_scalar(bits, k->gost_d, bits / 8, &k->key) != TM_OK) {
		OPENSSL_cleanse(k->gost_d, sizeof(k->gost_d));
		return fail(why, TM_ERR_MALFORMED, "the GOST private key is out of range");
	}
	k->gost_bits = bits;
	return TM_OK;
}

int tt_p12_key_read(const PKCS8_PRIV_KEY_INFO *p8, struct tt_p12_key *k, const char **why)
{
	const ASN1_OBJECT *alg;
	unsigned bits;
	int rc;

	memset(k, 0, sizeof(*k));
	if (p8 == NULL || !PKCS8_pkey_get0(&alg, NULL, NULL, NULL, p8))
		return fail(why, TM_ERR_MALFORMED, "the private key cannot be read");
	if ((bits = tt_gost_key_oid_bits(alg)) != 0) {
		rc = read_gost(p8, bits, k, why);
	} else if (OBJ_obj2nid(alg) != NID_rsaEncryption) {
		rc = fail(why, TM_ERR_FUNC_NOT_SUPPORTED, "the key is neither RSA nor "
			  "GOST R 34.10-2015, the keys the NCA issues");
	} else if ((k->key = EVP_PKCS82PKEY(p8)) == NULL) {
		rc = fail(why, TM_ERR_MALFORMED, "the RSA private key cannot be read");
	} else {
		rc = TM_OK;
	}
	ERR_clear_error();
	return rc;
}

void tt_p12_key_clear(struct tt_p12_key *k)
{
	EVP_PKEY_free(k->key);
	OPENSSL_cleanse(k, sizeof(*k));
}
