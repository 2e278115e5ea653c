/* Object functions (PKCS#11 2.40 §5.8) and attribute views. */
#include <config.h>

#include "object.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "apdu/rc.h"
#include "driver/ckr.h"
#include "driver/key_import.h"
#include "driver/log.h"
#include "driver/owner.h"
#include "driver/session_key.h"
#include "driver/session_object.h"

static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

/* DER of the named curve's OID, as OpenSSL encodes it. */
static size_t ec_params(uint8_t *out, size_t cap)
{
	ASN1_OBJECT *oid = OBJ_nid2obj(NID_X9_62_prime256v1);
	int n = i2d_ASN1_OBJECT(oid, NULL);
	unsigned char *p = out;
	return n > 0 && (size_t)n <= cap ? (size_t)i2d_ASN1_OBJECT(oid, &p) : 0;
}

static void add(struct tm_attrs *a, CK_ATTRIBUTE_TYPE type, const void *v, CK_ULONG len)
{
	if (a->n < TM_MAX_ATTRS)
		a->a[a->n++] = (struct tm_attr){type, v, len, false};
}

static void add_bool(struct tm_attrs *a, CK_ATTRIBUTE_TYPE type, bool v)
{
	add(a, type, v ? &yes : &no, sizeof(CK_BBOOL));
}

static void add_ulong(struct tm_attrs *a, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
	if (a->n_ulongs < sizeof(a->ulongs) / sizeof(a->ulongs[0])) {
		a->ulongs[a->n_ulongs] = v;
		add(a, type, &a->ulongs[a->n_ulongs++], sizeof(CK_ULONG));
	}
}

static void add_sensitive(struct tm_attrs *a, CK_ATTRIBUTE_TYPE type)
{
	if (a->n < TM_MAX_ATTRS)
		a->a[a->n++] = (struct tm_attr){type, NULL, 0, true};
}

/* Room in the byte store; NULL when full. */
static uint8_t *room(struct tm_attrs *a, size_t n)
{
	if (n > sizeof(a->bytes) - a->n_bytes)
		return NULL;
	uint8_t *p = a->bytes + a->n_bytes;
	a->n_bytes += n;
	return p;
}

static void add_bn(struct tm_attrs *a, CK_ATTRIBUTE_TYPE type, EVP_PKEY *k, const char *name)
{
	BIGNUM *bn = NULL;
	if (EVP_PKEY_get_bn_param(k, name, &bn)) {
		uint8_t *p = room(a, (size_t)BN_num_bytes(bn));
		if (p != NULL)
			add(a, type, p, (CK_ULONG)BN_bn2bin(bn, p));
	}
	BN_free(bn);
}

/* CKA_EC_POINT: the point as a DER OCTET STRING (PKCS#11 2.40 §2.3.3). */
static void add_ec_point(struct tm_attrs *a, EVP_PKEY *k)
{
	uint8_t point[133];
	size_t len = 0;
	if (!EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &len))
		return;
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	if (os != NULL && ASN1_OCTET_STRING_set(os, point, (int)len)) {
		int n = i2d_ASN1_OCTET_STRING(os, NULL);
		uint8_t *p = n > 0 ? room(a, (size_t)n) : NULL;
		if (p != NULL) {
			unsigned char *q = p;
			add(a, CKA_EC_POINT, p, (CK_ULONG)i2d_ASN1_OCTET_STRING(os, &q));
		}
	}
	ASN1_OCTET_STRING_free(os);
}

static void add_name(struct tm_attrs *a, CK_ATTRIBUTE_TYPE type, const X509_NAME *name)
{
	int n = i2d_X509_NAME(name, NULL);
	uint8_t *p = n > 0 ? room(a, (size_t)n) : NULL;
	if (p != NULL) {
		unsigned char *q = p;
		add(a, type, p, (CK_ULONG)i2d_X509_NAME(name, &q));
	}
}

