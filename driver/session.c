/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sessions and login (PKCS#11 2.40 §5.6, §5.7), with default-PIN
 * detection as design.md §5 sets out. */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include "apdu/rc.h"
#include "driver/ckr.h"
#include "driver/lock.h"
#include "driver/log.h"
#include "driver/module.h"
#include "driver/session_key.h"
#include "driver/session_object.h"

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication, CK_NOTIFY Notify,
		    CK_SESSION_HANDLE_PTR phSession)
{
	struct tm_slot *s;
	CK_RV rv;

	(void)pApplication;
	(void)Notify; /* callbacks are optional (§5.6): never called */
	if (phSession == NULL)
		return tm_check_init() != CKR_OK ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_ARGUMENTS_BAD;
	if ((rv = tm_slot_begin(slotID, &s)) != CKR_OK)
		return rv;
	if (!(flags & CKF_SERIAL_SESSION)) {
		tm_slot_end(s);
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	}
	if (s->token == NULL) {
		tm_slot_end(s);
		return CKR_TOKEN_NOT_PRESENT;
	}
	/* No R/O session while the SO is logged in (§5.6). */
	if (s->token->so_in && !(flags & CKF_RW_SESSION)) {
		tm_slot_end(s);
		return CKR_SESSION_READ_WRITE_SO_EXISTS;
	}
	rv = CKR_SESSION_COUNT;
	tm_mutex_lock(tm_mod.lock);
	for (size_t i = 0; i < TM_MAX_SESSIONS; i++) {
		struct tm_session *se = &tm_mod.sessions[i];
		if (se->used)
			continue;
		memset(se, 0, sizeof(*se));
		se->used = true;
		se->handle = tm_mod.next_handle++;
		se->slot = slotID;
		se->generation = s->generation;
		se->flags = flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION);
		*phSession = se->handle;
		rv = CKR_OK;
		break;
	}
	tm_mutex_unlock(tm_mod.lock);
	tm_slot_end(s);
	return rv;
}

/* With the slot's lock held.  The last session closed logs the token out
 * (§5.6: login state belongs to the application's sessions). */
static void close_session(struct tm_slot *slot, struct tm_session *se)
{
	bool others = false;

	tm_session_reset_ops(se);
	tm_sobj_close(slot, se->handle); /* its session objects go with it */
	tm_skey_close(slot, se->handle);  /* and its session keys, from the card */
	tm_mutex_lock(tm_mod.lock);
	se->used = false;
	for (size_t i = 0; i < TM_MAX_SESSIONS; i++) {
		const struct tm_session *o = &tm_mod.sessions[i];
		if (o->used && o->slot == se->slot && o->generation == slot->generation)
			others = true;
	}
	tm_mutex_unlock(tm_mod.lock);
	struct tm_token *t = slot->token;
	if (!others && t != NULL && (t->user_in || t->so_in)) {
		if (tm_token_begin(t) == TM_OK) {
			t->drv->logout(t, t->so_in ? TM_PIN_SO : TM_PIN_USER);
			tm_token_end(t);
		}
		t->user_in = t->so_in = false;
	}
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv = tm_session_begin(hSession, &se, &slot);

	if (rv != CKR_OK)
		return rv;
	close_session(slot, se);
	tm_session_end(slot);
	return CKR_OK;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	struct tm_slot *s;
	CK_RV rv = tm_slot_begin(slotID, &s);

	if (rv != CKR_OK)
		return rv;
	for (size_t i = 0; i < TM_MAX_SESSIONS; i++) {
		struct tm_session *se = &tm_mod.sessions[i];
		if (se->used && se->slot == slotID)
			close_session(s, se);
	}
	tm_slot_end(s);
	return CKR_OK;
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if (pInfo == NULL)
		return tm_session_refuse(hSession, CKR_ARGUMENTS_BAD);
	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	const struct tm_token *t = slot->token;
	bool rw = (se->flags & CKF_RW_SESSION) != 0;
	pInfo->slotID = se->slot;
	pInfo->flags = se->flags;
	pInfo->ulDeviceError = 0;
	if (t->so_in)
		pInfo->state = CKS_RW_SO_FUNCTIONS;
	else if (t->user_in)
		pInfo->state = rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	else
		pInfo->state = rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
	tm_session_end(slot);
	return CKR_OK;
}

static bool any_ro_session(CK_SLOT_ID id, unsigned generation)
{
	bool ro = false;
	tm_mutex_lock(tm_mod.lock);
	for (size_t i = 0; i < TM_MAX_SESSIONS; i++) {
		const struct tm_session *s = &tm_mod.sessions[i];
		if (s->used && s->slot == id && s->generation == generation &&
		    !(s->flags & CKF_RW_SESSION))
			ro = true;
	}
	tm_mutex_unlock(tm_mod.lock);
	return ro;
}

