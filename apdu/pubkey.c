/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "pubkey.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "apdu/gost.h"
#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "apdu/tlv.h"

#define P256_POINT_LEN 65 /* 04 || X || Y */

static void put_bn_param(EVP_PKEY *k, const char *name, uint32_t tag, struct tm_buf *out)
{
	BIGNUM *bn = NULL;
	uint8_t buf[1024];
	int n;

	if (!EVP_PKEY_get_bn_param(k, name, &bn) || BN_num_bytes(bn) > (int)sizeof(buf) ||
	    (n = BN_bn2bin(bn, buf)) <= 0)
		out->failed = true;
	else
		tm_tlv_put(out, tag, buf, (size_t)n);
	BN_free(bn);
}

/* The TC26 OID that names a GOST key's algorithm in 7F49 (its content
 * octets), by size. */
static const ASN1_OBJECT *gost_oid(unsigned bits)
{
	return OBJ_nid2obj(bits == 512 ? NID_id_GostR3410_2012_512 : NID_id_GostR3410_2012_256);
}

/* 7F49{06 OID, 86 04||X||Y}: the point as for EC, big-endian, the size
 * and curve (TC26 parameter set A) told by the OID. */
static void put_gost(EVP_PKEY *k, unsigned bits, struct tm_buf *out)
{
	uint8_t point[1 + 2 * TM_GOST_MAX_BYTES];
	const ASN1_OBJECT *oid = gost_oid(bits);
	size_t half = bits / 8;

	point[0] = 0x04;
	if (oid == NULL || tm_gost_point(k, point + 1, point + 1 + half, NULL) != TM_OK) {
		out->failed = true;
		return;
	}
	tm_tlv_put(out, TM_TAG_KEY_OID, OBJ_get0_data(oid), OBJ_length(oid));
	tm_tlv_put(out, TM_TAG_EC_POINT, point, 1 + 2 * half);
}

void tm_pubkey_encode(EVP_PKEY *k, struct tm_buf *out)
{
	size_t m = tm_tlv_begin(out, TM_TAG_PUBLIC_KEY);
	unsigned gost_bits;

	if (tm_gost_is_gost(k, &gost_bits)) {
		put_gost(k, gost_bits, out);
	} else if (EVP_PKEY_is_a(k, "RSA")) {
		put_bn_param(k, OSSL_PKEY_PARAM_RSA_N, TM_TAG_RSA_MODULUS, out);
		put_bn_param(k, OSSL_PKEY_PARAM_RSA_E, TM_TAG_RSA_EXPONENT, out);
	} else {
		uint8_t point[P256_POINT_LEN];
		size_t len = 0;
		if (!EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, point,
						     sizeof(point), &len))
			out->failed = true;
		else
			tm_tlv_put(out, TM_TAG_EC_POINT, point, len);
	}
	tm_tlv_end(out, m);
}

/*
 * Key types are named by OID, not "RSA" or "EC".  OpenSSL 3.0 turns a name
 * with a legacy NID into a search for an ENGINE that implements it; in a
 * process that loaded one for RSA and EC (OpenSSL's pkcs11 engine, which
 * loads this very module) it picks the engine, which cannot build keys
 * from parameters.  The OIDs name the same key managers of the default
 * provider and have no NID lookup, so no engine is asked.
 */
#define KEYTYPE_RSA "1.2.840.113549.1.1.1"
#define KEYTYPE_EC "1.2.840.10045.2.1"

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *key = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		key = NULL;
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* EVP_PKEY_fromdata does not check that a point is on the curve, so we
 * do, on the curve itself.  Not with EVP_PKEY_public_check: its context
 * looks the key type up by NID, and in a process that made OpenSSL's
 * pkcs11 engine the default for EC (every `openssl ... -engine pkcs11`)
 * that finds the engine, which has no check (-2), and every EC key on the
 * token would be refused.  EC_POINT_oct2point checks that the point is on
 * the curve (P-256 has cofactor 1: nothing else to check). */
