/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JaCarta PKI's LASER protocol (shared/jacarta-laser.md) as a card
 * driver: chosen by the JaCarta ATRs and a successful SELECT of the LASER
 * application; everything above token.h sees a token like any other.
 * Objects, keys and secure messaging are in laser_objects.c,
 * laser_keygen.c and laser_sm.c; file commands in laser_io.c.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "apdu/buf.h"
#include "apdu/rc.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "driver/laser.h"
#include "driver/log.h"

/* The ATRs Aladdin's driver knows as JaCarta PKI (§1), with masks. */
static const struct {
	uint8_t atr[22], mask[22];
	size_t len;
} known_atrs[] = {
	{{0x3B, 0xDC, 0x18, 0xFF, 0x81, 0x91, 0xFE, 0x1F, 0xC3, 0x80, 0x73, 0xC8, 0x21, 0x13, 0x66,
	  0x01, 0x06, 0x11, 0x59, 0x00, 0x01, 0x28},
	 {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 22},
	{{0x3B, 0xDC, 0x18, 0xFF, 0x81, 0x91, 0xFE, 0x1F, 0xC3, 0x80, 0x73, 0xC8, 0x21, 0x13, 0x66,
	  0x01, 0x0B, 0x03, 0x52, 0x00, 0x05, 0x38},
	 {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 22},
	{{0x3B, 0x8C, 0x80, 0x01, 0x80, 0x73, 0xC8, 0x21, 0x13, 0x66, 0x01, 0x06, 0x11, 0x59, 0x00,
	  0x01, 0x2C},
	 {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	  0xFF, 0xFF}, 17},
	{{0x3B, 0x6C, 0x00, 0xFF, 0x80, 0x73, 0xC8, 0x21, 0x13, 0x66, 0x01, 0x06, 0x11, 0x59, 0x00,
	  0x01},
	 {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	  0xFF}, 16},
	{{0x3B, 0xFC, 0x16, 0x00, 0x00, 0x00, 0x73, 0xC8, 0x21, 0x13, 0x66, 0x01, 0x06, 0x11, 0x59,
	  0x00, 0x01, 0x2C},
	 {0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x0F, 0xFF, 0xFF,
	  0x00, 0x0F, 0xFF}, 18},
};

static bool jacarta_atr(const struct tm_token *t)
{
	for (size_t i = 0; i < sizeof(known_atrs) / sizeof(known_atrs[0]); i++) {
		if (t->atr_len != known_atrs[i].len)
			continue;
		size_t k = 0;
		while (k < t->atr_len && (t->atr[k] & known_atrs[i].mask[k]) ==
						 (known_atrs[i].atr[k] & known_atrs[i].mask[k]))
			k++;
		if (k == t->atr_len)
			return true;
	}
	return false;
}

static int select_applet(struct tm_token *t)
{
	static const uint8_t aid[] = {TM_LASER_AID_BYTES};
	struct tm_apdu c = {.ins = TM_LASER_INS_SELECT, .p1 = TM_LASER_SELECT_NAME, .p2 = 0x0C,
			    .data = aid, .nc = sizeof(aid), .ne = 256};
	int rc = tm_laser_run(t, &c, NULL, 0, NULL);

	if (tm_laser_st(t)) {
		tm_laser_st(t)->key_selected = 0;
		tm_laser_st(t)->path_len = 0;
	}
	return rc == TM_OK ? TM_OK : rc == TM_ERR_CARD_REMOVED ? rc : TM_ERR_FILE_NOT_FOUND;
}

static int capability(struct tm_token *t, uint16_t tag, uint8_t *out, size_t want)
{
	struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_GET_CAPABILITY,
			    .p1 = (uint8_t)(tag >> 8), .p2 = (uint8_t)tag, .ne = 256};
	uint8_t buf[256];
	size_t len;
	int rc = tm_laser_run(t, &c, buf, sizeof(buf), &len);

	if (rc != TM_OK)
		return rc;
	if (len != want)
		return TM_ERR_PROTOCOL; /* the lengths Aladdin's driver insists on (§2) */
	if (out)
		memcpy(out, buf, len);
	return TM_OK;
}

static void strip_copy(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == 0))
		n--;
	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* TokenInfo (§4): label, manufacturer, model and serial, space-padded. */
