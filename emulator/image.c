/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "apdu/gost.h"
#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "emulator/image_file.h"

/* Tags of the image body (private class, local to this file format). */
enum {
	T_CARD = 0xE0, T_PIN = 0xE1, T_OBJECT = 0xE2,
	T_MODEL = 0xC1, T_SERIAL = 0xC3, T_LABEL = 0xC4, T_COUNTER = 0xCB,
	T_NEXT_REF = 0xC0,
	T_REF = 0x83, T_FLAGS = 0xC0, T_TRIES = 0xC1, T_LEN = 0xC2,
	T_SALT = 0xD0, T_HASH = 0xD1,
	T_CLASS = 0xC1, T_OFLAGS = 0xC2, T_ID = 0xC3, T_OLABEL = 0xC4,
	T_USAGE = 0xC5, T_APP = 0xC6, T_KEY_ALG = 0xC7, T_BITS = 0xC8,
	T_SIZE = 0x80, T_VALUE = 0xD3, T_WRITTEN = 0xD4, T_PRIVATE_KEY = 0xD5,
	T_PUBLIC_KEY = 0xD6, T_SUBJECT = 0xD7, T_START = 0xD8, T_END = 0xD9, T_OWNER = 0xDA,
};

static void put_u32(struct tm_buf *b, uint32_t tag, uint32_t v)
{
	const uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
			       (uint8_t)(v >> 8), (uint8_t)v};
	tm_tlv_put(b, tag, be, 4);
}

static void encode_object(const struct tm_object *o, struct tm_buf *b)
{
	size_t m = tm_tlv_begin(b, T_OBJECT);

	tm_tlv_put_u16(b, T_REF, o->ref);
	tm_tlv_put_u8(b, T_CLASS, o->cls);
	tm_tlv_put_u8(b, T_OFLAGS, o->flags);
	tm_tlv_put(b, T_ID, o->id, o->id_len);
	tm_tlv_put(b, T_OLABEL, o->label, o->label_len);
	tm_tlv_put(b, T_APP, o->app, o->app_len);
	tm_tlv_put(b, T_SUBJECT, o->subject, o->subject_len);
	tm_tlv_put(b, T_START, o->start, o->start_len);
	tm_tlv_put(b, T_END, o->end, o->end_len);
	tm_tlv_put(b, T_OWNER, o->owner, o->owner_len);
	if (o->cls == TM_OBJ_KEY_PAIR || o->cls == TM_OBJ_PUBLIC_KEY) {
		bool priv = o->cls == TM_OBJ_KEY_PAIR;
		unsigned char *der = NULL;
		int n = priv ? i2d_PrivateKey(o->pkey, &der) : i2d_PUBKEY(o->pkey, &der);
		if (n <= 0) {
			b->failed = true;
		} else {
			tm_tlv_put(b, priv ? T_PRIVATE_KEY : T_PUBLIC_KEY, der, (size_t)n);
			OPENSSL_clear_free(der, (size_t)n);
		}
		tm_tlv_put_u8(b, T_USAGE, o->usage);
		tm_tlv_put_u8(b, T_KEY_ALG, o->key_alg);
		tm_tlv_put_u16(b, T_BITS, o->bits);
	} else {
		put_u32(b, T_SIZE, (uint32_t)o->size);
		put_u32(b, T_WRITTEN, (uint32_t)o->written);
		tm_tlv_put(b, T_VALUE, o->value, o->size);
	}
	tm_tlv_end(b, m);
}

