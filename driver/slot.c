/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Slots and tokens (PKCS#11 2.40 §5.5): one slot per PC/SC reader, IDs
 * stable while the module is loaded. */
#include <config.h>

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "apdu/rc.h"
#include "driver/ckr.h"
#include "driver/lock.h"
#include "driver/log.h"
#include "driver/mech.h"
#include "driver/module.h"
#include "driver/session_key.h"
#include "driver/session_object.h"

void tm_slot_drop_token(struct tm_slot *slot)
{
	if (slot->token == NULL)
		return;
	tm_token_close(slot->token);
	OPENSSL_clear_free(slot->token, sizeof(*slot->token));
	slot->token = NULL;
	slot->generation++; /* every session on it is gone (§5.6) */
	tm_sobj_close(slot, 0); /* and every session object */
	slot->n_skeys = 0; /* left on the card: swept at the next bind */
	slot->changed = true;
}

/* With the slot's lock held: the card in the reader now. */
void tm_slot_refresh(struct tm_slot *slot)
{
	bool present = false;
	unsigned events = 0;

	if (!slot->attached ||
	    tm_mod.readers.ops->status(tm_mod.readers.ctx, slot->reader, &present, &events) != TM_OK)
		present = false;
	if (slot->token != NULL && (!present || events != slot->events))
		tm_slot_drop_token(slot); /* pulled out (and perhaps put back) */
	if (present != slot->present || events != slot->events)
		slot->changed = true;
	slot->present = present;
	slot->events = events;
	if (!present || events != slot->foreign_events)
		slot->foreign = false;
	/* A card that no driver knew is not asked again until it is
	 * replaced: every C_GetSlotList would otherwise send it our SELECTs,
	 * in the middle of what its own application does with it. */
	if (present && slot->token == NULL && !slot->foreign) {
		struct tm_token *t = OPENSSL_zalloc(sizeof(*t));
		int rc = t ? tm_token_open(t, &tm_mod.readers, slot->reader, tm_mod.trace)
			   : TM_ERR_NO_MEMORY;
		if (rc == TM_OK) {
			slot->token = t;
			tm_skey_sweep(slot); /* session keys of processes that ended */
		} else {
			OPENSSL_free(t);
			/* A card no driver knows stays a slot without a token
			 * until it is replaced (the event counter moves); one
			 * that went, or was busy, is tried again. */
			if (!tm_rc_card_gone(rc) && rc != TM_ERR_NO_MEMORY) {
				slot->foreign = true;
				slot->foreign_events = events;
			}
		}
	}
}

void tm_slots_refresh(void)
{
	char names[4096];

	if (!tm_mod.have_readers)
		tm_mod.have_readers = tm_readers_factory(&tm_mod.readers) == TM_OK;
	if (!tm_mod.have_readers ||
	    tm_mod.readers.ops->list(tm_mod.readers.ctx, names, sizeof(names)) != TM_OK)
		names[0] = names[1] = '\0';

	tm_mutex_lock(tm_mod.lock);
	for (size_t i = 0; i < TM_MAX_SLOTS; i++)
		tm_mod.slots[i].attached = false;
	for (char *r = names; *r; r += strlen(r) + 1) {
		size_t i, free_slot = TM_MAX_SLOTS;
		for (i = 0; i < TM_MAX_SLOTS; i++) {
			if (tm_mod.slots[i].used && strcmp(tm_mod.slots[i].reader, r) == 0)
				break;
			if (!tm_mod.slots[i].used && free_slot == TM_MAX_SLOTS)
				free_slot = i;
		}
		if (i == TM_MAX_SLOTS && free_slot < TM_MAX_SLOTS) {
			struct tm_slot *s = &tm_mod.slots[free_slot];
			memset(s, 0, sizeof(*s));
			s->lock = tm_mutex_new();
			if (s->lock == NULL)
				continue;
			snprintf(s->reader, sizeof(s->reader), "%s", r);
			s->used = true;
			s->changed = true;
			i = free_slot;
		}
		if (i < TM_MAX_SLOTS)
			tm_mod.slots[i].attached = true;
	}
	tm_mutex_unlock(tm_mod.lock);

	for (size_t i = 0; i < TM_MAX_SLOTS; i++) {
		struct tm_slot *s = &tm_mod.slots[i];
		if (!s->used)
			continue;
		tm_mutex_lock(s->lock);
		tm_slot_refresh(s);
		tm_mutex_unlock(s->lock);
	}
}

CK_RV tm_slot_begin(CK_SLOT_ID id, struct tm_slot **slot)
{
	CK_RV rv = tm_check_init();

	if (rv != CKR_OK)
		return rv;
	if (id >= TM_MAX_SLOTS || !tm_mod.slots[id].used)
		return CKR_SLOT_ID_INVALID;
	*slot = &tm_mod.slots[id];
	tm_mutex_lock((*slot)->lock);
	tm_slot_refresh(*slot);
	return CKR_OK;
}

void tm_slot_end(struct tm_slot *slot)
{
	tm_mutex_unlock(slot->lock);
}

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	CK_RV rv = tm_check_init();
	CK_ULONG n = 0;

	if (rv != CKR_OK)
		return rv;
	if (pulCount == NULL)
		return CKR_ARGUMENTS_BAD;
	/* Every call looks at the readers (pcsc-lite's reader states, no
	 * APDU): an application that fills a buffer without a size query
	 * first sees a card put back too.  Should the list grow between a
	 * size query and the call that fills it, the second answers
	 * CKR_BUFFER_TOO_SMALL with the new count (§5.5). */
	tm_slots_refresh();
	for (CK_SLOT_ID i = 0; i < TM_MAX_SLOTS; i++) {
		struct tm_slot *s = &tm_mod.slots[i];
		if (!s->used || !s->attached || (tokenPresent && s->token == NULL))
			continue;
		if (pSlotList != NULL && n < *pulCount)
			pSlotList[n] = i;
		n++;
	}
	rv = pSlotList != NULL && n > *pulCount ? CKR_BUFFER_TOO_SMALL : CKR_OK;
	*pulCount = n;
	return rv;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	struct tm_slot *s;
	CK_RV rv;

	if (pInfo == NULL)
		return tm_check_init() != CKR_OK ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_ARGUMENTS_BAD;
	if ((rv = tm_slot_begin(slotID, &s)) != CKR_OK)
		return rv;
	memset(pInfo, 0, sizeof(*pInfo));
	tm_p11_pad(pInfo->slotDescription, sizeof(pInfo->slotDescription), s->reader);
	tm_p11_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "PC/SC reader");
	pInfo->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT | (s->token ? CKF_TOKEN_PRESENT : 0);
	tm_slot_end(s);
	return CKR_OK;
}