static int read_token_info(struct tm_token *t)
{
	struct tm_card_info *ci = &t->info;
	struct tm_laser_fcp f;
	uint8_t *ti = NULL;
	int rc = tm_laser_select_in(t, TM_LASER_FID_APP, TM_LASER_FID_TOKEN_INFO, &f);

	if (rc == TM_OK && f.size < TM_LASER_TOKEN_INFO_LEN)
		rc = TM_ERR_PROTOCOL;
	if (rc == TM_OK)
		rc = tm_laser_read(t, f.size, false, &ti);
	if (rc != TM_OK)
		return rc;
	strip_copy(ci->label, sizeof(ci->label), ti + TM_LASER_TI_LABEL, 32);
	strip_copy(ci->manufacturer, sizeof(ci->manufacturer), ti + TM_LASER_TI_MANUFACTURER, 32);
	strip_copy(ci->model_name, sizeof(ci->model_name), ti + TM_LASER_TI_MODEL, 16);
	strip_copy(ci->serial, sizeof(ci->serial), ti + TM_LASER_TI_SERIAL, 16);
	OPENSSL_free(ti);
	return TM_OK;
}

/* cardcf's counters: the change counter the token layer watches. */
static int read_cardcf(struct tm_token *t)
{
	struct tm_laser_state *st = tm_laser_st(t);
	struct tm_laser_fcp f;
	uint8_t *cf = NULL;
	int rc = tm_laser_select_in(t, TM_LASER_FID_MD, TM_LASER_FID_CARDCF, &f);

	if (rc == TM_OK && f.size != TM_LASER_CARDCF_LEN)
		rc = TM_ERR_PROTOCOL;
	if (rc == TM_OK)
		rc = tm_laser_read(t, f.size, false, &cf);
	if (rc != TM_OK)
		return rc; /* without it the token is "not recognized" (§4) */
	st->cont_fresh = (uint16_t)(cf[4] | cf[5] << 8);
	st->file_fresh = (uint16_t)(cf[6] | cf[7] << 8);
	t->info.change_counter = (uint32_t)st->cont_fresh << 16 | st->file_fresh;
	OPENSSL_free(cf);
	return TM_OK;
}

static uint8_t laser_ref(uint8_t ref)
{
	return ref == TM_PIN_SO ? TM_LASER_PIN_SO : TM_LASER_PIN_USER;
}

/* A PIN's state: its KO's FCP (tries, lengths) and VERIFY's status form,
 * which spends no try. */
static int pin_state(struct tm_token *t, uint8_t ref, struct tm_pin_state *p)
{
	uint8_t path[4] = {0x3F, 0x00, 0x00, laser_ref(ref)};
	struct tm_laser_fcp f;
	int rc = tm_laser_select(t, path, sizeof(path), &f);

	if (rc != TM_OK)
		return rc;
	if (f.prop_len < TM_LASER_PIN_PROP_MAX + 1 || f.prop[2] != TM_LASER_KO_ALG_PIN)
		return TM_ERR_PROTOCOL;
	memset(p, 0, sizeof(*p));
	p->ref = ref;
	p->flags = TM_PINF_INITIALIZED;
	p->tries_left = f.prop[TM_LASER_PIN_PROP_TRIES] >> 4;
	p->tries_max = f.prop[TM_LASER_PIN_PROP_TRIES] & 0x0F;
	p->min_len = f.prop[TM_LASER_PIN_PROP_MIN];
	p->max_len = f.prop[TM_LASER_PIN_PROP_MAX];
	p->allowed = TM_CHARS_DIGIT | TM_CHARS_LOWER | TM_CHARS_UPPER | TM_CHARS_OTHER;
	struct tm_apdu c = {.ins = TM_LASER_INS_VERIFY};
	rc = tm_laser_run(t, &c, NULL, 0, NULL);
	if (rc == TM_OK)
		p->flags |= TM_PINF_VERIFIED;
	else if (rc == TM_ERR_PIN_BLOCKED)
		p->tries_left = 0;
	else if (rc != TM_ERR_PIN_INCORRECT)
		return rc;
	return TM_OK;
}

