/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "chip.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "apdu/rc.h"
#include "emulator/card.h"
#include "emulator/image_file.h"

static const struct tm_chip_applet *applet_of(const struct tm_model *m)
{
	return m->applet == TM_APPLET_LASER ? &tm_chip_laser : &tm_chip_tumar;
}

struct tm_chip *tm_chip_open(const struct tm_model *m, const char *path, const char *serial,
			     const char *label, const char *user_pin, int *status)
{
	const struct tm_chip_applet *ap = applet_of(m);
	char why[512], made_serial[17];
	struct tm_chip *c = OPENSSL_zalloc(sizeof(*c));

	*status = 1;
	if (c == NULL)
		return NULL;
	c->model = m;
	int swept = path ? tm_image_file_sweep(path) : 0;
	if (swept > 0)
		fprintf(stderr, "tumar-emu: removed %d temporary file%s of a save cut short "
				"beside %s\n", swept, swept == 1 ? "" : "s", path);
	int rc = ap->load(m, path, c, why, sizeof(why));
	if (rc == TM_OK) {
		if (serial || label || user_pin)
			fprintf(stderr, "tumar-emu: %s exists; --serial, --label and "
					"--user-pin apply only to new cards\n", path);
		return c;
	}
	if (rc != TM_ERR_NOT_FOUND) {
		/* Never overwritten: the file may be someone's token. */
		fprintf(stderr, "tumar-emu: %s: %s\n", path, why);
		*status = 2;
		goto fail;
	}
	if (user_pin && !tm_pin_acceptable(&m->user, (const uint8_t *)user_pin, strlen(user_pin),
					   NULL)) {
		fprintf(stderr, "tumar-emu: --user-pin breaks the %s PIN rules (%u-%u characters)\n",
			m->key, m->user.min_len, m->user.max_len);
		goto fail;
	}
	if (serial == NULL) {
		uint8_t r[4];
		if (RAND_bytes(r, sizeof(r)) != 1)
			goto fail;
		snprintf(made_serial, sizeof(made_serial), "TM%02X%02X%02X%02X", r[0], r[1], r[2], r[3]);
		serial = made_serial;
	}
	if (ap->create(m, path, serial, label, user_pin, c) != TM_OK) {
		fprintf(stderr, "tumar-emu: cannot create the card image %s\n", path);
		goto fail;
	}
	return c;
fail:
	OPENSSL_free(c);
	return NULL;
}

void tm_chip_free(struct tm_chip *c)
{
	if (c == NULL)
		return;
	if (c->ops)
		c->ops->free(c);
	OPENSSL_free(c);
}

int tm_chip_inspect(const struct tm_model *m, const char *path, FILE *out)
{
	char why[512];

	if (applet_of(m)->inspect(m, path, out, why, sizeof(why)) != TM_OK) {
		fprintf(stderr, "tumar-emu: %s: %s\n", path, why);
		return 2;
	}
	return 0;
}

struct tm_chip *tm_chip_new(const struct tm_model *m, const char *serial, const char *user_pin)
{
	struct tm_chip *c = OPENSSL_zalloc(sizeof(*c));

	if (c != NULL) {
		c->model = m;
		if (applet_of(m)->create(m, NULL, serial, NULL, user_pin, c) != TM_OK) {
			OPENSSL_free(c);
			c = NULL;
		}
	}
	return c;
}
