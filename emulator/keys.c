/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "keys.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "apdu/gost.h"
#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"

EVP_PKEY *tm_key_generate(uint8_t key_alg, unsigned bits)
{
	if (key_alg == TM_KEY_RSA)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	if (key_alg == TM_KEY_EC_P256 && bits == 256)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *k = NULL;
	if ((key_alg == TM_KEY_GOST2012_512 && bits == 512) ||
	    (key_alg == TM_KEY_GOST2012_256 && bits == 256))
		tm_gost_keygen(bits, &k);
	return k;
}

EVP_PKEY *(*tm_key_generator)(uint8_t key_alg, unsigned bits) = tm_key_generate;

/* PSS and OAEP settings on ctx; false when the parameters are bad. */
static bool set_rsa_params(EVP_PKEY_CTX *ctx, const struct tm_op_params *p,
			   const EVP_MD *md)
{
	const EVP_MD *mgf = p->mgf_hash ? tm_hash_md(p->mgf_hash) : md;

	if (mgf == NULL)
		return false;
	if (p->alg == TM_ALG_RSA_PSS)
		return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
		       EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
		       EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf) > 0 &&
		       EVP_PKEY_CTX_set_rsa_pss_saltlen(
			       ctx, p->salt_len < 0 ? RSA_PSS_SALTLEN_DIGEST : p->salt_len) > 0;
	/* OAEP */
	if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf) <= 0)
		return false;
	if (p->label_len == 0)
		return true;
	void *label = OPENSSL_memdup(p->label, p->label_len);
	if (label == NULL || EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, (int)p->label_len) <= 0) {
		OPENSSL_free(label);
		return false;
	}
	return true; /* ctx owns label now */
}

/* ECDSA gives DER; PKCS#11's CKM_ECDSA wants r || s, each the size of the
 * group order (PKCS#11 2.40 §2.3.1). */
static uint16_t ecdsa_raw(const uint8_t *der, size_t len, struct tm_buf *out)
{
	const uint8_t *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	uint16_t sw = TM_SW_NO_DIAGNOSIS;

	if (sig != NULL) {
		uint8_t *rs = tm_buf_reserve(out, 64);
		if (rs != NULL && BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32) == 32 &&
		    BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32) == 32)
			sw = TM_SW_OK;
		ECDSA_SIG_free(sig);
	}
	return sw;
}

/* GOST over a digest of the key's size, in the layout asked. */
static uint16_t gost_sign(EVP_PKEY *k, const struct tm_op_params *p, const uint8_t *in,
			  size_t n, struct tm_buf *out)
{
	uint8_t sig[2 * TM_GOST_MAX_BYTES];
	size_t len = sizeof(sig);
	unsigned bits;

	if (!tm_gost_is_gost(k, &bits) || n != bits / 8)
		return TM_SW_WRONG_DATA;
	if (tm_gost_sign(k, in, n, p->layout == TM_SIG_LAYOUT_NCA ? TM_GOST_NCA : TM_GOST_RFC4491,
			 sig, &len) != TM_OK)
		return TM_SW_NO_DIAGNOSIS;
	tm_buf_add(out, sig, len);
	return TM_SW_OK;
}

