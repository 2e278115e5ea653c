/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private-key import: the template read and checked on the host, the
 * key sent to the card inside a transaction, nothing kept. */
#include <config.h>

#include "key_import.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "apdu/gost.h"
#include "apdu/rc.h"
#include "driver/ckr.h"
#include "driver/gost_attr.h"
#include "driver/log.h"
#include "driver/mech.h"
#include "driver/p11_gost.h"
#include "driver/template.h"
#include "driver/owner.h"
#include "driver/session_key.h"

/* NSS keeps a private key's public value in this vendor attribute when
 * it imports one (pk12util); the card knows its own public key. */
#define CKA_NSS_DB_VALUE 0xD5A0DB00UL

struct import_req {
	CK_KEY_TYPE type;
	bool have_type, usage_given, token, curve;
	uint8_t usage;
	unsigned gost;              /* a GOST key's size, or 0 */
	uint8_t gost_d[TM_GOST_MAX_BYTES]; /* its scalar, big-endian for the card */
	struct tm_key_parts parts;  /* wiped with the rest of the request */
};

static CK_RV take_part(const CK_ATTRIBUTE *a, struct tm_key_parts *k, int i)
{
	if (a->ulValueLen == 0 || a->ulValueLen > 1024)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	k->v[i] = a->pValue;
	k->len[i] = a->ulValueLen;
	return CKR_OK;
}

/* Which key part an attribute is, or -1. */
static int part_of(CK_ATTRIBUTE_TYPE type, CK_KEY_TYPE kt)
{
	static const CK_ATTRIBUTE_TYPE rsa[8] = {CKA_MODULUS, CKA_PUBLIC_EXPONENT,
						 CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2,
						 CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT};
	if (kt == CKK_EC || kt == CKK_GOSTR3410 || kt == CKK_GOSTR3410_512)
		return type == CKA_VALUE ? TM_PART_EC_D : -1;
	for (int i = 0; i < 8; i++)
		if (rsa[i] == type)
			return i;
	return -1;
}

static CK_RV read_attr(const CK_ATTRIBUTE *a, struct tm_card_object *o, struct import_req *r)
{
	CK_BBOOL b = tm_attr_bool(a);
	int part = part_of(a->type, r->type);

	if (a->ulValueLen && a->pValue == NULL)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (part >= 0)
		return take_part(a, &r->parts, part);
	switch (a->type) {
	case CKA_CLASS:
		return CKR_OK; /* CKO_PRIVATE_KEY: what brought us here */
	case CKA_KEY_TYPE:
		return CKR_OK; /* read first (tm_key_import) */
	case CKA_LABEL:
		return tm_attr_take(a, o->label, TM_MAX_OBJ_LABEL, &o->label_len);
	case CKA_ID:
		return tm_attr_take(a, o->id, TM_MAX_OBJ_ID, &o->id_len);
	case CKA_SUBJECT:
		return tm_attr_take(a, o->subject, sizeof(o->subject), &o->subject_len);
	case CKA_START_DATE:
		return tm_attr_date(a, o->start, &o->start_len);
	case CKA_END_DATE:
		return tm_attr_date(a, o->end, &o->end_len);
	case CKA_TOKEN:
		if (b == 2)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		r->token = b;
		return CKR_OK;
	case CKA_MODIFIABLE:
		if (b == 2)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		o->flags = b ? o->flags | TM_OBJF_MODIFIABLE : o->flags & ~TM_OBJF_MODIFIABLE;
		return CKR_OK;
	case CKA_SIGN: case CKA_DECRYPT:
		if (b == 2 || (b && a->type == CKA_DECRYPT && r->type != CKK_RSA))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		if (b)
			r->usage |= a->type == CKA_SIGN ? TM_USAGE_SIGN : TM_USAGE_DECRYPT;
		r->usage_given = true;
		return CKR_OK;
	case CKA_EC_PARAMS:
		if (r->type != CKK_EC || !tm_attr_is_p256(a))
			return CKR_CURVE_NOT_SUPPORTED;
		r->curve = true;
		return CKR_OK;
	case CKA_GOSTR3410_PARAMS: /* TC26's set A, or the NCA's name for it */
		if (!r->gost || tm_gost_attr_params_bits(a) != r->gost)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		r->curve = true;
		return CKR_OK;
	case CKA_GOSTR3411_PARAMS:
		return r->gost && tm_gost_attr_hash_is(a, r->gost) ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	case CKA_PRIVATE: case CKA_SENSITIVE:
		/* On the card a private key is private and never readable. */
		return b == CK_TRUE ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	case CKA_EXTRACTABLE: case CKA_ALWAYS_AUTHENTICATE: case CKA_WRAP_WITH_TRUSTED:
		/* True would promise what the card cannot do (give the key
		 * out, ask for the PIN per signature): false is what it is. */
		return b == CK_FALSE ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	case CKA_DERIVE: case CKA_SIGN_RECOVER: case CKA_UNWRAP:
		/* NSS asks for all of these on every RSA key it imports; the
		 * key has them false (as generated keys do), which costs the
		 * application nothing it could have had from this token. */
		return b == 2 ? CKR_ATTRIBUTE_VALUE_INVALID : CKR_OK;
	case CKA_NSS_DB_VALUE:
	case CKA_EC_POINT: /* not a private key's; some importers send it */
		return CKR_OK;
	default:
		return CKR_ATTRIBUTE_TYPE_INVALID;
	}
}