void tm_image_encode(const struct tm_card *c, struct tm_buf *b)
{
	size_t frame = tm_image_frame_begin(b, TM_IMAGE_MAGIC, TM_IMAGE_VERSION);

	size_t m = tm_tlv_begin(b, T_CARD);
	tm_tlv_put(b, T_MODEL, c->model->key, strlen(c->model->key));
	tm_tlv_put(b, T_SERIAL, c->serial, strlen(c->serial));
	tm_tlv_put(b, T_LABEL, c->label, strlen(c->label));
	put_u32(b, T_COUNTER, c->change_counter);
	tm_tlv_put_u16(b, T_NEXT_REF, c->next_ref);
	for (int i = 0; i < TM_PIN_COUNT; i++) {
		const struct tm_pin *p = &c->pins[i];
		size_t pm = tm_tlv_begin(b, T_PIN);
		tm_tlv_put_u8(b, T_REF, p->ref);
		tm_tlv_put_u8(b, T_FLAGS, p->flags);
		tm_tlv_put_u8(b, T_TRIES, p->tries_left);
		tm_tlv_put_u8(b, T_LEN, p->len);
		tm_tlv_put(b, T_SALT, p->salt, sizeof(p->salt));
		tm_tlv_put(b, T_HASH, p->hash, sizeof(p->hash));
		tm_tlv_end(b, pm);
	}
	for (size_t i = 0; i < c->n_objects; i++)
		encode_object(&c->objects[i], b);
	tm_tlv_end(b, m);
	tm_image_frame_end(b, frame);
}

/* --- Decoding ------------------------------------------------------- */

struct reader {
	char *why;
	size_t cap;
};

static int bad(struct reader *r, const char *what)
{
	snprintf(r->why, r->cap, "the card image is damaged (%s)", what);
	return TM_ERR_MALFORMED;
}

/* One small field: exactly n bytes (n > 0), or up to max bytes (n = 0). */
static bool get(const uint8_t *buf, size_t len, uint32_t tag, size_t n,
		size_t max, struct tm_tlv *t)
{
	if (tm_tlv_find(buf, len, tag, t) != TM_OK)
		return false;
	return n ? t->len == n : t->len <= max;
}

static bool get_uint(const uint8_t *buf, size_t len, uint32_t tag, size_t n,
		     uint32_t *v)
{
	struct tm_tlv t;
	return get(buf, len, tag, n, 0, &t) && tm_tlv_get_uint(&t, v) == TM_OK;
}

static int decode_pin(struct reader *r, const struct tm_tlv *e, struct tm_card *c)
{
	struct tm_tlv t;
	uint32_t ref, flags, tries, len;

	if (!get_uint(e->value, e->len, T_REF, 1, &ref) ||
	    !get_uint(e->value, e->len, T_FLAGS, 1, &flags) ||
	    !get_uint(e->value, e->len, T_TRIES, 1, &tries) ||
	    !get_uint(e->value, e->len, T_LEN, 1, &len))
		return bad(r, "PIN record");
	struct tm_pin *p = tm_card_pin(c, (uint8_t)ref);
	const struct tm_pin_policy *pol = tm_card_pin_policy(c, (uint8_t)ref);
	if (p == NULL || pol == NULL || tries > pol->tries || len > TM_MAX_PIN_LEN ||
	    (flags & ~(uint32_t)(TM_PINF_INITIALIZED | TM_PINF_FACTORY |
				 TM_PINF_MUST_CHANGE)) != 0)
		return bad(r, "PIN values");
	p->flags = (uint8_t)flags;
	p->tries_left = (uint8_t)tries;
	p->len = (uint8_t)len;
	if (!get(e->value, e->len, T_SALT, sizeof(p->salt), 0, &t))
		return bad(r, "PIN salt");
	memcpy(p->salt, t.value, sizeof(p->salt));
	if (!get(e->value, e->len, T_HASH, sizeof(p->hash), 0, &t))
		return bad(r, "PIN hash");
	memcpy(p->hash, t.value, sizeof(p->hash));
	return TM_OK;
}

static bool copy_field(const struct tm_tlv *e, uint32_t tag, uint8_t *dst,
		       size_t max, size_t *len)
{
	struct tm_tlv t;

	if (!get(e->value, e->len, tag, 0, max, &t))
		return false;
	if (t.len)
		memcpy(dst, t.value, t.len);
	*len = t.len;
	return true;
}

