/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gost-engine behind apdu/gost.h.  The ENGINE interface is deprecated in
 * OpenSSL 3, but gost-engine's provider (gostprov) has digests only: its
 * keys and signatures are the engine's.  This file alone uses ENGINE and
 * the EC_KEY inside a GOST key, hence the suppression.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <config.h>

#include "gost.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "apdu/rc.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static ENGINE *engine;

static void load(void)
{
	ENGINE *e = ENGINE_by_id("gost");

	if (e != NULL && ENGINE_init(e) == 1 && ENGINE_register_pkey_asn1_meths(e) == 1) {
		ENGINE_free(e); /* the functional reference from ENGINE_init stays */
		engine = e;
	} else {
		if (e != NULL)
			ENGINE_free(e);
		fprintf(stderr, "tumar: gost-engine does not load (libengine-gost-openssl): "
				"no GOST keys\n");
	}
	ERR_clear_error();
}

bool tm_gost_available(void)
{
	pthread_once(&once, load);
	return engine != NULL;
}

static int key_nid(unsigned bits)
{
	return bits == 512 ? NID_id_GostR3410_2012_512 : bits == 256 ? NID_id_GostR3410_2012_256 : 0;
}

/* TC26 parameter set A in gost-engine's names: "A" for 512 bits, and
 * "TCA" for 256 ("A" there is CryptoPro's, another curve). */
static const char *paramset(unsigned bits)
{
	return bits == 512 ? "A" : "TCA";
}

int tm_gost_digest_init(EVP_MD_CTX *ctx, unsigned bits)
{
	int nid = bits == 512 ? NID_id_GostR3411_2012_512 : bits == 256 ? NID_id_GostR3411_2012_256 : 0;

	if (nid == 0 || ctx == NULL)
		return TM_ERR_ARGS;
	if (!tm_gost_available())
		return TM_ERR_NOT_FOUND;
	const EVP_MD *md = ENGINE_get_digest(engine, nid);
	return md != NULL && EVP_DigestInit_ex(ctx, md, engine) == 1 ? TM_OK : TM_ERR_NOT_FOUND;
}

