/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LASER access conditions (jacarta-laser.md §3): each ACL entry is two
 * bytes.  0000 always, 00FF never, 00xx the KO of reference xx in the MF
 * (a PIN, verified; or a logical expression over PINs), and a high byte
 * of secure-messaging bits (40 command under SM, 80 answer under SM).
 */
#include <config.h>

#include <string.h>

#include "apdu/rc.h"
#include "emulator/laser_image.h"
#include "emulator/laser_internal.h"

bool tm_laser_verified(const struct tm_laser_applet *a, uint8_t ref)
{
	return (a->verified[ref / 8] >> (ref % 8)) & 1;
}

void tm_laser_set_verified(struct tm_laser_applet *a, uint8_t ref, bool on)
{
	if (on)
		a->verified[ref / 8] |= (uint8_t)(1u << (ref % 8));
	else
		a->verified[ref / 8] &= (uint8_t)~(1u << (ref % 8));
}

/* E3 { 89 02 00xx ... 88 00 }: true when any PIN named is verified.
 * 88 is taken as a terminator: the grammar is not public (§10.4), and
 * every expression of the profile is an OR of PINs. */
static bool logic_holds(const struct tm_laser_applet *a, const struct tm_lfile *ko)
{
	const uint8_t *p = ko->data;
	size_t n = ko->data_len;

	if (n < 2 || p[0] != TM_LASER_LOGIC_OR || p[1] > n - 2)
		return false;
	p += 2;
	n = p[-1];
	for (size_t i = 0; i + 2 <= n;) {
		uint8_t tag = p[i], len = p[i + 1];
		if (i + 2 + len > n)
			return false;
		if (tag == TM_LASER_LOGIC_REF && len == 2 && p[i + 2] == 0) {
			const struct tm_lfile *pin = tm_laser_pin_ko(a->card, p[i + 3]);
			if (tm_laser_is_pin(pin) && tm_laser_verified(a, p[i + 3]))
				return true;
		}
		i += 2 + (size_t)len;
	}
	return false;
}

uint16_t tm_laser_access(const struct tm_laser_applet *a, uint16_t ac)
{
	if (ac == TM_LASER_AC_ALWAYS)
		return TM_SW_OK;
	if (ac == TM_LASER_AC_NEVER)
		return TM_SW_SECURITY_STATUS;
	/* SM bits: the command (and so its answer) under secure messaging;
	 * the low byte, when set, names a PIN as well. */
	if (ac & 0xFF00 & ~(TM_LASER_AC_SM_IN | TM_LASER_AC_SM_OUT))
		return TM_SW_SECURITY_STATUS; /* conditions this card does not know */
	if ((ac & (TM_LASER_AC_SM_IN | TM_LASER_AC_SM_OUT)) && !a->sm_active)
		return TM_SW_SECURITY_STATUS;
	if ((ac & 0xFF00) && (ac & 0x00FF) == 0)
		return TM_SW_OK;
	uint8_t ref = (uint8_t)ac;
	const struct tm_lfile *ko = tm_laser_pin_ko(a->card, ref);
	if (tm_laser_is_pin(ko))
		return tm_laser_verified(a, ref) ? TM_SW_OK : TM_SW_SECURITY_STATUS;
	if (tm_laser_is_logic(ko))
		return logic_holds(a, ko) ? TM_SW_OK : TM_SW_SECURITY_STATUS;
	return TM_SW_SECURITY_STATUS;
}

uint16_t tm_laser_may(const struct tm_laser_applet *a, const struct tm_lfile *f, unsigned op)
{
	return tm_laser_access(a, tm_laser_acl_get(&f->fcp, op));
}

struct tm_lfile *tm_laser_current(const struct tm_laser_applet *a)
{
	return a->ef ? a->ef : a->df;
}

uint16_t tm_laser_commit(struct tm_laser_applet *a)
{
	char why[256];
	struct tm_laser_card *fresh;

	if (tm_laser_save(a->card) == TM_OK)
		return TM_SW_OK;
	if (a->card->torn)
		return TM_SW_NO_DIAGNOSIS; /* no answer goes out; the caller reloads */
	/* The image on disk is the last good state: back to it, so the card
	 * never answers from a state it could not keep. */
	if (tm_laser_load(a->card->path, a->card->model, &fresh, why, sizeof(why)) == TM_OK) {
		tm_laser_card_free(a->card);
		a->card = fresh;
		a->df = a->card->mf;
		a->ef = a->key = NULL;
	}
	return TM_SW_NO_DIAGNOSIS;
}

static bool within(const struct tm_lfile *f, const struct tm_lfile *root)
{
	for (; f != NULL; f = f->parent)
		if (f == root)
			return true;
	return false;
}

void tm_laser_forget(struct tm_laser_applet *a, const struct tm_lfile *f)
{
	if (within(a->key, f))
		a->key = NULL;
	if (within(a->ef, f))
		a->ef = NULL;
	if (within(a->df, f))
		a->df = f->parent ? f->parent : a->card->mf;
}