/* The template into o and r; CKR_OK when it describes a key the card
 * can take, in the terms of §5.1 (incomplete, inconsistent, invalid). */
static CK_RV read_template(struct tm_token *t, const CK_ATTRIBUTE *tmpl, CK_ULONG n,
			   struct tm_card_object *o, struct import_req *r)
{
	CK_RV rv = CKR_OK;

	for (CK_ULONG i = 0; i < n; i++)
		if (tmpl[i].type == CKA_KEY_TYPE && tmpl[i].ulValueLen == sizeof(CK_KEY_TYPE) &&
		    tmpl[i].pValue != NULL) {
			r->type = *(CK_KEY_TYPE *)tmpl[i].pValue;
			r->have_type = true;
		}
	if (!r->have_type)
		return CKR_TEMPLATE_INCOMPLETE;
	r->gost = r->type == CKK_GOSTR3410_512 ? 512 : r->type == CKK_GOSTR3410 ? 256 : 0;
	if (r->type != CKK_RSA && r->type != CKK_EC && !r->gost)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	for (CK_ULONG i = 0; i < n && rv == CKR_OK; i++)
		rv = read_attr(&tmpl[i], o, r);
	if (rv != CKR_OK)
		return rv;
	int parts = r->type == CKK_RSA ? 8 : 1;
	for (int i = 0; i < parts; i++)
		if (r->parts.v[i] == NULL)
			return CKR_TEMPLATE_INCOMPLETE;
	if (r->type != CKK_RSA && !r->curve)
		return CKR_TEMPLATE_INCOMPLETE;
	if (r->gost) {
		/* PKCS#11 gives the scalar little-endian (2.40 §2.4.5), the card
		 * takes it big-endian: a copy, wiped with the request. */
		size_t d_len = r->parts.len[TM_PART_EC_D];
		if (d_len > r->gost / 8)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		tm_gost_sig_convert(r->parts.v[TM_PART_EC_D], d_len, r->gost_d);
		r->parts.v[TM_PART_EC_D] = r->gost_d;
	}
	o->key_alg = r->type == CKK_RSA ? TM_KEY_RSA : r->gost ? tm_gost_key_alg(r->gost) : TM_KEY_EC_P256;
	o->usage = r->usage_given ? r->usage
		   : r->type == CKK_RSA ? TM_USAGE_SIGN | TM_USAGE_DECRYPT : TM_USAGE_SIGN;
	if (r->type != CKK_RSA) {
		o->bits = r->gost ? (uint16_t)r->gost : 256;
	} else {
		const uint8_t *m = r->parts.v[TM_PART_N];
		size_t len = r->parts.len[TM_PART_N];
		while (len > 0 && *m == 0) {
			m++;
			len--;
		}
		o->bits = (uint16_t)(len * 8);
		for (uint8_t top = len ? m[0] : 0; top && !(top & 0x80); top <<= 1)
			o->bits--;
	}
	/* The token's own limits: a key it cannot hold is a template it
	 * cannot take (logged, so the user learns why). */
	CK_MECHANISM_INFO info;
	CK_MECHANISM_TYPE gen = r->type == CKK_RSA ? CKM_RSA_PKCS_KEY_PAIR_GEN
				: r->gost == 512   ? CKM_GOSTR3410_512_KEY_PAIR_GEN
				: r->gost == 256   ? CKM_GOSTR3410_KEY_PAIR_GEN
						   : CKM_EC_KEY_PAIR_GEN;
	if (tm_mech_info(t, gen, &info) != CKR_OK ||
	    o->bits < info.ulMinKeySize || o->bits > info.ulMaxKeySize) {
		tm_log(TM_LOG_P11, "C_CreateObject: the token holds no %s-%u keys",
		       r->type == CKK_RSA ? "RSA" : r->gost ? "GOST" : "EC", o->bits);
		return CKR_TEMPLATE_INCONSISTENT;
	}
	return CKR_OK;
}

