/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Tumar applet: takes one command APDU, gives one response APDU.  No
 * sockets, no globals: unit tests and fuzzers call tm_applet_process()
 * directly, and the vpcd link (vpcd.c) is only its transport.
 */
#ifndef TUMAR_EMU_APPLET_H
#define TUMAR_EMU_APPLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/buf.h"
#include "emulator/card.h"
#include "emulator/exchange.h"

/* What the last command spent time on, for --latency realistic. */
enum tm_applet_op { TM_OP_NONE, TM_OP_SIGN, TM_OP_DECRYPT, TM_OP_KEYGEN };

struct tm_op_params {
	uint8_t alg;        /* TM_ALG_* */
	uint8_t hash;       /* TM_HASH_*, 0: none given */
	uint8_t mgf_hash;   /* TM_HASH_*, 0: as hash */
	int salt_len;       /* -1: the hash length */
	uint8_t label[64];  /* OAEP label */
	size_t label_len;
	uint8_t layout;     /* TM_SIG_LAYOUT_* (GOST) */
};

struct tm_security_env {
	bool set;
	uint16_t key_ref;
	struct tm_op_params params;
};

/* The applications a card answers SELECT for (ISO 7816-4 §7.1.1). */
enum tm_app {
	TM_APP_NONE,            /* after power on: no default application */
	TM_APP_TUMAR,           /* the Tumar applet */
	TM_APP_CARD_MANAGER,    /* the card manager: SELECT only */
};

struct tm_applet {
	struct tm_card *card;   /* owned by the applet */
	enum tm_app app;        /* the selected application */
	bool verified[TM_PIN_COUNT];
	struct tm_security_env se_sign, se_decrypt;
	struct tm_exchange x;   /* chaining and GET RESPONSE */
	/* The last answer carried private data (a private object's value,
	 * or the rest of one): the trace writes its length only. */
	bool private_out;
	bool private_in;        /* the last command carried one (UPDATE BINARY) */
	enum tm_applet_op last_op;
	bool torn;              /* power was lost in the last command */
	bool mute;              /* the image could not be reloaded */
};

/* Takes ownership of card. */
void tm_applet_init(struct tm_applet *a, struct tm_card *card);
void tm_applet_free(struct tm_applet *a);

/* Power off, power on and reset all clear what a card keeps in RAM. */
void tm_applet_reset(struct tm_applet *a);

/* Processes one command; returns the response length (data and SW), or
 * 0 when power was lost during the command (a->torn): no answer at all.
 * resp must hold TM_APDU_MAX_RESPONSE bytes. */
size_t tm_applet_process(struct tm_applet *a, const uint8_t *cmd, size_t len,
			 uint8_t *resp, size_t cap);

#endif
