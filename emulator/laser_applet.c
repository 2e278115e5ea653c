/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The LASER applet's dispatcher: class rules, chaining, GET RESPONSE,
 * and the commands that change no file: SELECT, GET CAPABILITY, GET
 * CHALLENGE.  The rest are in laser_files.c and laser_pin.c.
 */
#include <config.h>

#include "laser_applet.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "apdu/rc.h"
#include "emulator/card_manager.h"
#include "emulator/laser_factory.h"
#include "emulator/laser_internal.h"

static const uint8_t laser_aid[] = {TM_LASER_AID_BYTES};

void tm_laser_applet_init(struct tm_laser_applet *a, struct tm_laser_card *card)
{
	memset(a, 0, sizeof(*a));
	a->card = card;
	tm_exchange_init(&a->x);
}

void tm_laser_applet_reset(struct tm_laser_applet *a)
{
	tm_exchange_drop_kept(&a->x);
	tm_exchange_drop_chain(&a->x);
	a->selected = a->card_manager = false;
	a->df = a->ef = a->key = NULL;
	memset(a->verified, 0, sizeof(a->verified));
	OPENSSL_cleanse(a->challenge, sizeof(a->challenge));
	a->challenge_valid = false;
	tm_laser_sm_end(&a->sm);
	EVP_PKEY_free(a->dh);
	a->dh = NULL;
}

void tm_laser_applet_free(struct tm_laser_applet *a)
{
	tm_laser_applet_reset(a);
	tm_exchange_free(&a->x);
	tm_laser_card_free(a->card);
	a->card = NULL;
}

/* --- SELECT (jacarta-laser.md §3) --------------------------------------- */

static struct tm_lfile *by_fid(const struct tm_laser_applet *a, uint16_t fid)
{
	struct tm_lfile *df = a->df, *f;

	if (fid == TM_LASER_FID_MF)
		return a->card->mf;
	if ((f = tm_laser_child(df, fid)) != NULL)
		return f;
	if (df->fcp.fid == fid)
		return df;
	/* ISO 7816-4 §5.3.1.1: the parent DF and its children too. */
	if (df->parent != NULL) {
		if (df->parent->fcp.fid == fid)
			return df->parent;
		return tm_laser_child(df->parent, fid);
	}
	return NULL;
}

static struct tm_lfile *relative(struct tm_lfile *from, const uint8_t *p, size_t n)
{
	if (n == 0 || n % 2)
		return NULL;
	for (size_t i = 0; i < n && from != NULL; i += 2)
		from = tm_laser_child(from, (uint16_t)(p[i] << 8 | p[i + 1]));
	return from;
}

static void make_current(struct tm_laser_applet *a, struct tm_lfile *f)
{
	if (tm_laser_is_df(f)) {
		a->df = f;
		a->ef = NULL;
	} else {
		a->df = f->parent;
		a->ef = f;
		if (tm_laser_is_ko(f))
			a->key = f;
	}
}

