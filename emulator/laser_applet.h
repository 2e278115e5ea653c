/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The LASER applet of JaCarta PKI: takes one command APDU, gives one
 * response APDU, as the Tumar applet (applet.h) does.  What it keeps in
 * RAM is here; what survives power-off is the card (laser_card.h).
 */
#ifndef TUMAR_EMU_LASER_APPLET_H
#define TUMAR_EMU_LASER_APPLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/buf.h"
#include "apdu/laser_sm.h"
#include "emulator/applet.h"
#include "emulator/exchange.h"
#include "emulator/laser_card.h"

#define TM_LASER_CHALLENGE_LEN 8

struct tm_laser_applet {
	struct tm_laser_card *card;  /* owned */
	bool selected;               /* the LASER application is */
	bool card_manager;           /* the card manager is (card_manager.h) */
	struct tm_lfile *df;         /* the current DF */
	struct tm_lfile *ef;         /* the current EF or KO; NULL: the DF itself */
	struct tm_lfile *key;        /* the KO selected last: PSO's key (§7) */
	uint8_t verified[32];        /* bitmap of verified PIN references */
	uint8_t challenge[TM_LASER_CHALLENGE_LEN];
	bool challenge_valid;        /* a GET CHALLENGE of 8 bytes, unused yet */
	bool sm_active;              /* this command came under secure messaging */
	struct tm_laser_sm sm;       /* the session (§9) */
	EVP_PKEY *dh;                /* the card's DH key between 80 48 and 80 86 */
	struct tm_exchange x;        /* chaining and GET RESPONSE */
	/* Marks for the trace, as in struct tm_applet. */
	bool private_in, private_out;
	enum tm_applet_op last_op;
	bool torn;
};

/* Takes ownership of card. */
void tm_laser_applet_init(struct tm_laser_applet *a, struct tm_laser_card *card);
void tm_laser_applet_free(struct tm_laser_applet *a);
void tm_laser_applet_reset(struct tm_laser_applet *a);

/* As tm_applet_process(): the response length, 0 when power was lost
 * during the command.  resp must hold TM_APDU_MAX_RESPONSE bytes. */
size_t tm_laser_applet_process(struct tm_laser_applet *a, const uint8_t *cmd, size_t len,
			       uint8_t *resp, size_t cap);

#endif
