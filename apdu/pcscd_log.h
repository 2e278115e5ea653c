/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pcscd's APDU log (`pcscd -f -a`, or -a into syslog) read as trace
 * records, so tumar-trace works on real tokens too.  pcscd writes a
 * command as "APDU: 00 A4 04 00 ..." and its response as "SW: ... 90 00",
 * each line after the microseconds since the line before.  pcscd logs PIN
 * commands in clear; this reader masks them as the trace writer does.
 */
#ifndef TUMAR_APDU_PCSCD_LOG_H
#define TUMAR_APDU_PCSCD_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "apdu.h"
#include "trace.h"

/* The reader's state between lines.  Large: allocate it. */
struct tm_pcscd_log {
	uint64_t seq;
	int64_t clock_us;  /* the sum of the deltas read so far */
	int64_t cmd_at_us; /* when the pending command was logged */
	bool pending;
	uint8_t cmd[TM_APDU_MAX_COMMAND];
	size_t cmd_len;
};

void tm_pcscd_log_init(struct tm_pcscd_log *l);

/*
 * Reads one line; a line completes at most one exchange.  TM_OK: rec
 * holds it — a command and its response, or (on an "APDU:" line that
 * follows an unanswered command) the earlier command, has_resp false,
 * while the new one waits.  TM_ERR_NOT_FOUND: the line completes nothing
 * (not an APDU line, or a command waiting for its response).
 * TM_ERR_MALFORMED: an APDU or SW line with broken hex, or a response
 * without a command.
 */
int tm_pcscd_log_line(struct tm_pcscd_log *l, const char *line, size_t len,
		      struct tm_trace_rec *rec);

/* At the end of the log: TM_OK with a command that was never answered in
 * rec, or TM_ERR_NOT_FOUND.  Either way the state is wiped (a pending
 * command may hold a PIN). */
int tm_pcscd_log_finish(struct tm_pcscd_log *l, struct tm_trace_rec *rec);

#endif