static uint16_t h_select(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_lfile *f = NULL;

	if (c->p1 == TM_LASER_SELECT_NAME && tm_card_manager_aid(c->data, c->nc)) {
		/* Another application takes the card: the LASER application
		 * forgets its PINs, selection and secure messaging; the card
		 * manager answers what follows (6D00) until LASER is selected
		 * again. */
		tm_laser_applet_reset(a);
		a->card_manager = true;
		return tm_card_manager_select(c, out);
	}
	if (c->p1 == TM_LASER_SELECT_NAME && c->nc == sizeof(laser_aid) &&
	    memcmp(c->data, laser_aid, sizeof(laser_aid)) == 0) {
		/* A bare 9000 (§2); the application's root is the MF.  Selected
		 * again, it keeps the PINs verified (another process binding
		 * the token must not log this one out: docs/emulator.md) but
		 * ends secure messaging (§9) and forgets the selection. */
		bool again = a->selected;
		uint8_t verified[sizeof(a->verified)];
		memcpy(verified, a->verified, sizeof(verified));
		tm_laser_applet_reset(a);
		if (again)
			memcpy(a->verified, verified, sizeof(verified));
		a->selected = true;
		a->df = a->card->mf;
		return TM_SW_OK;
	}
	if (!a->selected)
		return TM_SW_FILE_NOT_FOUND;
	switch (c->p1) {
	case TM_LASER_SELECT_FID:
		if (c->nc != 2)
			return TM_SW_WRONG_LENGTH;
		f = by_fid(a, (uint16_t)(c->data[0] << 8 | c->data[1]));
		break;
	case TM_LASER_SELECT_PARENT:
		if (c->nc != 0)
			return TM_SW_WRONG_LENGTH;
		f = a->ef ? a->df : a->df->parent;
		break;
	case TM_LASER_SELECT_NAME:
		f = tm_laser_child_named(a->df, c->data, c->nc);
		break;
	case TM_LASER_SELECT_PATH:
		if (c->nc < 2 || c->nc % 2)
			return TM_SW_WRONG_LENGTH;
		f = tm_laser_path(a->card, c->data, c->nc);
		break;
	case TM_LASER_SELECT_RELATIVE:
		f = relative(a->df, c->data, c->nc);
		break;
	default:
		return TM_SW_WRONG_P1P2;
	}
	if (f == NULL)
		return TM_SW_FILE_NOT_FOUND;
	make_current(a, f);
	/* P2 0C, yet the FCP comes back when Le asks for it (§3): the
	 * driver needs it.  Without Le (other drivers' probes) nothing. */
	if (c->ne != 0)
		tm_laser_fcp_encode(&f->fcp, out);
	return TM_SW_OK;
}

/* --- GET CAPABILITY (§2) ------------------------------------------------- */

static uint16_t h_get_capability(struct tm_laser_applet *a, const struct tm_apdu *c,
				 struct tm_buf *out)
{
	/* Only the lengths are known (the driver checks nothing else); the
	 * values of 0180 and 0188 are guesses, docs/emulator.md. */
	static const uint8_t crypto[TM_LASER_CAP_CRYPTO_LEN] = {0x01, 0x00, 0x00};
	static const uint8_t keys[TM_LASER_CAP_KEYS_LEN] = {0x07, 0x00, 0x00, 0x00, 0x00};
	uint8_t serial[TM_LASER_CAP_SERIAL_LEN];

	if (c->nc != 0)
		return TM_SW_WRONG_LENGTH;
	switch (c->p1 << 8 | c->p2) {
	case TM_LASER_CAP_SERIAL:
		tm_laser_serial_capability(a->card, serial);
		tm_buf_add(out, serial, sizeof(serial));
		return TM_SW_OK;
	case TM_LASER_CAP_CRYPTO:
		tm_buf_add(out, crypto, sizeof(crypto));
		return TM_SW_OK;
	case TM_LASER_CAP_KEYS:
		tm_buf_add(out, keys, sizeof(keys));
		return TM_SW_OK;
	default:
		return TM_SW_REF_NOT_FOUND;
	}
}

/* --- GET CHALLENGE --------------------------------------------------------- */

static uint16_t h_get_challenge(struct tm_laser_applet *a, const struct tm_apdu *c,
				struct tm_buf *out)
{
	if (c->nc != 0 || c->p1 != 0 || c->p2 != 0)
		return c->nc ? TM_SW_WRONG_LENGTH : TM_SW_WRONG_P1P2;
	if (c->ne == 0)
		return TM_SW_WRONG_LENGTH;
	uint8_t *p = tm_buf_reserve(out, c->ne);
	if (p == NULL || RAND_bytes(p, (int)c->ne) != 1)
		return TM_SW_NO_DIAGNOSIS;
	/* Secure VERIFY encrypts the last 8-byte challenge (§5). */
	a->challenge_valid = c->ne == TM_LASER_CHALLENGE_LEN;
	if (a->challenge_valid)
		memcpy(a->challenge, p, TM_LASER_CHALLENGE_LEN);
	return TM_SW_OK;
}