static bool key_matches(const struct tm_object *o)
{
	int bits = EVP_PKEY_get_bits(o->pkey);

	if (o->key_alg == TM_KEY_RSA)
		return EVP_PKEY_is_a(o->pkey, "RSA") && bits == o->bits;
	if (o->key_alg == TM_KEY_EC_P256) {
		char group[32];
		return EVP_PKEY_is_a(o->pkey, "EC") && o->bits == 256 &&
		       EVP_PKEY_get_group_name(o->pkey, group, sizeof(group), NULL) &&
		       strcmp(group, "prime256v1") == 0;
	}
	unsigned gost_bits;
	if (o->key_alg == TM_KEY_GOST2012_512 || o->key_alg == TM_KEY_GOST2012_256)
		return tm_gost_is_gost(o->pkey, &gost_bits) && gost_bits == o->bits &&
		       gost_bits == (o->key_alg == TM_KEY_GOST2012_512 ? 512u : 256u);
	return false;
}

/* Version 2's attributes; a version 1 image has none of them. */
static bool copy_optional(const struct tm_tlv *e, uint32_t tag, uint8_t *dst, size_t max,
			  size_t *len)
{
	struct tm_tlv t;
	return tm_tlv_find(e->value, e->len, tag, &t) == TM_ERR_NOT_FOUND ||
	       copy_field(e, tag, dst, max, len);
}

static int decode_key(struct reader *r, const struct tm_tlv *e, struct tm_object *o)
{
	uint32_t usage, alg, bits;
	struct tm_tlv t;
	bool priv = o->cls == TM_OBJ_KEY_PAIR;

	if (!get_uint(e->value, e->len, T_USAGE, 1, &usage) ||
	    !get_uint(e->value, e->len, T_KEY_ALG, 1, &alg) ||
	    !get_uint(e->value, e->len, T_BITS, 2, &bits) ||
	    tm_tlv_find(e->value, e->len, priv ? T_PRIVATE_KEY : T_PUBLIC_KEY, &t) != TM_OK ||
	    t.len > 8192)
		return bad(r, "key record");
	const unsigned char *p = t.value;
	o->usage = (uint8_t)usage;
	o->key_alg = (uint8_t)alg;
	o->bits = (uint16_t)bits;
	/* GOST keys decode through gost-engine's key methods (apdu/gost.h);
	 * an image with one cannot load where the engine is missing. */
	if ((alg == TM_KEY_GOST2012_512 || alg == TM_KEY_GOST2012_256) && !tm_gost_available()) {
		snprintf(r->why, r->cap, "the card image holds a GOST key and gost-engine "
					 "(libengine-gost-openssl) is not installed");
		return TM_ERR_NOT_FOUND;
	}
	o->pkey = priv ? d2i_AutoPrivateKey(NULL, &p, (long)t.len) : d2i_PUBKEY(NULL, &p, (long)t.len);
	if (o->pkey == NULL || p != t.value + t.len || !key_matches(o))
		return bad(r, priv ? "private key" : "public key");
	return TM_OK;
}

