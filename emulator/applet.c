/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "applet.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "apdu/apdu.h"
#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "emulator/applet_internal.h"
#include "emulator/card_manager.h"
#include "emulator/image.h"

static const uint8_t tumar_aid[] = {TM_AID_BYTES};
void tm_applet_init(struct tm_applet *a, struct tm_card *card)
{
	memset(a, 0, sizeof(*a));
	a->card = card;
	tm_exchange_init(&a->x);
}

/* What the Tumar applet forgets when it is deselected: the PINs it
 * verified and its security environments. */
static void deselect(struct tm_applet *a)
{
	a->app = TM_APP_NONE;
	memset(a->verified, 0, sizeof(a->verified));
	OPENSSL_cleanse(&a->se_sign, sizeof(a->se_sign));
	OPENSSL_cleanse(&a->se_decrypt, sizeof(a->se_decrypt));
}

void tm_applet_reset(struct tm_applet *a)
{
	deselect(a);
	tm_exchange_drop_chain(&a->x);
	tm_exchange_drop_kept(&a->x);
	a->torn = false;
}

void tm_applet_free(struct tm_applet *a)
{
	tm_applet_reset(a);
	tm_exchange_free(&a->x);
	tm_card_free(a->card);
	a->card = NULL;
}

uint16_t tm_applet_need_user(const struct tm_applet *a)
{
	if (!a->verified[TM_PIN_IDX_USER])
		return TM_SW_SECURITY_STATUS;
	if (a->card->pins[TM_PIN_IDX_USER].flags & TM_PINF_MUST_CHANGE)
		return TM_SW_CONDITIONS;
	return TM_SW_OK;
}

uint16_t tm_applet_need_so(const struct tm_applet *a)
{
	return a->verified[TM_PIN_IDX_SO] ? TM_SW_OK : TM_SW_SECURITY_STATUS;
}

uint16_t tm_applet_commit(struct tm_applet *a, bool counts_as_change)
{
	char why[256];
	struct tm_card *fresh;

	if (counts_as_change)
		a->card->change_counter++;
	if (tm_card_save(a->card) == TM_OK)
		return TM_SW_OK;
	if (a->card->torn)
		return TM_SW_NO_DIAGNOSIS; /* no answer goes out; the caller reloads */
	/* The image on disk is the last good state: go back to it, so the
	 * card never answers from a state it could not keep. */
	if (tm_image_load(a->card->path, a->card->model, &fresh, why, sizeof(why)) == TM_OK) {
		tm_card_free(a->card);
		a->card = fresh;
	} else {
		a->mute = true;
	}
	return TM_SW_NO_DIAGNOSIS;
}

static uint16_t select_card_manager(struct tm_applet *a, const struct tm_apdu *c,
				   struct tm_buf *out)
{
	deselect(a);
	a->app = TM_APP_CARD_MANAGER;
	return tm_card_manager_select(c, out);
}

static uint16_t h_select(struct tm_applet *a, const struct tm_apdu *c,
			 struct tm_buf *out)
{
	if (c->p1 != TM_P1_SELECT_BY_AID || (c->p2 & 0xF3) != TM_P2_SELECT_FIRST_FCI)
		return TM_SW_WRONG_P1P2;
	if (tm_card_manager_aid(c->data, c->nc))
		return select_card_manager(a, c, out);
	/* Partial AID selection (7816-4 §11.2.2) matches a prefix.  An AID
	 * the card does not have fails and leaves the current selection as
	 * it is (7816-4 §7.1.1): other software probing the card for its own
	 * applications (OpenSC does, for PIV, OpenPGP, ...) changes nothing
	 * of ours. */
	if (c->nc == 0 || c->nc > sizeof(tumar_aid) ||
	    memcmp(c->data, tumar_aid, c->nc) != 0)
		return TM_SW_FILE_NOT_FOUND;
	/* Selecting the applet again, as every process that binds the card
	 * does, clears the security environments but keeps the PINs it has
	 * verified: a second application on the card does not log out the
	 * first.  Another application's selection does (deselect). */
	if (a->app != TM_APP_TUMAR)
		deselect(a);
	OPENSSL_cleanse(&a->se_sign, sizeof(a->se_sign));
	OPENSSL_cleanse(&a->se_decrypt, sizeof(a->se_decrypt));
	a->app = TM_APP_TUMAR;
	if ((c->p2 & 0x0C) == 0x0C)
		return TM_SW_OK; /* "no response data" requested */
	size_t fci = tm_tlv_begin(out, TM_TAG_FCI);
	tm_tlv_put(out, TM_TAG_AID, tumar_aid, sizeof(tumar_aid));
	size_t prop = tm_tlv_begin(out, TM_TAG_PROPRIETARY);
	tm_applet_put_card_info(a, out);
	tm_tlv_end(out, prop);
	tm_applet_put_pin_info(a, out);
	tm_tlv_end(out, fci);
	return TM_SW_OK;
}

