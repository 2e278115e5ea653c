/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Session key pairs on the card: the slot's table of them, deletion at
 * session end, and the sweep of keys a dead process left. */
#include <config.h>

#include "session_key.h"

#include <string.h>

#include "apdu/rc.h"
#include "driver/log.h"
#include "driver/owner.h"

bool tm_skey_room(const struct tm_slot *slot)
{
	return slot->n_skeys + 2 <= TM_MAX_SESSION_KEYS;
}

void tm_skey_add(struct tm_slot *slot, CK_SESSION_HANDLE session, uint16_t ref)
{
	if (slot->n_skeys < TM_MAX_SESSION_KEYS)
		slot->skeys[slot->n_skeys++] = (struct tm_session_key){ref, session};
}

bool tm_skey_known(const struct tm_slot *slot, uint16_t ref)
{
	for (size_t i = 0; i < slot->n_skeys; i++)
		if (slot->skeys[i].ref == ref)
			return true;
	return false;
}

void tm_skey_forget(struct tm_slot *slot, uint16_t ref)
{
	for (size_t i = 0; i < slot->n_skeys; i++) {
		if (slot->skeys[i].ref != ref)
			continue;
		slot->skeys[i] = slot->skeys[--slot->n_skeys];
		return;
	}
}

/* Deletes one temporary object of the card if it is still one. */
static bool delete_temporary(struct tm_token *t, uint16_t ref, bool ours)
{
	const struct tm_card_object *o = tm_token_find(t, ref);
	if (o == NULL || !(o->flags & TM_OBJF_TEMPORARY) ||
	    tm_owner_is_self(o->owner, o->owner_len) != ours)
		return false;
	int rc = t->drv->delete_object(t, ref);
	if (rc != TM_OK)
		tm_log(TM_LOG_CARD, "%s: session key %04X not deleted (%s)", t->reader, ref,
		       tm_rc_name(rc));
	return rc == TM_OK;
}

void tm_skey_close(struct tm_slot *slot, CK_SESSION_HANDLE session)
{
	struct tm_token *t = slot->token;
	bool any = false;

	for (size_t i = 0; i < slot->n_skeys && !any; i++)
		any = session == 0 || slot->skeys[i].session == session;
	if (!any)
		return;
	bool changed = false;
	if (t != NULL && tm_token_begin(t) == TM_OK) {
		if (tm_token_objects(t) == TM_OK) {
			for (size_t i = 0; i < slot->n_skeys; i++)
				if (session == 0 || slot->skeys[i].session == session)
					changed |= delete_temporary(t, slot->skeys[i].ref, true);
		}
		if (changed) {
			tm_token_drop_objects(t);
			t->drv->refresh(t); /* free memory changed */
		}
		tm_token_end(t);
	}
	/* Forgotten whether or not the card took the deletion: what is left
	 * is swept at the next bind. */
	for (size_t i = 0; i < slot->n_skeys;) {
		if (session == 0 || slot->skeys[i].session == session)
			slot->skeys[i] = slot->skeys[--slot->n_skeys];
		else
			i++;
	}
}

void tm_skey_sweep(struct tm_slot *slot)
{
	struct tm_token *t = slot->token;
	size_t done = 0;

	/* The card's information, read at SELECT, says whether there is
	 * anything to sweep: no APDU at all when there is not. */
	if (t == NULL || t->info.sweep == 0 || tm_token_begin(t) != TM_OK)
		return;
	/* The cached directory stays as it is until the end: deleting
	 * changes the card, not the list walked here. */
	size_t n = tm_token_objects(t) == TM_OK ? t->n_objects : 0;
	for (size_t i = 0; i < n; i++) {
		const struct tm_card_object *o = &t->objects[i];
		bool ours = tm_owner_is_self(o->owner, o->owner_len);
		/* A torn write: nobody writes it any more (a write is one
		 * transaction, and we hold one).  A session key: its owner
		 * has ended, or it is ours and no session holds it. */
		bool stale = (o->flags & TM_OBJF_INCOMPLETE) ||
			     ((o->flags & TM_OBJF_TEMPORARY) &&
			      (ours ? !tm_skey_known(slot, o->ref) : !tm_owner_alive(o->owner, o->owner_len)));
		if (stale)
			done += t->drv->delete_object(t, o->ref) == TM_OK;
	}
	if (done) {
		tm_log(TM_LOG_CARD, "%s: %zu objects of ended sessions deleted", t->reader, done);
		tm_token_drop_objects(t);
		t->drv->refresh(t);
	}
	tm_token_end(t);
}
