/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Object functions (PKCS#11 2.40 §5.7): find, get and set attributes,
 * create, copy, destroy.  The attributes of card objects come from
 * object_view.c. */
#include <config.h>

#include "object.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "apdu/rc.h"
#include "driver/ckr.h"
#include "driver/key_import.h"
#include "driver/log.h"
#include "driver/session_key.h"
#include "driver/session_object.h"
#include "driver/template.h"

struct tm_card_object *tm_object_get(struct tm_slot *slot, CK_OBJECT_HANDLE h, enum tm_view *view)
{
	uint16_t ref;
	CK_SLOT_ID id = (CK_SLOT_ID)(slot - tm_mod.slots);
	struct tm_token *t = slot->token;

	if (!tm_handle_split(h, id, &ref, view) || tm_token_objects(t) != TM_OK)
		return NULL;
	struct tm_card_object *o = tm_token_find(t, ref);
	return o != NULL && tm_object_visible(t, o, *view) ? o : NULL;
}

static const struct tm_attr *find_attr(const struct tm_attrs *a, CK_ATTRIBUTE_TYPE type)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->a[i].type == type)
			return &a->a[i];
	return NULL;
}

/* Does the object match every attribute of the template? */
static bool matches(const struct tm_attrs *a, const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	for (CK_ULONG i = 0; i < n; i++) {
		const struct tm_attr *x = find_attr(a, tmpl[i].type);
		if (x == NULL || x->sensitive || x->len != tmpl[i].ulValueLen ||
		    (x->len && memcmp(x->value, tmpl[i].pValue, x->len) != 0))
			return false;
	}
	return true;
}

/* Attributes that come from an object's value (a certificate's subject,
 * issuer and serial number are parsed from it). */
