/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Session objects (CKA_TOKEN false): data objects, certificates and
 * public keys an application keeps in the module's memory for as long as
 * the session that made it (PKCS#11 2.40 §4.4, §6.7: "session objects"
 * are visible to every session of the application and destroyed when
 * their session closes).  Each slot holds its own, under the slot's lock;
 * they go with the token too.
 */
#ifndef TUMAR_DRIVER_SESSION_OBJECT_H
#define TUMAR_DRIVER_SESSION_OBJECT_H

#include <stdbool.h>

#include "driver/object.h"

struct tm_session_object {
	CK_OBJECT_HANDLE handle;
	CK_SESSION_HANDLE owner;
	bool private_obj, modifiable;
	CK_ULONG n;
	CK_ATTRIBUTE *attrs;    /* the module's own copies */
};

struct tm_session_objects {
	struct tm_session_object o[TM_MAX_SESSION_OBJECTS];
	CK_ULONG next_id;
};

/* Whether a handle names a session object (of any slot). */
bool tm_sobj_handle(CK_OBJECT_HANDLE h);

/* A new session object from an application's template, checked: its
 * class (data, certificate, RSA or EC public key), the attributes it
 * needs, values of the right size.  CKR_OK and *out, or the CKR. */
CK_RV tm_sobj_create(struct tm_slot *slot, CK_SESSION_HANDLE owner, const CK_ATTRIBUTE *tmpl,
		     CK_ULONG n, CK_OBJECT_HANDLE *out);
/* A copy, with the template's changes (§5.7 C_CopyObject). */
CK_RV tm_sobj_copy(struct tm_slot *slot, CK_SESSION_HANDLE owner, CK_OBJECT_HANDLE from,
		   const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out);

/* The object a handle names, if this login state may see it. */
struct tm_session_object *tm_sobj_get(struct tm_slot *slot, CK_OBJECT_HANDLE h, bool user_in);
/* Its attributes as the find and get functions read them. */
void tm_sobj_attrs(const struct tm_session_object *o, struct tm_attrs *a);
/* A public key object as OpenSSL's key (RSA, or EC on P-256: what the
 * module's mechanisms take) and its TM_KEY_*; NULL when it is none. */
EVP_PKEY *tm_sobj_public_key(const struct tm_session_object *o, uint8_t *key_alg);
/* A usage attribute (CKA_VERIFY, CKA_ENCRYPT): true unless it says false. */
bool tm_sobj_allows(const struct tm_session_object *o, CK_ATTRIBUTE_TYPE usage);
/* §5.7 C_SetAttributeValue on it; C_GetObjectSize. */
CK_RV tm_sobj_set(struct tm_session_object *o, const CK_ATTRIBUTE *tmpl, CK_ULONG n);
CK_ULONG tm_sobj_size(const struct tm_session_object *o);

/* §5.7 C_DestroyObject: CKR_ACTION_PROHIBITED when CKA_DESTROYABLE is
 * false. */
CK_RV tm_sobj_destroy(struct tm_session_object *o);
/* Every object of this session (0: of every session) in the slot. */
void tm_sobj_close(struct tm_slot *slot, CK_SESSION_HANDLE owner);

#endif
