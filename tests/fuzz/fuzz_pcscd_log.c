/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pcscd's APDU log reader, fed a whole file line by line: each line
 * fails cleanly or completes an exchange that holds together — a
 * command of at least a header, a response of at least a status word, a
 * PIN command reduced to its header — and formats and parses back as a
 * trace line.  At the end the reader's state is wiped. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/pcscd_log.h"
#include "apdu/rc.h"
#include "apdu/trace.h"
#include "fuzz.h"

static struct tm_pcscd_log log_state;
static struct tm_trace_rec rec, back;

static void check(void)
{
	struct tm_trace_event ev = {
		.seq = rec.seq, .time_us = 0, .duration_us = rec.duration_us,
		.cmd = rec.cmd, .cmd_len = rec.cmd_len,
		.resp = rec.has_resp ? rec.resp : NULL, .resp_len = rec.resp_len,
	};
	size_t len;
	char *line;

	if (rec.cmd_len < 4 || (rec.has_resp && rec.resp_len < 2) || (!rec.has_resp && rec.resp_len))
		abort();
	if (rec.sensitive) {
		if (rec.cmd_len != 4)
			abort(); /* a PIN command keeps only its header */
		return;
	}
	line = tm_trace_format(&ev, &len);
	if (line == NULL)
		return; /* e.g. a command longer than a trace line takes */
	if (tm_trace_parse(line, len, &back) != TM_OK || back.cmd_len != rec.cmd_len ||
	    memcmp(back.cmd, rec.cmd, rec.cmd_len) != 0 || back.has_resp != rec.has_resp ||
	    back.resp_len != rec.resp_len || memcmp(back.resp, rec.resp, rec.resp_len) != 0)
		abort();
	OPENSSL_free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t left = size;

	tm_pcscd_log_init(&log_state);
	while (left > 0) {
		const char *nl = memchr(p, '\n', left);
		size_t len = nl ? (size_t)(nl - p) + 1 : left;
		int rc = tm_pcscd_log_line(&log_state, p, len, &rec);

		if (rc == TM_OK)
			check();
		else if (rc != TM_ERR_NOT_FOUND && rc != TM_ERR_MALFORMED)
			abort();
		p += len;
		left -= len;
	}
	if (tm_pcscd_log_finish(&log_state, &rec) == TM_OK)
		check();
	if (!fuzz_all_zero(log_state.cmd, sizeof(log_state.cmd)) || log_state.pending)
		abort(); /* a PIN must not stay behind */
	return 0;
}
