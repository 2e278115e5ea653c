/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pcsc-spy's output (pcsc-lite's spy: LD_PRELOAD=libpcscspy.so, then
 * `pcsc-spy -n`) read as trace records.  Each call is a line with its
 * name, its parameters as " i NAME VALUE" / " o NAME VALUE" lines, then
 * " => RESULT [SECONDS]".  SCardTransmit's buffers come as bSendLength /
 * bSendBuffer and bRecvLength / bRecvBuffer, then hex dump lines
 * " i  0000 XX XX ... ASCII"; SCardConnect names the reader of a card
 * handle.  Lines may be indented per thread ("    (t1) ", -t).
 * pcsc-spy shows PIN commands in clear; this reader masks them as the
 * trace writer does.
 */
#ifndef TUMAR_APDU_PCSC_SPY_LOG_H
#define TUMAR_APDU_PCSC_SPY_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu.h"
#include "trace.h"

#define TM_SPY_HANDLES 16

/* The reader's state between lines.  Large: allocate it. */
struct tm_spy_log {
	uint64_t seq;
	int call;               /* 0 other, 1 SCardConnect, 2 SCardTransmit */
	char connect_reader[TM_TRACE_MAX_READER + 1];
	struct {
		unsigned long handle;
		char reader[TM_TRACE_MAX_READER + 1];
	} handles[TM_SPY_HANDLES]; /* SCardConnect's, newest replacing oldest */
	unsigned next_handle;
	unsigned long card;     /* the transmit's hCard */
	int dump;               /* 0 none, 1 the send buffer, 2 the receive buffer */
	size_t send_len, recv_len, want, got;
	size_t cmd_used, resp_used; /* bytes written into cmd and resp: wiped */
	bool have_send, have_recv;
	uint8_t cmd[TM_APDU_MAX_COMMAND];
	uint8_t resp[TM_APDU_MAX_RESPONSE];
};

void tm_spy_log_init(struct tm_spy_log *l);

/* As tm_pcscd_log_line: TM_OK with an exchange in rec (at a
 * SCardTransmit's result line; a failed one has no response),
 * TM_ERR_NOT_FOUND when the line completes nothing, TM_ERR_MALFORMED for
 * a buffer that does not match its length. */
int tm_spy_log_line(struct tm_spy_log *l, const char *line, size_t len,
		    struct tm_trace_rec *rec);

/* At the end: wipes the state (a transmit cut short may hold a PIN). */
void tm_spy_log_finish(struct tm_spy_log *l);

#endif