static bool template_wants_value(const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	for (CK_ULONG i = 0; i < n; i++)
		if (tmpl[i].type == CKA_VALUE || tmpl[i].type == CKA_SUBJECT ||
		    tmpl[i].type == CKA_ISSUER || tmpl[i].type == CKA_SERIAL_NUMBER)
			return true;
	return false;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	if (pTemplate == NULL && ulCount > 0) {
		tm_session_end(slot);
		return CKR_ARGUMENTS_BAD;
	}
	if (se->finding) {
		tm_session_end(slot);
		return CKR_OPERATION_ACTIVE;
	}
	struct tm_token *t = slot->token;
	struct tm_attrs *attrs = OPENSSL_malloc(sizeof(*attrs));
	int rc = attrs ? tm_token_begin(t) : TM_ERR_NO_MEMORY;
	if (rc == TM_OK) {
		rc = tm_token_objects(t);
		bool need_value = template_wants_value(pTemplate, ulCount);
		se->n_found = se->pos = 0;
		for (size_t i = 0; rc == TM_OK && i < t->n_objects; i++) {
			struct tm_card_object *o = &t->objects[i];
			for (enum tm_view v = TM_VIEW_OBJECT; v <= TM_VIEW_PRIVATE; v++) {
				if (!tm_object_visible(t, o, v))
					continue;
				rc = tm_object_attrs(t, o, v, need_value, attrs);
				if (rc != TM_OK)
					break;
				if (matches(attrs, pTemplate, ulCount))
					se->found[se->n_found++] = tm_handle(se->slot, o->ref, v);
			}
		}
		tm_token_end(t);
	}
	/* Then the application's session objects in this slot (§6.7). */
	for (size_t i = 0; rc == TM_OK && slot->sobjs && i < TM_MAX_SESSION_OBJECTS; i++) {
		struct tm_session_object *so = tm_sobj_get(slot, slot->sobjs->o[i].handle, t->user_in);
		if (so == NULL)
			continue;
		tm_sobj_attrs(so, attrs);
		if (matches(attrs, pTemplate, ulCount))
			se->found[se->n_found++] = so->handle;
	}
	OPENSSL_free(attrs);
	if (rc == TM_OK)
		se->finding = true;
	rv = rc == TM_OK ? CKR_OK : tm_card_failed(slot, rc);
	tm_session_end(slot);
	return rv;
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
		    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	if (phObject == NULL || pulObjectCount == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (!se->finding)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else {
		CK_ULONG n = 0;
		while (n < ulMaxObjectCount && se->pos < se->n_found)
			phObject[n++] = se->found[se->pos++];
		*pulObjectCount = n;
	}
	tm_session_end(slot);
	return rv;
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	if (!se->finding)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	se->finding = false;
	tm_session_end(slot);
	return rv;
}

/* PKCS#11 2.40 §5.7 C_GetAttributeValue: every attribute is answered;
 * the return value reports the last problem met. */
static CK_RV fill_template(const struct tm_attrs *a, CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	CK_RV rv = CKR_OK;

	for (CK_ULONG i = 0; i < n; i++) {
		const struct tm_attr *x = find_attr(a, tmpl[i].type);
		if (x == NULL) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (x->sensitive) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_SENSITIVE;
		} else if (tmpl[i].pValue == NULL) {
			tmpl[i].ulValueLen = x->len;
		} else if (tmpl[i].ulValueLen < x->len) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_BUFFER_TOO_SMALL;
		} else {
			if (x->len)
				memcpy(tmpl[i].pValue, x->value, x->len);
			tmpl[i].ulValueLen = x->len;
		}
	}
	return rv;
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct tm_session *se;
	struct tm_slot *slot;
	enum tm_view view;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	if (pTemplate == NULL || ulCount == 0) {
		tm_session_end(slot);
		return CKR_ARGUMENTS_BAD;
	}
	struct tm_token *t = slot->token;
	struct tm_attrs *a = OPENSSL_malloc(sizeof(*a));
	if (a != NULL && tm_sobj_handle(hObject)) {
		struct tm_session_object *so = tm_sobj_get(slot, hObject, t->user_in);
		if (so != NULL)
			tm_sobj_attrs(so, a);
		rv = so != NULL ? fill_template(a, pTemplate, ulCount) : CKR_OBJECT_HANDLE_INVALID;
		OPENSSL_free(a);
		tm_session_end(slot);
		return rv;
	}
	int rc = a ? tm_token_begin(t) : TM_ERR_NO_MEMORY;
	if (rc == TM_OK) {
		struct tm_card_object *o = tm_object_get(slot, hObject, &view);
		if (o == NULL)
			rv = CKR_OBJECT_HANDLE_INVALID;
		else if ((rc = tm_object_attrs(t, o, view, template_wants_value(pTemplate, ulCount), a)) == TM_OK)
			rv = fill_template(a, pTemplate, ulCount);
		tm_token_end(t);
	}
	OPENSSL_free(a);
	if (rc != TM_OK)
		rv = tm_card_failed(slot, rc);
	tm_session_end(slot);
	return rv;
}

/* One attribute of C_SetAttributeValue into upd.  What may change
 * (PKCS#11 2.40 §4, the attributes marked 8): the label of every object;
 * the ID, subject and dates of keys and certificates; a data object's
 * application.  Other attributes of the object are read-only; those it
 * does not have are invalid. */
static CK_RV set_one(const CK_ATTRIBUTE *x, const struct tm_attrs *cur,
		     struct tm_card_object *upd, unsigned *what)
{
	bool data = upd->cls == TM_OBJ_DATA;

