/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "trace_join.h"

#include <string.h>

#include <openssl/crypto.h>

#include "protocol.h"
#include "rc.h"

#define CLA_CHAIN 0x10

void tm_trace_join_init(struct tm_trace_join *j)
{
	memset(j, 0, offsetof(struct tm_trace_join, acc));
}

static bool answered(const struct tm_trace_rec *r)
{
	return r->has_resp && r->resp_len >= 2;
}

static uint16_t sw(const struct tm_trace_rec *r)
{
	return (uint16_t)(r->resp[r->resp_len - 2] << 8 | r->resp[r->resp_len - 1]);
}

static bool more_data(const struct tm_trace_rec *r)
{
	return answered(r) && (sw(r) >> 8) == 0x61;
}

/* A chained piece the card took (9000): more of the command follows. */
static bool chain_piece(const struct tm_trace_rec *r)
{
	return r->cmd_len >= 4 && !(r->cmd[0] & 0x80) && (r->cmd[0] & CLA_CHAIN) && answered(r) &&
	       sw(r) == 0x9000;
}

static bool same_source(const struct tm_trace_rec *a, const struct tm_trace_rec *b)
{
	return a->process == b->process && strcmp(a->reader, b->reader) == 0;
}

static uint32_t add_us(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static void took(struct tm_trace_join *j, const struct tm_trace_rec *r)
{
	j->acc.duration_us = add_us(j->acc.duration_us, r->duration_us);
	j->acc.joined++;
	j->acc.number_last = r->number;
}

/* The data of a command piece: from the APDU, or (a secret) its length. */
static int piece_data(const struct tm_trace_rec *r, struct tm_apdu *a)
{
	memset(a, 0, sizeof(*a));
	if (r->sensitive) {
		a->nc = r->hidden_len;
		return TM_OK;
	}
	return tm_apdu_decode(r->cmd, r->cmd_len, a, NULL);
}

static bool add_data(struct tm_trace_join *j, const struct tm_trace_rec *r)
{
	struct tm_apdu a;

	if (piece_data(r, &a) != TM_OK || a.nc > TM_APDU_MAX_NC - j->nc)
		return false;
	if (r->sensitive && !j->acc.sensitive) {
		/* From now on the whole command is a secret. */
		OPENSSL_cleanse(j->data, j->nc);
		j->acc.sensitive = true;
	}
	if (!j->acc.sensitive && a.nc)
		memcpy(j->data + j->nc, a.data, a.nc);
	j->nc += a.nc;
	j->ne = a.ne;
	return true;
}

static void take_response(struct tm_trace_rec *acc, const struct tm_trace_rec *r)
{
	acc->has_resp = r->has_resp;
	acc->private_response = r->private_response;
	acc->resp_hidden = r->resp_hidden;
	acc->resp_len = r->resp_len;
	memcpy(acc->resp, r->resp, r->resp_len);
}

static bool add_response(struct tm_trace_join *j, const struct tm_trace_rec *r)
{
	struct tm_trace_rec *acc = &j->acc;
	size_t have = acc->resp_len - 2, more = r->resp_len - 2;

	if (acc->private_response || r->private_response) {
		size_t hidden = (acc->private_response ? acc->resp_hidden : have) +
				(r->private_response ? r->resp_hidden : more);
		OPENSSL_cleanse(acc->resp, acc->resp_len);
		acc->private_response = true;
		acc->resp_hidden = hidden;
		acc->resp[0] = r->resp[r->resp_len - 2];
		acc->resp[1] = r->resp[r->resp_len - 1];
		acc->resp_len = 2;
		return true;
	}
	if (more + 2 > sizeof(acc->resp) - have)
		return false;
	memcpy(acc->resp + have, r->resp, r->resp_len);
	acc->resp_len = have + r->resp_len;
	return true;
}

static void wipe(struct tm_trace_join *j)
{
	OPENSSL_cleanse(&j->acc, sizeof(j->acc));
	OPENSSL_cleanse(j->data, j->nc);
	tm_trace_join_init(j);
}

static void emit_held(struct tm_trace_join *j, tm_trace_emit_fn emit, void *ctx)
{
	struct tm_trace_rec *acc = &j->acc;

	if (!j->have)
		return;
	if (j->pieces) {
		/* A chain that was abandoned keeps its chaining bit: the card
		 * never had the whole command. */
		if (!j->chaining)
			acc->cmd[0] &= (uint8_t)~CLA_CHAIN;
		if (acc->sensitive) {
			acc->cmd_len = 4;
			acc->hidden_len = j->nc;
		} else {
			struct tm_apdu a = {.cla = acc->cmd[0], .ins = acc->cmd[1], .p1 = acc->cmd[2],
					    .p2 = acc->cmd[3], .data = j->data, .nc = j->nc, .ne = j->ne};
			size_t n;
			if (tm_apdu_encode(&a, acc->cmd, sizeof(acc->cmd), &n) == TM_OK)
				acc->cmd_len = n;
		}
	}
	emit(acc, ctx);
	wipe(j);
}

static void hold(struct tm_trace_join *j, const struct tm_trace_rec *r)
{
	memcpy(&j->acc, r, sizeof(*r));
	j->acc.joined = 0;
	j->acc.number_last = r->number;
	j->have = true;
}

void tm_trace_join_feed(struct tm_trace_join *j, const struct tm_trace_rec *r,
			tm_trace_emit_fn emit, void *ctx)
{
	if (j == NULL || r == NULL || emit == NULL || r->cmd_len < 4)
		return;
	if (j->have && same_source(&j->acc, r)) {
		const uint8_t *c = r->cmd, *h = j->acc.cmd;
		if (j->awaiting && answered(r) && !(c[0] & 0x80) && c[1] == TM_INS_GET_RESPONSE &&
		    (c[0] & 0x03) == (h[0] & 0x03) && add_response(j, r)) {
			took(j, r);
			if (!more_data(&j->acc))
				emit_held(j, emit, ctx);
			return;
		}
		if (j->chaining && (c[0] & (uint8_t)~CLA_CHAIN) == (h[0] & (uint8_t)~CLA_CHAIN) &&
		    c[1] == h[1] && c[2] == h[2] && c[3] == h[3] && add_data(j, r)) {
			took(j, r);
			take_response(&j->acc, r);
			j->chaining = chain_piece(r);
			j->awaiting = more_data(r);
			if (!j->chaining && !j->awaiting)
				emit_held(j, emit, ctx);
			return;
		}
	}
	emit_held(j, emit, ctx);
	if (chain_piece(r)) {
		hold(j, r);
		j->nc = 0;
		if (!add_data(j, r)) {
			emit_held(j, emit, ctx); /* not an APDU to join: as it is */
			return;
		}
		j->pieces = true;
		j->chaining = true;
	} else if (more_data(r)) {
		hold(j, r);
		j->awaiting = true;
	} else {
		emit(r, ctx);
	}
}

void tm_trace_join_flush(struct tm_trace_join *j, tm_trace_emit_fn emit, void *ctx)
{
	if (j == NULL || emit == NULL)
		return;
	/* emit_held wipes what it emits; with nothing held the state is
	 * already wiped (every exchange held is wiped once emitted). */
	emit_held(j, emit, ctx);
}
