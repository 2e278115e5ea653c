/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LASER PIN commands (jacarta-laser.md §5): plain and secure VERIFY of
 * the selected PIN KO, its status, LOGOUT, RESET RETRY COUNTER and the
 * new value by UPDATE KO (80 24).  A try is spent on the card's image
 * before the PIN is compared, so pulling the card mid-command never
 * gives a free try; it comes back once the PIN matched.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "emulator/card.h"
#include "emulator/laser_internal.h"

/* The PIN a VERIFY means: P2 00 is the selected KO (§5), P2 xx the KO
 * 00xx of the MF. */
static struct tm_lfile *target_pin(const struct tm_laser_applet *a, uint8_t p2)
{
	struct tm_lfile *f = p2 ? tm_laser_pin_ko(a->card, p2) : a->ef;
	return tm_laser_is_pin(f) && f->parent == a->card->mf && f->fcp.fid < 0x100 ? f : NULL;
}

static uint8_t ref_of(const struct tm_lfile *pin)
{
	return (uint8_t)pin->fcp.fid;
}

static uint16_t tries_sw(unsigned left)
{
	return left ? (uint16_t)(TM_SW_PIN_TRIES | (left & 0x0F)) : TM_SW_AUTH_BLOCKED;
}

/* Spends a try (written first), then lets `matches` decide. */
static uint16_t check(struct tm_laser_applet *a, struct tm_lfile *pin, bool matches)
{
	unsigned left = tm_laser_pin_tries(pin);
	uint16_t sw;

	if (left == 0)
		return TM_SW_AUTH_BLOCKED;
	tm_laser_pin_set_tries(pin, left - 1);
	if ((sw = tm_laser_commit(a)) != TM_SW_OK)
		return sw;
	if (!matches) {
		/* 63C0 for the try that blocks; 6983 for those after it. */
		tm_laser_set_verified(a, ref_of(pin), false);
		return (uint16_t)(TM_SW_PIN_TRIES | ((left - 1) & 0x0F));
	}
	tm_laser_pin_set_tries(pin, tm_laser_pin_limit(pin));
	if ((sw = tm_laser_commit(a)) != TM_SW_OK)
		return sw;
	tm_laser_set_verified(a, ref_of(pin), true);
	return TM_SW_OK;
}

/* Secure VERIFY: 2-key 3DES-EDE-CBC (IV 0, no padding) under the first
 * 16 bytes of SHA-1(PIN), over 8 host bytes then the card's challenge. */