/* EEEF's policy records (tag u16, length, value): 02C4 "the user must
 * change the PIN after its first use", which the factory sets while the
 * NCA's default PIN is in and a PIN change clears (docs/driver.md). */
#define EEEF_FID 0xEEEF
#define EEEF_MUST_CHANGE 0x02C4

static int read_policy(struct tm_token *t)
{
	struct tm_laser_fcp f;
	uint8_t *p = NULL;
	int rc = tm_laser_select_in(t, TM_LASER_FID_APP, EEEF_FID, &f);

	tm_laser_st(t)->must_change = false;
	if (rc == TM_ERR_FILE_NOT_FOUND)
		return TM_OK; /* a card without the policy file */
	if (rc == TM_OK)
		rc = tm_laser_read(t, f.size, false, &p);
	if (rc != TM_OK)
		return rc;
	for (size_t i = 0; i + 3 <= f.size && i + 3 + p[i + 2] <= f.size; i += 3u + p[i + 2])
		if ((p[i] << 8 | p[i + 1]) == EEEF_MUST_CHANGE && p[i + 2] == 1)
			tm_laser_st(t)->must_change = p[i + 3] != 0;
	OPENSSL_free(p);
	return TM_OK;
}

/* After a new user PIN: 02C4 off (EEEF's UPDATE wants ref 30, the SO or
 * the user, who has just proved the PIN). */
static int clear_must_change(struct tm_token *t)
{
	struct tm_laser_fcp f;
	uint8_t *p = NULL;
	int rc;

	if (!tm_laser_st(t)->must_change)
		return TM_OK;
	if ((rc = tm_laser_select_in(t, TM_LASER_FID_APP, EEEF_FID, &f)) != TM_OK ||
	    (rc = tm_laser_read(t, f.size, false, &p)) != TM_OK)
		return rc;
	for (size_t i = 0; rc == TM_OK && i + 3 <= f.size && i + 3 + p[i + 2] <= f.size;
	     i += 3u + p[i + 2]) {
		if ((p[i] << 8 | p[i + 1]) != EEEF_MUST_CHANGE || p[i + 2] != 1)
			continue;
		uint8_t off = 0;
		struct tm_apdu u = {.ins = TM_LASER_INS_UPDATE_BINARY, .p1 = 0, .p2 = (uint8_t)(i + 3),
				    .data = &off, .nc = 1};
		rc = tm_laser_run(t, &u, NULL, 0, NULL);
	}
	OPENSSL_free(p);
	if (rc == TM_OK) {
		tm_laser_st(t)->must_change = false;
		t->pins[0].flags &= (uint8_t)~TM_PINF_FACTORY;
	}
	return rc;
}

static int l_refresh(struct tm_token *t)
{
	int rc = read_cardcf(t);

	if (rc == TM_OK)
		rc = read_policy(t);
	if (rc == TM_OK)
		rc = pin_state(t, TM_PIN_USER, &t->pins[0]);
	if (rc == TM_OK && tm_laser_st(t)->must_change)
		t->pins[0].flags |= TM_PINF_FACTORY;
	if (rc == TM_OK)
		rc = pin_state(t, TM_PIN_SO, &t->pins[1]);
	return rc;
}

