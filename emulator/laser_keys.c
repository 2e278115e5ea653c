/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LASER key commands (jacarta-laser.md §6, §7): GENERATE into the
 * selected KO, PSO sign / raw / decipher with the KO selected last, and
 * a private key's parts by UPDATE KO (80 24).  All cryptography is
 * OpenSSL's (keys.c); a private key never leaves its KO.
 */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "apdu/protocol.h"
#include "apdu/pubkey.h"
#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "emulator/keys.h"
#include "emulator/laser_internal.h"

/* A private RSA KO: one under 3002 whose algorithm is RSA. */
static bool private_ko(const struct tm_lfile *f)
{
	return tm_laser_is_ko(f) && f->fcp.prop_len > 2 && f->fcp.prop[2] == TM_LASER_KO_ALG_RSA &&
	       f->parent != NULL && f->parent->fcp.fid == TM_LASER_FID_PRIVATE;
}

static unsigned gen_bits(uint8_t alg)
{
	switch (alg) {
	case TM_LASER_GEN_RSA_1024: return 1024;
	case TM_LASER_GEN_RSA_2048: return 2048;
	case TM_LASER_GEN_RSA_4096: return 4096;
	default: return 0;
	}
}

static void put_public(EVP_PKEY *k, struct tm_buf *out)
{
	BIGNUM *n = NULL, *e = NULL;
	size_t len = (size_t)EVP_PKEY_get_size(k);

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
		out->failed = true;
	} else {
		size_t m = tm_tlv_begin(out, 0x7F49);
		uint8_t *p = NULL;
		size_t mm = tm_tlv_begin(out, 0x81);
		if ((p = tm_buf_reserve(out, len)) != NULL)
			BN_bn2binpad(n, p, (int)len); /* exactly the key's bytes (§6) */
		tm_tlv_end(out, mm);
		size_t em = tm_tlv_begin(out, 0x82);
		if ((p = tm_buf_reserve(out, (size_t)BN_num_bytes(e))) != NULL)
			BN_bn2bin(e, p);
		tm_tlv_end(out, em);
		tm_tlv_end(out, m);
	}
	BN_free(n);
	BN_free(e);
}

/* 00 47 00 00 AC { 80 alg, 81 e }: a key pair made in the selected KO;
 * the answer is its public half, 7F49 { 81 n, 82 e }. */
uint16_t tm_laser_h_generate(struct tm_laser_applet *a, const struct tm_apdu *c,
			     struct tm_buf *out)
{
	struct tm_tlv ac, alg, e;
	struct tm_lfile *ko = a->ef;
	uint16_t sw;

