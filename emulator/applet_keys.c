/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keys: GENERATE ASYMMETRIC KEY PAIR, MSE SET and PSO
 * (docs/protocol.md §6). */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "emulator/applet_internal.h"
#include "apdu/pubkey.h"
#include "emulator/keys.h"

static bool get_u(const uint8_t *d, size_t n, uint32_t tag, size_t len, uint32_t *v)
{
	struct tm_tlv t;
	return tm_tlv_find(d, n, tag, &t) == TM_OK && t.len == len &&
	       tm_tlv_get_uint(&t, v) == TM_OK;
}

/* The public half of k, as a key of its own (no private part). */
static EVP_PKEY *public_half(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	const unsigned char *p = der;
	EVP_PKEY *pub = n > 0 ? d2i_PUBKEY(NULL, &p, n) : NULL;
	OPENSSL_free(der);
	return pub;
}

uint16_t tm_applet_key_header(const struct tm_applet *a, const struct tm_tlv *e2,
			      uint32_t *alg, uint32_t *bits, uint32_t *usage)
{
	if (!get_u(e2->value, e2->len, TM_TAG_OBJ_KEY_ALG, 1, alg) ||
	    !get_u(e2->value, e2->len, TM_TAG_OBJ_KEY_BITS, 2, bits) ||
	    !get_u(e2->value, e2->len, TM_TAG_OBJ_USAGE, 1, usage) ||
	    !tm_model_has_alg(a->card->model, (uint8_t)*alg, *bits) || *usage == 0 ||
	    (*usage & ~(uint32_t)(TM_USAGE_SIGN | TM_USAGE_DECRYPT)) != 0 ||
	    (*alg != TM_KEY_RSA && (*usage & TM_USAGE_DECRYPT)))
		return TM_SW_WRONG_DATA;
	return TM_SW_OK;
}

uint16_t tm_applet_keygen_flags(const struct tm_tlv *e2, struct tm_object *o)
{
	struct tm_tlv t;
	int rc = tm_tlv_find(e2->value, e2->len, TM_TAG_OBJ_FLAGS, &t);

	if (rc == TM_OK) {
		if (t.len != 1 || (t.value[0] & ~(TM_OBJF_MODIFIABLE | TM_OBJF_TEMPORARY)) != 0)
			return TM_SW_WRONG_DATA;
		o->flags = t.value[0];
	} else if (rc != TM_ERR_NOT_FOUND) {
		return TM_SW_WRONG_DATA;
	}
	rc = tm_tlv_find(e2->value, e2->len, TM_TAG_OBJ_OWNER, &t);
	bool temporary = o->flags & TM_OBJF_TEMPORARY;
	if (rc == TM_OK && temporary && t.len > 0 && t.len <= sizeof(o->owner)) {
		memcpy(o->owner, t.value, t.len);
		o->owner_len = t.len;
	} else if (rc != TM_ERR_NOT_FOUND || temporary) {
		return TM_SW_WRONG_DATA;
	}
	return TM_SW_OK;
}

/* GENERATE makes two objects: the private key, and beside it the public
 * key as an object of its own, so either can be deleted alone. */
