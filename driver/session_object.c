/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Session objects: templates kept in the module's memory. */
#include <config.h>

#include "session_object.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "apdu/buf.h"
#include "apdu/protocol.h"
#include "apdu/pubkey.h"
#include "apdu/rc.h"
#include "apdu/tlv.h"

/* A session object's handle: its slot in the top byte, as token
 * objects' (module.c tm_handle), bit 23 set and view 0 in the low
 * nibble, which no token object's handle has. */
#define SOBJ_BIT 0x800000UL
#define SOBJ_ID_MASK 0x7FFFFUL

bool tm_sobj_handle(CK_OBJECT_HANDLE h)
{
	return (h & (SOBJ_BIT | 0xFUL)) == SOBJ_BIT;
}

static const CK_ATTRIBUTE *find(const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type)
{
	for (CK_ULONG i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

static bool get_bool(const CK_ATTRIBUTE *a, bool dflt, bool *ok)
{
	if (a == NULL)
		return dflt;
	if (a->ulValueLen != sizeof(CK_BBOOL) || a->pValue == NULL ||
	    *(CK_BBOOL *)a->pValue > CK_TRUE)
		*ok = false;
	return *ok && *(CK_BBOOL *)a->pValue;
}

static bool is_ulong(const CK_ATTRIBUTE *a)
{
	return a != NULL && a->ulValueLen == sizeof(CK_ULONG) && a->pValue != NULL;
}

static void free_attrs(CK_ATTRIBUTE *a, CK_ULONG n)
{
	for (CK_ULONG i = 0; a && i < n; i++)
		OPENSSL_clear_free(a[i].pValue, a[i].ulValueLen);
	OPENSSL_free(a);
}

/* base, with each attribute of changes put in place or added; own copies. */
static CK_ATTRIBUTE *merge(const CK_ATTRIBUTE *base, CK_ULONG nb, const CK_ATTRIBUTE *changes,
			   CK_ULONG nc, CK_ULONG *n_out)
{
	CK_ATTRIBUTE *a = OPENSSL_zalloc(sizeof(*a) * (nb + nc + 1));
	CK_ULONG n = 0;

	for (CK_ULONG k = 0; a != NULL && k < nb + nc; k++) {
		const CK_ATTRIBUTE *x = k < nb ? &base[k] : &changes[k - nb];
		if (k < nb && find(changes, nc, x->type) != NULL)
			continue; /* changed: the new value comes later */
		if (k >= nb && find(changes + (k - nb) + 1, nc - (k - nb) - 1, x->type) != NULL)
			continue; /* the template's last value of a type counts */
		a[n].type = x->type;
		a[n].ulValueLen = x->ulValueLen;
		a[n].pValue = OPENSSL_memdup(x->pValue ? x->pValue : "", x->ulValueLen ? x->ulValueLen : 1);
		if (a[n++].pValue == NULL) {
			free_attrs(a, n);
			return NULL;
		}
	}
	*n_out = n;
	return a;
}

/* What every template must hold for its class (PKCS#11 2.40 §4.4-4.8,
 * §2.1.2, §2.3.2); the values a certificate has are checked against
 * OpenSSL's reading of it. */
static CK_RV check(const CK_ATTRIBUTE *t, CK_ULONG n, bool *private_obj, bool *modifiable)
{
	const CK_ATTRIBUTE *cls = find(t, n, CKA_CLASS);
	bool ok = true;

	if (!is_ulong(cls))
		return cls ? CKR_ATTRIBUTE_VALUE_INVALID : CKR_TEMPLATE_INCOMPLETE;
	if (get_bool(find(t, n, CKA_TOKEN), false, &ok) || !ok)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	*private_obj = get_bool(find(t, n, CKA_PRIVATE), false, &ok);
	*modifiable = get_bool(find(t, n, CKA_MODIFIABLE), true, &ok);
	if (!ok)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	switch (*(CK_OBJECT_CLASS *)cls->pValue) {
	case CKO_DATA:
		return CKR_OK;
	case CKO_CERTIFICATE: {
		const CK_ATTRIBUTE *type = find(t, n, CKA_CERTIFICATE_TYPE);
		const CK_ATTRIBUTE *value = find(t, n, CKA_VALUE);
		if (!is_ulong(type) || value == NULL)
			return CKR_TEMPLATE_INCOMPLETE;
		if (*(CK_CERTIFICATE_TYPE *)type->pValue != CKC_X_509)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		const unsigned char *p = value->pValue;
		X509 *x = d2i_X509(NULL, &p, (long)value->ulValueLen);
		X509_free(x);
		return x != NULL ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	}
	case CKO_PUBLIC_KEY: {
		const CK_ATTRIBUTE *kt = find(t, n, CKA_KEY_TYPE);
		if (!is_ulong(kt))
			return CKR_TEMPLATE_INCOMPLETE;
		CK_KEY_TYPE k = *(CK_KEY_TYPE *)kt->pValue;
		if (k == CKK_RSA)
			return find(t, n, CKA_MODULUS) && find(t, n, CKA_PUBLIC_EXPONENT)
				       ? CKR_OK : CKR_TEMPLATE_INCOMPLETE;
		if (k == CKK_EC)
			return find(t, n, CKA_EC_PARAMS) && find(t, n, CKA_EC_POINT)
				       ? CKR_OK : CKR_TEMPLATE_INCOMPLETE;
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	default:
		/* Private and secret keys live on the card or not at all. */
		return CKR_TEMPLATE_INCONSISTENT;
	}
}

/* base with changes, checked: the new attribute list, or NULL and *rv.
 * What the application gives is bounded before anything is copied: an
 * object holds at most what the find and get functions show
 * (TM_MAX_ATTRS), and no value is larger than a card object may be. */
static CK_ATTRIBUTE *rebuild(const CK_ATTRIBUTE *base, CK_ULONG nb, const CK_ATTRIBUTE *changes,
			     CK_ULONG nc, CK_ULONG *n, bool *private_obj, bool *modifiable, CK_RV *rv)
{
	CK_ATTRIBUTE *a = NULL;

	*rv = nc > TM_MAX_ATTRS ? CKR_DEVICE_MEMORY : CKR_OK;
	for (CK_ULONG i = 0; *rv == CKR_OK && i < nc; i++)
		if ((changes[i].pValue == NULL && changes[i].ulValueLen) ||
		    changes[i].ulValueLen > TM_MAX_OBJECT_SIZE)
			*rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (*rv == CKR_OK && (a = merge(base, nb, changes, nc, n)) == NULL)
		*rv = CKR_HOST_MEMORY;
	if (*rv == CKR_OK && *n > TM_MAX_ATTRS)
		*rv = CKR_DEVICE_MEMORY;
	if (*rv == CKR_OK)
		*rv = check(a, *n, private_obj, modifiable);
	if (*rv == CKR_OK)
		return a;
	if (a != NULL)
		free_attrs(a, *n);
	return NULL;
}

/* The attributes every object of the class has, with their defaults
 * (§4.4: CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_LABEL, ...). */
static CK_BBOOL yes = CK_TRUE, no = CK_FALSE; /* only ever copied */
static const CK_ATTRIBUTE defaults[] = {
	{CKA_TOKEN, &no, sizeof(no)},
	{CKA_PRIVATE, &no, sizeof(no)},
	{CKA_MODIFIABLE, &yes, sizeof(yes)},
	{CKA_COPYABLE, &yes, sizeof(yes)},
	{CKA_DESTROYABLE, &yes, sizeof(yes)},
	{CKA_LABEL, NULL, 0},
};

static struct tm_session_objects *store(struct tm_slot *slot)
{
	if (slot->sobjs == NULL)
		slot->sobjs = OPENSSL_zalloc(sizeof(*slot->sobjs));
	return slot->sobjs;
}

static CK_RV add(struct tm_slot *slot, CK_SESSION_HANDLE owner, const CK_ATTRIBUTE *base,
		 CK_ULONG nb, const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
	struct tm_session_objects *s = store(slot);
	struct tm_session_object *o = NULL;
	bool private_obj, modifiable;
	CK_ULONG nm;

	if (s == NULL)
		return CKR_HOST_MEMORY;
	for (size_t i = 0; i < TM_MAX_SESSION_OBJECTS && o == NULL; i++)
		if (s->o[i].attrs == NULL)
			o = &s->o[i];
	if (o == NULL)
		return CKR_DEVICE_MEMORY; /* as a full token says */
	CK_RV rv;
	CK_ATTRIBUTE *a = rebuild(base, nb, tmpl, n, &nm, &private_obj, &modifiable, &rv);
	if (a == NULL)
		return rv;
	CK_SLOT_ID id = (CK_SLOT_ID)(slot - tm_mod.slots);
	s->next_id = (s->next_id + 1) & SOBJ_ID_MASK;
	*o = (struct tm_session_object){
		.handle = (CK_OBJECT_HANDLE)(id + 1) << 24 | SOBJ_BIT | s->next_id << 4,
		.owner = owner, .private_obj = private_obj, .modifiable = modifiable,
		.n = nm, .attrs = a,
	};
	*out = o->handle;
	return CKR_OK;
}

CK_RV tm_sobj_create(struct tm_slot *slot, CK_SESSION_HANDLE owner, const CK_ATTRIBUTE *tmpl,
		     CK_ULONG n, CK_OBJECT_HANDLE *out)
{
	return add(slot, owner, defaults, sizeof(defaults) / sizeof(defaults[0]), tmpl, n, out);
}

CK_RV tm_sobj_copy(struct tm_slot *slot, CK_SESSION_HANDLE owner, CK_OBJECT_HANDLE from,
		   const CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
	struct tm_session_object *o = tm_sobj_get(slot, from, true);
	bool ok = true;

	if (o == NULL)
		return CKR_OBJECT_HANDLE_INVALID;
	if (!get_bool(find(o->attrs, o->n, CKA_COPYABLE), true, &ok))
		return CKR_ACTION_PROHIBITED;
	/* A copy may change what C_SetAttributeValue may, and may turn the
	 * attributes that only go from TRUE to FALSE (§5.7). */
	for (CK_ULONG i = 0; i < n; i++)
		if (tmpl[i].type == CKA_CLASS || tmpl[i].type == CKA_KEY_TYPE ||
		    tmpl[i].type == CKA_CERTIFICATE_TYPE)
			return CKR_ATTRIBUTE_READ_ONLY;
	return add(slot, owner, o->attrs, o->n, tmpl, n, out);
}

struct tm_session_object *tm_sobj_get(struct tm_slot *slot, CK_OBJECT_HANDLE h, bool user_in)
{
	if (!tm_sobj_handle(h) || slot->sobjs == NULL)
		return NULL;
	for (size_t i = 0; i < TM_MAX_SESSION_OBJECTS; i++) {
		struct tm_session_object *o = &slot->sobjs->o[i];
		if (o->attrs != NULL && o->handle == h)
			return !o->private_obj || user_in ? o : NULL;
	}
	return NULL;
}

void tm_sobj_attrs(const struct tm_session_object *o, struct tm_attrs *a)
{
	memset(a, 0, offsetof(struct tm_attrs, bytes));
	for (CK_ULONG i = 0; i < o->n && a->n < TM_MAX_ATTRS; i++)
		a->a[a->n++] = (struct tm_attr){o->attrs[i].type, o->attrs[i].pValue,
						o->attrs[i].ulValueLen, false};
}

CK_RV tm_sobj_set(struct tm_session_object *o, const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	bool private_obj, modifiable;
	CK_ULONG nm;

	const CK_ATTRIBUTE *cls = find(o->attrs, o->n, CKA_CLASS);
	bool data = is_ulong(cls) && *(CK_OBJECT_CLASS *)cls->pValue == CKO_DATA;

	if (!o->modifiable)
		return CKR_ACTION_PROHIBITED;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_ATTRIBUTE_TYPE t = tmpl[i].type;
		/* Fixed at creation (§4.4 table 4 footnotes, §4.6, §4.8): the
		 * value of anything but a data object, key material, and the
		 * attributes that say what the object is. */
		if (t == CKA_CLASS || t == CKA_TOKEN || t == CKA_PRIVATE || t == CKA_MODIFIABLE ||
		    t == CKA_KEY_TYPE || t == CKA_CERTIFICATE_TYPE || t == CKA_MODULUS ||
		    t == CKA_PUBLIC_EXPONENT || t == CKA_EC_PARAMS || t == CKA_EC_POINT ||
		    t == CKA_COPYABLE || t == CKA_DESTROYABLE || (t == CKA_VALUE && !data))
			return CKR_ATTRIBUTE_READ_ONLY;
	}
	CK_RV rv;
	CK_ATTRIBUTE *a = rebuild(o->attrs, o->n, tmpl, n, &nm, &private_obj, &modifiable, &rv);
	if (a == NULL)
		return rv;
	free_attrs(o->attrs, o->n);
	o->attrs = a;
	o->n = nm;
	return CKR_OK;
}

bool tm_sobj_allows(const struct tm_session_object *o, CK_ATTRIBUTE_TYPE usage)
{
	bool ok = true;
	return get_bool(find(o->attrs, o->n, usage), true, &ok) && ok;
}

/* The DER of P-256's OID, the one curve the cards have. */
static const uint8_t p256_oid[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};

EVP_PKEY *tm_sobj_public_key(const struct tm_session_object *o, uint8_t *key_alg)
{
	const CK_ATTRIBUTE *cls = find(o->attrs, o->n, CKA_CLASS);
	const CK_ATTRIBUTE *kt = find(o->attrs, o->n, CKA_KEY_TYPE);
	EVP_PKEY *key = NULL;
	struct tm_buf b;

	if (!is_ulong(cls) || *(CK_OBJECT_CLASS *)cls->pValue != CKO_PUBLIC_KEY || !is_ulong(kt))
		return NULL;
	/* The public key as the card's directory gives it (protocol.md):
	 * apdu/pubkey.c then checks and builds it, engine-safe. */
	tm_buf_init_dynamic(&b, 1024);
	size_t pk = tm_tlv_begin(&b, TM_TAG_PUBLIC_KEY);
	/* check() made sure of the attributes; they are read-only since. */
	const CK_ATTRIBUTE *n = find(o->attrs, o->n, CKA_MODULUS);
	const CK_ATTRIBUTE *e = find(o->attrs, o->n, CKA_PUBLIC_EXPONENT);
	const CK_ATTRIBUTE *params = find(o->attrs, o->n, CKA_EC_PARAMS);
	const CK_ATTRIBUTE *point = find(o->attrs, o->n, CKA_EC_POINT);
	if (*(CK_KEY_TYPE *)kt->pValue == CKK_RSA && n != NULL && e != NULL) {
		tm_tlv_put(&b, TM_TAG_RSA_MODULUS, n->pValue, n->ulValueLen);
		tm_tlv_put(&b, TM_TAG_RSA_EXPONENT, e->pValue, e->ulValueLen);
		*key_alg = TM_KEY_RSA;
	} else if (*(CK_KEY_TYPE *)kt->pValue == CKK_EC && params != NULL && point != NULL) {
		const unsigned char *p = point->pValue;
		/* CKA_EC_POINT is DER of an OCTET STRING (§2.3.3). */
		ASN1_OCTET_STRING *os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)point->ulValueLen);
		if (params->ulValueLen == sizeof(p256_oid) &&
		    memcmp(params->pValue, p256_oid, sizeof(p256_oid)) == 0 && os != NULL)
			tm_tlv_put(&b, TM_TAG_EC_POINT, ASN1_STRING_get0_data(os),
				   (size_t)ASN1_STRING_length(os));
		else
			b.failed = true;
		ASN1_OCTET_STRING_free(os);
		*key_alg = TM_KEY_EC_P256;
	} else {
		b.failed = true;
	}
	tm_tlv_end(&b, pk);
	if (!tm_buf_ok(&b) || tm_pubkey_decode(b.data, b.len, &key) != TM_OK)
		key = NULL;
	tm_buf_free(&b);
	return key;
}

CK_ULONG tm_sobj_size(const struct tm_session_object *o)
{
	CK_ULONG size = 0;
	for (CK_ULONG i = 0; i < o->n; i++)
		size += o->attrs[i].ulValueLen;
	return size;
}

static void drop(struct tm_session_object *o)
{
	free_attrs(o->attrs, o->n);
	memset(o, 0, sizeof(*o));
}

CK_RV tm_sobj_destroy(struct tm_session_object *o)
{
	bool ok = true;

	if (!get_bool(find(o->attrs, o->n, CKA_DESTROYABLE), true, &ok))
		return CKR_ACTION_PROHIBITED;
	drop(o);
	return CKR_OK;
}

void tm_sobj_close(struct tm_slot *slot, CK_SESSION_HANDLE owner)
{
	if (slot->sobjs == NULL)
		return;
	for (size_t i = 0; i < TM_MAX_SESSION_OBJECTS; i++) {
		struct tm_session_object *o = &slot->sobjs->o[i];
		if (o->attrs != NULL && (owner == 0 || o->owner == owner))
			drop(o);
	}
	if (owner == 0) {
		OPENSSL_free(slot->sobjs);
		slot->sobjs = NULL;
	}
}