static void add_cert_fields(struct tm_attrs *a, const struct tm_card_object *o)
{
	const unsigned char *p = o->value;
	X509 *x = o->value ? d2i_X509(NULL, &p, (long)o->size) : NULL;

	if (x == NULL) {
		/* Not a certificate OpenSSL reads: the attributes are empty. */
		add(a, CKA_SUBJECT, "", 0);
		add(a, CKA_ISSUER, "", 0);
		add(a, CKA_SERIAL_NUMBER, "", 0);
		return;
	}
	add_name(a, CKA_SUBJECT, X509_get_subject_name(x));
	add_name(a, CKA_ISSUER, X509_get_issuer_name(x));
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	int n = i2d_ASN1_INTEGER(serial, NULL);
	uint8_t *s = n > 0 ? room(a, (size_t)n) : NULL;
	if (s != NULL) {
		unsigned char *q = s;
		add(a, CKA_SERIAL_NUMBER, s, (CK_ULONG)i2d_ASN1_INTEGER(serial, &q));
	}
	X509_free(x);
}

static void add_dates(struct tm_attrs *a, const struct tm_card_object *o)
{
	add(a, CKA_START_DATE, o->start, o->start_len);
	add(a, CKA_END_DATE, o->end, o->end_len);
}

static void add_common(struct tm_attrs *a, const struct tm_card_object *o, CK_OBJECT_CLASS cls,
		       bool private_obj)
{
	add_ulong(a, CKA_CLASS, cls);
	add_bool(a, CKA_TOKEN, !(o->flags & TM_OBJF_TEMPORARY)); /* else a session key */
	add_bool(a, CKA_PRIVATE, private_obj);
	add_bool(a, CKA_MODIFIABLE, o->flags & TM_OBJF_MODIFIABLE);
	add_bool(a, CKA_COPYABLE, false);
	add_bool(a, CKA_DESTROYABLE, true);
	add(a, CKA_LABEL, o->label, o->label_len);
}

static void add_key(struct tm_attrs *a, const struct tm_card_object *o, bool priv)
{
	bool rsa = o->key_alg == TM_KEY_RSA;
	add_ulong(a, CKA_KEY_TYPE, rsa ? CKK_RSA : CKK_EC);
	add(a, CKA_ID, o->id, o->id_len);
	add_dates(a, o);
	add_bool(a, CKA_DERIVE, false);
	/* An imported key was made elsewhere and was once outside (§4.9). */
	bool local = !(o->flags & TM_OBJF_IMPORTED);
	add_bool(a, CKA_LOCAL, local);
	add_ulong(a, CKA_KEY_GEN_MECHANISM, !local ? CK_UNAVAILABLE_INFORMATION
					    : rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN);
	add(a, CKA_SUBJECT, o->subject, o->subject_len);
	if (rsa) {
		add_bn(a, CKA_MODULUS, o->pub, OSSL_PKEY_PARAM_RSA_N);
		add_bn(a, CKA_PUBLIC_EXPONENT, o->pub, OSSL_PKEY_PARAM_RSA_E);
		if (!priv)
			add_ulong(a, CKA_MODULUS_BITS, o->bits);
	} else {
		uint8_t *p = room(a, 16);
		size_t n = p ? ec_params(p, 16) : 0;
		if (n)
			add(a, CKA_EC_PARAMS, p, n);
		if (!priv)
			add_ec_point(a, o->pub);
	}
	bool sign = o->usage & TM_USAGE_SIGN, dec = o->usage & TM_USAGE_DECRYPT;
	if (priv) {
		add_bool(a, CKA_SENSITIVE, true);
		add_bool(a, CKA_ALWAYS_SENSITIVE, local);
		add_bool(a, CKA_EXTRACTABLE, false);
		add_bool(a, CKA_NEVER_EXTRACTABLE, local);
		add_bool(a, CKA_SIGN, sign);
		add_bool(a, CKA_SIGN_RECOVER, false);
		add_bool(a, CKA_DECRYPT, dec);
		add_bool(a, CKA_UNWRAP, false);
		add_bool(a, CKA_WRAP_WITH_TRUSTED, false);
		add_bool(a, CKA_ALWAYS_AUTHENTICATE, false);
		/* The secret parts exist, but only on the card (§4.9). */
		static const CK_ATTRIBUTE_TYPE secret[] = {
			CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1,
			CKA_EXPONENT_2, CKA_COEFFICIENT, CKA_VALUE};
		for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
			if (rsa || secret[i] == CKA_VALUE)
				add_sensitive(a, secret[i]);
	} else {
		add_bool(a, CKA_VERIFY, sign);
		add_bool(a, CKA_VERIFY_RECOVER, false);
		add_bool(a, CKA_ENCRYPT, dec && rsa);
		add_bool(a, CKA_WRAP, false);
		add_bool(a, CKA_TRUSTED, false);
	}
}

