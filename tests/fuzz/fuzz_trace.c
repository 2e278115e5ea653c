/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trace parser, fed a whole file: every line either fails cleanly or
 * parses to a record that formats and parses back to the same record. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/rc.h"
#include "apdu/trace.h"
#include "fuzz.h"

static struct tm_trace_rec first, second;

static void check_round_trip(void)
{
	struct tm_trace_event ev = {
		.seq = first.seq, .time_us = first.time_us,
		.duration_us = first.duration_us, .reader = first.reader,
		.cmd = first.cmd, .cmd_len = first.cmd_len,
		.resp = first.has_resp ? first.resp : NULL,
		.resp_len = first.resp_len,
	};
	size_t len;
	char *line;

	if (first.sensitive)
		return; /* hidden bytes cannot be written again */
	line = tm_trace_format(&ev, &len);
	if (line == NULL)
		abort();
	if (tm_trace_parse(line, len, &second) != TM_OK ||
	    second.seq != first.seq || second.time_us != first.time_us ||
	    second.duration_us != first.duration_us ||
	    strcmp(second.reader, first.reader) != 0 ||
	    second.cmd_len != first.cmd_len ||
	    memcmp(second.cmd, first.cmd, first.cmd_len) != 0 ||
	    second.has_resp != first.has_resp ||
	    second.resp_len != first.resp_len ||
	    memcmp(second.resp, first.resp, first.resp_len) != 0)
		abort();
	OPENSSL_free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t left = size;

	while (left > 0) {
		const char *nl = memchr(p, '\n', left);
		size_t len = nl ? (size_t)(nl - p) + 1 : left;

		if (tm_trace_parse(p, len, &first) == TM_OK)
			check_round_trip();
		p += len;
		left -= len;
	}
	return 0;
}
