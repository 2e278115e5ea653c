/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "apdu/rc.h"

/* PBKDF2 so that a stolen card image does not give the PIN away at once;
 * few iterations, because a virtual token must answer VERIFY quickly. */
int tm_pin_kdf_iterations = 2000;

int tm_pin_set(struct tm_pin *p, const uint8_t *pin, size_t len)
{
	if (len > TM_MAX_PIN_LEN || RAND_bytes(p->salt, sizeof(p->salt)) != 1 ||
	    PKCS5_PBKDF2_HMAC((const char *)pin, (int)len, p->salt, sizeof(p->salt),
			      tm_pin_kdf_iterations, EVP_sha256(), sizeof(p->hash),
			      p->hash) != 1)
		return TM_ERR_CARD;
	p->len = (uint8_t)len;
	return TM_OK;
}

bool tm_pin_matches(const struct tm_pin *p, const uint8_t *pin, size_t len)
{
	uint8_t h[TM_PIN_HASH_LEN];
	bool ok;

	if (len != p->len ||
	    PKCS5_PBKDF2_HMAC((const char *)pin, (int)len, p->salt, sizeof(p->salt),
			      tm_pin_kdf_iterations, EVP_sha256(), sizeof(h), h) != 1)
		return false;
	ok = CRYPTO_memcmp(h, p->hash, sizeof(h)) == 0;
	OPENSSL_cleanse(h, sizeof(h));
	return ok;
}

static uint8_t char_class(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return TM_CHARS_DIGIT;
	if (c >= 'a' && c <= 'z')
		return TM_CHARS_LOWER;
	if (c >= 'A' && c <= 'Z')
		return TM_CHARS_UPPER;
	if (c >= 0x20 && c < 0x7F)
		return TM_CHARS_OTHER;
	return 0; /* control bytes and non-ASCII: never allowed */
}

bool tm_pin_acceptable(const struct tm_pin_policy *pol, const uint8_t *pin,
		       size_t len, const char **why)
{
	uint8_t seen = 0;
	const char *reason = NULL;

	if (len < pol->min_len || len > pol->max_len)
		reason = "length outside the model's range";
	for (size_t i = 0; reason == NULL && i < len; i++) {
		uint8_t cls = char_class(pin[i]);
		if (cls == 0 || !(cls & pol->allowed))
			reason = "a character the model does not allow";
		seen |= cls;
	}
	if (reason == NULL && (seen & pol->required) != pol->required)
		reason = "a required character class is missing";
	if (why != NULL)
		*why = reason;
	return reason == NULL;
}

static int init_pin(struct tm_pin *p, uint8_t ref, const struct tm_pin_policy *pol,
		    const char *value, bool factory)
{
	memset(p, 0, sizeof(*p));
	p->ref = ref;
	p->tries_left = pol->tries;
	if (value == NULL || value[0] == '\0')
		return TM_OK; /* not initialised: set at issue */
	p->flags = TM_PINF_INITIALIZED | (factory ? TM_PINF_FACTORY : 0);
	return tm_pin_set(p, (const uint8_t *)value, strlen(value));
}

struct tm_card *tm_card_blank(const struct tm_model *model)
{
	struct tm_card *c = model ? OPENSSL_zalloc(sizeof(*c)) : NULL;

	if (c == NULL)
		return NULL;
	c->model = model;
	c->next_ref = 1;
	c->pins[TM_PIN_IDX_USER].ref = TM_PIN_USER;
	c->pins[TM_PIN_IDX_SO].ref = TM_PIN_SO;
	return c;
}

struct tm_card *tm_card_new(const struct tm_model *model, const char *serial,
			    const char *label, const char *user_pin)
{
	struct tm_card *c = tm_card_blank(model);

	if (c == NULL)
		goto fail;
	snprintf(c->serial, sizeof(c->serial), "%.*s", TM_MAX_SERIAL, serial ? serial : "");
	/* Token labels are at most 32 bytes (PKCS#11 CK_TOKEN_INFO). */
	snprintf(c->label, sizeof(c->label), "%.*s", TM_MAX_TOKEN_LABEL,
		 label ? label : model->name);
	if (init_pin(&c->pins[TM_PIN_IDX_USER], TM_PIN_USER, &model->user,
		     user_pin ? user_pin : model->user.factory, user_pin == NULL) != TM_OK ||
	    init_pin(&c->pins[TM_PIN_IDX_SO], TM_PIN_SO, &model->so, model->so.factory,
		     true) != TM_OK)
		goto fail;
	return c;
fail:
	tm_card_free(c);
	return NULL;
}

