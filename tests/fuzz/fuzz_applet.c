/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The applet's dispatch: any sequence of APDUs, on any model, never
 * crashes, never answers more than a response can hold, and never
 * leaves a card whose image fails to load or exceeds the model's memory.
 * Input: a model byte, then frames of (2-byte length, APDU).
 * Fast by design (issue 15: it ran 34 inputs a second): each model's
 * factory card is made once and copied per input through its image (no
 * PIN hashing per input), and key generation hands out copies of keys
 * made once per algorithm and size; PINs are hashed with one PBKDF2
 * iteration (a VERIFY at 2,000 was 95% of the time: 512 inputs a second).
 * In-memory cards write nothing. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/rc.h"
#include "emulator/applet.h"
#include "emulator/image.h"
#include "emulator/keys.h"
#include "emulator/models.h"
#include "fuzz.h"

static uint8_t resp[TM_APDU_MAX_RESPONSE];

#define MAX_MODELS 16
static struct tm_buf factory[MAX_MODELS]; /* each model's fresh card, as an image */

/* Keys made once: RSA sizes, P-256 and GOST, each handed out as a copy. */
static struct { uint8_t alg; unsigned bits; EVP_PKEY *key; } made[16];

/* A copy of k: EVP_PKEY_dup, or through its DER for gost-engine's keys,
 * which EVP_PKEY_dup cannot copy (a legacy key type without a copy
 * method). */
static EVP_PKEY *copy_key(EVP_PKEY *k)
{
	EVP_PKEY *c = EVP_PKEY_dup(k);
	if (c != NULL)
		return c;
	unsigned char *der = NULL;
	int n = i2d_PrivateKey(k, &der);
	const unsigned char *p = der;
	c = n > 0 ? d2i_AutoPrivateKey(NULL, &p, n) : NULL;
	OPENSSL_clear_free(der, n > 0 ? (size_t)n : 0);
	return c;
}

static EVP_PKEY *cached_key(uint8_t alg, unsigned bits)
{
	size_t i;
	for (i = 0; i < sizeof(made) / sizeof(made[0]) && made[i].key != NULL; i++)
		if (made[i].alg == alg && made[i].bits == bits)
			return copy_key(made[i].key);
	EVP_PKEY *k = tm_key_generate(alg, bits);
	if (k == NULL || i == sizeof(made) / sizeof(made[0]))
		return k;
	made[i].alg = alg;
	made[i].bits = bits;
	made[i].key = k;
	return copy_key(k);
}

static struct tm_card *fresh_card(const struct tm_model *models, size_t i)
{
	char why[256];
	struct tm_card *c;

	if (factory[i].data == NULL) {
		const struct tm_model *m = &models[i];
		c = tm_card_new(m, "FUZZ", NULL, m->user.factory[0] ? NULL : "123456");
		if (c == NULL)
			abort();
		tm_buf_init_dynamic(&factory[i], TM_IMAGE_MAX_SIZE);
		tm_image_encode(c, &factory[i]);
		tm_card_free(c);
		if (!tm_buf_ok(&factory[i]))
			abort();
	}
	if (tm_image_decode(factory[i].data, factory[i].len, &models[i], &c, why, sizeof(why)) != TM_OK)
		abort();
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n_models;
	const struct tm_model *models = tm_models(&n_models);
	struct tm_applet a;
	struct tm_card *card;

	if (size < 1 || n_models > MAX_MODELS)
		return 0;
	tm_key_generator = cached_key;
	tm_pin_kdf_iterations = 1; /* before the first card: see card.h */
	size_t mi = data[0] % n_models;
	const struct tm_model *m = &models[mi];
	card = fresh_card(models, mi);
	tm_applet_init(&a, card);
	size_t off = 1;
	for (int count = 0; off + 2 <= size && count < 64; count++) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		size_t n = tm_applet_process(&a, data + off, len, resp, sizeof(resp));
		if (n < 2 || n > TM_APDU_MAX_RESPONSE)
			abort(); /* in-memory cards never tear: always an answer */
		off += len;
	}
	if (tm_card_used(a.card) > m->memory)
		abort();
	/* What the card holds must survive a save and a load. */
	struct tm_buf b;
	struct tm_card *back;
	char why[256];
	tm_buf_init_dynamic(&b, TM_IMAGE_MAX_SIZE);
	tm_image_encode(a.card, &b);
	if (!tm_buf_ok(&b) ||
	    tm_image_decode(b.data, b.len, m, &back, why, sizeof(why)) != TM_OK ||
	    back->n_objects != a.card->n_objects)
		abort();
	tm_card_free(back);
	tm_buf_free(&b);
	tm_applet_free(&a);
	return 0;
}
