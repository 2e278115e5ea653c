/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PKCS#11 objects over the card's objects: a certificate or data object
 * is one object; a key pair is two, a public and a private key. */
#ifndef TUMAR_DRIVER_OBJECT_H
#define TUMAR_DRIVER_OBJECT_H

#include <stdbool.h>

#include "driver/module.h"

#define TM_MAX_ATTRS 48

struct tm_attr {
	CK_ATTRIBUTE_TYPE type;
	const void *value;
	CK_ULONG len;
	bool sensitive;    /* exists, but its value never leaves the card */
};

struct tm_attrs {
	size_t n;
	struct tm_attr a[TM_MAX_ATTRS];
	CK_ULONG ulongs[16];
	size_t n_ulongs;
	uint8_t bytes[4096];  /* DER and big numbers the attributes point at */
	size_t n_bytes;
};

/* The attributes of a view of a card object.  need_value: read the
 * object's value from the card if it is not cached yet (CKA_VALUE, and a
 * certificate's subject, issuer and serial).  TM_OK, or a tm_rc. */
int tm_object_attrs(struct tm_token *t, struct tm_card_object *o, enum tm_view view,
		    bool need_value, struct tm_attrs *out);

/* Whether the view exists and may be seen (private ones after login). */
bool tm_object_visible(const struct tm_token *t, const struct tm_card_object *o, enum tm_view view);

/* The card object a handle names in a session's slot, if visible. */
struct tm_card_object *tm_object_get(struct tm_slot *slot, CK_OBJECT_HANDLE h, enum tm_view *view);

#endif