static uint16_t h_get_challenge(struct tm_applet *a, const struct tm_apdu *c,
				struct tm_buf *out)
{
	if (c->p1 != 0 || c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if (c->ne == 0 || c->ne > a->card->model->max_resp)
		return TM_SW_WRONG_LENGTH;
	uint8_t *p = tm_buf_reserve(out, c->ne);
	if (p == NULL || RAND_bytes(p, (int)c->ne) != 1)
		return TM_SW_NO_DIAGNOSIS;
	return TM_SW_OK;
}

enum access { OPEN, SELECTED };

struct handler {
	uint8_t ins;
	uint8_t cla;            /* TM_CLA_ISO or TM_CLA_PROPRIETARY */
	enum access access;     /* finer rules live in the handlers */
	tm_handler_fn fn;
};

static const struct handler handlers[] = {
	{.ins = TM_INS_SELECT, .cla = TM_CLA_ISO, .access = OPEN, .fn = h_select},
	{.ins = TM_INS_GET_CHALLENGE, .cla = TM_CLA_ISO, .access = OPEN, .fn = h_get_challenge},
	{.ins = TM_INS_GET_DATA, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_get_data},
	{.ins = TM_INS_VERIFY, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_verify},
	{.ins = TM_INS_CHANGE_REFERENCE_DATA, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_change_ref},
	{.ins = TM_INS_RESET_RETRY_COUNTER, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_reset_retry},
	{.ins = TM_INS_CREATE_FILE, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_create_file},
	{.ins = TM_INS_READ_BINARY_ODD, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_read_binary},
	{.ins = TM_INS_UPDATE_BINARY_ODD, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_update_binary},
	{.ins = TM_INS_PUT_DATA_ODD, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_put_data},
	{.ins = TM_INS_DELETE_FILE, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_delete_file},
	{.ins = TM_INS_GENERATE_KEY_PAIR, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_generate},
	{.ins = TM_INS_MSE, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_mse},
	{.ins = TM_INS_PSO, .cla = TM_CLA_ISO, .access = SELECTED, .fn = tm_h_pso},
	{.ins = TM_INS_INITIALIZE_TOKEN, .cla = TM_CLA_PROPRIETARY, .access = SELECTED, .fn = tm_h_init_token},
	{.ins = TM_INS_IMPORT_KEY, .cla = TM_CLA_PROPRIETARY, .access = SELECTED, .fn = tm_h_import_key},
};

static const struct handler *find_handler(uint8_t ins)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].ins == ins)
			return &handlers[i];
	return NULL;
}

/* Class byte rules: no secure messaging, basic channel only, and the
 * class the instruction belongs to. */
static uint16_t check_class(uint8_t cla, const struct handler *h)
{
	uint16_t sw = tm_exchange_check_cla(cla);
	if (sw != TM_SW_OK)
		return sw;
	if (h != NULL && (cla & 0x80) != h->cla)
		return TM_SW_CLA_NOT_SUPPORTED;
	return TM_SW_OK;
}

