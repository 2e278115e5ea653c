/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PIN commands: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, and
 * INITIALIZE TOKEN (docs/protocol.md §4, §7). */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "emulator/applet_internal.h"

static int pin_index(const struct tm_applet *a, const struct tm_pin *p)
{
	return p == &a->card->pins[TM_PIN_IDX_USER] ? TM_PIN_IDX_USER : TM_PIN_IDX_SO;
}

static uint16_t tries_sw(const struct tm_pin *p)
{
	return (uint16_t)(TM_SW_PIN_TRIES | (p->tries_left & 0x0F));
}

/*
 * Checks `presented` against p with the anti-tearing order of real cards:
 * the decremented counter is on disk before the comparison is answered,
 * and restored only after a match.  Pulling the card at any point never
 * gives a free try.  Returns 9000 on a match, else the SW to answer.
 */
static uint16_t check_pin(struct tm_applet *a, struct tm_pin *p,
			  const uint8_t *presented, size_t len)
{
	const struct tm_pin_policy *pol = tm_card_pin_policy(a->card, p->ref);
	uint16_t sw;

	if (!(p->flags & TM_PINF_INITIALIZED))
		return TM_SW_REF_DATA_NOT_USABLE;
	if (p->tries_left == 0)
		return TM_SW_AUTH_BLOCKED;
	p->tries_left--;
	if ((sw = tm_applet_commit(a, false)) != TM_SW_OK)
		return sw; /* a failed write leaves the last good image in force */
	if (!tm_pin_matches(p, presented, len)) {
		a->verified[pin_index(a, p)] = false;
		return tries_sw(p);
	}
	p->tries_left = pol->tries;
	return tm_applet_commit(a, false);
}

/* Puts a counter back after a right PIN that came with a bad new one. */
static uint16_t restore_counter(struct tm_applet *a, struct tm_pin *p)
{
	p->tries_left = tm_card_pin_policy(a->card, p->ref)->tries;
	return tm_applet_commit(a, false);
}

uint16_t tm_h_verify(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	(void)out;
	struct tm_pin *p = tm_card_pin(a->card, c->p2);
	if (p == NULL)
		return TM_SW_REF_NOT_FOUND;
	int idx = pin_index(a, p);

	if (c->p1 == TM_P1_VERIFY_LOGOUT) {
		if (c->nc != 0)
			return TM_SW_WRONG_LENGTH;
		a->verified[idx] = false;
		return TM_SW_OK;
	}
	if (c->p1 != TM_P1_VERIFY)
		return TM_SW_WRONG_P1P2;
	if (c->nc == 0) {
		/* Status query: spends no try (7816-4 §11.5.6). */
		if (a->verified[idx])
			return TM_SW_OK;
		if (!(p->flags & TM_PINF_INITIALIZED))
			return TM_SW_REF_DATA_NOT_USABLE;
		return p->tries_left ? tries_sw(p) : TM_SW_AUTH_BLOCKED;
	}
	const struct tm_pin_policy *pol = tm_card_pin_policy(a->card, p->ref);
	if (p->tries_left != 0 && (p->flags & TM_PINF_INITIALIZED) &&
	    (c->nc < pol->min_len || c->nc > pol->max_len))
		return TM_SW_WRONG_LENGTH; /* cannot be right: no try spent */

	uint16_t sw = check_pin(a, p, c->data, c->nc);
	if (sw == TM_SW_OK)
		a->verified[idx] = true;
	return sw;
}

uint16_t tm_h_change_ref(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	(void)out;
	struct tm_pin *p = tm_card_pin(a->card, c->p2);
	if (p == NULL)
		return TM_SW_REF_NOT_FOUND;
	if (c->p1 != TM_P1_CHANGE_REF_OLD_NEW)
		return TM_SW_WRONG_P1P2;
	if (p->flags & TM_PINF_INITIALIZED && p->tries_left != 0 && c->nc <= p->len)
		return TM_SW_WRONG_LENGTH; /* no room for a new PIN */

	uint8_t ref = p->ref;
	int idx = pin_index(a, p);
	size_t cur = p->len;
	uint16_t sw = check_pin(a, p, c->data, cur);
	if (sw != TM_SW_OK)
		return sw;

	const uint8_t *new_pin = c->data + cur;
	size_t new_len = c->nc - cur;
	if (!tm_pin_acceptable(tm_card_pin_policy(a->card, ref), new_pin, new_len, NULL)) {
		sw = restore_counter(a, p);
		return sw == TM_SW_OK ? TM_SW_WRONG_DATA : sw;
	}
	if (tm_pin_set(p, new_pin, new_len) != TM_OK)
		return TM_SW_NO_DIAGNOSIS;
	p->flags = TM_PINF_INITIALIZED; /* no longer factory, no must-change */
	if ((sw = tm_applet_commit(a, true)) == TM_SW_OK)
		a->verified[idx] = true;
	return sw;
}

