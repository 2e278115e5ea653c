/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Library-level functions (PKCS#11 2.40 §5.4) and the helpers every
 * entry point shares. */
#include <config.h>

#include "module.h"

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "apdu/rc.h"
#include "apdu/trace.h"
#include "driver/ckr.h"
#include "driver/lock.h"
#include "driver/log.h"
#include "driver/session_key.h"

struct tm_module tm_mod;

void tm_p11_pad(unsigned char *field, size_t size, const char *s)
{
	size_t n = strlen(s);

	memset(field, ' ', size);
	memcpy(field, s, n < size ? n : size);
}

/* Outside tm_mod, which C_Initialize and C_Finalize wipe, and atomic:
 * every entry point reads it, and C_WaitForSlotEvent may run in another
 * thread while C_Finalize clears it (§5.4). */
static atomic_bool initialized;

CK_RV tm_check_init(void)
{
	/* After fork() the child must call C_Initialize itself: the PC/SC
	 * handles and locks it inherited belong to the parent. */
	if (!atomic_load(&initialized) || tm_mod.pid != getpid())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	return CKR_OK;
}

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	const CK_C_INITIALIZE_ARGS *args = pInitArgs;
	CK_RV rv;

	if (atomic_load(&initialized) && tm_mod.pid == getpid())
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	if (args != NULL && args->pReserved != NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = tm_lock_setup(args)) != CKR_OK)
		return rv;
	memset(&tm_mod, 0, sizeof(tm_mod));
	tm_log_init();
	tm_conf_load(&tm_mod.conf);
	if ((tm_mod.lock = tm_mutex_new()) == NULL)
		return CKR_CANT_LOCK;
	if (tm_mod.conf.trace[0] && (tm_mod.trace = tm_trace_open(tm_mod.conf.trace)) == NULL)
		tm_log(TM_LOG_WARN, "cannot open the APDU trace file %s", tm_mod.conf.trace);
	/* No pcscd yet is no error: readers are looked for again later. */
	tm_mod.have_readers = tm_readers_factory(&tm_mod.readers) == TM_OK;
	if (!tm_mod.have_readers)
		tm_log(TM_LOG_WARN, "PC/SC is not available (is pcscd running?)");
	tm_mod.next_handle = 1;
	tm_mod.pid = getpid();
	tm_slots_wait_allow();
	atomic_store(&initialized, true);
	/* Readers and tokens are known from the start, for applications
	 * that call C_GetSlotList with a buffer before any size query. */
	tm_slots_refresh();
	/* What is in the readers now is the start, not an event (§5.4
	 * C_WaitForSlotEvent): only later insertions and removals are. */
	for (size_t i = 0; i < TM_MAX_SLOTS; i++)
		tm_mod.slots[i].changed = false;
	tm_log(TM_LOG_P11, "C_Initialize: default PIN policy %s",
	       tm_mod.conf.enforce_default_pin ? "enforce" : "warn");
	return CKR_OK;
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	CK_RV rv = tm_check_init();

	if (rv != CKR_OK)
		return rv;
	if (pReserved != NULL)
		return CKR_ARGUMENTS_BAD;
	atomic_store(&initialized, false);
	/* A thread blocked in C_WaitForSlotEvent returns now (§5.4), and
	 * before anything it uses is freed. */
	tm_slots_wait_cancel();
	for (size_t i = 0; i < TM_MAX_SESSIONS; i++)
		tm_session_reset_ops(&tm_mod.sessions[i]);
	for (size_t i = 0; i < TM_MAX_SLOTS; i++) {
		struct tm_slot *s = &tm_mod.slots[i];
		if (!s->used)
			continue;
		tm_mutex_lock(s->lock);
		tm_skey_close(s, 0); /* session keys leave the card with their sessions */
		tm_slot_drop_token(s);
		tm_mutex_unlock(s->lock);
		tm_mutex_free(s->lock);
	}
	if (tm_mod.have_readers)
		tm_mod.readers.ops->free(tm_mod.readers.ctx);
	if (tm_mod.trace)
		fclose(tm_mod.trace);
	tm_mutex_free(tm_mod.lock);
	tm_log(TM_LOG_P11, "C_Finalize");
	tm_log_close();
	memset(&tm_mod, 0, sizeof(tm_mod));
	return CKR_OK;
}

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	CK_RV rv = tm_check_init();

	if (rv != CKR_OK)
		return rv;
	if (pInfo == NULL)
		return CKR_ARGUMENTS_BAD;
	memset(pInfo, 0, sizeof(*pInfo));
	pInfo->cryptokiVersion.major = 2;
	pInfo->cryptokiVersion.minor = 40;
	tm_p11_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "Tumar");
	tm_p11_pad(pInfo->libraryDescription, sizeof(pInfo->libraryDescription),
		   "Tumar PKCS#11 for KZ tokens");
	pInfo->libraryVersion.major = 0;
	pInfo->libraryVersion.minor = 1;
	return CKR_OK;
}