/* --- Dispatcher -------------------------------------------------------------- */

enum cla_rule { CLA_ISO = 1, CLA_PROP = 2, CLA_BOTH = 3 };

struct handler {
	uint8_t ins;
	enum cla_rule cla;
	tm_laser_fn fn;
};

static const struct handler handlers[] = {
	{TM_LASER_INS_SELECT, CLA_BOTH, h_select},
	{TM_LASER_INS_GET_CAPABILITY, CLA_PROP, h_get_capability},
	{TM_LASER_INS_GET_CHALLENGE, CLA_ISO, h_get_challenge},
	{TM_LASER_INS_LIST_FILES, CLA_PROP, tm_laser_h_list_files},
	{TM_LASER_INS_READ_BINARY, CLA_ISO, tm_laser_h_read_binary},
	{TM_LASER_INS_UPDATE_BINARY, CLA_ISO, tm_laser_h_update_binary},
	{TM_LASER_INS_CREATE_FILE, CLA_ISO, tm_laser_h_create_file},
	{TM_LASER_INS_DELETE_FILE, CLA_ISO, tm_laser_h_delete_file},
	{TM_LASER_INS_VERIFY, CLA_BOTH, tm_laser_h_verify},
	{TM_LASER_INS_LOGOUT, CLA_PROP, tm_laser_h_logout},
	{TM_LASER_INS_RESET_RC, CLA_PROP, tm_laser_h_reset_rc},
	{TM_LASER_INS_UPDATE_KO, CLA_PROP, tm_laser_h_update_ko},
	{TM_LASER_INS_GENERATE, CLA_ISO, tm_laser_h_generate},
	{TM_LASER_INS_PSO, CLA_ISO, tm_laser_h_pso},
	{TM_LASER_INS_SM_KEY, CLA_PROP, tm_laser_h_sm_key},
	{TM_LASER_INS_SM_OPEN, CLA_PROP, tm_laser_h_sm_open},
};

static const struct handler *find_handler(uint8_t ins)
{
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].ins == ins)
			return &handlers[i];
	return NULL;
}

static uint16_t check_class(uint8_t cla, const struct handler *h)
{
	uint16_t sw = tm_exchange_check_cla(cla);
	if (sw != TM_SW_OK)
		return sw;
	if (h != NULL && !(h->cla & ((cla & 0x80) ? CLA_PROP : CLA_ISO)))
		return TM_SW_CLA_NOT_SUPPORTED;
	return TM_SW_OK;
}

/* One plain command through the handlers: the SW back, data in out. */
static uint16_t run(struct tm_laser_applet *a, struct tm_apdu *c, struct tm_buf *out)
{
	const struct tm_model *m = a->card->model;
	const struct handler *h = find_handler(c->ins);
	uint16_t sw;

	if (!a->selected && !(h != NULL && h->fn == h_select)) {
		/* Before the applet is selected the card answers every
		 * other driver's probe with "not found" (§1); the card
		 * manager knows no instruction but SELECT. */
		tm_exchange_drop_chain(&a->x);
		return a->card_manager ? TM_SW_INS_NOT_SUPPORTED : TM_SW_FILE_NOT_FOUND;
	}
	sw = check_class(c->cla & ~TM_CLA_CHAIN, h);
	if (sw == TM_SW_OK && h == NULL)
		sw = TM_SW_INS_NOT_SUPPORTED;
	if (sw != TM_SW_OK) {
		tm_exchange_drop_chain(&a->x);
		return sw;
	}
	/* PIN values and key material in, each chained piece of them: the
	 * trace shows their length only. */
	a->private_in = c->ins == TM_LASER_INS_VERIFY || c->ins == TM_LASER_INS_UPDATE_KO ||
			(c->ins == TM_LASER_INS_CREATE_FILE && c->p1 == TM_LASER_DESC_KO);
	if ((sw = tm_exchange_chain(&a->x, c, m->max_cmd)) != 0)
		return sw;
	sw = c->nc > m->max_cmd ? TM_SW_WRONG_LENGTH : h->fn(a, c, out);
	if (sw == TM_SW_OK && !tm_buf_ok(out))
		sw = TM_SW_NO_DIAGNOSIS;
	if (a->x.in_chain)
		tm_exchange_drop_chain(&a->x);
	/* Data goes out with 9000, or with READ BINARY's 6282 warning. */
	if (sw != TM_SW_OK && sw != TM_SW_END_OF_FILE)
		out->len = 0;
	return sw;
}

