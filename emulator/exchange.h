/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every applet does around its commands, whatever its protocol:
 * command chaining (ISO 7816-4 §5.4.1), response data kept for GET
 * RESPONSE (§7.1.3, 61xx), and the room one response has.
 */
#ifndef TUMAR_EMU_EXCHANGE_H
#define TUMAR_EMU_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"
#include "emulator/models.h"

struct tm_exchange {
	bool in_chain;
	uint8_t chain_hdr[4];   /* CLA without the chain bit, INS, P1, P2 */
	struct tm_buf chain;
	uint8_t *kept;          /* response data for GET RESPONSE */
	size_t kept_len, kept_off;
	bool kept_private;      /* what is kept is private data (traces) */
};

void tm_exchange_init(struct tm_exchange *x);
void tm_exchange_free(struct tm_exchange *x);
void tm_exchange_drop_chain(struct tm_exchange *x);
void tm_exchange_drop_kept(struct tm_exchange *x);

/* SW1 SW2 into resp; returns 2. */
size_t tm_exchange_sw(uint8_t *resp, uint16_t sw);

/* The class byte without the chain bit (secure messaging already
 * unwrapped): interindustry or 80-class only, no SM bits, the basic
 * channel.  9000, 6E00, 6882 or 6881. */
uint16_t tm_exchange_check_cla(uint8_t cla);

/* The most data one response may carry: Ne, the model's limit, and 256
 * for a short APDU. */
size_t tm_exchange_room(const struct tm_model *m, const struct tm_apdu *c, bool extended);

/* GET RESPONSE: a case 2 command of its own, never a chain piece, never
 * without Le (either would answer 61xx forever); 6985 with nothing kept.
 * *private_out tells whether what goes out is private. */
size_t tm_exchange_get_response(struct tm_exchange *x, const struct tm_apdu *c, size_t room,
				uint8_t *resp, bool *private_out);

/* Chaining: a piece with the chain bit is kept, and the SW to answer it
 * comes back (9000, or 6700 past max_cmd); the last piece makes c the
 * whole command, and 0 comes back: run it.  A command with another
 * header abandons a chain. */
uint16_t tm_exchange_chain(struct tm_exchange *x, struct tm_apdu *c, size_t max_cmd);

/* The handler's answer: data kept and sent as far as it fits (61xx for
 * the rest), with sw when all fits (9000, or a warning such as 6282). */
size_t tm_exchange_answer(struct tm_exchange *x, struct tm_buf *out, uint16_t sw,
			  bool private_data, size_t room, uint8_t *resp);

#endif