static int l_bind(struct tm_token *t)
{
	struct tm_laser_state *st = tm_laser_st(t);
	bool fresh = st == NULL;
	uint8_t serial[TM_LASER_CAP_SERIAL_LEN];
	int rc;

	if (!jacarta_atr(t))
		return TM_ERR_FILE_NOT_FOUND;
	t->ch->extended = false; /* short APDUs, chaining and 61xx (§3) */
	if ((rc = select_applet(t)) != TM_OK)
		return rc;
	if (fresh && (st = OPENSSL_zalloc(sizeof(*st))) == NULL)
		return TM_ERR_NO_MEMORY;
	t->drv_data = st;
	tm_laser_sm_end(&st->sm);
	st->key_selected = 0;
	/* The serial only: the crypto and key-length capabilities (§2)
	 * tell nothing the driver uses (its RSA sizes are the card's
	 * documented ones), and each bind would pay two APDUs for them. */
	rc = capability(t, TM_LASER_CAP_SERIAL, serial, sizeof(serial));
	/* A card that bound before must be the same card. */
	if (rc == TM_OK && !fresh && memcmp(serial, st->serial_cap, sizeof(serial)) != 0)
		rc = TM_ERR_CARD_REMOVED;
	if (rc == TM_OK) {
		memcpy(st->serial_cap, serial, sizeof(serial));
		uint32_t counter = t->info.change_counter;
		memset(&t->info, 0, sizeof(t->info));
		t->info.change_counter = counter;
		rc = read_token_info(t);
	}
	if (rc == TM_OK) {
		struct tm_card_info *ci = &t->info;
		/* The model, as the factory PIN table and the docs name it. */
		snprintf(ci->model_key, sizeof(ci->model_key), "jacarta-pki");
		if (ci->model_name[0] == '\0')
			snprintf(ci->model_name, sizeof(ci->model_name), "JaCarta PKI");
		ci->caps = TM_CAP_CHAINING | TM_CAP_KEY_IMPORT;
		ci->max_cmd = 4096;
		ci->max_resp = 256;
		/* RSA 1024, 2048 and 4096, as Aladdin's driver announces (§2). */
		ci->algs[0].key_alg = TM_KEY_RSA;
		ci->algs[0].min_bits = 1024;
		ci->algs[0].max_bits = 4096;
		ci->n_algs = 1;
		uint32_t old = ci->change_counter;
		rc = l_refresh(t);
		if (rc == TM_OK && !fresh)
			tm_token_reselected(t, old);
	}
	if (rc != TM_OK && fresh) {
		OPENSSL_free(st);
		t->drv_data = NULL;
	}
	return rc == TM_ERR_FILE_NOT_FOUND && !fresh ? TM_ERR_CARD_REMOVED : rc;
}

static void l_release(struct tm_token *t)
{
	struct tm_laser_state *st = tm_laser_st(t);

	if (st != NULL) {
		tm_laser_sm_end(&st->sm);
		OPENSSL_clear_free(st, sizeof(*st));
	}
	t->drv_data = NULL;
}

/* Secure VERIFY (§5): 2-key 3DES-CBC under SHA-1(PIN)[0..15] over eight
 * random host bytes and the card's challenge. */
static int secure_verify(struct tm_token *t, const uint8_t *pin, size_t len)
{
	uint8_t block[16], cryptogram[16], key[SHA_DIGEST_LENGTH];
	struct tm_apdu gc = {.ins = TM_LASER_INS_GET_CHALLENGE, .ne = 8};
	size_t got;
	int rc = RAND_bytes(block, 8) == 1 ? tm_laser_run(t, &gc, block + 8, 8, &got)
					   : TM_ERR_NO_MEMORY;

	if (rc == TM_OK && got != 8)
		rc = TM_ERR_PROTOCOL;
	if (rc == TM_OK) {
		SHA1(pin, len, key);
		rc = tm_laser_sm_crypt(key, true, block, sizeof(block), cryptogram) ? TM_OK
										   : TM_ERR_NO_MEMORY;
	}
	if (rc == TM_OK) {
		struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_VERIFY,
				    .data = cryptogram, .nc = sizeof(cryptogram), .sensitive = true};
		rc = tm_laser_run(t, &c, NULL, 0, NULL);
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(cryptogram, sizeof(cryptogram));
	return rc;
}

/* The PIN KO selected, then VERIFY: secure when the KO allows it, plain
 * (the transport PINs) otherwise. */
static int verify_ko(struct tm_token *t, uint8_t ko, const uint8_t *pin, size_t len)
{
	uint8_t path[4] = {0x3F, 0x00, 0x00, ko};
	struct tm_laser_fcp f;
	int rc = tm_laser_select(t, path, sizeof(path), &f);

	if (rc != TM_OK)
		return rc;
	if (len == 0 || len > TM_MAX_PIN_LEN)
		return TM_ERR_ARGS;
	if (f.prop_len > 0 && (f.prop[0] & TM_LASER_KO_FLAG_SECURE_VERIFY))
		return secure_verify(t, pin, len);
	struct tm_apdu c = {.ins = TM_LASER_INS_VERIFY, .data = pin, .nc = len, .sensitive = true};
	return tm_laser_run(t, &c, NULL, 0, NULL);
}

