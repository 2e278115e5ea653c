/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading values out of application templates: the checks every
 * function that takes a template shares. */
#include <config.h>

#include "template.h"

#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "apdu/protocol.h"

CK_RV tm_attr_take(const CK_ATTRIBUTE *x, void *dst, size_t max, size_t *len)
{
	if (x->ulValueLen > max)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (x->ulValueLen)
		memcpy(dst, x->pValue, x->ulValueLen);
	*len = x->ulValueLen;
	return CKR_OK;
}

CK_BBOOL tm_attr_bool(const CK_ATTRIBUTE *a)
{
	return a->ulValueLen == sizeof(CK_BBOOL) && a->pValue ? *(CK_BBOOL *)a->pValue : 2;
}

bool tm_attr_is_p256(const CK_ATTRIBUTE *a)
{
	const unsigned char *p = a->pValue;
	ASN1_OBJECT *oid = p ? d2i_ASN1_OBJECT(NULL, &p, (long)a->ulValueLen) : NULL;
	bool ok = oid != NULL && OBJ_obj2nid(oid) == NID_X9_62_prime256v1 &&
		  p == (const unsigned char *)a->pValue + a->ulValueLen;
	ASN1_OBJECT_free(oid);
	return ok;
}

CK_RV tm_attr_date(const CK_ATTRIBUTE *x, char *dst, size_t *len)
{
	if (x->ulValueLen != 0 && x->ulValueLen != TM_OBJ_DATE_LEN)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	for (CK_ULONG i = 0; i < x->ulValueLen; i++)
		if (((const char *)x->pValue)[i] < '0' || ((const char *)x->pValue)[i] > '9')
			return CKR_ATTRIBUTE_VALUE_INVALID;
	return tm_attr_take(x, dst, TM_OBJ_DATE_LEN, len);
}
