/* tumar-trace's subcommands, and the reader they share. */
#ifndef TUMAR_TOOLS_TRACE_CMDS_H
#define TUMAR_TOOLS_TRACE_CMDS_H

#include <stdio.h>

#include "apdu/trace.h"

/* Calls fn for each trace line of in; lines that are not trace lines are
 * skipped, broken trace lines are reported with their number.  Returns
 * 0, or 1 when some line was broken. */
int tm_trace_each(FILE *in, const char *name, void (*fn)(const struct tm_trace_rec *r));

int tm_trace_decode_cmd(FILE *in, const char *name);
int tm_trace_stats_cmd(FILE *in, const char *name);

#endif