void tm_object_clear(struct tm_object *o)
{
	if (o->value != NULL)
		OPENSSL_clear_free(o->value, o->size);
	EVP_PKEY_free(o->pkey);
	OPENSSL_cleanse(o, sizeof(*o));
}

void tm_card_free(struct tm_card *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_objects; i++)
		tm_object_clear(&c->objects[i]);
	OPENSSL_free(c->objects);
	OPENSSL_free(c->path);
	OPENSSL_clear_free(c, sizeof(*c));
}

size_t tm_object_cost(const struct tm_object *o)
{
	size_t n = TM_OBJECT_OVERHEAD + o->id_len + o->label_len + o->app_len +
		   o->subject_len + o->start_len + o->end_len + o->owner_len;
	bool rsa = o->key_alg == TM_KEY_RSA;
	bool gost = o->key_alg == TM_KEY_GOST2012_512 || o->key_alg == TM_KEY_GOST2012_256;

	if (o->cls != TM_OBJ_KEY_PAIR && o->cls != TM_OBJ_PUBLIC_KEY)
		return n + o->size;
	if (gost) /* the point (04 || X || Y); a private key the scalar beside it */
		return n + (o->cls == TM_OBJ_PUBLIC_KEY ? 1u : 1u + o->bits / 8u) + o->bits / 4u;
	if (o->cls == TM_OBJ_PUBLIC_KEY) /* the modulus and exponent, or the point */
		return n + (rsa ? o->bits / 8u + 3u : 65u);
	/* A private key's cost: RSA keeps about four times the modulus (CRT
	 * parts and the public values), an EC key 128 bytes. */
	return n + (rsa ? 4u * o->bits / 8u : 128u);
}

bool tm_object_incomplete(const struct tm_object *o)
{
	return (o->cls == TM_OBJ_CERTIFICATE || o->cls == TM_OBJ_DATA) && o->written < o->size;
}

bool tm_object_sweepable(const struct tm_object *o)
{
	return (o->flags & TM_OBJF_TEMPORARY) || tm_object_incomplete(o);
}

size_t tm_card_used(const struct tm_card *c)
{
	size_t used = 0;

	for (size_t i = 0; i < c->n_objects; i++)
		used += tm_object_cost(&c->objects[i]);
	return used;
}

size_t tm_card_free_bytes(const struct tm_card *c)
{
	size_t used = tm_card_used(c);
	return used >= c->model->memory ? 0 : c->model->memory - used;
}

struct tm_object *tm_card_find(struct tm_card *c, uint16_t ref)
{
	for (size_t i = 0; i < c->n_objects; i++)
		if (c->objects[i].ref == ref)
			return &c->objects[i];
	return NULL;
}

struct tm_object *tm_card_add(struct tm_card *c)
{
	struct tm_object *objs;

	if (c->next_ref == 0 || c->next_ref == 0xFFFF)
		return NULL; /* references used up: the card would need a reset */
	if (c->n_objects == c->cap_objects) {
		size_t cap = c->cap_objects + c->cap_objects / 2 + 8;
		objs = OPENSSL_realloc(c->objects, cap * sizeof(*objs));
		if (objs == NULL)
			return NULL;
		c->objects = objs;
		c->cap_objects = cap;
	}
	objs = c->objects;
	struct tm_object *o = &objs[c->n_objects++];
	memset(o, 0, sizeof(*o));
	o->ref = c->next_ref++;
	return o;
}

void tm_card_remove(struct tm_card *c, uint16_t ref)
{
	for (size_t i = 0; i < c->n_objects; i++) {
		if (c->objects[i].ref != ref)
			continue;
		tm_object_clear(&c->objects[i]);
		memmove(&c->objects[i], &c->objects[i + 1],
			(c->n_objects - i - 1) * sizeof(c->objects[0]));
		c->n_objects--;
		return;
	}
}

struct tm_pin *tm_card_pin(struct tm_card *c, uint8_t ref)
{
	for (int i = 0; i < TM_PIN_COUNT; i++)
		if (c->pins[i].ref == ref)
			return &c->pins[i];
	return NULL;
}

const struct tm_pin_policy *tm_card_pin_policy(const struct tm_card *c, uint8_t ref)
{
	return ref == TM_PIN_USER ? &c->model->user
	       : ref == TM_PIN_SO ? &c->model->so
				  : NULL;
}
