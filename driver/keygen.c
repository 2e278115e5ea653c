/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Key pairs made on the card (PKCS#11 2.40 §5.14); other key functions
 * are not offered: a token's keys never leave it, and it holds no
 * secret keys. */
#include <config.h>

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "apdu/rc.h"
#include "driver/ckr.h"
#include "driver/gost_attr.h"
#include "driver/log.h"
#include "driver/mech.h"
#include "driver/module.h"
#include "driver/p11_gost.h"
#include "driver/template.h"
#include "driver/owner.h"
#include "driver/session_key.h"

/* What the two templates say beyond each half's own attributes. */
struct keygen_req {
	bool rsa, usage_given, curve;
	unsigned gost;       /* the GOST key size the mechanism makes, or 0 */
	uint8_t usage;
	CK_ULONG bits;
	int token[2];        /* CKA_TOKEN of the public [0] and private [1] template; -1 absent */
};

/* Reads one template into its half's attributes (o) and the request.
 * Attributes whose values a card key always has are accepted when they
 * agree; contradictions are refused. */
static CK_RV read_template(const CK_ATTRIBUTE *tmpl, CK_ULONG n, bool priv,
			   struct tm_card_object *o, struct keygen_req *r)
{
	CK_RV rv = CKR_OK;

	for (CK_ULONG i = 0; i < n && rv == CKR_OK; i++) {
		const CK_ATTRIBUTE *a = &tmpl[i];
		CK_BBOOL b = tm_attr_bool(a);
		if (a->ulValueLen && a->pValue == NULL)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		switch (a->type) {
		case CKA_LABEL:
			rv = tm_attr_take(a, o->label, TM_MAX_OBJ_LABEL, &o->label_len);
			break;
		case CKA_ID:
			rv = tm_attr_take(a, o->id, TM_MAX_OBJ_ID, &o->id_len);
			break;
		case CKA_SUBJECT:
			rv = tm_attr_take(a, o->subject, sizeof(o->subject), &o->subject_len);
			break;
		case CKA_START_DATE:
			rv = tm_attr_date(a, o->start, &o->start_len);
			break;
		case CKA_END_DATE:
			rv = tm_attr_date(a, o->end, &o->end_len);
			break;
		case CKA_MODULUS_BITS:
			if (!r->rsa || a->ulValueLen != sizeof(CK_ULONG))
				return CKR_ATTRIBUTE_VALUE_INVALID;
			r->bits = *(CK_ULONG *)a->pValue;
			break;
		case CKA_PUBLIC_EXPONENT: {
			/* The card makes e = 65537 only. */
			const uint8_t *e = a->pValue;
			size_t k = 0;
			while (k < a->ulValueLen && e[k] == 0)
				k++;
			if (!r->rsa || a->ulValueLen - k != 3 || memcmp(e + k, "\x01\x00\x01", 3) != 0)
				return CKR_ATTRIBUTE_VALUE_INVALID;
			break;
		}
		case CKA_EC_PARAMS:
			if (r->rsa || r->gost || !tm_attr_is_p256(a))
				return CKR_CURVE_NOT_SUPPORTED;
			r->curve = true;
			break;
		case CKA_GOSTR3410_PARAMS: /* optional: the card has one set per size */
			if (!r->gost || tm_gost_attr_params_bits(a) != r->gost)
				return CKR_ATTRIBUTE_VALUE_INVALID;
			break;
		case CKA_GOSTR3411_PARAMS:
			if (!r->gost || !tm_gost_attr_hash_is(a, r->gost))
				return CKR_ATTRIBUTE_VALUE_INVALID;
			break;
		case CKA_SIGN: case CKA_VERIFY:
			if (b == 2)
				return CKR_ATTRIBUTE_VALUE_INVALID;
			if (b)
				r->usage |= TM_USAGE_SIGN;
			r->usage_given = true;
			break;
		case CKA_DECRYPT: case CKA_ENCRYPT:
			if (b == 2 || (b && !r->rsa))
				return CKR_ATTRIBUTE_VALUE_INVALID;
			if (b)
				r->usage |= TM_USAGE_DECRYPT;
			r->usage_given = true;
			break;
		case CKA_TOKEN:
			if (b == 2)
				return CKR_ATTRIBUTE_VALUE_INVALID;
			r->token[priv] = b;
			break;
		case CKA_PRIVATE:
			if (b == 2 || (priv && !b))
				return CKR_ATTRIBUTE_VALUE_INVALID;
			if (b)
				o->flags |= TM_OBJF_PRIVATE;
			break;
		case CKA_SENSITIVE: case CKA_ALWAYS_SENSITIVE:
			if (b != CK_TRUE)
				return CKR_ATTRIBUTE_VALUE_INVALID;
			break;
		case CKA_EXTRACTABLE:
			if (b != CK_FALSE)
				return CKR_ATTRIBUTE_VALUE_INVALID; /* never leaves the card */
			break;
		case CKA_MODIFIABLE: /* true when absent (§4.4) */
			if (b == 2)
				return CKR_ATTRIBUTE_VALUE_INVALID;
			o->flags = b ? o->flags | TM_OBJF_MODIFIABLE : o->flags & ~TM_OBJF_MODIFIABLE;
			break;
		case CKA_CLASS: case CKA_KEY_TYPE: case CKA_DERIVE:
		case CKA_WRAP: case CKA_UNWRAP: case CKA_VERIFY_RECOVER: case CKA_SIGN_RECOVER:
			break; /* implied or ignored: true of every card key, or false */
		default:
			return CKR_ATTRIBUTE_TYPE_INVALID;
		}
	}
	return rv;
}

/* An ID when the caller gave none: SHA-1 of the modulus or of the point,
 * as OpenSC and pkcs11-tool make it, so certificates match their keys
 * (of a GOST key's CKA_VALUE, the point as PKCS#11 gives it). */
static void default_id(const struct tm_card_object *key, struct tm_card_object *o)
{
	uint8_t buf[1024];
	size_t len = 0;
	BIGNUM *n = NULL;

	if (tm_gost_key_bits(key->key_alg))
		len = tm_gost_attr_value(key->pub, buf, sizeof(buf)); /* of CKA_VALUE */
	else if (EVP_PKEY_is_a(key->pub, "RSA") &&
		 EVP_PKEY_get_bn_param(key->pub, OSSL_PKEY_PARAM_RSA_N, &n))
		len = (size_t)BN_bn2bin(n, buf);
	else
		EVP_PKEY_get_octet_string_param(key->pub, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &len);
	BN_free(n);
	if (len && EVP_Digest(buf, len, o->id, NULL, EVP_sha1(), NULL))
		o->id_len = 20;
}

/* After generation: a key whose templates gave no ID gets the default
 * one, on both halves (the card allows a first ID on any key). */
static int give_ids(struct tm_token *t, uint16_t ref, uint16_t pub_ref)
{
	struct tm_card_object *key = tm_token_find(t, ref), *pub = tm_token_find(t, pub_ref);
	int rc = key && pub ? TM_OK : TM_ERR_PROTOCOL;

	for (int half = 0; rc == TM_OK && half < 2; half++) {
		struct tm_card_object *o = half ? pub : key;
		if (o->id_len)
			continue;
		struct tm_card_object upd = *o;
		default_id(key, &upd);
		rc = t->drv->set_attributes(t, &upd, TM_SET_ID);
		if (rc == TM_OK) {
			memcpy(o->id, upd.id, upd.id_len);
			o->id_len = upd.id_len;
		}
	}
	return rc;
}

/* §5.14.  A key pair is two card objects, the private key and its public
 * key, each with its own template's attributes.  With CKA_TOKEN false
 * (the default, §4.4) in both templates it is a session key pair: made
 * on the card all the same, flagged temporary, and deleted when the
 * session ends (session_key.h). */
CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
			CK_ATTRIBUTE_PTR pPubTmpl, CK_ULONG ulPubCount,
			CK_ATTRIBUTE_PTR pPrivTmpl, CK_ULONG ulPrivCount,
			CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	struct tm_session *se;
	struct tm_slot *slot;
	CK_RV rv;

	if ((rv = tm_session_begin(hSession, &se, &slot)) != CKR_OK)
		return rv;
	struct tm_token *t = slot->token;
	bool rsa = pMechanism && pMechanism->mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN;
	bool ec = pMechanism && pMechanism->mechanism == CKM_EC_KEY_PAIR_GEN;
	unsigned gost = !pMechanism ? 0
			: pMechanism->mechanism == CKM_GOSTR3410_512_KEY_PAIR_GEN ? 512
			: pMechanism->mechanism == CKM_GOSTR3410_KEY_PAIR_GEN	  ? 256
										  : 0;
	struct tm_card_object o = {.cls = TM_OBJ_KEY_PAIR, .flags = TM_OBJF_MODIFIABLE};
	struct tm_card_object po = {.cls = TM_OBJ_PUBLIC_KEY, .flags = TM_OBJF_MODIFIABLE};
	struct keygen_req r = {.rsa = rsa, .gost = gost, .token = {-1, -1}};
	CK_MECHANISM_INFO info;

	if (pMechanism == NULL || phPublicKey == NULL || phPrivateKey == NULL ||
	    (pPubTmpl == NULL && ulPubCount) || (pPrivTmpl == NULL && ulPrivCount))
		rv = CKR_ARGUMENTS_BAD;
	else if ((!rsa && !ec && !gost) || tm_mech_info(t, pMechanism->mechanism, &info) != CKR_OK)
		rv = CKR_MECHANISM_INVALID;
	if (rv == CKR_OK)
		rv = read_template(pPubTmpl, ulPubCount, false, &po, &r);
	if (rv == CKR_OK)
		rv = read_template(pPrivTmpl, ulPrivCount, true, &o, &r);
	if (rv == CKR_OK && rsa && (r.bits < info.ulMinKeySize || r.bits > info.ulMaxKeySize || r.bits % 1024))
		rv = r.bits == 0 ? CKR_TEMPLATE_INCOMPLETE : CKR_KEY_SIZE_RANGE;
	if (rv == CKR_OK && ec && !r.curve)
		rv = CKR_TEMPLATE_INCOMPLETE;
	bool token = r.token[1] == CK_TRUE;
	if (rv == CKR_OK && (r.token[0] == CK_TRUE) != token) {
		/* One half on the token, the other a session object: the card
		 * makes both halves alike. */
		tm_log(TM_LOG_P11, "C_GenerateKeyPair: CKA_TOKEN differs between the templates");
		rv = CKR_TEMPLATE_INCONSISTENT;
	}
	/* A bad template is one whatever the login state; then the session
	 * and the login (PKCS#11 2.40 §5.1's order).  A read-only session
	 * may make session keys (§6.7); the card makes keys after login. */
	if (rv == CKR_OK && token && !(se->flags & CKF_RW_SESSION))
		rv = CKR_SESSION_READ_ONLY;
	else if (rv == CKR_OK && !t->user_in)
		rv = CKR_USER_NOT_LOGGED_IN;
	else if (rv == CKR_OK && !token && !tm_skey_room(slot))
		rv = CKR_DEVICE_MEMORY;
	if (rv != CKR_OK) {
		tm_session_end(slot);
		return rv;
	}
	o.usage = po.usage = r.usage_given ? r.usage : rsa ? TM_USAGE_SIGN | TM_USAGE_DECRYPT : TM_USAGE_SIGN;
	o.key_alg = po.key_alg = rsa ? TM_KEY_RSA : gost ? tm_gost_key_alg(gost) : TM_KEY_EC_P256;
	o.bits = po.bits = rsa ? (uint16_t)r.bits : gost ? (uint16_t)gost : 256;
	/* One ID links the halves (and the certificate to come). */
	if (o.id_len == 0) {
		memcpy(o.id, po.id, po.id_len);
		o.id_len = po.id_len;
	} else if (po.id_len == 0) {
		memcpy(po.id, o.id, o.id_len);
		po.id_len = o.id_len;
	}
	if (!token) {
		o.flags |= TM_OBJF_TEMPORARY;
		tm_owner_self(o.owner);
		o.owner_len = TM_OWNER_LEN;
	}

	uint16_t ref = 0, pub_ref = 0;
	int rc = tm_token_begin(t);
	if (rc == TM_OK) {
		tm_log(TM_LOG_CARD, "generating a %s %s-%u key pair on the card",
		       token ? "token" : "session", rsa ? "RSA" : gost ? "GOST" : "EC", o.bits);
		rc = tm_token_room(t, 2);
		if (rc == TM_OK)
			rc = t->drv->generate(t, &o, &po, &ref, &pub_ref);
		if (rc == TM_OK && !token) {
			tm_skey_add(slot, se->handle, ref);
			tm_skey_add(slot, se->handle, pub_ref);
		}
		tm_token_drop_objects(t);
		if (rc == TM_OK)
			rc = tm_token_objects(t);
		if (rc == TM_OK)
			rc = give_ids(t, ref, pub_ref);
		t->drv->refresh(t); /* free memory changed */
		tm_token_end(t);
	}
	if (rc == TM_OK) {
		*phPublicKey = tm_handle(se->slot, pub_ref, TM_VIEW_PUBLIC);
		*phPrivateKey = tm_handle(se->slot, ref, TM_VIEW_PRIVATE);
	}
	rv = rc == TM_OK ? CKR_OK : tm_card_failed(slot, rc);
	tm_session_end(slot);
	return rv;
}

CK_RV C_GenerateKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n,
		    CK_OBJECT_HANDLE_PTR k)
{
	(void)m; (void)t; (void)n; (void)k;
	return tm_session_refuse(h, CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV C_WrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE a, CK_OBJECT_HANDLE b,
		CK_BYTE_PTR c, CK_ULONG_PTR d)
{
	(void)m; (void)a; (void)b; (void)c; (void)d;
	return tm_session_refuse(h, CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV C_UnwrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE a, CK_BYTE_PTR b,
		  CK_ULONG c, CK_ATTRIBUTE_PTR d, CK_ULONG e, CK_OBJECT_HANDLE_PTR f)
{
	(void)m; (void)a; (void)b; (void)c; (void)d; (void)e; (void)f;
	return tm_session_refuse(h, CKR_FUNCTION_NOT_SUPPORTED);
}

CK_RV C_DeriveKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE a, CK_ATTRIBUTE_PTR b,
		  CK_ULONG c, CK_OBJECT_HANDLE_PTR d)
{
	(void)m; (void)a; (void)b; (void)c; (void)d;
	return tm_session_refuse(h, CKR_FUNCTION_NOT_SUPPORTED);
}