static uint16_t set_user_pin(struct tm_applet *a, const uint8_t *pin, size_t len)
{
	struct tm_pin *u = &a->card->pins[TM_PIN_IDX_USER];

	if (tm_pin_set(u, pin, len) != TM_OK)
		return TM_SW_NO_DIAGNOSIS;
	u->tries_left = a->card->model->user.tries;
	u->flags = TM_PINF_INITIALIZED;
	if (a->card->model->caps & TM_CAP_CHANGE_AT_FIRST_LOGON)
		u->flags |= TM_PINF_MUST_CHANGE;
	a->verified[TM_PIN_IDX_USER] = false;
	return tm_applet_commit(a, true);
}

uint16_t tm_h_reset_retry(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	(void)out;
	const struct tm_pin_policy *user_pol = &a->card->model->user;
	uint16_t sw;

	if (c->p2 != TM_PIN_USER)
		return tm_card_pin(a->card, c->p2) ? TM_SW_WRONG_P1P2 : TM_SW_REF_NOT_FOUND;
	if (c->p1 == TM_P1_RESET_NEW_ONLY) {
		if ((sw = tm_applet_need_so(a)) != TM_SW_OK)
			return sw;
		if (!tm_pin_acceptable(user_pol, c->data, c->nc, NULL))
			return TM_SW_WRONG_DATA;
		return set_user_pin(a, c->data, c->nc);
	}
	if (c->p1 != TM_P1_RESET_SO_AND_NEW)
		return TM_SW_WRONG_P1P2;

	struct tm_pin *so = &a->card->pins[TM_PIN_IDX_SO];
	if (so->flags & TM_PINF_INITIALIZED && so->tries_left != 0 && c->nc <= so->len)
		return TM_SW_WRONG_LENGTH;
	size_t so_len = so->len;
	if ((sw = check_pin(a, so, c->data, so_len)) != TM_SW_OK)
		return sw;
	if (!tm_pin_acceptable(user_pol, c->data + so_len, c->nc - so_len, NULL)) {
		sw = restore_counter(a, so);
		return sw == TM_SW_OK ? TM_SW_WRONG_DATA : sw;
	}
	return set_user_pin(a, c->data + so_len, c->nc - so_len);
}

uint16_t tm_h_init_token(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	(void)out;
	struct tm_tlv label;
	uint16_t sw;

	if (!(a->card->model->caps & TM_CAP_INIT_TOKEN))
		return TM_SW_FUNC_NOT_SUPPORTED;
	if (c->p1 != 0 || c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if ((sw = tm_applet_need_so(a)) != TM_SW_OK)
		return sw;
	if (tm_tlv_find(c->data, c->nc, TM_TAG_CI_LABEL, &label) != TM_OK ||
	    label.len > TM_MAX_TOKEN_LABEL || memchr(label.value, 0, label.len))
		return TM_SW_WRONG_DATA;

	struct tm_card *card = a->card;
	while (card->n_objects > 0)
		tm_card_remove(card, card->objects[0].ref);
	memcpy(card->label, label.value, label.len);
	card->label[label.len] = '\0';
	struct tm_pin *u = &card->pins[TM_PIN_IDX_USER];
	OPENSSL_cleanse(u, sizeof(*u));
	u->ref = TM_PIN_USER;
	u->tries_left = card->model->user.tries;
	a->verified[TM_PIN_IDX_USER] = false;
	OPENSSL_cleanse(&a->se_sign, sizeof(a->se_sign));
	OPENSSL_cleanse(&a->se_decrypt, sizeof(a->se_decrypt));
	return tm_applet_commit(a, true);
}
