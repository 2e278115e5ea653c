/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: PKCS#11 URIs (tools/tool_uri.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/tool.h"
#include "tools/tool_uri.h"

bool tt_is_uri(const char *s)
{
	return strncasecmp(s, P11_KIT_URI_SCHEME ":", P11_KIT_URI_SCHEME_LEN + 1) == 0;
}

P11KitUri *tt_uri_parse(const char *s, const char *what)
{
	P11KitUri *u = p11_kit_uri_new();
	int rc;

	if (u == NULL) {
		tt_err("out of memory");
		return NULL;
	}
	if ((rc = p11_kit_uri_parse(s, P11_KIT_URI_FOR_ANY, u)) != P11_KIT_URI_OK) {
		tt_err("%s %s: not a PKCS#11 URI (%s)", what, s, p11_kit_uri_message(rc));
		p11_kit_uri_free(u);
		return NULL;
	}
	if (p11_kit_uri_any_unrecognized(u)) {
		tt_err("%s %s: the URI has attributes this tool does not know (RFC 7512 names "
		       "token, serial, model, manufacturer, slot-id, id, object, type ...)", what, s);
		p11_kit_uri_free(u);
		return NULL;
	}
	return u;
}

bool tt_uri_matches(P11KitUri *u, CK_SLOT_ID slot, const CK_SLOT_INFO *si, const CK_TOKEN_INFO *ti)
{
	CK_SLOT_ID want = p11_kit_uri_get_slot_id(u);
	CK_SLOT_INFO s = *si; /* p11-kit takes them non-const */
	CK_TOKEN_INFO t = *ti;

	if (want != (CK_SLOT_ID)-1 && want != slot)
		return false;
	return p11_kit_uri_match_slot_info(u, &s) && p11_kit_uri_match_token_info(u, &t);
}

bool tt_uri_object(P11KitUri *u, struct tt_uri_object *obj)
{
	CK_ATTRIBUTE *a;

	memset(obj, 0, sizeof(*obj));
	if ((a = p11_kit_uri_get_attribute(u, CKA_ID)) != NULL) {
		if (a->ulValueLen > sizeof(obj->id)) {
			tt_err("the URI's id is longer than any token keeps");
			return false;
		}
		memcpy(obj->id, a->pValue, a->ulValueLen);
		obj->id_len = a->ulValueLen;
		obj->have_id = true;
	}
	if ((a = p11_kit_uri_get_attribute(u, CKA_LABEL)) != NULL) {
		if (a->ulValueLen >= sizeof(obj->label)) {
			tt_err("the URI's object name is longer than any token keeps");
			return false;
		}
		memcpy(obj->label, a->pValue, a->ulValueLen);
		obj->label[a->ulValueLen] = '\0';
		obj->have_label = true;
	}
	if ((a = p11_kit_uri_get_attribute(u, CKA_CLASS)) != NULL &&
	    a->ulValueLen == sizeof(CK_OBJECT_CLASS)) {
		memcpy(&obj->cls, a->pValue, sizeof(obj->cls));
		obj->have_class = true;
	}
	return true;
}

static char *format(P11KitUri *u, P11KitUriType type)
{
	char *s = NULL;

	if (p11_kit_uri_format(u, type, &s) != P11_KIT_URI_OK)
		s = NULL;
	p11_kit_uri_free(u);
	return s;
}

static P11KitUri *with_token(const CK_TOKEN_INFO *ti)
{
	P11KitUri *u = p11_kit_uri_new();

	if (u != NULL)
		memcpy(p11_kit_uri_get_token_info(u), ti, sizeof(*ti));
	return u;
}

char *tt_token_uri(const CK_TOKEN_INFO *ti)
{
	P11KitUri *u = with_token(ti);

	return u ? format(u, P11_KIT_URI_FOR_TOKEN) : NULL;
}

char *tt_object_uri(const CK_TOKEN_INFO *ti, CK_OBJECT_CLASS cls, const char *label,
		    const unsigned char *id, size_t id_len)
{
	P11KitUri *u = with_token(ti);
	unsigned char copy[256]; /* p11-kit takes values non-const; it copies them */
	CK_ATTRIBUTE a;

	if (u == NULL)
		return NULL;
	if (id_len > 0 && id_len <= sizeof(copy)) {
		memcpy(copy, id, id_len);
		a = (CK_ATTRIBUTE){CKA_ID, copy, id_len};
		p11_kit_uri_set_attribute(u, &a);
	}
	if (label != NULL && strlen(label) <= sizeof(copy)) {
		memcpy(copy, label, strlen(label));
		a = (CK_ATTRIBUTE){CKA_LABEL, copy, strlen(label)};
		p11_kit_uri_set_attribute(u, &a);
	}
	if (cls != (CK_OBJECT_CLASS)-1) {
		a = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof(cls)};
		p11_kit_uri_set_attribute(u, &a);
	}
	return format(u, P11_KIT_URI_FOR_OBJECT_ON_TOKEN);
}