static bool secure_matches(const struct tm_laser_applet *a, const struct tm_lfile *pin,
			   const uint8_t *in, size_t n)
{
	uint8_t plain[16], iv[8] = {0};
	int len = 0, fin = 0;
	bool ok = false;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (ctx == NULL || n != sizeof(plain))
		goto done;
	if (EVP_DecryptInit_ex(ctx, EVP_des_ede_cbc(), NULL, pin->pin_sha1, iv) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_DecryptUpdate(ctx, plain, &len, in, (int)n) != 1 ||
	    EVP_DecryptFinal_ex(ctx, plain + len, &fin) != 1 || len + fin != (int)sizeof(plain))
		goto done;
	ok = CRYPTO_memcmp(plain + 8, a->challenge, TM_LASER_CHALLENGE_LEN) == 0;
done:
	OPENSSL_cleanse(plain, sizeof(plain));
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

uint16_t tm_laser_h_verify(struct tm_laser_applet *a, const struct tm_apdu *c,
			   struct tm_buf *out)
{
	struct tm_lfile *pin = target_pin(a, c->p2);

	(void)out;
	if (c->p1 != 0)
		return TM_SW_WRONG_P1P2;
	if (pin == NULL)
		return TM_SW_REF_NOT_FOUND;
	if (c->nc == 0) {
		/* Status: no try is spent. */
		if (tm_laser_verified(a, ref_of(pin)))
			return TM_SW_OK;
		return tries_sw(tm_laser_pin_tries(pin));
	}
	if (c->cla & 0x80) {
		if (c->nc != 16)
			return TM_SW_WRONG_LENGTH;
		if (!a->challenge_valid)
			return TM_SW_CONDITIONS; /* no GET CHALLENGE of 8 before it */
		if (!(pin->fcp.prop[0] & TM_LASER_KO_FLAG_SECURE_VERIFY))
			return TM_SW_CONDITIONS;
		bool m = secure_matches(a, pin, c->data, c->nc);
		a->challenge_valid = false; /* one try per challenge */
		OPENSSL_cleanse(a->challenge, sizeof(a->challenge));
		return check(a, pin, m);
	}
	uint8_t md[SHA_DIGEST_LENGTH];
	SHA1(c->data, c->nc, md);
	bool m = CRYPTO_memcmp(md, pin->pin_sha1, sizeof(md)) == 0 && c->nc == pin->pin_len;
	OPENSSL_cleanse(md, sizeof(md));
	return check(a, pin, m);
}

uint16_t tm_laser_h_logout(struct tm_laser_applet *a, const struct tm_apdu *c,
			   struct tm_buf *out)
{
	(void)out;
	if (c->p1 != 0 || c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if (c->nc == 0 || c->nc % 4)
		return TM_SW_WRONG_LENGTH;
	/* 00 00 <ref hi> <ref lo> per PIN (the first two bytes' meaning,
	 * "XX/level", is not public: §10.4). */
	for (size_t i = 0; i < c->nc; i += 4)
		if (c->data[i + 2] == 0)
			tm_laser_set_verified(a, c->data[i + 3], false);
	return TM_SW_OK;
}

uint16_t tm_laser_h_reset_rc(struct tm_laser_applet *a, const struct tm_apdu *c,
			     struct tm_buf *out)
{
	struct tm_lfile *pin = target_pin(a, 0);
	uint16_t sw;

	(void)out;
	if (c->p1 != 0 || c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if (c->nc != 0)
		return TM_SW_WRONG_LENGTH;
	if (pin == NULL)
		return TM_SW_REF_NOT_FOUND;
	if ((sw = tm_laser_may(a, pin, TM_LASER_KO_PIN_RESET)) != TM_SW_OK)
		return sw;
	tm_laser_pin_set_tries(pin, tm_laser_pin_limit(pin));
	return tm_laser_commit(a);
}

/* The rules of the PIN a KO holds: the model's user or SO policy. */
static const struct tm_pin_policy *policy(const struct tm_laser_applet *a, uint8_t ref)
{
	return ref == TM_LASER_PIN_SO ? &a->card->model->so : &a->card->model->user;
}

/* 80 24 on a PIN KO: 62 { 81 <new PIN> }, under secure messaging (§5):
 * the driver never sends it plain, and the card refuses it plain (§10.7). */
static uint16_t new_pin(struct tm_laser_applet *a, struct tm_lfile *pin, const struct tm_apdu *c,
			bool under_sm)
{
	struct tm_tlv t62, t81;
	uint16_t sw;

	if (!under_sm)
		return TM_SW_SECURITY_STATUS;
	if (tm_tlv_find(c->data, c->nc, 0x62, &t62) != TM_OK ||
	    tm_tlv_find(t62.value, t62.len, TM_LASER_KO_PIN_VALUE, &t81) != TM_OK)
		return TM_SW_WRONG_DATA;
	if ((sw = tm_laser_may(a, pin, TM_LASER_KO_UPDATE)) != TM_SW_OK)
		return sw;
	if (!tm_pin_acceptable(policy(a, ref_of(pin)), t81.value, t81.len, NULL))
		return TM_SW_WRONG_DATA;
	tm_laser_pin_store(pin, t81.value, t81.len, false);
	tm_laser_pin_set_tries(pin, tm_laser_pin_limit(pin));
	return tm_laser_commit(a);
}

uint16_t tm_laser_h_update_ko(struct tm_laser_applet *a, const struct tm_apdu *c,
			      struct tm_buf *out)
{
	(void)out;
	if (c->p1 != 0 || c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if (c->nc == 0)
		return TM_SW_WRONG_LENGTH;
	if (tm_laser_is_pin(a->ef))
		return new_pin(a, a->ef, c, a->sm_active);
	if (!tm_laser_is_ko(a->ef))
		return TM_SW_INCOMPATIBLE_FILE;
	return tm_laser_store_key(a, a->ef, c);
}