static uint16_t generate(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_tlv e2;
	uint32_t alg, bits, usage;
	uint16_t sw;

	if ((sw = tm_applet_need_user(a)) != TM_SW_OK)
		return sw;
	if (tm_tlv_find(c->data, c->nc, TM_TAG_KEYGEN, &e2) != TM_OK ||
	    e2.value + e2.len != c->data + c->nc)
		return TM_SW_WRONG_DATA;
	if ((sw = tm_applet_key_header(a, &e2, &alg, &bits, &usage)) != TM_SW_OK)
		return sw;
	struct tm_object tmp = {.cls = TM_OBJ_KEY_PAIR, .key_alg = (uint8_t)alg,
				.bits = (uint16_t)bits, .usage = (uint8_t)usage};
	if ((sw = tm_applet_keygen_flags(&e2, &tmp)) != TM_SW_OK ||
	    (sw = tm_applet_read_attrs(e2.value, e2.len, &tmp)) != TM_SW_OK)
		return sw;
	if (tmp.app_len != 0)
		return TM_SW_WRONG_DATA;
	/* The public key object: the pair's attributes, or its own from an
	 * A5 inside E2 (flags private and modifiable, C3 C4 CA CB CC). */
	struct tm_object pub = tmp;
	pub.cls = TM_OBJ_PUBLIC_KEY;
	struct tm_tlv a5, f;
	int arc = tm_tlv_find(e2.value, e2.len, TM_TAG_PROPRIETARY, &a5);
	if (arc == TM_OK) {
		int frc = tm_tlv_find(a5.value, a5.len, TM_TAG_OBJ_FLAGS, &f);
		if (frc == TM_OK && (f.len != 1 || (f.value[0] & ~(TM_OBJF_PRIVATE | TM_OBJF_MODIFIABLE))))
			return TM_SW_WRONG_DATA;
		if (frc == TM_OK)
			pub.flags = (uint8_t)((tmp.flags & TM_OBJF_TEMPORARY) | f.value[0]);
		if ((sw = tm_applet_read_attrs(a5.value, a5.len, &pub)) != TM_SW_OK || pub.app_len)
			return TM_SW_WRONG_DATA;
	} else if (arc != TM_ERR_NOT_FOUND) {
		return TM_SW_WRONG_DATA;
	}
	if (tm_object_cost(&tmp) + tm_object_cost(&pub) > tm_card_free_bytes(a->card))
		return TM_SW_NO_MEMORY;

	a->last_op = TM_OP_KEYGEN;
	tmp.pkey = tm_key_generator((uint8_t)alg, bits);
	pub.pkey = tmp.pkey ? public_half(tmp.pkey) : NULL;
	struct tm_object *o = pub.pkey ? tm_card_add(a->card) : NULL;
	if (o != NULL) {
		tmp.ref = o->ref;
		*o = tmp;
		o = tm_card_add(a->card);
		if (o == NULL)
			tm_card_remove(a->card, tmp.ref); /* frees tmp.pkey */
	} else {
		EVP_PKEY_free(tmp.pkey);
	}
	if (o == NULL) {
		EVP_PKEY_free(pub.pkey);
		return TM_SW_NO_DIAGNOSIS;
	}
	pub.ref = o->ref;
	*o = pub;
	if ((sw = tm_applet_commit(a, true)) != TM_SW_OK)
		return sw;
	o = tm_card_find(a->card, tmp.ref);
	tm_tlv_put_u16(out, TM_TAG_FILE_ID, o->ref);
	tm_pubkey_encode(o->pkey, out);
	tm_tlv_put_u16(out, TM_TAG_PUBLIC_REF, pub.ref);
	return TM_SW_OK;
}

uint16_t tm_h_generate(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	if (c->p2 != 0)
		return TM_SW_WRONG_P1P2;
	if (c->p1 == TM_P1_GENERATE)
		return generate(a, c, out);
	if (c->p1 != TM_P1_READ_PUBLIC)
		return TM_SW_WRONG_P1P2;

	uint32_t ref;
	if (!get_u(c->data, c->nc, TM_TAG_FILE_ID, 2, &ref))
		return TM_SW_WRONG_DATA;
	struct tm_object *o = tm_card_find(a->card, (uint16_t)ref);
	if (o == NULL || (o->cls != TM_OBJ_KEY_PAIR && o->cls != TM_OBJ_PUBLIC_KEY))
		return TM_SW_REF_NOT_FOUND;
	tm_pubkey_encode(o->pkey, out);
	return TM_SW_OK;
}

/* Parses the DOs that name a key and an algorithm: 84, 80 and the
 * parameters C1-C4, and (input_tag != 0) the input.  Unknown DOs are
 * refused. */
static uint16_t parse_dos(const uint8_t *d, size_t n, uint32_t input_tag,
			  struct tm_security_env *se, const uint8_t **in, size_t *in_len)
{
	struct tm_tlv_iter it;
	struct tm_tlv t;
	bool have_key = false, have_alg = false, have_in = false;
	int rc;

	memset(se, 0, sizeof(*se));
	se->params.salt_len = -1;
	tm_tlv_iter_init(&it, d, n);
	while ((rc = tm_tlv_next(&it, &t)) == TM_OK) {
		if (t.tag == TM_TAG_KEY_REF && t.len == 2) {
			se->key_ref = (uint16_t)(t.value[0] << 8 | t.value[1]);
			have_key = true;
		} else if (t.tag == TM_TAG_ALGORITHM && t.len == 1) {
			se->params.alg = t.value[0];
			have_alg = true;
		} else if (t.tag == TM_TAG_PARAM_HASH && t.len == 1) {
			se->params.hash = t.value[0];
		} else if (t.tag == TM_TAG_PARAM_MGF_HASH && t.len == 1) {
			se->params.mgf_hash = t.value[0];
		} else if (t.tag == TM_TAG_PARAM_SALT_LEN && t.len == 2) {
			se->params.salt_len = t.value[0] << 8 | t.value[1];
		} else if (t.tag == TM_TAG_PARAM_SIG_LAYOUT && t.len == 1 &&
			   t.value[0] <= TM_SIG_LAYOUT_NCA) {
			se->params.layout = t.value[0];
		} else if (t.tag == TM_TAG_PARAM_LABEL && t.len <= sizeof(se->params.label)) {
			memcpy(se->params.label, t.value, t.len);
			se->params.label_len = t.len;
		} else if (input_tag != 0 && t.tag == input_tag && !have_in) {
			*in = t.value;
			*in_len = t.len;
			have_in = true;
		} else {
			return TM_SW_WRONG_DATA;
		}
	}
	if (rc != TM_ERR_NOT_FOUND || !have_key || !have_alg ||
	    (input_tag != 0 && !have_in))
		return TM_SW_WRONG_DATA;
	se->set = true;
	return TM_SW_OK;
}