static bool is_factory_pin(const struct tm_token *t, const CK_UTF8CHAR *pin, CK_ULONG len)
{
	const char *f = tm_token_factory_pin(t);
	return f != NULL && strlen(f) == len && CRYPTO_memcmp(f, pin, len) == 0;
}

static CK_RV login_user(struct tm_slot *slot, struct tm_token *t, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	int rc;

	if (t->so_in)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	if (t->user_in)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (!(t->pins[0].flags & TM_PINF_INITIALIZED))
		return CKR_USER_PIN_NOT_INITIALIZED;
	if (len < t->pins[0].min_len || len > t->pins[0].max_len)
		return CKR_PIN_LEN_RANGE; /* checked before any try is spent */
	if ((rc = tm_token_begin(t)) != TM_OK)
		return tm_card_failed(slot, rc);
	rc = t->drv->verify(t, TM_PIN_USER, pin, len);
	if (rc != TM_OK) {
		t->drv->refresh(t); /* tries left changed */
		tm_token_end(t);
		return tm_card_failed(slot, rc);
	}
	/* A right PIN restores the card's counter: no need to ask it. */
	t->pins[0].tries_left = t->pins[0].tries_max;
	/* Still the factory PIN: the card's flag, or the model's known
	 * factory value (even when the card's flag was cleared).  The PIN is
	 * compared here, never tried on the card by the module. */
	bool factory = (t->pins[0].flags & (TM_PINF_FACTORY | TM_PINF_MUST_CHANGE)) ||
		       is_factory_pin(t, pin, len);
	t->default_pin = factory;
	/* A PIN the card says must be changed (the SO set it, first-logon
	 * rule) counts as a factory PIN: the login succeeds under "warn" so
	 * that C_SetPIN can follow (pkcs11-tool logs in first), and the
	 * card's refusals until then come back as CKR_PIN_EXPIRED. */
	bool must_change = t->pins[0].flags & TM_PINF_MUST_CHANGE;
	if (factory && tm_mod.conf.enforce_default_pin) {
		t->drv->logout(t, TM_PIN_USER);
		tm_token_end(t);
		tm_log(TM_LOG_WARN, "%s: login refused: %s; change it with C_SetPIN", slot->reader,
		       must_change ? "the card requires a new PIN"
				   : "the token still has its factory PIN (policy enforce)");
		return CKR_PIN_EXPIRED;
	}
	t->user_in = true;
	rc = tm_token_objects(t); /* now with private objects */
	tm_token_end(t);
	if (factory)
		tm_log(TM_LOG_WARN, "%s: the token still has its factory PIN: change it "
				    "(tumar-tool change-pin, or C_SetPIN)", slot->reader);
	return rc == TM_OK ? CKR_OK : tm_card_failed(slot, rc);
}

static CK_RV login_so(struct tm_slot *slot, struct tm_token *t, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	int rc;

	if (t->user_in)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	if (t->so_in)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (any_ro_session((CK_SLOT_ID)(slot - tm_mod.slots), slot->generation))
		return CKR_SESSION_READ_ONLY_EXISTS;
	if (len < t->pins[1].min_len || len > t->pins[1].max_len)
		return CKR_PIN_LEN_RANGE;
	if ((rc = tm_token_begin(t)) != TM_OK)
		return tm_card_failed(slot, rc);
	rc = t->drv->verify(t, TM_PIN_SO, pin, len);
	if (rc != TM_OK)
		t->drv->refresh(t); /* tries left changed */
	tm_token_end(t);
	if (rc != TM_OK)
		return tm_card_failed(slot, rc);
	t->pins[1].tries_left = t->pins[1].tries_max;
	t->so_in = true;
	return CKR_OK;
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_token *t = slot->token;
	if (pPin == NULL) {
		rv = CKR_ARGUMENTS_BAD; /* no protected authentication path */
	} else if (userType == CKU_USER) {
		rv = login_user(slot, t, pPin, ulPinLen);
	} else if (userType == CKU_SO) {
		rv = login_so(slot, t, pPin, ulPinLen);
	} else if (userType == CKU_CONTEXT_SPECIFIC) {
		/* Re-authentication for an operation in progress (§5.7). */
		bool op = false;
		for (int i = 0; i < TM_OP_KINDS; i++)
			op |= se->ops[i].active;
		if (!op) {
			rv = CKR_OPERATION_NOT_INITIALIZED;
		} else if (!t->user_in) {
			rv = CKR_USER_NOT_LOGGED_IN;
		} else {
			int rc = tm_token_begin(t);
			if (rc == TM_OK) {
				rc = t->drv->verify(t, TM_PIN_USER, pPin, ulPinLen);
				tm_token_end(t);
			}
			rv = rc == TM_OK ? CKR_OK : tm_card_failed(slot, rc);
		}
	} else {
		rv = CKR_USER_TYPE_INVALID;
	}
	tm_log(TM_LOG_P11, "C_Login(user type %lu, %lu-byte PIN): 0x%lX", userType, ulPinLen, rv);
	tm_session_end(slot);
	return rv;
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_token *t = slot->token;
	if (!t->user_in && !t->so_in) {
		tm_session_end(slot);
		return CKR_USER_NOT_LOGGED_IN;
	}
	int rc = tm_token_begin(t);
	if (rc == TM_OK) {
		rc = t->drv->logout(t, t->so_in ? TM_PIN_SO : TM_PIN_USER);
		tm_token_end(t);
	}
	t->user_in = t->so_in = false;
	for (size_t i = 0; i < TM_MAX_SESSIONS; i++)
		if (tm_mod.sessions[i].used && tm_mod.sessions[i].slot == se->slot)
			tm_session_reset_ops(&tm_mod.sessions[i]);
	rv = rc == TM_OK ? CKR_OK : tm_card_failed(slot, rc);
	tm_session_end(slot);
	return rv;
}

CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_token *t = slot->token;
	if (pPin == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (!(se->flags & CKF_RW_SESSION))
		rv = CKR_SESSION_READ_ONLY;
	else if (!t->so_in)
		rv = CKR_USER_NOT_LOGGED_IN;
	else if (ulPinLen < t->pins[0].min_len || ulPinLen > t->pins[0].max_len)
		rv = CKR_PIN_LEN_RANGE;
	if (rv == CKR_OK) {
		int rc = tm_token_begin(t);
		if (rc == TM_OK) {
			rc = t->drv->init_pin(t, pPin, ulPinLen);
			if (rc == TM_OK)
				rc = t->drv->refresh(t);
			tm_token_end(t);
		}
		rv = rc == TM_OK ? CKR_OK : rc == TM_ERR_WRONG_DATA ? CKR_PIN_INVALID : tm_card_failed(slot, rc);
	}
	tm_session_end(slot);
	return rv;
}

CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
	       CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_token *t = slot->token;
	/* The SO changes its own PIN; anyone else, the user's (§5.7). */
	const struct tm_pin_state *p = &t->pins[t->so_in ? 1 : 0];
	if (pOldPin == NULL || pNewPin == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (!(se->flags & CKF_RW_SESSION))
		rv = CKR_SESSION_READ_ONLY;
	else if (ulNewLen < p->min_len || ulNewLen > p->max_len || ulOldLen > p->max_len)
		rv = CKR_PIN_LEN_RANGE;
	if (rv == CKR_OK) {
		int rc = tm_token_begin(t);
		if (rc == TM_OK) {
			rc = t->drv->change_pin(t, p->ref, pOldPin, ulOldLen, pNewPin, ulNewLen);
			t->drv->refresh(t);
			tm_token_end(t);
		}
		if (rc == TM_OK && !t->so_in)
			t->default_pin = is_factory_pin(t, pNewPin, ulNewLen);
		/* The card answers 6A80 for a new PIN that breaks its rules. */
		rv = rc == TM_OK ? CKR_OK : rc == TM_ERR_WRONG_DATA ? CKR_PIN_INVALID : tm_card_failed(slot, rc);
	}
	tm_session_end(slot);
	return rv;
}

CK_RV C_GetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pState, CK_ULONG_PTR pulLen)
{
	(void)pState; (void)pulLen;
	return tm_session_refuse(hSession, CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV C_SetOperationState(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pState, CK_ULONG ulLen,
			  CK_OBJECT_HANDLE hEnc, CK_OBJECT_HANDLE hAuth)
{
	(void)pState; (void)ulLen; (void)hEnc; (void)hAuth;
	return tm_session_refuse(hSession, CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE hSession)
{
	(void)hSession;
	return tm_check_init() != CKR_OK ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_FUNCTION_NOT_PARALLEL;
}

CK_RV C_CancelFunction(CK_SESSION_HANDLE hSession)
{
	(void)hSession;
	return tm_check_init() != CKR_OK ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_FUNCTION_NOT_PARALLEL;
}