/* A command under secure messaging (§9): unwrapped, run, and its answer
 * wrapped (9000 outside).  A wrong MAC ends the session: 6988, plain. */
static uint16_t run_wrapped(struct tm_laser_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_apdu inner;
	struct tm_buf data, res;
	uint16_t sw;

	if (!a->sm.open)
		return TM_SW_SM_NOT_SUPPORTED;
	tm_buf_init_dynamic(&data, TM_APDU_MAX_NC);
	if (!tm_laser_sm_unwrap_command(&a->sm, c, &inner, &data)) {
		tm_buf_free(&data);
		tm_laser_sm_end(&a->sm);
		return TM_SW_SM_OBJECTS_WRONG;
	}
	tm_buf_init_dynamic(&res, TM_APDU_MAX_NE);
	a->sm_active = true;
	sw = run(a, &inner, &res);
	a->sm_active = false;
	if (a->sm.open) {
		/* (A SELECT of the applet in between closed the session:
		 * its answer goes out plain.) */
		if (tm_laser_sm_wrap_response(&a->sm, res.data, res.len, sw, out)) {
			sw = TM_SW_OK;
		} else {
			tm_laser_sm_end(&a->sm);
			out->len = 0;
			sw = TM_SW_NO_DIAGNOSIS;
		}
	}
	tm_buf_free(&res);
	tm_buf_free(&data);
	return sw;
}

static size_t process(struct tm_laser_applet *a, const uint8_t *raw, size_t len, uint8_t *resp)
{
	const struct tm_model *m = a->card->model;
	struct tm_apdu c;
	bool extended;

	if (tm_apdu_decode(raw, len, &c, &extended) != TM_OK)
		return tm_exchange_sw(resp, TM_SW_WRONG_LENGTH);
	if (extended && !(m->caps & TM_CAP_EXTENDED_LENGTH))
		return tm_exchange_sw(resp, TM_SW_WRONG_LENGTH);
	size_t room = tm_exchange_room(m, &c, extended);
	if (c.ins == TM_LASER_INS_GET_RESPONSE && (c.cla & 0x8C) == 0)
		return tm_exchange_get_response(&a->x, &c, room, resp, &a->private_out);
	tm_exchange_drop_kept(&a->x);

	struct tm_buf out;
	uint16_t sw;
	tm_buf_init_dynamic(&out, TM_APDU_MAX_NE + 64);
	if ((c.cla & 0x0C) == 0x0C && (c.cla & 0x60) == 0)
		sw = run_wrapped(a, &c, &out);
	else
		sw = run(a, &c, &out);
	size_t n = tm_exchange_answer(&a->x, &out, sw, a->private_out, room, resp);
	tm_buf_free(&out);
	return n;
}

size_t tm_laser_applet_process(struct tm_laser_applet *a, const uint8_t *cmd, size_t len,
			       uint8_t *resp, size_t cap)
{
	if (cap < TM_APDU_MAX_RESPONSE)
		return 0;
	a->last_op = TM_OP_NONE;
	a->private_out = a->private_in = false;
	a->torn = false;
	size_t n = process(a, cmd, len, resp);
	if (a->card->torn) {
		/* Power went during the command: no answer, RAM gone. */
		a->card->torn = false;
		tm_laser_applet_reset(a);
		a->torn = true;
		return 0;
	}
	return n;
}