static CK_FLAGS pin_flags(const struct tm_pin_state *p, bool so)
{
	CK_FLAGS f = 0;

	if (p->tries_left == 0)
		f |= so ? CKF_SO_PIN_LOCKED : CKF_USER_PIN_LOCKED;
	else if (p->tries_left == 1)
		f |= so ? CKF_SO_PIN_FINAL_TRY : CKF_USER_PIN_FINAL_TRY;
	else if (p->tries_left < p->tries_max)
		f |= so ? CKF_SO_PIN_COUNT_LOW : CKF_USER_PIN_COUNT_LOW;
	if (p->flags & (TM_PINF_FACTORY | TM_PINF_MUST_CHANGE))
		f |= so ? CKF_SO_PIN_TO_BE_CHANGED : CKF_USER_PIN_TO_BE_CHANGED;
	return f;
}

static void count_sessions(CK_SLOT_ID id, CK_ULONG *all, CK_ULONG *rw)
{
	*all = *rw = 0;
	tm_mutex_lock(tm_mod.lock);
	for (size_t i = 0; i < TM_MAX_SESSIONS; i++) {
		const struct tm_session *s = &tm_mod.sessions[i];
		if (s->used && s->slot == id && s->generation == tm_mod.slots[id].generation) {
			(*all)++;
			if (s->flags & CKF_RW_SESSION)
				(*rw)++;
		}
	}
	tm_mutex_unlock(tm_mod.lock);
}

