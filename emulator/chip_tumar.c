/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Tumar applet as a chip (chip.h). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/rc.h"
#include "emulator/chip.h"
#include "emulator/inspect_print.h"
#include "emulator/image.h"

static struct tm_applet *A(const struct tm_chip *c)
{
	return c->impl;
}

static size_t process(struct tm_chip *c, const uint8_t *cmd, size_t len, uint8_t *resp,
		      size_t cap)
{
	size_t n = tm_applet_process(A(c), cmd, len, resp, cap);
	c->private_in = A(c)->private_in;
	c->private_out = A(c)->private_out;
	c->last_op = A(c)->last_op;
	return n;
}

static void reset(struct tm_chip *c)
{
	tm_applet_reset(A(c));
}

static int reload(struct tm_chip *c)
{
	struct tm_card *fresh;
	char why[256];

	if (A(c)->card->path == NULL)
		return 0;
	if (tm_image_load(A(c)->card->path, c->model, &fresh, why, sizeof(why)) != TM_OK) {
		fprintf(stderr, "tumar-emu: after a power loss the card image cannot be read: %s\n", why);
		return -1;
	}
	tm_card_free(A(c)->card);
	A(c)->card = fresh;
	return 0;
}

static void arm_tear(struct tm_chip *c, bool on)
{
	A(c)->card->tear_on_save = on;
}

static const char *serial(const struct tm_chip *c)
{
	return A(c)->card->serial;
}

static void chip_free(struct tm_chip *c)
{
	tm_applet_free(A(c));
	OPENSSL_free(c->impl);
	c->impl = NULL;
}

static const struct tm_chip_ops ops = {process, reset, reload, arm_tear, serial, chip_free};

static int attach(struct tm_card *card, struct tm_chip *out)
{
	struct tm_applet *a = OPENSSL_zalloc(sizeof(*a));

	if (a == NULL) {
		tm_card_free(card);
		return TM_ERR_NO_MEMORY;
	}
	tm_applet_init(a, card);
	out->impl = a;
	out->ops = &ops;
	return TM_OK;
}

static int load(const struct tm_model *m, const char *path, struct tm_chip *out, char *why,
		size_t cap)
{
	struct tm_card *card;
	int rc = tm_image_load(path, m, &card, why, cap);
	return rc == TM_OK ? attach(card, out) : rc;
}

static int create(const struct tm_model *m, const char *path, const char *serial,
		  const char *label, const char *user_pin, struct tm_chip *out)
{
	struct tm_card *card = tm_card_new(m, serial, label, user_pin);

	/* path NULL: a card in memory only (tm_chip_new). */
	if (card == NULL || (path != NULL && ((card->path = OPENSSL_strdup(path)) == NULL ||
					      tm_card_save(card) != TM_OK))) {
		if (card)
			fprintf(stderr, "tumar-emu: %s: %s\n", path, strerror(errno));
		tm_card_free(card);
		return TM_ERR_CARD;
	}
	return attach(card, out);
}

static int inspect(const struct tm_model *m, const char *path, FILE *out, char *why, size_t cap)
{
	struct tm_card *c;
	int rc = tm_image_load(path, m, &c, why, cap);

	if (rc != TM_OK)
		return rc;
	size_t temporary = 0;
	for (size_t i = 0; i < c->n_objects; i++)
		temporary += (c->objects[i].flags & TM_OBJF_TEMPORARY) != 0;
	fprintf(out, "model=%s serial=%s change_counter=%u objects=%zu temporary=%zu free=%zu "
		     "user_tries=%u user_flags=%u so_tries=%u so_flags=%u\n",
		m->key, c->serial, c->change_counter, c->n_objects, temporary, tm_card_free_bytes(c),
		c->pins[TM_PIN_IDX_USER].tries_left, c->pins[TM_PIN_IDX_USER].flags,
		c->pins[TM_PIN_IDX_SO].tries_left, c->pins[TM_PIN_IDX_SO].flags);
	tm_inspect_print_card(c, out);
	tm_card_free(c);
	return TM_OK;
}

const struct tm_chip_applet tm_chip_tumar = {load, create, inspect};
