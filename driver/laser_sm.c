/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host's side of the LASER secure-messaging handshake (§9), as
 * Aladdin's driver does it: 80 48 00 80 gives the card's group and half,
 * our half goes in 80 86 00 00, the 32-byte challenge comes back, and
 * the shared secret with the challenge makes the session keys
 * (apdu/laser_sm.c).  The session lives for one PIN change.
 */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "driver/laser.h"
#include "driver/log.h"

/* Our key in the card's group (p, g from the card). */
static EVP_PKEY *our_key(const struct tm_tlv *p, const struct tm_tlv *g)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bp = BN_bin2bn(p->value, (int)p->len, NULL), *bg = BN_bin2bn(g->value, (int)g->len, NULL);
	/* By OID, as apdu/pubkey.c names key types: no engine is asked. */
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "1.2.840.113549.1.3.1", NULL), *kc = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *dom = NULL, *k = NULL;

	if (bld && bp && bg && pc && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, bp) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, bg) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(pc) == 1 &&
	    EVP_PKEY_fromdata(pc, &dom, EVP_PKEY_KEY_PARAMETERS, params) == 1 &&
	    (kc = EVP_PKEY_CTX_new_from_pkey(NULL, dom, NULL)) != NULL &&
	    EVP_PKEY_keygen_init(kc) == 1 && EVP_PKEY_generate(kc, &k) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(kc);
	EVP_PKEY_free(dom);
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bp);
	BN_free(bg);
	return k;
}

/* K without leading zeros: the reference host's OpenSSL 3 derivation. */
static bool secret(EVP_PKEY *mine, const struct tm_tlv *card_half, uint8_t *k, size_t *k_len)
{
	EVP_PKEY *card = EVP_PKEY_new();
	EVP_PKEY_CTX *ctx = NULL;
	bool ok = card != NULL && EVP_PKEY_copy_parameters(card, mine) == 1 &&
		  EVP_PKEY_set1_encoded_public_key(card, card_half->value, card_half->len) == 1 &&
		  (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL)) != NULL &&
		  EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_CTX_set_dh_pad(ctx, 0) == 1 &&
		  EVP_PKEY_derive_set_peer_ex(ctx, card, 1) == 1 && EVP_PKEY_derive(ctx, k, k_len) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(card);
	return ok;
}

int tm_laser_sm_open(struct tm_token *t)
{
	struct tm_laser_state *st = tm_laser_st(t);
	uint8_t buf[1024], k[512], chal[TM_LASER_SM_CHALLENGE_LEN], *pub = NULL;
	size_t len, k_len = sizeof(k), pub_len = 0;
	struct tm_tlv g, n, y;
	struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_SM_KEY, .p1 = 0x00,
			    .p2 = 0x80, .ne = 256};
	EVP_PKEY *mine = NULL;
	int rc;

	tm_laser_sm_end(&st->sm); /* the handshake goes in the clear */
	if ((rc = tm_laser_run(t, &c, buf, sizeof(buf), &len)) != TM_OK)
		return rc;
	if (tm_tlv_find(buf, len, 0x80, &g) != TM_OK || tm_tlv_find(buf, len, 0x81, &n) != TM_OK ||
	    tm_tlv_find(buf, len, 0x82, &y) != TM_OK || n.len > 255 || n.len < 64)
		return TM_ERR_PROTOCOL;
	rc = TM_ERR_PROTOCOL;
	if ((mine = our_key(&n, &g)) != NULL && secret(mine, &y, k, &k_len) &&
	    (pub_len = EVP_PKEY_get1_encoded_public_key(mine, &pub)) > 0 && pub_len <= 255) {
		struct tm_apdu o = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_SM_OPEN,
				    .data = pub, .nc = pub_len, .ne = TM_LASER_SM_CHALLENGE_LEN};
		size_t got;
		rc = tm_laser_run(t, &o, chal, sizeof(chal), &got);
		if (rc == TM_OK && (got != sizeof(chal) || !tm_laser_sm_start(&st->sm, k, k_len, chal)))
			rc = TM_ERR_PROTOCOL;
	}
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_free(pub);
	EVP_PKEY_free(mine);
	if (rc != TM_OK)
		tm_log(TM_LOG_CARD, "%s: secure messaging did not open (%s)", t->reader, tm_rc_name(rc));
	return rc;
}

void tm_laser_sm_close(struct tm_token *t)
{
	struct tm_laser_state *st = tm_laser_st(t);
	struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_SM_OPEN, .p1 = 0xFF,
			    .p2 = 0xFF};

	if (!st->sm.open)
		return;
	tm_laser_sm_end(&st->sm); /* the close goes in the clear (§9) */
	tm_laser_run(t, &c, NULL, 0, NULL);
}
