/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LASER applet (JaCarta PKI) as a chip (chip.h). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/rc.h"
#include "emulator/chip.h"
#include "emulator/inspect_print.h"
#include "emulator/laser_applet.h"
#include "emulator/laser_factory.h"
#include "emulator/laser_image.h"

static struct tm_laser_applet *A(const struct tm_chip *c)
{
	return c->impl;
}

static size_t process(struct tm_chip *c, const uint8_t *cmd, size_t len, uint8_t *resp,
		      size_t cap)
{
	size_t n = tm_laser_applet_process(A(c), cmd, len, resp, cap);
	c->private_in = A(c)->private_in;
	c->private_out = A(c)->private_out;
	c->last_op = A(c)->last_op;
	return n;
}

static void reset(struct tm_chip *c)
{
	tm_laser_applet_reset(A(c));
}

static int reload(struct tm_chip *c)
{
	struct tm_laser_card *fresh;
	char why[256];

	if (A(c)->card->path == NULL)
		return 0;
	if (tm_laser_load(A(c)->card->path, c->model, &fresh, why, sizeof(why)) != TM_OK) {
		fprintf(stderr, "tumar-emu: after a power loss the card image cannot be read: %s\n", why);
		return -1;
	}
	tm_laser_applet_reset(A(c));
	tm_laser_card_free(A(c)->card);
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
	tm_laser_applet_free(A(c));
	OPENSSL_free(c->impl);
	c->impl = NULL;
}

static const struct tm_chip_ops ops = {process, reset, reload, arm_tear, serial, chip_free};

static int attach(struct tm_laser_card *card, struct tm_chip *out)
{
	struct tm_laser_applet *a = OPENSSL_zalloc(sizeof(*a));

	if (a == NULL) {
		tm_laser_card_free(card);
		return TM_ERR_NO_MEMORY;
	}
	tm_laser_applet_init(a, card);
	out->impl = a;
	out->ops = &ops;
	return TM_OK;
}

static int load(const struct tm_model *m, const char *path, struct tm_chip *out, char *why,
		size_t cap)
{
	struct tm_laser_card *card;
	int rc = tm_laser_load(path, m, &card, why, cap);
	return rc == TM_OK ? attach(card, out) : rc;
}

static int create(const struct tm_model *m, const char *path, const char *serial,
		  const char *label, const char *user_pin, struct tm_chip *out)
{
	struct tm_laser_card *card = tm_laser_card_new(m, serial, label, user_pin);

	/* path NULL: a card in memory only (tm_chip_new). */
	if (card == NULL || (path != NULL && ((card->path = OPENSSL_strdup(path)) == NULL ||
					      tm_laser_save(card) != TM_OK))) {
		if (card)
			fprintf(stderr, "tumar-emu: %s: %s\n", path, strerror(errno));
		tm_laser_card_free(card);
		return TM_ERR_CARD;
	}
	return attach(card, out);
}

static size_t count_files(const struct tm_lfile *f)
{
	size_t n = 1;
	for (const struct tm_lfile *ch = f->children; ch; ch = ch->next)
		n += count_files(ch);
	return n;
}

static int inspect(const struct tm_model *m, const char *path, FILE *out, char *why, size_t cap)
{
	struct tm_laser_card *c;
	int rc = tm_laser_load(path, m, &c, why, cap);

	if (rc != TM_OK)
		return rc;
	const struct tm_lfile *user = tm_laser_pin_ko(c, TM_LASER_PIN_USER);
	const struct tm_lfile *so = tm_laser_pin_ko(c, TM_LASER_PIN_SO);
	fprintf(out, "model=%s serial=%s applet=laser files=%zu free=%zu user_tries=%u "
		     "user_factory=%d so_tries=%u so_factory=%d\n",
		m->key, c->serial, count_files(c->mf), tm_laser_free_bytes(c),
		user ? tm_laser_pin_tries(user) : 0, user ? user->pin_factory : 0,
		so ? tm_laser_pin_tries(so) : 0, so ? so->pin_factory : 0);
	tm_inspect_print_laser(c, out);
	tm_laser_card_free(c);
	return TM_OK;
}

const struct tm_chip_applet tm_chip_laser = {load, create, inspect};
