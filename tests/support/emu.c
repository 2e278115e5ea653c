/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "emu.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "apdu/transceive.h"
#include "tests/support/test_models.h"
#include "tests/support/script.h"

struct emu *emu_new(const char *model_key)
{
	const struct tm_model *m = tm_test_model(model_key);
	struct emu *e = calloc(1, sizeof(*e));
	struct tm_card *card;

	if (m == NULL || e == NULL || (card = tm_card_new(m, "TEST0001", NULL, NULL)) == NULL) {
		free(e);
		return NULL;
	}
	tm_applet_init(&e->applet, card);
	if (emu_cmd(e, "00A4040007F054554D41520100") != 0x9000) {
		emu_free(e);
		return NULL;
	}
	return e;
}

void emu_free(struct emu *e)
{
	if (e == NULL)
		return;
	tm_applet_free(&e->applet);
	free(e);
}

uint16_t emu_raw(struct emu *e, const uint8_t *cmd, size_t len)
{
	e->len = tm_applet_process(&e->applet, cmd, len, e->resp, sizeof(e->resp));
	e->sw = e->len >= 2 ? (uint16_t)(e->resp[e->len - 2] << 8 | e->resp[e->len - 1]) : 0;
	return e->sw;
}

uint16_t emu_cmd(struct emu *e, const char *hex)
{
	static uint8_t cmd[TM_APDU_MAX_COMMAND];
	long n = tm_hex_decode(hex, cmd, sizeof(cmd));

	if (n < 0)
		abort();
	return emu_raw(e, cmd, (size_t)n);
}

static int emu_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len,
			uint8_t *resp, size_t *resp_len)
{
	struct emu *e = ctx;

	emu_raw(e, cmd, cmd_len);
	if (e->len == 0 || e->len > *resp_len)
		return TM_ERR_CARD_REMOVED;
	memcpy(resp, e->resp, e->len);
	*resp_len = e->len;
	return TM_OK;
}

uint16_t emu_transceive(struct emu *e, const struct tm_apdu *cmd,
			uint8_t *out, size_t cap, size_t *out_len)
{
	struct tm_transport t = {.transmit = emu_transmit, .ctx = e};
	bool ext = (e->applet.card->model->caps & TM_CAP_EXTENDED_LENGTH) != 0;
	struct tm_channel *ch = tm_channel_new(&t, ext);
	struct tm_response r = {.data = out, .cap = cap};
	uint16_t sw = 0;

	if (ch != NULL && tm_transceive(ch, cmd, &r) == TM_OK)
		sw = r.sw;
	*out_len = r.len;
	tm_channel_free(ch);
	return sw;
}

uint16_t emu_verify(struct emu *e, uint8_t ref, const char *pin)
{
	struct tm_apdu v = {.ins = TM_INS_VERIFY, .p2 = ref,
			    .data = (const uint8_t *)pin, .nc = strlen(pin)};
	uint8_t cmd[64];
	size_t n;

	if (tm_apdu_encode(&v, cmd, sizeof(cmd), &n) != TM_OK)
		abort();
	return emu_raw(e, cmd, n);
}

static int pin_field(struct emu *e, uint8_t ref, uint32_t tag)
{
	struct tm_tlv_iter it;
	struct tm_tlv t, f;

	if (emu_cmd(e, "00CA00E000") != 0x9000)
		return -1;
	tm_tlv_iter_init(&it, emu_data(e), emu_data_len(e));
	while (tm_tlv_next(&it, &t) == TM_OK) {
		if (tm_tlv_find(t.value, t.len, TM_TAG_PIN_REF, &f) != TM_OK || f.len != 1 ||
		    f.value[0] != ref)
			continue;
		if (tm_tlv_find(t.value, t.len, tag, &f) != TM_OK || f.len != 1)
			return -1;
		return f.value[0];
	}
	return -1;
}

int emu_tries_left(struct emu *e, uint8_t ref)
{
	return pin_field(e, ref, TM_TAG_PIN_TRIES_LEFT);
}

int emu_pin_flags(struct emu *e, uint8_t ref)
{
	return pin_field(e, ref, TM_TAG_PIN_FLAGS);
}