/* The PKCS#11 model field is 16 bytes; names that do not fit get the
 * short form tokens are known by. */
static const char *model_field(const struct tm_token *t)
{
	if (strcmp(t->info.model_key, "etoken-pro-72k") == 0)
		return "eToken PRO 72K";
	return t->info.model_name;
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	struct tm_slot *s;
	CK_RV rv;

	if (pInfo == NULL)
		return tm_check_init() != CKR_OK ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_ARGUMENTS_BAD;
	if ((rv = tm_slot_begin(slotID, &s)) != CKR_OK)
		return rv;
	struct tm_token *t = s->token;
	if (t == NULL) {
		tm_slot_end(s);
		return CKR_TOKEN_NOT_PRESENT;
	}
	/* What the card said when last asked: after bind, login, a PIN or
	 * object change.  No APDU here (Java asks many times). */
	memset(pInfo, 0, sizeof(*pInfo));
	tm_p11_pad(pInfo->label, sizeof(pInfo->label), t->info.label);
	tm_p11_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), t->info.manufacturer);
	tm_p11_pad(pInfo->model, sizeof(pInfo->model), model_field(t));
	tm_p11_pad(pInfo->serialNumber, sizeof(pInfo->serialNumber), t->info.serial);
	pInfo->flags = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_TOKEN_INITIALIZED |
		       pin_flags(&t->pins[0], false) | pin_flags(&t->pins[1], true);
	if (t->pins[0].flags & TM_PINF_INITIALIZED)
		pInfo->flags |= CKF_USER_PIN_INITIALIZED;
	if (t->default_pin)
		pInfo->flags |= CKF_USER_PIN_TO_BE_CHANGED;
	pInfo->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	pInfo->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	count_sessions(slotID, &pInfo->ulSessionCount, &pInfo->ulRwSessionCount);
	pInfo->ulMaxPinLen = t->pins[0].max_len;
	pInfo->ulMinPinLen = t->pins[0].min_len;
	/* A card that does not say (LASER) is not a full card: PKCS#11 2.40
	 * §5.5 has CK_UNAVAILABLE_INFORMATION for that, not 0 of 0. */
	pInfo->ulTotalPublicMemory = t->info.mem_known ? t->info.mem_total : CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePublicMemory = t->info.mem_known ? t->info.mem_free : CK_UNAVAILABLE_INFORMATION;
	pInfo->ulTotalPrivateMemory = pInfo->ulTotalPublicMemory;
	pInfo->ulFreePrivateMemory = pInfo->ulFreePublicMemory;
	pInfo->hardwareVersion.major = 1;
	pInfo->firmwareVersion.major = TM_PROTOCOL_VERSION;
	tm_slot_end(s);
	return CKR_OK;
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pList, CK_ULONG_PTR pulCount)
{
	struct tm_slot *s;
	CK_RV rv;

	if (pulCount == NULL)
		return tm_check_init() != CKR_OK ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_ARGUMENTS_BAD;
	if ((rv = tm_slot_begin(slotID, &s)) != CKR_OK)
		return rv;
	rv = s->token ? tm_mech_list(s->token, pList, pulCount) : CKR_TOKEN_NOT_PRESENT;
	tm_slot_end(s);
	return rv;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	struct tm_slot *s;
	CK_RV rv;

	if (pInfo == NULL)
		return tm_check_init() != CKR_OK ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_ARGUMENTS_BAD;
	if ((rv = tm_slot_begin(slotID, &s)) != CKR_OK)
		return rv;
	rv = s->token ? tm_mech_info(s->token, type, pInfo) : CKR_TOKEN_NOT_PRESENT;
	tm_slot_end(s);
	return rv;
}

