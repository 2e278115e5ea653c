/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Joins what a card split back into the exchange an application meant:
 * a response continued by GET RESPONSE after 61xx (ISO 7816-4 §5.3.4),
 * and a command sent as a chain of pieces (CLA bit 10, §5.3.3), so that
 * a 2,000-byte certificate read or a chained write decodes as one.
 * Secrets stay secrets: a joined command with a secret piece is a secret
 * of the whole length, a response with a private piece is private.
 */
#ifndef TUMAR_APDU_TRACE_JOIN_H
#define TUMAR_APDU_TRACE_JOIN_H

#include <stdbool.h>
#include <stddef.h>

#include "apdu.h"
#include "trace.h"

typedef void (*tm_trace_emit_fn)(const struct tm_trace_rec *r, void *ctx);

/* The joiner's state.  Large: allocate it. */
struct tm_trace_join {
	bool have;      /* acc holds an exchange being joined */
	bool chaining;  /* acc's last piece was a chained one, answered 9000 */
	bool awaiting;  /* acc's answer so far ends 61xx */
	bool pieces;    /* acc's command was joined from pieces: rebuilt at the end */
	size_t nc;      /* the pieces' data so far (in data, unless acc is a secret) */
	size_t ne;      /* the last piece's Ne */
	struct tm_trace_rec acc;
	uint8_t data[TM_APDU_MAX_NC];
};

void tm_trace_join_init(struct tm_trace_join *j);

/* Takes the next exchange of the input; calls emit for each exchange it
 * completes (none, one, or the one it held and then r). */
void tm_trace_join_feed(struct tm_trace_join *j, const struct tm_trace_rec *r,
			tm_trace_emit_fn emit, void *ctx);

/* At the end of the input: emits what is held, then wipes the state. */
void tm_trace_join_flush(struct tm_trace_join *j, tm_trace_emit_fn emit, void *ctx);

#endif