CK_RV tm_key_import(struct tm_session *se, struct tm_slot *slot, const CK_ATTRIBUTE *tmpl,
		    CK_ULONG n, CK_OBJECT_HANDLE *ph)
{
	struct tm_token *t = slot->token;
	struct tm_card_object o = {.cls = TM_OBJ_KEY_PAIR, .flags = TM_OBJF_MODIFIABLE};
	struct import_req r = {0};
	CK_RV rv = read_template(t, tmpl, n, &o, &r);

	if (rv == CKR_OK && !(t->info.caps & TM_CAP_KEY_IMPORT)) {
		/* The model's real cards make their keys only. */
		tm_log(TM_LOG_P11, "C_CreateObject: %s tokens take no imported private keys",
		       t->info.model_name);
		rv = CKR_TEMPLATE_INCONSISTENT;
	}
	/* The template first, then the session and the login (§5.1's
	 * order); a session private key may come from a read-only session. */
	if (rv == CKR_OK && r.token && !(se->flags & CKF_RW_SESSION))
		rv = CKR_SESSION_READ_ONLY;
	else if (rv == CKR_OK && !t->user_in)
		rv = CKR_USER_NOT_LOGGED_IN;
	else if (rv == CKR_OK && !r.token && !tm_skey_room(slot))
		rv = CKR_DEVICE_MEMORY;
	if (rv != CKR_OK) {
		OPENSSL_cleanse(&r, sizeof(r)); /* a GOST scalar's copy */
		return rv;
	}
	if (!r.token) {
		o.flags |= TM_OBJF_TEMPORARY;
		tm_owner_self(o.owner);
		o.owner_len = TM_OWNER_LEN;
	}
	uint16_t ref = 0;
	int rc = tm_token_begin(t); /* the one command inside a transaction */
	if (rc == TM_OK) {
		tm_log(TM_LOG_CARD, "importing a %s-%u private key",
		       r.type == CKK_RSA ? "RSA" : r.gost ? "GOST" : "EC", o.bits);
		rc = tm_token_room(t, 1);
		if (rc == TM_OK)
			rc = t->drv->import_key(t, &o, &r.parts, &ref);
		if (rc == TM_OK && !r.token)
			tm_skey_add(slot, se->handle, ref);
		tm_token_drop_objects(t);
		t->drv->refresh(t); /* free memory changed */
		tm_token_end(t);
	}
	OPENSSL_cleanse(&r, sizeof(r));
	if (rc == TM_ERR_WRONG_DATA) {
		/* The card found the parts do not make one key. */
		tm_log(TM_LOG_P11, "C_CreateObject: the card refused the key's values");
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	if (rc == TM_ERR_FUNC_NOT_SUPPORTED)
		return CKR_TEMPLATE_INCONSISTENT;
	if (rc == TM_OK)
		*ph = tm_handle(se->slot, ref, TM_VIEW_PRIVATE);
	return rc == TM_OK ? CKR_OK : tm_card_failed(slot, rc);
}