static bool valid_p256_point(const uint8_t *point, size_t len)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name_ex(NULL, NULL, NID_X9_62_prime256v1);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	bool ok = p != NULL && EC_POINT_oct2point(g, p, point, len, NULL) == 1 &&
		  !EC_POINT_is_at_infinity(g, p);

	EC_POINT_free(p);
	EC_GROUP_free(g);
	return ok;
}

/* A GOST key from 7F49's 06 and 86; NULL unless a point of the curve
 * the OID names. */
static EVP_PKEY *gost_key(const struct tm_tlv *oid, const struct tm_tlv *point)
{
	EVP_PKEY *key = NULL;

	for (unsigned bits = 256; bits <= 512; bits += 256) {
		const ASN1_OBJECT *o = gost_oid(bits);
		size_t half = bits / 8;
		if (o != NULL && oid->len == (size_t)OBJ_length(o) &&
		    memcmp(oid->value, OBJ_get0_data(o), oid->len) == 0 &&
		    point->len == 1 + 2 * half && point->value[0] == 0x04 &&
		    tm_gost_pubkey(bits, point->value + 1, point->value + 1 + half, &key) == TM_OK)
			return key;
	}
	return NULL;
}

int tm_pubkey_decode(const uint8_t *buf, size_t len, EVP_PKEY **out)
{
	struct tm_tlv pk, a, b;
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *key = NULL;
	BIGNUM *n = NULL, *e = NULL;
	int rc = tm_tlv_find(buf, len, TM_TAG_PUBLIC_KEY, &pk);

	*out = NULL;
	if (rc != TM_OK)
		return rc;
	if (tm_tlv_find(pk.value, pk.len, TM_TAG_KEY_OID, &a) == TM_OK) {
		key = tm_tlv_find(pk.value, pk.len, TM_TAG_EC_POINT, &b) == TM_OK ? gost_key(&a, &b)
										     : NULL;
		*out = key;
		return key ? TM_OK : TM_ERR_MALFORMED;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return TM_ERR_NO_MEMORY;
	if (tm_tlv_find(pk.value, pk.len, TM_TAG_RSA_MODULUS, &a) == TM_OK) {
		/* 1024 to 4096 bits, odd exponent: what a token makes. */
		if (tm_tlv_find(pk.value, pk.len, TM_TAG_RSA_EXPONENT, &b) == TM_OK &&
		    a.len >= 128 && a.len <= 512 && a.value[0] != 0 && b.len >= 1 && b.len <= 8 &&
		    (b.value[b.len - 1] & 1) && (n = BN_bin2bn(a.value, (int)a.len, NULL)) &&
		    (e = BN_bin2bn(b.value, (int)b.len, NULL)) &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			key = from_params(KEYTYPE_RSA, bld);
	} else if (tm_tlv_find(pk.value, pk.len, TM_TAG_EC_POINT, &a) == TM_OK &&
		   a.len == P256_POINT_LEN && a.value[0] == 0x04 &&
		   valid_p256_point(a.value, a.len) &&
		   OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
		   OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, a.value, a.len)) {
		key = from_params(KEYTYPE_EC, bld);
	}
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	if (key == NULL)
		return TM_ERR_MALFORMED;
	*out = key;
	return TM_OK;
}

EVP_PKEY *tm_pubkey_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn = NULL, *be = NULL;
	EVP_PKEY *key = NULL;

	while (n_len > 0 && n[0] == 0)
		n++, n_len--;
	if (bld != NULL && n_len >= 128 && n_len <= 512 && e_len >= 1 && e_len <= 8 &&
	    (e[e_len - 1] & 1) && (bn = BN_bin2bn(n, (int)n_len, NULL)) &&
	    (be = BN_bin2bn(e, (int)e_len, NULL)) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		key = from_params(KEYTYPE_RSA, bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return key;
}
