/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "exchange.h"

#include <string.h>

#include <openssl/crypto.h>

#include "apdu/protocol.h"
#include "apdu/sw.h"

void tm_exchange_init(struct tm_exchange *x)
{
	memset(x, 0, sizeof(*x));
	tm_buf_init_dynamic(&x->chain, TM_APDU_MAX_NC);
}

void tm_exchange_drop_chain(struct tm_exchange *x)
{
	tm_buf_free(&x->chain);
	tm_buf_init_dynamic(&x->chain, TM_APDU_MAX_NC);
	x->in_chain = false;
}

void tm_exchange_drop_kept(struct tm_exchange *x)
{
	if (x->kept != NULL)
		OPENSSL_clear_free(x->kept, x->kept_len);
	x->kept = NULL;
	x->kept_len = x->kept_off = 0;
	x->kept_private = false;
}

void tm_exchange_free(struct tm_exchange *x)
{
	tm_exchange_drop_kept(x);
	tm_buf_free(&x->chain);
	x->in_chain = false;
}

size_t tm_exchange_sw(uint8_t *resp, uint16_t sw)
{
	resp[0] = (uint8_t)(sw >> 8);
	resp[1] = (uint8_t)sw;
	return 2;
}

uint16_t tm_exchange_check_cla(uint8_t cla)
{
	if ((cla & 0x60) != 0 || (cla & 0x80 && (cla & 0xE0) != 0x80))
		return TM_SW_CLA_NOT_SUPPORTED;
	if (cla & 0x0C)
		return TM_SW_SM_NOT_SUPPORTED;
	if (cla & 0x03)
		return TM_SW_CHANNEL_NOT_SUPPORTED;
	return TM_SW_OK;
}

size_t tm_exchange_room(const struct tm_model *m, const struct tm_apdu *c, bool extended)
{
	size_t room = c->ne;

	if (room > m->max_resp)
		room = m->max_resp;
	if (!extended && room > TM_APDU_MAX_SHORT_NE)
		room = TM_APDU_MAX_SHORT_NE;
	return room;
}

/* Up to `room` bytes of what is kept, 61xx when more is left, else sw. */
static size_t send_kept(struct tm_exchange *x, size_t room, uint16_t sw, uint8_t *resp)
{
	size_t left = x->kept_len - x->kept_off;
	size_t n = left < room ? left : room;

	memcpy(resp, x->kept + x->kept_off, n);
	x->kept_off += n;
	left -= n;
	if (left == 0) {
		tm_exchange_drop_kept(x);
		return n + tm_exchange_sw(resp + n, sw);
	}
	return n + tm_exchange_sw(resp + n, (uint16_t)(TM_SW_MORE_DATA | (left > 255 ? 0 : left)));
}

size_t tm_exchange_get_response(struct tm_exchange *x, const struct tm_apdu *c, size_t room,
				uint8_t *resp, bool *private_out)
{
	if (c->cla & TM_CLA_CHAIN)
		return tm_exchange_sw(resp, TM_SW_CHAINING_NOT_SUPPORTED);
	if (x->kept == NULL)
		return tm_exchange_sw(resp, TM_SW_CONDITIONS);
	if (c->p1 != 0 || c->p2 != 0)
		return tm_exchange_sw(resp, TM_SW_WRONG_P1P2);
	if (c->ne == 0)
		return tm_exchange_sw(resp, TM_SW_WRONG_LENGTH);
	*private_out = x->kept_private;
	return send_kept(x, room, TM_SW_OK, resp);
}

uint16_t tm_exchange_chain(struct tm_exchange *x, struct tm_apdu *c, size_t max_cmd)
{
	const uint8_t hdr[4] = {(uint8_t)(c->cla & ~TM_CLA_CHAIN), c->ins, c->p1, c->p2};

	if (x->in_chain && memcmp(hdr, x->chain_hdr, 4) != 0)
		tm_exchange_drop_chain(x); /* another command: the chain is abandoned */
	if (!(c->cla & TM_CLA_CHAIN) && !x->in_chain)
		return 0;
	if (c->cla & TM_CLA_CHAIN) {
		memcpy(x->chain_hdr, hdr, 4);
		x->in_chain = true;
	}
	tm_buf_add(&x->chain, c->data, c->nc);
	if (!tm_buf_ok(&x->chain) || x->chain.len > max_cmd) {
		tm_exchange_drop_chain(x);
		return TM_SW_WRONG_LENGTH;
	}
	if (c->cla & TM_CLA_CHAIN)
		return TM_SW_OK;
	c->data = x->chain.data;
	c->nc = x->chain.len;
	return 0;
}

size_t tm_exchange_answer(struct tm_exchange *x, struct tm_buf *out, uint16_t sw,
			  bool private_data, size_t room, uint8_t *resp)
{
	tm_exchange_drop_kept(x);
	if (out->len == 0)
		return tm_exchange_sw(resp, sw);
	x->kept = out->data; /* keep it all; send what fits */
	x->kept_len = out->len;
	x->kept_private = private_data;
	out->data = NULL;
	out->len = out->cap = 0;
	return send_kept(x, room, sw, resp);
}