/* A private key is one view of a card object of its own, a public key
 * another (TM_VIEW_PRIVATE, TM_VIEW_PUBLIC), every other object the
 * object itself.  Another process's session keys are not seen (§6.7). */
bool tm_object_visible(const struct tm_token *t, const struct tm_card_object *o, enum tm_view view)
{
	if ((o->flags & TM_OBJF_TEMPORARY) && !tm_owner_is_self(o->owner, o->owner_len))
		return false;
	bool seen = !(o->flags & TM_OBJF_PRIVATE) || t->user_in;
	switch (o->cls) {
	case TM_OBJ_KEY_PAIR: return view == TM_VIEW_PRIVATE && t->user_in;
	case TM_OBJ_PUBLIC_KEY: return view == TM_VIEW_PUBLIC && seen;
	default: return view == TM_VIEW_OBJECT && seen;
	}
}

int tm_object_attrs(struct tm_token *t, struct tm_card_object *o, enum tm_view view,
		    bool need_value, struct tm_attrs *a)
{
	memset(a, 0, offsetof(struct tm_attrs, bytes));
	a->n_bytes = 0;
	/* The value is read from the card only when asked for (it is then
	 * kept): a search for keys reads no certificate. */
	if ((o->cls == TM_OBJ_CERTIFICATE || o->cls == TM_OBJ_DATA) && o->value == NULL && need_value) {
		int rc = t->drv->read_value(t, o);
		if (rc != TM_OK)
			return rc;
	}
	switch (o->cls) {
	case TM_OBJ_CERTIFICATE:
		add_common(a, o, CKO_CERTIFICATE, o->flags & TM_OBJF_PRIVATE);
		add_ulong(a, CKA_CERTIFICATE_TYPE, CKC_X_509);
		add(a, CKA_ID, o->id, o->id_len);
		add_bool(a, CKA_TRUSTED, false);
		add_ulong(a, CKA_CERTIFICATE_CATEGORY, 0);
		add_dates(a, o);
		/* A subject the application set comes first: the first of
		 * two attributes of one type is the one found. */
		if (o->subject_len)
			add(a, CKA_SUBJECT, o->subject, o->subject_len);
		if (o->value != NULL) {
			add(a, CKA_VALUE, o->value, o->size);
			add_cert_fields(a, o);
		}
		break;
	case TM_OBJ_DATA:
		add_common(a, o, CKO_DATA, o->flags & TM_OBJF_PRIVATE);
		add(a, CKA_APPLICATION, o->app, o->app_len);
		add(a, CKA_OBJECT_ID, "", 0);
		add(a, CKA_VALUE, o->value, o->value ? o->size : 0);
		break;
	default:
		add_common(a, o, view == TM_VIEW_PRIVATE ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY,
			   view == TM_VIEW_PRIVATE || (o->flags & TM_OBJF_PRIVATE));
		add_key(a, o, view == TM_VIEW_PRIVATE);
		break;
	}
	return TM_OK;
}

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
	struct tm_card_object o = {0};
	if (pTemplate == NULL || phObject == NULL)
		rv = CKR_ARGUMENTS_BAD;
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
			if (b)
				o.flags |= TM_OBJF_MODIFIABLE;
		} else if (x->type == CKA_TOKEN && b == CK_TRUE) {
			/* a token object: what brought us here */
		} else if (x->type == CKA_CERTIFICATE_TYPE && x->ulValueLen == sizeof(CK_ULONG)) {
			if (*(CK_ULONG *)x->pValue != CKC_X_509)
				rv = CKR_ATTRIBUTE_VALUE_INVALID;
		} else if (x->type == CKA_SUBJECT || x->type == CKA_ISSUER ||
			   x->type == CKA_SERIAL_NUMBER || x->type == CKA_TRUSTED ||
			   x->type == CKA_OBJECT_ID || x->type == CKA_CERTIFICATE_CATEGORY) {
			/* Taken from the certificate itself. */
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