static int l_verify(struct tm_token *t, uint8_t ref, const uint8_t *pin, size_t len)
{
	return verify_ko(t, laser_ref(ref), pin, len);
}

static int l_logout(struct tm_token *t, uint8_t ref)
{
	uint8_t d[4] = {0x00, 0x00, 0x00, laser_ref(ref)};
	struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_LOGOUT, .data = d,
			    .nc = sizeof(d)};
	return tm_laser_run(t, &c, NULL, 0, NULL);
}

/* The selected PIN KO's new value: 80 24 with 62 { 81 PIN }, under SM
 * (the card takes it no other way, §5). */
static int new_value(struct tm_token *t, uint8_t ko, const uint8_t *pin, size_t len)
{
	uint8_t path[4] = {0x3F, 0x00, 0x00, ko}, d[4 + TM_MAX_PIN_LEN];
	int rc;

	if (len == 0 || len > TM_MAX_PIN_LEN)
		return TM_ERR_ARGS;
	if ((rc = tm_laser_select(t, path, sizeof(path), NULL)) != TM_OK ||
	    (rc = tm_laser_sm_open(t)) != TM_OK)
		return rc;
	d[0] = 0x62, d[1] = (uint8_t)(len + 2), d[2] = TM_LASER_KO_PIN_VALUE, d[3] = (uint8_t)len;
	memcpy(d + 4, pin, len);
	struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_UPDATE_KO, .data = d,
			    .nc = 4 + len, .sensitive = true};
	rc = tm_laser_run(t, &c, NULL, 0, NULL);
	OPENSSL_cleanse(d, sizeof(d));
	tm_laser_sm_close(t);
	return rc;
}

static int l_change_pin(struct tm_token *t, uint8_t ref, const uint8_t *old_pin, size_t old_len,
			const uint8_t *new_pin, size_t new_len)
{
	int rc = verify_ko(t, laser_ref(ref), old_pin, old_len);
	if (rc == TM_OK)
		rc = new_value(t, laser_ref(ref), new_pin, new_len);
	if (rc == TM_OK && ref == TM_PIN_USER) {
		/* The PIN is changed whatever becomes of the policy flag; a
		 * card that forgot the login with the change hears it again. */
		int frc = clear_must_change(t);
		if (frc == TM_ERR_SECURITY_STATUS &&
		    verify_ko(t, TM_LASER_PIN_USER, new_pin, new_len) == TM_OK)
			frc = clear_must_change(t);
		if (frc != TM_OK)
			tm_log(TM_LOG_CARD, "%s: the PIN changed, but EEEF still says \"must change\" (%s)",
			       t->reader, tm_rc_name(frc));
	}
	return rc;
}

/* C_InitPIN with the SO logged in: the user PIN's counter reset (its
 * PIN-RESET rule is the SO PIN), then its new value. */
static int l_init_pin(struct tm_token *t, const uint8_t *pin, size_t len)
{
	uint8_t path[4] = {0x3F, 0x00, 0x00, TM_LASER_PIN_USER};
	struct tm_apdu c = {.cla = TM_CLA_PROPRIETARY, .ins = TM_LASER_INS_RESET_RC};
	int rc = tm_laser_select(t, path, sizeof(path), NULL);

	if (rc == TM_OK)
		rc = tm_laser_run(t, &c, NULL, 0, NULL);
	if (rc == TM_OK)
		rc = new_value(t, TM_LASER_PIN_USER, pin, len);
	if (rc == TM_OK && clear_must_change(t) != TM_OK)
		tm_log(TM_LOG_CARD, "%s: the PIN is set, but EEEF still says \"must change\"", t->reader);
	return rc;
}

static int l_init_token(struct tm_token *t, const char *label)
{
	(void)t;
	(void)label;
	return TM_ERR_FUNC_NOT_SUPPORTED; /* personalisation is the issuer's */
}

/* The key's KO selected, unless the card has it selected already. */
static int select_key(struct tm_token *t, uint16_t ref, bool force)
{
	uint16_t ko = (uint16_t)(TM_LASER_PRIVATE_KO_BASE + (ref & 0xFF));

	if ((ref & 0xF000) != TM_LREF_PRIVATE)
		return TM_ERR_ARGS;
	if (!force && tm_laser_st(t)->key_selected == ko)
		return TM_OK;
	return tm_laser_select_in(t, TM_LASER_FID_PRIVATE, ko, NULL);
}

