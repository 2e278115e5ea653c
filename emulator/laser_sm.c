/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The card's side of the LASER secure-messaging handshake (§9): 80 48
 * gives the Diffie-Hellman group and the card's half, 80 86 00 00 takes
 * the host's half and answers the 32-byte challenge that, with the
 * shared secret, makes the session keys; 80 86 FF FF closes.  The group
 * is RFC 3526's 1536-bit MODP group (|N| = 192: the host's half must fit
 * a short APDU, §9); the real card's group is not public.
 */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "apdu/tlv.h"
#include "emulator/laser_internal.h"

#define GROUP "modp_1536"

static EVP_PKEY *dh_keygen(void)
{
	static char group[] = GROUP;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY *k = NULL;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_CTX_set_params(ctx, params) != 1 ||
	    EVP_PKEY_generate(ctx, &k) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	return k;
}

static bool put_bn(struct tm_buf *out, uint32_t tag, const EVP_PKEY *k, const char *name, int pad)
{
	BIGNUM *bn = NULL;
	bool ok = EVP_PKEY_get_bn_param(k, name, &bn) == 1;

	if (ok) {
		size_t n = pad ? (size_t)pad : (size_t)BN_num_bytes(bn);
		size_t m = tm_tlv_begin(out, tag);
		uint8_t *p = tm_buf_reserve(out, n);
		ok = p != NULL && BN_bn2binpad(bn, p, (int)n) == (int)n;
		tm_tlv_end(out, m);
	}
	BN_free(bn);
	return ok;
}

/* 80 48 00 80: 80 g, 81 N, 82 g^y mod N (over 256 bytes: 61xx). */
uint16_t tm_laser_h_sm_key(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	if (c->p1 != 0x00 || c->p2 != 0x80)
		return TM_SW_WRONG_P1P2;
	if (c->nc != 0)
		return TM_SW_WRONG_LENGTH;
	tm_laser_sm_end(&a->sm); /* a new handshake ends the old session */
	EVP_PKEY_free(a->dh);
	if ((a->dh = dh_keygen()) == NULL)
		return TM_SW_NO_DIAGNOSIS;
	int n = EVP_PKEY_get_size(a->dh);
	if (!put_bn(out, 0x80, a->dh, OSSL_PKEY_PARAM_FFC_G, 0) ||
	    !put_bn(out, 0x81, a->dh, OSSL_PKEY_PARAM_FFC_P, 0) ||
	    !put_bn(out, 0x82, a->dh, OSSL_PKEY_PARAM_PUB_KEY, n))
		return TM_SW_NO_DIAGNOSIS;
	return TM_SW_OK;
}

/* K = (g^x)^y mod N, without leading zeros (docs/emulator.md). */
static bool derive(EVP_PKEY *dh, const uint8_t *peer_pub, size_t n, uint8_t *k, size_t *k_len)
{
	EVP_PKEY *peer = EVP_PKEY_new();
	EVP_PKEY_CTX *ctx = NULL;
	bool ok = peer != NULL && EVP_PKEY_copy_parameters(peer, dh) == 1 &&
		  EVP_PKEY_set1_encoded_public_key(peer, peer_pub, n) == 1 &&
		  (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh, NULL)) != NULL &&
		  EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_CTX_set_dh_pad(ctx, 0) == 1 &&
		  EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) == 1 &&
		  EVP_PKEY_derive(ctx, k, k_len) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return ok;
}

/* 80 86 00 00 <g^x mod N>: the session opens, its challenge comes back;
 * 80 86 FF FF: the session closes. */
uint16_t tm_laser_h_sm_open(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	uint8_t k[512], chal[TM_LASER_SM_CHALLENGE_LEN];
	size_t k_len = sizeof(k);

	if (c->p1 == 0xFF && c->p2 == 0xFF) {
		if (c->nc != 0)
			return TM_SW_WRONG_LENGTH;
		tm_laser_sm_end(&a->sm);
		return TM_SW_OK;
	}
	if (c->p1 != 0 || c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if (a->dh == NULL)
		return TM_SW_CONDITIONS; /* no 80 48 before it */
	if (c->nc == 0 || c->nc > (size_t)EVP_PKEY_get_size(a->dh))
		return TM_SW_WRONG_LENGTH;
	bool ok = derive(a->dh, c->data, c->nc, k, &k_len) && RAND_bytes(chal, sizeof(chal)) == 1 &&
		  tm_laser_sm_start(&a->sm, k, k_len, chal);
	OPENSSL_cleanse(k, sizeof(k));
	EVP_PKEY_free(a->dh);
	a->dh = NULL;
	if (!ok)
		return TM_SW_WRONG_DATA;
	tm_buf_add(out, chal, sizeof(chal));
	return TM_SW_OK;
}
