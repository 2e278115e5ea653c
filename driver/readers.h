/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the slot layer needs from card readers.  PC/SC implements it in
 * transport_pcsc.c; tests and fuzzers plug in readers of their own
 * (tm_readers_factory) so the whole module runs without pcscd.
 */
#ifndef TUMAR_DRIVER_READERS_H
#define TUMAR_DRIVER_READERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tm_reader_ops {
	/* Reader names, each NUL-terminated, the list ended by an empty one. */
	int (*list)(void *ctx, char *names, size_t cap);
	/* Whether a card is in; *events changes on every insertion/removal. */
	int (*status)(void *ctx, const char *reader, bool *present, unsigned *events);
	int (*connect)(void *ctx, const char *reader, void **conn, uint8_t *atr, size_t *atr_len);
	void (*disconnect)(void *conn);
	/* After TM_ERR_CARD_RESET: take the card back as it now is. */
	int (*reconnect)(void *conn);
	/* Exclusive use of the card for one multi-APDU operation. */
	int (*begin)(void *conn);
	void (*end)(void *conn);
	int (*transmit)(void *conn, const uint8_t *cmd, size_t len, uint8_t *resp,
			size_t *resp_len);
	/* Blocks until some reader changes or timeout_ms passes (TM_OK or
	 * TM_ERR_TIMEOUT); cancel() makes a waiting call return. */
	int (*wait)(void *ctx, unsigned timeout_ms);
	void (*cancel)(void *ctx);
	void (*free)(void *ctx);
};

struct tm_readers {
	const struct tm_reader_ops *ops;
	void *ctx;
};

/* PC/SC readers through pcsc-lite. */
int tm_readers_pcsc(struct tm_readers *r);

/* The readers C_Initialize opens: tm_readers_pcsc unless a test set
 * another.  Not part of the module's exported interface. */
extern int (*tm_readers_factory)(struct tm_readers *r);

#endif
