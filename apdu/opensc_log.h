/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OpenSC's debug log (OPENSC_DEBUG=9, or debug = 9 in opensc.conf) read
 * as trace records.  OpenSC writes each APDU as a line "Outgoing APDU (N
 * bytes):" or "Incoming APDU (N bytes):" after a prefix line
 * "P:PID; T:THREAD HH:MM:SS.mmm [program] file:line:function: ", then N
 * bytes as a hex dump of 16 a line with an ASCII column, then a blank
 * line; "reader 'NAME'" names the reader before it.  OpenSC logs PIN
 * commands in clear; this reader masks them as the trace writer does.
 */
#ifndef TUMAR_APDU_OPENSC_LOG_H
#define TUMAR_APDU_OPENSC_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu.h"
#include "trace.h"

/* The reader's state between lines.  Large: allocate it. */
struct tm_opensc_log {
	uint64_t seq;
	unsigned long pid;       /* of the last prefix line */
	unsigned long rec_pid;   /* of the exchange last completed */
	int64_t clock_us;        /* the last prefix line's time of day */
	int64_t cmd_at_us;
	char reader[TM_TRACE_MAX_READER + 1];
	int dump;                /* 0 none, 1 a command's, 2 a response's */
	size_t want, got;        /* bytes the dump announced, and read */
	bool pending;            /* a whole command waits for its response */
	uint8_t cmd[TM_APDU_MAX_COMMAND];
	size_t cmd_len;
	uint8_t resp[TM_APDU_MAX_RESPONSE];
};

void tm_opensc_log_init(struct tm_opensc_log *l);

/* As tm_pcscd_log_line: TM_OK with an exchange in rec (or an earlier
 * command that was never answered), TM_ERR_NOT_FOUND when the line
 * completes nothing, TM_ERR_MALFORMED for a dump that breaks off or
 * a response without a command. */
int tm_opensc_log_line(struct tm_opensc_log *l, const char *line, size_t len,
		       struct tm_trace_rec *rec);

/* At the end: TM_OK with a command never answered, or TM_ERR_NOT_FOUND;
 * the state is wiped either way. */
int tm_opensc_log_finish(struct tm_opensc_log *l, struct tm_trace_rec *rec);

#endif