static size_t process(struct tm_applet *a, const uint8_t *raw, size_t len,
		      uint8_t *resp)
{
	const struct tm_model *m = a->card->model;
	struct tm_apdu c;
	bool extended;

	a->last_op = TM_OP_NONE;
	a->private_out = a->private_in = false;
	if (tm_apdu_decode(raw, len, &c, &extended) != TM_OK)
		return tm_exchange_sw(resp, TM_SW_WRONG_LENGTH);
	/* A Java Card 2.2.1 token cannot even receive an extended APDU. */
	if (extended && !(m->caps & TM_CAP_EXTENDED_LENGTH))
		return tm_exchange_sw(resp, TM_SW_WRONG_LENGTH);

	if (c.ins == TM_INS_GET_RESPONSE && (c.cla & 0x80) == 0) {
		/* GET RESPONSE is a case 2 command of its own (ISO 7816-4
		 * §7.1.3): never a chain piece, never without Le -- either
		 * would answer 61xx again and again without progress. */
		return tm_exchange_get_response(&a->x, &c, tm_exchange_room(m, &c, extended), resp,
						&a->private_out);
	}
	tm_exchange_drop_kept(&a->x);

	const struct handler *h = find_handler(c.ins);
	uint16_t sw = check_class(c.cla & ~TM_CLA_CHAIN, h);
	if (sw != TM_SW_OK) {
		tm_exchange_drop_chain(&a->x);
		return tm_exchange_sw(resp, sw);
	}

	/* A private object's value going in, each chained piece of it: no
	 * trace shows it (the server reads this mark). */
	if (c.ins == TM_INS_UPDATE_BINARY_ODD) {
		const struct tm_object *o = tm_card_find(a->card, (uint16_t)(c.p1 << 8 | c.p2));
		a->private_in = o != NULL && (o->flags & TM_OBJF_PRIVATE);
	}

	/* Command chaining: collect the pieces, then run the whole. */
	if (c.cla & TM_CLA_CHAIN) {
		if (!(m->caps & TM_CAP_CHAINING))
			return tm_exchange_sw(resp, TM_SW_CHAINING_NOT_SUPPORTED);
		if (h == NULL) {
			/* No chain for an instruction the card does not have
			 * (90 C0 ... is not GET RESPONSE, nor a chain piece). */
			tm_exchange_drop_chain(&a->x);
			return tm_exchange_sw(resp, TM_SW_INS_NOT_SUPPORTED);
		}
	}
	if ((sw = tm_exchange_chain(&a->x, &c, m->max_cmd)) != 0)
		return tm_exchange_sw(resp, sw);
	sw = TM_SW_OK;

	if (c.nc > m->max_cmd)
		sw = TM_SW_WRONG_LENGTH;
	else if (h == NULL)
		sw = TM_SW_INS_NOT_SUPPORTED;
	else if (h->access == SELECTED && a->app != TM_APP_TUMAR)
		sw = TM_SW_INS_NOT_SUPPORTED; /* not ours: as a bare Java Card */

	struct tm_buf out;
	tm_buf_init_dynamic(&out, TM_APDU_MAX_NE);
	if (sw == TM_SW_OK) {
		sw = h->fn(a, &c, &out);
		if (sw == TM_SW_OK && !tm_buf_ok(&out))
			sw = TM_SW_NO_DIAGNOSIS;
	}
	if (a->x.in_chain)
		tm_exchange_drop_chain(&a->x);
	if (sw != TM_SW_OK)
		out.len = 0;
	size_t n = tm_exchange_answer(&a->x, &out, sw, a->private_out,
				      tm_exchange_room(m, &c, extended), resp);
	tm_buf_free(&out);
	return n;
}

size_t tm_applet_process(struct tm_applet *a, const uint8_t *cmd, size_t len,
			 uint8_t *resp, size_t cap)
{
	if (cap < TM_APDU_MAX_RESPONSE)
		return 0;
	if (a->mute)
		return tm_exchange_sw(resp, TM_SW_NO_DIAGNOSIS);
	size_t n = process(a, cmd, len, resp);
	if (a->card->torn) {
		/* Power went during the command: there is no answer, and RAM
		 * is gone.  The caller reloads the image and drops the link. */
		a->card->torn = false;
		tm_applet_reset(a);
		a->torn = true;
		return 0;
	}
	return n;
}