static bool take_event(CK_SLOT_ID *out)
{
	tm_slots_refresh();
	for (CK_SLOT_ID i = 0; i < TM_MAX_SLOTS; i++) {
		struct tm_slot *s = &tm_mod.slots[i];
		if (!s->used)
			continue;
		tm_mutex_lock(s->lock);
		bool changed = s->changed;
		s->changed = false;
		tm_mutex_unlock(s->lock);
		if (changed) {
			*out = i;
			return true;
		}
	}
	return false;
}

/* Threads inside C_WaitForSlotEvent, and C_Finalize's word to them.
 * C_Finalize waits for them to leave before it frees the readers and
 * locks they use (a waiter may be inside the readers' wait, or looking at
 * the slots, when C_Finalize comes). */
static atomic_int waiting;
static atomic_bool finalizing;

void tm_slots_wait_allow(void)
{
	atomic_store(&finalizing, false);
}

void tm_slots_wait_cancel(void)
{
	struct timespec ms = {0, 1000000};

	atomic_store(&finalizing, true);
	while (atomic_load(&waiting) > 0) {
		if (tm_mod.have_readers && tm_mod.readers.ops->cancel)
			tm_mod.readers.ops->cancel(tm_mod.readers.ctx);
		nanosleep(&ms, NULL);
	}
}

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	CK_RV rv;

	/* Counted before anything else: C_Finalize either sees us or we see
	 * it. */
	atomic_fetch_add(&waiting, 1);
	rv = atomic_load(&finalizing) ? CKR_CRYPTOKI_NOT_INITIALIZED : tm_check_init();
	if (rv == CKR_OK && (pSlot == NULL || pReserved != NULL))
		rv = CKR_ARGUMENTS_BAD;
	while (rv == CKR_OK && !take_event(pSlot)) {
		if (flags & CKF_DONT_BLOCK)
			rv = CKR_NO_EVENT;
		else if (!tm_mod.have_readers)
			rv = CKR_DEVICE_ERROR;
		else {
			tm_mod.readers.ops->wait(tm_mod.readers.ctx, 1000);
			if (atomic_load(&finalizing))
				rv = CKR_CRYPTOKI_NOT_INITIALIZED; /* C_Finalize came */
		}
	}
	atomic_fetch_sub(&waiting, 1);
	return rv;
}

CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pLabel)
{
	struct tm_slot *s;
	CK_RV rv;
	CK_ULONG all, rw;
	char label[33];

	if (pPin == NULL || pLabel == NULL)
		return tm_check_init() != CKR_OK ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_ARGUMENTS_BAD;
	if ((rv = tm_slot_begin(slotID, &s)) != CKR_OK)
		return rv;
	struct tm_token *t = s->token;
	count_sessions(slotID, &all, &rw);
	if (t == NULL)
		rv = CKR_TOKEN_NOT_PRESENT;
	else if (all > 0)
		rv = CKR_SESSION_EXISTS;
	else if (!(t->info.caps & TM_CAP_INIT_TOKEN))
		rv = CKR_FUNCTION_NOT_SUPPORTED;
	else if (ulPinLen < t->pins[1].min_len || ulPinLen > t->pins[1].max_len)
		rv = CKR_PIN_LEN_RANGE;
	if (rv != CKR_OK) {
		tm_slot_end(s);
		return rv;
	}
	/* The label is 32 bytes padded with blanks (§5.5). */
	memcpy(label, pLabel, 32);
	size_t n = 32;
	while (n > 0 && label[n - 1] == ' ')
		n--;
	label[n] = '\0';
	int rc = tm_token_begin(t);
	if (rc == TM_OK) {
		rc = t->drv->verify(t, TM_PIN_SO, pPin, ulPinLen);
		if (rc == TM_OK)
			rc = t->drv->init_token(t, label);
		t->drv->logout(t, TM_PIN_SO);
		t->user_in = t->so_in = false;
		tm_token_drop_objects(t);
		int rrc = t->drv->refresh(t);
		tm_token_end(t);
		if (rc == TM_OK)
			rc = rrc;
	}
	rv = rc == TM_OK ? CKR_OK : tm_card_failed(s, rc);
	tm_slot_end(s);
	return rv;
}
