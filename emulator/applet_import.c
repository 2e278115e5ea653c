/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IMPORT KEY (docs/protocol.md §6.5): a private key made elsewhere (a
 * PKCS#12 file's, say) stored on the card, on models whose real cards
 * take imported keys.  The key is built and checked with OpenSSL; every
 * copy of its parts is wiped. */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "apdu/gost.h"
#include "apdu/protocol.h"
#include "apdu/pubkey.h"
#include "apdu/rc.h"
#include "emulator/applet_internal.h"
#include "emulator/keys.h"

/* One big-endian part of the key template as a BIGNUM (secure heap
 * when the process has one), or NULL when missing or empty. */
static BIGNUM *part(const struct tm_tlv *k, uint32_t tag)
{
	struct tm_tlv t;
	if (tm_tlv_find(k->value, k->len, tag, &t) != TM_OK || t.len == 0 || t.len > 1024)
		return NULL;
	BIGNUM *bn = BN_secure_new();
	if (bn != NULL && BN_bin2bn(t.value, (int)t.len, bn) == NULL) {
		BN_clear_free(bn);
		bn = NULL;
	}
	return bn;
}

static EVP_PKEY *rsa_key(const struct tm_tlv *k, unsigned bits)
{
	static const uint32_t tags[] = {TM_TAG_RSA_MODULUS, TM_TAG_RSA_EXPONENT, TM_TAG_RSA_D,
					TM_TAG_RSA_P, TM_TAG_RSA_Q, TM_TAG_RSA_DP,
					TM_TAG_RSA_DQ, TM_TAG_RSA_QINV};
	static const char *const names[] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
	BIGNUM *bn[8] = {0};
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	bool ok = bld != NULL;
	EVP_PKEY *key = NULL;

	for (size_t i = 0; i < 8 && ok; i++)
		ok = (bn[i] = part(k, tags[i])) != NULL &&
		     OSSL_PARAM_BLD_push_BN(bld, names[i], bn[i]) == 1;
	/* The card makes and takes e = 65537 keys only (§6.4). */
	ok = ok && BN_is_word(bn[1], 65537) && (unsigned)BN_num_bits(bn[0]) == bits;
	if (ok)
		key = tm_key_from_params("RSA", bld);
	for (size_t i = 0; i < 8; i++)
		BN_clear_free(bn[i]);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

/* An EC P-256 key from its scalar: the card works out the point. */
static EVP_PKEY *ec_key(const struct tm_tlv *k)
{
	BIGNUM *d = part(k, TM_TAG_EC_SCALAR);
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *q = g ? EC_POINT_new(g) : NULL;
	BN_CTX *bctx = BN_CTX_secure_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	uint8_t point[65];
	EVP_PKEY *key = NULL;

	if (d != NULL && q != NULL && bctx != NULL && bld != NULL && !BN_is_zero(d) &&
	    BN_cmp(d, EC_GROUP_get0_order(g)) < 0 &&
	    EC_POINT_mul(g, q, d, NULL, NULL, bctx) == 1 &&
	    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, point, sizeof(point), bctx) ==
		    sizeof(point) &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)) == 1)
		key = tm_key_from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_CTX_free(bctx);
	EC_POINT_free(q);
	EC_GROUP_free(g);
	BN_clear_free(d);
	return key;
}

/* A GOST key from its scalar (87, big-endian, as for EC). */
static EVP_PKEY *gost_key(const struct tm_tlv *k, unsigned bits)
{
	struct tm_tlv t;
	EVP_PKEY *key = NULL;
	if (tm_tlv_find(k->value, k->len, TM_TAG_EC_SCALAR, &t) == TM_OK)
		tm_gost_from_scalar(bits, t.value, t.len, &key);
	return key;
}

uint16_t tm_h_import_key(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_tlv e2, k;
	uint32_t alg, bits, usage;
	uint16_t sw;

	if ((sw = tm_applet_need_user(a)) != TM_SW_OK)
		return sw;
	if (!(a->card->model->caps & TM_CAP_KEY_IMPORT))
		return TM_SW_FUNC_NOT_SUPPORTED; /* this model's cards make their keys only */
	if (c->p1 != 0 || c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if (tm_tlv_find(c->data, c->nc, TM_TAG_KEYGEN, &e2) != TM_OK ||
	    e2.value + e2.len != c->data + c->nc ||
	    tm_applet_key_header(a, &e2, &alg, &bits, &usage) != TM_SW_OK ||
	    tm_tlv_find(e2.value, e2.len, TM_TAG_PRIVATE_KEY, &k) != TM_OK)
		return TM_SW_WRONG_DATA;
	struct tm_object tmp = {.cls = TM_OBJ_KEY_PAIR, .key_alg = (uint8_t)alg,
				.bits = (uint16_t)bits, .usage = (uint8_t)usage};
	if ((sw = tm_applet_keygen_flags(&e2, &tmp)) != TM_SW_OK ||
	    (sw = tm_applet_read_attrs(e2.value, e2.len, &tmp)) != TM_SW_OK)
		return sw;
	tmp.flags |= TM_OBJF_IMPORTED;
	if (tm_object_cost(&tmp) > tm_card_free_bytes(a->card))
		return TM_SW_NO_MEMORY;
	tmp.pkey = alg == TM_KEY_RSA ? rsa_key(&k, bits) : alg == TM_KEY_EC_P256 ? ec_key(&k)
									: gost_key(&k, bits);
	if (tmp.pkey == NULL)
		return TM_SW_WRONG_DATA; /* the parts do not make a key of this kind */
	struct tm_object *o = tm_card_add(a->card);
	if (o == NULL) {
		EVP_PKEY_free(tmp.pkey);
		return TM_SW_NO_MEMORY;
	}
	tmp.ref = o->ref;
	*o = tmp;
	if ((sw = tm_applet_commit(a, true)) != TM_SW_OK)
		return sw;
	o = tm_card_find(a->card, tmp.ref);
	tm_tlv_put_u16(out, TM_TAG_FILE_ID, o->ref);
	tm_pubkey_encode(o->pkey, out);
	return TM_SW_OK;
}
