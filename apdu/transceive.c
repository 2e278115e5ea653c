/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "transceive.h"

#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "protocol.h"
#include "rc.h"
#include "sw.h"

struct tm_channel *tm_channel_new(const struct tm_transport *t, bool extended)
{
	struct tm_channel *ch;

	if (t == NULL || t->transmit == NULL)
		return NULL;
	ch = OPENSSL_zalloc(sizeof(*ch));
	if (ch == NULL)
		return NULL;
	ch->tx = OPENSSL_malloc(TM_APDU_MAX_COMMAND);
	ch->rx = OPENSSL_malloc(TM_APDU_MAX_RESPONSE);
	if (ch->tx == NULL || ch->rx == NULL) {
		tm_channel_free(ch);
		return NULL;
	}
	ch->transport = *t;
	ch->extended = extended;
	return ch;
}

void tm_channel_free(struct tm_channel *ch)
{
	/* The buffers held PINs and plaintexts. */
	if (ch == NULL)
		return;
	OPENSSL_clear_free(ch->tx, TM_APDU_MAX_COMMAND);
	OPENSSL_clear_free(ch->rx, TM_APDU_MAX_RESPONSE);
	OPENSSL_clear_free(ch, sizeof(*ch));
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* One exchange on the wire.  On TM_OK, data/len point into ch->rx. */
static int exchange(struct tm_channel *ch, const struct tm_apdu *cmd,
		    const uint8_t **data, size_t *len, uint16_t *sw)
{
	size_t tx_len, rx_len = TM_APDU_MAX_RESPONSE;
	int rc = tm_apdu_encode(cmd, ch->tx, TM_APDU_MAX_COMMAND, &tx_len);

	if (rc != TM_OK)
		return rc;
	uint64_t t0 = now_us();
	rc = ch->transport.transmit(ch->transport.ctx, ch->tx, tx_len, ch->rx,
				    &rx_len);
	uint64_t dt = now_us() - t0;
	ch->exchanges++;
	if (rc == TM_OK && (rx_len > TM_APDU_MAX_RESPONSE ||
			    tm_rapdu_split(ch->rx, rx_len, data, len, sw) != TM_OK))
		rc = TM_ERR_PROTOCOL;
	if (ch->on_exchange != NULL)
		ch->on_exchange(ch->on_exchange_ctx, cmd, ch->tx, tx_len,
				rc == TM_OK ? ch->rx : NULL, rc == TM_OK ? rx_len : 0,
				dt, rc);
	if (cmd->sensitive) /* a PIN or a private key: no copy stays here */
		OPENSSL_cleanse(ch->tx, tx_len);
	return rc;
}

/* One command, re-sent once with the card's Le if it answers 6Cxx. */
static int exchange_le_retry(struct tm_channel *ch, const struct tm_apdu *cmd,
			     const uint8_t **data, size_t *len, uint16_t *sw)
{
	int rc = exchange(ch, cmd, data, len, sw);

	if (rc != TM_OK || (*sw & 0xFF00) != TM_SW_WRONG_LE)
		return rc;
	struct tm_apdu again = *cmd;
	again.ne = (*sw & 0xFF) ? (*sw & 0xFF) : 256;
	return exchange(ch, &again, data, len, sw);
}

static int append(struct tm_response *resp, size_t cap, const uint8_t *data,
		  size_t len)
{
	if (len > cap - resp->len)
		return TM_ERR_RESPONSE_TOO_LONG;
	if (len > 0)
		memcpy(resp->data + resp->len, data, len);
	resp->len += len;
	return TM_OK;
}

/* GET RESPONSE goes on the command's logical channel: ISO 7816-4 §5.4.2
 * keeps the channel bits of a first interindustry class. */
static uint8_t get_response_cla(uint8_t cla)
{
	return (cla & 0xE0) == 0 ? (uint8_t)(cla & 0x03) : 0x00;
}

static int send_chained(struct tm_channel *ch, const struct tm_apdu *cmd,
			struct tm_apdu *last, uint16_t *sw, bool *done)
{
	const uint8_t *data;
	size_t len, off = 0;
	int rc;

	*done = false;
	*last = *cmd;
	while (cmd->nc - off > TM_APDU_MAX_SHORT_NC) {
		struct tm_apdu piece = *cmd;
		piece.cla |= TM_CLA_CHAIN;
		piece.data = cmd->data + off;
		piece.nc = TM_APDU_MAX_SHORT_NC;
		piece.ne = 0;
		rc = exchange(ch, &piece, &data, &len, sw);
		if (rc != TM_OK)
			return rc;
		if (*sw != TM_SW_OK) {
			*done = true; /* the card ended the chain */
			return TM_OK;
		}
		off += TM_APDU_MAX_SHORT_NC;
	}
	/* A case 2 command (no data) comes here too, for its large Ne:
	 * never offset a null pointer. */
	last->data = cmd->nc > 0 ? cmd->data + off : NULL;
	last->nc = cmd->nc - off;
	return TM_OK;
}

int tm_transceive(struct tm_channel *ch, const struct tm_apdu *cmd,
		  struct tm_response *resp)
{
	if (ch == NULL || cmd == NULL || resp == NULL ||
	    (resp->cap > 0 && resp->data == NULL) || cmd->nc > TM_APDU_MAX_NC ||
	    cmd->ne > TM_APDU_MAX_NE || (cmd->nc > 0 && cmd->data == NULL))
		return TM_ERR_ARGS;

	size_t cap = resp->cap;
	if (ch->max_response > 0 && ch->max_response < cap)
		cap = ch->max_response;
	resp->len = 0;
	resp->sw = 0;

	struct tm_apdu last = *cmd;
	const uint8_t *data;
	size_t len;
	uint16_t sw;
	int rc;

	if (tm_apdu_is_extended(cmd) && !ch->extended) {
		bool done;
		rc = send_chained(ch, cmd, &last, &sw, &done);
		if (rc != TM_OK)
			return rc;
		if (done) {
			resp->sw = sw;
			return TM_OK;
		}
		if (last.ne > TM_APDU_MAX_SHORT_NE)
			last.ne = TM_APDU_MAX_SHORT_NE;
	}

	rc = exchange_le_retry(ch, &last, &data, &len, &sw);
	if (rc == TM_OK)
		rc = append(resp, cap, data, len);
	while (rc == TM_OK && (sw & 0xFF00) == TM_SW_MORE_DATA) {
		struct tm_apdu gr = {
			.cla = get_response_cla(cmd->cla),
			.ins = TM_INS_GET_RESPONSE,
			.ne = (sw & 0xFF) ? (sw & 0xFF) : 256,
			.private_response = cmd->private_response, /* the rest of it */
		};
		rc = exchange_le_retry(ch, &gr, &data, &len, &sw);
		if (rc != TM_OK)
			break;
		if (len == 0 && (sw & 0xFF00) == TM_SW_MORE_DATA)
			rc = TM_ERR_PROTOCOL;
		else
			rc = append(resp, cap, data, len);
	}
	if (rc != TM_OK) {
		OPENSSL_cleanse(resp->data, resp->len);
		resp->len = 0;
		return rc;
	}
	resp->sw = sw;
	return TM_OK;
}
