/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LASER applet's dispatch: any sequence of APDUs never crashes,
 * never answers more than a response holds, and never leaves a card
 * whose image fails to load, differs when loaded again, or exceeds the
 * model's memory.  Input: frames of (2-byte length, APDU), after the
 * applet's own SELECT (so the fuzzer starts where drivers do).  The
 * factory card is made once and copied per input through its image. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/rc.h"
#include "emulator/image_file.h"
#include "emulator/laser_applet.h"
#include "emulator/laser_factory.h"
#include "emulator/laser_image.h"
#include "emulator/models.h"
#include "fuzz.h"

static uint8_t resp[TM_APDU_MAX_RESPONSE];
static struct tm_buf factory;
static struct tm_model model;

static struct tm_laser_card *fresh_card(void)
{
	struct tm_laser_card *c;
	char why[256];

	if (factory.data == NULL) {
		model = *tm_model_find("jacarta-pki");
		model.applet = TM_APPLET_LASER;
		if ((c = tm_laser_card_new(&model, "FUZZ", NULL, NULL)) == NULL)
			abort();
		tm_buf_init_dynamic(&factory, TM_IMAGE_MAX_SIZE);
		tm_laser_image_encode(c, &factory);
		tm_laser_card_free(c);
		if (!tm_buf_ok(&factory))
			abort();
	}
	if (tm_laser_image_decode(factory.data, factory.len, &model, &c, why, sizeof(why)) != TM_OK)
		abort();
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t select[] = {0x00, 0xA4, 0x04, 0x0C, 0x0C, 0xA0, 0x00, 0x00, 0x01,
					 0x64, 0x4C, 0x41, 0x53, 0x45, 0x52, 0x00, 0x01, 0x00};
	struct tm_laser_applet a;

	tm_laser_applet_init(&a, fresh_card());
	if (tm_laser_applet_process(&a, select, sizeof(select), resp, sizeof(resp)) != 2)
		abort();
	size_t off = 0;
	for (int count = 0; off + 2 <= size && count < 64; count++) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		size_t n = tm_laser_applet_process(&a, data + off, len, resp, sizeof(resp));
		if (n < 2 || n > TM_APDU_MAX_RESPONSE)
			abort(); /* in-memory cards never tear: always an answer */
		off += len;
	}
	if (tm_laser_used(a.card) > model.memory)
		abort();
	struct tm_buf b1, b2;
	struct tm_laser_card *back;
	char why[256];
	tm_buf_init_dynamic(&b1, TM_IMAGE_MAX_SIZE);
	tm_buf_init_dynamic(&b2, TM_IMAGE_MAX_SIZE);
	tm_laser_image_encode(a.card, &b1);
	if (!tm_buf_ok(&b1) ||
	    tm_laser_image_decode(b1.data, b1.len, &model, &back, why, sizeof(why)) != TM_OK)
		abort();
	tm_laser_image_encode(back, &b2);
	if (!tm_buf_ok(&b2) || b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
		abort();
	tm_laser_card_free(back);
	tm_buf_free(&b1);
	tm_buf_free(&b2);
	tm_laser_applet_free(&a);
	return 0;
}
