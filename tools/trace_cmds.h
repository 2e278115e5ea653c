/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-trace's subcommands, and the reader and output settings they
 * share. */
#ifndef TUMAR_TOOLS_TRACE_CMDS_H
#define TUMAR_TOOLS_TRACE_CMDS_H

#include <stdbool.h>
#include <stdio.h>

#include "apdu/trace.h"
#include "tools/json_out.h"

struct tm_trace_out {
	bool json;
	bool colour;
	bool raw;      /* decode: each APDU as sent, not joined */
	unsigned process; /* decode: the process of the last exchange shown */
	struct tj j; /* with json */
};

/* Calls fn for each exchange in `in`: lines of the project's trace format
 * (docs/trace-format.md), of pcscd's APDU log (`pcscd -f -a`) and of
 * OpenSC's debug log, in any mix.  Each record carries its process (a new
 * one where the numbers start again, the source or OpenSC's PID changes)
 * and its number across the input.  With join, 61xx/GET RESPONSE and
 * chained commands come as one exchange (tm_trace_join).  Other lines are
 * skipped; broken trace lines are reported with their number.  Returns 0,
 * 1 when some line was broken, 2 out of memory, 3 no APDUs at all. */
int tm_trace_each(FILE *in, const char *name, bool join,
		  void (*fn)(const struct tm_trace_rec *r, void *ctx), void *ctx);

int tm_trace_decode_cmd(FILE *in, const char *name, struct tm_trace_out *out);
int tm_trace_stats_cmd(FILE *in, const char *name, struct tm_trace_out *out);
/* pin (pin_len bytes, or NULL): the user PIN, for the trace's masked VERIFYs. */
int tm_trace_replay_cmd(FILE *in, const char *name, const char *reader, bool reset,
			const char *pin, size_t pin_len, struct tm_trace_out *out);

/* The hex of p into out (2n+1 bytes). */
void tm_trace_hex(char *out, const uint8_t *p, size_t n);

#endif