static int decode_object(struct reader *r, const struct tm_tlv *e, struct tm_card *c)
{
	uint32_t ref, cls, flags;
	struct tm_tlv t;

	if (!get_uint(e->value, e->len, T_REF, 2, &ref) ||
	    !get_uint(e->value, e->len, T_CLASS, 1, &cls) ||
	    !get_uint(e->value, e->len, T_OFLAGS, 1, &flags))
		return bad(r, "object record");
	/* Saved cards list their objects by rising reference, so the search
	 * for a duplicate runs only for an image that does not. */
	bool rising = c->n_objects == 0 || ref > c->objects[c->n_objects - 1].ref;
	if (ref == 0 || ref >= c->next_ref || (!rising && tm_card_find(c, (uint16_t)ref) != NULL) ||
	    cls < TM_OBJ_CERTIFICATE || cls > TM_OBJ_PUBLIC_KEY ||
	    (flags & ~(uint32_t)(TM_OBJF_PRIVATE | TM_OBJF_MODIFIABLE | TM_OBJF_TEMPORARY |
				 TM_OBJF_IMPORTED)) != 0)
		return bad(r, "object values");

	uint16_t saved_next = c->next_ref;
	c->next_ref = (uint16_t)ref;
	struct tm_object *o = tm_card_add(c);
	c->next_ref = saved_next;
	if (o == NULL)
		return TM_ERR_NO_MEMORY;
	o->cls = (uint8_t)cls;
	o->flags = (uint8_t)flags;
	if (!copy_field(e, T_ID, o->id, sizeof(o->id), &o->id_len) ||
	    !copy_field(e, T_OLABEL, o->label, sizeof(o->label), &o->label_len) ||
	    !copy_field(e, T_APP, o->app, sizeof(o->app), &o->app_len) ||
	    !copy_optional(e, T_SUBJECT, o->subject, sizeof(o->subject), &o->subject_len) ||
	    !copy_optional(e, T_START, o->start, sizeof(o->start), &o->start_len) ||
	    !copy_optional(e, T_END, o->end, sizeof(o->end), &o->end_len) ||
	    !copy_optional(e, T_OWNER, o->owner, sizeof(o->owner), &o->owner_len) ||
	    (o->start_len != 0 && o->start_len != TM_OBJ_DATE_LEN) ||
	    (o->end_len != 0 && o->end_len != TM_OBJ_DATE_LEN))
		return bad(r, "object attributes");

	if (cls == TM_OBJ_KEY_PAIR || cls == TM_OBJ_PUBLIC_KEY)
		return decode_key(r, e, o);

	uint32_t size, written;
	if (!get_uint(e->value, e->len, T_SIZE, 4, &size) ||
	    !get_uint(e->value, e->len, T_WRITTEN, 4, &written) ||
	    size > TM_MAX_OBJECT_SIZE || written > size ||
	    !get(e->value, e->len, T_VALUE, size, 0, &t))
		return bad(r, "object value");
	o->size = size;
	o->written = written;
	o->value = OPENSSL_zalloc(size ? size : 1);
	if (o->value == NULL)
		return TM_ERR_NO_MEMORY;
	if (size)
		memcpy(o->value, t.value, size);
	return TM_OK;
}

/* Version 1 kept a key pair as one object: give each its public key
 * object, with the pair's attributes and a fresh reference.  Key pairs
 * were always modifiable then; both halves stay so.  A card too full for
 * a public key object keeps that key without one (its private key still
 * lists its public values): the card stays within its memory, so that
 * every image it saves loads again. */
static int upgrade_v1(struct tm_card *c)
{
	size_t n = c->n_objects;

	for (size_t i = 0; i < n; i++) {
		if (c->objects[i].cls != TM_OBJ_KEY_PAIR)
			continue;
		c->objects[i].flags |= TM_OBJF_MODIFIABLE;
		struct tm_object cost = c->objects[i];
		cost.cls = TM_OBJ_PUBLIC_KEY;
		if (tm_object_cost(&cost) > tm_card_free_bytes(c))
			continue;
		unsigned char *der = NULL;
		int len = i2d_PUBKEY(c->objects[i].pkey, &der);
		const unsigned char *p = der;
		EVP_PKEY *pub = len > 0 ? d2i_PUBKEY(NULL, &p, len) : NULL;
		OPENSSL_free(der);
		struct tm_object *o = pub ? tm_card_add(c) : NULL; /* may move objects */
		if (o == NULL) {
			EVP_PKEY_free(pub);
			return TM_ERR_NO_MEMORY;
		}
		uint16_t ref = o->ref;
		*o = c->objects[i];
		o->ref = ref;
		o->cls = TM_OBJ_PUBLIC_KEY;
		o->pkey = pub;
	}
	return TM_OK;
}