	if (x->ulValueLen && x->pValue == NULL)
		return CKR_ARGUMENTS_BAD;
	if (find_attr(cur, x->type) == NULL)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	*what |= x->type == CKA_LABEL ? TM_SET_LABEL
		 : x->type == CKA_ID ? TM_SET_ID
		 : x->type == CKA_APPLICATION ? TM_SET_APPLICATION
		 : x->type == CKA_SUBJECT ? TM_SET_SUBJECT
		 : TM_SET_DATES;
	switch (x->type) {
	case CKA_LABEL:
		return tm_attr_take(x, upd->label, TM_MAX_OBJ_LABEL, &upd->label_len);
	case CKA_ID:
		if (!data)
			return tm_attr_take(x, upd->id, TM_MAX_OBJ_ID, &upd->id_len);
		break;
	case CKA_APPLICATION:
		if (data)
			return tm_attr_take(x, upd->app, sizeof(upd->app), &upd->app_len);
		break;
	case CKA_SUBJECT:
		if (!data)
			return tm_attr_take(x, upd->subject, sizeof(upd->subject), &upd->subject_len);
		break;
	case CKA_START_DATE:
		if (!data)
			return tm_attr_date(x, upd->start, &upd->start_len);
		break;
	case CKA_END_DATE:
		if (!data)
			return tm_attr_date(x, upd->end, &upd->end_len);
		break;
	default:
		break;
	}
	return CKR_ATTRIBUTE_READ_ONLY;
}

/* Session keys are session objects: any session may change them (§6.7);
 * the card wants the user PIN for it all the same. */
CK_RV C_SetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
			  CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct tm_session *se;
	struct tm_slot *slot;
	enum tm_view view;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_token *t = slot->token;
	if (pTemplate == NULL || ulCount == 0)
		rv = CKR_ARGUMENTS_BAD;
	else if (tm_sobj_handle(hObject)) {
		/* Any session may change session objects (§6.7). */
		struct tm_session_object *so = tm_sobj_get(slot, hObject, t->user_in);
		rv = so != NULL ? tm_sobj_set(so, pTemplate, ulCount) : CKR_OBJECT_HANDLE_INVALID;
		tm_session_end(slot);
		return rv;
	}
	struct tm_attrs *cur = rv == CKR_OK ? OPENSSL_malloc(sizeof(*cur)) : NULL;
	int rc = rv == CKR_OK ? (cur ? tm_token_begin(t) : TM_ERR_NO_MEMORY) : TM_OK;
	if (rv == CKR_OK && rc == TM_OK) {
		struct tm_card_object *o = tm_object_get(slot, hObject, &view);
		struct tm_card_object upd;
		unsigned what = 0;
		if (o == NULL)
			rv = CKR_OBJECT_HANDLE_INVALID;
		else if (!(o->flags & TM_OBJF_TEMPORARY) && !(se->flags & CKF_RW_SESSION))
			rv = CKR_SESSION_READ_ONLY;
		else if (!t->user_in)
			rv = CKR_USER_NOT_LOGGED_IN;
		else if ((rc = tm_object_attrs(t, o, view, template_wants_value(pTemplate, ulCount),
					       cur)) == TM_OK) {
			upd = *o;
			for (CK_ULONG i = 0; i < ulCount && rv == CKR_OK; i++)
				rv = set_one(&pTemplate[i], cur, &upd, &what);
			if (rv == CKR_OK && !(o->flags & TM_OBJF_MODIFIABLE))
				rv = CKR_ACTION_PROHIBITED; /* CKA_MODIFIABLE false (§4.4.1) */
			if (rv == CKR_OK)
				rc = t->drv->set_attributes(t, &upd, what);
			if (rv == CKR_OK && rc == TM_OK) {
				upd.value = o->value; /* the cached value and key stay o's */
				upd.pub = o->pub;
				upd.label[upd.label_len] = '\0';
				*o = upd;
			}
		}
		tm_token_end(t);
	}
	OPENSSL_free(cur);
	if (rc != TM_OK)
		rv = tm_card_failed(slot, rc);
	tm_session_end(slot);
	return rv;
}

/* CKA_TOKEN true in the template (the default is false, §4.4), and
 * CKA_PRIVATE true. */
static bool template_true(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
	bool v = false;
	for (CK_ULONG i = 0; i < n; i++)
		if (t[i].type == type)
			v = t[i].ulValueLen == sizeof(CK_BBOOL) && t[i].pValue &&
			    *(CK_BBOOL *)t[i].pValue == CK_TRUE;
	return v;
}
static bool token_object(const CK_ATTRIBUTE *t, CK_ULONG n) { return template_true(t, n, CKA_TOKEN); }
static bool private_object(const CK_ATTRIBUTE *t, CK_ULONG n) { return template_true(t, n, CKA_PRIVATE); }