uint16_t tm_key_sign(EVP_PKEY *k, const struct tm_op_params *p,
		     const uint8_t *in, size_t n, struct tm_buf *out)
{
	const EVP_MD *md = tm_hash_md(p->hash);
	bool rsa = EVP_PKEY_is_a(k, "RSA");
	size_t k_len = (size_t)EVP_PKEY_get_size(k), sig_len = k_len;
	uint16_t sw = TM_SW_WRONG_DATA;
	uint8_t sig[1024];

	if (p->alg == TM_ALG_GOST)
		return gost_sign(k, p, in, n, out);
	if (tm_gost_is_gost(k, NULL))
		return TM_SW_WRONG_DATA; /* a GOST key signs GOST only */
	switch (p->alg) {
	case TM_ALG_RSA_PKCS1:
		if (!rsa || n == 0 || n + 11 > k_len)
			return TM_SW_WRONG_DATA;
		break;
	case TM_ALG_RSA_PSS:
		if (!rsa || md == NULL || n != (size_t)EVP_MD_get_size(md))
			return TM_SW_WRONG_DATA;
		break;
	case TM_ALG_ECDSA:
		if (rsa || n == 0 || n > 64)
			return TM_SW_WRONG_DATA;
		break;
	default:
		return TM_SW_WRONG_DATA;
	}
	if (k_len > sizeof(sig))
		return TM_SW_NO_DIAGNOSIS;

	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0)
		goto done;
	if (p->alg == TM_ALG_RSA_PKCS1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		goto done;
	if (p->alg == TM_ALG_RSA_PSS && !set_rsa_params(ctx, p, md))
		goto done;
	if (EVP_PKEY_sign(ctx, sig, &sig_len, in, n) <= 0) {
		sw = TM_SW_NO_DIAGNOSIS;
		goto done;
	}
	if (p->alg == TM_ALG_ECDSA) {
		sw = ecdsa_raw(sig, sig_len, out);
	} else {
		tm_buf_add(out, sig, sig_len);
		sw = TM_SW_OK;
	}
done:
	EVP_PKEY_CTX_free(ctx);
	return sw;
}

uint16_t tm_key_decrypt(EVP_PKEY *k, const struct tm_op_params *p,
			const uint8_t *in, size_t n, struct tm_buf *out)
{
	size_t k_len = (size_t)EVP_PKEY_get_size(k), len = k_len;
	uint16_t sw = TM_SW_WRONG_DATA;
	uint8_t plain[1024];

	if (!EVP_PKEY_is_a(k, "RSA") || n != k_len || k_len > sizeof(plain))
		return TM_SW_WRONG_DATA;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	if (ctx == NULL || EVP_PKEY_decrypt_init(ctx) <= 0)
		goto done;
	if (p->alg == TM_ALG_RSA_DECRYPT_PKCS1) {
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
			goto done;
	} else if (p->alg == TM_ALG_RSA_DECRYPT_OAEP) {
		/* PKCS#1's default OAEP hash is SHA-1. */
		const EVP_MD *md = tm_hash_md(p->hash ? p->hash : TM_HASH_SHA1);
		if (md == NULL || !set_rsa_params(ctx, p, md))
			goto done;
	} else {
		goto done;
	}
	/* A padding error is the sender's, not the card's: 6A80. */
	if (EVP_PKEY_decrypt(ctx, plain, &len, in, n) > 0) {
		tm_buf_add(out, plain, len);
		sw = TM_SW_OK;
	}
	OPENSSL_cleanse(plain, sizeof(plain));
done:
	EVP_PKEY_CTX_free(ctx);
	return sw;
}

/* Builds the key from its parts by the named parameters; checks that
 * the parts make one key (a pairwise check: the public half matches). */
EVP_PKEY *tm_key_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *k = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, params) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	ctx = k ? EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL) : NULL;
	if (k != NULL && (ctx == NULL || EVP_PKEY_pairwise_check(ctx) != 1)) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	/* The secret parts sit in the block the builder took from the secure
	 * heap (BN_secure_new): OSSL_PARAM_free wipes it as it frees it. */
	OSSL_PARAM_free(params);
	return k;
}

uint16_t tm_key_raw(EVP_PKEY *k, const uint8_t *in, size_t n, struct tm_buf *out)
{
	size_t k_len = (size_t)EVP_PKEY_get_size(k), len = k_len;
	uint16_t sw = TM_SW_WRONG_DATA;
	uint8_t res[1024];

	if (!EVP_PKEY_is_a(k, "RSA") || n != k_len || k_len > sizeof(res))
		return TM_SW_WRONG_DATA;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	/* m^d mod n: the private operation without padding; OpenSSL refuses
	 * an input not below the modulus (the sender's error, 6A80). */
	if (ctx != NULL && EVP_PKEY_decrypt_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
	    EVP_PKEY_decrypt(ctx, res, &len, in, n) > 0) {
		tm_buf_add(out, res, len);
		sw = TM_SW_OK;
	}
	OPENSSL_cleanse(res, sizeof(res));
	EVP_PKEY_CTX_free(ctx);
	return sw;
}