static int decode_body(struct reader *r, const uint8_t *body, size_t len,
		       const struct tm_model *model, unsigned version, struct tm_card *c)
{
	struct tm_tlv card, t;
	uint32_t v;

	if (tm_tlv_find(body, len, T_CARD, &card) != TM_OK ||
	    card.value + card.len != body + len)
		return bad(r, "no card record");
	if (!get(card.value, card.len, T_MODEL, 0, 32, &t))
		return bad(r, "model");
	if (t.len != strlen(model->key) || memcmp(t.value, model->key, t.len) != 0) {
		snprintf(r->why, r->cap,
			 "the card image was made for model \"%.*s\", not \"%s\": "
			 "start tumar-emu with --model %.*s",
			 (int)t.len, (const char *)t.value, model->key, (int)t.len,
			 (const char *)t.value);
		return TM_ERR_WRONG_DATA;
	}
	size_t n;
	if (!copy_field(&card, T_SERIAL, (uint8_t *)c->serial, TM_MAX_SERIAL, &n))
		return bad(r, "serial");
	c->serial[n] = '\0';
	if (!copy_field(&card, T_LABEL, (uint8_t *)c->label, TM_MAX_TOKEN_LABEL, &n))
		return bad(r, "label");
	c->label[n] = '\0';
	if (!get_uint(card.value, card.len, T_COUNTER, 4, &c->change_counter) ||
	    !get_uint(card.value, card.len, T_NEXT_REF, 2, &v) || v == 0)
		return bad(r, "counters");
	c->next_ref = (uint16_t)v;

	struct tm_tlv_iter it;
	int pins = 0, rc;
	tm_tlv_iter_init(&it, card.value, card.len);
	while ((rc = tm_tlv_next(&it, &t)) == TM_OK) {
		if (t.tag == T_PIN) {
			if (pins++ >= TM_PIN_COUNT || (rc = decode_pin(r, &t, c)) != TM_OK)
				return rc == TM_OK ? bad(r, "PIN count") : rc;
		} else if (t.tag == T_OBJECT) {
			if ((rc = decode_object(r, &t, c)) != TM_OK)
				return rc;
		}
	}
	if (rc != TM_ERR_NOT_FOUND)
		return bad(r, "card record");
	if (pins != TM_PIN_COUNT || c->pins[0].ref == c->pins[1].ref)
		return bad(r, "PIN count");
	if (tm_card_used(c) > model->memory)
		return bad(r, "more objects than the model's memory");
	return version == 1 ? upgrade_v1(c) : TM_OK;
}

int tm_image_decode(const uint8_t *data, size_t len, const struct tm_model *model,
		    struct tm_card **out, char *why, size_t cap)
{
	struct reader r = {why, cap};
	const uint8_t *body;
	size_t body_len;
	unsigned version;

	*out = NULL;
	int rc = tm_image_frame_open(data, len, TM_IMAGE_MAGIC, "Tumar card image",
				     TM_IMAGE_VERSION_OLDEST, TM_IMAGE_VERSION, &version, &body,
				     &body_len, why, cap);
	if (rc != TM_OK)
		return rc;
	struct tm_card *c = tm_card_blank(model);
	if (c == NULL)
		return TM_ERR_NO_MEMORY;
	rc = decode_body(&r, body, body_len, model, version, c);
	if (rc != TM_OK) {
		tm_card_free(c);
		return rc;
	}
	*out = c;
	return TM_OK;
}

int tm_card_save(struct tm_card *c)
{
	struct tm_buf b;

	tm_buf_init_dynamic(&b, TM_IMAGE_MAX_SIZE);
	if (c->path != NULL && !c->torn)
		tm_image_encode(c, &b);
	int rc = tm_image_save(c->path, &b, &c->tear_on_save, &c->torn);
	tm_buf_free(&b);
	return rc;
}

int tm_image_load(const char *path, const struct tm_model *model,
		  struct tm_card **out, char *why, size_t cap)
{
	uint8_t *data;
	size_t len;

	*out = NULL;
	int rc = tm_image_file_read(path, &data, &len, why, cap);
	if (rc != TM_OK)
		return rc;
	rc = tm_image_decode(data, len, model, out, why, cap);
	OPENSSL_clear_free(data, len > 0 ? len : 1);
	if (rc == TM_OK) {
		(*out)->path = OPENSSL_strdup(path);
		if ((*out)->path == NULL) {
			tm_card_free(*out);
			*out = NULL;
			return TM_ERR_NO_MEMORY;
		}
	}
	return rc;
}
