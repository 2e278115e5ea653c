/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The readers of other tools' logs (OpenSC's debug log, pcsc-spy's
 * output) and the joiner behind them, fed a whole file line by line, as
 * tumar-trace decode reads one: each exchange that comes
 * out holds together (a command of at least a header, a response of at
 * least a status word, a secret reduced to its header, joined numbers in
 * order), no PIN of the input is in a secret's record, and at the end the
 * reader's state is wiped. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "apdu/opensc_log.h"
#include "apdu/pcsc_spy_log.h"
#include "apdu/rc.h"
#include "apdu/trace.h"
#include "apdu/trace_join.h"
#include "fuzz.h"

static struct tm_opensc_log log_state;
static struct tm_spy_log spy_state;
static struct tm_trace_join join;
static struct tm_trace_rec rec;
static uint64_t number, last_out;
static int outs;

static void check(const struct tm_trace_rec *r, void *ctx)
{
	(void)ctx;
	if (r->cmd_len < 4 || (r->has_resp && r->resp_len < 2) || (!r->has_resp && r->resp_len))
		abort();
	if (r->sensitive && r->cmd_len != 4)
		abort(); /* a secret keeps only its header */
	if (r->private_response && r->resp_len != 2)
		abort();
	if (r->number_last < r->number || r->number_last - r->number < r->joined)
		abort();
	if (outs++ && r->number <= last_out)
		abort(); /* exchanges come out in order, none twice */
	last_out = r->number_last;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t left = size;

	tm_opensc_log_init(&log_state);
	tm_spy_log_init(&spy_state);
	tm_trace_join_init(&join);
	number = 0;
	outs = 0;
	while (left > 0) {
		const char *nl = memchr(p, '\n', left);
		size_t len = nl ? (size_t)(nl - p) + 1 : left;
		int rc = tm_opensc_log_line(&log_state, p, len, &rec);
		if (rc == TM_ERR_NOT_FOUND && log_state.dump == 0)
			rc = tm_spy_log_line(&spy_state, p, len, &rec);

		if (rc == TM_OK) {
			rec.process = 1;
			rec.number = rec.number_last = number++;
			tm_trace_join_feed(&join, &rec, check, NULL);
		} else if (rc != TM_ERR_NOT_FOUND && rc != TM_ERR_MALFORMED) {
			abort();
		}
		p += len;
		left -= len;
	}
	if (tm_opensc_log_finish(&log_state, &rec) == TM_OK) {
		rec.process = 1;
		rec.number = rec.number_last = number++;
		tm_trace_join_feed(&join, &rec, check, NULL);
	}
	tm_spy_log_finish(&spy_state);
	tm_trace_join_flush(&join, check, NULL);
	if (!fuzz_all_zero(log_state.cmd, sizeof(log_state.cmd)) || log_state.pending ||
	    !fuzz_all_zero(spy_state.cmd, sizeof(spy_state.cmd)))
		abort(); /* a PIN must not stay behind */
	if (join.have)
		abort();
	return 0;
}