/* The same attribute twice with different values.  Templates longer
 * than any object's attribute list are left to the checks after this
 * (they refuse them), so the pairwise look stays small. */
static bool conflicting(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	if (n > 4 * TM_MAX_ATTRS)
		return false;
	for (CK_ULONG i = 0; i < n; i++)
		for (CK_ULONG j = i + 1; j < n; j++)
			if (t[i].type == t[j].type &&
			    (t[i].ulValueLen != t[j].ulValueLen ||
			     (t[i].ulValueLen && t[i].pValue && t[j].pValue &&
			      memcmp(t[i].pValue, t[j].pValue, t[i].ulValueLen) != 0)))
				return true;
	return false;
}

static bool private_key(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	for (CK_ULONG i = 0; i < n; i++)
		if (t[i].type == CKA_CLASS && t[i].ulValueLen == sizeof(CK_OBJECT_CLASS) &&
		    t[i].pValue && *(CK_OBJECT_CLASS *)t[i].pValue == CKO_PRIVATE_KEY)
			return true;
	return false;
}

/* A new object: a certificate or data object on the card (CKA_TOKEN
 * true), or a session object in the module (session_object.c). */
CK_RV C_CreateObject(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
		     CK_OBJECT_HANDLE_PTR phObject)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_token *t = slot->token;
	const CK_ATTRIBUTE *cls = NULL, *value = NULL;
	/* Modifiable unless the template says otherwise (§4.4's default). */
	struct tm_card_object o = {.flags = TM_OBJF_MODIFIABLE};
	if (pTemplate == NULL || phObject == NULL)
		rv = CKR_ARGUMENTS_BAD;
	else if (conflicting(pTemplate, ulCount))
		rv = CKR_TEMPLATE_INCONSISTENT; /* one attribute given two values (§5.7) */
	else if (private_key(pTemplate, ulCount)) {
		/* Only the card holds private keys: token and session ones
		 * alike go there (key_import.c). */
		rv = tm_key_import(se, slot, pTemplate, ulCount, phObject);
		tm_session_end(slot);
		return rv;
	} else if (!token_object(pTemplate, ulCount)) {
		/* A session object (CKA_TOKEN false, the default): any
		 * session may make one, a private one after login (§6.7). */
		rv = private_object(pTemplate, ulCount) && !t->user_in
			     ? CKR_USER_NOT_LOGGED_IN
			     : tm_sobj_create(slot, se->handle, pTemplate, ulCount, phObject);
		tm_session_end(slot);
		return rv;
	}
	/* On the card: certificates and data objects.  Public keys come from
	 * key generation, private ones from key_import.c; no secret keys. */
	for (CK_ULONG i = 0; rv == CKR_OK && i < ulCount; i++)
		if (pTemplate[i].type == CKA_CLASS && pTemplate[i].ulValueLen == sizeof(CK_OBJECT_CLASS) &&
		    pTemplate[i].pValue != NULL && *(CK_OBJECT_CLASS *)pTemplate[i].pValue != CKO_DATA &&
		    *(CK_OBJECT_CLASS *)pTemplate[i].pValue != CKO_CERTIFICATE)
			rv = CKR_TEMPLATE_INCONSISTENT;
	for (CK_ULONG i = 0; rv == CKR_OK && i < ulCount; i++) {
		const CK_ATTRIBUTE *x = &pTemplate[i];
		CK_BBOOL b = tm_attr_bool(x);
		if (x->ulValueLen && x->pValue == NULL)
			rv = CKR_ATTRIBUTE_VALUE_INVALID;
		else if (x->type == CKA_CLASS && x->ulValueLen == sizeof(CK_OBJECT_CLASS))
			cls = x;
		else if (x->type == CKA_CLASS)
			rv = CKR_ATTRIBUTE_VALUE_INVALID; /* not a CK_OBJECT_CLASS */
		else if (x->type == CKA_VALUE)
			value = x;
		else if (x->type == CKA_LABEL && x->ulValueLen <= TM_MAX_OBJ_LABEL) {
			memcpy(o.label, x->pValue, x->ulValueLen);
			o.label_len = x->ulValueLen;
		} else if (x->type == CKA_ID && x->ulValueLen <= TM_MAX_OBJ_ID) {
			memcpy(o.id, x->pValue, x->ulValueLen);
			o.id_len = x->ulValueLen;
		} else if (x->type == CKA_APPLICATION && x->ulValueLen <= sizeof(o.app)) {
			memcpy(o.app, x->pValue, x->ulValueLen);
			o.app_len = x->ulValueLen;
		} else if (x->type == CKA_PRIVATE && b != 2) {
			if (b)
				o.flags |= TM_OBJF_PRIVATE;
		} else if (x->type == CKA_MODIFIABLE && b != 2) {
			if (!b)
				o.flags &= (uint8_t)~TM_OBJF_MODIFIABLE;
		} else if (x->type == CKA_TOKEN && b == CK_TRUE) {
			/* a token object: what brought us here */
		} else if (x->type == CKA_CERTIFICATE_TYPE && x->ulValueLen == sizeof(CK_ULONG)) {
			if (*(CK_ULONG *)x->pValue != CKC_X_509)
				rv = CKR_ATTRIBUTE_VALUE_INVALID;
		} else if (x->type == CKA_SUBJECT || x->type == CKA_ISSUER ||
			   x->type == CKA_SERIAL_NUMBER || x->type == CKA_TRUSTED ||
			   x->type == CKA_OBJECT_ID || x->type == CKA_CERTIFICATE_CATEGORY) {
			/* Taken from the certificate itself. */
		} else if (x->type == CKA_LABEL || x->type == CKA_ID || x->type == CKA_APPLICATION ||
			   x->type == CKA_PRIVATE || x->type == CKA_MODIFIABLE ||
			   x->type == CKA_TOKEN || x->type == CKA_CERTIFICATE_TYPE) {
			rv = CKR_ATTRIBUTE_VALUE_INVALID; /* known, but not a value it can take */
		} else {
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
		}
	}
	if (rv == CKR_OK && (cls == NULL || value == NULL))
		rv = CKR_TEMPLATE_INCOMPLETE;
	if (rv == CKR_OK) {
		CK_OBJECT_CLASS c = *(CK_OBJECT_CLASS *)cls->pValue;
		if (c == CKO_CERTIFICATE) {
			const unsigned char *p = value->pValue;
			X509 *x = d2i_X509(NULL, &p, (long)value->ulValueLen);
			if (x == NULL)
				rv = CKR_ATTRIBUTE_VALUE_INVALID;
			X509_free(x);
			o.cls = TM_OBJ_CERTIFICATE;
		} else if (c == CKO_DATA) {
			o.cls = TM_OBJ_DATA;
		} else {
			rv = CKR_TEMPLATE_INCONSISTENT; /* keys are made on the card */
		}
	}
	if (rv == CKR_OK && value->ulValueLen > TM_MAX_OBJECT_SIZE)
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	/* The template first, whatever the login state (§5.1's order). */
	if (rv == CKR_OK && !(se->flags & CKF_RW_SESSION))
		rv = CKR_SESSION_READ_ONLY;
	else if (rv == CKR_OK && !t->user_in)
		rv = CKR_USER_NOT_LOGGED_IN;
	if (rv == CKR_OK) {
		uint16_t ref;
		int rc = tm_token_begin(t);
		if (rc == TM_OK) {
			rc = tm_token_room(t, 1);
			if (rc == TM_OK)
				rc = t->drv->create_object(t, &o, value->pValue, value->ulValueLen, &ref);
			tm_token_drop_objects(t);
			t->drv->refresh(t); /* free memory changed */
			tm_token_end(t);
		}
		if (rc == TM_OK)
			*phObject = tm_handle(se->slot, ref, TM_VIEW_OBJECT);
		rv = rc == TM_OK ? CKR_OK : tm_card_failed(slot, rc);
	}
	tm_session_end(slot);
	return rv;
}