static bool is_sign_alg(uint8_t alg)
{
	return alg == TM_ALG_RSA_PKCS1 || alg == TM_ALG_RSA_PSS || alg == TM_ALG_ECDSA ||
	       alg == TM_ALG_GOST;
}

static bool is_decrypt_alg(uint8_t alg)
{
	return alg == TM_ALG_RSA_DECRYPT_PKCS1 || alg == TM_ALG_RSA_DECRYPT_OAEP;
}

/* The key pair of se, checked against the operation's usage. */
static uint16_t usable_key(struct tm_applet *a, const struct tm_security_env *se,
			   uint8_t usage, struct tm_object **key)
{
	*key = tm_card_find(a->card, se->key_ref);
	if (*key == NULL || (*key)->cls != TM_OBJ_KEY_PAIR)
		return TM_SW_REF_NOT_FOUND;
	if (!((*key)->usage & usage))
		return TM_SW_CONDITIONS;
	bool ok = usage == TM_USAGE_SIGN ? is_sign_alg(se->params.alg)
					 : is_decrypt_alg(se->params.alg);
	return ok ? TM_SW_OK : TM_SW_WRONG_DATA;
}

uint16_t tm_h_mse(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_security_env se;
	struct tm_object *key;
	uint16_t sw;

	(void)out;
	if ((sw = tm_applet_need_user(a)) != TM_SW_OK)
		return sw;
	if (c->p1 != TM_P1_MSE_SET_COMPUTE ||
	    (c->p2 != TM_P2_CRT_DST && c->p2 != TM_P2_CRT_CT))
		return TM_SW_WRONG_P1P2;
	if ((sw = parse_dos(c->data, c->nc, 0, &se, NULL, NULL)) != TM_SW_OK)
		return sw;
	bool sign = c->p2 == TM_P2_CRT_DST;
	if ((sw = usable_key(a, &se, sign ? TM_USAGE_SIGN : TM_USAGE_DECRYPT, &key)) != TM_SW_OK)
		return sw;
	*(sign ? &a->se_sign : &a->se_decrypt) = se;
	return TM_SW_OK;
}

uint16_t tm_h_pso(struct tm_applet *a, const struct tm_apdu *c, struct tm_buf *out)
{
	struct tm_security_env se;
	const uint8_t *in = c->data;
	size_t n = c->nc;
	struct tm_object *key;
	uint16_t sw;

	if ((sw = tm_applet_need_user(a)) != TM_SW_OK)
		return sw;
	unsigned p1p2 = (unsigned)c->p1 << 8 | c->p2;
	bool sign = p1p2 == TM_P1P2_PSO_CDS || p1p2 == TM_P1P2_PSO_CDS_DOS;

	switch (p1p2) {
	case TM_P1P2_PSO_CDS:
		se = a->se_sign;
		break;
	case TM_P1P2_PSO_DECIPHER:
		/* The first byte is the padding indicator: 00, none. */
		if (n < 1 || in[0] != 0x00)
			return TM_SW_WRONG_DATA;
		in++;
		n--;
		se = a->se_decrypt;
		break;
	case TM_P1P2_PSO_CDS_DOS:
	case TM_P1P2_PSO_DECIPHER_DOS:
		sw = parse_dos(c->data, c->nc, sign ? TM_TAG_PSO_INPUT : TM_TAG_PSO_CRYPTOGRAM,
			       &se, &in, &n);
		if (sw != TM_SW_OK)
			return sw;
		break;
	default:
		return TM_SW_WRONG_P1P2;
	}
	if (!se.set)
		return TM_SW_CONDITIONS;
	if ((sw = usable_key(a, &se, sign ? TM_USAGE_SIGN : TM_USAGE_DECRYPT, &key)) != TM_SW_OK)
		return sw;
	a->last_op = sign ? TM_OP_SIGN : TM_OP_DECRYPT;
	sw = sign ? tm_key_sign(key->pkey, &se.params, in, n, out)
		  : tm_key_decrypt(key->pkey, &se.params, in, n, out);
	OPENSSL_cleanse(&se, sizeof(se));
	return sw;
}
