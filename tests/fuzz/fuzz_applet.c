/* The applet's dispatch: any sequence of APDUs, on any model, never
 * crashes, never answers more than a response can hold, and never
 * leaves a card whose image fails to load or exceeds the model's memory.
 * Input: a model byte, then frames of (2-byte length, APDU). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "apdu/rc.h"
#include "emulator/applet.h"
#include "emulator/image.h"
#include "emulator/models.h"
#include "fuzz.h"

static uint8_t resp[TM_APDU_MAX_RESPONSE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n_models;
	const struct tm_model *models = tm_models(&n_models);
	struct tm_applet a;
	struct tm_card *card;

	if (size < 1)
		return 0;
	const struct tm_model *m = &models[data[0] % n_models];
	card = tm_card_new(m, "FUZZ", NULL, m->user.factory[0] ? NULL : "123456");
	if (card == NULL)
		abort();
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