	if (c->p1 != 0 || c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if (!private_ko(ko))
		return TM_SW_INCOMPATIBLE_FILE;
	if ((sw = tm_laser_may(a, ko, TM_LASER_KO_GENERATE)) != TM_SW_OK)
		return sw;
	if (tm_tlv_find(c->data, c->nc, 0xAC, &ac) != TM_OK ||
	    tm_tlv_find(ac.value, ac.len, 0x80, &alg) != TM_OK || alg.len != 1 ||
	    tm_tlv_find(ac.value, ac.len, 0x81, &e) != TM_OK)
		return TM_SW_WRONG_DATA;
	unsigned bits = gen_bits(alg.value[0]);
	/* The card makes e = 65537 keys, of the KO's size (§6). */
	if (bits == 0 || bits != (unsigned)ko->fcp.size * 8 || e.len != 3 ||
	    memcmp(e.value, "\x01\x00\x01", 3) != 0 ||
	    !tm_model_has_alg(a->card->model, TM_KEY_RSA, bits))
		return TM_SW_WRONG_DATA;
	EVP_PKEY *k = tm_key_generator(TM_KEY_RSA, bits);
	if (k == NULL)
		return TM_SW_NO_DIAGNOSIS;
	put_public(k, out);
	if (!tm_buf_ok(out)) {
		EVP_PKEY_free(k);
		return TM_SW_NO_DIAGNOSIS;
	}
	EVP_PKEY_free(ko->key);
	ko->key = k;
	a->last_op = TM_OP_KEYGEN;
	return tm_laser_commit(a);
}

/* The value of the single data object that PSO carries (80 or 82). */
static bool pso_input(const struct tm_apdu *c, uint32_t tag, struct tm_tlv *t)
{
	return tm_tlv_find(c->data, c->nc, tag, t) == TM_OK && t->value + t->len == c->data + c->nc;
}

uint16_t tm_laser_h_pso(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_lfile *ko = a->key;
	struct tm_tlv in;
	uint16_t sw;
	unsigned op = (unsigned)(c->p1 << 8 | c->p2);

	if (op != TM_LASER_PSO_SIGN && op != TM_LASER_PSO_RAW && op != TM_LASER_PSO_DECIPHER)
		return TM_SW_WRONG_P1P2;
	/* No MSE: the key is the KO selected last (§7). */
	if (!private_ko(ko) || ko->key == NULL)
		return TM_SW_CONDITIONS;
	if ((sw = tm_laser_may(a, ko, TM_LASER_KO_CRYPTO)) != TM_SW_OK)
		return sw;
	if (!pso_input(c, op == TM_LASER_PSO_SIGN ? 0x80 : 0x82, &in))
		return TM_SW_WRONG_DATA;
	if (op == TM_LASER_PSO_SIGN) {
		/* The card pads (type 1) what the host gives: a DigestInfo,
		 * or any input of CKM_RSA_PKCS; the answer is bare. */
		struct tm_op_params p = {.alg = TM_ALG_RSA_PKCS1, .salt_len = -1};
		a->last_op = TM_OP_SIGN;
		return tm_key_sign(ko->key, &p, in.value, in.len, out);
	}
	struct tm_buf res;
	tm_buf_init_dynamic(&res, 1024);
	if (op == TM_LASER_PSO_RAW) {
		a->last_op = TM_OP_SIGN;
		sw = tm_key_raw(ko->key, in.value, in.len, &res);
	} else {
		struct tm_op_params p = {.alg = TM_ALG_RSA_DECRYPT_PKCS1, .salt_len = -1};
		a->last_op = TM_OP_DECRYPT;
		sw = tm_key_decrypt(ko->key, &p, in.value, in.len, &res);
	}
	if (sw == TM_SW_OK)
		tm_tlv_put(out, 0x80, res.data, res.len); /* 80 L <result> */
	/* A deciphered value is the key owner's secret: length only. */
	a->private_out = op == TM_LASER_PSO_DECIPHER || op == TM_LASER_PSO_RAW;
	tm_buf_free(&res);
	return sw;
}

/* --- Private-key import (80 24) ------------------------------------------ */

static BIGNUM *bn(const uint8_t *p, size_t n)
{
	BIGNUM *b = BN_secure_new();
	if (b != NULL && BN_bin2bn(p, (int)n, b) == NULL) {
		BN_clear_free(b);
		b = NULL;
	}
	return b;
}

/* 93 is p || q with leading zeros perhaps stripped (§6): the split is
 * the one whose halves multiply to n, tried around the middle. */
static bool split_factors(const struct tm_tlv *pq, const BIGNUM *n, BIGNUM **p, BIGNUM **q)
{
	BN_CTX *ctx = BN_CTX_secure_new();
	BIGNUM *prod = BN_secure_new();
	bool ok = false;

	for (size_t half = pq->len / 2, d = 0; ctx && prod && d <= 2 && !ok; d++) {
		for (int sign = 0; sign < 2 && !ok; sign++) {
			size_t k = sign ? half + d : half - d;
			if ((sign && d == 0) || k == 0 || k >= pq->len)
				continue;
			*p = bn(pq->value, k);
			*q = bn(pq->value + k, pq->len - k);
			ok = *p && *q && BN_mul(prod, *p, *q, ctx) == 1 && BN_cmp(prod, n) == 0;
			if (!ok) {
				BN_clear_free(*p);
				BN_clear_free(*q);
				*p = *q = NULL;
			}
		}
	}
	BN_clear_free(prod);
	BN_CTX_free(ctx);
	return ok;
}

/* 94 must be dp || dq || qinv, each with its leading zeros stripped or
 * padded to half the key's length: whichever, the card compares it with
 * what it works out from d, p and q rather than split it. */
static bool crt_matches(const struct tm_tlv *crt, BIGNUM *const v[3], size_t half)
{
	uint8_t mine[3 * 256];
	size_t stripped = 0;
	bool ok = false;

	if (half > 256)
		return false;
	for (int pad = 0; pad < 2 && !ok; pad++) {
		size_t off = 0;
		for (int i = 0; i < 3; i++) {
			int n = pad ? BN_bn2binpad(v[i], mine + off, (int)half) : BN_bn2bin(v[i], mine + off);
			if (n < 0)
				break;
			off += (size_t)n;
		}
		stripped = off;
		ok = stripped == crt->len && CRYPTO_memcmp(mine, crt->value, stripped) == 0;
	}
	OPENSSL_cleanse(mine, sizeof(mine));
	return ok;
}

/* dp, dq and qinv worked out from d, p and q, and compared with 94. */
static EVP_PKEY *rsa_from(BIGNUM *n, BIGNUM *e, BIGNUM *d, BIGNUM *p, BIGNUM *q,
			  const struct tm_tlv *crt)
{
	BN_CTX *ctx = BN_CTX_secure_new();
	BIGNUM *p1 = BN_secure_new(), *q1 = BN_secure_new(), *dp = BN_secure_new(),
	       *dq = BN_secure_new(), *qinv = BN_secure_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *k = NULL;

	if (ctx && p1 && q1 && dp && dq && qinv && bld && BN_sub(p1, p, BN_value_one()) &&
	    BN_sub(q1, q, BN_value_one()) && BN_mod(dp, d, p1, ctx) && BN_mod(dq, d, q1, ctx) &&
	    BN_mod_inverse(qinv, q, p, ctx) != NULL &&
	    crt_matches(crt, (BIGNUM *const[3]){dp, dq, qinv}, (size_t)BN_num_bytes(n) / 2) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv))
		k = tm_key_from_params("RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(p1);
	BN_clear_free(q1);
	BN_clear_free(dp);
	BN_clear_free(dq);
	BN_clear_free(qinv);
	BN_CTX_free(ctx);
	return k;
}

/* 62 { 90 e, 91 n, 92 d, 93 p||q, 94 dp||dq||qinv } into the selected
 * private KO (§6), on models that take imported keys. */
uint16_t tm_laser_store_key(struct tm_laser_applet *a, struct tm_lfile *ko, const struct tm_apdu *c)
{
	struct tm_tlv t62, te, tn, td, tpq, tcrt;
	BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL;
	EVP_PKEY *k = NULL;
	uint16_t sw;

	if (!(a->card->model->caps & TM_CAP_KEY_IMPORT))
		return TM_SW_FUNC_NOT_SUPPORTED;
	if (!private_ko(ko))
		return TM_SW_INCOMPATIBLE_FILE;
	if ((sw = tm_laser_may(a, ko, TM_LASER_KO_UPDATE)) != TM_SW_OK)
		return sw;
	if (tm_tlv_find(c->data, c->nc, 0x62, &t62) != TM_OK ||
	    tm_tlv_find(t62.value, t62.len, 0x90, &te) != TM_OK ||
	    tm_tlv_find(t62.value, t62.len, 0x91, &tn) != TM_OK ||
	    tm_tlv_find(t62.value, t62.len, 0x92, &td) != TM_OK ||
	    tm_tlv_find(t62.value, t62.len, 0x93, &tpq) != TM_OK ||
	    tm_tlv_find(t62.value, t62.len, 0x94, &tcrt) != TM_OK || tn.len > 512 || td.len > 512)
		return TM_SW_WRONG_DATA;
	sw = TM_SW_WRONG_DATA;
	if ((n = bn(tn.value, tn.len)) == NULL || (e = bn(te.value, te.len)) == NULL ||
	    (d = bn(td.value, td.len)) == NULL || !BN_is_word(e, 65537) ||
	    (unsigned)BN_num_bits(n) != (unsigned)ko->fcp.size * 8 || !split_factors(&tpq, n, &p, &q))
		goto done;
	if ((k = rsa_from(n, e, d, p, q, &tcrt)) == NULL)
		goto done;
	EVP_PKEY_free(ko->key);
	ko->key = k;
	sw = tm_laser_commit(a);
done:
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(p);
	BN_clear_free(q);
	return sw;
}

/* A public KO's content at CREATE FILE: 71 { 90 e, 91 n } (§6). */
EVP_PKEY *tm_laser_public_key(const uint8_t *p, size_t n, unsigned bits)
{
	struct tm_tlv te, tn;
	EVP_PKEY *k;

	if (tm_tlv_find(p, n, 0x90, &te) != TM_OK || tm_tlv_find(p, n, 0x91, &tn) != TM_OK ||
	    (k = tm_pubkey_rsa(tn.value, tn.len, te.value, te.len)) == NULL)
		return NULL;
	if ((unsigned)EVP_PKEY_get_bits(k) != bits) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}