static int pso(struct tm_token *t, uint16_t p1p2, uint32_t tag, const uint8_t *in, size_t n,
	       uint8_t *out, size_t *out_len, bool secret)
{
	struct tm_buf b;
	tm_buf_init_dynamic(&b, n + 8);
	tm_tlv_put(&b, tag, in, n);
	struct tm_apdu c = {.ins = TM_LASER_INS_PSO, .p1 = (uint8_t)(p1p2 >> 8), .p2 = (uint8_t)p1p2,
			    .data = b.data, .nc = b.len, .ne = 256, .private_response = secret};
	int rc = tm_buf_ok(&b) ? tm_laser_run(t, &c, out, *out_len, out_len) : TM_ERR_NO_MEMORY;
	tm_buf_free(&b);
	return rc;
}

/* Whether sig came from the key whose public half is pub: for a PKCS#1
 * v1.5 signature, that it verifies over `in`; for a raw one, that its
 * public operation gives back the block `in`.  The check that the card
 * used our key, not a KO another application selected since. */
static bool signed_by(EVP_PKEY *pub, bool raw, const uint8_t *in, size_t n, const uint8_t *sig,
		      size_t len)
{
	EVP_PKEY_CTX *ctx = pub ? EVP_PKEY_CTX_new(pub, NULL) : NULL;
	uint8_t back[512];
	size_t back_len = sizeof(back);
	bool ok = ctx != NULL;

	if (ok && raw)
		ok = EVP_PKEY_verify_recover_init(ctx) == 1 &&
		     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
		     EVP_PKEY_verify_recover(ctx, back, &back_len, sig, len) == 1 && back_len == n &&
		     CRYPTO_memcmp(back, in, n) == 0;
	else if (ok)
		ok = EVP_PKEY_verify_init(ctx) == 1 &&
		     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
		     EVP_PKEY_verify(ctx, sig, len, in, n) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* The card's answer to PSO raw: 80 L <result>, unwrapped in place. */
static int raw_result(uint8_t *out, size_t *len)
{
	struct tm_tlv v;
	if (tm_tlv_find(out, *len, 0x80, &v) != TM_OK || v.value + v.len != out + *len)
		return TM_ERR_PROTOCOL;
	memmove(out, v.value, v.len);
	*len = v.len;
	return TM_OK;
}

static int sign_once(struct tm_token *t, bool raw, const uint8_t *in, size_t n, uint8_t *out,
		     size_t *out_len)
{
	if (!raw)
		return pso(t, TM_LASER_PSO_SIGN, 0x80, in, n, out, out_len, false);
	/* 80 L <signature>: room for the tag and length too. */
	uint8_t res[600];
	size_t len = sizeof(res);
	int rc = pso(t, TM_LASER_PSO_RAW, 0x82, in, n, res, &len, false);
	if (rc == TM_OK)
		rc = raw_result(res, &len);
	if (rc == TM_OK && len > *out_len)
		rc = TM_ERR_BUFFER_TOO_SMALL;
	if (rc == TM_OK) {
		memcpy(out, res, len);
		*out_len = len;
	}
	return rc;
}

/* PKCS#1 v1.5: the card pads and signs (PSO 9E8A).  PSS: the host
 * encodes and the card signs raw (PSO 800C).  In the steady state this
 * is one APDU: the KO is still selected from the last signature.
 * Whether it still is, only the signature can tell (another application
 * may have selected another file): it is checked with the public key,
 * and on a mismatch or an error the KO is selected and PSO sent again. */
static int l_sign(struct tm_token *t, uint16_t ref, const struct tm_card_op *op,
		  const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
	struct tm_card_object *o = tm_token_find(t, ref);
	uint8_t em[512];
	size_t cap = *out_len, em_len = sizeof(em);
	bool raw = op->alg == TM_ALG_RSA_PSS;
	int rc;

	if (op->alg != TM_ALG_RSA_PKCS1 && !raw)
		return TM_ERR_FUNC_NOT_SUPPORTED;
	if (raw) {
		if ((rc = tm_laser_pss_encode(o ? o->pub : NULL, op, in, n, em, &em_len)) != TM_OK)
			return rc;
		in = em;
		n = em_len;
	}
	bool cached = tm_laser_st(t)->key_selected == TM_LASER_PRIVATE_KO_BASE + (ref & 0xFF);
	if ((rc = select_key(t, ref, false)) != TM_OK)
		return rc;
	rc = sign_once(t, raw, in, n, out, out_len);
	if (cached && (rc == TM_ERR_CONDITIONS || rc == TM_ERR_FILE_NOT_FOUND ||
		       (rc == TM_OK && o != NULL && !signed_by(o->pub, raw, in, n, out, *out_len)))) {
		tm_log(TM_LOG_CARD, "%s: the key was no longer selected: selecting it", t->reader);
		*out_len = cap;
		if ((rc = select_key(t, ref, true)) == TM_OK)
			rc = sign_once(t, raw, in, n, out, out_len);
	}
	if (rc == TM_OK)
		tm_laser_st(t)->key_selected = (uint16_t)(TM_LASER_PRIVATE_KO_BASE + (ref & 0xFF));
	OPENSSL_cleanse(em, sizeof(em));
	return rc;
}

/* PKCS#1 v1.5 decryption on the card (PSO 800A: 80 L <plaintext>);
 * OAEP as the card's raw operation (800C) decoded on the host. */
static int l_decrypt(struct tm_token *t, uint16_t ref, const struct tm_card_op *op,
		     const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
	struct tm_card_object *o = tm_token_find(t, ref);
	uint8_t res[600];
	size_t len = sizeof(res);
	bool oaep = op->alg == TM_ALG_RSA_DECRYPT_OAEP;
	int rc;

	if (op->alg != TM_ALG_RSA_DECRYPT_PKCS1 && !oaep)
		return TM_ERR_FUNC_NOT_SUPPORTED;
	/* Always selected first: a wrong key's plaintext cannot be told. */
	if ((rc = select_key(t, ref, true)) != TM_OK)
		return rc;
	tm_laser_st(t)->key_selected = (uint16_t)(TM_LASER_PRIVATE_KO_BASE + (ref & 0xFF));
	rc = pso(t, oaep ? TM_LASER_PSO_RAW : TM_LASER_PSO_DECIPHER, 0x82, in, n, res, &len, true);
	if (rc == TM_OK)
		rc = raw_result(res, &len);
	if (rc == TM_OK && oaep) {
		rc = tm_laser_oaep_decode(o ? o->pub : NULL, op, res, len, out, out_len);
	} else if (rc == TM_OK) {
		if (len > *out_len)
			rc = TM_ERR_BUFFER_TOO_SMALL;
		else
			memcpy(out, res, len), *out_len = len;
	}
	OPENSSL_cleanse(res, sizeof(res));
	return rc;
}

static int l_random(struct tm_token *t, uint8_t *out, size_t n)
{
	int rc = TM_OK;

	for (size_t off = 0; rc == TM_OK && off < n;) {
		size_t want = n - off < 256 ? n - off : 256, got;
		struct tm_apdu c = {.ins = TM_LASER_INS_GET_CHALLENGE, .ne = want};
		rc = tm_laser_run(t, &c, out + off, want, &got);
		if (rc == TM_OK && got != want)
			rc = TM_ERR_PROTOCOL;
		off += want;
	}
	return rc;
}

const struct tm_card_driver tm_card_laser = {
	.name = "laser",
	.bind = l_bind,
	.refresh = l_refresh,
	.list_objects = tm_laser_list_objects,
	.read_value = tm_laser_read_value,
	.verify = l_verify,
	.logout = l_logout,
	.change_pin = l_change_pin,
	.init_pin = l_init_pin,
	.init_token = l_init_token,
	.create_object = tm_laser_create_object,
	.set_attributes = tm_laser_set_attributes,
	.delete_object = tm_laser_delete_object,
	.generate = tm_laser_generate,
	.import_key = tm_laser_import_key,
	.sign = l_sign,
	.decrypt = l_decrypt,
	.random = l_random,
	.release = l_release,
};