CK_RV C_CopyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
		   CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	if (phNewObject == NULL || (pTemplate == NULL && ulCount))
		rv = CKR_ARGUMENTS_BAD;
	else if (!tm_sobj_handle(hObject))
		rv = CKR_ACTION_PROHIBITED; /* token objects are not copyable (CKA_COPYABLE) */
	else if (token_object(pTemplate, ulCount))
		rv = CKR_TEMPLATE_INCONSISTENT; /* a token object is made on the card only */
	else if (private_object(pTemplate, ulCount) && !slot->token->user_in)
		rv = CKR_USER_NOT_LOGGED_IN;
	else
		rv = tm_sobj_copy(slot, se->handle, hObject, pTemplate, ulCount, phNewObject);
	tm_session_end(slot);
	return rv;
}

/* The private and the public key are objects of their own: destroying
 * one leaves the other.  A session key is a session object: any session
 * may destroy it (§6.7), and the card deletes it without a PIN. */
CK_RV C_DestroyObject(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	struct tm_session *se;
	struct tm_slot *slot;
	enum tm_view view;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_token *t = slot->token;
	if (tm_sobj_handle(hObject)) {
		struct tm_session_object *so = tm_sobj_get(slot, hObject, t->user_in);
		rv = so != NULL ? tm_sobj_destroy(so) : CKR_OBJECT_HANDLE_INVALID;
		tm_session_end(slot);
		return rv;
	}
	int rc = tm_token_begin(t);
	if (rc == TM_OK) {
		struct tm_card_object *o = tm_object_get(slot, hObject, &view);
		bool temporary = o != NULL && (o->flags & TM_OBJF_TEMPORARY);
		if (o == NULL)
			rv = CKR_OBJECT_HANDLE_INVALID;
		else if (!temporary && !(se->flags & CKF_RW_SESSION))
			rv = CKR_SESSION_READ_ONLY;
		else if (!temporary && !t->user_in)
			rv = CKR_USER_NOT_LOGGED_IN;
		else {
			uint16_t ref = o->ref;
			rc = t->drv->delete_object(t, ref);
			if (rc == TM_OK)
				tm_skey_forget(slot, ref);
			tm_token_drop_objects(t);
			t->drv->refresh(t);
		}
		tm_token_end(t);
	}
	if (rc != TM_OK)
		rv = tm_card_failed(slot, rc);
	tm_session_end(slot);
	return rv;
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
	struct tm_session *se;
	struct tm_slot *slot;
	enum tm_view view;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_token *t = slot->token;
	struct tm_session_object *so = tm_sobj_get(slot, hObject, t->user_in);
	if (pulSize != NULL && tm_sobj_handle(hObject)) {
		if (so != NULL)
			*pulSize = tm_sobj_size(so);
		tm_session_end(slot);
		return so != NULL ? CKR_OK : CKR_OBJECT_HANDLE_INVALID;
	}
	int rc = pulSize ? tm_token_begin(t) : TM_OK;
	if (pulSize == NULL) {
		rv = CKR_ARGUMENTS_BAD;
	} else if (rc == TM_OK) {
		struct tm_card_object *o = tm_object_get(slot, hObject, &view);
		if (o == NULL)
			rv = CKR_OBJECT_HANDLE_INVALID;
		else
			*pulSize = o->cls == TM_OBJ_KEY_PAIR || o->cls == TM_OBJ_PUBLIC_KEY
					   ? CK_UNAVAILABLE_INFORMATION : o->size;
		tm_token_end(t);
	}
	if (rc != TM_OK)
		rv = tm_card_failed(slot, rc);
	tm_session_end(slot);
	return rv;
}
