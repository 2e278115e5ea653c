/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Attribute views of card objects: what PKCS#11 sees of a certificate,
 * a data object, a private and a public key (PKCS#11 2.40 §4). */
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
#include "driver/gost_attr.h"
#include "driver/p11_gost.h"
#include "driver/owner.h"

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

/* A GOST key's parameters (both halves) and its public value (§2.4.6). */
static void add_gost(struct tm_attrs *a, const struct tm_card_object *o, unsigned bits, bool priv)
{
	for (int hash = 0; hash < 2; hash++) {
		uint8_t *p = room(a, 16);
		size_t n = p ? tm_gost_attr_oid(bits, hash, p, 16) : 0;
		if (n)
			add(a, hash ? CKA_GOSTR3411_PARAMS : CKA_GOSTR3410_PARAMS, p, n);
	}
	if (!priv) {
		uint8_t *p = room(a, bits / 4);
		size_t n = p ? tm_gost_attr_value(o->pub, p, bits / 4) : 0;
		if (n)
			add(a, CKA_VALUE, p, n);
	}
}

static CK_KEY_TYPE key_type(uint8_t key_alg)
{
	switch (key_alg) {
	case TM_KEY_RSA: return CKK_RSA;
	case TM_KEY_GOST2012_256: return CKK_GOSTR3410;
	case TM_KEY_GOST2012_512: return CKK_GOSTR3410_512;
	default: return CKK_EC;
	}
}

static CK_MECHANISM_TYPE keygen_mech(uint8_t key_alg)
{
	switch (key_alg) {
	case TM_KEY_RSA: return CKM_RSA_PKCS_KEY_PAIR_GEN;
	case TM_KEY_GOST2012_256: return CKM_GOSTR3410_KEY_PAIR_GEN;
	case TM_KEY_GOST2012_512: return CKM_GOSTR3410_512_KEY_PAIR_GEN;
	default: return CKM_EC_KEY_PAIR_GEN;
	}
}

static void add_key(struct tm_attrs *a, const struct tm_card_object *o, bool priv)
{
	bool rsa = o->key_alg == TM_KEY_RSA;
	unsigned gost = tm_gost_key_bits(o->key_alg);
	add_ulong(a, CKA_KEY_TYPE, key_type(o->key_alg));
	add(a, CKA_ID, o->id, o->id_len);
	add_dates(a, o);
	add_bool(a, CKA_DERIVE, false);
	/* An imported key was made elsewhere and was once outside (§4.9). */
	bool local = !(o->flags & TM_OBJF_IMPORTED);
	add_bool(a, CKA_LOCAL, local);
	add_ulong(a, CKA_KEY_GEN_MECHANISM,
		  local ? keygen_mech(o->key_alg) : CK_UNAVAILABLE_INFORMATION);
	add(a, CKA_SUBJECT, o->subject, o->subject_len);
	if (rsa) {
		add_bn(a, CKA_MODULUS, o->pub, OSSL_PKEY_PARAM_RSA_N);
		add_bn(a, CKA_PUBLIC_EXPONENT, o->pub, OSSL_PKEY_PARAM_RSA_E);
		if (!priv)
			add_ulong(a, CKA_MODULUS_BITS, o->bits);
	} else if (gost) {
		add_gost(a, o, gost, priv);
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
	if (o->flags & TM_OBJF_INCOMPLETE)
		return false; /* a torn write: never presented as an object */
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
