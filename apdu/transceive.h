/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one APDU engine: turns a logical command into the exchanges a card
 * needs, over any transport (PC/SC, the scripted test transport, a
 * fuzzer).
 *
 *   transceive(cmd)
 *     ├─ fits short form, or card takes extended ──▶ send as is
 *     └─ Nc > 255 and card is short-only ──▶ chain: pieces of 255 with
 *          CLA|10, each must answer 9000 (else that SW ends it), then the
 *          last piece with Le
 *     Ne > 256 on a short-only card ──▶ Le = 00 (256); the rest by 61xx
 *     each exchange:
 *       6Cxx ──▶ send the same command once more with Le = xx
 *     after the command:
 *       61xx ──▶ GET RESPONSE (Le = xx) and append, while 61xx comes back;
 *                a 61xx with no data after a GET RESPONSE is a protocol
 *                error (it would loop forever)
 *     all data appended is capped: TM_ERR_RESPONSE_TOO_LONG beyond it
 *
 * The final SW is returned as it came; the caller maps it (tm_sw_to_rc).
 */
#ifndef TUMAR_APDU_TRANSCEIVE_H
#define TUMAR_APDU_TRANSCEIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu.h"

struct tm_transport {
	/* Sends one encoded command and receives one response (data and
	 * SW1-SW2) into resp; *resp_len is its capacity on entry.  Returns
	 * TM_OK or a TM_ERR_* transport code. */
	int (*transmit)(void *ctx, const uint8_t *cmd, size_t cmd_len,
			uint8_t *resp, size_t *resp_len);
	void *ctx;
};

/* Called after each exchange on the wire, for APDU traces.  resp is NULL
 * when the transport failed (rc says how). */
typedef void (*tm_exchange_fn)(void *ctx, const struct tm_apdu *cmd,
			       const uint8_t *raw_cmd, size_t raw_cmd_len,
			       const uint8_t *resp, size_t resp_len,
			       uint64_t duration_us, int rc);

struct tm_channel {
	struct tm_transport transport;
	bool extended;         /* the card takes extended-length APDUs */
	size_t max_response;   /* cap on all data of one command; 0: 65536 */
	tm_exchange_fn on_exchange; /* optional */
	void *on_exchange_ctx;
	/* Apart from the struct: together they are just past 128 KiB, which
	 * allocators (ASan's, glibc's below its mmap threshold) would map and
	 * fault in afresh at every channel; each alone is served from the
	 * heap. */
	uint8_t *tx;           /* TM_APDU_MAX_COMMAND bytes */
	uint8_t *rx;           /* TM_APDU_MAX_RESPONSE bytes */
	/* Exchanges since the channel was made: the benchmark and tests read
	 * it to count APDUs per operation. */
	unsigned long exchanges;
};

/* A heap-allocated channel (it holds 128 KiB of buffers); NULL when out of
 * memory or without a transmit function; free with
 * tm_channel_free(), which wipes them. */
struct tm_channel *tm_channel_new(const struct tm_transport *t, bool extended);
void tm_channel_free(struct tm_channel *ch);

struct tm_response {
	uint8_t *data; /* caller memory */
	size_t cap;
	size_t len;
	uint16_t sw;
};

/* TM_OK when the card answered (any SW, in resp->sw); a TM_ERR_* code
 * when the transport failed, the card broke the framing rules or sent
 * more than min(resp->cap, max_response). */
int tm_transceive(struct tm_channel *ch, const struct tm_apdu *cmd,
		  struct tm_response *resp);

#endif