int tm_gost_digest(unsigned bits, const uint8_t *data, size_t len, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned n = 0;
	int rc = ctx ? tm_gost_digest_init(ctx, bits) : TM_ERR_NO_MEMORY;

	if (rc == TM_OK && (EVP_DigestUpdate(ctx, data, len) != 1 ||
			    EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != bits / 8))
		rc = TM_ERR_ARGS;
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* A key of this size with its parameters and no point yet (keygen false),
 * or a whole new key pair. */
static int make_key(unsigned bits, bool keygen, EVP_PKEY **out)
{
	int nid = key_nid(bits);

	*out = NULL;
	if (nid == 0)
		return TM_ERR_ARGS;
	if (!tm_gost_available())
		return TM_ERR_NOT_FOUND;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(nid, engine);
	int ok = pc != NULL && (keygen ? EVP_PKEY_keygen_init(pc) : EVP_PKEY_paramgen_init(pc)) == 1 &&
		 EVP_PKEY_CTX_ctrl_str(pc, "paramset", paramset(bits)) > 0 &&
		 (keygen ? EVP_PKEY_keygen(pc, out) : EVP_PKEY_paramgen(pc, out)) == 1;
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	return ok ? TM_OK : TM_ERR_NO_MEMORY;
}

int tm_gost_keygen(unsigned bits, EVP_PKEY **out)
{
	return make_key(bits, true, out);
}

bool tm_gost_is_gost(EVP_PKEY *key, unsigned *bits)
{
	int id = key ? EVP_PKEY_get_base_id(key) : 0;
	unsigned b = id == NID_id_GostR3410_2012_512 ? 512 : id == NID_id_GostR3410_2012_256 ? 256 : 0;

	if (bits)
		*bits = b;
	return b != 0;
}

int tm_gost_pubkey(unsigned bits, const uint8_t *x, const uint8_t *y, EVP_PKEY **out)
{
	int rc = make_key(bits, false, out);
	if (rc != TM_OK)
		return rc;
	EC_KEY *ec = EVP_PKEY_get0(*out);
	BIGNUM *bx = BN_bin2bn(x, (int)(bits / 8), NULL), *by = BN_bin2bn(y, (int)(bits / 8), NULL);
	if (ec == NULL || bx == NULL || by == NULL ||
	    EC_KEY_set_public_key_affine_coordinates(ec, bx, by) != 1)
		rc = TM_ERR_MALFORMED; /* not a point of the curve */
	BN_free(bx);
	BN_free(by);
	ERR_clear_error();
	if (rc != TM_OK) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	return rc;
}

int tm_gost_from_scalar(unsigned bits, const uint8_t *d, size_t len, EVP_PKEY **out)
{
	int rc = len > 0 && len <= bits / 8 ? make_key(bits, false, out) : TM_ERR_ARGS;
	if (rc != TM_OK)
		return rc;
	EC_KEY *ec = EVP_PKEY_get0(*out);
	const EC_GROUP *g = ec ? EC_KEY_get0_group(ec) : NULL;
	BIGNUM *bd = BN_secure_new();
	BN_CTX *bctx = BN_CTX_secure_new();
	EC_POINT *q = g ? EC_POINT_new(g) : NULL;
	/* 0 < d < q, then Q = dG: the point is the card's, not the sender's. */
	if (bd == NULL || bctx == NULL || q == NULL || BN_bin2bn(d, (int)len, bd) == NULL ||
	    BN_is_zero(bd) || BN_cmp(bd, EC_GROUP_get0_order(g)) >= 0 ||
	    EC_POINT_mul(g, q, bd, NULL, NULL, bctx) != 1 || EC_KEY_set_private_key(ec, bd) != 1 ||
	    EC_KEY_set_public_key(ec, q) != 1)
		rc = TM_ERR_MALFORMED;
	EC_POINT_free(q);
	BN_CTX_free(bctx);
	BN_clear_free(bd);
	ERR_clear_error();
	if (rc != TM_OK) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	return rc;
}

int tm_gost_point(EVP_PKEY *key, uint8_t *x, uint8_t *y, unsigned *bits)
{
	unsigned b;

	if (!tm_gost_is_gost(key, &b))
		return TM_ERR_ARGS;
	const EC_KEY *ec = EVP_PKEY_get0(key);
	const EC_POINT *q = ec ? EC_KEY_get0_public_key(ec) : NULL;
	BIGNUM *bx = BN_new(), *by = BN_new();
	int rc = q && bx && by &&
				 EC_POINT_get_affine_coordinates(EC_KEY_get0_group(ec), q, bx, by, NULL) == 1 &&
				 BN_bn2binpad(bx, x, (int)(b / 8)) == (int)(b / 8) &&
				 BN_bn2binpad(by, y, (int)(b / 8)) == (int)(b / 8)
			 ? TM_OK
			 : TM_ERR_ARGS;
	BN_free(bx);
	BN_free(by);
	if (rc == TM_OK && bits)
		*bits = b;
	return rc;
}

/* The key and parameter-set OIDs a SubjectPublicKeyInfo may carry. */
static const struct {
	const char *key, *params, *hash, *sig;
	unsigned bits;
	bool nca;
} spki_oids[] = {
	/* the NCA's (kz-gost.md) */
	{"1.2.398.3.10.1.1.2.2", "1.2.398.3.10.1.1.2.2.1", "1.2.398.3.10.1.3.3",
	 "1.2.398.3.10.1.1.2.3.2", 512, true},
	{"1.2.398.3.10.1.1.2.1", "1.2.398.3.10.1.1.2.1.1", "1.2.398.3.10.1.3.2",
	 "1.2.398.3.10.1.1.2.3.1", 256, true},
	/* TC26 */
	{"1.2.643.7.1.1.1.2", "1.2.643.7.1.2.1.2.1", "1.2.643.7.1.1.2.3", "1.2.643.7.1.1.3.3", 512,
	 false},
	{"1.2.643.7.1.1.1.1", "1.2.643.7.1.2.1.1.1", "1.2.643.7.1.1.2.2", "1.2.643.7.1.1.3.2", 256,
	 false},
};

const char *tm_gost_oid(unsigned bits, bool nca, enum tm_gost_oid_kind kind)
{
	for (size_t i = 0; i < sizeof(spki_oids) / sizeof(spki_oids[0]); i++)
		if (spki_oids[i].bits == bits && spki_oids[i].nca == nca)
			return kind == TM_GOST_OID_KEY      ? spki_oids[i].key
			       : kind == TM_GOST_OID_PARAMS ? spki_oids[i].params
			       : kind == TM_GOST_OID_HASH   ? spki_oids[i].hash
							    : spki_oids[i].sig;
	return NULL;
}

/* The parameters' SEQUENCE { parameter set, hash } as an ASN1_STRING. */
static ASN1_STRING *params_seq(unsigned bits, bool nca)
{
	STACK_OF(ASN1_TYPE) *items = sk_ASN1_TYPE_new_null();
	ASN1_STRING *seq = NULL;
	unsigned char *der = NULL;
	bool ok = items != NULL;

	for (int k = 0; ok && k < 2; k++) {
		ASN1_TYPE *t = ASN1_TYPE_new();
		ASN1_OBJECT *o = OBJ_txt2obj(tm_gost_oid(bits, nca, k ? TM_GOST_OID_HASH
								      : TM_GOST_OID_PARAMS), 1);
		ok = t != NULL && o != NULL;
		if (ok)
			ASN1_TYPE_set(t, V_ASN1_OBJECT, o);
		else
			ASN1_OBJECT_free(o);
		ok = ok && sk_ASN1_TYPE_push(items, t) > 0;
		if (!ok)
			ASN1_TYPE_free(t);
	}
	int n = ok ? i2d_ASN1_SEQUENCE_ANY(items, &der) : -1;
	if (n > 0 && (seq = ASN1_STRING_new()) != NULL && ASN1_STRING_set(seq, der, n) != 1) {
		ASN1_STRING_free(seq);
		seq = NULL;
	}
	OPENSSL_free(der);
	sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
	return seq;
}

int tm_gost_x509_pubkey(EVP_PKEY *key, bool nca, X509_PUBKEY *out)
{
	uint8_t x[TM_GOST_MAX_BYTES], y[TM_GOST_MAX_BYTES], v[2 * TM_GOST_MAX_BYTES];
	unsigned bits;

	if (tm_gost_point(key, x, y, &bits) != TM_OK)
		return TM_ERR_ARGS;
	size_t n = bits / 8;
	tm_gost_sig_convert(x, n, v); /* little-endian, x then y */
	tm_gost_sig_convert(y, n, v + n);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	ASN1_STRING *params = params_seq(bits, nca);
	ASN1_OBJECT *alg = OBJ_txt2obj(tm_gost_oid(bits, nca, TM_GOST_OID_KEY), 1);
	unsigned char *penc = NULL;
	int len = os && ASN1_OCTET_STRING_set(os, v, (int)(2 * n)) == 1
			  ? i2d_ASN1_OCTET_STRING(os, &penc)
			  : -1;
	ASN1_OCTET_STRING_free(os);
	/* set0 takes alg, params and penc. */
	if (len <= 0 || params == NULL || alg == NULL ||
	    X509_PUBKEY_set0_param(out, alg, V_ASN1_SEQUENCE, params, penc, len) != 1) {
		OPENSSL_free(penc);
		ASN1_STRING_free(params);
		ASN1_OBJECT_free(alg);
		ERR_clear_error();
		return TM_ERR_NO_MEMORY;
	}
	return TM_OK;
}

static bool oid_is(const ASN1_OBJECT *o, const char *text)
{
	char buf[64];
	return o != NULL && OBJ_obj2txt(buf, sizeof(buf), o, 1) > 0 && strcmp(buf, text) == 0;
}

/* The parameter set: the first OID of the parameters' SEQUENCE. */
static bool params_are(const void *pval, int ptype, const char *want)
{
	const ASN1_STRING *seq = pval;
	if (ptype != V_ASN1_SEQUENCE || seq == NULL)
		return false;
	const unsigned char *p = ASN1_STRING_get0_data(seq);
	STACK_OF(ASN1_TYPE) *items = d2i_ASN1_SEQUENCE_ANY(NULL, &p, ASN1_STRING_length(seq));
	bool ok = items != NULL && sk_ASN1_TYPE_num(items) >= 1 &&
		  ASN1_TYPE_get(sk_ASN1_TYPE_value(items, 0)) == V_ASN1_OBJECT &&
		  oid_is(sk_ASN1_TYPE_value(items, 0)->value.object, want);
	sk_ASN1_TYPE_pop_free(items, ASN1_TYPE_free);
	return ok;
}

int tm_gost_pubkey_from_spki(const uint8_t *der, size_t len, EVP_PKEY **out, unsigned *bits)
{
	const unsigned char *p = der;
	X509_PUBKEY *xp = der && len <= 4096 ? d2i_X509_PUBKEY(NULL, &p, (long)len) : NULL;
	const ASN1_OBJECT *alg = NULL;
	const unsigned char *pk = NULL;
	int pk_len = 0, ptype = 0;
	const void *pval = NULL;
	X509_ALGOR *algor = NULL;
	int rc = TM_ERR_MALFORMED;

	*out = NULL;
	if (xp == NULL || p != der + len || X509_PUBKEY_get0_param(NULL, &pk, &pk_len, &algor, xp) != 1) {
		X509_PUBKEY_free(xp);
		ERR_clear_error();
		return TM_ERR_MALFORMED;
	}
	X509_ALGOR_get0(&alg, &ptype, &pval, algor);
	for (size_t i = 0; i < sizeof(spki_oids) / sizeof(spki_oids[0]); i++) {
		if (!oid_is(alg, spki_oids[i].key) || !params_are(pval, ptype, spki_oids[i].params))
			continue;
		/* The key: an OCTET STRING of x || y, each little-endian. */
		unsigned n = spki_oids[i].bits / 8;
		const unsigned char *q = pk;
		ASN1_OCTET_STRING *os = d2i_ASN1_OCTET_STRING(NULL, &q, pk_len);
		if (os != NULL && q == pk + pk_len && ASN1_STRING_length(os) == (int)(2 * n)) {
			uint8_t x[TM_GOST_MAX_BYTES], y[TM_GOST_MAX_BYTES];
			const uint8_t *v = ASN1_STRING_get0_data(os);
			tm_gost_sig_convert(v, n, x);
			tm_gost_sig_convert(v + n, n, y);
			rc = tm_gost_pubkey(spki_oids[i].bits, x, y, out);
			if (rc == TM_OK && bits)
				*bits = spki_oids[i].bits;
		}
		ASN1_OCTET_STRING_free(os);
		break;
	}
	X509_PUBKEY_free(xp);
	ERR_clear_error();
	return rc;
}

void tm_gost_sig_convert(const uint8_t *in, size_t n, uint8_t *out)
{
	/* In place too: swap from both ends (the middle byte of an odd
	 * length swaps with itself). */
	for (size_t i = 0, j = n; i < j--; i++) {
		uint8_t a = in[i], b = in[j];
		out[i] = b;
		out[j] = a;
	}
}

int tm_gost_sign(EVP_PKEY *key, const uint8_t *digest, size_t digest_len,
		 enum tm_gost_layout layout, uint8_t *sig, size_t *sig_len)
{
	unsigned bits;

	if (!tm_gost_is_gost(key, &bits) || digest_len != bits / 8)
		return TM_ERR_ARGS;
	if (*sig_len < 2 * digest_len)
		return TM_ERR_BUFFER_TOO_SMALL;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(key, engine);
	size_t n = *sig_len;
	int rc = pc && EVP_PKEY_sign_init(pc) == 1 && EVP_PKEY_sign(pc, sig, &n, digest, digest_len) == 1 &&
				 n == 2 * digest_len
			 ? TM_OK
			 : TM_ERR_ARGS;
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	if (rc == TM_OK && layout == TM_GOST_NCA)
		tm_gost_sig_convert(sig, n, sig);
	if (rc == TM_OK)
		*sig_len = n;
	return rc;
}

int tm_gost_verify(EVP_PKEY *key, const uint8_t *digest, size_t digest_len,
		   enum tm_gost_layout layout, const uint8_t *sig, size_t sig_len)
{
	unsigned bits;
	uint8_t rfc[2 * TM_GOST_MAX_BYTES];

	if (!tm_gost_is_gost(key, &bits) || digest_len != bits / 8)
		return TM_ERR_ARGS;
	if (sig_len != 2 * digest_len)
		return TM_ERR_WRONG_DATA;
	if (layout == TM_GOST_NCA)
		tm_gost_sig_convert(sig, sig_len, rfc);
	else
		memcpy(rfc, sig, sig_len);
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(key, engine);
	int ok = pc && EVP_PKEY_verify_init(pc) == 1 &&
		 EVP_PKEY_verify(pc, rfc, sig_len, digest, digest_len) == 1;
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	return ok ? TM_OK : TM_ERR_WRONG_DATA;
}