/* --- Sessions --------------------------------------------------------- */

void tm_session_reset_ops(struct tm_session *s)
{
	for (int i = 0; i < TM_OP_KINDS; i++) {
		EVP_MD_CTX_free(s->ops[i].md);
		EVP_PKEY_free(s->ops[i].pub);
		memset(&s->ops[i], 0, sizeof(s->ops[i]));
	}
	s->finding = false;
}

CK_RV tm_session_begin(CK_SESSION_HANDLE h, struct tm_session **out, struct tm_slot **slot)
{
	struct tm_session *s = NULL;
	CK_RV rv = tm_check_init();

	if (rv != CKR_OK)
		return rv;
	tm_mutex_lock(tm_mod.lock);
	for (size_t i = 0; i < TM_MAX_SESSIONS && s == NULL; i++)
		if (tm_mod.sessions[i].used && tm_mod.sessions[i].handle == h)
			s = &tm_mod.sessions[i];
	CK_SLOT_ID id = s ? s->slot : 0;
	tm_mutex_unlock(tm_mod.lock);
	if (s == NULL || h == CK_INVALID_HANDLE)
		return CKR_SESSION_HANDLE_INVALID;

	struct tm_slot *sl = &tm_mod.slots[id];
	tm_mutex_lock(sl->lock);
	/* Closed meanwhile, or its token gone (§5.6: sessions die with it). */
	if (!s->used || s->handle != h || sl->token == NULL || s->generation != sl->generation) {
		tm_mutex_unlock(sl->lock);
		return CKR_SESSION_HANDLE_INVALID;
	}
	*out = s;
	*slot = sl;
	return CKR_OK;
}

void tm_session_end(struct tm_slot *slot)
{
	tm_mutex_unlock(slot->lock);
}

CK_RV tm_session_refuse(CK_SESSION_HANDLE h, CK_RV rv)
{
	struct tm_session *s;
	struct tm_slot *slot;
	CK_RV state = tm_session_begin(h, &s, &slot);

	if (state != CKR_OK)
		return state;
	tm_session_end(slot);
	return rv;
}

bool tm_rc_card_gone(int rc)
{
	return rc == TM_ERR_CARD_REMOVED || rc == TM_ERR_NO_CARD || rc == TM_ERR_TRANSPORT ||
	       rc == TM_ERR_CARD_RESET || rc == TM_ERR_PROTOCOL || rc == TM_ERR_TIMEOUT;
}

CK_RV tm_card_failed(struct tm_slot *slot, int rc)
{
	/* A transport failure in the middle of a transaction leaves the card
	 * in a state we cannot know: for the application that is a pulled
	 * card (pcscd may not even notice a quick pull and re-insert). */
	/* A reset reported inside our own transaction is no other
	 * application's (it could not get in): the card lost power.  Resets
	 * between our transactions are taken back in tm_token_begin, with
	 * the sessions kept and the login dropped. */
	/* So is a reader's answer that is no answer (an empty response, a
	 * timeout): seen when a card goes in the middle of an exchange. */
	if (tm_rc_card_gone(rc)) {
		tm_log(TM_LOG_CARD, "%s: the card is gone (%s)", slot->reader, tm_rc_name(rc));
		tm_slot_drop_token(slot);
		return CKR_DEVICE_REMOVED;
	}
	/* 6985 while the card demands a new PIN means exactly this. */
	if (rc == TM_ERR_CONDITIONS && slot->token != NULL &&
	    (slot->token->pins[0].flags & TM_PINF_MUST_CHANGE))
		return CKR_PIN_EXPIRED;
	return tm_rc_to_ckr(rc);
}

/* --- Object handles -------------------------------------------------- */

CK_OBJECT_HANDLE tm_handle(CK_SLOT_ID slot, uint16_t ref, enum tm_view view)
{
	return (CK_OBJECT_HANDLE)((slot + 1) << 24 | (CK_ULONG)ref << 4 | view);
}

bool tm_handle_split(CK_OBJECT_HANDLE h, CK_SLOT_ID slot, uint16_t *ref, enum tm_view *view)
{
	if (((h >> 24) & 0xFF) != slot + 1 || (h & 0xF) < TM_VIEW_OBJECT || (h & 0xF) > TM_VIEW_PRIVATE)
		return false;
	*ref = (uint16_t)(h >> 4);
	*view = (enum tm_view)(h & 0xF);
	return true;
}
